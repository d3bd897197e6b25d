//! What would change a rule's outcome for a case: for a finding that needs
//! review, the values of its unknown fields that decide it (a search over
//! each field's domain: enum values, true and false, a few dates, numbers
//! and texts around the constants the rule compares with); for a rule that
//! did not apply, the operands that were false.
//!
//! Every assignment listed is minimal: leaving any one of its fields
//! unrecorded again leaves the rule undecided. Kleene logic is monotone, so
//! an assignment that decides the rule decides it the same way whatever the
//! other unknown fields turn out to be.

use serde::Serialize;

use crate::check::program::{Program, Rule, TExpr, TKind};
use crate::date::Date;
use crate::eval::interpret::{rule_outcome, Interpreter};
use crate::eval::outcome::RuleOutcome;
use crate::eval::record::Record;
use crate::ruleset::schema::FieldId;
use crate::types::Type;
use crate::value::Value;

use super::{json_value, reach, Fact, RuleTrace};

/// Assignments enumerated at most (all combinations of the candidates,
/// fields left unrecorded included); above it, one field at a time.
const MAX_COMBINATIONS: usize = 4096;

/// Candidate values tried per field at most.
const MAX_CANDIDATES: usize = 12;

/// Assignments listed at most; the rest are counted.
const MAX_LISTED: usize = 40;

/// What would change a rule's outcome.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub(crate) enum WouldChange {
    /// The finding needs review: the unknown fields, and the assignments
    /// of them that would decide it.
    Resolve {
        /// The fields not recorded that the outcome depends on.
        unknown: Vec<String>,
        /// `all-combinations` or `one-field-at-a-time`.
        searched: &'static str,
        /// The minimal assignments that decide the rule, fewest fields
        /// first.
        assignments: Vec<Assignment>,
        /// Further assignments found and not listed.
        more: usize,
    },
    /// The rule did not apply: why.
    NotApplied {
        /// The case's date is outside the rule's window.
        outside_window: bool,
        /// The operands of the condition that were false.
        false_operands: Vec<String>,
    },
}

/// Values for some unknown fields, and the outcome they would give.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Assignment {
    /// The fields and the values tried.
    pub set: Vec<Fact>,
    /// `flagged`, `cleared` or `not-applicable`.
    pub outcome: &'static str,
    /// The exception that would clear the rule.
    pub exception: Option<String>,
}

/// What would change `outcome`, rule `rule`'s outcome for `record`; `None`
/// for a flagged or cleared rule.
pub(crate) fn would_change(
    program: &Program,
    record: &Record,
    rule: &Rule,
    outcome: &RuleOutcome,
    trace: &RuleTrace,
) -> Option<WouldChange> {
    match outcome {
        RuleOutcome::NeedsReview(unknown) => Some(resolve(program, record, rule, unknown)),
        RuleOutcome::NotApplicable => {
            let outside = trace.window.as_ref().is_some_and(|w| w.in_force == "false");
            let condition = &trace.condition;
            let false_operands = if outside {
                Vec::new()
            } else if condition.op == Some("and") {
                condition
                    .operands
                    .iter()
                    .filter(|n| n.value == "false")
                    .map(|n| n.expr.clone())
                    .collect()
            } else {
                vec![condition.expr.clone()]
            };
            Some(WouldChange::NotApplied {
                outside_window: outside,
                false_operands,
            })
        }
        RuleOutcome::Flagged | RuleOutcome::Cleared(_) => None,
    }
}

