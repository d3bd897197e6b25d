//! Static analysis of a checked program (`nrscreen check`): conditions that
//! can never be true or never false, exceptions that can never apply, rules
//! made redundant by or overlapping with another rule of the same gap, and
//! comparisons that are always unknown.
//!
//! Each question is decided exactly, by a SAT solver, over a finite
//! abstraction of the case record that over-approximates it (`encode.rs`):
//! a "never" verdict (unsatisfiable) holds for every case. A "can" verdict
//! (an overlap) rests on a concrete case built from the model and checked
//! with the interpreter; when that case does not show it (an opaque part of
//! a condition decided otherwise), nothing is said.

mod domain;
mod encode;
pub(crate) mod equivalence;
mod sat;
#[cfg(test)]
mod tests;
mod witness;

use crate::audit::generate::GenCase;
use crate::check::program::{Program, Rule, TExpr};
use crate::diagnostic::Diagnostic;
use crate::eval::interpret::rule_outcome;
use crate::eval::outcome::RuleOutcome;

use self::encode::{Encoder, Outcome};
pub(crate) use self::witness::{minimise, record_of};

/// Adds the analysis warnings to a checked rule set's diagnostics (when
/// it checked without errors); only `nrscreen check` asks for them.
pub(crate) fn analyse(checked: &mut crate::check::Checked) {
    if let Some(program) = &checked.program {
        checked.diagnostics.extend(warnings(program));
        crate::diagnostic::sort(&mut checked.diagnostics);
    }
}

/// The analysis warnings for a program, in no particular order.
pub(crate) fn warnings(program: &Program) -> Vec<Diagnostic> {
    let mut encoder = Encoder::new(program);
    let outcomes: Vec<Outcome> = program.rules.iter().map(|r| encoder.rule(r)).collect();
    let mut out = Vec::new();
    let mut can_flag = Vec::with_capacity(outcomes.len());
    for (rule, outcome) in program.rules.iter().zip(&outcomes) {
        can_flag.push(rule_warnings(&mut encoder, rule, outcome, &mut out));
    }
    for (i, a) in program.rules.iter().enumerate() {
        for (j, b) in program.rules.iter().enumerate().skip(i + 1) {
            if a.gap == b.gap && can_flag[i] && can_flag[j] && !acknowledged(a, b) {
                out.extend(pair_warning(
                    &mut encoder,
                    (a, &outcomes[i]),
                    (b, &outcomes[j]),
                ));
            }
        }
    }
    always_unknown(&mut encoder, &mut out);
    out
}

/// The warnings about one rule alone; whether it can flag a case.
fn rule_warnings(
    encoder: &mut Encoder<'_>,
    rule: &Rule,
    outcome: &Outcome,
    out: &mut Vec<Diagnostic>,
) -> bool {
    let condition = &rule.condition;
    let can_be_true = encoder.sat.satisfiable(&[outcome.condition.t]);
    // A literal `false` has its own warning (`never-fires`).
    if !can_be_true && !crate::check::is_literally_false(condition) {
        out.push(
            Diagnostic::warning(
                "never-true",
                format!("rule `{}` can never flag a case", rule.id),
                condition.span,
            )
            .with_label("this condition is never true, whatever the case record says")
            .with_help("the values it needs contradict each other (or the schema); correct the condition, or delete the rule"),
        );
    }
    let can_flag = can_be_true && encoder.sat.satisfiable(&[outcome.flagged]);
    if can_be_true && !can_flag {
        out.push(
            Diagnostic::warning(
                "never-flags",
                format!("rule `{}` can never flag a case", rule.id),
                condition.span,
            )
            .with_label("whenever this condition is true, the effective window or an exception rules the case out")
            .with_help("check the window's dates and the exceptions against the condition"),
        );
    }
    if !encoder.sat.satisfiable(&[outcome.condition.f]) {
        out.push(
            Diagnostic::warning(
                "never-false",
                format!("the condition of rule `{}` is never false", rule.id),
                condition.span,
            )
            .with_label("no case record makes this false, so the rule never clears a case by its condition")
            .with_help("a condition that holds (or may hold) for every case screens nothing; make it name what the gap needs"),
        );
    }
    if can_be_true {
        for (exception, &cleared) in rule.exceptions.iter().zip(&outcome.cleared) {
            if !encoder.sat.satisfiable(&[cleared]) {
                out.push(
                    Diagnostic::warning(
                        "exception-never-applies",
                        format!("exception `{}` of rule `{}` can never apply", exception.name, rule.id),
                        exception.condition.span,
                    )
                    .with_label("this is never true while the rule's condition is not false and no earlier exception holds")
                    .with_help("correct the exception's condition, or delete it"),
                );
            }
        }
    }
    can_flag
}

