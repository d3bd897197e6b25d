//! Rule-set files on disk: only regular files are read (a FIFO is named,
//! never opened), none over the size limit, and links to directories are
//! followed only inside the rule set, each directory once.

use std::time::Duration;

use crate::harness::{standard_summary, RuleSet, Test};

/// Long enough for a debug build on a busy machine; these runs used to hang.
const HANG: Duration = Duration::from_secs(120);

/// Runs `check` on `set` (killed if it hangs): the exit code must be
/// `status` and the output must contain `expected`; returns the output.
fn check_says(set: RuleSet, status: i32, expected: &str) -> String {
    let out = set.check().time_limit(HANG).status(status).run();
    assert!(out.stdout.contains(expected), "{}", out.stdout);
    out.stdout
}

/// Makes a FIFO at `path` (replacing a file there).
#[cfg(unix)]
fn mkfifo(path: &std::path::Path) {
    let _ = std::fs::remove_file(path);
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn a_fifo_rule_file_is_named_not_opened() {
    let set = RuleSet::standard();
    mkfifo(&set.dir().join("pipe.nrs"));
    check_says(
        set,
        1,
        "error[not-a-file]: `rules/pipe.nrs` is a named pipe (FIFO), not a regular file",
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_table_file_is_named_where_the_manifest_names_it() {
    let set = RuleSet::standard();
    mkfifo(&set.dir().join("tables/advisories.toml"));
    check_says(set, 1, "error[not-a-file]: `rules/tables/advisories.toml` is a named pipe (FIFO), not a regular file\n  --> rules/ruleset.toml:");
    // eval stops at the rule set's errors instead of waiting for a writer.
    let set = RuleSet::standard();
    mkfifo(&set.dir().join("helpers.nrs"));
    Test::new()
        .rule_set(set)
        .args(["eval", "--rules", "rules", "-"])
        .stdin("")
        .time_limit(HANG)
        .status(1)
        .run();
}

#[cfg(unix)]
#[test]
fn a_fifo_manifest_is_named_not_opened() {
    let set = RuleSet::standard();
    mkfifo(&set.dir().join("ruleset.toml"));
    check_says(
        set,
        1,
        "`rules/ruleset.toml` is a named pipe (FIFO), not a regular file",
    );
}

#[cfg(unix)]
#[test]
fn a_directory_where_a_table_file_is_named_is_reported() {
    let set = RuleSet::standard().remove("tables/advisories.toml");
    std::fs::create_dir(set.dir().join("tables/advisories.toml")).expect("mkdir");
    check_says(
        set,
        1,
        "`rules/tables/advisories.toml` is a directory, not a regular file",
    );
}

#[cfg(unix)]
#[test]
fn directory_links_that_loop_are_read_once() {
    use std::os::unix::fs::symlink;
    let set = RuleSet::standard().file("sub/extra.nrs", "def extra = 1\n");
    symlink(".", set.dir().join("loop")).expect("symlink");
    symlink("..", set.dir().join("sub/up")).expect("symlink");
    symlink("sub", set.dir().join("again")).expect("symlink");
    // Before: `extra` defined twice (or many times, or a hang).
    let stdout = check_says(set, 0, "--> rules/sub/extra.nrs:1:5");
    assert_eq!(
        stdout.lines().last(),
        Some(standard_summary(0, 1, "0 errors, 1 warning").as_str()),
        "{stdout}"
    );
}

#[cfg(unix)]
#[test]
fn a_directory_link_out_of_the_rule_set_is_an_error_not_followed() {
    use std::os::unix::fs::symlink;
    let set = RuleSet::standard();
    let shared = set.cwd().join("shared");
    std::fs::create_dir(&shared).expect("mkdir");
    std::fs::write(shared.join("extra.nrs"), "def extra = 1\n").expect("write");
    symlink("../shared", set.dir().join("shared")).expect("symlink");
    let stdout = check_says(
        set,
        1,
        "error[link-out-of-rule-set]: `rules/shared` links to `",
    );
    assert!(!stdout.contains("extra"), "{stdout}");
}

#[cfg(unix)]
#[test]
fn a_link_to_a_rule_file_outside_is_read() {
    use std::os::unix::fs::symlink;
    let set = RuleSet::standard();
    std::fs::write(set.cwd().join("extra.nrs"), "def extra = 1\n").expect("write");
    symlink("../extra.nrs", set.dir().join("extra.nrs")).expect("symlink");
    check_says(set, 0, "--> rules/extra.nrs:1:5");
}

#[test]
fn a_table_file_over_the_size_limit_is_refused_unread() {
    let set = RuleSet::standard();
    // Sparse: 64 MiB and a byte, without writing them.
    std::fs::File::options()
        .write(true)
        .open(set.dir().join("tables/advisories.toml"))
        .and_then(|f| f.set_len(64 * 1024 * 1024 + 1))
        .expect("grow the table file");
    check_says(set, 1, "error[file-too-large]: `rules/tables/advisories.toml` has 67108865 bytes, more than the 64 MiB a rule-set file may have");
}

#[cfg(unix)]
#[test]
fn fifos_among_the_rule_tests_are_named_not_opened() {
    let set = RuleSet::standard().file(
        "tests/from-a-pipe.toml",
        "[[test]]\nname = \"piped\"\nclear = []\nrecord = { file = \"pipe.jsonl\", case_id = \"A1\" }\n",
    );
    mkfifo(&set.dir().join("tests/pipe.toml"));
    mkfifo(&set.dir().join("pipe.jsonl"));
    let out = Test::new()
        .rule_set(set)
        .args(["test", "rules"])
        .time_limit(HANG)
        .status(1)
        .run();
    for expected in [
        "error[not-a-file]: `rules/tests/pipe.toml` is a named pipe (FIFO), not a regular file",
        "`pipe.jsonl` is a named pipe (FIFO), not a regular file",
    ] {
        assert!(out.stdout.contains(expected), "{expected}\n{}", out.stdout);
    }
}
