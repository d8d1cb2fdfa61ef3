//! Reading pages from disk: files, folders (recursive), gzip, standard input.
//!
//! Inputs are listed up front (cheap) and read by the worker that cleans them, so a
//! batch of files is read in parallel and a bad file costs only itself.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Largest page read from disk or stdin; larger inputs are rejected with an error, not truncated.
pub const MAX_PAGE_BYTES: u64 = 256 * 1024 * 1024;

/// One page's raw bytes and what is known about where it came from.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Where the page was read from: a path, `-`, a URL, or `archive.warc.gz@offset`.
    pub source: String,
    /// The page's URL when known (HTTP fetch, WARC target URI, `--url`).
    pub url: Option<String>,
    /// The bytes as stored (may be gzip-compressed; [`crate::pipeline`] unpacks them).
    pub bytes: Vec<u8>,
    /// Charset from outside the document (HTTP `Content-Type`), if any.
    pub charset: Option<String>,
    /// When the page was fetched or archived (RFC 3339), if known.
    pub fetched: Option<String>,
    /// The WARC record this page came from, if any.
    pub warc: Option<WarcOrigin>,
}

/// Where in a WARC archive a page was found, so an output line can be traced back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarcOrigin {
    /// `WARC-Record-ID`.
    pub record_id: String,
    /// `WARC-Date`.
    pub date: String,
    /// Byte offset of the record (of its gzip member, for `.warc.gz`) in the archive.
    pub offset: u64,
}

/// An input named on the command line, after folders were expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A single page file (HTML or text, maybe gzipped).
    File(PathBuf),
    /// A WARC archive (`.warc`, `.warc.gz`, `.warc.zst`): many pages.
    Warc(PathBuf),
    /// Standard input.
    Stdin,
}

impl Input {
    /// The name used in messages and in the `source` field.
    pub fn name(&self) -> String {
        match self {
            Input::File(p) | Input::Warc(p) => p.display().to_string(),
            Input::Stdin => "-".to_string(),
        }
    }
}

/// An input that could not be listed (missing path, unreadable folder).
#[derive(Debug)]
pub struct InputError {
    /// The path as given.
    pub path: String,
    /// What went wrong.
    pub error: io::Error,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.error)
    }
}

impl std::error::Error for InputError {}

/// True for names of WARC archives.
pub fn is_warc_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with(".warc") || n.ends_with(".warc.gz") || n.ends_with(".warc.zst")
}

/// True for names of files a folder walk picks up as pages.
fn is_page_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let n = n.strip_suffix(".gz").unwrap_or(&n);
    [".html", ".htm", ".xhtml", ".shtml", ".txt"]
        .iter()
        .any(|e| n.ends_with(e))
}

/// Expands the command-line inputs: folders recursively (sorted, hidden entries
/// skipped, only page and WARC files), files as given. Errors are returned beside
/// the inputs that could be listed, so one bad path does not stop the batch.
pub fn expand(args: &[String]) -> (Vec<Input>, Vec<InputError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for a in args {
        if a == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let p = Path::new(a);
        match fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, &mut inputs, &mut errors),
            Ok(_) => inputs.push(classify(p.to_path_buf())),
            Err(error) => errors.push(InputError {
                path: a.clone(),
                error,
            }),
        }
    }
    (inputs, errors)
}

fn classify(p: PathBuf) -> Input {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if is_warc_name(&name) {
        Input::Warc(p)
    } else {
        Input::File(p)
    }
}

fn walk(dir: &Path, inputs: &mut Vec<Input>, errors: &mut Vec<InputError>) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(error) => {
            errors.push(InputError {
                path: dir.display().to_string(),
                error,
            });
            return;
        }
    };
    let mut paths: Vec<(PathBuf, bool)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| {
            let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
            (e.path(), is_dir)
        })
        .collect();
    paths.sort();
    for (p, is_dir) in paths {
        if is_dir {
            walk(&p, inputs, errors);
            continue;
        }
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if is_warc_name(&name) {
            inputs.push(Input::Warc(p));
        } else if is_page_name(&name) {
            inputs.push(Input::File(p));
        }
    }
}

/// Reads at most [`MAX_PAGE_BYTES`] from `r`; more is an error naming the limit.
pub fn read_limited(mut r: impl Read) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.by_ref().take(MAX_PAGE_BYTES + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > MAX_PAGE_BYTES {
        return Err(io::Error::other(format!(
            "larger than the {} MiB page limit",
            MAX_PAGE_BYTES >> 20
        )));
    }
    Ok(buf)
}

/// Reads one page file (or stdin) into a [`Page`].
pub fn read_page(input: &Input) -> io::Result<Page> {
    let bytes = match input {
        Input::Stdin => read_limited(io::stdin().lock())?,
        Input::File(p) | Input::Warc(p) => read_limited(fs::File::open(p)?)?,
    };
    Ok(Page {
        source: input.name(),
        bytes,
        ..Default::default()
    })
}

/// Reads a list of inputs from a file (`-`: standard input), one path a line; blank
/// lines and `#` comments are skipped.
pub fn read_input_list(path: &Path) -> io::Result<Vec<String>> {
    let text = if path.as_os_str() == "-" {
        io::read_to_string(io::stdin().lock())?
    } else {
        fs::read_to_string(path)?
    };
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_and_warc_names() {
        assert!(is_page_name("a.html"));
        assert!(is_page_name("A.HTM.gz"));
        assert!(is_page_name("dump.txt"));
        assert!(!is_page_name("style.css"));
        assert!(is_warc_name("cc.warc.gz"));
        assert!(is_warc_name("ia.warc.zst"));
        assert!(!is_warc_name("cc.warc.txt"));
    }

    #[test]
    fn expand_walks_folders_sorted_and_reports_missing() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("sub")).unwrap();
        fs::write(d.path().join("b.html"), "x").unwrap();
        fs::write(d.path().join("a.htm"), "x").unwrap();
        fs::write(d.path().join("sub/c.html.gz"), "x").unwrap();
        fs::write(d.path().join("skip.css"), "x").unwrap();
        fs::write(d.path().join(".hidden.html"), "x").unwrap();
        let missing = d.path().join("nope.html").display().to_string();
        let (inputs, errors) = expand(&[d.path().display().to_string(), missing.clone()]);
        let names: Vec<String> = inputs
            .iter()
            .map(|i| match i {
                Input::File(p) => p.file_name().unwrap().to_string_lossy().into_owned(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(names, ["a.htm", "b.html", "c.html.gz"]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].path, missing);
    }

    #[test]
    fn read_limited_rejects_oversized() {
        let big = io::repeat(b'a').take(MAX_PAGE_BYTES + 10);
        let e = read_limited(big).unwrap_err();
        assert!(e.to_string().contains("page limit"));
    }
}
