//! Every `nrs` example in `grammar/LANGUAGE.md` checks without errors or
//! warnings against the standard rule set.

use crate::harness::{fenced_blocks, repo_root, RuleSet};

#[test]
fn every_language_example_checks_cleanly() {
    let doc = std::fs::read_to_string(repo_root().join("grammar/LANGUAGE.md")).unwrap();
    let blocks = fenced_blocks(&doc, "nrs");
    assert!(blocks.len() >= 6, "LANGUAGE.md lost its examples");
    let mut failures = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        // Every example is tried; the failures are reported together.
        let output = RuleSet::standard().file("example.nrs", block).check().run();
        if output.code != 0 || !output.stdout.contains(": 0 errors, 0 warnings") {
            failures.push(format!(
                "example {} :\n{block}\n--- nrscreen said:\n{}",
                i + 1,
                output.stdout
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The rule-test examples (`toml` blocks with `[[test]]` or `[[table]]`)
/// pass as tests of the standard rule set, each of their tests run.
#[test]
fn every_rule_test_example_passes() {
    let doc = std::fs::read_to_string(repo_root().join("grammar/LANGUAGE.md")).unwrap();
    let blocks: Vec<String> = fenced_blocks(&doc, "toml")
        .into_iter()
        .filter(|b| b.contains("[[test]]") || b.contains("[[table]]"))
        .collect();
    assert!(!blocks.is_empty(), "LANGUAGE.md lost its rule-test example");
    for block in blocks {
        let tests = block.matches("[[test]]").count() + block.matches("[[table.row]]").count();
        let output = crate::harness::Test::new()
            .rule_set(RuleSet::standard().file("tests/zz-language-example.toml", &block))
            .args(["test", "rules", "--filter", "example: "])
            .run();
        assert_eq!(
            output.stdout.lines().last(),
            Some(format!("{tests} passed, 0 failed").as_str()),
            "{block}\n--- nrscreen said:\n{}",
            output.stdout
        );
        assert_eq!(output.code, 0);
    }
}
