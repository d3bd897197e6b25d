//! Which rules, definitions and tables two rule sets add, remove or
//! change. Rules and definitions are compared as printed by `syntax::print`
//! (the canonical layout), so that moving, re-indenting or re-wrapping one
//! does not count; a rule's text is the rule with its `exception … to`
//! declarations (sorted, wherever they are written). Tables are compared
//! by their rows, sorted.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::check::program::Program;
use crate::source::Sources;
use crate::syntax::ast::{Item, Module};
use crate::syntax::parser::parse_module;
use crate::syntax::print::print_module;

/// Rules, definitions and tables added, removed or changed, by name,
/// sorted.
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
    /// Reference tables only the new rule set has.
    pub tables_added: Vec<String>,
    /// Reference tables only the old rule set has.
    pub tables_removed: Vec<String>,
    /// Reference tables both have, with other rows (key, dates, value or
    /// source; the order of rows and the layout of the file do not count).
    pub tables_changed: Vec<String>,
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

/// What changed from the rule set of `old` (its files and program) to
/// that of `new`.
pub(crate) fn compare(old: (&Sources, &Program), new: (&Sources, &Program)) -> RuleChanges {
    let (old_text, new_text) = (printed(old.0), printed(new.0));
    let (added, removed, changed) = sides(&old_text.rules, &new_text.rules);
    let (definitions_added, definitions_removed, definitions_changed) =
        sides(&old_text.defs, &new_text.defs);
    let (tables_added, tables_removed, tables_changed) = sides(&tables(old.1), &tables(new.1));
    RuleChanges {
        added,
        removed,
        changed,
        definitions_added,
        definitions_removed,
        definitions_changed,
        tables_added,
        tables_removed,
        tables_changed,
    }
}

/// Each table's rows as one text (sorted), by the table's name.
fn tables(program: &Program) -> BTreeMap<String, String> {
    program
        .tables
        .iter()
        .map(|table| {
            let mut rows: Vec<String> = table
                .rows
                .iter()
                .map(|r| {
                    format!(
                        "{:?}\t{:?}\t{:?}\t{:?}\t{:?}\n",
                        r.key, r.from, r.to, r.value, r.source
                    )
                })
                .collect();
            rows.sort();
            (table.name.clone(), rows.concat())
        })
        .collect()
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
        let changes = (printed(&old), printed(&new));
        let (added, removed, changed) = sides(&changes.0.rules, &changes.1.rules);
        let (_, _, definitions_changed) = sides(&changes.0.defs, &changes.1.defs);
        assert_eq!(added, ["fresh"]);
        assert_eq!(removed, ["gone"]);
        assert!(changed.is_empty(), "{changed:?}");
        assert_eq!(definitions_changed, ["a"]);
    }
}
