//! Reference tables: keyed lookups, optionally with effective-dated rows.
//!
//! A table file is TOML: a header (`value` type, `dated`, `description`,
//! `source`) and `[[row]]`s with `key`, `value`, and for dated tables `from`
//! and `to` (inclusive). A key, or a date, that no row covers has no value:
//! lookups yield unknown, never a default.

use serde::Deserialize;
use toml::Spanned;

use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use crate::types::Type;
use crate::value::Value;

use super::toml_file::{self, span_of};

/// Index of a table in the rule set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct TableId(pub u32);

/// One row.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    /// The key (looked up exactly).
    pub key: String,
    /// First day the row applies (dated tables).
    pub from: Option<Date>,
    /// Last day the row applies (dated tables).
    pub to: Option<Date>,
    /// The value.
    pub value: Value,
    /// Where the row's source is given, if it has one.
    // Kept for tools that show the row a lookup used; nothing reads it yet.
    #[allow(dead_code)]
    pub source: Option<String>,
    /// The row in the table file.
    // Kept for tools that show the row a lookup used; nothing reads it yet.
    #[allow(dead_code)]
    pub span: Span,
}

/// A loaded, validated table.
#[derive(Clone, Debug)]
pub(crate) struct Table {
    /// The name rules use (from the manifest).
    pub name: String,
    /// The table file.
    pub file: FileId,
    /// What it holds.
    pub description: String,
    /// Where its data comes from.
    pub source: String,
    /// The type of its values.
    pub value_type: Type,
    /// Whether rows have `from`/`to` dates.
    pub dated: bool,
    /// The rows, in file order.
    pub rows: Vec<Row>,
}

