//! The operator table: every prefix, infix and postfix operator of the
//! language, with its spelling, the grammar rule that reads it, the AST
//! operator it builds and its binding power.
//!
//! This is the only place precedence is written down. The parser's Pratt
//! loop (`parser.rs`), the printer's parenthesisation (`print.rs`) and the
//! nesting pre-scan (`depth.rs`) all read [`OPERATORS`].
//!
//! Binding powers follow the Pratt convention: an operator of power `p`
//! takes an operand to its left only from a call reading with a power below
//! `p`; it reads its right operand with [`Operator::right_power`].

use crate::syntax::ast::{BinaryOp, UnaryOp};
use crate::syntax::grammar::Rule;

/// How an infix operator groups a chain of itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Assoc {
    /// `a - b - c` is `(a - b) - c`.
    Left,
    /// `a ?? b ?? c` is `a ?? (b ?? c)`.
    Right,
}

/// Where an operator stands, and what it builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fixity {
    /// Before its operand: `not a`.
    Prefix(UnaryOp),
    /// After its operand: `a is empty`.
    Postfix(UnaryOp),
    /// Between its operands: `a and b`.
    Infix(BinaryOp, Assoc),
}

/// One operator of the language.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Operator {
    /// As written (words separated by one space).
    pub(crate) spelling: &'static str,
    /// The grammar rule whose pair stands for it.
    pub(crate) rule: Rule,
    /// Prefix, postfix or infix, with the AST operator.
    pub(crate) fixity: Fixity,
    /// Binding power; higher binds tighter.
    pub(crate) power: u8,
}

impl Operator {
    /// The power with which the operand to the right is read: the operator's
    /// own for left-associative infix operators (so that an operator of the
    /// same power ends it), one less for right-associative and prefix ones
    /// (so that it does not). Postfix operators have no right operand.
    pub(crate) fn right_power(&self) -> u8 {
        match self.fixity {
            Fixity::Infix(_, Assoc::Left) | Fixity::Postfix(_) => self.power,
            Fixity::Infix(_, Assoc::Right) | Fixity::Prefix(_) => self.power - 1,
        }
    }

    /// Whether the spelling is made of words (`not in`), not symbols (`==`).
    pub(crate) fn is_word(&self) -> bool {
        self.spelling.starts_with(|c: char| c.is_ascii_alphabetic())
    }
}

const fn op(spelling: &'static str, rule: Rule, fixity: Fixity, power: u8) -> Operator {
    Operator {
        spelling,
        rule,
        fixity,
        power,
    }
}

use Assoc::{Left, Right};
use Fixity::{Infix, Postfix, Prefix};

/// Every operator, loosest first.
#[rustfmt::skip]
pub(crate) const OPERATORS: &[Operator] = &[
    // spelling            grammar rule             builds                               power
    op("or",               Rule::op_or,             Infix(BinaryOp::Or, Left),           10),
    op("and",              Rule::op_and,            Infix(BinaryOp::And, Left),          20),
    op("not",              Rule::op_not,            Prefix(UnaryOp::Not),                30),
    op("??",               Rule::op_default,        Infix(BinaryOp::Default, Right),     40),
    op("==",               Rule::op_eq,             Infix(BinaryOp::Eq, Left),           50),
    op("!=",               Rule::op_ne,             Infix(BinaryOp::Ne, Left),           50),
    op("<",                Rule::op_lt,             Infix(BinaryOp::Lt, Left),           50),
    op("<=",               Rule::op_le,             Infix(BinaryOp::Le, Left),           50),
    op(">",                Rule::op_gt,             Infix(BinaryOp::Gt, Left),           50),
    op(">=",               Rule::op_ge,             Infix(BinaryOp::Ge, Left),           50),
    op("in",               Rule::op_in,             Infix(BinaryOp::In, Left),           50),
    op("not in",           Rule::op_not_in,         Infix(BinaryOp::NotIn, Left),        50),
    op("contains",         Rule::op_contains,       Infix(BinaryOp::Contains, Left),     50),
    op("contains any of",  Rule::op_contains_any,   Infix(BinaryOp::ContainsAny, Left),  50),
    op("contains all of",  Rule::op_contains_all,   Infix(BinaryOp::ContainsAll, Left),  50),
    op("contains none of", Rule::op_contains_none,  Infix(BinaryOp::ContainsNone, Left), 50),
    op("+",                Rule::op_add,            Infix(BinaryOp::Add, Left),          60),
    op("-",                Rule::op_sub,            Infix(BinaryOp::Sub, Left),          60),
    op("-",                Rule::op_neg,            Prefix(UnaryOp::Neg),                70),
    op("known",            Rule::op_known,          Prefix(UnaryOp::Known),              80),
    op("unknown",          Rule::op_unknown,        Prefix(UnaryOp::Unknown),            80),
    op("is empty",         Rule::op_is_empty,       Postfix(UnaryOp::IsEmpty),           90),
    op("is not empty",     Rule::op_is_not_empty,   Postfix(UnaryOp::IsNotEmpty),        90),
];

