//! Class/id hints, tag classes and the multilingual word lists used by the cleaner.
//!
//! Everything here is a small pure function over `&str`, so each rule can be unit
//! tested on its own and costs no allocation on the hot path.

/// Weight a positive class/id hint adds to a container's score (Readability's value).
pub const HINT_WEIGHT: i16 = 25;

/// What the walker does with an element of a given tag name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagClass {
    /// Never content: scripts, styles, forms controls, media, navigation, asides,
    /// figures (captions and credits live there).
    Skip,
    /// Starts and ends a text block.
    Block,
    /// A line break inside a block.
    Break,
    /// A link: its text counts as link text.
    Anchor,
    /// Everything else joins the surrounding paragraph.
    Inline,
}

/// Classifies a tag name (lower case, as html5ever gives it).
pub fn tag_class(name: &str) -> TagClass {
    match name {
        // Not text, or never article text.
        "script" | "style" | "noscript" | "template" | "svg" | "math" | "iframe" | "object"
        | "embed" | "canvas" | "video" | "audio" | "select" | "option" | "textarea" | "button"
        | "input" | "nav" | "aside" | "figure" | "figcaption" | "picture" | "title" | "meta"
        | "link" | "map" | "dialog" | "label" | "footer" | "header" | "menu" | "datalist"
        | "optgroup" | "output" | "progress" | "meter" | "frameset" | "frame" => TagClass::Skip,
        "br" | "hr" => TagClass::Break,
        "a" => TagClass::Anchor,
        "p" | "div" | "section" | "article" | "main" | "body" | "html" | "blockquote" | "li"
        | "ul" | "ol" | "dl" | "dt" | "dd" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "pre"
        | "table" | "thead" | "tbody" | "tfoot" | "tr" | "td" | "th" | "caption" | "form"
        | "fieldset" | "legend" | "address" | "center" | "details" | "summary" | "hgroup"
        | "dir" | "listing" | "xmp" | "plaintext" => TagClass::Block,
        _ => TagClass::Inline,
    }
}

/// Tag kinds the scorer and the assembler care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// `div`, `section`, `center` and other generic containers.
    Div,
    /// `p`.
    P,
    /// A heading `h1`..`h6` (level).
    H(u8),
    /// `li`, `dt`, `dd`.
    Li,
    /// `ul`, `ol`, `dl`.
    List,
    /// `td`, `th`.
    Cell,
    /// `tr`.
    Row,
    /// `table`.
    Table,
    /// `pre`.
    Pre,
    /// `blockquote`.
    Quote,
    /// `article`.
    Article,
    /// `main`.
    Main,
    /// `body` or `html`.
    Body,
    /// `form`, `fieldset`.
    Form,
    /// `address`, `caption` and the rest.
    Other,
}

/// The [`Tag`] of a block-level tag name.
pub fn tag_of(name: &str) -> Tag {
    match name {
        "p" => Tag::P,
        "h1" => Tag::H(1),
        "h2" => Tag::H(2),
        "h3" => Tag::H(3),
        "h4" => Tag::H(4),
        "h5" => Tag::H(5),
        "h6" => Tag::H(6),
        "li" | "dt" | "dd" => Tag::Li,
        "ul" | "ol" | "dl" | "dir" => Tag::List,
        "td" | "th" => Tag::Cell,
        "tr" => Tag::Row,
        "table" => Tag::Table,
        "pre" | "listing" | "xmp" | "plaintext" => Tag::Pre,
        "blockquote" => Tag::Quote,
        "article" => Tag::Article,
        "main" => Tag::Main,
        "body" | "html" => Tag::Body,
        "form" | "fieldset" => Tag::Form,
        "div" | "section" | "center" | "details" | "hgroup" => Tag::Div,
        _ => Tag::Other,
    }
}

