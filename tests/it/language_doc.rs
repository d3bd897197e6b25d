//! Every `nrs` example in `grammar/LANGUAGE.md` checks without errors or
//! warnings against the standard rule set.

use crate::harness::{repo_root, RuleSet};

/// The fenced ```nrs blocks of a Markdown text.
fn nrs_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```nrs") => current = Some(String::new()),
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

#[test]
fn every_language_example_checks_cleanly() {
    let doc = std::fs::read_to_string(repo_root().join("grammar/LANGUAGE.md")).unwrap();
    let blocks = nrs_blocks(&doc);
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
