//! Writers: seed-format text files (`NNN_<16 hex>.txt`) and JSONL.
//!
//! Text files hold the headline, a blank line, then paragraphs separated by one blank
//! line; UTF-8, LF, no trailing newline. The file name's hex is the first 16 hex digits
//! of SHA-256 of the page's canonical URL (of its source when no URL is known), so a
//! re-run over the same page rewrites its file in place instead of adding one.

use crate::Article;
use crate::input::Page;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Seed text files, one per article.
    #[default]
    Txt,
    /// One JSON object per line.
    Jsonl,
}

/// First 16 hex digits of SHA-256 of `key` (a canonical URL or a source path).
pub fn article_id(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let mut s = String::with_capacity(16);
    for b in &digest[..8] {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The key a page's id is made from: canonical URL, else fetched URL, else source.
pub fn id_key<'a>(page: &'a Page, article: &'a Article) -> &'a str {
    article
        .meta
        .url
        .as_deref()
        .or(page.url.as_deref())
        .unwrap_or(&page.source)
}

/// Where cleaned articles go.
pub trait Sink: Send {
    /// Writes one article. `page` says where it came from.
    fn write(&mut self, page: &Page, article: &Article) -> io::Result<()>;
    /// Flushes and closes the output; call once at the end.
    fn finish(&mut self) -> io::Result<()>;
}

/// A folder of `NNN_<16 hex>.txt` files.
#[derive(Debug)]
pub struct TxtDir {
    dir: PathBuf,
    next: u64,
    by_id: HashMap<String, PathBuf>,
}

impl TxtDir {
    /// Opens (creating it if needed) a folder; numbering continues after the highest
    /// `NNN` already there, and ids already there are rewritten in place.
    pub fn open(dir: &Path) -> io::Result<TxtDir> {
        fs::create_dir_all(dir)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
        let mut next = 0;
        let mut by_id = HashMap::new();
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some((n, id)) = parse_txt_name(&name) {
                next = next.max(n + 1);
                by_id.insert(id.to_string(), entry.path());
            }
        }
        Ok(TxtDir {
            dir: dir.to_path_buf(),
            next,
            by_id,
        })
    }

    /// Writes `article` under `id`, in place if that id has a file already.
    /// Returns the file's path.
    pub fn write_id(&mut self, id: &str, article: &Article) -> io::Result<PathBuf> {
        let path = match self.by_id.get(id) {
            Some(p) => p.clone(),
            None => {
                let p = self.dir.join(format!("{:03}_{id}.txt", self.next));
                self.next += 1;
                self.by_id.insert(id.to_string(), p.clone());
                p
            }
        };
        write_atomic(&path, article.to_text().as_bytes())?;
        Ok(path)
    }
}

/// `NNN_<16 hex>.txt` → (NNN, hex).
fn parse_txt_name(name: &str) -> Option<(u64, &str)> {
    let stem = name.strip_suffix(".txt")?;
    let (n, id) = stem.split_once('_')?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if id.len() != 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some((n.parse().ok()?, id))
}

/// Writes through a temporary file and a rename, so a crash never leaves half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension("txt.tmp");
    fs::write(&tmp, bytes)
        .and_then(|_| fs::rename(&tmp, path))
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

impl Sink for TxtDir {
    fn write(&mut self, page: &Page, article: &Article) -> io::Result<()> {
        let id = article_id(id_key(page, article));
        self.write_id(&id, article).map(|_| ())
    }
    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Seed-format text to a stream (stdout): articles one after another, separated by a blank line.
pub struct TxtStream<W: Write + Send> {
    out: W,
    first: bool,
}

impl<W: Write + Send> TxtStream<W> {
    /// Wraps `out`.
    pub fn new(out: W) -> Self {
        TxtStream { out, first: true }
    }
}

impl<W: Write + Send> Sink for TxtStream<W> {
    fn write(&mut self, _page: &Page, article: &Article) -> io::Result<()> {
        if !self.first {
            self.out.write_all(b"\n")?;
        }
        self.first = false;
        self.out.write_all(article.to_text().as_bytes())?;
        self.out.write_all(b"\n")
    }
    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// One JSONL line. The schema is documented in README.md.
#[derive(Serialize)]
pub struct Record<'a> {
    /// 16 hex digits of SHA-256 of the canonical URL (or source).
    pub id: String,
    /// Canonical URL, else the page's URL.
    pub url: Option<&'a str>,
    /// Input path, `-`, URL, or `archive@offset`.
    pub source: &'a str,
    /// Headline.
    pub title: &'a str,
    /// Body: the txt file's text without its headline.
    pub text: String,
    /// Date published.
    pub date: Option<&'a str>,
    /// Author.
    pub author: Option<&'a str>,
    /// Site name.
    pub site: Option<&'a str>,
    /// Language code.
    pub lang: Option<&'a str>,
    /// WARC record id (WARC inputs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warc_record_id: Option<&'a str>,
    /// WARC date (WARC inputs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warc_date: Option<&'a str>,
}

impl<'a> Record<'a> {
    /// The record for one article.
    pub fn new(page: &'a Page, article: &'a Article) -> Record<'a> {
        Record {
            id: article_id(id_key(page, article)),
            url: article.meta.url.as_deref().or(page.url.as_deref()),
            source: &page.source,
            title: &article.title,
            text: article.body(),
            date: article.meta.date.as_deref(),
            author: article.meta.author.as_deref(),
            site: article.meta.site.as_deref(),
            lang: article.meta.lang.as_deref(),
            warc_record_id: page.warc.as_ref().map(|w| w.record_id.as_str()),
            warc_date: page.warc.as_ref().map(|w| w.date.as_str()),
        }
    }
}

/// JSONL to any stream.
pub struct Jsonl<W: Write + Send> {
    out: W,
}

impl<W: Write + Send> Jsonl<W> {
    /// Wraps `out`.
    pub fn new(out: W) -> Self {
        Jsonl { out }
    }
}

impl<W: Write + Send> Sink for Jsonl<W> {
    fn write(&mut self, page: &Page, article: &Article) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, &Record::new(page, article))?;
        self.out.write_all(b"\n")
    }
    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A finishing wrapper so compressed streams write their trailer on [`Sink::finish`].
