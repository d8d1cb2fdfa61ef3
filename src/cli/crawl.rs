//! `gleaner crawl JOB.toml [--once | --every 30m]`: run a crawl job once (cron, systemd
//! timer) or keep running, one pass every interval. Ctrl-C (SIGINT) or SIGTERM ends
//! the pass in flight cleanly; SIGKILL is safe too (see `gleaner::store`).

use super::{EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE};
use gleaner::crawl::{Crawler, Job};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Arguments of `gleaner crawl`.
#[derive(clap::Args)]
pub struct Args {
    /// The job file (TOML); see samples/crawl/news.toml.
    pub job: String,
    /// Run one pass and exit (the default).
    #[arg(long, conflicts_with = "every")]
    pub once: bool,
    /// Keep running: start a pass every INTERVAL (e.g. 30m, 2h).
    #[arg(long, value_name = "INTERVAL", value_parser = humantime::parse_duration)]
    pub every: Option<Duration>,
    /// Also archive every response in a .warc.gz file in this folder.
    #[arg(long, value_name = "DIR")]
    pub warc: Option<String>,
    /// Print the pass counts (and the state's totals) at the end of each pass.
    #[arg(long)]
    pub stats: bool,
    /// No progress line and no per-page error lines.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: Args) -> u8 {
    let job = match Job::load(Path::new(&args.job)) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("gleaner crawl: {e}");
            return EXIT_USAGE;
        }
    };
    if args.every.is_some_and(|d| d.is_zero()) {
        eprintln!("gleaner crawl: --every must be longer than zero");
        return EXIT_USAGE;
    }
    let mut crawler = match Crawler::open(job, args.warc.as_deref().map(Path::new)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gleaner crawl: {}: {e}", args.job);
            return EXIT_USAGE;
        }
    };
    crawler.report_failures = !args.quiet;
    let Some(rt) = super::runtime() else {
        return EXIT_USAGE;
    };
    let stop = Arc::new(AtomicBool::new(false));
    rt.block_on(async {
        let s = stop.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            eprintln!("gleaner crawl: stopping after the pages in flight");
            s.store(true, Ordering::Relaxed);
        });
        let mut any_failed = false;
        loop {
            let began = Instant::now();
            let bar = progress_bar(args.quiet);
            let result = crawler
                .run_pass(&stop, |st| {
                    if let Some(b) = &bar {
                        b.set_message(format!(
                            "fetched {}  written {}  skipped {}  failed {}",
                            st.visited - st.failed,
                            st.written,
                            st.skipped,
                            st.failed
                        ));
                        b.tick();
                    }
                })
                .await;
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            let stats = match result {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("gleaner crawl: {}: {e}", args.job);
                    return EXIT_USAGE;
                }
            };
            tracing::info!("pass done: {stats}");
            any_failed |= stats.failed > 0;
            if args.stats {
                eprintln!("{stats}");
                if let Ok(summary) = crawler.summary() {
                    let parts: Vec<String> =
                        summary.iter().map(|(k, n)| format!("{k} {n}")).collect();
                    eprintln!("state: {}", parts.join("  "));
                }
            }
            let Some(every) = args.every else { break };
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let wait = every.saturating_sub(began.elapsed());
            tracing::info!("next pass in {wait:?}");
            let deadline = tokio::time::Instant::now() + wait;
            while tokio::time::Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(200).min(wait)).await;
            }
            if stop.load(Ordering::Relaxed) {
                break;
            }
        }
        if any_failed {
            EXIT_SOME_FAILED
        } else {
            EXIT_OK
        }
    })
}

/// Resolves on SIGINT or SIGTERM.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn progress_bar(quiet: bool) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}
