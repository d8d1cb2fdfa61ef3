//! Block-level cleaning inside the chosen article and assembly of the output blocks:
//! related-story headings end the article, link lists and furniture lines go, the
//! repeated headline goes, lists and tables become text.

use super::hints::{self, Tag};
use super::meta::fold;
use super::walk::{Block, Doc, NONE};

/// Most furniture lines removed from the end of an article.
const MAX_TRAILING_DROPS: usize = 4;
/// Link density above which a non-list block is navigation, not prose.
const MAX_BLOCK_LD: f32 = 0.5;
/// A related-story heading in the last part of the article (this share of its text
/// onwards) ends the article; earlier, it only removes its own widget.
const RELATED_CUT_FROM: f32 = 0.5;
/// Blocks this short with no sentence punctuation before the headline are kickers,
/// section labels or bylines.
const KICKER_MAX_CHARS: u32 = 80;
/// How many blocks may precede the headline inside the article.
const MAX_BLOCKS_BEFORE_HEADLINE: usize = 4;
/// A short block after a related heading that still looks like a teaser.
const TEASER_MAX_CHARS: u32 = 160;

/// True when block `b` is a heading, or a short line that stands like one.
fn is_heading_like(doc: &Doc, b: &Block) -> bool {
    matches!(b.tag, Tag::H(_))
        || (b.chars <= hints::MAX_RELATED_HEADING_CHARS as u32 && {
            let t = doc.text(b).trim_end();
            // A heading may announce what follows with a colon ("Read also:").
            b.stops == 0 || (b.stops == 1 && t.ends_with(':'))
        })
}

/// True when the block reads like the page headline.
pub fn is_headline(doc: &Doc, b: &Block, title_fold: &str) -> bool {
    if title_fold.is_empty() || b.chars as usize > title_fold.chars().count() * 2 + 20 {
        return false;
    }
    let f = fold(doc.text(b));
    !f.is_empty()
        && (f == title_fold
            || (matches!(b.tag, Tag::H(1 | 2))
                && ((title_fold.contains(&f) && f.len() * 2 >= title_fold.len())
                    || (f.contains(title_fold) && title_fold.len() * 2 >= f.len()))))
}

/// What the page says about itself, for placing the article's edges.
#[derive(Debug, Default)]
pub struct PageHints {
    /// The headline.
    pub title: String,
    /// The headline, folded (see [`fold`]).
    title_fold: String,
    /// The meta description, folded ("" when none).
    desc_fold: String,
}

impl PageHints {
    /// Builds the hints from the headline and the meta description.
    pub fn new(title: &str, description: Option<&str>) -> Self {
        PageHints {
            title: title.to_string(),
            title_fold: fold(title),
            desc_fold: description.map(fold).unwrap_or_default(),
        }
    }
}

/// Blocks before the article's first block that are examined for a lead.
const LEAD_MAX_GAP: usize = 8;
/// A lead paragraph has at least this many chars...
const LEAD_MIN_CHARS: u32 = 60;
/// ...and at most this link density.
const LEAD_MAX_LD: f32 = 0.2;
/// Folded chars a block must share with the meta description to count as its copy.
const DESC_MIN_MATCH: usize = 40;

