//! One iterative walk over the parsed DOM: block-level elements become [`El`] records
//! (pre-order, with subtree ranges), text becomes [`Block`]s in one shared arena, and
//! the page's metadata is collected on the way. Nothing recurses, so any nesting depth
//! is safe; nothing allocates per node except the block text we keep.

use super::hints::{self, Tag, TagClass};
use ego_tree::iter::Edge;
use scraper::{Html, Node};

/// No parent.
pub const NONE: u32 = u32::MAX;

/// A block-level element that survived the walk.
#[derive(Debug, Clone)]
pub struct El {
    /// Parent element index, or [`NONE`].
    pub parent: u32,
    /// One past the last element of this subtree (elements are in pre-order).
    pub el_end: u32,
    /// First block of this subtree.
    pub first_block: u32,
    /// One past the last block of this subtree.
    pub end_block: u32,
    /// Kind of tag.
    pub tag: Tag,
    /// Class/id weight (±25).
    pub weight: i16,
    /// Hash of the class attribute (0 when none), for Readability's same-class sibling bonus.
    pub class_key: u64,
    /// Characters of text in the subtree.
    pub chars: u32,
    /// Characters of link text in the subtree.
    pub links: u32,
    /// Commas in the subtree.
    pub commas: u32,
    /// Paragraph blocks (`p`, long div text) in the subtree.
    pub paras: u32,
    /// List-item blocks in the subtree.
    pub lis: u32,
    /// Candidate score (Readability-style), 0 until scored.
    pub score: f32,
    /// Whether the score was initialised.
    pub scored: bool,
    /// Carries only soft unlikely hints (share, caption, ad...).
    pub soft: bool,
}

impl El {
    /// Share of the subtree's text that sits in links.
    pub fn link_density(&self) -> f32 {
        if self.chars == 0 {
            0.0
        } else {
            self.links as f32 / self.chars as f32
        }
    }
}

/// A run of text: a paragraph, heading, list item, table cell, or div text.
#[derive(Debug, Clone, Copy)]
pub struct Block {
    /// Byte range in the arena.
    pub start: u32,
    /// End of the byte range.
    pub end: u32,
    /// Innermost block-level element holding the text.
    pub owner: u32,
    /// The owner's tag.
    pub tag: Tag,
    /// Characters.
    pub chars: u32,
    /// Characters inside links.
    pub links: u32,
    /// Commas (any script).
    pub commas: u32,
    /// Sentence punctuation (. ! ? and their CJK forms).
    pub stops: u32,
}

impl Block {
    /// Share of this block's text inside links.
    pub fn link_density(&self) -> f32 {
        if self.chars == 0 {
            0.0
        } else {
            self.links as f32 / self.chars as f32
        }
    }
}

/// Page metadata seen during the walk.
#[derive(Debug, Default, Clone)]
pub struct RawMeta {
    /// `<title>` text.
    pub title: Option<String>,
    /// `og:title` / `twitter:title`.
    pub og_title: Option<String>,
    /// `description` / `og:description`: the page's own summary, often shown as its lead.
    pub description: Option<String>,
    /// `og:site_name`, `application-name`.
    pub site: Option<String>,
    /// `<link rel=canonical>`.
    pub canonical: Option<String>,
    /// `og:url`.
    pub og_url: Option<String>,
    /// Published date from meta tags.
    pub date: Option<String>,
    /// First `<time datetime>` inside the body.
    pub time: Option<String>,
    /// Author from meta tags.
    pub author: Option<String>,
    /// `<html lang>`.
    pub lang: Option<String>,
    /// `og:locale` / `content-language`.
    pub locale: Option<String>,
    /// Text of every `application/ld+json` script.
    pub json_ld: Vec<String>,
}

