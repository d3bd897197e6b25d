//! Value tables: built in, inline, named, and in their own files.

use std::collections::HashMap;
use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

use super::super::toml_tree::{Entry, Node, Spanned};
use super::super::{fold_cell, MappedValue, TableEntry, ValueTable};
use super::{root_file, Loader, MAX_TABLE_FILES, YES_NO};

impl Loader<'_> {
    /// The built-in tables (their rows placed at the mapping's start).
    pub(super) fn builtin_tables(
        &mut self,
        tables: &mut Vec<ValueTable>,
        file: FileId,
    ) -> HashMap<String, usize> {
        let entries = YES_NO
            .iter()
            .map(|(key, value)| TableEntry {
                key: (*key).to_string(),
                value: MappedValue::Bool(*value),
                span: Span::new(file, 0, 0),
            })
            .collect();
        tables.push(ValueTable::new(
            "yes-no".into(),
            Some("built in".into()),
            entries,
        ));
        HashMap::from([("yes-no".to_string(), tables.len() - 1)])
    }

    pub(super) fn named_tables(
        &mut self,
        value: &Spanned,
        base: &Path,
        tables: &mut Vec<ValueTable>,
        names: &mut HashMap<String, usize>,
    ) {
        let Some(entries) = self.table_entries(value, "`[values]`") else {
            return;
        };
        for entry in &entries {
            let table = match &entry.value.node {
                Node::Str(file) => self.table_file(&entry.key, base, file, entry.value.span),
                Node::Table(rows) => Some(self.table_rows(&entry.key, None, rows)),
                other => {
                    self.error(
                        "bad-mapping",
                        format!(
                            "value table `{}` must be a table, or the name of its file, not {}",
                            entry.key,
                            other.kind()
                        ),
                        entry.value.span,
                    );
                    None
                }
            };
            if let Some(table) = table {
                // A table of the mapping replaces a built-in one of its name.
                tables.push(table);
                names.insert(entry.key.clone(), tables.len() - 1);
            }
        }
    }

    pub(super) fn table_file(
        &mut self,
        name: &str,
        base: &Path,
        file: &str,
        at: Span,
    ) -> Option<ValueTable> {
        if self.table_files.len() >= MAX_TABLE_FILES {
            self.error(
                "too-many-files",
                format!("a mapping may use at most {MAX_TABLE_FILES} value-table files"),
                at,
            );
            return None;
        }
        let path = base.join(file);
        self.table_files.push(path.clone());
        let root = self.read(&path, "value table", Some(at))?;
        let entries = self.table_entries(&root, "a value-table file")?;
        self.unknown_keys(
            &entries,
            &["description", "source", "values"],
            "a value-table file",
        );
        let get = |key: &str| entries.iter().find(|e| e.key == key);
        let source = get("source").and_then(|e| self.string(&e.value, "`source`"));
        if source.is_none() {
            let span = Span::new(root_file(self.sources), 0, 0);
            self.error(
                "table-without-source",
                format!("the value table `{name}` does not say where its data comes from"),
                span,
            );
            self.help(
                "add `source = \"…\"` naming the lookup table and release it was taken from".into(),
            );
        }
        if let Some(entry) = get("description") {
            self.string(&entry.value, "`description`");
        }
        let rows = match get("values").map(|e| &e.value.node) {
            Some(Node::Table(rows)) => rows.clone(),
            _ => {
                let span = Span::new(root_file(self.sources), 0, 0);
                self.error(
                    "bad-mapping",
                    format!("the value table `{name}` has no `[values]` table"),
                    span,
                );
                Vec::new()
            }
        };
        Some(self.table_rows(name, source, &rows))
    }

    pub(super) fn table_rows(
        &mut self,
        name: &str,
        source: Option<String>,
        rows: &[Entry],
    ) -> ValueTable {
        let mut seen: HashMap<String, Span> = HashMap::new();
        let mut entries = Vec::new();
        for row in rows {
            if let Some(&first) = seen.get(&fold_cell(&row.key)) {
                self.diagnostics.push(
                    Diagnostic::error(
                        "duplicate-value",
                        format!(
                            "`{}` is in the value table `{name}` twice (keys are matched ignoring case and surrounding spaces)",
                            row.key
                        ),
                        row.key_span,
                    )
                    .with_secondary(first, "first here"),
                );
                continue;
            }
            seen.insert(fold_cell(&row.key), row.key_span);
            let value = match &row.value.node {
                Node::Str(s) => MappedValue::Text(s.clone()),
                Node::Bool(b) => MappedValue::Bool(*b),
                Node::Int(i) => MappedValue::Int(*i),
                Node::Array(items) if items.is_empty() => MappedValue::Empty,
                other => {
                    self.error(
                        "bad-value",
                        format!(
                            "a value table maps to text, true or false, a whole number or `[]`, not {}",
                            other.kind()
                        ),
                        row.value.span,
                    );
                    continue;
                }
            };
            entries.push(TableEntry {
                key: row.key.clone(),
                value,
                span: row.value.span,
            });
        }
        ValueTable::new(name.to_string(), source, entries)
    }
}
