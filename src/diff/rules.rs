//! Which rules and definitions two rule sets add, remove or change,
//! compared as printed by `syntax::print` (the canonical layout), so that
//! moving, re-indenting or re-wrapping a rule does not count. A rule's text
//! is the rule with its `exception … to` declarations (sorted, wherever
//! they are written).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::source::Sources;
use crate::syntax::ast::{Item, Module};
use crate::syntax::parser::parse_module;
use crate::syntax::print::print_module;

/// Rules and definitions added, removed or changed, by name, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct RuleChanges {
    /// Rules only the new rule set has.
    pub added: Vec<String>,
    /// Rules only the old rule set has.
    pub removed: Vec<String>,
    /// Rules both have, printed differently.
    pub changed: Vec<String>,
    /// Definitions only the new rule set has.
    pub definitions_added: Vec<String>,
    /// Definitions only the old rule set has.
    pub definitions_removed: Vec<String>,
    /// Definitions both have, printed differently.
    pub definitions_changed: Vec<String>,
}

impl RuleChanges {
    /// Whether nothing was added, removed or changed.
    pub(crate) fn is_empty(&self) -> bool {
        *self == RuleChanges::default()
    }
}

/// The printed rules and definitions of a rule set, by name.
#[derive(Default)]
struct Printed {
    rules: BTreeMap<String, String>,
    exceptions: BTreeMap<String, Vec<String>>,
    defs: BTreeMap<String, String>,
}

/// Parses every rule file (`.nrs`) of `sources` again and prints each
/// declaration on its own.
fn printed(sources: &Sources) -> Printed {
    let mut out = Printed::default();
    for (id, file) in sources.iter() {
        if !file.name.ends_with(".nrs") {
            continue;
        }
        let (module, _) = parse_module(id, &file.text);
        for item in module.items {
            let name = match &item {
                Item::Rule(rule) => Some(("rule", rule.name.name.clone())),
                Item::Def(def) => Some(("def", def.name.name.clone())),
                Item::Exception(e) => Some(("exception", e.rule.name.clone())),
                Item::Audit(_) => None,
            };
            let Some((kind, name)) = name else { continue };
            let text = print_module(&Module { items: vec![item] });
            match kind {
                "rule" => {
                    out.rules.insert(name, text);
                }
                "def" => {
                    out.defs.insert(name, text);
                }
                _ => out.exceptions.entry(name).or_default().push(text),
            }
        }
    }
    for (rule, exceptions) in &mut out.exceptions {
        exceptions.sort();
        if let Some(text) = out.rules.get_mut(rule) {
            for exception in exceptions.iter() {
                text.push_str(exception);
            }
        }
    }
    out
}

/// What changed from the rule set of `old` to that of `new`.
pub(crate) fn compare(old: &Sources, new: &Sources) -> RuleChanges {
    let (old, new) = (printed(old), printed(new));
    let (added, removed, changed) = sides(&old.rules, &new.rules);
    let (definitions_added, definitions_removed, definitions_changed) = sides(&old.defs, &new.defs);
    RuleChanges {
        added,
        removed,
        changed,
        definitions_added,
        definitions_removed,
        definitions_changed,
    }
}

/// Names only in `new`, only in `old`, and in both with other texts.
fn sides(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let added = new
        .keys()
        .filter(|k| !old.contains_key(*k))
        .cloned()
        .collect();
    let removed = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    let changed = old
        .iter()
        .filter(|(k, text)| new.get(*k).is_some_and(|t| t != *text))
        .map(|(k, _)| k.clone())
        .collect();
    (added, removed, changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(text: &str) -> Sources {
        let mut sources = Sources::default();
        sources.add(std::path::Path::new("r.nrs"), text.to_string());
        sources
    }

    #[test]
    fn layout_does_not_count_and_edits_do() {
        let old = sources(
            "def a = x == 1\nrule r {\n  gap g\n  when a\n  because \"b\"\n}\nrule gone {\n  gap g\n  when a\n  because \"b\"\n}\n",
        );
        let new = sources(
            "def a =\n   x == 2\n\nrule r { gap g\n when   a\n because \"b\" }\nrule fresh {\n  gap g\n  when a\n  because \"b\"\n}\n",
        );
        let changes = compare(&old, &new);
        assert_eq!(changes.added, ["fresh"]);
        assert_eq!(changes.removed, ["gone"]);
        assert!(changes.changed.is_empty(), "{changes:?}");
        assert_eq!(changes.definitions_changed, ["a"]);
    }
}
