//! `nrscreen eval` driven as a user would: the same cases in JSON Lines, CSV
//! and TOML, standard input, several files, every rejection reason, the
//! accounting line, every exit code and every output format. Expected
//! outputs live in `tests/fixtures/eval/expected/`; `NRSCREEN_BLESS=1`
//! rewrites them.

use std::path::{Path, PathBuf};

use crate::harness::{expect_file, last_line, repo_root, RuleSet, Test};

/// The rule set the tests evaluate with (relative to the repository root,
/// where tests run, so file names in messages are stable).
const RULES: &str = "tests/fixtures/eval/rules";

/// The example cases, in JSON Lines.
const CASES: &str = "tests/fixtures/eval/cases.jsonl";

/// `nrscreen eval --rules RULES`, in the repository root.
fn eval() -> Test {
    Test::new().args(["eval", "--rules", RULES])
}

/// The expected-output file `name`.
fn expected(name: &str) -> PathBuf {
    Path::new("tests/fixtures/eval/expected").join(name)
}

#[test]
fn the_same_cases_in_jsonl_csv_and_toml_give_the_same_output() {
    let mut outputs = Vec::new();
    for format in ["jsonl", "csv", "toml"] {
        let out = eval()
            .arg(format!("tests/fixtures/eval/cases.{format}"))
            .status(0)
            .run();
        assert_eq!(
            last_line(&out.stderr),
            "read 8, evaluated 8, rejected 0; flagged 4, needs review 3, clear 1"
        );
        outputs.push(out.stdout);
    }
    assert_eq!(outputs[0], outputs[1], "CSV differs from JSON Lines");
    assert_eq!(outputs[0], outputs[2], "TOML differs from JSON Lines");
    expect_file(expected("cases.jsonl"), &outputs[0]);
}

#[test]
fn every_output_format_matches_its_expected_file() {
    for (format, file) in [
        ("csv", "cases.csv"),
        ("table", "cases.table.txt"),
        ("summary", "cases.summary.txt"),
        ("flags", "cases.flags.jsonl"),
    ] {
        eval()
            .args([CASES, "--format", format, "--color", "never"])
            .status(0)
            .stdout_file(expected(file))
            .run();
    }
    let out = eval()
        .args([CASES, "--show-cleared"])
        .stdout_file(expected("cases.show-cleared.jsonl"))
        .run();
    assert!(out
        .stdout
        .contains(r#""outcome":"cleared","cleared_by":"returned_before_interview""#));
}

#[test]
fn standard_input_and_several_files_are_read_in_order() {
    let cases = std::fs::read(repo_root().join(CASES)).expect("cases");
    let out = eval().arg("-").stdin(cases).status(0).run();
    eval().arg(CASES).stdout(out.stdout).run();

    // Two files: the ids repeat, so the second file's records are rejected
    // as duplicates and the counts still add up (half of them rejected, as
    // --max-rejects allows).
    let out = eval()
        .args([
            CASES,
            "tests/fixtures/eval/cases.csv",
            "--max-rejects",
            "50%",
        ])
        .status(0)
        .run();
    assert_eq!(
        last_line(&out.stderr),
        "read 16, evaluated 8, rejected 8; flagged 4, needs review 3, clear 1"
    );
    let first_ids: Vec<String> = out
        .stdout
        .lines()
        .map(|l| l.split('"').nth(3).unwrap_or("").to_string())
        .collect();
    assert_eq!(
        first_ids,
        ["A-0001", "A-0002", "A-0003", "A-0004", "A-0005", "A-0006", "A-0007", "A-0008"]
    );

    // Different files, different cases: everything is evaluated.
    let out = eval()
        .args([CASES, "tests/data/workload-edge-cases.jsonl"])
        .run();
    assert_eq!(
        last_line(&out.stderr),
        "read 32, evaluated 32, rejected 0; flagged 5, needs review 26, clear 1"
    );
}

#[test]
fn every_rejection_reason_is_reported_and_kept_and_the_counts_add_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rejects = dir.path().join("rejects.jsonl");
    let out = eval()
        .args(["tests/fixtures/eval/rejects.jsonl", "--rejects"])
        .arg(&rejects)
        .status(4)
        .stderr_file(expected("rejects.stderr.txt"))
        .run();
    let stderr = out.stderr;
    assert_eq!(
        last_line(&stderr),
        "read 15, evaluated 2, rejected 13; flagged 0, needs review 2, clear 0"
    );
    // One warning per unknown field name, not per record.
    assert_eq!(
        stderr
            .matches("field `favourite_colour` is not in the schema")
            .count(),
        1
    );
    let kept = std::fs::read_to_string(&rejects).expect("rejects file");
    expect_file(expected("rejects.rejects.jsonl"), &kept);
    let input_lines =
        std::fs::read(repo_root().join("tests/fixtures/eval/rejects.jsonl")).expect("input");
    let input_lines = String::from_utf8_lossy(&input_lines);
    // Nothing is lost: every rejected line's text is in the rejects file.
    for line in kept.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("rejects are JSON");
        let raw = value["raw"].as_str().expect("raw text");
        assert!(
            input_lines.contains(raw),
            "raw text not from the input: {raw}"
        );
        assert!(value["line"].as_u64().is_some());
        let problems = value["problems"].as_array().expect("a list of problems");
        assert!(!problems.is_empty());
        for problem in problems {
            assert!(problem["reason"].as_str().is_some(), "{problem}");
            assert!(problem["kind"].as_str().is_some(), "{problem}");
        }
    }
}

