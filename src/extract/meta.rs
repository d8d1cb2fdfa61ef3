//! Headline and metadata: `og:*` and `<meta>` tags, `<title>`, `<h1>`, JSON-LD.

use super::walk::RawMeta;
use serde_json::Value;

/// What the page's JSON-LD says about the article.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct JsonLd {
    /// `headline` / `name` of the article object.
    pub headline: Option<String>,
    /// `articleBody` / `text`.
    pub body: Option<String>,
    /// `datePublished`.
    pub date: Option<String>,
    /// `author.name` (joined with ", " when several).
    pub author: Option<String>,
    /// `publisher.name`.
    pub site: Option<String>,
    /// `inLanguage`.
    pub lang: Option<String>,
}

/// Deepest JSON nesting we look into.
const MAX_JSON_DEPTH: usize = 16;

/// Types of JSON-LD objects that describe the article itself.
fn is_article_type(v: &Value) -> bool {
    let check = |s: &str| {
        s.ends_with("Article")
            || matches!(
                s,
                "BlogPosting"
                    | "SocialMediaPosting"
                    | "Report"
                    | "LiveBlogPosting"
                    | "WebPage"
                    | "Posting"
                    | "Review"
            )
    };
    match v {
        Value::String(s) => check(s),
        Value::Array(a) => a.iter().any(|x| x.as_str().is_some_and(check)),
        _ => false,
    }
}

fn str_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// Name(s) of a JSON-LD person/organisation value.
fn names(v: Option<&Value>) -> Option<String> {
    let v = v?;
    let mut out: Vec<String> = Vec::new();
    let one = |x: &Value, out: &mut Vec<String>| match x {
        Value::String(s) if !s.trim().is_empty() && !s.starts_with("http") => {
            out.push(s.trim().to_string())
        }
        Value::Object(o) => {
            if let Some(n) = str_of(o.get("name")) {
                out.push(n)
            }
        }
        _ => {}
    };
    match v {
        Value::Array(a) => a.iter().for_each(|x| one(x, &mut out)),
        x => one(x, &mut out),
    }
    out.dedup();
    (!out.is_empty()).then(|| out.join(", "))
}

