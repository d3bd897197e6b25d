//! The README's first command: the standard rule set over the shipped
//! example batch. JSON Lines and CSV hold the same records and must give the
//! same results; the summary is `rules/examples/summary.expected.txt`
//! (`NRSCREEN_BLESS=1` rewrites it).

use crate::harness::{Output, Test};

/// `nrscreen eval --rules rules INPUT --format FORMAT` in the repository
/// root, which must succeed.
fn eval(input: &str, format: &str) -> Test {
    Test::new()
        .args(["eval", "--rules", "rules", input, "--format", format])
        .status(0)
}

#[test]
fn the_example_batch_gives_the_expected_summary_from_jsonl_and_csv() {
    let Output {
        stdout: jsonl,
        stderr: jsonl_log,
        ..
    } = eval("rules/examples/cases.jsonl", "jsonl").run();
    let Output {
        stdout: csv,
        stderr: csv_log,
        ..
    } = eval("rules/examples/cases.csv", "jsonl").run();
    assert_eq!(jsonl.lines().count(), 300);
    assert!(jsonl == csv, "CSV and JSON Lines results differ");
    assert_eq!(jsonl_log, csv_log);
    assert!(
        jsonl_log.contains("read 300, evaluated 300, rejected 0;"),
        "{jsonl_log}"
    );

    eval("rules/examples/cases.jsonl", "summary")
        .stdout_file("rules/examples/summary.expected.txt")
        .run();
}
