//! WARC: read archives as a stream of records (corpus input), write responses (crawl archive).

use crate::input::Page;
use std::path::Path;

/// A record that could not be read, with where it starts.
#[derive(Debug)]
pub struct RecordError {
    /// Byte offset of the bad record (of its gzip member for `.warc.gz`).
    pub offset: u64,
    /// What is wrong with it.
    pub message: String,
}

/// The HTML pages of a WARC archive as a stream: `response` records with an HTML
/// payload become [`Page`]s (URL, charset, date, [`crate::input::WarcOrigin`] filled in);
/// other records are skipped. Bad records come out as errors and the stream goes on.
///
/// PLACEHOLDER: WARC reading is not implemented yet.
pub fn read_pages(
    path: &Path,
) -> std::io::Result<Box<dyn Iterator<Item = Result<Page, RecordError>> + Send>> {
    Err(std::io::Error::other(format!(
        "{}: WARC input is not supported yet",
        path.display()
    )))
}
pub mod writer;