/// Readability's initial score of a container by its tag: text containers up,
/// lists and headings down.
pub fn tag_base_score(tag: Tag) -> f32 {
    match tag {
        Tag::Div | Tag::Article | Tag::Main => 5.0,
        Tag::Pre | Tag::Cell | Tag::Quote => 3.0,
        Tag::List | Tag::Li | Tag::Form | Tag::Other => -3.0,
        Tag::H(_) => -5.0,
        _ => 0.0,
    }
}

/// Class/id words that mark a block that is never article text (removed outright
/// when the element carries no positive hint). Matched as substrings.
const UNLIKELY_SUBSTR: &[&str] = &[
    "banner",
    "breadcrumb",
    "combx",
    "comment",
    "community",
    "cover-wrap",
    "disqus",
    "footer",
    "gdpr",
    "consent",
    "cookie",
    "legends",
    "menu",
    "related",
    "remark",
    "replies",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "sponsor",
    "supplemental",
    "ad-break",
    "agegate",
    "pagination",
    "pager",
    "newsletter",
    "subscribe",
    "subscription",
    "paywall",
    "popular",
    "trending",
    "mostread",
    "most-read",
    "most_read",
    "mostviewed",
    "most-viewed",
    "recommend",
    "author-bio",
    "authorbio",
    "author-box",
    "authorbox",
    "about-author",
    "author-info",
    "author-desc",
    "author-card",
    "autorbox",
    "autor-box",
    "outbrain",
    "taboola",
    "teaser-list",
    "see-also",
    "navbar",
    "navigation",
    "masthead",
    "signup",
    "sign-up",
    "print-only",
    "skip-link",
    "skiplink",
    "tagcloud",
    "tag-cloud",
    "post-tags",
    "article-tags",
    "entry-meta",
    "post-meta",
    "postmeta",
];

/// Short class/id words that mark noise only as whole words (`ad` but not `head`).
const UNLIKELY_WORD: &[&str] = &["nav", "rss", "header", "toolbar"];

/// Class/id words that usually mark small furniture (share bars, captions, ads) but
/// sometimes sit on a wrapper of the whole article: the walker drops such an element
/// only when it turns out small or link-heavy. Matched as substrings.
const SOFT_SUBSTR: &[&str] = &[
    "share",
    "sharing",
    "social",
    "caption",
    "credit",
    "byline",
    "advert",
    "promo",
    "popup",
    // A "read more" link, or the collapsed rest of the story behind one.
    "read-more",
    "readmore",
];

/// Short soft words, matched as whole words.
const SOFT_WORD: &[&str] = &[
    "ad", "ads", "extra", "modal", "print", "meta", "sns", "tags",
];

/// Words that keep an element even when it also carries an unlikely word
/// (`article-comments` no, but `main-content-sidebar-wrapper` yes).
const MAYBE_SUBSTR: &[&str] = &["article", "body", "content", "column", "main", "shadow"];

/// Class/id words that lower a container's score (Readability's negative list).
const NEGATIVE_SUBSTR: &[&str] = &[
    "hidden",
    "banner",
    "combx",
    "comment",
    "com-",
    "contact",
    "footer",
    "gdpr",
    "masthead",
    "media",
    "outbrain",
    "promo",
    "related",
    "scroll",
    "share",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "sponsor",
    "shopping",
    "tags",
    "widget",
    "teaser",
    "byline",
    "author",
    "caption",
    "social",
    "newsletter",
    "cookie",
    "-ad-",
    "popular",
    "trending",
];

/// Class/id words that raise a container's score (Readability's positive list).
const POSITIVE_SUBSTR: &[&str] = &[
    "article",
    "body",
    "content",
    "entry",
    "hentry",
    "h-entry",
    "main",
    "page",
    "post",
    "text",
    "blog",
    "story",
    "prose",
    "rich-text",
    "richtext",
];

/// Which class/id word lists a substring needle belongs to (bit set).
const IN_NEGATIVE: u8 = 1;
const IN_POSITIVE: u8 = 2;
const IN_MAYBE: u8 = 4;
const IN_UNLIKELY: u8 = 8;
const IN_SOFT: u8 = 16;

