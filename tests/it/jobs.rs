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

/// A file (read straight into the chunks, past the reader's buffer) and
/// the same file gzip-compressed give what `--jobs 1` gives, for chunks
/// smaller and larger than a read: lines crossing reads and chunks, long
/// lines cut, CR LF, blank lines, a last line without a line break.
#[test]
fn files_and_gzip_files_give_what_one_job_gives_for_every_chunk_size() {
    let valid = valid_lines();
    let lines: Vec<Line> = (0..3000)
        .map(|i| match i % 11 {
            0 => Line::BadJson,
            1 => Line::Blank,
            2 => Line::TooLong((i % 12) as u8),
            3 => Line::Crlf(i, (i % 40) as u8),
            4 => Line::NoId,
            _ => Line::Valid(i, (i % 60) as u8),
        })
        .collect();
    let input = render_batch(&lines, &valid, true);
    assert!(input.len() > 3 << 16, "longer than a few reads");
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("cases.jsonl");
    std::fs::write(&plain, &input).unwrap();
    let gzip = dir.path().join("cases.jsonl.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut encoder, input.as_bytes()).unwrap();
    std::fs::write(&gzip, encoder.finish().unwrap()).unwrap();
    let max = MAX_RECORD.to_string();
    for file in [&plain, &gzip] {
        let eval = |jobs: usize, chunk: usize| {
            Test::new()
                .args(["eval", "--rules", RULES, "--format", "jsonl"])
                .args(["--max-rejects", "50%", "--max-record-bytes", &max])
                .arg(file)
                .arg("--jobs")
                .arg(jobs.to_string())
                .arg("--chunk-bytes")
                .arg(chunk.to_string())
                .run()
        };
        let one = eval(1, 1);
        assert!(one.stderr.contains("too-long"), "{}", one.stderr);
        for chunk in [1, 333, 4096, 65535, 65536, 100_000, 1 << 20] {
            let two = eval(2, chunk);
            assert_eq!(two.code, one.code, "exit code, {file:?}, chunk {chunk}");
            assert_eq!(two.stdout, one.stdout, "stdout, {file:?}, chunk {chunk}");
            assert_eq!(two.stderr, one.stderr, "stderr, {file:?}, chunk {chunk}");
        }
    }
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

/// One row of a generated CSV batch.
#[derive(Clone, Debug)]
enum Row {
    /// Valid row `n` of the example CSV, with case id `id`.
    Valid(usize, u8),
    /// A row with a cell too few.
    Short(u8),
    /// A value of the wrong type.
    WrongType(u8),
    /// A quoted cell holding a line break.
    Multiline(u8),
}

fn row() -> impl Strategy<Value = Row> {
    prop_oneof![
        6 => (0usize..8, 0u8..12).prop_map(|(n, id)| Row::Valid(n, id)),
        1 => (0u8..12).prop_map(Row::Short),
        1 => (0u8..12).prop_map(Row::WrongType),
        1 => (0u8..12).prop_map(Row::Multiline),
    ]
}

/// The text of a CSV batch: the example's header, then `rows`.
fn render_csv(rows: &[Row]) -> String {
    let text = std::fs::read_to_string("tests/fixtures/eval/cases.csv").unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let valid: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).collect();
    let columns = header.split(',').count();
    let mut out = format!("{header}\n");
    for row in rows {
        let line = match row {
            Row::Valid(n, id) => {
                let rest = valid[n % valid.len()].split_once(',').unwrap().1;
                format!("C-{id},{rest}")
            }
            Row::Short(id) => format!("C-{id}{}", ",".repeat(columns - 2)),
            Row::WrongType(id) => format!("C-{id},mpp-2019,not-a-date{}", ",".repeat(columns - 3)),
            Row::Multiline(id) => format!("C-{id},mpp-2019,,,true,,,,,true,,\"Ciudad\nJuárez\",,,"),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// CSV is read on one thread and evaluated by the workers: the same
    /// stdout, stderr and exit code for every N and chunk size.
    #[test]
    fn csv_gives_what_one_job_gives(
        rows in prop::collection::vec(row(), 0..50),
        chunk in 1usize..4000,
        format in prop_oneof![Just("jsonl"), Just("csv"), Just("summary"), Just("flags")],
        strict in any::<bool>(),
    ) {
        let input = render_csv(&rows);
        let extra: &[&str] = if strict {
            &["--strict", "--input-format", "csv"]
        } else {
            &["--max-rejects", "50%", "--input-format", "csv"]
        };
        same_for_every_n(&input, format, chunk, extra);
    }
}

#[test]
fn mapped_inputs_give_what_one_job_gives() {
    // The shipped profiles on their samples, including the warnings about
    // values no table covered and the rejected rows.
    for (map, file) in [
        ("maps/cms-example.toml", "examples/data/cms-export.csv"),
        (
            "maps/eoir-proceedings.toml",
            "examples/data/eoir-proceedings-sample.tsv",
        ),
    ] {
        let run = |jobs: &str, chunk: &str| {
            Test::new()
                .args(["eval", "--rules", "rules", "--map", map, file])
                .args([
                    "--max-rejects",
                    "100%",
                    "--jobs",
                    jobs,
                    "--chunk-bytes",
                    chunk,
                ])
                .run()
        };
        let one = run("1", "1048576");
        for (jobs, chunk) in [("2", "600"), ("3", "1500"), ("2", "1048576")] {
            let more = run(jobs, chunk);
            assert_eq!(more.code, one.code, "{map}: exit code, --jobs {jobs}");
            assert_eq!(more.stdout, one.stdout, "{map}: stdout, --jobs {jobs}");
            assert_eq!(more.stderr, one.stderr, "{map}: stderr, --jobs {jobs}");
        }
    }
}

#[test]
fn a_case_id_repeated_in_a_later_input_file_is_a_duplicate_for_every_n() {
    // The id set is lent to the workers for one input and given back for
    // the next: a repeat across files (JSON Lines, CSV, JSON Lines) is
    // caught.
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.jsonl");
    let second = dir.path().join("second.csv");
    std::fs::write(&first, "{\"case_id\":\"A1\"}\n{\"case_id\":\"A2\"}\n").unwrap();
    let third = dir.path().join("third.jsonl");
    std::fs::write(&second, "case_id,age\nA3,30\nA1,31\n").unwrap();
    std::fs::write(&third, "{\"case_id\":\"A4\"}\n{\"case_id\":\"A3\"}\n").unwrap();
    let outputs: Vec<_> = ["1", "2", "3"]
        .iter()
        .map(|jobs| {
            let out = Test::new()
                .args([
                    "eval", "--rules", RULES, "--format", "summary", "--jobs", jobs,
                ])
                .arg(&first)
                .arg(&second)
                .arg(&third)
                .status(4)
                .run();
            (out.stdout, out.stderr)
        })
        .collect();
    assert!(outputs[0].1.contains("duplicate"), "{}", outputs[0].1);
    assert!(outputs[0].1.contains("second.csv:3"), "{}", outputs[0].1);
    assert!(outputs[0].1.contains("third.jsonl:2"), "{}", outputs[0].1);
    assert!(outputs.iter().all(|o| *o == outputs[0]));
}
