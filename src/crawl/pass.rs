//! One crawl pass: visit every start point and every known URL that is due, follow
//! what they reveal, write new or changed articles, commit each visit to the store.
//!
//! The main task owns the store and the output; fetching and cleaning run in spawned
//! tasks, dispatched host by host so that a slow or delayed host never holds the
//! others back (each host has at most `per_host` visits in flight).

use super::discover::{self, Doc, PageLinks};
use super::job::Job;
use crate::Article;
use crate::fetch::urlnorm::{self, host_key, site_of};
use crate::fetch::{FetchError, Fetcher, Validators};
use crate::input::Page;
use crate::pipeline::{self, CleanOptions};
use crate::store::{Outcome, Role, Store, Visit};
use crate::warc::writer::{ResponseRecord, WarcWriter};
use crate::writer::{self, JsonlFileSink, Sink, TxtDir};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::fs;
use std::hash::{Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use url::Url;

/// Counts of one pass (for the progress line and `--stats`).
#[derive(Debug, Clone, Default)]
pub struct PassStats {
    /// URLs visited (fetched, 304, or failed).
    pub visited: u64,
    /// HTTP requests made (retries, redirects and robots.txt not included).
    pub requests: u64,
    /// Answers 304 Not Modified.
    pub not_modified: u64,
    /// Pages not fetched: their sitemap `<lastmod>` is not newer than their last fetch.
    pub lastmod_skipped: u64,
    /// Articles written.
    pub written: u64,
    /// Articles unchanged, duplicates, non-articles, robots-disallowed, and pages not
    /// fetched because of their sitemap `<lastmod>`.
    pub skipped: u64,
    /// Fetches that failed.
    pub failed: u64,
    /// Body bytes received.
    pub bytes: u64,
    /// Wall time.
    pub elapsed: Duration,
}

impl fmt::Display for PassStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "visited {}  written {}  not-modified {}  lastmod-unchanged {}  skipped {}  failed {}  MB {:.1}  seconds {:.2}  pages/s {:.1}",
            self.visited,
            self.written,
            self.not_modified,
            self.lastmod_skipped,
            self.skipped,
            self.failed,
            self.bytes as f64 / 1e6,
            self.elapsed.as_secs_f64(),
            self.visited as f64 / self.elapsed.as_secs_f64().max(1e-9)
        )
    }
}

/// A URL waiting for a visit.
#[derive(Debug, Clone)]
struct Item {
    url: Url,
    role: Role,
    depth: u32,
}

/// What a visit brought back to the main task.
struct Done {
    item: Item,
    result: Result<Fetched, FetchError>,
    robots_sitemaps: Vec<String>,
}

struct Fetched {
    status: u16,
    final_url: Url,
    validators: Validators,
    requests: u32,
    bytes: u64,
    /// Headers, body and date for the WARC archive.
    raw: Option<Raw>,
    content: Content,
}

/// Headers, body and date of a response, kept for the WARC archive.
type Raw = (Vec<(String, String)>, Vec<u8>, String);

/// What kind of document a response held, and what was found in it.
enum Content {
    NotModified,
    Entries(Vec<String>),
    Urls(Vec<discover::SitemapUrl>),
    Sitemaps(Vec<String>),
    Html {
        links: PageLinks,
        article: Option<Box<Result<(Article, String), String>>>,
    },
    NotHtml(String),
}

/// What the visiting tasks need to know of the job.
struct Ctx {
    articles: Vec<regex::Regex>,
    robots_sitemaps: bool,
    warc: bool,
}

impl Ctx {
    /// True when a page at `url` counts as an article.
    fn is_article(&self, url: &Url) -> bool {
        self.articles.is_empty() || self.articles.iter().any(|r| r.is_match(url.as_str()))
    }
}

/// Where articles go.
enum Output {
    Txt(TxtDir),
    /// A JSONL file, compressed by its extension (`.gz`, `.zst`) as by `gleaner clean`:
    /// each article is one gzip member or zstd frame, so the file is whole after every
    /// write and can be cut back to any committed length.
    Jsonl {
        path: PathBuf,
        /// The store's key for the committed length.
        key: String,
        /// Length after the last write.
        len: u64,
    },
}

/// A crawl job with its store and output open.
pub struct Crawler {
    job: Job,
    store: Store,
    output: Output,
    warc: Option<WarcWriter>,
    sites: HashSet<String>,
    /// Kept across passes, so robots.txt is cached (up to its TTL) and politeness
    /// carries over from one pass to the next.
    fetcher: Option<Arc<Fetcher>>,
    /// Print one line per failed page on stderr.
    pub report_failures: bool,
}

