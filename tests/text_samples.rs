//! Text mode on the hand-written dumps in `samples/text/` (each `NAME.txt` with its
//! `NAME.expected.txt`, or none when the page has no article), and on the project's
//! seed dumps in `../shared/seeds` when that folder is present.

use gleaner::ExtractError;
use gleaner::text::clean_text;
use std::fs;
use std::path::{Path, PathBuf};

fn samples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/text");
    let mut v: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("samples/text exists")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.ends_with(".txt") && !n.ends_with(".expected.txt")
        })
        .collect();
    v.sort();
    v
}

fn expected_of(p: &Path) -> PathBuf {
    p.with_extension("expected.txt")
}

#[test]
fn every_sample_gives_its_expected_text() {
    let all = samples();
    assert!(all.len() >= 5, "too few samples: {all:?}");
    let mut failures = Vec::new();
    for p in &all {
        let dump = fs::read_to_string(p).unwrap();
        let exp = expected_of(p);
        let got = clean_text(&dump);
        if exp.exists() {
            let want = fs::read_to_string(&exp).unwrap();
            match got {
                Ok(a) if a.to_text() == want => {}
                Ok(a) => failures.push(format!(
                    "{}:\n--- want\n{want}\n--- got\n{}",
                    p.display(),
                    a.to_text()
                )),
                Err(e) => failures.push(format!("{}: error {e}", p.display())),
            }
        } else if got != Err(ExtractError::NoArticle) {
            failures.push(format!("{}: expected NoArticle, got {got:?}", p.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn samples_cover_the_dump_styles() {
    let all: Vec<String> = samples()
        .iter()
        .map(|p| fs::read_to_string(p).unwrap())
        .collect();
    assert!(all.iter().any(|t| t.contains("\n  • ")), "a • bullet dump");
    assert!(all.iter().any(|t| t.contains("\n* ")), "a * bullet dump");
    assert!(
        all.iter().any(|t| t.contains("\n   Der ")),
        "an indented dump"
    );
    assert!(
        samples().iter().any(|p| !expected_of(p).exists()),
        "a dump with no article"
    );
}

#[test]
fn kept_list_is_one_block_of_bullet_lines() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/text/fr-rentree-list.txt");
    let a = clean_text(&fs::read_to_string(p).unwrap()).unwrap();
    let list: Vec<&String> = a.blocks.iter().filter(|b| b.starts_with("  • ")).collect();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].lines().count(), 3);
    assert!(
        !a.body().contains("Cantine"),
        "the related-links list is dropped"
    );
}

/// The seeds: whole-page dumps with the cleaned text users expect, byte for byte.
#[test]
fn shared_seeds_byte_for_byte() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    let Ok(entries) = fs::read_dir(&dir) else {
        eprintln!("{} not present: seed check skipped", dir.display());
        return;
    };
    let mut checked = 0;
    for e in entries {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".txt") || name.ends_with(".clean.txt") {
            continue;
        }
        let clean = p.with_extension("clean.txt");
        if !clean.exists() {
            continue;
        }
        let dump = fs::read_to_string(&p).unwrap();
        if gleaner::pipeline::looks_like_html(&dump) {
            continue;
        }
        let got = clean_text(&dump).unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = fs::read_to_string(&clean).unwrap();
        assert!(
            got.to_text().as_bytes() == want.as_bytes(),
            "{name}:\n--- want\n{want}\n--- got\n{}",
            got.to_text()
        );
        checked += 1;
    }
    assert!(checked > 0, "no text seeds found in {}", dir.display());
}
