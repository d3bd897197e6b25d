//! Reading a mapping file (and its value-table files) against the schema.
//! Every mistake becomes a diagnostic with its place; all are collected in
//! one run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::ruleset::schema::{FieldId, Schema};
use crate::source::{FileId, Sources, Span};
use crate::suggest::did_you_mean;
use crate::types::Type;

use super::convert::Converter;
use super::toml_tree::{self, Entry, Node, Spanned};
use super::{
    fold_cell, Constant, FieldMap, InputSpec, MappedValue, Mapping, SourceFormat, TableEntry,
    Unmatched, ValueTable,
};

/// The most value-table files one mapping may use.
pub(crate) const MAX_TABLE_FILES: usize = 64;

/// A mapping as loaded: the files read (for rendering diagnostics), the
/// mapping if it has no errors, and every diagnostic.
pub(crate) struct Loaded {
    /// The mapping file and its table files.
    pub sources: Sources,
    /// The mapping, when there were no errors.
    pub mapping: Option<Mapping>,
    /// Errors and warnings, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads the mapping at `path` for `schema`.
pub(crate) fn load(path: &Path, schema: &Schema) -> Loaded {
    let mut sources = Sources::default();
    let (mapping, diagnostics) = load_into(path, schema, &mut sources);
    Loaded {
        sources,
        mapping,
        diagnostics,
    }
}

/// Loads the mapping at `path` for `schema`, adding the files read to
/// `sources` (those of a rule set, when a rule test reads records through a
/// mapping). The mapping, if it has no errors, and every diagnostic.
pub(crate) fn load_into(
    path: &Path,
    schema: &Schema,
    sources: &mut Sources,
) -> (Option<Mapping>, Vec<Diagnostic>) {
    let mut loader = Loader {
        schema,
        sources,
        diagnostics: Vec::new(),
        table_files: Vec::new(),
    };
    let mapping = loader.mapping(path);
    let mut diagnostics = loader.diagnostics;
    crate::diagnostic::sort(&mut diagnostics);
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    (mapping.filter(|_| !failed), diagnostics)
}

struct Loader<'s> {
    schema: &'s Schema,
    sources: &'s mut Sources,
    diagnostics: Vec<Diagnostic>,
    table_files: Vec<PathBuf>,
}

/// The built-in `yes-no` table.
const YES_NO: &[(&str, bool)] = &[
    ("yes", true),
    ("y", true),
    ("sí", true),
    ("si", true),
    ("true", true),
    ("t", true),
    ("1", true),
    ("no", false),
    ("n", false),
    ("false", false),
    ("f", false),
    ("0", false),
];

const ROOT_KEYS: &[&str] = &[
    "description",
    "input",
    "constants",
    "fields",
    "values",
    "ignore",
];
const INPUT_KEYS: &[&str] = &[
    "format",
    "delimiter",
    "quote",
    "escape",
    "header",
    "encoding",
    "unknown",
];
const FIELD_KEYS: &[&str] = &[
    "column",
    "columns",
    "split",
    "values",
    "unmatched",
    "convert",
    "date",
    "unknown",
    "optional",
];

