//! Kleene logic in SAT: every true/false expression becomes two literals,
//! T ("is true") and F ("is false"), never both (unknown: neither), and
//! every rule's outcome becomes literals built from them, as
//! `eval::outcome::decide` decides it.
//!
//! Fields become one literal per class of their [`Domain`] (exactly one
//! holds). What the abstraction cannot express (quantifiers, lookups,
//! arithmetic, `normalize`, a field compared with a field, …) is an
//! opaque atom: fresh T and F, never both, otherwise free. Every case
//! therefore has an assignment that gives each expression exactly the
//! interpreter's truth (the property test in `tests.rs` checks this), so
//! what is unsatisfiable can never happen.

use std::collections::HashMap;

use batsat::Lit;

use crate::check::program::{CmpOp, DefId, Program, Rule, SetOp, TExpr, TKind};
use crate::eval::interpret::Interpreter;
use crate::eval::record::Record;
use crate::ruleset::schema::FieldId;
use crate::types::Type;
use crate::value::Value;

use super::domain::{constant_of, domains, field_of, ordinal, Domain};
use super::sat::Sat;

/// The literals of one field: `unknown`, and one per class of its domain.
#[derive(Clone, Debug)]
pub(super) struct FieldVars {
    /// The field is unknown.
    pub unknown: Lit,
    /// One per value, region or member of the domain, in its order.
    pub classes: Vec<Lit>,
    /// "Some other value" or "some other element", where the domain has it.
    pub other: Option<Lit>,
}

/// A true/false expression's literals.
#[derive(Clone, Copy, Debug)]
pub(super) struct Truth {
    /// It is true.
    pub t: Lit,
    /// It is false.
    pub f: Lit,
}

/// What an opaque atom stands for, to assign it from a case.
#[cfg_attr(not(test), allow(dead_code))] // read by the property test
#[derive(Clone, Copy, Debug)]
pub(super) enum AtomOf<'p> {
    /// A true/false expression.
    Truth(&'p TExpr),
    /// A rule's effective window (T: inside, F: outside).
    Window(&'p Rule),
}

/// An opaque atom and its literals.
#[cfg_attr(not(test), allow(dead_code))] // read by the property test
#[derive(Clone, Copy, Debug)]
pub(super) struct Atom<'p> {
    /// What it stands for.
    pub of: AtomOf<'p>,
    /// Its literals.
    pub truth: Truth,
}

/// A rule's outcome as literals (exactly one of flagged, cleared, not
/// applicable and needs review holds; the last is what the others leave).
#[derive(Clone, Debug)]
pub(super) struct Outcome {
    /// The condition.
    pub condition: Truth,
    /// Flagged.
    pub flagged: Lit,
    /// Cleared by each exception.
    pub cleared: Vec<Lit>,
    /// Not applicable.
    #[cfg_attr(not(test), allow(dead_code))] // read by the property test
    pub not_applicable: Lit,
}

/// A non-boolean operand, as far as the abstraction sees it.
enum Term {
    Field(FieldId),
    Const(Value),
    Unknown,
    Opaque,
}

