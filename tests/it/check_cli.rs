//! `nrscreen check`: exit codes, messages for unusable paths, JSON output,
//! and the shipped rule set.

use crate::harness::{standard_summary, RuleSet, Test};

#[test]
fn shipped_rules_check_cleanly() {
    Test::new()
        .args(["check", "rules", "--color", "never"])
        .status(0)
        .stdout(standard_summary(0, 0, "0 errors, 0 warnings\n"))
        .stderr("")
        .run();
}

#[test]
fn missing_directory_is_a_usage_error() {
    Test::new()
        .rule_set(RuleSet::empty())
        .args(["check", "no-such-rules", "--color", "never"])
        .status(2)
        .stdout("")
        .stderr("error: `no-such-rules` is not a rule-set directory (no such directory)\n")
        .run();
}

#[test]
fn directory_without_manifest_is_a_usage_error() {
    RuleSet::empty()
        .file("screening.nrs", "def a = 1\n")
        .check()
        .status(2)
        .stdout("")
        .stderr("error: `rules` has no `ruleset.toml`; a rule set is a directory with a manifest naming its schema, gap taxonomy and tables\n")
        .run();
}

#[test]
fn json_output_is_one_object_per_line() {
    let output = RuleSet::standard()
        .file(
            "case.nrs",
            "rule r {\n  gap fear-not-asked\n  cites \"x\"\n  when retuned\n}\n",
        )
        .append("helpers.nrs", "def unused_thing = 1\n")
        .check()
        .args(["--error-format", "json"])
        .status(1)
        .run();
    let lines: Vec<&str> = output.stdout.lines().collect();
    let (summary, objects) = lines.split_last().expect("output");
    assert_eq!(*summary, standard_summary(1, 1, "1 error, 0 warnings"));
    assert_eq!(objects.len(), 1, "{}", output.stdout);
    let value: serde_json::Value = serde_json::from_str(objects[0]).expect("valid JSON");
    assert_eq!(value["level"], "error");
    assert_eq!(value["code"], "unknown-name");
    assert_eq!(value["message"], "unknown name `retuned`");
    assert_eq!(value["file"], "rules/case.nrs");
    assert_eq!(value["line"], 4);
    assert_eq!(value["column"], 8);
    assert_eq!(value["end_line"], 4);
    assert_eq!(value["end_column"], 15);
    assert_eq!(value["help"], "did you mean `returned`?");
}

#[test]
fn json_output_covers_every_diagnostic() {
    let output = RuleSet::standard()
        .file("a.nrs", "def a = \nrule r { gap nope when true }\n")
        .file("b.nrs", "def only_here = 1\n")
        .check()
        .args(["--error-format", "json"])
        .status(1)
        .run();
    let lines: Vec<&str> = output.stdout.lines().collect();
    let (_, objects) = lines.split_last().expect("output");
    assert!(objects.len() >= 2, "{}", output.stdout);
    for line in objects {
        let value: serde_json::Value = serde_json::from_str(line).expect("valid JSON");
        assert!(value["file"]
            .as_str()
            .is_some_and(|f| f.starts_with("rules/")));
        assert!(value["line"].as_u64().is_some_and(|l| l >= 1));
        assert!(value["column"].as_u64().is_some_and(|c| c >= 1));
        assert!(value["related"].is_array());
    }
}

#[test]
fn empty_rule_file_is_fine() {
    RuleSet::standard()
        .file("empty.nrs", "")
        .check()
        .status(0)
        .stdout(standard_summary(0, 0, "0 errors, 0 warnings\n"))
        .run();
}
