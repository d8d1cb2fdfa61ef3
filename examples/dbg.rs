//! Prints the cleaner's scoring for one page (gzip or plain), then the article text.
use std::io::Read;
fn main() {
    let p = std::env::args().nth(1).expect("page path");
    let raw = std::fs::read(&p).expect("read");
    let mut bytes = Vec::new();
    if raw.starts_with(&[0x1f, 0x8b]) {
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut bytes)
            .unwrap();
    } else {
        bytes = raw;
    }
    let html = gleaner::decode::decode(&bytes, None).text.into_owned();
    println!("{}", gleaner::extract::debug_dump(&html));
    match gleaner::extract::extract(&html, &Default::default()) {
        Ok(a) => println!("{}", a.to_text()),
        Err(e) => println!("ERR {e}"),
    }
}
