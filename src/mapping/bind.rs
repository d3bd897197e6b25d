//! Matching a mapping to one input's columns: which column fills which
//! field, which are ignored, which nothing reads.

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::ruleset::schema::Schema;
use crate::suggest::did_you_mean;
use crate::types::Type;

use super::{fold_column, FieldMap, Mapping};

/// What one input column is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ColumnUse {
    /// Read into these fields (indices into [`Binding::fields`]).
    Mapped(Vec<usize>),
    /// Named under `[ignore]`.
    Ignored,
    /// Nothing reads it.
    Unmapped,
}

/// A field with the input columns it is read from.
#[derive(Clone, Debug)]
pub(crate) struct BoundField {
    /// How it is filled.
    pub map: FieldMap,
    /// Its columns' positions (`None`: an optional column the input lacks).
    pub columns: Vec<Option<usize>>,
    /// Whether the mapping names it (rather than a column of its name).
    pub by_mapping: bool,
}

/// A mapping matched to an input's header.
#[derive(Clone, Debug)]
pub(crate) struct Binding {
    /// The header, as read.
    pub header: Vec<String>,
    /// The fields read, mapping's first.
    pub fields: Vec<BoundField>,
    /// What each column is for.
    pub columns: Vec<ColumnUse>,
}

/// Matches `mapping` to `header` (the column names of input `file`). A
/// column the mapping names but the input lacks is an error pointing at
/// the mapping.
pub(crate) fn bind(
    mapping: &Mapping,
    schema: &Schema,
    header: &[String],
    file: &str,
) -> Result<Binding, Vec<Diagnostic>> {
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        by_name.entry(fold_column(name)).or_default().push(i);
    }
    let mut errors = Vec::new();
    let mut fields = Vec::new();
    let mut columns = vec![ColumnUse::Unmapped; header.len()];
    let use_column =
        |columns: &mut Vec<ColumnUse>, column: usize, field: usize| match &mut columns[column] {
            ColumnUse::Mapped(fields) => fields.push(field),
            other => *other = ColumnUse::Mapped(vec![field]),
        };
    for map in &mapping.fields {
        let mut positions = Vec::new();
        for (name, span) in &map.columns {
            match by_name.get(&fold_column(name)).map(Vec::as_slice) {
                Some([one]) => positions.push(Some(*one)),
                Some(several) => {
                    let listed: Vec<String> = several.iter().map(|i| (i + 1).to_string()).collect();
                    errors.push(
                        Diagnostic::error(
                            "ambiguous-column",
                            format!(
                                "column `{name}` matches {} columns of `{file}` (columns {})",
                                several.len(),
                                listed.join(", ")
                            ),
                            *span,
                        )
                        .with_help("column names are matched ignoring case and spaces; rename one in the export"),
                    );
                }
                None if map.optional => positions.push(None),
                None => {
                    let suggestion = did_you_mean(name, header.iter().map(String::as_str));
                    let help = match suggestion {
                        Some(s) => format!(
                            "did you mean `{s}`? (or add `optional = true` if some files lack it)"
                        ),
                        None => format!("the columns of `{file}` are {}", shown_list(header)),
                    };
                    errors.push(
                        Diagnostic::error(
                            "missing-column",
                            format!("column `{name}` is not in the header of `{file}`"),
                            *span,
                        )
                        .with_help(help),
                    );
                }
            }
        }
        let index = fields.len();
        for column in positions.iter().flatten() {
            use_column(&mut columns, *column, index);
        }
        fields.push(BoundField {
            map: map.clone(),
            columns: positions,
            by_mapping: true,
        });
    }
    for (name, _) in &mapping.ignore {
        for &column in by_name.get(&fold_column(name)).into_iter().flatten() {
            if columns[column] == ColumnUse::Unmapped {
                columns[column] = ColumnUse::Ignored;
            }
        }
    }
    // A column named like a schema field, that nothing else reads, fills
    // that field (as in nrscreen's own CSV) unless the mapping fills it.
    let filled: Vec<_> = fields.iter().map(|f: &BoundField| f.map.field).collect();
    let constants: Vec<_> = mapping.constants.iter().map(|c| c.field).collect();
    for (column, name) in header.iter().enumerate() {
        if columns[column] != ColumnUse::Unmapped {
            continue;
        }
        let Some(id) = schema.find(name.trim()) else {
            continue;
        };
        if schema.field(id).ty == Type::Record || filled.contains(&id) || constants.contains(&id) {
            continue;
        }
        let mut map = FieldMap::by_name(
            id,
            name.trim(),
            crate::source::Span::new(crate::source::FileId(0), 0, 0),
        );
        if matches!(schema.field(id).ty, Type::List(_)) {
            map.split = Some(";".into());
        }
        let index = fields.len();
        fields.push(BoundField {
            map,
            columns: vec![Some(column)],
            by_mapping: false,
        });
        use_column(&mut columns, column, index);
    }
    let has_case_id = fields.iter().any(|f| f.map.name == "case_id");
    if !has_case_id && errors.is_empty() {
        let message = format!("nothing fills `case_id` from `{file}`: every record needs one");
        errors.push(
            match mapping.fields_at {
                Some(span) => Diagnostic::error("no-case-id", message, span),
                None => Diagnostic::error_without_span("no-case-id", message),
            }
            .with_help("map the column that identifies a case: `case_id = \"…\"` under `[fields]`"),
        );
    }
    if errors.is_empty() {
        Ok(Binding {
            header: header.to_vec(),
            fields,
            columns,
        })
    } else {
        Err(errors)
    }
}

/// Up to 20 names, backticked, then how many more.
fn shown_list(names: &[String]) -> String {
    let shown: Vec<String> = names.iter().take(20).map(|n| format!("`{n}`")).collect();
    match names.len().saturating_sub(20) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}
