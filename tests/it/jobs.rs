//! `eval --jobs N`: for every N, and every chunk size, the same stdout,
//! stderr and exit code as `--jobs 1`, over random batches of valid,
//! invalid, duplicate and blank lines.

use proptest::prelude::*;

use crate::harness::{Output, Test};

/// The rule set the tests evaluate with.
const RULES: &str = "tests/fixtures/eval/rules";

/// The valid records of the example batch, one per line.
fn valid_lines() -> Vec<String> {
    let text = std::fs::read_to_string("tests/fixtures/eval/cases.jsonl").unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// One line of a generated batch.
#[derive(Clone, Debug)]
enum Line {
    /// Valid record `n` of the examples, with case id `id`.
    Valid(usize, u8),
    /// Not JSON at all.
    BadJson,
    /// A value of the wrong type, with case id `id`.
    WrongType(u8),
    /// A blank line (or spaces).
    Blank,
    /// A record with no case id.
    NoId,
    /// A record longer than `--max-record-bytes` (see [`MAX_RECORD`]).
    TooLong(u8),
    /// Valid record `n` with case id `id`, ending in CR LF.
    Crlf(usize, u8),
}

/// The `--max-record-bytes` of the property: longer than every example.
const MAX_RECORD: usize = 400;

fn line() -> impl Strategy<Value = Line> {
    prop_oneof![
        6 => (0usize..8, 0u8..12).prop_map(|(n, id)| Line::Valid(n, id)),
        1 => Just(Line::BadJson),
        1 => (0u8..12).prop_map(Line::WrongType),
        1 => Just(Line::Blank),
        1 => Just(Line::NoId),
        1 => (0u8..12).prop_map(Line::TooLong),
        1 => (0usize..8, 0u8..12).prop_map(|(n, id)| Line::Crlf(n, id)),
    ]
}

/// The text of a batch; its last line without a line break when
/// `unterminated`.
fn render_batch(lines: &[Line], valid: &[String], unterminated: bool) -> String {
    let mut text = render(lines, valid);
    if unterminated && text.ends_with('\n') {
        text.pop();
    }
    text
}

/// The text of a batch.
fn render(lines: &[Line], valid: &[String]) -> String {
    let mut text = String::new();
    let valid_record = |n: usize, id: u8| {
        let record = &valid[n % valid.len()];
        let rest = record.split_once(',').map_or("}", |(_, rest)| rest);
        format!("{{\"case_id\":\"C-{id}\",{rest}")
    };
    for line in lines {
        match line {
            Line::Valid(n, id) => text.push_str(&valid_record(*n, *id)),
            Line::Crlf(n, id) => {
                text.push_str(&valid_record(*n, *id));
                text.push('\r');
            }
            Line::TooLong(id) => text.push_str(&format!(
                "{{\"case_id\":\"L-{id}\",\"port_of_entry\":\"{}\"}}",
                "x".repeat(MAX_RECORD)
            )),
            Line::BadJson => text.push_str("{\"case_id\":"),
            Line::WrongType(id) => {
                text.push_str(&format!("{{\"case_id\":\"C-{id}\",\"age\":\"old\"}}"));
            }
            Line::Blank => text.push_str("   "),
            Line::NoId => text.push_str("{\"program\":\"mpp-2019\"}"),
        }
        text.push('\n');
    }
    text
}

/// `eval` of `input` on standard input with `extra` arguments.
fn run(input: &str, extra: &[String]) -> Output {
    Test::new()
        .args(["eval", "--rules", RULES, "-", "--format"])
        .args(extra)
        .stdin(input.as_bytes().to_vec())
        .run()
}

/// Asserts that every N and chunk size gives what `--jobs 1` gives.
fn same_for_every_n(input: &str, format: &str, chunk: usize, extra: &[&str]) {
    let mut args: Vec<String> = vec![format.to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    let one = run(
        input,
        &[args.clone(), vec!["--jobs".into(), "1".into()]].concat(),
    );
    for jobs in 2..=4 {
        let more = [
            args.clone(),
            vec![
                "--jobs".into(),
                jobs.to_string(),
                "--chunk-bytes".into(),
                chunk.to_string(),
            ],
        ]
        .concat();
        let out = run(input, &more);
        assert_eq!(out.code, one.code, "exit code, --jobs {jobs}");
        assert_eq!(out.stdout, one.stdout, "stdout, --jobs {jobs}");
        assert_eq!(out.stderr, one.stderr, "stderr, --jobs {jobs}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_n_and_chunk_size_gives_what_one_job_gives(
        lines in prop::collection::vec(line(), 0..60),
        chunk in 1usize..2000,
        format in prop_oneof![Just("jsonl"), Just("csv"), Just("table"), Just("summary"), Just("flags")],
        strict in any::<bool>(),
        unterminated in any::<bool>(),
    ) {
        let input = render_batch(&lines, &valid_lines(), unterminated);
        let max = MAX_RECORD.to_string();
        let extra: &[&str] = if strict {
            &["--strict", "--max-record-bytes", &max]
        } else {
            &["--max-rejects", "50%", "--max-record-bytes", &max]
        };
        same_for_every_n(&input, format, chunk, extra);
    }
}

#[test]
fn a_rejects_file_and_the_summary_are_the_same_for_every_n() {
    let valid = valid_lines();
    let lines: Vec<Line> = (0..400)
        .map(|i| match i % 7 {
            0 => Line::BadJson,
            1 => Line::Blank,
            2 => Line::WrongType((i % 12) as u8),
            _ => Line::Valid(i, (i % 50) as u8),
        })
        .collect();
    let input = render(&lines, &valid);
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for jobs in 1..=3 {
        let rejects = dir.path().join(format!("rejects{jobs}.jsonl"));
        let out = Test::new()
            .args([
                "eval",
                "--rules",
                RULES,
                "-",
                "--chunk-bytes",
                "300",
                "--jobs",
            ])
            .arg(jobs.to_string())
            .arg("--rejects")
            .arg(&rejects)
            .stdin(input.as_bytes().to_vec())
            .status(4)
            .run();
        files.push((
            out.stdout,
            out.stderr,
            std::fs::read_to_string(&rejects).unwrap(),
        ));
    }
    assert!(files[0].2.contains("duplicate-case-id"));
    assert!(files.iter().all(|f| *f == files[0]));
}

#[test]
fn jobs_zero_is_a_usage_error() {
    let out = Test::new()
        .args([
            "eval",
            "--rules",
            RULES,
            "tests/fixtures/eval/cases.jsonl",
            "--jobs",
            "0",
        ])
        .status(2)
        .run();
    assert!(out.stderr.contains("--jobs"), "{}", out.stderr);
}

#[test]
fn warnings_about_unknown_fields_are_the_same_for_every_n() {
    let input: String = (0..200)
        .map(|i| format!("{{\"case_id\":\"U-{i}\",\"field_{}\":1}}\n", i % 9))
        .collect();
    let runs: Vec<Output> = (1..=3)
        .map(|jobs| {
            Test::new()
                .args([
                    "eval",
                    "--rules",
                    RULES,
                    "-",
                    "--format",
                    "flags",
                    "--chunk-bytes",
                    "64",
                    "--jobs",
                ])
                .arg(jobs.to_string())
                .stdin(input.as_bytes().to_vec())
                .status(0)
                .run()
        })
        .collect();
    assert!(runs[0]
        .stderr
        .contains("warning: field `field_0` is not in the schema"));
    assert!(runs[0].stderr.find("field_0").unwrap() < runs[0].stderr.find("field_8").unwrap());
    for run in &runs {
        assert_eq!(run.stdout, runs[0].stdout);
        assert_eq!(run.stderr, runs[0].stderr);
    }
}
