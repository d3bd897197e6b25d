//! `nrscreen check` on broken rule sets: every case in
//! `tests/fixtures/check/` (see its README.md), compared as whole rendered
//! text, plus generated inputs too big for a fixture.
//!
//! `NRSCREEN_BLESS=1 cargo test --test it` rewrites the `expected.txt` files
//! instead of comparing; review the diff before committing it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::harness::{
    compare_with_file, fail_with_differences, last_line, rendered, repo_root, standard_summary,
    Output, RuleSet, Test,
};

/// The suite must keep at least this many error cases.
const MIN_CASES: usize = 45;

/// The case directories, sorted by name.
fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(repo_root().join("tests/fixtures/check"))
        .expect("read tests/fixtures/check")
        .map(|e| e.expect("read a fixture entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// Builds the case's rule set: the standard one, with the files under the
/// case's `rules/` written over it and the files named in `remove.txt`
/// deleted.
fn rule_set(case: &Path) -> RuleSet {
    let mut set = RuleSet::standard();
    let overlay = case.join("rules");
    if overlay.is_dir() {
        set = set.overlay(&overlay);
    }
    if let Ok(list) = std::fs::read_to_string(case.join("remove.txt")) {
        for name in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
            set = set.remove(name);
        }
    }
    set
}

#[test]
fn fixtures() {
    let cases = cases();
    assert!(
        cases.len() >= MIN_CASES,
        "tests/fixtures/check has {} cases; the suite needs at least {MIN_CASES}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap_or_default().to_string_lossy();
        let actual = rendered(&rule_set(case).check().run());
        if let Err(difference) = compare_with_file(case.join("expected.txt"), &actual) {
            failures.push(format!("=== case `{name}`: {difference}"));
        }
    }
    fail_with_differences(
        &format!("{} of {} cases differ", failures.len(), cases.len()),
        &failures,
    );
}

/// Runs a test that must end and without a crash. The limit is a guard
/// against a hang or a blow-up (quadratic time), not a speed test: a debug
/// build on two busy cores takes about a minute for the largest inputs,
/// so the limits leave several times that.
fn run_quickly(test: &Test, limit: Duration) -> Output {
    let started = Instant::now();
    let output = test.run();
    let took = started.elapsed();
    assert!(took < limit, "nrscreen took {took:?}");
    assert!(
        !output.stderr.contains("panicked") && !output.stderr.contains("overflow"),
        "nrscreen crashed: {}",
        output.stderr
    );
    output
}

#[test]
fn ten_megabyte_rule_file_is_checked() {
    // About 100,000 ordinary definitions, each used: definition `i` uses
    // `2i+1` and `2i+2` (a balanced tree, so nothing nests deeply), and the
    // rule uses definition 0. Every definition being used keeps the run free
    // of warnings (see the report on rendering many warnings).
    let mut n = 0;
    let mut size = 0;
    while size < 10 * 1024 * 1024 {
        size += 140 + 3 * n.to_string().len();
        n += 1;
    }
    let mut text = String::with_capacity(size + 1000);
    for i in 0..n {
        let _ = writeln!(text, "// definition {i}: {}", "padding ".repeat(10));
        let children: Vec<String> = [2 * i + 1, 2 * i + 2]
            .into_iter()
            .filter(|&c| c < n)
            .map(|c| format!("big_{c}"))
            .collect();
        if children.is_empty() {
            let _ = writeln!(
                text,
                "def big_{i} = age > {i} and returned_to_mexico == true"
            );
        } else {
            let _ = writeln!(
                text,
                "def big_{i} = {} or age == {i}",
                children.join(" or ")
            );
        }
    }
    text.push_str("rule big {\n  gap fear-not-asked\n  cites \"x\"\n  when big_0\n}\n");
    assert!(text.len() >= 10 * 1024 * 1024, "{}", text.len());
    let test = RuleSet::standard()
        .file("big.nrs", &text)
        .check()
        .status(0)
        .stdout(standard_summary(1, n, "0 errors, 0 warnings\n"));
    run_quickly(&test, Duration::from_secs(300));
}

#[test]
fn ten_megabyte_comment_is_checked() {
    let mut text = String::from("// ");
    text.push_str(&"x".repeat(10 * 1024 * 1024));
    text.push('\n');
    let test = RuleSet::standard()
        .file("comment.nrs", &text)
        .check()
        .status(0)
        .stdout(standard_summary(0, 0, "0 errors, 0 warnings\n"));
    run_quickly(&test, Duration::from_secs(300));
}

/// A rule whose condition is `expr`, in `deep.nrs`, and the checker's
/// output, which must be an error.
fn check_deep(expr: &str) -> Output {
    let text = format!("rule deep {{\n  gap fear-not-asked\n  cites \"x\"\n  when {expr}\n}}\n");
    let test = RuleSet::standard().file("deep.nrs", text).check().status(1);
    run_quickly(&test, Duration::from_secs(120))
}

/// The header and location lines of the one diagnostic in `output`.
fn header(output: &Output) -> String {
    output.stdout.lines().take(2).collect::<Vec<_>>().join("\n")
}

#[test]
fn ten_thousand_nested_parentheses_are_refused() {
    let expr = format!("{}true{}", "(".repeat(10_000), ")".repeat(10_000));
    let output = check_deep(&expr);
    assert_eq!(
        header(&output),
        "error[too-deep]: brackets are nested more than 100 deep\n  --> rules/deep.nrs:4:108"
    );
    assert!(output
        .stdout
        .contains("= help: split the expression into several `def`s"));
    assert_eq!(
        last_line(&output.stdout),
        standard_summary(0, 0, "1 error, 0 warnings")
    );
}

#[test]
fn ten_thousand_nots_are_refused() {
    let expr = format!("{}true", "not ".repeat(10_000));
    let output = check_deep(&expr);
    assert_eq!(
        header(&output),
        "error[too-deep]: `not`/`-`/`known`/`unknown` operators are nested more than 100 deep\n  --> rules/deep.nrs:4:408"
    );
    assert_eq!(
        last_line(&output.stdout),
        standard_summary(0, 0, "1 error, 0 warnings")
    );
}

#[test]
fn five_thousand_operand_or_chain_is_refused() {
    let expr = vec!["returned"; 5_000].join(" or ");
    let output = check_deep(&expr);
    assert_eq!(
        header(&output),
        "error[too-deep]: this expression is nested more than 200 operators deep\n  --> rules/deep.nrs:4:8"
    );
    assert_eq!(
        output.stdout.matches("error[").count(),
        1,
        "{}",
        output.stdout
    );
    assert_eq!(
        last_line(&output.stdout),
        standard_summary(0, 0, "1 error, 0 warnings")
    );
}

#[test]
fn long_chains_of_definitions_are_refused_not_a_stack_overflow() {
    // Regression (review): 200 definitions of 190 operators each checked
    // cleanly, then `eval` overflowed the stack recursing through them.
    let mut text = String::from("def d0 = known age\n");
    for i in 1..12_000 {
        text.push_str(&format!("def d{i} = d{}\n", i - 1));
    }
    text.push_str("rule chain {\n  gap fear-not-asked\n  cites \"x\"\n  when d11999\n}\n");
    let output = RuleSet::standard()
        .file("chain.nrs", &text)
        .check()
        .status(1)
        .run();
    assert!(
        output.stdout.contains("error[too-deep]"),
        "{}",
        output.stdout
    );
}

#[test]
fn thousands_of_errors_on_one_megabyte_line_render_bounded_text() {
    // 2,000 type errors on one 1 MB line. Before the excerpt and count caps
    // each diagnostic printed the whole line: 2 GB of output, 6 GB of
    // memory, 100 s (release build).
    let n = 2_000;
    let defs: Vec<String> = (0..n).map(|i| format!("def d{i} = age + \"x\"")).collect();
    let line = defs.join(&" ".repeat(500)) + "\n";
    assert!(line.len() > 1_000_000, "{}", line.len());
    let out = RuleSet::standard()
        .file("long.nrs", &line)
        .check()
        .status(1)
        .run();
    let shown = out.stdout.matches("error[type-mismatch]").count();
    assert_eq!(shown, 50, "{}", out.stdout);
    assert!(
        out.stdout.contains(&format!(
            "\n… and {} more errors in rules/long.nrs\n",
            n - shown
        )),
        "{}",
        out.stdout
    );
    assert_eq!(
        last_line(&out.stdout),
        standard_summary(0, n, &format!("{n} errors, 0 warnings"))
    );
    // Fifty diagnostics of a few short lines each: the output no longer
    // grows with the length of the line.
    assert!(out.stdout.len() < 50_000, "{} bytes", out.stdout.len());
    let longest = out.stdout.lines().map(|l| l.chars().count()).max();
    assert!(longest < Some(300), "{longest:?}");
}
