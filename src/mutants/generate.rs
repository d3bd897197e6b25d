//! The mutants of a checked program: each the change of one node of a
//! definition, a rule's condition or an exception's condition (an operator,
//! a constant, an operand dropped), one exception dropped, or one bound of
//! an effective window moved. Audits and explanations are never changed.
//!
//! A mutant is made on the typed program, so it never needs parsing; a
//! change that would not check (a replacement of another type, a window
//! that would end before it starts, a constant out of range) is not
//! generated.

use std::collections::HashSet;

use serde::Serialize;

use crate::check::program::{CmpOp, DefId, Program, TExpr, TKind};
use crate::date::Date;
use crate::source::{Sources, Span};
use crate::value::Value;

/// The kinds of change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum MutantKind {
    /// A comparison negated: `!=` for `==`, `>=` for `<`, `>` for `<=`.
    ComparisonFlipped,
    /// A comparison's boundary moved: `<=` for `<`, `>` for `>=`.
    BoundaryMoved,
    /// `or` for `and`, or `and` for `or`.
    AndOr,
    /// `false` for `true`, or `true` for `false`.
    TruthFlipped,
    /// A `not` dropped (also `known` for `unknown`, `is empty` for `is not
    /// empty`, `in` for `not in`).
    NotDropped,
    /// An enum value replaced by its neighbour in the schema's list.
    EnumNeighbour,
    /// One operand of an `and` or an `or` dropped.
    OperandDropped,
    /// An exception (`unless`, `exception … to`) dropped.
    ExceptionDropped,
    /// The default of a `??` dropped.
    DefaultDropped,
    /// A number, date or duration constant one more or one less.
    OffByOne,
    /// An effective window's first or last day moved by a day.
    WindowShifted,
}

impl MutantKind {
    /// Its name in reports (as in JSON).
    pub(crate) fn name(self) -> &'static str {
        match self {
            MutantKind::ComparisonFlipped => "comparison-flipped",
            MutantKind::BoundaryMoved => "boundary-moved",
            MutantKind::AndOr => "and-or",
            MutantKind::TruthFlipped => "truth-flipped",
            MutantKind::NotDropped => "not-dropped",
            MutantKind::EnumNeighbour => "enum-neighbour",
            MutantKind::OperandDropped => "operand-dropped",
            MutantKind::ExceptionDropped => "exception-dropped",
            MutantKind::DefaultDropped => "default-dropped",
            MutantKind::OffByOne => "off-by-one",
            MutantKind::WindowShifted => "window-shifted",
        }
    }
}

/// The expression a node change is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Root {
    /// A definition's value.
    Def(usize),
    /// A rule's condition.
    Condition(usize),
    /// An exception's condition: rule, exception.
    Exception(usize, usize),
}

/// What a mutant changes in the program.
#[derive(Clone, Debug)]
enum Change {
    /// Node `node` (in pre-order) of `root` replaced by `with`.
    Node {
        root: Root,
        node: usize,
        with: TExpr,
    },
    /// An exception of a rule removed.
    DropException { rule: usize, exception: usize },
    /// A window bound set to `date` (`until`: the last day, else the first).
    Window {
        rule: usize,
        until: bool,
        date: Date,
    },
}

/// One mutant: a change of one node of the program, and how to show it.
#[derive(Clone, Debug)]
pub(crate) struct Mutant {
    /// What kind of change.
    pub kind: MutantKind,
    /// Where, in words: "rule `x`", "definition `y`", "exception `e` of
    /// rule `x`", "the window of rule `x`".
    pub place: String,
    /// The source text replaced.
    pub span: Span,
    /// The text that replaces it (empty: deleted).
    pub replacement: String,
    change: Change,
}

impl Mutant {
    /// A copy of `program` with this mutant's change.
    pub(crate) fn apply(&self, program: &Program) -> Program {
        let mut out = program.clone();
        match &self.change {
            Change::Node { root, node, with } => {
                let mut n = *node;
                replace_nth(root_mut(&mut out, *root), &mut n, with);
            }
            Change::DropException { rule, exception } => {
                out.rules[*rule].exceptions.remove(*exception);
            }
            Change::Window { rule, until, date } => {
                if let Some(window) = &mut out.rules[*rule].window {
                    if *until {
                        window.until = Some(*date);
                    } else {
                        window.from = Some(*date);
                    }
                }
            }
        }
        out
    }

