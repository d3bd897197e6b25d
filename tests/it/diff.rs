//! `nrscreen diff`: two rule sets over one batch. The pair is the standard
//! pack and a copy with one condition changed (`danger_of_return`: level 3
//! too), one rule removed (`program_date_mismatch`), one added
//! (`unrepresented_return`) and one re-laid out (`notice_defect`, which
//! must not count). The whole output in each format is compared with
//! `tests/fixtures/diff/` (`NRSCREEN_BLESS=1` rewrites them), and the
//! counts are checked against two runs of `eval`, case by case.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::harness::{repo_root, RuleSet, Test};

/// Where the expected outputs are.
fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures/diff").join(name)
}

/// `rules/` (the standard pack), `new/` (the edited copy) and
/// `cases.jsonl` (the example batch) in one temporary directory.
fn pair() -> RuleSet {
    let set = RuleSet::standard();
    let new = set.cwd().join("new");
    crate::harness::copy_dir(&set.dir(), &new);
    let edit = |file: &str, from: &str, to: &str| {
        let path = new.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file}: {from}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit(
        "return.nrs",
        "when     returned and level == 4\n",
        "when     returned and level >= 3\n",
    );
    let integrity = std::fs::read_to_string(new.join("integrity.nrs")).unwrap();
    let start = integrity
        .find("/// The encounter date lies outside")
        .unwrap();
    // The rule, and the audits of its gap that follow it in the file.
    edit("integrity.nrs", &integrity[start..], "");
    edit(
        "notice.nrs",
        "  when     notice_defective\n",
        "  when\n      notice_defective\n",
    );
    std::fs::write(
        new.join("extra.nrs"),
        "/// Added: returned without a lawyer.\n\
         rule unrepresented_return {\n  gap      no-counsel-access\n  severity low\n  cites    \"test fixture\"\n\
         \x20 when     returned and represented == false\n  because  \"[{?returned}returned][{?returned}{?!represented} without a lawyer]\"\n}\n",
    )
    .unwrap();
    std::fs::copy(
        repo_root().join("rules/examples/cases.jsonl"),
        set.cwd().join("cases.jsonl"),
    )
    .unwrap();
    set
}

/// `nrscreen diff rules new cases.jsonl ARGS` beside the pair.
fn diff(set: &RuleSet, args: &[&str]) -> Test {
    Test::new()
        .current_dir(set.cwd())
        .args(["diff", "rules", "new", "cases.jsonl"])
        .args(args)
}

#[test]
fn text_markdown_and_json_match_their_files() {
    let set = pair();
    for (format, file) in [
        ("text", "pair.txt"),
        ("markdown", "pair.md"),
        ("json", "pair.json"),
    ] {
        let out = diff(&set, &["--format", format, "--sample", "2"])
            .status(0)
            .stdout_file(fixture(file))
            .run();
        assert!(out.stderr.is_empty(), "{format}: {}", out.stderr);
    }
}

#[test]
fn rules_added_removed_and_changed_leave_layout_out() {
    let set = pair();
    let out = diff(&set, &["--format", "json"]).status(0).run();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        json["rules"]["added"],
        serde_json::json!(["unrepresented_return"])
    );
    assert_eq!(
        json["rules"]["removed"],
        serde_json::json!(["program_date_mismatch"])
    );
    assert_eq!(
        json["rules"]["changed"],
        serde_json::json!(["danger_of_return"])
    );
}

/// Each case's outcome per gap under `rules`, from `eval`'s JSON Lines:
/// its worst finding for the gap.
fn outcomes(set: &RuleSet, rules: &str) -> BTreeMap<String, BTreeMap<String, u8>> {
    let out = Test::new()
        .current_dir(set.cwd())
        .args(["eval", "--rules", rules, "cases.jsonl"])
        .status(0)
        .run();
    let mut cases = BTreeMap::new();
    for line in out.stdout.lines() {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let mut gaps: BTreeMap<String, u8> = BTreeMap::new();
        for finding in case["findings"].as_array().unwrap() {
            let rank = match finding["outcome"].as_str().unwrap() {
                "flagged" => 2,
                "needs-review" => 1,
                _ => 0,
            };
            let gap = finding["gap"].as_str().unwrap().to_string();
            let slot = gaps.entry(gap).or_default();
            *slot = (*slot).max(rank);
        }
        cases.insert(case["case_id"].as_str().unwrap().to_string(), gaps);
    }
    cases
}