/// The operator a grammar rule stands for, if it is one.
pub(crate) fn by_rule(rule: Rule) -> Option<&'static Operator> {
    OPERATORS.iter().find(|op| op.rule == rule)
}

/// The entry of an infix operator.
pub(crate) fn infix(binary: BinaryOp) -> &'static Operator {
    OPERATORS
        .iter()
        .find(|op| matches!(op.fixity, Infix(b, _) if b == binary))
        .unwrap_or(&MISSING)
}

/// The entry of a prefix or postfix operator (for the printer).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn unary(unary: UnaryOp) -> &'static Operator {
    OPERATORS
        .iter()
        .find(|op| matches!(op.fixity, Prefix(u) | Postfix(u) if u == unary))
        .unwrap_or(&MISSING)
}

/// Stands in for an operator missing from the table (a test checks that
/// none is): it binds loosest, so the printer parenthesises it.
const MISSING: Operator = op("?", Rule::EOI, Infix(BinaryOp::Or, Left), 1);

impl BinaryOp {
    /// The operator as written.
    pub(crate) fn symbol(self) -> &'static str {
        infix(self).spelling
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operator_is_in_the_table_once() {
        use BinaryOp as B;
        use UnaryOp as U;
        let binary = [
            B::Or,
            B::And,
            B::Default,
            B::Eq,
            B::Ne,
            B::Lt,
            B::Le,
            B::Gt,
            B::Ge,
            B::In,
            B::NotIn,
            B::Contains,
            B::ContainsAny,
            B::ContainsAll,
            B::ContainsNone,
            B::Add,
            B::Sub,
        ];
        let unary = [
            U::Not,
            U::Known,
            U::Unknown,
            U::Neg,
            U::IsEmpty,
            U::IsNotEmpty,
        ];
        for b in binary {
            let entries = OPERATORS
                .iter()
                .filter(|op| matches!(op.fixity, Infix(x, _) if x == b))
                .count();
            assert_eq!(entries, 1, "{b:?}");
        }
        for u in unary {
            let entries = OPERATORS
                .iter()
                .filter(|op| matches!(op.fixity, Prefix(x) | Postfix(x) if x == u))
                .count();
            assert_eq!(entries, 1, "{u:?}");
        }
        assert_eq!(OPERATORS.len(), binary.len() + unary.len());
        for (i, a) in OPERATORS.iter().enumerate() {
            assert!(a.power > MISSING.power, "{}", a.spelling);
            assert!(
                OPERATORS[i + 1..].iter().all(|b| b.rule != a.rule),
                "{}",
                a.spelling
            );
        }
    }

    #[test]
    fn the_table_is_loosest_first() {
        assert!(OPERATORS.windows(2).all(|w| w[0].power <= w[1].power));
    }
}
