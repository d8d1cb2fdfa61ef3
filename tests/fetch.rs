//! The fetcher against real HTTP servers on 127.0.0.1: retries, backoff, Retry-After,
//! redirects and loops, limits, timeouts, conditional GET, robots.txt, charsets.

mod crawl_fixture;

use crawl_fixture::{Route, Server};
use gleaner::fetch::{FetchConfig, FetchError, Fetcher, Validators, normalize};
use std::io::Write;
use std::time::{Duration, Instant};

fn cfg() -> FetchConfig {
    FetchConfig {
        delay: Duration::from_millis(20),
        backoff: Duration::from_millis(30),
        max_backoff: Duration::from_secs(2),
        retries: 2,
        timeout: Duration::from_millis(800),
        read_timeout: Duration::from_millis(800),
        ..FetchConfig::default()
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn fetch(f: &Fetcher, url: &str) -> Result<gleaner::fetch::Response, FetchError> {
    rt().block_on(f.fetch(&normalize(url).unwrap(), &Validators::default()))
}

#[test]
fn retries_5xx_with_backoff_but_not_4xx() {
    let s = Server::start();
    s.set(
        "/flaky",
        Route {
            fail_first: 2,
            fail_status: 503,
            ..Route::html("<p>finally</p>")
        },
    );
    s.set("/gone", Route::status(404));
    let f = Fetcher::new(cfg()).unwrap();
    let t = Instant::now();
    let r = fetch(&f, &s.url("/flaky")).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.requests, 3);
    assert_eq!(s.hits("/flaky"), 3);
    // Backoff 30 ms then 60 ms.
    assert!(t.elapsed() >= Duration::from_millis(90));
    let e = fetch(&f, &s.url("/gone")).unwrap_err();
    assert_eq!(e, FetchError::Status(s.url("/gone"), 404));
    assert_eq!(s.hits("/gone"), 1);
    // 5xx that never heals: 1 + 2 retries, then an error naming the URL.
    s.set(
        "/down",
        Route {
            fail_first: 99,
            fail_status: 500,
            ..Route::html("x")
        },
    );
    let e = fetch(&f, &s.url("/down")).unwrap_err();
    assert!(e.to_string().contains("/down") && e.to_string().contains("500"));
    assert_eq!(s.hits("/down"), 3);
    // Every request carries a user agent with a contact URL.
    assert!(
        s.log()
            .iter()
            .all(|h| h.user_agent.starts_with("gleaner/") && h.user_agent.contains("+http"))
    );
}

#[test]
fn honours_retry_after_on_429() {
    let s = Server::start();
    s.set(
        "/busy",
        Route {
            fail_first: 1,
            fail_status: 429,
            retry_after: Some("1".into()),
            ..Route::html("<p>ok</p>")
        },
    );
    let f = Fetcher::new(cfg()).unwrap();
    fetch(&f, &s.url("/busy")).unwrap();
    let log: Vec<_> = s.log().into_iter().filter(|h| h.path == "/busy").collect();
    assert_eq!(log.len(), 2);
    assert!(
        log[1].at - log[0].at >= Duration::from_millis(990),
        "{:?}",
        log[1].at - log[0].at
    );
    // A Retry-After beyond the longest wait allowed fails at once.
    s.set(
        "/later",
        Route {
            fail_first: 9,
            fail_status: 429,
            retry_after: Some("3600".into()),
            ..Route::html("x")
        },
    );
    assert_eq!(
        fetch(&f, &s.url("/later")).unwrap_err(),
        FetchError::Status(s.url("/later"), 429)
    );
    assert_eq!(s.hits("/later"), 1);
}

#[test]
fn redirects_followed_loops_and_chains_caught() {
    let s = Server::start();
    s.set("/old", Route::redirect(301, "/mid"));
    s.set("/mid", Route::redirect(302, &s.url("/new?utm_source=x")));
    s.set("/new", Route::html("<p>new</p>"));
    s.set("/a", Route::redirect(302, "/b"));
    s.set("/b", Route::redirect(302, "/a"));
    s.set("/ftp", Route::redirect(302, "ftp://127.0.0.1/file"));
    for i in 0..15 {
        s.set(
            &format!("/c{i}"),
            Route::redirect(302, &format!("/c{}", i + 1)),
        );
    }
    let f = Fetcher::new(cfg()).unwrap();
    let r = fetch(&f, &s.url("/old")).unwrap();
    assert_eq!(r.url.as_str(), s.url("/new"));
    assert_eq!(r.body, b"<p>new</p>");
    assert!(matches!(
        fetch(&f, &s.url("/a")),
        Err(FetchError::RedirectLoop(_))
    ));
    assert_eq!(s.hits("/a") + s.hits("/b"), 2);
    assert!(matches!(
        fetch(&f, &s.url("/c0")),
        Err(FetchError::TooManyRedirects(_, 10))
    ));
    assert!(s.hits("/c11") == 0);
    assert!(matches!(
        fetch(&f, &s.url("/ftp")),
        Err(FetchError::Url(..))
    ));
}

#[test]
fn body_limit_enforced_while_streaming_and_after_decompression() {
    let s = Server::start();
    let cfg = FetchConfig {
        max_body: 100_000,
        ..cfg()
    };
    s.set("/big", Route::typed("text/html", vec![b'a'; 300_000]));
    s.set("/fits", Route::typed("text/html", vec![b'a'; 90_000]));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b' '; 5_000_000]).unwrap();
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 100_000);
    let mut r = Route::typed("text/html", bomb);
    r.headers.push(("content-encoding".into(), "gzip".into()));
    s.set("/bomb", r);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(b"<p>small gzip page</p>").unwrap();
    let mut r = Route::typed("text/html", gz.finish().unwrap());
    r.headers.push(("content-encoding".into(), "gzip".into()));
    s.set("/small-gz", r);
    let f = Fetcher::new(cfg).unwrap();
    assert!(matches!(
        fetch(&f, &s.url("/big")),
        Err(FetchError::TooLarge(_, 100_000))
    ));
    assert!(matches!(
        fetch(&f, &s.url("/bomb")),
        Err(FetchError::TooLarge(_, 100_000))
    ));
    assert_eq!(fetch(&f, &s.url("/fits")).unwrap().body.len(), 90_000);
    assert_eq!(
        fetch(&f, &s.url("/small-gz")).unwrap().body,
        b"<p>small gzip page</p>"
    );
    // Too large is not retried.
    assert_eq!(s.hits("/big"), 1);
}

