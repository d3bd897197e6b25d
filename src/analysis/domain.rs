//! The finite abstraction of the case record: for each field, the few
//! classes of values that the rule set can tell apart. A true/false or
//! enumerated field has its values; a text field the constants it is
//! compared with, and "other"; a number or date field the regions between
//! the constants it is compared with (and the window bounds); a list of
//! enumerated values or of text, one "contains" per value or constant, and
//! "some other element". Every field may also be unknown.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::check::program::{DefId, Program, SetOp, TExpr, TKind};
use crate::date::Date;
use crate::ruleset::schema::FieldId;
use crate::types::Type;
use crate::value::Value;

/// One class of an ordered field's values: the whole numbers (days, for a
/// date) from `lo` to `hi`, inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Region {
    /// Least value.
    pub lo: i64,
    /// Greatest value.
    pub hi: i64,
}

impl Region {
    /// How the region's values compare with `c`, when they all compare
    /// alike (always so when `c` is one of the bounds the regions come from).
    pub(super) fn cmp(&self, c: i64) -> Option<std::cmp::Ordering> {
        use std::cmp::Ordering::*;
        if self.hi < c {
            Some(Less)
        } else if self.lo > c {
            Some(Greater)
        } else if self.lo == c && self.hi == c {
            Some(Equal)
        } else {
            None
        }
    }

    /// A value of the region, near its finite end.
    pub(super) fn representative(&self) -> i64 {
        if self.lo == i64::MIN && self.hi == i64::MAX {
            0
        } else if self.lo == i64::MIN {
            self.hi
        } else {
            self.lo
        }
    }
}

/// The classes of one field.
#[derive(Clone, Debug)]
pub(super) enum Domain {
    /// Not abstracted: comparisons with it are opaque.
    Opaque,
    /// A present or absent group of fields (`nri`).
    Group,
    /// One of these values, or (`other`) a value none of them is.
    Values {
        /// The values told apart.
        values: Vec<Value>,
        /// Whether a value outside them exists (text).
        other: bool,
    },
    /// A number, date or duration, in one of these regions.
    Regions(Vec<Region>),
    /// A list holding any of these values, and (`other`) maybe more.
    Members {
        /// The elements told apart.
        values: Vec<Value>,
        /// Whether other elements exist (text).
        other: bool,
    },
}

/// The number (days, for dates) behind an ordered value.
pub(super) fn ordinal(value: &Value) -> Option<i64> {
    match value {
        Value::Int(i) | Value::Duration(i) => Some(*i),
        Value::Date(d) => Some(i64::from(d.0)),
        _ => None,
    }
}

/// The value of type `ty` with this ordinal.
pub(super) fn from_ordinal(ty: &Type, n: i64) -> Option<Value> {
    match ty {
        Type::Int => Some(Value::Int(n)),
        Type::Duration => Some(Value::Duration(n)),
        Type::Date => i32::try_from(n).ok().map(|d| Value::Date(Date(d))),
        _ => None,
    }
}

/// The regions between sorted, distinct bounds.
fn regions(bounds: &BTreeSet<i64>) -> Vec<Region> {
    let mut out = Vec::new();
    let mut next = i64::MIN;
    for &c in bounds {
        if c > next {
            out.push(Region {
                lo: next,
                hi: c - 1,
            });
        }
        out.push(Region { lo: c, hi: c });
        match c.checked_add(1) {
            Some(n) => next = n,
            None => return out,
        }
    }
    out.push(Region {
        lo: next,
        hi: i64::MAX,
    });
    out
}

/// The domain of every field, from the constants the program compares
/// them with.
pub(super) fn domains(program: &Program) -> Vec<Domain> {
    let mut constants: BTreeMap<FieldId, BTreeSet<Value>> = BTreeMap::new();
    let mut seen = HashSet::new();
    let mut collect = |e: &TExpr, constants: &mut BTreeMap<FieldId, BTreeSet<Value>>| {
        collect(program, e, constants, &mut seen);
    };
    for rule in &program.rules {
        collect(&rule.condition, &mut constants);
        for exception in &rule.exceptions {
            collect(&exception.condition, &mut constants);
        }
        if let Some(window) = &rule.window {
            collect(&window.date, &mut constants);
            if let Some(field) = field_of(program, &window.date) {
                let set = constants.entry(field).or_default();
                for d in window.from.iter().chain(&window.until) {
                    set.insert(Value::Date(*d));
                }
            }
        }
    }
    program
        .schema
        .fields
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let mentioned = constants.remove(&FieldId(i as u32)).unwrap_or_default();
            domain(program, &field.ty, mentioned)
        })
        .collect()
}

/// Constants a field may be compared with and still be abstracted; a field
/// compared with more is opaque (each comparison a free atom), so that a
/// rule set with thousands of constants stays quick to analyse.
pub(super) const MAX_CONSTANTS: usize = 256;

