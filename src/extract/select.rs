//! Readability-style candidate scoring: paragraphs vote for their ancestors, the best
//! container wins, qualifying siblings join it, and weak sub-containers are dropped.

use super::hints::{self, Tag};
use super::walk::{Block, Doc, El, NONE, PARA_MIN_CHARS, fnv1a};

/// Ancestor levels a paragraph's score reaches (Readability uses 5).
const SCORE_LEVELS: usize = 5;
/// Alternative candidates within this share of the top score suggest the article is
/// their common ancestor.
const ALT_CANDIDATE_RATIO: f32 = 0.75;
/// How many such alternatives it takes.
const MIN_ALT_CANDIDATES: usize = 3;
/// Ancestor levels examined when climbing from the top candidate.
const CLIMB_LEVELS: usize = 4;
/// An ancestor with this share of the top score may take its place...
const CLIMB_MIN_RATIO: f32 = 0.5;
/// ...when the text it adds has at most this link density.
const CLIMB_MAX_ADDED_LD: f32 = 0.3;
/// Siblings need this share of the top score (or [`SIBLING_MIN_SCORE`]) to join.
const SIBLING_RATIO: f32 = 0.2;
/// Lowest sibling threshold.
const SIBLING_MIN_SCORE: f32 = 10.0;
/// A sibling paragraph this long with little link text joins the article.
const SIBLING_PARA_CHARS: u32 = 80;
/// Link density under which a long sibling paragraph joins.
const SIBLING_PARA_MAX_LD: f32 = 0.25;

/// True for blocks whose text votes for its containers.
fn votes(b: &Block) -> bool {
    b.chars >= PARA_MIN_CHARS
        && matches!(
            b.tag,
            Tag::P
                | Tag::Pre
                | Tag::Cell
                | Tag::Div
                | Tag::Quote
                | Tag::Article
                | Tag::Main
                | Tag::Body
                | Tag::Other
                | Tag::H(2..=6)
        )
}

/// Readability's score of one paragraph: 1, plus its commas, plus one per 100 chars (max 3).
fn para_score(b: &Block) -> f32 {
    1.0 + b.commas as f32 + (b.chars / 100).min(3) as f32
}

/// Voting paragraphs a container needs before its class/id weight counts in full: a
/// lone block in a `content`-named box should not outvote the real article, and
/// neither should template text repeated in a `content`-named carousel.
const FULL_WEIGHT_PARAS: u32 = 3;

fn init(el: &mut El) {
    if !el.scored {
        el.scored = true;
        // A positive weight is added in proportion to the votes, once they are in.
        el.score = hints::tag_base_score(el.tag) + (el.weight.min(0)) as f32;
    }
}

/// A paragraph whose exact text appears this many times on the page is template text
/// (rating prompts, card captions, "log in to comment"), not article prose: no vote.
const REPEATED_MIN_COUNT: u32 = 3;

/// For each block, whether its text is repeated on the page (see [`REPEATED_MIN_COUNT`]).
fn repeated_blocks(doc: &Doc) -> Vec<bool> {
    let hashes: Vec<u64> = doc
        .blocks
        .iter()
        .map(|b| if votes(b) { fnv1a(doc.text(b)) } else { 0 })
        .collect();
    let mut counts: std::collections::HashMap<u64, u32> =
        std::collections::HashMap::with_capacity(hashes.len());
    for &h in hashes.iter().filter(|&&h| h != 0) {
        *counts.entry(h).or_default() += 1;
    }
    hashes
        .iter()
        .map(|h| *h != 0 && counts[h] >= REPEATED_MIN_COUNT)
        .collect()
}

/// Scores every container and returns the index of the best one.
pub fn score(doc: &mut Doc) -> Option<u32> {
    let repeated = repeated_blocks(doc);
    let mut voters = vec![0u32; doc.els.len()];
    for bi in (0..doc.blocks.len()).filter(|&i| !repeated[i]) {
        let b = doc.blocks[bi];
        if !votes(&b) || b.owner == NONE || doc.dead[bi] {
            continue;
        }
        let s = para_score(&b);
        // A `p` votes for its parent; text sitting directly in a div is a paragraph of
        // that div.
        let mut anc = if matches!(b.tag, Tag::P | Tag::Pre | Tag::Cell | Tag::H(_)) {
            doc.els[b.owner as usize].parent
        } else {
            b.owner
        };
        let mut level = 0;
        while anc != NONE && level < SCORE_LEVELS {
            let el = &mut doc.els[anc as usize];
            init(el);
            let divider = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f32 * 3.0,
            };
            el.score += s / divider;
            voters[anc as usize] += 1;
            anc = el.parent;
            level += 1;
        }
    }
    let mut best: Option<u32> = None;
    let mut best_score = f32::MIN;
    for (i, el) in doc.els.iter_mut().enumerate() {
        if !el.scored {
            continue;
        }
        if el.weight > 0 {
            let share = voters[i].min(FULL_WEIGHT_PARAS) as f32 / FULL_WEIGHT_PARAS as f32;
            el.score += el.weight as f32 * share;
        }
        el.score *= 1.0 - el.link_density();
        if el.score > best_score {
            best_score = el.score;
            best = Some(i as u32);
        }
    }
    best
}

