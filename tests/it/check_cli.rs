//! `nrscreen check`: exit codes, messages for unusable paths, JSON output,
//! and the shipped rule set.

use crate::support::{repo_root, run_in, standard_summary, RuleSet};

#[test]
fn shipped_rules_check_cleanly() {
    let output = run_in(repo_root(), &["check", "rules", "--color", "never"]);
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    assert_eq!(
        output.stdout,
        standard_summary(0, 0, "0 errors, 0 warnings\n")
    );
    assert_eq!(output.stderr, "");
}

#[test]
fn missing_directory_is_a_usage_error() {
    let set = RuleSet::empty();
    let output = run_in(set.cwd(), &["check", "no-such-rules", "--color", "never"]);
    assert_eq!(output.code, 2);
    assert_eq!(output.stdout, "");
    assert_eq!(
        output.stderr,
        "error: `no-such-rules` is not a rule-set directory (no such directory)\n"
    );
}

#[test]
fn directory_without_manifest_is_a_usage_error() {
    let set = RuleSet::empty().file("screening.nrs", "def a = 1\n");
    let output = set.check(&[]);
    assert_eq!(output.code, 2);
    assert_eq!(output.stdout, "");
    assert_eq!(
        output.stderr,
        "error: `rules` has no `ruleset.toml`; a rule set is a directory with a manifest naming its schema, gap taxonomy and tables\n"
    );
}

#[test]
fn json_output_is_one_object_per_line() {
    let set = RuleSet::standard()
        .file(
            "case.nrs",
            "rule r {\n  gap fear-not-asked\n  cites \"x\"\n  when retuned\n}\n",
        )
        .append("helpers.nrs", "def unused_thing = 1\n");
    let output = set.check(&["--error-format", "json"]);
    assert_eq!(output.code, 1);
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
    let set = RuleSet::standard()
        .file("a.nrs", "def a = \nrule r { gap nope when true }\n")
        .file("b.nrs", "def only_here = 1\n");
    let output = set.check(&["--error-format", "json"]);
    assert_eq!(output.code, 1);
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
    let output = RuleSet::standard().file("empty.nrs", "").check(&[]);
    assert_eq!(output.code, 0);
    assert_eq!(
        output.stdout,
        standard_summary(0, 0, "0 errors, 0 warnings\n")
    );
}
