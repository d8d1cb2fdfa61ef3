//! URL normalisation: one spelling per page, so a page is fetched and written once.
//!
//! Drops the fragment, the default port (done by the `url` crate), tracking
//! parameters (`utm_*`, click ids), an empty query, and lowercases scheme and host.
//! Keeps everything else as it is: a query parameter may well select the article.

use url::Url;

/// Query parameters that only say where a click came from, never which page it is.
const TRACKING_PARAMS: [&str; 14] = [
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "yclid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "igshid",
    "ocid",
    "cmpid",
    "ncid",
    "at_medium",
];

/// Query parameter prefixes that mark tracking parameters (`utm_source`, `utm_medium`, ...).
const TRACKING_PREFIXES: [&str; 3] = ["utm_", "at_", "_hs"];

/// True for a query parameter name that only tracks the click.
pub fn is_tracking_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    TRACKING_PARAMS.contains(&n.as_str()) || TRACKING_PREFIXES.iter().any(|p| n.starts_with(p))
}

/// Why a URL cannot be crawled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// Not a URL at all.
    Parse(String),
    /// A scheme other than http and https.
    Scheme(String),
    /// No host.
    NoHost,
}

impl std::fmt::Display for UrlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UrlError::Parse(e) => write!(f, "not a valid URL: {e}"),
            UrlError::Scheme(s) => write!(f, "scheme {s}: is not fetched (only http and https)"),
            UrlError::NoHost => write!(f, "URL has no host"),
        }
    }
}

impl std::error::Error for UrlError {}

/// Parses and normalises an absolute URL; only http and https are accepted.
pub fn normalize(s: &str) -> Result<Url, UrlError> {
    let u = Url::parse(s.trim()).map_err(|e| UrlError::Parse(e.to_string()))?;
    normalize_url(u)
}

/// Resolves `href` against `base` and normalises it.
pub fn resolve(base: &Url, href: &str) -> Result<Url, UrlError> {
    let u = base
        .join(href.trim())
        .map_err(|e| UrlError::Parse(e.to_string()))?;
    normalize_url(u)
}

/// Normalises a parsed URL (see the module doc).
pub fn normalize_url(mut u: Url) -> Result<Url, UrlError> {
    match u.scheme() {
        "http" | "https" => {}
        s => return Err(UrlError::Scheme(s.to_string())),
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err(UrlError::NoHost);
    }
    u.set_fragment(None);
    if let Some(q) = u.query() {
        if q.is_empty() {
            u.set_query(None);
        } else if q.split('&').any(|kv| {
            let name = kv.split('=').next().unwrap_or("");
            name.is_empty() || is_tracking_param(name)
        }) {
            let kept: Vec<&str> = q
                .split('&')
                .filter(|kv| {
                    let name = kv.split('=').next().unwrap_or("");
                    !name.is_empty() && !is_tracking_param(name)
                })
                .collect();
            if kept.is_empty() {
                u.set_query(None);
            } else {
                let joined = kept.join("&");
                u.set_query(Some(&joined));
            }
        }
    }
    Ok(u)
}

/// The politeness key of a URL: host and port (different ports are different servers).
pub fn host_key(u: &Url) -> String {
    match u.port_or_known_default() {
        Some(p) => format!("{}:{p}", u.host_str().unwrap_or("")),
        None => u.host_str().unwrap_or("").to_string(),
    }
}

/// The registrable-ish site of a host: its last two labels (`www.news.example` →
/// `news.example`), or the whole host for IP addresses and single labels.
pub fn site_of(host: &str) -> &str {
    if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
        return host;
    }
    let mut dots = host.rmatch_indices('.');
    match (dots.next(), dots.next()) {
        (Some(_), Some((i, _))) => &host[i + 1..],
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_fragment_default_port_tracking_and_empty_query() {
        let n = |s| normalize(s).unwrap().to_string();
        assert_eq!(
            n("HTTPS://News.Example:443/a/b?utm_source=x&id=7&fbclid=1#top"),
            "https://news.example/a/b?id=7"
        );
        assert_eq!(n("http://x.test:80/p?"), "http://x.test/p");
        assert_eq!(n("http://x.test/p?utm_medium=rss"), "http://x.test/p");
        assert_eq!(
            n("http://x.test:8080/p?b=2&a=1"),
            "http://x.test:8080/p?b=2&a=1"
        );
    }

    #[test]
    fn only_http_and_https() {
        assert!(matches!(
            normalize("ftp://x.test/a"),
            Err(UrlError::Scheme(_))
        ));
        assert!(matches!(
            normalize("mailto:a@b.c"),
            Err(UrlError::Scheme(_))
        ));
        assert!(matches!(normalize("not a url"), Err(UrlError::Parse(_))));
        let base = Url::parse("http://x.test/a/b").unwrap();
        assert_eq!(
            resolve(&base, "../c#x").unwrap().as_str(),
            "http://x.test/c"
        );
        assert!(resolve(&base, "javascript:void(0)").is_err());
    }

    #[test]
    fn host_keys_and_sites() {
        let u = Url::parse("http://127.0.0.1:4000/x").unwrap();
        assert_eq!(host_key(&u), "127.0.0.1:4000");
        assert_eq!(
            host_key(&Url::parse("https://a.test/").unwrap()),
            "a.test:443"
        );
        assert_eq!(site_of("www.news.example"), "news.example");
        assert_eq!(site_of("news.example"), "news.example");
        assert_eq!(site_of("localhost"), "localhost");
        assert_eq!(site_of("127.0.0.1"), "127.0.0.1");
    }
}
