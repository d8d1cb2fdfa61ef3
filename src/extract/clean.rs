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
        || (b.chars <= hints::MAX_RELATED_HEADING_CHARS as u32 && b.stops == 0 && {
            let t = doc.text(b);
            !t.ends_with(['.', '!', '?'])
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
                && title_fold.contains(&f)
                && f.len() * 2 >= title_fold.len()))
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
    while order.len() > 1
        && (furniture(order[0]) || hints::is_dateline(doc.text(&doc.blocks[order[0]])))
    {
        order.remove(0);
    }
    // 5. Trailing link lists and headings left without text.
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
