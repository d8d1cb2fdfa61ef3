//! Every fixture in `samples/html/` goes through the real pipeline and must give its
//! `.expected.txt` byte for byte. Fixtures named `seed-<NNN_id>.html` must also equal the
//! seed's `.clean.txt` in `../shared/seeds/` when that folder exists.

use gleaner::input::Page;
use gleaner::pipeline::{CleanOptions, clean_page};
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/html");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("samples/html exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    v.sort();
    v
}

fn clean(path: &Path) -> String {
    let page = Page {
        source: path.display().to_string(),
        url: None,
        bytes: std::fs::read(path).unwrap(),
        charset: None,
        fetched: None,
        warc: None,
    };
    clean_page(&page, &CleanOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_text()
}

#[test]
fn every_fixture_gives_its_expected_text() {
    let all = fixtures();
    assert!(
        all.len() >= 11,
        "expected at least eleven fixtures, found {}",
        all.len()
    );
    let mut failures = Vec::new();
    for html in &all {
        let expected_path = html.with_extension("expected.txt");
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        let got = clean(html);
        if got != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}\n--- got\n{got}\n",
                html.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn seed_fixtures_equal_the_seed_clean_text() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    let mut n = 0;
    for html in fixtures() {
        let stem = html.file_stem().unwrap().to_string_lossy().to_string();
        let Some(id) = stem.strip_prefix("seed-") else {
            continue;
        };
        n += 1;
        let expected_here = std::fs::read_to_string(html.with_extension("expected.txt")).unwrap();
        let got = clean(&html);
        assert_eq!(got, expected_here, "{}", html.display());
        if seeds.is_dir() {
            let seed = seeds.join(format!("{id}.clean.txt"));
            let want = std::fs::read_to_string(&seed)
                .unwrap_or_else(|e| panic!("{}: {e}", seed.display()));
            assert_eq!(got, want, "{} vs {}", html.display(), seed.display());
        }
    }
    assert_eq!(n, 2, "one fixture per seed article");
}

#[test]
fn every_fixture_is_its_own_article() {
    // The README's main job writes one file per sample: no two may share an id.
    let mut ids = std::collections::BTreeMap::new();
    for html in fixtures() {
        let page = Page {
            source: html.display().to_string(),
            url: None,
            bytes: std::fs::read(&html).unwrap(),
            charset: None,
            fetched: None,
            warc: None,
        };
        let article = clean_page(&page, &CleanOptions::default()).unwrap();
        let id = gleaner::writer::article_id(gleaner::writer::id_key(&page, &article));
        if let Some(other) = ids.insert(id.clone(), html.display().to_string()) {
            panic!("{} and {other} share the id {id}", html.display());
        }
    }
}
