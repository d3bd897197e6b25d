//! Known values. An unknown value is `None` wherever a `Value` may be absent.

use std::fmt;
use std::sync::Arc;

use crate::date::Date;

/// A definite value of the rule language.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Value {
    /// `true` / `false`
    Bool(bool),
    /// a whole number
    Int(i64),
    /// text
    Str(Arc<str>),
    /// a date
    Date(Date),
    /// a number of days
    Duration(i64),
    /// an enumerated value, by its index in the field's value list
    Enum(u32),
    /// a list
    List(Arc<[Value]>),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Str(s) => write!(f, "{s}"),
            Value::Date(d) => write!(f, "{d}"),
            Value::Duration(d) => write!(f, "{d} days"),
            Value::Enum(i) => write!(f, "#{i}"),
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{item}")?;
                }
                Ok(())
            }
        }
    }
}
