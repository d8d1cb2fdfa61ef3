//! Crawl state in an embedded SQLite database: URLs seen, their role and depth, last
//! status and outcome, validators (ETag, Last-Modified), content hashes, article ids
//! written, and the committed length of a JSONL output.
//!
//! Every page's outcome, the URLs it revealed, and the output length after its write
//! are committed in one transaction, after the output was written. A process killed at
//! any moment therefore restarts from a consistent state: what was not committed is
//! fetched again and rewritten in place (txt) or written after truncating the JSONL
//! file back to its committed length, so nothing is lost and nothing is written twice.

use crate::fetch::Validators;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

/// The role of a URL in a crawl.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A start point named by the job (re-checked every pass).
    Start = 0,
    /// A feed or sitemap found on the way (re-checked every pass).
    Feed = 1,
    /// A page found by a link, feed or sitemap.
    Page = 2,
}

impl Role {
    fn from_i64(v: i64) -> Role {
        match v {
            0 => Role::Start,
            1 => Role::Feed,
            _ => Role::Page,
        }
    }
}

/// What happened to a URL on its last visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Cleaned and written.
    Written,
    /// 304, or the same content as last time: nothing to do.
    Unchanged,
    /// Its article was already written from another URL (canonical or same content).
    Duplicate,
    /// Fetched for its links only (hub, feed, sitemap, non-article page).
    Followed,
    /// The cleaner found no article in it.
    NoArticle,
    /// Disallowed by robots.txt.
    Robots,
    /// Fetch failed.
    Failed,
}

impl Outcome {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Written => "written",
            Outcome::Unchanged => "unchanged",
            Outcome::Duplicate => "duplicate",
            Outcome::Followed => "followed",
            Outcome::NoArticle => "no-article",
            Outcome::Robots => "robots",
            Outcome::Failed => "failed",
        }
    }
}

/// A known URL due for a visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    /// Normalised URL.
    pub url: String,
    /// Its role.
    pub role: Role,
    /// Link depth from a start point.
    pub depth: u32,
}

/// The result of one visit, committed in one transaction with its discoveries.
#[derive(Debug, Clone)]
pub struct Visit<'a> {
    /// The URL visited.
    pub url: &'a str,
    /// HTTP status (0 when no response).
    pub status: u16,
    /// What happened.
    pub outcome: Outcome,
    /// New validators (kept from before when `None`).
    pub validators: Option<&'a Validators>,
    /// SHA-256 of the article text, when an article was extracted.
    pub content_hash: Option<&'a str>,
    /// Article id written (with the canonical URL it was made from).
    pub written: Option<(&'a str, &'a str)>,
    /// Error message, for failures.
    pub error: Option<&'a str>,
    /// New URLs found: (url, role, depth).
    pub found: &'a [(String, Role, u32)],
    /// JSONL output length after this visit's write.
    pub jsonl_len: Option<(&'a str, u64)>,
    /// Sitemap `<lastmod>` (Unix seconds) of URLs a sitemap listed; `None` clears it.
    pub lastmods: &'a [(String, Option<i64>)],
}

/// The state database.
pub struct Store {
    db: Connection,
}

