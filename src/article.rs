//! The result of cleaning one page: headline, body blocks and metadata.

use serde::Serialize;

/// One cleaned article.
///
/// `blocks` are the body's paragraphs in reading order. A list inside the article
/// is one block whose lines read `  • item`; a table is one block of text rows.
/// Blocks never contain blank lines and are never empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Article {
    /// The headline, without a site-name suffix. Empty when none was found.
    pub title: String,
    /// Body paragraphs, in order.
    pub blocks: Vec<String>,
    /// Metadata found in the page, each `None` when unknown.
    pub meta: Metadata,
}

/// What a page says about itself, when it says it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Metadata {
    /// Canonical URL (`<link rel=canonical>`, `og:url`), else the URL the page came from.
    pub url: Option<String>,
    /// Date published, as the page gives it (ISO 8601 where the page uses it).
    pub date: Option<String>,
    /// Author name(s).
    pub author: Option<String>,
    /// Site name (`og:site_name`, JSON-LD publisher).
    pub site: Option<String>,
    /// Language code (`<html lang>`, `og:locale`, `content-language`).
    pub lang: Option<String>,
}

impl Article {
    /// Puts the headline and every block in Unicode Normalization Form C, so the same
    /// word is spelled with the same code points whatever the page used (decomposed
    /// accents, precomposed Bengali nukta forms). Text already in NFC is not copied.
    pub fn normalize_nfc(&mut self) {
        let nfc = icu_normalizer::ComposingNormalizerBorrowed::new_nfc();
        for s in std::iter::once(&mut self.title).chain(self.blocks.iter_mut()) {
            if let std::borrow::Cow::Owned(n) = nfc.normalize(s) {
                *s = n;
            }
        }
    }

    /// The body: blocks joined by one blank line, no trailing newline.
    pub fn body(&self) -> String {
        self.blocks.join("\n\n")
    }

    /// The seed text format: headline, blank line, body; UTF-8, LF, no trailing newline.
    ///
    /// With no headline the text is the body alone.
    pub fn to_text(&self) -> String {
        let body = self.body();
        if self.title.is_empty() {
            return body;
        }
        let mut out = String::with_capacity(self.title.len() + 2 + body.len());
        out.push_str(&self.title);
        if !body.is_empty() {
            out.push_str("\n\n");
            out.push_str(&body);
        }
        out
    }

    /// Number of characters in the body (for thresholds and stats).
    pub fn body_chars(&self) -> usize {
        self.blocks.iter().map(|b| b.chars().count()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_put_in_nfc() {
        let mut a = Article {
            title: "Cafe\u{301}".into(),
            blocks: vec!["\u{9df} and plain".into(), "already composed é".into()],
            ..Default::default()
        };
        a.normalize_nfc();
        assert_eq!(a.title, "Caf\u{e9}");
        assert_eq!(
            a.blocks[0], "\u{9af}\u{9bc} and plain",
            "U+09DF is excluded from composition"
        );
        assert_eq!(a.blocks[1], "already composed é");
    }

    #[test]
    fn seed_format_has_blank_line_separators_and_no_trailing_newline() {
        let a = Article {
            title: "Head".into(),
            blocks: vec!["One.".into(), "Two.".into()],
            meta: Metadata::default(),
        };
        assert_eq!(a.to_text(), "Head\n\nOne.\n\nTwo.");
        assert_eq!(a.body(), "One.\n\nTwo.");
    }

    #[test]
    fn no_title_gives_body_only() {
        let a = Article {
            title: String::new(),
            blocks: vec!["Only.".into()],
            meta: Metadata::default(),
        };
        assert_eq!(a.to_text(), "Only.");
    }
}
