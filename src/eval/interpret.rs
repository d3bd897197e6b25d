//! The direct interpreter: evaluates checked expressions over a record in
//! Kleene's three-valued logic (GAPS.md §1, `grammar/LANGUAGE.md` §4).
//!
//! Every expression yields `Some(value)` or `None` (unknown). While
//! evaluating, the interpreter records which unknown fields the result
//! depends on: a field read as unknown is noted, and the notes of an operand
//! whose value did not matter (`false and …`, `known x`, `x ?? y` with `x`
//! unknown) are dropped again. What remains explains a needs-review outcome.

use std::sync::Arc;

use crate::check::program::*;
use crate::date::Date;
use crate::normalize::normalize;
use crate::ruleset::schema::FieldId;
use crate::syntax::ast::QuantifierKind;
use crate::value::Value;

use super::outcome::{decide, dedup_from, RuleOutcome, RuleSteps, Window};
use super::record::Record;
use super::MAX_LIST_ITEMS;

/// Evaluates expressions of one program over one record.
pub(crate) struct Interpreter<'p> {
    program: &'p Program,
    record: &'p Record,
    /// Memoised definitions: value and the unknown fields it depends on.
    defs: Vec<Option<(Option<Value>, Vec<FieldId>)>>,
    /// Quantifier variables, innermost last.
    vars: Vec<Value>,
    /// Unknown fields the current result depends on.
    unknowns: Vec<FieldId>,
    /// What the evaluation reached, when coverage is being measured.
    pub coverage: Option<Reached>,
    /// The table lookups made, in order, when they are being traced
    /// (`nrscreen brief` shows the rows a finding used); `None` costs nothing.
    pub lookups: Option<Vec<LookupTrace>>,
}

/// One table lookup the interpreter made with a known key (and, for a dated
/// table, a known date): which row answered it, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LookupTrace {
    /// The table.
    pub table: crate::ruleset::tables::TableId,
    /// The key looked up.
    pub key: String,
    /// The date it was looked up on (dated tables).
    pub date: Option<Date>,
    /// The index of the row that answered (into `Table::rows`); `None`: no
    /// row covers the key on that date, so the value is unknown.
    pub row: Option<usize>,
}

/// What one evaluation reached: the outcome of each true/false expression
/// (by span), and the definitions and tables used.
#[derive(Clone, Debug, Default)]
pub(crate) struct Reached {
    /// Outcomes seen per true/false expression: [true, false, unknown].
    pub conditions: std::collections::HashMap<crate::source::Span, [bool; 3]>,
    /// Definitions evaluated.
    pub defs: std::collections::BTreeSet<DefId>,
    /// Tables looked up.
    pub tables: std::collections::BTreeSet<crate::ruleset::tables::TableId>,
}

/// A three-valued truth value: `None` is unknown.
pub(crate) type Truth = Option<bool>;

