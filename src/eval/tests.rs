//! Kleene truth tables for every operator and list predicate, with unknown
//! on either side, evaluated over the standard schema.

use std::path::Path;

use crate::check::program::Program;
use crate::eval::interpret::{Interpreter, Truth};
use crate::eval::record::Record;
use crate::syntax::parser::parse_module;
use crate::value::Value;

/// The standard rule set plus the rule-language `text`, checked (test
/// helper shared with the property tests).
pub(super) fn standard_with(text: &str) -> Program {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut loaded = crate::ruleset::load(&dir).expect("standard rule set loads");
    let file = loaded.sources.add(Path::new("added.nrs"), text.to_string());
    let (module, diagnostics) = parse_module(file, text);
    assert!(diagnostics.is_empty(), "{text}\n{diagnostics:?}");
    loaded.modules.push((file, module));
    let (_, checked) = crate::check::check(loaded);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{text}\n{errors:?}");
    checked.program.expect("program")
}

/// The standard rule set plus `def probe = EXPR` and a rule reading it.
fn program_with(expr: &str) -> Program {
    standard_with(&format!(
        "def probe = {expr}\nrule probe_rule {{\n  gap direct-refoulement\n  cites \"test\"\n  when probe\n}}\n"
    ))
}

/// A value written in a tiny test notation: T, F, U (unknown) or a JSON-ish literal.
fn record(program: &Program, fields: &[(&str, Option<Value>)]) -> Record {
    let mut record = Record::new("T-1", program.schema.fields.len());
    for (name, value) in fields {
        let id = program
            .schema
            .find(name)
            .unwrap_or_else(|| panic!("no field {name}"));
        record.set(id, value.clone());
    }
    record
}

fn truth(program: &Program, fields: &[(&str, Option<Value>)]) -> (Truth, Vec<String>) {
    let record = record(program, fields);
    let rule = program
        .rules
        .iter()
        .find(|r| r.id == "probe_rule")
        .expect("probe rule");
    let (truth, unknowns) = Interpreter::new(program, &record).truth(&rule.condition);
    let names = unknowns
        .iter()
        .map(|f| program.schema.field(*f).name.clone())
        .collect();
    (truth, names)
}

const T: Option<bool> = Some(true);
const F: Option<bool> = Some(false);
const U: Option<bool> = None;
const TRUTHS: [Truth; 3] = [T, F, U];

fn b(t: Truth) -> Option<Value> {
    t.map(Value::Bool)
}

/// Kleene's tables, written out independently of the interpreter.
fn kleene_and(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (F, _) | (_, F) => F,
        (T, T) => T,
        _ => U,
    }
}

fn kleene_or(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (T, _) | (_, T) => T,
        (F, F) => F,
        _ => U,
    }
}

#[test]
fn and_or_not_follow_kleene() {
    let and = program_with("asked_about_fear and fear_of_mexico_expressed");
    let or = program_with("asked_about_fear or fear_of_mexico_expressed");
    let not = program_with("not asked_about_fear");
    for x in TRUTHS {
        for y in TRUTHS {
            let fields = [
                ("asked_about_fear", b(x)),
                ("fear_of_mexico_expressed", b(y)),
            ];
            assert_eq!(truth(&and, &fields).0, kleene_and(x, y), "{x:?} and {y:?}");
            assert_eq!(truth(&or, &fields).0, kleene_or(x, y), "{x:?} or {y:?}");
        }
        assert_eq!(truth(&not, &[("asked_about_fear", b(x))]).0, x.map(|v| !v));
    }
}

#[test]
fn unknown_fields_that_decided_nothing_are_not_reported() {
    let p = program_with("asked_about_fear and fear_of_mexico_expressed");
    let (t, unknowns) = truth(&p, &[("asked_about_fear", b(F))]);
    assert_eq!((t, unknowns), (F, vec![]));
    let (t, unknowns) = truth(&p, &[("asked_about_fear", b(T))]);
    assert_eq!(
        (t, unknowns),
        (U, vec!["fear_of_mexico_expressed".to_string()])
    );
    let (t, unknowns) = truth(&p, &[]);
    assert_eq!(t, U);
    assert_eq!(
        unknowns,
        vec!["asked_about_fear", "fear_of_mexico_expressed"]
    );
}

