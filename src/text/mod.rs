//! Text mode: clean whole-page text dumps (navigation, captions, link lists and all)
//! down to headline and article body.
//!
//! A dump is read as *units* (lines, or hard-wrapped paragraphs) grouped in *blocks*
//! (runs of lines between blank lines). Each unit is measured once ([`signals`]) and
//! classified ([`Kind`]): prose, short sentence, short line, list item, boilerplate,
//! repeat, caption. The body is the run of units with the largest sum of prose bytes
//! minus the bytes of everything else (a maximum-sum subarray, as in Body Text
//! Extraction), refined at its edges; the headline is the best title-like line above
//! it ([`title`]). Everything is a few linear passes over borrowed slices; only the
//! output is allocated.

mod signals;
mod title;
mod units;

use crate::{Article, ExtractError};
use std::collections::HashMap;
use units::Unit;

/// Fewest words for a line to count as a prose paragraph (dense scripts count half a
/// word per character).
const PROSE_MIN_WORDS: u32 = 8;
/// Prose without final punctuation still counts when it is this long (a truncated or
/// unpunctuated paragraph).
const PROSE_UNPUNCTUATED_WORDS: u32 = 25;
/// Prose reads in lowercase: at least this share of cased words start lowercase
/// (headlines and menus in Title Case fall below).
const PROSE_MIN_LOWER: f32 = 0.4;
/// ... or this share when function words are dense (German capitalises its nouns) ...
const PROSE_MIN_LOWER_DENSE_STOP: f32 = 0.25;
/// ... at least this share of the words.
const PROSE_MIN_STOP: f32 = 0.12;
/// An unpunctuated list item with this many words ...
const ITEM_PROSE_WORDS: u32 = 12;
/// ... and this share of lowercase words reads as a sentence, not a headline.
const ITEM_PROSE_LOWER: f32 = 0.5;
/// Fewest words of a short sentence that may lead into or sit inside the body.
const SENTENCE_MIN_WORDS: u32 = 3;
/// The body must hold at least this many bytes of prose, or the page has no article.
const MIN_BODY_BYTES: usize = 50;
/// Units shorter than this are not remembered for repeat detection (short labels
/// like "News" legitimately recur).
const REPEAT_MIN_BYTES: usize = 20;
/// Consecutive repeated prose paragraphs that make a duplicated section.
const REPEAT_RUN: usize = 3;
/// A line after the body is kept as its closing credit ("REUTERS", a byline) when it
/// is at most this long.
const CREDIT_MAX_BYTES: usize = 120;
/// A label ("Most read", "Related") is a short line heading a list or a cluster.
const LABEL_MAX_WORDS: u32 = 6;
/// Lists whose items are this long on average read as prose, not as links.
const LIST_PROSE_WORDS: f32 = 8.0;
/// Share of boilerplate items (share, follow, login links) that makes a list a menu.
const LIST_MAX_BOILER: f32 = 0.3;
/// Share of list items that end a sentence above which the list is part of the text.
const LIST_SENTENCE_SHARE: f32 = 0.5;

/// What a unit is, for the body search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A prose paragraph: long, punctuated, lowercase-heavy.
    Prose,
    /// A short sentence: neither rewarded nor penalised.
    Sentence,
    /// A short line without sentence shape: heading, label, date, menu entry.
    Short,
    /// A list item, or a teaser line indented under one.
    Item,
    /// Cookie, share, newsletter, login or footer text.
    Boiler,
    /// Part of a section that repeats earlier prose (a page that prints its text twice).
    Repeat,
    /// A line under an image's alt text in the same block: a caption.
    Caption,
}

/// Cleans a whole-page text dump.
pub fn clean_text(text: &str) -> Result<Article, ExtractError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        return Err(ExtractError::Empty);
    }
    let units = units::split(text);
    let (kinds, teaser) = classify(&units);
    let article = body_run(&units, &kinds, &teaser)
        .and_then(|run| article_from_run(&units, &kinds, &teaser, run))
        .or_else(|| {
            // No prose run (or it held nothing): unpunctuated writing may still be there.
            (units.len() > SMALL_PAGE_UNITS)
                .then(|| densest_plain_run(&units, &kinds))
                .flatten()
                .and_then(|run| article_from_run(&units, &kinds, &teaser, run))
        });
    let mut article = match article {
        Some(a) => a,
        None => small_page(&units, &kinds, &teaser)?,
    };
    article.normalize_nfc();
    Ok(article)
}