/// True when `anc` is `el` or one of its ancestors.
fn contains(els: &[El], anc: u32, el: u32) -> bool {
    anc <= el && el < els[anc as usize].el_end
}

/// Moves the top candidate up when its parent holds the article better
/// (Readability's three refinements).
pub fn refine(doc: &Doc, mut top: u32) -> u32 {
    let els = &doc.els;
    let top_score = els[top as usize].score;
    // 1. Several near-equal candidates: take the ancestor holding enough of them.
    let mut alts: Vec<u32> = els
        .iter()
        .enumerate()
        .filter(|(i, e)| *i as u32 != top && e.scored && e.score >= top_score * ALT_CANDIDATE_RATIO)
        .map(|(i, _)| i as u32)
        .collect();
    alts.sort_by(|a, b| els[*b as usize].score.total_cmp(&els[*a as usize].score));
    alts.truncate(5);
    if alts.len() >= MIN_ALT_CANDIDATES {
        let mut p = els[top as usize].parent;
        while p != NONE && els[p as usize].tag != Tag::Body {
            let n = alts.iter().filter(|&&a| contains(els, p, a)).count();
            if n >= MIN_ALT_CANDIDATES {
                top = p;
                break;
            }
            p = els[p as usize].parent;
        }
    }
    // 2. A parent scoring higher than the candidate holds more of the article.
    let mut last = els[top as usize].score;
    let threshold = last / 3.0;
    let mut p = els[top as usize].parent;
    while p != NONE && els[p as usize].tag != Tag::Body {
        let pe = &els[p as usize];
        if !pe.scored {
            p = pe.parent;
            continue;
        }
        if pe.score < threshold {
            break;
        }
        if pe.score > last {
            top = p;
            break;
        }
        last = pe.score;
        p = pe.parent;
    }
    // 3. An ancestor that still scores well and adds prose (a lead, a subtitle, more
    //    sections of the same text) holds the whole article.
    let base = els[top as usize].score;
    let mut p = els[top as usize].parent;
    let mut levels = 0;
    while p != NONE && els[p as usize].tag != Tag::Body && levels < CLIMB_LEVELS {
        let (pe, te) = (&els[p as usize], &els[top as usize]);
        levels += 1;
        if !pe.scored {
            p = pe.parent;
            continue;
        }
        let added = pe.chars.saturating_sub(te.chars);
        let added_links = pe.links.saturating_sub(te.links);
        let added_ld = if added == 0 {
            0.0
        } else {
            added_links as f32 / added as f32
        };
        if pe.score >= base * CLIMB_MIN_RATIO && added_ld <= CLIMB_MAX_ADDED_LD {
            top = p;
            p = pe.parent;
        } else {
            break;
        }
    }
    // 4. An only child is no better than its parent.
    loop {
        let p = els[top as usize].parent;
        if p == NONE || els[p as usize].tag == Tag::Body {
            break;
        }
        let pe = &els[p as usize];
        let only = pe.first_block == els[top as usize].first_block
            && pe.end_block == els[top as usize].end_block
            && pe.el_end == els[top as usize].el_end
            && top == p + 1;
        if !only {
            break;
        }
        top = p;
    }
    top
}

/// The element's own text when it is a single paragraph.
fn ends_like_sentence(doc: &Doc, el: &El) -> bool {
    if el.end_block == 0 || el.first_block >= el.end_block {
        return false;
    }
    let b = &doc.blocks[el.end_block as usize - 1];
    doc.text(b)
        .trim_end()
        .ends_with(['.', '!', '?', '。', '"', '”'])
}