impl Crawler {
    /// Opens the job's state, output and (with `warc`, or the job's `output.warc`) archive.
    pub fn open(job: Job, warc: Option<&Path>) -> Result<Crawler, String> {
        let store = Store::open(&job.db)?;
        let output = if job.jsonl {
            open_jsonl(&job.output, &store)?
        } else {
            Output::Txt(
                TxtDir::open(&job.output)
                    .map_err(|e| format!("output {}: {e}", job.output.display()))?,
            )
        };
        let warc_dir = warc.map(Path::to_path_buf).or_else(|| job.warc.clone());
        let warc = match warc_dir {
            Some(d) => Some(WarcWriter::create(&d).map_err(|e| format!("WARC archive: {e}"))?),
            None => None,
        };
        let mut sites = HashSet::new();
        for s in job.file.start.iter().chain(&job.file.scope.hosts) {
            let host = urlnorm::normalize(s)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| s.to_ascii_lowercase());
            sites.insert(site_of(&host).to_string());
        }
        Ok(Crawler {
            job,
            store,
            output,
            warc,
            sites,
            fetcher: None,
            report_failures: true,
        })
    }

    /// True when `u` may be crawled: not denied, and on the job's sites when `same_site`.
    fn in_scope(&self, u: &Url) -> bool {
        if self.job.deny.iter().any(|r| r.is_match(u.as_str())) {
            return false;
        }
        !self.job.file.scope.same_site
            || u.host_str()
                .is_some_and(|h| self.sites.contains(site_of(h)))
    }

    /// Runs one pass. `progress` sees the counts after every visit. Setting `stop`
    /// ends the pass early: no new visits start, those in flight are finished and
    /// committed. `Err` is for state or output errors (the pass cannot go on).
    pub async fn run_pass(
        &mut self,
        stop: &AtomicBool,
        mut progress: impl FnMut(&PassStats),
    ) -> Result<PassStats, String> {
        let start = Instant::now();
        let mut stats = PassStats::default();
        let db = self.job.db.display().to_string();
        let dberr = |e: rusqlite::Error| format!("state database {db}: {e}");
        let starts: Vec<(String, Role, u32)> = self
            .job
            .file
            .start
            .iter()
            .filter_map(|s| urlnorm::normalize(s).ok())
            .map(|u| (u.to_string(), Role::Start, 0))
            .collect();
        self.store.add(&starts).map_err(dberr)?;
        let fetcher = match &self.fetcher {
            Some(f) => f.clone(),
            None => {
                let f = Arc::new(Fetcher::new(self.job.fetch_config())?);
                self.fetcher = Some(f.clone());
                f
            }
        };
        fetcher.begin_pass();
        let ctx = Arc::new(Ctx {
            articles: self.job.articles.clone(),
            robots_sitemaps: self.job.file.scope.robots_sitemaps && self.job.file.politeness.robots,
            warc: self.warc.is_some(),
        });
        let per_host = self.job.file.politeness.per_host.max(1);
        let concurrency = self.job.file.politeness.concurrency.max(1);

        let mut seen: HashSet<u64> = HashSet::new();
        let mut queues: HashMap<String, VecDeque<Item>> = HashMap::new();
        let mut hosts: Vec<String> = Vec::new();
        let mut in_flight: HashMap<String, usize> = HashMap::new();
        let enqueue = |item: Item,
                       seen: &mut HashSet<u64>,
                       queues: &mut HashMap<String, VecDeque<Item>>,
                       hosts: &mut Vec<String>| {
            if !seen.insert(url_hash(item.url.as_str())) {
                return;
            }
            let key = host_key(&item.url);
            let q = queues.entry(key.clone()).or_insert_with(|| {
                hosts.push(key);
                VecDeque::new()
            });
            q.push_back(item);
        };
        let due = self
            .store
            .due(
                self.job.file.state.revisit.as_secs(),
                self.job.file.state.max_failures,
            )
            .map_err(dberr)?;
        for k in due {
            if let Ok(url) = Url::parse(&k.url) {
                let item = Item {
                    url,
                    role: k.role,
                    depth: k.depth,
                };
                enqueue(item, &mut seen, &mut queues, &mut hosts);
            }
        }

        let mut held: HashMap<u64, Item> = HashMap::new();
        let mut tasks: JoinSet<Done> = JoinSet::new();
        let mut next_host = 0usize;
        loop {
            // Dispatch: round-robin over hosts with work and a free slot.
            if !stop.load(Ordering::Relaxed) {
                let mut idle_rounds = 0;
                while tasks.len() < concurrency && idle_rounds < hosts.len() {
                    let h = &hosts[next_host % hosts.len()];
                    next_host = next_host.wrapping_add(1);
                    let busy = in_flight.get(h).copied().unwrap_or(0);
                    let Some(item) = (busy < per_host)
                        .then(|| queues.get_mut(h).and_then(VecDeque::pop_front))
                        .flatten()
                    else {
                        idle_rounds += 1;
                        continue;
                    };
                    idle_rounds = 0;
                    // Unchanged by its sitemap's lastmod (as known so far): held back, and
                    // released if a sitemap read later in this pass says it changed.
                    if item.role == Role::Page
                        && self
                            .store
                            .unchanged_since_fetch(item.url.as_str())
                            .map_err(dberr)?
                    {
                        held.insert(url_hash(item.url.as_str()), item);
                        continue;
                    }
                    *in_flight.entry(h.clone()).or_insert(0) += 1;
                    let validators = self.store.validators(item.url.as_str()).map_err(dberr)?;
                    tasks.spawn(visit(fetcher.clone(), ctx.clone(), item, validators));
                }
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            let done = match joined {
                Ok(d) => d,
                Err(e) => {
                    // A panic in a visit is a bug; count it and go on with the others.
                    tracing::error!("a page visit panicked: {e}");
                    stats.failed += 1;
                    continue;
                }
            };
            let key = host_key(&done.item.url);
            if let Some(n) = in_flight.get_mut(&key) {
                *n = n.saturating_sub(1);
            }
            let found = self.settle(done, &mut stats)?;
            for (u, role, depth) in found {
                if let Some(item) = held.remove(&url_hash(&u)) {
                    if self.store.unchanged_since_fetch(&u).map_err(dberr)? {
                        held.insert(url_hash(&u), item);
                    } else {
                        queues
                            .entry(host_key(&item.url))
                            .or_default()
                            .push_back(item);
                    }
                    continue;
                }
                if let Ok(url) = Url::parse(&u) {
                    enqueue(
                        Item { url, role, depth },
                        &mut seen,
                        &mut queues,
                        &mut hosts,
                    );
                }
            }
            stats.elapsed = start.elapsed();
            progress(&stats);
        }
        stats.lastmod_skipped = held.len() as u64;
        stats.skipped += stats.lastmod_skipped;
        stats.elapsed = start.elapsed();
        Ok(stats)
    }

    /// Handles one finished visit: archive, write, commit. Returns the new URLs to visit.
    fn settle(
        &mut self,
        done: Done,
        stats: &mut PassStats,
    ) -> Result<Vec<(String, Role, u32)>, String> {
        let db = self.job.db.display().to_string();
        let dberr = |e: rusqlite::Error| format!("state database {db}: {e}");
        let item = done.item;
        let url = item.url.as_str().to_string();
        stats.visited += 1;
        let mut found: Vec<(String, Role, u32)> = Vec::new();
        for s in done.robots_sitemaps {
            if let Ok(u) = urlnorm::normalize(&s)
                && self.in_scope(&u)
            {
                found.push((u.to_string(), Role::Feed, 0));
            }
        }
        let f = match done.result {
            Err(e) => {
                let outcome = if matches!(e, FetchError::Robots(_)) {
                    stats.skipped += 1;
                    Outcome::Robots
                } else {
                    stats.failed += 1;
                    if self.report_failures {
                        eprintln!("gleaner: {e}");
                    }
                    Outcome::Failed
                };
                tracing::info!(url = %url, outcome = outcome.as_str(), "{e}");
                let status = match e {
                    FetchError::Status(_, s) => s,
                    _ => 0,
                };
                let msg = e.to_string();
                self.store
                    .commit(&Visit {
                        url: &url,
                        status,
                        outcome,
                        validators: None,
                        content_hash: None,
                        written: None,
                        error: Some(&msg),
                        found: &found,
                        jsonl_len: None,
                        lastmods: &[],
                    })
                    .map_err(dberr)?;
                return Ok(found);
            }
            Ok(f) => f,
        };
        stats.requests += u64::from(f.requests);
        stats.bytes += f.bytes;
        if let (Some(w), Some((headers, body, date))) = (&mut self.warc, &f.raw) {
            w.write_response(&ResponseRecord {
                url: f.final_url.as_str(),
                date,
                status: f.status,
                headers,
                body,
            })
            .map_err(|e| format!("cannot write WARC archive: {e}"))?;
        }
        let child_depth = item.depth + 1;
        let mut outcome = Outcome::Followed;
        let mut hash = None;
        let mut written = None;
        let mut jsonl_len = None;
        let mut lastmods = Vec::new();
        match f.content {
            Content::NotModified => {
                stats.not_modified += 1;
                stats.skipped += 1;
                outcome = Outcome::Unchanged;
            }
            Content::Entries(entries) => {
                for e in entries {
                    if let Ok(u) = urlnorm::resolve(&f.final_url, &e)
                        && self.in_scope(&u)
                    {
                        found.push((u.to_string(), Role::Page, child_depth));
                    }
                }
            }
            Content::Urls(urls) => {
                for e in urls {
                    if let Ok(u) = urlnorm::resolve(&f.final_url, &e.loc)
                        && self.in_scope(&u)
                    {
                        lastmods.push((u.to_string(), e.lastmod));
                        found.push((u.to_string(), Role::Page, child_depth));
                    }
                }
            }
            Content::Sitemaps(maps) => {
                for e in maps {
                    if let Ok(u) = urlnorm::resolve(&f.final_url, &e)
                        && self.in_scope(&u)
                    {
                        found.push((u.to_string(), Role::Feed, item.depth));
                    }
                }
            }
            Content::NotHtml(why) => {
                stats.skipped += 1;
                outcome = Outcome::NoArticle;
                tracing::info!(url = %url, "{why}");
            }
            Content::Html { links, article } => {
                if item.depth < self.job.file.scope.max_depth {
                    for u in links.links {
                        if self.in_scope(&u) {
                            found.push((u.to_string(), Role::Page, child_depth));
                        }
                    }
                }
                for u in links.feeds {
                    if self.in_scope(&u) {
                        found.push((u.to_string(), Role::Feed, item.depth));
                    }
                }
                match article.map(|a| *a) {
                    None => {}
                    Some(Err(why)) => {
                        stats.skipped += 1;
                        outcome = Outcome::NoArticle;
                        tracing::info!(url = %url, "no article: {why}");
                    }
                    Some(Ok((mut article, h))) => {
                        // The canonical URL names the article when it is on the same site.
                        let key = links
                            .canonical
                            .filter(|c| {
                                c.host_str().map(site_of) == f.final_url.host_str().map(site_of)
                            })
                            .unwrap_or_else(|| f.final_url.clone());
                        let id = writer::article_id(key.as_str());
                        let previous = self.store.content_hash(&url).map_err(dberr)?;
                        let owner = self.store.written_from(&id).map_err(dberr)?;
                        let same_hash = self.store.id_with_hash(&h).map_err(dberr)?;
                        if previous.as_deref() == Some(h.as_str()) && owner.as_deref() == Some(&url)
                        {
                            stats.skipped += 1;
                            outcome = Outcome::Unchanged;
                        } else if owner.as_ref().is_some_and(|o| *o != url)
                            || same_hash.as_ref().is_some_and(|other| *other != id)
                        {
                            stats.skipped += 1;
                            outcome = Outcome::Duplicate;
                            tracing::info!(url = %url, "duplicate of an article already written");
                        } else {
                            article.meta.url = Some(key.to_string());
                            let page = Page {
                                source: url.clone(),
                                url: Some(f.final_url.to_string()),
                                ..Default::default()
                            };
                            jsonl_len = self.write(&page, &id, &article)?;
                            stats.written += 1;
                            outcome = Outcome::Written;
                            written = Some(id);
                        }
                        hash = Some(h);
                    }
                }
            }
        }
        let jsonl_key = match &self.output {
            Output::Jsonl { key, .. } => Some(key.clone()),
            Output::Txt(_) => None,
        };
        self.store
            .commit(&Visit {
                url: &url,
                status: f.status,
                outcome,
                validators: (f.status != 304).then_some(&f.validators),
                content_hash: hash.as_deref(),
                written: written.as_deref().map(|id| (id, url.as_str())),
                error: None,
                found: &found,
                jsonl_len: jsonl_len.and_then(|l| jsonl_key.as_deref().map(|k| (k, l))),
                lastmods: &lastmods,
            })
            .map_err(dberr)?;
        Ok(found)
    }

    /// Writes one article; for JSONL returns the file length after the write.
    fn write(&mut self, page: &Page, id: &str, article: &Article) -> Result<Option<u64>, String> {
        match &mut self.output {
            Output::Txt(dir) => {
                dir.write_id(id, article)
                    .map_err(|e| format!("cannot write output: {e}"))?;
                Ok(None)
            }
            Output::Jsonl { path, len, .. } => {
                let named = |e: io::Error| format!("cannot write output {}: {e}", path.display());
                // The same writer as `gleaner clean`, one member/frame per article.
                let mut sink = JsonlFileSink::create(path, true).map_err(named)?;
                sink.write(page, article).map_err(named)?;
                sink.finish().map_err(named)?;
                *len = fs::metadata(&*path).map_err(named)?.len();
                Ok(Some(*len))
            }
        }
    }

    /// Counts of URLs by last outcome.
    pub fn summary(&self) -> Result<Vec<(String, u64)>, String> {
        self.store.summary().map_err(|e| e.to_string())
    }
}

