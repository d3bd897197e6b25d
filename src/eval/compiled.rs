//! The compiled evaluator: runs [`Compiled`] rules over a [`CaseRecord`] in
//! Kleene's three-valued logic, with the same semantics as the direct
//! interpreter (`interpret.rs`), which the property tests check.
//!
//! Definitions are computed at most once per record (memoised with a
//! generation stamp, so nothing is cleared between records). Unknown fields
//! that decide an outcome are tracked as in the interpreter; the record's
//! buffers and the memo are reused from record to record, so the common case
//! allocates nothing per rule (list literals with computed elements
//! and the unknown-field list of a needs-review outcome do).

use crate::check::program::{ArithOp, CmpOp, SetOp};
use crate::compile::val::Val;
use crate::compile::{Compiled, CompiledRule, Node, NodeId};
use crate::eval::outcome::{decide, dedup_from, RuleOutcome, RuleSteps, Window};
use crate::eval::MAX_LIST_ITEMS;
use crate::normalize::normalize_into;
use crate::records::case::CaseRecord;
use crate::ruleset::schema::FieldId;

#[derive(Clone, Copy)]
struct DefSlot {
    generation: u32,
    value: Val,
    unknowns_start: u32,
    unknowns_len: u32,
}

/// Evaluates compiled rules; keep one per thread and reuse it.
pub(crate) struct Evaluator<'c> {
    compiled: &'c Compiled,
    generation: u32,
    defs: Vec<DefSlot>,
    def_unknowns: Vec<FieldId>,
    vars: Vec<Val>,
    unknowns: Vec<FieldId>,
    /// The normal form being built by `normalize`, reused.
    scratch: String,
}

