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

use super::toml_tree::{self, Entry, Node, Spanned};
use super::{fold_cell, InputSpec, Mapping, SourceFormat};

mod fields;
mod tables;

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

    /// The columns under `[ignore]`.
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