/// The article whose body is the run `start..=end`, grown to its edges, with the
/// headline picked above it; `None` when nothing of the run survives cleaning.
fn article_from_run(
    units: &[Unit],
    kinds: &[Kind],
    teaser: &[bool],
    (start, end): (usize, usize),
) -> Option<Article> {
    let (start, end) = refine(units, kinds, teaser, (start, end));
    let title_idx = title::pick(units, start);
    let title = title_idx
        .map(|i| title::headline_text(units, i))
        .unwrap_or_default();
    let title_hash = title_idx.map(|i| units[i].hash);
    let blocks = assemble(units, kinds, teaser, start, end, title_hash);
    (!blocks.is_empty()).then(|| Article {
        title,
        blocks,
        ..Default::default()
    })
}

/// Least text a plain run must hold to stand as the article of a page without prose.
const FALLBACK_MIN_BYTES: usize = 300;
/// Shortest line that counts toward a plain run (longer than a menu entry; a CJK
/// character is three bytes).
const FALLBACK_MIN_LINE_BYTES: usize = 24;

/// For a page with no prose run (unpunctuated writing, verse, photo diaries): the
/// longest stretch of plain lines, with no list item, boilerplate or caption among
/// them, holds the text when it is longer than any menu. Short lines inside the
/// stretch (file names, dates) neither count nor break it.
fn densest_plain_run(units: &[Unit], kinds: &[Kind]) -> Option<(usize, usize)> {
    let (mut best, mut best_len) = (None, 0);
    let (mut start, mut len) = (0, 0);
    for (i, (u, k)) in units.iter().zip(kinds).enumerate() {
        // Image file names (photo placeholders) sit between the lines of a photo diary.
        if *k == Kind::Boiler && signals::is_image_file_name(u.text) {
            continue;
        }
        if !matches!(k, Kind::Prose | Kind::Sentence | Kind::Short) {
            len = 0;
            continue;
        }
        // Short lines (file names, dates) neither count nor break the run.
        if u.len < FALLBACK_MIN_LINE_BYTES {
            continue;
        }
        if len == 0 {
            start = i;
        }
        len += u.len;
        if len > best_len {
            (best, best_len) = (Some((start, i)), len);
        }
    }
    best.filter(|_| best_len >= FALLBACK_MIN_BYTES)
}

/// A page of at most this many lines with no prose is a short note, kept whole.
const SMALL_PAGE_UNITS: usize = 12;

/// The article of a page too small for the body search: its first line is the title,
/// every other line but boilerplate is the body. Larger pages without prose have no
/// article.
fn small_page(units: &[Unit], kinds: &[Kind], teaser: &[bool]) -> Result<Article, ExtractError> {
    if units.len() == 1 {
        // A one-line document is its own body.
        let mut body = String::new();
        units[0].write_to(&mut body);
        return Ok(Article {
            blocks: vec![body],
            ..Default::default()
        });
    }
    if units.len() > SMALL_PAGE_UNITS {
        return Err(ExtractError::NoArticle);
    }
    let title = title::headline_text(units, 0);
    let blocks = assemble(
        units,
        kinds,
        teaser,
        1,
        units.len() - 1,
        Some(units[0].hash),
    );
    if blocks.is_empty() {
        return Err(ExtractError::NoArticle);
    }
    Ok(Article {
        title,
        blocks,
        ..Default::default()
    })
}

/// True when the unit reads like a prose paragraph.
fn is_prose(u: &Unit) -> bool {
    let words = u.words();
    let shaped =
        (u.sentence || u.colon) && words >= PROSE_MIN_WORDS || words >= PROSE_UNPUNCTUATED_WORDS;
    let lower = u.ws.lower_share();
    shaped
        && (lower >= PROSE_MIN_LOWER
            || lower >= PROSE_MIN_LOWER_DENSE_STOP && u.ws.stop_share() >= PROSE_MIN_STOP)
}

/// True for a list item written as prose: a bullet point of full sentences, or a long
/// unpunctuated one that reads like a sentence (not a headline linking elsewhere).
fn is_prose_item(u: &Unit, teaser: bool) -> bool {
    !teaser
        && (is_prose(u)
            || u.words() >= ITEM_PROSE_WORDS
                && u.ws.lower_share() >= ITEM_PROSE_LOWER
                && u.ws.stop_share() >= PROSE_MIN_STOP)
}

