//! Screening through a mapping (`eval --map`, `map check`, rule tests that
//! take a case from a mapped file): the real binary on real files.

use crate::harness::{repo_root, RuleSet, Test};

/// The shared small export of the mapping fixtures.
fn export() -> String {
    std::fs::read_to_string(repo_root().join("tests/fixtures/map/input.csv")).unwrap()
}

/// A mapping of that export.
const MAPPING: &str = r#"
[constants]
program = "mpp-2019"

[fields]
case_id = "Case Number"
nationality = { column = "Citizenship", convert = "country" }
age = "Age"
fear_of_mexico_expressed = { column = "Fear", values = "yes-no" }
returned_to_mexico = { column = "Returned", values = "yes-no" }
return_date = { column = "Date Returned", date = "%m/%d/%Y" }
"nri.outcome" = { column = "Outcome", values = { Positive = "positive", Negative = "negative" } }
"#;

/// The same records written in nrscreen's own format.
const NATIVE: &str = r#"{"case_id":"C-1","program":"mpp-2019","nationality":"HN","age":34,"fear_of_mexico_expressed":true,"returned_to_mexico":true,"return_date":"2019-02-14","nri":{"outcome":"negative"}}
{"case_id":"C-2","program":"mpp-2019","nationality":"MX","age":22,"fear_of_mexico_expressed":false,"returned_to_mexico":true,"return_date":"2019-03-03"}
"#;

fn beside_standard_rules(files: &[(&str, &str)]) -> RuleSet {
    let set = RuleSet::standard();
    for (name, text) in files {
        std::fs::write(set.cwd().join(name), text).unwrap();
    }
    set
}

#[test]
fn a_mapped_export_gives_the_findings_of_the_same_records_in_json_lines() {
    let set = beside_standard_rules(&[
        ("map.toml", MAPPING),
        ("export.csv", &export()),
        ("native.jsonl", NATIVE),
    ]);
    let mapped = Test::new()
        .current_dir(set.cwd())
        .args(["eval", "--map", "map.toml", "export.csv"])
        .run();
    let native = Test::new()
        .current_dir(set.cwd())
        .args(["eval", "native.jsonl"])
        .run();
    assert_eq!(native.code, 0, "{}", native.stderr);
    assert_eq!(mapped.stdout, native.stdout);
    assert!(mapped.stdout.contains("\"case_id\":\"C-2\""));
    // The column nothing reads is named once, on stderr.
    assert!(
        mapped
            .stderr
            .contains("warning: `export.csv`: 1 column is not mapped, so not read: `Notes`"),
        "{}",
        mapped.stderr
    );
    assert!(mapped
        .stderr
        .ends_with("read 2, evaluated 2, rejected 0; flagged 1, needs review 1, clear 0\n"));
}

#[test]
fn values_no_table_covers_are_rejected_with_line_column_and_field() {
    let export = export().replace("C-2,Mexico,22,No", "C-2,Mexico,22,Maybe");
    let set = beside_standard_rules(&[("map.toml", MAPPING), ("export.csv", &export)]);
    let output = Test::new()
        .current_dir(set.cwd())
        .args([
            "eval",
            "--map",
            "map.toml",
            "export.csv",
            "--format",
            "flags",
        ])
        .run();
    assert!(
        output.stderr.contains("export.csv:3 (case C-2)")
            && output.stderr.contains("column `Fear`")
            && output
                .stderr
                .contains("`Maybe` is not in the value table `yes-no`"),
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains("read 2, evaluated 1, rejected 1;"));
}

