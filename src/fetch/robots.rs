//! robots.txt: the group for our user agent (else `*`), allow/disallow with the
//! longest match winning (Google's and RFC 9309's rule), `*` and `$` wildcards,
//! `Crawl-delay`, and `Sitemap:` lines.

use std::time::Duration;

/// Largest robots.txt read; RFC 9309 asks crawlers to parse at least 500 KiB.
pub const MAX_ROBOTS_BYTES: usize = 512 * 1024;

/// Longest crawl delay honoured; a larger value would stall the host for hours.
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);

/// Longest time a robots.txt is reused across passes: RFC 9309 (2.4) says crawlers
/// should not use a cached copy for more than 24 hours. A shorter `Cache-Control:
/// max-age` from the server wins.
pub const ROBOTS_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// How long a robots.txt answer may be reused, from its `Cache-Control` header:
/// `max-age` (capped at [`ROBOTS_TTL`]), zero for `no-store` / `no-cache`, else
/// [`ROBOTS_TTL`].
pub fn cache_ttl(cache_control: Option<&str>) -> Duration {
    let Some(cc) = cache_control else {
        return ROBOTS_TTL;
    };
    for d in cc.split(',') {
        let d = d.trim().to_ascii_lowercase();
        if d == "no-store" || d == "no-cache" {
            return Duration::ZERO;
        }
        if let Some(v) = d.strip_prefix("max-age=")
            && let Ok(secs) = v.trim_matches('"').parse::<u64>()
        {
            return Duration::from_secs(secs).min(ROBOTS_TTL);
        }
    }
    ROBOTS_TTL
}

/// One allow or disallow rule.
#[derive(Debug, Clone)]
struct Rule {
    allow: bool,
    pattern: String,
}

/// The parsed rules that apply to us.
#[derive(Debug, Clone, Default)]
pub struct Robots {
    rules: Vec<Rule>,
    /// `Crawl-delay` of our group, capped at [`MAX_CRAWL_DELAY`].
    pub crawl_delay: Option<Duration>,
    /// `Sitemap:` URLs (they apply to every agent).
    pub sitemaps: Vec<String>,
}

impl Robots {
    /// Rules that allow everything (no robots.txt, or a 4xx for it).
    pub fn allow_all() -> Robots {
        Robots::default()
    }

    /// Rules that disallow everything (robots.txt answered 5xx: RFC 9309 says assume
    /// complete disallow until it can be read).
    pub fn disallow_all() -> Robots {
        Robots {
            rules: vec![Rule {
                allow: false,
                pattern: "/".into(),
            }],
            ..Default::default()
        }
    }

