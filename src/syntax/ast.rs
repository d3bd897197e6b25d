//! The typed syntax tree of a rule file, with a span on every node.
//!
//! The tree is exactly what was written: names are not resolved and types are
//! not checked (that is `check/`). Equality of nodes ignores nothing, so tests
//! compare trees from the same text.

use crate::date::Date;
use crate::source::Span;

/// A name as written, with its place.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Ident {
    /// The name.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// A string literal: its decoded value and, for templates, the raw text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct StrLit {
    /// The value after escapes are decoded.
    pub value: String,
    /// The text between the quotes, as written.
    pub raw: String,
    /// The literal including its quotes.
    pub span: Span,
}

/// One rule file.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Module {
    /// Declarations in source order.
    pub items: Vec<Item>,
}

/// A top-level declaration.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Item {
    /// `def NAME = EXPR`
    Def(DefItem),
    /// `rule NAME { … }`
    Rule(RuleItem),
    /// `exception NAME to RULE when EXPR`
    Exception(ExceptionItem),
    /// `audit "NAME" { for every case where EXPR expect … }`
    Audit(AuditItem),
}

/// `audit "NAME" { for every case [where EXPR] expect … }`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct AuditItem {
    /// `///` lines before it.
    pub doc: Vec<String>,
    /// The audit's name.
    pub name: StrLit,
    /// Which cases it is about (all, without it).
    pub precondition: Option<Expr>,
    /// What must hold, every one of them.
    pub expects: Vec<AuditExpect>,
    /// The whole declaration.
    pub span: Span,
}

/// One expectation of an audit.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct AuditExpect {
    /// What is expected.
    pub kind: AuditExpectKind,
    /// The gap (or rule) id it is about.
    pub target: Ident,
    /// Where it is written.
    pub span: Span,
}

/// The kinds of audit expectations.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum AuditExpectKind {
    /// `flagged GAP`
    Flagged,
    /// `needs-review GAP`
    NeedsReview,
    /// `not flagged GAP`
    NotFlagged,
    /// `clear GAP`: neither flagged nor needing review
    Clear,
    /// `GAP stays flagged when FIELD grows`
    StaysFlagged(Expr),
}

/// `def NAME = EXPR`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DefItem {
    /// `///` lines before it.
    pub doc: Vec<String>,
    /// The defined name.
    pub name: Ident,
    /// Its value.
    pub value: Expr,
    /// The whole declaration.
    pub span: Span,
}

/// `rule NAME { CLAUSES }`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RuleItem {
    /// `///` lines before it.
    pub doc: Vec<String>,
    /// The rule id.
    pub name: Ident,
    /// The body, in source order (the checker finds missing and repeated ones).
    pub clauses: Vec<Clause>,
    /// The whole declaration.
    pub span: Span,
}

/// `exception NAME to RULE when EXPR [because "…"]`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ExceptionItem {
    /// `///` lines before it.
    pub doc: Vec<String>,
    /// The exception's name.
    pub name: Ident,
    /// The rule it qualifies.
    pub rule: Ident,
    /// When it holds, the rule is cleared.
    pub condition: Expr,
    /// Optional explanation template.
    pub because: Option<StrLit>,
    /// The whole declaration.
    pub span: Span,
}

/// One line of a rule body.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Clause {
    /// What the clause says.
    pub kind: ClauseKind,
    /// The whole clause, keyword included.
    pub span: Span,
}

/// The kinds of rule clauses.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ClauseKind {
    /// `gap fear-not-screened`
    Gap(Ident),
    /// `severity critical`
    Severity(Ident),
    /// `title "…"`
    Title(StrLit),
    /// `cites "…", "…"`
    Cites(Vec<StrLit>),
    /// `effective DATE_FIELD from DATE until DATE`
    Effective(Window),
    /// `when EXPR`
    When(Expr),
    /// `unless [NAME:] EXPR`
    Unless(Option<Ident>, Expr),
    /// `because "…"`
    Because(StrLit),
}

/// An effective window: the rule applies when `date` lies in `from..=until`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Window {
    /// The record date the window is compared with (a field or definition).
    pub date: Expr,
    /// First day (inclusive), with its span.
    pub from: Option<(Date, Span)>,
    /// Last day (inclusive), with its span.
    pub until: Option<(Date, Span)>,
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// Duration units as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DurationUnit {
    /// `days`
    Days,
    /// `weeks`
    Weeks,
}

/// The kinds of expressions.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ExprKind {
    /// `true`, `false`
    Bool(bool),
    /// `unknown` as a value: the truth value that is neither true nor false
    UnknownValue,
    /// `18`
    Int(i64),
    /// `"MX"`
    Str(String),
    /// `2019-01-28`
    Date(Date),
    /// `30 days`, `2 weeks` (amount as written, and the unit)
    Duration(i64, DurationUnit),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `nri.outcome`: one or more names joined by `.`
    Path(Vec<Ident>),
    /// `( EXPR )`, kept so that printing can preserve it
    Paren(Box<Expr>),
    /// `not e`, `known e`, `unknown e`, `-e`, `e is empty`, `e is not empty`
    Unary(UnaryOp, Box<Expr>),
    /// `a OP b`
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `name(args)`
    Call(Ident, Vec<Expr>),
    /// `TABLE[KEY]` or `TABLE[KEY] on DATE`
    Lookup {
        /// The table's name.
        table: Ident,
        /// The key.
        key: Box<Expr>,
        /// The date, for effective-dated tables.
        on: Option<Box<Expr>>,
    },
    /// `any(x in LIST: BODY)` / `all(x in LIST: BODY)`
    Quantifier {
        /// `any` or `all`.
        kind: QuantifierKind,
        /// The element variable.
        var: Ident,
        /// The list.
        list: Box<Expr>,
        /// The condition on each element.
        body: Box<Expr>,
    },
}

/// `any` or `all`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum QuantifierKind {
    /// true if the body holds for some element
    Any,
    /// true if the body holds for every element
    All,
}

/// One-operand operators (their spelling and binding power are in
/// `syntax/operators.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnaryOp {
    /// `not e`
    Not,
    /// `known e`
    Known,
    /// `unknown e`
    Unknown,
    /// `-e`: the negative of a number or a duration
    Neg,
    /// `e is empty`
    IsEmpty,
    /// `e is not empty`
    IsNotEmpty,
}

/// Two-operand operators (their spelling, binding power and grouping are in
/// `syntax/operators.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinaryOp {
    /// `a or b`
    Or,
    /// `a and b`
    And,
    /// `a ?? b`: `a` if known, else `b`
    Default,
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
    /// `x in LIST`
    In,
    /// `x not in LIST`
    NotIn,
    /// `LIST contains x`
    Contains,
    /// `LIST contains any of LIST`
    ContainsAny,
    /// `LIST contains all of LIST`
    ContainsAll,
    /// `LIST contains none of LIST`
    ContainsNone,
    /// `a + b`
    Add,
    /// `a - b`
    Sub,
}
