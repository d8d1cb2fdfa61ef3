//! The HTTP client: one request with limits (connect/read/total timeouts, a body-size
//! cap enforced while streaming and after gzip/brotli decoding), retries with
//! exponential backoff, redirects followed by hand (robots.txt checked and loops
//! caught on every hop), conditional GET, robots.txt per host.

use super::politeness::Politeness;
use super::robots::{self, MAX_ROBOTS_BYTES, Robots};
use super::urlnorm::{self, UrlError, host_key};
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::OnceCell;
use tokio::time::Instant;
use url::Url;

/// Token matched against robots.txt `User-agent` lines.
pub const ROBOTS_TOKEN: &str = "gleaner";

/// Contact URL put in the default user agent.
pub const DEFAULT_CONTACT: &str = "https://crates.io/crates/gleaner";

/// Default largest body kept (after decompression).
pub const DEFAULT_MAX_BODY: u64 = 10 * 1024 * 1024;

/// The user agent for a contact URL: product token, version, `+contact` (the usual
/// convention, so a site owner can find out who crawls them).
pub fn user_agent(contact: &str) -> String {
    format!(
        "gleaner/{} (+{contact}; article text crawler)",
        env!("CARGO_PKG_VERSION")
    )
}

/// Settings of the fetcher.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// `User-Agent` header.
    pub user_agent: String,
    /// Time to open a connection.
    pub connect_timeout: Duration,
    /// Longest silence while reading a response.
    pub read_timeout: Duration,
    /// Longest time for a whole request, body included (slow-drip servers).
    pub timeout: Duration,
    /// Largest body kept, counted after decompression.
    pub max_body: u64,
    /// Redirect hops followed.
    pub max_redirects: u32,
    /// Retries after the first attempt (timeouts, connection errors, 429, 5xx).
    pub retries: u32,
    /// First backoff; doubled on each retry.
    pub backoff: Duration,
    /// Longest backoff, and longest `Retry-After` waited for.
    pub max_backoff: Duration,
    /// Delay between requests to one host.
    pub delay: Duration,
    /// Requests in flight per host.
    pub per_host: usize,
    /// Requests in flight overall.
    pub concurrency: usize,
    /// Obey robots.txt.
    pub robots: bool,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            user_agent: user_agent(DEFAULT_CONTACT),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(20),
            timeout: Duration::from_secs(60),
            max_body: DEFAULT_MAX_BODY,
            max_redirects: 10,
            retries: 3,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            delay: Duration::from_secs(1),
            per_host: 1,
            concurrency: 32,
            robots: true,
        }
    }
}

/// Validators from an earlier fetch, for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag`, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// `Last-Modified`, sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

/// A response (2xx or 304) after redirects.
#[derive(Debug, Clone)]
pub struct Response {
    /// The URL that answered (after redirects), normalised.
    pub url: Url,
    /// HTTP status (2xx, or 304 Not Modified).
    pub status: u16,
    /// `Content-Type` header.
    pub content_type: Option<String>,
    /// New validators.
    pub validators: Validators,
    /// Response headers as received (for the WARC archive).
    pub headers: Vec<(String, String)>,
    /// The body, decompressed (empty for 304).
    pub body: Vec<u8>,
    /// Requests made, retries and redirect hops included.
    pub requests: u32,
    /// When the response arrived (RFC 3339, UTC).
    pub date: String,
}

impl Response {
    /// True for 304 Not Modified.
    pub fn not_modified(&self) -> bool {
        self.status == 304
    }
}

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Bad URL or scheme.
    Url(String, UrlError),
    /// robots.txt disallows it.
    Robots(String),
    /// More redirect hops than allowed.
    TooManyRedirects(String, u32),
    /// A redirect led back to a URL already visited.
    RedirectLoop(String),
    /// The body is larger than the limit.
    TooLarge(String, u64),
    /// Timed out (after retries).
    Timeout(String),
    /// Could not connect, or the connection broke (after retries).
    Connection(String, String),
    /// An HTTP error status (after retries for 429 and 5xx).
    Status(String, u16),
    /// Anything else (bad encoding, redirect without Location, ...).
    Other(String, String),
}

impl FetchError {
    /// The URL the error is about.
    pub fn url(&self) -> &str {
        match self {
            FetchError::Url(u, _)
            | FetchError::Robots(u)
            | FetchError::TooManyRedirects(u, _)
            | FetchError::RedirectLoop(u)
            | FetchError::TooLarge(u, _)
            | FetchError::Timeout(u)
            | FetchError::Connection(u, _)
            | FetchError::Status(u, _)
            | FetchError::Other(u, _) => u,
        }
    }

