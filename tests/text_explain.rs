//! Tuning aid, not a check: `GLEANER_EXPLAIN=dump.txt cargo test --release --test
//! text_explain -- --ignored --nocapture` prints the text mode's decision per line.

#[test]
#[ignore = "prints the decisions on the dump named by GLEANER_EXPLAIN"]
fn explain_a_dump() {
    let Ok(path) = std::env::var("GLEANER_EXPLAIN") else {
        return;
    };
    for p in path.split(',') {
        let text = std::fs::read_to_string(p).expect("readable UTF-8 dump");
        println!("==== {p}\n{}", gleaner::text::explain(&text));
    }
}