/// The result of the walk.
#[derive(Debug, Default)]
pub struct Doc {
    /// Block-level elements in pre-order.
    pub els: Vec<El>,
    /// Text blocks in document order.
    pub blocks: Vec<Block>,
    /// All block text, back to back.
    pub arena: String,
    /// Blocks inside small soft-unlikely elements: not article text.
    pub dead: Vec<bool>,
    /// Metadata.
    pub meta: RawMeta,
}

impl Doc {
    /// Text of block `b`.
    pub fn text(&self, b: &Block) -> &str {
        &self.arena[b.start as usize..b.end as usize]
    }
}

/// Walk settings.
#[derive(Debug, Clone, Copy)]
pub struct WalkOptions {
    /// Drop elements whose class/id says navigation, widget, caption... (first pass).
    pub strip_unlikely: bool,
    /// Drop `nav`, `aside`, `header`, `footer`, `figure` (first pass).
    pub strip_semantic: bool,
}

/// One open element on the walk's stack.
#[derive(Clone, Copy)]
enum Frame {
    /// A recorded block-level element (index into `els`).
    Block(u32),
    /// A link.
    Anchor,
    /// A `pre`-like element kept as is.
    Pre(u32),
    /// Anything else.
    Inline,
}

/// Chars that count as commas for scoring (Latin, CJK, Arabic).
fn is_comma(c: char) -> bool {
    matches!(c, ',' | '，' | '、' | '،' | '﹐')
}

/// Chars that end a sentence.
fn is_stop(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '。' | '！' | '？' | '…' | ':' | ';')
}

/// Invisible chars dropped from text: zero-width spaces, BOMs, soft hyphens, and
/// Private Use Area code points (icon-font glyphs that render as pictures, never as
/// text). The zero-width (non-)joiners stay: Persian and Indic spelling needs them.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}' | '\u{feff}' | '\u{ad}' | '\u{e000}'..='\u{f8ff}' | '\u{f0000}'..
    )
}

/// Builder state for the current block.
struct Cur {
    start: usize,
    chars: u32,
    links: u32,
    commas: u32,
    stops: u32,
    space: bool,
}

impl Cur {
    fn new(start: usize) -> Self {
        Cur {
            start,
            chars: 0,
            links: 0,
            commas: 0,
            stops: 0,
            space: false,
        }
    }
}

struct Walker {
    doc: Doc,
    cur: Cur,
    stack: Vec<Frame>,
    /// Innermost recorded element.
    owner: u32,
    anchors: u32,
    /// Open `<article>` elements: a `<header>` inside one holds the headline and the
    /// standfirst, not site furniture.
    articles: u32,
    pre: u32,
    attr_buf: String,
    /// The element being opened carries only soft unlikely hints.
    soft: bool,
    /// Hints `skip` already computed for the element being opened.
    hints: Option<hints::Hints>,
}

impl Walker {
    /// Appends text with whitespace collapsed (kept as line breaks inside `pre`).
    fn push_text(&mut self, text: &str) {
        let in_link = self.anchors > 0;
        let pre = self.pre > 0;
        for c in text.chars() {
            if c.is_whitespace() {
                if pre && c == '\n' {
                    if self.cur.chars > 0 && !self.doc.arena.ends_with('\n') {
                        self.doc.arena.push('\n');
                        self.cur.chars += 1;
                    }
                    self.cur.space = false;
                } else if self.cur.chars > 0 && !self.doc.arena.ends_with('\n') {
                    self.cur.space = true;
                }
                continue;
            }
            if is_invisible(c) {
                continue;
            }
            if self.cur.space {
                self.doc.arena.push(' ');
                self.cur.chars += 1;
                if in_link {
                    self.cur.links += 1;
                }
                self.cur.space = false;
            }
            self.doc.arena.push(c);
            self.cur.chars += 1;
            if in_link {
                self.cur.links += 1;
            }
            if is_comma(c) {
                self.cur.commas += 1;
            } else if is_stop(c) {
                self.cur.stops += 1;
            }
        }
    }

