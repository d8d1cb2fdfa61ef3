//! `gleaner fetch`: PLACEHOLDER until the fetcher lands.

/// Arguments of `gleaner fetch`.
#[derive(clap::Args)]
pub struct Args {
    /// URLs to fetch.
    pub urls: Vec<String>,
}

pub fn run(_args: Args) -> u8 {
    eprintln!("gleaner fetch: not implemented yet");
    super::EXIT_USAGE
}
