//! The one way the integration tests run `nrscreen`: the [`Test`] builder,
//! modelled on casey/just's `tests/test.rs`. A test says what to run
//! (arguments, standard input, where) and what it expects (exit code,
//! standard output and standard error, as text or as an expected file);
//! [`Test::run`] runs the binary, checks every expectation set, and returns
//! the [`Output`] for any further assertion.
//!
//! Rule sets live in temporary directories ([`RuleSet`]): a copy of the
//! shipped `rules/`, or empty, with files written over it.
//!
//! Expected files are compared by [`compare_with_file`]. Whether a mismatch
//! rewrites the file instead is decided in one place, [`bless_requested`]:
//! only when `NRSCREEN_BLESS` is exactly `1`.

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The environment variable that asks for expected files to be rewritten.
const BLESS_VAR: &str = "NRSCREEN_BLESS";

/// How to accept new output, for failure messages.
const BLESS_HINT: &str = "If the new output is right, run `NRSCREEN_BLESS=1 cargo test --test it` \
     to rewrite the expected files, and review their diff before committing \
     (any other value of NRSCREEN_BLESS compares).";

/// The repository's root.
pub(crate) fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// What a run of `nrscreen` printed, and its exit code.
#[derive(Debug)]
pub(crate) struct Output {
    /// Standard output (lossily decoded).
    pub(crate) stdout: String,
    /// Standard error (lossily decoded).
    pub(crate) stderr: String,
    /// The exit code; -1 when a signal ended the process.
    pub(crate) code: i32,
}

/// What an output stream must be.
enum Expected {
    /// Exactly this text.
    Text(String),
    /// Exactly the contents of this file (rewritten when blessing).
    File(PathBuf),
}

/// One run of the `nrscreen` binary and what it must give. Without
/// `rule_set` it runs in the repository root; it runs with `NO_COLOR=1`
/// (unless `colour_by_flag`) and without `RUST_LOG`. Only the expectations set
/// are checked.
pub(crate) struct Test {
    /// The arguments after the program name.
    args: Vec<OsString>,
    /// Where it runs.
    cwd: PathBuf,
    /// The rule set it runs beside, kept alive as long as the test.
    rule_set: Option<RuleSet>,
    /// Whether `NO_COLOR=1` is set (the default), or left out so that only
    /// `--color` decides.
    no_color: bool,
    /// Standard input; without it, standard input is empty.
    stdin: Option<Vec<u8>>,
    /// The expected exit code.
    status: Option<i32>,
    /// The expected standard output.
    stdout: Option<Expected>,
    /// The expected standard error.
    stderr: Option<Expected>,
    /// How long the run may take before it is killed and the test fails
    /// (for runs that could hang); without it, the run may take any time.
    time_limit: Option<Duration>,
}

impl Test {
    /// A run of `nrscreen` with no arguments, in the repository root.
    pub(crate) fn new() -> Test {
        Test {
            args: Vec::new(),
            cwd: repo_root().to_path_buf(),
            rule_set: None,
            no_color: true,
            stdin: None,
            status: None,
            stdout: None,
            stderr: None,
            time_limit: None,
        }
    }

    /// Adds one argument.
    pub(crate) fn arg(mut self, arg: impl AsRef<OsStr>) -> Test {
        self.args.push(arg.as_ref().to_os_string());
        self
    }