/// True when the unit is a short sentence (lowercase-led words, final punctuation).
fn is_sentence(u: &Unit) -> bool {
    u.sentence && u.words() >= SENTENCE_MIN_WORDS && u.ws.lower_share() >= PROSE_MIN_LOWER
}

/// Classifies every unit; also returns which non-bullet units are teasers (indented
/// under a list item, so part of it).
fn classify(units: &[Unit]) -> (Vec<Kind>, Vec<bool>) {
    let mut kinds = Vec::with_capacity(units.len());
    let mut teaser = vec![false; units.len()];
    let mut prose_seen: HashMap<u64, ()> = HashMap::new();
    let mut item_indent: Option<usize> = None;
    let mut repeats: Vec<usize> = Vec::new();
    for (i, u) in units.iter().enumerate() {
        if u.bullet {
            item_indent = Some(u.indent);
        } else if let Some(ind) = item_indent {
            if u.indent > ind {
                teaser[i] = true;
            } else {
                item_indent = None;
            }
        }
        let k = if u.bullet || teaser[i] {
            Kind::Item
        } else if is_caption(units, i) || is_alt_of_next(units, i) {
            Kind::Caption
        } else if is_prose(u) {
            if u.is_boiler() {
                Kind::Boiler
            } else {
                if u.len >= REPEAT_MIN_BYTES && prose_seen.insert(u.hash, ()).is_some() {
                    repeats.push(i);
                }
                Kind::Prose
            }
        } else if is_sentence(u) {
            if u.is_boiler() {
                Kind::Boiler
            } else {
                Kind::Sentence
            }
        } else if signals::is_image_file_name(u.text) {
            // An image shown by its file name: a placeholder, not text.
            Kind::Boiler
        } else {
            // Short lines score as low as boilerplate; which of the two they are is
            // asked later, and only inside the body.
            Kind::Short
        };
        kinds.push(k);
    }
    mark_repeated_sections(units, &mut kinds, &repeats);
    (kinds, teaser)
}

/// Marks as [`Kind::Repeat`] each run of at least [`REPEAT_RUN`] consecutive prose units
/// that all repeat earlier ones and differ from each other: a section printed twice (a
/// print or mobile copy of the article). A single repeated paragraph stays.
fn mark_repeated_sections(units: &[Unit], kinds: &mut [Kind], repeats: &[usize]) {
    let mut k = 0;
    while k < repeats.len() {
        let mut j = k + 1;
        while j < repeats.len() && repeats[j] == repeats[j - 1] + 1 {
            j += 1;
        }
        let run = &repeats[k..j];
        let distinct = run.windows(2).all(|w| units[w[0]].hash != units[w[1]].hash);
        if run.len() >= REPEAT_RUN && distinct {
            for &i in run {
                kinds[i] = Kind::Repeat;
            }
        }
        k = j;
    }
}

/// True for a line that follows, in the same block, a short unpunctuated line: image
/// alt text then its caption ("Logo of …", "Photo: …" followed by the description).
fn is_caption(units: &[Unit], i: usize) -> bool {
    let u = &units[i];
    if u.pos_in_block == 0 {
        return false;
    }
    let first = &units[i - u.pos_in_block as usize];
    !first.sentence && !first.bullet && first.words() <= title::TITLE_MAX_WORDS && u.len > first.len
}

/// Alt text is at most this long.
const ALT_MAX_BYTES: usize = 300;
/// Two lines sharing at least this many leading bytes ...
const ALT_PREFIX_BYTES: usize = 24;

/// True when one of the next two lines starts like this one (at least
/// [`ALT_PREFIX_BYTES`] and most of this line): an image's alt text followed by its
/// caption, which repeats it with a credit or small edits.
fn is_alt_of_next(units: &[Unit], i: usize) -> bool {
    let a = units[i].text.as_bytes();
    if a.len() < ALT_PREFIX_BYTES || a.len() > ALT_MAX_BYTES {
        return false;
    }
    units[i + 1..units.len().min(i + 3)].iter().any(|n| {
        let b = n.text.as_bytes();
        let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
        b != a
            && common >= ALT_PREFIX_BYTES
            && common * 10 >= a.len().min(b.len()) * 6
            && b.len() >= a.len() * 9 / 10
    })
}