    /// True for errors a later attempt may not hit (timeouts, connections, 429, 5xx).
    pub fn transient(&self) -> bool {
        match self {
            FetchError::Timeout(_) | FetchError::Connection(..) => true,
            FetchError::Status(_, s) => *s == 429 || *s >= 500,
            _ => false,
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Url(u, e) => write!(f, "{u}: {e}"),
            FetchError::Robots(u) => write!(f, "{u}: disallowed by robots.txt"),
            FetchError::TooManyRedirects(u, n) => write!(f, "{u}: more than {n} redirects"),
            FetchError::RedirectLoop(u) => write!(f, "{u}: redirect loop"),
            FetchError::TooLarge(u, n) => write!(f, "{u}: body larger than {n} bytes"),
            FetchError::Timeout(u) => write!(f, "{u}: timed out"),
            FetchError::Connection(u, e) => write!(f, "{u}: connection failed: {e}"),
            FetchError::Status(u, s) => write!(f, "{u}: HTTP status {s}"),
            FetchError::Other(u, e) => write!(f, "{u}: {e}"),
        }
    }
}

impl std::error::Error for FetchError {}

/// One hop's outcome before redirect handling.
enum Hop {
    Done(Response),
    Redirect(Url, u32),
}

/// A host's robots.txt rules as cached by the fetcher.
#[derive(Debug)]
struct CachedRobots {
    robots: Arc<Robots>,
    /// The pass it was read in: it serves the rest of that pass whatever its age.
    pass: u64,
    /// Until when later passes may reuse it; `None` for answers that hold for one
    /// pass only (robots.txt unreachable or 5xx, RFC 9309 2.3.1.4).
    expires: Option<Instant>,
}

impl CachedRobots {
    fn usable(&self, pass: u64, now: Instant) -> bool {
        self.pass == pass || self.expires.is_some_and(|e| now < e)
    }
}

/// The fetcher: a pooled HTTP client, the politeness scheduler and robots.txt cache.
pub struct Fetcher {
    client: reqwest::Client,
    cfg: FetchConfig,
    polite: Politeness,
    robots: Mutex<HashMap<String, Arc<OnceCell<CachedRobots>>>>,
    /// The current pass (see [`Fetcher::begin_pass`]).
    pass: AtomicU64,
}

impl Fetcher {
    /// Builds a fetcher.
    pub fn new(cfg: FetchConfig) -> Result<Fetcher, String> {
        let client = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(cfg.connect_timeout)
            .read_timeout(cfg.read_timeout)
            .timeout(cfg.timeout)
            .gzip(true)
            .brotli(true)
            .pool_max_idle_per_host(cfg.per_host.max(1) * 2)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let polite = Politeness::new(cfg.delay, cfg.per_host, cfg.concurrency);
        Ok(Fetcher {
            client,
            cfg,
            polite,
            robots: Mutex::new(HashMap::new()),
            pass: AtomicU64::new(0),
        })
    }

    /// The settings.
    pub fn config(&self) -> &FetchConfig {
        &self.cfg
    }

    /// The politeness scheduler.
    pub fn politeness(&self) -> &Politeness {
        &self.polite
    }

    /// Starts a new crawl pass. A robots.txt is read at most once per host per pass;
    /// a later pass reuses it until it is [`robots::ROBOTS_TTL`] old (or its
    /// `Cache-Control: max-age` ran out), and always reads it again when the last
    /// attempt failed.
    pub fn begin_pass(&self) {
        self.pass.fetch_add(1, Ordering::Relaxed);
    }

    /// The robots.txt rules of `url`'s host, from the cache while they are fresh.
    pub async fn robots_for(&self, url: &Url) -> Arc<Robots> {
        let key = host_key(url);
        let pass = self.pass.load(Ordering::Relaxed);
        let cell = {
            let mut m = self.robots.lock().unwrap_or_else(|e| e.into_inner());
            let cell = m.entry(key.clone()).or_default();
            if cell.get().is_some_and(|c| !c.usable(pass, Instant::now())) {
                *cell = Arc::default();
            }
            cell.clone()
        };
        cell.get_or_init(|| async {
            let (r, ttl) = self.load_robots(url).await;
            let r = Arc::new(r);
            if let Some(d) = r.crawl_delay {
                self.polite.raise_delay(&key, d).await;
            }
            CachedRobots {
                robots: r,
                pass,
                expires: ttl.map(|t| Instant::now() + t),
            }
        })
        .await
        .robots
        .clone()
    }

