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
    // lines with a good record, line 5 a bad age again, lines 6-7 blank,
    // line 8 a bad age.
    let csv = b"case_id,age,port_of_entry\r\nA1,x,\r\nA2,3,\"San\r\nYsidro\"\r\nA3,y,\r\n\r\n\r\nA4,z,\r\n";
    let out = Test::new()
        .args(["eval", "--rules", "rules", "--input-format", "csv"])
        .args(["--format", "summary", "-", "--rejects"])
        .arg(&rejects)
        .stdin(csv.as_slice())
        .status(4)
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
    assert_eq!(lines, [2, 5, 8]);
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
    // A run that reads its whole input replaces them whole, also when it
    // ends with 4 because records were rejected.
    let out = Test::new()
        .args(["eval", "--rules", "rules", "--rejects"])
        .arg(&rejects)
        .arg("--output")
        .arg(&output)
        .arg(&good)
        .status(4)
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

/// Definitions `name0 = base`, `name{k} = name{k-1} OP name{k-1}`, up to
/// `levels`.
fn doubling(name: &str, base: &str, op: &str, levels: usize) -> String {
    let mut text = format!("def {name}0 = {base}\n");
    for k in 1..=levels {
        text.push_str(&format!(
            "def {name}{k} = {name}{} {op} {name}{}\n",
            k - 1,
            k - 1
        ));
    }
    text
}