#[test]
fn unmatched_unknown_reads_uncovered_values_as_unknown_and_says_how_many() {
    let mapping = MAPPING.replace(
        r#"fear_of_mexico_expressed = { column = "Fear", values = "yes-no" }"#,
        r#"fear_of_mexico_expressed = { column = "Fear", values = "yes-no", unmatched = "unknown" }"#,
    );
    let export = export().replace("C-2,Mexico,22,No", "C-2,Mexico,22,Maybe");
    let set = beside_standard_rules(&[("map.toml", &mapping), ("export.csv", &export)]);
    let output = Test::new()
        .current_dir(set.cwd())
        .args(["eval", "--map", "map.toml", "export.csv"])
        .run();
    assert!(
        output.stderr.contains("read 2, evaluated 2, rejected 0;"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains(
            "warning: `export.csv`: 1 value of field `fear_of_mexico_expressed` (1 distinct) not covered by the mapping was read as unknown"
        ),
        "{}",
        output.stderr
    );
    // Unknown, never false: C-2 is not cleared of the fear gap.
    let c2 = output
        .stdout
        .lines()
        .find(|l| l.contains("\"C-2\""))
        .unwrap();
    assert!(c2.contains("fear_of_mexico_expressed"), "{c2}");

    let check = Test::new()
        .current_dir(set.cwd())
        .args(["map", "check", "map.toml", "export.csv"])
        .run();
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(check
        .stdout
        .contains("`Fear` -> fear_of_mexico_expressed: 1 distinct, 1 cells (read as unknown)"));
    assert!(check.stdout.contains("`Maybe`"));
    assert!(check.stdout.contains("(line 3)"));
}

#[test]
fn map_check_exits_4_when_rows_would_be_rejected_and_reads_only_rows_asked() {
    let export = export().replace("C-2,Mexico,22,No", "C-2,Mexico,22,Maybe");
    let set = beside_standard_rules(&[("map.toml", MAPPING), ("export.csv", &export)]);
    let all = Test::new()
        .current_dir(set.cwd())
        .args(["map", "check", "map.toml", "export.csv"])
        .run();
    assert_eq!(all.code, 4, "{}", all.stdout);
    assert!(all
        .stdout
        .contains("2 rows read, 1 would be evaluated, 1 rejected"));
    let first = Test::new()
        .current_dir(set.cwd())
        .args(["map", "check", "map.toml", "export.csv", "--rows", "1"])
        .run();
    assert_eq!(first.code, 0, "{}", first.stdout);
    assert!(first
        .stdout
        .contains("1 rows read, 1 would be evaluated, 0 rejected"));
}

#[test]
fn columns_named_like_schema_fields_are_read_without_a_mapping_entry() {
    let export = "Case Number,represented,hearing_dates\nC-9,true,2019-05-01;2019-06-01\n";
    let mapping = "[fields]\ncase_id = \"Case Number\"\n";
    let set = beside_standard_rules(&[("map.toml", mapping), ("export.csv", export)]);
    let check = Test::new()
        .current_dir(set.cwd())
        .args(["map", "check", "map.toml", "export.csv"])
        .run();
    assert!(
        check
            .stdout
            .contains("represented   -> represented (by its name)"),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stdout
            .contains("hearing_dates -> hearing_dates (split `;`, by its name)"),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stdout
            .contains("represented                  0.0% (0 of 1)"),
        "{}",
        check.stdout
    );
}

#[test]
fn a_rule_test_can_take_its_case_from_a_mapped_export() {
    let set = RuleSet::standard()
        .file("examples/export.csv", export())
        .file("examples/export.map.toml", MAPPING)
        .file(
            "tests/mapped.toml",
            r#"
[[test]]
name = "a Mexican national returned, from the intake export"
record = { file = "examples/export.csv", case_id = "C-2", map = "examples/export.map.toml" }
flagged = ["excluded-category-returned"]
"#,
        );
    let output = Test::new()
        .rule_set(set)
        .args(["test", "rules", "--filter", "intake export"])
        .run();
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    assert!(output.stdout.contains("1 passed"), "{}", output.stdout);
}

#[test]
fn a_rule_test_names_the_mapping_that_does_not_fit() {
    let set = RuleSet::standard()
        .file("examples/export.csv", export())
        .file(
            "examples/export.map.toml",
            "[fields]\ncase_id = \"Case No\"\n",
        )
        .file(
            "tests/mapped.toml",
            r#"
[[test]]
name = "from the export"
record = { file = "examples/export.csv", case_id = "C-2", map = "examples/export.map.toml" }
flagged = ["excluded-category-returned"]
"#,
        );
    let output = Test::new().rule_set(set).args(["test", "rules"]).run();
    assert_eq!(output.code, 1, "{}", output.stdout);
    assert!(
        output
            .stdout
            .contains("column `Case No` is not in the header of `examples/export.csv`"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("did you mean `Case Number`?"),
        "{}",
        output.stdout
    );
}

#[test]
fn json_lines_are_mapped_by_key_with_nested_objects_and_arrays() {
    let mapping = r#"
[input]
format = "jsonl"

[fields]
case_id = "id"
nationality = { column = "person.citizenship", convert = "country" }
languages = { column = "person.languages", convert = "language" }
fear_of_mexico_expressed = { column = "answers.fear", values = "yes-no" }
returned_to_mexico = { column = "answers.returned", values = "yes-no" }
program = { column = "program", values = { "MPP 1.0" = "mpp-2019" } }
"#;
    let export = concat!(
        r#"{"id":"J-1","program":"MPP 1.0","person":{"citizenship":"Honduras","languages":["Spanish","K'iche'"]},"answers":{"fear":"Yes","returned":true},"intake_worker":"JR"}"#,
        "\n",
        r#"{"id":"J-2","program":"MPP 1.0","person":{"citizenship":null,"languages":["Haitian Creole"]},"answers":{"fear":"No","returned":"Y"}}"#,
        "\n",
        "[1,2]\n",
    );
    let native = concat!(
        r#"{"case_id":"J-1","program":"mpp-2019","nationality":"HN","languages":["es","quc"],"fear_of_mexico_expressed":true,"returned_to_mexico":true}"#,
        "\n",
        r#"{"case_id":"J-2","program":"mpp-2019","languages":["ht"],"fear_of_mexico_expressed":false,"returned_to_mexico":true}"#,
        "\n",
    );
    let set = beside_standard_rules(&[
        ("map.toml", mapping),
        ("export.jsonl", export),
        ("native.jsonl", native),
    ]);
    let mapped = Test::new()
        .current_dir(set.cwd())
        .args([
            "eval",
            "--map",
            "map.toml",
            "export.jsonl",
            "--max-rejects",
            "1",
        ])
        .run();
    let plain = Test::new()
        .current_dir(set.cwd())
        .args(["eval", "native.jsonl"])
        .run();
    assert_eq!(mapped.code, 0, "{}", mapped.stderr);
    assert_eq!(mapped.stdout, plain.stdout);
    assert!(
        mapped
            .stderr
            .contains("export.jsonl:3: the line is JSON but not an object"),
        "{}",
        mapped.stderr
    );
    assert!(mapped.stderr.contains("read 3, evaluated 2, rejected 1;"));
    assert!(
        mapped
            .stderr
            .contains("keys nothing reads: `intake_worker`"),
        "{}",
        mapped.stderr
    );
    let check = Test::new()
        .current_dir(set.cwd())
        .args(["map", "check", "map.toml", "export.jsonl"])
        .run();
    assert!(
        check
            .stdout
            .contains("keys: 7 found, 6 mapped, 0 ignored, 1 unmapped"),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stdout
            .contains("person.languages   -> languages (convert language) (2 records)"),
        "{}",
        check.stdout
    );
}

#[test]
fn a_file_without_a_header_has_its_columns_by_number_within_a_limit() {
    let mapping = "[input]\nheader = false\n\n[fields]\ncase_id = \"1\"\nage = \"2\"\nreturn_city = \"99999999999\"\n";
    let set = beside_standard_rules(&[("map.toml", mapping), ("rows.csv", "N-1,40,Tijuana\n")]);
    // A column number past the limit is a column the file lacks, not a
    // header of a hundred billion names.
    let output = Test::new()
        .current_dir(set.cwd())
        .args(["map", "check", "map.toml", "rows.csv"])
        .time_limit(std::time::Duration::from_secs(60))
        .run();
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(
        output
            .stderr
            .contains("column `99999999999` is not in the header of `rows.csv`"),
        "{}",
        output.stderr
    );
}
