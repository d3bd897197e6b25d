//! The case-record schema (`schema.toml`): every field a record may carry,
//! its type, its enum values and what it means.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use crate::types::{EnumId, Type};

use super::toml_file::{self, span_of};

/// Index of a field in the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct FieldId(pub u32);

/// One field of the case record.
#[derive(Clone, Debug)]
pub(crate) struct Field {
    /// Full dotted name, e.g. `nri.outcome`.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// Whether every record must carry it (only `case_id`).
    pub required: bool,
    /// One line on what it means.
    pub description: String,
    /// The enclosing record field, for `nri.*`.
    pub parent: Option<FieldId>,
    /// Where it is declared.
    pub span: Span,
}

/// The values of one enum field.
#[derive(Clone, Debug)]
pub(crate) struct EnumDef {
    /// The field whose values these are.
    pub field: String,
    /// The values, in declaration order; a value's index is its code.
    pub values: Vec<String>,
}

/// Whether `name` is a field name rules can write: identifiers joined by
/// `.`.
pub(crate) fn is_field_name(name: &str) -> bool {
    name.split('.').all(crate::syntax::grammar::is_identifier)
}

/// The schema.
#[derive(Clone, Debug, Default)]
pub(crate) struct Schema {
    /// Fields, sorted by name (so `nri` comes before `nri.date`).
    pub fields: Vec<Field>,
    /// Enum value sets, referenced by [`EnumId`].
    pub enums: Vec<EnumDef>,
    /// Fields whose declaration has an error (already reported): rules that
    /// use them are not checked further, so one mistake is reported once.
    pub broken_fields: Vec<String>,
    /// The schema file is missing or not valid TOML (already reported):
    /// the rules cannot be checked against it.
    pub unavailable: bool,
}

impl Schema {
    /// The field with this full dotted name.
    pub(crate) fn find(&self, name: &str) -> Option<FieldId> {
        self.fields
            .binary_search_by(|f| f.name.as_str().cmp(name))
            .ok()
            .map(|i| FieldId(i as u32))
    }

    /// The field with this id.
    pub(crate) fn field(&self, id: FieldId) -> &Field {
        &self.fields[id.0 as usize]
    }

    /// The enum with this id.
    pub(crate) fn enum_def(&self, id: EnumId) -> &EnumDef {
        &self.enums[id.0 as usize]
    }

    /// The code of an enum value.
    pub(crate) fn enum_value(&self, id: EnumId, text: &str) -> Option<u32> {
        self.enum_def(id)
            .values
            .iter()
            .position(|v| v == text)
            .map(|i| i as u32)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SchemaFile {
    #[serde(default)]
    version: Option<u32>,
    fields: BTreeMap<String, Spanned<FieldEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldEntry {
    #[serde(rename = "type")]
    ty: Spanned<String>,
    #[serde(default)]
    values: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    description: String,
}

/// The type names a schema may use.
const TYPE_NAMES: &str = "`bool`, `integer`, `string`, `date`, `enum`, `record`, `list of string`, `list of enum`, `list of date`";

/// Reads and validates `schema.toml`.
pub(crate) fn load(file: FileId, text: &str, diagnostics: &mut Vec<Diagnostic>) -> Schema {
    let parsed: SchemaFile = match toml_file::parse(file, text, "schema") {
        Ok(parsed) => parsed,
        Err(d) => {
            diagnostics.push(d);
            return Schema {
                unavailable: true,
                ..Schema::default()
            };
        }
    };
    let _ = parsed.version;
    let mut schema = Schema::default();
    for (name, entry) in parsed.fields {
        let span = span_of(file, &entry);
        if !is_field_name(&name) {
            diagnostics.push(
                Diagnostic::error(
                    "bad-field-name",
                    format!("`{name}` cannot name a field"),
                    span,
                )
                .with_help("a field name is made of letters, digits and `_`, starting with a letter or `_`, with `.` between the parts of a group's field (`nri.outcome`): rules can name nothing else"),
            );
            schema.broken_fields.push(name);
            continue;
        }
        let entry = entry.into_inner();
        let type_span = span_of(file, &entry.ty);
        let enum_type = |schema: &mut Schema, diagnostics: &mut Vec<Diagnostic>| {
            let Some(values) = &entry.values else {
                diagnostics.push(
                    Diagnostic::error(
                        "enum-without-values",
                        format!("enum field `{name}` lists no values"),
                        type_span,
                    )
                    .with_help("add `values = [\"…\", …]`"),
                );
                return Type::Str;
            };
            let id = EnumId(schema.enums.len() as u32);
            schema.enums.push(EnumDef {
                field: name.clone(),
                values: values.get_ref().clone(),
            });
            Type::Enum(id)
        };
        let ty = match entry.ty.get_ref().as_str() {
            "bool" => Type::Bool,
            "integer" => Type::Int,
            "string" => Type::Str,
            "date" => Type::Date,
            "record" => Type::Record,
            "enum" => enum_type(&mut schema, diagnostics),
            "list of string" => Type::list_of(Type::Str),
            "list of date" => Type::list_of(Type::Date),
            "list of enum" => Type::list_of(enum_type(&mut schema, diagnostics)),
            other => {
                diagnostics.push(
                    Diagnostic::error(
                        "unknown-type",
                        format!("`{other}` is not a field type"),
                        type_span,
                    )
                    .with_help(format!("the field types are {TYPE_NAMES}")),
                );
                schema.broken_fields.push(name);
                continue;
            }
        };
        let is_enum = matches!(ty, Type::Enum(_)) || matches!(ty.element(), Some(Type::Enum(_)));
        if let (Some(values), false) = (&entry.values, is_enum) {
            diagnostics.push(Diagnostic::warning(
                "unused-values",
                format!("field `{name}` is not an enum; its `values` are ignored"),
                span_of(file, values),
            ));
        }
        schema.fields.push(Field {
            name,
            ty,
            required: entry.required,
            description: entry.description,
            parent: None,
            span,
        });
    }
    link_parents(&mut schema, diagnostics);
    schema
}

/// Sets `parent` of each dotted field; the parent must be a `record`.
fn link_parents(schema: &mut Schema, diagnostics: &mut Vec<Diagnostic>) {
    for i in 0..schema.fields.len() {
        let name = schema.fields[i].name.clone();
        let Some((parent_name, _)) = name.rsplit_once('.') else {
            continue;
        };
        match schema.find(parent_name) {
            Some(parent) if schema.field(parent).ty == Type::Record => {
                schema.fields[i].parent = Some(parent);
            }
            _ => diagnostics.push(
                Diagnostic::error(
                    "missing-record",
                    format!(
                        "field `{name}` belongs to `{parent_name}`, which is not a `record` field"
                    ),
                    schema.fields[i].span,
                )
                .with_help(format!(
                    "declare `[fields.{parent_name}]` with `type = \"record\"`"
                )),
            ),
        }
    }
}
