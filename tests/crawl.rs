//! Crawl jobs against a fixture news site over three hosts (ports) on 127.0.0.1:
//! feeds, sitemaps (index, gzip, Google News), robots rules, redirects, a redirect
//! loop, 304s, 429/5xx, slow and oversized responses, a legacy charset, canonical and
//! content duplicates, tracking parameters, an off-site link.

mod crawl_fixture;

use crawl_fixture::{Route, Server, article};
use gleaner::crawl::{Crawler, Job, PassStats};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// Job delay in the tests; host B raises it with robots.txt Crawl-delay.
const DELAY_MS: u64 = 80;
const B_CRAWL_DELAY_MS: u64 = 150;

struct Site {
    a: Server,
    b: Server,
    c: Server,
}

fn with_etag(mut r: Route, tag: &str) -> Route {
    r.etag = Some(format!("\"{tag}\""));
    r
}

fn fixture() -> Site {
    let a = Server::start();
    let b = Server::start();
    let c = Server::start();
    let art = |p: &str| format!("/news/2026/01/{p}");
    // Host A: home page, section, feed, articles and every kind of trouble.
    a.set(
        "/robots.txt",
        Route::typed(
            "text/plain",
            format!(
                "User-agent: *\nDisallow: /private/\n\nSitemap: {}\n",
                b.url("/sitemap_index.xml")
            ),
        ),
    );
    let home_links = [
        art("a1"),
        art("a2"),
        format!("{}?utm_source=home&utm_medium=web#comments", art("a1")),
        "/section/world".into(),
        "/private/2026/secret".into(),
        "/old/a3".into(),
        "/loop1".into(),
        art("flaky"),
        art("busy"),
        art("big"),
        art("slow"),
        art("gone"),
        c.url("/news/2026/01/offsite")
            .replace("127.0.0.1", "localhost"),
        "ftp://127.0.0.1/file".into(),
    ];
    let links: Vec<&str> = home_links.iter().map(String::as_str).collect();
    let mut home = article("Home", "Welcome to the fixture news home page.", &links);
    home = home.replace(
        "</head>",
        "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\"></head>",
    );
    a.set("/", Route::html(&home));
    a.set(
        "/section/world",
        Route::html(&article(
            "World",
            "World section listing.",
            &[&art("a5"), &art("a5-copy"), &art("a7")],
        )),
    );
    a.set(
        "/feed.xml",
        with_etag(
            Route::typed(
                "application/rss+xml",
                format!(
                    "<?xml version=\"1.0\"?><rss><channel><link>{}</link>\
                     <item><link>{}</link></item><item><link>{}</link></item></channel></rss>",
                    a.url("/"),
                    b.url(&art("a4")),
                    a.url(&art("a1")),
                ),
            ),
            "feed1",
        ),
    );
    let text = |id: &str| format!("Distinctive paragraph of article {id} in the fixture.");
    for id in ["a1", "a3", "a5", "flaky", "busy"] {
        a.set(
            &art(id),
            Route::html(&article(&format!("Story {id}"), &text(id), &["/"])),
        );
    }
    // Same body as a5 under another URL: written once.
    a.set(
        &art("a5-copy"),
        Route::html(&article("Story a5", &text("a5"), &["/"])),
    );
    // Canonical points to a1: the same article, written once.
    let a7 = article("Story a1 (print)", &text("a7"), &["/"]).replace(
        "</head>",
        &format!("<link rel=\"canonical\" href=\"{}\"></head>", art("a1")),
    );
    a.set(&art("a7"), Route::html(&a7));
    // A legacy charset named only in the HTTP header.
    let mut a2 = b"<html><head><title>a2</title></head><body><h1>Story a2</h1><p>Distinctive paragraph of article a2 in the fixture: caf".to_vec();
    a2.push(0xE9);
    a2.extend_from_slice(b" cr\xE8me.</p><p>Second paragraph of the story, long enough to be kept as body text.</p></body></html>");
    let mut r = Route::typed("text/html; charset=windows-1252", a2);
    r.etag = Some("\"a2v1\"".into());
    a.set(&art("a2"), r);
    a.set(
        "/private/2026/secret",
        Route::html(&article("Secret", "Never fetched.", &[])),
    );
    a.set("/old/a3", Route::redirect(301, &art("a3")));
    a.set("/loop1", Route::redirect(302, "/loop2"));
    a.set("/loop2", Route::redirect(302, "/loop1"));
    a.set(
        &art("flaky"),
        Route {
            fail_first: 1,
            fail_status: 503,
            ..a_route(&text("flaky"))
        },
    );
    a.set(
        &art("busy"),
        Route {
            fail_first: 1,
            fail_status: 429,
            retry_after: Some("1".into()),
            ..a_route(&text("busy"))
        },
    );
    a.set(
        &art("big"),
        Route::typed("text/html", format!("<p>{}</p>", "x".repeat(300_000))),
    );
    a.set(
        &art("slow"),
        Route {
            delay: Duration::from_millis(1500),
            ..a_route("slow")
        },
    );
    a.set(&art("gone"), Route::status(404));
    // Host B: crawl-delay, a sitemap index with a gzip Google News sitemap.
    b.set(
        "/robots.txt",
        Route::typed(
            "text/plain",
            format!(
                "User-agent: *\nCrawl-delay: {}\n",
                B_CRAWL_DELAY_MS as f64 / 1000.0
            ),
        ),
    );
    b.set(
        "/sitemap_index.xml",
        with_etag(
            Route::typed(
                "application/xml",
                format!(
                    "<?xml version=\"1.0\"?><sitemapindex><sitemap><loc>{}</loc></sitemap>\
                     <sitemap><loc>{}</loc></sitemap></sitemapindex>",
                    b.url("/sitemap-news.xml.gz"),
                    b.url("/sitemap2.xml")
                ),
            ),
            "idx1",
        ),
    );
    let news = format!(
        "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\
         <url><loc>{}</loc><news:news><news:title>b1</news:title></news:news></url>\
         <url><loc>{}</loc></url></urlset>",
        b.url(&art("b1")),
        b.url(&art("b2"))
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(news.as_bytes()).unwrap();
    b.set(
        "/sitemap-news.xml.gz",
        with_etag(
            Route::typed("application/gzip", gz.finish().unwrap()),
            "news1",
        ),
    );
    b.set(
        "/sitemap2.xml",
        with_etag(
            Route::typed(
                "application/xml",
                format!(
                    "<urlset><url><loc>{}</loc></url><url><loc>{}</loc></url></urlset>",
                    b.url(&art("b3")),
                    a.url(&art("a2"))
                ),
            ),
            "sm2",
        ),
    );
    for id in ["b1", "b2", "b3", "a4"] {
        b.set(
            &art(id),
            Route::html(&article(&format!("Story {id}"), &text(id), &[])),
        );
    }
    c.set(
        "/news/2026/01/offsite",
        Route::html(&article("Off", "Off-site page.", &[])),
    );
    Site { a, b, c }
}

fn a_route(para: &str) -> Route {
    Route::html(&article("Story", para, &["/"]))
}

fn job_text(site: &Site, dir: &Path, format: &str, out: &str) -> String {
    format!(
        r#"
start = ["{home}", "{section}"]
[scope]
articles = ['/news/\d{{4}}/\d{{2}}/[^/]+$']
max_depth = 2
[politeness]
contact = "https://example.org/gleaner-tests"
delay = "{DELAY_MS}ms"
per_host = 1
concurrency = 8
retries = 1
backoff = "50ms"
max_backoff = "3s"
timeout = "400ms"
read_timeout = "400ms"
max_body = 200000
[output]
path = "{out}"
format = "{format}"
[state]
db = "{db}"
"#,
        home = site.a.url("/"),
        section = site.a.url("/section/world"),
        out = dir.join(out).display(),
        db = dir.join("state.sqlite").display(),
    )
}

fn run_pass(job: &str, dir: &Path) -> PassStats {
    run_passes(job, dir, 1).pop().unwrap()
}

/// Runs `n` passes with one crawler, as `--every` does.
fn run_passes(job: &str, dir: &Path, n: usize) -> Vec<PassStats> {
    let job = Job::parse(job, dir).unwrap();
    let mut c = Crawler::open(job, None).unwrap();
    c.report_failures = false;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    (0..n)
        .map(|_| {
            rt.block_on(c.run_pass(&AtomicBool::new(false), |_| {}))
                .unwrap()
        })
        .collect()
}

/// A small site: robots.txt `robots`, `/` linking to `/news/x`, the article `/news/x`.
fn small_site(robots: Route) -> Server {
    let s = Server::start();
    s.set("/robots.txt", robots);
    s.set("/", Route::html(&article("Home", "Home.", &["/news/x"])));
    s.set(
        "/news/x",
        Route::html(&article(
            "X",
            &format!("Distinctive paragraph of the article on {}.", s.port),
            &[],
        )),
    );
    s
}

/// A job over `hosts`' home pages, articles under `/news/`, output `out` in `format`.
fn small_job(hosts: &[&Server], dir: &Path, out: &str, format: &str) -> String {
    let starts: Vec<String> = hosts
        .iter()
        .map(|h| format!("\"{}\"", h.url("/")))
        .collect();
    format!(
        "start = [{}]\n[scope]\narticles = ['/news/']\n[politeness]\ndelay = \"20ms\"\nretries = 1\nbackoff = \"20ms\"\n[output]\npath = \"{}\"\nformat = \"{format}\"\n[state]\ndb = \"{}\"\n",
        starts.join(", "),
        dir.join(out).display(),
        dir.join("state.sqlite").display()
    )
}

/// id (from the file name) → text.
fn txt_output(dir: &Path) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.ends_with(".txt"), "stray file {name}");
        let id = name
            .split_once('_')
            .unwrap()
            .1
            .trim_end_matches(".txt")
            .to_string();
        assert!(
            m.insert(id, std::fs::read_to_string(&p).unwrap()).is_none(),
            "id twice: {name}"
        );
    }
    m
}

