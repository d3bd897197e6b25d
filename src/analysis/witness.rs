//! Cases from models, and models from cases. A model of the encoding
//! becomes a concrete case (a value of each class: the constant, a value
//! in the region, a text no rule mentions), written as a rule test's
//! `[test.case]` and checked with the interpreter before any warning rests
//! on it. The other way, a record gives the assignment of the field
//! literals (for the property test).

use std::sync::Arc;

use batsat::Lit;

use crate::audit::generate::{GenCase, GenValue};
use crate::check::program::Program;
use crate::eval::record::Record;
use crate::types::Type;
use crate::value::Value;

use super::domain::{from_ordinal, Domain};
use super::encode::Encoder;

/// A text that none of `values` is.
fn other_text(values: &[Value]) -> String {
    let mut text = String::from("other");
    while values
        .iter()
        .any(|v| matches!(v, Value::Str(s) if **s == *text))
    {
        text.push('_');
    }
    text
}

/// A value as the audit generator writes it.
fn gen_value(program: &Program, ty: &Type, value: &Value) -> Option<GenValue> {
    Some(match (ty, value) {
        (_, Value::Bool(b)) => GenValue::Bool(*b),
        (_, Value::Int(i)) => GenValue::Int(*i),
        (_, Value::Str(s)) => GenValue::Text(s.to_string()),
        (_, Value::Date(d)) => GenValue::Date(*d),
        (Type::Enum(id), Value::Enum(i)) => GenValue::Text(
            program
                .schema
                .enum_def(*id)
                .values
                .get(*i as usize)?
                .clone(),
        ),
        _ => return None,
    })
}

impl Encoder<'_> {
    /// The case the last model describes; fields whose domain is not
    /// abstracted are left unknown. `None` if a class has no value that
    /// can be written (a region beyond the dates).
    pub(super) fn case_from_model(&self) -> Option<GenCase> {
        let program = self.program;
        let mut values = Vec::with_capacity(self.fields.len());
        for (i, (vars, domain)) in self.fields.iter().zip(&self.domains).enumerate() {
            let ty = &program.schema.fields[i].ty;
            let chosen = |lits: &[Lit]| lits.iter().position(|&l| self.sat.value(l));
            let value = if self.sat.value(vars.unknown) || program.schema.fields[i].required {
                None
            } else {
                match domain {
                    Domain::Opaque => None,
                    Domain::Group => Some(GenValue::Present),
                    Domain::Values { values, .. } => match chosen(&vars.classes) {
                        Some(at) => Some(gen_value(program, ty, values.get(at)?)?),
                        None => Some(GenValue::Text(other_text(values))),
                    },
                    Domain::Regions(regions) => {
                        let region = regions.get(chosen(&vars.classes)?)?;
                        let value = from_ordinal(ty, region.representative())?;
                        Some(gen_value(program, ty, &value)?)
                    }
                    Domain::Members { values, .. } => {
                        let element = ty.element()?;
                        let mut items = Vec::new();
                        for (value, &lit) in values.iter().zip(&vars.classes) {
                            if self.sat.value(lit) {
                                items.push(gen_value(program, element, value)?);
                            }
                        }
                        if vars.other.is_some_and(|o| self.sat.value(o)) {
                            items.push(GenValue::Text(other_text(values)));
                        }
                        Some(GenValue::List(items))
                    }
                }
            };
            values.push(value);
        }
        Some(GenCase {
            values,
            growth: Vec::new(),
        })
    }

    /// The literals a record fixes: each field's class, in the record's
    /// values (for the property test; opaque atoms are assigned apart).
    #[cfg(test)]
    pub(super) fn field_assignment(&self, record: &Record) -> Vec<Lit> {
        use super::domain::ordinal;
        let mut out = Vec::new();
        for (i, (vars, domain)) in self.fields.iter().zip(&self.domains).enumerate() {
            let value = record.slots.get(i).and_then(Option::as_ref);
            out.push(if value.is_some() {
                !vars.unknown
            } else {
                vars.unknown
            });
            let Some(value) = value else {
                out.extend(vars.classes.iter().map(|&l| !l));
                out.extend(vars.other.iter().map(|&l| !l));
                continue;
            };
            match domain {
                Domain::Opaque | Domain::Group => {}
                Domain::Values { values, .. } => {
                    for (v, &lit) in values.iter().zip(&vars.classes) {
                        out.push(if v == value { lit } else { !lit });
                    }
                    if let Some(other) = vars.other {
                        out.push(if values.contains(value) {
                            !other
                        } else {
                            other
                        });
                    }
                }
                Domain::Regions(regions) => {
                    let n = ordinal(value);
                    for (r, &lit) in regions.iter().zip(&vars.classes) {
                        let inside = n.is_some_and(|n| r.lo <= n && n <= r.hi);
                        out.push(if inside { lit } else { !lit });
                    }
                }
                Domain::Members { values, .. } => {
                    let items: &[Value] = match value {
                        Value::List(items) => items,
                        _ => &[],
                    };
                    for (v, &lit) in values.iter().zip(&vars.classes) {
                        out.push(if items.contains(v) { lit } else { !lit });
                    }
                    if let Some(other) = vars.other {
                        let more = items.iter().any(|x| !values.contains(x));
                        out.push(if more { other } else { !other });
                    }
                }
            }
        }
        out
    }
}

