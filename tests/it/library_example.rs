//! `examples/screen_record.rs`, the library's example program, built and run
//! as a user would (built here, so that `cargo test --test it` runs the
//! current source, not a stale build).

use std::io::Write;
use std::process::{Command, Stdio};

use crate::harness::repo_root;

#[test]
fn the_library_example_screens_records_and_reports_rejections() {
    // target/<profile>/deps/it-… → target/<profile>/examples/screen_record
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let mut build = Command::new(env!("CARGO"));
    build
        .args([
            "build",
            "--quiet",
            "--example",
            "screen_record",
            "--manifest-path",
        ])
        .arg(repo_root().join("Cargo.toml"));
    if profile_dir
        .file_name()
        .is_some_and(|name| name == "release")
    {
        build.arg("--release");
    }
    assert!(
        build.status().unwrap().success(),
        "the example does not build"
    );
    let example = profile_dir
        .join("examples")
        .join(format!("screen_record{}", std::env::consts::EXE_SUFFIX));
    assert!(example.is_file(), "{} was not built", example.display());
    let mut child = Command::new(&example)
        .arg("rules")
        .current_dir(repo_root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"{\"case_id\":\"A-1\",\"program\":\"mpp-2019\",\"returned_to_mexico\":true,\"fear_of_mexico_expressed\":true,\"nri_held\":false,\"return_city\":\"Tijuana\"}\n{\"case_id\":\"A-2\",\"age\":\"x\"}\n",
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.starts_with("A-1: Flagged\n"), "{stdout}");
    assert!(
        stdout.contains("FLAGGED fear-not-screened              fear of Mexico was expressed; returned to Tijuana on unknown with no interview decision"),
        "{stdout}"
    );
    assert_eq!(
        stderr,
        "line 2: rejected: field `age`: expected a number, found the text `x`\n"
    );
}

#[test]
fn the_library_gives_the_json_lines_of_eval_on_the_example_batch() {
    let cli = crate::harness::Test::new()
        .args(["eval", "--rules", "rules", "rules/examples/cases.jsonl"])
        .status(0)
        .run();
    let rules = nrscreen::RuleSet::load(repo_root().join("rules")).unwrap();
    let batch = std::fs::read_to_string(repo_root().join("rules/examples/cases.jsonl")).unwrap();
    let library: Vec<String> = rules
        .screen_all(batch.lines())
        .map(|case| serde_json::to_string(&case.unwrap()).unwrap())
        .collect();
    let cli: Vec<&str> = cli.stdout.lines().collect();
    assert_eq!(library.len(), 300);
    assert_eq!(library, cli);
}