#[test]
fn the_counts_are_those_of_two_eval_runs_compared_case_by_case() {
    let set = pair();
    let old = outcomes(&set, "rules");
    let new = outcomes(&set, "new");
    assert_eq!(old.len(), 300);
    let word = |rank: u8| ["clear", "needs-review", "flagged"][rank as usize];
    let mut expected: BTreeMap<(String, &str, &str), u64> = BTreeMap::new();
    let mut changed_cases = 0;
    for (case, before) in &old {
        let after = &new[case];
        let mut changed = false;
        let gaps: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        for gap in gaps {
            let (a, b) = (
                before.get(gap).copied().unwrap_or(0),
                after.get(gap).copied().unwrap_or(0),
            );
            if a != b {
                changed = true;
                *expected.entry((gap.clone(), word(a), word(b))).or_default() += 1;
            }
        }
        changed_cases += u64::from(changed);
    }
    let out = diff(&set, &["--format", "json"]).status(0).run();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let mut reported: BTreeMap<(String, &str, &str), u64> = BTreeMap::new();
    for gap in json["gaps"].as_array().unwrap() {
        for change in gap["changes"].as_array().unwrap() {
            let from = word(
                ["clear", "needs-review", "flagged"]
                    .iter()
                    .position(|w| change["from"] == *w)
                    .unwrap() as u8,
            );
            let to = word(
                ["clear", "needs-review", "flagged"]
                    .iter()
                    .position(|w| change["to"] == *w)
                    .unwrap() as u8,
            );
            reported.insert(
                (gap["gap"].as_str().unwrap().to_string(), from, to),
                change["cases"].as_u64().unwrap(),
            );
        }
    }
    assert_eq!(reported, expected);
    assert!(!expected.is_empty());
    assert_eq!(json["totals"]["changed_cases"], changed_cases);
    assert_eq!(json["totals"]["read"], 300);
    assert_eq!(json["totals"]["evaluated"], 300);
}

#[test]
fn fail_on_change_exits_1_only_when_a_case_changed() {
    let set = pair();
    diff(&set, &["--fail-on-change", "--format", "json"])
        .status(1)
        .run();
    let out = Test::new()
        .current_dir(set.cwd())
        .args(["diff", "rules", "rules", "cases.jsonl", "--fail-on-change"])
        .status(0)
        .run();
    assert!(
        out.stdout.contains("0 cases changed outcome"),
        "{}",
        out.stdout
    );
    assert!(out
        .stdout
        .contains("rules, definitions and tables: none added, removed or changed"));
}

#[test]
fn rejected_records_are_counted_and_summarised_with_exit_4() {
    let set = pair();
    let mut batch = std::fs::read_to_string(set.cwd().join("cases.jsonl")).unwrap();
    batch.push_str("{\"case_id\":\"BAD-1\",\"age\":\"old\"}\n");
    batch.push_str("{\"case_id\":\"A-0000001\"}\n");
    std::fs::write(set.cwd().join("cases.jsonl"), batch).unwrap();
    let out = diff(&set, &["--format", "json"]).status(4).run();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["totals"]["read"], 302);
    assert_eq!(json["totals"]["evaluated"], 300);
    assert_eq!(json["totals"]["rejected"], 2);
    assert!(
        out.stderr
            .contains("rejected: cases.jsonl:301 (case BAD-1)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("rejected 2 records:"), "{}", out.stderr);
}

#[test]
fn standard_input_is_refused() {
    Test::new()
        .args(["diff", "rules", "rules", "-"])
        .status(2)
        .stderr("error: diff reads each input once per rule set, so it needs files, not standard input (`-`)\n")
        .run();
}

#[test]
fn the_workload_batch_is_compared_in_seconds() {
    let out = Test::new()
        .args([
            "diff",
            "rules",
            "benches/workload",
            "tests/data/workload-3000.jsonl",
            "--format",
            "json",
        ])
        .time_limit(Duration::from_secs(30))
        .status(0)
        .run();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["totals"]["read"], 3000);
    assert_eq!(json["totals"]["evaluated"], 3000);
}

