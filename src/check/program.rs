//! The checked program: every name resolved to an index, every expression
//! typed. This is what evaluation (and the compiler) consumes; nothing here
//! refers to a field, definition, table or rule by its name.

use crate::date::Date;
use crate::ruleset::gaps::{GapId, Taxonomy};
use crate::ruleset::schema::{FieldId, Schema};
use crate::ruleset::tables::{Table, TableId};
use crate::severity::Severity;
use crate::source::Span;
use crate::syntax::ast::QuantifierKind;
use crate::types::Type;
use crate::value::Value;

/// Index of a definition in [`Program::defs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct DefId(pub u32);

/// Index of a quantifier variable: 0 is the innermost enclosing `any`/`all`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct VarIndex(pub u32);

/// A checked rule set.
#[derive(Clone, Debug)]
pub(crate) struct Program {
    /// The manifest's name.
    pub name: String,
    /// The manifest's one line about the rule set.
    pub description: String,
    /// The case-record schema.
    pub schema: Schema,
    /// The gap taxonomy.
    pub taxonomy: Taxonomy,
    /// Reference tables, indexed by [`TableId`].
    pub tables: Vec<Table>,
    /// Definitions, indexed by [`DefId`] (declaration order).
    pub defs: Vec<Def>,
    /// Rules in declaration order (files sorted by path).
    pub rules: Vec<Rule>,
    /// Audits: properties of the rule set over all case records.
    pub audits: Vec<Audit>,
}

/// `audit "NAME" { … }`, checked.
#[derive(Clone, Debug)]
pub(crate) struct Audit {
    /// Its name.
    pub name: String,
    /// Which cases it is about (all, if none).
    pub precondition: Option<TExpr>,
    /// What must hold of each.
    pub expects: Vec<AuditExpectation>,
    /// Where it is written.
    pub span: Span,
}

/// One checked audit expectation.
#[derive(Clone, Debug)]
pub(crate) struct AuditExpectation {
    /// What is expected.
    pub kind: AuditExpectationKind,
    /// The rules it is about: those of a gap, or one rule.
    pub rules: Vec<usize>,
    /// The gap or rule id as written.
    pub target: String,
    /// Where it is written.
    // Kept in the checked model for tools that point into the rule files;
    // nothing reads it yet.
    #[allow(dead_code)]
    pub span: Span,
}

/// The kinds of checked audit expectations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AuditExpectationKind {
    /// Some rule of the target flags the case.
    Flagged,
    /// No rule of the target flags it, and one needs review.
    NeedsReview,
    /// No rule of the target flags it.
    NotFlagged,
    /// No rule of the target flags it or needs review.
    Clear,
    /// If flagged, still flagged after the field grows.
    StaysFlagged(FieldId),
}

impl Program {
    /// The table with this id.
    pub(crate) fn table(&self, id: TableId) -> &Table {
        &self.tables[id.0 as usize]
    }

    /// The definition with this id.
    pub(crate) fn def(&self, id: DefId) -> &Def {
        &self.defs[id.0 as usize]
    }
}

/// `def NAME = EXPR`, checked.
#[derive(Clone, Debug)]
pub(crate) struct Def {
    /// The name.
    pub name: String,
    /// Doc comment lines.
    // Kept in the checked model for tools that point into the rule files;
    // nothing reads it yet.
    #[allow(dead_code)]
    pub doc: Vec<String>,
    /// The value.
    pub expr: TExpr,
    /// The declaration.
    // Kept in the checked model for tools that point into the rule files;
    // nothing reads it yet.
    #[allow(dead_code)]
    pub span: Span,
}

/// A checked rule.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    /// The rule id.
    pub id: String,
    /// Doc comment lines.
    pub doc: Vec<String>,
    /// The gap it reports.
    pub gap: GapId,
    /// Its severity (the gap's unless the rule says otherwise).
    pub severity: Severity,
    /// One line.
    pub title: String,
    /// Legal sources.
    pub cites: Vec<String>,
    /// When the rule is in force, if limited.
    pub window: Option<Window>,
    /// The condition.
    pub condition: TExpr,
    /// Exceptions, `unless` clauses first, then `exception … to` declarations.
    pub exceptions: Vec<Exception>,
    /// The explanation.
    pub because: Template,
    /// The declaration.
    // Kept in the checked model for tools that point into the rule files;
    // nothing reads it yet.
    #[allow(dead_code)]
    pub span: Span,
}

