//! `gleaner clean`: files, folders, gzip, WARC, stdin → seed text files or JSONL.

use super::{EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE};
use gleaner::dedup;
use gleaner::input::{self, Input};
use gleaner::pipeline::{self, BatchOptions, CleanOptions, Outcome};
use gleaner::writer::{self, Format};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;

/// Arguments of `gleaner clean`.
#[derive(clap::Args)]
pub struct Args {
    /// Files (.html, .htm, .txt, .gz, .warc, .warc.gz, .warc.zst), folders (recursive), or - for stdin.
    pub inputs: Vec<String>,
    /// Read more inputs from this file (- for stdin), one path a line.
    #[arg(long, value_name = "FILE")]
    pub input_list: Option<String>,
    /// Output format (default: jsonl when the output ends in .jsonl, .jsonl.gz or .jsonl.zst, else txt).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Output: a folder for txt, a file for jsonl (.gz/.zst compress), - for stdout.
    #[arg(short, long, default_value = "-")]
    pub output: String,
    /// The page's URL, for a single page (or stdin) that does not name its own.
    #[arg(long)]
    pub url: Option<String>,
    /// Treat inputs as HTML or as text dumps (default: sniff each).
    #[arg(long, value_enum, default_value_t = FromArg::Auto)]
    pub from: FromArg,
    /// Drop pages whose body was already written in this run.
    #[arg(long, value_enum, default_value_t = DedupArg::Off)]
    pub dedup: DedupArg,
    /// Largest Hamming distance between 64-bit simhashes counted as a near duplicate (0-16).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=16))]
    pub near_distance: u32,
    /// Process only slice I of N (0-based) of the input list: --shard 0/4 … 3/4.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Worker threads (default: one per core).
    #[arg(short, long, default_value_t = 0)]
    pub jobs: usize,
    /// Print pages, MB, seconds, pages/s, MB/s and errors at the end.
    #[arg(long)]
    pub stats: bool,
    /// No progress bar and no per-page error lines.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    Txt,
    Jsonl,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum FromArg {
    Auto,
    Html,
    Text,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DedupArg {
    Off,
    Exact,
    Near,
}

/// Parses `I/N` with I < N.
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("--shard {s}: expected I/N with 0 <= I < N, e.g. 0/4");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

pub fn run(args: Args) -> u8 {
    let mut names = args.inputs.clone();
    if args.input_list.as_deref() == Some("-") && names.iter().any(|n| n == "-") {
        eprintln!("gleaner clean: --input-list - and the input - both read standard input");
        return EXIT_USAGE;
    }
    if let Some(list) = &args.input_list {
        match input::read_input_list(Path::new(list)) {
            Ok(more) => names.extend(more),
            Err(e) => {
                eprintln!("gleaner: --input-list {list}: {e}");
                return EXIT_USAGE;
            }
        }
    }
    if names.is_empty() {
        eprintln!("gleaner clean: no inputs (give files, folders, - for stdin, or --input-list)");
        return EXIT_USAGE;
    }
    let (mut inputs, mut listing_errors) = input::expand(&names);
    if let Some(s) = &args.shard {
        match parse_shard(s) {
            Ok((i, n)) => {
                inputs = shard(inputs, i, n);
                // Each missing path is reported by one shard only, not by all N.
                listing_errors = shard(listing_errors, i, n);
            }
            Err(e) => {
                eprintln!("gleaner: {e}");
                return EXIT_USAGE;
            }
        }
    }
    if args.url.is_some() && inputs.len() > 1 {
        eprintln!(
            "gleaner clean: --url names one page's URL, but {} inputs were given",
            inputs.len()
        );
        return EXIT_USAGE;
    }
    for e in &listing_errors {
        eprintln!("gleaner: {e}");
    }
    let format = match args.format {
        Some(FormatArg::Txt) => Format::Txt,
        Some(FormatArg::Jsonl) => Format::Jsonl,
        None if is_jsonl_name(&args.output) => Format::Jsonl,
        None => Format::Txt,
    };
    let mut sink = match writer::open_sink(format, &args.output, false) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("gleaner: cannot open output {}: {e}", args.output);
            return EXIT_USAGE;
        }
    };
    let opts = BatchOptions {
        clean: CleanOptions {
            from: match args.from {
                FromArg::Auto => pipeline::From::Auto,
                FromArg::Html => pipeline::From::Html,
                FromArg::Text => pipeline::From::Text,
            },
            url: args.url.clone(),
        },
        threads: args.jobs,
        dedup: match args.dedup {
            DedupArg::Off => dedup::Mode::Off,
            DedupArg::Exact => dedup::Mode::Exact,
            DedupArg::Near => dedup::Mode::Near {
                max_distance: args.near_distance,
            },
        },
    };
    let bar = progress_bar(&args, &inputs);
    let quiet = args.quiet;
    let result = pipeline::run(inputs, sink.as_mut(), &opts, |source, outcome| {
        if let Some(b) = &bar {
            b.inc(1);
        }
        if let (Outcome::Failed(msg), false) = (outcome, quiet) {
            let line = format!("gleaner: {source}: {msg}");
            match &bar {
                Some(b) => b.suspend(|| eprintln!("{line}")),
                None => eprintln!("{line}"),
            }
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    match result {
        Ok(stats) => {
            if args.stats {
                eprintln!("{stats}");
            }
            if stats.failed > 0 || !listing_errors.is_empty() {
                EXIT_SOME_FAILED
            } else {
                EXIT_OK
            }
        }
        Err(e) => {
            eprintln!("gleaner: cannot write output {}: {e}", args.output);
            EXIT_USAGE
        }
    }
}

/// True for output names that say JSONL (`out.jsonl`, `out.jsonl.gz`, `out.jsonl.zst`).
fn is_jsonl_name(output: &str) -> bool {
    let o = output.to_ascii_lowercase();
    [".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson"]
        .iter()
        .any(|e| o.ends_with(e))
}

/// Keeps every N-th input starting at I: disjoint slices that together cover the list.
fn shard<T>(inputs: Vec<T>, i: usize, n: usize) -> Vec<T> {
    inputs
        .into_iter()
        .enumerate()
        .filter(|(k, _)| k % n == i)
        .map(|(_, x)| x)
        .collect()
}

fn progress_bar(args: &Args, inputs: &[Input]) -> Option<ProgressBar> {
    if args.quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let has_archives = inputs.iter().any(|i| matches!(i, Input::Warc(_)));
    let bar = if has_archives {
        ProgressBar::new_spinner()
    } else {
        ProgressBar::new(inputs.len() as u64)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} pages {per_sec}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    Some(bar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_parsing_and_slicing() {
        assert_eq!(parse_shard("1/4"), Ok((1, 4)));
        assert!(parse_shard("4/4").is_err());
        assert!(parse_shard("x").is_err());
        let inputs: Vec<Input> = (0..10)
            .map(|k| Input::File(format!("{k}").into()))
            .collect();
        let all: usize = (0..3).map(|i| shard(inputs.clone(), i, 3).len()).sum();
        assert_eq!(all, 10);
        assert_eq!(shard(inputs, 1, 3)[0], Input::File("1".into()));
    }

    #[test]
    fn jsonl_output_names() {
        assert!(is_jsonl_name("out/cc.jsonl.zst"));
        assert!(is_jsonl_name("OUT.JSONL.GZ"));
        assert!(is_jsonl_name("x.jsonl"));
        assert!(!is_jsonl_name("out"));
        assert!(!is_jsonl_name("-"));
    }
}