    /// Reads robots.txt for `url`'s host; with how long later passes may reuse the
    /// answer (`None`: this pass only).
    async fn load_robots(&self, url: &Url) -> (Robots, Option<Duration>) {
        let mut robots_url = url.clone();
        robots_url.set_path("/robots.txt");
        robots_url.set_query(None);
        let mut target = robots_url.clone();
        for _ in 0..5 {
            match self
                .attempts(&target, &Validators::default(), MAX_ROBOTS_BYTES as u64)
                .await
            {
                Ok(Hop::Done(r)) => {
                    let text = String::from_utf8_lossy(&r.body);
                    let cc = r
                        .headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("cache-control"))
                        .map(|(_, v)| v.as_str());
                    let ttl = robots::cache_ttl(cc);
                    tracing::debug!(url = %robots_url, ?ttl, "robots.txt read");
                    return (Robots::parse(&text, ROBOTS_TOKEN), Some(ttl));
                }
                Ok(Hop::Redirect(next, _)) => target = next,
                Err(FetchError::Status(_, s)) if (400..500).contains(&s) => {
                    return (Robots::allow_all(), Some(robots::ROBOTS_TTL));
                }
                Err(e) => {
                    tracing::warn!("robots.txt unavailable, host skipped this pass: {e}");
                    return (Robots::disallow_all(), None);
                }
            }
        }
        tracing::warn!(url = %robots_url, "robots.txt: too many redirects, no rules this pass");
        (Robots::allow_all(), None)
    }

    /// Fetches `url`: robots.txt, politeness, retries, redirects, limits. `Ok` holds a
    /// 2xx response or a 304 (when `validators` were given).
    pub async fn fetch(&self, url: &Url, validators: &Validators) -> Result<Response, FetchError> {
        let mut current = url.clone();
        let mut visited = vec![current.clone()];
        let mut requests = 0;
        loop {
            if self.cfg.robots {
                let robots = self.robots_for(&current).await;
                let path = match current.query() {
                    Some(q) => format!("{}?{q}", current.path()),
                    None => current.path().to_string(),
                };
                if !robots.allowed(&path) {
                    return Err(FetchError::Robots(current.to_string()));
                }
            }
            match self
                .attempts(&current, validators, self.cfg.max_body)
                .await?
            {
                Hop::Done(mut r) => {
                    r.requests += requests;
                    return Ok(r);
                }
                Hop::Redirect(next, n) => {
                    requests += n;
                    if visited.contains(&next) {
                        return Err(FetchError::RedirectLoop(url.to_string()));
                    }
                    if visited.len() as u32 > self.cfg.max_redirects {
                        return Err(FetchError::TooManyRedirects(
                            url.to_string(),
                            self.cfg.max_redirects,
                        ));
                    }
                    tracing::debug!(from = %current, to = %next, "redirect");
                    visited.push(next.clone());
                    current = next;
                }
            }
        }
    }

    /// One hop with retries and backoff.
    async fn attempts(
        &self,
        url: &Url,
        validators: &Validators,
        max_body: u64,
    ) -> Result<Hop, FetchError> {
        let host = host_key(url);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = {
                let _permit = self.polite.acquire(&host).await;
                self.once(url, validators, max_body).await
            };
            let (err, retry_after) = match result {
                Ok(Hop::Done(mut r)) => {
                    r.requests = attempt;
                    return Ok(Hop::Done(r));
                }
                Ok(Hop::Redirect(u, _)) => return Ok(Hop::Redirect(u, attempt)),
                Err((e, ra)) => (e, ra),
            };
            if !err.transient() || attempt > self.cfg.retries {
                return Err(err);
            }
            let wait = match retry_after {
                Some(ra) if ra > self.cfg.max_backoff => {
                    tracing::warn!("{err}: Retry-After {ra:?} is longer than the wait allowed");
                    return Err(err);
                }
                Some(ra) => {
                    self.polite.pause(&host, ra).await;
                    ra
                }
                None => backoff(self.cfg.backoff, self.cfg.max_backoff, attempt),
            };
            tracing::info!("{err}; retry {attempt} in {wait:?}");
            tokio::time::sleep(wait).await;
        }
    }

    /// One request. Errors come with the server's `Retry-After`, if any.
    async fn once(
        &self,
        url: &Url,
        validators: &Validators,
        max_body: u64,
    ) -> Result<Hop, (FetchError, Option<Duration>)> {
        let u = url.to_string();
        let mut req = self.client.get(url.clone());
        if let Some(e) = &validators.etag {
            req = req.header(reqwest::header::IF_NONE_MATCH, e);
        }
        if let Some(lm) = &validators.last_modified {
            req = req.header(reqwest::header::IF_MODIFIED_SINCE, lm);
        }
        let mut resp = req.send().await.map_err(|e| (classify(&u, &e), None))?;
        let status = resp.status().as_u16();
        let header = |name: reqwest::header::HeaderName| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        if (300..400).contains(&status) && status != 304 {
            let Some(loc) = header(reqwest::header::LOCATION) else {
                return Err((
                    FetchError::Other(u, format!("redirect {status} without Location")),
                    None,
                ));
            };
            let next = urlnorm::resolve(url, &loc).map_err(|e| (FetchError::Url(loc, e), None))?;
            return Ok(Hop::Redirect(next, 1));
        }
        if !(200..300).contains(&status) && status != 304 {
            let ra = header(reqwest::header::RETRY_AFTER).and_then(|v| parse_retry_after(&v));
            return Err((FetchError::Status(u, status), ra));
        }
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let validators = Validators {
            etag: header(reqwest::header::ETAG),
            last_modified: header(reqwest::header::LAST_MODIFIED),
        };
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        if status != 304 {
            if resp.content_length().is_some_and(|n| n > max_body) {
                return Err((FetchError::TooLarge(u, max_body), None));
            }
            // Counted chunk by chunk after decompression, so neither a lying
            // Content-Length nor a gzip bomb gets past the limit.
            loop {
                match resp.chunk().await {
                    Ok(Some(c)) => {
                        if body.len() as u64 + c.len() as u64 > max_body {
                            return Err((FetchError::TooLarge(u, max_body), None));
                        }
                        body.extend_from_slice(&c);
                    }
                    Ok(None) => break,
                    Err(e) => return Err((classify(&u, &e), None)),
                }
            }
        }
        Ok(Hop::Done(Response {
            url: url.clone(),
            status,
            content_type,
            validators,
            headers,
            body,
            requests: 1,
            date: now_rfc3339(),
        }))
    }
}

