//! Coverage of a rule set by its tests, exact for the language's semantics:
//! which rules, definitions and tables the tests reached, and for every
//! true/false expression (each operand of `and`/`or`, each comparison,
//! membership or list test) whether the tests saw it true, false and unknown.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::check::program::{DefId, Program, TExpr, TKind};
use crate::eval::interpret::Reached;
use crate::ruleset::schema::FieldId;
use crate::ruleset::tables::TableId;
use crate::source::Sources;
use crate::source::Span;
use crate::types::Type;

/// The outcomes a condition can have: [true, false, unknown].
type Outcomes = [bool; 3];

/// Coverage accumulated over a run of tests.
#[derive(Debug)]
pub(crate) struct Coverage {
    /// Every condition of the program, with the outcomes it can have.
    possible: BTreeMap<(u32, u32, u32), (Span, Outcomes)>,
    /// Outcomes seen.
    seen: HashMap<Span, Outcomes>,
    /// Tests that reached each rule (its condition was evaluated).
    pub rules: Vec<usize>,
    /// Tests that reached each definition.
    pub defs: Vec<usize>,
    /// Tests that looked up each table.
    pub tables: Vec<usize>,
    /// Definitions that are constant data (not counted).
    data_defs: Vec<bool>,
}

impl Coverage {
    /// Coverage of `program`, nothing seen yet.
    pub(crate) fn new(program: &Program) -> Coverage {
        let mut possible = BTreeMap::new();
        let mut roots: Vec<&TExpr> = program.defs.iter().map(|d| &d.expr).collect();
        for rule in &program.rules {
            roots.push(&rule.condition);
            roots.extend(rule.exceptions.iter().map(|e| &e.condition));
        }
        for root in roots {
            collect(program, root, true, &Known::new(), &mut possible);
        }
        Coverage {
            possible,
            seen: HashMap::new(),
            rules: vec![0; program.rules.len()],
            defs: vec![0; program.defs.len()],
            data_defs: program
                .defs
                .iter()
                .map(|d| is_constant(program, &d.expr))
                .collect(),
            tables: vec![0; program.tables.len()],
        }
    }

    /// Adds what one test reached.
    pub(crate) fn add(&mut self, reached: &Reached, rules_reached: &[bool]) {
        for (span, outcomes) in &reached.conditions {
            let seen = self.seen.entry(*span).or_default();
            for i in 0..3 {
                seen[i] |= outcomes[i];
            }
        }
        for DefId(id) in &reached.defs {
            self.defs[*id as usize] += 1;
        }
        for TableId(id) in &reached.tables {
            self.tables[*id as usize] += 1;
        }
        for (count, reached) in self.rules.iter_mut().zip(rules_reached) {
            *count += usize::from(*reached);
        }
    }

    /// Reached and countable definitions (constant data is not counted).
    fn def_counts(&self) -> (usize, usize) {
        let countable = self
            .defs
            .iter()
            .zip(&self.data_defs)
            .filter(|(_, data)| !**data);
        let (reached, total) = countable.fold((0, 0), |(r, t), (count, _)| {
            (r + usize::from(*count > 0), t + 1)
        });
        (reached, total)
    }

    /// Covered and possible condition outcomes.
    pub(crate) fn outcome_counts(&self) -> (usize, usize) {
        let mut covered = 0;
        let mut possible = 0;
        for (span, can) in self.possible.values() {
            let seen = self.seen.get(span).copied().unwrap_or_default();
            for i in 0..3 {
                if can[i] {
                    possible += 1;
                    covered += usize::from(seen[i]);
                }
            }
        }
        (covered, possible)
    }

    /// The percentage of coverage: condition outcomes, rules, definitions
    /// and tables together.
    pub(crate) fn percent(&self) -> f64 {
        let (covered, possible) = self.outcome_counts();
        let reached = |counts: &[usize]| counts.iter().filter(|&&c| c > 0).count();
        let (defs_reached, defs) = self.def_counts();
        let covered = covered + reached(&self.rules) + defs_reached + reached(&self.tables);
        let possible = possible + self.rules.len() + defs + self.tables.len();
        if possible == 0 {
            100.0
        } else {
            100.0 * covered as f64 / possible as f64
        }
    }

