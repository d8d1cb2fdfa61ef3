//! Errors of the cleaning stages. Each names what went wrong; the caller adds which input.

use std::fmt;

/// Why a page gave no article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtractError {
    /// The page has no text at all.
    Empty,
    /// The bytes are not a text document (binary data, an image, a PDF...).
    NotText(String),
    /// The page was read, but no block of it looks like an article body.
    NoArticle,
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtractError::Empty => write!(f, "empty page"),
            ExtractError::NotText(why) => write!(f, "not an HTML or text page: {why}"),
            ExtractError::NoArticle => write!(f, "no article text found"),
        }
    }
}

impl std::error::Error for ExtractError {}
