//! Drop pages whose body was already written in this run: exactly (hash) or nearly (simhash).
//!
//! Exact: 128 bits of SHA-256 over the body with whitespace runs collapsed, in a hash
//! set. Near: a 64-bit simhash over word shingles; two bodies are near duplicates when
//! their simhashes differ in at most `max_distance` bits. Lookups use the permuted-block
//! index of Manku et al. (pigeonhole): the 64 bits are split into `max_distance + 1`
//! blocks, two hashes within the distance agree exactly on at least one block, so only
//! the hashes sharing a block value are compared. For the default distance 3 that is 4
//! blocks of 16 bits: about n / 16384 candidates per lookup instead of n.
//!
//! Bodies that are empty (or only whitespace) are never duplicates: there is nothing
//! to compare. The deduper is called in output order, so the result does not depend
//! on the thread count.

use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// Words per shingle: long enough that shared boilerplate phrases do not make two
/// different articles look alike, short enough that a small edit changes few shingles.
const SHINGLE_WORDS: usize = 3;

/// How duplicates are recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Keep everything.
    #[default]
    Off,
    /// Same body text (after whitespace normalisation).
    Exact,
    /// 64-bit simhash over word shingles within this Hamming distance.
    Near {
        /// Largest Hamming distance still counted as a duplicate.
        max_distance: u32,
    },
}

/// Remembers the bodies written so far. Call it in output order so the result does
/// not depend on the thread count.
#[derive(Debug, Default)]
pub struct Deduper {
    mode: Mode,
    exact: HashSet<u128>,
    near: Option<NearIndex>,
}

impl Deduper {
    /// A deduper for `mode`.
    pub fn new(mode: Mode) -> Self {
        Deduper {
            mode,
            exact: HashSet::new(),
            near: match mode {
                Mode::Near { max_distance } => Some(NearIndex::new(max_distance)),
                _ => None,
            },
        }
    }

    /// True when `body` duplicates one seen before; otherwise remembers it and returns false.
    pub fn is_duplicate(&mut self, body: &str) -> bool {
        match self.mode {
            Mode::Off => false,
            Mode::Exact => match exact_hash(body) {
                Some(h) => !self.exact.insert(h),
                None => false,
            },
            Mode::Near { .. } => match (simhash(body), self.near.as_mut()) {
                (Some(h), Some(index)) => index.check_and_insert(h),
                _ => false,
            },
        }
    }

    /// Number of bodies remembered.
    pub fn len(&self) -> usize {
        self.exact.len() + self.near.as_ref().map_or(0, |n| n.len)
    }

