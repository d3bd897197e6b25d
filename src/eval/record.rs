//! A case record decoded against the schema: one slot per field.

use crate::ruleset::schema::FieldId;
use crate::value::Value;

/// One case record. `None` in a slot means the field is unknown (absent or
/// `null`). A `record`-typed field such as `nri` holds `Value::Bool(true)`
/// when the group is present.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Record {
    /// The case id.
    pub case_id: String,
    /// Field values, indexed by [`FieldId`].
    pub slots: Vec<Option<Value>>,
}

impl Record {
    /// An empty record (every field unknown) for a schema of `fields` fields.
    pub(crate) fn new(case_id: impl Into<String>, fields: usize) -> Record {
        Record {
            case_id: case_id.into(),
            slots: vec![None; fields],
        }
    }

    /// The value of a field, if known.
    pub(crate) fn get(&self, field: FieldId) -> Option<&Value> {
        self.slots.get(field.0 as usize).and_then(Option::as_ref)
    }

    /// Sets a field.
    #[cfg(test)]
    pub(crate) fn set(&mut self, field: FieldId, value: Option<Value>) {
        if let Some(slot) = self.slots.get_mut(field.0 as usize) {
            *slot = value;
        }
    }
}

impl Record {
    /// The interpreter's view of a decoded record: every slot as a `Value`.
    pub(crate) fn from_case(
        compiled: &crate::compile::Compiled,
        case: &crate::records::case::CaseRecord,
    ) -> Record {
        let mut record = Record::new(case.case_id.clone(), case.slots.len());
        for (i, slot) in case.slots.iter().enumerate() {
            record.slots[i] = to_value(compiled, case, *slot);
        }
        record
    }
}

impl Record {
    /// The record as a JSON object in the input format (`nri` fields
    /// nested, enum values by name, unknown fields left out): how a record
    /// read through a mapping becomes a rule test's case.
    pub(crate) fn to_json(&self, schema: &crate::ruleset::schema::Schema) -> serde_json::Value {
        use serde_json::{Map, Value as Json};
        let mut object = Map::new();
        object.insert("case_id".into(), Json::String(self.case_id.clone()));
        for (i, slot) in self.slots.iter().enumerate() {
            let field = schema.field(FieldId(i as u32));
            let Some(value) = slot else { continue };
            if field.ty == crate::types::Type::Record || field.name == "case_id" {
                continue;
            }
            let json = json_of(schema, &field.ty, value);
            match field.name.split_once('.') {
                Some((group, inner)) => {
                    let entry = object
                        .entry(group.to_string())
                        .or_insert_with(|| Json::Object(Map::new()));
                    if let Json::Object(group) = entry {
                        group.insert(inner.to_string(), json);
                    }
                }
                None => {
                    object.insert(field.name.clone(), json);
                }
            }
        }
        Json::Object(object)
    }
}

fn json_of(
    schema: &crate::ruleset::schema::Schema,
    ty: &crate::types::Type,
    value: &Value,
) -> serde_json::Value {
    use crate::types::Type;
    use serde_json::Value as Json;
    match (value, ty) {
        (Value::Bool(b), _) => Json::Bool(*b),
        (Value::Int(i), _) | (Value::Duration(i), _) => Json::from(*i),
        (Value::Str(s), _) => Json::String(s.to_string()),
        (Value::Date(d), _) => Json::String(d.to_string()),
        (Value::Enum(e), Type::Enum(id)) => schema
            .enum_def(*id)
            .values
            .get(*e as usize)
            .map_or(Json::Null, |v| Json::String(v.clone())),
        (Value::Enum(_), _) => Json::Null,
        (Value::List(items), Type::List(element)) => {
            Json::Array(items.iter().map(|v| json_of(schema, element, v)).collect())
        }
        (Value::List(items), other) => {
            Json::Array(items.iter().map(|v| json_of(schema, other, v)).collect())
        }
    }
}

fn to_value(
    compiled: &crate::compile::Compiled,
    case: &crate::records::case::CaseRecord,
    v: crate::compile::val::Val,
) -> Option<Value> {
    use crate::compile::val::Val;
    Some(match v {
        Val::Unknown => return None,
        Val::Bool(b) => Value::Bool(b),
        Val::Int(i) => Value::Int(i),
        Val::Date(d) => Value::Date(crate::date::Date(d)),
        Val::Duration(d) => Value::Duration(d),
        Val::Enum(e) => Value::Enum(e),
        Val::Sym(_) | Val::Text(..) => Value::Str(case.text_of(compiled, v).unwrap_or("").into()),
        Val::List(..) | Val::ConstList(..) => Value::List(
            case.elements(compiled, v)
                .iter()
                .filter_map(|&e| to_value(compiled, case, e))
                .collect(),
        ),
        Val::Present => Value::Bool(true),
    })
}