enum JsonlFile {
    Plain(BufWriter<fs::File>),
    Gzip(flate2::write::GzEncoder<BufWriter<fs::File>>),
    Zstd(zstd::Encoder<'static, BufWriter<fs::File>>),
}

impl Write for JsonlFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            JsonlFile::Plain(w) => w.write(buf),
            JsonlFile::Gzip(w) => w.write(buf),
            JsonlFile::Zstd(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            JsonlFile::Plain(w) => w.flush(),
            JsonlFile::Gzip(w) => w.flush(),
            JsonlFile::Zstd(w) => w.flush(),
        }
    }
}

/// JSONL to a file, compressed by its extension (`.gz`, `.zst`).
pub struct JsonlFileSink {
    inner: Option<JsonlFile>,
    path: PathBuf,
}

impl JsonlFileSink {
    /// Creates (truncates) `path`; with `append`, adds to it instead (plain files only,
    /// or a new compressed member/frame after the existing ones).
    pub fn create(path: &Path, append: bool) -> io::Result<JsonlFileSink> {
        let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(named)?;
        }
        let file = fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(path)
            .map_err(named)?;
        let buf = BufWriter::with_capacity(1 << 16, file);
        let name = path.to_string_lossy().to_ascii_lowercase();
        let inner = if name.ends_with(".gz") {
            JsonlFile::Gzip(flate2::write::GzEncoder::new(
                buf,
                flate2::Compression::default(),
            ))
        } else if name.ends_with(".zst") {
            JsonlFile::Zstd(zstd::Encoder::new(buf, 3).map_err(named)?)
        } else {
            JsonlFile::Plain(buf)
        };
        Ok(JsonlFileSink {
            inner: Some(inner),
            path: path.to_path_buf(),
        })
    }
}

impl Sink for JsonlFileSink {
    fn write(&mut self, page: &Page, article: &Article) -> io::Result<()> {
        let out = self
            .inner
            .as_mut()
            .ok_or_else(|| io::Error::other("write after finish"))?;
        serde_json::to_writer(&mut *out, &Record::new(page, article))?;
        out.write_all(b"\n")
    }
    fn finish(&mut self) -> io::Result<()> {
        let named =
            |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", self.path.display()));
        match self.inner.take() {
            Some(JsonlFile::Plain(mut w)) => w.flush().map_err(named),
            Some(JsonlFile::Gzip(w)) => w.finish().and_then(|mut b| b.flush()).map_err(named),
            Some(JsonlFile::Zstd(w)) => w.finish().and_then(|mut b| b.flush()).map_err(named),
            None => Ok(()),
        }
    }
}

