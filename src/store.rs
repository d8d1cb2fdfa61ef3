//! Crawl state in an embedded SQLite database: URLs seen, status, validators, content hashes.
