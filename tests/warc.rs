//! End to end: WARC archives through the built binary to JSONL.

mod warc_gen;

use std::fs;
use warc_gen::*;

const P1: &str = "The regional transit authority approved a plan on Monday to run night buses on six \
    routes that now stop before midnight, answering years of complaints from hospital and \
    restaurant workers.";
const P2: &str = "Officials said the service would start in September and cost about four million a \
    year, paid for by a parking levy the council passed last spring after a long debate.";
const P3: &str = "Harbour engineers finished the new sea wall two months early, and the old ferry \
    terminal will reopen to passengers at the end of the week after the final safety checks.";
const P4: &str = "Local fishermen, who had moored their boats in the next bay during the works, said \
    the calmer water inside the wall already made loading the morning catch much easier.";

/// Records covering every case: pages, skipped records, a wrong charset, a truncated one.
fn archive_records() -> Vec<Vec<u8>> {
    let mut latin1 = Vec::new();
    // A page whose HTTP header says UTF-8 but whose bytes are windows-1252 ("café", "naïve").
    let wrong = news_html(
        "Caf\u{e9} owners fight rent rise",
        &[&format!("{P3} Caf\u{e9} owners called it na\u{ef}ve.")],
    );
    for ch in wrong.chars() {
        latin1.push(u32::from(ch) as u8);
    }
    vec![
        record(
            "warcinfo",
            "0001",
            &[("Content-Type", "application/warc-fields")],
            b"software: warc_gen\r\nformat: WARC File Format 1.1\r\n",
        ),
        request("0002", "https://news.test/transit/night-buses"),
        html_response(
            "0003",
            "https://news.test/transit/night-buses",
            &news_html("Night buses approved", &[P1, P2]),
        ),
        record(
            "metadata",
            "0004",
            &[("WARC-Target-URI", "https://news.test/transit/night-buses")],
            b"fetchTimeMs: 88\r\n",
        ),
        response(
            "0005",
            "https://news.test/logo.png",
            &http(
                "200 OK",
                &["Content-Type: image/png"],
                b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            ),
        ),
        response(
            "0006",
            "https://news.test/gone",
            &http(
                "404 Not Found",
                &["Content-Type: text/html"],
                b"<html><p>Not found</p></html>",
            ),
        ),
        response(
            "0007",
            "https://news.test/harbour/cafe",
            &http(
                "200 OK",
                &["Content-Type: text/html; charset=utf-8"],
                &latin1,
            ),
        ),
        // Declared Latin-1, bytes UTF-8: the valid UTF-8 wins.
        response(
            "0008",
            "https://news.test/harbour/wall",
            &http(
                "200 OK",
                &["Content-Type: text/html; charset=iso-8859-1"],
                news_html(
                    "Sea wall finished early",
                    &[P3, &format!("{P4} \u{201c}Calmer\u{201d}, they said.")],
                )
                .as_bytes(),
            ),
        ),
    ]
}

fn check_archive_output(path: &str, offsets: &[u64], out: &str, stderr: &str) {
    let v = jsonl(out);
    assert_eq!(v.len(), 3, "{out}");
    assert_eq!(v[0]["url"], "https://news.test/transit/night-buses");
    assert_eq!(v[0]["title"], "Night buses approved");
    assert_eq!(v[0]["text"], format!("{P1}\n\n{P2}"));
    assert_eq!(v[0]["source"], format!("{path}@{}", offsets[2]));
    assert_eq!(v[0]["warc_record_id"], "<urn:uuid:0003>");
    assert_eq!(v[0]["warc_date"], "2024-05-17T08:30:00Z");
    assert_eq!(v[1]["url"], "https://news.test/harbour/cafe");
    assert_eq!(v[1]["title"], "Café owners fight rent rise");
    assert_eq!(v[1]["text"], format!("{P3} Café owners called it naïve."));
    assert_eq!(v[1]["source"], format!("{path}@{}", offsets[6]));
    assert_eq!(v[2]["title"], "Sea wall finished early");
    assert_eq!(v[2]["text"], format!("{P3}\n\n{P4} “Calmer”, they said."));
    assert_eq!(v[2]["warc_record_id"], "<urn:uuid:0008>");
    let s = stats(stderr);
    assert_eq!(s["pages"], 4.0, "{stderr}"); // three pages and the truncated record
    assert_eq!(s["written"], 3.0);
    assert_eq!(s["errors"], 1.0);
    assert_eq!(s["skipped"], 5.0);
}

