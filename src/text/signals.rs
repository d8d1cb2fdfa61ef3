//! Small, language-light signals measured on one stretch of text: sentence punctuation,
//! word counts, lowercase and stop-word shares, boilerplate phrases, bullet markers.

use std::sync::LazyLock;

/// Characters that end a sentence in the scripts we meet (Latin, Cyrillic, Greek, CJK,
/// Arabic, Devanagari).
const SENTENCE_END: &[char] = &[
    '.', '!', '?', '…', '。', '！', '？', '؟', '।', '॥', '．', ';',
];
/// Closing quotes and brackets that may follow the sentence's last punctuation mark.
const CLOSERS: &[char] = &[
    '"', '\'', '”', '’', '»', '«', ')', ']', '」', '』', '》', '）',
];

/// Longest trailing footnote marker ("[12]", "[a]", "[citation needed]") skipped when
/// looking for the sentence's last punctuation.
const MAX_FOOTNOTE_BYTES: usize = 24;

/// The text without trailing footnote markers like `[4]` or `[note 2]`.
fn strip_footnotes(mut t: &str) -> &str {
    loop {
        t = t.trim_end();
        let Some(rest) = t.strip_suffix(']') else {
            return t;
        };
        match rest.rfind('[') {
            Some(open) if rest.len() - open <= MAX_FOOTNOTE_BYTES && open > 0 => t = &rest[..open],
            _ => return t,
        }
    }
}

/// True when the text ends like a sentence (punctuation, maybe inside quotes or brackets,
/// maybe followed by footnote markers).
pub fn ends_sentence(text: &str) -> bool {
    let t =
        strip_footnotes(text).trim_end_matches(|c: char| CLOSERS.contains(&c) || c.is_whitespace());
    t.chars()
        .next_back()
        .is_some_and(|c| SENTENCE_END.contains(&c))
}

/// True when the text ends with a colon: it introduces what follows (often a list).
pub fn ends_colon(text: &str) -> bool {
    matches!(text.trim_end().chars().next_back(), Some(':' | '：'))
}

/// Function words of the languages most often met (English, German, French, Spanish,
/// Italian, Portuguese, Dutch, Polish, Czech, Swedish), sorted for binary search. Prose
/// is dense in them; menus, headlines and captions are not.
const STOP_WORDS: &[&str] = &[
    "a", "aber", "al", "als", "an", "and", "are", "as", "at", "au", "auf", "aus", "be", "bei",
    "but", "by", "che", "con", "da", "dans", "das", "dass", "de", "dei", "del", "della", "dem",
    "den", "der", "des", "det", "di", "die", "do", "dos", "du", "e", "een", "ein", "eine", "el",
    "en", "er", "es", "est", "et", "for", "from", "för", "ha", "had", "has", "have", "he", "het",
    "his", "i", "ich", "il", "im", "in", "is", "ist", "it", "its", "ja", "je", "jest", "la", "las",
    "le", "les", "lo", "los", "mit", "na", "nach", "nicht", "nie", "no", "não", "o", "och", "od",
    "of", "on", "one", "op", "or", "os", "ou", "par", "per", "pour", "que", "qui", "se", "she",
    "si", "sich", "sie", "so", "som", "sont", "su", "sur", "that", "the", "their", "there", "they",
    "this", "to", "um", "un", "una", "und", "une", "uno", "van", "var", "von", "was", "we", "were",
    "which", "who", "will", "with", "wurde", "you", "z", "za", "ze", "zu", "że", "а", "в", "и",
    "к", "как", "на", "не", "по", "с", "что",
];

/// The longest stop word, in bytes: longer words skip the lookup.
const MAX_STOP_BYTES: usize = 6;

/// Word-level counts of one stretch of text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WordStats {
    /// Whitespace-separated words.
    pub words: u32,
    /// Words whose first letter has case.
    pub cased: u32,
    /// Cased words starting with a lowercase letter.
    pub lower: u32,
    /// Words in [`STOP_WORDS`].
    pub stop: u32,
    /// Characters of scripts written without spaces (CJK, Thai), where words are not
    /// separated and each character carries about a word's worth of meaning.
    pub dense: u32,
}