/// One automaton over every substring list, so a class/id string is scanned once
/// instead of once per needle (this runs for every element of every page).
static NEEDLES: std::sync::LazyLock<(aho_corasick::AhoCorasick, Vec<u8>)> =
    std::sync::LazyLock::new(|| {
        let mut words: Vec<&'static str> = Vec::new();
        let mut sets: Vec<u8> = Vec::new();
        for (list, bit) in [
            (NEGATIVE_SUBSTR, IN_NEGATIVE),
            (POSITIVE_SUBSTR, IN_POSITIVE),
            (MAYBE_SUBSTR, IN_MAYBE),
            (UNLIKELY_SUBSTR, IN_UNLIKELY),
            (SOFT_SUBSTR, IN_SOFT),
        ] {
            for &w in list {
                match words.iter().position(|&x| x == w) {
                    Some(i) => sets[i] |= bit,
                    None => {
                        words.push(w);
                        sets.push(bit);
                    }
                }
            }
        }
        let ac = aho_corasick::AhoCorasick::new(&words).expect("class/id word lists build");
        (ac, sets)
    });

/// The lists (bit set) with at least one needle inside `hay` (already lower case).
fn lists_matched(hay: &str) -> u8 {
    let (ac, sets) = &*NEEDLES;
    let mut bits = 0;
    for m in ac.find_overlapping_iter(hay) {
        bits |= sets[m.pattern().as_usize()];
    }
    bits
}

/// True when one of the words of `hay` (split at non-alphanumerics) is in `words`.
fn has_word(hay: &str, words: &[&str]) -> bool {
    hay.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| !w.is_empty() && words.contains(&w))
}

/// Hints read from an element's class and id (lower-cased by the caller).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hints {
    /// Readability's class weight: -25, 0, +25 or 0 for both.
    pub weight: i16,
    /// The element is navigation, a widget, a caption... and holds no article text.
    pub unlikely: bool,
    /// Only soft words made it unlikely: judge it by its size.
    pub soft: bool,
}

/// Computes the hints of a class/id string (lower case, class and id joined by a space).
pub fn hints(attr: &str) -> Hints {
    if attr.is_empty() {
        return Hints::default();
    }
    let bits = lists_matched(attr);
    let mut weight = 0;
    if bits & IN_NEGATIVE != 0 {
        weight -= HINT_WEIGHT;
    }
    if bits & IN_POSITIVE != 0 {
        weight += HINT_WEIGHT;
    }
    if bits & IN_MAYBE != 0 {
        return Hints {
            weight,
            ..Default::default()
        };
    }
    let hard = bits & IN_UNLIKELY != 0 || has_word(attr, UNLIKELY_WORD);
    let soft = !hard && (bits & IN_SOFT != 0 || has_word(attr, SOFT_WORD));
    Hints {
        weight,
        unlikely: hard || soft,
        soft,
    }
}

/// ARIA roles that are never the article.
pub fn role_is_noise(role: &str) -> bool {
    matches!(
        role.trim().to_ascii_lowercase().as_str(),
        "navigation"
            | "complementary"
            | "banner"
            | "contentinfo"
            | "menu"
            | "menubar"
            | "dialog"
            | "alertdialog"
            | "search"
            | "toolbar"
            | "tablist"
            | "note"
    )
}

/// True when an inline `style` hides the element.
pub fn style_hides(style: &str) -> bool {
    let mut compact = [0u8; 64];
    let mut n = 0;
    for b in style.bytes() {
        if b.is_ascii_whitespace() {
            continue;
        }
        if n == compact.len() {
            // Long styles: shift a window so `display:none` anywhere is still found.
            compact.copy_within(32.., 0);
            n = 32;
        }
        compact[n] = b.to_ascii_lowercase();
        n += 1;
        let s = &compact[..n];
        if s.ends_with(b"display:none") || s.ends_with(b"visibility:hidden") {
            return true;
        }
    }
    false
}

