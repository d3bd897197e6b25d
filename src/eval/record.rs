//! A case record decoded against the schema: one slot per field.

use crate::ruleset::schema::FieldId;
use crate::value::Value;

/// One case record. `None` in a slot means the field is unknown (absent or
/// `null`). A `record`-typed field such as `nri` holds `Value::Bool(true)`
/// when the group is present.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record {
    /// The case id.
    pub case_id: String,
    /// Field values, indexed by [`FieldId`].
    pub slots: Vec<Option<Value>>,
}

impl Record {
    /// An empty record (every field unknown) for a schema of `fields` fields.
    pub fn new(case_id: impl Into<String>, fields: usize) -> Record {
        Record {
            case_id: case_id.into(),
            slots: vec![None; fields],
        }
    }

    /// The value of a field, if known.
    pub fn get(&self, field: FieldId) -> Option<&Value> {
        self.slots.get(field.0 as usize).and_then(Option::as_ref)
    }

    /// Sets a field.
    pub fn set(&mut self, field: FieldId, value: Option<Value>) {
        if let Some(slot) = self.slots.get_mut(field.0 as usize) {
            *slot = value;
        }
    }
}
