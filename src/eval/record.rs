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
