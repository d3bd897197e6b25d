//! `nrscreen mutants`: the report on a small rule set with a mutant of
//! every kind, an equivalent one and survivors (text and JSON); a
//! survivor's suggested test passes on the original and kills the mutant
//! once pasted; `--min-killed` decides the exit code; rule-file text is
//! escaped for the terminal.

use crate::harness::{repo_root, RuleSet, Test};

const FIXTURE: &str = "tests/fixtures/mutants/rules";

/// The fixture as a rule set of its own (schema and taxonomy copied in),
/// so that tests can be added to it.
fn fixture_copy() -> RuleSet {
    let rules = repo_root().join("rules");
    let read = |name: &str| std::fs::read(rules.join(name)).unwrap();
    RuleSet::empty()
        .overlay(&repo_root().join(FIXTURE))
        .file(
            "ruleset.toml",
            "name = \"mutants-fixture\"\nschema = \"schema.toml\"\ngaps = \"gaps.toml\"\n",
        )
        .file("schema.toml", read("schema.toml"))
        .file("gaps.toml", read("gaps.toml"))
}

fn json_report(test: Test) -> serde_json::Value {
    serde_json::from_str(&test.args(["--format", "json"]).status(0).run().stdout).unwrap()
}

#[test]
fn the_report_lists_survivors_first_with_their_source_line_and_a_test() {
    Test::new()
        .args(["mutants", FIXTURE, "--color", "never"])
        .status(0)
        .stdout_file("tests/fixtures/mutants/expected.txt")
        .run();
}

#[test]
fn the_json_report_is_stable_and_has_every_kind_an_equivalent_and_a_survivor() {
    let output = Test::new()
        .args(["mutants", FIXTURE, "--format", "json"])
        .status(0)
        .stdout_file("tests/fixtures/mutants/expected.json")
        .run();
    let report: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let mutants = report["mutants"].as_array().unwrap();
    let kinds: std::collections::BTreeSet<&str> = mutants
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "comparison-flipped",
        "boundary-moved",
        "and-or",
        "truth-flipped",
        "not-dropped",
        "enum-neighbour",
        "operand-dropped",
        "exception-dropped",
        "default-dropped",
        "off-by-one",
        "window-shifted",
    ] {
        assert!(kinds.contains(kind), "no {kind} mutant: {kinds:?}");
    }
    let status = |s: &'static str| mutants.iter().filter(move |m| m["status"] == s);
    assert!(status("equivalent").count() >= 1);
    assert!(status("killed").count() >= 1);
    assert!(status("survived").any(|m| m["suggested_test"].is_string()));
    assert!(status("survived").any(|m| m["suggested_test"].is_null()));
    // Survivors come first.
    let first_other = mutants
        .iter()
        .position(|m| m["status"] != "survived")
        .unwrap();
    assert!(mutants[first_other..]
        .iter()
        .all(|m| m["status"] != "survived"));
    let (killed, judged, equivalent) = (
        report["killed"].as_f64().unwrap(),
        report["judged"].as_f64().unwrap(),
        report["equivalent"].as_f64().unwrap(),
    );
    let score = report["score"].as_f64().unwrap();
    assert!((score - killed * 100.0 / (judged - equivalent)).abs() < 1e-9);
}