/// The search over the unknown fields' candidates.
fn resolve(program: &Program, record: &Record, rule: &Rule, unknown: &[FieldId]) -> WouldChange {
    let constants = constants(program, rule);
    let domains: Vec<Vec<Value>> = unknown
        .iter()
        .map(|&f| candidates(program, record, rule, f, &constants))
        .collect();
    let combinations = domains
        .iter()
        .try_fold(1usize, |n, d| n.checked_mul(d.len() + 1))
        .filter(|&n| n <= MAX_COMBINATIONS);
    // Each assignment: per field, 0 (not recorded) or 1 + the candidate.
    let assignments: Vec<Vec<usize>> = match combinations {
        Some(total) => (0..total)
            .map(|mut n| {
                domains
                    .iter()
                    .map(|d| {
                        let choice = n % (d.len() + 1);
                        n /= d.len() + 1;
                        choice
                    })
                    .collect()
            })
            .collect(),
        None => {
            let mut single = vec![vec![0; domains.len()]];
            for (i, d) in domains.iter().enumerate() {
                for c in 1..=d.len() {
                    let mut a = vec![0; domains.len()];
                    a[i] = c;
                    single.push(a);
                }
            }
            single
        }
    };
    let outcomes: std::collections::HashMap<Vec<usize>, RuleOutcome> = assignments
        .iter()
        .map(|a| {
            let mut tried = record.clone();
            for ((&field, domain), &choice) in unknown.iter().zip(&domains).zip(a) {
                if choice > 0 {
                    if let Some(slot) = tried.slots.get_mut(field.0 as usize) {
                        *slot = domain.get(choice - 1).cloned();
                    }
                }
            }
            (a.clone(), rule_outcome(program, &tried, rule))
        })
        .collect();
    let decided = |a: &Vec<usize>| {
        outcomes
            .get(a)
            .is_some_and(|o| !matches!(o, RuleOutcome::NeedsReview(_)))
    };
    let mut minimal: Vec<&Vec<usize>> = assignments
        .iter()
        .filter(|a| decided(a))
        .filter(|a| {
            (0..a.len()).filter(|&j| a[j] > 0).all(|j| {
                let mut less = (*a).clone();
                less[j] = 0;
                // A smaller assignment not tried (one field at a time)
                // cannot be smaller than a single field.
                !decided(&less)
            })
        })
        .collect();
    minimal.sort_by_key(|a| (a.iter().filter(|&&c| c > 0).count(), (*a).clone()));
    let listed: Vec<Assignment> = minimal
        .iter()
        .take(MAX_LISTED)
        .filter_map(|a| {
            let outcome = outcomes.get(*a)?;
            let set = unknown
                .iter()
                .zip(&domains)
                .zip(a.iter())
                .filter(|(_, &c)| c > 0)
                .filter_map(|((&field, domain), &c)| {
                    let value = domain.get(c - 1)?;
                    let f = program.schema.field(field);
                    Some(Fact {
                        field: f.name.clone(),
                        value: json_value(program, value, &f.ty),
                    })
                })
                .collect();
            Some(Assignment {
                set,
                outcome: super::outcome_word(outcome),
                exception: match outcome {
                    RuleOutcome::Cleared(e) => rule.exceptions.get(*e).map(|x| x.name.clone()),
                    _ => None,
                },
            })
        })
        .collect();
    WouldChange::Resolve {
        unknown: unknown
            .iter()
            .map(|&f| program.schema.field(f).name.clone())
            .collect(),
        searched: if combinations.is_some() {
            "all-combinations"
        } else {
            "one-field-at-a-time"
        },
        more: minimal.len().saturating_sub(listed.len()),
        assignments: listed,
    }
}

/// The constants a rule's window, condition and exceptions compare with
/// (through definitions), list elements one by one.
fn constants(program: &Program, rule: &Rule) -> Vec<Value> {
    let mut roots: Vec<&TExpr> = vec![&rule.condition];
    roots.extend(rule.window.as_ref().map(|w| &w.date));
    roots.extend(rule.exceptions.iter().map(|e| &e.condition));
    let (defs, _) = reach(program, &roots);
    roots.extend(defs.iter().map(|&d| &program.def(d).expr));
    let mut out = Vec::new();
    let mut stack = roots;
    while let Some(e) = stack.pop() {
        if let TKind::Const(value) = &e.kind {
            push_flat(value, &mut out);
        }
        stack.extend(super::children(e));
    }
    if let Some(window) = &rule.window {
        out.extend(window.from.map(Value::Date));
        out.extend(window.until.map(Value::Date));
    }
    out
}

fn push_flat(value: &Value, out: &mut Vec<Value>) {
    match value {
        Value::List(items) => items.iter().for_each(|v| push_flat(v, out)),
        other => {
            if !out.contains(other) {
                out.push(other.clone());
            }
        }
    }
}

