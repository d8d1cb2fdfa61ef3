//! The HTML cleaner: parse once with html5ever (scraper), find the article, drop the noise.
//!
//! PLACEHOLDER: keeps every `<p>`; the real engine replaces this module.

use crate::{Article, ExtractError};

/// Options for [`extract`].
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The page's URL, used when the page names no canonical URL.
    pub url: Option<String>,
}

/// Extracts the article from an HTML document.
pub fn extract(html: &str, opts: &Options) -> Result<Article, ExtractError> {
    if html.trim().is_empty() {
        return Err(ExtractError::Empty);
    }
    let doc = scraper::Html::parse_document(html);
    let p = scraper::Selector::parse("p").expect("static selector");
    let blocks: Vec<String> = doc
        .select(&p)
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|t| !t.is_empty())
        .collect();
    if blocks.is_empty() {
        return Err(ExtractError::NoArticle);
    }
    let t = scraper::Selector::parse("title").expect("static selector");
    let title = doc
        .select(&t)
        .next()
        .map(|e| e.text().collect::<String>().trim().to_string())
        .unwrap_or_default();
    let mut a = Article {
        title,
        blocks,
        ..Default::default()
    };
    a.meta.url = opts.url.clone();
    Ok(a)
}

/// A bare html5ever parse of `html` with nothing else, for measuring the cleaner
/// against the parser alone. Returns the number of nodes so the work is not optimised away.
pub fn parse_only(html: &str) -> usize {
    scraper::Html::parse_document(html).tree.nodes().count()
}
