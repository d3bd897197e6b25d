//! `nrscreen fmt`: the whole output for the cases in `tests/fixtures/fmt/`
//! (see its README.md), rewriting in place, `--check`, and the shipped rule
//! files being formatted.

use std::path::{Path, PathBuf};

use crate::harness::{repo_root, Test};

/// The case directories, sorted by name.
fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(repo_root().join("tests/fixtures/fmt"))
        .expect("read tests/fixtures/fmt")
        .map(|e| e.expect("read a fixture entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

#[test]
fn fixtures() {
    let cases = cases();
    assert!(cases.len() >= 2);
    for case in &cases {
        let relative = case.strip_prefix(repo_root()).unwrap();
        let input = std::fs::read(case.join("input.nrs")).unwrap();
        let broken = relative.to_string_lossy().contains("syntax-error");
        let output = Test::new()
            .args(["fmt", "-"])
            .stdin(input)
            .status(if broken { 1 } else { 0 })
            .stdout_file(relative.join(if broken {
                "expected.stdout"
            } else {
                "expected.nrs"
            }))
            .stderr_file(relative.join("expected.stderr"))
            .run();
        if !broken {
            // Formatted text is formatted.
            Test::new()
                .args(["fmt", "--check", "-"])
                .stdin(output.stdout.clone())
                .status(0)
                .stdout("")
                .run();
            Test::new()
                .args(["fmt", "-"])
                .stdin(output.stdout.clone())
                .stdout(output.stdout)
                .run();
        }
    }
}

/// A directory of rule files: two to format, one formatted, one broken,
/// one in a hidden directory (skipped, as the rule-set loader skips it).
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("rules/a.nrs", "def a=1 // one\n");
    write("rules/sub/b.nrs", "def b  =  [1,2]\n");
    write("rules/c.nrs", "def c = 3\n");
    write("rules/broken.nrs", "def d = (\n");
    write("rules/.hidden/e.nrs", "def e=1\n");
    write("rules/notes.txt", "def f=1\n");
    dir
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

#[test]
fn check_lists_the_files_that_differ_and_changes_nothing() {
    let dir = workspace();
    let output = Test::new()
        .current_dir(dir.path())
        .args(["fmt", "--check", "rules"])
        .status(1)
        .stdout("rules/a.nrs\nrules/sub/b.nrs\n")
        .run();
    assert!(
        output.stderr.contains("rules/broken.nrs:1:10"),
        "{}",
        output.stderr
    );
    assert!(output
        .stderr
        .contains("`rules/broken.nrs` has syntax errors; it is left as it is"));
    assert_eq!(read(dir.path(), "rules/a.nrs"), "def a=1 // one\n");
    assert_eq!(read(dir.path(), "rules/sub/b.nrs"), "def b  =  [1,2]\n");
}

#[test]
fn files_are_rewritten_in_place_and_broken_ones_left_alone() {
    let dir = workspace();
    let output = Test::new()
        .current_dir(dir.path())
        .args(["fmt", "rules"])
        .status(1)
        .stdout("")
        .run();
    assert!(
        output.stderr.contains("rules/broken.nrs"),
        "{}",
        output.stderr
    );
    assert_eq!(read(dir.path(), "rules/a.nrs"), "def a = 1 // one\n");
    assert_eq!(read(dir.path(), "rules/sub/b.nrs"), "def b = [1, 2]\n");
    assert_eq!(read(dir.path(), "rules/c.nrs"), "def c = 3\n");
    assert_eq!(read(dir.path(), "rules/broken.nrs"), "def d = (\n");
    assert_eq!(read(dir.path(), "rules/.hidden/e.nrs"), "def e=1\n");
    assert_eq!(read(dir.path(), "rules/notes.txt"), "def f=1\n");
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path().join("rules"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("nrscreen"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
    // A file named on its own is formatted whatever its name; now all is well.
    Test::new()
        .current_dir(dir.path())
        .args(["fmt", "rules/notes.txt", "rules/a.nrs"])
        .status(0)
        .run();
    assert_eq!(read(dir.path(), "rules/notes.txt"), "def f = 1\n");
    std::fs::remove_file(dir.path().join("rules/broken.nrs")).unwrap();
    Test::new()
        .current_dir(dir.path())
        .args(["fmt", "--check", "rules"])
        .status(0)
        .stdout("")
        .stderr("")
        .run();
}

#[test]
fn a_missing_file_is_an_io_error() {
    Test::new()
        .args(["fmt", "--check", "no/such/file.nrs"])
        .status(2)
        .run();
}

#[test]
fn the_shipped_rule_files_are_formatted() {
    Test::new()
        .args([
            "fmt",
            "--check",
            "rules",
            "tests/fixtures/eval/rules/fixture.nrs",
            "tests/fixtures/ruletest/rules/fixture.nrs",
        ])
        .status(0)
        .stdout("")
        .stderr("")
        .run();
}

#[test]
fn the_readme_example_holds() {
    Test::new()
        .args(["fmt", "-"])
        .stdin("def  a=[1,2] // the pair\n")
        .status(0)
        .stdout("def a = [1, 2] // the pair\n")
        .run();
    Test::new()
        .args(["fmt", "--check", "rules", "examples"])
        .status(0)
        .stdout("")
        .run();
}