#[test]
fn malformed_csv_and_toml_records_are_rejected_with_their_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("bad.csv");
    std::fs::write(&csv, "case_id,age,program\nC-1,30,mpp-2019\nC-2,thirty,mpp-2019\nC-3,30\n,40,other\nC-5,,mpp-2012\n").expect("write");
    let stderr = eval().arg(&csv).run().stderr;
    assert!(
        stderr.contains(":3 (case C-2): field `age`: `thirty` is not a whole number"),
        "{stderr}"
    );
    assert!(
        stderr.contains(":4: the row has 2 cells, the header has 3"),
        "{stderr}"
    );
    assert!(
        stderr.contains(":5: field `case_id`: the record has no `case_id`"),
        "{stderr}"
    );
    assert!(
        stderr.contains(":6 (case C-5): field `program`: `mpp-2012` is not a value of `program`"),
        "{stderr}"
    );
    assert_eq!(
        last_line(&stderr),
        "read 5, evaluated 1, rejected 4; flagged 0, needs review 1, clear 0"
    );

    let toml = dir.path().join("bad.toml");
    std::fs::write(
        &toml,
        "[[case]]\ncase_id = \"T-1\"\nage = 30\n\n[[case]]\ncase_id = \"T-2\"\nage = \"thirty\"\n",
    )
    .expect("write");
    let stderr = eval().arg(&toml).run().stderr;
    assert!(
        stderr.contains(":5 (case T-2): field `age`: expected a number, found the text `thirty`"),
        "{stderr}"
    );
    assert_eq!(
        last_line(&stderr),
        "read 2, evaluated 1, rejected 1; flagged 0, needs review 1, clear 0"
    );

    std::fs::write(&toml, "[[case]\ncase_id = 1\n").expect("write");
    let stderr = eval().arg(&toml).run().stderr;
    assert!(
        stderr.contains(":1: the file is not valid TOML"),
        "{stderr}"
    );
    assert_eq!(
        last_line(&stderr),
        "read 1, evaluated 0, rejected 1; flagged 0, needs review 0, clear 0"
    );

    // A file that is not TOML sets aside every case in it, one rejection
    // each, so the counts say how many records were lost to the error.
    std::fs::write(&toml, "[[case]]\ncase_id = \"a\"\n\n[[case]]\ncase_id = \"b\"\nage = 1\nage = 2\n\n[[case]]\ncase_id = \"c\"\n").expect("write");
    let stderr = eval().arg(&toml).run().stderr;
    assert_eq!(
        stderr.matches("so none of its cases can be read").count(),
        3,
        "{stderr}"
    );
    assert_eq!(
        last_line(&stderr),
        "read 3, evaluated 0, rejected 3; flagged 0, needs review 0, clear 0"
    );

    // A misspelt table name is an error, not an empty batch.
    std::fs::write(&toml, "[[cases]]\ncase_id = \"a\"\n").expect("write");
    let stderr = eval().arg(&toml).run().stderr;
    assert!(stderr.contains("unknown field `cases`"), "{stderr}");

    // CSV: a repeated column is refused; a row that is not UTF-8 is kept.
    std::fs::write(&csv, "case_id,age,age\na,5,1\n").expect("write");
    let stderr = eval().arg(&csv).status(2).run().stderr;
    assert!(
        stderr.contains("column `age` appears twice in the header"),
        "{stderr}"
    );
    std::fs::write(&csv, b"case_id,age\na,5\nb\xff,6\n").expect("write");
    let rejects = dir.path().join("rejects.jsonl");
    let out = eval().arg(&csv).arg("--rejects").arg(&rejects).run();
    assert_eq!(
        last_line(&out.stderr),
        "read 2, evaluated 1, rejected 1; flagged 0, needs review 1, clear 0"
    );
    let kept = std::fs::read_to_string(&rejects).expect("rejects");
    assert!(kept.contains("\"raw\":\"b\u{FFFD},6\""), "{kept}");
}