/// Headings that open a block of links to other stories, in the languages we meet most.
/// Matched against the start of a short, lower-cased heading.
const RELATED_HEADINGS: &[&str] = &[
    // English
    "most viewed",
    "most popular",
    "most read",
    "most shared",
    "most commented",
    "trending",
    "popular",
    "related",
    "read more",
    "read also",
    "read next",
    "also read",
    "more from",
    "more on",
    "more stories",
    "more news",
    "more articles",
    "recommended",
    "you may also like",
    "you might also like",
    "you may like",
    "you might like",
    "don't miss",
    "editor's picks",
    "editors' picks",
    "top stories",
    "latest news",
    "latest stories",
    "latest articles",
    "further reading",
    "see also",
    "in other news",
    "what to read next",
    "around the web",
    "from the web",
    "recent posts",
    "similar articles",
    "leave a reply",
    "leave a comment",
    "comments",
    "share this",
    "sponsored",
    // German
    "meistgelesen",
    "meist gelesen",
    "am meisten gelesen",
    "beliebt",
    "weitere artikel",
    "weitere nachrichten",
    "weiterführende",
    "mehr zum thema",
    "mehr zu",
    "mehr aus",
    "mehr von",
    "das könnte sie auch interessieren",
    "das könnte dich auch interessieren",
    "auch interessant",
    "lesen sie auch",
    "lies auch",
    "ähnliche artikel",
    "verwandte artikel",
    "artikel zum thema",
    "top themen",
    "top-themen",
    "empfehlungen",
    "kommentare",
    "kommentar verfassen",
    "schreibe einen kommentar",
    "neueste beiträge",
    "letzte beiträge",
    // French
    "les plus lus",
    "les plus populaires",
    "à lire aussi",
    "a lire aussi",
    "lire aussi",
    "sur le même sujet",
    "articles similaires",
    "articles liés",
    "vous aimerez aussi",
    "vous aimerez peut-être",
    "vous pourriez aussi aimer",
    "nos recommandations",
    "commentaires",
    "laisser un commentaire",
    "dans la même rubrique",
    "à voir aussi",
    // Spanish / Portuguese / Italian
    "lo más leído",
    "lo mas leido",
    "más leídas",
    "más leído",
    "te puede interesar",
    "también te puede interesar",
    "noticias relacionadas",
    "artículos relacionados",
    "relacionado",
    "lee también",
    "lea también",
    "mais lidas",
    "leia também",
    "veja também",
    "notícias relacionadas",
    "i più letti",
    "più letti",
    "leggi anche",
    "articoli correlati",
    "potrebbe interessarti",
    // Dutch / Nordic
    "meest gelezen",
    "lees ook",
    "gerelateerde",
    "mest läst",
    "läs också",
    "mest lest",
    "les også",
    "mest læste",
    "læs også",
    // Polish / Czech / Russian
    "najczęściej czytane",
    "najpopularniejsze",
    "czytaj też",
    "czytaj także",
    "zobacz też",
    "zobacz także",
    "powiązane",
    "polecane",
    "nejčtenější",
    "související",
    "читайте также",
    "самое популярное",
    "популярное",
    "похожие",
    // Turkish
    "en çok okunan",
    "ilgili haberler",
    // Chinese / Japanese / Korean
    "相关",
    "相關",
    "热门",
    "熱門",
    "推荐",
    "推薦",
    "延伸阅读",
    "延伸閱讀",
    "猜你喜欢",
    "最新文章",
    "関連記事",
    "人気記事",
    "おすすめ",
    "관련기사",
    "많이 본",
    // Vietnamese / Indonesian / Malay
    "tin liên quan",
    "đọc nhiều",
    "baca juga",
    "berita terkait",
    "terpopuler",
];

/// Longest heading (in chars) still taken for a related-block heading.
pub const MAX_RELATED_HEADING_CHARS: usize = 48;

