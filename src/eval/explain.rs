//! What a finding says: its explanation text and the facts it rests on.

use crate::compile::val::Val;
use crate::compile::{Compiled, CompiledPart, CompiledRule};
use crate::date::Date;
use crate::eval::compiled::Evaluator;
use crate::eval::finding::Finding;
use crate::eval::outcome::RuleOutcome;
use crate::records::case::CaseRecord;
use crate::ruleset::schema::FieldId;
use crate::types::Type;

/// The finding of rule `index` for the current record (`None` when the rule
/// found nothing): the one place a finding is explained, for batches and rule
/// tests alike. A rule cleared by an exception is explained by the
/// exception, when it says why. Without `explain`, the explanation and facts
/// are left empty (formats that show only counts or gap ids).
pub fn finding(
    evaluator: &mut Evaluator<'_>,
    compiled: &Compiled,
    record: &mut CaseRecord,
    index: usize,
    outcome: RuleOutcome,
    explain: bool,
) -> Option<Finding> {
    if outcome == RuleOutcome::NotApplicable {
        return None;
    }
    if !explain {
        return Finding::new(index, outcome, String::new(), Vec::new());
    }
    let rule = &compiled.rules[index];
    let template = match &outcome {
        RuleOutcome::Cleared(exception) => rule
            .exception_because
            .get(*exception)
            .and_then(Option::as_ref)
            .unwrap_or(&rule.because),
        _ => &rule.because,
    };
    let text = because(evaluator, compiled, record, template);
    let facts = facts(compiled, record, rule);
    Finding::new(index, outcome, text, facts)
}

/// Renders a rule's `because` template for a record. Unknown values show as
/// `unknown`; lists are joined with `, `.
pub fn because(
    evaluator: &mut Evaluator<'_>,
    compiled: &Compiled,
    record: &mut CaseRecord,
    parts: &[CompiledPart],
) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            CompiledPart::Text(text) => out.push_str(text),
            CompiledPart::Value(node, ty) => {
                let value = evaluator.value(record, *node);
                out.push_str(&display(compiled, record, value, ty));
            }
        }
    }
    out
}

/// A value as text for an explanation.
pub fn display(compiled: &Compiled, record: &CaseRecord, value: Val, ty: &Type) -> String {
    match (value, ty) {
        (Val::Unknown, _) => "unknown".into(),
        (Val::Bool(b), _) => b.to_string(),
        (Val::Int(i), _) => i.to_string(),
        (Val::Date(d), _) => Date(d).to_string(),
        (Val::Duration(d), _) => format!("{d} days"),
        (Val::Enum(code), Type::Enum(id)) => compiled
            .program
            .schema
            .enum_def(*id)
            .values
            .get(code as usize)
            .cloned()
            .unwrap_or_default(),
        (Val::Sym(_) | Val::Text(..), _) => {
            record.text_of(compiled, value).unwrap_or("").to_string()
        }
        (Val::List(..) | Val::ConstList(..), _) => {
            let element = ty.element().cloned().unwrap_or(Type::Str);
            let items: Vec<String> = record
                .elements(compiled, value)
                .iter()
                .map(|&v| display(compiled, record, v, &element))
                .collect();
            if items.is_empty() {
                "none".into()
            } else {
                items.join(", ")
            }
        }
        (Val::Present, _) => "recorded".into(),
        (Val::Enum(code), _) => code.to_string(),
    }
}

/// A field's value as JSON, for the `facts` of a finding.
pub fn json(compiled: &Compiled, record: &CaseRecord, value: Val, ty: &Type) -> serde_json::Value {
    match (value, ty) {
        (Val::Unknown, _) => serde_json::Value::Null,
        (Val::Bool(b), _) => b.into(),
        (Val::Int(i), _) => i.into(),
        (Val::Duration(d), _) => d.into(),
        (Val::Present, _) => true.into(),
        (Val::List(..) | Val::ConstList(..), _) => {
            let element = ty.element().cloned().unwrap_or(Type::Str);
            record
                .elements(compiled, value)
                .iter()
                .map(|&v| json(compiled, record, v, &element))
                .collect::<Vec<_>>()
                .into()
        }
        _ => display(compiled, record, value, ty).into(),
    }
}

/// The known fields a rule read, with their values, in schema order
/// (groups such as `nri` are left out: their fields speak for them).
pub fn facts(
    compiled: &Compiled,
    record: &CaseRecord,
    rule: &CompiledRule,
) -> Vec<(FieldId, serde_json::Value)> {
    rule.fields_read
        .iter()
        .filter_map(|&field| {
            let ty = &compiled.program.schema.field(field).ty;
            let value = record.get(field);
            (value.is_known() && *ty != Type::Record)
                .then(|| (field, json(compiled, record, value, ty)))
        })
        .collect()
}
