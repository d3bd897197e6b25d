//! `nrscreen eval` driven as a user would: the same cases in JSON Lines, CSV
//! and TOML, standard input, several files, every rejection reason, the
//! accounting line, every exit code and every output format. Expected
//! outputs live in `tests/fixtures/eval/expected/`; `NRSCREEN_BLESS=1`
//! rewrites them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `nrscreen` from the repository root (so file names in messages are
/// stable), optionally feeding standard input.
fn nrscreen(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nrscreen"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nrscreen runs");
    {
        let mut pipe = child.stdin.take().expect("stdin");
        if let Some(bytes) = stdin {
            pipe.write_all(bytes).expect("write stdin");
        }
    }
    child.wait_with_output().expect("nrscreen finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const RULES: &str = "tests/fixtures/eval/rules";

/// Compares `actual` with the expected file, or rewrites it when blessing.
fn expect_file(name: &str, actual: &str) {
    let path = root().join("tests/fixtures/eval/expected").join(name);
    if std::env::var_os("NRSCREEN_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, actual).expect("bless");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {}; run with NRSCREEN_BLESS=1", path.display()));
    assert_eq!(actual, expected, "output differs from {}", path.display());
}

fn last_line(stderr: &str) -> &str {
    stderr.lines().last().unwrap_or("")
}

#[test]
fn the_same_cases_in_jsonl_csv_and_toml_give_the_same_output() {
    let mut outputs = Vec::new();
    for format in ["jsonl", "csv", "toml"] {
        let input = format!("tests/fixtures/eval/cases.{format}");
        let out = nrscreen(&["eval", "--rules", RULES, &input], None);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(
            last_line(&text(&out.stderr)),
            "read 8, evaluated 8, rejected 0; flagged 4, needs review 3, clear 1"
        );
        outputs.push(text(&out.stdout));
    }
    assert_eq!(outputs[0], outputs[1], "CSV differs from JSON Lines");
    assert_eq!(outputs[0], outputs[2], "TOML differs from JSON Lines");
    expect_file("cases.jsonl", &outputs[0]);
}

