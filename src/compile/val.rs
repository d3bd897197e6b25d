//! The value of the compiled form: small, `Copy`, never owning memory.
//!
//! Text that equals a string the rule set mentions (a literal, a table key
//! or value) is always held as a [`Val::Sym`], so that comparing it with a
//! constant is an integer comparison. Other text lives in the record's text
//! buffer ([`Val::Text`]); lists live in the record's item arena
//! ([`Val::List`]) or in the program's constant arena ([`Val::ConstList`]).

use super::symbols::SymbolId;

/// A value in the compiled evaluator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Val {
    /// Not recorded.
    Unknown,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A date, as days since 1970-01-01.
    Date(i32),
    /// A number of days.
    Duration(i64),
    /// An enum value code.
    Enum(u32),
    /// Interned text: an index into the program's symbol table.
    Sym(SymbolId),
    /// Text in the record's buffer: start and length in bytes.
    Text(u32, u32),
    /// A list in the record's item arena: start and length.
    List(u32, u32),
    /// A list in the program's constant arena: start and length.
    ConstList(u32, u32),
    /// A `record` field (such as `nri`) that is present.
    Present,
}

impl Val {
    /// Whether the value is known.
    pub(crate) fn is_known(self) -> bool {
        self != Val::Unknown
    }

    /// The truth of a condition value (`None` if unknown).
    pub(crate) fn truth(self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(b),
            _ => None,
        }
    }
}
