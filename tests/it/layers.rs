//! The layer rules of ARCHITECTURE.md, kept by reading `src/`: which
//! top-level modules may use which, and no import circle between them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::harness::repo_root;

/// For each top-level module of `src/` (a folder or a file), the other
/// top-level modules its code names as `crate::…` (comments left out).
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let src = repo_root().join("src");
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let module = top_module(&src, &path);
            let uses = graph.entry(module.clone()).or_default();
            for line in std::fs::read_to_string(&path).unwrap().lines() {
                let code = line.split("//").next().unwrap_or("");
                for (at, _) in code.match_indices("crate::") {
                    let rest = &code[at + "crate::".len()..];
                    // `crate::{a, b::c}` names several modules at once.
                    let names: Vec<&str> = match rest.strip_prefix('{') {
                        Some(group) => group
                            .split(['}', ';'])
                            .next()
                            .unwrap_or("")
                            .split(',')
                            .map(|item| item.trim().split("::").next().unwrap_or(""))
                            .collect(),
                        None => vec![rest],
                    };
                    for name in names {
                        let name: String = name
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect();
                        if !name.is_empty() && name != module && name != "self" {
                            uses.insert(name);
                        }
                    }
                }
            }
        }
    }
    graph
}

/// `src/eval/batch.rs` → `eval`; `src/date.rs` → `date`.
fn top_module(src: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_string()
}

#[test]
fn lower_layers_do_not_use_higher_ones() {
    let graph = module_graph();
    assert!(graph.len() > 15, "src/ was not read: {graph:?}");
    let forbidden: [(&str, &[&str]); 3] = [
        ("eval", &["report", "cli", "api", "ruletest", "audit"]),
        (
            "syntax",
            &[
                "ruleset", "check", "compile", "eval", "records", "report", "cli", "api",
            ],
        ),
        ("records", &["eval", "report", "cli", "api"]),
    ];
    for (module, higher) in forbidden {
        let uses = &graph[module];
        for name in higher {
            assert!(!uses.contains(*name), "`{module}` uses `{name}`: {uses:?}");
        }
    }
}

#[test]
fn no_import_circle_between_top_level_modules() {
    let graph = module_graph();
    // Depth-first search for a back edge, with the path that closes it.
    fn visit<'g>(
        node: &'g str,
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'g str>,
        done: &mut BTreeSet<&'g str>,
    ) {
        if done.contains(node) {
            return;
        }
        if let Some(start) = path.iter().position(|n| *n == node) {
            panic!("import circle: {} → {node}", path[start..].join(" → "));
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, path, done);
        }
        path.pop();
        done.insert(node);
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        visit(node, &graph, &mut Vec::new(), &mut done);
    }
}

#[test]
fn only_the_command_line_knows_clap() {
    let src = repo_root().join("src");
    let mut stack = vec![src.clone()];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && top_module(&src, &path) != "cli"
            {
                files += 1;
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(!text.contains("clap::"), "{} uses clap", path.display());
            }
        }
    }
    assert!(files > 20);
}
