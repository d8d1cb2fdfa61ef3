//! A fixture HTTP server for the fetch and crawl tests: axum on 127.0.0.1, one per
//! "host" (port), routes set by the test, every request logged with its arrival time.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How one path answers.
#[derive(Clone, Debug, Default)]
pub struct Route {
    /// Final status (200 when 0).
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Answer `fail_status` to the first `fail_first` requests.
    pub fail_first: u32,
    /// Status of those failures (e.g. 503, 429).
    pub fail_status: u16,
    /// `Retry-After` sent with the failures.
    pub retry_after: Option<String>,
    /// ETag; a matching If-None-Match gets 304.
    pub etag: Option<String>,
}

impl Route {
    /// A 200 HTML page (UTF-8) with an ETag derived from its content.
    pub fn html(body: &str) -> Route {
        Route {
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: body.as_bytes().to_vec(),
            etag: Some(format!("\"{:x}\"", fxhash(body.as_bytes()))),
            ..Default::default()
        }
    }
    /// A 200 response with this content type and body, no validators.
    pub fn typed(ct: &str, body: impl Into<Vec<u8>>) -> Route {
        Route {
            headers: vec![("content-type".into(), ct.into())],
            body: body.into(),
            ..Default::default()
        }
    }
    /// A redirect.
    pub fn redirect(code: u16, to: &str) -> Route {
        Route {
            status: code,
            headers: vec![("location".into(), to.into())],
            ..Default::default()
        }
    }
    /// A bare status.
    pub fn status(code: u16) -> Route {
        Route {
            status: code,
            ..Default::default()
        }
    }
}

fn fxhash(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf29ce484222325u64, |h, &x| {
        (h ^ x as u64).wrapping_mul(0x100000001b3)
    })
}

/// One logged request.
#[derive(Clone, Debug)]
pub struct Hit {
    pub path: String,
    pub at: Instant,
    pub user_agent: String,
    pub if_none_match: Option<String>,
    pub status: u16,
}

/// Makes a route for a path on the fly (large fixtures without holding every body).
pub type Generator = Arc<dyn Fn(&str) -> Option<Route> + Send + Sync>;

#[derive(Default)]
struct State {
    routes: HashMap<String, Route>,
    generator: Option<Generator>,
    counts: HashMap<String, u32>,
    log: Vec<Hit>,
}

/// A running fixture server.
#[derive(Clone)]
pub struct Server {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl Server {
    /// Starts a server on 127.0.0.1 with no routes (404 everywhere) on its own runtime thread.
    pub fn start() -> Server {
        let state = Arc::new(Mutex::new(State::default()));
        let st = state.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap().port()).unwrap();
                let app = axum::Router::new().fallback(move |req: Request<Body>| {
                    let st = st.clone();
                    async move { handle(st, req).await }
                });
                axum::serve(listener, app).await.unwrap();
            });
        });
        let port = rx.recv().unwrap();
        Server { port, state }
    }

    /// `http://127.0.0.1:PORT` + path.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Sets (or replaces) the route of `path` (path and query).
    pub fn set(&self, path: &str, route: Route) {
        self.state
            .lock()
            .unwrap()
            .routes
            .insert(path.to_string(), route);
    }

    /// Answers paths without a route with `g`.
    pub fn set_generator(&self, g: Generator) {
        self.state.lock().unwrap().generator = Some(g);
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<Hit> {
        self.state.lock().unwrap().log.clone()
    }

    /// Requests for `path` so far.
    pub fn hits(&self, path: &str) -> usize {
        self.log().iter().filter(|h| h.path == path).count()
    }

    /// Forgets the log and the per-path counts.
    pub fn clear_log(&self) {
        let mut s = self.state.lock().unwrap();
        s.log.clear();
        s.counts.clear();
    }

    /// Smallest gap between two request arrivals.
    pub fn min_gap(&self) -> Option<Duration> {
        let mut t: Vec<Instant> = self.log().iter().map(|h| h.at).collect();
        t.sort();
        t.windows(2).map(|w| w[1] - w[0]).min()
    }
}

async fn handle(st: Arc<Mutex<State>>, req: Request<Body>) -> axum::response::Response {
    let at = Instant::now();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let h: &HeaderMap = req.headers();
    let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).map(String::from);
    let ua = get("user-agent").unwrap_or_default();
    let inm = get("if-none-match");
    let (route, n) = {
        let mut s = st.lock().unwrap();
        let n = {
            let c = s.counts.entry(path.clone()).or_insert(0);
            *c += 1;
            *c
        };
        let r = s
            .routes
            .get(&path)
            .cloned()
            .or_else(|| s.generator.as_ref().and_then(|g| g(&path)));
        (r, n)
    };
    let mut status = 404;
    let mut resp = axum::response::Response::builder();
    let mut body = Vec::new();
    let mut delay = Duration::ZERO;
    if let Some(r) = route {
        delay = r.delay;
        if n <= r.fail_first {
            status = r.fail_status;
            if let Some(ra) = &r.retry_after {
                resp = resp.header("retry-after", ra);
            }
        } else if r.etag.is_some() && inm.is_some() && inm == r.etag {
            status = 304;
            resp = resp.header("etag", r.etag.clone().unwrap());
        } else {
            status = if r.status == 0 { 200 } else { r.status };
            for (k, v) in &r.headers {
                resp = resp.header(k, v);
            }
            if let Some(e) = &r.etag {
                resp = resp.header("etag", e);
            }
            body = r.body;
        }
    }
    st.lock().unwrap().log.push(Hit {
        path,
        at,
        user_agent: ua,
        if_none_match: inm,
        status,
    });
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    resp.status(StatusCode::from_u16(status).unwrap())
        .body(Body::from(body))
        .unwrap()
}

/// An article page with a headline, a distinctive paragraph and links.
pub fn article(title: &str, para: &str, links: &[&str]) -> String {
    let links: String = links
        .iter()
        .map(|l| format!("<li><a href=\"{l}\">{l}</a></li>"))
        .collect();
    format!(
        "<!DOCTYPE html><html><head><title>{title}</title></head><body>\
         <nav><ul>{links}</ul></nav><article><h1>{title}</h1>\
         <p>{para}</p><p>Second paragraph of the story, long enough to be kept as body text by any cleaner.</p>\
         </article></body></html>"
    )
}
