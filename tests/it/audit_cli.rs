//! `nrscreen audit`: the standard pack's audits hold; deliberately broken
//! copies of a rule are caught, each with a small counter-example that can
//! be pasted into `rules/tests/` as it is; runs replay by seed.

use crate::harness::{repo_root, RuleSet, Test};

/// `nrscreen audit rules ARGS`, beside `set`.
fn audit(set: RuleSet, args: &[&str]) -> Test {
    Test::new()
        .rule_set(set)
        .args(["audit", "rules"])
        .args(args)
}

/// `nrscreen test rules --filter audit:` on the standard pack with
/// `example` added as a rule test: a counter-example pasted as it is.
fn test_pasted(example: &str) -> Test {
    let real = RuleSet::standard().file("tests/audit-counter-example.toml", example);
    Test::new()
        .rule_set(real)
        .args(["test", "rules", "--filter", "audit:"])
}

/// The standard pack with `from` replaced by `to` in `file` (which must
/// change).
fn broken(file: &str, from: &str, to: &str) -> RuleSet {
    let text = std::fs::read_to_string(repo_root().join("rules").join(file)).expect("rule file");
    assert!(text.contains(from), "`{from}` is not in {file}");
    RuleSet::standard().file(file, text.replacen(from, to, 1))
}

/// The `[[test]]` block of a failure report, unindented.
fn counter_example(stdout: &str) -> String {
    let start = stdout.find("    [[test]]").expect("a counter-example");
    let end = stdout[start..]
        .find("  what the audited rules found")
        .map_or(stdout.len(), |e| start + e);
    stdout[start..end]
        .lines()
        .map(|l| l.strip_prefix("    ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// The number of fields in a counter-example's case.
fn field_count(example: &str) -> usize {
    example
        .split("[test.case]")
        .nth(1)
        .map_or(0, |case| case.lines().filter(|l| l.contains(" = ")).count())
}

#[test]
fn the_standard_pack_passes_its_audits() {
    let output = audit(RuleSet::standard(), &["--cases", "150", "--seed", "3"])
        .status(0)
        .run();
    assert!(
        output.stdout.contains("(built in) every rule can fire"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.ends_with(" 0 failed (seed 3)\n"),
        "{}",
        output.stdout
    );
}

#[test]
fn a_flipped_comparison_is_caught_with_a_minimal_case_that_the_real_rules_pass() {
    let set = broken(
        "screening.nrs",
        "nri.counsel_access == false",
        "nri.counsel_access == true",
    );
    let output = audit(set, &["--cases", "200", "--audit", "without counsel"])
        .status(1)
        .run();
    assert!(
        output
            .stdout
            .contains("FAILED  an interview without counsel is always flagged"),
        "{}",
        output.stdout
    );
    let example = counter_example(&output.stdout);
    assert!(
        example.contains("flagged = [\"no-counsel-access\"]"),
        "{example}"
    );
    assert!(example.contains("nri.counsel_access = false"), "{example}");
    // Shrunk: only the fields the precondition needs are left.
    assert!(field_count(&example) <= 5, "not minimal:\n{example}");
    // Pasted into the real pack's tests, the case passes.
    test_pasted(&example)
        .status(0)
        .stdout("1 passed, 0 failed\n")
        .run();
}

#[test]
fn a_dropped_condition_is_caught() {
    let set = broken(
        "return.nrs",
        "when     returned\n           and (",
        "when     (",
    );
    let output = audit(
        set,
        &["--cases", "200", "--audit", "no return is never flagged"],
    )
    .status(1)
    .run();
    assert!(output
        .stdout
        .contains("FAILED  a positive interview and no return is never flagged as refoulement"));
    assert!(
        output.stdout.contains("`direct-refoulement` is flagged"),
        "{}",
        output.stdout
    );
    let example = counter_example(&output.stdout);
    assert!(example.contains("returned_to_mexico = false"), "{example}");
    assert!(field_count(&example) <= 5, "not minimal:\n{example}");
}

#[test]
fn a_missing_unknown_case_is_caught() {
    let set = broken(
        "screening.nrs",
        "fear_of_mexico_expressed == true\n",
        "(fear_of_mexico_expressed ?? false)\n",
    );
    let output = audit(set, &["--cases", "200", "--audit", "unknown fear"])
        .status(1)
        .run();
    assert!(
        output
            .stdout
            .contains("`fear-not-screened` does not need review (it is clear)"),
        "{}",
        output.stdout
    );
    let example = counter_example(&output.stdout);
    assert!(
        example.contains("needs_review = [\"fear-not-screened\"]"),
        "{example}"
    );
    assert!(!example.contains("fear_of_mexico_expressed ="), "{example}");
    test_pasted(&example).stdout("1 passed, 0 failed\n").run();
}

#[test]
fn a_rule_that_can_never_fire_fails_a_built_in_audit() {
    let set = broken("screening.nrs", "when     program == \"mpp-2021\" and asked_about_fear == false", "when     program == \"mpp-2021\" and asked_about_fear == false and program == \"mpp-2019\"");
    let output = audit(set, &["--cases", "100"]).status(1).run();
    assert!(
        output
            .stdout
            .contains("FAILED  (built in) every rule can fire"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("rule `fear_not_asked` never fired"),
        "{}",
        output.stdout
    );
}

#[test]
fn runs_replay_by_seed() {
    let set = broken(
        "screening.nrs",
        "nri.counsel_access == false",
        "nri.counsel_access == true",
    );
    // The same test, on the same rule set, run twice.
    let test = audit(
        set,
        &["--cases", "100", "--seed", "9", "--audit", "counsel"],
    );
    let first = test.run();
    let second = test.run();
    assert_eq!(first.stdout, second.stdout);
    assert!(
        first
            .stdout
            .contains("replay: nrscreen audit rules --seed 9"),
        "{}",
        first.stdout
    );
}

#[test]
fn audits_are_checked_like_rules() {
    let output = RuleSet::standard()
        .file(
            "bad-audit.nrs",
            "audit \"typo\" {\n  for every case where returned\n  expect flagged fear-not-screend\n}\n",
        )
        .check()
        .status(1)
        .run();
    assert!(
        output
            .stdout
            .contains("`fear-not-screend` is neither a gap of the taxonomy nor a rule"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("did you mean `fear-not-screened`?"),
        "{}",
        output.stdout
    );
}

#[test]
fn the_report_is_the_same_for_every_number_of_jobs() {
    // Failing audits (shrunk counter-examples) and passing ones, declared
    // and built in: one thread and several give the same bytes.
    let run = |jobs: &str| {
        let set = broken(
            "screening.nrs",
            "nri.counsel_access == false",
            "nri.counsel_access == true",
        );
        audit(set, &["--cases", "120", "--seed", "7", "--jobs", jobs])
            .status(1)
            .run()
            .stdout
    };
    let one = run("1");
    assert!(
        one.contains("FAILED  an interview without counsel"),
        "{one}"
    );
    assert_eq!(run("2"), one);
    assert_eq!(run("3"), one);
}
