//! Command-line parsing and dispatch. Exit status: 0 all ok, 1 some pages failed,
//! 2 usage or output error.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod bench;
mod clean;
mod crawl;
mod fetch;

/// Exit status when every page went through.
pub const EXIT_OK: u8 = 0;
/// Exit status when some pages failed (the rest were written).
pub const EXIT_SOME_FAILED: u8 = 1;
/// Exit status for usage errors and output errors.
pub const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "gleaner",
    version,
    about = "Fetch news pages and keep only the article: headline and body text."
)]
struct Cli {
    /// More log output on stderr (-v info, -vv debug).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Clean saved pages (HTML, text dumps, gzip, WARC) into article text.
    Clean(clean::Args),
    /// Fetch URLs, clean and write each page.
    Fetch(fetch::Args),
    /// Run a crawl job file once or on a schedule.
    Crawl(crawl::Args),
    /// Measure the cleaner against a bare html5ever parse, single thread.
    Bench(bench::Args),
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let code = match cli.cmd {
        Cmd::Clean(a) => clean::run(a),
        Cmd::Fetch(a) => fetch::run(a),
        Cmd::Crawl(a) => crawl::run(a),
        Cmd::Bench(a) => bench::run(a),
    };
    ExitCode::from(code)
}

/// The async runtime for `fetch` and `crawl`; `None` (after saying why) when it cannot start.
fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => Some(rt),
        Err(e) => {
            eprintln!("gleaner: cannot start the async runtime: {e}");
            None
        }
    }
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("GLEANER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("gleaner={level}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