    /// The rules whose outcome the change can affect (indices into
    /// `program.rules`): the rule changed, or every rule that reads the
    /// changed definition (directly or through others).
    pub(crate) fn rules(&self, program: &Program) -> Vec<usize> {
        match &self.change {
            Change::Node {
                root: Root::Def(def),
                ..
            } => rules_reading(program, DefId(*def as u32)),
            Change::Node {
                root: Root::Condition(rule) | Root::Exception(rule, _),
                ..
            }
            | Change::DropException { rule, .. }
            | Change::Window { rule, .. } => vec![*rule],
        }
    }
}

/// Every mutant of `program`, in the order of the rule set: definitions,
/// then rules (window, condition, exceptions), each in pre-order.
pub(crate) fn mutants(program: &Program, sources: &Sources) -> Vec<Mutant> {
    let mut out = Vec::new();
    for (i, def) in program.defs.iter().enumerate() {
        let place = format!("definition `{}`", def.name);
        expression(program, sources, Root::Def(i), &def.expr, &place, &mut out);
    }
    for (r, rule) in program.rules.iter().enumerate() {
        if let Some(window) = &rule.window {
            let place = format!("the window of rule `{}`", rule.id);
            for (until, bound, span) in [
                (false, window.from, window.spans.0),
                (true, window.until, window.spans.1),
            ] {
                let (Some(bound), Some(span)) = (bound, span) else {
                    continue;
                };
                for delta in [-1, 1] {
                    let date = Date(bound.0 + delta);
                    let (from, to) = if until {
                        (window.from, Some(date))
                    } else {
                        (Some(date), window.until)
                    };
                    // A reversed window does not check.
                    if from.zip(to).is_some_and(|(f, t)| f > t) {
                        continue;
                    }
                    out.push(Mutant {
                        kind: MutantKind::WindowShifted,
                        place: place.clone(),
                        span,
                        replacement: date.to_string(),
                        change: Change::Window {
                            rule: r,
                            until,
                            date,
                        },
                    });
                }
            }
        }
        let place = format!("rule `{}`", rule.id);
        expression(
            program,
            sources,
            Root::Condition(r),
            &rule.condition,
            &place,
            &mut out,
        );
        for (x, exception) in rule.exceptions.iter().enumerate() {
            let place = format!("exception `{}` of rule `{}`", exception.name, rule.id);
            out.push(Mutant {
                kind: MutantKind::ExceptionDropped,
                place: place.clone(),
                span: exception.span,
                replacement: String::new(),
                change: Change::DropException {
                    rule: r,
                    exception: x,
                },
            });
            expression(
                program,
                sources,
                Root::Exception(r, x),
                &exception.condition,
                &place,
                &mut out,
            );
        }
    }
    out
}

/// The mutants of every node of one expression.
fn expression(
    program: &Program,
    sources: &Sources,
    root: Root,
    e: &TExpr,
    place: &str,
    out: &mut Vec<Mutant>,
) {
    let mut nodes = Vec::new();
    preorder(e, &mut nodes);
    for (node, e) in nodes.into_iter().enumerate() {
        for (kind, with, replacement) in alternatives(program, sources, e) {
            // A replacement of another type would not check.
            if with.ty != e.ty {
                continue;
            }
            out.push(Mutant {
                kind,
                place: place.to_string(),
                span: e.span,
                replacement,
                change: Change::Node { root, node, with },
            });
        }
    }
}

/// `e` and its sub-expressions, parents first.
fn preorder<'e>(e: &'e TExpr, out: &mut Vec<&'e TExpr>) {
    out.push(e);
    e.for_each_child(|c| preorder(c, out));
}

/// Replaces node `n` (in pre-order, counted down) of `e` by `with`.
fn replace_nth(e: &mut TExpr, n: &mut usize, with: &TExpr) -> bool {
    if *n == 0 {
        *e = with.clone();
        return true;
    }
    *n -= 1;
    let mut done = false;
    e.for_each_child_mut(|c| {
        if !done {
            done = replace_nth(c, n, with);
        }
    });
    done
}

