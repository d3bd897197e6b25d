//! Input mappings: how an external table (a case-management export, the
//! public immigration-court data) becomes case records. See
//! `grammar/MAPPING.md` for the file format.
//!
//! - [`load`] reads a mapping file and its value-table files against the
//!   rule set's schema, every mistake a [`Diagnostic`] with its place;
//! - [`bind::Binding`] matches the mapping to one input's header;
//! - [`reader::MappedRecords`] reads records through a binding;
//! - [`check`] is `nrscreen map check`: what maps and what does not.

pub(crate) mod bind;
pub(crate) mod cells;
pub(crate) mod check;
pub(crate) mod convert;
pub(crate) mod date_format;
mod load;
pub(crate) mod reader;
mod toml_tree;

#[cfg(test)]
mod roundtrip_tests;

use std::path::PathBuf;

use crate::ruleset::schema::FieldId;
use crate::source::Span;

pub(crate) use load::{load, load_into};

use convert::Converter;

/// The layouts a mapped input can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SourceFormat {
    /// Comma-separated (or any delimiter), with a header row or not.
    Csv,
    /// Tab-separated.
    Tsv,
    /// One JSON object per line; keys are the columns.
    Jsonl,
}

/// The `[input]` section: how to read the file.
#[derive(Clone, Debug)]
pub(crate) struct InputSpec {
    /// The layout, if the mapping fixes it (otherwise from the file name).
    pub format: Option<SourceFormat>,
    /// The delimiter, if the mapping sets one.
    pub delimiter: Option<u8>,
    /// The quote character (`None`: no quoting).
    pub quote: Option<u8>,
    /// The escape character inside quoted cells (`None`: doubled quotes).
    pub escape: Option<u8>,
    /// Whether the first row names the columns.
    pub header: bool,
    /// The text encoding.
    pub encoding: &'static encoding_rs::Encoding,
    /// Cell texts that mean unknown, folded with [`fold_cell`].
    pub unknown: Vec<String>,
}

/// A value a value table or a constant gives a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum MappedValue {
    /// Text: a string, an enum value, a date or a code.
    Text(String),
    /// `true` or `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// `[]`: no values (for a list field: the empty list).
    Empty,
}

impl std::fmt::Display for MappedValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MappedValue::Text(text) => write!(f, "\"{text}\""),
            MappedValue::Bool(b) => write!(f, "{b}"),
            MappedValue::Int(i) => write!(f, "{i}"),
            MappedValue::Empty => write!(f, "[]"),
        }
    }
}

/// One row of a value table.
#[derive(Clone, Debug)]
pub(crate) struct TableEntry {
    /// The cell text as written in the mapping.
    pub key: String,
    /// What it becomes.
    pub value: MappedValue,
    /// Where the value is written.
    pub span: Span,
}

/// A value table: cell texts (matched ignoring case and surrounding spaces)
/// to field values.
#[derive(Clone, Debug)]
pub(crate) struct ValueTable {
    /// Its name (`yes-no`, `harm`, or the field's for an inline table).
    pub name: String,
    /// Where its data comes from (tables in their own file must say).
    pub source: Option<String>,
    /// The rows.
    pub entries: Vec<TableEntry>,
    /// Folded key → index into `entries` (foldhash: looked up per cell).
    index: foldhash::HashMap<String, usize>,
}

impl ValueTable {
    /// A table of `entries` (keys already checked to be distinct when
    /// folded).
    pub(crate) fn new(name: String, source: Option<String>, entries: Vec<TableEntry>) -> Self {
        let index = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (fold_cell(&e.key), i))
            .collect();
        ValueTable {
            name,
            source,
            entries,
            index,
        }
    }

    /// The value of a cell text already folded by [`fold_cell`], if the
    /// table covers it.
    pub(crate) fn get(&self, folded: &str) -> Option<&MappedValue> {
        self.index.get(folded).map(|&i| &self.entries[i].value)
    }
}

/// What a value that the table, converter and date formats do not cover
/// becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unmatched {
    /// The record is rejected (the default).
    Reject,
    /// The field is unknown (counted, and shown by `map check`).
    Unknown,
    /// The text is decoded as the field's own value.
    Keep,
}

