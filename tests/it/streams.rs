//! Inputs as they come: gzip and zstd (files and standard input, told by
//! their first bytes), byte-order marks, UTF-16, TSV; a file that cannot be
//! text is refused with one error, never read as thousands of bad records;
//! a compressed record too long is rejected like a plain one.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::harness::{last_line, repo_root, RuleSet, Test};

/// The rule set the tests evaluate with (see `eval_cli.rs`).
const RULES: &str = "tests/fixtures/eval/rules";

/// The accounting line of the example cases.
const ALL_EIGHT: &str = "read 8, evaluated 8, rejected 0; flagged 4, needs review 3, clear 1";

fn eval() -> Test {
    Test::new().args(["eval", "--rules", RULES])
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo_root().join("tests/fixtures/eval").join(name)).expect("fixture")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).expect("compress");
    encoder.finish().expect("compress")
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest)
}

/// The example cases as TSV (the CSV with tabs between cells).
fn tsv() -> Vec<u8> {
    let csv = fixture("cases.csv");
    let mut reader = csv::Reader::from_reader(&csv[..]);
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b'\t')
        .from_writer(Vec::new());
    writer
        .write_byte_record(reader.byte_headers().expect("header"))
        .expect("write");
    for row in reader.byte_records() {
        writer.write_byte_record(&row.expect("row")).expect("write");
    }
    writer.into_inner().expect("tsv")
}

/// Text as UTF-16 (little- or big-endian), with or without a byte-order
/// mark.
fn utf16(bytes: &[u8], big_endian: bool, bom: bool) -> Vec<u8> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let mut out = Vec::new();
    if bom {
        out.extend(if big_endian {
            [0xfe, 0xff]
        } else {
            [0xff, 0xfe]
        });
    }
    for unit in text.encode_utf16() {
        out.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    out
}

/// What the example cases give in JSON Lines, read plainly.
fn expected_output() -> String {
    eval()
        .arg("tests/fixtures/eval/cases.jsonl")
        .status(0)
        .run()
        .stdout
}

/// Writes `bytes` to `dir/name`.
fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

/// Runs `eval` on `path` and checks it gives `expected` with every case.
fn same_output(path: &Path, expected: &str) {
    let out = eval().arg(path).status(0).stdout(expected).run();
    assert_eq!(last_line(&out.stderr), ALL_EIGHT, "{}", path.display());
}

#[test]
fn gzip_and_zstd_files_read_as_their_plain_text_and_are_named_by_what_is_inside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let expected = expected_output();
    let jsonl = fixture("cases.jsonl");
    let csv = fixture("cases.csv");
    let mut two_members = gzip(&jsonl[..200]);
    two_members.extend(gzip(&jsonl[200..]));
    for (name, bytes) in [
        ("cases.jsonl.gz", gzip(&jsonl)),
        ("members.jsonl.gz", two_members),
        ("cases.ndjson.zst", zstd(&jsonl)),
        ("cases.csv.gz", gzip(&csv)),
        ("cases.csv.zstd", zstd(&csv)),
        ("cases.tsv.zst", zstd(&tsv())),
        ("CASES.CSV.GZ", gzip(&csv)),
        // The first bytes decide, not the name.
        ("compressed-but-named.jsonl", gzip(&jsonl)),
    ] {
        same_output(&write(dir.path(), name, &bytes), &expected);
    }
    // The format is named under the suffix: a bare `.gz` names none.
    let out = eval()
        .arg(write(dir.path(), "cases.gz", &gzip(&jsonl)))
        .status(2)
        .run();
    assert!(
        out.stderr.contains("cannot tell the format of"),
        "{}",
        out.stderr
    );
}

#[test]
fn compressed_standard_input_is_decompressed_too() {
    let expected = expected_output();
    let jsonl = fixture("cases.jsonl");
    for bytes in [gzip(&jsonl), zstd(&jsonl)] {
        let out = eval().arg("-").stdin(bytes).status(0).run();
        assert_eq!(out.stdout, expected);
    }
    let out = eval()
        .args(["--input-format", "csv", "-"])
        .stdin(zstd(&fixture("cases.csv")))
        .status(0)
        .run();
    assert_eq!(out.stdout, expected);
    assert_eq!(last_line(&out.stderr), ALL_EIGHT);
}

#[test]
fn a_utf8_byte_order_mark_no_longer_hides_the_first_csv_column() {
    // Spreadsheets save CSV with a byte-order mark; it was read as part of
    // the first header name (`\u{feff}case_id`), so no record had a case id.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(fixture("cases.csv"));
    let path = write(dir.path(), "excel.csv", &bytes);
    let out = eval().arg(&path).status(0).stdout(expected_output()).run();
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    assert_eq!(last_line(&out.stderr), ALL_EIGHT);
}

#[test]
fn utf16_with_a_byte_order_mark_is_decoded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let expected = expected_output();
    same_output(
        &write(
            dir.path(),
            "le.csv",
            &utf16(&fixture("cases.csv"), false, true),
        ),
        &expected,
    );
    same_output(
        &write(
            dir.path(),
            "be.jsonl",
            &utf16(&fixture("cases.jsonl"), true, true),
        ),
        &expected,
    );
    same_output(
        &write(dir.path(), "le.tsv.gz", &gzip(&utf16(&tsv(), false, true))),
        &expected,
    );
}

