//! Streaming WARC reader: plain `.warc` or `.warc.gz` (one gzip member per record, as
//! Common Crawl ships them; a single gzip stream over many records works too), and
//! `.warc.zst` (zstd frames, with the dictionary of the IIPC `.warc.zst` format when the
//! file carries one; offsets are then counted in the unpacked stream).
//!
//! Memory stays bounded whatever the archive size: records are read one at a time
//! through fixed buffers, headers are capped at [`MAX_HEADER_BYTES`], and a payload
//! larger than the page limit is skipped (with an error), never loaded. A truncated or
//! corrupt record is reported with its offset and the reader resynchronises on the
//! next gzip member (or `WARC/1.x` line) that starts a record, so one bad record costs
//! only itself. No input makes the reader panic.

use super::RecordError;
use crate::input::{MAX_PAGE_BYTES, Page, WarcOrigin};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// Largest WARC or HTTP header block accepted; anything longer is not a header.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// Read buffer for the archive file and for the decompressed stream.
const IO_BUFFER: usize = 256 * 1024;
/// Gzip's magic number and the deflate method byte: how a member starts.
const GZIP_MEMBER_START: [u8; 3] = [0x1f, 0x8b, 0x08];
/// Magic number of a zstd frame (little-endian 0xFD2FB528).
const ZSTD_FRAME: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];
/// Magic number of the skippable frame that holds a `.warc.zst` dictionary (0x184D2A5D).
const ZSTD_DICT_FRAME: [u8; 4] = [0x5D, 0x2A, 0x4D, 0x18];
/// Largest dictionary accepted from a `.warc.zst` file.
const MAX_DICT_BYTES: u32 = 64 << 20;

/// One step of a WARC stream.
#[derive(Debug)]
pub enum Item {
    /// A `response` record with an HTML payload, ready to clean.
    Page(Page),
    /// A well-formed record that holds no HTML page (request, metadata, image, redirect…).
    Skipped {
        /// Offset of the record (of its gzip member for `.warc.gz`).
        offset: u64,
        /// Why it was skipped, e.g. `request record`, `application/pdf payload`.
        reason: String,
    },
    /// A record that could not be read or whose page cannot be used.
    Error(RecordError),
}

/// A byte-counting buffered reader over the archive file, so record offsets are known.
struct Counting {
    inner: BufReader<File>,
    pos: u64,
}

impl Counting {
    /// Moves to `pos` (discarding the buffer, so the next fill starts exactly there).
    fn seek_to(&mut self, pos: u64) -> io::Result<()> {
        self.inner.seek(SeekFrom::Start(pos))?;
        self.pos = pos;
        Ok(())
    }
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl BufRead for Counting {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.pos += amt as u64;
    }
}

/// A byte-counting reader over an unpacked stream (`.warc.zst`), so record offsets
/// are known in it.
struct Tally<R> {
    inner: R,
    pos: u64,
}

impl<R: BufRead> Read for Tally<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tally<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.pos += amt as u64;
    }
}

/// The unpacked stream of a `.warc.zst` archive.
type ZstStream = Tally<BufReader<zstd::stream::read::Decoder<'static, Counting>>>;

/// Where the reader is in the archive.
enum Stream {
    /// A zstd-compressed archive (`.warc.zst`), read as one stream.
    Zst(Box<ZstStream>),
    /// An uncompressed archive.
    Plain(Counting),
    /// A gzipped archive, between two members.
    GzIdle(Counting),
    /// Inside the gzip member that starts at `start`.
    GzMember {
        start: u64,
        rd: Box<BufReader<flate2::bufread::GzDecoder<Counting>>>,
    },
    /// Finished (end of file, or an unrecoverable I/O error was reported).
    Done,
}

/// What one well-formed record gave.
enum Outcome {
    Page(Page),
    Skip(String),
    /// The record is intact but its page cannot be used (too large, unknown encoding…).
    Bad(String),
}

/// An iterator over the records of one WARC archive. See the module docs.
pub struct WarcReader {
    name: String,
    stream: Stream,
    max_payload: u64,
}

impl WarcReader {
    /// Opens `path` (gzip is recognised by its magic number, not by the name) with the
    /// crate's page limit ([`MAX_PAGE_BYTES`]) as the largest payload loaded.
    pub fn open(path: &Path) -> io::Result<WarcReader> {
        Self::open_with_limit(path, MAX_PAGE_BYTES)
    }

    /// Like [`WarcReader::open`] with a chosen payload limit in bytes.
    pub fn open_with_limit(path: &Path, max_payload: u64) -> io::Result<WarcReader> {
        let mut raw = Counting {
            inner: BufReader::with_capacity(IO_BUFFER, File::open(path)?),
            pos: 0,
        };
        let head = raw.fill_buf()?;
        let gz = head.starts_with(&GZIP_MEMBER_START[..2]);
        let zst = head.starts_with(&ZSTD_FRAME) || head.starts_with(&ZSTD_DICT_FRAME);
        let name = path.display().to_string();
        let stream = if zst {
            Stream::Zst(Box::new(open_zst(raw).map_err(|e| {
                io::Error::new(e.kind(), format!("{name}: not a readable .warc.zst: {e}"))
            })?))
        } else if gz {
            Stream::GzIdle(raw)
        } else {
            Stream::Plain(raw)
        };
        Ok(WarcReader {
            name,
            stream,
            max_payload,
        })
    }

    fn error(offset: u64, message: String) -> Item {
        Item::Error(RecordError {
            offset,
            message,
            skipped: false,
        })
    }

