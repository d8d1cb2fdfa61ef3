//! One page: unpack, decode, sniff, extract. A batch: many pages in parallel, output in
//! input order, a bad page reported and skipped without touching its neighbours.

use crate::dedup::{self, Deduper};
use crate::input::{self, Input, Page};
use crate::writer::Sink;
use crate::{Article, ExtractError, decode, extract, text};
use rayon::prelude::*;
use std::borrow::Cow;
use std::fmt;
use std::io::{self, Read};
use std::time::{Duration, Instant};

/// Gzip's magic number.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// How many leading bytes are examined to tell text from binary.
const SNIFF_BYTES: usize = 4096;
/// Share of control bytes above which a file is binary, not text.
const MAX_CONTROL_SHARE: f64 = 0.05;
/// Pages handed to the workers at once: enough to keep every core busy, few enough
/// that memory stays bounded whatever the size of the batch.
const CHUNK_PAGES: usize = 256;
/// Bytes read ahead at most per chunk (WARC streams), for the same reason.
const CHUNK_BYTES: usize = 128 << 20;

/// What kind of document the input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum From {
    /// Sniff: HTML when it looks like markup, else a text dump.
    #[default]
    Auto,
    /// Always HTML.
    Html,
    /// Always a text dump.
    Text,
}

/// Options for cleaning one page.
#[derive(Debug, Clone, Default)]
pub struct CleanOptions {
    /// HTML, text, or sniff.
    pub from: From,
    /// URL to use when the page has none of its own (`--url`).
    pub url: Option<String>,
}

/// Why a page gave no article.
#[derive(Debug)]
pub enum CleanError {
    /// The input could not be read.
    Read(io::Error),
    /// The cleaner found nothing (or the bytes are not a document).
    Extract(ExtractError),
}

impl fmt::Display for CleanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CleanError::Read(e) => write!(f, "cannot read: {e}"),
            CleanError::Extract(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CleanError {}

impl std::convert::From<ExtractError> for CleanError {
    fn from(e: ExtractError) -> Self {
        CleanError::Extract(e)
    }
}

/// Cleans one page: gunzip if gzipped, decode to UTF-8, HTML or text mode, extract.
pub fn clean_page(page: &Page, opts: &CleanOptions) -> Result<Article, CleanError> {
    clean_page_measured(page, opts, &mut 0)
}

/// [`clean_page`], also storing the size of the unpacked document in `doc_bytes`
/// (what throughput figures are counted in).
pub fn clean_page_measured(
    page: &Page,
    opts: &CleanOptions,
    doc_bytes: &mut usize,
) -> Result<Article, CleanError> {
    let bytes = gunzip_if_needed(&page.bytes)?;
    *doc_bytes = bytes.len();
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ExtractError::Empty.into());
    }
    if let Some(why) = binary_reason(&bytes) {
        return Err(ExtractError::NotText(why).into());
    }
    let decoded = decode::decode(&bytes, page.charset.as_deref());
    let text = &*decoded.text;
    let html = match opts.from {
        From::Html => true,
        From::Text => false,
        From::Auto => looks_like_html(text),
    };
    let url = page.url.clone().or_else(|| opts.url.clone());
    let mut article = if html {
        extract::extract(text, &extract::Options { url: url.clone() })?
    } else {
        text::clean_text(text)?
    };
    if article.meta.url.is_none() {
        article.meta.url = url;
    }
    Ok(article)
}

/// Unpacks gzip data (by magic number), keeping what a truncated stream yielded.
/// Most a deflate stream can expand (the format's limit is about 1032:1).
const MAX_DEFLATE_RATIO: usize = 1032;

/// Room to reserve for unpacking `gz`: the size the gzip trailer records (ISIZE, the
/// last member's size mod 2^32) when it is plausible, else a guess of four times the
/// packed size; never more than the page limit. One right-sized buffer saves the
/// copies of a growing one.
fn gunzip_capacity(gz: &[u8]) -> usize {
    let limit = input::MAX_PAGE_BYTES as usize + 1;
    let guess = (gz.len() * 4).min(limit);
    let Some(tail) = gz.len().checked_sub(4).map(|i| &gz[i..]) else {
        return guess;
    };
    let isize = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]) as usize;
    if isize >= gz.len() / 2 && isize <= gz.len().saturating_mul(MAX_DEFLATE_RATIO) {
        // One byte more, so the final read that finds the end needs no new allocation.
        (isize + 1).min(limit)
    } else {
        guess
    }
}

