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

use std::fmt::Write as _;

use crate::compile::val::Val;
use crate::compile::{Compiled, CompiledPart, CompiledRule};
use crate::date::Date;
use crate::eval::compiled::Evaluator;
use crate::eval::fact_value::FactValue;
use crate::eval::finding::Finding;
use crate::eval::outcome::RuleOutcome;
use crate::records::case::CaseRecord;
use crate::ruleset::schema::FieldId;
use crate::types::Type;

/// The finding of rule `index` for the current record (`None` when the rule
/// found nothing): the one place a finding is explained, for batches and rule
/// tests alike. A rule cleared by an exception is explained by the
/// exception, when it says why. Without `explain`, the explanation is left
/// empty and the finding shows no facts (formats that show only counts or
/// gap ids). The explanation is written into `text` (cleared first), so a
/// batch reuses the buffers of the previous case's findings.
pub(crate) fn finding(
    mut text: String,
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
    text.clear();
    if explain {
        explain_into(&mut text, evaluator, compiled, record, index, &outcome);
    }
    Finding::new(index, outcome, text, explain)
}

/// Writes the explanation of rule `index`'s `outcome` into `text` (empty).
fn explain_into(
    text: &mut String,
    evaluator: &mut Evaluator<'_>,
    compiled: &Compiled,
    record: &mut CaseRecord,
    index: usize,
    outcome: &RuleOutcome,
) {
    let Some(rule) = compiled.rules.get(index) else {
        return;
    };
    let template = match outcome {
        RuleOutcome::Cleared(exception) => rule
            .exception_because
            .get(*exception)
            .and_then(Option::as_ref)
            .unwrap_or(&rule.because),
        _ => &rule.because,
    };
    match outcome {
        RuleOutcome::NeedsReview(unknown) => {
            review_lead(text, compiled, unknown);
            let at = text.len();
            render_into(
                text,
                at,
                evaluator,
                compiled,
                record,
                template,
                Mode::Review,
            );
            // Claims left out can leave a separator at either end.
            let cut = |c: char| c.is_whitespace() || matches!(c, ';' | ',' | ':');
            let end = at + text[at..].trim_end_matches(cut).len();
            text.truncate(end);
            let lead = text[at..].len() - text[at..].trim_start_matches(cut).len();
            if at == text.len() {
                return;
            }
            text.replace_range(at..at + lead, "; ");
        }
        _ => {
            render_into(
                text,
                0,
                evaluator,
                compiled,
                record,
                template,
                Mode::Established,
            );
        }
    }
}

/// Appends what a needs-review explanation leads with: the fields not recorded, or,
/// when no field is missing (the rule says `unknown` itself, or a table has
/// no row for the case), that the record does not settle it.
pub(crate) fn review_lead(text: &mut String, compiled: &Compiled, unknown: &[FieldId]) {
    if unknown.is_empty() {
        text.push_str("the record does not settle this");
        return;
    }
    text.push_str("not recorded: ");
    for (i, field) in unknown.iter().enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        text.push_str(&compiled.program.schema.field(*field).name);
    }
}

/// How a template is rendered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A flagged or cleared finding: unknown values show as `unknown`.
    Established,
    /// A finding that needs review: unknown values show as `not recorded`.
    Review,
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
/// The rendering starts at `out[base..]` (what comes before is not its
/// text); a claim is rendered in place and cut off again when it does not
/// hold. Unknown values show as `unknown` (or `not recorded` for review);
/// lists are joined with `, `.
fn render_into(
    out: &mut String,
    base: usize,
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
            CompiledPart::Text(text) => push_after_gap(out, base, text, &mut after_gap),
            CompiledPart::Value(node, ty) => {
                let value = evaluator.value(record, *node);
                if value.is_known() {
                    display_into(out, compiled, record, value, ty);
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
                let start = out.len();
                if render_into(out, start, evaluator, compiled, record, inner, mode)
                    .claim_holds(mode)
                {
                    // The claim's text, as `push_after_gap` would add it.
                    let before_ends_in_gap = start == base || out[..start].ends_with(' ');
                    if after_gap && before_ends_in_gap && out[start..].starts_with(' ') {
                        out.remove(start);
                    }
                    if out.len() > start {
                        after_gap = false;
                    }
                } else {
                    out.truncate(start);
                    after_gap = true;
                }
            }
        }
    }
    known
}