#[test]
fn every_output_format_matches_its_expected_file() {
    for (format, file) in [
        ("csv", "cases.csv"),
        ("table", "cases.table.txt"),
        ("summary", "cases.summary.txt"),
        ("flags", "cases.flags.jsonl"),
    ] {
        let out = nrscreen(
            &[
                "eval",
                "--rules",
                RULES,
                "tests/fixtures/eval/cases.jsonl",
                "--format",
                format,
                "--color",
                "never",
            ],
            None,
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            text(&out.stderr)
        );
        expect_file(file, &text(&out.stdout));
    }
    let out = nrscreen(
        &[
            "eval",
            "--rules",
            RULES,
            "tests/fixtures/eval/cases.jsonl",
            "--show-cleared",
        ],
        None,
    );
    expect_file("cases.show-cleared.jsonl", &text(&out.stdout));
    assert!(text(&out.stdout)
        .contains(r#""outcome":"cleared","cleared_by":"returned_before_interview""#));
}

#[test]
fn standard_input_and_several_files_are_read_in_order() {
    let cases = std::fs::read(root().join("tests/fixtures/eval/cases.jsonl")).expect("cases");
    let out = nrscreen(&["eval", "--rules", RULES, "-"], Some(&cases));
    assert_eq!(out.status.code(), Some(0));
    let from_file = nrscreen(
        &["eval", "--rules", RULES, "tests/fixtures/eval/cases.jsonl"],
        None,
    );
    assert_eq!(text(&out.stdout), text(&from_file.stdout));

    // Two files: the ids repeat, so the second file's records are rejected
    // as duplicates and the counts still add up.
    let out = nrscreen(
        &[
            "eval",
            "--rules",
            RULES,
            "tests/fixtures/eval/cases.jsonl",
            "tests/fixtures/eval/cases.csv",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        last_line(&text(&out.stderr)),
        "read 16, evaluated 8, rejected 8; flagged 4, needs review 3, clear 1"
    );
    let first_ids: Vec<String> = text(&out.stdout)
        .lines()
        .map(|l| l.split('"').nth(3).unwrap_or("").to_string())
        .collect();
    assert_eq!(
        first_ids,
        ["A-0001", "A-0002", "A-0003", "A-0004", "A-0005", "A-0006", "A-0007", "A-0008"]
    );

    // Different files, different cases: everything is evaluated.
    let out = nrscreen(
        &[
            "eval",
            "--rules",
            RULES,
            "tests/fixtures/eval/cases.jsonl",
            "tests/data/workload-edge-cases.jsonl",
        ],
        None,
    );
    assert_eq!(
        last_line(&text(&out.stderr)),
        "read 32, evaluated 32, rejected 0; flagged 5, needs review 26, clear 1"
    );
}

#[test]
fn every_rejection_reason_is_reported_and_kept_and_the_counts_add_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rejects = dir.path().join("rejects.jsonl");
    let rejects_arg = rejects.to_string_lossy().into_owned();
    let out = nrscreen(
        &[
            "eval",
            "--rules",
            RULES,
            "tests/fixtures/eval/rejects.jsonl",
            "--rejects",
            &rejects_arg,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
    expect_file("rejects.stderr.txt", &stderr);
    assert_eq!(
        last_line(&stderr),
        "read 14, evaluated 2, rejected 12; flagged 0, needs review 2, clear 0"
    );
    // One warning per unknown field name, not per record.
    assert_eq!(
        stderr
            .matches("field `favourite_colour` is not in the schema")
            .count(),
        1
    );
    let kept = std::fs::read_to_string(&rejects).expect("rejects file");
    expect_file("rejects.rejects.jsonl", &kept);
    let input_lines =
        std::fs::read(root().join("tests/fixtures/eval/rejects.jsonl")).expect("input");
    let input_lines = String::from_utf8_lossy(&input_lines);
    // Nothing is lost: every rejected line's text is in the rejects file.
    for line in kept.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("rejects are JSON");
        let raw = value["raw"].as_str().expect("raw text");
        assert!(
            input_lines.contains(raw),
            "raw text not from the input: {raw}"
        );
        assert!(value["line"].as_u64().is_some() && value["reason"].as_str().is_some());
    }
}

#[test]
fn malformed_csv_and_toml_records_are_rejected_with_their_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("bad.csv");
    std::fs::write(&csv, "case_id,age,program\nC-1,30,mpp-2019\nC-2,thirty,mpp-2019\nC-3,30\n,40,other\nC-5,,mpp-2012\n").expect("write");
    let out = nrscreen(&["eval", "--rules", RULES, &csv.to_string_lossy()], None);
    let stderr = text(&out.stderr);
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
    let out = nrscreen(&["eval", "--rules", RULES, &toml.to_string_lossy()], None);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(":5 (case T-2): field `age`: expected a number, found the text `thirty`"),
        "{stderr}"
    );
    assert_eq!(
        last_line(&stderr),
        "read 2, evaluated 1, rejected 1; flagged 0, needs review 1, clear 0"
    );

    std::fs::write(&toml, "[[case]\ncase_id = 1\n").expect("write");
    let out = nrscreen(&["eval", "--rules", RULES, &toml.to_string_lossy()], None);
    let stderr = text(&out.stderr);
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
    let out = nrscreen(&["eval", "--rules", RULES, &toml.to_string_lossy()], None);
    let stderr = text(&out.stderr);
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
    let out = nrscreen(&["eval", "--rules", RULES, &toml.to_string_lossy()], None);
    assert!(
        text(&out.stderr).contains("unknown field `cases`"),
        "{}",
        text(&out.stderr)
    );

    // CSV: a repeated column is refused; a row that is not UTF-8 is kept.
    std::fs::write(&csv, "case_id,age,age\na,5,1\n").expect("write");
    let out = nrscreen(&["eval", "--rules", RULES, &csv.to_string_lossy()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("column `age` appears twice in the header"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(&csv, b"case_id,age\na,5\nb\xff,6\n").expect("write");
    let rejects = dir.path().join("rejects.jsonl");
    let out = nrscreen(
        &[
            "eval",
            "--rules",
            RULES,
            &csv.to_string_lossy(),
            "--rejects",
            &rejects.to_string_lossy(),
        ],
        None,
    );
    assert_eq!(
        last_line(&text(&out.stderr)),
        "read 2, evaluated 1, rejected 1; flagged 0, needs review 1, clear 0"
    );
    let kept = std::fs::read_to_string(&rejects).expect("rejects");
    assert!(kept.contains("\"raw\":\"b\u{FFFD},6\""), "{kept}");
}

#[test]
fn exit_codes() {
    let cases = "tests/fixtures/eval/cases.jsonl";
    // 0: evaluated, findings or not.
    assert_eq!(
        nrscreen(&["eval", "--rules", RULES, cases], None)
            .status
            .code(),
        Some(0)
    );
    // 1: the rule set has errors; the same diagnostics as `check`.
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = dir.path().join("rules");
    std::fs::create_dir_all(&broken).expect("mkdir");
    let manifest = std::fs::read_to_string(root().join(RULES).join("ruleset.toml"))
        .expect("manifest")
        .replace("../../../../rules", &root().join("rules").to_string_lossy());
    std::fs::write(broken.join("ruleset.toml"), manifest).expect("write");
    std::fs::write(
        broken.join("bad.nrs"),
        "rule r {\n  gap fear-not-screened\n  when program == \"mpp-2012\"\n}\n",
    )
    .expect("write");
    let out = nrscreen(&["eval", "--rules", &broken.to_string_lossy(), cases], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("error[unknown-enum-value]: `program` has no value `mpp-2012`")
    );
    assert!(out.stdout.is_empty());
    // 2: usage and I/O errors.
    assert_eq!(
        nrscreen(&["eval", "--rules", RULES, "no-such-file.jsonl"], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        nrscreen(&["eval", "--rules", "no-such-dir", cases], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        nrscreen(&["eval", "--rules", RULES, "cases.unknown-extension"], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        nrscreen(&["eval", "--rules", RULES, cases, "--format", "pdf"], None)
            .status
            .code(),
        Some(2)
    );
    let strict = nrscreen(
        &[
            "eval",
            "--rules",
            RULES,
            "tests/fixtures/eval/rejects.jsonl",
            "--strict",
        ],
        None,
    );
    assert_eq!(strict.status.code(), Some(2));
    assert_eq!(
        last_line(&text(&strict.stderr)),
        "read 2, evaluated 1, rejected 1; flagged 0, needs review 1, clear 0"
    );
    // 3: --fail-on found a flagged finding at or above the severity.
    assert_eq!(
        nrscreen(
            &["eval", "--rules", RULES, cases, "--fail-on", "critical"],
            None
        )
        .status
        .code(),
        Some(3)
    );
    assert_eq!(
        nrscreen(
            &["eval", "--rules", RULES, cases, "--fail-on", "high"],
            None
        )
        .status
        .code(),
        Some(3)
    );
    let only_medium = "{\"case_id\":\"X-1\",\"program\":\"section-240\"}\n";
    assert_eq!(
        nrscreen(
            &["eval", "--rules", RULES, "-", "--fail-on", "low"],
            Some(only_medium.as_bytes())
        )
        .status
        .code(),
        Some(0)
    );
}

#[test]
fn logs_carry_no_record_values_below_trace_level() {
    let record = "{\"case_id\":\"P-1\",\"return_city\":\"Secretville\",\"program\":\"mpp-2019\",\"returned_to_mexico\":true}\n";
    let out = nrscreen(
        &["-vv", "eval", "--rules", RULES, "-", "--format", "summary"],
        Some(record.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
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
        let out = nrscreen(
            &[
                "eval",
                "--rules",
                "benches/workload",
                input,
                "--format",
                "flags",
            ],
            None,
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let expected_path = Path::new(input).with_extension("expected.jsonl");
        let expected =
            std::fs::read_to_string(root().join(expected_path)).expect("expected answer");
        assert!(
            text(&out.stdout) == expected,
            "{input}: output differs from the reference answer"
        );
    }
}