/// True when the block is the page's meta description shown as text: the page's own
/// summary, placed as the lead (the description may be cut short, or the block).
fn is_description(doc: &Doc, b: &Block, desc_fold: &str) -> bool {
    if desc_fold.len() < DESC_MIN_MATCH || b.chars as usize * 4 < DESC_MIN_MATCH {
        return false;
    }
    let f = fold(doc.text(b));
    let common = f
        .bytes()
        .zip(desc_fold.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    common >= DESC_MIN_MATCH && common * 5 >= f.len().min(desc_fold.len()) * 4
}

/// True when a block between the headline and the article reads like a lead paragraph:
/// long enough, punctuated, hardly linked, not furniture.
fn looks_like_lead(doc: &Doc, b: &Block) -> bool {
    if b.chars < LEAD_MIN_CHARS
        || b.stops == 0
        || b.link_density() > LEAD_MAX_LD
        || !matches!(b.tag, Tag::P | Tag::Div | Tag::Other | Tag::Quote)
    {
        return false;
    }
    let t = doc.text(b);
    !(hints::is_boilerplate_line(t) || hints::is_prompt(t))
}

/// Puts back the lead the container choice left out: the blocks between the headline
/// and the article's first block that read like prose, or that repeat the meta
/// description (news sites often set the standfirst apart from the body).
pub fn add_lead(doc: &Doc, order: &mut Vec<usize>, page: &PageHints) {
    let Some(&first) = order.first() else {
        return;
    };
    let from = first.saturating_sub(LEAD_MAX_GAP);
    let headline = (from..first)
        .rev()
        .find(|&i| is_headline(doc, &doc.blocks[i], &page.title_fold));
    let lead: Vec<usize> = match headline {
        Some(h) => (h + 1..first)
            .filter(|&i| {
                let b = &doc.blocks[i];
                !doc.dead[i] && (looks_like_lead(doc, b) || is_description(doc, b, &page.desc_fold))
            })
            .collect(),
        None => (from..first)
            .filter(|&i| !doc.dead[i] && is_description(doc, &doc.blocks[i], &page.desc_fold))
            .collect(),
    };
    if !lead.is_empty() {
        order.splice(0..0, lead);
    }
}

/// Blocks at the start of the article in which byline and date lines are looked for.
const BYLINE_ZONE_BLOCKS: usize = 3;
/// Most words of a byline name or kicker line above the body.
const NAME_LINE_MAX_WORDS: usize = 3;

/// True for a bare name or kicker opening the article ("Jane Doe", "Urgent appeal"):
/// a few capitalised words, no sentence punctuation, not a heading tag. Above the first
/// paragraph such a line is a byline or a label, not the story.
fn is_name_line(doc: &Doc, b: &Block) -> bool {
    if matches!(b.tag, Tag::H(_) | Tag::Li) || b.stops > 0 || b.chars > KICKER_MAX_CHARS {
        return false;
    }
    let t = doc.text(b);
    let mut words = 0;
    for w in t.split_whitespace() {
        words += 1;
        if words > NAME_LINE_MAX_WORDS || !w.chars().next().is_some_and(char::is_uppercase) {
            return false;
        }
    }
    words > 0
}

/// Filters the kept block indices in place.
pub fn filter(doc: &Doc, order: &mut Vec<usize>, title: &str) {
    let title_fold = fold(title);
    // 1. Furniture lines and link-heavy blocks.
    order.retain(|&i| {
        let b = &doc.blocks[i];
        let text = doc.text(b);
        if hints::is_boilerplate_line(text) && !hints::is_related_heading(text) {
            return false;
        }
        if hints::is_credit_line(text)
            || hints::is_paywall_prompt(text)
            || hints::is_consent_placeholder(text)
        {
            return false;
        }
        if b.tag != Tag::Li && b.link_density() > MAX_BLOCK_LD {
            return false;
        }
        true
    });
    // 2. Kicker, section label, byline above the headline; the headline itself.
    if let Some(pos) = order
        .iter()
        .take(MAX_BLOCKS_BEFORE_HEADLINE + 1)
        .position(|&i| is_headline(doc, &doc.blocks[i], &title_fold))
    {
        let before_ok = order[..pos].iter().all(|&i| {
            let b = &doc.blocks[i];
            b.chars <= KICKER_MAX_CHARS
        });
        if before_ok {
            order.drain(..=pos);
        } else {
            order.remove(pos);
        }
    }
    order.retain(|&i| {
        !(matches!(doc.blocks[i].tag, Tag::H(_)) && is_headline(doc, &doc.blocks[i], &title_fold))
    });
    // 3. Related / most-read / comments headings.
    let total: u32 = order.iter().map(|&i| doc.blocks[i].chars).sum();
    let mut seen = 0u32;
    let mut k = 0;
    while k < order.len() {
        let b = &doc.blocks[order[k]];
        if is_heading_like(doc, b) && hints::is_related_heading(doc.text(b)) {
            if seen as f32 >= total as f32 * RELATED_CUT_FROM {
                order.truncate(k);
                break;
            }
            // Mid-article widget: drop the heading and its teasers.
            let mut e = k + 1;
            while e < order.len() {
                let n = &doc.blocks[order[e]];
                let teaser = n.tag == Tag::Li
                    || n.link_density() > 0.3
                    || (n.chars <= TEASER_MAX_CHARS && n.stops == 0);
                if !teaser {
                    break;
                }
                e += 1;
            }
            order.drain(k..e);
            continue;
        }
        seen += b.chars;
        k += 1;
    }
    // 4. Prompts and label lines at the very start and end.
    let furniture = |i: usize| {
        let t = doc.text(&doc.blocks[i]);
        hints::is_prompt(t) || hints::is_label_line(t)
    };
    let mut dropped = 0;
    while order.len() > 1 && dropped < MAX_TRAILING_DROPS {
        let last = order[order.len() - 1];
        if furniture(last) {
            order.pop();
            dropped += 1;
        } else {
            break;
        }
    }
    while order.len() > 1 && furniture(order[0]) {
        order.remove(0);
    }
    // Byline and date lines sit above or just below the standfirst.
    let mut k = 0;
    while k < order.len().min(BYLINE_ZONE_BLOCKS) && order.len() > 1 {
        let b = &doc.blocks[order[k]];
        if hints::is_dateline(doc.text(b)) || is_name_line(doc, b) {
            order.remove(k);
        } else {
            k += 1;
        }
    }
    // 5. A heading near the end followed by little text opens a tail widget (about
    //    the author, more from the column, ratings, comments), not a last section.
    cut_tail_section(doc, order);
    // 6. Trailing link lists and headings left without text.
    while let Some(&last) = order.last() {
        let b = &doc.blocks[last];
        if order
            .iter()
            .all(|&i| matches!(doc.blocks[i].tag, Tag::H(_)))
        {
            break; // a page of headings only keeps them
        }
        if b.link_density() > MAX_BLOCK_LD || matches!(b.tag, Tag::H(_)) {
            order.pop();
        } else {
            break;
        }
    }
}

/// Blocks after a heading near the end that may still form a tail widget.
const TAIL_MAX_BLOCKS: usize = 2;
/// Most chars a tail widget holds after its heading; a real last section is longer.
const TAIL_MAX_CHARS: u32 = 300;
/// The article before the heading must be this many times the tail.
const TAIL_MIN_BODY_RATIO: u32 = 4;
/// ...and at least this long: a short page's last lines are its article.
const TAIL_MIN_BODY_CHARS: u32 = 500;

/// True when a block stands like a section heading ([`is_heading_like`]) and is not a
/// list item.
fn is_section_heading(doc: &Doc, b: &Block) -> bool {
    b.tag != Tag::Li && is_heading_like(doc, b)
}

/// Shortest block that reads as a paragraph of prose.
const PROSE_MIN_CHARS: u32 = 80;

/// True when a block reads as a paragraph of prose: long enough, ends a sentence.
fn is_prose(doc: &Doc, b: &Block) -> bool {
    b.chars >= PROSE_MIN_CHARS
        && doc
            .text(b)
            .trim_end()
            .ends_with(['.', '!', '?', '"', '”', '»', '“', '。', '！', '？'])
}

/// Cuts the article at a heading among its last blocks when what follows is too
/// short to be a section of the article.
fn cut_tail_section(doc: &Doc, order: &mut Vec<usize>) {
    let n = order.len();
    if n < 3 {
        return;
    }
    for k in n.saturating_sub(TAIL_MAX_BLOCKS + 1)..n {
        if !is_section_heading(doc, &doc.blocks[order[k]]) {
            continue;
        }
        let colon = doc.text(&doc.blocks[order[k]]).trim_end().ends_with(':');
        // A last short line with nothing after it is a credit or sign-off, unless it
        // announces something that is not there.
        if k + 1 == n && !colon {
            continue;
        }
        if !colon
            && order[k + 1..]
                .iter()
                .any(|&i| is_prose(doc, &doc.blocks[i]))
        {
            continue;
        }
        let tail: u32 = order[k + 1..].iter().map(|&i| doc.blocks[i].chars).sum();
        let body: u32 = order[..k].iter().map(|&i| doc.blocks[i].chars).sum();
        if tail <= TAIL_MAX_CHARS && body >= (tail * TAIL_MIN_BODY_RATIO).max(TAIL_MIN_BODY_CHARS) {
            order.truncate(k);
            return;
        }
    }
}

/// Nearest ancestor of `el` with tag `tag`.
fn ancestor(doc: &Doc, mut el: u32, tag: Tag) -> u32 {
    while el != NONE {
        let e = &doc.els[el as usize];
        if e.tag == tag {
            return el;
        }
        el = e.parent;
    }
    NONE
}

/// Longest table cell that still reads as data rather than layout.
const MAX_DATA_CELL_CHARS: u32 = 200;

/// Builds the output blocks: list items joined into `  • item` lines, table cells into
/// ` | `-separated rows, everything else one block each.
pub fn assemble(doc: &Doc, order: &[usize]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(order.len());
    // What the previous output block was, to know whether to append to it.
    #[derive(PartialEq, Clone, Copy)]
    enum Prev {
        None,
        List(usize),
        Row(u32, u32),
    }
    let mut prev = Prev::None;
    for &i in order {
        let b = &doc.blocks[i];
        let text = doc.text(b);
        match b.tag {
            Tag::Li => {
                if let (Prev::List(last), Some(o)) = (prev, out.last_mut())
                    && last + 1 == i
                {
                    o.push('\n');
                    o.push_str("  • ");
                    o.push_str(text);
                } else {
                    out.push(format!("  • {text}"));
                }
                prev = Prev::List(i);
            }
            Tag::Cell if b.chars <= MAX_DATA_CELL_CHARS => {
                let row = ancestor(doc, b.owner, Tag::Row);
                let table = ancestor(doc, b.owner, Tag::Table);
                match (prev, out.last_mut()) {
                    (Prev::Row(r, t), Some(o)) if r == row && row != NONE => {
                        let _ = t;
                        o.push_str(" | ");
                        o.push_str(text);
                    }
                    (Prev::Row(_, t), Some(o)) if t == table && table != NONE => {
                        o.push('\n');
                        o.push_str(text);
                    }
                    _ => out.push(text.to_string()),
                }
                prev = Prev::Row(row, table);
            }
            _ => {
                out.push(text.to_string());
                prev = Prev::None;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::walk::strict_doc as doc;

    fn texts<'a>(d: &'a Doc, order: &[usize]) -> Vec<&'a str> {
        order.iter().map(|&i| d.text(&d.blocks[i])).collect()
    }

    const PARA: &str = "This is a long paragraph of article text, with commas, clauses, and enough words to count as prose.";

    #[test]
    fn the_standfirst_between_headline_and_body_is_put_back() {
        let d = doc(&format!(
            "<body><h1>Snow weighs on solar panels</h1><p>Heavy snow cuts the yield of a solar array, and its weight can damage the modules.</p>\
             <div id=body><p>{PARA}</p><p>{PARA}</p></div></body>"
        ));
        let mut order = vec![2, 3];
        add_lead(
            &d,
            &mut order,
            &PageHints::new("Snow weighs on solar panels", None),
        );
        assert_eq!(order, [1, 2, 3]);
    }

    #[test]
    fn short_lines_between_headline_and_body_stay_out() {
        let d = doc(&format!(
            "<body><h1>Snow weighs on solar panels</h1><p>By Jane Writer</p><p>12 May 2024</p>\
             <div id=body><p>{PARA}</p></div></body>"
        ));
        let mut order = vec![3];
        add_lead(
            &d,
            &mut order,
            &PageHints::new("Snow weighs on solar panels", None),
        );
        assert_eq!(order, [3]);
    }

    #[test]
    fn the_meta_description_shown_as_text_is_the_lead_even_without_a_headline() {
        let lead =
            "Heavy snow cuts the yield of a solar array and its weight can damage the modules";
        let d = doc(&format!(
            "<body><p>Menu</p><p>{lead}.</p><div id=body><p>{PARA}</p></div></body>"
        ));
        let mut order = vec![2];
        add_lead(
            &d,
            &mut order,
            &PageHints::new("Other title", Some(&format!("{lead}..."))),
        );
        assert_eq!(order, [1, 2]);
        let mut order = vec![2];
        add_lead(
            &d,
            &mut order,
            &PageHints::new(
                "Other title",
                Some("A different summary of a different page entirely, with other words"),
            ),
        );
        assert_eq!(order, [2]);
    }

    #[test]
    fn a_related_heading_with_a_colon_ends_the_article() {
        let body = format!("<p>{PARA}</p>").repeat(4);
        let d = doc(&format!(
            "<body>{body}<p>Read also the following posts:</p><p>{PARA} More.</p></body>"
        ));
        let mut order: Vec<usize> = (0..d.blocks.len()).collect();
        filter(&d, &mut order, "");
        assert_eq!(order, [0, 1, 2, 3]);
    }

    #[test]
    fn a_bare_name_above_the_body_is_a_byline() {
        let d = doc(&format!(
            "<body><p>Jane Doe</p><p>{PARA}</p><p>12 May 2024</p><h2>Main Findings</h2>\
             <p>{PARA}</p><p>Jane Doe</p><p>{PARA}</p></body>"
        ));
        assert!(is_name_line(&d, &d.blocks[0]));
        assert!(!is_name_line(&d, &d.blocks[1]), "prose");
        assert!(
            !is_name_line(&d, &d.blocks[3]),
            "a heading tag is a section"
        );
        let mut order: Vec<usize> = (0..d.blocks.len()).collect();
        filter(&d, &mut order, "");
        assert_eq!(
            order,
            [1, 3, 4, 5, 6],
            "the name and date lines at the top go, a name further down stays"
        );
    }

    #[test]
    fn a_heading_near_the_end_with_a_short_tail_ends_the_article() {
        let body = format!("<p>{PARA}</p>").repeat(6);
        let d = doc(&format!(
            "<body>{body}<h3>About the author</h3><p>Jane Writer covers energy</p></body>"
        ));
        let mut order: Vec<usize> = (0..d.blocks.len()).collect();
        cut_tail_section(&d, &mut order);
        assert_eq!(order.len(), 6);
    }

    #[test]
    fn a_last_section_of_prose_is_kept() {
        let body = format!("<p>{PARA}</p>").repeat(6);
        let d = doc(&format!(
            "<body>{body}<h3>What comes next</h3><p>{PARA}</p></body>"
        ));
        let mut order: Vec<usize> = (0..d.blocks.len()).collect();
        cut_tail_section(&d, &mut order);
        assert_eq!(order.len(), 8);
    }

    #[test]
    fn a_closing_credit_line_is_kept_but_a_dangling_announcement_goes() {
        let body = format!("<p>{PARA}</p>").repeat(6);
        let d = doc(&format!("<body>{body}<p>NEWS AGENCY NETWORK</p></body>"));
        let mut order: Vec<usize> = (0..d.blocks.len()).collect();
        cut_tail_section(&d, &mut order);
        assert_eq!(texts(&d, &order).last(), Some(&"NEWS AGENCY NETWORK"));
        let d = doc(&format!(
            "<body>{body}<p>You might want to read these too:</p></body>"
        ));
        let mut order: Vec<usize> = (0..d.blocks.len()).collect();
        cut_tail_section(&d, &mut order);
        assert_eq!(order.len(), 6);
    }
}