impl WordStats {
    /// Share of cased words that start lowercase (1.0 when no word has case).
    /// Text mostly in a script without case (CJK) counts as all lowercase.
    pub fn lower_share(&self) -> f32 {
        if self.cased == 0 || self.dense >= 2 * self.cased {
            1.0
        } else {
            self.lower as f32 / self.cased as f32
        }
    }
    /// Share of words that are stop words.
    pub fn stop_share(&self) -> f32 {
        if self.words == 0 {
            0.0
        } else {
            self.stop as f32 / self.words as f32
        }
    }
    /// Word count where dense-script characters count half a word each.
    pub fn effective_words(&self) -> u32 {
        self.words + self.dense / 2
    }
}

/// True for characters of scripts written without spaces between words.
fn is_dense_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF       // Thai, Lao
        | 0x3040..=0x30FF     // Hiragana, Katakana
        | 0x3400..=0x4DBF     // CJK extension A
        | 0x4E00..=0x9FFF     // CJK unified
        | 0xAC00..=0xD7AF     // Hangul (spaced, but dense)
        | 0xF900..=0xFAFF)
}

/// Counts words, case and stop words in one pass over the text.
pub fn word_stats(text: &str) -> WordStats {
    let mut s = WordStats::default();
    let b = text.as_bytes();
    let mut i = 0;
    // One pass over the bytes. Words end at ASCII whitespace and are trimmed of ASCII
    // punctuation: both are single bytes, so every cut falls on a char boundary.
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == b.len() {
            break;
        }
        let mut start = i;
        let mut high = 0u8;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            high |= b[i];
            i += 1;
        }
        s.words += 1;
        let mut end = i;
        while start < end && b[start].is_ascii_punctuation() {
            start += 1;
        }
        while end > start && b[end - 1].is_ascii_punctuation() {
            end -= 1;
        }
        if start == end {
            continue;
        }
        let w = &text[start..end];
        let b0 = b[start];
        if b0.is_ascii() {
            if b0.is_ascii_lowercase() {
                s.cased += 1;
                s.lower += 1;
            } else if b0.is_ascii_uppercase() {
                s.cased += 1;
            }
        } else {
            let Some(first) = w.chars().find(|c| c.is_alphanumeric()) else {
                continue;
            };
            if first.is_lowercase() {
                s.cased += 1;
                s.lower += 1;
            } else if first.is_uppercase() {
                s.cased += 1;
            }
        }
        if high >= 0x80 {
            s.dense += w.chars().filter(|&c| is_dense_script(c)).count() as u32;
        }
        if is_stop_word(w) {
            s.stop += 1;
        }
    }
    s
}

/// A word of up to 8 bytes packed into an integer, ASCII-lowercased, for fast lookup.
const fn word_key(w: &str) -> u64 {
    let b = w.as_bytes();
    let mut buf = [0u8; 8];
    let mut i = 0;
    while i < b.len() && i < 8 {
        buf[i] = b[i].to_ascii_lowercase();
        i += 1;
    }
    u64::from_be_bytes(buf)
}

/// Slots of the stop-word table (a power of two, about four times the words).
const STOP_SLOTS: usize = 1024;

/// [`STOP_WORDS`] as an open-addressing table of keys (0 = empty), built at compile
/// time: one or two probes a word, where a binary search would take eight, and no
/// initialisation check on the hot path.
static STOP_TABLE: [u64; STOP_SLOTS] = {
    let mut t = [0u64; STOP_SLOTS];
    let mut w = 0;
    while w < STOP_WORDS.len() {
        let k = word_key(STOP_WORDS[w]);
        let mut i = slot(k);
        while t[i] != 0 && t[i] != k {
            i = (i + 1) % STOP_SLOTS;
        }
        t[i] = k;
        w += 1;
    }
    t
};