fn domain(program: &Program, ty: &Type, mentioned: BTreeSet<Value>) -> Domain {
    if mentioned.len() > MAX_CONSTANTS {
        return Domain::Opaque;
    }
    let enum_values = |id| -> Vec<Value> {
        let count = program.schema.enum_def(id).values.len();
        (0..count as u32).map(Value::Enum).collect()
    };
    match ty {
        Type::Bool => Domain::Values {
            values: vec![Value::Bool(true), Value::Bool(false)],
            other: false,
        },
        Type::Enum(id) => Domain::Values {
            values: enum_values(*id),
            other: false,
        },
        Type::Str => Domain::Values {
            values: mentioned.into_iter().collect(),
            other: true,
        },
        Type::Int | Type::Date | Type::Duration => {
            let bounds: BTreeSet<i64> = mentioned.iter().filter_map(ordinal).collect();
            Domain::Regions(regions(&bounds))
        }
        Type::Record => Domain::Group,
        Type::List(element) => match &**element {
            Type::Enum(id) => Domain::Members {
                values: enum_values(*id),
                other: false,
            },
            Type::Str => Domain::Members {
                values: mentioned.into_iter().collect(),
                other: true,
            },
            _ => Domain::Opaque,
        },
        Type::Nothing => Domain::Opaque,
    }
}

/// The field an expression is (directly or through definitions).
pub(super) fn field_of(program: &Program, e: &TExpr) -> Option<FieldId> {
    let mut e = e;
    for _ in 0..=program.defs.len() {
        match &e.kind {
            TKind::Field(id) => return Some(*id),
            TKind::Def(id) => e = &program.def(*id).expr,
            _ => return None,
        }
    }
    None
}

/// The constant an expression is: a literal, a list of literals, or a
/// table's keys (directly or through definitions).
pub(super) fn constant_of(program: &Program, e: &TExpr) -> Option<Value> {
    match &e.kind {
        TKind::Const(v) => Some(v.clone()),
        TKind::List(items) => {
            let values: Option<Vec<Value>> =
                items.iter().map(|i| constant_of(program, i)).collect();
            values.map(|v| Value::List(v.into()))
        }
        TKind::TableKeys(id) => Some(Value::List(
            program
                .table(*id)
                .keys()
                .map(|k| Value::Str(k.into()))
                .collect(),
        )),
        TKind::Def(id) => constant_of(program, &program.def(*id).expr),
        _ => None,
    }
}

/// Adds the constants each field is compared with in `e`.
fn collect(
    program: &Program,
    e: &TExpr,
    out: &mut BTreeMap<FieldId, BTreeSet<Value>>,
    seen: &mut HashSet<DefId>,
) {
    let mut note = |field: &TExpr, value: &TExpr, elements: bool| {
        let (Some(f), Some(v)) = (field_of(program, field), constant_of(program, value)) else {
            return;
        };
        let set = out.entry(f).or_default();
        match v {
            Value::List(items) if elements => set.extend(items.iter().cloned()),
            v => {
                set.insert(v);
            }
        }
    };
    match &e.kind {
        TKind::Compare(_, a, b) => {
            note(a, b, false);
            note(b, a, false);
        }
        TKind::In(x, list) => {
            note(x, list, true);
            note(list, x, false);
        }
        TKind::Contains(list, x) => note(list, x, false),
        TKind::SetTest(SetOp::Any | SetOp::All | SetOp::None, a, b) => note(a, b, true),
        TKind::Def(id) if seen.insert(*id) => {
            collect(program, &program.def(*id).expr, out, seen);
        }
        _ => {}
    }
    e.for_each_child(|c| collect(program, c, out, seen));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_bounds_leave_no_region_between() {
        let bounds: BTreeSet<i64> = [5, 6, 9].into_iter().collect();
        let r = |lo, hi| Region { lo, hi };
        assert_eq!(
            regions(&bounds),
            vec![
                r(i64::MIN, 4),
                r(5, 5),
                r(6, 6),
                r(7, 8),
                r(9, 9),
                r(10, i64::MAX)
            ]
        );
        assert_eq!(regions(&BTreeSet::new()), vec![r(i64::MIN, i64::MAX)]);
        let extremes: BTreeSet<i64> = [i64::MIN, i64::MAX].into_iter().collect();
        assert_eq!(
            regions(&extremes),
            vec![
                r(i64::MIN, i64::MIN),
                r(i64::MIN + 1, i64::MAX - 1),
                r(i64::MAX, i64::MAX)
            ]
        );
    }

    #[test]
    fn every_region_compares_alike_with_every_bound() {
        let bounds: BTreeSet<i64> = [-3, 0, 1, 40].into_iter().collect();
        for region in regions(&bounds) {
            for &c in &bounds {
                let ordering = region.cmp(c).expect("a bound never splits a region");
                assert_eq!(region.representative().cmp(&c), ordering);
            }
        }
    }
}
