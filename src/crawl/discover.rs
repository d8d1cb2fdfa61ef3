//! Finding URLs: RSS/Atom feeds, sitemaps (urlset, sitemap index, gzip, Google News),
//! and HTML pages (`<a href>`, `<link rel=alternate>` feeds, `<link rel=canonical>`).
//!
//! Feeds and sitemaps are read with a small tag scanner: they are flat lists, and a
//! scanner copes with the broken XML real sites serve where a strict parser gives up.

use crate::fetch::urlnorm;
use scraper::{Html, Selector};
use std::io::Read;
use std::sync::LazyLock;
use url::Url;

/// Largest unpacked size of a gzip sitemap (the sitemap protocol's own limit is 50 MB).
pub const MAX_SITEMAP_BYTES: u64 = 64 * 1024 * 1024;

/// One `<url>` of a urlset sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapUrl {
    /// `<loc>`.
    pub loc: String,
    /// `<lastmod>` as Unix seconds, when present and readable.
    pub lastmod: Option<i64>,
}

/// What a fetched document turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Doc {
    /// A feed: article URLs.
    Entries(Vec<String>),
    /// A urlset sitemap: article URLs with their `<lastmod>`.
    Urls(Vec<SitemapUrl>),
    /// A sitemap index: more sitemaps.
    Sitemaps(Vec<String>),
    /// Not a feed or sitemap (HTML, or something else).
    Other,
}

/// Sniffs and reads a feed or sitemap (gzip allowed); [`Doc::Other`] for anything else.
pub fn read_feed_or_sitemap(bytes: &[u8]) -> Doc {
    let unpacked;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        let r = flate2::read::MultiGzDecoder::new(bytes)
            .take(MAX_SITEMAP_BYTES)
            .read_to_end(&mut out);
        if r.is_err() && out.is_empty() {
            return Doc::Other;
        }
        unpacked = out;
        &unpacked[..]
    } else {
        bytes
    };
    let text = String::from_utf8_lossy(bytes);
    let Some(root) = root_element(&text) else {
        return Doc::Other;
    };
    match root.as_str() {
        "urlset" => Doc::Urls(urlset(&text)),
        "sitemapindex" => Doc::Sitemaps(texts_of(&text, "loc", None)),
        "rss" | "rdf" => {
            let mut links = texts_of(&text, "link", Some("item"));
            if links.is_empty() {
                links = texts_of(&text, "guid", Some("item"));
            }
            Doc::Entries(links)
        }
        "feed" => Doc::Entries(atom_links(&text)),
        _ => Doc::Other,
    }
}

/// A tag found by the scanner.
struct Tag<'a> {
    /// Local name, lowercased by the caller's comparisons (prefix stripped).
    name: &'a str,
    /// Namespace prefix, if any.
    prefix: &'a str,
    /// Raw attribute text.
    attrs: &'a str,
    closing: bool,
    self_closing: bool,
    /// Byte offset just after the tag.
    end: usize,
}

/// The tags of `text` in order, skipping comments, CDATA, processing instructions and doctypes.
fn tags(text: &str) -> impl Iterator<Item = Tag<'_>> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        loop {
            let start = pos + text[pos..].find('<')?;
            let rest = &text[start..];
            let skip_to = |close: &str| rest.find(close).map(|i| start + i + close.len());
            if rest.starts_with("<!--") {
                pos = skip_to("-->")?;
                continue;
            }
            if rest.starts_with("<![CDATA[") {
                pos = skip_to("]]>")?;
                continue;
            }
            if rest.starts_with("<?") || rest.starts_with("<!") {
                pos = skip_to(">")?;
                continue;
            }
            let end = start + rest.find('>')? + 1;
            pos = end;
            let inner = &text[start + 1..end - 1];
            let closing = inner.starts_with('/');
            let inner = inner.trim_start_matches('/');
            let self_closing = inner.ends_with('/');
            let inner = inner.trim_end_matches('/');
            let name_end = inner
                .find(|c: char| c.is_whitespace())
                .unwrap_or(inner.len());
            let qname = &inner[..name_end];
            if qname.is_empty() {
                continue;
            }
            let (prefix, name) = qname.split_once(':').unwrap_or(("", qname));
            return Some(Tag {
                name,
                prefix,
                attrs: &inner[name_end..],
                closing,
                self_closing,
                end,
            });
        }
    })
}

/// The root element's local name, lowercased.
fn root_element(text: &str) -> Option<String> {
    tags(text)
        .find(|t| !t.closing)
        .map(|t| t.name.to_ascii_lowercase())
}