fn count_containing(out: &BTreeMap<String, String>, needle: &str) -> usize {
    out.values().filter(|t| t.contains(needle)).count()
}

fn assert_spacing(s: &Server, min: Duration, what: &str) {
    if let Some(gap) = s.min_gap() {
        assert!(
            gap >= min,
            "{what}: two requests {gap:?} apart, delay is {min:?}"
        );
    }
}

#[test]
fn fixture_crawl_writes_each_article_once_and_second_pass_sees_304s() {
    let site = fixture();
    let dir = tempfile::tempdir().unwrap();
    let job = job_text(&site, dir.path(), "txt", "out");
    let st = run_pass(&job, dir.path());
    let out = txt_output(&dir.path().join("out"));

    // Every article exactly once, whichever way it was reached.
    for id in [
        "a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3", "flaky", "busy",
    ] {
        let needle = format!("Distinctive paragraph of article {id} in the fixture");
        assert_eq!(count_containing(&out, &needle), 1, "{id}: {out:#?}");
    }
    assert_eq!(out.len(), 10, "{:#?}", out.keys());
    // The legacy charset was decoded.
    assert_eq!(count_containing(&out, "café crème"), 1);
    // Canonical duplicate (a7 → a1) not written; non-articles not written.
    assert_eq!(count_containing(&out, "article a7"), 0);
    assert_eq!(count_containing(&out, "home page"), 0);
    assert_eq!(count_containing(&out, "section listing"), 0);
    // a1 fetched once despite tracking parameters, fragment, feed and canonical.
    assert_eq!(site.a.hits("/news/2026/01/a1"), 1);
    assert_eq!(site.a.hits("/news/2026/01/a2"), 1);
    // robots.txt obeyed, read once per host.
    assert_eq!(site.a.hits("/private/2026/secret"), 0);
    assert_eq!(site.a.hits("/robots.txt"), 1);
    assert_eq!(site.b.hits("/robots.txt"), 1);
    // Off-site link and ftp:// never fetched.
    assert!(site.c.log().is_empty());
    // Retries: 503 and 429 once each, then success; 404 not retried; loop stopped.
    assert_eq!(site.a.hits("/news/2026/01/flaky"), 2);
    assert_eq!(site.a.hits("/news/2026/01/busy"), 2);
    assert_eq!(site.a.hits("/news/2026/01/gone"), 1);
    assert_eq!(site.a.hits("/loop1") + site.a.hits("/loop2"), 2);
    assert_eq!(site.a.hits("/news/2026/01/big"), 1);
    assert_eq!(site.a.hits("/news/2026/01/slow"), 2);
    // gone, loop, big, slow failed.
    assert_eq!(st.failed, 4, "{st}");
    assert_eq!(st.written, 10, "{st}");
    // Politeness: no host saw two requests closer than its delay.
    assert_spacing(&site.a, Duration::from_millis(DELAY_MS), "host A");
    assert_spacing(
        &site.b,
        Duration::from_millis(B_CRAWL_DELAY_MS),
        "host B (Crawl-delay)",
    );
    assert!(
        site.a
            .log()
            .iter()
            .all(|h| h.user_agent.contains("+https://example.org/gleaner-tests"))
    );

    // Second pass: a2 changed, the rest did not.
    site.a.clear_log();
    site.b.clear_log();
    let mut a2 = b"<html><body><h1>Story a2</h1><p>Updated paragraph of article a2, second edition.</p><p>Second paragraph of the story, long enough.</p></body></html>".to_vec();
    a2.push(b' ');
    let mut r = Route::typed("text/html; charset=windows-1252", a2);
    r.etag = Some("\"a2v2\"".into());
    site.a.set("/news/2026/01/a2", r);
    let st2 = run_pass(&job, dir.path());
    let out2 = txt_output(&dir.path().join("out"));
    assert_eq!(st2.written, 1, "{st2}");
    assert_eq!(out2.len(), 10);
    assert_eq!(count_containing(&out2, "second edition"), 1);
    assert_eq!(
        count_containing(&out2, "café crème"),
        0,
        "a2 rewritten in place"
    );
    // Every article answered 304 except the changed one (and failures retried).
    let log: Vec<_> = site.a.log().into_iter().chain(site.b.log()).collect();
    let full: Vec<&str> = log
        .iter()
        // big and slow failed on pass 1 and are tried again.
        .filter(|h| h.path.starts_with("/news/") && h.status == 200)
        .filter(|h| !h.path.ends_with("/big") && !h.path.ends_with("/slow"))
        .map(|h| h.path.as_str())
        .collect();
    assert_eq!(full, ["/news/2026/01/a2"], "{full:?}");
    assert!(st2.not_modified >= 12, "{st2}");
    assert_spacing(&site.a, Duration::from_millis(DELAY_MS), "host A, pass 2");
    assert_spacing(
        &site.b,
        Duration::from_millis(B_CRAWL_DELAY_MS),
        "host B, pass 2",
    );
}