impl<'c> Evaluator<'c> {
    /// The program it evaluates.
    pub(crate) fn compiled(&self) -> &'c Compiled {
        self.compiled
    }

    /// An evaluator for a compiled program.
    pub(crate) fn new(compiled: &'c Compiled) -> Evaluator<'c> {
        Evaluator {
            compiled,
            generation: 0,
            defs: vec![
                DefSlot {
                    generation: u32::MAX,
                    value: Val::Unknown,
                    unknowns_start: 0,
                    unknowns_len: 0,
                };
                compiled.defs.len()
            ],
            def_unknowns: Vec::new(),
            vars: Vec::new(),
            unknowns: Vec::new(),
            scratch: String::new(),
        }
    }

    /// Starts a new record: forgets memoised definitions.
    pub(crate) fn start_record(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == u32::MAX {
            self.generation = 0;
            self.defs.iter_mut().for_each(|d| d.generation = u32::MAX);
        }
        self.def_unknowns.clear();
    }

    /// The outcome of one rule. Call [`Evaluator::start_record`] first for
    /// each new record.
    pub(crate) fn rule(&mut self, record: &mut CaseRecord, rule: &CompiledRule) -> RuleOutcome {
        decide(&mut CompiledRuleSteps {
            evaluator: self,
            record,
            rule,
        })
    }

    /// A condition's truth and, if unknown, the unknown fields behind it.
    pub(crate) fn truth(
        &mut self,
        record: &mut CaseRecord,
        node: NodeId,
    ) -> (Option<bool>, Vec<FieldId>) {
        self.unknowns.clear();
        let truth = self.eval(record, node).truth();
        if truth.is_some() {
            return (truth, Vec::new());
        }
        let mut unknowns = self.unknowns.clone();
        unknowns.sort();
        unknowns.dedup();
        (None, unknowns)
    }

    /// Evaluates any node.
    pub(crate) fn value(&mut self, record: &mut CaseRecord, node: NodeId) -> Val {
        self.unknowns.clear();
        self.eval(record, node)
    }

    /// Evaluates `node`: a constant or a field is read here, without the
    /// call and dispatch of [`Evaluator::eval`] (most operands are one).
    #[inline(always)]
    fn operand(&mut self, rec: &mut CaseRecord, node: NodeId) -> Val {
        match self.compiled.nodes.get(node.index()) {
            Some(Node::Const(v)) => *v,
            Some(Node::Field(id)) => {
                let v = rec.get(*id);
                if v == Val::Unknown {
                    self.unknowns.push(*id);
                }
                v
            }
            _ => self.eval(rec, node),
        }
    }

    fn eval(&mut self, rec: &mut CaseRecord, node: NodeId) -> Val {
        let c = self.compiled;
        match &c.nodes[node.index()] {
            Node::Const(v) => *v,
            Node::Field(id) => {
                let v = rec.get(*id);
                if v == Val::Unknown {
                    self.unknowns.push(*id);
                }
                v
            }
            Node::Def(id) => self.def(rec, id.0),
            Node::Var(index) => self
                .vars
                .len()
                .checked_sub(1 + *index as usize)
                .and_then(|i| self.vars.get(i).copied())
                .unwrap_or(Val::Unknown),
            Node::ListOf(items) => {
                let mut values = Vec::with_capacity(items.len());
                for &item in items {
                    let v = self.operand(rec, item);
                    if v == Val::Unknown {
                        return Val::Unknown;
                    }
                    values.push(v);
                }
                rec.list_value(values)
            }
            Node::Not(a) => match self.operand(rec, *a) {
                Val::Bool(b) => Val::Bool(!b),
                _ => Val::Unknown,
            },
            Node::And(a, b) => self.junction(rec, *a, *b, false),
            Node::Or(a, b) => self.junction(rec, *a, *b, true),
            Node::Known(a) => {
                let mark = self.unknowns.len();
                let known = self.operand(rec, *a).is_known();
                self.unknowns.truncate(mark);
                Val::Bool(known)
            }
            Node::Default(a, b) => {
                // As in the interpreter: `a`'s unknown fields are dropped
                // only when `b` decides.
                let mark = self.unknowns.len();
                match self.operand(rec, *a) {
                    Val::Unknown => {
                        let value = self.operand(rec, *b);
                        if value != Val::Unknown {
                            self.unknowns.truncate(mark);
                        }
                        value
                    }
                    v => v,
                }
            }
            Node::Compare(op, a, b) => {
                let (a, b) = (self.operand(rec, *a), self.operand(rec, *b));
                compare(c, rec, *op, a, b)
            }
            Node::FieldCompare {
                op,
                field,
                value,
                or,
            } => {
                // As `Default(Compare(op, Field, Const), Const(or))`: a
                // known `or` decides (and drops the field's unknown).
                let v = rec.get(*field);
                let result = compare(c, rec, *op, v, *value);
                if result == Val::Unknown {
                    if *or != Val::Unknown {
                        return *or;
                    }
                    if v == Val::Unknown {
                        self.unknowns.push(*field);
                    }
                }
                result
            }
            Node::InSet(x, set) => match self.operand(rec, *x) {
                Val::Unknown => Val::Unknown,
                v => Val::Bool(c.sets[set.index()].contains(v)),
            },
            Node::In(x, list) => {
                let (x, list) = (self.operand(rec, *x), self.operand(rec, *list));
                if x == Val::Unknown || list == Val::Unknown {
                    return Val::Unknown;
                }
                Val::Bool(member(c, rec, list, x))
            }
            Node::Contains(list, x) => {
                let (list, x) = (self.operand(rec, *list), self.operand(rec, *x));
                if x == Val::Unknown || list == Val::Unknown {
                    return Val::Unknown;
                }
                Val::Bool(member(c, rec, list, x))
            }
            Node::ContainsText(a, b) => {
                let (a, b) = (self.operand(rec, *a), self.operand(rec, *b));
                match (rec.text_of(c, a), rec.text_of(c, b)) {
                    (Some(text), Some(piece)) => Val::Bool(text.contains(piece)),
                    _ => Val::Unknown,
                }
            }
            Node::SetTestConst(op, list, set) => {
                let list = self.operand(rec, *list);
                if list == Val::Unknown {
                    return Val::Unknown;
                }
                let set = &c.sets[set.index()];
                let elements = rec.elements(c, list);
                Val::Bool(match op {
                    SetOp::Any => elements.iter().any(|&v| set.contains(v)),
                    SetOp::None => !elements.iter().any(|&v| set.contains(v)),
                    SetOp::All => set.all_in(elements),
                })
            }
            Node::SetTest(op, a, b) => {
                let (a, b) = (self.operand(rec, *a), self.operand(rec, *b));
                if a == Val::Unknown || b == Val::Unknown {
                    return Val::Unknown;
                }
                let wanted = rec.elements(c, b);
                let mut hits = wanted.iter().map(|&w| member(c, rec, a, w));
                Val::Bool(match op {
                    SetOp::Any => hits.any(|h| h),
                    SetOp::All => hits.all(|h| h),
                    SetOp::None => !hits.any(|h| h),
                })
            }
            Node::IsEmpty(list) => match self.operand(rec, *list) {
                Val::Unknown => Val::Unknown,
                list => Val::Bool(rec.elements(c, list).is_empty()),
            },
            Node::Arith(op, a, b) => {
                let (a, b) = (self.operand(rec, *a), self.operand(rec, *b));
                arith(rec, c, *op, a, b)
            }
            Node::Neg(a) => match self.operand(rec, *a) {
                // As `check::program::negate`: overflow is unknown.
                Val::Int(x) => x.checked_neg().map_or(Val::Unknown, Val::Int),
                Val::Duration(x) => x.checked_neg().map_or(Val::Unknown, Val::Duration),
                _ => Val::Unknown,
            },
            Node::Normalize(a) => {
                let a = self.operand(rec, *a);
                self.scratch.clear();
                match rec.text_of(c, a) {
                    Some(text) => normalize_into(text, &mut self.scratch),
                    None => return Val::Unknown,
                }
                rec.text_value(c, &self.scratch)
            }
            Node::Count(a) => match self.operand(rec, *a) {
                Val::Unknown => Val::Unknown,
                list => Val::Int(rec.elements(c, list).len() as i64),
            },
            Node::DaysBetween(a, b) => match (self.operand(rec, *a), self.operand(rec, *b)) {
                (Val::Date(x), Val::Date(y)) => Val::Int(i64::from(y) - i64::from(x)),
                _ => Val::Unknown,
            },
            Node::Lookup { table, key, on } => {
                let key = self.operand(rec, *key);
                let date = on.map(|d| self.operand(rec, d));
                let table = &c.tables[*table as usize];
                // Text that is not a symbol is not a key of any table.
                let Val::Sym(symbol) = key else {
                    return Val::Unknown;
                };
                let rows = table.rows(symbol);
                match (table.dated, date) {
                    (false, _) => rows.first().map_or(Val::Unknown, |r| r.value),
                    (true, Some(Val::Date(d))) => rows
                        .iter()
                        .find(|r| r.from <= d && d <= r.to)
                        .map_or(Val::Unknown, |r| r.value),
                    (true, _) => Val::Unknown,
                }
            }
            Node::Quantifier { any, list, body } => {
                let list = self.operand(rec, *list);
                if list == Val::Unknown {
                    return Val::Unknown;
                }
                let count = rec.elements(c, list).len();
                let mark = self.unknowns.len();
                let mut result = Some(!*any);
                for i in 0..count {
                    let element = rec.elements(c, list)[i];
                    self.vars.push(element);
                    let v = self.operand(rec, *body).truth();
                    self.vars.pop();
                    match v {
                        Some(b) if b == *any => {
                            self.unknowns.truncate(mark);
                            return Val::Bool(*any);
                        }
                        Some(_) => {}
                        None => result = None,
                    }
                }
                result.map_or(Val::Unknown, Val::Bool)
            }
        }
    }

    fn junction(&mut self, rec: &mut CaseRecord, a: NodeId, b: NodeId, decisive: bool) -> Val {
        let mark = self.unknowns.len();
        let left = self.operand(rec, a).truth();
        if left == Some(decisive) {
            self.unknowns.truncate(mark);
            return Val::Bool(decisive);
        }
        let right = self.operand(rec, b).truth();
        if right == Some(decisive) {
            self.unknowns.truncate(mark);
            return Val::Bool(decisive);
        }
        match (left, right) {
            (Some(_), Some(_)) => Val::Bool(!decisive),
            _ => Val::Unknown,
        }
    }

    fn def(&mut self, rec: &mut CaseRecord, id: u32) -> Val {
        let slot = self.defs[id as usize];
        if slot.generation == self.generation {
            let range =
                slot.unknowns_start as usize..(slot.unknowns_start + slot.unknowns_len) as usize;
            self.unknowns.extend_from_slice(&self.def_unknowns[range]);
            return slot.value;
        }
        let mark = self.unknowns.len();
        let root = self.compiled.defs[id as usize];
        let value = self.eval(rec, root);
        // At most one entry per field, however often the body repeats one.
        dedup_from(&mut self.unknowns, mark);
        let start = self.def_unknowns.len() as u32;
        self.def_unknowns.extend_from_slice(&self.unknowns[mark..]);
        self.defs[id as usize] = DefSlot {
            generation: self.generation,
            value,
            unknowns_start: start,
            unknowns_len: self.def_unknowns.len() as u32 - start,
        };
        value
    }
}

