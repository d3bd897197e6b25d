//! The shipped mapping profiles on their synthetic samples, end to end:
//! `maps/cms-example.toml` on `examples/data/cms-export.csv` (UTF-8 with a
//! byte-order mark, CRLF, Yes/No answers, MM/DD/YYYY dates, English country
//! and language names) and `maps/eoir-proceedings.toml` on
//! `examples/data/eoir-proceedings-sample.tsv` (Latin-1, backslash escapes,
//! timestamps, court codes). Each screens without any preprocessing; its
//! output, messages and `map check` report are compared with the files in
//! `tests/fixtures/profiles/` (`NRSCREEN_BLESS=1` rewrites them).

use std::io::Write as _;

use crate::harness::{compare_with_file, fail_with_differences, repo_root, Test};

/// A profile, its sample, and the name of its fixture directory.
const PROFILES: [(&str, &str, &str); 2] = [
    (
        "maps/cms-example.toml",
        "examples/data/cms-export.csv",
        "cms",
    ),
    (
        "maps/eoir-proceedings.toml",
        "examples/data/eoir-proceedings-sample.tsv",
        "eoir",
    ),
];

fn fixture(dir: &str, name: &str) -> std::path::PathBuf {
    repo_root()
        .join("tests/fixtures/profiles")
        .join(dir)
        .join(name)
}

#[test]
fn each_profile_screens_its_sample_as_expected() {
    let mut differences = Vec::new();
    for (mapping, sample, dir) in PROFILES {
        let eval = Test::new().args(["eval", "--map", mapping, sample]).run();
        assert_eq!(eval.code, 0, "{}", eval.stderr);
        differences.extend(compare_with_file(fixture(dir, "eval.jsonl"), &eval.stdout).err());
        differences.extend(compare_with_file(fixture(dir, "eval.stderr"), &eval.stderr).err());
        let check = Test::new().args(["map", "check", mapping, sample]).run();
        assert_eq!(check.code, 0, "{}", check.stderr);
        differences.extend(compare_with_file(fixture(dir, "map-check.txt"), &check.stdout).err());
    }
    fail_with_differences("profiles", &differences);
}

#[test]
fn a_compressed_sample_gives_the_same_findings() {
    for (mapping, sample, _) in PROFILES {
        let plain = Test::new().args(["eval", "--map", mapping, sample]).run();
        let bytes = std::fs::read(repo_root().join(sample)).unwrap();
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gzip.write_all(&bytes).unwrap();
        let packed = gzip.finish().unwrap();
        // On standard input, told by its first bytes.
        let piped = Test::new()
            .args(["eval", "--map", mapping, "-"])
            .stdin(packed)
            .run();
        assert_eq!(piped.code, 0, "{}", piped.stderr);
        assert_eq!(piped.stdout, plain.stdout, "{sample} through gzip");
    }
}

#[test]
fn the_eoir_sample_keeps_escaped_tabs_and_reads_court_codes() {
    let (mapping, sample, _) = PROFILES[1];
    let output = Test::new().args(["eval", "--map", mapping, sample]).run();
    // Every row has its 22 cells: the escaped tab of proceeding 8200018
    // stays inside its cell.
    assert!(output.stderr.contains("rejected 0;"), "{}", output.stderr);
    assert!(output.stdout.contains(r#"{"case_id":"8200018""#));
    // Court codes become ISO codes (`HO` is Honduras, `ES` El Salvador);
    // unverified codes (`SS`) stay unknown.
    assert!(output.stdout.contains(r#""nationality":"HN""#));
    assert!(output.stdout.contains(r#""nationality":"SV""#));
    assert!(!output.stdout.contains(r#""nationality":"ES""#));
}