impl<'p> Interpreter<'p> {
    /// An interpreter for one record.
    pub(crate) fn new(program: &'p Program, record: &'p Record) -> Interpreter<'p> {
        Interpreter {
            program,
            record,
            defs: vec![None; program.defs.len()],
            vars: Vec::new(),
            unknowns: Vec::new(),
            coverage: None,
            lookups: None,
        }
    }

    /// Evaluates a condition; returns its truth and the unknown fields that
    /// made it unknown (empty unless the truth is unknown).
    pub(crate) fn truth(&mut self, e: &TExpr) -> (Truth, Vec<FieldId>) {
        self.unknowns.clear();
        let value = self.eval(e);
        let truth = as_bool(&value);
        let mut unknowns = std::mem::take(&mut self.unknowns);
        if truth.is_some() {
            unknowns.clear();
        }
        unknowns.sort();
        unknowns.dedup();
        (truth, unknowns)
    }

    /// Evaluates any expression (used for explanation templates).
    pub(crate) fn value(&mut self, e: &TExpr) -> Option<Value> {
        self.unknowns.clear();
        self.eval(e)
    }

    fn eval(&mut self, e: &TExpr) -> Option<Value> {
        let value = self.eval_kind(e);
        if let Some(reached) = &mut self.coverage {
            if e.ty == crate::types::Type::Bool && !matches!(e.kind, TKind::Const(_)) {
                let seen = reached.conditions.entry(e.span).or_default();
                match value {
                    Some(Value::Bool(true)) => seen[0] = true,
                    Some(Value::Bool(false)) => seen[1] = true,
                    _ => seen[2] = true,
                }
            }
            match &e.kind {
                TKind::Def(id) => {
                    reached.defs.insert(*id);
                }
                TKind::Lookup { table, .. } | TKind::TableKeys(table) => {
                    reached.tables.insert(*table);
                }
                _ => {}
            }
        }
        value
    }

    fn eval_kind(&mut self, e: &TExpr) -> Option<Value> {
        match &e.kind {
            TKind::Const(v) => Some(v.clone()),
            TKind::UnknownValue => None,
            TKind::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(self.eval(item)?);
                }
                Some(Value::List(values.into()))
            }
            TKind::Field(id) => {
                let value = self.record.get(*id).cloned();
                if value.is_none() {
                    self.unknowns.push(*id);
                }
                value
            }
            TKind::Def(id) => self.def(*id),
            TKind::Var(index) => {
                let at = self.vars.len().checked_sub(1 + index.0 as usize)?;
                self.vars.get(at).cloned()
            }
            TKind::TableKeys(id) => {
                let table = self.program.table(*id);
                let keys: Vec<Value> = table.keys().map(|k| Value::Str(Arc::from(k))).collect();
                Some(Value::List(keys.into()))
            }
            TKind::Not(a) => {
                let v = self.eval_bool(a);
                v.map(|b| Value::Bool(!b))
            }
            TKind::And(a, b) => self.junction(a, b, false),
            TKind::Or(a, b) => self.junction(a, b, true),
            TKind::Known(a) => {
                let mark = self.unknowns.len();
                let known = self.eval(a).is_some();
                self.unknowns.truncate(mark);
                Some(Value::Bool(known))
            }
            TKind::Default(a, b) => {
                // `a ?? b`: when `a` is unknown, `b` decides; if `b` is
                // unknown too, recording `a` would also settle it, so the
                // unknown fields of both are kept.
                let mark = self.unknowns.len();
                match self.eval(a) {
                    Some(v) => Some(v),
                    None => {
                        let value = self.eval(b);
                        if value.is_some() {
                            self.unknowns.truncate(mark);
                        }
                        value
                    }
                }
            }
            TKind::Compare(op, a, b) => {
                let (a, b) = (self.eval(a), self.eval(b));
                Some(Value::Bool(op.holds(a?.cmp(&b?))))
            }
            TKind::In(x, list) => {
                let (x, list) = (self.eval(x), self.eval(list));
                Some(Value::Bool(elements(&list?).contains(&x?)))
            }
            TKind::Contains(container, x) => {
                let (container, x) = (self.eval(container), self.eval(x));
                match (container?, x?) {
                    (Value::Str(text), Value::Str(piece)) => {
                        Some(Value::Bool(text.contains(&*piece)))
                    }
                    (list, x) => Some(Value::Bool(elements(&list).contains(&x))),
                }
            }
            TKind::SetTest(op, a, b) => {
                let (a, b) = (self.eval(a), self.eval(b));
                let (a, b) = (a?, b?);
                let (a, b) = (elements(&a), elements(&b));
                Some(Value::Bool(match op {
                    SetOp::Any => b.iter().any(|x| a.contains(x)),
                    SetOp::All => b.iter().all(|x| a.contains(x)),
                    SetOp::None => !b.iter().any(|x| a.contains(x)),
                }))
            }
            TKind::IsEmpty(list) => {
                let list = self.eval(list)?;
                Some(Value::Bool(elements(&list).is_empty()))
            }
            TKind::Arith(op, a, b) => {
                let (a, b) = (self.eval(a), self.eval(b));
                arith(*op, a?, b?)
            }
            TKind::Neg(a) => negate(self.eval(a)?),
            TKind::Call(builtin, args) => {
                let mut values = Vec::with_capacity(args.len());
                let mut unknown = false;
                for arg in args {
                    match self.eval(arg) {
                        Some(v) => values.push(v),
                        None => unknown = true,
                    }
                }
                if unknown {
                    return None;
                }
                call(*builtin, &values)
            }
            TKind::Lookup { table, key, on } => {
                let key = self.eval(key);
                let date = on.as_ref().map(|d| self.eval(d));
                let Value::Str(key) = key? else { return None };
                let date = match date {
                    Some(Some(Value::Date(d))) => Some(d),
                    Some(_) => return None,
                    None => None,
                };
                let found = self.program.table(*table);
                let row = found.lookup_row(&key, date);
                if let Some(lookups) = &mut self.lookups {
                    lookups.push(LookupTrace {
                        table: *table,
                        key: key.to_string(),
                        date,
                        row,
                    });
                }
                row.map(|i| found.rows[i].value.clone())
            }
            TKind::Quantifier { kind, list, body } => {
                let list = self.eval(list)?;
                let any = *kind == QuantifierKind::Any;
                // `any` is the `or` of the body over the elements, `all` the `and`.
                let mut result: Truth = Some(!any);
                let mark = self.unknowns.len();
                for element in elements(&list).iter() {
                    self.vars.push(element.clone());
                    let v = self.eval_bool(body);
                    self.vars.pop();
                    match v {
                        Some(b) if b == any => {
                            self.unknowns.truncate(mark);
                            return Some(Value::Bool(any));
                        }
                        Some(_) => {}
                        None => result = None,
                    }
                }
                result.map(Value::Bool)
            }
        }
    }

    fn eval_bool(&mut self, e: &TExpr) -> Truth {
        let v = self.eval(e);
        as_bool(&v)
    }

    /// `and` (`decisive == false`) or `or` (`decisive == true`) in Kleene
    /// logic: a decisive operand decides, and the other's unknowns are dropped.
    fn junction(&mut self, a: &TExpr, b: &TExpr, decisive: bool) -> Option<Value> {
        let mark = self.unknowns.len();
        let left = self.eval_bool(a);
        if left == Some(decisive) {
            self.unknowns.truncate(mark);
            return Some(Value::Bool(decisive));
        }
        let right = self.eval_bool(b);
        if right == Some(decisive) {
            self.unknowns.truncate(mark);
            return Some(Value::Bool(decisive));
        }
        match (left, right) {
            (Some(_), Some(_)) => Some(Value::Bool(!decisive)),
            _ => None,
        }
    }

    fn def(&mut self, id: DefId) -> Option<Value> {
        if let Some((value, unknowns)) = &self.defs[id.0 as usize] {
            self.unknowns.extend_from_slice(unknowns);
            return value.clone();
        }
        let outer = std::mem::take(&mut self.unknowns);
        let program = self.program;
        let value = self.eval(&program.def(id).expr);
        // At most one entry per field, however often the body repeats one.
        dedup_from(&mut self.unknowns, 0);
        let inner = std::mem::replace(&mut self.unknowns, outer);
        self.unknowns.extend_from_slice(&inner);
        self.defs[id.0 as usize] = Some((value.clone(), inner));
        value
    }
}

