//! Field lookup for decoding: input keys → schema slots, built once per run.
//!
//! This is the only place that finds fields by name while a batch runs, and
//! it does so while decoding, never while evaluating.

use crate::compile::Compiled;
use crate::name_table::NameTable;
use crate::ruleset::schema::FieldId;
use crate::types::{EnumId, Type};

/// How to decode each key of an input record.
#[derive(Debug)]
pub(crate) struct SchemaIndex {
    top: NameTable<FieldId>,
    /// Keys inside each group, by the group's id (`nri` → `date` →
    /// `nri.date`); empty for other fields.
    children: Vec<NameTable<FieldId>>,
    /// Full dotted names (`nri.date`) of every field, for CSV headers.
    dotted: NameTable<FieldId>,
    /// The values of each enum, by [`EnumId`], to their codes.
    enums: Vec<NameTable<u32>>,
    types: Vec<Type>,
    names: Vec<String>,
    used: Vec<bool>,
    /// Each field's key as the input writes it (`date` for `nri.date`) and
    /// its closing `"`, and the object it is a key of (`None`: the record),
    /// for [`SchemaIndex::written_key`].
    keys: Vec<(Box<[u8]>, Option<FieldId>)>,
    /// The top-level field `case_id`, if the schema has it.
    case_id: Option<FieldId>,
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
        let mut top = Vec::new();
        let mut children: Vec<Vec<(&str, FieldId)>> = vec![Vec::new(); schema.fields.len()];
        let mut keys = Vec::with_capacity(schema.fields.len());
        for (i, field) in schema.fields.iter().enumerate() {
            let id = FieldId(i as u32);
            let (key, object) = match (field.parent, field.name.rsplit_once('.')) {
                (Some(parent), Some((_, child))) => {
                    if let Some(keys) = children.get_mut(parent.0 as usize) {
                        keys.push((child, id));
                    }
                    (child, Some(parent))
                }
                _ => {
                    top.push((field.name.as_str(), id));
                    (field.name.as_str(), None)
                }
            };
            // A key JSON writes as is (no escape needed), and its `"`.
            let plain = key.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\');
            let written: Box<[u8]> = if plain {
                [key.as_bytes(), b"\""].concat().into()
            } else {
                Box::default()
            };
            keys.push((written, object));
        }
        let case_id = top
            .iter()
            .find(|(name, _)| *name == "case_id")
            .map(|&(_, id)| id);
        SchemaIndex {
            top: NameTable::new(top),
            children: children.into_iter().map(NameTable::new).collect(),
            dotted: NameTable::new(
                schema
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (f.name.as_str(), FieldId(i as u32))),
            ),
            enums: schema
                .enums
                .iter()
                .map(|e| {
                    NameTable::new(
                        e.values
                            .iter()
                            .enumerate()
                            .map(|(code, v)| (v.as_str(), code as u32)),
                    )
                })
                .collect(),
            types: schema.fields.iter().map(|f| f.ty.clone()).collect(),
            names: schema.fields.iter().map(|f| f.name.clone()).collect(),
            used: compiled.used_fields.clone(),
            case_id,
            keys,
        }
    }

    /// A top-level key, or a key inside group `parent`.
    #[inline]
    pub(crate) fn key(&self, parent: Option<FieldId>, name: &str) -> Key {
        let found = match parent {
            None => self.top.get(name.as_bytes()),
            Some(group) => self
                .children
                .get(group.0 as usize)
                .and_then(|c| c.get(name.as_bytes())),
        };
        found.map_or(Key::Unknown, Key::Field)
    }

    /// A dotted column name such as `nri.outcome`.
    pub(crate) fn dotted(&self, name: &str) -> Key {
        self.dotted
            .get(name.as_bytes())
            .map_or(Key::Unknown, Key::Field)
    }

    /// The code of `text` among the values of enum `id`, as
    /// [`crate::ruleset::schema::Schema::enum_value`] finds it.
    #[inline]
    pub(crate) fn enum_value(&self, id: EnumId, text: &str) -> Option<u32> {
        self.enums.get(id.0 as usize)?.get(text.as_bytes())
    }

    /// The type of a field.
    pub(crate) fn ty(&self, id: FieldId) -> &Type {
        &self.types[id.0 as usize]
    }

    /// The full name of a field.
    pub(crate) fn name(&self, id: FieldId) -> &str {
        &self.names[id.0 as usize]
    }

    /// Field `id`'s key as the input writes it plainly, with the closing
    /// `"` (empty if it needs an escape), if it is a key of `object` (the
    /// record when `None`).
    #[inline]
    pub(crate) fn written_key(&self, id: FieldId, object: Option<FieldId>) -> Option<&[u8]> {
        match self.keys.get(id.0 as usize) {
            Some((written, of)) if *of == object && !written.is_empty() => Some(written),
            _ => None,
        }
    }

    /// The top-level field `case_id` (decoded apart from the others).
    pub(crate) fn case_id(&self) -> Option<FieldId> {
        self.case_id
    }

    /// The number of fields.
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether a rule reads the field (others are checked, not stored).
    pub(crate) fn is_used(&self, id: FieldId) -> bool {
        self.used[id.0 as usize]
    }
}
