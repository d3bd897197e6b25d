//! The types of the rule language, shared by the schema, tables and checker.

use std::fmt;

/// Index of an enum (the value set of one enum field) in the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct EnumId(pub u32);

/// The type of a value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Type {
    /// `true` / `false`
    Bool,
    /// whole numbers
    Int,
    /// text
    Str,
    /// calendar dates
    Date,
    /// a number of days
    Duration,
    /// one of a field's enumerated values
    Enum(EnumId),
    /// a group of fields such as `nri`: only `known`/`unknown` apply
    Record,
    /// a list of values of one type
    List(Box<Type>),
    /// the element type of `[]`, which fits any list
    Nothing,
}

impl Type {
    /// `list of T`.
    pub(crate) fn list_of(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    /// The element type, if this is a list.
    pub(crate) fn element(&self) -> Option<&Type> {
        match self {
            Type::List(element) => Some(element),
            _ => None,
        }
    }

    /// Whether a value of type `other` may be compared with this one
    /// (`[]` fits every list; enums were already resolved by the checker).
    pub(crate) fn fits(&self, other: &Type) -> bool {
        match (self, other) {
            (Type::Nothing, _) | (_, Type::Nothing) => true,
            (Type::List(a), Type::List(b)) => a.fits(b),
            (a, b) => a == b,
        }
    }

    /// Whether values of this type are ordered (`<`, `<=`, …).
    pub(crate) fn is_ordered(&self) -> bool {
        matches!(self, Type::Int | Type::Date | Type::Duration)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => write!(f, "true/false"),
            Type::Int => write!(f, "number"),
            Type::Str => write!(f, "text"),
            Type::Date => write!(f, "date"),
            Type::Duration => write!(f, "duration"),
            Type::Enum(_) => write!(f, "enumerated value"),
            Type::Record => write!(f, "group of fields"),
            Type::List(element) => write!(f, "list of {element}"),
            Type::Nothing => write!(f, "anything"),
        }
    }
}
