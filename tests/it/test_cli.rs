//! `nrscreen test`: rule tests pass and fail as they should, failures say
//! where and why, `--filter` selects, `--coverage-min` enforces.

use crate::harness::Test;

/// `nrscreen test` on the rule-test fixture, in the repository root.
fn test_fixture() -> Test {
    Test::new().args(["test", "tests/fixtures/ruletest/rules"])
}

#[test]
fn failures_name_the_test_its_line_and_what_the_rules_saw() {
    let output = test_fixture()
        .args(["--color", "never"])
        .status(1)
        .stdout_file("tests/fixtures/ruletest/expected.txt")
        .run();
    assert!(output.stdout.ends_with("5 passed, 2 failed\n"));
}

#[test]
fn filter_selects_tests_by_name() {
    let output = test_fixture()
        .args(["--filter", "asked under 2021"])
        .status(1)
        .run();
    assert!(
        output.stdout.ends_with("3 passed, 1 failed\n"),
        "{}",
        output.stdout
    );
    // This test expects "returned to Tijuana" in the explanation. Regression:
    // fields shown only in an explanation (`{return_city}`) were not stored
    // while decoding, so explanations said "returned to unknown".
    test_fixture()
        .args(["--filter", "returned after expressing fear"])
        .status(0)
        .stdout("1 passed, 0 failed\n")
        .run();
}

#[test]
fn coverage_is_reported_and_enforced() {
    let text = test_fixture()
        .args(["--filter", "record from a file", "--coverage-min", "100"])
        .status(1)
        .run()
        .stdout;
    assert!(
        text.contains("coverage: rules 1/2, definitions 1/1, tables 0/0, condition outcomes"),
        "{text}"
    );
    assert!(text.contains("is below the required 100%"), "{text}");
    assert!(
        text.contains("fixture.nrs:16:12: `program == \"mpp-2021\"` never true"),
        "{text}"
    );
    test_fixture()
        .args(["--filter", "record from a file", "--coverage-min", "10"])
        .status(0)
        .run();
}

#[test]
fn the_standard_pack_passes_its_tests() {
    let text = Test::new().args(["test", "rules"]).status(0).run().stdout;
    assert!(text.ends_with(" 0 failed\n"), "{text}");
}

#[test]
fn the_report_is_the_same_for_every_number_of_jobs() {
    let run = |jobs: &str| {
        test_fixture()
            .args(["--coverage", "--jobs", jobs])
            .status(1)
            .run()
            .stdout
    };
    let one = run("1");
    assert!(one.contains("FAILED"), "{one}");
    assert_eq!(run("2"), one);
    assert_eq!(run("4"), one);
}