/// Score of a unit in the body search: prose bytes count for, everything else against.
/// A list item written as prose (a bullet point of full sentences) counts as prose; a
/// teaser indented under a link does not.
fn score(u: &Unit, k: Kind, teaser: bool) -> i64 {
    match k {
        Kind::Prose => u.len as i64,
        Kind::Item if is_prose_item(u, teaser) => u.len as i64,
        Kind::Sentence => 0,
        _ => -(u.len as i64),
    }
}
/// The run of units with the greatest score (Kadane), if it holds enough prose.
fn body_run(units: &[Unit], kinds: &[Kind], teaser: &[bool]) -> Option<(usize, usize)> {
    let (mut best, mut best_range) = (0i64, None);
    let (mut sum, mut from) = (0i64, 0usize);
    for (i, (u, &k)) in units.iter().zip(kinds).enumerate() {
        if sum <= 0 {
            sum = 0;
            from = i;
        }
        sum += score(u, k, teaser[i]);
        if sum > best {
            best = sum;
            best_range = Some((from, i));
        }
    }
    let (s, e) = best_range?;
    let prose: usize = (s..=e)
        .filter(|&i| {
            kinds[i] == Kind::Prose || kinds[i] == Kind::Item && is_prose_item(&units[i], teaser[i])
        })
        .map(|i| units[i].len)
        .sum();
    (prose >= MIN_BODY_BYTES).then_some((s, e))
}

/// A label of after-article matter ends the body only below at least this many bytes
/// of its prose ...
const TAIL_MIN_PROSE_BYTES: usize = 400;
/// ... and this share (percent) of it: a "Related" box near the top sits inside the
/// article, while comment threads can outweigh a short article.
const TAIL_MIN_PROSE_SHARE: usize = 30;

/// True for a prose paragraph or a list item written as prose.
fn is_prose_unit(u: &Unit, k: Kind, teaser: bool) -> bool {
    k == Kind::Prose || k == Kind::Item && is_prose_item(u, teaser)
}

/// Ends the body before the last label of after-article matter ("Comments (12)",
/// "Related stories") that has enough of the body's prose above it: comment threads and
/// related-story teasers are often written as full paragraphs and join the body run.
/// The last such label, so that a page of several articles, each with its own comment
/// link, keeps them all; a label heading a box inside the article is passed over.
fn cut_at_tail_label(
    units: &[Unit],
    kinds: &[Kind],
    teaser: &[bool],
    start: usize,
    end: usize,
) -> usize {
    let total: usize = (start..=end)
        .filter(|&i| is_prose_unit(&units[i], kinds[i], teaser[i]))
        .map(|i| units[i].len)
        .sum();
    let min_before = TAIL_MIN_PROSE_BYTES.max(total * TAIL_MIN_PROSE_SHARE / 100);
    let mut before = 0;
    let mut cut = end;
    for i in start..=end {
        let u = &units[i];
        if before >= min_before
            && matches!(kinds[i], Kind::Short | Kind::Item | Kind::Boiler)
            && !u.sentence
            && signals::is_tail_label(u.text)
            && !heads_inline_box(kinds, i, end)
        {
            cut = i - 1;
        }
        if is_prose_unit(u, kinds[i], teaser[i]) {
            before += u.len;
        }
    }
    cut
}

/// True when the label at `i` heads a list after which the body's prose resumes (a
/// "Related" box set inside the article), not the matter after the article.
fn heads_inline_box(kinds: &[Kind], i: usize, end: usize) -> bool {
    let mut j = i + 1;
    while j <= end && kinds[j] == Kind::Item {
        j += 1;
    }
    j > i + 1 && j <= end && kinds[j] == Kind::Prose
}

/// The body run refined at its edges: a one-line lead above, after-article matter cut
/// off below, a closing credit kept.
fn refine(
    units: &[Unit],
    kinds: &[Kind],
    teaser: &[bool],
    (start, end): (usize, usize),
) -> (usize, usize) {
    let start = extend_start(units, kinds, start);
    let end = cut_at_tail_label(units, kinds, teaser, start, end);
    (start, extend_end(units, kinds, teaser, end))
}