/// True when `text` reads like the heading of a related/most-read/comments widget.
pub fn is_related_heading(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > MAX_RELATED_HEADING_CHARS {
        return false;
    }
    let lower = t.to_lowercase();
    let lower = lower.trim_start_matches(|c: char| !c.is_alphanumeric());
    RELATED_HEADINGS.iter().any(|h| {
        lower.starts_with(h)
            && lower[h.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric() || !h.is_ascii())
    })
}

/// Short lines that are site furniture wherever they appear: ad labels, share
/// prompts, subscription and cookie prompts.
const BOILERPLATE_PREFIXES: &[&str] = &[
    "advertisement",
    "advertising",
    "sponsored content",
    "anzeige",
    "werbung",
    "publicité",
    "publicidad",
    "pubblicità",
    "reklama",
    "share this",
    "share on",
    "share:",
    "teilen",
    "partager",
    "compartir",
    "condividi",
    "udostępnij",
    "follow us",
    "folgen sie uns",
    "suivez-nous",
    "síguenos",
    "sign up",
    "subscribe",
    "abonnieren",
    "jetzt abonnieren",
    "newsletter",
    "abonnez-vous",
    "suscríbete",
    "we use cookies",
    "this site uses cookies",
    "this website uses cookies",
    "diese website verwendet cookies",
    "wir verwenden cookies",
    "ce site utilise des cookies",
    "nous utilisons des cookies",
    "accept cookies",
    "all rights reserved",
    "alle rechte vorbehalten",
    "tous droits réservés",
    "todos los derechos reservados",
    "copyright ©",
    "©",
    "(c) copyright",
    "click here to",
    "klicken sie hier",
    "read more",
    "weiterlesen",
    "lire la suite",
    "leer más",
    "continue reading",
    "skip to content",
    "zum inhalt springen",
    "back to top",
    "nach oben",
    "print this",
    "email this",
    "related:",
    "tags:",
    "schlagwörter:",
    "loading",
    "please enable javascript",
];

/// Labels of share and tool bars, lower case: a line holding only one is furniture.
const SHARE_BAR_WORDS: &[&str] = &[
    "share",
    "tweet",
    "print",
    "email",
    "e-mail",
    "mail",
    "whatsapp",
    "facebook",
    "twitter",
    "linkedin",
    "pinterest",
    "teilen",
    "drucken",
    "partager",
    "imprimer",
    "compartir",
    "imprimir",
    "condividi",
    "stampa",
    "udostępnij",
    "drukuj",
];

/// Longest line (in chars) judged by [`is_boilerplate_line`].
pub const MAX_BOILERPLATE_CHARS: usize = 100;

/// True when a short line is site furniture (ad label, share/subscribe/cookie prompt).
pub fn is_boilerplate_line(text: &str) -> bool {
    let t = text.trim();
    if t.chars().count() > MAX_BOILERPLATE_CHARS {
        return false;
    }
    let lower = t.to_lowercase();
    // Markers before the label (`*Anzeige`, `- Advertisement -`) do not hide it.
    let lower = lower.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '©' && c != '(');
    SHARE_BAR_WORDS.contains(&lower.trim_end_matches(|c: char| !c.is_alphanumeric()))
        || BOILERPLATE_PREFIXES.iter().any(|p| lower.starts_with(p))
}

/// Words of subscription, app, social and legal prompts, lower case. A short block
/// holding one at the very start or end of the article is a prompt, not the story.
const PROMPT_WORDS: &[&str] = &[
    "subscribe",
    "subscriber",
    "subscription",
    "newsletter",
    "sign up",
    "sign in to",
    "log in to",
    "download our app",
    " app for ios",
    " apps for ios",
    "follow us",
    "is not responsible for",
    "on twitter",
    "on facebook",
    "on instagram",
    "auf facebook",
    "auf instagram",
    "all rights reserved",
    "alle rechte vorbehalten",
    "tous droits réservés",
    "todos los derechos reservados",
    "tutti i diritti riservati",
    "wszelkie prawa zastrzeżone",
    "všechna práva vyhrazena",
    "abonnieren",
    "abonnent",
    "abonnez",
    "abonné",
    "suscríbete",
    "suscriptor",
    "prenumerat",
    "subskrypc",
    "zaloguj",
    "cookies",
];

