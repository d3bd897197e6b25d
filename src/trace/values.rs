//! Interpreter values shown by the schema's names: enum codes as their
//! values, lists element by element.

use crate::check::program::Program;
use crate::types::Type;
use crate::value::Value;

/// A value as JSON: enum values by name, dates as `YYYY-MM-DD`, durations
/// as days.
pub(crate) fn json_value(program: &Program, value: &Value, ty: &Type) -> serde_json::Value {
    use serde_json::Value as Json;
    match (value, ty) {
        (Value::Bool(b), _) => Json::Bool(*b),
        (Value::Int(i) | Value::Duration(i), _) => Json::from(*i),
        (Value::Str(s), _) => Json::String(s.to_string()),
        (Value::Date(d), _) => Json::String(d.to_string()),
        (Value::Enum(code), Type::Enum(id)) => program
            .schema
            .enum_def(*id)
            .values
            .get(*code as usize)
            .map_or(Json::Null, |v| Json::String(v.clone())),
        (Value::Enum(code), _) => Json::from(*code),
        (Value::List(items), _) => {
            let element = ty.element().cloned().unwrap_or(Type::Str);
            Json::Array(
                items
                    .iter()
                    .map(|v| json_value(program, v, &element))
                    .collect(),
            )
        }
    }
}

/// A JSON value as text for a terminal (not escaped yet): strings bare,
/// lists joined with `, ` (`none` when empty), `null` as "not recorded".
pub(crate) fn show_value(value: &serde_json::Value) -> String {
    use serde_json::Value as Json;
    match value {
        Json::Null => "not recorded".into(),
        Json::String(s) => s.clone(),
        Json::Array(items) if items.is_empty() => "none".into(),
        Json::Array(items) => items.iter().map(show_value).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}
