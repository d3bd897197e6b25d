//! The README's first command: the standard rule set over the shipped
//! example batch. JSON Lines and CSV hold the same records and must give the
//! same results; the summary is `rules/examples/summary.expected.txt`
//! (`NRSCREEN_BLESS=1` rewrites it).

use std::path::PathBuf;
use std::process::Command;

fn eval(input: &str, format: &str) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nrscreen"))
        .args(["eval", "--rules", "rules", input, "--format", format])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("nrscreen runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_example_batch_gives_the_expected_summary_from_jsonl_and_csv() {
    let (jsonl, jsonl_log) = eval("rules/examples/cases.jsonl", "jsonl");
    let (csv, csv_log) = eval("rules/examples/cases.csv", "jsonl");
    assert_eq!(jsonl.lines().count(), 300);
    assert!(jsonl == csv, "CSV and JSON Lines results differ");
    assert_eq!(jsonl_log, csv_log);
    assert!(
        jsonl_log.contains("read 300, evaluated 300, rejected 0;"),
        "{jsonl_log}"
    );

    let (summary, _) = eval("rules/examples/cases.jsonl", "summary");
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules/examples/summary.expected.txt");
    if std::env::var_os("NRSCREEN_BLESS").is_some() {
        std::fs::write(&path, &summary).expect("bless");
    }
    let expected = std::fs::read_to_string(&path).expect("expected summary");
    assert_eq!(summary, expected);
}