/// Longest block (chars) judged by [`is_prompt`].
pub const MAX_PROMPT_CHARS: usize = 250;

/// True when a short block is a subscription, app, social or legal prompt.
pub fn is_prompt(text: &str) -> bool {
    if text.chars().count() > MAX_PROMPT_CHARS {
        return false;
    }
    let lower = text.to_lowercase();
    PROMPT_WORDS.iter().any(|w| lower.contains(w))
}

/// Longest block (chars) judged by [`is_credit_line`].
pub const MAX_CREDIT_CHARS: usize = 160;

/// Labels that open a photo or image credit line, lower case, with their colon.
const CREDIT_LABELS: &[&str] = &[
    "foto:",
    "fotos:",
    "photo:",
    "photos:",
    "image:",
    "bild:",
    "bilder:",
    "credit:",
    "credits:",
    "photo credit",
    "image credit",
    "fot.",
    "zdjęcie:",
    "quelle:",
    "source:",
    "titelbild:",
    "beitragsbild:",
    "titelfoto:",
];

/// True for a short picture caption or credit line left in the text: it holds a
/// copyright sign, or a credit label (`Foto:`, `Photo:`) at its start or after a
/// name (`Jane Doe, photo: Agency`). Captions name the picture, not the story.
pub fn is_credit_line(text: &str) -> bool {
    let t = text.trim();
    if t.chars().count() > MAX_CREDIT_CHARS {
        return false;
    }
    if t.contains('©') {
        return true;
    }
    let lower = t.to_lowercase();
    CREDIT_LABELS.iter().any(|l| {
        lower.starts_with(l)
            || lower
                .find(l)
                .is_some_and(|i| lower[..i].trim_end().ends_with(',') && i < lower.len() / 2)
    })
}

/// Longest block (chars) judged by [`is_consent_placeholder`].
pub const MAX_CONSENT_CHARS: usize = 320;

/// Words that ask for consent before showing something, lower case.
const CONSENT_WORDS: &[&str] = &[
    "consent",
    "einverständnis",
    "einverstanden",
    "einwilligung",
    "zustimmung",
    "consentement",
    "consentimiento",
    "consenso",
    "zgod",
];

/// Words naming what the consent is for: an embedded third-party post or video.
const EMBED_WORDS: &[&str] = &[
    "extern",
    "third-party",
    "third party",
    "drittanbieter",
    "twitter",
    "youtube",
    "instagram",
    "facebook",
    "tiktok",
    "vimeo",
    "spotify",
    "podcast",
    "datenschutz",
    "privacy",
    "privatsphäre",
    "cookies",
];

/// True for the placeholder a page shows instead of an embedded post or video until
/// the reader consents ("Activate external content from YouTube..."): the embed is not
/// the story and neither is the notice.
pub fn is_consent_placeholder(text: &str) -> bool {
    if text.chars().count() > MAX_CONSENT_CHARS {
        return false;
    }
    let lower = text.to_lowercase();
    CONSENT_WORDS.iter().any(|w| lower.contains(w)) && EMBED_WORDS.iter().any(|w| lower.contains(w))
}

/// Longest block (chars) judged by [`is_paywall_prompt`].
pub const MAX_PAYWALL_CHARS: usize = 160;

/// Words that ask the reader to pay or log in to read on, lower case.
const PAYWALL_WORDS: &[&str] = &[
    "subscribe to",
    "to continue reading",
    "to read the full",
    "to view the full",
    "already a subscriber",
    "weiterlesen?",
    "abonnent",
    "abonnentin",
    "lire la suite",
    "pour accéder",
    "déjà abonné",
    "para seguir leyendo",
    "ya eres suscriptor",
    "per continuare a leggere",
    "czytaj dalej",
];