#[test]
fn robots_txt_is_cached_across_passes_until_its_ttl_and_failures_are_not() {
    let rules = "User-agent: *\nDisallow: /private/\n";
    // Cached (no Cache-Control: the 24 h default).
    let cached = small_site(Route::typed("text/plain", rules));
    // `max-age=0`: read again on every pass (but once per pass).
    let mut r = Route::typed("text/plain", rules);
    r.headers.push(("cache-control".into(), "max-age=0".into()));
    let short = small_site(r);
    // 503 on the first pass (both attempts): host skipped, and not cached.
    let failing = small_site(Route {
        fail_first: 2,
        fail_status: 503,
        ..Route::typed("text/plain", rules)
    });
    let dir = tempfile::tempdir().unwrap();
    let job = small_job(&[&cached, &short, &failing], dir.path(), "out", "txt");
    let st = run_passes(&job, dir.path(), 2);
    assert_eq!(cached.hits("/robots.txt"), 1, "read again within its TTL");
    assert_eq!(short.hits("/robots.txt"), 2, "max-age=0 not honoured");
    assert_eq!(
        failing.hits("/robots.txt"),
        3,
        "a failed robots.txt was cached"
    );
    // Every page of the first two hosts was visited on both passes; the failing host's
    // article only on the second, once its robots.txt could be read.
    for s in [&cached, &short] {
        assert_eq!(s.hits("/"), 2);
        assert_eq!(s.hits("/news/x"), 2);
    }
    assert_eq!(failing.hits("/"), 1);
    assert_eq!(failing.hits("/news/x"), 1);
    assert_eq!(st[0].written, 2, "{}", st[0]);
    assert_eq!(st[1].written, 1, "{}", st[1]);
    // A new crawler (a new process: `--once` from cron) reads it again.
    run_passes(&job, dir.path(), 1);
    assert_eq!(cached.hits("/robots.txt"), 2);
}

