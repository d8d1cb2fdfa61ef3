//! The HTML cleaner: parse once with html5ever (scraper), find the article, drop the noise.
//!
//! How it works, in order:
//! 1. [`walk`]: one iterative pass over the DOM turns block-level elements into records
//!    with subtree ranges and text into blocks (whitespace collapsed, link chars,
//!    commas and sentence stops counted), dropping what is never article text: scripts,
//!    navigation, asides, headers/footers, figures and captions, hidden elements, and
//!    elements whose class/id says widget, share bar, cookie or newsletter prompt...
//!    Metadata (`<title>`, `og:*`, canonical, JSON-LD, `lang`) is read on the way.
//! 2. [`select`]: Readability-style scoring. Paragraphs vote for their containers
//!    (length, commas), containers are weighted by tag and class/id hints and penalised
//!    by link density; the best container, refined and joined by qualifying siblings,
//!    is the article; link-heavy or list-heavy sub-containers are removed.
//! 3. [`clean`]: block-level rules near the boundaries: furniture lines, link lists,
//!    the headline repeated in the body and labels above it, "Most read"/"Related"
//!    headings (many languages) that end the article.
//! 4. If that leaves too little, a relaxed pass (no class/id or semantic stripping)
//!    and JSON-LD `articleBody` are tried, and the fullest credible result wins.

mod clean;
mod hints;
mod meta;
mod select;
mod walk;

use crate::{Article, ExtractError, Metadata};
use walk::{Doc, WalkOptions};

/// Options for [`extract`].
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The page's URL, used when the page names no canonical URL.
    pub url: Option<String>,
}

/// Body size (chars) under which the strict pass is retried relaxed (Readability's value).
const MIN_ARTICLE_CHARS: usize = 500;
/// JSON-LD `articleBody` replaces the DOM result when the DOM result has less than
/// this share of its length.
const JSON_LD_PREFERRED_RATIO: f64 = 0.5;
/// Share of the first characters in which NUL bytes mark binary data.
const SNIFF_CHARS: usize = 4096;

/// Extracts the article from an HTML document.
pub fn extract(html: &str, opts: &Options) -> Result<Article, ExtractError> {
    if html.trim().is_empty() {
        return Err(ExtractError::Empty);
    }
    let head = &html.as_bytes()[..html.len().min(SNIFF_CHARS)];
    if memchr::memchr(0, head).is_some() {
        return Err(ExtractError::NotText(
            "NUL bytes in the markup: binary data".into(),
        ));
    }
    let dom = scraper::Html::parse_document(html);
    let strict = WalkOptions {
        strip_unlikely: true,
        strip_semantic: true,
    };
    let mut doc = walk::walk(&dom, &strict);
    let raw_meta = std::mem::take(&mut doc.meta);
    let ld = meta::json_ld(&raw_meta.json_ld);
    let h1: Vec<&str> = doc
        .blocks
        .iter()
        .filter(|b| b.tag == hints::Tag::H(1))
        .map(|b| doc.text(b))
        .take(4)
        .collect();
    let title = meta::headline(&raw_meta, &ld, &h1);
    let page = clean::PageHints::new(&title, raw_meta.description.as_deref());
    let mut blocks = article_blocks(doc_with_scores(doc), &page);
    let chars = |bs: &[String]| bs.iter().map(|b| b.chars().count()).sum::<usize>();
    if chars(&blocks) < MIN_ARTICLE_CHARS {
        for relaxed in [
            WalkOptions {
                strip_unlikely: false,
                strip_semantic: true,
            },
            WalkOptions {
                strip_unlikely: false,
                strip_semantic: false,
            },
        ] {
            let alt = article_blocks(doc_with_scores(walk::walk(&dom, &relaxed)), &page);
            if chars(&alt) > chars(&blocks) {
                blocks = alt;
            }
            if chars(&blocks) >= MIN_ARTICLE_CHARS {
                break;
            }
        }
    }
    if let Some(body) = ld.body.as_deref() {
        let ld_blocks = json_ld_blocks(body);
        let n = chars(&ld_blocks);
        if n > 0 && (chars(&blocks) as f64) < n as f64 * JSON_LD_PREFERRED_RATIO {
            blocks = ld_blocks;
        }
    }
    if blocks.is_empty() {
        return Err(ExtractError::NoArticle);
    }
    let meta = metadata(&raw_meta, &ld, opts);
    let mut article = Article {
        title,
        blocks,
        meta,
    };
    article.normalize_nfc();
    Ok(article)
}

/// Scores a walked document (kept apart so the walk can be redone relaxed).
fn doc_with_scores(mut doc: Doc) -> (Doc, Option<u32>) {
    let top = select::score(&mut doc);
    (doc, top)
}

/// Selects, cleans and assembles the article blocks of a scored document.
fn article_blocks((doc, top): (Doc, Option<u32>), page: &clean::PageHints) -> Vec<String> {
    let roots = match top {
        Some(t) => {
            let t = select::refine(&doc, t);
            select::with_siblings(&doc, t)
        }
        None => Vec::new(),
    };
    let keep = if roots.is_empty() {
        // No container stood out: every block of the page competes on its own.
        doc.dead.iter().map(|d| !d).collect()
    } else {
        select::keep_blocks(&doc, &roots)
    };
    let mut order: Vec<usize> = (0..doc.blocks.len()).filter(|&i| keep[i]).collect();
    clean::add_lead(&doc, &mut order, page);
    clean::filter(&doc, &mut order, &page.title);
    clean::assemble(&doc, &order)
}

