//! Decoding one JSON object into a [`CaseRecord`] with serde visitors, so
//! values go straight into slots: no intermediate JSON tree is built, and
//! fields no rule reads are checked but not stored.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::compile::val::Val;
use crate::compile::Compiled;
use crate::records::case::CaseRecord;
use crate::records::scalar::decode_text;
use crate::records::schema_index::{Key, SchemaIndex};
use crate::ruleset::schema::FieldId;
use crate::types::Type;

/// Why a record failed to decode: the field (if one) and the reason.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct DecodeError {
    /// The field at fault.
    pub field: Option<String>,
    /// The reason.
    pub reason: String,
}

/// Shared state of one record's decoding.
struct Context<'a> {
    compiled: &'a Compiled,
    index: &'a SchemaIndex,
    record: &'a mut CaseRecord,
    /// Field names not in the schema.
    unknown_keys: &'a mut HashSet<String>,
    /// The first problem, with its field.
    error: Option<DecodeError>,
}

impl Context<'_> {
    fn fail<E: de::Error>(&mut self, field: Option<FieldId>, reason: String) -> E {
        let field = field.map(|f| self.index.name(f).to_string());
        let message = reason.clone();
        if self.error.is_none() {
            self.error = Some(DecodeError { field, reason });
        }
        E::custom(message)
    }
}

/// Decodes `line` (one JSON object) into `record`. Keys not in the schema are
/// added to `unknown_keys`.
pub(crate) fn decode_line(
    compiled: &Compiled,
    index: &SchemaIndex,
    line: &str,
    record: &mut CaseRecord,
    unknown_keys: &mut HashSet<String>,
) -> Result<(), DecodeError> {
    record.clear();
    let mut context = Context {
        compiled,
        index,
        record,
        unknown_keys,
        error: None,
    };
    let mut deserializer = serde_json::Deserializer::from_str(line);
    let result = ObjectSeed {
        context: &mut context,
        group: None,
    }
    .deserialize(&mut deserializer)
    .and_then(|()| deserializer.end());
    match result {
        Ok(()) => {
            if context.record.case_id.is_empty() {
                return Err(DecodeError {
                    field: Some("case_id".into()),
                    reason: "the record has no `case_id`".into(),
                });
            }
            Ok(())
        }
        Err(error) => {
            // The case id may come after the field at fault: look for it
            // so that the rejection can name the case.
            if context.record.case_id.is_empty() {
                if let Ok(CaseIdOnly { case_id: Some(id) }) = serde_json::from_str(line) {
                    context.record.case_id = id;
                }
            }
            Err(context.error.take().unwrap_or_else(|| DecodeError {
                field: None,
                reason: json_reason(&error),
            }))
        }
    }
}

#[derive(serde::Deserialize)]
struct CaseIdOnly {
    case_id: Option<String>,
}

/// A serde_json syntax error without its position (the caller gives the line).
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
                let id: Option<String> = map.next_value()?;
                match id {
                    Some(id) if !id.is_empty() => {
                        if !self.context.record.case_id.is_empty() {
                            return Err(self.context.fail(
                                self.context.index.case_id,
                                "`case_id` appears twice".into(),
                            ));
                        }
                        self.context.record.case_id = id;
                    }
                    _ => {
                        return Err(self.context.fail(
                            self.context.index.case_id,
                            "`case_id` is empty or null".into(),
                        ))
                    }
                }
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
                        return Err(self
                            .context
                            .fail(Some(id), "the field appears twice".into()));
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

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(self
            .context
            .fail(None, "the record is `null`, not a JSON object".into()))
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

    fn wrong<E: de::Error>(self, found: &str) -> E {
        let ty = self.context.index.ty(self.field).clone();
        let wanted = match ty {
            Type::Enum(_) => "one of its values, as text".to_string(),
            Type::Record => "a JSON object".to_string(),
            Type::Bool => "true or false".to_string(),
            Type::List(element) => format!("a list of {element}"),
            other => format!("a {other}"),
        };
        self.context.fail(
            Some(self.field),
            format!("expected {wanted}, found {found}"),
        )
    }

    fn text<E: de::Error>(self, text: &str) -> Result<(), E> {
        let ty = self.context.index.ty(self.field).clone();
        match ty {
            Type::Str | Type::Date | Type::Enum(_) => {
                match decode_text(self.context.compiled, self.context.record, &ty, text) {
                    Ok(v) => {
                        self.store(v);
                        Ok(())
                    }
                    Err(reason) => Err(self.context.fail(Some(self.field), reason)),
                }
            }
            _ => Err(self.wrong(&format!("the text `{text}`"))),
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
            Type::Bool => {
                self.store(Val::Bool(v));
                Ok(())
            }
            _ => Err(self.wrong(&format!("`{v}`"))),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        match self.context.index.ty(self.field) {
            Type::Int => {
                self.store(Val::Int(v));
                Ok(())
            }
            _ => Err(self.wrong(&format!("the number {v}"))),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        match i64::try_from(v) {
            Ok(v) => self.visit_i64(v),
            Err(_) => Err(self.wrong("a number too large")),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        Err(self.wrong(&format!("the number {v}")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.text(v)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Type::List(element) = self.context.index.ty(self.field).clone() else {
            return Err(self.wrong("a list"));
        };
        let start = self.context.record.items.len();
        while let Some(item) = seq.next_element::<Option<ListItem>>()? {
            let value = match item {
                None => {
                    return Err(self
                        .context
                        .fail(Some(self.field), "a list element is null".into()))
                }
                Some(ListItem::Text(text)) => {
                    decode_text(self.context.compiled, self.context.record, &element, &text)
                }
                Some(ListItem::Other(what)) => {
                    Err(format!("expected a list of {element}, found {what} in it"))
                }
            };
            match value {
                Ok(v) => self.context.record.items.push(v),
                Err(reason) => return Err(self.context.fail(Some(self.field), reason)),
            }
        }
        let len = self.context.record.items.len() - start;
        if self.context.index.is_used(self.field) {
            self.context
                .record
                .set(self.field, Val::List(start as u32, len as u32));
        } else {
            self.context.record.items.truncate(start);
        }
        Ok(())
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<(), M::Error> {
        if *self.context.index.ty(self.field) != Type::Record {
            return Err(self.wrong("a JSON object"));
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

/// A list element as read: text, or a description of something else.
enum ListItem {
    Text(String),
    Other(String),
}

impl<'de> de::Deserialize<'de> for ListItem {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ItemVisitor;
        impl<'de> Visitor<'de> for ItemVisitor {
            type Value = ListItem;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list element")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ListItem, E> {
                Ok(ListItem::Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ListItem, E> {
                Ok(ListItem::Other(format!("`{v}`")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ListItem, E> {
                Ok(ListItem::Other(format!("the number {v}")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ListItem, E> {
                Ok(ListItem::Other(format!("the number {v}")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ListItem, E> {
                Ok(ListItem::Other(format!("the number {v}")))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ListItem, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(ListItem::Other("a list".into()))
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<ListItem, M::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(ListItem::Other("an object".into()))
            }
        }
        deserializer.deserialize_any(ItemVisitor)
    }
}
