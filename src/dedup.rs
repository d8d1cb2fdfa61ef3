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
use std::collections::HashSet;

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

/// Hashes inserted since the last flush, compared one by one: few enough for a fast
/// scan, many enough that sorting and merging the runs stays cheap.
const PENDING_HASHES: usize = 1024;

/// The permuted-block index, kept lean: per block, the hashes rotated so that block is
/// the top bits, in sorted runs (a log-structured merge: each run at most half the size
/// of the one before, so about log2(n / 1024) runs). A lookup binary-searches each run
/// for the hashes sharing the block. Memory: 8 bytes per block per page (32 at d = 3).
#[derive(Debug)]
struct NearIndex {
    max_distance: u32,
    /// (left rotation bringing the block to the top bits, block width) of each block.
    blocks: Vec<(u32, u32)>,
    /// Per block: sorted runs of rotated hashes, sizes decreasing.
    runs: Vec<Vec<Vec<u64>>>,
    /// Hashes not yet in the runs.
    pending: Vec<u64>,
    pending_cap: usize,
    len: usize,
}

impl NearIndex {
    fn new(max_distance: u32) -> NearIndex {
        Self::with_pending(max_distance, PENDING_HASHES)
    }

    fn with_pending(max_distance: u32, pending_cap: usize) -> NearIndex {
        let n = (max_distance + 1).min(64);
        let blocks: Vec<(u32, u32)> = (0..n)
            .map(|i| {
                let lo = i * 64 / n;
                let width = (i + 1) * 64 / n - lo;
                ((128 - lo - width) % 64, width)
            })
            .collect();
        NearIndex {
            max_distance,
            runs: vec![Vec::new(); blocks.len()],
            blocks,
            pending: Vec::with_capacity(pending_cap),
            pending_cap: pending_cap.max(1),
            len: 0,
        }
    }

    /// True when a hash within the distance is indexed; otherwise indexes `h`.
    fn check_and_insert(&mut self, h: u64) -> bool {
        let d = self.max_distance;
        if self.pending.iter().any(|&c| (c ^ h).count_ones() <= d) {
            return true;
        }
        for (&(rot, width), runs) in self.blocks.iter().zip(&self.runs) {
            // Rotation keeps Hamming distances, so rotated hashes compare directly.
            let r = h.rotate_left(rot);
            let shift = 64 - width;
            let key = r >> shift;
            for run in runs {
                let start = run.partition_point(|&x| x >> shift < key);
                if run[start..]
                    .iter()
                    .take_while(|&&x| x >> shift == key)
                    .any(|&x| (x ^ r).count_ones() <= d)
                {
                    return true;
                }
            }
        }
        self.pending.push(h);
        self.len += 1;
        if self.pending.len() >= self.pending_cap {
            self.flush();
        }
        false
    }

    /// Moves the pending hashes into a new run per block, merging runs that grew too close in size.
    fn flush(&mut self) {
        for (&(rot, _), runs) in self.blocks.iter().zip(self.runs.iter_mut()) {
            let mut run: Vec<u64> = self.pending.iter().map(|h| h.rotate_left(rot)).collect();
            run.sort_unstable();
            runs.push(run);
            while runs.len() >= 2 && runs[runs.len() - 1].len() * 2 > runs[runs.len() - 2].len() {
                let (Some(b), Some(a)) = (runs.pop(), runs.pop()) else {
                    break;
                };
                runs.push(merge_sorted(&a, &b));
            }
        }
        self.pending.clear();
    }
}

/// The sorted union of two sorted slices.
fn merge_sorted(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
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
            // Undo each rotation: the blocks' bits must tile the 64 bits exactly once.
            let mut covered = 0u64;
            for &(rot, width) in &idx.blocks {
                let top = if width == 64 {
                    u64::MAX
                } else {
                    !(u64::MAX >> width)
                };
                let bits = top.rotate_right(rot);
                assert_eq!(covered & bits, 0, "d={d}");
                covered |= bits;
            }
            assert_eq!(covered, u64::MAX, "d={d}");
            assert_eq!(idx.blocks.len() as u32, (d + 1).min(64));
        }
    }

    #[test]
    fn merged_runs_find_what_brute_force_finds() {
        // A tiny pending buffer forces many flushes and merges.
        for pending in [1usize, 3, 16] {
            let mut idx = NearIndex::with_pending(3, pending);
            let mut seen: Vec<u64> = Vec::new();
            let mut x = 99u64;
            for i in 0..2000u64 {
                x = mix(x.wrapping_add(i));
                let h = if i % 2 == 0 && !seen.is_empty() {
                    let base = seen[(x % seen.len() as u64) as usize];
                    (0..(x >> 8) % 5).fold(base, |acc, k| acc ^ 1 << ((x >> (16 + 6 * k)) & 63))
                } else {
                    x
                };
                let brute = seen.iter().any(|&s| (s ^ h).count_ones() <= 3);
                assert_eq!(idx.check_and_insert(h), brute, "pending={pending} i={i}");
                if !brute {
                    seen.push(h);
                }
            }
            let runs = idx.runs[0].len();
            assert!(runs <= 12, "{runs} runs");
            assert!(idx.runs[0].windows(2).all(|w| w[0].len() >= w[1].len() * 2));
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