    /// Adds arguments.
    pub(crate) fn args<I, S>(self, args: I) -> Test
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        args.into_iter().fold(self, Test::arg)
    }

    /// Runs without `NO_COLOR`, so that colour follows `--color` alone.
    pub(crate) fn colour_by_flag(mut self) -> Test {
        self.no_color = false;
        self
    }

    /// Feeds `bytes` on standard input.
    pub(crate) fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Test {
        self.stdin = Some(bytes.into());
        self
    }

    /// Runs beside `set`, in its parent directory, so the rule set is the
    /// relative path `rules` and file names in the output are stable.
    pub(crate) fn rule_set(mut self, set: RuleSet) -> Test {
        self.cwd = set.cwd().to_path_buf();
        self.rule_set = Some(set);
        self
    }

    /// Runs in `dir` (which must outlive the run), for runs beside a rule
    /// set the test keeps using.
    pub(crate) fn current_dir(mut self, dir: &Path) -> Test {
        self.cwd = dir.to_path_buf();
        self
    }

    /// Fails the test (after killing `nrscreen`) if the run takes longer
    /// than `limit`: for runs that used to hang.
    pub(crate) fn time_limit(mut self, limit: Duration) -> Test {
        self.time_limit = Some(limit);
        self
    }

    /// Expects the exit code `code`.
    pub(crate) fn status(mut self, code: i32) -> Test {
        self.status = Some(code);
        self
    }

    /// Expects exactly `text` on standard output.
    pub(crate) fn stdout(mut self, text: impl Into<String>) -> Test {
        self.stdout = Some(Expected::Text(text.into()));
        self
    }

    /// Expects standard output to be the file `path` (relative to the
    /// repository root), which blessing rewrites.
    pub(crate) fn stdout_file(mut self, path: impl AsRef<Path>) -> Test {
        self.stdout = Some(Expected::File(repo_root().join(path)));
        self
    }

    /// Expects exactly `text` on standard error.
    pub(crate) fn stderr(mut self, text: impl Into<String>) -> Test {
        self.stderr = Some(Expected::Text(text.into()));
        self
    }

    /// Expects standard error to be the file `path` (relative to the
    /// repository root), which blessing rewrites.
    pub(crate) fn stderr_file(mut self, path: impl AsRef<Path>) -> Test {
        self.stderr = Some(Expected::File(repo_root().join(path)));
        self
    }

    /// Runs `nrscreen`, panics unless every expectation set holds, and
    /// returns what it printed. A test may run more than once.
    pub(crate) fn run(&self) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_nrscreen"));
        if self.no_color {
            command.env("NO_COLOR", "1");
        } else {
            command.env_remove("NO_COLOR");
        }
        let mut child = command
            .args(&self.args)
            .current_dir(&self.cwd)
            .env_remove("RUST_LOG")
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run nrscreen: {e}"));
        let pipe = child.stdin.take();
        let (stdout_pipe, stderr_pipe) = (child.stdout.take(), child.stderr.take());
        let (status, stdout, stderr) = std::thread::scope(|scope| {
            if let (Some(mut pipe), Some(bytes)) = (pipe, &self.stdin) {
                scope.spawn(move || {
                    // nrscreen may stop reading early (after a usage error):
                    // that is its answer to check, not a harness failure.
                    if let Err(e) = pipe.write_all(bytes) {
                        assert_eq!(
                            e.kind(),
                            std::io::ErrorKind::BrokenPipe,
                            "cannot write standard input: {e}"
                        );
                    }
                });
            }
            let stdout = scope.spawn(move || read_to_end(stdout_pipe));
            let stderr = scope.spawn(move || read_to_end(stderr_pipe));
            let status = self.wait(&mut child);
            (
                status,
                stdout.join().expect("read standard output"),
                stderr.join().expect("read standard error"),
            )
        });
        let output = Output {
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            code: status.code().unwrap_or(-1),
        };
        self.check(&output);
        output
    }

    /// Waits for `child` to end; past the time limit, kills it and panics.
    fn wait(&self, child: &mut std::process::Child) -> std::process::ExitStatus {
        let Some(limit) = self.time_limit else {
            return child
                .wait()
                .unwrap_or_else(|e| panic!("cannot wait for nrscreen: {e}"));
        };
        let deadline = Instant::now() + limit;
        loop {
            match child.try_wait() {
                Ok(Some(status)) => return status,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "`{}` did not finish within {limit:?} (it hangs?); it was killed",
                        self.command_line()
                    );
                }
                Err(e) => panic!("cannot wait for nrscreen: {e}"),
            }
        }
    }

    /// Panics unless `output` meets every expectation set.
    fn check(&self, output: &Output) {
        let command = self.command_line();
        if let Some(code) = self.status {
            assert!(
                output.code == code,
                "`{command}` exited with {}, not {code}\n--- stdout\n{}--- stderr\n{}",
                output.code,
                output.stdout,
                output.stderr
            );
        }
        for (stream, expected, actual) in [
            ("stdout", &self.stdout, &output.stdout),
            ("stderr", &self.stderr, &output.stderr),
        ] {
            match expected {
                None => {}
                Some(Expected::Text(text)) => assert!(
                    text == actual,
                    "`{command}`: {stream} differs (- expected, + actual):\n{}",
                    diff(text, actual)
                ),
                Some(Expected::File(path)) => {
                    if let Err(difference) = compare_with_file(path, actual) {
                        panic!("`{command}`: {stream}: {difference}\n{BLESS_HINT}");
                    }
                }
            }
        }
    }

    /// The command as a shell would show it, for failure messages.
    fn command_line(&self) -> String {
        let mut line = String::from("nrscreen");
        for arg in &self.args {
            line.push(' ');
            line.push_str(&arg.to_string_lossy());
        }
        line
    }
}

/// Everything `pipe` gives until it closes (nothing without a pipe).
fn read_to_end(pipe: Option<impl std::io::Read>) -> Vec<u8> {
    let mut bytes = Vec::new();
    if let Some(mut pipe) = pipe {
        pipe.read_to_end(&mut bytes)
            .unwrap_or_else(|e| panic!("cannot read nrscreen's output: {e}"));
    }
    bytes
}