/// The values tried for field `field`.
fn candidates(
    program: &Program,
    record: &Record,
    rule: &Rule,
    field: FieldId,
    constants: &[Value],
) -> Vec<Value> {
    let ty = &program.schema.field(field).ty;
    let mut out: Vec<Value> = match ty {
        Type::Bool => vec![Value::Bool(true), Value::Bool(false)],
        Type::Record => vec![Value::Bool(true)],
        Type::Enum(id) => (0..program.schema.enum_def(*id).values.len())
            .map(|i| Value::Enum(i as u32))
            .collect(),
        Type::Int => around(constants, |v| match v {
            Value::Int(i) => Some(*i),
            _ => None,
        })
        .into_iter()
        .map(Value::Int)
        .collect(),
        Type::Duration => around(constants, |v| match v {
            Value::Duration(i) => Some(*i),
            _ => None,
        })
        .into_iter()
        .map(Value::Duration)
        .collect(),
        Type::Date => dates(program, record, rule, constants),
        Type::Str => texts(constants),
        Type::List(element) => {
            let singles: Vec<Value> = match element.as_ref() {
                Type::Enum(id) => (0..program.schema.enum_def(*id).values.len())
                    .map(|i| Value::Enum(i as u32))
                    .collect(),
                Type::Str => texts(constants),
                _ => Vec::new(),
            };
            std::iter::once(Value::List(Vec::new().into()))
                .chain(singles.into_iter().map(|v| Value::List(vec![v].into())))
                .collect()
        }
        Type::Nothing => Vec::new(),
    };
    out.truncate(MAX_CANDIDATES);
    out
}

/// Each constant `c` picked by `pick`, and `c - 1` and `c + 1`; 0 if none.
fn around(constants: &[Value], pick: impl Fn(&Value) -> Option<i64>) -> Vec<i64> {
    let mut out: Vec<i64> = constants
        .iter()
        .filter_map(&pick)
        .flat_map(|c| [c.saturating_sub(1), c, c.saturating_add(1)])
        .collect();
    if out.is_empty() {
        out.push(0);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Texts: the rule's text constants and one text none of them is.
fn texts(constants: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = constants
        .iter()
        .filter(|v| matches!(v, Value::Str(_)))
        .cloned()
        .collect();
    out.truncate(MAX_CANDIDATES - 1);
    out.push(Value::Str("(any other text)".into()));
    out
}

/// The first day of each row, and the day after its last, of the dated
/// tables the rule looks up, for the key looked up when the record gives
/// it (every row otherwise).
fn row_dates(
    program: &Program,
    record: &Record,
    roots: &[&TExpr],
    defs: &[crate::check::program::DefId],
) -> Vec<i64> {
    let mut out = Vec::new();
    let mut stack: Vec<&TExpr> = roots.to_vec();
    stack.extend(defs.iter().map(|&d| &program.def(d).expr));
    let mut interpreter = Interpreter::new(program, record);
    while let Some(e) = stack.pop() {
        if let TKind::Lookup {
            table,
            key,
            on: Some(_),
        } = &e.kind
        {
            let key = match interpreter.value(key) {
                Some(Value::Str(k)) => Some(k),
                _ => None,
            };
            for row in &program.table(*table).rows {
                if key.as_deref().is_none_or(|k| row.key == k) {
                    out.extend(row.from.map(|d| i64::from(d.0)));
                    out.extend(row.to.map(|d| i64::from(d.0) + 1));
                }
            }
        }
        stack.extend(super::children(e));
    }
    out
}

/// Dates: a day either side of each date constant, and of each recorded
/// date the rule reads moved by each duration constant.
fn dates(program: &Program, record: &Record, rule: &Rule, constants: &[Value]) -> Vec<Value> {
    let mut days: Vec<i64> = Vec::new();
    for c in constants {
        if let Value::Date(d) = c {
            days.extend([i64::from(d.0) - 1, i64::from(d.0), i64::from(d.0) + 1]);
        }
    }
    let mut roots: Vec<&TExpr> = vec![&rule.condition];
    roots.extend(rule.window.as_ref().map(|w| &w.date));
    roots.extend(rule.exceptions.iter().map(|e| &e.condition));
    let (defs, fields) = reach(program, &roots);
    days.extend(row_dates(program, record, &roots, &defs));
    let shifts: Vec<i64> = std::iter::once(0)
        .chain(constants.iter().filter_map(|v| match v {
            Value::Duration(n) => Some(*n),
            _ => None,
        }))
        .collect();
    for f in fields {
        if let Some(Value::Date(d)) = record.get(f) {
            for s in &shifts {
                for delta in [-1, 1] {
                    days.push(i64::from(d.0) + s + delta);
                    days.push(i64::from(d.0) - s + delta);
                }
            }
        }
    }
    days.sort_unstable();
    days.dedup();
    if days.is_empty() {
        return Vec::new();
    }
    // Spread over the range when there are too many.
    let step = days.len().div_ceil(MAX_CANDIDATES).max(1);
    days.iter()
        .step_by(step)
        .filter_map(|&d| i32::try_from(d).ok().map(|d| Value::Date(Date(d))))
        .collect()
}
