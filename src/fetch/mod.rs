//! The HTTP fetcher: robots.txt, per-host politeness, retries with backoff, redirects,
//! size and time limits, conditional GET.