impl Loader<'_> {
    fn error(&mut self, code: &'static str, message: String, span: Span) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::error(code, message, span));
        let last = self.diagnostics.len() - 1;
        &mut self.diagnostics[last]
    }

    fn help(&mut self, help: String) {
        if let Some(last) = self.diagnostics.pop() {
            self.diagnostics.push(last.with_help(help));
        }
    }

    /// Reads and parses a TOML file of the mapping.
    fn read(&mut self, path: &Path, what: &str, named_at: Option<Span>) -> Option<Spanned> {
        let text = match crate::ruleset::files::read_regular(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => {
                    self.unreadable(path, what, "it is not UTF-8 text", named_at);
                    return None;
                }
            },
            Err(error) => {
                let message = error.message(path);
                self.diagnostics.push(match named_at {
                    Some(span) => {
                        Diagnostic::error("unreadable-file", format!("the {what}: {message}"), span)
                    }
                    None => Diagnostic::error_without_span(
                        "unreadable-file",
                        format!("the {what}: {message}"),
                    ),
                });
                return None;
            }
        };
        let file = self.sources.add(path, text);
        let text = self.sources.get(file).text.clone();
        match toml_tree::parse(file, &text, what) {
            Ok(tree) => Some(tree),
            Err(diagnostic) => {
                self.diagnostics.push(diagnostic);
                None
            }
        }
    }

    fn unreadable(&mut self, path: &Path, what: &str, why: &str, named_at: Option<Span>) {
        let message = format!("cannot read the {what} `{}`: {why}", path.display());
        self.diagnostics.push(match named_at {
            Some(span) => Diagnostic::error("unreadable-file", message, span),
            None => Diagnostic::error_without_span("unreadable-file", message),
        });
    }

    fn mapping(&mut self, path: &Path) -> Option<Mapping> {
        let root = self.read(path, "mapping", None)?;
        let root_file = root.span.file;
        let entries = self.table_entries(&root, "the mapping")?;
        self.unknown_keys(&entries, ROOT_KEYS, "a mapping");
        let mut mapping = Mapping {
            path: path.to_path_buf(),
            table_files: Vec::new(),
            description: None,
            input: InputSpec {
                format: None,
                delimiter: None,
                quote: Some(b'"'),
                escape: None,
                header: true,
                encoding: encoding_rs::UTF_8,
                unknown: vec![String::new()],
            },
            tables: Vec::new(),
            fields: Vec::new(),
            constants: Vec::new(),
            ignore: Vec::new(),
            fields_at: None,
        };
        let get = |key: &str| entries.iter().find(|e| e.key == key);
        if let Some(entry) = get("description") {
            mapping.description = self.string(&entry.value, "`description`");
        }
        if let Some(entry) = get("input") {
            self.input(&entry.value, &mut mapping.input);
        }
        let mut names = self.builtin_tables(&mut mapping.tables, root_file);
        if let Some(entry) = get("values") {
            let base = path.parent().unwrap_or(Path::new("."));
            self.named_tables(&entry.value, base, &mut mapping.tables, &mut names);
        }
        let mut mapped: HashMap<FieldId, Span> = HashMap::new();
        if let Some(entry) = get("fields") {
            mapping.fields_at = Some(entry.key_span);
            if let Some(fields) = self.table_entries(&entry.value, "`fields`") {
                for field in &fields {
                    if let Some(map) = self.field(field, &mut mapping.tables, &names) {
                        mapped.insert(map.field, map.span);
                        mapping.fields.push(map);
                    }
                }
            }
        }
        if let Some(entry) = get("constants") {
            if let Some(constants) = self.table_entries(&entry.value, "`constants`") {
                for constant in &constants {
                    if let Some(c) = self.constant(constant, &mapped) {
                        mapping.constants.push(c);
                    }
                }
            }
        }
        if let Some(entry) = get("ignore") {
            mapping.ignore = self.ignore(&entry.value);
        }
        mapping.table_files = std::mem::take(&mut self.table_files);
        Some(mapping)
    }

    fn table_entries(&mut self, value: &Spanned, what: &str) -> Option<Vec<Entry>> {
        match &value.node {
            Node::Table(entries) => Some(entries.clone()),
            other => {
                self.error(
                    "bad-mapping",
                    format!("{what} must be a table, not {}", other.kind()),
                    value.span,
                );
                None
            }
        }
    }

    fn unknown_keys(&mut self, entries: &[Entry], allowed: &[&str], what: &str) {
        for entry in entries {
            if !allowed.contains(&entry.key.as_str()) {
                let suggestion = did_you_mean(&entry.key, allowed.iter().copied());
                self.error(
                    "unknown-key",
                    format!("`{}` is not a key of {what}", entry.key),
                    entry.key_span,
                );
                self.help(match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the keys are {}", backticked(allowed)),
                });
            }
        }
    }

    fn string(&mut self, value: &Spanned, what: &str) -> Option<String> {
        match &value.node {
            Node::Str(s) => Some(s.clone()),
            other => {
                self.error(
                    "bad-mapping",
                    format!("{what} must be a string, not {}", other.kind()),
                    value.span,
                );
                None
            }
        }
    }

    fn strings(&mut self, value: &Spanned, what: &str) -> Vec<(String, Span)> {
        match &value.node {
            Node::Array(items) => items
                .iter()
                .filter_map(|item| self.string(item, what).map(|s| (s, item.span)))
                .collect(),
            Node::Str(s) => vec![(s.clone(), value.span)],
            other => {
                self.error(
                    "bad-mapping",
                    format!("{what} must be a list of strings, not {}", other.kind()),
                    value.span,
                );
                Vec::new()
            }
        }
    }

    /// One ASCII character (or none, for `""` where `allow_none`).
    fn character(&mut self, value: &Spanned, what: &str, allow_none: bool) -> Option<Option<u8>> {
        let text = self.string(value, what)?;
        match text.as_bytes() {
            [] if allow_none => Some(None),
            [b] if b.is_ascii() && *b != b'\n' && *b != b'\r' => Some(Some(*b)),
            _ => {
                self.error(
                    "bad-mapping",
                    format!("{what} must be one ASCII character, not `{text}`"),
                    value.span,
                );
                None
            }
        }
    }

    fn input(&mut self, value: &Spanned, input: &mut InputSpec) {
        let Some(entries) = self.table_entries(value, "`[input]`") else {
            return;
        };
        self.unknown_keys(&entries, INPUT_KEYS, "`[input]`");
        for entry in &entries {
            let v = &entry.value;
            match entry.key.as_str() {
                "format" => {
                    if let Some(name) = self.string(v, "`format`") {
                        input.format = match name.as_str() {
                            "csv" => Some(SourceFormat::Csv),
                            "tsv" => Some(SourceFormat::Tsv),
                            "jsonl" => Some(SourceFormat::Jsonl),
                            _ => {
                                self.error(
                                    "bad-mapping",
                                    format!("`{name}` is not an input format"),
                                    v.span,
                                );
                                self.help("the formats are `csv`, `tsv` and `jsonl`".into());
                                None
                            }
                        };
                    }
                }
                "delimiter" => {
                    if let Some(d) = self.character(v, "`delimiter`", false) {
                        input.delimiter = d;
                    }
                }
                "quote" => {
                    if let Some(q) = self.character(v, "`quote`", true) {
                        input.quote = q;
                    }
                }
                "escape" => {
                    if let Some(e) = self.character(v, "`escape`", true) {
                        input.escape = e;
                    }
                }
                "header" => match v.node {
                    Node::Bool(b) => input.header = b,
                    ref other => {
                        self.error(
                            "bad-mapping",
                            format!("`header` must be true or false, not {}", other.kind()),
                            v.span,
                        );
                    }
                },
                "encoding" => {
                    if let Some(label) = self.string(v, "`encoding`") {
                        match encoding_rs::Encoding::for_label(label.trim().as_bytes()) {
                            Some(encoding) => input.encoding = encoding,
                            None => {
                                self.error(
                                    "unknown-encoding",
                                    format!("`{label}` is not a text encoding nrscreen knows"),
                                    v.span,
                                );
                                self.help(
                                    "use a WHATWG label such as `utf-8`, `latin1`, `windows-1252` or `utf-16le`"
                                        .into(),
                                );
                            }
                        }
                    }
                }
                "unknown" => {
                    input.unknown = self
                        .strings(v, "`unknown`")
                        .iter()
                        .map(|(s, _)| fold_cell(s))
                        .collect();
                }
                _ => {}
            }
        }
        if input.escape.is_some() && input.escape == input.quote {
            self.error(
                "bad-mapping",
                "`escape` and `quote` are the same character; leave `escape` out for doubled quotes"
                    .into(),
                value.span,
            );
        }
    }

    /// The built-in tables (their rows placed at the mapping's start).
    fn builtin_tables(
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

    fn named_tables(
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

    fn table_file(&mut self, name: &str, base: &Path, file: &str, at: Span) -> Option<ValueTable> {
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

    fn table_rows(&mut self, name: &str, source: Option<String>, rows: &[Entry]) -> ValueTable {
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

    /// The schema field `name`, or an error with a suggestion.
    fn schema_field(&mut self, name: &str, span: Span) -> Option<FieldId> {
        if let Some(id) = self.schema.find(name) {
            if self.schema.field(id).ty == Type::Record {
                self.error(
                    "bad-field",
                    format!("`{name}` is a group of fields; map its fields (`{name}.…`) instead"),
                    span,
                );
                return None;
            }
            return Some(id);
        }
        let names = self.schema.fields.iter().map(|f| f.name.as_str());
        let suggestion = did_you_mean(name, names);
        self.error(
            "unknown-field",
            format!("the schema has no field `{name}`"),
            span,
        );
        if let Some(s) = suggestion {
            self.help(format!("did you mean `{s}`?"));
        }
        None
    }

    fn field(
        &mut self,
        entry: &Entry,
        tables: &mut Vec<ValueTable>,
        names: &HashMap<String, usize>,
    ) -> Option<FieldMap> {
        let id = self.schema_field(&entry.key, entry.key_span)?;
        let ty = self.schema.field(id).ty.clone();
        let mut map = FieldMap::by_name(id, &entry.key, entry.key_span);
        map.columns.clear();
        map.optional = false;
        let keys = match &entry.value.node {
            Node::Str(column) => {
                map.columns.push((column.clone(), entry.value.span));
                return Some(map);
            }
            Node::Table(keys) => keys.clone(),
            other => {
                self.error(
                    "bad-mapping",
                    format!(
                        "field `{}` maps to a column name or a table, not {}",
                        entry.key,
                        other.kind()
                    ),
                    entry.value.span,
                );
                return None;
            }
        };
        self.unknown_keys(&keys, FIELD_KEYS, "a field mapping");
        let is_list = matches!(ty, Type::List(_));
        let element = match &ty {
            Type::List(element) => element.as_ref().clone(),
            other => other.clone(),
        };
        let mut values_at = None;
        for key in &keys {
            let v = &key.value;
            match key.key.as_str() {
                "column" => {
                    if let Some(column) = self.string(v, "`column`") {
                        map.columns.push((column, v.span));
                    }
                }
                "columns" => {
                    if !is_list {
                        self.error(
                            "bad-mapping",
                            format!(
                                "`columns` fills a list field, and `{}` is {}",
                                entry.key,
                                a_type(&ty)
                            ),
                            key.key_span,
                        );
                        self.help("use `column` for one column".into());
                    }
                    map.columns.extend(self.strings(v, "`columns`"));
                }
                "split" => {
                    if !is_list {
                        self.error(
                            "bad-mapping",
                            format!(
                                "`split` cuts a cell into a list, and `{}` is {}",
                                entry.key,
                                a_type(&ty)
                            ),
                            key.key_span,
                        );
                    }
                    match self.string(v, "`split`") {
                        Some(s) if s.is_empty() => {
                            self.error("bad-mapping", "`split` is empty".into(), v.span);
                        }
                        Some(s) => map.split = Some(s),
                        None => {}
                    }
                }
                "values" => {
                    values_at = Some(v.span);
                    map.values = match &v.node {
                        Node::Str(name) => match names.get(name) {
                            Some(&index) => Some(index),
                            None => {
                                let suggestion =
                                    did_you_mean(name, names.keys().map(String::as_str));
                                self.error(
                                    "unknown-table",
                                    format!("there is no value table `{name}`"),
                                    v.span,
                                );
                                self.help(match suggestion {
                                    Some(s) => format!("did you mean `{s}`?"),
                                    None => "define it under `[values]`, or write the table inline"
                                        .into(),
                                });
                                None
                            }
                        },
                        Node::Table(rows) => {
                            tables.push(self.table_rows(&entry.key, None, rows));
                            Some(tables.len() - 1)
                        }
                        other => {
                            self.error(
                                "bad-mapping",
                                format!(
                                    "`values` is the name of a value table or an inline table, not {}",
                                    other.kind()
                                ),
                                v.span,
                            );
                            None
                        }
                    };
                }
                "unmatched" => {
                    if let Some(policy) = self.string(v, "`unmatched`") {
                        map.unmatched = match policy.as_str() {
                            "reject" => Unmatched::Reject,
                            "unknown" => Unmatched::Unknown,
                            "keep" => Unmatched::Keep,
                            _ => {
                                self.error(
                                    "bad-mapping",
                                    format!("`{policy}` is not a choice of `unmatched`"),
                                    v.span,
                                );
                                self.help("choose `reject`, `unknown` or `keep`".into());
                                Unmatched::Reject
                            }
                        };
                    }
                }
                "convert" => {
                    if let Some(name) = self.string(v, "`convert`") {
                        match Converter::named(&name) {
                            Some(converter) if element == Type::Str => {
                                map.convert = Some(converter)
                            }
                            Some(_) => {
                                self.error(
                                    "bad-mapping",
                                    format!(
                                        "`convert = \"{name}\"` gives text, and `{}` is {}",
                                        entry.key,
                                        a_type(&ty)
                                    ),
                                    v.span,
                                );
                            }
                            None => {
                                self.error(
                                    "unknown-converter",
                                    format!("there is no converter `{name}`"),
                                    v.span,
                                );
                                self.help(format!(
                                    "the converters are {}",
                                    backticked(&Converter::NAMES)
                                ));
                            }
                        }
                    }
                }
                "date" => {
                    if element != Type::Date {
                        self.error(
                            "bad-mapping",
                            format!(
                                "`date` formats read dates, and `{}` is {}",
                                entry.key,
                                a_type(&ty)
                            ),
                            key.key_span,
                        );
                    }
                    for (format, span) in self.strings(v, "`date`") {
                        match super::cells::check_date_format(&format) {
                            Ok(()) => map.dates.push(format),
                            Err(why) => {
                                self.error(
                                    "bad-date-format",
                                    format!("`{format}` is not a usable date format: {why}"),
                                    span,
                                );
                                self.help(
                                    "write it in strftime notation, e.g. `%m/%d/%Y` or `%Y-%m-%d %H:%M:%S`"
                                        .into(),
                                );
                            }
                        }
                    }
                }
                "unknown" => {
                    map.unknown = self
                        .strings(v, "`unknown`")
                        .iter()
                        .map(|(s, _)| fold_cell(s))
                        .collect();
                }
                "optional" => match v.node {
                    Node::Bool(b) => map.optional = b,
                    ref other => {
                        self.error(
                            "bad-mapping",
                            format!("`optional` must be true or false, not {}", other.kind()),
                            v.span,
                        );
                    }
                },
                _ => {}
            }
        }
        if map.columns.is_empty() {
            self.error(
                "bad-mapping",
                format!("field `{}` names no column", entry.key),
                entry.key_span,
            );
            self.help("add `column = \"…\"` (or `columns = [\"…\", \"…\"]` for a list)".into());
            return None;
        }
        if let (Some(index), Some(at)) = (map.values, values_at) {
            let entries = tables[index].entries.clone();
            let table = tables[index].name.clone();
            for row in &entries {
                if row.value == MappedValue::Empty && !is_list {
                    self.error(
                        "bad-value",
                        format!(
                            "`[]` (no values) fits only a list field, and `{}` is {} (value table `{table}`)",
                            entry.key,
                            a_type(&ty)
                        ),
                        row.span,
                    );
                } else if let Err(why) = self.value_fits(&row.value, &element) {
                    let span = if row.span.range().is_empty() {
                        at
                    } else {
                        row.span
                    };
                    let mut diagnostic = Diagnostic::error(
                        "bad-value",
                        format!(
                            "value table `{table}` maps `{}` to {}, but field `{}` {why}",
                            row.key, row.value, entry.key
                        ),
                        span,
                    );
                    // An inline table is shown whole by the primary label.
                    let inline = at.file == span.file
                        && at.range().start <= span.range().start
                        && span.range().end <= at.range().end;
                    if !inline {
                        diagnostic = diagnostic.with_secondary(at, "used here");
                    }
                    self.diagnostics.push(diagnostic);
                }
            }
        }
        Some(map)
    }

    /// Whether `value` is a value of type `ty`; otherwise what the field
    /// holds instead (completing "field `x` …").
    fn value_fits(&self, value: &MappedValue, ty: &Type) -> Result<(), String> {
        match (value, ty) {
            (MappedValue::Empty, _) => Ok(()),
            (MappedValue::Text(_), Type::Str) => Ok(()),
            (MappedValue::Text(text), Type::Enum(id)) => {
                if self.schema.enum_value(*id, text).is_some() {
                    Ok(())
                } else {
                    let def = self.schema.enum_def(*id);
                    let values: Vec<&str> = def.values.iter().map(String::as_str).collect();
                    Err(format!(
                        "has no such value (it has {})",
                        backticked(&values)
                    ))
                }
            }
            (MappedValue::Text(text), Type::Date) => crate::date::Date::parse(text)
                .map(|_| ())
                .ok_or_else(|| "is a date (write it YYYY-MM-DD)".to_string()),
            (MappedValue::Bool(_), Type::Bool) | (MappedValue::Int(_), Type::Int) => Ok(()),
            (_, ty) => Err(format!("is {}", a_type(ty))),
        }
    }

    fn constant(&mut self, entry: &Entry, mapped: &HashMap<FieldId, Span>) -> Option<Constant> {
        let id = self.schema_field(&entry.key, entry.key_span)?;
        if let Some(&at) = mapped.get(&id) {
            self.diagnostics.push(
                Diagnostic::error(
                    "bad-mapping",
                    format!(
                        "field `{}` is both a constant and read from a column",
                        entry.key
                    ),
                    entry.key_span,
                )
                .with_secondary(at, "read from a column here"),
            );
            return None;
        }
        let ty = self.schema.field(id).ty.clone();
        let value = match (&entry.value.node, &ty) {
            (Node::Array(items), Type::List(_)) if items.is_empty() => MappedValue::Empty,
            (Node::Str(s), _) => MappedValue::Text(s.clone()),
            (Node::Bool(b), _) => MappedValue::Bool(*b),
            (Node::Int(i), _) => MappedValue::Int(*i),
            (other, _) => {
                self.error(
                    "bad-value",
                    format!(
                        "a constant is one value (text, true or false, a whole number), not {}",
                        other.kind()
                    ),
                    entry.value.span,
                );
                return None;
            }
        };
        if matches!(ty, Type::List(_)) && value != MappedValue::Empty {
            self.error(
                "bad-value",
                format!(
                    "field `{}` is a list; a constant list can only be `[]`",
                    entry.key
                ),
                entry.value.span,
            );
            return None;
        }
        if entry.key == "case_id" {
            self.error(
                "bad-value",
                "`case_id` cannot be a constant: every case needs its own".into(),
                entry.key_span,
            );
            return None;
        }
        if let Err(why) = self.value_fits(&value, &ty) {
            self.error(
                "bad-value",
                format!(
                    "the constant {value} does not fit field `{}`, which {why}",
                    entry.key
                ),
                entry.value.span,
            );
            return None;
        }
        Some(Constant { field: id, value })
    }

    fn ignore(&mut self, value: &Spanned) -> Vec<(String, Span)> {
        let Some(entries) = self.table_entries(value, "`[ignore]`") else {
            return Vec::new();
        };
        self.unknown_keys(&entries, &["columns"], "`[ignore]`");
        entries
            .iter()
            .filter(|e| e.key == "columns")
            .flat_map(|e| self.strings(&e.value, "`columns`"))
            .collect()
    }
}

/// The id of the last file read (the table file being interpreted).
fn root_file(sources: &Sources) -> FileId {
    sources.iter().last().map_or(FileId(0), |(id, _)| id)
}

/// "a string", "a list of dates": a type in words.
fn a_type(ty: &Type) -> String {
    match ty {
        Type::Bool => "true or false".into(),
        Type::Int => "a whole number".into(),
        Type::Str => "text".into(),
        Type::Date => "a date".into(),
        Type::Enum(_) => "an enum".into(),
        Type::List(element) => format!("a list of {}", a_type(element)),
        other => format!("a {other}"),
    }
}

fn backticked(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    quoted.join(", ")
}
