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
    /// Where the row's source is given, if it has one (`nrscreen brief`
    /// shows it beside the row a lookup used).
    pub source: Option<String>,
    /// The row in the table file (`nrscreen brief` shows its line).
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
    /// Indices of `rows` sorted by key, then by `from`: lookups search it.
    order: Vec<u32>,
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
    /// A binary search: the rows of a key do not overlap.
    #[cfg(test)]
    pub(crate) fn lookup(&self, key: &str, date: Option<Date>) -> Option<&Value> {
        self.lookup_row(key, date).map(|i| &self.rows[i].value)
    }

    /// The index in `rows` of the row that covers `key` (on `date`, for
    /// dated tables): what [`Table::lookup`] reads, for tools that show the
    /// row a lookup used.
    pub(crate) fn lookup_row(&self, key: &str, date: Option<Date>) -> Option<usize> {
        let row = |i: &u32| &self.rows[*i as usize];
        let start = self.order.partition_point(|i| row(i).key.as_str() < key);
        let len = self.order[start..].partition_point(|i| row(i).key == key);
        let same_key = &self.order[start..start + len];
        let found = match (self.dated, date) {
            (false, _) => same_key.first(),
            (true, Some(d)) => {
                let started = same_key.partition_point(|i| row(i).from.is_some_and(|f| f <= d));
                same_key[..started]
                    .last()
                    .filter(|i| row(i).to.is_some_and(|t| d <= t))
            }
            (true, None) => None,
        };
        found.map(|i| *i as usize)
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
    let order = by_key_and_start(&rows);
    for (row, other) in overlaps(&rows, &order, parsed.dated) {
        let key = &rows[row].key;
        let message = if parsed.dated {
            format!("rows for `{key}` overlap in time")
        } else {
            format!("key `{key}` appears twice")
        };
        diagnostics.push(
            Diagnostic::error("table-overlap", message, key_spans[row])
                .with_secondary(key_spans[other], "the other row")
                .with_help("each key may have only one row in force on any day"),
        );
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
        order,
    })
}

/// Indices of `rows` sorted by key, then by `from`, then by file order.
fn by_key_and_start(rows: &[Row]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    // Stable: rows alike stay in file order.
    order.sort_by(|&a, &b| {
        let (a, b) = (&rows[a as usize], &rows[b as usize]);
        (a.key.as_str(), a.from).cmp(&(b.key.as_str(), b.from))
    });
    order
}

