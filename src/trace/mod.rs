//! `nrscreen explain`: one case's evaluation as a tree ([`CaseTrace`]),
//! built on the reference interpreter (`eval/interpret.rs`), and what would
//! change each outcome (`resolve.rs`). Written as text (`text.rs`) or as
//! JSON (the structs here, by serde: the documented shape).
//!
//! Every rule is evaluated once more by the interpreter with its lookup
//! trace on; each operand of its condition and exceptions (the operands of
//! the top-level `and`/`or`/`not` structure) is evaluated on its own, with
//! the facts it reads (the fields it names, through definitions). Values
//! are shown by the schema's names; a field the record does not hold is
//! `null` in JSON and "not recorded" in text, never a value.

pub(crate) mod resolve;
pub(crate) mod text;
mod values;

use serde::Serialize;

use crate::check::program::{DefId, Program, Rule, TExpr, TKind};
use crate::eval::interpret::{rule_outcome_in, Interpreter, LookupTrace};
use crate::eval::outcome::RuleOutcome;
use crate::eval::record::Record;
use crate::ruleset::schema::FieldId;
use crate::source::{Sources, Span};
use crate::value::Value;

pub(crate) use values::{json_value, show_value};

/// One case's evaluation: every rule (or one), as a tree.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct CaseTrace {
    /// The case id.
    pub case_id: String,
    /// The input file, as named on the command line.
    pub input: String,
    /// The line of the input the record starts on.
    pub line: usize,
    /// The rule set's name (manifest).
    pub ruleset: String,
    /// The case's outcome over the rules shown: `flagged`, `needs-review`
    /// or `clear`.
    pub outcome: &'static str,
    /// The rules, in rule order.
    pub rules: Vec<RuleTrace>,
}

/// One rule's evaluation for the case.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct RuleTrace {
    /// The rule id.
    pub rule: String,
    /// The gap id.
    pub gap: String,
    /// The severity.
    pub severity: &'static str,
    /// `flagged`, `needs-review`, `cleared` or `not-applicable`.
    pub outcome: &'static str,
    /// The outcome in the one wording of outcomes ("needs review (unknown:
    /// …)", "cleared by `…`").
    pub outcome_text: String,
    /// The effective window, if the rule has one.
    pub window: Option<WindowTrace>,
    /// The condition.
    pub condition: Node,
    /// The exceptions, in order (each evaluated, even after one holds).
    pub exceptions: Vec<ExceptionTrace>,
    /// The definitions the rule reads (through others too), with values.
    pub definitions: Vec<DefValue>,
    /// The table lookups made, in order, each once.
    pub lookups: Vec<LookupUsed>,
    /// What would change the outcome (needs review: the assignments of the
    /// unknown fields that decide it; not applicable: the false operands).
    pub would_change: Option<resolve::WouldChange>,
}

/// A rule's effective window for the case.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct WindowTrace {
    /// The date expression, as written.
    pub date_expr: String,
    /// Its value for the case (`null`: unknown).
    pub date: Option<String>,
    /// First day in force.
    pub from: Option<String>,
    /// Last day in force.
    pub until: Option<String>,
    /// Whether the case's date is in force: `true`, `false`, `unknown`.
    pub in_force: &'static str,
}

/// An exception and its condition's evaluation.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ExceptionTrace {
    /// Its name.
    pub name: String,
    /// Its condition.
    pub condition: Node,
}

/// One operand of a condition: its text, truth and the facts it read;
/// `and`, `or` and `not` have their operands below them.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Node {
    /// The expression, as written (whitespace collapsed).
    pub expr: String,
    /// `and`, `or`, `not`, or `null` for an operand evaluated whole.
    pub op: Option<&'static str>,
    /// `true`, `false` or `unknown`.
    pub value: &'static str,
    /// The fields it reads, directly or through definitions (operands
    /// evaluated whole only), with their values (`null`: not recorded).
    pub facts: Vec<Fact>,
    /// The operands of `and`, `or`, `not`.
    pub operands: Vec<Node>,
}

/// A field read, with its value.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Fact {
    /// The dotted field name.
    pub field: String,
    /// The value as JSON (`null`: not recorded).
    pub value: serde_json::Value,
}

/// A definition and its value for the case.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct DefValue {
    /// The definition's name.
    pub name: String,
    /// Its value as JSON (`null`: unknown).
    pub value: serde_json::Value,
}

/// A table lookup the rule made.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct LookupUsed {
    /// The table's name.
    pub table: String,
    /// The key looked up.
    pub key: String,
    /// The date looked up on (dated tables).
    pub on: Option<String>,
    /// The row that answered (`null`: no row covers the key, so the value
    /// is unknown).
    pub row: Option<RowUsed>,
}