    /// Human-readable report: totals, then everything not covered with its
    /// place, then per-rule counts.
    pub(crate) fn report(&self, program: &Program, sources: &Sources) -> String {
        let reached = |counts: &[usize]| counts.iter().filter(|&&c| c > 0).count();
        let (covered, possible) = self.outcome_counts();
        let (defs_reached, defs) = self.def_counts();
        let mut out = format!(
            "coverage: rules {}/{}, definitions {}/{}, tables {}/{}, condition outcomes {covered}/{possible}; {:.1}%\n",
            reached(&self.rules),
            self.rules.len(),
            defs_reached,
            defs,
            reached(&self.tables),
            self.tables.len(),
            self.percent()
        );
        let mut uncovered = Vec::new();
        for (span, can) in self.possible.values() {
            let seen = self.seen.get(span).copied().unwrap_or_default();
            let missing: Vec<&str> = ["true", "false", "unknown"]
                .iter()
                .enumerate()
                .filter(|(i, _)| can[*i] && !seen[*i])
                .map(|(_, name)| *name)
                .collect();
            if !missing.is_empty() {
                let (line, column) = sources.line_col(span.file, span.start as usize);
                let text = sources.get(span.file).text.get(span.range()).unwrap_or("");
                let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
                uncovered.push(format!(
                    "  {}:{line}:{column}: `{text}` never {}\n",
                    sources.get(span.file).name,
                    missing.join(", never ")
                ));
            }
        }
        for (i, rule) in program.rules.iter().enumerate() {
            if self.rules[i] == 0 {
                uncovered.push(format!("  rule `{}` is reached by no test\n", rule.id));
            }
        }
        for (i, def) in program.defs.iter().enumerate() {
            if self.defs[i] == 0 && !self.data_defs[i] {
                uncovered.push(format!(
                    "  definition `{}` is reached by no test\n",
                    def.name
                ));
            }
        }
        for (i, table) in program.tables.iter().enumerate() {
            if self.tables[i] == 0 {
                uncovered.push(format!(
                    "  table `{}` is looked up by no test\n",
                    table.name
                ));
            }
        }
        if !uncovered.is_empty() {
            out.push_str("not covered:\n");
            for line in uncovered {
                out.push_str(&line);
            }
        }
        out.push_str("tests reaching each rule:\n");
        for (i, rule) in program.rules.iter().enumerate() {
            out.push_str(&format!("  {:<34} {}\n", rule.id, self.rules[i]));
        }
        out
    }
}

/// Records the conditions below `e` with their possible outcomes: `e` itself
/// when it stands in a condition position (`track`), each operand of `and`,
/// `or` and `not`, and every comparison, membership, list test, quantifier
/// and `known` test wherever it stands. (A true/false field compared with
/// `== true` is not a condition of its own: the comparison is.)
fn collect(
    program: &Program,
    e: &TExpr,
    track: bool,
    known: &Known,
    out: &mut BTreeMap<(u32, u32, u32), (Span, Outcomes)>,
) {
    let is_test = matches!(
        e.kind,
        TKind::Compare(..)
            | TKind::In(..)
            | TKind::Contains(..)
            | TKind::SetTest(..)
            | TKind::IsEmpty(_)
            | TKind::Known(_)
            | TKind::Quantifier { .. }
    );
    if e.ty == Type::Bool
        && !matches!(e.kind, TKind::Const(_) | TKind::UnknownValue)
        && (track || is_test)
    {
        let can = possible(program, e, known);
        let key = (e.span.file.0, e.span.start, e.span.end);
        let entry = out.entry(key).or_insert((e.span, [false; 3]));
        for (slot, possible) in entry.1.iter_mut().zip(can) {
            *slot |= possible;
        }
    }
    match &e.kind {
        // `known x and …`: on the right, `x` is known (the right side is
        // only evaluated when the left is not false). Likewise for
        // `unknown x or …`.
        TKind::And(a, b) | TKind::Or(a, b) => {
            collect(program, a, true, known, out);
            let mut inner = known.clone();
            guarded_fields(a, matches!(e.kind, TKind::And(..)), &mut inner);
            collect(program, b, true, &inner, out);
        }
        TKind::Not(a) => collect(program, a, true, known, out),
        _ => e.for_each_child(|c| collect(program, c, false, known, out)),
    }
}