#[test]
fn comparisons_are_unknown_when_either_side_is() {
    type Compare = fn(i64, i64) -> bool;
    let cases: [(&str, Compare); 6] = [
        ("age == unaccompanied_age", |a, b| a == b),
        ("age != unaccompanied_age", |a, b| a != b),
        ("age < unaccompanied_age", |a, b| a < b),
        ("age <= unaccompanied_age", |a, b| a <= b),
        ("age > unaccompanied_age", |a, b| a > b),
        ("age >= unaccompanied_age", |a, b| a >= b),
    ];
    for (expr, expected) in cases {
        // `unaccompanied_age` stands for a second integer: `count(hearing_dates)`.
        let p = program_with(&expr.replace("unaccompanied_age", "count(hearing_dates)"));
        let dates = |n: usize| {
            Some(Value::List(
                (0..n)
                    .map(|i| Value::Date(crate::date::Date(i as i32)))
                    .collect(),
            ))
        };
        for age in [None, Some(1i64), Some(2)] {
            for hearings in [None, Some(1usize), Some(2)] {
                let fields = [
                    ("age", age.map(Value::Int)),
                    ("hearing_dates", hearings.and_then(dates)),
                ];
                let want = match (age, hearings) {
                    (Some(a), Some(h)) => Some(expected(a, h as i64)),
                    _ => None,
                };
                assert_eq!(
                    truth(&p, &fields).0,
                    want,
                    "{expr} age={age:?} hearings={hearings:?}"
                );
            }
        }
    }
}

fn enums(program: &Program, field: &str, values: &[&str]) -> Option<Value> {
    let id = program.schema.find(field).expect("field");
    let crate::types::Type::List(element) = &program.schema.field(id).ty else {
        panic!("{field} is not a list")
    };
    let crate::types::Type::Enum(e) = element.as_ref() else {
        panic!("{field} is not a list of enums")
    };
    Some(Value::List(
        values
            .iter()
            .map(|v| Value::Enum(program.schema.enum_value(*e, v).expect("value")))
            .collect(),
    ))
}

#[test]
fn list_predicates_treat_unknown_and_empty_lists_differently() {
    let cases: [(&str, Truth, Truth, Truth); 7] = [
        // expression, on ["kidnapping"], on [], on unknown
        ("harm_in_mexico contains \"kidnapping\"", T, F, U),
        (
            "harm_in_mexico contains any of [\"kidnapping\", \"threat\"]",
            T,
            F,
            U,
        ),
        (
            "harm_in_mexico contains all of [\"kidnapping\", \"threat\"]",
            F,
            F,
            U,
        ),
        ("harm_in_mexico contains none of [\"threat\"]", T, T, U),
        ("harm_in_mexico is empty", F, T, U),
        ("harm_in_mexico is not empty", T, F, U),
        ("\"kidnapping\" in harm_in_mexico", T, F, U),
    ];
    for (expr, one, empty, unknown) in cases {
        let p = program_with(expr);
        let harm = |values: &[&str]| enums(&p, "harm_in_mexico", values);
        assert_eq!(
            truth(&p, &[("harm_in_mexico", harm(&["kidnapping"]))]).0,
            one,
            "{expr} on [kidnapping]"
        );
        assert_eq!(
            truth(&p, &[("harm_in_mexico", harm(&[]))]).0,
            empty,
            "{expr} on []"
        );
        assert_eq!(truth(&p, &[]).0, unknown, "{expr} on unknown");
    }
}

#[test]
fn membership_is_unknown_for_an_unknown_member() {
    let p = program_with("program in MPP");
    assert_eq!(truth(&p, &[]).0, U);
    let p2 = program_with("program not in MPP");
    assert_eq!(truth(&p2, &[]).0, U);
}

#[test]
fn known_unknown_and_default_are_the_only_definite_tests() {
    let known = program_with("known asked_about_fear");
    let unknown = program_with("unknown asked_about_fear");
    let default = program_with("asked_about_fear ?? false");
    for x in TRUTHS {
        let fields = [("asked_about_fear", b(x))];
        assert_eq!(truth(&known, &fields).0, Some(x.is_some()));
        assert_eq!(truth(&unknown, &fields).0, Some(x.is_none()));
        assert_eq!(truth(&default, &fields), (Some(x.unwrap_or(false)), vec![]));
    }
    let chained = program_with("(country_of_origin ?? nationality) == \"MX\"");
    let s = |t: &str| Some(Value::Str(t.into()));
    assert_eq!(truth(&chained, &[("nationality", s("MX"))]).0, T);
    assert_eq!(
        truth(
            &chained,
            &[("country_of_origin", s("HN")), ("nationality", s("MX"))]
        )
        .0,
        F
    );
    assert_eq!(truth(&chained, &[]).0, U);
}

