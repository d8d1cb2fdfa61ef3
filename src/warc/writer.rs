//! Writes fetched responses to a WARC 1.1 archive (`--warc DIR`), one gzip member per
//! record, so pages can be cleaned again later (`gleaner clean archive.warc.gz`).
//!
//! Bodies are stored as received after content decoding (gzip/brotli undone), so the
//! `Content-Encoding` header is dropped and `Content-Length` is set to the stored size.
//! Each archive file gets a unique name per run; a process killed mid-record leaves
//! at most one truncated last member, which readers report and skip.

use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Headers left out of the stored HTTP header block: they describe the transfer,
/// not the stored (decoded) body.
const TRANSFER_HEADERS: [&str; 3] = ["content-encoding", "transfer-encoding", "content-length"];

/// One response to archive.
#[derive(Debug, Clone, Copy)]
pub struct ResponseRecord<'a> {
    /// Target URI.
    pub url: &'a str,
    /// When it was fetched (RFC 3339).
    pub date: &'a str,
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: &'a [(String, String)],
    /// Body (decoded).
    pub body: &'a [u8],
}

/// An open `.warc.gz` archive.
pub struct WarcWriter {
    out: BufWriter<File>,
    path: PathBuf,
    counter: u64,
}

impl WarcWriter {
    /// Creates `DIR/gleaner-<unix time>-<pid>.warc.gz` (the folder is created if needed)
    /// and writes its `warcinfo` record.
    pub fn create(dir: &Path) -> io::Result<WarcWriter> {
        let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", dir.display()));
        fs::create_dir_all(dir).map_err(named)?;
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let path = dir.join(format!("gleaner-{secs}-{}.warc.gz", std::process::id()));
        let file = fs::OpenOptions::new()
            .create_new(true)
            .write(true)
            .open(&path)
            .map_err(named)?;
        let mut w = WarcWriter {
            out: BufWriter::new(file),
            path,
            counter: 0,
        };
        let info = format!(
            "software: gleaner/{}\r\nformat: WARC File Format 1.1\r\n",
            env!("CARGO_PKG_VERSION")
        );
        let date = crate::fetch::client::now_rfc3339();
        w.record(
            "warcinfo",
            None,
            &date,
            "application/warc-fields",
            info.as_bytes(),
            None,
        )?;
        Ok(w)
    }

    /// The archive's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one `response` record and flushes it to the file.
    pub fn write_response(&mut self, r: &ResponseRecord<'_>) -> io::Result<()> {
        let mut block = Vec::with_capacity(r.body.len() + 512);
        let reason = reqwest::StatusCode::from_u16(r.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        write!(block, "HTTP/1.1 {} {reason}\r\n", r.status)?;
        for (k, v) in r.headers {
            if !TRANSFER_HEADERS.contains(&k.to_ascii_lowercase().as_str()) {
                write!(block, "{k}: {}\r\n", v.replace(['\r', '\n'], " "))?;
            }
        }
        write!(block, "Content-Length: {}\r\n\r\n", r.body.len())?;
        block.extend_from_slice(r.body);
        let digest = format!("sha256:{}", hex(&Sha256::digest(r.body)));
        self.record(
            "response",
            Some(r.url),
            r.date,
            "application/http;msgtype=response",
            &block,
            Some(&digest),
        )
    }

    fn record(
        &mut self,
        kind: &str,
        url: Option<&str>,
        date: &str,
        content_type: &str,
        block: &[u8],
        payload_digest: Option<&str>,
    ) -> io::Result<()> {
        self.counter += 1;
        let id = self.record_id(url.unwrap_or(""), date);
        let mut head = format!(
            "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{id}>\r\nWARC-Date: {date}\r\n"
        );
        if let Some(u) = url {
            head.push_str(&format!("WARC-Target-URI: {u}\r\n"));
        }
        if let Some(d) = payload_digest {
            head.push_str(&format!("WARC-Payload-Digest: {d}\r\n"));
        }
        head.push_str(&format!(
            "WARC-Block-Digest: sha256:{}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            hex(&Sha256::digest(block)),
            block.len()
        ));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(head.as_bytes())?;
        gz.write_all(block)?;
        gz.write_all(b"\r\n\r\n")?;
        let member = gz.finish()?;
        let named =
            |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", self.path.display()));
        self.out.write_all(&member).map_err(named)?;
        self.out.flush().map_err(named)
    }

    /// A UUID-shaped record id, unique per file, record, URL and time.
    fn record_id(&self, url: &str, date: &str) -> String {
        let h = Sha256::digest(format!(
            "{}|{}|{url}|{date}",
            self.path.display(),
            self.counter
        ));
        let x = hex(&h[..16]);
        format!(
            "{}-{}-4{}-a{}-{}",
            &x[0..8],
            &x[8..12],
            &x[13..16],
            &x[17..20],
            &x[20..32]
        )
    }
}

fn hex(b: &[u8]) -> String {
    use std::fmt::Write as _;
    b.iter()
        .fold(String::with_capacity(b.len() * 2), |mut s, x| {
            let _ = write!(s, "{x:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn records_are_gzip_members_with_headers_and_body() {
        let d = tempfile::tempdir().unwrap();
        let mut w = WarcWriter::create(d.path()).unwrap();
        let headers = vec![
            (
                "content-type".to_string(),
                "text/html; charset=utf-8".to_string(),
            ),
            ("content-encoding".to_string(), "gzip".to_string()),
        ];
        w.write_response(&ResponseRecord {
            url: "http://x.test/a",
            date: "2026-01-01T00:00:00Z",
            status: 200,
            headers: &headers,
            body: b"<p>Hello</p>",
        })
        .unwrap();
        let path = w.path().to_path_buf();
        drop(w);
        let raw = fs::read(&path).unwrap();
        let mut text = String::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_string(&mut text)
            .unwrap();
        assert!(text.starts_with("WARC/1.1\r\nWARC-Type: warcinfo"));
        assert!(text.contains("WARC-Type: response\r\n"));
        assert!(text.contains("WARC-Target-URI: http://x.test/a\r\n"));
        assert!(text.contains("HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\nContent-Length: 12\r\n\r\n<p>Hello</p>\r\n\r\n"));
        assert!(!text.contains("content-encoding"));
    }
}
