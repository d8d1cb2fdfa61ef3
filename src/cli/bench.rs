//! `gleaner bench`: single-thread throughput of the cleaner next to a bare html5ever
//! parse of the same pages, measured in the same run.

use gleaner::input::{self};
use gleaner::{decode, extract, text};
use std::io::Read;
use std::time::{Duration, Instant};

/// Arguments of `gleaner bench`.
#[derive(clap::Args)]
pub struct Args {
    /// Page files or folders (.html, .html.gz, .txt).
    pub inputs: Vec<String>,
    /// Passes over the pages; the fastest pass counts.
    #[arg(long, default_value_t = 3)]
    pub rounds: u32,
}

pub fn run(args: Args) -> u8 {
    let (inputs, errors) = input::expand(&args.inputs);
    for e in &errors {
        eprintln!("gleaner: {e}");
    }
    let mut html = Vec::new();
    let mut texts = Vec::new();
    for inp in &inputs {
        let page = match input::read_page(inp) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("gleaner: {}: {e}", inp.name());
                continue;
            }
        };
        let mut bytes = page.bytes;
        if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            if flate2::read::MultiGzDecoder::new(&bytes[..])
                .read_to_end(&mut out)
                .is_err()
            {
                eprintln!("gleaner: {}: bad gzip data", inp.name());
                continue;
            }
            bytes = out;
        }
        let s = decode::decode(&bytes, None).text.into_owned();
        if gleaner::pipeline::looks_like_html(&s) {
            html.push(s);
        } else {
            texts.push(s);
        }
    }
    if html.is_empty() && texts.is_empty() {
        eprintln!("gleaner bench: no pages to measure");
        return super::EXIT_USAGE;
    }
    let opts = extract::Options::default();
    if !html.is_empty() {
        let mb = html.iter().map(|s| s.len()).sum::<usize>() as f64 / 1e6;
        let parse = best(args.rounds, || {
            html.iter().map(|h| extract::parse_only(h)).sum::<usize>()
        });
        let clean = best(args.rounds, || {
            html.iter()
                .filter_map(|h| extract::extract(h, &opts).ok())
                .map(|a| a.blocks.len())
                .sum::<usize>()
        });
        let (p, c) = (mb / parse.as_secs_f64(), mb / clean.as_secs_f64());
        println!("html pages {}  MB {mb:.1}", html.len());
        println!(
            "  bare parse   {p:7.1} MB/s  {:7.0} pages/s",
            html.len() as f64 / parse.as_secs_f64()
        );
        println!(
            "  extraction   {c:7.1} MB/s  {:7.0} pages/s",
            html.len() as f64 / clean.as_secs_f64()
        );
        println!("  ratio        {:.2} (extraction / bare parse)", c / p);
    }
    if !texts.is_empty() {
        let mb = texts.iter().map(|s| s.len()).sum::<usize>() as f64 / 1e6;
        let t = best(args.rounds, || {
            texts
                .iter()
                .filter_map(|s| text::clean_text(s).ok())
                .map(|a| a.blocks.len())
                .sum::<usize>()
        });
        println!("text pages {}  MB {mb:.1}", texts.len());
        println!(
            "  text mode    {:7.1} MB/s  {:7.0} pages/s",
            mb / t.as_secs_f64(),
            texts.len() as f64 / t.as_secs_f64()
        );
    }
    super::EXIT_OK
}

/// Fastest of `rounds` timed runs of `f`.
fn best(rounds: u32, mut f: impl FnMut() -> usize) -> Duration {
    (0..rounds.max(1))
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}