/// Rows of one key in force on the same day (in an undated table: rows of
/// one key), as pairs (the row reported, the other row); the reported row
/// comes later in the file, and is reported once. Empty exactly when no two
/// rows overlap. One pass over `order` (from [`by_key_and_start`]): a row
/// overlaps one that starts before it exactly when it starts on or before
/// the latest end among them.
fn overlaps(rows: &[Row], order: &[u32], dated: bool) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut reported = vec![false; rows.len()];
    // The row of the current key that ends last so far.
    let mut reach: Option<usize> = None;
    for &i in order {
        let i = i as usize;
        let row = &rows[i];
        let Some(held) = reach.filter(|&h| rows[h].key == row.key) else {
            reach = Some(i);
            continue;
        };
        let overlap = !dated
            || row
                .from
                .is_some_and(|f| rows[held].to.is_some_and(|t| f <= t));
        if overlap {
            let (later, earlier) = if held < i { (i, held) } else { (held, i) };
            if !reported[later] {
                reported[later] = true;
                found.push((later, earlier));
            }
        }
        // Undated, the key's first row stays the other row of all the rest.
        if dated && row.to > rows[held].to {
            reach = Some(i);
        }
    }
    found
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Rows of `key`s, from `from` to `to` (days), valued by position.
    fn rows(spec: &[(String, Option<(i32, i32)>)]) -> Vec<Row> {
        spec.iter()
            .enumerate()
            .map(|(i, (key, window))| Row {
                key: key.clone(),
                from: window.map(|w| Date(w.0)),
                to: window.map(|w| Date(w.1)),
                value: Value::Int(i as i64),
                source: None,
                span: Span::new(FileId(0), 0, 0),
            })
            .collect()
    }

    fn table(rows: Vec<Row>, dated: bool) -> Table {
        Table {
            name: "t".into(),
            file: FileId(0),
            description: String::new(),
            source: String::new(),
            value_type: Type::Int,
            dated,
            order: by_key_and_start(&rows),
            rows,
        }
    }

    /// Whether rows `a` and `b` are in force for the same key on some day.
    fn clash(a: &Row, b: &Row, dated: bool) -> bool {
        a.key == b.key && (!dated || (a.from <= b.to && b.from <= a.to))
    }

    fn windows() -> impl Strategy<Value = Vec<(String, Option<(i32, i32)>)>> {
        prop::collection::vec(
            ("[abc]", 0..30i32, 0..6i32).prop_map(|(k, f, len)| (k, Some((f, f + len)))),
            0..12,
        )
    }

    proptest! {
        /// The one-pass check agrees with comparing every pair: it reports
        /// something exactly when two rows clash, and only clashes, each on
        /// the later row, once.
        #[test]
        fn overlaps_are_found_as_by_comparing_every_pair(spec in windows(), dated: bool) {
            let spec: Vec<_> = spec
                .into_iter()
                .map(|(k, w)| (k, w.filter(|_| dated)))
                .collect();
            let rows = rows(&spec);
            let found = overlaps(&rows, &by_key_and_start(&rows), dated);
            let any = (0..rows.len())
                .any(|i| (0..i).any(|j| clash(&rows[i], &rows[j], dated)));
            prop_assert_eq!(found.is_empty(), !any);
            let mut reported = std::collections::HashSet::new();
            for &(later, earlier) in &found {
                prop_assert!(earlier < later);
                prop_assert!(clash(&rows[later], &rows[earlier], dated));
                prop_assert!(reported.insert(later));
            }
        }

        /// A lookup finds what a scan of the rows finds, in a table whose
        /// rows do not clash.
        #[test]
        fn lookups_find_what_a_scan_finds(spec in windows(), day in -1..40i32) {
            let all = rows(&spec);
            let mut kept: Vec<Row> = Vec::new();
            for row in all {
                if !kept.iter().any(|k| clash(k, &row, true)) {
                    kept.push(row);
                }
            }
            let table = table(kept, true);
            for key in ["a", "b", "c", "d"] {
                let scanned = table
                    .rows
                    .iter()
                    .find(|r| r.key == key && r.from <= Some(Date(day)) && Some(Date(day)) <= r.to)
                    .map(|r| &r.value);
                prop_assert_eq!(table.lookup(key, Some(Date(day))), scanned);
                prop_assert_eq!(table.lookup(key, None), None);
            }
        }
    }

    #[test]
    fn undated_duplicates_point_at_the_first_row_of_the_key() {
        let spec: Vec<_> = ["x", "y", "x", "x", "y"]
            .iter()
            .map(|k| (k.to_string(), None))
            .collect();
        let rows = rows(&spec);
        let found = overlaps(&rows, &by_key_and_start(&rows), false);
        assert_eq!(found, [(2, 0), (3, 0), (4, 1)]);
    }

    /// 200,000 rows: comparing each row with those before it (as before)
    /// would take minutes here.
    #[test]
    fn many_rows_are_checked_and_looked_up_in_n_log_n() {
        let n = 200_000;
        // Four years of a key each, then one row that clashes with the first.
        let mut spec: Vec<_> = (0..n)
            .map(|i| {
                (
                    format!("k{}", i / 4),
                    Some((i % 4 * 365, i % 4 * 365 + 364)),
                )
            })
            .collect();
        spec.push(("k0".to_string(), Some((700, 700))));
        let rows = rows(&spec);
        let order = by_key_and_start(&rows);
        assert_eq!(overlaps(&rows, &order, true), [(n as usize, 1)]);
        let mut rows = rows;
        rows.pop();
        let table = table(rows, true);
        for (i, (key, window)) in spec[..n as usize].iter().enumerate() {
            let day = window.map(|w| Date(w.0 + 100));
            assert_eq!(table.lookup(key, day), Some(&Value::Int(i as i64)));
        }
        assert_eq!(table.lookup("k0", Some(Date(4 * 365))), None);
        assert_eq!(table.lookup("k", Some(Date(0))), None);
    }
}