    fn item(&self, outcome: Outcome, offset: u64) -> Item {
        match outcome {
            Outcome::Page(mut p) => {
                p.source = format!("{}@{offset}", self.name);
                if let Some(w) = p.warc.as_mut() {
                    w.offset = offset;
                }
                Item::Page(p)
            }
            Outcome::Skip(reason) => Item::Skipped { offset, reason },
            Outcome::Bad(message) => Self::error(offset, message),
        }
    }

    fn step(&mut self) -> Option<Item> {
        loop {
            match std::mem::replace(&mut self.stream, Stream::Done) {
                Stream::Done => return None,
                Stream::Zst(mut rd) => {
                    let start = rd.pos;
                    match skip_newlines(&mut *rd).and_then(|()| rd.fill_buf().map(|b| b.is_empty()))
                    {
                        Ok(true) => return None,
                        Ok(false) => {}
                        Err(e) => return Some(Self::error(start, stream_error(&e))),
                    }
                    let start = rd.pos;
                    return match read_record(&mut *rd, self.max_payload) {
                        Ok(outcome) => {
                            self.stream = Stream::Zst(rd);
                            Some(self.item(outcome, start))
                        }
                        // A zstd stream cannot be re-entered after damage: report and stop.
                        Err(msg) => Some(Self::error(
                            start,
                            format!("{msg}; rest of the archive unreadable"),
                        )),
                    };
                }
                Stream::Plain(mut raw) => {
                    if let Err(e) = skip_newlines(&mut raw) {
                        return Some(Self::error(raw.pos, format!("cannot read: {e}")));
                    }
                    match raw.fill_buf() {
                        Ok([]) => return None,
                        Ok(_) => {}
                        Err(e) => return Some(Self::error(raw.pos, format!("cannot read: {e}"))),
                    }
                    let start = raw.pos;
                    match read_record(&mut raw, self.max_payload) {
                        Ok(outcome) => {
                            self.stream = Stream::Plain(raw);
                            return Some(self.item(outcome, start));
                        }
                        Err(msg) => {
                            if resync_plain(&mut raw, start + 1).unwrap_or(false) {
                                self.stream = Stream::Plain(raw);
                            }
                            return Some(Self::error(start, msg));
                        }
                    }
                }
                Stream::GzIdle(mut raw) => {
                    let start = raw.pos;
                    let is_member = match raw.fill_buf() {
                        Ok([]) => return None,
                        Ok(b) => b.starts_with(&GZIP_MEMBER_START[..2]),
                        Err(e) => return Some(Self::error(start, format!("cannot read: {e}"))),
                    };
                    if !is_member {
                        if resync_gzip(&mut raw, start + 1).unwrap_or(false) {
                            self.stream = Stream::GzIdle(raw);
                        }
                        return Some(Self::error(
                            start,
                            "not a gzip member: garbage between records, skipped".into(),
                        ));
                    }
                    let dec = flate2::bufread::GzDecoder::new(raw);
                    self.stream = Stream::GzMember {
                        start,
                        rd: Box::new(BufReader::with_capacity(IO_BUFFER, dec)),
                    };
                }
                Stream::GzMember { start, mut rd } => {
                    let at_end = match skip_newlines(&mut rd) {
                        Ok(()) => rd.fill_buf().map(|b| b.is_empty()),
                        Err(e) => Err(e),
                    };
                    let result = match at_end {
                        Ok(true) => {
                            // The member ended cleanly (its CRC checked): on to the next.
                            self.stream = Stream::GzIdle((*rd).into_inner().into_inner());
                            continue;
                        }
                        Ok(false) => read_record(&mut rd, self.max_payload),
                        Err(e) => Err(stream_error(&e)),
                    };
                    match result {
                        Ok(outcome) => {
                            self.stream = Stream::GzMember { start, rd };
                            return Some(self.item(outcome, start));
                        }
                        Err(msg) => {
                            let mut raw = (*rd).into_inner().into_inner();
                            if resync_gzip(&mut raw, start + 1).unwrap_or(false) {
                                self.stream = Stream::GzIdle(raw);
                            }
                            return Some(Self::error(start, msg));
                        }
                    }
                }
            }
        }
    }
}

impl Iterator for WarcReader {
    type Item = Item;
    fn next(&mut self) -> Option<Item> {
        self.step()
    }
}

/// A `resource` record (what wget, browsertrix and archiving tools write for a
/// document stored without its HTTP exchange): the block is the document itself and
/// the record's `Content-Type` says what it is.
fn read_resource(
    r: &mut impl BufRead,
    headers: &[(String, String)],
    len: u64,
    max_payload: u64,
) -> Result<Outcome, String> {
    let content_type = header(headers, "content-type").unwrap_or("");
    if !is_html_type(content_type) {
        let reason = format!("resource record of type {}", mime(content_type));
        discard(r, len)?;
        return Ok(Outcome::Skip(reason));
    }
    match read_payload(r, len, max_payload)? {
        Some(body) => Ok(Outcome::Page(page(headers, body, Some(content_type)))),
        None => Ok(too_large(len, max_payload)),
    }
}

/// Opens the unpacked stream of a `.warc.zst` archive: reads the dictionary frame
/// when there is one (its content may itself be zstd-compressed) and decodes the
/// frames after it with that dictionary.
fn open_zst(mut raw: Counting) -> io::Result<ZstStream> {
    let mut dict = Vec::new();
    if raw.fill_buf()?.starts_with(&ZSTD_DICT_FRAME) {
        let mut hdr = [0u8; 8];
        raw.read_exact(&mut hdr)?;
        let size = u32::from_le_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]);
        if size > MAX_DICT_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("dictionary frame of {size} bytes is larger than allowed"),
            ));
        }
        dict.resize(size as usize, 0);
        raw.read_exact(&mut dict)?;
        if dict.starts_with(&ZSTD_FRAME) {
            dict = zstd::stream::decode_all(&dict[..])?;
        }
    }
    let dec = if dict.is_empty() {
        zstd::stream::read::Decoder::with_buffer(raw)?
    } else {
        zstd::stream::read::Decoder::with_dictionary(raw, &dict)?
    };
    Ok(Tally {
        inner: BufReader::with_capacity(IO_BUFFER, dec),
        pos: 0,
    })
}

