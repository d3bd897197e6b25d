//! Case records generated from the schema with `proptest`, for audits.
//!
//! Every field may be absent (unknown); enums take their values; dates are
//! drawn from the dates the rule set mentions (windows, literals, table
//! rows, each ± one day) or a range around them; numbers from the rule set's
//! literals ± 1 or a range; text from the strings the rules and tables
//! mention or arbitrary letters; lists are empty, absent or several. An
//! audit's precondition guides generation: fields it fixes (`x == v`,
//! `x in [..]`, `known x`, `unknown x`, `L contains v`, through definitions
//! and `and`) are generated that way, so rare preconditions are still met
//! thousands of times. Shrinking removes fields and simplifies values.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;

use crate::check::program::{CmpOp, Program, SetOp, TExpr, TKind};
use crate::date::Date;
use crate::ruleset::schema::FieldId;
use crate::types::Type;
use crate::value::Value;

/// A generated value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum GenValue {
    /// true/false
    Bool(bool),
    /// a number
    Int(i64),
    /// text (also enum values, by name)
    Text(String),
    /// a date
    Date(Date),
    /// a list
    List(Vec<GenValue>),
    /// a present group (`nri`)
    Present,
}

/// A generated case: one optional value per schema field, and a selector
/// used to grow fields for monotonicity expectations.
#[derive(Clone, Debug)]
pub(crate) struct GenCase {
    /// By `FieldId`.
    pub values: Vec<Option<GenValue>>,
    /// Drives which values are added when a field grows.
    pub growth: Vec<u8>,
}

/// What a precondition says about one field.
#[derive(Clone, Debug)]
enum Constraint {
    OneOf(Vec<GenValue>),
    Absent,
    Present,
    Contains(Vec<GenValue>),
}

/// Values the rule set mentions, by kind.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pools {
    dates: BTreeSet<Date>,
    ints: BTreeSet<i64>,
    texts: BTreeSet<String>,
    /// Values a field is compared with, or looked up as, somewhere in the
    /// rule set (through definitions, `??` and `normalize`).
    by_field: BTreeMap<FieldId, Vec<GenValue>>,
}

impl Pools {
    /// The values a program mentions.
    pub(crate) fn of(program: &Program) -> Pools {
        let mut pools = Pools::default();
        let mut roots: Vec<&TExpr> = program.defs.iter().map(|d| &d.expr).collect();
        for rule in &program.rules {
            roots.push(&rule.condition);
            roots.extend(rule.exceptions.iter().map(|e| &e.condition));
            if let Some(w) = &rule.window {
                for d in w.from.iter().chain(w.until.iter()) {
                    pools.add_date(*d);
                }
            }
        }
        for audit in &program.audits {
            roots.extend(audit.precondition.iter());
        }
        for root in roots {
            pools.collect(root);
            pools.candidates(program, root);
        }
        for values in pools.by_field.values_mut() {
            values.dedup();
        }
        for table in &program.tables {
            for row in &table.rows {
                pools.texts.insert(row.key.clone());
                for d in row.from.iter().chain(row.to.iter()) {
                    pools.add_date(*d);
                }
                if let Value::Str(s) = &row.value {
                    pools.texts.insert(s.to_string());
                }
            }
        }
        pools.ints.extend([0, 17, 18, 60]);
        pools
    }

    /// Records, for each comparison, membership test or table lookup, the
    /// constants (or table keys) its field may be compared with.
    fn candidates(&mut self, program: &Program, e: &TExpr) {
        let mut pair = |field_side: &TExpr, values: Vec<GenValue>| {
            let mut fields = BTreeSet::new();
            fields_through(program, field_side, &mut fields);
            for f in fields {
                self.by_field
                    .entry(f)
                    .or_default()
                    .extend(values.iter().cloned());
            }
        };
        match &e.kind {
            TKind::Compare(_, a, b) => {
                if let Some(values) = constant_values(program, b) {
                    pair(a, values);
                }
                if let Some(values) = constant_values(program, a) {
                    pair(b, values);
                }
            }
            TKind::In(x, list) => {
                if let Some(values) = constant_values(program, list) {
                    pair(x, values);
                }
            }
            TKind::Contains(list, x) | TKind::SetTest(_, list, x) => {
                if let Some(values) = constant_values(program, x) {
                    pair(list, values);
                }
            }
            TKind::Lookup { table, key, .. } => {
                let keys = program
                    .table(*table)
                    .rows
                    .iter()
                    .map(|r| GenValue::Text(r.key.clone()))
                    .collect();
                pair(key, keys);
            }
            _ => {}
        }
        e.for_each_child(|c| self.candidates(program, c));
    }

