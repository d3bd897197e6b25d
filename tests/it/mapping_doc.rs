//! Every TOML example in `grammar/MAPPING.md` loads cleanly against the
//! standard schema: whole mappings as they are, fragments (a section
//! alone) inside a minimal mapping, and the value-table file where the
//! mapping beside it expects it.

use crate::harness::{fenced_blocks, repo_root, RuleSet, Test};

#[test]
fn every_mapping_example_loads_cleanly() {
    let doc = std::fs::read_to_string(repo_root().join("grammar/MAPPING.md")).unwrap();
    let blocks = fenced_blocks(&doc, "toml");
    assert!(blocks.len() >= 6, "MAPPING.md lost its examples");
    let set = RuleSet::standard();
    // Value-table files first: a block that starts with `# PATH` is that file.
    let mut mappings = Vec::new();
    for block in &blocks {
        match block.lines().next().and_then(|l| l.strip_prefix("# ")) {
            Some(path) if path.ends_with(".toml") => {
                let target = set.cwd().join(path.trim());
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::write(target, block).unwrap();
            }
            _ => mappings.push(block.clone()),
        }
    }
    let mut failures = Vec::new();
    // A rule-test example runs as a rule test, on the mapping fixtures'
    // export read through their clean mapping.
    let (tests, mappings): (Vec<String>, Vec<String>) = mappings
        .into_iter()
        .partition(|b| b.starts_with("[[test]]"));
    assert_eq!(tests.len(), 1, "MAPPING.md lost its rule-test example");
    for block in &tests {
        let fixtures = repo_root().join("tests/fixtures/map");
        let set = RuleSet::standard()
            .file(
                "examples/export.csv",
                std::fs::read(fixtures.join("input.csv")).unwrap(),
            )
            .file(
                "examples/export.map.toml",
                std::fs::read(fixtures.join("clean-mapping-all-rows/mapping.toml")).unwrap(),
            )
            .file("tests/from-the-doc.toml", block);
        let output = Test::new().rule_set(set).args(["test", "rules"]).run();
        if output.code != 0 {
            failures.push(format!(
                "rule test {block}\n--- nrscreen said:\n{}",
                output.stdout
            ));
        }
    }
    for (i, block) in mappings.iter().enumerate() {
        let whole = block.contains("[fields]");
        let text = if whole {
            block.clone()
        } else {
            // A fragment: with one field beside it. Named tables the
            // fragment defines need no user.
            format!("{block}\n[fields]\ncase_id = \"Case\"\n")
        };
        let name = format!("example-{}.toml", i + 1);
        std::fs::write(set.cwd().join(&name), &text).unwrap();
        let output = Test::new()
            .current_dir(set.cwd())
            .args(["map", "check", &name])
            .run();
        if output.code != 0 || !output.stderr.is_empty() {
            failures.push(format!(
                "example {} :\n{text}\n--- nrscreen said:\n{}{}",
                i + 1,
                output.stdout,
                output.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