/// Opens a JSONL output for appending, cut back to the length the store committed:
/// lines past it belong to visits that were not committed and will be redone.
fn open_jsonl(path: &Path, store: &Store) -> Result<Output, String> {
    let named = |e: io::Error| format!("output {}: {e}", path.display());
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(named)?;
    }
    let file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(named)?;
    let key = fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string();
    let actual = file.metadata().map_err(named)?.len();
    let committed: u64 = store
        .meta(&format!("jsonl_len:{key}"))
        .map_err(|e| e.to_string())?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let len = if actual > committed {
        tracing::warn!(
            "{}: dropping {} bytes written after the last commit (an interrupted run); those pages are fetched again",
            path.display(),
            actual - committed
        );
        file.set_len(committed).map_err(named)?;
        committed
    } else {
        actual
    };
    Ok(Output::Jsonl {
        path: path.to_path_buf(),
        key,
        len,
    })
}

fn url_hash(u: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    u.hash(&mut h);
    h.finish()
}

/// Fetches one URL and does the CPU work (sniffing, link extraction, cleaning) off the
/// main task.
async fn visit(fetcher: Arc<Fetcher>, ctx: Arc<Ctx>, item: Item, validators: Validators) -> Done {
    let result = fetcher.fetch(&item.url, &validators).await;
    let robots_sitemaps = if ctx.robots_sitemaps {
        fetcher.robots_for(&item.url).await.sitemaps.clone()
    } else {
        Vec::new()
    };
    let result = match result {
        Ok(resp) => {
            let ctx2 = ctx.clone();
            let item2 = item.clone();
            tokio::task::spawn_blocking(move || examine(resp, &ctx2, &item2))
                .await
                .map_err(|e| {
                    FetchError::Other(item.url.to_string(), format!("internal error: {e}"))
                })
        }
        Err(e) => Err(e),
    };
    Done {
        item,
        result,
        robots_sitemaps,
    }
}

