//! End-to-end tests of `gleaner clean`: exit codes, error lines, output files, and a bad
//! page never costing its neighbours.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_gleaner");

/// A small but realistic article page; `tag` makes its text distinctive.
fn page(tag: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Harbour {tag} reopens after storm repairs | Coast Gazette</title>
<link rel="canonical" href="https://gazette.test/news/{tag}"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Harbour {tag} reopens after storm repairs</h1>
<p>The harbour {tag} reopened on Monday after three months of repairs to the sea wall, which was breached during the winter storms that flooded the old town.</p>
<p>Fishermen said the delay had cost them most of the season, but the council insisted that the new wall, built to a higher standard, would protect the quay for decades.</p>
<p>Engineers will return in the spring to inspect the foundations, and the council has promised to publish their report in full.</p>
</article><footer>© Coast Gazette</footer></body></html>"#
    )
}

/// Runs gleaner with `input` on its standard input.
fn run_with_stdin(args: &[&str], input: &[u8]) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).output().expect("run gleaner");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn txt_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn bad_pages_are_reported_and_the_batch_goes_on() {
    let d = tempfile::tempdir().unwrap();
    let inp = d.path().join("in");
    fs::create_dir(&inp).unwrap();
    fs::write(inp.join("a.html"), page("alpha")).unwrap();
    fs::write(inp.join("b-empty.html"), "").unwrap();
    fs::write(inp.join("c-binary.html"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    fs::write(inp.join("d.html"), page("delta")).unwrap();
    let out = d.path().join("out");
    let missing = d.path().join("missing.html");
    let (code, _, err) = run(&[
        "clean",
        "--output",
        out.to_str().unwrap(),
        inp.to_str().unwrap(),
        missing.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "some pages failed: {err}");
    assert!(err.contains("b-empty.html: empty page"), "{err}");
    assert!(
        err.contains("c-binary.html: not an HTML or text page: a PNG image"),
        "{err}"
    );
    assert!(err.contains("missing.html"), "{err}");
    let files = txt_files(&out);
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files[0].starts_with("000_") && files[1].starts_with("001_"));
    let first = fs::read_to_string(out.join(&files[0])).unwrap();
    assert!(first.contains("The harbour alpha reopened on Monday"));
    assert!(!first.ends_with('\n'));
    let second = fs::read_to_string(out.join(&files[1])).unwrap();
    assert!(second.contains("The harbour delta reopened"));
}

#[test]
fn rerun_rewrites_in_place_and_new_pages_continue_the_numbering() {
    let d = tempfile::tempdir().unwrap();
    let a = d.path().join("a.html");
    fs::write(&a, page("alpha")).unwrap();
    let out = d.path().join("out");
    let o = out.to_str().unwrap();
    assert_eq!(run(&["clean", "-o", o, a.to_str().unwrap()]).0, 0);
    assert_eq!(run(&["clean", "-o", o, a.to_str().unwrap()]).0, 0);
    assert_eq!(txt_files(&out).len(), 1);
    let b = d.path().join("b.html");
    fs::write(&b, page("bravo")).unwrap();
    assert_eq!(run(&["clean", "-o", o, b.to_str().unwrap()]).0, 0);
    let files = txt_files(&out);
    assert_eq!(files.len(), 2);
    assert!(files[1].starts_with("001_"), "{files:?}");
}

#[test]
fn jsonl_to_stdout_in_input_order_with_schema() {
    let d = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for k in 0..20 {
        let p = d.path().join(format!("p{k:02}.html"));
        fs::write(&p, page(&format!("n{k}"))).unwrap();
        paths.push(p.to_str().unwrap().to_string());
    }
    let mut args = vec!["clean", "--format", "jsonl", "--jobs", "2"];
    args.extend(paths.iter().map(String::as_str));
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 20);
    for (k, v) in lines.iter().enumerate() {
        assert_eq!(v["source"], paths[k].as_str());
        assert!(
            v["text"]
                .as_str()
                .unwrap()
                .contains(&format!("The harbour n{k} reopened"))
        );
        assert_eq!(v["id"].as_str().unwrap().len(), 16);
        for key in ["url", "title", "date", "author", "site", "lang"] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
    }
}

#[test]
fn gzip_and_stdin_inputs() {
    let d = tempfile::tempdir().unwrap();
    let gz = d.path().join("g.html.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(page("gzip").as_bytes()).unwrap();
    fs::write(&gz, enc.finish().unwrap()).unwrap();
    let (code, out, err) = run(&["clean", gz.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("The harbour gzip reopened"));

    // A list of inputs can come from a pipe too (`find ... | gleaner clean --input-list -`).
    let o = run_with_stdin(
        &["clean", "--format", "jsonl", "--input-list", "-"],
        format!("# pages\n{}\n\n", gz.display()).as_bytes(),
    );
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("The harbour gzip reopened"));
    let (code, _, err) = run(&["clean", "--input-list", "-", "-"]);
    assert_eq!(code, 2);
    assert!(err.contains("both read standard input"), "{err}");

    let o = run_with_stdin(
        &[
            "clean",
            "--format",
            "jsonl",
            "--url",
            "https://x.test/s",
            "-",
        ],
        page("stdin").as_bytes(),
    );
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["source"], "-");
    assert!(
        v["text"]
            .as_str()
            .unwrap()
            .contains("The harbour stdin reopened")
    );
}

#[test]
fn usage_and_output_errors_exit_2() {
    let (code, _, err) = run(&["clean"]);
    assert_eq!(code, 2);
    assert!(err.contains("no inputs"), "{err}");
    let d = tempfile::tempdir().unwrap();
    let a = d.path().join("a.html");
    fs::write(&a, page("a")).unwrap();
    let (code, _, err) = run(&["clean", "--shard", "5/4", a.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("--shard 5/4"), "{err}");
    // A txt output "folder" below a regular file cannot be created.
    let bad = a.join("out");
    let (code, _, err) = run(&["clean", "-o", bad.to_str().unwrap(), a.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot open output"), "{err}");
    let (code, _, _) = run(&["clean", "--format", "nope", a.to_str().unwrap()]);
    assert_eq!(code, 2);
}

#[test]
fn stats_line_reports_throughput() {
    let d = tempfile::tempdir().unwrap();
    let a = d.path().join("a.html");
    fs::write(&a, page("a")).unwrap();
    let (code, _, err) = run(&[
        "clean",
        "--stats",
        "-o",
        d.path().join("o").to_str().unwrap(),
        a.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    for k in [
        "pages 1", "errors 0", "MB ", "seconds ", "pages/s ", "MB/s ",
    ] {
        assert!(err.contains(k), "{k} not in {err}");
    }
}