#[test]
fn exit_codes() {
    // 0: evaluated, findings or not.
    eval().arg(CASES).status(0).run();
    // 1: the rule set has errors; the same diagnostics as `check`.
    let manifest = std::fs::read_to_string(repo_root().join(RULES).join("ruleset.toml"))
        .expect("manifest")
        .replace(
            "../../../../rules",
            &repo_root().join("rules").to_string_lossy(),
        );
    let broken = RuleSet::empty().file("ruleset.toml", manifest).file(
        "bad.nrs",
        "rule r {\n  gap fear-not-screened\n  when program == \"mpp-2012\"\n}\n",
    );
    let out = Test::new()
        .args(["eval", "--rules"])
        .arg(broken.dir())
        .arg(CASES)
        .status(1)
        .stdout("")
        .run();
    assert!(out
        .stderr
        .contains("error[unknown-enum-value]: `program` has no value `mpp-2012`"));
    // 2: usage and I/O errors.
    eval().arg("no-such-file.jsonl").status(2).run();
    Test::new()
        .args(["eval", "--rules", "no-such-dir", CASES])
        .status(2)
        .run();
    eval().arg("cases.unknown-extension").status(2).run();
    eval().args([CASES, "--format", "pdf"]).status(2).run();
    let strict = eval()
        .args(["tests/fixtures/eval/rejects.jsonl", "--strict"])
        .status(2)
        .run();
    assert_eq!(
        last_line(&strict.stderr),
        "read 2, evaluated 1, rejected 1; flagged 0, needs review 1, clear 0"
    );
    // 3: --fail-on found a flagged finding at or above the severity.
    eval()
        .args([CASES, "--fail-on", "critical"])
        .status(3)
        .run();
    eval().args([CASES, "--fail-on", "high"]).status(3).run();
    eval()
        .args(["-", "--fail-on", "low"])
        .stdin("{\"case_id\":\"X-1\",\"program\":\"section-240\"}\n")
        .status(0)
        .run();
}

#[test]
fn logs_carry_no_record_values_below_trace_level() {
    let record = "{\"case_id\":\"P-1\",\"return_city\":\"Secretville\",\"program\":\"mpp-2019\",\"returned_to_mexico\":true}\n";
    let stderr = Test::new()
        .args(["-vv", "eval", "--rules", RULES, "-", "--format", "summary"])
        .stdin(record)
        .status(0)
        .run()
        .stderr;
    assert!(
        stderr.contains("rule set compiled"),
        "debug logging is on: {stderr}"
    );
    assert!(
        !stderr.contains("Secretville") && !stderr.contains("P-1"),
        "{stderr}"
    );
}