    /// Ends the current block (if it holds text) as a block of `owner`.
    fn flush(&mut self) {
        if self.cur.chars == 0 {
            self.doc.arena.truncate(self.cur.start);
            self.cur = Cur::new(self.doc.arena.len());
            return;
        }
        // A `pre` block may end in a line break.
        while self.doc.arena.ends_with('\n') {
            self.doc.arena.pop();
            self.cur.chars -= 1;
        }
        let tag = if self.owner == NONE {
            Tag::Body
        } else {
            self.doc.els[self.owner as usize].tag
        };
        self.doc.blocks.push(Block {
            start: self.cur.start as u32,
            end: self.doc.arena.len() as u32,
            owner: self.owner,
            tag,
            chars: self.cur.chars,
            links: self.cur.links.min(self.cur.chars),
            commas: self.cur.commas,
            stops: self.cur.stops,
        });
        self.cur = Cur::new(self.doc.arena.len());
    }

    /// Reads meta tags of interest.
    fn meta_tag(&mut self, e: &scraper::node::Element) {
        let Some(content) = e.attr("content") else {
            return;
        };
        let content = content.trim();
        if content.is_empty() {
            return;
        }
        let key = e
            .attr("property")
            .or_else(|| e.attr("name"))
            .or_else(|| e.attr("itemprop"))
            .or_else(|| e.attr("http-equiv"))
            .unwrap_or("");
        let key = key.trim().to_ascii_lowercase();
        let m = &mut self.doc.meta;
        let set = |slot: &mut Option<String>| {
            if slot.is_none() {
                *slot = Some(content.to_string());
            }
        };
        match key.as_str() {
            "og:title" | "twitter:title" => set(&mut m.og_title),
            "og:site_name" | "application-name" => set(&mut m.site),
            "description" | "og:description" | "twitter:description" => set(&mut m.description),
            "og:url" => set(&mut m.og_url),
            "article:published_time"
            | "datepublished"
            | "date"
            | "pubdate"
            | "publishdate"
            | "dc.date"
            | "dc.date.issued"
            | "dcterms.date"
            | "dcterms.created"
            | "sailthru.date"
            | "parsely-pub-date"
            | "og:published_time"
            | "publish-date" => set(&mut m.date),
            "author" | "article:author" | "dc.creator" | "byl" | "parsely-author"
            | "sailthru.author"
                if !content.starts_with("http") && m.author.is_none() =>
            {
                let c = content.strip_prefix("By ").unwrap_or(content);
                m.author = Some(c.to_string());
            }
            "og:locale" | "content-language" | "language" | "dc.language" => set(&mut m.locale),
            _ => {}
        }
    }

    /// Reads `<meta>`, `<title>`, canonical `<link>`, JSON-LD, `<html lang>`, `<time>`.
    fn metadata(&mut self, node: ego_tree::NodeRef<'_, Node>, e: &scraper::node::Element) {
        let name = e.name();
        match name {
            "meta" => self.meta_tag(e),
            "title" if self.doc.meta.title.is_none() => {
                let t = child_text(node);
                if !t.trim().is_empty() {
                    self.doc.meta.title = Some(t);
                }
            }
            "link" => {
                if let (Some(rel), Some(href)) = (e.attr("rel"), e.attr("href"))
                    && rel.eq_ignore_ascii_case("canonical")
                    && self.doc.meta.canonical.is_none()
                {
                    self.doc.meta.canonical = Some(href.trim().to_string());
                }
            }
            "script" => {
                if let Some(ty) = e.attr("type")
                    && ty.trim().eq_ignore_ascii_case("application/ld+json")
                {
                    self.doc.meta.json_ld.push(child_text(node));
                }
            }
            "html" => {
                if let Some(l) = e.attr("lang").or_else(|| e.attr("xml:lang"))
                    && !l.trim().is_empty()
                    && self.doc.meta.lang.is_none()
                {
                    self.doc.meta.lang = Some(l.trim().to_string());
                }
            }
            "time" if self.doc.meta.time.is_none() => {
                if let Some(d) = e.attr("datetime")
                    && !d.trim().is_empty()
                {
                    self.doc.meta.time = Some(d.trim().to_string());
                }
            }
            _ => {}
        }
    }

