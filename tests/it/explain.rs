//! `nrscreen explain`: one case's evaluation as a tree. The whole output of
//! a flagged, a clear, a needs-review (with its resolving values) and a
//! cleared-by-exception case is compared with `tests/fixtures/explain/`
//! (`NRSCREEN_BLESS=1` rewrites them), as text and as JSON; the values
//! offered as deciding a finding under review are checked by `eval`; the
//! errors by their messages and exit codes.

use std::path::Path;

use crate::harness::{RuleSet, Test};

/// The example cases.
const CASES: &str = "rules/examples/cases.jsonl";

/// Where the expected outputs are.
const FIXTURES: &str = "tests/fixtures/explain";

/// `nrscreen explain --rules rules CASES --case CASE`, in the repository root.
fn explain(case: &str) -> Test {
    Test::new().args(["explain", "--rules", "rules", CASES, "--case", case])
}

#[test]
fn flagged_clear_and_needs_review_cases_match_their_files() {
    for (case, what) in [
        ("A-0000001", "flagged, with table rows"),
        ("A-0000009", "clear"),
        ("A-0000011", "needs review"),
    ] {
        let out = explain(case)
            .status(0)
            .stdout_file(Path::new(FIXTURES).join(format!("{case}.txt")))
            .run();
        assert!(out.stderr.is_empty(), "{what}: {}", out.stderr);
    }
}

#[test]
fn the_json_shape_matches_its_file_and_parses() {
    let out = explain("A-0000011")
        .args(["--format", "json"])
        .status(0)
        .stdout_file(Path::new(FIXTURES).join("A-0000011.json"))
        .run();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["case_id"], "A-0000011");
    assert_eq!(json["outcome"], "needs-review");
    let rule = json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "direct_refoulement")
        .unwrap();
    assert_eq!(rule["would_change"]["kind"], "resolve");
    assert_eq!(
        rule["would_change"]["unknown"],
        serde_json::json!(["nri.outcome", "nri_held"])
    );
}

#[test]
fn one_rule_only_with_rule() {
    let out = explain("A-0000001")
        .args(["--rule", "danger_of_return"])
        .status(0)
        .run();
    assert_eq!(out.stdout.matches("\nrule ").count(), 1, "{}", out.stdout);
    assert!(out.stdout.contains(
        "advisory[MX-TAM] on 2019-08-11 → 4, in effect from 2018-01-10 to 2022-12-31 (row at rules/tables/advisories.toml:65)"
    ));
}

#[test]
fn an_exception_that_holds_is_shown_with_its_operands() {
    let set = RuleSet::standard().append(
        "return.nrs",
        "\n/// A test exception: a represented person's return is reviewed by counsel.\n\
         exception counsel_reviewed to danger_of_return\n  when represented == true\n  because \"represented by counsel\"\n",
    );
    std::fs::copy(
        crate::harness::repo_root().join(CASES),
        set.cwd().join("cases.jsonl"),
    )
    .unwrap();
    // A-0000072 is represented, and danger_of_return flags it without the
    // exception.
    Test::new()
        .rule_set(set)
        .args([
            "explain",
            "cases.jsonl",
            "--case",
            "A-0000072",
            "--rule",
            "danger_of_return",
        ])
        .status(0)
        .stdout_file(
            crate::harness::repo_root()
                .join(FIXTURES)
                .join("cleared.txt"),
        )
        .run();
}

