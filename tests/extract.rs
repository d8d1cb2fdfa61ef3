//! The cleaner on hostile and unusual input: never a panic, a clear error or a result,
//! in reasonable time; plus the public API's metadata and determinism.

use gleaner::ExtractError;
use gleaner::extract::{Options, extract, parse_only};
use std::time::{Duration, Instant};

const PARA: &str = "The council voted on Tuesday to extend the night bus service, a decision that \
    officials said would cost about two million a year, and that residents had asked for since 2019.";

fn page(body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><title>Night buses | Town Post</title></head><body>{body}</body></html>"
    )
}

#[test]
fn empty_input_is_an_error() {
    assert_eq!(extract("", &Options::default()), Err(ExtractError::Empty));
    assert_eq!(
        extract(" \n\t ", &Options::default()),
        Err(ExtractError::Empty)
    );
}

#[test]
fn binary_input_is_refused() {
    let junk: String = (0u8..=255).cycle().take(5000).map(char::from).collect();
    match extract(&junk, &Options::default()) {
        Err(ExtractError::NotText(why)) => assert!(why.contains("binary")),
        other => panic!("expected NotText, got {other:?}"),
    }
}

#[test]
fn page_without_article_is_no_article() {
    let html = page("<nav><a href=/>Home</a> <a href=/a>About</a></nav><footer>© 2024</footer>");
    assert_eq!(
        extract(&html, &Options::default()),
        Err(ExtractError::NoArticle)
    );
}

#[test]
fn truncated_markup_still_gives_the_text_that_arrived() {
    let full = page(&format!("<article><p>{PARA}</p><p>{PARA}</p></article>"));
    let cut = &full[..full.find("</p><p>").unwrap() + 40];
    let a = extract(cut, &Options::default()).unwrap();
    assert_eq!(a.blocks[0], PARA);
    assert_eq!(a.blocks.len(), 2);
    assert!(a.blocks[1].starts_with("The council"));
}

#[test]
fn deeply_nested_markup_does_not_overflow_the_stack() {
    // html5ever's own parse is quadratic in depth; 20k levels keep the test quick while
    // any recursive walk (even 16-byte frames) would still overflow the 256 KiB stack.
    let depth = 20_000;
    let mut html = String::with_capacity(depth * 12 + 1000);
    html.push_str("<html><body>");
    for _ in 0..depth {
        html.push_str("<div>");
    }
    html.push_str(&format!("<p>{PARA}</p>"));
    for _ in 0..depth {
        html.push_str("</div>");
    }
    html.push_str("</body></html>");
    // Run on a thread with a small stack: any recursion over the depth would overflow it.
    let t = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || extract(&html, &Options::default()))
        .unwrap();
    let a = t.join().expect("no stack overflow").unwrap();
    assert_eq!(a.blocks, [PARA]);
}

#[test]
fn fifty_megabyte_page_in_reasonable_time() {
    let mut body = String::with_capacity(52 << 20);
    let chunk = format!(
        "<div class=item><p>{PARA}</p><ul><li><a href=/x>Link one</a></li><li><a href=/y>Link two</a></li></ul></div>"
    );
    while body.len() < 50 << 20 {
        body.push_str(&chunk);
    }
    let html = page(&body);
    let start = Instant::now();
    let a = extract(&html, &Options::default()).unwrap();
    let took = start.elapsed();
    assert!(!a.blocks.is_empty());
    assert!(took < Duration::from_secs(60), "50 MB page took {took:?}");
}

#[test]
fn metadata_comes_from_the_page_and_the_caller() {
    let html = "<html lang=en><head><title>Night buses | Town Post</title>\
        <meta property='og:site_name' content='Town Post'>\
        <meta property='article:published_time' content='2024-02-01T10:00:00Z'>\
        <meta name=author content='Sam Lee'>\
        <link rel=canonical href='/news/night-buses'></head>\
        <body><h1>Night buses</h1><article><p>"
        .to_string()
        + PARA
        + "</p></article></body></html>";
    let a = extract(
        &html,
        &Options {
            url: Some("https://town.example/news/night-buses?utm=x".into()),
        },
    )
    .unwrap();
    assert_eq!(a.title, "Night buses");
    assert_eq!(a.blocks, [PARA]);
    let m = a.meta;
    assert_eq!(
        m.url.as_deref(),
        Some("https://town.example/news/night-buses")
    );
    assert_eq!(m.date.as_deref(), Some("2024-02-01T10:00:00Z"));
    assert_eq!(m.author.as_deref(), Some("Sam Lee"));
    assert_eq!(m.site.as_deref(), Some("Town Post"));
    assert_eq!(m.lang.as_deref(), Some("en"));
}

#[test]
fn same_input_same_output() {
    let html = page(&format!(
        "<div class=a><p>{PARA}</p></div><div class=b><p>{PARA}</p><p>{PARA}</p></div>"
    ));
    let a = extract(&html, &Options::default()).unwrap();
    for _ in 0..5 {
        assert_eq!(extract(&html, &Options::default()).unwrap(), a);
    }
}

#[test]
fn related_heading_ends_the_article() {
    let html = page(&format!(
        "<div class=story><p>{PARA}</p><p>{PARA}</p><p>{PARA}</p>\
         <h3>Read more</h3><p>Another story about buses, trams and trains.</p></div>"
    ));
    let a = extract(&html, &Options::default()).unwrap();
    assert_eq!(a.blocks, [PARA, PARA, PARA]);
}

#[test]
fn captions_and_image_alt_text_are_dropped() {
    let html = page(&format!(
        "<article><figure><img alt='Logo of the Town Post newspaper' src=l.png>\
         <figcaption>The night bus at the depot. PHOTO: TOWN POST</figcaption></figure>\
         <p>{PARA}</p><div class=wp-caption-text>Passengers boarding.</div></article>"
    ));
    let a = extract(&html, &Options::default()).unwrap();
    assert_eq!(a.blocks, [PARA]);
}

#[test]
fn parse_only_counts_nodes() {
    assert!(parse_only("<p>a</p>") > 3);
}