/// The row that answered a lookup.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct RowUsed {
    /// The table file and the row's line (`rules/tables/x.toml:12`).
    pub place: String,
    /// The row's value.
    pub value: String,
    /// First day it applies (dated tables).
    pub from: Option<String>,
    /// Last day it applies (dated tables).
    pub to: Option<String>,
}

/// The words of a three-valued truth.
pub(crate) fn truth_word(truth: Option<bool>) -> &'static str {
    match truth {
        Some(true) => "true",
        Some(false) => "false",
        None => "unknown",
    }
}

/// The kebab-case word of a rule outcome.
pub(crate) fn outcome_word(outcome: &RuleOutcome) -> &'static str {
    match outcome {
        RuleOutcome::Flagged => "flagged",
        RuleOutcome::NeedsReview(_) => "needs-review",
        RuleOutcome::Cleared(_) => "cleared",
        RuleOutcome::NotApplicable => "not-applicable",
    }
}

/// What builds a trace: the program, its sources and the record.
pub(crate) struct Tracer<'a> {
    program: &'a Program,
    sources: &'a Sources,
    record: &'a Record,
}

impl<'a> Tracer<'a> {
    /// A tracer of `record` under `program`.
    pub(crate) fn new(program: &'a Program, sources: &'a Sources, record: &'a Record) -> Self {
        Tracer {
            program,
            sources,
            record,
        }
    }

    /// The trace of the rules `only` names (all, when `None`).
    pub(crate) fn case(&self, input: &str, line: usize, only: Option<usize>) -> CaseTrace {
        let rules: Vec<RuleTrace> = self
            .program
            .rules
            .iter()
            .enumerate()
            .filter(|(i, _)| only.is_none_or(|o| o == *i))
            .map(|(i, rule)| self.rule(i, rule))
            .collect();
        let has = |word: &str| rules.iter().any(|r| r.outcome == word);
        let outcome = if has("flagged") {
            "flagged"
        } else if has("needs-review") {
            "needs-review"
        } else {
            "clear"
        };
        CaseTrace {
            case_id: self.record.case_id.clone(),
            input: input.to_string(),
            line,
            ruleset: self.program.name.clone(),
            outcome,
            rules,
        }
    }

    /// One rule's trace.
    fn rule(&self, index: usize, rule: &Rule) -> RuleTrace {
        let program = self.program;
        let mut interpreter = Interpreter::new(program, self.record);
        interpreter.lookups = Some(Vec::new());
        let outcome = rule_outcome_in(&mut interpreter, rule);
        let window = rule.window.as_ref().map(|w| {
            let date = match interpreter.value(&w.date) {
                Some(Value::Date(d)) => Some(d),
                _ => None,
            };
            let in_force =
                date.map(|d| !(w.from.is_some_and(|f| d < f) || w.until.is_some_and(|u| d > u)));
            WindowTrace {
                date_expr: self.text(w.date.span),
                date: date.map(|d| d.to_string()),
                from: w.from.map(|d| d.to_string()),
                until: w.until.map(|d| d.to_string()),
                in_force: truth_word(in_force),
            }
        });
        let condition = self.node(&mut interpreter, &rule.condition);
        let exceptions = rule
            .exceptions
            .iter()
            .map(|e| ExceptionTrace {
                name: e.name.clone(),
                condition: self.node(&mut interpreter, &e.condition),
            })
            .collect();
        let mut roots: Vec<&TExpr> = vec![&rule.condition];
        roots.extend(rule.window.as_ref().map(|w| &w.date));
        roots.extend(rule.exceptions.iter().map(|e| &e.condition));
        let (defs, _) = reach(program, &roots);
        let definitions = defs
            .iter()
            .map(|&id| {
                let def = program.def(id);
                let expr = TExpr {
                    kind: TKind::Def(id),
                    ty: def.expr.ty.clone(),
                    span: def.expr.span,
                };
                let value = interpreter.value(&expr);
                DefValue {
                    name: def.name.clone(),
                    value: value.map_or(serde_json::Value::Null, |v| {
                        json_value(program, &v, &def.expr.ty)
                    }),
                }
            })
            .collect();
        let mut traces: Vec<LookupTrace> = Vec::new();
        for trace in interpreter.lookups.take().unwrap_or_default() {
            if !traces.contains(&trace) {
                traces.push(trace);
            }
        }
        let lookups = traces.into_iter().map(|t| self.lookup(t)).collect();
        let mut trace = RuleTrace {
            rule: rule.id.clone(),
            gap: program.taxonomy.get(rule.gap).id.clone(),
            severity: rule.severity.as_str(),
            outcome: outcome_word(&outcome),
            outcome_text: outcome.describe(program, index),
            window,
            condition,
            exceptions,
            definitions,
            lookups,
            would_change: None,
        };
        trace.would_change = resolve::would_change(program, self.record, rule, &outcome, &trace);
        trace
    }