#[test]
fn unknown_fields_do_not_double_through_definitions() {
    // Each level uses the one below twice; with `age` unknown, every level
    // depends on it. 40 levels once took 2^40 entries.
    let mut rules = String::new();
    for op in ["??", "and", "or"] {
        let name = match op {
            "??" => "d",
            "and" => "a",
            _ => "o",
        };
        rules.push_str(&doubling(name, "age > 17", op, 40));
        rules.push_str(&format!(
            "rule twice_{name} {{\n  gap notice-defect\n  cites \"test\"\n  when {name}40\n}}\n"
        ));
    }
    let set = RuleSet::standard().file("doubling.nrs", rules);
    let out = Test::new()
        .rule_set(set)
        .args(["eval", "--rules", "rules", "-"])
        .stdin("{\"case_id\":\"A\"}\n")
        .status(0)
        .run();
    let case: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    for rule in ["twice_d", "twice_a", "twice_o"] {
        let finding = case["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule)
            .unwrap_or_else(|| panic!("{rule}: {}", out.stdout));
        assert_eq!(finding["unknown"], serde_json::json!(["age"]), "{rule}");
    }
}

#[test]
fn a_list_that_doubles_through_definitions_is_refused_at_check_time() {
    let set = RuleSet::standard().file(
        "lists.nrs",
        format!(
            "{}rule long_list {{\n  gap notice-defect\n  cites \"test\"\n  when languages contains any of l40\n}}\n",
            doubling("l", "[\"es\"]", "+", 40)
        ),
    );
    let out = set.check().status(1).run();
    assert!(out.stdout.contains("error[too-large]"), "{}", out.stdout);
    assert!(
        out.stdout.contains("lists are limited to 100000"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_list_too_long_at_run_time_needs_review_instead_of_exhausting_memory() {
    // 2^15 copies of a record's 100 languages: 3.3 million elements.
    let set = RuleSet::standard().file(
        "lists.nrs",
        format!(
            "{}rule long_list {{\n  gap notice-defect\n  cites \"test\"\n  when l15 contains \"zz\"\n}}\n",
            doubling("l", "languages", "+", 15)
        ),
    );
    let languages: Vec<String> = (0..100).map(|i| format!("\"x{i}\"")).collect();
    let record = format!(
        "{{\"case_id\":\"A\",\"languages\":[{}]}}\n",
        languages.join(",")
    );
    let out = Test::new()
        .rule_set(set)
        .args(["eval", "--rules", "rules", "-"])
        .stdin(record)
        .status(0)
        .run();
    let case: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    let finding = case["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "long_list")
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert_eq!(finding["outcome"], "needs-review");
}

#[test]
fn a_record_longer_than_the_limit_is_read_past_and_the_batch_goes_on() {
    let long = format!(
        "{{\"case_id\":\"A\",\"port_of_entry\":\"{}\"}}\n",
        "x".repeat(5000)
    );
    // The last line has no end at all, as `/dev/zero` would give.
    let input = format!("{long}{{\"case_id\":\"B\"}}\n{}", "\0".repeat(300_000));
    let out = Test::new()
        .args([
            "eval",
            "--rules",
            "rules",
            "--max-record-bytes",
            "1000",
            "--format",
            "flags",
            "--max-rejects",
            "2",
            "-",
        ])
        .stdin(input)
        .status(0)
        .run();
    assert_eq!(out.stdout, "{\"case_id\":\"B\",\"flags\":[]}\n");
    assert!(
        out.stderr
            .contains("rejected: -:1: the record is longer than 1000 bytes"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("rejected: -:3: the record is longer"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("read 3, evaluated 1, rejected 2"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_toml_batch_too_large_to_parse_whole_is_refused() {
    let mut batch = "[[case]]\ncase_id = \"A\"\n".to_string();
    batch.push_str(&"# padding\n".repeat((64 << 20) / 10 + 1));
    let out = Test::new()
        .args(["eval", "--rules", "rules", "--input-format", "toml", "-"])
        .stdin(batch)
        .status(2)
        .run();
    assert!(
        out.stderr.contains("TOML batch over 64 MiB"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_csv_record_longer_than_the_limit_is_read_past_and_the_lines_stay_right() {
    let long_cell = format!(
        "\"{}\r\n{}\r\n{}\"",
        "a".repeat(600),
        "b".repeat(600),
        "c".repeat(600)
    );
    let csv = format!(
        "case_id,age,port_of_entry\r\nA1,x,\r\nA2,3,{long_cell}\r\nA3,y,\r\nA4,4,{}\r\nA5,5,San Ysidro\r\n",
        "d".repeat(2000)
    );
    let out = Test::new()
        .args([
            "eval",
            "--rules",
            "rules",
            "--input-format",
            "csv",
            "--format",
            "flags",
        ])
        .args(["--max-record-bytes", "1000", "--max-rejects", "80%", "-"])
        .stdin(csv)
        .status(0)
        .run();
    assert_eq!(out.stdout, "{\"case_id\":\"A5\",\"flags\":[]}\n");
    for (line, what) in [
        (2, "age"),
        (3, "longer than 1000 bytes"),
        (6, "age"),
        (7, "longer than 1000 bytes"),
    ] {
        assert!(
            out.stderr
                .lines()
                .any(|l| l.starts_with(&format!("rejected: -:{line}")) && l.contains(what)),
            "line {line}: {}",
            out.stderr
        );
    }
    assert!(
        out.stderr.contains("read 5, evaluated 1, rejected 4"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_exception_unknown_without_a_missing_field_makes_the_gap_need_review() {
    // Regression (review): an exception that was unknown with no unknown
    // field behind it (a table with no row for the case, the `unknown`
    // literal) was passed over and the gap flagged, though it may apply
    // (LANGUAGE.md §5: an unknown exception turns a found gap into needs
    // review).
    let rules = "rule silent_lookup {\n  gap notice-defect\n  cites \"test\"\n  when age > 17\n  unless safe_state: advisory[ret_state] on ret_date < 3\n}\n\
         rule silent_literal {\n  gap notice-defect\n  cites \"test\"\n  when age > 17\n  unless unsure: unknown\n}\n";
    // MX-ZZZ has no advisory row: the lookup is unknown, no field missing.
    let record = "{\"case_id\":\"A\",\"age\":30,\"return_state\":\"MX-ZZZ\",\"return_date\":\"2020-01-01\"}\n";
    for jobs in ["1", "2"] {
        let out = Test::new()
            .rule_set(RuleSet::standard().file("silent.nrs", rules))
            .args(["eval", "--rules", "rules", "--jobs", jobs, "-"])
            .stdin(record)
            .status(0)
            .run();
        let case: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
        for rule in ["silent_lookup", "silent_literal"] {
            let finding = case["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["rule"] == rule)
                .unwrap_or_else(|| panic!("{rule} has no finding: {}", out.stdout));
            assert_eq!(finding["outcome"], "needs-review", "{rule}: {finding}");
        }
    }
}

#[test]
fn the_unknown_value_is_underlined_alone() {
    // Regression (review): `unknown` as a value took in the white space and
    // comment after it, so a condition ending in it was underlined into the
    // next line.
    let set = RuleSet::standard().file(
        "uk.nrs",
        "rule uk {\n  gap notice-defect\n  cites \"t\"\n  when age > 3 and unknown   // why\n}\n",
    );
    let out = set.check().status(0).run();
    assert!(out.stdout.contains("never-true"), "{}", out.stdout);
    assert!(
        out.stdout.contains(
            "4 |   when age > 3 and unknown   // why\n  |        ^^^^^^^^^^^^^^^^^^^ this condition"
        ),
        "{}",
        out.stdout
    );
}