#[test]
fn sitemap_lastmod_not_newer_than_the_last_fetch_skips_the_page() {
    // The sitemap is on host `b`, its articles on host `a`: on later passes the
    // articles (due from the state) are dispatched before the sitemap is read.
    let a = Server::start();
    let b = Server::start();
    for id in ["x", "y"] {
        a.set(
            &format!("/news/{id}"),
            Route::html(&article(
                &format!("Story {id}"),
                &format!("Distinctive paragraph of story {id}."),
                &[],
            )),
        );
    }
    let sitemap = |lastmod_x: &str| {
        Route::typed(
            "application/xml",
            format!(
                "<urlset><url><loc>{}</loc><lastmod>{lastmod_x}</lastmod></url>\
                 <url><loc>{}</loc></url></urlset>",
                a.url("/news/x"),
                a.url("/news/y")
            ),
        )
    };
    b.set("/sitemap.xml", sitemap("2020-01-01T00:00:00+00:00"));
    let dir = tempfile::tempdir().unwrap();
    let job = format!(
        "start = [\"{}\"]\n[scope]\narticles = ['/news/']\n[politeness]\ndelay = \"20ms\"\n[output]\npath = \"{}\"\n[state]\ndb = \"{}\"\n",
        b.url("/sitemap.xml"),
        dir.path().join("out").display(),
        dir.path().join("state.sqlite").display()
    );
    let st = run_passes(&job, dir.path(), 2);
    assert_eq!(st[0].written, 2, "{}", st[0]);
    // Pass 2: lastmod (2020) is older than the first fetch: x not requested at all;
    // y has no lastmod and gets its conditional GET.
    assert_eq!(
        a.hits("/news/x"),
        1,
        "x fetched although its lastmod is unchanged"
    );
    assert_eq!(a.hits("/news/y"), 2);
    assert_eq!(st[1].lastmod_skipped, 1, "{}", st[1]);
    assert_eq!(st[1].not_modified, 1, "{}", st[1]);
    // The article changes a second later and the sitemap says so: fetched again (a
    // conditional GET, so a 304 here). x is held back at the start of the pass (the
    // stored lastmod is old) and released once the sitemap is read.
    std::thread::sleep(Duration::from_millis(1100));
    let changed = gleaner::fetch::client::now_rfc3339();
    b.set("/sitemap.xml", sitemap(&changed));
    let st = run_passes(&job, dir.path(), 1);
    assert_eq!(
        a.hits("/news/x"),
        2,
        "x not fetched although its lastmod is newer"
    );
    assert_eq!(st[0].lastmod_skipped, 0, "{}", st[0]);
    // The pass after, same lastmod: it is older than that fetch, skipped again.
    run_passes(&job, dir.path(), 1);
    assert_eq!(a.hits("/news/x"), 2, "lastmod {changed}");
    assert_eq!(a.hits("/news/y"), 4);
}