#[test]
fn a_pasted_suggested_test_passes_on_the_rules_and_kills_its_mutant() {
    let report = json_report(Test::new().args(["mutants", FIXTURE, "--tests"]));
    let survivors: Vec<&serde_json::Value> = report["mutants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == "survived" && m["suggested_test"].is_string())
        .collect();
    assert!(survivors.len() >= 3, "{report:#}");
    let pasted: String = survivors
        .iter()
        .map(|m| format!("{}\n", m["suggested_test"].as_str().unwrap()))
        .collect();
    let set = fixture_copy().file("tests/pasted.toml", pasted);
    let cwd = set.cwd().to_path_buf();
    let test = Test::new()
        .current_dir(&cwd)
        .args(["test", "rules"])
        .status(0)
        .run();
    assert!(test.stdout.ends_with(" 0 failed\n"), "{}", test.stdout);
    let after = json_report(
        Test::new()
            .rule_set(set)
            .args(["mutants", "rules", "--tests"]),
    );
    let still: Vec<(&str, &str)> = after["mutants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == "survived" && m["suggested_test"].is_string())
        .map(|m| {
            (
                m["kind"].as_str().unwrap(),
                m["replacement"].as_str().unwrap(),
            )
        })
        .collect();
    for m in &survivors {
        let key = (
            m["kind"].as_str().unwrap(),
            m["replacement"].as_str().unwrap(),
        );
        assert!(!still.contains(&key), "{key:?} survived its own test");
    }
    assert!(after["killed"].as_u64() > report["killed"].as_u64());
}

#[test]
fn min_killed_fails_below_the_score() {
    let low = Test::new()
        .args(["mutants", FIXTURE, "--audits", "--min-killed", "95"])
        .status(1)
        .run();
    assert!(
        low.stdout.contains("is below the required 95%"),
        "{}",
        low.stdout
    );
    Test::new()
        .args(["mutants", FIXTURE, "--audits", "--min-killed", "10"])
        .status(0)
        .run();
}

#[test]
fn limits_are_enforced_with_clear_messages() {
    let sampled = Test::new()
        .args(["mutants", FIXTURE, "--tests", "--max-mutants", "5"])
        .status(0)
        .run();
    assert!(
        sampled
            .stderr
            .contains("judging 5 of them, spread over the rule set"),
        "{}",
        sampled.stderr
    );
    assert!(
        sampled.stdout.contains("5 mutants (a sample of 5 of "),
        "{}",
        sampled.stdout
    );
    for bad in [
        ["--cases", "0"],
        ["--cases", "100001"],
        ["--max-mutants", "0"],
    ] {
        Test::new()
            .args(["mutants", FIXTURE])
            .args(bad)
            .status(2)
            .run();
    }
}

#[test]
fn a_rule_set_failing_its_own_tests_is_refused() {
    let set = fixture_copy().append(
        "tests/fixture.toml",
        "\n[[test]]\nname = \"wrong\"\nflagged = [\"fear-not-screened\"]\n[test.case]\nnri_held = true\n",
    );
    let output = Test::new()
        .rule_set(set)
        .args(["mutants", "rules", "--tests"])
        .status(1)
        .run();
    assert!(
        output.stdout.contains("every mutant would be killed"),
        "{}",
        output.stdout
    );
}

#[test]
fn rule_file_text_is_escaped_for_the_terminal() {
    let set = fixture_copy().remove("tests/fixture.toml").file(
        "fixture.nrs",
        "rule fear_not_asked {\n  gap fear-not-asked\n  cites \"x\"\n  when program == \"mpp-2021\" and asked_about_fear == false // \u{1b}[2J\u{202e}\n}\n",
    );
    let output = Test::new()
        .rule_set(set)
        .args(["mutants", "rules", "--tests"])
        .status(0)
        .run();
    assert!(!output.stdout.contains('\u{1b}'), "{}", output.stdout);
    assert!(!output.stdout.contains('\u{202e}'), "{}", output.stdout);
    assert!(output.stdout.contains("\\u{1b}[2J"), "{}", output.stdout);
}

#[test]
fn the_report_is_the_same_for_every_number_of_jobs() {
    let run = |jobs: &str| {
        Test::new()
            .args(["mutants", FIXTURE, "--format", "json", "--jobs", jobs])
            .status(0)
            .run()
            .stdout
    };
    assert_eq!(run("1"), run("3"));
}

#[test]
fn a_rule_set_without_tests_or_audits_is_told_so() {
    // tests/fixtures/eval/rules has neither rule tests nor audits: every
    // mutant survives, and the user is told why before the list.
    let out = Test::new()
        .args(["mutants", "tests/fixtures/eval/rules", "--max-mutants", "3"])
        .status(0)
        .run();
    assert!(
        out.stderr.contains("note: the rule set has no rule tests"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("note: the rule set declares no audits"),
        "{}",
        out.stderr
    );
    // The fixture of the other tests has both: no such note.
    let fixture = Test::new()
        .args(["mutants", FIXTURE, "--max-mutants", "3"])
        .status(0)
        .run();
    assert!(
        !fixture.stderr.contains("no rule tests"),
        "{}",
        fixture.stderr
    );
    assert!(!fixture.stderr.contains("no audits"), "{}", fixture.stderr);
}