#[test]
fn date_arithmetic_and_lookups_are_unknown_outside_their_data() {
    let d = |t: &str| Some(Value::Date(crate::date::Date::parse(t).expect("date")));
    let s = |t: &str| Some(Value::Str(t.into()));
    let p = program_with("return_date + 30 days > encounter_date");
    assert_eq!(
        truth(
            &p,
            &[
                ("return_date", d("2019-01-01")),
                ("encounter_date", d("2019-01-30"))
            ]
        )
        .0,
        T
    );
    assert_eq!(truth(&p, &[("return_date", d("2019-01-01"))]).0, U);
    let between = program_with("days_between(encounter_date, return_date) == 2");
    assert_eq!(
        truth(
            &between,
            &[
                ("encounter_date", d("2019-02-12")),
                ("return_date", d("2019-02-14"))
            ]
        )
        .0,
        T
    );
    let level = program_with("advisory[return_state] on return_date == 4");
    assert_eq!(
        truth(
            &level,
            &[
                ("return_state", s("MX-TAM")),
                ("return_date", d("2019-08-02"))
            ]
        )
        .0,
        T
    );
    assert_eq!(
        truth(
            &level,
            &[
                ("return_state", s("MX-BCN")),
                ("return_date", d("2019-08-02"))
            ]
        )
        .0,
        F
    );
    // Outside the table's dates, and for a state it does not list: unknown.
    assert_eq!(
        truth(
            &level,
            &[
                ("return_state", s("MX-TAM")),
                ("return_date", d("2023-01-01"))
            ]
        )
        .0,
        U
    );
    assert_eq!(
        truth(
            &level,
            &[
                ("return_state", s("MX-GRO")),
                ("return_date", d("2019-08-02"))
            ]
        )
        .0,
        U
    );
    // The boundary days of a row are inside it (windows are inclusive).
    let bcn = program_with("advisory[return_state] on return_date == 3");
    assert_eq!(
        truth(
            &bcn,
            &[
                ("return_state", s("MX-BCN")),
                ("return_date", d("2021-06-16"))
            ]
        )
        .0,
        F
    );
    assert_eq!(
        truth(
            &bcn,
            &[
                ("return_state", s("MX-BCN")),
                ("return_date", d("2021-06-17"))
            ]
        )
        .0,
        T
    );
}

#[test]
fn quantifiers_are_or_and_and_over_the_elements() {
    let s = |items: &[&str]| {
        Some(Value::List(
            items.iter().map(|t| Value::Str((*t).into())).collect(),
        ))
    };
    let any = program_with("any(l in languages: normalize(l) == \"kiche\")");
    let all = program_with("all(l in languages: normalize(l) == \"kiche\")");
    assert_eq!(truth(&any, &[("languages", s(&["es", "K'iche'"]))]).0, T);
    assert_eq!(truth(&any, &[("languages", s(&[]))]).0, F);
    assert_eq!(truth(&any, &[]).0, U);
    assert_eq!(truth(&all, &[("languages", s(&["es", "K'iche'"]))]).0, F);
    assert_eq!(truth(&all, &[("languages", s(&[]))]).0, T);
    assert_eq!(truth(&all, &[]).0, U);
}

/// The compiled evaluator's truth for the probe rule (the interpreter's is
/// `truth`); only number and date fields are carried over.
fn compiled_truth(program: Program, fields: &[(&str, Option<Value>)]) -> Truth {
    let values = record(&program, fields);
    let compiled = crate::compile::compile(program);
    let json = serde_json::json!({ "case_id": "T-1" });
    let index = crate::records::schema_index::SchemaIndex::new(&compiled);
    let mut case =
        crate::records::case::CaseRecord::with_fields(compiled.program.schema.fields.len());
    crate::records::json::decode_line(
        &compiled,
        &index,
        &json.to_string(),
        &mut case,
        &mut Default::default(),
    )
    .expect("decodes");
    for (i, value) in values.slots.iter().enumerate() {
        match value {
            Some(Value::Int(n)) => case.slots[i] = crate::compile::val::Val::Int(*n),
            Some(Value::Date(d)) => case.slots[i] = crate::compile::val::Val::Date(d.0),
            _ => {}
        }
    }
    let position = compiled
        .program
        .rules
        .iter()
        .position(|r| r.id == "probe_rule")
        .expect("probe");
    let mut evaluator = crate::eval::compiled::Evaluator::new(&compiled);
    evaluator.start_record();
    evaluator
        .truth(&mut case, compiled.rules[position].condition)
        .0
}

#[test]
fn overflowing_arithmetic_is_unknown_never_a_wrapped_number() {
    // Regression (review): `0 - age` with the smallest integer overflowed
    // (a panic in debug builds, a wrong definite answer in release).
    let fields = [("age", Some(Value::Int(i64::MIN)))];
    let p = program_with("0 - age > 5");
    assert_eq!(truth(&p, &fields).0, U);
    assert_eq!(compiled_truth(program_with("0 - age > 5"), &fields), U);
    let q = program_with("age + 1 > 5");
    assert_eq!(truth(&q, &[("age", Some(Value::Int(i64::MAX)))]).0, U);
}

#[test]
fn table_keys_are_counted_once_by_both_evaluators() {
    // Regression (review): the interpreter and the compiled form disagreed on
    // `count(advisory)` (6 states, 9 dated rows).
    let p = program_with("count(advisory) == 6 and age > 0");
    let fields = [("age", Some(Value::Int(1)))];
    assert_eq!(truth(&p, &fields).0, T);
    assert_eq!(
        compiled_truth(program_with("count(advisory) == 6 and age > 0"), &fields),
        T
    );
}

