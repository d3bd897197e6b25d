//! Property tests of evaluation:
//!
//! * the compiled evaluator agrees with the direct interpreter of the
//!   checked program (truth, outcome, and the unknown fields reported) on
//!   random rules and random records;
//! * filling in an unknown field never changes a definite result, so never
//!   clears a flagged finding, unless the rule uses `known`/`unknown`/`??`;
//! * a case's result does not depend on the order or the other records of
//!   the batch.

use std::collections::HashSet;

use proptest::prelude::*;

use crate::compile::{compile, Compiled};
use crate::eval::batch::{Batch, BatchOptions, CaseContext, Sink};
use crate::eval::compiled::Evaluator;
use crate::eval::finding::CaseResult;
use crate::eval::interpret::{rule_outcome, Interpreter};
use crate::eval::record::Record;
use crate::records::case::CaseRecord;
use crate::records::json::decode_line;
use crate::records::rejection::Rejection;
use crate::records::schema_index::SchemaIndex;

/// The standard rule set plus `text`, checked and compiled.
fn compiled_with(text: &str) -> Compiled {
    compile(super::tests::standard_with(text))
}

// ----------------------------------------------------------------- conditions

const BOOLS: &[&str] = &[
    "returned_to_mexico",
    "fear_of_mexico_expressed",
    "nri_held",
    "nri.counsel_access",
    "unaccompanied_minor",
    "family_unit",
    "in_absentia_order",
];
const DATES: &[&str] = &[
    "encounter_date",
    "return_date",
    "nri.date",
    "harm_reported_date",
];
const STRS: &[&str] = &[
    "return_city",
    "return_state",
    "nationality",
    "notice_address",
    "nri.interpreter_language",
];
const TEXTS: &[&str] = &[
    "Tijuana",
    "tijuana",
    "Nuevo Laredo",
    "MX-TAM",
    "MX-BCN",
    "MX",
    "HN",
    "domicilio conocido",
    "Facebook",
    "es",
    "K'iche'",
    "nowhere",
];
const DATE_LITERALS: &[&str] = &[
    "2019-01-28",
    "2019-08-02",
    "2021-06-16",
    "2021-06-17",
    "2021-12-06",
    "2022-08-08",
    "2022-12-31",
];
const HARMS: &[&str] = &["kidnapping", "assault", "threat", "deportation-threat"];
const PROGRAMS: &[&str] = &["mpp-2019", "mpp-2021", "section-240", "other"];

fn pick(items: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    proptest::sample::select(items)
}