    /// A lookup made, with the row that answered.
    fn lookup(&self, trace: LookupTrace) -> LookupUsed {
        let table = self.program.table(trace.table);
        let row = trace.row.and_then(|i| table.rows.get(i)).map(|row| {
            let (line, _) = self
                .sources
                .line_col(row.span.file, row.span.start as usize);
            RowUsed {
                place: format!("{}:{line}", self.sources.get(row.span.file).name),
                value: row.value.to_string(),
                from: row.from.map(|d| d.to_string()),
                to: row.to.map(|d| d.to_string()),
            }
        });
        LookupUsed {
            table: table.name.clone(),
            key: trace.key,
            on: trace.date.map(|d| d.to_string()),
            row,
        }
    }

    /// The tree of a true/false expression: `and`/`or` chains flattened,
    /// `not` kept, anything else evaluated whole with its facts.
    fn node(&self, interpreter: &mut Interpreter<'_>, e: &TExpr) -> Node {
        let value = truth_word(match interpreter.value(e) {
            Some(Value::Bool(b)) => Some(b),
            _ => None,
        });
        let op = match &e.kind {
            TKind::And(..) => Some("and"),
            TKind::Or(..) => Some("or"),
            TKind::Not(_) => Some("not"),
            _ => None,
        };
        let mut operands = Vec::new();
        let mut facts = Vec::new();
        match &e.kind {
            TKind::And(..) | TKind::Or(..) => {
                let mut parts = Vec::new();
                flatten(e, &mut parts);
                for part in parts {
                    operands.push(self.node(interpreter, part));
                }
            }
            TKind::Not(inner) => operands.push(self.node(interpreter, inner)),
            _ => {
                let (_, fields) = reach(self.program, &[e]);
                facts = fields.iter().map(|&f| self.fact(f)).collect();
            }
        }
        Node {
            expr: self.text(e.span),
            op,
            value,
            facts,
            operands,
        }
    }

    /// Field `id` and its value in the record.
    fn fact(&self, id: FieldId) -> Fact {
        let field = self.program.schema.field(id);
        Fact {
            field: field.name.clone(),
            value: self.record.get(id).map_or(serde_json::Value::Null, |v| {
                json_value(self.program, v, &field.ty)
            }),
        }
    }

    /// The rule text at `span`, whitespace runs collapsed to one space.
    fn text(&self, span: Span) -> String {
        let file = self.sources.get(span.file);
        let raw = file.text.get(span.range()).unwrap_or("");
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// The operands of a chain of the same `and` or `or`, in order.
fn flatten<'e>(e: &'e TExpr, out: &mut Vec<&'e TExpr>) {
    match &e.kind {
        TKind::And(a, b) | TKind::Or(a, b) => {
            let same =
                |x: &TExpr| std::mem::discriminant(&x.kind) == std::mem::discriminant(&e.kind);
            for side in [a, b] {
                if same(side) {
                    flatten(side, out);
                } else {
                    out.push(side);
                }
            }
        }
        _ => out.push(e),
    }
}

/// The definitions (in first-reached order) and fields (sorted) that
/// expressions `roots` read, through definitions.
pub(crate) fn reach(program: &Program, roots: &[&TExpr]) -> (Vec<DefId>, Vec<FieldId>) {
    let mut defs: Vec<DefId> = Vec::new();
    let mut fields: Vec<FieldId> = Vec::new();
    let mut stack: Vec<&TExpr> = roots.iter().rev().copied().collect();
    while let Some(e) = stack.pop() {
        match &e.kind {
            TKind::Field(f) => {
                if !fields.contains(f) {
                    fields.push(*f);
                }
            }
            TKind::Def(id) => {
                if !defs.contains(id) {
                    defs.push(*id);
                    stack.push(&program.def(*id).expr);
                }
            }
            _ => stack.extend(children(e).into_iter().rev()),
        }
    }
    // A group such as `nri` speaks through its fields.
    fields.retain(|&f| program.schema.field(f).ty != crate::types::Type::Record);
    fields.sort();
    (defs, fields)
}

/// The direct sub-expressions of `e`, in order.
pub(crate) fn children(e: &TExpr) -> Vec<&TExpr> {
    let mut out = Vec::new();
    e.for_each_child(|c| out.push(c));
    out
}

#[cfg(test)]
mod tests;