#[test]
fn warc_gz_every_line_and_count() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("crawl.warc.gz");
    let mut recs = archive_records();
    let cut = html_response("0009", "https://news.test/cut", &news_html("Cut", &[P1]));
    recs.push(cut);
    let mut offsets = write_warc_gz(&path, &recs);
    // Truncate the last member in the middle.
    let mut bytes = fs::read(&path).unwrap();
    let last = *offsets.last().unwrap() as usize;
    bytes.truncate(last + (bytes.len() - last) / 2);
    fs::write(&path, &bytes).unwrap();
    offsets.truncate(recs.len());
    let p = path.to_str().unwrap();
    let out = d.path().join("out.jsonl");
    let o = gleaner(&[
        "clean",
        p,
        "-o",
        out.to_str().unwrap(),
        "--stats",
        "-j",
        "2",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("gleaner: {p}@{last}: truncated record")),
        "{stderr}"
    );
    check_archive_output(p, &offsets, &fs::read_to_string(&out).unwrap(), &stderr);
}

#[test]
fn plain_warc_with_truncated_record_in_the_middle() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("crawl.warc");
    let mut recs = archive_records();
    // Record 8 (index 7) loses its second half; the record after it must still be read.
    let broken = recs[7].clone();
    recs[7] = broken[..broken.len() / 2].to_vec();
    recs.push(html_response(
        "0009",
        "https://news.test/harbour/wall",
        &news_html(
            "Sea wall finished early",
            &[P3, &format!("{P4} “Calmer”, they said.")],
        ),
    ));
    let offsets = write_warc(&path, &recs);
    let p = path.to_str().unwrap();
    let o = gleaner(&["clean", p, "--format", "jsonl", "--stats"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{p}@{}: ", offsets[7])),
        "{stderr}"
    );
    let out = String::from_utf8(o.stdout).unwrap();
    let v = jsonl(&out);
    assert_eq!(v.len(), 3);
    assert_eq!(v[2]["source"], format!("{p}@{}", offsets[8]));
    assert_eq!(v[2]["warc_record_id"], "<urn:uuid:0009>");
    let s = stats(&stderr);
    assert_eq!((s["written"], s["errors"], s["skipped"]), (3.0, 1.0, 5.0));
}