/// The lines of a JSONL file, decompressed by its extension.
fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    use std::io::Read;
    let raw = std::fs::read(path).unwrap();
    let name = path.to_string_lossy();
    let text = if name.ends_with(".zst") {
        String::from_utf8(zstd::decode_all(&raw[..]).expect("zstd output decodes")).unwrap()
    } else if name.ends_with(".gz") {
        let mut s = String::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_string(&mut s)
            .expect("gzip output decodes");
        s
    } else {
        String::from_utf8(raw).unwrap()
    };
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn compressed_jsonl_output_zst_and_gz_appends_and_survives_an_interrupted_write() {
    for out in ["out.jsonl.zst", "out.jsonl.gz"] {
        let a = small_site(Route::status(404));
        let b = small_site(Route::status(404));
        let dir = tempfile::tempdir().unwrap();
        let job = small_job(&[&a, &b], dir.path(), out, "jsonl");
        let path = dir.path().join(out);
        run_pass(&job, dir.path());
        let first = read_jsonl(&path);
        assert_eq!(first.len(), 2, "{out}: {first:?}");
        let magic: &[u8] = if out.ends_with(".zst") {
            &[0x28, 0xb5, 0x2f, 0xfd]
        } else {
            &[0x1f, 0x8b]
        };
        assert!(std::fs::read(&path).unwrap().starts_with(magic), "{out}");
        // A changed article is appended again, with the same id.
        a.set(
            "/news/x",
            Route::html(&article("X", "Second edition of the story on a.", &[])),
        );
        run_pass(&job, dir.path());
        let second = read_jsonl(&path);
        assert_eq!(second.len(), 3, "{out}");
        assert_eq!(
            second[2]["id"],
            first
                .iter()
                .find(|v| v["url"].as_str().unwrap().contains(&a.port.to_string()))
                .unwrap()["id"]
        );
        assert!(
            second[2]["text"]
                .as_str()
                .unwrap()
                .contains("Second edition")
        );
        // Bytes written after the last commit (a killed run) are cut off on the next run.
        let committed = std::fs::metadata(&path).unwrap().len();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(&magic.repeat(3))
            .unwrap();
        run_pass(&job, dir.path());
        assert_eq!(std::fs::metadata(&path).unwrap().len(), committed, "{out}");
        assert_eq!(read_jsonl(&path), second, "{out}");
    }
}