fn as_bool(value: &Option<Value>) -> Truth {
    match value {
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    }
}

/// The elements of a list value (a non-list is treated as empty; the checker
/// guarantees lists where lists are read).
fn elements(value: &Value) -> &[Value] {
    match value {
        Value::List(items) => items,
        _ => &[],
    }
}

fn arith(op: ArithOp, a: Value, b: Value) -> Option<Value> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => op.apply(x, y).map(Value::Int),
        (Value::Date(d), Value::Duration(n)) | (Value::Duration(n), Value::Date(d)) => {
            let days = op.apply(i64::from(d.0), n)?;
            i32::try_from(days).ok().map(|d| Value::Date(Date(d)))
        }
        (Value::Duration(x), Value::Duration(y)) => op.apply(x, y).map(Value::Duration),
        (Value::List(x), Value::List(y)) if x.len().saturating_add(y.len()) <= MAX_LIST_ITEMS => {
            Some(Value::List(x.iter().chain(y.iter()).cloned().collect()))
        }
        _ => None,
    }
}

fn call(builtin: Builtin, args: &[Value]) -> Option<Value> {
    match (builtin, args) {
        (Builtin::Normalize, [Value::Str(s)]) => Some(Value::Str(normalize(s).into())),
        (Builtin::Count, [list]) => Some(Value::Int(elements(list).len() as i64)),
        (Builtin::DaysBetween, [Value::Date(a), Value::Date(b)]) => {
            Some(Value::Int(i64::from(b.0) - i64::from(a.0)))
        }
        _ => None,
    }
}

/// The outcome of a rule for a record, decided directly on the checked
/// program: the reference for the compiled evaluator's `Evaluator::rule`.
pub(crate) fn rule_outcome(program: &Program, record: &Record, rule: &Rule) -> RuleOutcome {
    rule_outcome_in(&mut Interpreter::new(program, record), rule)
}

/// [`rule_outcome`] with a given interpreter (one per record; it may be
/// measuring coverage).
pub(crate) fn rule_outcome_in(interpreter: &mut Interpreter<'_>, rule: &Rule) -> RuleOutcome {
    decide(&mut InterpretedRuleSteps { interpreter, rule })
}

/// The steps of a rule, for [`decide`], on the checked program.
struct InterpretedRuleSteps<'i, 'p, 'r> {
    interpreter: &'i mut Interpreter<'p>,
    rule: &'r Rule,
}

impl RuleSteps for InterpretedRuleSteps<'_, '_, '_> {
    fn window(&mut self) -> Window {
        let Some(window) = &self.rule.window else {
            return Window::Inside;
        };
        match self.interpreter.value(&window.date) {
            Some(Value::Date(d))
                if window.from.is_some_and(|f| d < f) || window.until.is_some_and(|u| d > u) =>
            {
                Window::Outside
            }
            Some(Value::Date(_)) => Window::Inside,
            _ => {
                let mut fields = self.interpreter.unknowns.clone();
                fields.sort();
                fields.dedup();
                Window::Unknown(fields)
            }
        }
    }

    fn condition(&mut self) -> (Truth, Vec<FieldId>) {
        self.interpreter.truth(&self.rule.condition)
    }

    fn exceptions(&self) -> usize {
        self.rule.exceptions.len()
    }

    fn exception(&mut self, index: usize) -> (Truth, Vec<FieldId>) {
        self.interpreter
            .truth(&self.rule.exceptions[index].condition)
    }
}
