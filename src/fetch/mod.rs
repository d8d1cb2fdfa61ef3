//! The HTTP fetcher: robots.txt, per-host politeness, retries with backoff, redirects,
//! size and time limits, conditional GET.
//!
//! [`client`] wraps reqwest with the limits and retries, [`robots`] parses robots.txt,
//! [`politeness`] schedules requests per host, [`urlnorm`] gives each page one spelling.

pub mod client;
pub mod politeness;
pub mod robots;
pub mod urlnorm;

pub use client::{FetchConfig, FetchError, Fetcher, Response, Validators};
pub use urlnorm::{normalize, resolve};