    /// A date and the days either side (those that exist).
    fn add_date(&mut self, d: Date) {
        let around = [d.0.checked_sub(1), Some(d.0), d.0.checked_add(1)];
        self.dates.extend(around.into_iter().flatten().map(Date));
    }

    /// A number and the numbers either side (those that exist).
    fn add_int(&mut self, i: i64) {
        let around = [i.checked_sub(1), Some(i), i.checked_add(1)];
        self.ints.extend(around.into_iter().flatten());
    }

    fn collect(&mut self, e: &TExpr) {
        match &e.kind {
            TKind::Const(Value::Date(d)) => self.add_date(*d),
            TKind::Const(Value::Int(i)) => self.add_int(*i),
            // `-3` is a negation of the constant 3: both are of interest.
            TKind::Neg(inner) => {
                if let TKind::Const(Value::Int(i)) = inner.kind {
                    if let Some(negative) = i.checked_neg() {
                        self.add_int(negative);
                    }
                }
            }
            TKind::Const(Value::Str(s)) => {
                self.texts.insert(s.to_string());
            }
            _ => {}
        }
        e.for_each_child(|c| self.collect(c));
    }
}

/// The strategy of generated cases for `program`, guided by `guide` (an
/// audit precondition or a rule condition).
pub(crate) fn cases(
    program: &Program,
    pools: &Pools,
    guide: Option<&TExpr>,
) -> BoxedStrategy<GenCase> {
    let mut constraints = BTreeMap::new();
    if let Some(guide) = guide {
        constrain(program, guide, &mut constraints);
    }
    // A constrained field of a group makes the group present.
    for (i, field) in program.schema.fields.iter().enumerate() {
        if let (Some(parent), Some(c)) = (field.parent, constraints.get(&FieldId(i as u32))) {
            if !matches!(c, Constraint::Absent) {
                constraints.entry(parent).or_insert(Constraint::Present);
            }
        }
    }
    let fields: Vec<BoxedStrategy<Option<GenValue>>> = program
        .schema
        .fields
        .iter()
        .enumerate()
        .map(|(i, field)| {
            if field.name == "case_id" {
                return Just(None).boxed();
            }
            let id = FieldId(i as u32);
            let values = field_strategy(program, pools, id, &field.ty);
            match constraints.get(&id) {
                Some(Constraint::Absent) => Just(None).boxed(),
                Some(Constraint::Present) => values.prop_map(Some).boxed(),
                Some(Constraint::OneOf(options)) => proptest::sample::select(options.clone())
                    .prop_map(Some)
                    .boxed(),
                Some(Constraint::Contains(required)) => {
                    let required = required.clone();
                    values
                        .prop_map(move |v| {
                            let mut items = match v {
                                GenValue::List(items) => items,
                                other => vec![other],
                            };
                            for r in &required {
                                if !items.contains(r) {
                                    items.push(r.clone());
                                }
                            }
                            Some(GenValue::List(items))
                        })
                        .boxed()
                }
                None => proptest::option::weighted(0.75, values).boxed(),
            }
        })
        .collect();
    (fields, proptest::collection::vec(any::<u8>(), 8))
        .prop_map(|(values, growth)| GenCase { values, growth })
        .boxed()
}

/// Values for one field: its own candidates half of the time, else any
/// value of its type.
fn field_strategy(
    program: &Program,
    pools: &Pools,
    field: FieldId,
    ty: &Type,
) -> BoxedStrategy<GenValue> {
    let general = value_strategy(program, pools, ty);
    match pools.by_field.get(&field) {
        Some(values) if !values.is_empty() && ty.element().is_none() => {
            prop_oneof![proptest::sample::select(values.clone()), general].boxed()
        }
        _ => general,
    }
}

/// Every field an expression reads, through definitions.
fn fields_through(program: &Program, e: &TExpr, out: &mut BTreeSet<FieldId>) {
    match &e.kind {
        TKind::Field(f) => {
            out.insert(*f);
        }
        TKind::Def(id) => fields_through(program, &program.def(*id).expr, out),
        _ => e.for_each_child(|c| fields_through(program, c, out)),
    }
}

