//! The job file (TOML): where to start, which URLs count, how politely, where output
//! and state go. Relative paths are relative to the job file's folder. Unknown keys
//! are errors, so a typo never silently changes a crawl.

use crate::fetch::client::{self, FetchConfig};
use regex::Regex;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A parsed job file, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobFile {
    /// Start points: home or section pages, RSS/Atom feeds, sitemaps (kind is sniffed).
    pub start: Vec<String>,
    /// Which URLs are crawled and which count as articles.
    #[serde(default)]
    pub scope: Scope,
    /// Politeness and limits.
    #[serde(default)]
    pub politeness: Politeness,
    /// Output.
    pub output: Output,
    /// State.
    #[serde(default)]
    pub state: State,
}

/// `[scope]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scope {
    /// Regexes (on the full URL) of article pages; empty: every in-scope page that is
    /// not a start point, feed or sitemap.
    pub articles: Vec<String>,
    /// Regexes of URLs never fetched.
    pub deny: Vec<String>,
    /// Only URLs on the start points' sites (and `hosts`).
    pub same_site: bool,
    /// More hosts (or sites) in scope.
    pub hosts: Vec<String>,
    /// Links followed from start pages: 1 = links on the start pages only.
    pub max_depth: u32,
    /// Read sitemaps named by robots.txt `Sitemap:` lines.
    pub robots_sitemaps: bool,
}

impl Default for Scope {
    fn default() -> Self {
        Scope {
            articles: Vec::new(),
            deny: Vec::new(),
            same_site: true,
            hosts: Vec::new(),
            max_depth: 2,
            robots_sitemaps: true,
        }
    }
}

/// `[politeness]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Politeness {
    /// Contact URL (or e-mail) put in the user agent.
    pub contact: String,
    /// Full user agent, overriding the one made from `contact`.
    pub user_agent: Option<String>,
    /// Delay between requests to one host (robots.txt `Crawl-delay` may raise it).
    #[serde(with = "humantime_serde_compat")]
    pub delay: Duration,
    /// Requests in flight per host.
    pub per_host: usize,
    /// Requests in flight overall.
    pub concurrency: usize,
    /// Retries on timeouts, connection errors, 429 and 5xx.
    pub retries: u32,
    /// First retry backoff (doubled each retry).
    #[serde(with = "humantime_serde_compat")]
    pub backoff: Duration,
    /// Longest backoff or `Retry-After` waited for.
    #[serde(with = "humantime_serde_compat")]
    pub max_backoff: Duration,
    /// Whole-request time limit.
    #[serde(with = "humantime_serde_compat")]
    pub timeout: Duration,
    /// Connect time limit.
    #[serde(with = "humantime_serde_compat")]
    pub connect_timeout: Duration,
    /// Longest silence while reading.
    #[serde(with = "humantime_serde_compat")]
    pub read_timeout: Duration,
    /// Largest body in bytes (after decompression).
    pub max_body: u64,
    /// Redirect hops followed.
    pub max_redirects: u32,
    /// Obey robots.txt.
    pub robots: bool,
}

impl Default for Politeness {
    fn default() -> Self {
        let f = FetchConfig::default();
        Politeness {
            contact: client::DEFAULT_CONTACT.to_string(),
            user_agent: None,
            delay: f.delay,
            per_host: f.per_host,
            concurrency: f.concurrency,
            retries: f.retries,
            backoff: f.backoff,
            max_backoff: f.max_backoff,
            timeout: f.timeout,
            connect_timeout: f.connect_timeout,
            read_timeout: f.read_timeout,
            max_body: f.max_body,
            max_redirects: f.max_redirects,
            robots: true,
        }
    }
}

/// `[output]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// A folder (txt) or a file (jsonl; `.jsonl.gz` and `.jsonl.zst` compress).
    pub path: String,
    /// `txt` or `jsonl`.
    #[serde(default = "default_format")]
    pub format: String,
    /// Folder for a WARC archive of every response.
    #[serde(default)]
    pub warc: Option<String>,
}

fn default_format() -> String {
    "txt".into()
}

/// `[state]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct State {
    /// SQLite database file.
    pub db: String,
    /// Known pages are re-checked (conditional GET) when their last fetch is older than this.
    #[serde(with = "humantime_serde_compat")]
    pub revisit: Duration,
    /// Consecutive failures after which a page is no longer retried.
    pub max_failures: u32,
}

impl Default for State {
    fn default() -> Self {
        State {
            db: "gleaner-state.sqlite".into(),
            revisit: Duration::ZERO,
            max_failures: 3,
        }
    }
}

/// Durations as humantime strings ("1s", "250ms", "30m").
mod humantime_serde_compat {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s).map_err(|e| {
            serde::de::Error::custom(format!(
                "{s:?}: {e} (write e.g. \"500ms\", \"2s\", \"30m\")"
            ))
        })
    }
}