/// Reads every JSON-LD script and keeps the first article object's fields.
pub fn json_ld(scripts: &[String]) -> JsonLd {
    let mut out = JsonLd::default();
    for s in scripts {
        let Ok(v) = serde_json::from_str::<Value>(s.trim()) else {
            continue;
        };
        // Iterative walk: `@graph` arrays and nested objects.
        let mut stack: Vec<(&Value, usize)> = vec![(&v, 0)];
        while let Some((v, depth)) = stack.pop() {
            if depth > MAX_JSON_DEPTH {
                continue;
            }
            match v {
                Value::Array(a) => stack.extend(a.iter().rev().map(|x| (x, depth + 1))),
                Value::Object(o) => {
                    let article = o.get("@type").is_some_and(is_article_type);
                    let has_body = o.contains_key("articleBody");
                    if article || has_body {
                        let webpage = o
                            .get("@type")
                            .is_some_and(|t| t.as_str() == Some("WebPage"));
                        if out.body.is_none() {
                            out.body = str_of(o.get("articleBody"));
                        }
                        if !webpage || out.headline.is_none() {
                            if out.headline.is_none() || (!webpage && has_body) {
                                if let Some(h) = str_of(o.get("headline")) {
                                    out.headline = Some(h);
                                }
                            }
                            if out.date.is_none() {
                                out.date = str_of(o.get("datePublished"));
                            }
                            if out.author.is_none() {
                                out.author = names(o.get("author"));
                            }
                            if out.site.is_none() {
                                out.site = names(o.get("publisher"));
                            }
                            if out.lang.is_none() {
                                out.lang = str_of(o.get("inLanguage"));
                            }
                        }
                    }
                    if let Some(g) = o.get("@graph") {
                        stack.push((g, depth + 1));
                    }
                    if let Some(m) = o.get("mainEntity") {
                        stack.push((m, depth + 1));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Collapses whitespace runs to one space and trims.
pub fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Separators between a headline and the site name in `<title>`.
const TITLE_SEPARATORS: &[&str] = &[
    " | ", " - ", " – ", " — ", " :: ", " » ", " · ", " // ", " ~ ",
];
/// Fewest words a headline part must keep after the site name is cut.
const TITLE_MIN_WORDS: usize = 3;

/// Words (or, for scripts without spaces, chars / 2) in `s`.
fn word_count(s: &str) -> usize {
    let w = s.split_whitespace().count();
    if w <= 1 { s.chars().count() / 2 } else { w }
}

/// Removes the site-name part from a page title.
pub fn strip_site_name(title: &str, site: Option<&str>) -> String {
    let t = collapse(title);
    if let Some(site) = site.map(collapse).filter(|s| !s.is_empty() && *s != t) {
        for sep in TITLE_SEPARATORS {
            if let Some(head) = t.strip_suffix(&format!("{sep}{site}"))
                && !head.trim().is_empty()
            {
                return head.trim().to_string();
            }
            if let Some(tail) = t.strip_prefix(&format!("{site}{sep}"))
                && !tail.trim().is_empty()
            {
                return tail.trim().to_string();
            }
        }
    }
    for sep in TITLE_SEPARATORS {
        if let Some(pos) = t.rfind(sep) {
            let head = t[..pos].trim();
            if word_count(head) >= TITLE_MIN_WORDS {
                return head.to_string();
            }
            if let Some(first) = t.find(sep) {
                let tail = t[first + sep.len()..].trim();
                if word_count(tail) >= TITLE_MIN_WORDS {
                    return tail.to_string();
                }
            }
        }
    }
    t
}

/// Lower-cased alphanumerics only, for comparing headlines.
pub fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Picks the headline: an `<h1>` the title confirms, else `og:title`, JSON-LD
/// `headline` or `<title>`, with the site name removed.
pub fn headline(meta: &RawMeta, ld: &JsonLd, h1: &[&str]) -> String {
    let site = meta.site.as_deref().or(ld.site.as_deref());
    let sources: Vec<&str> = [
        meta.og_title.as_deref(),
        ld.headline.as_deref(),
        meta.title.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    for h in h1 {
        let f = fold(h);
        if f.len() >= 8 && sources.iter().any(|s| fold(s).contains(&f)) {
            return collapse(h);
        }
    }
    if let Some(s) = sources.first() {
        return strip_site_name(s, site);
    }
    h1.first().map(|h| collapse(h)).unwrap_or_default()
}

/// Resolves a possibly relative URL against the page URL.
pub fn resolve(href: &str, base: Option<&str>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    if let Ok(u) = url::Url::parse(href) {
        return Some(u.to_string());
    }
    let base = url::Url::parse(base?).ok()?;
    base.join(href).ok().map(|u| u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_names_are_cut_from_titles() {
        assert_eq!(
            strip_site_name(
                "Big storm hits the coast | Daily Planet",
                Some("Daily Planet")
            ),
            "Big storm hits the coast"
        );
        assert_eq!(
            strip_site_name("Daily Planet - Big storm hits the coast", None),
            "Big storm hits the coast"
        );
        assert_eq!(
            strip_site_name("Big storm hits the coast – Daily Planet", None),
            "Big storm hits the coast"
        );
        assert_eq!(
            strip_site_name("No separator here", None),
            "No separator here"
        );
    }

    #[test]
    fn h1_confirmed_by_the_title_wins() {
        let meta = RawMeta {
            title: Some("Big storm hits the coast | Planet".into()),
            ..Default::default()
        };
        assert_eq!(
            headline(&meta, &JsonLd::default(), &["Big storm hits the coast"]),
            "Big storm hits the coast"
        );
        assert_eq!(
            headline(&meta, &JsonLd::default(), &["Menu"]),
            "Big storm hits the coast"
        );
    }

    #[test]
    fn json_ld_article_fields() {
        let s = r#"{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"X"},
            {"@type":"NewsArticle","headline":"Head","articleBody":"Body text.",
             "datePublished":"2024-05-01","author":[{"@type":"Person","name":"A"},{"name":"B"}],
             "publisher":{"@type":"Organization","name":"Pub"}}]}"#;
        let ld = json_ld(&[s.to_string(), "not json".into()]);
        assert_eq!(ld.headline.as_deref(), Some("Head"));
        assert_eq!(ld.body.as_deref(), Some("Body text."));
        assert_eq!(ld.date.as_deref(), Some("2024-05-01"));
        assert_eq!(ld.author.as_deref(), Some("A, B"));
        assert_eq!(ld.site.as_deref(), Some("Pub"));
    }

    #[test]
    fn urls_resolve() {
        assert_eq!(
            resolve("/a/b", Some("https://x.org/c")).as_deref(),
            Some("https://x.org/a/b")
        );
        assert_eq!(resolve("/a", None), None);
        assert_eq!(
            resolve("https://y.org/z", None).as_deref(),
            Some("https://y.org/z")
        );
    }
}