fn value_strategy(program: &Program, pools: &Pools, ty: &Type) -> BoxedStrategy<GenValue> {
    match ty {
        Type::Bool => any::<bool>().prop_map(GenValue::Bool).boxed(),
        Type::Int => {
            let known: Vec<i64> = pools.ints.iter().copied().filter(|i| *i >= 0).collect();
            prop_oneof![proptest::sample::select(known), 0i64..100]
                .prop_map(GenValue::Int)
                .boxed()
        }
        Type::Date => {
            let known: Vec<Date> = pools.dates.iter().copied().collect();
            let (low, high) = (Date::from_ymd(2017, 1, 1), Date::from_ymd(2024, 12, 31));
            let range = match (low, high) {
                (Some(l), Some(h)) => l.0..h.0,
                _ => 17_000..20_000,
            };
            if known.is_empty() {
                range.prop_map(|d| GenValue::Date(Date(d))).boxed()
            } else {
                prop_oneof![3 => proptest::sample::select(known), 1 => range.prop_map(Date)]
                    .prop_map(GenValue::Date)
                    .boxed()
            }
        }
        Type::Str => {
            let known: Vec<String> = pools.texts.iter().cloned().collect();
            let arbitrary = "[A-Za-z][a-z' ]{0,10}".prop_map(|s| s);
            if known.is_empty() {
                arbitrary.prop_map(GenValue::Text).boxed()
            } else {
                prop_oneof![3 => proptest::sample::select(known), 1 => arbitrary]
                    .prop_map(GenValue::Text)
                    .boxed()
            }
        }
        Type::Enum(id) => {
            let values = program.schema.enum_def(*id).values.clone();
            proptest::sample::select(values)
                .prop_map(GenValue::Text)
                .boxed()
        }
        Type::List(element) => match element.as_ref() {
            Type::Enum(id) => {
                let values = program.schema.enum_def(*id).values.clone();
                let n = values.len();
                proptest::sample::subsequence(values, 0..=n.min(4))
                    .prop_map(|items| {
                        GenValue::List(items.into_iter().map(GenValue::Text).collect())
                    })
                    .boxed()
            }
            other => {
                let element = value_strategy(program, pools, other);
                proptest::collection::vec(element, 0..3)
                    .prop_map(|mut items| {
                        items.dedup();
                        GenValue::List(items)
                    })
                    .boxed()
            }
        },
        Type::Record => Just(GenValue::Present).boxed(),
        Type::Duration | Type::Nothing => Just(GenValue::Int(0)).boxed(),
    }
}

/// What a condition (a conjunction, through definitions) says about fields.
fn constrain(program: &Program, e: &TExpr, out: &mut BTreeMap<FieldId, Constraint>) {
    let constant = |e: &TExpr| constant_values(program, e);
    match &e.kind {
        TKind::And(a, b) => {
            constrain(program, a, out);
            constrain(program, b, out);
        }
        TKind::Def(id) => constrain(program, &program.def(*id).expr, out),
        TKind::Field(f) if e.ty == Type::Bool => {
            out.insert(*f, Constraint::OneOf(vec![GenValue::Bool(true)]));
        }
        TKind::Known(inner) => {
            if let TKind::Field(f) = inner.kind {
                out.entry(f).or_insert(Constraint::Present);
            }
        }
        TKind::Not(inner) => match &inner.kind {
            TKind::Known(x) => {
                if let TKind::Field(f) = x.kind {
                    out.insert(f, Constraint::Absent);
                }
            }
            TKind::Field(f) if inner.ty == Type::Bool => {
                out.insert(*f, Constraint::OneOf(vec![GenValue::Bool(false)]));
            }
            _ => {}
        },
        TKind::Compare(CmpOp::Eq, a, b) => {
            let (field, value) = match (&a.kind, &b.kind) {
                (TKind::Field(f), _) => (Some(*f), constant(b)),
                (_, TKind::Field(f)) => (Some(*f), constant(a)),
                _ => (None, None),
            };
            if let (Some(f), Some(mut values)) = (field, value) {
                if program.schema.field(f).ty.element().is_some() {
                    out.insert(f, Constraint::OneOf(vec![GenValue::List(values)]));
                } else if values.len() == 1 {
                    let v = values.remove(0);
                    out.insert(f, Constraint::OneOf(vec![v]));
                }
            }
        }
        TKind::In(x, list) => {
            if let (TKind::Field(f), Some(values)) = (&x.kind, constant(list)) {
                if !values.is_empty() {
                    out.insert(*f, Constraint::OneOf(values));
                }
            }
        }
        TKind::Contains(list, x) => {
            if let (TKind::Field(f), Some(values)) = (&list.kind, constant(x)) {
                out.insert(*f, Constraint::Contains(values));
            }
        }
        TKind::SetTest(SetOp::Any | SetOp::All, list, set) => {
            if let (TKind::Field(f), Some(values)) = (&list.kind, constant(set)) {
                let values = if matches!(e.kind, TKind::SetTest(SetOp::Any, ..)) {
                    values.into_iter().take(1).collect()
                } else {
                    values
                };
                out.insert(*f, Constraint::Contains(values));
            }
        }
        _ => {}
    }
}

