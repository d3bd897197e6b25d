//! Regression tests for defects found by review: each would have failed
//! before its fix.

use crate::harness::{RuleSet, Test};

const RECORD: &[u8] = b"{\"case_id\":\"A1\",\"program\":\"mpp-2019\"}\n";

#[test]
fn logs_follow_the_color_choice() {
    let eval = |color: &str| {
        Test::new()
            .colour_by_flag()
            .args(["-v", "eval", "--rules", "rules", "-", "--format", "summary"])
            .args(["--color", color])
            .stdin(RECORD)
            .status(0)
            .run()
            .stderr
    };
    let never = eval("never");
    assert!(never.contains("rule set compiled"), "{never}");
    assert!(
        !never.contains('\x1b'),
        "ANSI codes with --color never: {never:?}"
    );
    // Piped stderr is not a terminal: `auto` means no colour.
    assert!(!eval("auto").contains('\x1b'));
    assert!(eval("always").contains('\x1b'));
}

#[test]
fn rejections_in_windows_csv_files_name_the_right_line() {
    let dir = tempfile::tempdir().unwrap();
    let rejects = dir.path().join("rejects.jsonl");
    // Line 1 header, line 2 a bad age, lines 3-4 a quoted cell over two
    // lines with a good record, line 5 a bad age again.
    let csv = b"case_id,age,port_of_entry\r\nA1,x,\r\nA2,3,\"San\r\nYsidro\"\r\nA3,y,\r\n";
    let out = Test::new()
        .args(["eval", "--rules", "rules", "--input-format", "csv"])
        .args(["--format", "summary", "-", "--rejects"])
        .arg(&rejects)
        .stdin(csv.as_slice())
        .status(0)
        .run();
    assert!(out.stderr.contains("-:2 "), "{}", out.stderr);
    assert!(out.stderr.contains("-:5 "), "{}", out.stderr);
    let lines: Vec<u64> = std::fs::read_to_string(&rejects)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["line"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(lines, [2, 5]);
}

#[test]
fn literal_braces_in_templates_and_values_pass_rule_tests() {
    let set = RuleSet::standard()
        .file(
            "braces.nrs",
            "rule braces {\n  gap notice-defect\n  cites \"test\"\n  when return_city == \"Ti{a}\"\n  because \"literal {{braces}} around {return_city}\"\n}\n",
        )
        .file(
            "tests/braces.toml",
            "[[test]]\nname = \"braces\"\nflagged = [\"braces\"]\nbecause = { braces = \"literal {braces} around Ti{a}\" }\n[test.case]\nreturn_city = \"Ti{a}\"\n",
        );
    let out = Test::new()
        .rule_set(set)
        .args(["test", "rules", "--filter", "braces"])
        .status(0)
        .run();
    assert!(out.stdout.contains("1 passed"), "{}", out.stdout);
}