#[test]
fn the_values_offered_for_a_finding_under_review_decide_it_as_said() {
    // A-0000011: direct_refoulement needs review (nri_held, nri.outcome not
    // recorded); explain says nri_held = false clears it, and nri_held =
    // true with nri.outcome = positive flags it. Check both with `eval`.
    let out = explain("A-0000011")
        .args(["--rule", "direct_refoulement"])
        .status(0)
        .run();
    assert!(out
        .stdout
        .contains("if recorded as nri_held = false: clear"));
    assert!(out
        .stdout
        .contains("if recorded as nri.outcome = positive, nri_held = true: flagged"));
    let line = std::fs::read_to_string(crate::harness::repo_root().join(CASES))
        .unwrap()
        .lines()
        .find(|l| l.contains("\"A-0000011\""))
        .unwrap()
        .to_string();
    let with = |extra: &str| {
        let mut record: serde_json::Value = serde_json::from_str(&line).unwrap();
        let patch: serde_json::Value = serde_json::from_str(extra).unwrap();
        for (k, v) in patch.as_object().unwrap() {
            record[k] = v.clone();
        }
        let out = Test::new()
            .args(["eval", "--rules", "rules", "-"])
            .stdin(format!("{record}\n"))
            .status(0)
            .run();
        let result: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
        result["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "direct_refoulement")
            .map(|f| f["outcome"].as_str().unwrap().to_string())
    };
    assert_eq!(with(r#"{"nri_held": false}"#), None);
    assert_eq!(
        with(r#"{"nri_held": true, "nri": {"outcome": "positive"}}"#).as_deref(),
        Some("flagged")
    );
}

#[test]
fn a_field_not_recorded_is_never_shown_with_a_value() {
    let out = explain("A-0000011").status(0).run();
    for field in [
        "nri_held",
        "nri.outcome",
        "encounter_date",
        "in_absentia_order",
    ] {
        for line in out.stdout.lines() {
            if line.trim_start().starts_with("if recorded as") {
                continue;
            }
            for (at, _) in line.match_indices(&format!("{field} = ")) {
                let rest = &line[at + field.len() + 3..];
                assert!(
                    rest.starts_with("not recorded"),
                    "{field} shown with a value: {line}"
                );
            }
        }
    }
}

#[test]
fn a_case_no_record_has_is_an_error_with_a_suggestion() {
    explain("A-000001")
        .status(2)
        .stderr(
            "error: no record in `rules/examples/cases.jsonl` has the case id `A-000001`; did you mean `A-0000001`?\n",
        )
        .run();
    explain("A-0000001")
        .args(["--rule", "danger_of_retur"])
        .status(2)
        .stderr(
            "error: the rule set has no rule `danger_of_retur`; did you mean `danger_of_return`?\n",
        )
        .run();
}

#[test]
fn a_rejected_record_is_shown_with_exit_4() {
    let out = Test::new()
        .args(["explain", "--rules", "rules", "-", "--case", "X-1"])
        .stdin("{\"case_id\":\"X-1\",\"age\":\"old\"}\n")
        .status(4)
        .run();
    assert!(out.stderr.contains("was rejected"), "{}", out.stderr);
}

#[test]
fn a_case_is_found_through_a_mapping_and_in_a_gzip_file() {
    let mapped = Test::new()
        .args([
            "explain",
            "--map",
            "maps/cms-example.toml",
            "examples/data/cms-export.csv",
            "--case",
            "A999000101",
            "--rule",
            "fear_not_screened",
        ])
        .status(0)
        .run();
    assert!(
        mapped
            .stdout
            .starts_with("case A999000101 (examples/data/cms-export.csv line 2)"),
        "{}",
        mapped.stdout
    );
    let set = RuleSet::standard();
    let text = std::fs::read(crate::harness::repo_root().join(CASES)).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut encoder, &text).unwrap();
    std::fs::write(set.cwd().join("cases.jsonl.gz"), encoder.finish().unwrap()).unwrap();
    let out = Test::new()
        .rule_set(set)
        .args(["explain", "cases.jsonl.gz", "--case", "A-0000011"])
        .status(0)
        .run();
    let plain = std::fs::read_to_string(
        crate::harness::repo_root()
            .join(FIXTURES)
            .join("A-0000011.txt"),
    )
    .unwrap();
    assert_eq!(
        out.stdout.replacen("cases.jsonl.gz", CASES, 1),
        plain,
        "the gzip file explains as the plain one"
    );
}

#[test]
fn record_text_is_shown_inert() {
    let record = "{\"case_id\":\"E\\u001b[31m-1\",\"notice_address\":\"\\u202e<b>x</b>\\u0007\",\"program\":\"mpp-2019\"}\n";
    for format in ["text", "json"] {
        let out = Test::new()
            .args([
                "explain",
                "--rules",
                "rules",
                "-",
                "--case",
                "E\u{1b}[31m-1",
            ])
            .args(["--rule", "notice_defect", "--format", format])
            .stdin(record)
            .status(0)
            .run();
        for raw in ['\u{1b}', '\u{202e}', '\u{7}'] {
            assert!(!out.stdout.contains(raw), "{format}: {:?}", out.stdout);
        }
        assert!(
            out.stdout.contains("\\u{1b}[31m-1") || out.stdout.contains("\\u001b[31m-1"),
            "{format}: {}",
            out.stdout
        );
    }
}

#[test]
fn a_window_is_shown_and_a_case_outside_it_did_not_apply() {
    let set = RuleSet::standard().append(
        "return.nrs",
        "\n/// A test rule in force in 2019 only.\nrule returned_in_2019 {\n  gap      danger-of-return\n  severity low\n  cites    \"test\"\n\
         \x20 effective return_date from 2019-01-01 until 2019-12-31\n  when     returned\n  because  \"[{?returned}returned]\"\n}\n",
    );
    let explain_case = |record: &str| {
        Test::new()
            .rule_set(RuleSet::standard().overlay(&set.dir()))
            .args([
                "explain",
                "-",
                "--case",
                "W-1",
                "--rule",
                "returned_in_2019",
            ])
            .stdin(format!("{record}\n"))
            .status(0)
            .run()
            .stdout
    };
    let outside =
        explain_case(r#"{"case_id":"W-1","returned_to_mexico":true,"return_date":"2020-02-01"}"#);
    assert!(
        outside.contains("  window   false   return_date = 2020-02-01, in force from 2019-01-01 until 2019-12-31\n"),
        "{outside}"
    );
    assert!(
        outside.contains("did not apply: the case's date is outside the rule's window"),
        "{outside}"
    );
    let unknown = explain_case(r#"{"case_id":"W-1","returned_to_mexico":true}"#);
    assert!(
        unknown.contains("  window   unknown return_date = not recorded, in force from 2019-01-01 until 2019-12-31\n"),
        "{unknown}"
    );
    assert!(
        unknown.contains("if recorded as return_date = 2018-12-31: clear"),
        "{unknown}"
    );
    assert!(
        unknown.contains("if recorded as return_date = 2019-01-01: flagged"),
        "{unknown}"
    );
}

#[test]
fn the_readme_shows_real_output() {
    let examples = crate::harness::readme_examples("explain");
    assert_eq!(examples.len(), 2);
    for (args, expected) in examples {
        Test::new()
            .arg("explain")
            .args(args)
            .status(0)
            .stdout(expected)
            .run();
    }
}