/// Looks at a response: feed, sitemap, or HTML page (links, and the article when the
/// URL counts as one).
fn examine(resp: crate::fetch::Response, ctx: &Ctx, item: &Item) -> Fetched {
    let bytes = resp.body.len() as u64;
    let raw = (ctx.warc && !resp.not_modified())
        .then(|| (resp.headers.clone(), resp.body.clone(), resp.date.clone()));
    let mut f = Fetched {
        status: resp.status,
        final_url: resp.url.clone(),
        validators: resp.validators.clone(),
        requests: resp.requests,
        bytes,
        raw,
        content: Content::NotModified,
    };
    if resp.not_modified() {
        return f;
    }
    f.content = match discover::read_feed_or_sitemap(&resp.body) {
        Doc::Entries(e) => Content::Entries(e),
        Doc::Urls(u) => Content::Urls(u),
        Doc::Sitemaps(s) => Content::Sitemaps(s),
        Doc::Other => {
            let ct = resp
                .content_type
                .clone()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let text = crate::decode::decode(&resp.body, resp.content_type.as_deref()).text;
            if !(ct.contains("html") || pipeline::looks_like_html(&text)) {
                Content::NotHtml(format!(
                    "not HTML ({})",
                    if ct.is_empty() {
                        "no content type"
                    } else {
                        &ct
                    }
                ))
            } else {
                let links = discover::page_links(&text, &resp.url);
                let article = (item.role == Role::Page && ctx.is_article(&resp.url)).then(|| {
                    let page = Page {
                        source: item.url.to_string(),
                        url: Some(resp.url.to_string()),
                        bytes: resp.body,
                        charset: resp.content_type,
                        fetched: Some(resp.date),
                        warc: None,
                    };
                    pipeline::clean_page(&page, &CleanOptions::default())
                        .map(|a| {
                            let h = hex(&Sha256::digest(a.body().as_bytes()));
                            (a, h)
                        })
                        .map_err(|e| e.to_string())
                });
                let article = article.map(Box::new);
                Content::Html { links, article }
            }
        }
    };
    f
}

fn hex(b: &[u8]) -> String {
    use std::fmt::Write as _;
    b.iter()
        .fold(String::with_capacity(b.len() * 2), |mut s, x| {
            let _ = write!(s, "{x:02x}");
            s
        })
}
