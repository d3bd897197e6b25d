//! A fact's value (a recorded field a rule read) as the JSON output writes
//! it, borrowed from the rule set and the record: the one mapping from the
//! record's values that the JSON Lines writer, the library's `CaseReport`
//! and the Python rows all go through, so they cannot drift apart.

use std::fmt;

use crate::compile::val::Val;
use crate::compile::Compiled;
use crate::date::Date;
use crate::records::case::CaseRecord;
use crate::types::Type;

/// The value of a recorded field among a finding's facts, as the JSON
/// output writes it.
#[derive(Clone, Copy, Debug)]
pub enum FactValue<'a> {
    /// `null` (only ever an element of a list).
    Null,
    /// `true` or `false` (a `record` field that is present is `true`).
    Bool(bool),
    /// A whole number (a duration is its number of days).
    Int(i64),
    /// Text: a text field's value or an enum value.
    Text(&'a str),
    /// A date, written `YYYY-MM-DD`.
    Date(FactDate),
    /// An enum value's code where its type is not known (not made by a
    /// checked rule set), written as text.
    Code(u32),
    /// A list.
    List(FactList<'a>),
}

/// A date among a finding's facts; [`fmt::Display`] writes it `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FactDate(Date);

/// The elements of a list among a finding's facts.
#[derive(Clone, Copy)]
pub struct FactList<'a> {
    compiled: &'a Compiled,
    record: &'a CaseRecord,
    items: &'a [Val],
    element: &'a Type,
}

impl<'a> FactValue<'a> {
    /// The value `value` of type `ty` of `record`.
    pub(crate) fn of(
        compiled: &'a Compiled,
        record: &'a CaseRecord,
        value: Val,
        ty: &'a Type,
    ) -> FactValue<'a> {
        match (value, ty) {
            (Val::Unknown, _) => FactValue::Null,
            (Val::Bool(b), _) => FactValue::Bool(b),
            (Val::Int(i) | Val::Duration(i), _) => FactValue::Int(i),
            (Val::Present, _) => FactValue::Bool(true),
            (Val::Date(d), _) => FactValue::Date(FactDate(Date(d))),
            (Val::Enum(code), Type::Enum(id)) => {
                let values = &compiled.program.schema.enum_def(*id).values;
                FactValue::Text(values.get(code as usize).map_or("", String::as_str))
            }
            (Val::Enum(code), _) => FactValue::Code(code),
            (Val::Sym(_) | Val::Text(..), _) => {
                FactValue::Text(record.text_of(compiled, value).unwrap_or(""))
            }
            (Val::List(..) | Val::ConstList(..), _) => FactValue::List(FactList {
                compiled,
                record,
                items: record.elements(compiled, value),
                element: ty.element().unwrap_or(&Type::Str),
            }),
        }
    }

    /// The value as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        match *self {
            FactValue::Null => serde_json::Value::Null,
            FactValue::Bool(b) => b.into(),
            FactValue::Int(i) => i.into(),
            FactValue::Text(text) => text.into(),
            FactValue::Date(date) => date.to_string().into(),
            FactValue::Code(code) => code.to_string().into(),
            FactValue::List(list) => list.iter().map(|v| v.to_json()).collect(),
        }
    }
}

impl FactDate {
    /// The date's text, `YYYY-MM-DD`, when its year has four digits.
    pub fn iso(&self) -> Option<[u8; 10]> {
        self.0.iso_bytes()
    }
}

impl fmt::Display for FactDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'a> FactList<'a> {
    /// How many elements.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The elements, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = FactValue<'a>> + 'a {
        let FactList {
            compiled,
            record,
            items,
            element,
        } = *self;
        items
            .iter()
            .map(move |&item| FactValue::of(compiled, record, item, element))
    }
}

impl fmt::Debug for FactList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}