    /// Decides whether an element and its subtree are dropped.
    fn skip(&mut self, e: &scraper::node::Element, class: TagClass, opts: &WalkOptions) -> bool {
        let name = e.name();
        self.hints = None;
        if class == TagClass::Skip {
            // Semantic containers are dropped only in the strict pass.
            let semantic = matches!(name, "nav" | "aside" | "header" | "footer" | "figure");
            let article_header = name == "header" && self.articles > 0;
            if (!semantic || opts.strip_semantic) && !article_header {
                return true;
            }
        }
        if e.attr("hidden").is_some() {
            return true;
        }
        if let Some(v) = e.attr("aria-hidden")
            && v.trim().eq_ignore_ascii_case("true")
            && class != TagClass::Anchor
        {
            return true;
        }
        if let Some(s) = e.attr("style")
            && hints::style_hides(s)
        {
            return true;
        }
        if opts.strip_unlikely
            && let Some(r) = e.attr("role")
            && hints::role_is_noise(r)
        {
            return true;
        }
        if matches!(name, "body" | "html" | "article" | "main" | "a")
            || self.pre > 0
            || class == TagClass::Inline && !matches!(name, "span" | "ins")
        {
            return false;
        }
        self.fill_attr(e);
        let h = hints::hints(&self.attr_buf);
        self.hints = Some(h);
        if self.attr_buf.is_empty() {
            return false;
        }
        if h.soft && class != TagClass::Inline {
            // Judged later by its size (see `SOFT_KEEP_CHARS`), in every pass.
            self.soft = true;
            return false;
        }
        opts.strip_unlikely && h.unlikely
    }

    /// Puts `class id` (lower case) into `attr_buf`.
    fn fill_attr(&mut self, e: &scraper::node::Element) {
        self.attr_buf.clear();
        for v in [e.attr("class"), e.attr("id")].into_iter().flatten() {
            if !self.attr_buf.is_empty() {
                self.attr_buf.push(' ');
            }
            for c in v.chars() {
                self.attr_buf.push(c.to_ascii_lowercase());
            }
        }
    }
}

/// FNV-1a hash of a string: a fast key for class attributes and block texts.
pub fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Hash of a class attribute (never 0, which means "no class").
fn class_hash(s: &str) -> u64 {
    fnv1a(s.trim()).max(1)
}

/// The strict walk of a parsed snippet, for the cleaner's unit tests.
#[cfg(test)]
pub fn strict_doc(html: &str) -> Doc {
    walk(
        &Html::parse_document(html),
        &WalkOptions {
            strip_unlikely: true,
            strip_semantic: true,
        },
    )
}

/// Text of the direct text children of a node (for `<title>` and scripts).
fn child_text(node: ego_tree::NodeRef<'_, Node>) -> String {
    let mut s = String::new();
    for c in node.children() {
        if let Node::Text(t) = c.value() {
            s.push_str(t);
        }
    }
    s
}