/// Text content of every unprefixed-or-default `name` element (inside a `within`
/// element when given). Prefixed ones (`image:loc`, `news:title`) are other vocabularies.
fn texts_of(text: &str, name: &str, within: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth_within = 0usize;
    let mut open_at: Option<usize> = None;
    for t in tags(text) {
        let is = |n: &str| t.name.eq_ignore_ascii_case(n);
        if let Some(w) = within
            && is(w)
        {
            if t.closing {
                depth_within = depth_within.saturating_sub(1);
            } else if !t.self_closing {
                depth_within += 1;
            }
            continue;
        }
        let plain = t.prefix.is_empty() || t.prefix.eq_ignore_ascii_case("sitemap");
        if !is(name) || !plain || (within.is_some() && depth_within == 0) {
            continue;
        }
        if t.closing {
            if let Some(s) = open_at.take() {
                let start = text[..t.end].rfind('<').unwrap_or(s);
                let v = unescape(text[s..start].trim());
                if !v.is_empty() {
                    out.push(v);
                }
            }
        } else if !t.self_closing {
            open_at = Some(t.end);
        }
    }
    out
}

/// The `<url>` entries of a urlset: `<loc>` and `<lastmod>` (unprefixed ones only, so
/// `image:loc` is not taken). A `<loc>` outside any `<url>` (broken sitemaps) counts too.
fn urlset(text: &str) -> Vec<SitemapUrl> {
    let mut out = Vec::new();
    let mut current: Option<SitemapUrl> = None;
    // The element whose text is being read (`loc` or `lastmod`) and where it began.
    let mut open: Option<(bool, usize)> = None;
    for t in tags(text) {
        let plain = t.prefix.is_empty() || t.prefix.eq_ignore_ascii_case("sitemap");
        if !plain {
            continue;
        }
        let is = |n: &str| t.name.eq_ignore_ascii_case(n);
        if is("url") {
            if let Some(u) = current.take().filter(|u| !u.loc.is_empty()) {
                out.push(u);
            }
            if !t.closing && !t.self_closing {
                current = Some(SitemapUrl {
                    loc: String::new(),
                    lastmod: None,
                });
            }
        } else if is("loc") || is("lastmod") {
            if !t.closing {
                open = (!t.self_closing).then_some((is("loc"), t.end));
                continue;
            }
            let Some((is_loc, from)) = open.take() else {
                continue;
            };
            let start = text[..t.end].rfind('<').unwrap_or(from);
            let v = unescape(text[from..start].trim());
            match (&mut current, is_loc) {
                (Some(u), true) => u.loc = v,
                (Some(u), false) => u.lastmod = parse_w3c_datetime(&v),
                (None, true) if !v.is_empty() => out.push(SitemapUrl {
                    loc: v,
                    lastmod: None,
                }),
                (None, _) => {}
            }
        }
    }
    if let Some(u) = current.filter(|u| !u.loc.is_empty()) {
        out.push(u);
    }
    out
}

/// Parses a W3C datetime as sitemaps use it (`2026-01-05`, `2026-01-05T10:30Z`,
/// `2026-01-05T10:30:15.5+01:00`; also `YYYY` and `YYYY-MM`) to Unix seconds. A time
/// without a zone is taken as UTC.
pub fn parse_w3c_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = match s.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut parts = date.split('-');
    let num = |p: Option<&str>, len: usize| -> Option<i64> {
        let p = p?;
        (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let year = num(parts.next(), 4)?;
    let month = parts.next().map_or(Some(1), |m| num(Some(m), 2))?;
    let day = parts.next().map_or(Some(1), |d| num(Some(d), 2))?;
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut secs = days_from_civil(year, month, day) * 86_400;
    if let Some(t) = time {
        let (clock, offset) = if let Some(c) = t.strip_suffix(['Z', 'z']) {
            (c, 0)
        } else if let Some(i) = t.rfind(['+', '-']) {
            let (c, z) = t.split_at(i);
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let (h, m) = z[1..].split_once(':').unwrap_or((&z[1..], "00"));
            (c, sign * (num(Some(h), 2)? * 3600 + num(Some(m), 2)? * 60))
        } else {
            (t, 0)
        };
        let mut hms = clock.split(':');
        let h = num(hms.next(), 2)?;
        let m = num(hms.next(), 2)?;
        let sec = match hms.next() {
            Some(x) => num(x.split('.').next(), 2)?,
            None => 0,
        };
        if h > 23 || m > 59 || sec > 60 {
            return None;
        }
        secs += h * 3600 + m * 60 + sec - offset;
    }
    Some(secs)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Atom entry links: `<link href>` with no rel or `rel="alternate"`, inside `<entry>`.
fn atom_links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_entry = false;
    for t in tags(text) {
        if t.name.eq_ignore_ascii_case("entry") {
            in_entry = !t.closing && !t.self_closing;
            continue;
        }
        if !in_entry || t.closing || !t.name.eq_ignore_ascii_case("link") {
            continue;
        }
        let rel = attr(t.attrs, "rel").unwrap_or_else(|| "alternate".into());
        if rel.eq_ignore_ascii_case("alternate")
            && let Some(h) = attr(t.attrs, "href")
        {
            out.push(h);
        }
    }
    out
}

/// The value of attribute `name` in raw attribute text.
fn attr(attrs: &str, name: &str) -> Option<String> {
    let lower = attrs.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let vstart = attrs.len() - rest.len() + 1;
        let v = attrs[vstart..].trim_start();
        let (q, body) = match v.chars().next() {
            Some(c @ ('"' | '\'')) => (c, &v[1..]),
            _ => (' ', v),
        };
        let end = body.find(q).unwrap_or(body.len());
        return Some(unescape(&body[..end]));
    }
    None
}

