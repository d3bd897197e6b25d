//! Tests of the case trace over the example batch: it agrees with the
//! compiled evaluator, and every assignment offered as deciding a finding
//! under review decides it as said, and is minimal.

use std::path::Path;

use crate::brief::tests::{records, standard};
use crate::compile::Compiled;
use crate::eval::batch::{evaluate_case, BatchOptions};
use crate::eval::compiled::Evaluator;
use crate::eval::finding::CaseResult;
use crate::eval::interpret::rule_outcome;
use crate::eval::outcome::RuleOutcome;
use crate::eval::record::Record;
use crate::records::case::CaseRecord;

use super::resolve::WouldChange;
use super::{outcome_word, Tracer};

/// The example batch, decoded.
fn examples(compiled: &Compiled) -> Vec<CaseRecord> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/examples/cases.jsonl");
    let text = std::fs::read_to_string(path).expect("example batch");
    records(compiled, &text)
}

#[test]
fn traces_agree_with_the_compiled_evaluator_and_resolving_values_decide_as_said() {
    let (sources, compiled) = standard();
    let program = &compiled.program;
    let mut evaluator = Evaluator::new(compiled);
    let mut result = CaseResult::default();
    let mut checked = 0;
    for mut case in examples(compiled) {
        let options = BatchOptions {
            show_cleared: true,
            ..BatchOptions::default()
        };
        evaluate_case(&mut evaluator, &mut case, &mut result, options, |_| false);
        let record = Record::from_case(compiled, &case);
        let trace = Tracer::new(program, sources, &record).case("x", 1, None);
        for (index, rule) in trace.rules.iter().enumerate() {
            let compiled_outcome = result
                .findings
                .iter()
                .find(|f| f.rule() == index)
                .map_or(RuleOutcome::NotApplicable, |f| f.outcome().clone());
            assert_eq!(
                rule.outcome,
                outcome_word(&compiled_outcome),
                "{}",
                case.case_id
            );
            let Some(WouldChange::Resolve {
                unknown,
                assignments,
                ..
            }) = &rule.would_change
            else {
                continue;
            };
            for assignment in assignments {
                let mut tried = record.clone();
                for fact in &assignment.set {
                    let field = program.schema.find(&fact.field).expect("field");
                    assert!(unknown.contains(&fact.field));
                    let ty = &program.schema.field(field).ty;
                    tried.slots[field.0 as usize] = Some(value_of(compiled, ty, &fact.value));
                }
                let outcome = rule_outcome(program, &tried, &program.rules[index]);
                assert_eq!(
                    outcome_word(&outcome),
                    assignment.outcome,
                    "{}",
                    case.case_id
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} assignments checked");
}

/// A JSON value back as an interpreter value of type `ty`.
fn value_of(
    compiled: &Compiled,
    ty: &crate::types::Type,
    json: &serde_json::Value,
) -> crate::value::Value {
    use crate::types::Type;
    use crate::value::Value;
    match (ty, json) {
        (Type::Record, _) => Value::Bool(true),
        (Type::Enum(id), serde_json::Value::String(s)) => Value::Enum(
            compiled
                .program
                .schema
                .enum_value(*id, s)
                .expect("enum value"),
        ),
        (Type::Date, serde_json::Value::String(s)) => {
            Value::Date(crate::date::Date::parse(s).expect("date"))
        }
        (Type::Duration, serde_json::Value::Number(n)) => Value::Duration(n.as_i64().expect("n")),
        (_, serde_json::Value::Number(n)) => Value::Int(n.as_i64().expect("n")),
        (_, serde_json::Value::Bool(b)) => Value::Bool(*b),
        (_, serde_json::Value::String(s)) => Value::Str(s.as_str().into()),
        (Type::List(element), serde_json::Value::Array(items)) => Value::List(
            items
                .iter()
                .map(|v| value_of(compiled, element, v))
                .collect(),
        ),
        _ => panic!("unexpected value {json}"),
    }
}