#[test]
fn slow_server_times_out_after_retries() {
    let s = Server::start();
    s.set(
        "/slow",
        Route {
            delay: Duration::from_millis(600),
            ..Route::html("<p>late</p>")
        },
    );
    let cfg = FetchConfig {
        timeout: Duration::from_millis(150),
        read_timeout: Duration::from_millis(150),
        retries: 1,
        ..cfg()
    };
    let f = Fetcher::new(cfg).unwrap();
    let t = Instant::now();
    assert!(matches!(
        fetch(&f, &s.url("/slow")),
        Err(FetchError::Timeout(_))
    ));
    assert!(t.elapsed() < Duration::from_millis(1000));
    assert_eq!(s.hits("/slow"), 2);
}

#[test]
fn conditional_get_gets_304() {
    let s = Server::start();
    s.set("/p", Route::html("<p>same</p>"));
    let f = Fetcher::new(cfg()).unwrap();
    let first = fetch(&f, &s.url("/p")).unwrap();
    let etag = first.validators.etag.clone().unwrap();
    let again = rt()
        .block_on(f.fetch(&normalize(&s.url("/p")).unwrap(), &first.validators))
        .unwrap();
    assert!(again.not_modified());
    assert!(again.body.is_empty());
    assert_eq!(
        s.log().last().unwrap().if_none_match.as_deref(),
        Some(etag.as_str())
    );
}