/// Strips CDATA and decodes the five XML entities and numeric references.
fn unescape(s: &str) -> String {
    let s = s
        .trim()
        .strip_prefix("<![CDATA[")
        .and_then(|x| x.strip_suffix("]]>"))
        .unwrap_or(s)
        .trim();
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(semi) = tail.find(';').filter(|&k| k <= 10) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let ent = &tail[1..semi];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &tail[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// What an HTML page links to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageLinks {
    /// `<a href>` targets, normalised, in page order, without duplicates.
    pub links: Vec<Url>,
    /// RSS/Atom feeds announced with `<link rel=alternate type=...rss/atom...>`.
    pub feeds: Vec<Url>,
    /// `<link rel=canonical>`.
    pub canonical: Option<Url>,
}

static A: LazyLock<Selector> = LazyLock::new(|| Selector::parse("a[href]").expect("valid"));
static LINK: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("link[rel][href]").expect("valid"));
static BASE: LazyLock<Selector> = LazyLock::new(|| Selector::parse("base[href]").expect("valid"));

/// Links, feeds and canonical URL of an HTML page fetched from `url`.
pub fn page_links(html: &str, url: &Url) -> PageLinks {
    let doc = Html::parse_document(html);
    let base = doc
        .select(&BASE)
        .next()
        .and_then(|b| b.value().attr("href"))
        .and_then(|h| url.join(h).ok())
        .unwrap_or_else(|| url.clone());
    let mut out = PageLinks::default();
    let mut seen = std::collections::HashSet::new();
    for a in doc.select(&A) {
        let Some(h) = a.value().attr("href") else {
            continue;
        };
        if let Ok(u) = urlnorm::resolve(&base, h)
            && seen.insert(u.as_str().to_string())
        {
            out.links.push(u);
        }
    }
    for l in doc.select(&LINK) {
        let v = l.value();
        let rel = v.attr("rel").unwrap_or("").to_ascii_lowercase();
        let Some(href) = v.attr("href") else { continue };
        let rels: Vec<&str> = rel.split_whitespace().collect();
        if rels.contains(&"canonical") && out.canonical.is_none() {
            out.canonical = urlnorm::resolve(&base, href).ok();
        } else if rels.contains(&"alternate") {
            let ty = v.attr("type").unwrap_or("").to_ascii_lowercase();
            if (ty.contains("rss") || ty.contains("atom"))
                && let Ok(u) = urlnorm::resolve(&base, href)
            {
                out.feeds.push(u);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_items_and_not_the_channel_link() {
        let rss = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<link>https://x.test/</link>
<item><title>A</title><link>https://x.test/a?x=1&amp;y=2</link></item>
<item><title>B</title><link><![CDATA[https://x.test/b]]></link></item>
<!-- <item><link>https://x.test/commented</link></item> -->
</channel></rss>"#;
        assert_eq!(
            read_feed_or_sitemap(rss.as_bytes()),
            Doc::Entries(vec![
                "https://x.test/a?x=1&y=2".into(),
                "https://x.test/b".into()
            ])
        );
    }

    #[test]
    fn atom_alternate_links() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><link href="https://x.test/"/>
<entry><link rel="alternate" href="https://x.test/1"/><link rel="enclosure" href="https://x.test/1.mp3"/></entry>
<entry><link href='https://x.test/2'/></entry></feed>"#;
        assert_eq!(
            read_feed_or_sitemap(atom.as_bytes()),
            Doc::Entries(vec!["https://x.test/1".into(), "https://x.test/2".into()])
        );
    }

    #[test]
    fn sitemaps_index_gzip_and_google_news() {
        let news = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
<url><loc>https://x.test/n1</loc><news:news><news:title>N</news:title></news:news><image:image><image:loc>https://x.test/i.jpg</image:loc></image:image></url>
<url><loc> https://x.test/n2 </loc><lastmod>2026-01-01</lastmod></url></urlset>"#;
        let want = Doc::Urls(vec![
            SitemapUrl {
                loc: "https://x.test/n1".into(),
                lastmod: None,
            },
            SitemapUrl {
                loc: "https://x.test/n2".into(),
                lastmod: parse_w3c_datetime("2026-01-01"),
            },
        ]);
        assert_eq!(read_feed_or_sitemap(news.as_bytes()), want);
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(news.as_bytes()).unwrap();
        assert_eq!(read_feed_or_sitemap(&gz.finish().unwrap()), want);
        let idx =
            "<sitemapindex><sitemap><loc>https://x.test/s1.xml.gz</loc></sitemap></sitemapindex>";
        assert_eq!(
            read_feed_or_sitemap(idx.as_bytes()),
            Doc::Sitemaps(vec!["https://x.test/s1.xml.gz".into()])
        );
        assert_eq!(
            read_feed_or_sitemap(b"<!DOCTYPE html><html><p>x"),
            Doc::Other
        );
        assert_eq!(read_feed_or_sitemap(b"\x1f\x8b garbage"), Doc::Other);
    }

    #[test]
    fn w3c_datetimes() {
        assert_eq!(parse_w3c_datetime("1970-01-01"), Some(0));
        assert_eq!(parse_w3c_datetime("2026-01-05"), Some(1_767_571_200));
        assert_eq!(parse_w3c_datetime("2026-01-05T10:30Z"), Some(1_767_609_000));
        assert_eq!(
            parse_w3c_datetime("2026-01-05T11:30:00.25+01:00"),
            Some(1_767_609_000)
        );
        assert_eq!(
            parse_w3c_datetime("2026-01-05T05:30:00-05:00"),
            Some(1_767_609_000)
        );
        assert_eq!(parse_w3c_datetime("2026"), Some(1_767_225_600));
        assert_eq!(parse_w3c_datetime("2024-02-29"), Some(1_709_164_800));
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-01-05T25:00Z",
            "26-01-05",
        ] {
            assert_eq!(parse_w3c_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn urlset_lastmod_per_url_and_a_bad_one_is_ignored() {
        let sm = "<urlset><url><lastmod>2026-01-05</lastmod><loc>https://x.test/a</loc></url>\
                  <url><loc>https://x.test/b</loc><lastmod>soon</lastmod></url>\
                  <loc>https://x.test/stray</loc></urlset>";
        let Doc::Urls(u) = read_feed_or_sitemap(sm.as_bytes()) else {
            panic!("not a urlset");
        };
        let got: Vec<(&str, Option<i64>)> = u.iter().map(|u| (u.loc.as_str(), u.lastmod)).collect();
        assert_eq!(
            got,
            [
                ("https://x.test/a", Some(1_767_571_200)),
                ("https://x.test/b", None),
                ("https://x.test/stray", None)
            ]
        );
    }

    #[test]
    fn html_links_feeds_canonical_and_base() {
        let html = r#"<html><head><base href="https://x.test/news/">
<link rel="canonical" href="/news/story#top">
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
<link rel="stylesheet" href="/s.css"></head>
<body><a href="a?utm_source=tw">A</a><a href="a">A again</a><a href="mailto:x@y">m</a>
<a href="https://other.test/z">Z</a></body></html>"#;
        let l = page_links(html, &Url::parse("https://x.test/news/story").unwrap());
        let links: Vec<&str> = l.links.iter().map(Url::as_str).collect();
        assert_eq!(links, ["https://x.test/news/a", "https://other.test/z"]);
        assert_eq!(l.feeds[0].as_str(), "https://x.test/feed.xml");
        assert_eq!(l.canonical.unwrap().as_str(), "https://x.test/news/story");
    }

    #[test]
    fn attributes_and_entities() {
        assert_eq!(
            attr(r#" rel="x" href='a&amp;b'"#, "href").as_deref(),
            Some("a&b")
        );
        assert_eq!(attr(" xhref=1 href=2", "href").as_deref(), Some("2"));
        assert_eq!(unescape("&#233;&#xE9;&bogus; &"), "éé&bogus; &");
    }
}
