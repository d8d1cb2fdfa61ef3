//! `gleaner fetch URL...`: fetch (robots.txt, politeness, retries, limits), decode with
//! the HTTP charset, clean, and write each page in the order given.

use super::{EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE};
use gleaner::fetch::{FetchConfig, Fetcher, Validators, client, urlnorm};
use gleaner::input::Page;
use gleaner::pipeline::{self, CleanOptions};
use gleaner::warc::writer::{ResponseRecord, WarcWriter};
use gleaner::writer::{self, Format};
use std::time::{Duration, Instant};

/// Arguments of `gleaner fetch`.
#[derive(clap::Args)]
pub struct Args {
    /// URLs to fetch (http and https).
    #[arg(required = true)]
    pub urls: Vec<String>,
    /// Output: a folder for txt, a file for jsonl (.gz/.zst compress), - for stdout.
    #[arg(short, long, default_value = "-")]
    pub output: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = super::clean::FormatArg::Txt)]
    pub format: super::clean::FormatArg,
    /// Also archive every response in a .warc.gz file in this folder.
    #[arg(long, value_name = "DIR")]
    pub warc: Option<String>,
    /// Contact URL put in the user agent, so site owners can reach you.
    #[arg(long, default_value = client::DEFAULT_CONTACT)]
    pub contact: String,
    /// Delay between two requests to the same host.
    #[arg(long, default_value = "1s", value_parser = humantime::parse_duration)]
    pub delay: Duration,
    /// Time limit for one request, body included.
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    pub timeout: Duration,
    /// Largest body kept, in bytes (after decompression).
    #[arg(long, default_value_t = client::DEFAULT_MAX_BODY)]
    pub max_body: u64,
    /// Retries on timeouts, connection errors, 429 and 5xx.
    #[arg(long, default_value_t = 3)]
    pub retries: u32,
    /// Do not read or obey robots.txt (only for sites you own or may crawl).
    #[arg(long)]
    pub ignore_robots: bool,
    /// Print fetched / written / failed counts and timing at the end.
    #[arg(long)]
    pub stats: bool,
    /// No per-page error lines.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: Args) -> u8 {
    let mut urls = Vec::new();
    for u in &args.urls {
        match urlnorm::normalize(u) {
            Ok(n) => urls.push(n),
            Err(e) => {
                eprintln!("gleaner fetch: {u}: {e}");
                return EXIT_USAGE;
            }
        }
    }
    let format = match args.format {
        super::clean::FormatArg::Txt => Format::Txt,
        super::clean::FormatArg::Jsonl => Format::Jsonl,
    };
    let mut sink = match writer::open_sink(format, &args.output, false) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("gleaner: cannot open output {}: {e}", args.output);
            return EXIT_USAGE;
        }
    };
    let mut warc = match &args.warc {
        Some(dir) => match WarcWriter::create(std::path::Path::new(dir)) {
            Ok(w) => Some(w),
            Err(e) => {
                eprintln!("gleaner: cannot open WARC archive: {e}");
                return EXIT_USAGE;
            }
        },
        None => None,
    };
    let cfg = FetchConfig {
        user_agent: client::user_agent(&args.contact),
        delay: args.delay,
        timeout: args.timeout,
        max_body: args.max_body,
        retries: args.retries,
        robots: !args.ignore_robots,
        ..FetchConfig::default()
    };
    let fetcher = match Fetcher::new(cfg) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("gleaner: {e}");
            return EXIT_USAGE;
        }
    };
    let Some(rt) = super::runtime() else {
        return EXIT_USAGE;
    };
    let start = Instant::now();
    let results = rt.block_on(async {
        let none = Validators::default();
        futures_util::future::join_all(urls.iter().map(|u| fetcher.fetch(u, &none))).await
    });
    let (mut written, mut failed, mut bytes) = (0u64, 0u64, 0u64);
    for (url, result) in urls.iter().zip(results) {
        let resp = match result {
            Ok(r) => r,
            Err(e) => {
                failed += 1;
                if !args.quiet {
                    eprintln!("gleaner: {e}");
                }
                continue;
            }
        };
        bytes += resp.body.len() as u64;
        if let Some(w) = &mut warc
            && let Err(e) = w.write_response(&ResponseRecord {
                url: resp.url.as_str(),
                date: &resp.date,
                status: resp.status,
                headers: &resp.headers,
                body: &resp.body,
            })
        {
            eprintln!("gleaner: cannot write WARC archive: {e}");
            return EXIT_USAGE;
        }
        let page = Page {
            source: url.to_string(),
            url: Some(resp.url.to_string()),
            bytes: resp.body,
            charset: resp.content_type,
            fetched: Some(resp.date),
            warc: None,
        };
        match pipeline::clean_page(&page, &CleanOptions::default()) {
            Ok(article) => {
                if let Err(e) = sink.write(&page, &article) {
                    eprintln!("gleaner: cannot write output {}: {e}", args.output);
                    return EXIT_USAGE;
                }
                written += 1;
            }
            Err(e) => {
                failed += 1;
                if !args.quiet {
                    eprintln!("gleaner: {url}: {e}");
                }
            }
        }
    }
    if let Err(e) = sink.finish() {
        eprintln!("gleaner: cannot write output {}: {e}", args.output);
        return EXIT_USAGE;
    }
    if args.stats {
        eprintln!(
            "urls {}  written {written}  failed {failed}  MB {:.1}  seconds {:.2}",
            urls.len(),
            bytes as f64 / 1e6,
            start.elapsed().as_secs_f64()
        );
    }
    if failed > 0 {
        EXIT_SOME_FAILED
    } else {
        EXIT_OK
    }
}