/// The top candidate plus the siblings that qualify, in document order.
pub fn with_siblings(doc: &Doc, top: u32) -> Vec<u32> {
    let els = &doc.els;
    let t = &els[top as usize];
    let parent = t.parent;
    if parent == NONE {
        return vec![top];
    }
    let threshold = SIBLING_MIN_SCORE.max(t.score * SIBLING_RATIO);
    let mut out = Vec::new();
    let mut c = parent + 1;
    let end = els[parent as usize].el_end;
    while c < end {
        let e = &els[c as usize];
        let take = if c == top {
            true
        } else {
            let bonus = if e.class_key != 0 && e.class_key == t.class_key {
                t.score * SIBLING_RATIO
            } else {
                0.0
            };
            if e.scored && e.score + bonus >= threshold {
                true
            } else if e.tag == Tag::P || (e.chars > SIBLING_PARA_CHARS && e.paras > 0) {
                let ld = e.link_density();
                (e.chars > SIBLING_PARA_CHARS && ld < SIBLING_PARA_MAX_LD)
                    || (e.chars > 0
                        && e.chars <= SIBLING_PARA_CHARS
                        && ld == 0.0
                        && ends_like_sentence(doc, e))
            } else {
                false
            }
        };
        if take && e.end_block > e.first_block {
            out.push(c);
        }
        c = e.el_end.max(c + 1);
    }
    out
}

/// Commas above which a container is kept whatever its link density (Readability).
const CLEAN_MAX_COMMAS: u32 = 10;
/// Link density that removes a container with no positive hint.
const CLEAN_MAX_LD: f32 = 0.2;
/// Average chars of a list's items above which the list is prose with links.
const LIST_PROSE_ITEM_CHARS: u32 = 80;
/// Link density that removes any container.
const CLEAN_MAX_LD_POSITIVE: f32 = 0.5;

/// Share of the article's text above which a sub-container is a wrapper, never cleaned.
const WRAPPER_SHARE: f32 = 0.5;

/// Readability's conditional cleaning: should this container inside the article go?
pub fn clean_conditionally(el: &El) -> bool {
    if !matches!(
        el.tag,
        Tag::Div | Tag::List | Tag::Table | Tag::Form | Tag::Other | Tag::Quote
    ) {
        return false;
    }
    if el.weight < 0 && el.score + (el.weight as f32) < 0.0 {
        return true;
    }
    if el.commas >= CLEAN_MAX_COMMAS {
        return false;
    }
    let ld = el.link_density();
    if el.tag == Tag::List
        && el.lis > 0
        && el.chars / el.lis >= LIST_PROSE_ITEM_CHARS
        && ld <= CLEAN_MAX_LD_POSITIVE
    {
        // Items of a sentence or more that cite their sources are prose, not navigation.
        return false;
    }
    if el.weight < hints::HINT_WEIGHT && ld > CLEAN_MAX_LD && el.chars > 0 {
        // A list of links inside the article is navigation unless it is long prose.
        return true;
    }
    if ld > CLEAN_MAX_LD_POSITIVE {
        return true;
    }
    false
}

/// Most paragraphs a standfirst holds.
const STANDFIRST_SLOTS: u32 = 2;
/// Shortest standfirst (chars); no block this long may come before it in the article.
const STANDFIRST_MIN_CHARS: u32 = 80;

/// True when a sub-container at the top of the article is its standfirst: one or two
/// unlinked paragraphs of sentences with only short lines (kicker, headline, date,
/// share bar) above it, whatever its class says (CMSs often call the lead a "teaser").
fn is_standfirst(doc: &Doc, root: &El, e: &El) -> bool {
    (root.first_block..e.first_block)
        .all(|i| doc.dead[i as usize] || doc.blocks[i as usize].chars < STANDFIRST_MIN_CHARS)
        && e.links == 0
        && e.chars >= STANDFIRST_MIN_CHARS
        && e.end_block > e.first_block
        && e.end_block - e.first_block <= STANDFIRST_SLOTS
        && (e.first_block..e.end_block).all(|i| doc.blocks[i as usize].stops > 0)
}

