//! A TOML document as a tree of values that each know their place in the
//! file, so that every mistake in a mapping can be pointed at, and all of
//! them reported in one run (serde stops at the first).

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

/// A TOML value.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float (never a valid mapping value; kept to say so).
    Float,
    /// `true` or `false`.
    Bool(bool),
    /// A date or time (never a valid mapping value; kept to say so).
    Datetime,
    /// An array.
    Array(Vec<Spanned>),
    /// A table, in file order.
    Table(Vec<Entry>),
}

/// A value and where it is.
#[derive(Clone, Debug)]
pub(crate) struct Spanned {
    /// The value.
    pub node: Node,
    /// Where it is written.
    pub span: Span,
}

/// One `key = value` of a table.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// The key.
    pub key: String,
    /// Where the key is written.
    pub key_span: Span,
    /// The value.
    pub value: Spanned,
}

impl Node {
    /// What kind of value this is, for messages ("a string", "a table").
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Node::Str(_) => "a string",
            Node::Int(_) => "a whole number",
            Node::Float => "a decimal number",
            Node::Bool(_) => "true or false",
            Node::Datetime => "a date",
            Node::Array(_) => "an array",
            Node::Table(_) => "a table",
        }
    }
}

/// Parses `text` (file `file`); a syntax error is one diagnostic.
pub(crate) fn parse(file: FileId, text: &str, what: &str) -> Result<Spanned, Diagnostic> {
    let document = toml_edit::ImDocument::parse(text).map_err(|error| {
        crate::ruleset::toml_file::syntax_error(
            file,
            text,
            error.span(),
            &format!("this {what} is not valid TOML: {}", error.message()),
        )
    })?;
    let whole = Span::new(file, 0, 0);
    Ok(Spanned {
        node: table(file, document.as_table(), whole),
        span: whole,
    })
}

fn span_of(file: FileId, range: Option<std::ops::Range<usize>>, fallback: Span) -> Span {
    range.map_or(fallback, |r| Span::new(file, r.start, r.end))
}

fn table(file: FileId, t: &toml_edit::Table, fallback: Span) -> Node {
    Node::Table(
        t.iter()
            .map(|(key, item)| {
                let key_span = span_of(file, t.key(key).and_then(|k| k.span()), fallback);
                Entry {
                    key: key.to_string(),
                    key_span,
                    value: self::item(file, item, key_span),
                }
            })
            .collect(),
    )
}

fn item(file: FileId, item: &toml_edit::Item, fallback: Span) -> Spanned {
    match item {
        toml_edit::Item::Value(v) => value(file, v, fallback),
        toml_edit::Item::Table(t) => {
            let span = span_of(file, t.span(), fallback);
            Spanned {
                node: table(file, t, span),
                span,
            }
        }
        toml_edit::Item::ArrayOfTables(a) => {
            let span = span_of(file, a.span(), fallback);
            Spanned {
                node: Node::Array(
                    a.iter()
                        .map(|t| {
                            let span = span_of(file, t.span(), span);
                            Spanned {
                                node: table(file, t, span),
                                span,
                            }
                        })
                        .collect(),
                ),
                span,
            }
        }
        toml_edit::Item::None => Spanned {
            node: Node::Table(Vec::new()),
            span: fallback,
        },
    }
}

fn value(file: FileId, v: &toml_edit::Value, fallback: Span) -> Spanned {
    let span = span_of(file, v.span(), fallback);
    let node = match v {
        toml_edit::Value::String(s) => Node::Str(s.value().clone()),
        toml_edit::Value::Integer(i) => Node::Int(*i.value()),
        toml_edit::Value::Float(_) => Node::Float,
        toml_edit::Value::Boolean(b) => Node::Bool(*b.value()),
        toml_edit::Value::Datetime(_) => Node::Datetime,
        toml_edit::Value::Array(items) => {
            Node::Array(items.iter().map(|i| value(file, i, span)).collect())
        }
        toml_edit::Value::InlineTable(t) => Node::Table(
            t.iter()
                .map(|(key, v)| {
                    let key_span = span_of(file, t.key(key).and_then(|k| k.span()), span);
                    Entry {
                        key: key.to_string(),
                        key_span,
                        value: value(file, v, key_span),
                    }
                })
                .collect(),
        ),
    };
    Spanned { node, span }
}