impl Table {
    /// The distinct keys, in the order of their first row.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        let mut seen = std::collections::HashSet::new();
        self.rows
            .iter()
            .map(|r| r.key.as_str())
            .filter(move |k| seen.insert(*k))
    }

    /// The value for `key` (on `date`, for dated tables), if a row covers it.
    pub(crate) fn lookup(&self, key: &str, date: Option<Date>) -> Option<&Value> {
        self.rows
            .iter()
            .find(|row| {
                row.key == key
                    && match (self.dated, date) {
                        (false, _) => true,
                        (true, Some(d)) => {
                            row.from.is_some_and(|f| f <= d) && row.to.is_some_and(|t| d <= t)
                        }
                        (true, None) => false,
                    }
            })
            .map(|row| &row.value)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    #[serde(default)]
    description: String,
    #[serde(default)]
    source: String,
    value: Spanned<String>,
    #[serde(default)]
    dated: bool,
    #[serde(default)]
    row: Vec<Spanned<RowEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RowEntry {
    key: Spanned<String>,
    value: Spanned<toml::Value>,
    #[serde(default)]
    from: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    to: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    source: Option<String>,
}

/// Reads and validates one table file.
pub(crate) fn load(
    name: &str,
    file: FileId,
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Table> {
    let parsed: TableFile = match toml_file::parse(file, text, "table") {
        Ok(parsed) => parsed,
        Err(d) => {
            diagnostics.push(d);
            return None;
        }
    };
    let value_type = match parsed.value.get_ref().as_str() {
        "string" => Type::Str,
        "integer" => Type::Int,
        "bool" => Type::Bool,
        "date" => Type::Date,
        other => {
            diagnostics.push(
                Diagnostic::error(
                    "unknown-type",
                    format!("`{other}` is not a table value type"),
                    span_of(file, &parsed.value),
                )
                .with_help("table values are `string`, `integer`, `bool` or `date`"),
            );
            return None;
        }
    };
    let before = diagnostics.len();
    let mut rows: Vec<Row> = Vec::with_capacity(parsed.row.len());
    let mut key_spans: Vec<Span> = Vec::with_capacity(parsed.row.len());
    for entry in parsed.row {
        let span = span_of(file, &entry);
        let entry = entry.into_inner();
        // Diagnostics about a whole row point at its key, not at every line.
        let key_span = span_of(file, &entry.key);
        let key = entry.key.get_ref();
        let value = match convert_value(&value_type, entry.value.get_ref()) {
            Some(v) => v,
            None => {
                diagnostics.push(Diagnostic::error(
                    "table-value-type",
                    format!("this value is not a {value_type}, as the table's `value` says"),
                    span_of(file, &entry.value),
                ));
                continue;
            }
        };
        let from = entry
            .from
            .as_ref()
            .and_then(|d| table_date(file, d, diagnostics));
        let to = entry
            .to
            .as_ref()
            .and_then(|d| table_date(file, d, diagnostics));
        if parsed.dated && (entry.from.is_none() || entry.to.is_none()) {
            diagnostics.push(
                Diagnostic::error("row-without-dates", format!("row for `{key}` needs `from` and `to` dates"), key_span)
                    .with_help("this table is `dated = true`: every row says from which day to which day (inclusive) it applies"),
            );
            continue;
        }
        if !parsed.dated && (entry.from.is_some() || entry.to.is_some()) {
            diagnostics.push(
                Diagnostic::error(
                    "dates-in-undated-table",
                    format!("row for `{key}` has dates, but the table is not dated"),
                    key_span,
                )
                .with_help("add `dated = true` at the top of the table file"),
            );
            continue;
        }
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                let to_span = entry.to.as_ref().map_or(span, |d| span_of(file, d));
                diagnostics.push(
                    Diagnostic::error(
                        "row-dates-reversed",
                        format!("row for `{key}` ends ({t}) before it starts ({f})"),
                        to_span,
                    )
                    .with_help("`from` must be on or before `to`"),
                );
                continue;
            }
        }
        let overlapping = rows.iter().zip(&key_spans).find(|(r, _)| {
            &r.key == key
                && match (parsed.dated, r.from, r.to, from, to) {
                    (false, ..) => true,
                    (true, Some(f1), Some(t1), Some(f2), Some(t2)) => f1 <= t2 && f2 <= t1,
                    _ => false,
                }
        });
        if let Some((_, &previous_key)) = overlapping {
            let message = if parsed.dated {
                format!("rows for `{key}` overlap in time")
            } else {
                format!("key `{key}` appears twice")
            };
            diagnostics.push(
                Diagnostic::error("table-overlap", message, key_span)
                    .with_secondary(previous_key, "the other row")
                    .with_help("each key may have only one row in force on any day"),
            );
            continue;
        }
        key_spans.push(key_span);
        rows.push(Row {
            key: entry.key.into_inner(),
            from,
            to,
            value,
            source: entry.source,
            span,
        });
    }
    if diagnostics.len() > before {
        return None;
    }
    Some(Table {
        name: name.to_string(),
        file,
        description: parsed.description,
        source: parsed.source,
        value_type,
        dated: parsed.dated,
        rows,
    })
}

fn table_date(
    file: FileId,
    value: &Spanned<toml::value::Datetime>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Date> {
    let datetime = value.get_ref();
    let date = match (datetime.date, datetime.time, datetime.offset) {
        (Some(d), None, None) => {
            Date::from_ymd(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        }
        _ => None,
    };
    if date.is_none() {
        diagnostics.push(
            Diagnostic::error(
                "bad-date",
                format!("`{datetime}` is not a plain date"),
                span_of(file, value),
            )
            .with_help("write dates as YYYY-MM-DD, without a time"),
        );
    }
    date
}

fn convert_value(ty: &Type, value: &toml::Value) -> Option<Value> {
    match (ty, value) {
        (Type::Str, toml::Value::String(s)) => Some(Value::Str(s.as_str().into())),
        (Type::Int, toml::Value::Integer(i)) => Some(Value::Int(*i)),
        (Type::Bool, toml::Value::Boolean(b)) => Some(Value::Bool(*b)),
        (Type::Date, toml::Value::Datetime(d)) => match (d.date, d.time) {
            (Some(d), None) => {
                Date::from_ymd(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .map(Value::Date)
            }
            _ => None,
        },
        _ => None,
    }
}