/// Moves the start back over short sentences directly above the body (a one-line lead).
fn extend_start(units: &[Unit], kinds: &[Kind], mut start: usize) -> usize {
    while start > 0 && kinds[start - 1] == Kind::Sentence && units[start - 1].block_len == 1 {
        start -= 1;
    }
    start
}

/// True when unit `i` cannot be article text that continues the body: a list item,
/// boilerplate, a line of a multi-line cluster, or a label heading one.
fn is_non_article(units: &[Unit], kinds: &[Kind], i: usize) -> bool {
    let u = &units[i];
    matches!(
        kinds[i],
        Kind::Item | Kind::Boiler | Kind::Caption | Kind::Repeat
    ) || u.block_len > 1
        || is_label(units, i)
}

/// True for a short line heading a list or a cluster of lines ("Most read", "Related").
fn is_label(units: &[Unit], i: usize) -> bool {
    let u = &units[i];
    !u.sentence
        && !u.bullet
        && u.words() <= LABEL_MAX_WORDS
        && units
            .get(i + 1)
            .is_some_and(|n| n.bullet || n.block_len > 1 || n.block == u.block)
}

/// Moves the end forward over one closing credit line: short, alone in its block, and
/// followed by the end of the page or by clearly non-article matter.
fn extend_end(units: &[Unit], kinds: &[Kind], teaser: &[bool], end: usize) -> usize {
    let j = end + 1;
    let Some(u) = units.get(j) else { return end };
    let credit = matches!(kinds[j], Kind::Short | Kind::Sentence)
        && !teaser[j]
        && u.block_len == 1
        && u.len <= CREDIT_MAX_BYTES
        && !is_label(units, j)
        && !u.is_boiler()
        && (j + 1 == units.len() || is_non_article(units, kinds, j + 1));
    if credit { j } else { end }
}

/// True when a run of list items is part of the article: little boilerplate, and
/// introduced by a colon or made of sentences. Items of headline shape with teaser
/// lines under them are a link list ("Most viewed" with summaries).
fn is_genuine_list(units: &[Unit], teaser: &[bool], run: std::ops::Range<usize>) -> bool {
    let items = run.clone().filter(|&i| !teaser[i]).count().max(1) as f32;
    let boiler = run.clone().filter(|&i| units[i].is_boiler()).count() as f32;
    if boiler / items >= LIST_MAX_BOILER {
        return false;
    }
    let sentences = run
        .clone()
        .filter(|&i| !teaser[i] && (units[i].sentence || is_prose_item(&units[i], false)))
        .count() as f32;
    let prose_items = sentences / items >= LIST_SENTENCE_SHARE;
    if run.clone().any(|i| teaser[i]) {
        return prose_items;
    }
    let intro = run.start > 0 && units[run.start - 1].colon && !units[run.start - 1].bullet;
    let words: u32 = run
        .clone()
        .filter(|&i| !teaser[i])
        .map(|i| units[i].words())
        .sum();
    intro || prose_items || words as f32 / items >= LIST_PROSE_WORDS
}

/// Writes the body blocks from units `start..=end`, dropping boilerplate, captions,
/// repeats, the repeated headline, link lists and the labels that head them.
fn assemble(
    units: &[Unit],
    kinds: &[Kind],
    teaser: &[bool],
    start: usize,
    end: usize,
    title_hash: Option<u64>,
) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    let mut emitted: HashMap<u64, ()> = HashMap::new();
    // Index into `units` of the last emitted single unit, to undo a label.
    let mut last_single: Option<usize> = None;
    let mut i = start;
    while i <= end {
        let u = &units[i];
        if kinds[i] == Kind::Item {
            let mut j = i + 1;
            while j <= end && kinds[j] == Kind::Item {
                j += 1;
            }
            // A list under a "Related" or "Most read" label is a link box, whatever its items.
            let widget = i > start && signals::is_tail_label(units[i - 1].text);
            if !widget && is_genuine_list(units, teaser, i..j) {
                blocks.push(list_block(units, teaser, i..j));
                last_single = None;
            } else if let Some(l) = last_single
                && l + 1 == i
                && is_label(units, l)
            {
                blocks.pop();
                last_single = None;
            }
            i = j;
            continue;
        }
        let skip = matches!(kinds[i], Kind::Boiler | Kind::Caption | Kind::Repeat)
            || (kinds[i] == Kind::Short && u.is_boiler())
            || Some(u.hash) == title_hash
            || (kinds[i] != Kind::Prose && emitted.insert(u.hash, ()).is_some());
        if !skip {
            let mut s = String::with_capacity(u.len);
            u.write_to(&mut s);
            blocks.push(s);
            last_single = Some(i);
        } else {
            last_single = None;
        }
        i += 1;
    }
    blocks
}

