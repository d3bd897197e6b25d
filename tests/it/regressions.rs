//! Regression tests for defects found by review: each would have failed
//! before its fix.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `nrscreen` in the repository root with `stdin` fed, colour left to
/// the flags given.
fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nrscreen"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nrscreen runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("nrscreen finishes")
}

const RECORD: &[u8] = b"{\"case_id\":\"A1\",\"program\":\"mpp-2019\"}\n";

#[test]
fn logs_follow_the_color_choice() {
    let eval = |color: &str| {
        let out = run(
            &[
                "-v", "eval", "--rules", "rules", "-", "--format", "summary", "--color", color,
            ],
            RECORD,
        );
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let never = eval("never");
    assert!(never.contains("rule set compiled"), "{never}");
    assert!(
        !never.contains('\x1b'),
        "ANSI codes with --color never: {never:?}"
    );
    // Piped stderr is not a terminal: `auto` means no colour.
    assert!(!eval("auto").contains('\x1b'));
    assert!(eval("always").contains('\x1b'));
}

#[test]
fn rejections_in_windows_csv_files_name_the_right_line() {
    let dir = tempfile::tempdir().unwrap();
    let rejects = dir.path().join("rejects.jsonl");
    let rejects_arg = rejects.to_str().unwrap();
    // Line 1 header, line 2 a bad age, lines 3-4 a quoted cell over two
    // lines with a good record, line 5 a bad age again.
    let csv = b"case_id,age,port_of_entry\r\nA1,x,\r\nA2,3,\"San\r\nYsidro\"\r\nA3,y,\r\n";
    let out = run(
        &[
            "eval",
            "--rules",
            "rules",
            "--input-format",
            "csv",
            "--format",
            "summary",
            "--rejects",
            rejects_arg,
            "-",
        ],
        csv,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("-:2 "), "{stderr}");
    assert!(stderr.contains("-:5 "), "{stderr}");
    let lines: Vec<u64> = std::fs::read_to_string(&rejects)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["line"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(lines, [2, 5]);
}

/// A copy of the standard rule set in a temporary directory.
fn standard_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("cp")
        .args(["-r", concat!(env!("CARGO_MANIFEST_DIR"), "/rules")])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    dir
}

#[test]
fn literal_braces_in_templates_and_values_pass_rule_tests() {
    let dir = standard_copy();
    let rules = dir.path().join("rules");
    std::fs::write(
        rules.join("braces.nrs"),
        "rule braces {\n  gap notice-defect\n  cites \"test\"\n  when return_city == \"Ti{a}\"\n  because \"literal {{braces}} around {return_city}\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        rules.join("tests/braces.toml"),
        "[[test]]\nname = \"braces\"\nflagged = [\"braces\"]\nbecause = { braces = \"literal {braces} around Ti{a}\" }\n[test.case]\nreturn_city = \"Ti{a}\"\n",
    )
    .unwrap();
    let out = run(
        &["test", rules.to_str().unwrap(), "--filter", "braces"],
        b"",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("1 passed"), "{stdout}");
}
