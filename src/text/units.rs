//! Splits a dump into units (one line, or one hard-wrapped paragraph) grouped in blocks
//! (runs of lines between blank lines), and measures each unit once.

use super::signals::{self, WordStats};

/// One logical line of the dump: a line, or the lines of a hard-wrapped paragraph.
#[derive(Debug, Clone)]
pub struct Unit<'a> {
    /// The text, trimmed, without its list marker. A wrapped paragraph spans several
    /// source lines; [`Unit::write_to`] joins them.
    pub text: &'a str,
    /// Leading indentation (columns) of its first line.
    pub indent: usize,
    /// Starts with a list marker.
    pub bullet: bool,
    /// Index of its block.
    pub block: u32,
    /// Position inside its block (0 = first line of the block).
    pub pos_in_block: u16,
    /// Units in its block.
    pub block_len: u16,
    /// Bytes of text.
    pub len: usize,
    /// Word counts.
    pub ws: WordStats,
    /// Ends with sentence punctuation.
    pub sentence: bool,
    /// Ends with a colon.
    pub colon: bool,
    /// Hash of the text, whitespace-collapsed.
    pub hash: u64,
}

impl Unit<'_> {
    /// Appends the text, joining wrapped lines with one space.
    pub fn write_to(&self, out: &mut String) {
        if !self.text.contains('\n') {
            out.push_str(self.text);
            return;
        }
        for (i, l) in self.text.lines().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(l.trim());
        }
    }
    /// Holds a cookie / share / newsletter / footer phrase. Not cached: asked only of
    /// the few units where the answer matters, since most lines of a dump never need it.
    pub fn is_boiler(&self) -> bool {
        signals::is_boilerplate(self.text)
    }
    /// Words, counting dense-script characters as half a word.
    pub fn words(&self) -> u32 {
        self.ws.effective_words()
    }
}

/// A line is long enough to be part of a hard-wrapped paragraph when it reaches this
/// share of the block's longest line.
const WRAP_FILL: f32 = 0.6;
/// ... and the block's longest line has at least this many characters (dumps wrap at
/// 60–100 columns; a cluster of short menu lines is not a paragraph).
const WRAP_MIN_WIDTH: usize = 50;

/// Splits the text into units.
pub fn split(text: &str) -> Vec<Unit<'_>> {
    let mut units = Vec::with_capacity(text.len() / 80 + 4);
    let mut block: u32 = 0;
    let mut lines = text.split('\n').peekable();
    let mut cur: Vec<&str> = Vec::new();
    loop {
        let line = lines.next();
        let blank = line.is_none_or(|l| l.trim().is_empty());
        if !blank {
            cur.push(line.unwrap_or_default());
            continue;
        }
        if !cur.is_empty() {
            push_block(text, &cur, block, &mut units);
            block += 1;
            cur.clear();
        }
        if line.is_none() {
            break;
        }
    }
    units
}

/// True when the block's lines are one paragraph hard-wrapped at a fixed width: every
/// line but the last is long, most of them break mid-sentence, none is a list item.
fn is_wrapped(lines: &[&str]) -> bool {
    if lines.len() < 2 {
        return false;
    }
    let width = lines
        .iter()
        .map(|l| l.trim().chars().count())
        .max()
        .unwrap_or(0);
    if width < WRAP_MIN_WIDTH {
        return false;
    }
    let min = (width as f32 * WRAP_FILL) as usize;
    let indent0 = signals::indent_of(lines[0]);
    let body = &lines[..lines.len() - 1];
    let mid_sentence = body.iter().filter(|l| !signals::ends_sentence(l)).count();
    body.iter().all(|l| l.trim().chars().count() >= min)
        && mid_sentence * 2 > body.len()
        && lines.iter().all(|l| {
            signals::strip_bullet(l.trim_start()).is_none() && signals::indent_of(l) <= indent0 + 4
        })
}

/// Turns one block of non-blank lines into units.
fn push_block<'a>(text: &'a str, lines: &[&'a str], block: u32, units: &mut Vec<Unit<'a>>) {
    if is_wrapped(lines) {
        // One unit spanning all lines: a slice of the source from first to last line.
        let start = lines[0].as_ptr() as usize - text.as_ptr() as usize;
        let last = lines[lines.len() - 1];
        let end = last.as_ptr() as usize - text.as_ptr() as usize + last.len();
        units.push(measure(&text[start..end], block, 0, 1));
        return;
    }
    let n = lines.len().min(u16::MAX as usize) as u16;
    for (i, l) in lines.iter().enumerate() {
        units.push(measure(l, block, i.min(u16::MAX as usize) as u16, n));
    }
}

/// Measures one unit.
fn measure(raw: &str, block: u32, pos_in_block: u16, block_len: u16) -> Unit<'_> {
    let indent = signals::indent_of(raw);
    let t = raw.trim();
    let (text, bullet) = match signals::strip_bullet(t) {
        Some((rest, _)) => (rest.trim_end(), true),
        None => (t, false),
    };
    Unit {
        text,
        indent,
        bullet,
        block,
        pos_in_block,
        block_len,
        len: text.len(),
        ws: signals::word_stats(text),
        sentence: signals::ends_sentence(text),
        colon: signals::ends_colon(text),
        hash: signals::line_hash(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_lines_and_bullets() {
        let u = split("Title\n\nPara one.\r\n\n  • Item\n    teaser\nNext line\n\n\n");
        let texts: Vec<&str> = u.iter().map(|u| u.text).collect();
        assert_eq!(texts, ["Title", "Para one.", "Item", "teaser", "Next line"]);
        assert_eq!(u[2].block, 2);
        assert!(u[2].bullet && u[2].indent == 2);
        assert_eq!((u[3].indent, u[3].pos_in_block, u[3].block_len), (4, 1, 3));
        assert!(u[1].sentence);
    }

    #[test]
    fn hard_wrapped_paragraph_is_one_unit() {
        let para = "   The committee met on Tuesday to discuss the budget for the coming\n   \
                    year, and after a long debate it agreed to raise spending on schools\n   \
                    and roads.";
        let u = split(para);
        assert_eq!(u.len(), 1);
        let mut s = String::new();
        u[0].write_to(&mut s);
        assert_eq!(
            s,
            "The committee met on Tuesday to discuss the budget for the coming year, and \
             after a long debate it agreed to raise spending on schools and roads."
        );
    }

    #[test]
    fn short_line_cluster_is_not_wrapped() {
        let u = split("Most Popular\nRelated Article\nMore Stories");
        assert_eq!(u.len(), 3);
        let u = split(
            "Logo of a paper\nA long caption line that describes the picture above in detail, really.",
        );
        assert_eq!(u.len(), 2);
    }

    #[test]
    fn one_paragraph_per_line_is_not_wrapped() {
        let u = split(
            "The first paragraph is a full sentence that ends right here, with a period.\n\
             The second one is another sentence of similar length that also ends here.\n\
             And a third.",
        );
        assert_eq!(u.len(), 3);
    }
}