    /// True when nothing was remembered yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// 128 bits of SHA-256 over the words of `body` joined by single spaces; None when
/// the body has no words. 128 bits keep accidental collisions out of reach even for
/// billions of pages.
pub fn exact_hash(body: &str) -> Option<u128> {
    let mut h = Sha256::new();
    let mut any = false;
    for w in body.split_whitespace() {
        if any {
            h.update(b" ");
        }
        h.update(w.as_bytes());
        any = true;
    }
    if !any {
        return None;
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    Some(u128::from_le_bytes(b))
}

/// 64-bit simhash of `body` over shingles of [`SHINGLE_WORDS`] lower-cased words
/// (all of the words when there are fewer). None when the body has no words.
pub fn simhash(body: &str) -> Option<u64> {
    let words: Vec<u64> = body
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(word_hash)
        .collect();
    if words.is_empty() {
        return None;
    }
    let k = SHINGLE_WORDS.min(words.len());
    let mut counts = [0i32; 64];
    for sh in words.windows(k) {
        let h = sh.iter().fold(0x243f_6a88_85a3_08d3u64, |acc, &w| {
            mix(acc.rotate_left(5) ^ w)
        });
        for (bit, c) in counts.iter_mut().enumerate() {
            *c += if h >> bit & 1 == 1 { 1 } else { -1 };
        }
    }
    Some(
        counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .fold(0u64, |acc, (bit, _)| acc | 1 << bit),
    )
}

/// FNV-1a over the lower-cased word, finished with [`mix`]; stable across runs and platforms.
fn word_hash(w: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for c in w.chars().flat_map(char::to_lowercase) {
        let mut buf = [0u8; 4];
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    mix(h)
}

/// The splitmix64 finaliser: spreads every input bit over the whole word.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The permuted-block index: one table per block, keyed by the block's bits.
#[derive(Debug)]
struct NearIndex {
    max_distance: u32,
    /// (shift, mask) of each block.
    blocks: Vec<(u32, u64)>,
    tables: Vec<HashMap<u64, Vec<u64>>>,
    len: usize,
}

impl NearIndex {
    fn new(max_distance: u32) -> NearIndex {
        let n = (max_distance + 1).min(64);
        let blocks: Vec<(u32, u64)> = (0..n)
            .map(|i| {
                let lo = i * 64 / n;
                let hi = (i + 1) * 64 / n;
                let width = hi - lo;
                let mask = if width == 64 {
                    u64::MAX
                } else {
                    (1u64 << width) - 1
                };
                (lo, mask)
            })
            .collect();
        NearIndex {
            max_distance,
            tables: vec![HashMap::new(); blocks.len()],
            blocks,
            len: 0,
        }
    }

    /// True when a hash within the distance is indexed; otherwise indexes `h`.
    fn check_and_insert(&mut self, h: u64) -> bool {
        for ((shift, mask), table) in self.blocks.iter().zip(&self.tables) {
            if let Some(cands) = table.get(&(h >> shift & mask)) {
                if cands
                    .iter()
                    .any(|&c| (c ^ h).count_ones() <= self.max_distance)
                {
                    return true;
                }
            }
        }
        for ((shift, mask), table) in self.blocks.iter().zip(self.tables.iter_mut()) {
            table.entry(h >> shift & mask).or_default().push(h);
        }
        self.len += 1;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "The city council voted on Tuesday to expand the bus network \
        into the northern suburbs, after a year of public hearings. The plan adds \
        four routes and raises the frequency of two others. Opponents said the cost \
        had been underestimated and asked for an independent review of the figures. \
        The mayor said work would begin in the spring and finish within two years.";

    #[test]
    fn exact_ignores_whitespace_only() {
        let mut d = Deduper::new(Mode::Exact);
        assert!(!d.is_duplicate("One two.\n\nThree."));
        assert!(d.is_duplicate("One   two.\nThree.  "));
        assert!(!d.is_duplicate("One two.\n\nThree!"));
        assert_eq!(d.len(), 2);
    }

    #[test]
    fn empty_bodies_are_never_duplicates() {
        for mode in [Mode::Exact, Mode::Near { max_distance: 3 }] {
            let mut d = Deduper::new(mode);
            assert!(!d.is_duplicate(""));
            assert!(!d.is_duplicate("  \n"));
            assert!(!d.is_duplicate(" "));
        }
    }

    #[test]
    fn off_keeps_everything() {
        let mut d = Deduper::new(Mode::Off);
        assert!(!d.is_duplicate(STORY));
        assert!(!d.is_duplicate(STORY));
    }

    /// A pseudo-article of `n` words drawn from a small vocabulary.
    fn article(seed: u64, n: usize) -> String {
        const VOCAB: [&str; 24] = [
            "council", "voted", "the", "bus", "network", "northern", "suburbs", "after", "year",
            "public", "hearings", "plan", "adds", "routes", "raises", "cost", "mayor", "said",
            "work", "would", "begin", "spring", "review", "figures",
        ];
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = mix(x);
                VOCAB[(x % VOCAB.len() as u64) as usize]
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn near_catches_small_edits_but_not_other_stories() {
        let mut d = Deduper::new(Mode::Near { max_distance: 3 });
        assert!(!d.is_duplicate(STORY));
        // Case, punctuation and line breaks do not change the shingles.
        let restyled = STORY.to_uppercase().replace(',', "").replace(". ", ".\n\n");
        assert!(d.is_duplicate(&restyled));
        // A 400-word article with a word changed and a credit line added.
        let a = article(7, 400);
        let mut edited = a.replacen("mayor", "governor", 1);
        edited.push_str("\n\n(Reuters)");
        let dist = (simhash(&a).unwrap() ^ simhash(&edited).unwrap()).count_ones();
        assert!(dist <= 3, "distance {dist}");
        assert!(!d.is_duplicate(&a));
        assert!(d.is_duplicate(&edited));
        // Another article on the same vocabulary is not a duplicate.
        let other = article(8, 400);
        let dist = (simhash(&a).unwrap() ^ simhash(&other).unwrap()).count_ones();
        assert!(dist > 10, "distance {dist}");
        assert!(!d.is_duplicate(&other));
        assert_eq!(d.len(), 3);
    }

    #[test]
    fn simhash_is_stable_and_case_insensitive() {
        assert_eq!(simhash("Hello world again"), simhash("hello, WORLD again!"));
        assert_eq!(simhash("..."), None);
        assert_eq!(simhash("a b c"), simhash("A B C"));
        let h = simhash(STORY).unwrap();
        assert_eq!(h, simhash(STORY).unwrap());
        assert!(h.count_ones() > 10 && h.count_ones() < 54);
    }

    #[test]
    fn index_finds_exactly_the_hashes_within_distance() {
        // Brute force versus the index over pseudo-random hashes and planted neighbours.
        for max_distance in [0u32, 1, 3, 5] {
            let mut idx = NearIndex::new(max_distance);
            let mut seen: Vec<u64> = Vec::new();
            let mut x = 0x1234_5678_9abc_def0u64;
            for i in 0..3000u64 {
                x = mix(x.wrapping_add(i));
                let h = if i % 3 == 0 && !seen.is_empty() {
                    // A neighbour of an earlier hash, 0..=max_distance+1 bits away.
                    let base = seen[(x % seen.len() as u64) as usize];
                    let flips = (x >> 8) % u64::from(max_distance + 2);
                    (0..flips).fold(base, |acc, k| acc ^ 1 << ((x >> (16 + 6 * k)) & 63))
                } else {
                    x
                };
                let brute = seen.iter().any(|&s| (s ^ h).count_ones() <= max_distance);
                assert_eq!(idx.check_and_insert(h), brute, "d={max_distance} i={i}");
                if !brute {
                    seen.push(h);
                }
            }
        }
    }

    #[test]
    fn blocks_cover_all_64_bits() {
        for d in [0u32, 3, 6, 63, 100] {
            let idx = NearIndex::new(d);
            let covered = idx
                .blocks
                .iter()
                .fold(0u64, |acc, (shift, mask)| acc | mask << shift);
            assert_eq!(covered, u64::MAX, "d={d}");
            assert_eq!(idx.blocks.len() as u32, (d + 1).min(64));
        }
    }

    /// Index speed at scale: `cargo test --release --lib dedup::tests::bench -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn bench_near_index_two_million() {
        let mut idx = NearIndex::new(3);
        let t = std::time::Instant::now();
        let mut x = 42u64;
        let mut dups = 0;
        for i in 0..2_000_000u64 {
            x = mix(x.wrapping_add(i));
            dups += usize::from(idx.check_and_insert(x));
        }
        let e = t.elapsed().as_secs_f64();
        eprintln!(
            "2M simhashes: {e:.2} s, {:.2} us per page, {dups} false hits",
            e / 2e6 * 1e6
        );
        let t = std::time::Instant::now();
        let body = article(3, 600);
        for _ in 0..2000 {
            std::hint::black_box(simhash(std::hint::black_box(&body)));
        }
        eprintln!(
            "simhash of a 600-word body: {:.1} us",
            t.elapsed().as_secs_f64() / 2000.0 * 1e6
        );
    }
}
