//! The fast writer against the reference: `escape::write_json` of the
//! serde shape `CaseReport`, byte for byte, on the shipped batches and on
//! random records.

use std::collections::HashSet;
use std::path::Path;

use proptest::prelude::*;

use super::CaseJson;
use crate::compile::{compile, Compiled};
use crate::escape;
use crate::eval::batch::{evaluate_case, BatchOptions};
use crate::eval::compiled::Evaluator;
use crate::eval::finding::CaseResult;
use crate::records::case::CaseRecord;
use crate::records::json::decode_line;
use crate::records::schema_index::SchemaIndex;
use crate::report::case_view::CaseView;

/// A rule set of the repository, compiled.
fn compiled(dir: &str) -> Compiled {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let loaded = crate::ruleset::load(&dir).expect("rule set loads");
    let (_, checked) = crate::check::check(loaded);
    let mut compiled = compile(checked.program.expect("rule set checks"));
    // Every field decoded, so the facts show whatever the rules read.
    compiled.used_fields.iter_mut().for_each(|u| *u = true);
    compiled
}

/// Evaluates each record line (rejected ones skipped) and compares the two
/// writers; how many lines were compared.
fn compare<'a>(compiled: &Compiled, lines: impl Iterator<Item = &'a str>, explain: bool) -> usize {
    let index = SchemaIndex::new(compiled);
    let mut evaluator = Evaluator::new(compiled);
    let mut record = CaseRecord::with_fields(compiled.program.schema.fields.len());
    let mut result = CaseResult::default();
    let json = CaseJson::new(compiled);
    let options = BatchOptions {
        show_cleared: true,
        explain,
        ..BatchOptions::default()
    };
    let mut compared = 0;
    for line in lines {
        if decode_line(compiled, &index, line, &mut record, &mut HashSet::new()).is_err() {
            continue;
        }
        evaluate_case(&mut evaluator, &mut record, &mut result, options, |_| {
            explain
        });
        let mut fast = b"before".to_vec();
        json.render(&mut fast, compiled, &record, &result);
        let mut reference = b"before".to_vec();
        escape::write_json(
            &mut reference,
            &CaseView::new(compiled, &record, &result).report(),
        )
        .expect("writing to memory");
        reference.push(b'\n');
        assert_eq!(
            String::from_utf8_lossy(&fast),
            String::from_utf8_lossy(&reference),
            "{line}"
        );
        compared += 1;
    }
    compared
}

#[test]
fn the_shipped_batches_are_written_as_serde_writes_them() {
    let batches = [
        include_str!("../../../tests/data/workload-3000.jsonl"),
        include_str!("../../../tests/data/workload-edge-cases.jsonl"),
        include_str!("../../../rules/examples/cases.jsonl"),
    ];
    for dir in ["rules", "benches/workload"] {
        let compiled = compiled(dir);
        for explain in [true, false] {
            for batch in batches {
                assert!(compare(&compiled, batch.lines(), explain) > 0);
            }
        }
    }
}

/// Random records of the property tests, with any text as case id and
/// in two text fields (escapes, unsafe characters, non-ASCII).
#[test]
fn random_cases_are_written_as_serde_writes_them() {
    let compiled = compiled("rules");
    let records = (
        crate::eval::properties::record_json(),
        any::<String>(),
        proptest::option::of(any::<String>()),
        proptest::option::of("[ -~\u{7f}-\u{a0}\u{202e}\u{2028}é\n\t]{0,12}"),
    );
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 512,
        ..ProptestConfig::default()
    });
    runner
        .run(&records, |(mut record, case_id, city, address)| {
            if let Some(object) = record.as_object_mut() {
                object.insert("case_id".into(), case_id.into());
                if let Some(city) = city {
                    object.insert("return_city".into(), city.into());
                }
                if let Some(address) = address {
                    object.insert("notice_address".into(), address.into());
                }
            }
            let line = record.to_string();
            compare(&compiled, std::iter::once(line.as_str()), true);
            Ok(())
        })
        .expect("the writers agree");
}