/// An effective window, inclusive at both ends.
#[derive(Clone, Debug)]
pub(crate) struct Window {
    /// The record's date the window is compared with.
    pub date: TExpr,
    /// First day in force.
    pub from: Option<Date>,
    /// Last day in force.
    pub until: Option<Date>,
    /// Where `from` and `until` are written (for tools that point at them).
    pub spans: (Option<Span>, Option<Span>),
}

/// An exception: when its condition holds, the rule is cleared.
#[derive(Clone, Debug)]
pub(crate) struct Exception {
    /// Its name (for `unless` without a name: `unless` and its line).
    pub name: String,
    /// The condition that clears the rule.
    pub condition: TExpr,
    /// Optional explanation of the clearing.
    pub because: Option<Template>,
    /// Where it is written.
    pub span: Span,
}

/// An explanation with `{…}` placeholders and `[…]` claims.
#[derive(Clone, Debug, Default)]
pub(crate) struct Template {
    /// Text, values and claims, in order.
    pub parts: Vec<TemplatePart>,
}

impl Template {
    /// Every value the template reads (shown or mentioned), claims included.
    pub(crate) fn values(&self) -> Vec<&TExpr> {
        fn walk<'t>(parts: &'t [TemplatePart], out: &mut Vec<&'t TExpr>) {
            for part in parts {
                match part {
                    TemplatePart::Text(_) => {}
                    TemplatePart::Value(e) | TemplatePart::Mention(e, _) => out.push(e),
                    TemplatePart::Claim(inner) => walk(inner, out),
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.parts, &mut out);
        out
    }
}

/// A piece of a template.
#[derive(Clone, Debug)]
pub(crate) enum TemplatePart {
    /// Literal text.
    Text(String),
    /// `{name}`: a value to show (a field or definition).
    Value(TExpr),
    /// `{?name}` (`true`) or `{?!name}` (`false`): a value a claim rests on,
    /// not shown. It holds when the value is that truth value (for a value
    /// that is not true/false: when it is recorded).
    Mention(TExpr, bool),
    /// `[…]`: a claim, shown only when what it rests on holds: its
    /// mentions, or, without any, every value it shows being recorded
    /// (never nested).
    Claim(Vec<TemplatePart>),
}

/// A typed expression.
#[derive(Clone, Debug)]
pub(crate) struct TExpr {
    /// What it computes.
    pub kind: TKind,
    /// Its type.
    pub ty: Type,
    /// Where it was written.
    pub span: Span,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// Whether two values so ordered satisfy the comparison.
    pub(crate) fn holds(self, ordering: std::cmp::Ordering) -> bool {
        match self {
            CmpOp::Eq => ordering.is_eq(),
            CmpOp::Ne => ordering.is_ne(),
            CmpOp::Lt => ordering.is_lt(),
            CmpOp::Le => ordering.is_le(),
            CmpOp::Gt => ordering.is_gt(),
            CmpOp::Ge => ordering.is_ge(),
        }
    }
}

/// List-against-list predicates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SetOp {
    /// `contains any of`
    Any,
    /// `contains all of`
    All,
    /// `contains none of`
    None,
}

/// Arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArithOp {
    /// `+` (numbers, date + duration, durations, list concatenation)
    Add,
    /// `-` (numbers, date - duration, durations)
    Sub,
}

impl ArithOp {
    /// `x + y` or `x - y`; `None` on overflow (the result is then unknown,
    /// never a wrapped number).
    pub(crate) fn apply(self, x: i64, y: i64) -> Option<i64> {
        match self {
            ArithOp::Add => x.checked_add(y),
            ArithOp::Sub => x.checked_sub(y),
        }
    }
}

/// `-x` of a number or a duration; `None` for other values and on overflow
/// (the negative of the least number: the result is then unknown, never a
/// wrapped number).
pub(crate) fn negate(value: Value) -> Option<Value> {
    match value {
        Value::Int(x) => x.checked_neg().map(Value::Int),
        Value::Duration(x) => x.checked_neg().map(Value::Duration),
        _ => None,
    }
}