/// `a OP b`: unknown if either is, or if an order is asked of values
/// without one.
fn compare(c: &Compiled, rec: &CaseRecord, op: CmpOp, a: Val, b: Val) -> Val {
    if a == Val::Unknown || b == Val::Unknown {
        return Val::Unknown;
    }
    Val::Bool(match op {
        CmpOp::Eq => equal(c, rec, a, b),
        CmpOp::Ne => !equal(c, rec, a, b),
        _ => match (ordinal(a), ordinal(b)) {
            (Some(x), Some(y)) => match op {
                CmpOp::Lt => x < y,
                CmpOp::Le => x <= y,
                CmpOp::Gt => x > y,
                _ => x >= y,
            },
            _ => return Val::Unknown,
        },
    })
}

/// Equality of two known values. Text equal to a symbol is always held as
/// that symbol, so a symbol never equals non-symbol text.
fn equal(c: &Compiled, rec: &CaseRecord, a: Val, b: Val) -> bool {
    match (a, b) {
        (Val::Text(..), Val::Text(..)) => rec.text_of(c, a) == rec.text_of(c, b),
        (Val::List(..) | Val::ConstList(..), Val::List(..) | Val::ConstList(..)) => {
            let (x, y) = (rec.elements(c, a), rec.elements(c, b));
            x.len() == y.len() && x.iter().zip(y).all(|(&p, &q)| equal(c, rec, p, q))
        }
        _ => a == b,
    }
}