/// The encoding of one program.
pub(super) struct Encoder<'p> {
    pub program: &'p Program,
    pub sat: Sat,
    pub domains: Vec<Domain>,
    pub fields: Vec<FieldVars>,
    /// Opaque atoms, to assign from a case.
    pub atoms: Vec<Atom<'p>>,
    /// Every expression encoded, with its literals.
    pub encoded: Vec<(&'p TExpr, Truth)>,
    /// The comparisons the abstraction expresses (candidates for "always
    /// unknown").
    pub comparisons: Vec<(&'p TExpr, Truth)>,
    defs: HashMap<DefId, Truth>,
    /// An empty record, to evaluate constant expressions.
    empty: Record,
}

impl<'p> Encoder<'p> {
    /// The field literals of `program` and their constraints.
    pub(super) fn new(program: &'p Program) -> Encoder<'p> {
        let domains = domains(program);
        let mut sat = Sat::new();
        let mut fields = Vec::with_capacity(domains.len());
        for domain in &domains {
            let unknown = sat.fresh();
            let vars = match domain {
                Domain::Opaque | Domain::Group => FieldVars {
                    unknown,
                    classes: Vec::new(),
                    other: None,
                },
                Domain::Values { values, other } => {
                    let classes: Vec<Lit> = values.iter().map(|_| sat.fresh()).collect();
                    let other = other.then(|| sat.fresh());
                    let mut all = vec![unknown];
                    all.extend(&classes);
                    all.extend(other);
                    sat.exactly_one(&all);
                    FieldVars {
                        unknown,
                        classes,
                        other,
                    }
                }
                Domain::Regions(regions) => {
                    let classes: Vec<Lit> = regions.iter().map(|_| sat.fresh()).collect();
                    let mut all = vec![unknown];
                    all.extend(&classes);
                    sat.exactly_one(&all);
                    FieldVars {
                        unknown,
                        classes,
                        other: None,
                    }
                }
                Domain::Members { values, other } => {
                    let classes: Vec<Lit> = values.iter().map(|_| sat.fresh()).collect();
                    let other = other.then(|| sat.fresh());
                    // An unknown list has no members.
                    for &m in classes.iter().chain(&other) {
                        sat.clause(&[!unknown, !m]);
                    }
                    FieldVars {
                        unknown,
                        classes,
                        other,
                    }
                }
            };
            fields.push(vars);
        }
        // A field of a group is known only in a present group.
        for (i, field) in program.schema.fields.iter().enumerate() {
            if let Some(parent) = field.parent {
                let parent_unknown = fields[parent.0 as usize].unknown;
                sat.clause(&[fields[i].unknown, !parent_unknown]);
            }
        }
        Encoder {
            program,
            sat,
            domains,
            fields,
            atoms: Vec::new(),
            encoded: Vec::new(),
            comparisons: Vec::new(),
            defs: HashMap::new(),
            empty: Record::new("", program.schema.fields.len()),
        }
    }

    fn atom(&mut self, of: AtomOf<'p>) -> Truth {
        let (t, f) = (self.sat.fresh(), self.sat.fresh());
        self.sat.clause(&[!t, !f]);
        let truth = Truth { t, f };
        self.atoms.push(Atom { of, truth });
        truth
    }

    fn constant(&self, b: Option<bool>) -> Truth {
        let (tru, fals) = (self.sat.tru(), self.sat.fals());
        match b {
            Some(true) => Truth { t: tru, f: fals },
            Some(false) => Truth { t: fals, f: tru },
            None => Truth { t: fals, f: fals },
        }
    }

    /// A literal for "unknown" of an encoded expression.
    pub(super) fn unknown(&mut self, truth: Truth) -> Lit {
        self.sat.and(&[!truth.t, !truth.f])
    }

    /// The literals of a true/false expression.
    pub(super) fn truth(&mut self, e: &'p TExpr) -> Truth {
        if let TKind::Def(id) = e.kind {
            if let Some(&truth) = self.defs.get(&id) {
                return truth;
            }
            let truth = self.truth(&self.program.def(id).expr);
            self.defs.insert(id, truth);
            return truth;
        }
        let truth = self.truth_kind(e);
        self.encoded.push((e, truth));
        truth
    }

    fn truth_kind(&mut self, e: &'p TExpr) -> Truth {
        match &e.kind {
            TKind::Const(Value::Bool(b)) => self.constant(Some(*b)),
            TKind::UnknownValue => self.constant(None),
            TKind::Field(id) if e.ty == Type::Bool => {
                let vars = &self.fields[id.0 as usize];
                match vars.classes.as_slice() {
                    [t, f] => Truth { t: *t, f: *f },
                    _ => self.atom(AtomOf::Truth(e)),
                }
            }
            TKind::Not(a) => {
                let a = self.truth(a);
                Truth { t: a.f, f: a.t }
            }
            TKind::And(a, b) => {
                let (a, b) = (self.truth(a), self.truth(b));
                Truth {
                    t: self.sat.and(&[a.t, b.t]),
                    f: self.sat.or(&[a.f, b.f]),
                }
            }
            TKind::Or(a, b) => {
                let (a, b) = (self.truth(a), self.truth(b));
                Truth {
                    t: self.sat.or(&[a.t, b.t]),
                    f: self.sat.and(&[a.f, b.f]),
                }
            }
            TKind::Known(a) if a.ty == Type::Bool => {
                let a = self.truth(a);
                let known = self.sat.or(&[a.t, a.f]);
                Truth {
                    t: known,
                    f: !known,
                }
            }
            // A field (of any domain) is known exactly when its unknown
            // literal is false.
            TKind::Known(a) => match (field_of(self.program, a), self.term(a)) {
                (Some(f), _) => {
                    let u = self.fields[f.0 as usize].unknown;
                    Truth { t: !u, f: u }
                }
                (None, Term::Const(_)) => self.constant(Some(true)),
                (None, Term::Unknown) => self.constant(Some(false)),
                (None, Term::Field(_) | Term::Opaque) => {
                    let truth = self.atom(AtomOf::Truth(e));
                    // Never unknown.
                    self.sat.clause(&[truth.t, truth.f]);
                    truth
                }
            },
            TKind::Default(a, b) if e.ty == Type::Bool => {
                let (a, b) = (self.truth(a), self.truth(b));
                let unknown = self.unknown(a);
                let bt = self.sat.and(&[unknown, b.t]);
                let bf = self.sat.and(&[unknown, b.f]);
                Truth {
                    t: self.sat.or(&[a.t, bt]),
                    f: self.sat.or(&[a.f, bf]),
                }
            }
            TKind::Compare(op, a, b) => {
                let truth = match (self.term(a), self.term(b)) {
                    (Term::Unknown, _) | (_, Term::Unknown) => Some(self.constant(None)),
                    (Term::Const(_), Term::Const(_)) => Some(self.evaluate(e)),
                    (Term::Field(f), Term::Const(c)) => self.compare(f, *op, &c),
                    (Term::Const(c), Term::Field(f)) => self.compare(f, flip(*op), &c),
                    _ => None,
                };
                self.comparison(e, truth)
            }
            TKind::In(x, list) => {
                let truth = self.membership(e, x, list);
                self.comparison(e, truth)
            }
            TKind::Contains(list, x) if list.ty != Type::Str => {
                let truth = self.membership(e, x, list);
                self.comparison(e, truth)
            }
            TKind::SetTest(op, a, b) => {
                let truth = match (self.term(a), self.term(b)) {
                    (Term::Unknown, _) | (_, Term::Unknown) => Some(self.constant(None)),
                    (Term::Const(_), Term::Const(_)) => Some(self.evaluate(e)),
                    (Term::Field(f), Term::Const(Value::List(items))) => {
                        self.set_test(f, *op, &items)
                    }
                    _ => None,
                };
                self.comparison(e, truth)
            }
            TKind::IsEmpty(list) => {
                let truth = match self.term(list) {
                    Term::Unknown => Some(self.constant(None)),
                    Term::Const(_) => Some(self.evaluate(e)),
                    Term::Field(f) => self.members(f).map(|(u, members)| {
                        let mut none: Vec<Lit> = members.iter().map(|&m| !m).collect();
                        none.push(!u);
                        let empty = self.sat.and(&none);
                        let not_empty = self.sat.and(&[!u, !empty]);
                        Truth {
                            t: empty,
                            f: not_empty,
                        }
                    }),
                    Term::Opaque => None,
                };
                self.comparison(e, truth)
            }
            _ => self.atom(AtomOf::Truth(e)),
        }
    }

    /// A comparison's literals, or an opaque atom when the abstraction
    /// cannot express it.
    fn comparison(&mut self, e: &'p TExpr, truth: Option<Truth>) -> Truth {
        match truth {
            Some(truth) => {
                // Only a comparison with `unknown` can be unknown for every
                // case: a field compared with constants is known whenever
                // the field is, and nothing forces a field unknown. So only
                // those are kept for the solver to confirm (thousands of
                // ordinary comparisons would each cost a question).
                if truth.t == self.sat.fals() && truth.f == self.sat.fals() {
                    self.comparisons.push((e, truth));
                }
                truth
            }
            None => self.atom(AtomOf::Truth(e)),
        }
    }

    /// The truth of an expression that reads no field.
    fn evaluate(&self, e: &TExpr) -> Truth {
        let (truth, _) = Interpreter::new(self.program, &self.empty).truth(e);
        self.constant(truth)
    }

    fn term(&self, e: &TExpr) -> Term {
        if let Some(value) = constant_of(self.program, e) {
            return Term::Const(value);
        }
        if always_unknown(self.program, e) {
            return Term::Unknown;
        }
        match field_of(self.program, e) {
            Some(f) if !matches!(self.domains[f.0 as usize], Domain::Opaque) => Term::Field(f),
            _ => Term::Opaque,
        }
    }

    /// T: one of the classes marked true holds; F: one of the others.
    fn split(&mut self, classes: &[(bool, Lit)]) -> Truth {
        let pick = |want: bool| -> Vec<Lit> {
            classes
                .iter()
                .filter(|(is, _)| *is == want)
                .map(|(_, l)| *l)
                .collect()
        };
        let (t, f) = (pick(true), pick(false));
        Truth {
            t: self.sat.or(&t),
            f: self.sat.or(&f),
        }
    }

    /// `field OP c`.
    fn compare(&mut self, f: FieldId, op: CmpOp, c: &Value) -> Option<Truth> {
        let vars = self.fields[f.0 as usize].clone();
        let mut classes = Vec::new();
        match &self.domains[f.0 as usize] {
            Domain::Values { values, .. } => {
                if !matches!(op, CmpOp::Eq | CmpOp::Ne) || !values.contains(c) {
                    return None;
                }
                for (value, &lit) in values.iter().zip(&vars.classes) {
                    classes.push((op.holds(value.cmp(c)), lit));
                }
                // Another value is never equal to `c`.
                if let Some(other) = vars.other {
                    classes.push((op == CmpOp::Ne, other));
                }
            }
            Domain::Regions(regions) => {
                let c = ordinal(c)?;
                for (region, &lit) in regions.iter().zip(&vars.classes) {
                    classes.push((op.holds(region.cmp(c)?), lit));
                }
            }
            _ => return None,
        }
        Some(self.split(&classes))
    }

    /// `x in list` (and `list contains x`).
    fn membership(&mut self, e: &TExpr, x: &TExpr, list: &TExpr) -> Option<Truth> {
        match (self.term(x), self.term(list)) {
            (Term::Unknown, _) | (_, Term::Unknown) => Some(self.constant(None)),
            (Term::Const(_), Term::Const(_)) => Some(self.evaluate(e)),
            (Term::Field(f), Term::Const(Value::List(items))) => {
                let vars = self.fields[f.0 as usize].clone();
                let mut classes = Vec::new();
                match &self.domains[f.0 as usize] {
                    Domain::Values { values, .. } => {
                        if !items.iter().all(|i| values.contains(i)) {
                            return None;
                        }
                        for (value, &lit) in values.iter().zip(&vars.classes) {
                            classes.push((items.contains(value), lit));
                        }
                        classes.extend(vars.other.map(|o| (false, o)));
                    }
                    Domain::Regions(regions) => {
                        let points: Option<Vec<i64>> = items.iter().map(ordinal).collect();
                        let points = points?;
                        for (region, &lit) in regions.iter().zip(&vars.classes) {
                            let inside = points.iter().any(|&p| region.lo <= p && p <= region.hi);
                            // A listed value inside a wider region splits it.
                            if inside && region.lo != region.hi {
                                return None;
                            }
                            classes.push((inside, lit));
                        }
                    }
                    _ => return None,
                }
                Some(self.split(&classes))
            }
            (Term::Const(c), Term::Field(f)) => {
                let (u, member) = self.member(f, &c)?;
                Some(Truth {
                    t: member,
                    f: self.sat.and(&[!u, !member]),
                })
            }
            _ => None,
        }
    }

    /// A list field's unknown literal and member literals.
    fn members(&self, f: FieldId) -> Option<(Lit, Vec<Lit>)> {
        let vars = &self.fields[f.0 as usize];
        match &self.domains[f.0 as usize] {
            Domain::Members { .. } => {
                let mut all = vars.classes.clone();
                all.extend(vars.other);
                Some((vars.unknown, all))
            }
            _ => None,
        }
    }

    /// A list field's unknown literal and "contains `c`".
    fn member(&self, f: FieldId, c: &Value) -> Option<(Lit, Lit)> {
        let vars = &self.fields[f.0 as usize];
        match &self.domains[f.0 as usize] {
            Domain::Members { values, .. } => {
                let at = values.iter().position(|v| v == c)?;
                Some((vars.unknown, vars.classes[at]))
            }
            _ => None,
        }
    }

    /// `field contains any/all/none of [items]`.
    fn set_test(&mut self, f: FieldId, op: SetOp, items: &[Value]) -> Option<Truth> {
        let mut lits = Vec::new();
        let mut unknown = None;
        for item in items {
            let (u, m) = self.member(f, item)?;
            unknown = Some(u);
            lits.push(m);
        }
        let u = match unknown {
            Some(u) => u,
            None => self.members(f)?.0,
        };
        let holds = match op {
            SetOp::All => self.sat.and(&lits),
            SetOp::Any | SetOp::None => self.sat.or(&lits),
        };
        let t = self.sat.and(&[!u, holds]);
        let f = self.sat.and(&[!u, !holds]);
        Some(match op {
            SetOp::None => Truth { t: f, f: t },
            _ => Truth { t, f },
        })
    }

    /// A rule's window: T inside, F outside, neither when the date is
    /// unknown (no window: always inside).
    fn window(&mut self, rule: &'p Rule) -> Truth {
        let Some(window) = &rule.window else {
            return self.constant(Some(true));
        };
        let inside = |d: i64| {
            window.from.is_none_or(|f| d >= i64::from(f.0))
                && window.until.is_none_or(|u| d <= i64::from(u.0))
        };
        match self.term(&window.date) {
            Term::Unknown => self.constant(None),
            Term::Const(c) => {
                let d = ordinal(&c);
                self.constant(d.map(inside))
            }
            Term::Field(f) => {
                let vars = self.fields[f.0 as usize].clone();
                if let Domain::Regions(regions) = &self.domains[f.0 as usize] {
                    let classes: Option<Vec<(bool, Lit)>> = regions
                        .iter()
                        .zip(&vars.classes)
                        .map(|(region, &lit)| {
                            let (lo, hi) = (inside(region.lo), inside(region.hi));
                            (lo == hi).then_some((lo, lit))
                        })
                        .collect();
                    if let Some(classes) = classes {
                        return self.split(&classes);
                    }
                }
                self.atom(AtomOf::Window(rule))
            }
            Term::Opaque => self.atom(AtomOf::Window(rule)),
        }
    }

    /// A rule's outcome.
    pub(super) fn rule(&mut self, rule: &'p Rule) -> Outcome {
        let window = self.window(rule);
        let condition = self.truth(&rule.condition);
        let exceptions: Vec<Truth> = rule
            .exceptions
            .iter()
            .map(|x| self.truth(&x.condition))
            .collect();
        // Flagged only when every step is settled: an unknown window,
        // condition or exception (with or without a field behind it) makes
        // the gap need review, as `eval::outcome::decide` has it.
        let mut flagged = vec![window.t, condition.t];
        let mut cleared = Vec::new();
        let mut earlier = vec![!window.f, !condition.f];
        for truth in &exceptions {
            flagged.push(truth.f);
            let mut this = earlier.clone();
            this.push(truth.t);
            cleared.push(self.sat.and(&this));
            earlier.push(!truth.t);
        }
        Outcome {
            condition,
            flagged: self.sat.and(&flagged),
            cleared,
            not_applicable: self.sat.or(&[window.f, condition.f]),
        }
    }
}

/// `a OP b` from `b OP' a`.
fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

/// Whether an operand is the literal `unknown` (directly or through
/// definitions).
fn always_unknown(program: &Program, e: &TExpr) -> bool {
    match &e.kind {
        TKind::UnknownValue => true,
        TKind::Def(id) => always_unknown(program, &program.def(*id).expr),
        _ => false,
    }
}