/// Whether a value of `NRSCREEN_BLESS` asks for expected files to be
/// rewritten: only exactly `1` does; unset, empty, `0` or anything else
/// compares.
pub(crate) fn bless_requested(value: Option<&OsStr>) -> bool {
    value.is_some_and(|v| v == "1")
}

/// Compares `actual` with the file at `path` (relative to the repository
/// root) or, when the environment asks for blessing ([`bless_requested`]),
/// rewrites the file. `Err` says how they differ.
pub(crate) fn compare_with_file(path: impl AsRef<Path>, actual: &str) -> Result<(), String> {
    let bless = bless_requested(std::env::var_os(BLESS_VAR).as_deref());
    settle(&repo_root().join(path), actual, bless)
}

/// Panics unless `actual` is the contents of the file at `path`, saying how
/// to bless; rewrites the file instead when blessing.
pub(crate) fn expect_file(path: impl AsRef<Path>, actual: &str) {
    if let Err(difference) = compare_with_file(path, actual) {
        panic!("{difference}\n{BLESS_HINT}");
    }
}

/// Panics with the differences of several expected files, saying how to
/// bless; `what` introduces them.
pub(crate) fn fail_with_differences(what: &str, differences: &[String]) {
    assert!(
        differences.is_empty(),
        "{what}:\n\n{}\n{BLESS_HINT}",
        differences.join("\n")
    );
}

/// [`compare_with_file`] with the decision to bless given.
fn settle(path: &Path, actual: &str, bless: bool) -> Result<(), String> {
    let expected = std::fs::read_to_string(path);
    if expected.as_deref().is_ok_and(|e| e == actual) {
        return Ok(());
    }
    if bless {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
        }
        std::fs::write(path, actual)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return Ok(());
    }
    match expected {
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        Ok(expected) => Err(format!(
            "{} differs (- expected, + actual):\n{}",
            path.display(),
            diff(&expected, actual)
        )),
    }
}

/// How many equal lines a diff shows around a difference.
const CONTEXT: usize = 3;

