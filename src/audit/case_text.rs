//! Generated cases written out for people: as a JSON record (to evaluate),
//! and as the body of a TOML `[test.case]` table (a counter-example an author
//! pastes into a rule test). TOML values are written by the `toml` crate, so
//! any text a case holds (quotes, `\r`, control characters) stays valid TOML;
//! keys are field names, which the schema keeps to bare TOML keys.

use std::collections::BTreeMap;

use crate::check::program::Program;
use crate::ruleset::schema::FieldId;
use crate::types::Type;

use super::generate::{GenCase, GenValue};

impl GenCase {
    /// The case as a JSON record (`nri.*` inside an `nri` object, only when
    /// the group is present).
    pub(crate) fn to_json(&self, program: &Program, case_id: &str) -> serde_json::Value {
        let mut record = serde_json::Map::new();
        record.insert("case_id".into(), case_id.into());
        let mut groups: BTreeMap<FieldId, serde_json::Map<String, serde_json::Value>> =
            BTreeMap::new();
        for (field, value) in self.known_fields(program) {
            let schema_field = program.schema.field(field);
            match (schema_field.parent, value) {
                (None, GenValue::Present) => {
                    groups.entry(field).or_default();
                }
                (None, v) => {
                    record.insert(schema_field.name.clone(), json(v));
                }
                (Some(parent), v) => {
                    let name = schema_field
                        .name
                        .rsplit_once('.')
                        .map_or(schema_field.name.as_str(), |(_, n)| n);
                    groups
                        .entry(parent)
                        .or_default()
                        .insert(name.to_string(), json(v));
                }
            }
        }
        for (group, fields) in groups {
            record.insert(
                program.schema.field(group).name.clone(),
                serde_json::Value::Object(fields),
            );
        }
        serde_json::Value::Object(record)
    }

    /// The case as a TOML `[test.case]` table body, fields in schema order;
    /// a group's fields as dotted keys (`nri.outcome = "negative"`), an
    /// empty present group as `nri = {}`.
    pub(crate) fn to_toml(&self, program: &Program) -> String {
        let mut out = String::new();
        let mut groups = String::new();
        let mut groups_with_fields = Vec::new();
        for (field, value) in self.known_fields(program) {
            let schema_field = program.schema.field(field);
            match (schema_field.parent, value) {
                (None, GenValue::Present) => {}
                (None, v) => line(&mut out, &schema_field.name, v),
                (Some(parent), v) => {
                    groups_with_fields.push(parent);
                    line(&mut groups, &schema_field.name, v);
                }
            }
        }
        for (field, value) in self.known_fields(program) {
            if program.schema.field(field).ty == Type::Record
                && *value == GenValue::Present
                && !groups_with_fields.contains(&field)
            {
                out.push_str(key(&program.schema.field(field).name));
                out.push_str(" = {}\n");
            }
        }
        out.push_str(&groups);
        out
    }

    /// The fields with a value, in schema order; a group's fields only when
    /// the group is present.
    fn known_fields<'a>(
        &'a self,
        program: &'a Program,
    ) -> impl Iterator<Item = (FieldId, &'a GenValue)> + 'a {
        self.values
            .iter()
            .enumerate()
            .filter_map(move |(i, value)| {
                let value = value.as_ref()?;
                let parent = program.schema.fields[i].parent;
                let parent_present = parent
                    .is_none_or(|p| self.values.get(p.0 as usize).is_some_and(Option::is_some));
                parent_present.then_some((FieldId(i as u32), value))
            })
    }
}

fn json(v: &GenValue) -> serde_json::Value {
    match v {
        GenValue::Bool(b) => (*b).into(),
        GenValue::Int(i) => (*i).into(),
        GenValue::Text(s) => s.clone().into(),
        GenValue::Date(d) => d.to_string().into(),
        GenValue::List(items) => items.iter().map(json).collect::<Vec<_>>().into(),
        GenValue::Present => serde_json::Value::Object(serde_json::Map::new()),
    }
}

/// `name = value` and a line break.
fn line(out: &mut String, name: &str, value: &GenValue) {
    out.push_str(key(name));
    out.push_str(" = ");
    write_toml(out, &toml_value(value));
    out.push('\n');
}

/// A TOML value as written in a document: a date as a bare local date
/// (`toml::Value`'s own `Display` writes a date as an internal table).
fn write_toml(out: &mut String, value: &toml::Value) {
    match value {
        toml::Value::Datetime(d) => out.push_str(&d.to_string()),
        toml::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_toml(out, item);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn toml_value(v: &GenValue) -> toml::Value {
    match v {
        GenValue::Bool(b) => toml::Value::Boolean(*b),
        GenValue::Int(i) => toml::Value::Integer(*i),
        GenValue::Text(s) => toml::Value::String(s.clone()),
        GenValue::Date(d) => match d.to_string().parse::<toml::value::Datetime>() {
            Ok(date) => toml::Value::Datetime(date),
            // A date outside TOML's years (0 to 9999) stays text, which the
            // record decoder reads as a date all the same.
            Err(_) => toml::Value::String(d.to_string()),
        },
        GenValue::List(items) => toml::Value::Array(items.iter().map(toml_value).collect()),
        GenValue::Present => toml::Value::Table(toml::Table::new()),
    }
}

/// A field name as a TOML key: the schema admits only names made of
/// identifiers joined by `.` (`ruleset::schema::is_field_name`), which are
/// bare TOML keys, dotted for a group's fields.
fn key(name: &str) -> &str {
    debug_assert!(crate::ruleset::schema::is_field_name(name));
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn standard() -> &'static Program {
        static PROGRAM: std::sync::OnceLock<Program> = std::sync::OnceLock::new();
        PROGRAM.get_or_init(load_standard)
    }

    fn load_standard() -> Program {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let loaded = crate::ruleset::load(&dir).expect("standard rule set loads");
        crate::check::check(loaded).1.program.expect("checks")
    }

    /// A case whose text fields (including `nri.*` ones) all hold `text`.
    fn case_with_text(program: &Program, text: &str) -> GenCase {
        let values = program
            .schema
            .fields
            .iter()
            .map(|field| match field.ty {
                _ if field.name == "case_id" => None,
                Type::Str => Some(GenValue::Text(text.to_string())),
                Type::Record => Some(GenValue::Present),
                Type::Date => Some(GenValue::Date(crate::date::Date(18_000))),
                _ => None,
            })
            .collect();
        GenCase {
            values,
            growth: Vec::new(),
        }
    }

    /// The TOML body, read back, is the JSON record (without its case id).
    fn round_trips(program: &Program, case: &GenCase) -> Result<(), TestCaseError> {
        let text = case.to_toml(program);
        let table: toml::Table = toml::from_str(&text)
            .map_err(|e| TestCaseError::fail(format!("invalid TOML {text:?}: {e}")))?;
        let mut json = case.to_json(program, "x");
        json.as_object_mut().expect("object").remove("case_id");
        prop_assert_eq!(
            crate::records::input::toml_to_json(toml::Value::Table(table)),
            json
        );
        Ok(())
    }

    #[test]
    fn text_with_line_breaks_and_control_characters_stays_valid_toml() {
        let program = standard();
        for text in [
            "a\rb",
            "\u{1}\u{7f}",
            "say \"no\"\r\n'''",
            "back\\slash",
            "",
        ] {
            round_trips(program, &case_with_text(program, text)).unwrap();
        }
    }

    proptest! {
        #[test]
        fn any_text_round_trips_through_the_toml_body(text in any::<String>()) {
            let program = standard();
            round_trips(program, &case_with_text(program, &text))?;
        }
    }
}