fn gunzip_if_needed(bytes: &[u8]) -> Result<Cow<'_, [u8]>, CleanError> {
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Ok(Cow::Borrowed(bytes));
    }
    let mut out = Vec::with_capacity(gunzip_capacity(bytes));
    let dec = flate2::read::MultiGzDecoder::new(bytes);
    match dec.take(input::MAX_PAGE_BYTES + 1).read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > input::MAX_PAGE_BYTES => {
            Err(CleanError::Read(io::Error::other(format!(
                "gzip data unpacks to more than the {} MiB page limit",
                input::MAX_PAGE_BYTES >> 20
            ))))
        }
        Ok(_) => Ok(Cow::Owned(out)),
        // A truncated download still holds most of the page: clean what arrived.
        Err(_) if !out.is_empty() => Ok(Cow::Owned(out)),
        Err(e) => Err(CleanError::Read(io::Error::new(
            e.kind(),
            format!("bad gzip data: {e}"),
        ))),
    }
}

/// Why `bytes` is not a text document, if it is not.
fn binary_reason(bytes: &[u8]) -> Option<String> {
    // UTF-16 text has NULs but announces itself with a BOM.
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return None;
    }
    const MAGIC: [(&[u8], &str); 7] = [
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"\x28\xB5\x2F\xFD", "zstd-compressed data"),
        (b"BZh", "bzip2-compressed data"),
    ];
    if let Some((_, what)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Some(what.to_string());
    }
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B))
        .count();
    if control as f64 > head.len() as f64 * MAX_CONTROL_SHARE || head.contains(&0) {
        return Some(format!(
            "binary data ({control} control bytes in the first {})",
            head.len()
        ));
    }
    None
}

/// True when the text is markup: it opens with a tag, a doctype or a comment, or an
/// `<html>`, `<head>` or `<body>` tag appears in its first 2 KiB. Text dumps may quote
/// a tag inside a paragraph (`<script>`, `<p>`), so a tag in running text is not enough.
pub fn looks_like_html(text: &str) -> bool {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let mut bytes = t.bytes();
    if bytes.next() == Some(b'<') {
        if let Some(b) = bytes.next() {
            if b.is_ascii_alphabetic() || matches!(b, b'!' | b'?') {
                return true;
            }
        }
    }
    let mut end = t.len().min(2048);
    while !t.is_char_boundary(end) {
        end -= 1;
    }
    let head = t[..end].to_ascii_lowercase();
    ["<html", "<head>", "<head ", "<body"]
        .iter()
        .any(|tag| head.contains(tag))
}

/// Options for a batch.
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// How each page is cleaned.
    pub clean: CleanOptions,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Duplicate-body filter, applied in output order.
    pub dedup: dedup::Mode,
}

/// What happened to one input item.
#[derive(Debug)]
pub enum Outcome {
    /// Cleaned and written.
    Written,
    /// Cleaned, but its body duplicates one already written.
    Duplicate,
    /// Failed; the message names the reason.
    Failed(String),
}

/// Counts for `--stats`.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Items seen (pages, and inputs that could not be read).
    pub pages: u64,
    /// Articles written.
    pub written: u64,
    /// Pages dropped as duplicates.
    pub duplicates: u64,
    /// Pages that failed.
    pub failed: u64,
    /// Archive records skipped on purpose (not HTML pages: requests, metadata, images…).
    pub skipped: u64,
    /// Document bytes (after gunzip; as stored when unreadable).
    pub bytes: u64,
    /// Wall time.
    pub elapsed: Duration,
}

impl Stats {
    /// Pages per second.
    pub fn pages_per_sec(&self) -> f64 {
        self.pages as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
    /// Megabytes (10^6) per second.
    pub fn mb_per_sec(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pages {}  written {}  duplicates {}  errors {}  skipped {}  MB {:.1}  seconds {:.2}  pages/s {:.0}  MB/s {:.1}",
            self.pages,
            self.written,
            self.duplicates,
            self.failed,
            self.skipped,
            self.bytes as f64 / 1e6,
            self.elapsed.as_secs_f64(),
            self.pages_per_sec(),
            self.mb_per_sec()
        )
    }
}