/// Errors carry the database path.
fn named(path: &Path, e: rusqlite::Error) -> String {
    format!("state database {}: {e}", path.display())
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Store {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Store, String> {
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let db = Connection::open(path).map_err(|e| named(path, e))?;
        db.execute_batch(
            "PRAGMA journal_mode=WAL;
             PRAGMA synchronous=NORMAL;
             PRAGMA busy_timeout=5000;
             CREATE TABLE IF NOT EXISTS urls(
                url TEXT PRIMARY KEY,
                role INTEGER NOT NULL,
                depth INTEGER NOT NULL,
                status INTEGER NOT NULL DEFAULT 0,
                outcome TEXT,
                etag TEXT,
                last_modified TEXT,
                content_hash TEXT,
                error TEXT,
                failures INTEGER NOT NULL DEFAULT 0,
                first_seen INTEGER NOT NULL,
                last_fetch INTEGER);
             CREATE TABLE IF NOT EXISTS articles(
                id TEXT PRIMARY KEY,
                url TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                written_at INTEGER NOT NULL);
             CREATE INDEX IF NOT EXISTS articles_hash ON articles(content_hash);
             CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        )
        .map_err(|e| named(path, e))?;
        // Added after the first release: older databases get the column here.
        let has_lastmod: bool = db
            .query_row(
                "SELECT COUNT(*) FROM pragma_table_info('urls') WHERE name = 'lastmod'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map_err(|e| named(path, e))?
            > 0;
        if !has_lastmod {
            db.execute_batch("ALTER TABLE urls ADD COLUMN lastmod INTEGER")
                .map_err(|e| named(path, e))?;
        }
        Ok(Store { db })
    }

    /// Adds URLs not known yet (start points at the start of a pass).
    pub fn add(&mut self, urls: &[(String, Role, u32)]) -> rusqlite::Result<()> {
        let tx = self.db.transaction()?;
        insert_found(&tx, urls)?;
        tx.commit()
    }

    /// Known URLs due for a visit: start points and feeds always; pages never fetched,
    /// or last fetched more than `revisit_secs` ago; failed ones under `max_failures`.
    pub fn due(&self, revisit_secs: u64, max_failures: u32) -> rusqlite::Result<Vec<Known>> {
        let cutoff = now() - revisit_secs as i64;
        let mut st = self.db.prepare(
            "SELECT url, role, depth FROM urls
             WHERE failures < ?2 AND (role < 2 OR last_fetch IS NULL OR last_fetch <= ?1)
             ORDER BY role, rowid",
        )?;
        let rows = st.query_map(params![cutoff, max_failures], |r| {
            Ok(Known {
                url: r.get(0)?,
                role: Role::from_i64(r.get(1)?),
                depth: r.get::<_, i64>(2)? as u32,
            })
        })?;
        rows.collect()
    }

    /// The validators stored for `url`.
    pub fn validators(&self, url: &str) -> rusqlite::Result<Validators> {
        Ok(self
            .db
            .query_row(
                "SELECT etag, last_modified FROM urls WHERE url = ?1",
                [url],
                |r| {
                    Ok(Validators {
                        etag: r.get(0)?,
                        last_modified: r.get(1)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    /// The stored content hash of `url`.
    pub fn content_hash(&self, url: &str) -> rusqlite::Result<Option<String>> {
        Ok(self
            .db
            .query_row("SELECT content_hash FROM urls WHERE url = ?1", [url], |r| {
                r.get(0)
            })
            .optional()?
            .flatten())
    }

    /// True when `url`'s sitemap `<lastmod>` is not newer than its last fetch, and that
    /// fetch succeeded: the page is unchanged and need not be fetched again.
    pub fn unchanged_since_fetch(&self, url: &str) -> rusqlite::Result<bool> {
        Ok(self
            .db
            .query_row(
                "SELECT lastmod IS NOT NULL AND last_fetch IS NOT NULL AND lastmod <= last_fetch
                    AND outcome IN ('written', 'unchanged', 'duplicate', 'followed', 'no-article')
                 FROM urls WHERE url = ?1",
                [url],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false))
    }

    /// The URL an article id was written from, if it was.
    pub fn written_from(&self, id: &str) -> rusqlite::Result<Option<String>> {
        self.db
            .query_row("SELECT url FROM articles WHERE id = ?1", [id], |r| r.get(0))
            .optional()
    }

    /// The article id already written with this content hash, if any.
    pub fn id_with_hash(&self, hash: &str) -> rusqlite::Result<Option<String>> {
        self.db
            .query_row(
                "SELECT id FROM articles WHERE content_hash = ?1 LIMIT 1",
                [hash],
                |r| r.get(0),
            )
            .optional()
    }

    /// A value of the meta table.
    pub fn meta(&self, key: &str) -> rusqlite::Result<Option<String>> {
        self.db
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
    }

    /// Commits one visit and what it found, all or nothing.
    pub fn commit(&mut self, v: &Visit<'_>) -> rusqlite::Result<()> {
        let tx = self.db.transaction()?;
        let t = now();
        let failed = v.outcome == Outcome::Failed;
        tx.execute(
            "UPDATE urls SET status = ?2, outcome = ?3, last_fetch = ?4, error = ?5,
                failures = CASE WHEN ?6 THEN failures + 1 ELSE 0 END
             WHERE url = ?1",
            params![v.url, v.status, v.outcome.as_str(), t, v.error, failed],
        )?;
        if let Some(val) = v.validators {
            tx.execute(
                "UPDATE urls SET etag = ?2, last_modified = ?3 WHERE url = ?1",
                params![v.url, val.etag, val.last_modified],
            )?;
        }
        if let Some(h) = v.content_hash {
            tx.execute(
                "UPDATE urls SET content_hash = ?2 WHERE url = ?1",
                params![v.url, h],
            )?;
        }
        if let (Some((id, from)), Some(h)) = (v.written, v.content_hash) {
            tx.execute(
                "INSERT INTO articles(id, url, content_hash, written_at) VALUES(?1, ?2, ?3, ?4)
                 ON CONFLICT(id) DO UPDATE SET content_hash = ?3, written_at = ?4",
                params![id, from, h, t],
            )?;
        }
        insert_found(&tx, v.found)?;
        if !v.lastmods.is_empty() {
            let mut st = tx.prepare_cached("UPDATE urls SET lastmod = ?2 WHERE url = ?1")?;
            for (u, m) in v.lastmods {
                st.execute(params![u, m])?;
            }
        }
        if let Some((key, len)) = v.jsonl_len {
            tx.execute(
                "INSERT INTO meta(key, value) VALUES(?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = ?2",
                params![format!("jsonl_len:{key}"), len.to_string()],
            )?;
        }
        tx.commit()
    }

    /// Counts of URLs by last outcome (for `--stats`).
    pub fn summary(&self) -> rusqlite::Result<Vec<(String, u64)>> {
        let mut st = self.db.prepare(
            "SELECT COALESCE(outcome, 'pending'), COUNT(*) FROM urls GROUP BY 1 ORDER BY 1",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
        rows.collect()
    }
}

fn insert_found(
    tx: &rusqlite::Transaction<'_>,
    urls: &[(String, Role, u32)],
) -> rusqlite::Result<()> {
    if urls.is_empty() {
        return Ok(());
    }
    let t = now();
    let mut st = tx.prepare_cached(
        "INSERT INTO urls(url, role, depth, first_seen) VALUES(?1, ?2, ?3, ?4)
         ON CONFLICT(url) DO UPDATE SET role = MIN(role, excluded.role), depth = MIN(depth, excluded.depth)",
    )?;
    for (u, role, depth) in urls {
        st.execute(params![u, *role as i64, depth, t])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visits_commit_validators_articles_and_found_urls() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("s.sqlite");
        let mut s = Store::open(&path).unwrap();
        s.add(&[("http://x.test/".into(), Role::Start, 0)]).unwrap();
        let val = Validators {
            etag: Some("\"e1\"".into()),
            last_modified: None,
        };
        let found = vec![
            ("http://x.test/a".to_string(), Role::Page, 1),
            ("http://x.test/".to_string(), Role::Page, 1),
        ];
        s.commit(&Visit {
            url: "http://x.test/",
            status: 200,
            outcome: Outcome::Followed,
            validators: Some(&val),
            content_hash: None,
            written: None,
            error: None,
            found: &found,
            jsonl_len: Some(("out.jsonl", 42)),
            lastmods: &[("http://x.test/a".to_string(), Some(1000))],
        })
        .unwrap();
        drop(s);
        let mut s = Store::open(&path).unwrap();
        assert_eq!(s.validators("http://x.test/").unwrap(), val);
        assert_eq!(
            s.meta("jsonl_len:out.jsonl").unwrap().as_deref(),
            Some("42")
        );
        let due = s.due(0, 3).unwrap();
        // The start point keeps its role and depth; the new page is due.
        assert_eq!(
            due[0],
            Known {
                url: "http://x.test/".into(),
                role: Role::Start,
                depth: 0
            }
        );
        assert_eq!(due[1].url, "http://x.test/a");
        s.commit(&Visit {
            url: "http://x.test/a",
            status: 200,
            outcome: Outcome::Written,
            validators: None,
            content_hash: Some("h1"),
            written: Some(("id1", "http://x.test/a")),
            error: None,
            found: &[],
            jsonl_len: None,
            lastmods: &[],
        })
        .unwrap();
        // Fetched (now) after its lastmod (1970): unchanged. A newer lastmod: changed.
        assert!(s.unchanged_since_fetch("http://x.test/a").unwrap());
        assert!(!s.unchanged_since_fetch("http://x.test/").unwrap());
        assert!(!s.unchanged_since_fetch("http://x.test/unknown").unwrap());
        s.commit(&Visit {
            url: "http://x.test/",
            status: 200,
            outcome: Outcome::Followed,
            validators: None,
            content_hash: None,
            written: None,
            error: None,
            found: &[],
            jsonl_len: None,
            lastmods: &[("http://x.test/a".to_string(), Some(i64::MAX))],
        })
        .unwrap();
        assert!(!s.unchanged_since_fetch("http://x.test/a").unwrap());
        assert_eq!(s.id_with_hash("h1").unwrap().as_deref(), Some("id1"));
        assert_eq!(
            s.written_from("id1").unwrap().as_deref(),
            Some("http://x.test/a")
        );
        // A page fetched just now is not due with a one-hour revisit.
        assert_eq!(s.due(3600, 3).unwrap().len(), 1);
    }

    #[test]
    fn failures_stop_retries_after_the_limit() {
        let d = tempfile::tempdir().unwrap();
        let mut s = Store::open(&d.path().join("s.sqlite")).unwrap();
        s.add(&[("http://x.test/bad".into(), Role::Page, 1)])
            .unwrap();
        for _ in 0..2 {
            s.commit(&Visit {
                url: "http://x.test/bad",
                status: 404,
                outcome: Outcome::Failed,
                validators: None,
                content_hash: None,
                written: None,
                error: Some("HTTP status 404"),
                found: &[],
                jsonl_len: None,
                lastmods: &[],
            })
            .unwrap();
        }
        assert_eq!(s.due(0, 3).unwrap().len(), 1);
        assert_eq!(s.due(0, 2).unwrap().len(), 0);
        assert_eq!(s.summary().unwrap(), vec![("failed".to_string(), 1)]);
    }
}
