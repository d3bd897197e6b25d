//! TOML's `nan`, `inf` and `-inf` in a record or a rule test's case are
//! rejected like `1.5`, naming the field; before, they became `null` on the
//! way to JSON and were read as unknown.

use crate::harness::{last_line, RuleSet, Test};

#[test]
fn nan_and_infinities_in_toml_records_are_rejected_naming_the_field() {
    let batch = "[[case]]\ncase_id = \"A1\"\nage = 1.5\n\n\
                 [[case]]\ncase_id = \"A2\"\nage = nan\n\n\
                 [[case]]\ncase_id = \"A3\"\nreturn_city = -inf\n\n\
                 [[case]]\ncase_id = \"A4\"\nnri = { held = true, counsel_access = inf }\n\n\
                 [[case]]\ncase_id = \"A5\"\nharm_in_mexico = [\"threat\", +nan]\n\n\
                 [[case]]\ncase_id = \"A6\"\nprogram = \"mpp-2019\"\n\n\
                 [[case]]\ncase_id = \"A7\"\nage = inf\nprogram = \"mpp-1999\"\nreturn_city = nan\n";
    let out = RuleSet::standard()
        .eval_summary("toml")
        .stdin(batch)
        .status(4)
        .run();
    for expected in [
        "-:1 (case A1): field `age`: expected a number, found the number 1.5",
        "-:5 (case A2): field `age`: found `nan`, not a finite number",
        "-:9 (case A3): field `return_city`: found `-inf`, not a finite number",
        "-:13 (case A4): field `nri.counsel_access`: found `inf`, not a finite number",
        "-:17 (case A5): field `harm_in_mexico`: found `nan`, not a finite number\n",
        // Every problem of a case, not only the first.
        "-:25 (case A7): field `age`: found `inf`, not a finite number; \
         field `return_city`: found `nan`, not a finite number; \
         field `program`: `mpp-1999` is not a value of `program`",
    ] {
        assert!(out.stderr.contains(expected), "{expected}\n{}", out.stderr);
    }
    assert_eq!(
        last_line(&out.stderr),
        "read 7, evaluated 1, rejected 6; flagged 0, needs review 1, clear 0"
    );
}

#[test]
fn nan_in_a_rule_test_case_is_an_error_in_the_test_file() {
    let set = RuleSet::standard().file(
        "tests/nan.toml",
        "[[test]]\nname = \"age unknown?\"\nneeds_review = []\n[test.case]\nage = nan\n",
    );
    let out = Test::new()
        .rule_set(set)
        .args(["test", "rules", "--filter", "age unknown?"])
        .status(1)
        .run();
    assert!(
        out.stdout
            .contains("error[bad-test]: field `age` is `nan`, not a finite number"),
        "{}",
        out.stdout
    );
}
