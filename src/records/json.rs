//! Decoding one JSON object into a [`CaseRecord`] with serde visitors, so
//! values go straight into slots: no intermediate JSON tree is built, and
//! fields no rule reads are checked but not stored.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::compile::val::Val;
use crate::compile::Compiled;
use crate::records::case::CaseRecord;
use crate::records::json_scan;
use crate::records::rejection::{Problem, ProblemKind};
use crate::records::scalar::decode_text;
use crate::records::schema_index::{Key, SchemaIndex};
use crate::ruleset::schema::FieldId;
use crate::types::Type;

/// Shared state of one record's decoding.
struct Context<'a> {
    compiled: &'a Compiled,
    index: &'a SchemaIndex,
    record: &'a mut CaseRecord,
    /// Field names not in the schema.
    unknown_keys: &'a mut HashSet<String>,
    /// The problems found so far: the first of each field.
    problems: Vec<Problem>,
}

impl Context<'_> {
    /// Notes `problem` of `field` (`case_id` when `None` and `case_id`),
    /// unless that field already has one: the value is left unknown and
    /// decoding goes on.
    fn note(&mut self, field: Option<FieldId>, problem: Problem) {
        let name = match field {
            Some(id) => Some(self.index.name(id)),
            None => problem.field.as_deref(),
        };
        if name.is_some() && self.problems.iter().any(|p| p.field.as_deref() == name) {
            return;
        }
        let problem = match field {
            Some(id) => problem.on_field(self.index.name(id)),
            None => problem,
        };
        self.problems.push(problem);
    }
}

/// Decodes `line` (one JSON object) into `record`. Keys not in the schema are
/// added to `unknown_keys`. On failure, every problem found: a value of the
/// wrong type or not in its field's values is noted and decoding goes on
/// (one problem per field, the first), so that all are reported at once; a
/// line that is not JSON, or not an object, stops there (one problem).
///
/// The fast scanner of [`json_scan`] decodes the common record; whatever it
/// is not sure of is decoded again, from scratch, by [`decode_line_serde`].
pub(crate) fn decode_line(
    compiled: &Compiled,
    index: &SchemaIndex,
    line: &str,
    record: &mut CaseRecord,
    unknown_keys: &mut HashSet<String>,
) -> Result<(), Vec<Problem>> {
    record.clear();
    if json_scan::decode(compiled, index, line, record, unknown_keys).is_ok() {
        return Ok(());
    }
    decode_line_serde(compiled, index, line, record, unknown_keys)
}

/// [`decode_line`] by serde alone: the reference the fast scanner is
/// tested against, and what says what is wrong with a line.
pub(crate) fn decode_line_serde(
    compiled: &Compiled,
    index: &SchemaIndex,
    line: &str,
    record: &mut CaseRecord,
    unknown_keys: &mut HashSet<String>,
) -> Result<(), Vec<Problem>> {
    record.clear();
    let mut context = Context {
        compiled,
        index,
        record,
        unknown_keys,
        problems: Vec::new(),
    };
    let mut deserializer = serde_json::Deserializer::from_str(line);
    let result = ObjectSeed {
        context: &mut context,
        group: None,
    }
    .deserialize(&mut deserializer)
    .and_then(|()| deserializer.end());
    if let Err(error) = result {
        // The case id may come after where the JSON breaks: look for it so
        // that the rejection can name the case.
        if context.record.case_id.is_empty() {
            if let Ok(CaseIdOnly { case_id: Some(id) }) = serde_json::from_str(line) {
                context.record.case_id = id;
            }
        }
        let kind = match error.classify() {
            serde_json::error::Category::Data => ProblemKind::NotAnObject,
            _ => ProblemKind::BadJson,
        };
        return Err(vec![Problem::new(kind, json_reason(&error))]);
    }
    if context.record.case_id.is_empty()
        && !context
            .problems
            .iter()
            .any(|p| p.field.as_deref() == Some("case_id"))
    {
        context.problems.push(
            Problem::new(ProblemKind::MissingCaseId, "the record has no `case_id`")
                .on_field("case_id"),
        );
    }
    if context.problems.is_empty() {
        Ok(())
    } else {
        Err(context.problems)
    }
}

#[derive(serde::Deserialize)]
struct CaseIdOnly {
    case_id: Option<String>,
}

/// A serde_json error without its position (the caller gives the line).
fn json_reason(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let text = text.split(" at line ").next().unwrap_or(&text).to_string();
    match error.classify() {
        serde_json::error::Category::Eof => "the JSON object is incomplete".into(),
        serde_json::error::Category::Syntax => format!("not valid JSON: {text}"),
        _ => text,
    }
}

/// A JSON object: the whole record (`group == None`) or a group such as `nri`.
struct ObjectSeed<'c, 'a> {
    context: &'c mut Context<'a>,
    group: Option<FieldId>,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let key_text: &str = &key;
            if self.group.is_none() && key_text == "case_id" {
                let id: AnyValue = map.next_value()?;
                let problem = match id {
                    AnyValue::Text(id) if !id.is_empty() => {
                        if self.context.record.case_id.is_empty() {
                            self.context.record.case_id = id;
                            continue;
                        }
                        Problem::new(ProblemKind::RepeatedField, "`case_id` appears twice")
                    }
                    AnyValue::Text(_) | AnyValue::Null => {
                        Problem::new(ProblemKind::MissingCaseId, "`case_id` is empty or null")
                    }
                    AnyValue::Other(found) => Problem::new(
                        ProblemKind::WrongType,
                        format!("expected the case id as text, found {found}"),
                    ),
                };
                self.context.note(None, problem.on_field("case_id"));
                continue;
            }
            match self.context.index.key(self.group, key_text) {
                Key::Unknown => {
                    let name = match self.group {
                        Some(g) => format!("{}.{key_text}", self.context.index.name(g)),
                        None => key_text.to_string(),
                    };
                    if !self.context.unknown_keys.contains(&name) {
                        self.context.unknown_keys.insert(name);
                    }
                    map.next_value::<IgnoredAny>()?;
                }
                Key::Field(id) => {
                    if !self.context.record.name_field(id) {
                        map.next_value::<IgnoredAny>()?;
                        self.context.note(
                            Some(id),
                            Problem::new(ProblemKind::RepeatedField, "the field appears twice"),
                        );
                        continue;
                    }
                    map.next_value_seed(ValueSeed {
                        context: &mut *self.context,
                        field: id,
                    })?;
                }
            }
        }
        Ok(())
    }
}