#[test]
fn input_list_reads_every_archive_and_reports_missing() {
    let d = tempfile::tempdir().unwrap();
    let a = d.path().join("a.warc.gz");
    let b = d.path().join("b.warc");
    write_warc_gz(
        &a,
        &[html_response(
            "0001",
            "https://news.test/a",
            &news_html("Night buses approved", &[P1, P2]),
        )],
    );
    write_warc(
        &b,
        &[html_response(
            "0002",
            "https://news.test/b",
            &news_html("Sea wall finished early", &[P3, P4]),
        )],
    );
    let list = d.path().join("inputs.txt");
    let missing = d.path().join("missing.warc.gz");
    fs::write(
        &list,
        format!(
            "# crawl segment\n{}\n\n{}\n{}\n",
            a.display(),
            missing.display(),
            b.display()
        ),
    )
    .unwrap();
    let out = d.path().join("out.jsonl");
    let o = gleaner(&[
        "clean",
        "--input-list",
        list.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("missing.warc.gz"), "{stderr}");
    let v = jsonl(&fs::read_to_string(&out).unwrap());
    let urls: Vec<&str> = v.iter().map(|x| x["url"].as_str().unwrap()).collect();
    assert_eq!(urls, ["https://news.test/a", "https://news.test/b"]);
    assert_eq!(v[0]["source"], format!("{}@0", a.display()));
}

#[test]
fn garbage_archive_is_one_error_not_a_crash() {
    let d = tempfile::tempdir().unwrap();
    let bad = d.path().join("bad.warc.gz");
    let mut junk: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    junk[0] = 0x1f;
    junk[1] = 0x8b;
    fs::write(&bad, &junk).unwrap();
    let good = d.path().join("good.warc");
    write_warc(
        &good,
        &[html_response(
            "0001",
            "https://news.test/a",
            &news_html("Night buses approved", &[P1]),
        )],
    );
    let o = gleaner(&[
        "clean",
        bad.to_str().unwrap(),
        good.to_str().unwrap(),
        "--format",
        "jsonl",
        "--stats",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let v = jsonl(&String::from_utf8(o.stdout).unwrap());
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["url"], "https://news.test/a");
    assert_eq!(stats(&stderr)["errors"], 1.0, "{stderr}");
}

/// The reader alone, no extraction, for the README's figures:
/// `GLEANER_WARC_BENCH=/tmp/x.warc.gz cargo test --release --test warc -- --ignored --nocapture`.
/// Prints the time to gunzip the file alone and to read every record (gunzip + parse).
#[test]
#[ignore]
fn bench_reader() {
    let Ok(path) = std::env::var("GLEANER_WARC_BENCH") else {
        eprintln!("set GLEANER_WARC_BENCH to a .warc or .warc.gz file");
        return;
    };
    let size = fs::metadata(&path).unwrap().len() as f64 / 1e6;
    let t = std::time::Instant::now();
    let f = std::io::BufReader::with_capacity(1 << 18, fs::File::open(&path).unwrap());
    let raw = std::io::copy(
        &mut flate2::bufread::MultiGzDecoder::new(f),
        &mut std::io::sink(),
    )
    .unwrap_or(0) as f64
        / 1e6;
    let gunzip = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let (mut pages, mut skipped, mut errors, mut body) = (0u64, 0u64, 0u64, 0u64);
    for item in gleaner::warc::read_pages(std::path::Path::new(&path)).unwrap() {
        match item {
            Ok(p) => {
                pages += 1;
                body += p.bytes.len() as u64;
            }
            Err(e) if e.skipped => skipped += 1,
            Err(_) => errors += 1,
        }
    }
    let read = t.elapsed().as_secs_f64();
    eprintln!(
        "file {size:.1} MB ({raw:.1} MB unpacked)  gunzip alone {gunzip:.2} s ({:.0} MB/s of file)  \
         read all records {read:.2} s ({:.0} MB/s of file, {:.0} pages/s)  pages {pages}  skipped {skipped}  \
         errors {errors}  HTML {:.1} MB",
        size / gunzip,
        size / read,
        pages as f64 / read,
        body as f64 / 1e6
    );
}

/// The sample archive in `samples/warc` (used in the README) gives its one article.
#[test]
fn sample_archive_gives_its_article() {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/warc/newsroom.warc");
    let o = gleaner(&["clean", sample, "--format", "jsonl", "--stats"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let v = jsonl(&String::from_utf8(o.stdout).unwrap());
    assert_eq!(v.len(), 1);
    assert_eq!(
        v[0]["url"],
        "https://harbourtimes.example/2024/05/17/ferry-terminal-reopens"
    );
    assert_eq!(v[0]["source"], format!("{sample}@670"));
    assert_eq!(
        v[0]["warc_record_id"],
        "<urn:uuid:6f0c2f4e-1b1e-4a55-9d0a-000000000003>"
    );
    assert_eq!(v[0]["warc_date"], "2024-05-17T09:02:11Z");
    assert!(
        v[0]["title"]
            .as_str()
            .unwrap()
            .starts_with("Ferry terminal reopens after sea wall works")
    );
    let text = v[0]["text"].as_str().unwrap();
    for p in [
        "The old ferry terminal reopened to passengers on Friday morning",
        "The first crossing left at 7.15am with about forty passengers on board.",
        "said the calmer water already made loading the morning catch easier.",
    ] {
        assert!(text.contains(p), "{p:?} missing from {text:?}");
    }
    let s = stats(&stderr);
    assert_eq!((s["written"], s["errors"], s["skipped"]), (1.0, 0.0, 5.0));
}