/// A true/false expression over the standard schema. With `definite`, it
/// may use `known`, `unknown` and `??` (the only non-monotone constructs).
fn condition(definite: bool) -> BoxedStrategy<String> {
    let mut leaves: Vec<BoxedStrategy<String>> = vec![
        (pick(BOOLS), any::<bool>())
            .prop_map(|(f, b)| format!("{f} == {b}"))
            .boxed(),
        pick(BOOLS).prop_map(str::to_string).boxed(),
        pick(PROGRAMS)
            .prop_map(|p| format!("program == \"{p}\""))
            .boxed(),
        Just("program in MPP".to_string()).boxed(),
        (pick(HARMS), pick(HARMS))
            .prop_map(|(a, b)| format!("harm_in_mexico contains any of [\"{a}\", \"{b}\"]"))
            .boxed(),
        (pick(HARMS), pick(HARMS))
            .prop_map(|(a, b)| format!("harm_in_mexico contains all of [\"{a}\", \"{b}\"]"))
            .boxed(),
        pick(HARMS)
            .prop_map(|a| format!("harm_in_mexico contains none of [\"{a}\"]"))
            .boxed(),
        pick(HARMS)
            .prop_map(|a| format!("harm_in_mexico contains \"{a}\""))
            .boxed(),
        pick(HARMS)
            .prop_map(|a| format!("\"{a}\" not in harm_in_mexico"))
            .boxed(),
        Just("harm_in_mexico is empty".to_string()).boxed(),
        Just("vulnerabilities is not empty".to_string()).boxed(),
        (0i64..40).prop_map(|n| format!("age < {n}")).boxed(),
        (0i64..3)
            .prop_map(|n| format!("count(hearing_dates) >= {n}"))
            .boxed(),
        (pick(DATES), pick(DATE_LITERALS))
            .prop_map(|(d, l)| format!("{d} <= {l}"))
            .boxed(),
        (pick(DATES), pick(DATES), 0i64..20)
            .prop_map(|(a, b, n)| format!("{a} + {n} days > {b}"))
            .boxed(),
        (pick(DATES), pick(DATES), -5i64..5)
            .prop_map(|(a, b, n)| format!("days_between({a}, {b}) >= {n}"))
            .boxed(),
        // Negation: of a number, a computed number, a duration, and the
        // negative of the least number (unknown).
        (pick(DATES), pick(DATES), -5i64..5)
            .prop_map(|(a, b, n)| format!("- days_between({a}, {b}) < -({n})"))
            .boxed(),
        (0i64..40, any::<bool>())
            .prop_map(|(n, twice)| {
                let negated = if twice { "--age" } else { "-age" };
                format!("{negated} + {n} > -(age - {n})")
            })
            .boxed(),
        (pick(DATES), pick(DATES), 0i64..20)
            .prop_map(|(a, b, n)| format!("{a} - -{n} days > {b} + -(1 week)"))
            .boxed(),
        Just("-(0 - age - 9223372036854775807 - 1) > 0".to_string()).boxed(),
        (pick(STRS), pick(TEXTS))
            .prop_map(|(f, t)| format!("{f} == \"{t}\""))
            .boxed(),
        (pick(STRS), pick(TEXTS))
            .prop_map(|(f, t)| format!("normalize({f}) == normalize(\"{t}\")"))
            .boxed(),
        pick(STRS)
            .prop_map(|f| format!("normalize({f}) contains \"a\""))
            .boxed(),
        (1i64..5)
            .prop_map(|n| format!("advisory[return_state] on return_date == {n}"))
            .boxed(),
        Just("city_state[normalize(return_city)] == \"MX-TAM\"".to_string()).boxed(),
        Just("normalize(notice_address) in placeholder_address".to_string()).boxed(),
        Just("any(l in languages: language_key[normalize(l)] == \"es\")".to_string()).boxed(),
        Just("all(d in hearing_dates: d > encounter_date)".to_string()).boxed(),
        Just("returned".to_string()).boxed(),
    ];
    if definite {
        leaves.extend([
            Just("excluded_2019".to_string()).boxed(),
            Just("uac".to_string()).boxed(),
            pick(BOOLS).prop_map(|f| format!("known {f}")).boxed(),
            pick(DATES).prop_map(|f| format!("unknown {f}")).boxed(),
            (pick(BOOLS), any::<bool>())
                .prop_map(|(f, b)| format!("{f} ?? {b}"))
                .boxed(),
            // Comparisons of a field with a constant under `??` (one
            // fused node in the compiled form).
            (pick(BOOLS), any::<bool>(), any::<bool>())
                .prop_map(|(f, b, c)| format!("({f} == {b}) ?? {c}"))
                .boxed(),
            (pick(PROGRAMS), any::<bool>())
                .prop_map(|(p, c)| format!("program != \"{p}\" ?? {c}"))
                .boxed(),
            (0i64..40, any::<bool>())
                .prop_map(|(n, c)| format!("(age >= {n}) ?? {c}"))
                .boxed(),
            (pick(DATES), pick(DATE_LITERALS), any::<bool>())
                .prop_map(|(d, l, c)| format!("({d} > {l}) ?? {c}"))
                .boxed(),
            (pick(STRS), pick(TEXTS))
                .prop_map(|(f, t)| format!("{f} == \"{t}\" ?? false"))
                .boxed(),
            Just("level == 4".to_string()).boxed(),
            Just("(country_of_origin ?? nationality) == \"MX\"".to_string()).boxed(),
        ]);
    }
    proptest::strategy::Union::new(leaves)
        .boxed()
        .prop_recursive(3, 12, 2, |inner| {
            prop_oneof![
                inner.clone().prop_map(|c| format!("not ({c})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) and ({b})")),
                (inner.clone(), inner).prop_map(|(a, b)| format!("({a}) or ({b})")),
            ]
        })
        .boxed()
}

/// A rule with a random condition, maybe a window and maybe an exception.
fn rule_text(definite: bool) -> impl Strategy<Value = String> {
    (
        condition(definite),
        proptest::option::of((pick(DATES), pick(DATE_LITERALS))),
        proptest::option::of(condition(definite)),
    )
        .prop_map(|(when, window, unless)| {
            let mut text =
                String::from("rule generated {\n  gap fear-not-screened\n  cites \"test\"\n");
            if let Some((date, from)) = window {
                text.push_str(&format!("  effective {date} from {from}\n"));
            }
            text.push_str(&format!("  when {when}\n"));
            if let Some(unless) = unless {
                text.push_str(&format!("  unless {unless}\n"));
            }
            text.push_str("}\n");
            text
        })
}

// -------------------------------------------------------------------- records