/// Walks the document once.
pub fn walk(html: &Html, opts: &WalkOptions) -> Doc {
    let mut w = Walker {
        doc: Doc::default(),
        cur: Cur::new(0),
        stack: Vec::with_capacity(64),
        owner: NONE,
        anchors: 0,
        articles: 0,
        pre: 0,
        attr_buf: String::with_capacity(128),
        soft: false,
        hints: None,
    };
    w.doc.els.reserve(256);
    w.doc.blocks.reserve(256);
    w.doc.arena.reserve(16 * 1024);
    let mut skipping: Option<ego_tree::NodeId> = None;
    for edge in html.tree.root().traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    // Metadata may sit inside a dropped subtree (a hidden app shell).
                    if let Node::Element(e) = node.value()
                        && matches!(e.name(), "meta" | "script" | "link")
                    {
                        w.metadata(node, e);
                    }
                    continue;
                }
                match node.value() {
                    Node::Text(t) => w.push_text(t),
                    Node::Element(e) => {
                        let name = e.name();
                        let class = hints::tag_class(name);
                        // Metadata lives in skipped elements: read it before skipping.
                        w.metadata(node, e);
                        if w.skip(e, class, opts) {
                            // A dropped element still separates the text around it.
                            if class != TagClass::Inline && class != TagClass::Anchor {
                                w.flush();
                            }
                            skipping = Some(node.id());
                            continue;
                        }
                        match class {
                            TagClass::Block | TagClass::Skip => {
                                w.flush();
                                let tag = hints::tag_of(name);
                                let h = match w.hints.take() {
                                    Some(h) => h,
                                    None => {
                                        w.fill_attr(e);
                                        hints::hints(&w.attr_buf)
                                    }
                                };
                                let idx = w.doc.els.len() as u32;
                                w.doc.els.push(El {
                                    parent: w.owner,
                                    el_end: 0,
                                    first_block: w.doc.blocks.len() as u32,
                                    end_block: 0,
                                    tag,
                                    weight: h.weight,
                                    class_key: e.attr("class").map_or(0, class_hash),
                                    chars: 0,
                                    links: 0,
                                    commas: 0,
                                    paras: 0,
                                    lis: 0,
                                    score: 0.0,
                                    scored: false,
                                    soft: std::mem::take(&mut w.soft),
                                });
                                w.owner = idx;
                                if tag == Tag::Article {
                                    w.articles += 1;
                                }
                                if tag == Tag::Pre {
                                    w.pre += 1;
                                    w.stack.push(Frame::Pre(idx));
                                } else {
                                    w.stack.push(Frame::Block(idx));
                                }
                            }
                            TagClass::Break => {
                                w.flush();
                                w.stack.push(Frame::Inline);
                            }
                            TagClass::Anchor => {
                                // `javascript:` pseudo-links and name anchors carry text, not links.
                                let real = e.attr("href").is_some_and(|h| {
                                    !h.trim_start()
                                        .to_ascii_lowercase()
                                        .starts_with("javascript:")
                                });
                                if real {
                                    w.anchors += 1;
                                    w.stack.push(Frame::Anchor);
                                } else {
                                    w.stack.push(Frame::Inline);
                                }
                            }
                            TagClass::Inline => w.stack.push(Frame::Inline),
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Some(id) = skipping {
                    if id == node.id() {
                        skipping = None;
                    }
                    continue;
                }
                if !node.value().is_element() {
                    continue;
                }
                match w.stack.pop() {
                    Some(Frame::Block(idx)) | Some(Frame::Pre(idx)) => {
                        w.flush();
                        let n_els = w.doc.els.len() as u32;
                        let n_blocks = w.doc.blocks.len() as u32;
                        let el = &mut w.doc.els[idx as usize];
                        if el.tag == Tag::Pre {
                            w.pre = w.pre.saturating_sub(1);
                        }
                        if el.tag == Tag::Article {
                            w.articles = w.articles.saturating_sub(1);
                        }
                        el.el_end = n_els;
                        el.end_block = n_blocks;
                        w.owner = el.parent;
                    }
                    Some(Frame::Anchor) => w.anchors = w.anchors.saturating_sub(1),
                    Some(Frame::Inline) | None => {}
                }
            }
        }
    }
    w.flush();
    // Elements left open (cannot happen with html5ever, but never trust it).
    let n_els = w.doc.els.len() as u32;
    let n_blocks = w.doc.blocks.len() as u32;
    for el in &mut w.doc.els {
        if el.el_end == 0 {
            el.el_end = n_els;
            el.end_block = n_blocks;
        }
    }
    let mut doc = w.doc;
    doc.dead = vec![false; doc.blocks.len()];
    aggregate(&mut doc);
    if kill_soft(&mut doc) {
        for el in &mut doc.els {
            (el.chars, el.links, el.commas, el.paras, el.lis) = (0, 0, 0, 0, 0);
        }
        aggregate(&mut doc);
    }
    doc
}