/// Home slot of a key.
const fn slot(k: u64) -> usize {
    (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize % STOP_SLOTS
}

/// True for a function word of [`STOP_WORDS`], case-insensitively (ASCII).
fn is_stop_word(w: &str) -> bool {
    if w.is_empty() || w.len() > MAX_STOP_BYTES {
        return false;
    }
    let k = word_key(w);
    let t = &STOP_TABLE;
    let mut i = slot(k);
    loop {
        match t[i] {
            0 => return false,
            x if x == k => return true,
            _ => i = (i + 1) % STOP_SLOTS,
        }
    }
}

/// Phrases of cookie notices, share bars, newsletter and login prompts and footers, in
/// the languages most often met; compared against the lowercased text.
const BOILERPLATE: &[&str] = &[
    "cookie",
    "newsletter",
    "subscribe",
    "sign up",
    "sign in",
    "log in",
    "share on",
    "share this",
    "share via",
    "share to",
    "follow us",
    "all rights reserved",
    "©",
    "copyright",
    "privacy policy",
    "terms of use",
    "terms of service",
    "terms & conditions",
    "terms and conditions",
    "skip to",
    "back to top",
    "advertisement",
    "enable javascript",
    "javascript is disabled",
    "javascript enabled",
    "datenschutz",
    "alle rechte vorbehalten",
    "abonnieren",
    "anmelden",
    "teilen",
    "tous droits réservés",
    "partager",
    "s'abonner",
    "se connecter",
    "todos los derechos",
    "compartir",
    "suscríbete",
    "iniciar sesión",
    "tutti i diritti",
    "condividi",
    "iscriviti",
    "wszelkie prawa",
    "udostępnij",
    "zaloguj",
    "все права защищены",
    "подписаться",
    "поделиться",
];
/// Only text up to this many bytes is checked for boilerplate: a long paragraph that
/// mentions "cookies" is prose, a cookie notice is short.
pub const BOILERPLATE_MAX_BYTES: usize = 320;

/// The [`BOILERPLATE`] phrases as one matcher over ASCII-lowercased text, built once
/// (a literal alternation: the regex engine scans it with a SIMD prefilter).
static BOILERPLATE_RE: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
    let alts: Vec<String> = BOILERPLATE.iter().map(|p| regex::escape(p)).collect();
    regex::bytes::Regex::new(&alts.join("|")).expect("boilerplate phrases form a valid regex")
});

/// True when a short text holds one of the [`BOILERPLATE`] phrases (ASCII letters
/// compared case-insensitively).
pub fn is_boilerplate(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() > BOILERPLATE_MAX_BYTES {
        return false;
    }
    let mut buf = [0u8; BOILERPLATE_MAX_BYTES];
    let low = &mut buf[..b.len()];
    low.copy_from_slice(b);
    low.make_ascii_lowercase();
    BOILERPLATE_RE.is_match(low)
}

/// Labels that open what follows an article: the comment thread, related or
/// recommended stories, most-read lists (several languages, ASCII-lowercased, matched
/// at the start of a short line).
const TAIL_LABELS: &[&str] = &[
    "comments",
    "view comments",
    "show comments",
    "leave a comment",
    "leave a reply",
    "post a comment",
    "join the discussion",
    "related",
    "recommended",
    "more stories",
    "more from",
    "more on this",
    "most read",
    "most popular",
    "most viewed",
    "you may also like",
    "you might also like",
    "read next",
    "trending",
    "kommentar",
    "verwandte",
    "mehr zum thema",
    "meistgelesen",
    "das könnte sie auch",
    "commentaire",
    "réactions",
    "à lire aussi",
    "lire aussi",
    "sur le même sujet",
    "les plus lus",
    "vous aimerez aussi",
    "comentario",
    "comentário",
    "relacionad",
    "noticias relacionadas",
    "notícias relacionadas",
    "lo más leído",
    "mais lidas",
    "te puede interesar",
    "leia também",
    "lea también",
    "commenti",
    "articoli correlati",
    "leggi anche",
    "i più letti",
    "reacties",
    "gerelateerd",
    "meest gelezen",
    "lees ook",
    "komentarze",
    "powiązane",
    "zobacz też",
    "najczęściej czytane",
    "komentáře",
    "diskuse",
    "související",
    "nejčtenější",
    "kommentarer",
    "relaterat",
    "mest läst",
    "läs också",
    "комментари",
    "читайте также",
    "по теме",
];
/// Longest line checked against [`TAIL_LABELS`]: a label is a few words.
const TAIL_LABEL_MAX_BYTES: usize = 48;