#[test]
fn negation_of_numbers_and_durations_in_both_evaluators() {
    let int = |n: i64| Some(Value::Int(n));
    let date = |text: &str| Some(Value::Date(crate::date::Date::parse(text).expect("date")));
    let dates = |encounter: &str, returned: &str| {
        vec![
            ("encounter_date", date(encounter)),
            ("return_date", date(returned)),
        ]
    };
    type Case = (&'static str, Vec<(&'static str, Option<Value>)>, Truth);
    let cases: Vec<Case> = vec![
        ("-age == 0 - age", vec![("age", int(7))], T),
        ("-age < -6", vec![("age", int(7))], T),
        ("-(age + 1) == -8", vec![("age", int(7))], T),
        ("--age == age", vec![("age", int(-4))], T),
        ("-age > 0", vec![], U),
        // The negative of the least number does not exist: unknown, never
        // a wrapped number.
        ("-age > 0", vec![("age", int(i64::MIN))], U),
        (
            "-age == -9223372036854775807",
            vec![("age", int(i64::MAX))],
            T,
        ),
        // `days_between(a, b) > -3`: b at most two days before a.
        (
            "days_between(encounter_date, return_date) > -3",
            dates("2020-03-10", "2020-03-08"),
            T,
        ),
        (
            "- days_between(encounter_date, return_date) == 3",
            dates("2020-03-10", "2020-03-07"),
            T,
        ),
        (
            "return_date + -3 days == encounter_date",
            dates("2020-03-07", "2020-03-10"),
            T,
        ),
        (
            "return_date - -(1 week) == encounter_date",
            dates("2020-03-17", "2020-03-10"),
            T,
        ),
        ("age in [-1, -2]", vec![("age", int(-2))], T),
        ("age in [-1, -2]", vec![("age", int(2))], F),
    ];
    both_evaluators_give(&cases);
}

/// An expression, the record's fields, and the truth both evaluators give.
type Case<'a> = (&'a str, Vec<(&'a str, Option<Value>)>, Truth);

/// Each case: the interpreter and the compiled form both give its truth.
fn both_evaluators_give(cases: &[Case<'_>]) {
    for (expr, fields, expected) in cases {
        assert_eq!(truth(&program_with(expr), fields).0, *expected, "{expr}");
        assert_eq!(
            compiled_truth(program_with(expr), fields),
            *expected,
            "compiled: {expr}"
        );
    }
}

#[test]
fn negated_constants_are_folded() {
    use crate::compile::Node;
    let compiled = crate::compile::compile(program_with("age in [-1, -(2)] and age > -3"));
    let neg = compiled.nodes.iter().any(|n| matches!(n, Node::Neg(_)));
    let set = compiled.nodes.iter().any(|n| matches!(n, Node::InSet(..)));
    assert!(!neg && set, "{:?}", compiled.nodes);
    let compiled = crate::compile::compile(program_with("-age < 0"));
    assert!(compiled.nodes.iter().any(|n| matches!(n, Node::Neg(_))));
}

/// `field OP constant`, alone or under `?? constant`, compiles to one
/// `FieldCompare` node and keeps the meaning of the nodes it replaces
/// (the differential properties check it on random programs too).
#[test]
fn field_comparisons_with_constants_are_fused() {
    use crate::compile::Node;
    let fused = |expr: &str| {
        let compiled = crate::compile::compile(program_with(expr));
        let def = compiled.defs.last().copied().expect("the probe");
        match &compiled.nodes[def.index()] {
            Node::FieldCompare { or, .. } => Some(*or),
            _ => None,
        }
    };
    use crate::compile::val::Val;
    let int = |n: i64| Some(Value::Int(n));
    assert_eq!(fused("nationality == \"MX\""), Some(Val::Unknown));
    assert_eq!(fused("(age < 3) ?? true"), Some(Val::Bool(true)));
    assert_eq!(
        fused("nationality == \"MX\" ?? false"),
        Some(Val::Bool(false))
    );
    assert_eq!(fused("3 > age"), None);
    assert_eq!(fused("(age < 3) ?? (age > 9)"), None);
    let cases = [
        ("(age < 3) ?? true", vec![("age", None)], T),
        ("(age < 3) ?? false", vec![("age", None)], F),
        ("(age < 3) ?? false", vec![("age", int(1))], T),
        ("(age >= 3) ?? true", vec![("age", int(1))], F),
        (
            "nationality != \"MX\" ?? false",
            vec![("nationality", None)],
            F,
        ),
        ("nationality != \"MX\"", vec![("nationality", None)], U),
    ];
    both_evaluators_give(&cases);
}