fn root_mut(program: &mut Program, root: Root) -> &mut TExpr {
    match root {
        Root::Def(i) => &mut program.defs[i].expr,
        Root::Condition(r) => &mut program.rules[r].condition,
        Root::Exception(r, x) => &mut program.rules[r].exceptions[x].condition,
    }
}

/// The source text of a span.
fn text(sources: &Sources, span: Span) -> &str {
    sources
        .get(span.file)
        .text
        .get(span.range())
        .unwrap_or_default()
}

fn op_text(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "==",
        CmpOp::Ne => "!=",
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Gt => ">",
        CmpOp::Ge => ">=",
    }
}

/// The text of binary node `e` (operands `a`, `b`) with its operator
/// `old` written `new`, parentheses and line breaks kept.
fn binary_text(sources: &Sources, e: &TExpr, a: &TExpr, b: &TExpr, old: &str, new: &str) -> String {
    let (start, end) = (e.span.start as usize, e.span.end as usize);
    let (a_end, b_start) = (a.span.end as usize, b.span.start as usize);
    let same_file = a.span.file == e.span.file && b.span.file == e.span.file;
    if same_file && start <= a_end && a_end <= b_start && b_start <= end {
        let source = &sources.get(e.span.file).text;
        let parts = (
            source.get(start..a_end),
            source.get(a_end..b_start),
            source.get(b_start..end),
        );
        if let (Some(before), Some(gap), Some(after)) = parts {
            if let Some(at) = gap.find(old) {
                let rest = &gap[at + old.len()..];
                return format!("{before}{}{new}{rest}{after}", &gap[..at]);
            }
        }
    }
    format!("{} {new} {}", text(sources, a.span), text(sources, b.span))
}

/// The text of `not`-node `e` without its `not`: the operand, or for the
/// forms written without `not` (`unknown x`, `x is not empty`, `x not in
/// y`), the positive form.
fn without_not(sources: &Sources, e: &TExpr, operand: &TExpr) -> String {
    let shown = text(sources, e.span);
    if operand.span != e.span {
        return text(sources, operand.span).to_string();
    }
    if let Some(rest) = shown.strip_prefix("unknown") {
        return format!("known{rest}");
    }
    for (negative, positive) in [("is not empty", "is empty"), ("not in", "in")] {
        if shown.contains(negative) {
            return shown.replacen(negative, positive, 1);
        }
    }
    shown.to_string()
}

