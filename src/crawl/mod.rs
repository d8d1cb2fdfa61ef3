//! Crawl jobs: a job file, run once or on a schedule; feeds and sitemaps; state in [`crate::store`].