/// A job ready to run: patterns compiled, paths resolved.
#[derive(Debug, Clone)]
pub struct Job {
    /// The file as written.
    pub file: JobFile,
    /// Article patterns.
    pub articles: Vec<Regex>,
    /// Deny patterns.
    pub deny: Vec<Regex>,
    /// Output path, resolved.
    pub output: PathBuf,
    /// Jsonl (else txt).
    pub jsonl: bool,
    /// WARC folder, resolved.
    pub warc: Option<PathBuf>,
    /// Database path, resolved.
    pub db: PathBuf,
}

impl Job {
    /// Reads and checks a job file; the error names the file and the problem.
    pub fn load(path: &Path) -> Result<Job, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Job::parse(&text, base).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses job text; relative paths are resolved against `base`.
    pub fn parse(text: &str, base: &Path) -> Result<Job, String> {
        let file: JobFile = toml::from_str(text).map_err(|e| e.to_string())?;
        if file.start.is_empty() {
            return Err("`start` names no start point".into());
        }
        for s in &file.start {
            crate::fetch::normalize(s).map_err(|e| format!("start point {s}: {e}"))?;
        }
        let compile = |what: &str, pats: &[String]| -> Result<Vec<Regex>, String> {
            pats.iter()
                .map(|p| Regex::new(p).map_err(|e| format!("{what} pattern {p:?}: {e}")))
                .collect()
        };
        let articles = compile("scope.articles", &file.scope.articles)?;
        let deny = compile("scope.deny", &file.scope.deny)?;
        let jsonl = match file.output.format.as_str() {
            "txt" => false,
            "jsonl" => true,
            f => {
                return Err(format!(
                    "output.format {f:?}: expected \"txt\" or \"jsonl\""
                ));
            }
        };
        if file.output.path == "-" {
            return Err("output.path: a crawl writes to a folder or file, not stdout".into());
        }
        let resolve = |p: &str| -> PathBuf {
            let p = Path::new(p);
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };
        Ok(Job {
            output: resolve(&file.output.path),
            warc: file.output.warc.as_deref().map(resolve),
            db: resolve(&file.state.db),
            articles,
            deny,
            jsonl,
            file,
        })
    }

    /// The fetcher settings of this job.
    pub fn fetch_config(&self) -> FetchConfig {
        let p = &self.file.politeness;
        FetchConfig {
            user_agent: p
                .user_agent
                .clone()
                .unwrap_or_else(|| client::user_agent(&p.contact)),
            connect_timeout: p.connect_timeout,
            read_timeout: p.read_timeout,
            timeout: p.timeout,
            max_body: p.max_body,
            max_redirects: p.max_redirects,
            retries: p.retries,
            backoff: p.backoff,
            max_backoff: p.max_backoff,
            delay: p.delay,
            per_host: p.per_host,
            concurrency: p.concurrency,
            robots: p.robots,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_job_and_resolves_paths() {
        let j = Job::parse(
            r#"
start = ["https://news.example/", "https://news.example/rss.xml"]
[scope]
articles = ['/\d{4}/']
deny = ['/tag/']
max_depth = 1
[politeness]
delay = "250ms"
contact = "https://me.example/bot"
[output]
path = "out.jsonl"
format = "jsonl"
warc = "warc"
[state]
db = "s.sqlite"
revisit = "6h"
"#,
            Path::new("/jobs"),
        )
        .unwrap();
        assert_eq!(j.output, Path::new("/jobs/out.jsonl"));
        assert_eq!(j.db, Path::new("/jobs/s.sqlite"));
        assert_eq!(j.warc.as_deref(), Some(Path::new("/jobs/warc")));
        assert!(j.jsonl);
        assert_eq!(j.fetch_config().delay, Duration::from_millis(250));
        assert!(
            j.fetch_config()
                .user_agent
                .contains("+https://me.example/bot")
        );
        assert_eq!(j.file.state.revisit, Duration::from_secs(6 * 3600));
    }

    #[test]
    fn errors_name_the_problem() {
        let base = Path::new(".");
        let e = Job::parse("start = []\n[output]\npath='o'\n", base).unwrap_err();
        assert!(e.contains("no start point"));
        let e = Job::parse("start = ['ftp://x/']\n[output]\npath='o'\n", base).unwrap_err();
        assert!(e.contains("ftp://x/"));
        let e = Job::parse(
            "start = ['http://x/']\n[output]\npath='o'\n[scope]\ndeny=['(']\n",
            base,
        )
        .unwrap_err();
        assert!(e.contains("scope.deny"));
        let e = Job::parse(
            "start = ['http://x/']\n[output]\npath='o'\n[politeness]\ndelay='soon'\n",
            base,
        )
        .unwrap_err();
        assert!(e.contains("soon"));
        let e = Job::parse(
            "start = ['http://x/']\nstrat = 1\n[output]\npath='o'\n",
            base,
        )
        .unwrap_err();
        assert!(e.contains("strat"));
    }
}
