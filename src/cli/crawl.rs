//! `gleaner crawl`: PLACEHOLDER until crawl jobs land.

/// Arguments of `gleaner crawl`.
#[derive(clap::Args)]
pub struct Args {
    /// The job file.
    pub job: String,
}

pub fn run(_args: Args) -> u8 {
    eprintln!("gleaner crawl: not implemented yet");
    super::EXIT_USAGE
}