/// True for a short paywall prompt inside the article ("Subscribe to read on"): the
/// text stops there for the crawler, and the prompt is not part of the story.
pub fn is_paywall_prompt(text: &str) -> bool {
    if text.chars().count() > MAX_PAYWALL_CHARS {
        return false;
    }
    let lower = text.to_lowercase();
    PAYWALL_WORDS.iter().any(|w| lower.contains(w))
}

/// Longest block (chars) judged by [`is_label_line`].
pub const MAX_LABEL_CHARS: usize = 80;

/// True for a short `Label: value` line with no sentence ending (category, date,
/// source lines around an article).
pub fn is_label_line(text: &str) -> bool {
    let t = text.trim();
    if t.chars().count() > MAX_LABEL_CHARS || t.ends_with(['.', '!', '?', '"', '”']) {
        return false;
    }
    match t.find(':') {
        Some(i) => {
            let label = &t[..i];
            i > 0 && i + 1 < t.len() && label.split_whitespace().count() <= 3
        }
        None => false,
    }
}

/// Longest line (chars) judged by [`is_dateline`].
pub const MAX_DATELINE_CHARS: usize = 40;
/// Most words in a date line.
const MAX_DATELINE_WORDS: usize = 8;

/// True for a short date or date-and-name line (`13 Sep 2021`, `By A. Writer | 2 May`).
pub fn is_dateline(text: &str) -> bool {
    let t = text.trim();
    t.chars().count() <= MAX_DATELINE_CHARS
        && has_date(t)
        && t.split_whitespace().count() <= MAX_DATELINE_WORDS
        && !t.ends_with(['!', '?'])
}