/// The message for an I/O error inside a record.
fn stream_error(e: &io::Error) -> String {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        "truncated record: the archive ends inside it".into()
    } else {
        format!("corrupt record: {e}")
    }
}

/// Skips the blank lines between records.
fn skip_newlines(r: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buf = r.fill_buf()?;
        let n = buf
            .iter()
            .position(|&b| b != b'\r' && b != b'\n')
            .unwrap_or(buf.len());
        let all = n == buf.len();
        r.consume(n);
        if !all || n == 0 {
            return Ok(());
        }
    }
}

/// Reads one line (with its `\n`) into `line`, adding its length to `total`; an error
/// when `total` passes [`MAX_HEADER_BYTES`]. Returns false at end of stream.
fn read_header_line(
    r: &mut impl BufRead,
    line: &mut Vec<u8>,
    total: &mut usize,
) -> Result<bool, String> {
    line.clear();
    loop {
        let buf = r.fill_buf().map_err(|e| stream_error(&e))?;
        if buf.is_empty() {
            return Ok(!line.is_empty());
        }
        let (n, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        *total += n;
        if *total > MAX_HEADER_BYTES {
            return Err(format!(
                "corrupt record: header longer than {} KiB",
                MAX_HEADER_BYTES >> 10
            ));
        }
        line.extend_from_slice(&buf[..n]);
        r.consume(n);
        if done {
            return Ok(true);
        }
    }
}

/// Header lines up to the blank line, as (lower-case name, value) pairs; folded
/// continuation lines are joined to the header they continue. `first` receives the
/// first line (version or status line). Err on end of stream or an oversized block.
fn read_headers(r: &mut impl BufRead, first: &mut String) -> Result<Vec<(String, String)>, String> {
    let mut line = Vec::with_capacity(256);
    let mut total = 0;
    if !read_header_line(r, &mut line, &mut total)? {
        return Err("truncated record: the archive ends inside it".into());
    }
    *first = String::from_utf8_lossy(trim_eol(&line)).into_owned();
    let mut headers: Vec<(String, String)> = Vec::with_capacity(16);
    loop {
        if !read_header_line(r, &mut line, &mut total)? {
            return Err("truncated record: the archive ends inside its header".into());
        }
        let l = trim_eol(&line);
        if l.is_empty() {
            return Ok(headers);
        }
        if l[0] == b' ' || l[0] == b'\t' {
            if let Some((_, v)) = headers.last_mut() {
                v.push(' ');
                v.push_str(String::from_utf8_lossy(l).trim());
            }
            continue;
        }
        if let Some(colon) = memchr::memchr(b':', l) {
            let name = String::from_utf8_lossy(&l[..colon])
                .trim()
                .to_ascii_lowercase();
            let value = String::from_utf8_lossy(&l[colon + 1..]).trim().to_string();
            headers.push((name, value));
        }
        // A line without a colon is noise; real writers do not produce it.
    }
}

fn trim_eol(l: &[u8]) -> &[u8] {
    let l = l.strip_suffix(b"\n").unwrap_or(l);
    l.strip_suffix(b"\r").unwrap_or(l)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Reads and discards `n` bytes; an error when the stream ends first.
fn discard(r: &mut impl BufRead, n: u64) -> Result<(), String> {
    let got = io::copy(&mut r.by_ref().take(n), &mut io::sink()).map_err(|e| stream_error(&e))?;
    if got < n {
        return Err(format!(
            "truncated record: {n} more bytes declared, {got} present"
        ));
    }
    Ok(())
}

/// Reads one record (the stream is at its version line) and the blank lines after it.
/// Err means the record is corrupt and the caller must resynchronise.
fn read_record(r: &mut impl BufRead, max_payload: u64) -> Result<Outcome, String> {
    let mut first = String::new();
    let headers = read_headers(r, &mut first)?;
    if !first.starts_with("WARC/") {
        return Err(format!(
            "corrupt record: expected a WARC/1.x version line, found {:?}",
            first.chars().take(40).collect::<String>()
        ));
    }
    let len: u64 = header(&headers, "content-length")
        .and_then(|v| v.parse().ok())
        .ok_or("corrupt record: no valid Content-Length")?;
    let outcome = read_block(r, &headers, len, max_payload)?;
    end_of_record(r)?;
    Ok(outcome)
}

/// After a block come two CRLFs, then the next record or the end of the stream.
/// Anything else means the declared length was wrong.
fn end_of_record(r: &mut impl BufRead) -> Result<(), String> {
    skip_newlines(r).map_err(|e| stream_error(&e))?;
    match r.fill_buf().map_err(|e| stream_error(&e))? {
        [] | [b'W', ..] => Ok(()),
        _ => Err("corrupt record: its Content-Length does not match its content".into()),
    }
}

/// Reads the `len`-byte block of a record with these headers.
fn read_block(
    r: &mut impl BufRead,
    headers: &[(String, String)],
    len: u64,
    max_payload: u64,
) -> Result<Outcome, String> {
    let kind = header(headers, "warc-type").unwrap_or("(untyped)");
    if kind.eq_ignore_ascii_case("resource") {
        return read_resource(r, headers, len, max_payload);
    }
    if !kind.eq_ignore_ascii_case("response") {
        let reason = format!("{kind} record");
        discard(r, len)?;
        return Ok(Outcome::Skip(reason));
    }
    let record_type = header(headers, "content-type").unwrap_or("application/http");
    if !mime(record_type).starts_with("application/http") {
        let reason = format!("response record of type {record_type}, not HTTP");
        discard(r, len)?;
        return Ok(Outcome::Skip(reason));
    }
    let mut block = r.by_ref().take(len);
    let mut status_line = String::new();
    let http = match read_headers(&mut block, &mut status_line) {
        Ok(h) if status_line.starts_with("HTTP/") => h,
        _ => {
            // Truncation shows here as a short block; otherwise the record is intact.
            let rest = block.limit();
            discard(&mut block, rest)?;
            return Ok(Outcome::Bad(
                "response record without a valid HTTP header".into(),
            ));
        }
    };
    let body_len = block.limit();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    if !(200..300).contains(&status) {
        discard(&mut block, body_len)?;
        return Ok(Outcome::Skip(format!("HTTP status {status}")));
    }
    let content_type = header(&http, "content-type")
        .or_else(|| header(headers, "warc-identified-payload-type"))
        .map(str::to_string);
    if let Some(ct) = &content_type {
        if !is_html_type(ct) {
            discard(&mut block, body_len)?;
            return Ok(Outcome::Skip(format!("{} payload", mime(ct))));
        }
    }
    let Some(mut body) = read_payload(&mut block, body_len, max_payload)? else {
        return Ok(too_large(body_len, max_payload));
    };
    if header(&http, "transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        if let Some(d) = dechunk(&body) {
            body = d;
        }
    }
    if let Some(enc) = header(&http, "content-encoding") {
        match decode_content(&body, enc, max_payload) {
            Ok(Some(d)) => body = d,
            Ok(None) => {}
            Err(msg) => return Ok(Outcome::Bad(msg)),
        }
    }
    if content_type.is_none()
        && !crate::pipeline::looks_like_html(&String::from_utf8_lossy(
            &body[..body.len().min(2048)],
        ))
    {
        return Ok(Outcome::Skip(
            "payload without Content-Type, not HTML".into(),
        ));
    }
    Ok(Outcome::Page(page(headers, body, content_type.as_deref())))
}

/// Reads a payload of `len` bytes; None (and the payload passed over) when it is larger
/// than `max`, an error when the record ends before it does.
fn read_payload(r: &mut impl BufRead, len: u64, max: u64) -> Result<Option<Vec<u8>>, String> {
    if len > max {
        discard(r, len)?;
        return Ok(None);
    }
    let mut body = Vec::with_capacity(len.min(1 << 20) as usize);
    r.take(len)
        .read_to_end(&mut body)
        .map_err(|e| stream_error(&e))?;
    if (body.len() as u64) < len {
        return Err(format!(
            "truncated record: payload of {len} bytes declared, {} present",
            body.len()
        ));
    }
    Ok(Some(body))
}

/// The error for a payload over the page limit.
fn too_large(len: u64, max: u64) -> Outcome {
    Outcome::Bad(format!(
        "payload of {len} bytes is larger than the {} MiB page limit; skipped",
        max >> 20
    ))
}

/// The page of a record: URL from `WARC-Target-URI`, fetch date from `WARC-Date`,
/// declared charset from the payload's `Content-Type`.
fn page(headers: &[(String, String)], body: Vec<u8>, content_type: Option<&str>) -> Page {
    let date = header(headers, "warc-date").unwrap_or_default().to_string();
    Page {
        source: String::new(),
        url: header(headers, "warc-target-uri")
            .map(|u| u.trim_start_matches('<').trim_end_matches('>').to_string()),
        bytes: body,
        charset: content_type
            .map(crate::decode::charset_param)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        fetched: (!date.is_empty()).then(|| date.clone()),
        warc: Some(WarcOrigin {
            record_id: header(headers, "warc-record-id")
                .unwrap_or_default()
                .to_string(),
            date,
            offset: 0,
        }),
    }
}

/// The media type of a `Content-Type` value, lower-case, without parameters.
fn mime(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// True for the media types of HTML documents.
fn is_html_type(content_type: &str) -> bool {
    matches!(
        mime(content_type).as_str(),
        "text/html" | "application/xhtml+xml" | "application/html" | "text/xhtml"
    )
}

/// Decodes a `Transfer-Encoding: chunked` body. None when the body does not start
/// like a chunked one (crawlers often de-chunk but keep the header). A body cut
/// inside a chunk keeps what arrived.
fn dechunk(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    let mut first = true;
    loop {
        let Some(eol) = memchr::memchr(b'\n', rest) else {
            return (!first).then_some(out);
        };
        let line = trim_eol(&rest[..=eol]);
        let size_field = line.split(|&b| b == b';').next().unwrap_or(b"");
        let size_field = std::str::from_utf8(size_field).ok()?.trim();
        let Ok(size) = usize::from_str_radix(size_field, 16) else {
            return (!first).then_some(out);
        };
        if size_field.is_empty() {
            return (!first).then_some(out);
        }
        first = false;
        rest = &rest[eol + 1..];
        if size == 0 {
            return Some(out);
        }
        let take = size.min(rest.len());
        out.extend_from_slice(&rest[..take]);
        rest = &rest[take..];
        if take < size {
            return Some(out);
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .or_else(|| rest.strip_prefix(b"\n"))
            .unwrap_or(rest);
    }
}

/// Magic bytes of a zstd frame.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];

/// Undoes a `Content-Encoding` (gzip, deflate, br, zstd). Ok(None) when there is nothing to do (identity, or the
/// crawler already decoded the body); Err when the encoding is unsupported.
fn decode_content(body: &[u8], encoding: &str, limit: u64) -> Result<Option<Vec<u8>>, String> {
    let enc = encoding.trim().to_ascii_lowercase();
    let unpack = |r: &mut dyn Read| -> Option<Vec<u8>> {
        // Room for a typical 4:1 ratio, never more than the limit up front.
        let mut out = Vec::with_capacity((body.len() * 4).min(limit as usize).min(16 << 20));
        let res = r.take(limit + 1).read_to_end(&mut out);
        // A truncated stream still holds most of the page: keep what arrived.
        (res.is_ok() || !out.is_empty()).then_some(out)
    };
    let out = match enc.as_str() {
        "" | "identity" | "none" => return Ok(None),
        "gzip" | "x-gzip" if body.starts_with(&GZIP_MEMBER_START[..2]) => {
            unpack(&mut flate2::read::MultiGzDecoder::new(body))
        }
        "deflate" => unpack(&mut flate2::read::ZlibDecoder::new(body))
            .or_else(|| unpack(&mut flate2::read::DeflateDecoder::new(body))),
        "gzip" | "x-gzip" => return Ok(None),
        "br" => unpack(&mut brotli_decompressor::Decompressor::new(body, 4096)),
        "zstd" if body.starts_with(&ZSTD_MAGIC) => match zstd::stream::read::Decoder::new(body) {
            Ok(mut d) => unpack(&mut d),
            Err(e) => return Err(format!("bad zstd payload: {e}; page skipped")),
        },
        "zstd" => return Ok(None),
        other => {
            return Err(format!(
                "Content-Encoding {other} is not supported; page skipped"
            ));
        }
    };
    match out {
        Some(o) if o.len() as u64 > limit => Err(format!(
            "payload unpacks to more than the {} MiB page limit; skipped",
            limit >> 20
        )),
        Some(o) => Ok(Some(o)),
        // Declared deflate but not: assume the crawler decoded it already.
        None => Ok(None),
    }
}

/// Looks for the next gzip member that starts a WARC record, from `from` on; leaves
/// `raw` there. False when there is none.
fn resync_gzip(raw: &mut Counting, from: u64) -> io::Result<bool> {
    raw.seek_to(from)?;
    loop {
        let base = raw.pos;
        let buf = raw.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        let Some(i) = memchr::memchr(GZIP_MEMBER_START[0], buf) else {
            let n = buf.len();
            raw.consume(n);
            continue;
        };
        if i + GZIP_MEMBER_START.len() > buf.len() {
            // Too close to the buffer's end to check: refill from the candidate.
            let at = base + i as u64;
            raw.seek_to(at)?;
            if raw.fill_buf()?.len() < GZIP_MEMBER_START.len() {
                return Ok(false);
            }
            continue;
        }
        let at = base + i as u64;
        if buf[i..].starts_with(&GZIP_MEMBER_START) {
            raw.seek_to(at)?;
            let mut head = [0u8; 5];
            let mut dec = flate2::bufread::GzDecoder::new(&mut *raw);
            let ok = dec.read_exact(&mut head).is_ok() && &head == b"WARC/";
            raw.seek_to(at)?;
            if ok {
                return Ok(true);
            }
        }
        raw.seek_to(at + 1)?;
    }
}

/// Looks for the next `WARC/1.x` version line from `from` on; leaves `raw` there.
fn resync_plain(raw: &mut Counting, from: u64) -> io::Result<bool> {
    const NEEDLE: &[u8] = b"WARC/";
    /// Bytes of a version line checked after `WARC/`: `1.0\r\n` at most.
    const VERSION_LEN: usize = 5;
    raw.seek_to(from)?;
    let finder = memchr::memmem::Finder::new(NEEDLE);
    loop {
        let base = raw.pos;
        let buf = raw.fill_buf()?;
        if buf.len() < NEEDLE.len() {
            return Ok(false);
        }
        let Some(i) = finder.find(buf) else {
            // Keep the tail: the needle may straddle two buffers.
            let keep = NEEDLE.len() - 1;
            let at = base + (buf.len() - keep) as u64;
            raw.seek_to(at)?;
            if raw.fill_buf()?.len() <= keep {
                return Ok(false);
            }
            continue;
        };
        let at = base + i as u64;
        if i + NEEDLE.len() + VERSION_LEN > buf.len() {
            raw.seek_to(at)?;
            if raw.fill_buf()?.len() < NEEDLE.len() + VERSION_LEN {
                return Ok(false);
            }
            let b = raw.fill_buf()?;
            if is_version_line(&b[NEEDLE.len()..]) {
                return Ok(true);
            }
        } else if is_version_line(&buf[i + NEEDLE.len()..]) {
            raw.seek_to(at)?;
            return Ok(true);
        }
        raw.seek_to(at + 1)?;
    }
}

/// True when `b` (what follows `WARC/`) reads `D.D` then an end of line.
fn is_version_line(b: &[u8]) -> bool {
    matches!(b, [d1, b'.', d2, rest @ ..] if d1.is_ascii_digit() && d2.is_ascii_digit()
        && (rest.starts_with(b"\r\n") || rest.starts_with(b"\n")
            || rest.first().is_some_and(u8::is_ascii_digit)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// One WARC record with a block.
    fn rec(kind: &str, id: u32, headers: &[(&str, &str)], block: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{id:08}>\r\n\
             WARC-Date: 2024-03-0{}T10:00:00Z\r\n",
            id % 9 + 1
        );
        for (k, v) in headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str(&format!("Content-Length: {}\r\n\r\n", block.len()));
        let mut out = out.into_bytes();
        out.extend_from_slice(block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    fn http(status: &str, headers: &[&str], body: &[u8]) -> Vec<u8> {
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

    fn response(id: u32, uri: &str, http_block: &[u8]) -> Vec<u8> {
        rec(
            "response",
            id,
            &[
                ("WARC-Target-URI", uri),
                ("Content-Type", "application/http; msgtype=response"),
            ],
            http_block,
        )
    }

    fn html_page(id: u32, text: &str) -> Vec<u8> {
        let body = format!("<html><body><p>{text}</p></body></html>");
        response(
            id,
            &format!("https://news.test/{id}"),
            &http(
                "200 OK",
                &["Content-Type: text/html; charset=utf-8"],
                body.as_bytes(),
            ),
        )
    }

    fn gz(b: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    }

    fn read_all(bytes: &[u8], limit: u64) -> Vec<Item> {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(bytes).unwrap();
        f.flush().unwrap();
        WarcReader::open_with_limit(f.path(), limit)
            .unwrap()
            .collect()
    }

    /// A compact picture of a stream: `P@offset:url`, `S@offset:reason`, `E@offset`.
    fn summary(items: &[Item]) -> Vec<String> {
        items
            .iter()
            .map(|i| match i {
                Item::Page(p) => {
                    let w = p.warc.as_ref().unwrap();
                    format!("P@{}:{}", w.offset, p.url.as_deref().unwrap_or("-"))
                }
                Item::Skipped { offset, reason } => format!("S@{offset}:{reason}"),
                Item::Error(e) => format!("E@{}", e.offset),
            })
            .collect()
    }

    fn mixed_records() -> Vec<Vec<u8>> {
        vec![
            rec(
                "warcinfo",
                1,
                &[("Content-Type", "application/warc-fields")],
                b"software: test\r\n",
            ),
            rec(
                "request",
                2,
                &[("WARC-Target-URI", "https://news.test/2")],
                b"GET / HTTP/1.1\r\n\r\n",
            ),
            html_page(3, "First story."),
            response(
                4,
                "https://news.test/report.pdf",
                &http("200 OK", &["Content-Type: application/pdf"], b"%PDF-1.7"),
            ),
            response(
                5,
                "https://news.test/old",
                &http("301 Moved Permanently", &["Location: /new"], b""),
            ),
            rec("metadata", 6, &[], b"fetchTimeMs: 12\r\n"),
            html_page(7, "Second story."),
        ]
    }

    #[test]
    fn plain_warc_pages_skips_and_offsets() {
        let recs = mixed_records();
        let offsets: Vec<usize> = recs
            .iter()
            .scan(0, |o, r| {
                let at = *o;
                *o += r.len();
                Some(at)
            })
            .collect();
        let items = read_all(&recs.concat(), MAX_PAGE_BYTES);
        assert_eq!(
            summary(&items),
            [
                format!("S@{}:warcinfo record", offsets[0]),
                format!("S@{}:request record", offsets[1]),
                format!("P@{}:https://news.test/3", offsets[2]),
                format!("S@{}:application/pdf payload", offsets[3]),
                format!("S@{}:HTTP status 301", offsets[4]),
                format!("S@{}:metadata record", offsets[5]),
                format!("P@{}:https://news.test/7", offsets[6]),
            ]
        );
        let Item::Page(p) = &items[2] else { panic!() };
        assert_eq!(p.bytes, b"<html><body><p>First story.</p></body></html>");
        assert_eq!(p.charset.as_deref(), Some("utf-8"));
        assert_eq!(p.fetched.as_deref(), Some("2024-03-04T10:00:00Z"));
        let w = p.warc.as_ref().unwrap();
        assert_eq!(w.record_id, "<urn:uuid:00000003>");
        assert_eq!(w.date, "2024-03-04T10:00:00Z");
        assert!(p.source.ends_with(&format!("@{}", offsets[2])));
    }

    #[test]
    fn gzip_members_give_member_offsets() {
        let members: Vec<Vec<u8>> = mixed_records().iter().map(|r| gz(r)).collect();
        let mut at = 0;
        let mut offsets = vec![];
        for m in &members {
            offsets.push(at);
            at += m.len();
        }
        let items = read_all(&members.concat(), MAX_PAGE_BYTES);
        let s = summary(&items);
        assert_eq!(s.len(), 7);
        assert_eq!(s[2], format!("P@{}:https://news.test/3", offsets[2]));
        assert_eq!(s[6], format!("P@{}:https://news.test/7", offsets[6]));
        assert_eq!(s[3], format!("S@{}:application/pdf payload", offsets[3]));
    }

    #[test]
    fn whole_file_gzip_stream_reads_every_record() {
        let items = read_all(&gz(&mixed_records().concat()), MAX_PAGE_BYTES);
        let pages: Vec<_> = summary(&items)
            .into_iter()
            .filter(|s| s.starts_with('P'))
            .collect();
        assert_eq!(
            pages,
            ["P@0:https://news.test/3", "P@0:https://news.test/7"]
        );
    }

    #[test]
    fn truncated_last_member_is_reported_after_good_pages() {
        let a = gz(&html_page(1, "One."));
        let b = gz(&html_page(2, "Two."));
        let cut = &b[..b.len() / 2];
        let items = read_all(&[a.clone(), cut.to_vec()].concat(), MAX_PAGE_BYTES);
        assert_eq!(
            summary(&items),
            [
                "P@0:https://news.test/1".to_string(),
                format!("E@{}", a.len())
            ]
        );
        let Item::Error(e) = &items[1] else { panic!() };
        assert!(e.message.contains("truncated"), "{}", e.message);
    }

    #[test]
    fn truncated_member_followed_by_good_one_resyncs() {
        let a = gz(&html_page(1, "One."));
        let b = gz(&html_page(2, "Two."));
        let c = gz(&html_page(3, "Three."));
        let cut = &b[..b.len() - 12];
        let data = [a.clone(), cut.to_vec(), c].concat();
        assert_eq!(
            summary(&read_all(&data, MAX_PAGE_BYTES)),
            [
                "P@0:https://news.test/1".to_string(),
                format!("E@{}", a.len()),
                format!("P@{}:https://news.test/3", a.len() + cut.len()),
            ]
        );
    }

    #[test]
    fn bad_crc_and_garbage_between_members_are_errors_not_stops() {
        let a = gz(&html_page(1, "One."));
        let mut b = gz(&html_page(2, "Two."));
        let n = b.len();
        b[n - 6] ^= 0xff; // inside the CRC32 trailer
        let c = gz(&html_page(3, "Three."));
        let junk = b"\0\0garbage".to_vec();
        let d = gz(&html_page(4, "Four."));
        let data = [a.clone(), b.clone(), c.clone(), junk.clone(), d].concat();
        let at_c = a.len() + b.len();
        assert_eq!(
            summary(&read_all(&data, MAX_PAGE_BYTES)),
            [
                "P@0:https://news.test/1".to_string(),
                format!("E@{}", a.len()),
                format!("P@{at_c}:https://news.test/3"),
                format!("E@{}", at_c + c.len()),
                format!("P@{}:https://news.test/4", at_c + c.len() + junk.len()),
            ]
        );
    }

    #[test]
    fn plain_record_with_wrong_length_is_reported_and_skipped() {
        let a = html_page(1, "One.");
        // Declares more bytes than the record holds: it swallows the next record's start.
        let b = String::from_utf8(html_page(2, "Two."))
            .unwrap()
            .replace("Content-Length: ", "Content-Length: 1")
            .into_bytes();
        let c = html_page(3, "Three.");
        let data = [a.clone(), b.clone(), c].concat();
        assert_eq!(
            summary(&read_all(&data, MAX_PAGE_BYTES)),
            [
                "P@0:https://news.test/1".to_string(),
                format!("E@{}", a.len()),
                format!("P@{}:https://news.test/3", a.len() + b.len()),
            ]
        );
    }

    #[test]
    fn oversized_payload_is_an_error_and_not_loaded() {
        let big = "x".repeat(5000);
        let data = [html_page(1, &big), html_page(2, "Small.")].concat();
        let items = read_all(&data, 4096);
        let s = summary(&items);
        assert_eq!(s[0], "E@0");
        assert!(s[1].starts_with("P@") && s[1].ends_with("/2"));
        let Item::Error(e) = &items[0] else { panic!() };
        assert!(e.message.contains("page limit"), "{}", e.message);
    }

    #[test]
    fn chunked_and_gzipped_bodies_are_decoded() {
        let html = b"<html><body><p>Chunked and gzipped story text.</p></body></html>";
        let z = gz(html);
        let mut chunked = Vec::new();
        for part in z.chunks(10) {
            chunked.extend_from_slice(format!("{:x};ext=1\r\n", part.len()).as_bytes());
            chunked.extend_from_slice(part);
            chunked.extend_from_slice(b"\r\n");
        }
        chunked.extend_from_slice(b"0\r\n\r\n");
        let block = http(
            "200 OK",
            &[
                "Content-Type: text/html",
                "Transfer-Encoding: chunked",
                "Content-Encoding: gzip",
            ],
            &chunked,
        );
        let items = read_all(&response(1, "https://news.test/c", &block), MAX_PAGE_BYTES);
        let Item::Page(p) = &items[0] else {
            panic!("{items:?}")
        };
        assert_eq!(p.bytes, html);
        assert_eq!(p.charset, None);
        // Crawlers often decode but keep the headers: the body is left as it is.
        let block = http(
            "200 OK",
            &[
                "Content-Type: text/html",
                "Transfer-Encoding: chunked",
                "Content-Encoding: gzip",
            ],
            html,
        );
        let items = read_all(&response(2, "https://news.test/d", &block), MAX_PAGE_BYTES);
        let Item::Page(p) = &items[0] else { panic!() };
        assert_eq!(p.bytes, html);
    }

    #[test]
    fn warc_zst_with_and_without_a_dictionary() {
        let records = mixed_records();
        let plain = records.concat();
        let expect: Vec<String> = summary(&read_all(&plain, MAX_PAGE_BYTES));
        // One frame per record, no dictionary.
        let frames: Vec<u8> = records
            .iter()
            .flat_map(|r| zstd::encode_all(&r[..], 3).unwrap())
            .collect();
        assert_eq!(summary(&read_all(&frames, MAX_PAGE_BYTES)), expect);
        // The IIPC layout: a skippable frame with the dictionary (raw, or itself
        // compressed), then one frame per record compressed with it.
        let dict = b"WARC/1.0\r\nWARC-Type: response\r\nContent-Type: application/http; msgtype=response\r\n".repeat(4);
        for packed in [false, true] {
            let content = if packed {
                zstd::encode_all(&dict[..], 3).unwrap()
            } else {
                dict.clone()
            };
            let mut file = ZSTD_DICT_FRAME.to_vec();
            file.extend_from_slice(&(content.len() as u32).to_le_bytes());
            file.extend_from_slice(&content);
            for r in &records {
                let mut enc =
                    zstd::stream::write::Encoder::with_dictionary(Vec::new(), 3, &dict).unwrap();
                enc.write_all(r).unwrap();
                file.extend(enc.finish().unwrap());
            }
            assert_eq!(
                summary(&read_all(&file, MAX_PAGE_BYTES)),
                expect,
                "packed {packed}"
            );
        }
        // A cut-off archive gives the records before the cut, then one error.
        let cut = &frames[..frames.len() - 20];
        let items = read_all(cut, MAX_PAGE_BYTES);
        assert!(matches!(items.last(), Some(Item::Error(_))), "{items:?}");
        assert_eq!(
            summary(&items[..items.len() - 1]),
            expect[..items.len() - 1]
        );
    }

    #[test]
    fn resource_records_with_html_are_pages() {
        let html = "<html><body><p>A page archived as a resource.</p></body></html>";
        let page = rec(
            "resource",
            1,
            &[
                ("WARC-Target-URI", "https://news.test/r"),
                ("Content-Type", "text/html; charset=windows-1252"),
            ],
            html.as_bytes(),
        );
        let image = rec(
            "resource",
            2,
            &[
                ("WARC-Target-URI", "https://news.test/i.png"),
                ("Content-Type", "image/png"),
            ],
            b"\x89PNG....",
        );
        let items = read_all(&[page, image].concat(), MAX_PAGE_BYTES);
        let Item::Page(p) = &items[0] else {
            panic!("{items:?}")
        };
        assert_eq!(p.bytes, html.as_bytes());
        assert_eq!(p.url.as_deref(), Some("https://news.test/r"));
        assert_eq!(p.charset.as_deref(), Some("windows-1252"));
        assert!(matches!(&items[1], Item::Skipped { reason, .. } if reason.contains("image/png")));
    }

    #[test]
    fn brotli_and_zstd_bodies_are_decoded() {
        let html = b"<html><body><p>A story sent with a modern encoding.</p></body></html>";
        let mut br = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
            w.write_all(html).unwrap();
        }
        let zst = zstd::encode_all(&html[..], 3).unwrap();
        for (n, (enc, body)) in [("br", &br), ("zstd", &zst)].into_iter().enumerate() {
            let header = format!("Content-Encoding: {enc}");
            let block = http("200 OK", &["Content-Type: text/html", &header], body);
            let items = read_all(
                &response(n as u32, "https://news.test/e", &block),
                MAX_PAGE_BYTES,
            );
            let Item::Page(p) = &items[0] else {
                panic!("{enc}: {items:?}")
            };
            assert_eq!(p.bytes, html, "{enc}");
        }
        // Declared but already decoded by the crawler: the body is left as it is.
        for enc in ["br", "zstd"] {
            let header = format!("Content-Encoding: {enc}");
            let block = http("200 OK", &["Content-Type: text/html", &header], html);
            let items = read_all(&response(9, "https://news.test/f", &block), MAX_PAGE_BYTES);
            let Item::Page(p) = &items[0] else {
                panic!("{enc}: {items:?}")
            };
            assert_eq!(p.bytes, html, "{enc}");
        }
    }

    #[test]
    fn untyped_payload_is_sniffed_and_lf_only_records_read() {
        let html = rec(
            "response",
            1,
            &[("WARC-Target-URI", "<https://news.test/a>")],
            b"HTTP/1.0 200 OK\n\n<!DOCTYPE html><p>Hi</p>",
        );
        let html = String::from_utf8(html).unwrap().replace("\r\n", "\n");
        let text = response(
            2,
            "https://news.test/b",
            &http("200 OK", &[], b"just bytes"),
        );
        let items = read_all(&[html.into_bytes(), text].concat(), MAX_PAGE_BYTES);
        let s = summary(&items);
        assert_eq!(s[0], "P@0:https://news.test/a");
        assert!(
            s[1].ends_with("payload without Content-Type, not HTML"),
            "{s:?}"
        );
    }

    #[test]
    fn dechunk_edge_cases() {
        assert_eq!(dechunk(b"3\r\nabc\r\n0\r\n\r\n").unwrap(), b"abc");
        assert_eq!(dechunk(b"5\r\nab").unwrap(), b"ab");
        assert_eq!(dechunk(b"<html>"), None);
        assert_eq!(dechunk(b"zz\r\nabc"), None);
        assert_eq!(dechunk(b""), None);
    }

    #[test]
    fn not_a_warc_gives_one_error() {
        let items = read_all(b"<html>this is not an archive</html>\n", MAX_PAGE_BYTES);
        assert_eq!(summary(&items), ["E@0"]);
        assert!(read_all(b"", MAX_PAGE_BYTES).is_empty());
    }

    /// Every prefix and many byte flips of a small archive: the reader ends, never
    /// panics, and never reports a page it did not fully read.
    #[test]
    fn garbage_never_panics() {
        for data in [
            mixed_records().concat(),
            mixed_records()
                .iter()
                .map(|r| gz(r))
                .collect::<Vec<_>>()
                .concat(),
        ] {
            for cut in (0..data.len()).step_by(7) {
                let items = read_all(&data[..cut], 1 << 20);
                for i in &items {
                    if let Item::Page(p) = i {
                        assert!(p.bytes.ends_with(b"</html>"));
                    }
                }
            }
            let mut seed = 0x9e3779b97f4a7c15u64;
            for _ in 0..200 {
                let mut d = data.clone();
                for _ in 0..3 {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let at = (seed % d.len() as u64) as usize;
                    d[at] = (seed >> 32) as u8;
                }
                let _ = read_all(&d, 1 << 20);
            }
        }
    }
}
