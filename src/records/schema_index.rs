//! Field lookup for decoding: input keys → schema slots, built once per run.
//!
//! This is the only place that finds fields by name while a batch runs, and
//! it does so while decoding, never while evaluating.

use std::collections::HashMap;

use crate::compile::Compiled;
use crate::ruleset::schema::FieldId;
use crate::types::Type;

/// How to decode each key of an input record.
#[derive(Debug)]
pub(crate) struct SchemaIndex {
    top: HashMap<String, FieldId>,
    /// Keys inside a group (`nri` → `date` → `nri.date`).
    children: HashMap<FieldId, HashMap<String, FieldId>>,
    /// Full dotted names (`nri.date`) of every field, for CSV headers.
    dotted: HashMap<String, FieldId>,
    types: Vec<Type>,
    names: Vec<String>,
    used: Vec<bool>,
}

/// What an input key is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    /// A schema field.
    Field(FieldId),
    /// Not in the schema (ignored, with one warning per name).
    Unknown,
}

impl SchemaIndex {
    /// The index of a compiled program's schema.
    pub(crate) fn new(compiled: &Compiled) -> SchemaIndex {
        let schema = &compiled.program.schema;
        let mut top = HashMap::new();
        let mut children: HashMap<FieldId, HashMap<String, FieldId>> = HashMap::new();
        let mut dotted = HashMap::new();
        for (i, field) in schema.fields.iter().enumerate() {
            let id = FieldId(i as u32);
            dotted.insert(field.name.clone(), id);
            match (field.parent, field.name.rsplit_once('.')) {
                (Some(parent), Some((_, child))) => {
                    children
                        .entry(parent)
                        .or_default()
                        .insert(child.to_string(), id);
                }
                _ => {
                    top.insert(field.name.clone(), id);
                }
            }
        }
        SchemaIndex {
            top,
            children,
            dotted,
            types: schema.fields.iter().map(|f| f.ty.clone()).collect(),
            names: schema.fields.iter().map(|f| f.name.clone()).collect(),
            used: compiled.used_fields.clone(),
        }
    }

    /// A top-level key, or a key inside group `parent`.
    pub(crate) fn key(&self, parent: Option<FieldId>, name: &str) -> Key {
        let found = match parent {
            None => self.top.get(name),
            Some(group) => self.children.get(&group).and_then(|c| c.get(name)),
        };
        found.map_or(Key::Unknown, |&id| Key::Field(id))
    }

    /// A dotted column name such as `nri.outcome`.
    pub(crate) fn dotted(&self, name: &str) -> Key {
        self.dotted
            .get(name)
            .map_or(Key::Unknown, |&id| Key::Field(id))
    }

    /// The type of a field.
    pub(crate) fn ty(&self, id: FieldId) -> &Type {
        &self.types[id.0 as usize]
    }

    /// The full name of a field.
    pub(crate) fn name(&self, id: FieldId) -> &str {
        &self.names[id.0 as usize]
    }

    /// Whether a rule reads the field (others are checked, not stored).
    pub(crate) fn is_used(&self, id: FieldId) -> bool {
        self.used[id.0 as usize]
    }
}