/// The record of a generated case, as the decoder would make it: enum
/// values by index, a present group as `true`, a group's fields only when
/// the group is present.
pub(crate) fn record_of(program: &Program, case: &GenCase) -> Option<Record> {
    let schema = &program.schema;
    let mut record = Record::new("analysis", schema.fields.len());
    for (i, field) in schema.fields.iter().enumerate() {
        let Some(value) = case.values.get(i).and_then(Option::as_ref) else {
            continue;
        };
        if let Some(parent) = field.parent {
            if case
                .values
                .get(parent.0 as usize)
                .is_none_or(Option::is_none)
            {
                continue;
            }
        }
        record.slots[i] = Some(value_of(program, &field.ty, value)?);
    }
    Some(record)
}

fn value_of(program: &Program, ty: &Type, value: &GenValue) -> Option<Value> {
    Some(match (ty, value) {
        (Type::Record, GenValue::Present) => Value::Bool(true),
        (Type::Bool, GenValue::Bool(b)) => Value::Bool(*b),
        (Type::Int, GenValue::Int(i)) => Value::Int(*i),
        (Type::Str, GenValue::Text(s)) => Value::Str(Arc::from(s.as_str())),
        (Type::Enum(id), GenValue::Text(s)) => Value::Enum(program.schema.enum_value(*id, s)?),
        (Type::Date, GenValue::Date(d)) => Value::Date(*d),
        (Type::List(element), GenValue::List(items)) => {
            let items: Option<Vec<Value>> = items
                .iter()
                .map(|i| value_of(program, element, i))
                .collect();
            Value::List(items?.into())
        }
        _ => return None,
    })
}

/// A `[test.case]` table body as one line: `case = { a = 1, b = "x" }`
/// (dotted keys and `nri = {}` are valid in an inline table too).
pub(super) fn inline_toml(body: &str) -> String {
    let lines: Vec<&str> = body.lines().filter(|l| !l.trim().is_empty()).collect();
    format!("case = {{ {} }}", lines.join(", "))
}

/// Fewer fields make a clearer example: leaves out of `case` each field
/// that `shows` does not need (`shows` holds of `case` on entry).
pub(crate) fn minimise(case: &mut GenCase, shows: impl Fn(&GenCase) -> bool) {
    for i in 0..case.values.len() {
        let kept = case.values[i].take();
        if kept.is_some() && !shows(case) {
            case.values[i] = kept;
        }
    }
}
