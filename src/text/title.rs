//! The headline: the best title-like line above the body.

use super::units::Unit;

/// Headlines have at most this many words.
pub const TITLE_MAX_WORDS: u32 = 30;
/// ... and at least this many bytes (a lone section label is shorter).
const TITLE_MIN_BYTES: usize = 8;
/// Lines further above the body than this are not considered.
const TITLE_LOOKBACK: usize = 80;
/// Separators between a headline and the site name in a page title line.
const SITE_SEPARATORS: [&str; 7] = [" | ", " - ", " – ", " — ", " :: ", " « ", " » "];

/// True when the unit could be a headline: one line of its own, not a list item, not
/// boilerplate, a few words, not a long sentence.
fn title_like(u: &Unit) -> bool {
    let w = u.words();
    !u.bullet
        && !u.is_boiler()
        && u.len >= TITLE_MIN_BYTES
        && (1..=TITLE_MAX_WORDS).contains(&w)
        && !(u.sentence && u.text.ends_with('.') && w > 12)
}

/// Index of the headline among the units above `start`, if any.
///
/// Scored by: appearing inside the page's first line (the dump of `<title>`, usually
/// "Headline | Site"), being printed twice above the body, nearness to the body, a
/// headline-like word count; lines in clusters (alt text, menus) lose.
pub fn pick(units: &[Unit], start: usize) -> Option<usize> {
    let from = start.saturating_sub(TITLE_LOOKBACK);
    let first = units.first()?;
    let mut best: Option<(f32, usize)> = None;
    for i in from..start {
        let u = &units[i];
        if !title_like(u) {
            continue;
        }
        let mut s = 0.0f32;
        if i > 0 && u.words() >= 3 && first.text.contains(u.text) {
            s += 4.0;
        }
        if (from..start).any(|j| j != i && units[j].hash == u.hash) {
            s += 2.0;
        }
        s += 2.0 * (1.0 - (start - i) as f32 / TITLE_LOOKBACK as f32);
        if (4..=20).contains(&u.words()) {
            s += 1.0;
        }
        if u.block_len > 1 {
            s -= 2.0;
        }
        if best.is_none_or(|(b, _)| s >= b) {
            best = Some((s, i));
        }
    }
    best.map(|(_, i)| i)
}

/// The headline's text; the page's first line loses its site-name suffix.
pub fn headline_text(units: &[Unit], i: usize) -> String {
    let mut s = String::with_capacity(units[i].len);
    units[i].write_to(&mut s);
    if i == 0 {
        return strip_site(&s).to_string();
    }
    s
}

/// The longest segment of a "Headline | Section | Site" title line, split at the first
/// kind of separator it uses.
fn strip_site(t: &str) -> &str {
    SITE_SEPARATORS
        .iter()
        .find(|sep| t.contains(*sep))
        .and_then(|sep| t.split(sep).max_by_key(|p| p.len()))
        .unwrap_or(t)
        .trim()
}

#[cfg(test)]
mod tests {
    use super::super::units;
    use super::*;

    #[test]
    fn site_suffix_is_stripped() {
        assert_eq!(
            strip_site("Big storm hits the coast | News | Daily Paper"),
            "Big storm hits the coast"
        );
        assert_eq!(strip_site("Plain headline"), "Plain headline");
    }

    #[test]
    fn headline_inside_page_title_wins_over_nearer_label() {
        let u = units::split(
            "Rain floods the old town | City | The Paper\n\nRain floods the old town\n\nPhoto gallery link\n\nBody.",
        );
        assert_eq!(pick(&u, 3), Some(1));
    }

    #[test]
    fn nearest_headline_above_a_section_label() {
        let u = units::split("WORLD\n\nFerry service resumes after winter storms\n\nBody.");
        assert_eq!(pick(&u, 2), Some(1));
    }

    #[test]
    fn no_candidates_no_title() {
        let u = units::split("• a\n• b\n\nBody.");
        assert_eq!(pick(&u, 2), None);
    }
}