#[test]
fn utf16_without_a_byte_order_mark_is_refused_with_one_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, bytes) in [
        ("no-bom.csv", utf16(&fixture("cases.csv"), false, false)),
        (
            "no-bom.jsonl.gz",
            gzip(&utf16(&fixture("cases.jsonl"), true, false)),
        ),
    ] {
        let path = write(dir.path(), name, &bytes);
        let out = eval().arg(&path).status(2).stdout("").run();
        let errors: Vec<&str> = out
            .stderr
            .lines()
            .filter(|l| l.starts_with("error"))
            .collect();
        assert_eq!(errors.len(), 1, "{}", out.stderr);
        assert!(errors[0].contains("looks like UTF-16"), "{}", out.stderr);
        assert!(!out.stderr.contains("rejected:"), "{}", out.stderr);
        assert_eq!(
            last_line(&out.stderr),
            "read 0, evaluated 0, rejected 0; flagged 0, needs review 0, clear 0"
        );
    }
}

#[test]
fn other_compressions_and_archives_are_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, bytes, what) in [
        (
            "a.jsonl",
            &b"\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4\x46"[..],
            "xz-compressed",
        ),
        ("a.csv", &b"PK\x03\x04\x14\x00\x06\x00"[..], "a ZIP archive"),
    ] {
        let out = eval().arg(write(dir.path(), name, bytes)).status(2).run();
        assert!(out.stderr.contains(what), "{}", out.stderr);
    }
}

#[test]
fn damaged_compressed_input_is_an_input_error() {
    let mut cut = gzip(&fixture("cases.jsonl"));
    cut.truncate(cut.len() - 10);
    let out = eval().arg("-").stdin(cut).status(2).run();
    assert!(
        out.stderr.contains("error: reading `-` failed"),
        "{}",
        out.stderr
    );
}

#[test]
fn tsv_is_read_by_extension_and_by_flag() {
    let dir = tempfile::tempdir().expect("tempdir");
    let expected = expected_output();
    for name in ["cases.tsv", "cases.tab", "CASES.TSV"] {
        same_output(&write(dir.path(), name, &tsv()), &expected);
    }
    let out = eval()
        .args(["--input-format", "tsv", "-"])
        .stdin(tsv())
        .status(0)
        .run();
    assert_eq!(out.stdout, expected);
    // A TSV row is rejected with its line like a CSV one.
    let bad = b"case_id\tage\tprogram\nT-1\t30\tmpp-2019\nT-2\tthirty\tmpp-2012\n";
    let out = eval()
        .args(["--input-format", "tsv", "-"])
        .stdin(&bad[..])
        .status(4)
        .run();
    assert!(
        out.stderr.contains(
            "rejected: -:3 (case T-2): field `age`: `thirty` is not a whole number; field `program`: `mpp-2012`"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn a_tab_separated_file_read_as_csv_is_refused_with_one_error() {
    // Before TSV was read, its whole header was one column: every record was
    // rejected for having no case id.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "export.csv", &tsv());
    let out = eval().arg(&path).status(2).stdout("").run();
    assert!(
        out.stderr.contains("looks tab-separated") && out.stderr.contains("--input-format tsv"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("rejected:"), "{}", out.stderr);
    // A `;`-separated spreadsheet export likewise.
    let path = write(dir.path(), "semicolons.csv", b"case_id;age\nA;3\n");
    let out = eval().arg(&path).status(2).run();
    assert!(out.stderr.contains("holding `;`"), "{}", out.stderr);
}

#[test]
fn a_compressed_record_too_long_is_rejected_without_being_held() {
    // One line of 16 MiB that compresses to a few kilobytes: gzip members
    // one after another are one stream, so a 1 MiB member repeated makes it.
    let chunk = gzip(&vec![b'x'; 1 << 20]);
    let mut bomb = gzip(b"{\"case_id\":\"A\",\"port_of_entry\":\"");
    for _ in 0..16 {
        bomb.extend(&chunk);
    }
    bomb.extend(gzip(b"\"}\n{\"case_id\":\"B\"}\n"));
    assert!(bomb.len() < 100_000, "{}", bomb.len());
    let out = eval()
        .args(["--max-record-bytes", "100000", "--format", "flags", "-"])
        .stdin(bomb)
        .status(4)
        .stdout("{\"case_id\":\"B\",\"flags\":[]}\n")
        .run();
    assert!(
        out.stderr
            .contains("rejected: -:1: the record is longer than 100000 bytes"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("1 × too-long (line 1)"),
        "{}",
        out.stderr
    );
    assert_eq!(
        last_line(&out.stderr),
        "read 2, evaluated 1, rejected 1; flagged 0, needs review 1, clear 0"
    );
}

#[test]
fn a_rule_test_may_take_its_record_from_a_compressed_file() {
    let cases = std::fs::read(repo_root().join("rules/examples/cases.jsonl")).expect("cases");
    let set = RuleSet::standard()
        .file("examples/cases.jsonl.gz", gzip(&cases))
        .file(
            "tests/compressed.toml",
            "[[test]]\nname = \"from a gzip file\"\n\
             record = { file = \"examples/cases.jsonl.gz\", case_id = \"A-0000014\" }\n\
             flagged = [\"danger-of-return\", \"chain-refoulement-risk\"]\n",
        );
    let out = Test::new()
        .rule_set(set)
        .args(["test", "rules", "--filter", "from a gzip file"])
        .status(0)
        .run();
    assert!(
        out.stdout.ends_with("1 passed, 0 failed\n"),
        "{}",
        out.stdout
    );
}