/// The one-node changes of `e`: kind, replacement node, replacement text.
fn alternatives(
    program: &Program,
    sources: &Sources,
    e: &TExpr,
) -> Vec<(MutantKind, TExpr, String)> {
    let with = |kind: TKind| TExpr {
        kind,
        ty: e.ty.clone(),
        span: e.span,
    };
    let mut out = Vec::new();
    match &e.kind {
        TKind::Compare(op, a, b) => {
            let negated = match op {
                CmpOp::Eq => CmpOp::Ne,
                CmpOp::Ne => CmpOp::Eq,
                CmpOp::Lt => CmpOp::Ge,
                CmpOp::Ge => CmpOp::Lt,
                CmpOp::Le => CmpOp::Gt,
                CmpOp::Gt => CmpOp::Le,
            };
            let boundary = match op {
                CmpOp::Lt => Some(CmpOp::Le),
                CmpOp::Le => Some(CmpOp::Lt),
                CmpOp::Gt => Some(CmpOp::Ge),
                CmpOp::Ge => Some(CmpOp::Gt),
                CmpOp::Eq | CmpOp::Ne => None,
            };
            let changes = [
                (MutantKind::ComparisonFlipped, Some(negated)),
                (MutantKind::BoundaryMoved, boundary),
            ];
            for (kind, new) in changes {
                if let Some(new) = new {
                    out.push((
                        kind,
                        with(TKind::Compare(new, a.clone(), b.clone())),
                        binary_text(sources, e, a, b, op_text(*op), op_text(new)),
                    ));
                }
            }
        }
        TKind::And(a, b) | TKind::Or(a, b) => {
            let (old, new, swapped) = match &e.kind {
                TKind::And(..) => ("and", "or", TKind::Or(a.clone(), b.clone())),
                _ => ("or", "and", TKind::And(a.clone(), b.clone())),
            };
            out.push((
                MutantKind::AndOr,
                with(swapped),
                binary_text(sources, e, a, b, old, new),
            ));
            for kept in [a, b] {
                out.push((
                    MutantKind::OperandDropped,
                    (**kept).clone(),
                    text(sources, kept.span).to_string(),
                ));
            }
        }
        TKind::Not(operand) => out.push((
            MutantKind::NotDropped,
            (**operand).clone(),
            without_not(sources, e, operand),
        )),
        TKind::Default(value, _) => out.push((
            MutantKind::DefaultDropped,
            (**value).clone(),
            text(sources, value.span).to_string(),
        )),
        TKind::Const(value) => {
            let constant = |v: Value| with(TKind::Const(v));
            match value {
                Value::Bool(b) => out.push((
                    MutantKind::TruthFlipped,
                    constant(Value::Bool(!b)),
                    (!b).to_string(),
                )),
                Value::Int(n) => {
                    for m in [n.checked_sub(1), n.checked_add(1)].into_iter().flatten() {
                        out.push((MutantKind::OffByOne, constant(Value::Int(m)), m.to_string()));
                    }
                }
                Value::Duration(n) => {
                    for m in [n.checked_sub(1), n.checked_add(1)].into_iter().flatten() {
                        out.push((
                            MutantKind::OffByOne,
                            constant(Value::Duration(m)),
                            format!("{m} days"),
                        ));
                    }
                }
                Value::Date(d) => {
                    for m in [d.0.checked_sub(1), d.0.checked_add(1)]
                        .into_iter()
                        .flatten()
                    {
                        let date = Date(m);
                        out.push((
                            MutantKind::OffByOne,
                            constant(Value::Date(date)),
                            date.to_string(),
                        ));
                    }
                }
                Value::Enum(code) => {
                    if let crate::types::Type::Enum(id) = &e.ty {
                        let values = &program.schema.enum_def(*id).values;
                        let neighbours = [code.checked_sub(1), code.checked_add(1)];
                        for n in neighbours.into_iter().flatten() {
                            if let Some(name) = values.get(n as usize) {
                                out.push((
                                    MutantKind::EnumNeighbour,
                                    constant(Value::Enum(n)),
                                    crate::syntax::print::quote(name),
                                ));
                            }
                        }
                    }
                }
                Value::Str(_) | Value::List(_) => {}
            }
        }
        _ => {}
    }
    out
}

/// The rules whose condition, exceptions or window read definition `def`
/// (directly or through other definitions).
fn rules_reading(program: &Program, def: DefId) -> Vec<usize> {
    let mut affected: HashSet<DefId> = HashSet::from([def]);
    loop {
        let before = affected.len();
        for (i, d) in program.defs.iter().enumerate() {
            if reads(&d.expr, &affected) {
                affected.insert(DefId(i as u32));
            }
        }
        if affected.len() == before {
            break;
        }
    }
    program
        .rules
        .iter()
        .enumerate()
        .filter(|(_, rule)| {
            reads(&rule.condition, &affected)
                || rule
                    .exceptions
                    .iter()
                    .any(|x| reads(&x.condition, &affected))
                || rule
                    .window
                    .as_ref()
                    .is_some_and(|w| reads(&w.date, &affected))
        })
        .map(|(i, _)| i)
        .collect()
}

