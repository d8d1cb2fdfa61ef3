//! End to end for corpus builders: duplicates, shards, compressed JSONL.

mod warc_gen;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use warc_gen::*;

/// A pseudo-article of `n` words (deterministic), in paragraphs of 60 words.
fn body_words(seed: u64, n: usize) -> Vec<String> {
    const VOCAB: [&str; 32] = [
        "council",
        "voted",
        "bus",
        "network",
        "northern",
        "suburbs",
        "after",
        "year",
        "public",
        "hearings",
        "plan",
        "adds",
        "routes",
        "raises",
        "cost",
        "mayor",
        "said",
        "work",
        "would",
        "begin",
        "spring",
        "review",
        "figures",
        "harbour",
        "wall",
        "ferry",
        "terminal",
        "reopen",
        "passengers",
        "week",
        "safety",
        "checks",
    ];
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            VOCAB[(x % VOCAB.len() as u64) as usize].to_string()
        })
        .collect()
}

fn paragraphs(words: &[String]) -> Vec<String> {
    words
        .chunks(60)
        .map(|c| {
            let mut p = c.join(" ");
            p.push('.');
            p[..1].make_ascii_uppercase();
            p
        })
        .collect()
}

fn page(id: u32, title: &str, paras: &[String]) -> Vec<u8> {
    let refs: Vec<&str> = paras.iter().map(String::as_str).collect();
    html_response(
        &format!("{id:04}"),
        &format!("https://news.test/{id}"),
        &news_html(title, &refs),
    )
}

/// Pages 1..=6: 3 copies 1 exactly (other URL, other title), 4 is 1 with one word
/// changed and a credit paragraph, 2, 5 and 6 are distinct stories.
fn dup_archive(path: &Path) {
    let a = body_words(1, 400);
    let mut near = a.clone();
    near[200] = "governor".into();
    let mut near_p = paragraphs(&near);
    near_p.push("Reporting by the news desk.".into());
    write_warc_gz(
        path,
        &[
            page(1, "Council backs bus plan", &paragraphs(&a)),
            page(2, "Harbour works", &paragraphs(&body_words(2, 400))),
            page(3, "Bus plan backed (syndicated)", &paragraphs(&a)),
            page(4, "Bus plan: update", &near_p),
            page(5, "Ferry terminal", &paragraphs(&body_words(5, 400))),
            page(6, "Short item", &paragraphs(&body_words(6, 40))),
        ],
    );
}

fn urls(out: &str) -> Vec<String> {
    jsonl(out)
        .iter()
        .map(|v| v["url"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn dedup_modes_drop_the_right_pages_whatever_the_thread_count() {
    let d = tempfile::tempdir().unwrap();
    let w = d.path().join("dups.warc.gz");
    dup_archive(&w);
    let w = w.to_str().unwrap();
    let u = |n: u32| format!("https://news.test/{n}");
    for (mode, kept, dups) in [
        ("off", vec![1, 2, 3, 4, 5, 6], 0.0),
        ("exact", vec![1, 2, 4, 5, 6], 1.0),
        ("near", vec![1, 2, 5, 6], 2.0),
    ] {
        let mut outputs = Vec::new();
        for jobs in ["1", "2", "4"] {
            let o = gleaner(&[
                "clean", w, "--format", "jsonl", "--dedup", mode, "-j", jobs, "--stats",
            ]);
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(0), "{stderr}");
            let out = String::from_utf8(o.stdout).unwrap();
            let want: Vec<String> = kept.iter().map(|&n| u(n)).collect();
            assert_eq!(urls(&out), want, "--dedup {mode} -j {jobs}");
            assert_eq!(stats(&stderr)["duplicates"], dups, "{stderr}");
            outputs.push(out);
        }
        assert!(outputs.windows(2).all(|w| w[0] == w[1]), "--dedup {mode}");
    }
}

#[test]
fn near_distance_zero_keeps_edited_copies() {
    let d = tempfile::tempdir().unwrap();
    let w = d.path().join("dups.warc.gz");
    dup_archive(&w);
    let o = gleaner(&[
        "clean",
        w.to_str().unwrap(),
        "--format",
        "jsonl",
        "--dedup",
        "near",
        "--near-distance",
        "0",
    ]);
    let got = urls(&String::from_utf8(o.stdout).unwrap());
    assert!(got.contains(&"https://news.test/4".to_string()), "{got:?}");
    assert!(!got.contains(&"https://news.test/3".to_string()), "{got:?}");
    let o = gleaner(&[
        "clean",
        "x.warc",
        "--dedup",
        "near",
        "--near-distance",
        "40",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn shards_split_an_input_list_without_overlap() {
    let d = tempfile::tempdir().unwrap();
    let mut lines = String::new();
    for f in 0..7u32 {
        let p = d.path().join(format!("seg-{f}.warc.gz"));
        let recs: Vec<Vec<u8>> = (0..3)
            .map(|k| {
                let id = f * 10 + k;
                page(
                    id,
                    &format!("Story {id}"),
                    &paragraphs(&body_words(u64::from(id) + 100, 80)),
                )
            })
            .collect();
        write_warc_gz(&p, &recs);
        lines.push_str(&format!("{}\n", p.display()));
    }
    lines.push_str(&format!("{}\n", d.path().join("absent.warc.gz").display()));
    let list = d.path().join("list.txt");
    fs::write(&list, lines).unwrap();
    let list = list.to_str().unwrap();
    let all = gleaner(&["clean", "--input-list", list, "--format", "jsonl"]);
    let all: BTreeSet<String> = urls(&String::from_utf8(all.stdout).unwrap())
        .into_iter()
        .collect();
    assert_eq!(all.len(), 21);
    let mut union = BTreeSet::new();
    let mut missing_reported = 0;
    for i in 0..3 {
        let o = gleaner(&[
            "clean",
            "--input-list",
            list,
            "--format",
            "jsonl",
            "--shard",
            &format!("{i}/3"),
        ]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        if stderr.contains("absent.warc.gz") {
            missing_reported += 1;
            assert_eq!(o.status.code(), Some(1));
        } else {
            assert_eq!(o.status.code(), Some(0), "{stderr}");
        }
        for u in urls(&String::from_utf8(o.stdout).unwrap()) {
            assert!(union.insert(u.clone()), "{u} in two shards");
        }
    }
    assert_eq!(union, all);
    assert_eq!(
        missing_reported, 1,
        "a missing input is reported by exactly one shard"
    );
    let o = gleaner(&["clean", "--input-list", list, "--shard", "3/3"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn compressed_jsonl_by_extension_matches_plain() {
    let d = tempfile::tempdir().unwrap();
    let w = d.path().join("dups.warc.gz");
    dup_archive(&w);
    let w = w.to_str().unwrap();
    let mut texts = Vec::new();
    for name in ["o.jsonl", "o.jsonl.gz", "o.jsonl.zst"] {
        let out = d.path().join(name);
        // No --format: the extension says JSONL.
        let o = gleaner(&["clean", w, "-o", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0));
        let raw = fs::read(&out).unwrap();
        let text = if name.ends_with(".gz") {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut flate2::read::MultiGzDecoder::new(&raw[..]), &mut s)
                .unwrap();
            s
        } else if name.ends_with(".zst") {
            String::from_utf8(zstd::decode_all(&raw[..]).unwrap()).unwrap()
        } else {
            String::from_utf8(raw).unwrap()
        };
        assert_eq!(jsonl(&text).len(), 6);
        texts.push(text);
    }
    assert_eq!(texts[0], texts[1]);
    assert_eq!(texts[0], texts[2]);
}
