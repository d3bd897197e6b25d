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

#[test]
fn an_output_file_is_never_an_input_or_a_rule_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let batch = "{\"case_id\":\"A\",\"age\":\"x\"}\n{\"case_id\":\"B\"}\n";
    std::fs::write(&input, batch).unwrap();
    let alias = dir.path().join(".").join("in.jsonl");
    let hard_link = dir.path().join("same.jsonl");
    std::fs::hard_link(&input, &hard_link).unwrap();
    for (option, target) in [
        ("--rejects", &input),
        ("--rejects", &alias),
        ("--output", &hard_link),
    ] {
        let out = Test::new()
            .args(["eval", "--rules", "rules", option])
            .arg(target)
            .arg(&input)
            .status(2)
            .run();
        assert!(out.stderr.contains("is an input"), "{}", out.stderr);
        assert!(out.stdout.is_empty());
        assert_eq!(std::fs::read_to_string(&input).unwrap(), batch);
    }
    let set = RuleSet::standard();
    let out = Test::new()
        .rule_set(set)
        .args([
            "eval",
            "--rules",
            "rules",
            "--rejects",
            "rules/schema.toml",
            "-",
        ])
        .stdin(batch)
        .status(2)
        .run();
    assert!(
        out.stderr.contains("is a file of the rule set"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_failed_run_leaves_the_old_output_files_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.jsonl");
    std::fs::write(&good, "{\"case_id\":\"A\",\"age\":\"x\"}\n").unwrap();
    let rejects = dir.path().join("rejects.jsonl");
    let output = dir.path().join("out.jsonl");
    std::fs::write(&rejects, "old rejects\n").unwrap();
    std::fs::write(&output, "old output\n").unwrap();
    // The second input cannot be read: the run fails after writing some.
    Test::new()
        .args(["eval", "--rules", "rules", "--rejects"])
        .arg(&rejects)
        .arg("--output")
        .arg(&output)
        .arg(&good)
        .arg(dir.path().join("missing.jsonl"))
        .status(2)
        .run();
    assert_eq!(std::fs::read_to_string(&rejects).unwrap(), "old rejects\n");
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "old output\n");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        3,
        "a temporary file was left"
    );
    // A run that succeeds replaces them whole.
    let out = Test::new()
        .args(["eval", "--rules", "rules", "--rejects"])
        .arg(&rejects)
        .arg("--output")
        .arg(&output)
        .arg(&good)
        .status(0)
        .run();
    assert!(out.stdout.is_empty());
    assert!(std::fs::read_to_string(&rejects)
        .unwrap()
        .contains("expected a number"));
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "");
}

#[test]
fn audits_over_the_largest_and_smallest_numbers_do_not_overflow() {
    let set = RuleSet::standard().file(
        "extremes.nrs",
        "rule extremes {\n  gap notice-defect\n  cites \"test\"\n  when age > 9223372036854775807 or age < -9223372036854775807\n}\n",
    );
    let out = Test::new()
        .rule_set(set)
        .args(["audit", "rules", "--cases", "50", "--seed", "3"])
        .run();
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(out.stdout.contains("passed"), "{}", out.stdout);
}