/// Whether `e` reads one of `defs`.
fn reads(e: &TExpr, defs: &HashSet<DefId>) -> bool {
    if let TKind::Def(id) = e.kind {
        if defs.contains(&id) {
            return true;
        }
    }
    let mut found = false;
    e.for_each_child(|c| found = found || reads(c, defs));
    found
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::test_runner::Config;

    use super::*;
    use crate::analysis::equivalence::{compare, Comparison};
    use crate::audit::generate::{cases, Pools};
    use crate::check::testing::standard;
    use crate::eval::interpret::rule_outcome;
    use crate::eval::outcome::RuleOutcome;

    /// The program's definitions and rules, each as debug text.
    fn parts(program: &Program) -> Vec<String> {
        let defs = program.defs.iter().map(|d| format!("{d:?}"));
        defs.chain(program.rules.iter().map(|r| format!("{r:?}")))
            .collect()
    }

    /// Every mutant changes exactly one definition or rule; a node change
    /// changes exactly one node (putting the original node back gives the
    /// original program); an unchanged copy is the original.
    fn one_node_each(program: &Program, sources: &Sources) -> Result<usize, TestCaseError> {
        let original = parts(program);
        prop_assert_eq!(&parts(&program.clone()), &original);
        let all = mutants(program, sources);
        for mutant in &all {
            let changed = mutant.apply(program);
            let after = parts(&changed);
            let differing = original.iter().zip(&after).filter(|(a, b)| a != b).count();
            prop_assert_eq!(differing, 1, "{:?}", mutant);
            if let Change::Node { root, node, .. } = &mutant.change {
                let mut copy = program.clone();
                let mut nodes = Vec::new();
                preorder(root_mut(&mut copy, *root), &mut nodes);
                let back = Mutant {
                    change: Change::Node {
                        root: *root,
                        node: *node,
                        with: nodes[*node].clone(),
                    },
                    ..mutant.clone()
                };
                prop_assert_eq!(&parts(&back.apply(&changed)), &original, "{:?}", mutant);
            }
        }
        Ok(all.len())
    }

    /// The mutants the analysis calls equivalent decide generated cases as
    /// the original does.
    fn equivalents_agree(
        program: &Program,
        sources: &Sources,
        seed: u64,
    ) -> Result<(), TestCaseError> {
        let pools = Pools::of(program);
        for mutant in mutants(program, sources) {
            let changed = mutant.apply(program);
            let rules = mutant.rules(program);
            if !matches!(compare(program, &changed, &rules), Comparison::Equivalent) {
                continue;
            }
            let class = |o: RuleOutcome| match o {
                RuleOutcome::Flagged => 0,
                RuleOutcome::NeedsReview(_) => 1,
                _ => 2,
            };
            for &i in &rules {
                let strategy = cases(program, &pools, Some(&program.rules[i].condition));
                for case in crate::audit::run::sample(&strategy, seed, i as u64, 8) {
                    let Some(record) = crate::analysis::record_of(program, &case) else {
                        continue;
                    };
                    let before = rule_outcome(program, &record, &program.rules[i]);
                    let after = rule_outcome(&changed, &record, &changed.rules[i]);
                    prop_assert_eq!(class(before), class(after), "{:?}", mutant);
                }
            }
        }
        Ok(())
    }

    #[test]
    fn the_standard_pack_mutants_change_one_node_each() -> Result<(), TestCaseError> {
        let (sources, checked) = crate::check::check(standard());
        let program = checked.program.expect("the standard pack checks");
        let count = one_node_each(&program, &sources)?;
        prop_assert!(count > 100, "{count}");
        equivalents_agree(&program, &sources, 1)
    }

    proptest! {
        #![proptest_config(Config { cases: 24, ..Config::default() })]

        /// Random rule files beside the standard pack.
        #[test]
        fn random_rule_files_mutate_one_node_at_a_time(
            module in crate::check::arbitrary::valid_module(
                &crate::check::arbitrary::ValidPools::of(&standard())),
            seed in any::<u64>(),
        ) {
            let mut loaded = standard();
            let file = loaded.sources.add(std::path::Path::new("generated.nrs"), String::new());
            loaded.modules.push((file, module));
            let (sources, checked) = crate::check::check(loaded);
            if let Some(program) = checked.program {
                one_node_each(&program, &sources)?;
                equivalents_agree(&program, &sources, seed)?;
            }
        }
    }

    #[test]
    fn a_sample_is_spread_over_the_list_in_order() {
        assert_eq!(crate::mutants::spread((0..10).collect(), 4), [0, 2, 5, 7]);
        assert_eq!(crate::mutants::spread((0..3).collect(), 4), [0, 1, 2]);
    }
}