/// A soft-unlikely element with at least this much text...
const SOFT_KEEP_CHARS: u32 = 400;
/// ...and at most this link density is a wrapper of real text, not furniture.
const SOFT_KEEP_MAX_LD: f32 = 0.3;

/// Share of the page's text above which a soft-unlikely element is a wrapper.
const SOFT_WRAPPER_SHARE: f32 = 0.5;

/// Marks the blocks of small or link-heavy soft-unlikely elements dead.
fn kill_soft(doc: &mut Doc) -> bool {
    let mut any = false;
    let total: u32 = doc.blocks.iter().map(|b| b.chars).sum();
    for el in &doc.els {
        // An element holding most of the page is its wrapper, whatever its class says.
        let wrapper = el.chars as f32 >= total as f32 * SOFT_WRAPPER_SHARE;
        if el.soft
            && !wrapper
            && (el.chars < SOFT_KEEP_CHARS || el.link_density() > SOFT_KEEP_MAX_LD)
        {
            for d in &mut doc.dead[el.first_block as usize..el.end_block as usize] {
                *d = true;
            }
            any = true;
        }
    }
    any
}

/// Minimum chars for a block to count as a paragraph in container stats.
pub const PARA_MIN_CHARS: u32 = 25;

/// Adds every block's counts to its owner, then every element's to its parent.
fn aggregate(doc: &mut Doc) {
    for (b, &dead) in doc.blocks.iter().zip(&doc.dead) {
        if b.owner == NONE || dead {
            continue;
        }
        let el = &mut doc.els[b.owner as usize];
        el.chars += b.chars;
        el.links += b.links;
        el.commas += b.commas;
        match b.tag {
            Tag::Li => el.lis += 1,
            Tag::P if b.chars >= PARA_MIN_CHARS => el.paras += 1,
            Tag::Div | Tag::Body | Tag::Article | Tag::Main | Tag::Quote | Tag::Other
                if b.chars >= PARA_MIN_CHARS * 4 =>
            {
                el.paras += 1
            }
            _ => {}
        }
    }
    for i in (0..doc.els.len()).rev() {
        let p = doc.els[i].parent;
        if p == NONE {
            continue;
        }
        let (chars, links, commas, paras, lis) = {
            let e = &doc.els[i];
            (e.chars, e.links, e.commas, e.paras, e.lis)
        };
        let pe = &mut doc.els[p as usize];
        pe.chars += chars;
        pe.links += links;
        pe.commas += commas;
        pe.paras += paras;
        pe.lis += lis;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> WalkOptions {
        WalkOptions {
            strip_unlikely: true,
            strip_semantic: true,
        }
    }

    fn texts(html: &str) -> Vec<String> {
        let d = walk(&Html::parse_document(html), &strict());
        d.blocks.iter().map(|b| d.text(b).to_string()).collect()
    }

    #[test]
    fn blocks_split_at_block_elements_and_br_and_join_inline() {
        let t = texts(
            "<body><div>Intro <b>bold</b>text<p>One  \n two</p>tail<br>after<br><br>end</div></body>",
        );
        assert_eq!(t, ["Intro boldtext", "One two", "tail", "after", "end"]);
    }

    #[test]
    fn skipped_elements_leave_no_text() {
        let t = texts(
            "<body><nav>Menu</nav><p>Keep<script>x()</script></p><div class=sidebar>Side</div>\
             <p style='display:none'>Hidden</p><figure><img alt=Logo><figcaption>Cap</figcaption></figure></body>",
        );
        assert_eq!(t, ["Keep"]);
    }

    #[test]
    fn an_article_header_is_kept_but_the_page_header_is_not() {
        let t = texts(
            "<body><header><p>Site name</p></header><article><header><h1>Headline</h1>\
             <p>The standfirst.</p></header><p>Body.</p></article></body>",
        );
        assert_eq!(t, ["Headline", "The standfirst.", "Body."]);
    }

    #[test]
    fn joiners_stay_in_words_that_need_them() {
        let t = texts(
            "<body><p>\u{985}\u{9cd}\u{200d}\u{9af}\u{9be} and \u{645}\u{6cc}\u{200c}\u{62e}\u{648}\u{627}\u{647}\u{645}</p></body>",
        );
        assert_eq!(
            t,
            [
                "\u{985}\u{9cd}\u{200d}\u{9af}\u{9be} and \u{645}\u{6cc}\u{200c}\u{62e}\u{648}\u{627}\u{647}\u{645}"
            ]
        );
    }

    #[test]
    fn class_hints_on_paragraphs_count() {
        let d = walk(
            &Html::parse_document(
                "<body><p class=byline>By Jane Doe</p><p class=article-text>The body of the \
                 article, long enough to be most of the page.</p>\
                 <p class=post-meta>Filed under News</p></body>",
            ),
            &strict(),
        );
        let live: Vec<&str> = (0..d.blocks.len())
            .filter(|&i| !d.dead[i])
            .map(|i| d.text(&d.blocks[i]))
            .collect();
        assert_eq!(
            live,
            ["The body of the article, long enough to be most of the page."],
            "a small byline is dead, post-meta is skipped"
        );
    }

    #[test]
    fn icon_font_glyphs_are_not_text() {
        let t = texts("<body><p><i>\u{e5c9}</i></p><p>Rate \u{f005}this</p></body>");
        assert_eq!(t, ["Rate this"]);
    }

    #[test]
    fn link_chars_and_commas_are_counted() {
        let d = walk(
            &Html::parse_document("<p>See <a href=x>this link</a>, then, that.</p>"),
            &strict(),
        );
        let b = d.blocks[0];
        assert_eq!(d.text(&b), "See this link, then, that.");
        assert_eq!(b.links, 10, "the space before a link joins it");
        assert_eq!(b.commas, 2);
        assert_eq!(b.stops, 1);
    }

    #[test]
    fn pre_keeps_line_breaks() {
        let t = texts("<pre>let a = 1;\n\n  let b = 2;\n</pre>");
        assert_eq!(t, ["let a = 1;\nlet b = 2;"]);
    }

    #[test]
    fn metadata_is_read() {
        let d = walk(
            &Html::parse_document(
                "<html lang=de><head><title>T | Site</title><meta property='og:title' content='OG'>\
                 <meta property='og:site_name' content='Site'><link rel=canonical href='https://x/a'>\
                 <meta name=author content='By Jane Doe'>\
                 <script type='application/ld+json'>{\"headline\":\"H\"}</script></head><body><p>x</p></body></html>",
            ),
            &strict(),
        );
        assert_eq!(d.meta.title.as_deref(), Some("T | Site"));
        assert_eq!(d.meta.og_title.as_deref(), Some("OG"));
        assert_eq!(d.meta.site.as_deref(), Some("Site"));
        assert_eq!(d.meta.canonical.as_deref(), Some("https://x/a"));
        assert_eq!(d.meta.author.as_deref(), Some("Jane Doe"));
        assert_eq!(d.meta.lang.as_deref(), Some("de"));
        assert_eq!(d.meta.json_ld.len(), 1);
    }

    #[test]
    fn stats_aggregate_up_the_tree() {
        let d = walk(
            &Html::parse_document(
                "<body><div id=a><p>Alpha, beta, gamma and delta.</p><ul><li><a href=#>Link</a></li></ul></div></body>",
            ),
            &strict(),
        );
        let div = d.els.iter().find(|e| e.tag == Tag::Div).unwrap();
        assert_eq!(div.chars, 33);
        assert_eq!(div.links, 4);
        assert_eq!(div.commas, 2);
        assert_eq!(div.paras, 1);
        assert_eq!(div.lis, 1);
    }
}