/// Deepest nesting level rendered in a kept list.
const MAX_LIST_DEPTH: usize = 8;

/// One block for a kept list: `  • item` lines, two more spaces per nesting level.
fn list_block(units: &[Unit], teaser: &[bool], run: std::ops::Range<usize>) -> String {
    let base = run.clone().map(|i| units[i].indent).min().unwrap_or(0);
    let mut s = String::new();
    for i in run {
        let u = &units[i];
        if !s.is_empty() {
            s.push('\n');
        }
        let level = (u.indent.saturating_sub(base) / 2).min(MAX_LIST_DEPTH);
        for _ in 0..=level {
            s.push_str("  ");
        }
        // A teaser (a paragraph under an item) is indented like the item's text.
        s.push_str(if teaser[i] { "  " } else { "• " });
        u.write_to(&mut s);
    }
    s
}

/// A line-by-line account of the decisions on a dump (unit, kind, kept or not), for
/// tuning the heuristics and for users asking why a line was dropped.
pub fn explain(text: &str) -> String {
    use std::fmt::Write;
    let units = units::split(text);
    let (kinds, teaser) = classify(&units);
    let run = body_run(&units, &kinds, &teaser);
    let mut out = String::new();
    let (s, e) = match run {
        Some(run) => refine(&units, &kinds, &teaser, run),
        None => (usize::MAX, 0),
    };
    let title = if s == usize::MAX {
        None
    } else {
        title::pick(&units, s)
    };
    for (i, (u, k)) in units.iter().zip(&kinds).enumerate() {
        let mark = if Some(i) == title {
            'T'
        } else if i >= s && i <= e {
            '|'
        } else {
            ' '
        };
        let head: String = u.text.chars().take(90).collect();
        let _ = writeln!(
            out,
            "{mark} {i:4} b{:<4} {:8} w{:<3} {}{}{} {head}",
            u.block,
            format!("{k:?}"),
            u.words(),
            if u.sentence { '.' } else { ' ' },
            if u.bullet { '•' } else { ' ' },
            " ".repeat(u.indent.min(12)),
        );
    }
    out
}

#[cfg(test)]
mod fallback_tests {
    use super::*;