/// A random record as JSON: every field may be absent or `null` (also
/// the records of the mapping round-trip property).
pub(crate) fn record_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{json, Value as J};
    let maybe = |s: BoxedStrategy<J>| proptest::option::weighted(0.7, s).boxed();
    let date = || {
        pick(DATE_LITERALS)
            .prop_map(|d| J::String(d.to_string()))
            .boxed()
    };
    let text = || pick(TEXTS).prop_map(|t| J::String(t.to_string())).boxed();
    let boolean = || any::<bool>().prop_map(J::Bool).boxed();
    (
        (
            maybe(boolean()),
            maybe(boolean()),
            maybe(boolean()),
            maybe(boolean()),
            maybe(boolean()),
            maybe(boolean()),
        ),
        (maybe(date()), maybe(date()), maybe(date()), maybe(date())),
        (
            maybe(text()),
            maybe(text()),
            maybe(text()),
            maybe(text()),
            maybe(text()),
        ),
        (
            maybe(
                pick(PROGRAMS)
                    .prop_map(|p| J::String(p.to_string()))
                    .boxed(),
            ),
            maybe((0i64..40).prop_map(J::from).boxed()),
            maybe(
                proptest::sample::subsequence(HARMS, 0..=HARMS.len())
                    .prop_map(|h| json!(h))
                    .boxed(),
            ),
            maybe(
                proptest::sample::subsequence(&["es", "Spanish", "K'iche'", "mam"][..], 0..=2)
                    .prop_map(|l| json!(l))
                    .boxed(),
            ),
            maybe(
                proptest::sample::subsequence(DATE_LITERALS, 0..=3)
                    .prop_map(|d| json!(d))
                    .boxed(),
            ),
            maybe(
                proptest::sample::subsequence(&["pregnant", "disability", "lgbtqi"][..], 0..=2)
                    .prop_map(|v| json!(v))
                    .boxed(),
            ),
            any::<bool>(),
        ),
    )
        .prop_map(|(bools, dates, texts, rest)| {
            let mut record = serde_json::Map::new();
            record.insert("case_id".into(), J::String("P-1".into()));
            let mut nri = serde_json::Map::new();
            let mut put = |name: &str, value: Option<J>| {
                if let Some(value) = value {
                    match name.strip_prefix("nri.") {
                        Some(inner) => nri.insert(inner.to_string(), value),
                        None => record.insert(name.to_string(), value),
                    };
                }
            };
            let (b0, b1, b2, b3, b4, b5) = bools;
            for (name, value) in BOOLS.iter().zip([b0, b1, b2, b3, b4, b5]) {
                put(name, value);
            }
            let (d0, d1, d2, d3) = dates;
            for (name, value) in DATES.iter().zip([d0, d1, d2, d3]) {
                put(name, value);
            }
            let (t0, t1, t2, t3, t4) = texts;
            for (name, value) in STRS.iter().zip([t0, t1, t2, t3, t4]) {
                put(name, value);
            }
            let (program, age, harm, languages, hearings, vulnerabilities, has_nri) = rest;
            put("program", program);
            put("age", age);
            put("harm_in_mexico", harm);
            put("languages", languages);
            put("hearing_dates", hearings);
            put("vulnerabilities", vulnerabilities);
            if has_nri {
                record.insert("nri".into(), J::Object(nri));
            }
            J::Object(record)
        })
}

/// Decodes a JSON record for the compiled evaluator.
fn case_record(compiled: &Compiled, json: &serde_json::Value) -> CaseRecord {
    let index = SchemaIndex::new(compiled);
    let mut record = CaseRecord::with_fields(compiled.program.schema.fields.len());
    decode_line(
        compiled,
        &index,
        &json.to_string(),
        &mut record,
        &mut HashSet::new(),
    )
    .expect("generated records decode");
    record
}

/// The same record for the interpreter: every field, as `Value`s.
fn value_record(compiled: &Compiled, case: &CaseRecord) -> Record {
    Record::from_case(compiled, case)
}

