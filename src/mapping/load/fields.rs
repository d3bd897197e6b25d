//! Fields read from columns, and constants: each checked against the
//! schema (types, enum values, converters, date formats).

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::ruleset::schema::FieldId;
use crate::source::Span;
use crate::suggest::did_you_mean;
use crate::types::Type;

use super::super::convert::Converter;
use super::super::toml_tree::{Entry, Node};
use super::super::{fold_cell, Constant, FieldMap, MappedValue, Unmatched, ValueTable};
use super::{a_type, backticked, Loader, FIELD_KEYS};

impl Loader<'_> {
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

    pub(super) fn field(
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
        map.native = false;
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
                        match super::super::date_format::DateFormat::new(&format) {
                            Ok(parsed) => map.dates.push(parsed),
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

    pub(super) fn constant(
        &mut self,
        entry: &Entry,
        mapped: &HashMap<FieldId, Span>,
    ) -> Option<Constant> {
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
}
