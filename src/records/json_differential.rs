//! The fast scanner checked against the serde path on one line: what the
//! differential property tests and the `json_decoders` fuzz target assert.

use std::collections::HashSet;

use crate::compile::Compiled;
use crate::records::case::CaseRecord;
use crate::records::json::{decode_line, decode_line_serde};
use crate::records::rejection::Problem;
use crate::records::schema_index::SchemaIndex;

/// A line decoded before the one compared, so that both decoders start from
/// a used record and a non-empty set of unknown keys, as in a batch.
const BEFORE: &str = r#"{"case_id":"before","age":3,"seen":1}"#;

/// Everything decoding a line produces (the second time: the first
/// result, then all of the second).
#[derive(Debug, PartialEq)]
struct Decoded {
    first: Result<(), Vec<Problem>>,
    result: Result<(), Vec<Problem>>,
    case_id: String,
    slots: Vec<crate::compile::val::Val>,
    text: String,
    items: Vec<crate::compile::val::Val>,
    named: Vec<u64>,
    unknown_keys: Vec<String>,
}

type Decoder = fn(
    &Compiled,
    &SchemaIndex,
    &str,
    &mut CaseRecord,
    &mut HashSet<String>,
) -> Result<(), Vec<Problem>>;

fn decode_with(compiled: &Compiled, index: &SchemaIndex, line: &str, decoder: Decoder) -> Decoded {
    let mut record = CaseRecord::with_fields(compiled.program.schema.fields.len());
    let mut keys = HashSet::new();
    let _ = decoder(compiled, index, BEFORE, &mut record, &mut keys);
    // Twice, so that the scanner expects the line's own keys the second time.
    let first = decoder(compiled, index, line, &mut record, &mut keys);
    let result = decoder(compiled, index, line, &mut record, &mut keys);
    let mut unknown_keys: Vec<String> = keys.into_iter().collect();
    unknown_keys.sort();
    Decoded {
        first,
        result,
        case_id: record.case_id,
        slots: record.slots,
        text: record.text,
        items: record.items,
        named: record.named,
        unknown_keys,
    }
}

/// Decodes `line` with [`decode_line`] (the scanner, then serde if need
/// be) and with [`decode_line_serde`]; the two outcomes when they differ
/// in anything (result, problems, record, unknown keys).
pub(crate) fn disagreement(compiled: &Compiled, index: &SchemaIndex, line: &str) -> Option<String> {
    let fast = decode_with(compiled, index, line, decode_line);
    let serde = decode_with(compiled, index, line, decode_line_serde);
    (fast != serde).then(|| format!("line {line:?}\nfast:  {fast:?}\nserde: {serde:?}"))
}
