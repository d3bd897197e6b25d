//! Decoding one scalar value of a known type from text (CSV cells, JSON
//! strings), with the reason when it does not fit.

use crate::compile::val::Val;
use crate::compile::Compiled;
use crate::date::Date;
use crate::records::case::CaseRecord;
use crate::records::rejection::{Problem, ProblemKind};
use crate::types::Type;

/// Decodes `text` as a value of `ty` (a scalar type); the problem (of no
/// field yet) when it is not one.
pub(crate) fn decode_text(
    compiled: &Compiled,
    record: &mut CaseRecord,
    ty: &Type,
    text: &str,
) -> Result<Val, Problem> {
    let wrong = |reason: String| Problem::new(ProblemKind::WrongType, reason);
    match ty {
        Type::Str => Ok(record.text_value(compiled, text)),
        Type::Date => Date::parse(text).map(|d| Val::Date(d.0)).ok_or_else(|| {
            Problem::new(
                ProblemKind::NotADate,
                format!("`{text}` is not a date (expected YYYY-MM-DD)"),
            )
        }),
        Type::Enum(id) => compiled
            .program
            .schema
            .enum_value(*id, text)
            .map(Val::Enum)
            .ok_or_else(|| Problem::new(ProblemKind::NotInEnum, enum_reason(compiled, *id, text))),
        Type::Bool => match text {
            "true" => Ok(Val::Bool(true)),
            "false" => Ok(Val::Bool(false)),
            _ => Err(wrong(format!("`{text}` is not true or false"))),
        },
        Type::Int => text
            .parse::<i64>()
            .map(Val::Int)
            .map_err(|_| wrong(format!("`{text}` is not a whole number"))),
        other => Err(wrong(format!(
            "a {other} cannot be written as a single value"
        ))),
    }
}

/// Why `text` is not a value of enum `id`.
fn enum_reason(compiled: &Compiled, id: crate::types::EnumId, text: &str) -> String {
    let def = compiled.program.schema.enum_def(id);
    let values: Vec<String> = def.values.iter().map(|v| format!("`{v}`")).collect();
    format!(
        "`{text}` is not a value of `{}` (expected one of {})",
        def.field,
        values.join(", ")
    )
}