/// One unit of work: a file still to read, or a page already in memory (from an archive).
enum Work {
    File(Input),
    Page(Page),
    Bad {
        source: String,
        message: String,
    },
    /// An archive record that holds no page; only counted.
    Skipped,
}

/// Yields the work items of all inputs, streaming archives record by record.
fn work_items(inputs: Vec<Input>) -> impl Iterator<Item = Work> {
    inputs
        .into_iter()
        .flat_map(|inp| -> Box<dyn Iterator<Item = Work> + Send> {
            match inp {
                Input::Warc(ref p) => match crate::warc::read_pages(p) {
                    Ok(it) => {
                        let name = inp.name();
                        Box::new(it.map(move |r| match r {
                            Ok(page) => Work::Page(page),
                            Err(e) if e.skipped => {
                                tracing::debug!("{name}@{}: skipped: {}", e.offset, e.message);
                                Work::Skipped
                            }
                            Err(e) => Work::Bad {
                                source: format!("{name}@{}", e.offset),
                                message: e.message,
                            },
                        }))
                    }
                    Err(e) => Box::new(std::iter::once(Work::Bad {
                        source: inp.name(),
                        message: e.to_string(),
                    })),
                },
                other => Box::new(std::iter::once(Work::File(other))),
            }
        })
}

/// The result of one work item, carried back to the ordered writer.
struct Done {
    source: String,
    bytes: u64,
    result: Result<(Page, Article), String>,
}

fn process(work: Work, opts: &CleanOptions) -> Done {
    let mut page = match work {
        Work::Bad { source, message } => {
            return Done {
                source,
                bytes: 0,
                result: Err(message),
            };
        }
        Work::Page(p) => p,
        // Never queued (the reader thread counts skips); here for completeness.
        Work::Skipped => {
            return Done {
                source: String::new(),
                bytes: 0,
                result: Err("skipped".into()),
            };
        }
        Work::File(inp) => match input::read_page(&inp) {
            Ok(p) => p,
            Err(e) => {
                return Done {
                    source: inp.name(),
                    bytes: 0,
                    result: Err(format!("cannot read: {e}")),
                };
            }
        },
    };
    if let (None, Some(u)) = (&page.url, &opts.url) {
        page.url = Some(u.clone());
    }
    let mut doc_bytes = page.bytes.len();
    let source = page.source.clone();
    let result = match clean_page_measured(&page, opts, &mut doc_bytes) {
        Ok(a) => {
            page.bytes = Vec::new(); // the writer needs only the page's names
            Ok((page, a))
        }
        Err(e) => Err(e.to_string()),
    };
    Done {
        source,
        bytes: doc_bytes as u64,
        result,
    }
}