/// Whether the author has said, in either rule's doc comment, that the two
/// rules overlap (`/// overlaps: OTHER-RULE — why`).
fn acknowledged(a: &Rule, b: &Rule) -> bool {
    let names = |rule: &Rule, other: &Rule| {
        rule.doc.iter().any(|line| {
            line.trim()
                .strip_prefix("overlaps:")
                .and_then(|rest| rest.split_whitespace().next())
                .is_some_and(|id| id.trim_end_matches([',', ';']) == other.id)
        })
    };
    names(a, b) || names(b, a)
}

/// A case both rules flag, written as a `[test.case]` body, if the model
/// of `assumptions` gives one that the interpreter confirms.
fn common_case(
    encoder: &mut Encoder<'_>,
    a: &Rule,
    b: &Rule,
    both: &[batsat::Lit],
) -> Option<String> {
    if !encoder.sat.satisfiable(both) {
        return None;
    }
    let mut case = encoder.case_from_model()?;
    let program = encoder.program;
    let shows = |case: &GenCase| {
        witness::record_of(program, case).is_some_and(|record| {
            [a, b]
                .iter()
                .all(|rule| rule_outcome(program, &record, rule) == RuleOutcome::Flagged)
        })
    };
    // The model may have decided an opaque part otherwise than the case
    // does: then the case shows nothing, and no warning rests on it.
    if !shows(&case) {
        return None;
    }
    minimise(&mut case, shows);
    Some(witness::inline_toml(&case.to_toml(program)))
}

/// The redundancy or overlap warning for two rules of the same gap (`a`
/// declared first), if any.
fn pair_warning(
    encoder: &mut Encoder<'_>,
    (a, oa): (&Rule, &Outcome),
    (b, ob): (&Rule, &Outcome),
) -> Option<Diagnostic> {
    let a_in_b = !encoder.sat.satisfiable(&[oa.flagged, !ob.flagged]);
    let b_in_a = !encoder.sat.satisfiable(&[ob.flagged, !oa.flagged]);
    let case = common_case(encoder, a, b, &[oa.flagged, ob.flagged]);
    let example = |case: &str| format!("a case both flag (for a rule test's `[[test]]`): `{case}`");
    let acknowledge = |other: &Rule| {
        format!(
            "if both are meant, say so in the doc comment of one: `/// overlaps: {} — why`",
            other.id
        )
    };
    let (subject, other, message, label) = match (a_in_b, b_in_a) {
        (true, true) => (
            b,
            a,
            format!(
                "rule `{}` flags exactly the cases that rule `{}` flags",
                b.id, a.id
            ),
            "the same cases as this rule",
        ),
        (false, true) => (
            b,
            a,
            format!(
                "rule `{}` is redundant: every case it flags, rule `{}` flags too",
                b.id, a.id
            ),
            "this rule flags them all",
        ),
        (true, false) => (
            a,
            b,
            format!(
                "rule `{}` is redundant: every case it flags, rule `{}` flags too",
                a.id, b.id
            ),
            "this rule flags them all",
        ),
        (false, false) => {
            let case = case?;
            return Some(
                Diagnostic::warning(
                    "overlapping-rules",
                    format!("rules `{}` and `{}` of the same gap can flag the same case", a.id, b.id),
                    b.condition.span,
                )
                .with_label("this condition and the other rule's can both hold")
                .with_secondary(a.condition.span, "the other rule's condition")
                .with_help(format!(
                    "{}; to report each case once, add to one rule an exception for the other's cases, or {}",
                    example(&case),
                    acknowledge(a)
                )),
            );
        }
    };
    let mut help = format!("delete one of the rules, or {}", acknowledge(other));
    if let Some(case) = case {
        help = format!("{}; {help}", example(&case));
    }
    Some(
        Diagnostic::warning("redundant-rule", message, subject.condition.span)
            .with_label("every case this rule flags is flagged by the other")
            .with_secondary(other.condition.span, label)
            .with_help(help),
    )
}

/// A warning for each comparison that is unknown for every case.
fn always_unknown(encoder: &mut Encoder<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    let comparisons: Vec<(&TExpr, encode::Truth)> = encoder.comparisons.clone();
    for (e, truth) in comparisons {
        if !seen.insert(e.span) {
            continue;
        }
        let known = encoder.sat.or(&[truth.t, truth.f]);
        if !encoder.sat.satisfiable(&[known]) {
            out.push(
                Diagnostic::warning(
                    "always-unknown",
                    "this comparison is unknown for every case",
                    e.span,
                )
                .with_label("never true or false, so every rule that reads it needs review")
                .with_help("compare with a value, or test the value with `known …` / `unknown …`"),
            );
        }
    }
}