/// Built-in functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Builtin {
    /// `normalize(text)`: GAPS.md §1 normalisation
    Normalize,
    /// `count(list)`: number of elements
    Count,
    /// `days_between(a, b)`: days from date `a` to date `b`
    DaysBetween,
}

/// The kinds of typed expressions.
#[derive(Clone, Debug)]
pub(crate) enum TKind {
    /// A constant.
    Const(Value),
    /// The truth value `unknown`.
    UnknownValue,
    /// A list literal (elements may be non-constant).
    List(Vec<TExpr>),
    /// A record field.
    Field(FieldId),
    /// A definition.
    Def(DefId),
    /// A quantifier variable.
    Var(VarIndex),
    /// The keys of a table, as a list of text.
    TableKeys(TableId),
    /// `not e`
    Not(Box<TExpr>),
    /// `a and b`
    And(Box<TExpr>, Box<TExpr>),
    /// `a or b`
    Or(Box<TExpr>, Box<TExpr>),
    /// `known e` (definite)
    Known(Box<TExpr>),
    /// `a ?? b`
    Default(Box<TExpr>, Box<TExpr>),
    /// `a OP b`
    Compare(CmpOp, Box<TExpr>, Box<TExpr>),
    /// `x in list`
    In(Box<TExpr>, Box<TExpr>),
    /// `list contains x`, or `text contains text` (substring)
    Contains(Box<TExpr>, Box<TExpr>),
    /// `list contains any/all/none of list`
    SetTest(SetOp, Box<TExpr>, Box<TExpr>),
    /// `list is empty`
    IsEmpty(Box<TExpr>),
    /// `a + b`, `a - b`
    Arith(ArithOp, Box<TExpr>, Box<TExpr>),
    /// `-a` (a number or a duration)
    Neg(Box<TExpr>),
    /// `f(args)`
    Call(Builtin, Vec<TExpr>),
    /// `table[key]` or `table[key] on date`
    Lookup {
        /// The table.
        table: TableId,
        /// The key.
        key: Box<TExpr>,
        /// The date, for dated tables.
        on: Option<Box<TExpr>>,
    },
    /// `any(x in list: body)`, `all(x in list: body)`
    Quantifier {
        /// `any` or `all`.
        kind: QuantifierKind,
        /// The list.
        list: Box<TExpr>,
        /// The condition on each element (`Var(0)` is the element).
        body: Box<TExpr>,
    },
}

/// The direct sub-expressions of `$kind` (a `&TKind` or `&mut TKind`),
/// each passed to `$f`, in one order for both borrows.
macro_rules! each_child {
    ($kind:expr, $f:ident, $iter:ident) => {
        match $kind {
            TKind::Const(_)
            | TKind::UnknownValue
            | TKind::Field(_)
            | TKind::Def(_)
            | TKind::Var(_)
            | TKind::TableKeys(_) => {}
            TKind::List(items) | TKind::Call(_, items) => items.$iter().for_each($f),
            TKind::Not(e) | TKind::Known(e) | TKind::IsEmpty(e) | TKind::Neg(e) => $f(e),
            TKind::And(a, b)
            | TKind::Or(a, b)
            | TKind::Default(a, b)
            | TKind::Compare(_, a, b)
            | TKind::In(a, b)
            | TKind::Contains(a, b)
            | TKind::SetTest(_, a, b)
            | TKind::Arith(_, a, b) => {
                $f(a);
                $f(b);
            }
            TKind::Lookup { key, on, .. } => {
                $f(key);
                if let Some(on) = on {
                    $f(on);
                }
            }
            TKind::Quantifier { list, body, .. } => {
                $f(list);
                $f(body);
            }
        }
    };
}

impl TExpr {
    /// Calls `f` on each direct sub-expression (borrowed as long as
    /// `self`, so they can be collected).
    pub(crate) fn for_each_child<'e>(&'e self, mut f: impl FnMut(&'e TExpr)) {
        each_child!(&self.kind, f, iter)
    }

    /// Calls `f` on each direct sub-expression, mutably, in the order of
    /// [`TExpr::for_each_child`].
    pub(crate) fn for_each_child_mut(&mut self, mut f: impl FnMut(&mut TExpr)) {
        each_child!(&mut self.kind, f, iter_mut)
    }
}
