//! Builds small WARC archives for the end-to-end tests: records by hand, gzip per
//! record as Common Crawl ships them, and news pages simple enough that any sound
//! extractor gives back exactly their headline and paragraphs.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

/// One WARC record: version line, headers, block, two CRLFs.
pub fn record(kind: &str, id: &str, headers: &[(&str, &str)], block: &[u8]) -> Vec<u8> {
    let mut head = format!(
        "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{id}>\r\n\
         WARC-Date: 2024-05-17T08:30:00Z\r\n"
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", block.len()));
    let mut out = head.into_bytes();
    out.extend_from_slice(block);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

/// An HTTP response: status line, headers, blank line, body.
pub fn http(status: &str, headers: &[&str], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n");
    for h in headers {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A `response` record for `uri` holding `http_block`.
pub fn response(id: &str, uri: &str, http_block: &[u8]) -> Vec<u8> {
    record(
        "response",
        id,
        &[
            ("WARC-Target-URI", uri),
            ("Content-Type", "application/http; msgtype=response"),
        ],
        http_block,
    )
}

/// The `request` record a crawler writes before each response.
pub fn request(id: &str, uri: &str) -> Vec<u8> {
    record(
        "request",
        id,
        &[
            ("WARC-Target-URI", uri),
            ("Content-Type", "application/http; msgtype=request"),
        ],
        format!("GET {uri} HTTP/1.1\r\nUser-Agent: test\r\n\r\n").as_bytes(),
    )
}

/// A news page: a headline and paragraphs in an `<article>`.
pub fn news_html(title: &str, paras: &[&str]) -> String {
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title}</title></head>\n<body><main><article><h1>{title}</h1>\n"
    );
    for p in paras {
        s.push_str(&format!("<p>{p}</p>\n"));
    }
    s.push_str("</article></main></body></html>\n");
    s
}

/// A 200 text/html response record holding `html` (UTF-8, declared).
pub fn html_response(id: &str, uri: &str, html: &str) -> Vec<u8> {
    response(
        id,
        uri,
        &http(
            "200 OK",
            &["Content-Type: text/html; charset=UTF-8"],
            html.as_bytes(),
        ),
    )
}

/// Gzip as one member.
pub fn gz(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

/// Writes records as a `.warc.gz` (one member each); returns each record's offset.
pub fn write_warc_gz(path: &Path, records: &[Vec<u8>]) -> Vec<u64> {
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    for r in records {
        offsets.push(out.len() as u64);
        out.extend_from_slice(&gz(r));
    }
    std::fs::write(path, out).unwrap();
    offsets
}

/// Writes records as a plain `.warc`; returns each record's offset.
pub fn write_warc(path: &Path, records: &[Vec<u8>]) -> Vec<u64> {
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    for r in records {
        offsets.push(out.len() as u64);
        out.extend_from_slice(r);
    }
    std::fs::write(path, out).unwrap();
    offsets
}

/// Runs the built binary.
pub fn gleaner(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gleaner"))
        .args(args)
        .output()
        .expect("run gleaner")
}

/// The JSON objects of a JSONL text.
pub fn jsonl(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l:?}: {e}")))
        .collect()
}

/// The `--stats` line's counts by name (`pages`, `written`, `errors`, …).
pub fn stats(stderr: &str) -> std::collections::HashMap<String, f64> {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("pages "))
        .unwrap_or_else(|| panic!("no stats line in {stderr}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    words
        .chunks(2)
        .filter_map(|c| Some((c[0].to_string(), c.get(1)?.parse().ok()?)))
        .collect()
}