/// Fields that are certainly known.
type Known = BTreeSet<FieldId>;

/// Adds the fields that `guard` being true (for `and`) or false (for `or`)
/// proves known: `known x` and `not unknown`-style tests, through `and`.
fn guarded_fields(guard: &TExpr, when_true: bool, known: &mut Known) {
    match (&guard.kind, when_true) {
        (TKind::Known(inner), true) => {
            if let TKind::Field(id) = inner.kind {
                known.insert(id);
            }
        }
        (TKind::Not(inner), _) => guarded_fields(inner, !when_true, known),
        (TKind::And(a, b), true) | (TKind::Or(a, b), false) => {
            guarded_fields(a, when_true, known);
            guarded_fields(b, when_true, known);
        }
        _ => {}
    }
}

/// Whether an expression reads nothing from the record (a definition such as
/// `def MPP = [...]` is data, inlined where it is used).
fn is_constant(program: &Program, e: &TExpr) -> bool {
    match &e.kind {
        TKind::Field(_) | TKind::Var(_) | TKind::Lookup { .. } | TKind::UnknownValue => false,
        TKind::Def(id) => is_constant(program, &program.def(*id).expr),
        _ => {
            let mut constant = true;
            e.for_each_child(|c| constant &= is_constant(program, c));
            constant
        }
    }
}

/// The outcomes an expression can have, from its form.
fn possible(program: &Program, e: &TExpr, known: &Known) -> Outcomes {
    let unknown = may_be_unknown(program, e, known);
    let (can_true, can_false) = truth_values(program, e, known);
    [can_true, can_false, unknown]
}

/// Whether a true/false expression can be true, and can be false: constants
/// and the value `unknown` cannot both (`x or unknown` is never false,
/// `x and unknown` never true).
fn truth_values(program: &Program, e: &TExpr, known: &Known) -> (bool, bool) {
    match &e.kind {
        TKind::Const(crate::value::Value::Bool(b)) => (*b, !*b),
        TKind::UnknownValue => (false, false),
        TKind::Not(a) => {
            let (t, f) = truth_values(program, a, known);
            (f, t)
        }
        TKind::And(a, b) | TKind::Or(a, b) => {
            let is_and = matches!(e.kind, TKind::And(..));
            let mut inner = known.clone();
            guarded_fields(a, is_and, &mut inner);
            let (at, af) = truth_values(program, a, known);
            let (bt, bf) = truth_values(program, b, &inner);
            if is_and {
                (at && bt, af || bf)
            } else {
                (at || bt, af && bf)
            }
        }
        TKind::Known(inner) => (true, may_be_unknown(program, inner, known)),
        TKind::Def(id) => truth_values(program, &program.def(*id).expr, &Known::new()),
        _ => (true, true),
    }
}

/// Whether an expression can be unknown for some record, given fields known
/// to be present here.
fn may_be_unknown(program: &Program, e: &TExpr, known: &Known) -> bool {
    match &e.kind {
        TKind::Const(_) | TKind::TableKeys(_) | TKind::Known(_) | TKind::Var(_) => false,
        TKind::Field(id) => !known.contains(id),
        TKind::UnknownValue => true,
        TKind::Lookup { .. } => true,
        TKind::Def(id) => may_be_unknown(program, &program.def(*id).expr, &Known::new()),
        TKind::Default(_, fallback) => may_be_unknown(program, fallback, known),
        TKind::And(a, b) | TKind::Or(a, b) => {
            let mut inner = known.clone();
            guarded_fields(a, matches!(e.kind, TKind::And(..)), &mut inner);
            may_be_unknown(program, a, known) || may_be_unknown(program, b, &inner)
        }
        _ => {
            let mut any = false;
            e.for_each_child(|c| any |= may_be_unknown(program, c, known));
            any
        }
    }
}
