//! Every `nrs` example in `grammar/LANGUAGE.md` checks without errors or
//! warnings against the standard rule set.

use std::path::Path;
use std::process::Command;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

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
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("grammar/LANGUAGE.md")).unwrap();
    let blocks = nrs_blocks(&doc);
    assert!(blocks.len() >= 6, "LANGUAGE.md lost its examples");
    let mut failures = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let temp = tempfile::tempdir().unwrap();
        copy_dir(&root.join("rules"), &temp.path().join("rules"));
        std::fs::write(temp.path().join("rules/example.nrs"), block).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_nrscreen"))
            .args(["check", "rules", "--color", "never"])
            .current_dir(temp.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() || !stdout.contains(": 0 errors, 0 warnings") {
            failures.push(format!(
                "example {} :\n{block}\n--- nrscreen said:\n{stdout}",
                i + 1
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
