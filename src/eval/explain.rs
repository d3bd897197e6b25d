//! What a finding says: its explanation text and the facts it rests on.
//!
//! The wording rule: a finding that needs review never reads as an
//! established fact. Its explanation leads with what is not recorded
//! ("not recorded: fear_of_mexico_expressed; …"), then the template with
//! every claim (`[…]`) left out whose mentions do not hold (`{?x}`: `x` is
//! true, or, not being true/false, recorded; `{?!x}`: `x` is false) or that
//! shows a value not recorded; a value still unknown outside a claim shows as
//! "not recorded". A flagged or cleared finding leaves out only the claims
//! whose mentions do not hold, and shows an unknown value as "unknown".

use crate::compile::val::Val;
use crate::compile::{Compiled, CompiledPart, CompiledRule};
use crate::date::Date;
use crate::eval::compiled::Evaluator;
use crate::eval::finding::Finding;
use crate::eval::outcome::{field_names, RuleOutcome};
use crate::records::case::CaseRecord;
use crate::ruleset::schema::FieldId;
use crate::types::Type;

/// The finding of rule `index` for the current record (`None` when the rule
/// found nothing): the one place a finding is explained, for batches and rule
/// tests alike. A rule cleared by an exception is explained by the
/// exception, when it says why. Without `explain`, the explanation and facts
/// are left empty (formats that show only counts or gap ids).
pub(crate) fn finding(
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
    let text = match &outcome {
        RuleOutcome::NeedsReview(unknown) => {
            let mut text = review_lead(compiled, unknown);
            let body = render(evaluator, compiled, record, template, Mode::Review);
            // Claims left out can leave a separator at either end.
            let body =
                body.trim_matches(|c: char| c.is_whitespace() || matches!(c, ';' | ',' | ':'));
            if !body.is_empty() {
                text.push_str("; ");
                text.push_str(body);
            }
            text
        }
        _ => because(evaluator, compiled, record, template),
    };
    let facts = facts(compiled, record, rule);
    Finding::new(index, outcome, text, facts)
}

/// What a needs-review explanation leads with: the fields not recorded, or,
/// when no field is missing (the rule says `unknown` itself, or a table has
/// no row for the case), that the record does not settle it.
pub(crate) fn review_lead(compiled: &Compiled, unknown: &[FieldId]) -> String {
    if unknown.is_empty() {
        return "the record does not settle this".into();
    }
    format!("not recorded: {}", field_names(&compiled.program, unknown))
}

/// How a template is rendered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A flagged or cleared finding: unknown values show as `unknown`.
    Established,
    /// A finding that needs review: unknown values show as `not recorded`.
    Review,
}

/// Renders a rule's `because` template for a record, as for an established
/// finding. Unknown values show as `unknown`; lists are joined with `, `; a
/// claim whose mentions do not hold is left out.
fn because(
    evaluator: &mut Evaluator<'_>,
    compiled: &Compiled,
    record: &mut CaseRecord,
    parts: &[CompiledPart],
) -> String {
    render(evaluator, compiled, record, parts, Mode::Established)
}

fn render(
    evaluator: &mut Evaluator<'_>,
    compiled: &Compiled,
    record: &mut CaseRecord,
    parts: &[CompiledPart],
    mode: Mode,
) -> String {
    let mut out = String::new();
    render_into(&mut out, evaluator, compiled, record, parts, mode);
    out
}

/// Whether the values of some template parts are known.
struct Known {
    /// Every value shown is known.
    shown: bool,
    /// Every value mentioned with `{?name}` or `{?!name}` holds.
    mentioned: bool,
}

impl Known {
    /// Whether a claim of these parts is shown: what it mentions holds, and,
    /// in a finding that needs review, every value it shows is recorded.
    fn claim_holds(&self, mode: Mode) -> bool {
        self.mentioned && (mode == Mode::Established || self.shown)
    }
}

/// Appends `parts` to `out`, leaving out each claim that does not hold.
fn render_into(
    out: &mut String,
    evaluator: &mut Evaluator<'_>,
    compiled: &Compiled,
    record: &mut CaseRecord,
    parts: &[CompiledPart],
    mode: Mode,
) -> Known {
    let mut known = Known {
        shown: true,
        mentioned: true,
    };
    // A claim was just left out: the space before it and the space after it
    // must not both stay.
    let mut after_gap = false;
    for part in parts {
        match part {
            CompiledPart::Text(text) => push_after_gap(out, text, &mut after_gap),
            CompiledPart::Value(node, ty) => {
                let value = evaluator.value(record, *node);
                if value.is_known() {
                    out.push_str(&display(compiled, record, value, ty));
                } else {
                    known.shown = false;
                    out.push_str(match mode {
                        Mode::Established => "unknown",
                        Mode::Review => "not recorded",
                    });
                }
            }
            CompiledPart::Mention(node, holds_when) => {
                let value = evaluator.value(record, *node);
                known.mentioned &= match holds_when {
                    Some(truth) => value == Val::Bool(*truth),
                    None => value.is_known(),
                };
            }
            CompiledPart::Claim(inner) => {
                let mut claim = String::new();
                if render_into(&mut claim, evaluator, compiled, record, inner, mode)
                    .claim_holds(mode)
                {
                    push_after_gap(out, &claim, &mut after_gap);
                } else {
                    after_gap = true;
                }
            }
        }
    }
    known
}

/// Appends template text to `out`, dropping its leading space when a claim
/// left out just before would otherwise leave two spaces in a row (record
/// values are never touched).
fn push_after_gap(out: &mut String, piece: &str, after_gap: &mut bool) {
    let piece = match piece.strip_prefix(' ') {
        Some(rest) if *after_gap && (out.ends_with(' ') || out.is_empty()) => rest,
        _ => piece,
    };
    out.push_str(piece);
    if !piece.is_empty() {
        *after_gap = false;
    }
}

/// A value as text for an explanation.
pub(crate) fn display(compiled: &Compiled, record: &CaseRecord, value: Val, ty: &Type) -> String {
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
pub(crate) fn json(
    compiled: &Compiled,
    record: &CaseRecord,
    value: Val,
    ty: &Type,
) -> serde_json::Value {
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
pub(crate) fn facts(
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
