//! Text mode: clean whole-page text dumps (navigation, captions, link lists and all)
//! down to headline and article body.
//!
//! PLACEHOLDER: first line is the headline, the rest the body; the real engine replaces this.

use crate::{Article, ExtractError};

/// Cleans a whole-page text dump.
pub fn clean_text(text: &str) -> Result<Article, ExtractError> {
    let mut blocks = text
        .split("\n\n")
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty());
    let title = blocks.next().ok_or(ExtractError::Empty)?;
    Ok(Article {
        title,
        blocks: blocks.collect(),
        ..Default::default()
    })
}
