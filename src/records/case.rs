//! A case record decoded for the compiled evaluator: one [`Val`] per schema
//! field, with its text and list elements in buffers that are reused from
//! one record to the next (so a batch runs in constant memory).

use crate::compile::val::Val;
use crate::compile::Compiled;
use crate::ruleset::schema::FieldId;

/// One decoded case record.
#[derive(Clone, Debug, Default)]
pub(crate) struct CaseRecord {
    /// The case id.
    pub case_id: String,
    /// One value per schema field (`Val::Unknown` when absent or `null`).
    pub slots: Vec<Val>,
    /// Text of `Val::Text` values.
    pub text: String,
    /// Elements of `Val::List` values.
    pub items: Vec<Val>,
    /// Which fields the input named (a bit per field), to reject repeats.
    pub(crate) named: Vec<u64>,
    /// What the JSON scanner expects next, from the records read into this
    /// one before (writers keep one key order): not part of the record,
    /// kept by [`CaseRecord::clear`] (see `json_scan`).
    pub(crate) key_hints: Vec<u32>,
}

impl CaseRecord {
    /// An empty record for a schema with `fields` fields.
    pub(crate) fn with_fields(fields: usize) -> CaseRecord {
        CaseRecord {
            slots: vec![Val::Unknown; fields],
            ..CaseRecord::default()
        }
    }

    /// Forgets the previous record, keeping the buffers.
    pub(crate) fn clear(&mut self) {
        self.case_id.clear();
        self.slots.iter_mut().for_each(|s| *s = Val::Unknown);
        self.text.clear();
        self.items.clear();
        self.named.clear();
        self.named.resize(self.slots.len().div_ceil(64), 0);
    }

    /// Notes that the input named `field`; false if it already had.
    pub(crate) fn name_field(&mut self, field: FieldId) -> bool {
        let (word, bit) = (field.0 as usize / 64, field.0 % 64);
        match self.named.get_mut(word) {
            Some(w) if *w & (1 << bit) != 0 => false,
            Some(w) => {
                *w |= 1 << bit;
                true
            }
            None => true,
        }
    }

    /// The value of a field.
    pub(crate) fn get(&self, field: FieldId) -> Val {
        self.slots
            .get(field.0 as usize)
            .copied()
            .unwrap_or(Val::Unknown)
    }

    /// Sets a field.
    pub(crate) fn set(&mut self, field: FieldId, value: Val) {
        if let Some(slot) = self.slots.get_mut(field.0 as usize) {
            *slot = value;
        }
    }

    /// A text value: a symbol if the rule set mentions this text, otherwise
    /// stored in the record's buffer.
    pub(crate) fn text_value(&mut self, compiled: &Compiled, text: &str) -> Val {
        match compiled.symbols.get(text) {
            Some(id) => Val::Sym(id),
            None => {
                let start = self.text.len() as u32;
                self.text.push_str(text);
                Val::Text(start, text.len() as u32)
            }
        }
    }

    /// A list value from its elements.
    pub(crate) fn list_value(&mut self, elements: impl IntoIterator<Item = Val>) -> Val {
        let start = self.items.len();
        self.items.extend(elements);
        Val::List(start as u32, (self.items.len() - start) as u32)
    }

    /// The text of a `Sym` or `Text` value.
    pub(crate) fn text_of<'a>(&'a self, compiled: &'a Compiled, v: Val) -> Option<&'a str> {
        match v {
            Val::Sym(id) => Some(compiled.symbols.text(id)),
            Val::Text(start, len) => self.text.get(start as usize..(start + len) as usize),
            _ => None,
        }
    }

    /// The elements of a list value.
    pub(crate) fn elements<'a>(&'a self, compiled: &'a Compiled, v: Val) -> &'a [Val] {
        let (source, start, len) = match v {
            Val::List(s, l) => (&self.items, s, l),
            Val::ConstList(s, l) => (&compiled.const_items, s, l),
            _ => return &[],
        };
        source
            .get(start as usize..(start + len) as usize)
            .unwrap_or(&[])
    }
}