#[test]
fn jsonl_output_appends_across_passes_and_warc_archives_responses() {
    let site = fixture();
    let dir = tempfile::tempdir().unwrap();
    let job = job_text(&site, dir.path(), "jsonl", "out.jsonl").replace(
        "[state]",
        &format!("warc = \"{}\"\n[state]", dir.path().join("warc").display()),
    );
    run_pass(&job, dir.path());
    let lines = std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 10);
    for l in lines.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["id"].as_str().unwrap().len(), 16);
        assert!(v["url"].as_str().unwrap().starts_with("http://127.0.0.1:"));
    }
    run_pass(&job, dir.path());
    let again = std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
    assert_eq!(again, lines, "nothing changed, nothing appended");
    let warcs: Vec<_> = std::fs::read_dir(dir.path().join("warc"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(warcs.len(), 2);
    let mut all = Vec::new();
    use std::io::Read;
    for w in &warcs {
        flate2::read::MultiGzDecoder::new(std::fs::File::open(w).unwrap())
            .read_to_end(&mut all)
            .unwrap();
    }
    let all = String::from_utf8_lossy(&all);
    assert!(all.contains("WARC-Type: response"));
    assert!(all.contains("Distinctive paragraph of article b1 in the fixture"));
}

#[test]
fn crawl_command_exit_codes_and_job_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "start = ['http://127.0.0.1:1/']\n[output]\npath = 'o'\nformat = 'xml'\n",
    )
    .unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_gleaner"))
        .args(["crawl", bad.to_str().unwrap(), "--once"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("output.format"),
        "{err}"
    );
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_gleaner"))
        .args(["crawl", "/no/such/job.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    // A clean crawl exits 0 and --stats prints the counts.
    let s = Server::start();
    s.set("/", Route::html(&article("Home", "Home.", &["/news/x"])));
    s.set(
        "/news/x",
        Route::html(&article("X", "Distinctive x paragraph.", &[])),
    );
    let job = dir.path().join("ok.toml");
    std::fs::write(
        &job,
        format!(
            "start = ['{}']\n[scope]\narticles = ['/news/']\n[politeness]\ndelay = '20ms'\n[output]\npath = 'out'\n[state]\ndb = 'st.sqlite'\n",
            s.url("/")
        ),
    )
    .unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_gleaner"))
        .args(["crawl", job.to_str().unwrap(), "--once", "--stats"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("written 1"), "{err}");
    assert_eq!(
        std::fs::read_dir(dir.path().join("out")).unwrap().count(),
        1
    );
}

/// Starts `gleaner crawl JOB --every 1s --stats -q`; its stderr lines arrive on the
/// returned channel.
fn spawn_every(job: &Path) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gleaner"))
        .args([
            "crawl",
            job.to_str().unwrap(),
            "--every",
            "1s",
            "--stats",
            "-q",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let err = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for l in std::io::BufReader::new(err).lines() {
            if tx.send(l.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

/// Sends `sig` (e.g. "TERM") to `child` with the kill(1) command.
fn signal(child: &std::process::Child, sig: &str) {
    let st = std::process::Command::new("kill")
        .args([&format!("-{sig}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success(), "kill -{sig} failed");
}

/// Waits for `child` to exit, at most `limit`; returns its status and the time taken.
fn wait_exit(
    child: &mut std::process::Child,
    limit: Duration,
) -> (std::process::ExitStatus, Duration) {
    let t = std::time::Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return (st, t.elapsed());
        }
        if t.elapsed() > limit {
            let _ = child.kill();
            panic!("did not exit within {limit:?} of the signal");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn every_runs_passes_until_sigterm_then_exits_0_with_state_committed() {
    let s = small_site(Route::status(404));
    let dir = tempfile::tempdir().unwrap();
    let job = dir.path().join("job.toml");
    std::fs::write(&job, small_job(&[&s], dir.path(), "out", "txt")).unwrap();
    let (mut child, lines) = spawn_every(&job);
    // Two passes (each prints its counts with --stats).
    let mut passes = Vec::new();
    while passes.len() < 2 {
        let l = lines
            .recv_timeout(Duration::from_secs(20))
            .expect("no pass counts on stderr");
        if l.starts_with("visited ") {
            passes.push(l);
        }
    }
    assert!(passes[0].contains("written 1"), "{passes:?}");
    assert!(passes[1].contains("written 0"), "{passes:?}");
    assert!(passes[1].contains("not-modified 2"), "{passes:?}");
    signal(&child, "TERM");
    // Between passes it sleeps in 200 ms steps: it must notice within one.
    let (st, took) = wait_exit(&mut child, Duration::from_secs(3));
    eprintln!("exit {took:?} after the signal");
    assert_eq!(st.code(), Some(0), "{st:?}");
    assert!(took < Duration::from_secs(1), "took {took:?} to exit");
    let rest: Vec<String> = lines.iter().collect();
    assert!(rest.iter().any(|l| l.contains("stopping")), "{rest:?}");
    assert!(
        !rest.iter().any(|l| l.starts_with("visited ")),
        "a third pass ran: {rest:?}"
    );
    // One article, written once; two visits of each page; all committed.
    assert_eq!(txt_output(&dir.path().join("out")).len(), 1);
    assert_eq!(s.hits("/"), 2);
    assert_eq!(s.hits("/news/x"), 2);
    let store = gleaner::store::Store::open(&dir.path().join("state.sqlite")).unwrap();
    let summary = store.summary().unwrap();
    assert_eq!(
        summary,
        // Both pages' second visits (304s) committed; nothing pending.
        vec![("unchanged".to_string(), 2)],
        "{summary:?}"
    );
}

#[test]
fn sigint_mid_pass_finishes_the_page_in_flight_and_exits_0() {
    let s = small_site(Route::status(404));
    // The article takes 800 ms to answer: the signal arrives while it is in flight.
    s.set(
        "/news/x",
        Route {
            delay: Duration::from_millis(800),
            ..Route::html(&article(
                "X",
                "Distinctive paragraph of the slow article.",
                &[],
            ))
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let job = dir.path().join("job.toml");
    std::fs::write(&job, small_job(&[&s], dir.path(), "out", "txt")).unwrap();
    let (mut child, lines) = spawn_every(&job);
    let t = std::time::Instant::now();
    while s.hits("/news/x") == 0 {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "article never requested"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    signal(&child, "INT");
    let (st, took) = wait_exit(&mut child, Duration::from_secs(5));
    eprintln!("exit {took:?} after the signal");
    assert_eq!(st.code(), Some(0), "{st:?}");
    assert!(took < Duration::from_secs(2), "took {took:?} to exit");
    let rest: Vec<String> = lines.iter().collect();
    let passes: Vec<&String> = rest.iter().filter(|l| l.starts_with("visited ")).collect();
    assert_eq!(passes.len(), 1, "{rest:?}");
    assert!(passes[0].contains("written 1"), "{rest:?}");
    // The page in flight was finished, written and committed.
    let out = txt_output(&dir.path().join("out"));
    assert_eq!(count_containing(&out, "slow article"), 1, "{out:?}");
    let store = gleaner::store::Store::open(&dir.path().join("state.sqlite")).unwrap();
    assert!(
        store
            .summary()
            .unwrap()
            .contains(&("written".to_string(), 1)),
        "{:?}",
        store.summary()
    );
}

/// A generated site: `/` lists `/a/0` … `/a/{n-1}` (one page per article, with a
/// distinctive paragraph naming its host and number), optionally via a sitemap.
fn generated_site(n: usize) -> Server {
    let s = Server::start();
    let port = s.port;
    s.set_generator(std::sync::Arc::new(move |path: &str| {
        if path == "/" {
            let links: Vec<String> = (0..n).map(|i| format!("/a/{i}")).collect();
            let refs: Vec<&str> = links.iter().map(String::as_str).collect();
            return Some(Route::html(&article("Home", "Generated home.", &refs)));
        }
        if path == "/sitemap.xml" {
            let body: String = (0..n)
                .map(|i| format!("<url><loc>http://127.0.0.1:{port}/a/{i}</loc></url>"))
                .collect();
            return Some(Route::typed("application/xml", format!("<urlset>{body}</urlset>")));
        }
        let i: usize = path.strip_prefix("/a/")?.parse().ok()?;
        (i < n).then(|| {
            Route::html(&article(
                &format!("Generated story {i} on {port}"),
                &format!("Distinctive generated paragraph {i} of host {port}, with enough words to be a paragraph."),
                &["/"],
            ))
        })
    }));
    s
}

fn generated_job(
    hosts: &[Server],
    start: &str,
    dir: &Path,
    delay_ms: u64,
    format: &str,
    out: &str,
) -> String {
    let starts: Vec<String> = hosts
        .iter()
        .map(|h| format!("\"{}\"", h.url(start)))
        .collect();
    format!(
        "start = [{}]\n[scope]\narticles = ['/a/\\d+$']\nmax_depth = 1\n[politeness]\ndelay = \"{delay_ms}ms\"\nconcurrency = 64\n[output]\npath = \"{}\"\nformat = \"{format}\"\n[state]\ndb = \"{}\"\n",
        starts.join(", "),
        dir.join(out).display(),
        dir.join("state.sqlite").display()
    )
}

fn count_output(path: &Path, jsonl: bool) -> usize {
    if jsonl {
        std::fs::read_to_string(path)
            .map(|t| t.lines().count())
            .unwrap_or(0)
    } else {
        std::fs::read_dir(path)
            .map(|d| {
                d.filter(|e| {
                    e.as_ref()
                        .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "txt"))
                })
                .count()
            })
            .unwrap_or(0)
    }
}

/// Runs the binary on `job`; with `kill_at`, SIGKILLs it once the output holds that
/// many articles. Returns true when it was killed.
fn run_binary(job: &Path, out: &Path, jsonl: bool, kill_at: Option<usize>) -> bool {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gleaner"))
        .args(["crawl", job.to_str().unwrap(), "--once", "-q"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            assert!(st.success(), "crawl failed: {st:?}");
            return false;
        }
        if let Some(k) = kill_at
            && count_output(out, jsonl) >= k
        {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            return true;
        }
        assert!(std::time::Instant::now() < deadline, "crawl did not finish");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn jsonl_lines(path: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    v.sort();
    v
}

#[test]
fn sigkill_mid_crawl_then_rerun_ends_with_the_same_output() {
    const N: usize = 40;
    let hosts: Vec<Server> = (0..3).map(|_| generated_site(N)).collect();
    for (format, out) in [("txt", "out"), ("jsonl", "out.jsonl")] {
        let jsonl = format == "jsonl";
        // The reference: one uninterrupted run.
        let reference = tempfile::tempdir().unwrap();
        let job = reference.path().join("job.toml");
        std::fs::write(
            &job,
            generated_job(&hosts, "/", reference.path(), 8, format, out),
        )
        .unwrap();
        assert!(!run_binary(&job, &reference.path().join(out), jsonl, None));
        // Killed twice (a third and two thirds of the way), then run to the end.
        let killed = tempfile::tempdir().unwrap();
        let job = killed.path().join("job.toml");
        std::fs::write(
            &job,
            generated_job(&hosts, "/", killed.path(), 8, format, out),
        )
        .unwrap();
        let out_k = killed.path().join(out);
        assert!(
            run_binary(&job, &out_k, jsonl, Some(N)),
            "first kill came too late"
        );
        let after_first = count_output(&out_k, jsonl);
        assert!(after_first < 3 * N, "nothing left to do after the kill");
        run_binary(&job, &out_k, jsonl, Some(2 * N));
        assert!(!run_binary(&job, &out_k, jsonl, None));
        if jsonl {
            let a = jsonl_lines(&reference.path().join(out));
            let b = jsonl_lines(&out_k);
            assert_eq!(a.len(), 3 * N);
            assert_eq!(a, b, "jsonl output differs after kills");
        } else {
            let a = txt_output(&reference.path().join(out));
            let b = txt_output(&out_k);
            assert_eq!(a.len(), 3 * N);
            assert_eq!(a, b, "txt output differs after kills");
        }
    }
}

/// Requests per second over the pass against the ideal h/d, from the servers' logs.
fn throughput(hosts: usize, per_host: usize, delay_ms: u64) -> (f64, f64, PassStats) {
    let servers: Vec<Server> = (0..hosts).map(|_| generated_site(per_host)).collect();
    let dir = tempfile::tempdir().unwrap();
    let job = generated_job(&servers, "/sitemap.xml", dir.path(), delay_ms, "txt", "out");
    let st = run_pass(&job, dir.path());
    assert_eq!(st.written as usize, hosts * per_host, "{st}");
    let mut first = None::<std::time::Instant>;
    let mut last = None::<std::time::Instant>;
    let mut requests = 0;
    for s in &servers {
        let log = s.log();
        requests += log.len() - 1; // gaps, not requests: the first one needs no wait
        for h in log {
            first = Some(first.map_or(h.at, |f| f.min(h.at)));
            last = Some(last.map_or(h.at, |l| l.max(h.at)));
        }
        assert_spacing(s, Duration::from_millis(delay_ms), "generated host");
    }
    let span = (last.unwrap() - first.unwrap()).as_secs_f64();
    let rate = requests as f64 / span;
    let ideal = hosts as f64 * 1000.0 / delay_ms as f64;
    (rate, ideal, st)
}

#[test]
fn throughput_reaches_95_percent_of_hosts_over_delay() {
    let (rate, ideal, st) = throughput(4, 15, 100);
    eprintln!(
        "throughput: {rate:.1} req/s of ideal {ideal:.1} ({:.1}%) — {st}",
        100.0 * rate / ideal
    );
    assert!(rate >= 0.95 * ideal, "{rate:.1} req/s < 95% of {ideal:.1}");
}

/// `cargo test --release --test crawl -- --ignored --nocapture bench` prints the figures
/// quoted in the README: throughput at larger scale and peak memory as the crawl grows.
#[test]
#[ignore]
fn bench_throughput_and_memory() {
    for (h, n, d) in [(8, 100, 20), (16, 100, 50)] {
        let (rate, ideal, st) = throughput(h, n, d);
        eprintln!(
            "hosts {h} pages/host {n} delay {d}ms: {rate:.1} req/s of ideal {ideal:.1} ({:.1}%) — {st}",
            100.0 * rate / ideal
        );
    }
    for n in [500, 2000, 8000] {
        let hosts: Vec<Server> = (0..4).map(|_| generated_site(n / 4)).collect();
        let dir = tempfile::tempdir().unwrap();
        let job = dir.path().join("job.toml");
        std::fs::write(
            &job,
            generated_job(&hosts, "/sitemap.xml", dir.path(), 1, "jsonl", "o.jsonl"),
        )
        .unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gleaner"))
            .args(["crawl", job.to_str().unwrap(), "--once", "-q"])
            .spawn()
            .unwrap();
        let status = format!("/proc/{}/status", child.id());
        let mut peak = 0u64;
        let t = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if let Ok(s) = std::fs::read_to_string(&status)
                && let Some(l) = s.lines().find(|l| l.starts_with("VmHWM:"))
            {
                peak = peak.max(l.split_whitespace().nth(1).unwrap().parse().unwrap());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        eprintln!(
            "pages {n}: peak RSS {:.1} MB, {:.1} s, {} lines",
            peak as f64 / 1024.0,
            t.elapsed().as_secs_f64(),
            count_output(&dir.path().join("o.jsonl"), true)
        );
    }
}