/// A line diff of two texts: of the lines they share at the start and end,
/// only the [`CONTEXT`] nearest a difference are shown; the rest is a longest-common-subsequence diff (or,
/// when that would be too large to compute, all of one then all of the
/// other). Differences the lines do not show are noted.
fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mut out = String::new();
    let hidden = head.saturating_sub(CONTEXT);
    if hidden > 0 {
        let _ = writeln!(out, "  ({hidden} equal lines not shown)");
    }
    a[hidden..head]
        .iter()
        .for_each(|l| _ = writeln!(out, "  {l}"));
    let after = &a[a.len() - tail..];
    let (a, b) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    if a.len().saturating_mul(b.len()) > 4_000_000 {
        a.iter().for_each(|l| _ = writeln!(out, "- {l}"));
        b.iter().for_each(|l| _ = writeln!(out, "+ {l}"));
    } else {
        let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                lcs[i][j] = if a[i] == b[j] {
                    lcs[i + 1][j + 1] + 1
                } else {
                    lcs[i + 1][j].max(lcs[i][j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            if i < a.len() && j < b.len() && a[i] == b[j] {
                let _ = writeln!(out, "  {}", a[i]);
                i += 1;
                j += 1;
            } else if j < b.len() && (i == a.len() || lcs[i][j + 1] > lcs[i + 1][j]) {
                let _ = writeln!(out, "+ {}", b[j]);
                j += 1;
            } else {
                let _ = writeln!(out, "- {}", a[i]);
                i += 1;
            }
        }
    }
    after
        .iter()
        .take(CONTEXT)
        .for_each(|l| _ = writeln!(out, "  {l}"));
    if tail > CONTEXT {
        let _ = writeln!(out, "  ({} equal lines not shown)", tail - CONTEXT);
    }
    if a.is_empty() && b.is_empty() && expected != actual {
        out.push_str(
            "(the lines are the same; the texts differ in line endings or the final newline)\n",
        );
    }
    out
}

/// A rule set in `<tempdir>/rules`, removed when dropped.
pub(crate) struct RuleSet {
    /// The temporary directory holding `rules/`.
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

    /// The rule set's parent directory, where tests run beside it.
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

    /// Writes the files under `overlay` over the rule set (same relative
    /// paths).
    pub(crate) fn overlay(self, overlay: &Path) -> RuleSet {
        copy_dir(overlay, &self.dir());
        self
    }

    /// `nrscreen eval --rules rules --input-format FORMAT - --format
    /// summary`, beside this rule set: records from standard input.
    pub(crate) fn eval_summary(self, input_format: &str) -> Test {
        Test::new().rule_set(self).args([
            "eval",
            "--rules",
            "rules",
            "--input-format",
            input_format,
            "-",
            "--format",
            "summary",
        ])
    }

    /// `nrscreen check rules --color never`, beside this rule set.
    pub(crate) fn check(self) -> Test {
        Test::new()
            .rule_set(self)
            .args(["check", "rules", "--color", "never"])
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

/// The last line of `text` (the summary line of `check`, the accounting
/// line of `eval`).
pub(crate) fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or("")
}

/// Rules, definitions and tables of the shipped rule set, as `check` counts
/// them (read once, so tests do not break when the pack grows).
fn standard_counts() -> (usize, usize, usize) {
    static COUNTS: std::sync::OnceLock<(usize, usize, usize)> = std::sync::OnceLock::new();
    *COUNTS.get_or_init(|| {
        let output = RuleSet::standard().check().run();
        let numbers: Vec<usize> = last_line(&output.stdout)
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

#[cfg(unix)]
#[test]
#[should_panic(expected = "did not finish within 1s (it hangs?); it was killed")]
fn a_run_over_its_time_limit_is_killed_and_fails() {
    let set = RuleSet::standard();
    let input = set.cwd().join("input.jsonl");
    let made = Command::new("mkfifo").arg(&input).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    // Records may come from a FIFO: nrscreen waits for a writer, forever.
    Test::new()
        .rule_set(set)
        .args(["eval", "--rules", "rules", "input.jsonl"])
        .time_limit(Duration::from_secs(1))
        .run();
}

#[test]
fn only_the_value_1_asks_for_blessing() {
    // Regression (defect 10): `NRSCREEN_BLESS=0` rewrote some fixtures.
    assert!(!bless_requested(None));
    for value in ["", "0", "true", "yes", " 1", "1 ", "01", "11"] {
        assert!(!bless_requested(Some(OsStr::new(value))), "{value:?}");
    }
    assert!(bless_requested(Some(OsStr::new("1"))));
}

#[test]
fn a_differing_expected_file_is_rewritten_only_when_blessing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("expected.txt");
    std::fs::write(&path, "kept\nold\n").expect("write");
    let difference = settle(&path, "kept\nnew\n", false).expect_err("the texts differ");
    assert!(
        difference.ends_with(":\n  kept\n- old\n+ new\n"),
        "{difference}"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "kept\nold\n");
    settle(&path, "kept\nnew\n", true).expect("blessing accepts");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "kept\nnew\n");
    settle(&path, "kept\nnew\n", false).expect("the file now matches");
}

#[test]
fn a_missing_expected_file_is_a_failure_unless_blessing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("new/expected.txt");
    let difference = settle(&path, "text\n", false).expect_err("no file");
    assert!(difference.starts_with("cannot read "), "{difference}");
    assert!(!path.exists());
    settle(&path, "text\n", true).expect("blessing creates it");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "text\n");
}

#[test]
fn a_diff_shows_the_changed_lines_with_a_little_context() {
    let expected: String = (1..=20).map(|i| format!("line {i}\n")).collect();
    let actual = expected.replace("line 10\n", "line ten\n");
    assert_eq!(
        diff(&expected, &actual),
        "  (6 equal lines not shown)\n  line 7\n  line 8\n  line 9\n\
         - line 10\n+ line ten\n\
         \x20 line 11\n  line 12\n  line 13\n  (7 equal lines not shown)\n"
    );
}

#[test]
fn a_difference_only_in_the_final_newline_is_shown() {
    let shown = diff("a\n", "a");
    assert!(shown.contains("final newline"), "{shown}");
    assert!(!diff("a\n", "a\n").contains("final newline"));
}

/// The fenced code blocks of a Markdown text in language `lang` (```` ```lang ````).
pub(crate) fn fenced_blocks(markdown: &str, lang: &str) -> Vec<String> {
    let opening = format!("```{lang}");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, open) if open == opening => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// The README's examples of `nrscreen COMMAND` (```` ```console ````
/// blocks that start with `$ nrscreen COMMAND `): the arguments after the
/// command, and the output shown.
pub(crate) fn readme_examples(command: &str) -> Vec<(Vec<String>, String)> {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let prompt = format!("$ nrscreen {command} ");
    fenced_blocks(&readme, "console")
        .into_iter()
        .filter_map(|block| {
            let rest = block.strip_prefix(&prompt)?;
            let (line, output) = rest.split_once('\n')?;
            let args = line.split_whitespace().map(str::to_string).collect();
            Some((args, output.to_string()))
        })
        .collect()
}

/// A run as an expected-output file holds it: `exit: N`, stdout, then
/// stderr after a `--- stderr` line if there is any.
pub(crate) fn rendered(output: &Output) -> String {
    let mut text = format!("exit: {}\n{}", output.code, output.stdout);
    if !output.stderr.is_empty() {
        text.push_str("--- stderr\n");
        text.push_str(&output.stderr);
    }
    text
}