/// Marks the blocks of the article: the selected subtrees minus conditionally cleaned
/// containers.
pub fn keep_blocks(doc: &Doc, roots: &[u32]) -> Vec<bool> {
    let mut keep = vec![false; doc.blocks.len()];
    let dead = &doc.dead;
    for &r in roots {
        let re = &doc.els[r as usize];
        for k in &mut keep[re.first_block as usize..re.end_block as usize] {
            *k = true;
        }
        let mut c = r + 1;
        while c < re.el_end {
            let e = &doc.els[c as usize];
            // A wrapper holding most of the article is the article, whatever its class.
            let wrapper = e.chars as f32 >= re.chars as f32 * WRAPPER_SHARE;
            if !wrapper && !is_standfirst(doc, re, e) && clean_conditionally(e) {
                for k in &mut keep[e.first_block as usize..e.end_block as usize] {
                    *k = false;
                }
                c = e.el_end.max(c + 1);
            } else {
                c += 1;
            }
        }
    }
    for (k, d) in keep.iter_mut().zip(dead) {
        *k &= !d;
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::walk::strict_doc as doc;

    /// Texts of the blocks `keep` marks.
    fn kept_texts<'a>(d: &'a Doc, keep: &[bool]) -> Vec<&'a str> {
        d.blocks
            .iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .map(|(b, _)| d.text(b))
            .collect()
    }

    const PARA: &str = "This is a long paragraph of article text, with commas, clauses, and enough words to count as prose.";

    #[test]
    fn the_container_of_the_paragraphs_wins() {
        let html = format!(
            "<body><div id=links><a href=1>One</a> <a href=2>Two</a></div>\
             <div id=story><p>{PARA} 1</p><p>{PARA} 2</p><p>{PARA} 3</p></div></body>"
        );
        let mut d = doc(&html);
        let top = score(&mut d).unwrap();
        let top = refine(&d, top);
        let blocks: Vec<&str> = (d.els[top as usize].first_block..d.els[top as usize].end_block)
            .map(|i| d.text(&d.blocks[i as usize]))
            .collect();
        assert_eq!(blocks.len(), 3);
        assert!(blocks.iter().all(|b| b.starts_with(PARA)));
    }

    #[test]
    fn link_density_lowers_the_score() {
        let html = format!(
            "<body><div id=a><p><a href=x>{PARA} 1</a></p><p><a href=x>{PARA} 2</a></p></div>\
             <div id=b><p>{PARA} 3</p></div></body>"
        );
        let mut d = doc(&html);
        let top = score(&mut d).unwrap();
        let el = &d.els[top as usize];
        assert_eq!(el.links, 0);
    }

    #[test]
    fn siblings_with_prose_join() {
        let html = format!(
            "<body><div><div class=part><p>{PARA} 1</p><p>{PARA} 2</p><p>{PARA} 3</p></div>\
             <p>{PARA} 4</p><div class=part><p>{PARA} 5</p></div><ul><li><a href=x>Nav</a></li></ul></div></body>"
        );
        let mut d = doc(&html);
        let top = score(&mut d).unwrap();
        let roots = with_siblings(&d, top);
        assert_eq!(
            roots.len(),
            3,
            "first part, the lone p and the same-class part"
        );
    }

    #[test]
    fn repeated_template_text_does_not_vote() {
        let prompt = "<p>Log in to rate this picture, it only takes a moment.</p>";
        let html = format!(
            "<body><div class=content>{}</div><div id=story><p>{PARA} 1</p><p>{PARA} 2</p></div></body>",
            prompt.repeat(4)
        );
        let mut d = doc(&html);
        let top = score(&mut d).unwrap();
        let text = d.text(&d.blocks[d.els[top as usize].first_block as usize]);
        assert!(text.starts_with(PARA), "won: {text}");
    }

    #[test]
    fn a_standfirst_named_teaser_at_the_top_is_kept() {
        let lead =
            "The president invites young volunteers every year. This year he thanked them all.";
        let html = format!(
            "<body><div id=story><div class=news-teaser>{lead}</div><p>{PARA} 1</p><p>{PARA} 2</p>\
             <p>{PARA} 3</p><div class=news-teaser>A teaser for another story, with a comma.</div></div></body>"
        );
        let mut d = doc(&html);
        let top = score(&mut d).unwrap();
        let keep = keep_blocks(&d, &[top]);
        let kept = kept_texts(&d, &keep);
        assert_eq!(kept.len(), 4, "{kept:?}");
        assert_eq!(kept[0], lead);
    }

    #[test]
    fn a_list_of_cited_sentences_is_kept() {
        let item = "<li>We fixed a crash when <a href=b>bug 1234 in the session restore code</a> was reopened on startup, thanks to a volunteer.</li>";
        let html = format!(
            "<body><div><p>{PARA} 1</p><p>{PARA} 2</p><p>{PARA} 3</p><ul>{}</ul><p>{PARA} 4</p><ul><li><a href=1>Home</a></li><li><a href=2>News</a></li></ul></div></body>",
            item.repeat(3)
        );
        let mut d = doc(&html);
        let top = score(&mut d).unwrap();
        let keep = keep_blocks(&d, &[refine(&d, top)]);
        let kept = kept_texts(&d, &keep).len();
        assert_eq!(kept, 7, "four paragraphs and three items, not the menu");
    }

    #[test]
    fn conditional_cleaning_drops_link_lists() {
        let html = format!(
            "<body><div><p>{PARA}</p><div><a href=1>Link one here</a> <a href=2>Link two</a></div>\
             <p>{PARA}</p></div></body>"
        );
        let mut d = doc(&html);
        let top = score(&mut d).unwrap();
        let keep = keep_blocks(&d, &[top]);
        let kept = kept_texts(&d, &keep);
        assert_eq!(kept, [PARA, PARA]);
    }
}