/// How one field is filled from columns.
#[derive(Clone, Debug)]
pub(crate) struct FieldMap {
    /// The field.
    pub field: FieldId,
    /// Its schema name.
    pub name: String,
    /// Where the mapping names it.
    pub span: Span,
    /// The columns it is read from (one, or several for a list field).
    pub columns: Vec<(String, Span)>,
    /// The separator of several values in one cell (list fields).
    pub split: Option<String>,
    /// Index of its value table in [`Mapping::tables`].
    pub values: Option<usize>,
    /// What an uncovered value becomes.
    pub unmatched: Unmatched,
    /// Its converter.
    pub convert: Option<Converter>,
    /// Its date formats, tried in order.
    pub dates: Vec<date_format::DateFormat>,
    /// More cell texts that mean unknown here, folded.
    pub unknown: Vec<String>,
    /// Whether its columns may be missing from a file.
    pub optional: bool,
    /// Read as in nrscreen's own CSV (a column named like the field):
    /// `[]` is the empty list.
    pub native: bool,
}

impl FieldMap {
    /// A field read from a column of its own name, as in nrscreen's own CSV.
    pub(crate) fn by_name(field: FieldId, name: &str, span: Span) -> FieldMap {
        FieldMap {
            field,
            name: name.to_string(),
            span,
            columns: vec![(name.to_string(), span)],
            split: None,
            values: None,
            unmatched: Unmatched::Reject,
            convert: None,
            dates: Vec::new(),
            unknown: Vec::new(),
            optional: true,
            native: true,
        }
    }

    /// Whether a value can be left uncovered (a table, converter or date
    /// format applies).
    pub(crate) fn translates(&self) -> bool {
        self.values.is_some() || self.convert.is_some() || !self.dates.is_empty()
    }
}

/// A field every record of the batch shares.
#[derive(Clone, Debug)]
pub(crate) struct Constant {
    /// The field.
    pub field: FieldId,
    /// Its value.
    pub value: MappedValue,
}

/// A loaded, checked mapping.
#[derive(Clone, Debug)]
pub(crate) struct Mapping {
    /// The mapping file.
    pub path: PathBuf,
    /// Its value-table files.
    pub table_files: Vec<PathBuf>,
    /// What it is for.
    pub description: Option<String>,
    /// How to read the input.
    pub input: InputSpec,
    /// Its value tables (named, inline and built in).
    pub tables: Vec<ValueTable>,
    /// Fields read from columns.
    pub fields: Vec<FieldMap>,
    /// Fields every record shares.
    pub constants: Vec<Constant>,
    /// Columns left out on purpose, with where they are named.
    pub ignore: Vec<(String, Span)>,
    /// Where `[fields]` begins, if the mapping has it.
    pub fields_at: Option<Span>,
}

/// The layout of a mapped input: the mapping's, else the file name's (as
/// `eval` tells it, under a compression suffix too), else CSV.
pub(crate) fn source_format(mapping: &Mapping, name: &str) -> SourceFormat {
    use crate::records::input::InputFormat;
    mapping
        .input
        .format
        .unwrap_or(match InputFormat::from_path(name) {
            Some(InputFormat::Tsv) => SourceFormat::Tsv,
            Some(InputFormat::Jsonl) => SourceFormat::Jsonl,
            _ => SourceFormat::Csv,
        })
}

/// The form cell texts are compared in: trimmed, case-folded (Unicode
/// default case folding: `ΤΎΠΟΣ` and `τύπος`, `STRASSE` and `straße` are
/// the same).
pub(crate) fn fold_cell(text: &str) -> String {
    let text = text.trim();
    if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        caseless::default_case_fold_str(text)
    }
}

/// Case-folds `text` into `into` (cleared first), without allocating for
/// ASCII text: the hot path of value-table lookups.
pub(crate) fn fold_cell_into(text: &str, into: &mut String) {
    into.clear();
    let text = text.trim();
    if text.is_ascii() {
        into.extend(text.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        into.push_str(&caseless::default_case_fold_str(text));
    }
}

/// The form column names are compared in: case-folded, without white space.
pub(crate) fn fold_column(name: &str) -> String {
    let spaceless: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    caseless::default_case_fold_str(&spaceless)
}