/// True when `t` holds a year (1900-2099) or a numeric date (`3.5.`, `05/03`).
fn has_date(t: &str) -> bool {
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let run = &t[start..i];
        if run.len() == 4 && (run.starts_with("19") || run.starts_with("20")) {
            return true;
        }
        if run.len() <= 2
            && i + 1 < b.len()
            && matches!(b[i], b'.' | b'/' | b'-')
            && b[i + 1].is_ascii_digit()
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_lines() {
        assert!(is_credit_line("Foto: Agentur"));
        assert!(is_credit_line("Jane Doe, photo: Archive of the Ministry"));
        assert!(is_credit_line("The harbour at dawn. © Jane Doe / Agency"));
        assert!(!is_credit_line(
            "The minister said the photo: was not taken by the agency, but by a bystander."
        ));
        assert!(!is_credit_line(
            "A paragraph about photography and its history."
        ));
    }

    #[test]
    fn consent_placeholders() {
        assert!(is_consent_placeholder(
            "We need your consent to load this YouTube video. Change your privacy settings here."
        ));
        assert!(is_consent_placeholder(
            "Externer Inhalt: Ich bin damit einverstanden, dass mir Inhalte von Drittanbietern angezeigt werden."
        ));
        assert!(!is_consent_placeholder(
            "The court ruled that consent must be given freely, the judges said on Tuesday."
        ));
    }

    #[test]
    fn boilerplate_behind_markers() {
        assert!(is_boilerplate_line("Share"));
        assert!(is_boilerplate_line("Drucken"));
        assert!(!is_boilerplate_line("Shares fell by a third"));
        assert!(is_boilerplate_line("*Werbung"));
        assert!(is_boilerplate_line("- Advertisement -"));
        assert!(!is_boilerplate_line("* A list item about something else"));
    }

    #[test]
    fn paywall_prompts() {
        assert!(is_paywall_prompt(
            "To view the full story, please subscribe."
        ));
        assert!(is_paywall_prompt("Möchten Sie weiterlesen?"));
        assert!(is_paywall_prompt("Pour lire la suite"));
        assert!(!is_paywall_prompt(
            "The council met on Monday to discuss the budget."
        ));
    }

    #[test]
    fn tag_classes() {
        assert_eq!(tag_class("script"), TagClass::Skip);
        assert_eq!(tag_class("figcaption"), TagClass::Skip);
        assert_eq!(tag_class("p"), TagClass::Block);
        assert_eq!(tag_class("br"), TagClass::Break);
        assert_eq!(tag_class("a"), TagClass::Anchor);
        assert_eq!(tag_class("em"), TagClass::Inline);
        assert_eq!(tag_of("h3"), Tag::H(3));
        assert_eq!(tag_of("ol"), Tag::List);
    }

    #[test]
    fn class_hints() {
        assert_eq!(hints("article-body").weight, HINT_WEIGHT);
        assert_eq!(hints("sidebar").weight, -HINT_WEIGHT);
        assert!(hints("sidebar").unlikely);
        assert!(hints("most-popular widget").unlikely);
        assert!(hints("ad slot").unlikely);
        assert!(hints("ad slot").soft);
        assert!(!hints("sidebar").soft);
        assert!(
            hints("read-more").soft,
            "a collapsed story continuation is judged by its size"
        );
        assert!(!hints("thread-head").unlikely, "`ad` only as a whole word");
        assert!(
            !hints("main-content sidebar-aware").unlikely,
            "positive hint keeps it"
        );
        assert!(!hints("story").unlikely);
        assert_eq!(hints(""), Hints::default());
    }

    #[test]
    fn roles_and_styles() {
        assert!(role_is_noise("navigation"));
        assert!(role_is_noise(" Complementary "));
        assert!(!role_is_noise("main"));
        assert!(style_hides("color: red; display : none"));
        assert!(style_hides("VISIBILITY:hidden"));
        assert!(!style_hides("display:block"));
        let long = format!("{}display:none", "margin:0;".repeat(20));
        assert!(style_hides(&long));
    }

    #[test]
    fn related_headings_in_several_languages() {
        assert!(is_related_heading("MOST VIEWED"));
        assert!(is_related_heading("Most Popular"));
        assert!(is_related_heading("Related Articles"));
        assert!(is_related_heading("Das könnte Sie auch interessieren"));
        assert!(is_related_heading("À lire aussi"));
        assert!(is_related_heading("Czytaj także:"));
        assert!(is_related_heading("相关新闻"));
        assert!(!is_related_heading("Popularity of the new mayor grows"));
        assert!(!is_related_heading("Relatedness in family studies"));
        assert!(!is_related_heading(
            "Most popular parties lost seats in the regional election held on Sunday"
        ));
        assert!(!is_related_heading("The economy"));
    }

    #[test]
    fn datelines() {
        assert!(is_dateline("13 Sep 2021"));
        assert!(is_dateline("By Jane Doe | 2 May 2022"));
        assert!(!is_dateline(
            "The vote passed 52 to 48 after a long debate in the chamber."
        ));
        assert!(!is_dateline("Published yesterday"));
        assert!(!is_dateline("Test Case 1"));
        assert!(is_dateline("03.05.24 – 14:20"));
    }

    #[test]
    fn prompts_and_labels() {
        assert!(is_prompt(
            "To read the whole story, subscribe to the Daily Planet."
        ));
        assert!(is_prompt(
            "Get the latest news on our apps for iOS and Android."
        ));
        assert!(!is_prompt(
            "The council met on Tuesday to discuss the budget."
        ));
        assert!(is_label_line("Category: Local news"));
        assert!(is_label_line("Published : 04/21/2022"));
        assert!(!is_label_line("VIET NAM NEWS/ASIA NEWS NETWORK"));
        assert!(!is_label_line("He said: we will return."));
    }

    #[test]
    fn boilerplate_lines() {
        assert!(is_boilerplate_line("Advertisement"));
        assert!(is_boilerplate_line("Share this article"));
        assert!(is_boilerplate_line(
            "© 2024 Example Media. All rights reserved."
        ));
        assert!(is_boilerplate_line(
            "We use cookies to improve your experience."
        ));
        assert!(!is_boilerplate_line(
            "Sharing the burden is what the minister proposed."
        ));
        let long = format!("Advertisement {}", "words ".repeat(30));
        assert!(!is_boilerplate_line(&long));
    }
}
