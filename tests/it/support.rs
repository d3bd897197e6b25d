//! A small builder for rule sets in temporary directories, in the spirit of
//! casey/just's tests: start from the shipped `rules/`, change files, run
//! `nrscreen check`, compare what it printed.

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// The repository's root.
pub(crate) fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// What a run of `nrscreen` printed, and its exit code.
#[derive(Debug)]
pub(crate) struct Output {
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) code: i32,
}

/// A rule set in `<tempdir>/rules`. `nrscreen` runs in `<tempdir>` and is
/// given the relative path `rules`, so file names in its output are stable.
pub(crate) struct RuleSet {
    temp: TempDir,
}

impl RuleSet {
    /// An empty `rules` directory.
    pub(crate) fn empty() -> RuleSet {
        let temp = tempfile::Builder::new()
            .prefix("nrscreen-it-")
            .tempdir()
            .expect("create a temporary directory");
        std::fs::create_dir(temp.path().join("rules")).expect("create rules/");
        RuleSet { temp }
    }

    /// A copy of the repository's `rules/` directory.
    pub(crate) fn standard() -> RuleSet {
        let set = RuleSet::empty();
        copy_dir(&repo_root().join("rules"), &set.dir());
        set
    }

    /// The rule-set directory.
    pub(crate) fn dir(&self) -> PathBuf {
        self.temp.path().join("rules")
    }

    /// The directory `nrscreen` runs in (the rule set's parent).
    pub(crate) fn cwd(&self) -> &Path {
        self.temp.path()
    }

    /// Writes (creates or overwrites) `name`, relative to the rule set.
    pub(crate) fn file(self, name: &str, contents: impl AsRef<[u8]>) -> RuleSet {
        let path = self.dir().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create a directory");
        }
        std::fs::write(&path, contents).expect("write a rule-set file");
        self
    }

    /// Appends to `name`.
    pub(crate) fn append(self, name: &str, contents: &str) -> RuleSet {
        let path = self.dir().join(name);
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        text.push_str(contents);
        self.file(name, text)
    }

    /// Removes `name` (a file).
    pub(crate) fn remove(self, name: &str) -> RuleSet {
        std::fs::remove_file(self.dir().join(name)).expect("remove a rule-set file");
        self
    }

    /// Runs `nrscreen check rules ARGS` (without colour).
    pub(crate) fn check(&self, args: &[&str]) -> Output {
        run_in(
            self.cwd(),
            &[&["check", "rules", "--color", "never"], args].concat(),
        )
    }
}

/// Runs the `nrscreen` binary in `cwd`, without colour.
pub(crate) fn run_in(cwd: &Path, args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_nrscreen"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .output()
        .expect("run nrscreen");
    Output {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        // A signal (e.g. a stack overflow) has no exit code.
        code: output.status.code().unwrap_or(-1),
    }
}

/// Copies a directory tree.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a directory");
    for entry in std::fs::read_dir(from).expect("read a directory") {
        let entry = entry.expect("read a directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// The last line of `text` (the summary line of `nrscreen check`).
pub(crate) fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or("")
}

/// Rules, definitions and tables of the shipped rule set, as `check` counts
/// them (read once, so tests do not break when the pack grows).
fn standard_counts() -> (usize, usize, usize) {
    static COUNTS: std::sync::OnceLock<(usize, usize, usize)> = std::sync::OnceLock::new();
    *COUNTS.get_or_init(|| {
        let output = RuleSet::standard().check(&[]);
        let numbers: Vec<usize> = output
            .stdout
            .lines()
            .last()
            .unwrap_or("")
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .collect();
        (numbers[0], numbers[1], numbers[2])
    })
}

/// The summary line of `check` for the shipped rule set with `rules` rules
/// and `defs` definitions added: `checked R rules, D definitions, T tables: {tail}`.
pub(crate) fn standard_summary(rules: usize, defs: usize, tail: &str) -> String {
    let (r, d, t) = standard_counts();
    format!(
        "checked {} rules, {} definitions, {t} tables: {tail}",
        r + rules,
        d + defs
    )
}