#[test]
fn robots_rules_and_crawl_delay_obeyed() {
    let s = Server::start();
    s.set(
        "/robots.txt",
        Route::typed(
            "text/plain",
            "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.15\n",
        ),
    );
    s.set("/private/x", Route::html("<p>secret</p>"));
    for i in 0..3 {
        s.set(&format!("/p{i}"), Route::html("<p>public</p>"));
    }
    let f = Fetcher::new(cfg()).unwrap();
    assert!(matches!(
        fetch(&f, &s.url("/private/x")),
        Err(FetchError::Robots(_))
    ));
    assert_eq!(s.hits("/private/x"), 0);
    let rt = rt();
    rt.block_on(async {
        let urls: Vec<_> = (0..3)
            .map(|i| normalize(&s.url(&format!("/p{i}"))).unwrap())
            .collect();
        let none = Validators::default();
        let all = futures_util::future::join_all(urls.iter().map(|u| f.fetch(u, &none))).await;
        assert!(all.iter().all(|r| r.is_ok()));
    });
    assert_eq!(s.hits("/robots.txt"), 1);
    let gap = s.min_gap().unwrap();
    assert!(gap >= Duration::from_millis(150), "requests {gap:?} apart");
    // Server errors on robots.txt: the host is skipped (RFC 9309), 404: everything allowed.
    let s2 = Server::start();
    s2.set("/robots.txt", Route::status(503));
    s2.set("/x", Route::html("<p>x</p>"));
    let f = Fetcher::new(FetchConfig {
        retries: 0,
        ..cfg()
    })
    .unwrap();
    assert!(matches!(
        fetch(&f, &s2.url("/x")),
        Err(FetchError::Robots(_))
    ));
    let s3 = Server::start();
    s3.set("/x", Route::html("<p>x</p>"));
    assert!(fetch(&f, &s3.url("/x")).is_ok());
}

#[test]
fn fetch_command_decodes_the_http_charset_and_writes_pages() {
    let s = Server::start();
    // "Привет" in windows-1251, declared only in the HTTP header.
    let mut body = b"<html><body><h1>Title</h1><p>Cyrillic paragraph: ".to_vec();
    body.extend_from_slice(&[0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2]);
    body.extend_from_slice(b" from the fixture.</p></body></html>");
    s.set("/ru", Route::typed("text/html; charset=windows-1251", body));
    s.set(
        "/en",
        Route::html(
            "<html><body><h1>English</h1><p>Distinctive fetched paragraph text.</p></body></html>",
        ),
    );
    let out = tempfile::tempdir().unwrap();
    let warc = tempfile::tempdir().unwrap();
    let st = std::process::Command::new(env!("CARGO_BIN_EXE_gleaner"))
        .args(["fetch", "--delay", "10ms", "-o"])
        .arg(out.path())
        .arg("--warc")
        .arg(warc.path())
        .args([s.url("/ru"), s.url("/en"), s.url("/missing")])
        .output()
        .unwrap();
    assert_eq!(
        st.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    assert!(String::from_utf8_lossy(&st.stderr).contains("/missing: HTTP status 404"));
    let mut texts: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    texts.sort();
    assert_eq!(texts.len(), 2);
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Cyrillic paragraph: Привет"))
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Distinctive fetched paragraph text."))
    );
    let archives: Vec<_> = std::fs::read_dir(warc.path()).unwrap().collect();
    assert_eq!(archives.len(), 1);
    // Bad usage: exit 2.
    let st = std::process::Command::new(env!("CARGO_BIN_EXE_gleaner"))
        .args(["fetch", "file:///etc/passwd"])
        .output()
        .unwrap();
    assert_eq!(st.status.code(), Some(2));
}
