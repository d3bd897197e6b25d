//! `nrscreen map check` on mappings with mistakes: every case in
//! `tests/fixtures/map/` (a `mapping.toml`, perhaps value-table files, run
//! over the shared `input.csv`), compared as whole rendered text. Every
//! mistake is a diagnostic with file:line:col, the source line and a hint.
//!
//! `NRSCREEN_BLESS=1 cargo test --test it` rewrites the `expected.txt` files
//! instead of comparing; review the diff before committing it.

use std::path::{Path, PathBuf};

use crate::harness::{
    compare_with_file, fail_with_differences, rendered, repo_root, RuleSet, Test,
};

/// The suite must keep at least this many cases.
const MIN_CASES: usize = 15;

fn fixtures() -> PathBuf {
    repo_root().join("tests/fixtures/map")
}

/// The case directories, sorted by name.
fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("read tests/fixtures/map")
        .map(|e| e.expect("read a fixture entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// Runs `map check mapping.toml input.csv` beside a copy of the standard
/// rule set, with the case's files and the shared input copied in.
fn run(case: &Path) -> String {
    let set = RuleSet::standard();
    for entry in std::fs::read_dir(case).expect("read a case") {
        let path = entry.expect("a case file").path();
        let name = path.file_name().expect("a file name");
        if name != "expected.txt" {
            std::fs::copy(&path, set.cwd().join(name)).expect("copy a case file");
        }
    }
    std::fs::copy(fixtures().join("input.csv"), set.cwd().join("input.csv")).expect("copy input");
    let output = Test::new()
        .rule_set(set)
        .args(["map", "check", "mapping.toml", "input.csv"])
        .run();
    rendered(&output)
}

#[test]
fn mapping_fixtures() {
    let cases = cases();
    assert!(
        cases.len() >= MIN_CASES,
        "only {} mapping cases in tests/fixtures/map",
        cases.len()
    );
    let differences: Vec<String> = cases
        .iter()
        .filter_map(|case| compare_with_file(case.join("expected.txt"), &run(case)).err())
        .collect();
    fail_with_differences("mapping fixtures", &differences);
}

#[test]
fn every_mistake_points_into_the_mapping() {
    // Each error case names the mapping (or its table file) with a line and
    // column, so the user can go straight to it.
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("clean-") {
            continue;
        }
        let text = run(&case);
        assert!(
            text.starts_with("exit: 1\n"),
            "{name}: a broken mapping must exit 1:\n{text}"
        );
        let located = text.lines().any(|l| {
            l.contains("┌─ mapping.toml:")
                || l.contains("┌─ countries.toml:")
                || l.contains("mapping.toml:")
        });
        assert!(located, "{name}: no file:line:col in\n{text}");
    }
}