fn member(c: &Compiled, rec: &CaseRecord, list: Val, x: Val) -> bool {
    rec.elements(c, list).iter().any(|&e| equal(c, rec, e, x))
}

fn ordinal(v: Val) -> Option<i64> {
    match v {
        Val::Int(i) | Val::Duration(i) => Some(i),
        Val::Date(d) => Some(i64::from(d)),
        _ => None,
    }
}

fn arith(rec: &mut CaseRecord, c: &Compiled, op: ArithOp, a: Val, b: Val) -> Val {
    let date = |days: i64| i32::try_from(days).map_or(Val::Unknown, Val::Date);
    match (a, b) {
        (Val::Int(x), Val::Int(y)) => op.apply(x, y).map_or(Val::Unknown, Val::Int),
        (Val::Date(d), Val::Duration(n)) | (Val::Duration(n), Val::Date(d)) => {
            op.apply(i64::from(d), n).map_or(Val::Unknown, date)
        }
        (Val::Duration(x), Val::Duration(y)) => op.apply(x, y).map_or(Val::Unknown, Val::Duration),
        (Val::List(..) | Val::ConstList(..), Val::List(..) | Val::ConstList(..)) => {
            let (x, y) = (rec.elements(c, a).len(), rec.elements(c, b).len());
            if x.saturating_add(y) > MAX_LIST_ITEMS {
                return Val::Unknown;
            }
            let joined: Vec<Val> = rec
                .elements(c, a)
                .iter()
                .chain(rec.elements(c, b))
                .copied()
                .collect();
            rec.list_value(joined)
        }
        _ => Val::Unknown,
    }
}

/// The steps of a rule, for [`decide`], on the compiled form.
struct CompiledRuleSteps<'e, 'c, 'r> {
    evaluator: &'e mut Evaluator<'c>,
    record: &'r mut CaseRecord,
    rule: &'r CompiledRule,
}

impl RuleSteps for CompiledRuleSteps<'_, '_, '_> {
    fn window(&mut self) -> Window {
        let Some(window) = &self.rule.window else {
            return Window::Inside;
        };
        match self.evaluator.value(self.record, window.date) {
            Val::Date(d)
                if window.from.is_some_and(|f| d < f) || window.until.is_some_and(|u| d > u) =>
            {
                Window::Outside
            }
            Val::Date(_) => Window::Inside,
            _ => Window::Unknown(self.evaluator.unknowns.clone()),
        }
    }

    fn condition(&mut self) -> (Option<bool>, Vec<FieldId>) {
        self.evaluator.truth(self.record, self.rule.condition)
    }

    fn exceptions(&self) -> usize {
        self.rule.exceptions.len()
    }

    fn exception(&mut self, index: usize) -> (Option<bool>, Vec<FieldId>) {
        self.evaluator
            .truth(self.record, self.rule.exceptions[index])
    }
}
