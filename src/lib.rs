//! gleaner: fetch news pages and keep only the article.
//!
//! Data flows one way through small modules, each with one job:
//! [`fetch`] (HTTP) → [`decode`] (bytes to UTF-8) → [`extract`] (HTML DOM to
//! [`Article`]) or [`text`] (noisy text dumps to [`Article`]) → [`writer`] (seed text
//! files, JSONL). [`input`] and [`warc`] read pages from disk, [`pipeline`] runs a batch
//! of them in parallel, [`crawl`] runs scheduled crawl jobs with state in [`store`].

#![warn(missing_docs)]

pub mod article;
pub mod crawl;
pub mod decode;
pub mod dedup;
pub mod error;
pub mod extract;
pub mod fetch;
pub mod input;
pub mod pipeline;
pub mod store;
pub mod text;
pub mod warc;
pub mod writer;

pub use article::{Article, Metadata};
pub use error::ExtractError;
