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
    assert!(!never.contains('\x1b'), "ANSI codes with --color never: {never:?}");
    // Piped stderr is not a terminal: `auto` means no colour.
    assert!(!eval("auto").contains('\x1b'));
    assert!(eval("always").contains('\x1b'));
}
