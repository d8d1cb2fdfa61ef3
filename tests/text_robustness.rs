//! Text mode never panics: empty, binary-ish, one huge line, a 50 MB dump, odd layouts.

use gleaner::ExtractError;
use gleaner::text::clean_text;

const PARA: &str = "The committee met on Tuesday and agreed that the new bridge will open to traffic in the spring, after a year of delays.";

#[test]
fn empty_and_blank_input_is_empty_error() {
    assert_eq!(clean_text(""), Err(ExtractError::Empty));
    assert_eq!(clean_text(" \n\t\r\n \u{feff}"), Err(ExtractError::Empty));
}

#[test]
fn binary_ish_garbage_gives_error_or_result() {
    let mut x: u32 = 12345;
    let bytes: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    let text = String::from_utf8_lossy(&bytes);
    let _ = clean_text(&text);
    let ctrl: String = (0..5000u32)
        .map(|i| char::from_u32(i % 32).unwrap())
        .collect();
    let _ = clean_text(&ctrl);
}

#[test]
fn one_huge_line_is_kept_or_refused_without_panic() {
    let line = PARA.repeat(100_000); // ~12 MB, no newline
    let a = clean_text(&line).expect("a huge prose line is an article");
    assert_eq!(a.body().len(), line.len());
    let words = "word ".repeat(2_000_000);
    assert!(clean_text(&words).is_ok() || clean_text(&words) == Err(ExtractError::NoArticle));
}

#[test]
fn fifty_megabyte_dump() {
    let chunk =
        format!("Latest headlines\n\n  • Item one\n\n  • Item two\n\n{PARA}\n\n{PARA} Again.\n\n");
    let dump = chunk.repeat(50_000_000 / chunk.len() + 1);
    assert!(dump.len() >= 50_000_000);
    let t = std::time::Instant::now();
    let a = clean_text(&dump).expect("prose throughout");
    assert!(!a.blocks.is_empty());
    assert!(t.elapsed().as_secs() < 30, "linear time");
}

#[test]
fn odd_layouts_do_not_panic() {
    for s in [
        "•",
        "* ",
        "  •  \n\n    \n\n•",
        "1.",
        "a\n\n\n\n\n\nb",
        "\r\r\r",
        "[]]][[",
        "Title\n\n]",
        "x\n     \u{a0}\u{3000}• y",
        &"\n".repeat(10_000),
        &"  • x\n".repeat(10_000),
        &format!("{}\n\n{PARA}", " ".repeat(100_000)),
        &"[1]".repeat(1000),
        &"《》。".repeat(1000),
    ] {
        let _ = clean_text(s);
    }
}

#[test]
fn crlf_dumps_clean_like_lf_dumps() {
    let lf = format!("Bridge to open in spring\n\n{PARA}\n\n{PARA} More.");
    let crlf = lf.replace('\n', "\r\n");
    assert_eq!(clean_text(&lf).unwrap(), clean_text(&crlf).unwrap());
}