#[test]
fn rule_sets_of_different_schemas_read_each_record_with_their_own() {
    // The new schema has a field the old lacks, and a rule reads it: the
    // record that has it is flagged under the new rules only, and the old
    // rule set's reader warns that it ignores the field.
    let set = RuleSet::standard();
    let new = set.cwd().join("new");
    crate::harness::copy_dir(&set.dir(), &new);
    let mut schema = std::fs::read_to_string(new.join("schema.toml")).unwrap();
    schema.push_str("\n[fields.detained]\ntype = \"bool\"\ndescription = \"held in detention\"\n");
    std::fs::write(new.join("schema.toml"), schema).unwrap();
    std::fs::write(
        new.join("extra.nrs"),
        "/// Added.\nrule detained_return {\n  gap      no-counsel-access\n  severity low\n  cites    \"test\"\n\
         \x20 when     detained == true\n  because  \"[{?detained}detained]\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        set.cwd().join("two.jsonl"),
        "{\"case_id\":\"D-1\",\"detained\":true}\n{\"case_id\":\"D-2\",\"detained\":false}\n",
    )
    .unwrap();
    let out = Test::new()
        .current_dir(set.cwd())
        .args(["diff", "rules", "new", "two.jsonl", "--format", "json"])
        .status(0)
        .run();
    assert_eq!(
        out.stderr,
        "warning: field `detained` is not in the old rule set's schema; it is ignored there\n"
    );
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let gap = json["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["gap"] == "no-counsel-access")
        .unwrap();
    // Nearly every field is unknown, so the old rules leave the gap under
    // review; the new rule flags it.
    assert_eq!(gap["changes"][0]["from"], "needs-review");
    assert_eq!(gap["changes"][0]["to"], "flagged");
    assert_eq!(gap["changes"][0]["cases"], 1);
    assert_eq!(gap["changes"][0]["sample"][0]["case_id"], "D-1");
}

#[test]
fn a_mapped_export_is_compared_through_the_mapping() {
    let set = pair();
    let export = repo_root().join("examples/data/cms-export.csv");
    std::fs::copy(&export, set.cwd().join("cms-export.csv")).unwrap();
    crate::harness::copy_dir(&repo_root().join("maps"), &set.cwd().join("maps"));
    let out = Test::new()
        .current_dir(set.cwd())
        .args([
            "diff",
            "rules",
            "new",
            "--map",
            "maps/cms-example.toml",
            "cms-export.csv",
            "--format",
            "json",
        ])
        .status(0)
        .run();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let read = json["totals"]["read"].as_u64().unwrap();
    assert!(read > 0);
    assert_eq!(json["totals"]["evaluated"], read);
    assert!(json["totals"]["changed_cases"].as_u64().unwrap() > 0);
}

#[test]
fn record_text_is_inert_in_every_format() {
    let set = pair();
    std::fs::write(
        set.cwd().join("cases.jsonl"),
        "{\"case_id\":\"<b>E\\u001b[31m|1\",\"returned_to_mexico\":true,\"represented\":false,\"notice_address\":\"\\u202e*x*\"}\n",
    )
    .unwrap();
    for format in ["text", "markdown", "json"] {
        let out = diff(&set, &["--format", format]).status(0).run();
        for raw in ['\u{1b}', '\u{202e}'] {
            assert!(!out.stdout.contains(raw), "{format}: {:?}", out.stdout);
        }
        if format == "markdown" {
            assert!(
                out.stdout.contains("\\<b\\>E\\\\u\\{1b\\}\\[31m\\|1"),
                "{}",
                out.stdout
            );
        }
    }
}

#[test]
fn a_table_row_changed_is_named_and_its_cases_counted() {
    let set = RuleSet::standard();
    let new = set.cwd().join("new");
    crate::harness::copy_dir(&set.dir(), &new);
    let path = new.join("tables/advisories.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let row = "key = \"MX-TAM\"\nfrom = 2018-01-10\nto = 2022-12-31\nvalue = 4\n";
    assert!(text.contains(row));
    std::fs::write(
        &path,
        text.replace(row, &row.replace("value = 4", "value = 3")),
    )
    .unwrap();
    std::fs::copy(
        repo_root().join("rules/examples/cases.jsonl"),
        set.cwd().join("cases.jsonl"),
    )
    .unwrap();
    let out = diff(&set, &["--format", "json", "--sample", "0"])
        .status(0)
        .run();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        json["rules"]["tables_changed"],
        serde_json::json!(["advisory"])
    );
    assert_eq!(json["rules"]["changed"], serde_json::json!([]));
    let gap = |id: &str| {
        json["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["gap"] == id)
            .unwrap()
            .clone()
    };
    // Tamaulipas returns move from level 4 to level 3.
    let danger = gap("danger-of-return");
    let elevated = gap("elevated-danger-of-return");
    assert!(danger["new"]["flagged"].as_u64() < danger["old"]["flagged"].as_u64());
    assert!(elevated["new"]["flagged"].as_u64() > elevated["old"]["flagged"].as_u64());
}

#[test]
fn the_readme_shows_real_output() {
    // The README's example: `danger_of_return` edited to flag level 3
    // too, in `rules-new/` beside `rules/`.
    let set = RuleSet::standard();
    let new = set.cwd().join("rules-new");
    crate::harness::copy_dir(&set.dir(), &new);
    let path = new.join("return.nrs");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen(
            "when     returned and level == 4\n",
            "when     returned and level >= 3\n",
            1,
        ),
    )
    .unwrap();
    let examples = crate::harness::readme_examples("diff");
    assert_eq!(examples.len(), 1);
    for (args, expected) in examples {
        Test::new()
            .current_dir(set.cwd())
            .arg("diff")
            .args(args)
            .status(0)
            .stdout(expected)
            .run();
    }
}