/// Object keys, borrowed where possible.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = std::borrow::Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(KeySeed)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = std::borrow::Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(v.to_string()))
    }
}

/// The value of one field.
struct ValueSeed<'c, 'a> {
    context: &'c mut Context<'a>,
    field: FieldId,
}

impl ValueSeed<'_, '_> {
    fn store(self, value: Val) {
        if self.context.index.is_used(self.field) {
            self.context.record.set(self.field, value);
        }
    }

    /// Notes that the value is not of the field's type (it stays unknown).
    fn wrong(self, found: &str) {
        let ty = self.context.index.ty(self.field).clone();
        let wanted = match ty {
            Type::Enum(_) => "one of its values, as text".to_string(),
            Type::Record => "a JSON object".to_string(),
            Type::Bool => "true or false".to_string(),
            Type::List(element) => format!("a list of {element}"),
            other => format!("a {other}"),
        };
        self.context.note(
            Some(self.field),
            Problem::new(
                ProblemKind::WrongType,
                format!("expected {wanted}, found {found}"),
            ),
        );
    }

    fn text(self, text: &str) {
        let ty = self.context.index.ty(self.field).clone();
        match ty {
            // Any text is a string: nothing to check, and no rule reads it.
            Type::Str if !self.context.index.is_used(self.field) => {}
            Type::Str | Type::Date | Type::Enum(_) => {
                match decode_text(self.context.compiled, self.context.record, &ty, text) {
                    Ok(v) => self.store(v),
                    Err(problem) => self.context.note(Some(self.field), problem),
                }
            }
            _ => self.wrong(&format!("the text `{text}`")),
        }
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(()) // null: unknown
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        match self.context.index.ty(self.field) {
            Type::Bool => self.store(Val::Bool(v)),
            _ => self.wrong(&format!("`{v}`")),
        }
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        match self.context.index.ty(self.field) {
            Type::Int => self.store(Val::Int(v)),
            _ => self.wrong(&format!("the number {v}")),
        }
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        match i64::try_from(v) {
            Ok(v) => self.visit_i64(v),
            Err(_) => {
                self.wrong("a number too large");
                Ok(())
            }
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.wrong(&format!("the number {v}"));
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.text(v);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Type::List(element) = self.context.index.ty(self.field).clone() else {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            self.wrong("a list");
            return Ok(());
        };
        let start = self.context.record.items.len();
        let used = self.context.index.is_used(self.field);
        let mut problem = None;
        while let Some(item) = seq.next_element::<AnyValue>()? {
            if problem.is_some() {
                continue; // the rest is read past: the field is unknown
            }
            let value = match item {
                AnyValue::Null => Err(Problem::new(
                    ProblemKind::WrongType,
                    "a list element is null",
                )),
                // Text of a list no rule reads is not kept.
                AnyValue::Text(_) if !used && *element == Type::Str => Ok(Val::Unknown),
                AnyValue::Text(text) => {
                    decode_text(self.context.compiled, self.context.record, &element, &text)
                }
                AnyValue::Other(what) => Err(Problem::new(
                    ProblemKind::WrongType,
                    format!("expected a list of {element}, found {what} in it"),
                )),
            };
            match value {
                Ok(v) => self.context.record.items.push(v),
                Err(found) => problem = Some(found),
            }
        }
        let len = self.context.record.items.len() - start;
        if let Some(problem) = problem {
            self.context.record.items.truncate(start);
            self.context.note(Some(self.field), problem);
        } else if used {
            self.context
                .record
                .set(self.field, Val::List(start as u32, len as u32));
        } else {
            self.context.record.items.truncate(start);
        }
        Ok(())
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        if *self.context.index.ty(self.field) != Type::Record {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            self.wrong("a JSON object");
            return Ok(());
        }
        if self.context.index.is_used(self.field) {
            self.context.record.set(self.field, Val::Present);
        }
        ObjectSeed {
            context: self.context,
            group: Some(self.field),
        }
        .visit_map(map)
    }
}

/// Any JSON value as read: `null`, text, or a description of something
/// else (read past).
enum AnyValue {
    Null,
    Text(String),
    Other(String),
}

impl<'de> de::Deserialize<'de> for AnyValue {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AnyVisitor;
        impl<'de> Visitor<'de> for AnyVisitor {
            type Value = AnyValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<AnyValue, E> {
                Ok(AnyValue::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<AnyValue, E> {
                Ok(AnyValue::Null)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AnyValue, E> {
                Ok(AnyValue::Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<AnyValue, E> {
                Ok(AnyValue::Other(format!("`{v}`")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<AnyValue, E> {
                Ok(AnyValue::Other(format!("the number {v}")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<AnyValue, E> {
                Ok(AnyValue::Other(format!("the number {v}")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<AnyValue, E> {
                Ok(AnyValue::Other(format!("the number {v}")))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AnyValue, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(AnyValue::Other("a list".into()))
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<AnyValue, M::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(AnyValue::Other("an object".into()))
            }
        }
        deserializer.deserialize_any(AnyVisitor)
    }
}