/// Splits a JSON-LD `articleBody` into blocks (it may hold plain text or HTML).
fn json_ld_blocks(body: &str) -> Vec<String> {
    if body.contains("</p>") || body.contains("<br") {
        let dom = scraper::Html::parse_document(body);
        let doc = walk::walk(
            &dom,
            &WalkOptions {
                strip_unlikely: false,
                strip_semantic: false,
            },
        );
        return doc.blocks.iter().map(|b| doc.text(b).to_string()).collect();
    }
    body.split('\n')
        .map(meta::collapse)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Fills [`Metadata`] from the meta tags, JSON-LD and the caller's URL.
fn metadata(raw: &walk::RawMeta, ld: &meta::JsonLd, opts: &Options) -> Metadata {
    let base = opts.url.as_deref();
    let url = raw
        .canonical
        .as_deref()
        .and_then(|c| meta::resolve(c, base.or(raw.og_url.as_deref())))
        .or_else(|| raw.og_url.as_deref().and_then(|u| meta::resolve(u, base)))
        .or_else(|| opts.url.clone());
    let lang = raw
        .lang
        .clone()
        .or_else(|| raw.locale.as_ref().map(|l| l.replace('_', "-")))
        .or_else(|| ld.lang.clone());
    Metadata {
        url,
        date: raw
            .date
            .clone()
            .or_else(|| ld.date.clone())
            .or_else(|| raw.time.clone()),
        author: raw.author.clone().or_else(|| ld.author.clone()),
        site: raw.site.clone().or_else(|| ld.site.clone()),
        lang,
    }
}

/// A bare html5ever parse of `html` with nothing else, for measuring the cleaner
/// against the parser alone. Returns the number of nodes so the work is not optimised away.
pub fn parse_only(html: &str) -> usize {
    scraper::Html::parse_document(html).tree.nodes().count()
}

/// Debug view of the scoring (top candidates and kept blocks), for tuning.
#[doc(hidden)]
pub fn debug_dump(html: &str) -> String {
    use std::fmt::Write;
    let dom = scraper::Html::parse_document(html);
    let mut out = String::new();
    for strict in [true, false] {
        let o = WalkOptions {
            strip_unlikely: strict,
            strip_semantic: strict,
        };
        let mut doc = walk::walk(&dom, &o);
        let top = select::score(&mut doc);
        let mut idx: Vec<usize> = (0..doc.els.len()).filter(|&i| doc.els[i].scored).collect();
        idx.sort_by(|a, b| doc.els[*b].score.total_cmp(&doc.els[*a].score));
        let _ = writeln!(out, "== strict {strict} top {top:?}");
        if std::env::var("GLEANER_BLOCKS").is_ok_and(|v| (v == "2") != strict) {
            for (i, b) in doc.blocks.iter().enumerate() {
                let t: String = doc.text(b).chars().take(90).collect();
                let _ = writeln!(
                    out,
                    "  b{i} {:?} own {} dead {} chars {} ld {:.2} stops {} | {t}",
                    b.tag,
                    b.owner,
                    doc.dead[i],
                    b.chars,
                    b.link_density(),
                    b.stops
                );
            }
        }
        for &i in idx.iter().take(6) {
            let e = &doc.els[i];
            let first: String = if e.first_block < e.end_block {
                doc.text(&doc.blocks[e.first_block as usize])
                    .chars()
                    .take(60)
                    .collect()
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  el {i} {:?} score {:.1} w {} chars {} ld {:.2} blocks {}..{} | {first}",
                e.tag,
                e.score,
                e.weight,
                e.chars,
                e.link_density(),
                e.first_block,
                e.end_block
            );
        }
        if let Some(t) = top {
            let t2 = select::refine(&doc, t);
            let roots = select::with_siblings(&doc, t2);
            let _ = writeln!(out, "  refined {t2} roots {roots:?}");
            let keep = select::keep_blocks(&doc, &roots);
            let mut order: Vec<usize> = (0..doc.blocks.len()).filter(|&i| keep[i]).collect();
            let _ = writeln!(out, "  kept {}", order.len());
            for &r in &roots {
                let e = &doc.els[r as usize];
                let _ = writeln!(
                    out,
                    "  root {r} {:?} blocks {}..{} els ..{}",
                    e.tag, e.first_block, e.end_block, e.el_end
                );
                for c in r + 1..e.el_end {
                    let x = &doc.els[c as usize];
                    if select::clean_conditionally(x) {
                        let _ = writeln!(
                            out,
                            "    cleaned {c} {:?} blocks {}..{} score {} w {} ld {:.2} lis {} paras {}",
                            x.tag,
                            x.first_block,
                            x.end_block,
                            x.score,
                            x.weight,
                            x.link_density(),
                            x.lis,
                            x.paras
                        );
                    }
                }
            }
            clean::filter(&doc, &mut order, "");
            let _ = writeln!(out, "  filtered {}", order.len());
        }
    }
    out
}