#[test]
fn the_benchmark_workload_matches_the_generators_reference_answer() {
    for input in [
        "tests/data/workload-3000.jsonl",
        "tests/data/workload-3000.csv",
        "tests/data/workload-edge-cases.jsonl",
    ] {
        // The reference answer comes from the generator, not from nrscreen:
        // it is compared as text, never blessed.
        let reference = std::fs::read_to_string(
            repo_root().join(Path::new(input).with_extension("expected.jsonl")),
        )
        .expect("expected answer");
        Test::new()
            .args([
                "eval",
                "--rules",
                "benches/workload",
                input,
                "--format",
                "flags",
            ])
            .status(0)
            .stdout(reference)
            .run();
    }
}

#[test]
fn quiet_keeps_only_errors_and_the_accounting_line() {
    let batch = concat!(
        r#"{"case_id":"Q-1","age":"old","favourite_colour":"blue"}"#,
        "\n",
        r#"{"case_id":"Q-2","age":30}"#,
        "\n"
    );
    let loud = Test::new()
        .args(["eval", "-", "--format", "flags"])
        .stdin(batch)
        .run();
    assert!(
        loud.stderr.contains("warning: field `favourite_colour`"),
        "{}",
        loud.stderr
    );
    assert!(loud.stderr.contains("rejected: -:1"), "{}", loud.stderr);
    let quiet = Test::new()
        .args(["eval", "-", "--format", "flags", "--quiet"])
        .stdin(batch)
        .run();
    assert_eq!(quiet.code, 4);
    assert_eq!(quiet.stdout, loud.stdout);
    assert_eq!(
        quiet.stderr,
        "error: 1 of 2 records were rejected (--max-rejects N or N% allows some)\n\
         read 2, evaluated 1, rejected 1; flagged 0, needs review 1, clear 0\n"
    );
}

#[test]
fn no_progress_bar_outside_a_terminal() {
    // Long enough (in a debug build) for the bar's one-second delay; stderr
    // is a pipe here, so only the accounting line comes.
    let batch: String = std::fs::read_to_string(repo_root().join("tests/data/workload-3000.jsonl"))
        .unwrap()
        .repeat(20);
    let output = Test::new()
        .args([
            "eval",
            "--rules",
            "benches/workload",
            "-",
            "--format",
            "flags",
            "--no-duplicate-check",
        ])
        .stdin(batch)
        .run();
    assert_eq!(output.code, 0);
    assert_eq!(
        output.stderr,
        "read 60000, evaluated 60000, rejected 0; flagged 26540, needs review 0, clear 33460\n"
    );
}

#[test]
fn the_progress_bar_shows_counts_on_a_terminal() {
    // `script` (util-linux) gives the run a terminal; without it, this
    // machine cannot show a terminal and the test says so.
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no `script` command to give nrscreen a terminal");
        return;
    }
    // The bar appears once a run has lasted a second: half the records
    // come at once, the other half after a pause longer than that, so the
    // bar shows however fast this build evaluates.
    let batch = repo_root().join("tests/data/workload-3000.jsonl");
    let text = std::fs::read_to_string(&batch).unwrap().repeat(20);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("half.jsonl");
    std::fs::write(&input, text).unwrap();
    let command = format!(
        "(cat {input}; sleep 1.5; cat {input}) | {} eval --rules {} - --format flags --no-duplicate-check > /dev/null",
        env!("CARGO_BIN_EXE_nrscreen"),
        repo_root().join("benches/workload").display(),
        input = input.display()
    );
    let output = std::process::Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .env_remove("CI")
        .env("TERM", "xterm")
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(screen.contains(" records ("), "{screen}");
    assert!(screen.contains("/s), 0 rejected"), "{screen}");
    assert!(
        screen.contains("read 120000, evaluated 120000, rejected 0"),
        "{screen}"
    );
}