/// Opens the sink for `format` at `output`: `-` is stdout; for txt anything else is a
/// folder; for jsonl a file (compressed by extension). `append` keeps an existing JSONL file.
pub fn open_sink(format: Format, output: &str, append: bool) -> io::Result<Box<dyn Sink>> {
    match (format, output) {
        (Format::Txt, "-") => Ok(Box::new(TxtStream::new(BufWriter::new(io::stdout())))),
        (Format::Jsonl, "-") => Ok(Box::new(Jsonl::new(BufWriter::new(io::stdout())))),
        (Format::Txt, dir) => Ok(Box::new(TxtDir::open(Path::new(dir))?)),
        (Format::Jsonl, file) => Ok(Box::new(JsonlFileSink::create(Path::new(file), append)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Metadata;

    fn art(title: &str, url: Option<&str>) -> Article {
        Article {
            title: title.into(),
            blocks: vec!["Body one.".into(), "Body two.".into()],
            meta: Metadata {
                url: url.map(String::from),
                ..Default::default()
            },
        }
    }

    #[test]
    fn id_is_16_hex_of_sha256() {
        // sha256("abc") = ba7816bf8f01cfea...
        assert_eq!(article_id("abc"), "ba7816bf8f01cfea");
    }

    #[test]
    fn txt_names_continue_numbering_and_rewrite_in_place() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("007_0123456789abcdef.txt"), "old").unwrap();
        let mut sink = TxtDir::open(d.path()).unwrap();
        let page = Page {
            source: "a.html".into(),
            ..Default::default()
        };
        sink.write(&page, &art("T", Some("https://x.test/a")))
            .unwrap();
        let id = article_id("https://x.test/a");
        let p = d.path().join(format!("008_{id}.txt"));
        assert_eq!(
            fs::read_to_string(&p).unwrap(),
            "T\n\nBody one.\n\nBody two."
        );
        // Same page again, new text: same file.
        let mut sink = TxtDir::open(d.path()).unwrap();
        sink.write(&page, &art("T2", Some("https://x.test/a")))
            .unwrap();
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 2);
        assert!(fs::read_to_string(&p).unwrap().starts_with("T2\n\n"));
    }

    #[test]
    fn txt_name_parser_rejects_other_files() {
        assert_eq!(
            parse_txt_name("012_0123456789abcdef.txt"),
            Some((12, "0123456789abcdef"))
        );
        assert_eq!(
            parse_txt_name("1000_0123456789abcdef.txt"),
            Some((1000, "0123456789abcdef"))
        );
        assert_eq!(parse_txt_name("notes.txt"), None);
        assert_eq!(parse_txt_name("001_xyz.txt"), None);
    }

    #[test]
    fn jsonl_record_fields_and_compression() {
        let d = tempfile::tempdir().unwrap();
        let page = Page {
            source: "p.html".into(),
            ..Default::default()
        };
        for name in ["o.jsonl", "o.jsonl.gz", "o.jsonl.zst"] {
            let path = d.path().join(name);
            let mut s = JsonlFileSink::create(&path, false).unwrap();
            s.write(&page, &art("Title", None)).unwrap();
            s.finish().unwrap();
            let raw = fs::read(&path).unwrap();
            let text = if name.ends_with(".gz") {
                let mut s = String::new();
                io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&raw[..]), &mut s)
                    .unwrap();
                s
            } else if name.ends_with(".zst") {
                String::from_utf8(zstd::decode_all(&raw[..]).unwrap()).unwrap()
            } else {
                String::from_utf8(raw).unwrap()
            };
            let v: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
            assert_eq!(v["id"], article_id("p.html"));
            assert_eq!(v["title"], "Title");
            assert_eq!(v["text"], "Body one.\n\nBody two.");
            assert_eq!(v["source"], "p.html");
            assert!(v["url"].is_null() && v["lang"].is_null());
            assert!(v.get("warc_record_id").is_none());
        }
    }
}