/// True when a short line opens the matter after an article ("Comments (12)",
/// "Related stories", "Lire aussi"): one of [`TAIL_LABELS`] at its start, compared
/// ASCII-case-insensitively, and a few words at most.
pub fn is_tail_label(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() > TAIL_LABEL_MAX_BYTES {
        return false;
    }
    let mut buf = [0u8; TAIL_LABEL_MAX_BYTES];
    let low = &mut buf[..b.len()];
    low.copy_from_slice(b);
    low.make_ascii_lowercase();
    TAIL_LABELS.iter().any(|l| low.starts_with(l.as_bytes()))
}

/// File extensions of images: a line that is only such a file name is an image's
/// placeholder (alt text defaulting to the file name), not text.
const IMAGE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "png", "gif", "webp", "svg", "avif", "bmp", "tif", "tiff", "heic",
];
/// The longest of [`IMAGE_EXTENSIONS`], in bytes.
const MAX_EXTENSION_BYTES: usize = 4;
/// Longest line checked for an image file name.
const FILE_NAME_MAX_BYTES: usize = 200;

/// True when the whole text is one image file name ("IMG_2041.JPG", "hero-photo.webp").
pub fn is_image_file_name(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() > FILE_NAME_MAX_BYTES {
        return false;
    }
    // The extension first: most lines fail here without a scan.
    let tail = &b[b.len().saturating_sub(MAX_EXTENSION_BYTES + 1)..];
    let Some(dot) = tail.iter().rposition(|&c| c == b'.') else {
        return false;
    };
    let ext = &tail[dot + 1..];
    ext.len() < b.len() - 1
        && IMAGE_EXTENSIONS
            .iter()
            .any(|e| ext.eq_ignore_ascii_case(e.as_bytes()))
        && !b.iter().any(u8::is_ascii_whitespace)
}

/// Bullet characters that start a list item in text dumps.
const BULLETS: &[char] = &['•', '*', '·', '◦', '▪', '‣', '○', '■', '►', '▸', '-'];

/// If the (left-trimmed) line starts with a list marker, the item text after it and
/// whether the marker is a number (`1.`, `2)`).
pub fn strip_bullet(line: &str) -> Option<(&str, bool)> {
    let mut it = line.char_indices();
    let (_, c) = it.next()?;
    if BULLETS.contains(&c) {
        let rest = &line[c.len_utf8()..];
        // "-5 degrees", "*emphasis*": a marker is followed by a space.
        if rest.starts_with([' ', '\t', '\u{a0}']) && !rest.trim().is_empty() {
            return Some((rest.trim_start(), false));
        }
        return None;
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=3).contains(&digits) {
        let rest = &line[digits..];
        if let Some(r) = rest.strip_prefix(['.', ')'])
            && r.starts_with(' ')
            && !r.trim().is_empty()
        {
            return Some((r.trim_start(), true));
        }
    }
    None
}

/// Leading indentation in columns (a tab counts 4).
pub fn indent_of(line: &str) -> usize {
    let mut n = 0;
    for c in line.chars() {
        match c {
            '\t' => n += 4,
            c if c.is_whitespace() => n += 1,
            _ => break,
        }
    }
    n
}