/// Cleans every input, writing articles to `sink` in input order. `report` is called
/// once per item, in order, with its source and outcome (for progress and error lines).
/// Only an error of the sink itself stops the batch.
pub fn run(
    inputs: Vec<Input>,
    sink: &mut dyn Sink,
    opts: &BatchOptions,
    mut report: impl FnMut(&str, &Outcome),
) -> io::Result<Stats> {
    let start = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(io::Error::other)?;
    let mut stats = Stats::default();
    let mut dedup = Deduper::new(opts.dedup);
    // A reader thread fills the next chunk (gunzip, WARC parsing) while the workers
    // clean this one; the channel holds one chunk, so at most three are in memory.
    let (tx, rx) = std::sync::mpsc::sync_channel::<(Vec<Work>, u64)>(1);
    std::thread::scope(|scope| -> io::Result<()> {
        scope.spawn(move || {
            let mut items = work_items(inputs);
            let mut more = true;
            while more {
                let mut chunk = Vec::with_capacity(CHUNK_PAGES);
                let (mut chunk_bytes, mut skipped) = (0, 0);
                while chunk.len() < CHUNK_PAGES && chunk_bytes < CHUNK_BYTES {
                    let Some(w) = items.next() else {
                        more = false;
                        break;
                    };
                    match &w {
                        Work::Skipped => {
                            skipped += 1;
                            continue;
                        }
                        Work::Page(p) => chunk_bytes += p.bytes.len(),
                        _ => {}
                    }
                    chunk.push(w);
                }
                // A closed channel means the writer stopped on an error: stop reading.
                if tx.send((chunk, skipped)).is_err() {
                    return;
                }
            }
        });
        for (mut chunk, skipped) in rx {
            stats.skipped += skipped;
            let done: Vec<Done> = pool.install(|| {
                chunk
                    .par_drain(..)
                    .map(|w| process(w, &opts.clean))
                    .collect()
            });
            for d in done {
                stats.pages += 1;
                stats.bytes += d.bytes;
                let outcome = match &d.result {
                    Ok((page, article)) => {
                        if opts.dedup != dedup::Mode::Off && dedup.is_duplicate(&article.body()) {
                            stats.duplicates += 1;
                            Outcome::Duplicate
                        } else {
                            sink.write(page, article)?;
                            stats.written += 1;
                            Outcome::Written
                        }
                    }
                    Err(msg) => {
                        stats.failed += 1;
                        Outcome::Failed(msg.clone())
                    }
                };
                report(&d.source, &outcome);
            }
        }
        Ok(())
    })?;
    sink.finish()?;
    stats.elapsed = start.elapsed();
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gunzip_reserves_what_the_trailer_records() {
        use std::io::Write;
        let page = "<p>Some text that repeats. </p>".repeat(2000);
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(page.as_bytes()).unwrap();
        let gz = enc.finish().unwrap();
        assert_eq!(gunzip_capacity(&gz), page.len() + 1);
        match gunzip_if_needed(&gz).unwrap() {
            Cow::Owned(v) => {
                assert_eq!(v.len(), page.len());
                assert_eq!(v.capacity(), page.len() + 1, "no regrowth");
            }
            Cow::Borrowed(_) => panic!("gzip data must be unpacked"),
        }
        // A cut-off file's last bytes are no trailer: the reservation stays bounded.
        assert!(gunzip_capacity(&gz[..20]) <= 20 * MAX_DEFLATE_RATIO + 1);
    }

    #[test]
    fn html_sniffing() {
        assert!(looks_like_html("  <!DOCTYPE html><html>"));
        assert!(looks_like_html("\u{feff}<html lang=en>"));
        assert!(looks_like_html("<div class=a><p>x</p></div>"));
        assert!(!looks_like_html(
            "Headline\n\nA paragraph about <b> tags? no."
        ));
        assert!(!looks_like_html("Plain text dump\n\nSecond block."));
        assert!(!looks_like_html(
            "How to load scripts\n\nPut the <script> tag before </body>? No: use <p> and defer."
        ));
        assert!(looks_like_html("<p>A fragment of markup</p>"));
    }

    #[test]
    fn binary_is_refused_with_a_reason() {
        assert_eq!(
            binary_reason(b"%PDF-1.7 ...").as_deref(),
            Some("a PDF document")
        );
        let noise: Vec<u8> = (0..2000u32).map(|i| (i * 7919 % 251) as u8).collect();
        assert!(binary_reason(&noise).unwrap().starts_with("binary data"));
        assert!(binary_reason("<p>Fine text, ünïcode.</p>".as_bytes()).is_none());
        assert!(binary_reason(&[0xFF, 0xFE, b'<', 0]).is_none());
    }

    #[test]
    fn truncated_gzip_keeps_what_arrived() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let body = "<html><body><p>hello world</p>".repeat(2000);
        enc.write_all(body.as_bytes()).unwrap();
        let gz = enc.finish().unwrap();
        let cut = &gz[..gz.len() / 2];
        let out = gunzip_if_needed(cut).unwrap();
        assert!(out.len() > 1000 && out.starts_with(b"<html>"));
        assert!(gunzip_if_needed(&GZIP_MAGIC).is_err());
    }

    #[test]
    fn empty_and_binary_pages_are_errors_not_panics() {
        let o = CleanOptions::default();
        let p = |b: &[u8]| Page {
            source: "x".into(),
            bytes: b.to_vec(),
            ..Default::default()
        };
        assert!(matches!(
            clean_page(&p(b""), &o),
            Err(CleanError::Extract(ExtractError::Empty))
        ));
        assert!(matches!(
            clean_page(&p(b" \n\t"), &o),
            Err(CleanError::Extract(ExtractError::Empty))
        ));
        assert!(matches!(
            clean_page(&p(b"\x89PNG\r\n\x1a\n\0\0"), &o),
            Err(CleanError::Extract(ExtractError::NotText(_)))
        ));
    }
}
