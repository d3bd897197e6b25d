//! The outcome of one rule for one record, decided in the same way by the
//! compiled evaluator and the direct interpreter: the effective window, then
//! the condition, then the exceptions in order (Kleene logic throughout).

use crate::ruleset::schema::FieldId;

/// The outcome of one rule for one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RuleOutcome {
    /// The condition is false, or the record is outside the window.
    NotApplicable,
    /// The condition holds and no exception does.
    Flagged,
    /// Undecidable; the unknown fields that made it so.
    NeedsReview(Vec<FieldId>),
    /// The condition holds (or may), but the exception with this index
    /// (into `Rule::exceptions`) holds.
    Cleared(usize),
}

impl RuleOutcome {
    /// The outcome in words, for reports and test failures (the one wording
    /// of outcomes): "flagged", "clear", "needs review (unknown: a, b)" (or,
    /// when no field is missing because the rule said `unknown` itself or a
    /// table has no row for the case, "needs review (the record does not
    /// settle it)"), "cleared
    /// by `exception`".
    pub(crate) fn describe(&self, program: &crate::check::program::Program, rule: usize) -> String {
        match self {
            RuleOutcome::Flagged => "flagged".into(),
            RuleOutcome::NotApplicable => "clear".into(),
            RuleOutcome::NeedsReview(unknown) => {
                if unknown.is_empty() {
                    "needs review (the record does not settle it)".to_string()
                } else {
                    format!("needs review (unknown: {})", field_names(program, unknown))
                }
            }
            RuleOutcome::Cleared(e) => {
                format!("cleared by `{}`", program.rules[rule].exceptions[*e].name)
            }
        }
    }
}

/// The names of `fields`, joined with `, ` (for the wording of a finding
/// that needs review).
pub(crate) fn field_names(program: &crate::check::program::Program, fields: &[FieldId]) -> String {
    let names: Vec<&str> = fields
        .iter()
        .map(|f| program.schema.field(*f).name.as_str())
        .collect();
    names.join(", ")
}

/// Where a record's date falls with respect to a rule's effective window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Window {
    /// In force (or the rule has no window).
    Inside,
    /// Not in force: the rule does not apply.
    Outside,
    /// The date is unknown; these fields would settle it.
    Unknown(Vec<FieldId>),
}

/// How an evaluator carries out the steps of one rule for one record.
pub(crate) trait RuleSteps {
    /// The window test.
    fn window(&mut self) -> Window;
    /// The condition's truth and, if unknown, the unknown fields behind it.
    fn condition(&mut self) -> (Option<bool>, Vec<FieldId>);
    /// How many exceptions the rule has.
    fn exceptions(&self) -> usize;
    /// An exception's truth, like [`RuleSteps::condition`].
    fn exception(&mut self, index: usize) -> (Option<bool>, Vec<FieldId>);
}

/// The outcome: outside the window or a false condition → not applicable;
/// the first exception that holds clears the rule; an unknown window date,
/// condition or exception makes a found gap need review (with the fields
/// behind it, if any: a lookup with no row or the `unknown` literal leaves
/// none, and still the gap may not be flagged); otherwise the gap is flagged.
pub(crate) fn decide(steps: &mut impl RuleSteps) -> RuleOutcome {
    let mut settled = true;
    let mut review: Vec<FieldId> = match steps.window() {
        Window::Outside => return RuleOutcome::NotApplicable,
        Window::Inside => Vec::new(),
        Window::Unknown(fields) => {
            settled = false;
            fields
        }
    };
    let (truth, unknowns) = steps.condition();
    match truth {
        Some(false) => return RuleOutcome::NotApplicable,
        Some(true) => {}
        None => settled = false,
    }
    join(&mut review, unknowns);
    for index in 0..steps.exceptions() {
        match steps.exception(index) {
            (Some(true), _) => return RuleOutcome::Cleared(index),
            (Some(false), _) => {}
            (None, unknowns) => {
                settled = false;
                join(&mut review, unknowns);
            }
        }
    }
    if settled {
        return RuleOutcome::Flagged;
    }
    review.sort();
    review.dedup();
    RuleOutcome::NeedsReview(review)
}

/// Adds `more` to `review`: taken over whole when `review` is empty (the
/// common case, which then allocates nothing more).
fn join(review: &mut Vec<FieldId>, more: Vec<FieldId>) {
    if review.is_empty() {
        *review = more;
    } else {
        review.extend(more);
    }
}

/// Sorts `fields[from..]` and removes its repeats, in place. Evaluators call
/// it where a definition's unknown fields are stored, so that a definition
/// that uses another twice (`def c2 = c1 ?? c1`, nested 40 deep) keeps at
/// most one entry per schema field instead of doubling at every level.
pub(crate) fn dedup_from(fields: &mut Vec<FieldId>, from: usize) {
    fields[from..].sort_unstable();
    let mut kept = from;
    for i in from..fields.len() {
        if kept == from || fields[i] != fields[kept - 1] {
            fields[kept] = fields[i];
            kept += 1;
        }
    }
    fields.truncate(kept);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_is_sorted_without_repeats_and_the_head_is_kept() {
        let ids = |v: &[u32]| v.iter().map(|&i| FieldId(i)).collect::<Vec<_>>();
        let mut fields = ids(&[5, 5, 3, 1, 3, 1, 2]);
        dedup_from(&mut fields, 2);
        assert_eq!(fields, ids(&[5, 5, 1, 2, 3]));
        let mut empty = Vec::new();
        dedup_from(&mut empty, 0);
        assert!(empty.is_empty());
    }
}