    /// Parses robots.txt text for the agent token `agent` (e.g. `gleaner`, matched
    /// case-insensitively as a substring of the group's user-agent lines).
    pub fn parse(text: &str, agent: &str) -> Robots {
        let agent = agent.to_ascii_lowercase();
        let mut sitemaps = Vec::new();
        // (matches us specifically, matches *, rules, delay) per group.
        let mut groups: Vec<(bool, bool, Vec<Rule>, Option<Duration>)> = Vec::new();
        let mut in_agents = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if !in_agents {
                        groups.push((false, false, Vec::new(), None));
                        in_agents = true;
                    }
                    let g = groups.last_mut().expect("group pushed above");
                    let v = value.to_ascii_lowercase();
                    if v == "*" {
                        g.1 = true;
                    } else if !v.is_empty() && (agent.contains(&v) || v.contains(&agent)) {
                        g.0 = true;
                    }
                }
                "allow" | "disallow" => {
                    in_agents = false;
                    if let Some(g) = groups.last_mut()
                        && !value.is_empty()
                    {
                        g.2.push(Rule {
                            allow: key == "allow",
                            pattern: value.to_string(),
                        });
                    }
                }
                "crawl-delay" => {
                    in_agents = false;
                    if let (Some(g), Ok(secs)) = (groups.last_mut(), value.parse::<f64>())
                        && secs.is_finite()
                        && secs >= 0.0
                    {
                        g.3 = Some(Duration::from_secs_f64(secs).min(MAX_CRAWL_DELAY));
                    }
                }
                "sitemap" => sitemaps.push(value.to_string()),
                _ => in_agents = false,
            }
        }
        let ours: Vec<_> = groups.iter().filter(|g| g.0).collect();
        let chosen = if ours.is_empty() {
            groups.iter().filter(|g| g.1).collect()
        } else {
            ours
        };
        let mut rules = Vec::new();
        let mut crawl_delay = None;
        for g in chosen {
            rules.extend(g.2.iter().cloned());
            crawl_delay = crawl_delay.or(g.3);
        }
        Robots {
            rules,
            crawl_delay,
            sitemaps,
        }
    }

    /// True when `path_and_query` (e.g. `/a/b?x=1`) may be fetched.
    pub fn allowed(&self, path_and_query: &str) -> bool {
        if path_and_query == "/robots.txt" {
            return true;
        }
        let mut best: Option<(usize, bool)> = None;
        for r in &self.rules {
            if pattern_matches(&r.pattern, path_and_query) {
                let len = r.pattern.len();
                // Longest pattern wins; on a tie, allow wins (least restrictive).
                match best {
                    Some((l, a)) if l > len || (l == len && a) => {}
                    _ => best = Some((len, r.allow)),
                }
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// Matches a robots pattern (`*` any run of characters, trailing `$` end anchor) as a
/// prefix of `path`.
fn pattern_matches(pattern: &str, path: &str) -> bool {
    let (pat, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let parts: Vec<&str> = pat.split('*').collect();
    let mut pos = 0;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            if !path.starts_with(part) {
                return false;
            }
            pos = part.len();
        } else if i == parts.len() - 1 && anchored {
            // The last part must end the path, after pos.
            return path.len() >= pos + part.len() && path.ends_with(part);
        } else {
            match path[pos..].find(part) {
                Some(k) => pos += k + part.len(),
                None => return false,
            }
        }
    }
    !anchored || pos == path.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TXT: &str = "\
# comment
User-agent: *
Disallow: /private/
Allow: /private/open
Disallow: /*.pdf$
Crawl-delay: 2

User-agent: OtherBot
Disallow: /

Sitemap: https://x.test/sitemap.xml
";

    #[test]
    fn longest_match_wins_and_wildcards() {
        let r = Robots::parse(TXT, "gleaner");
        assert!(r.allowed("/news/a"));
        assert!(!r.allowed("/private/x"));
        assert!(r.allowed("/private/open/1"));
        assert!(!r.allowed("/files/a.pdf"));
        assert!(r.allowed("/files/a.pdf?x=1"));
        assert_eq!(r.crawl_delay, Some(Duration::from_secs(2)));
        assert_eq!(r.sitemaps, ["https://x.test/sitemap.xml"]);
    }

    #[test]
    fn our_group_beats_star() {
        let txt = "User-agent: *\nDisallow: /\n\nUser-agent: gleaner\nUser-agent: other\nDisallow: /no\nCrawl-delay: 0.5\n";
        let r = Robots::parse(txt, "gleaner");
        assert!(r.allowed("/yes"));
        assert!(!r.allowed("/no/1"));
        assert_eq!(r.crawl_delay, Some(Duration::from_millis(500)));
        let other = Robots::parse(txt, "somebot");
        assert!(!other.allowed("/yes"));
    }

    #[test]
    fn cache_ttl_from_cache_control() {
        assert_eq!(cache_ttl(None), ROBOTS_TTL);
        assert_eq!(cache_ttl(Some("public")), ROBOTS_TTL);
        assert_eq!(
            cache_ttl(Some("public, max-age=600")),
            Duration::from_secs(600)
        );
        assert_eq!(cache_ttl(Some("max-age=999999999")), ROBOTS_TTL);
        assert_eq!(cache_ttl(Some("no-cache")), Duration::ZERO);
        assert_eq!(cache_ttl(Some("Max-Age=\"5\"")), Duration::from_secs(5));
    }

    #[test]
    fn empty_disallow_allows_and_huge_delay_is_capped() {
        let r = Robots::parse("User-agent: *\nDisallow:\nCrawl-delay: 99999\n", "g");
        assert!(r.allowed("/anything"));
        assert_eq!(r.crawl_delay, Some(MAX_CRAWL_DELAY));
        assert!(!Robots::disallow_all().allowed("/a"));
        assert!(Robots::disallow_all().allowed("/robots.txt"));
    }
}
