//! Crawl jobs: a job file, run once or on a schedule; feeds and sitemaps; state in [`crate::store`].
//!
//! [`job`] reads the job file, [`discover`] finds URLs in feeds, sitemaps and pages,
//! [`pass`] runs one pass over the frontier.

pub mod discover;
pub mod job;
pub mod pass;

pub use job::Job;
pub use pass::{Crawler, PassStats};
