//! WARC: read archives as a stream of records (corpus input), write responses (crawl archive).

pub mod reader;
pub mod writer;

use crate::input::Page;
use std::path::Path;

/// A record that could not be read, with where it starts.
#[derive(Debug)]
pub struct RecordError {
    /// Byte offset of the bad record (of its gzip member for `.warc.gz`).
    pub offset: u64,
    /// What is wrong with it (or why it was skipped).
    pub message: String,
    /// True when the record is fine but holds no HTML page (request, metadata, image,
    /// redirect…): counted as skipped, not as an error.
    pub skipped: bool,
}

/// The HTML pages of a WARC archive as a stream: `response` records with an HTML
/// payload become [`Page`]s (URL, charset, date, [`crate::input::WarcOrigin`] filled in);
/// other records come out as errors marked [`RecordError::skipped`]. Bad records come
/// out as errors and the stream goes on. See [`reader`] for the details.
pub fn read_pages(
    path: &Path,
) -> std::io::Result<Box<dyn Iterator<Item = Result<Page, RecordError>> + Send>> {
    let r = reader::WarcReader::open(path)?;
    Ok(Box::new(r.map(|item| match item {
        reader::Item::Page(p) => Ok(p),
        reader::Item::Skipped { offset, reason } => Err(RecordError {
            offset,
            message: reason,
            skipped: true,
        }),
        reader::Item::Error(e) => Err(e),
    })))
}