    #[test]
    fn unpunctuated_diary_falls_back_to_the_longest_plain_run() {
        let mut dump = String::from("Site name\n\n");
        for k in 0..14 {
            dump.push_str(&format!("  • Menu {k}\n\n"));
        }
        for k in 0..6 {
            dump.push_str(&format!(
                "we walked up the valley road {k} and the maples had turned red along the river\n"
            ));
        }
        dump.push_str("\n  • Older post\n\n  • Newer post\n");
        let a = clean_text(&dump).unwrap();
        let body = a.body();
        assert!(
            body.contains("valley road 0") && body.contains("valley road 5"),
            "{body}"
        );
        assert!(
            !body.contains("Menu") && !body.contains("Older post"),
            "{body}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P1: &str = "The council met on Tuesday and agreed that the new bridge will open to traffic in the spring.";
    const P2: &str = "Work on the approach roads is nearly done, and the last inspections are planned for March.";

    fn kinds_of(text: &str) -> (Vec<Unit<'_>>, Vec<Kind>, Vec<bool>) {
        let u = units::split(text);
        let (k, t) = classify(&u);
        (u, k, t)
    }

    #[test]
    fn prose_needs_length_punctuation_and_lowercase() {
        let u = units::split(P1);
        assert!(is_prose(&u[0]));
        let headline =
            units::split("Council Agrees New Bridge Will Open To Traffic In The Spring Next Year.");
        assert!(!is_prose(&headline[0]), "Title Case is not prose");
        let short = units::split("The bridge opens.");
        assert!(!is_prose(&short[0]) && is_sentence(&short[0]));
        let de = units::split(
            "Der Stadtrat hat am Dienstag beschlossen, die Brücke im Frühjahr zu öffnen.",
        );
        assert!(is_prose(&de[0]));
    }

    #[test]
    fn teasers_under_items_are_items() {
        let (_, k, t) = kinds_of(
            "  • Ferry changes\n\n    The ferry will run fewer crossings from next month, the operator said.\n\nBack",
        );
        assert_eq!(k[..2], [Kind::Item, Kind::Item]);
        assert!(t[1] && !t[0]);
        assert_eq!(k[2], Kind::Short);
    }

    #[test]
    fn caption_under_alt_text_in_one_block() {
        let (_, k, _) = kinds_of(&format!(
            "Photo of the quay - Gazette\nResidents wade through the water on Tuesday.\n\n{P1}"
        ));
        assert_eq!(k[1], Kind::Caption);
        assert_eq!(k[2], Kind::Prose);
    }

    #[test]
    fn alt_text_repeated_by_its_caption() {
        let text = "A ferry leaves the harbour at dawn on Monday.\n\nA ferry leaves the harbour at dawn on Monday. | Photo: Jane Rowe";
        let (_, k, _) = kinds_of(text);
        assert_eq!(k[0], Kind::Caption);
        let (_, k, _) = kinds_of(&format!("{P1}\n\n{P1}"));
        assert_ne!(k[0], Kind::Caption, "identical lines are not alt + caption");
    }

    #[test]
    fn only_a_run_of_repeated_paragraphs_is_a_repeat() {
        let p3 =
            "Residents can follow the works on the council's website, which is updated every week.";
        let (_, k, _) = kinds_of(&format!(
            "{P1}\n\n{P2}\n\n{p3}\n\nFooter\n\n{P1}\n\n{P2}\n\n{p3}"
        ));
        assert_eq!(k[4..], [Kind::Repeat, Kind::Repeat, Kind::Repeat]);
        let (_, k, _) = kinds_of(&format!("{P1}\n\n{P2}\n\n{P1}"));
        assert_eq!(k[2], Kind::Prose, "one repeated paragraph stays");
    }

    #[test]
    fn body_run_skips_menus_and_needs_prose() {
        let text = format!("  • Home\n\n  • News\n\n{P1}\n\n{P2}\n\n  • Privacy\n\n  • Terms");
        let (u, k, t) = kinds_of(&text);
        assert_eq!(body_run(&u, &k, &t), Some((2, 3)));
        let (u, k, t) = kinds_of("  • Home\n\nNews\n\nContact us");
        assert_eq!(body_run(&u, &k, &t), None);
    }

    #[test]
    fn labels_head_lists() {
        let u = units::split("Most read\n\n  • One\n\nAfter");
        assert!(is_label(&u, 0));
        assert!(!is_label(&u, 2));
    }

    #[test]
    fn closing_credit_kept_only_before_non_article() {
        let text = format!("{P1}\n\nREUTERS\n\nMost read\n\n  • One");
        let (u, k, t) = kinds_of(&text);
        assert_eq!(extend_end(&u, &k, &t, 0), 1);
        let text = format!("{P1}\n\nREUTERS");
        let (u, k, t) = kinds_of(&text);
        assert_eq!(extend_end(&u, &k, &t, 0), 1);
        let text = format!("{P1}\n\nRelated stories\n\nAnother headline here");
        let (u, k, t) = kinds_of(&text);
        assert_eq!(
            extend_end(&u, &k, &t, 0),
            0,
            "a label followed by headlines is not a credit"
        );
        let text = format!("{P1}\n\nShare on Facebook\n\n  • One");
        let (u, k, t) = kinds_of(&text);
        assert_eq!(extend_end(&u, &k, &t, 0), 0, "boilerplate is not a credit");
    }

    #[test]
    fn comment_thread_after_a_label_is_cut_off() {
        let p3 = "Drivers will pay no toll for the first year, after which a small fee is planned for heavy lorries. Cyclists get a lane of their own.";
        let p4 = "The old ferry, which has carried cars across the river since 1952, will stop running in June.";
        let c1 = "I have lived near the river for thirty years and this is the worst flooding I have seen, honestly.";
        let c2 = "The council should have built the new wall years ago, but nobody listens to residents here.";
        let text = format!(
            "Bridge to open\n\n{P1}\n\n{P2}\n\n{p3}\n\n{p4}\n\nComments (2)\n\nJane\n\n{c1}\n\nTom\n\n{c2}"
        );
        let a = clean_text(&text).unwrap();
        assert!(!a.body().contains("thirty years"), "{}", a.body());
        assert!(a.body().contains("in June."));
        // Too little of the body above it: the label stays inside.
        let text = format!("Bridge to open\n\n{P1}\n\nComments\n\n{c1}\n\n{c2}\n\n{P2}");
        let a = clean_text(&text).unwrap();
        assert!(a.body().contains("thirty years"), "{}", a.body());
    }

    #[test]
    fn related_box_inside_the_article_is_not_its_end() {
        let text = format!(
            "{P1} {P2}\n\n{P2} {P1}\n\nRelated\n\n  • Another story about the ferry timetable changes next month.\n\n{P1}\n\n{P2}"
        );
        let (u, k, t) = kinds_of(&text);
        assert!(heads_inline_box(&k, 2, u.len() - 1));
        assert_eq!(cut_at_tail_label(&u, &k, &t, 0, u.len() - 1), u.len() - 1);
        let a = clean_text(&text).unwrap();
        assert!(
            !a.body().contains("Another story"),
            "the box's list is dropped"
        );
        assert!(!a.body().contains("Related"), "with its label");
    }

    #[test]
    fn image_file_names_are_dropped() {
        let a =
            clean_text("Test page\n\nStep one\n\nharbour.jpg\n\nStep two\n\nharbour.jpg").unwrap();
        assert_eq!(a.blocks, ["Step one", "Step two"]);
        let (_, k, _) = kinds_of(&format!("{P1}\n\nIMG_0042.JPG\n\n{P2}"));
        assert_eq!(k[1], Kind::Boiler);
    }

    #[test]
    fn genuine_lists_versus_link_lists() {
        let text = format!(
            "{P1} These are the changes:\n\n  • fares stay the same\n\n  • buses run later\n\n{P2}"
        );
        let (u, _, t) = kinds_of(&text);
        assert!(is_genuine_list(&u, &t, 1..3), "introduced by a colon");
        let text = "Latest\n\n  • Ferry timetable changes from next month\n\n    The island ferry will run two fewer crossings on weekdays from the\n\n  • Festival returns\n\n    Organisers say this summer's event will be the biggest yet, with";
        let (u, _, t) = kinds_of(text);
        assert!(!is_genuine_list(&u, &t, 1..5), "headlines with teasers");
        let (u, _, t) = kinds_of("x\n\n  • Share on Facebook\n\n  • Share on X\n\n  • Email");
        assert!(!is_genuine_list(&u, &t, 1..4), "share bar");
    }

    #[test]
    fn dropped_list_takes_its_label_along() {
        let text = format!(
            "Headline of the day\n\n{P1}\n\nRelated\n\n  • Other story one\n\n  • Other story two\n\n{P2}"
        );
        let a = clean_text(&text).unwrap();
        assert_eq!(a.blocks, [P1, P2]);
        assert_eq!(a.title, "Headline of the day");
    }

    #[test]
    fn kept_list_renders_bullets_and_nesting() {
        let text = format!(
            "{P1} It has three parts:\n\n* first part\n  * a detail\n* second part\n\n{P2}"
        );
        let a = clean_text(&text).unwrap();
        assert_eq!(
            a.blocks[1],
            "  • first part\n    • a detail\n  • second part"
        );
    }

    #[test]
    fn small_page_is_kept_whole_and_empty_is_empty() {
        let a = clean_text("Note\n\nabc\n\ndef").unwrap();
        assert_eq!((a.title.as_str(), a.blocks.len()), ("Note", 2));
        assert_eq!(clean_text("\u{feff}  \n"), Err(ExtractError::Empty));
        assert_eq!(
            clean_text("Just one line").unwrap().blocks,
            ["Just one line"]
        );
        let menu = "  • a\n\n".repeat(40);
        assert_eq!(clean_text(&menu), Err(ExtractError::NoArticle));
    }

    #[test]
    fn explain_marks_title_and_body() {
        let e = explain(&format!("Bridge to open in spring\n\n{P1}\n\n{P2}"));
        assert!(e.lines().next().unwrap().starts_with('T'));
        assert_eq!(e.lines().filter(|l| l.starts_with('|')).count(), 2);
    }
}