/// Maps a reqwest error to ours: timeouts and broken connections are transient.
fn classify(url: &str, e: &reqwest::Error) -> FetchError {
    let u = url.to_string();
    if e.is_timeout() {
        FetchError::Timeout(u)
    } else if e.is_decode() {
        FetchError::Other(u, format!("cannot decode the body: {}", root_cause(e)))
    } else if e.is_connect() || e.is_body() || e.is_request() {
        FetchError::Connection(u, root_cause(e))
    } else {
        FetchError::Other(u, root_cause(e))
    }
}

/// The innermost error message (reqwest wraps hyper wraps io).
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(s) = cur.source() {
        cur = s;
    }
    cur.to_string()
}

/// `Retry-After`: delay-seconds or an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Exponential backoff for retry `attempt` (1-based): `base * 2^(attempt-1)`, capped,
/// plus up to 25% jitter so clients that failed together do not retry together.
pub fn backoff(base: Duration, max: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << (attempt.saturating_sub(1)).min(16));
    let d = exp.min(max);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|t| t.subsec_nanos())
        .unwrap_or(0);
    d + d.mul_f64(f64::from(nanos % 1000) / 4000.0)
}

/// The current time as RFC 3339 (UTC, seconds).
pub fn now_rfc3339() -> String {
    let s = httpdate::fmt_http_date(std::time::SystemTime::now());
    // httpdate gives "Mon, 23 Nov 2026 13:00:00 GMT"; convert by hand to RFC 3339.
    rfc3339_from_http(&s).unwrap_or(s)
}

/// Converts an HTTP date to RFC 3339.
fn rfc3339_from_http(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() != 6 {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = MONTHS.iter().position(|m| *m == parts[2])? + 1;
    Some(format!("{}-{m:02}-{}T{}Z", parts[3], parts[1], parts[4]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let b = Duration::from_millis(100);
        let max = Duration::from_secs(1);
        let a1 = backoff(b, max, 1);
        let a3 = backoff(b, max, 3);
        assert!(a1 >= b && a1 <= b.mul_f64(1.25));
        assert!(a3 >= b * 4 && a3 <= (b * 4).mul_f64(1.25));
        assert!(backoff(b, max, 30) <= max.mul_f64(1.25));
    }

    #[test]
    fn dates() {
        assert_eq!(
            rfc3339_from_http("Mon, 23 Nov 2026 13:00:05 GMT").as_deref(),
            Some("2026-11-23T13:00:05Z")
        );
        assert!(now_rfc3339().ends_with('Z'));
    }

    #[test]
    fn user_agent_names_a_contact() {
        let ua = user_agent("https://example.org/bot");
        assert!(ua.starts_with("gleaner/") && ua.contains("+https://example.org/bot"));
    }
}