/// Appends template text to `out`, dropping its leading space when a claim
/// left out just before would otherwise leave two spaces in a row (record
/// values are never touched). The rendering started at `out[base..]`.
fn push_after_gap(out: &mut String, base: usize, piece: &str, after_gap: &mut bool) {
    let piece = match piece.strip_prefix(' ') {
        Some(rest) if *after_gap && (out.len() == base || out.ends_with(' ')) => rest,
        _ => piece,
    };
    out.push_str(piece);
    if !piece.is_empty() {
        *after_gap = false;
    }
}

/// A value as text for an explanation.
pub(crate) fn display(compiled: &Compiled, record: &CaseRecord, value: Val, ty: &Type) -> String {
    let mut text = String::new();
    display_into(&mut text, compiled, record, value, ty);
    text
}

/// Appends [`display`] of `value` to `out`.
pub(crate) fn display_into(
    out: &mut String,
    compiled: &Compiled,
    record: &CaseRecord,
    value: Val,
    ty: &Type,
) {
    // Writing to a `String` cannot fail.
    match (value, ty) {
        (Val::Unknown, _) => out.push_str("unknown"),
        (Val::Bool(b), _) => out.push_str(if b { "true" } else { "false" }),
        (Val::Int(i), _) => {
            let _ = write!(out, "{i}");
        }
        (Val::Date(d), _) => match Date(d).iso_bytes() {
            Some(text) => out.extend(text.iter().map(|&b| char::from(b))),
            None => {
                let _ = write!(out, "{}", Date(d));
            }
        },
        (Val::Duration(d), _) => {
            let _ = write!(out, "{d} days");
        }
        (Val::Enum(code), Type::Enum(id)) => {
            if let Some(text) = compiled
                .program
                .schema
                .enum_def(*id)
                .values
                .get(code as usize)
            {
                out.push_str(text);
            }
        }
        (Val::Sym(_) | Val::Text(..), _) => {
            out.push_str(record.text_of(compiled, value).unwrap_or(""));
        }
        (Val::List(..) | Val::ConstList(..), _) => {
            let element = ty.element().unwrap_or(&Type::Str);
            let items = record.elements(compiled, value);
            if items.is_empty() {
                out.push_str("none");
            }
            for (i, &item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                display_into(out, compiled, record, item, element);
            }
        }
        (Val::Present, _) => out.push_str("recorded"),
        (Val::Enum(code), _) => {
            let _ = write!(out, "{code}");
        }
    }
}

/// The known fields a rule read, with their values and types, in schema
/// order (groups such as `nri` are left out: their fields speak for them):
/// the facts of its finding.
pub(crate) fn fact_values<'a>(
    compiled: &'a Compiled,
    record: &'a CaseRecord,
    rule: &'a CompiledRule,
) -> impl Iterator<Item = (FieldId, Val, &'a Type)> + 'a {
    rule.fields_read.iter().filter_map(move |&field| {
        let ty = &compiled.program.schema.field(field).ty;
        let value = record.get(field);
        (value.is_known() && *ty != Type::Record).then_some((field, value, ty))
    })
}

/// The facts of `finding` for `record` (the record it was found for) as
/// JSON values: none when it was not explained.
pub(crate) fn facts(
    compiled: &Compiled,
    record: &CaseRecord,
    finding: &Finding,
) -> Vec<(FieldId, serde_json::Value)> {
    let Some(rule) = compiled
        .rules
        .get(finding.rule())
        .filter(|_| finding.explained())
    else {
        return Vec::new();
    };
    fact_values(compiled, record, rule)
        .map(|(field, value, ty)| (field, FactValue::of(compiled, record, value, ty).to_json()))
        .collect()
}