/// The generated form of a constant expression (a scalar gives one value, a
/// list its elements); enum codes become their names.
fn constant_values(program: &Program, e: &TExpr) -> Option<Vec<GenValue>> {
    let value = match &e.kind {
        TKind::Const(v) => v.clone(),
        TKind::Def(id) => return constant_values(program, &program.def(*id).expr),
        TKind::List(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(constant_values(program, item)?);
            }
            return Some(out);
        }
        _ => return None,
    };
    let element_type = e.ty.element().cloned().unwrap_or_else(|| e.ty.clone());
    let convert = |v: &Value| -> Option<GenValue> {
        Some(match v {
            Value::Bool(b) => GenValue::Bool(*b),
            Value::Int(i) => GenValue::Int(*i),
            Value::Str(s) => GenValue::Text(s.to_string()),
            Value::Date(d) => GenValue::Date(*d),
            Value::Enum(code) => match &element_type {
                Type::Enum(id) => GenValue::Text(
                    program
                        .schema
                        .enum_def(*id)
                        .values
                        .get(*code as usize)?
                        .clone(),
                ),
                _ => return None,
            },
            _ => return None,
        })
    };
    match &value {
        Value::List(items) => items.iter().map(convert).collect(),
        scalar => convert(scalar).map(|v| vec![v]),
    }
}

impl GenCase {
    /// A copy in which `field` has grown: a list gains values it lacked
    /// (chosen by `growth`), a true/false field becomes true. `None` when it
    /// cannot grow.
    pub(crate) fn grown(
        &self,
        program: &Program,
        pools: &Pools,
        field: FieldId,
    ) -> Option<GenCase> {
        let mut grown = self.clone();
        let ty = &program.schema.field(field).ty;
        let slot = grown.values.get_mut(field.0 as usize)?;
        match ty {
            Type::Bool => {
                if *slot == Some(GenValue::Bool(true)) {
                    return None;
                }
                *slot = Some(GenValue::Bool(true));
            }
            Type::List(element) => {
                let candidates: Vec<GenValue> = match element.as_ref() {
                    Type::Enum(id) => program
                        .schema
                        .enum_def(*id)
                        .values
                        .iter()
                        .cloned()
                        .map(GenValue::Text)
                        .collect(),
                    Type::Str => pools.texts.iter().cloned().map(GenValue::Text).collect(),
                    Type::Date => pools.dates.iter().copied().map(GenValue::Date).collect(),
                    _ => Vec::new(),
                };
                let mut items = match slot.take() {
                    Some(GenValue::List(items)) => items,
                    _ => Vec::new(),
                };
                let missing: Vec<GenValue> = candidates
                    .into_iter()
                    .filter(|c| !items.contains(c))
                    .collect();
                if missing.is_empty() {
                    return None;
                }
                let mut added = 0;
                for (i, choice) in self.growth.iter().enumerate() {
                    if choice % 2 == 1 || (i == 0) {
                        let pick = missing[usize::from(*choice) % missing.len()].clone();
                        if !items.contains(&pick) {
                            items.push(pick);
                            added += 1;
                        }
                    }
                }
                if added == 0 {
                    return None;
                }
                *slot = Some(GenValue::List(items));
            }
            _ => return None,
        }
        Some(grown)
    }
}