/// Records used by every field the generated rules read are stored.
fn all_fields_used(compiled: &mut Compiled) {
    compiled.used_fields.iter_mut().for_each(|u| *u = true);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn compiled_evaluator_agrees_with_the_interpreter(
        rule in rule_text(true),
        records in proptest::collection::vec(record_json(), 8),
    ) {
        let mut compiled = compiled_with(&rule);
        all_fields_used(&mut compiled);
        let position = compiled.program.rules.iter().position(|r| r.id == "generated").expect("rule");
        let mut evaluator = Evaluator::new(&compiled);
        for json in &records {
            let mut case = case_record(&compiled, json);
            let values = value_record(&compiled, &case);
            let rule = &compiled.program.rules[position];
            let expected = rule_outcome(&compiled.program, &values, rule);
            evaluator.start_record();
            let actual = evaluator.rule(&mut case, &compiled.rules[position]);
            prop_assert_eq!(&actual, &expected, "record: {}", json);
            let (truth, unknowns) = Interpreter::new(&compiled.program, &values).truth(&rule.condition);
            evaluator.start_record();
            let (c_truth, c_unknowns) = evaluator.truth(&mut case, compiled.rules[position].condition);
            prop_assert_eq!((truth, unknowns), (c_truth, c_unknowns), "record: {}", json);
        }
    }

    #[test]
    fn filling_in_an_unknown_field_never_changes_a_definite_result(
        rule in rule_text(false),
        record in record_json(),
        filled in record_json(),
    ) {
        let mut compiled = compiled_with(&rule);
        all_fields_used(&mut compiled);
        let position = compiled.program.rules.iter().position(|r| r.id == "generated").expect("rule");
        let before = case_record(&compiled, &record);
        // Fill every unknown field of `record` from `filled`.
        let mut merged = record.as_object().cloned().unwrap_or_default();
        for (key, value) in filled.as_object().into_iter().flatten() {
            match (merged.get_mut(key), value) {
                (None, _) => { merged.insert(key.clone(), value.clone()); }
                (Some(serde_json::Value::Object(mine)), serde_json::Value::Object(theirs)) => {
                    for (k, v) in theirs {
                        mine.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
                _ => {}
            }
        }
        let merged = serde_json::Value::Object(merged);
        let after = case_record(&compiled, &merged);
        let rule = &compiled.program.rules[position];
        let outcome_before = rule_outcome(&compiled.program, &value_record(&compiled, &before), rule);
        let outcome_after = rule_outcome(&compiled.program, &value_record(&compiled, &after), rule);
        use crate::eval::outcome::RuleOutcome;
        match outcome_before {
            // A definite answer stays: a flag is never cleared by more facts.
            RuleOutcome::Flagged | RuleOutcome::NotApplicable => {
                prop_assert_eq!(&outcome_after, &outcome_before, "before: {}\nafter: {}", record, merged);
            }
            // A cleared rule stays clear (the condition may now be false
            // outright, which is reported the same way).
            RuleOutcome::Cleared(_) => {
                prop_assert!(
                    matches!(outcome_after, RuleOutcome::Cleared(_) | RuleOutcome::NotApplicable),
                    "before: {}\nafter: {}", record, merged
                );
            }
            RuleOutcome::NeedsReview(_) => {}
        }
    }
}

/// Collects results per case id.
#[derive(Default)]
struct Collect(Vec<(String, String)>);

impl Sink for Collect {
    fn case(
        &mut self,
        _: &Compiled,
        _: &CaseContext<'_>,
        result: &CaseResult,
    ) -> std::io::Result<()> {
        // Every finding with its outcome, explanation and facts.
        self.0
            .push((result.case_id.clone(), format!("{:?}", result.findings)));
        Ok(())
    }
    fn rejected(&mut self, _: &Rejection) -> std::io::Result<()> {
        Ok(())
    }
}

fn run_batch(compiled: &Compiled, lines: &[&str]) -> Vec<(String, String)> {
    let text = lines.join("\n");
    let index = SchemaIndex::new(compiled);
    let mut keys = HashSet::new();
    let mut reader = crate::records::input::reader(
        compiled,
        &index,
        "batch".into(),
        crate::records::input::InputFormat::Jsonl,
        Box::new(std::io::Cursor::new(text.into_bytes())),
        &mut keys,
        crate::records::input::MAX_RECORD_BYTES,
    )
    .expect("reader");
    let mut batch = Batch::new(
        compiled,
        BatchOptions {
            check_duplicates: true,
            ..BatchOptions::default()
        },
    );
    let mut sink = Collect::default();
    batch
        .run(reader.as_mut(), "batch", &mut sink)
        .expect("batch runs");
    sink.0
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_case_does_not_depend_on_the_order_or_the_rest_of_the_batch(
        order in Just((0..60usize).collect::<Vec<_>>()).prop_shuffle(),
        keep in proptest::collection::vec(any::<bool>(), 60),
    ) {
        let compiled = compiled_with("");
        let data = include_str!("../../tests/data/workload-3000.jsonl");
        let lines: Vec<&str> = data.lines().take(60).collect();
        let alone: std::collections::HashMap<String, String> = run_batch(&compiled, &lines).into_iter().collect();
        let shuffled: Vec<&str> = order.iter().filter(|&&i| keep[i]).map(|&i| lines[i]).collect();
        for (id, output) in run_batch(&compiled, &shuffled) {
            prop_assert_eq!(Some(&output), alone.get(&id), "case {}", id);
        }
    }
}