/// A fast 64-bit hash (FNV-1a) of text with whitespace runs collapsed, to spot lines that
/// repeat.
pub fn line_hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut space = false;
    for &b in text.as_bytes() {
        if b.is_ascii_whitespace() {
            space = true;
            continue;
        }
        if space {
            h = (h ^ b' ' as u64).wrapping_mul(0x100_0000_01b3);
            space = false;
        }
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]), "unsorted");
        assert!(
            STOP_WORDS.iter().all(|w| w.len() <= MAX_STOP_BYTES),
            "key too long"
        );
    }

    #[test]
    fn sentence_ends_through_quotes_and_scripts() {
        assert!(ends_sentence("He said so."));
        assert!(ends_sentence("“We need to listen.”"));
        assert!(ends_sentence("Is it over?)"));
        assert!(ends_sentence("今天天气很好。"));
        assert!(ends_sentence("It was released in 1993.[4][5]"));
        assert!(ends_sentence("A claim.[citation needed]"));
        assert!(!ends_sentence("[1]"));
        assert!(!ends_sentence("Remake of the film[4]"));
        assert!(!ends_sentence("Most Popular"));
        assert!(!ends_sentence("Breaking: storm hits coast"));
        assert!(!ends_sentence(""));
        assert!(ends_colon("The plan has three parts:"));
    }

    #[test]
    fn word_stats_tell_prose_from_menus() {
        let prose = word_stats("The council said on Monday that the bridge will reopen in May.");
        assert!(prose.lower_share() > 0.6 && prose.stop_share() > 0.25);
        let menu = word_stats("Home News Sport Culture Travel Money");
        assert!(menu.lower_share() < 0.1 && menu.stop == 0);
        let de = word_stats("Die Stadt hat am Montag mitgeteilt, dass die Brücke im Mai öffnet.");
        assert!(de.stop_share() > 0.2);
        let zh = word_stats("今天天气很好我们去公园散步");
        assert_eq!(zh.dense, 13);
        let mixed = word_stats("DeepMind表示，这款名为DNC的模型可以接受家谱和地图。");
        assert!(mixed.dense > 10 && mixed.lower_share() == 1.0);
        assert!(zh.effective_words() >= 6);
    }

    #[test]
    fn boilerplate_phrases_in_short_text_only() {
        assert!(is_boilerplate("We use cookies to improve your experience."));
        assert!(is_boilerplate("Sign up for our morning newsletter"));
        assert!(is_boilerplate("© 2024 Example Media. All rights reserved."));
        assert!(is_boilerplate("Artikel teilen"));
        assert!(is_boilerplate("Tous droits réservés"));
        assert!(is_boilerplate("все права защищены"));
        assert!(!is_boilerplate("The minister said the talks went well."));
        let long = format!("{} cookie", "Bakers say the season went well. ".repeat(12));
        assert!(!is_boilerplate(&long));
    }

    #[test]
    fn tail_labels_open_after_article_matter() {
        assert!(is_tail_label("Comments (12)"));
        assert!(is_tail_label("Related stories"));
        assert!(is_tail_label("MOST READ"));
        assert!(is_tail_label("Lire aussi"));
        assert!(is_tail_label("Komentáře"));
        assert!(
            !is_tail_label("Comment"),
            "a bare form field or table header"
        );
        assert!(!is_tail_label(
            "The council's comments on the plan were brief"
        ));
        assert!(!is_tail_label("Weather"));
        let long = format!("Related {}", "words ".repeat(10));
        assert!(!is_tail_label(&long));
    }

    #[test]
    fn image_file_names() {
        assert!(is_image_file_name("IMG_2041.JPG"));
        assert!(is_image_file_name("12-P1610088.jpg"));
        assert!(is_image_file_name("hero-photo.webp"));
        assert!(
            !is_image_file_name("photo of the harbour.jpg"),
            "words, not a file"
        );
        assert!(!is_image_file_name(".png"));
        assert!(!is_image_file_name("report.pdf"));
        assert!(!is_image_file_name("Node.js"));
        assert!(
            IMAGE_EXTENSIONS
                .iter()
                .all(|e| e.len() <= MAX_EXTENSION_BYTES)
        );
    }

    #[test]
    fn bullets_and_numbers() {
        assert_eq!(strip_bullet("• Item one"), Some(("Item one", false)));
        assert_eq!(strip_bullet("* Item"), Some(("Item", false)));
        assert_eq!(strip_bullet("- Item"), Some(("Item", false)));
        assert_eq!(strip_bullet("12. Twelfth"), Some(("Twelfth", true)));
        assert_eq!(strip_bullet("3) Third"), Some(("Third", true)));
        assert_eq!(strip_bullet("-5 degrees tonight"), None);
        assert_eq!(strip_bullet("*emphasis* here"), None);
        assert_eq!(strip_bullet("2024. A year"), None);
        assert_eq!(strip_bullet("•"), None);
        assert_eq!(indent_of("  \t• x"), 6);
    }

    #[test]
    fn hash_ignores_whitespace_runs() {
        assert_eq!(line_hash("a  b\n c"), line_hash("a b c"));
        assert_ne!(line_hash("a b"), line_hash("ab"));
    }
}
