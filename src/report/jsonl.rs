//! `--format jsonl`: one JSON object per evaluated case, in input order, in
//! the shape of [`CaseReport`], byte for byte what [`escape::write_json`]
//! writes for it (exact, and inert on a terminal).
//!
//! What does not depend on the case (each rule's id, gap, severity and
//! citations, the exceptions' and fields' names) is serialised once per run
//! ([`CaseJson::new`]); a case is then written straight into one buffer: its
//! explanations escaped in place ([`escape::json_str_into`]), its facts from
//! the record's values. Nothing is allocated per case or finding.
//!
//! [`CaseReport`]: super::case_json::CaseReport

use std::io::Write;

use crate::compile::Compiled;
use crate::escape;
use crate::eval::batch::CaseContext;
use crate::eval::explain;
use crate::eval::finding::{CaseResult, FindingKind};
use crate::records::case::CaseRecord;

use super::Format;
use crate::eval::fact_value::FactValue;

/// The JSON Lines writer.
pub(crate) struct JsonLines {
    json: CaseJson,
    buffer: Vec<u8>,
}

impl JsonLines {
    /// The writer for `compiled`'s rules.
    pub(crate) fn new(compiled: &Compiled) -> JsonLines {
        JsonLines {
            json: CaseJson::new(compiled),
            buffer: Vec::with_capacity(4096),
        }
    }
}

impl Format for JsonLines {
    fn case(
        &mut self,
        out: &mut dyn Write,
        compiled: &Compiled,
        context: &CaseContext<'_>,
        result: &CaseResult,
    ) -> std::io::Result<()> {
        self.buffer.clear();
        self.json
            .render(&mut self.buffer, compiled, context.record, result);
        out.write_all(&self.buffer)
    }

    fn finish(&mut self, _out: &mut dyn Write, _compiled: &Compiled) -> std::io::Result<()> {
        Ok(())
    }
}

/// The constant JSON of one rule's findings.
struct RuleJson {
    /// `{"rule":…,"gap":…,"severity":…,"outcome":`.
    head: Vec<u8>,
    /// Each exception's name, as a JSON string.
    exceptions: Vec<Vec<u8>>,
    /// `,"cites":[…]}`.
    tail: Vec<u8>,
}

/// A case's line of JSON Lines, from the parts serialised once.
pub(crate) struct CaseJson {
    rules: Vec<RuleJson>,
    /// Each schema field's name, as a JSON string.
    fields: Vec<Vec<u8>>,
}

/// `text` as a JSON string.
fn json_text(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    escape::json_str_into(&mut out, text);
    out
}

impl CaseJson {
    /// Serialises the constant parts of `compiled`'s findings.
    pub(crate) fn new(compiled: &Compiled) -> CaseJson {
        let program = &compiled.program;
        let rules = program
            .rules
            .iter()
            .map(|rule| {
                let mut head = b"{\"rule\":".to_vec();
                escape::json_str_into(&mut head, &rule.id);
                head.extend_from_slice(b",\"gap\":");
                escape::json_str_into(&mut head, &program.taxonomy.get(rule.gap).id);
                head.extend_from_slice(b",\"severity\":");
                escape::json_str_into(&mut head, rule.severity.as_str());
                head.extend_from_slice(b",\"outcome\":");
                let mut tail = b",\"cites\":[".to_vec();
                for (i, cite) in rule.cites.iter().enumerate() {
                    if i > 0 {
                        tail.push(b',');
                    }
                    escape::json_str_into(&mut tail, cite);
                }
                tail.extend_from_slice(b"]}");
                RuleJson {
                    head,
                    exceptions: rule.exceptions.iter().map(|e| json_text(&e.name)).collect(),
                    tail,
                }
            })
            .collect();
        let fields = program
            .schema
            .fields
            .iter()
            .map(|field| json_text(&field.name))
            .collect();
        CaseJson { rules, fields }
    }

    /// Appends the line of case `result` (found for `record`), newline
    /// included, to `out`.
    pub(crate) fn render(
        &self,
        out: &mut Vec<u8>,
        compiled: &Compiled,
        record: &CaseRecord,
        result: &CaseResult,
    ) {
        out.extend_from_slice(b"{\"case_id\":");
        escape::json_str_into(out, &result.case_id);
        out.extend_from_slice(b",\"outcome\":\"");
        out.extend_from_slice(result.outcome().as_str().as_bytes());
        out.extend_from_slice(b"\",\"findings\":[");
        for (i, finding) in result.findings.iter().enumerate() {
            let Some(rule) = self.rules.get(finding.rule()) else {
                continue;
            };
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&rule.head);
            out.push(b'"');
            out.extend_from_slice(finding.kind().as_str().as_bytes());
            out.push(b'"');
            if finding.kind() == FindingKind::Cleared {
                if let Some(name) = finding.cleared_by().and_then(|e| rule.exceptions.get(e)) {
                    out.extend_from_slice(b",\"cleared_by\":");
                    out.extend_from_slice(name);
                }
            }
            out.extend_from_slice(b",\"because\":");
            escape::json_str_into(out, finding.because());
            if !finding.unknown().is_empty() {
                out.extend_from_slice(b",\"unknown\":[");
                for (j, field) in finding.unknown().iter().enumerate() {
                    if j > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(self.field(field.0 as usize));
                }
                out.push(b']');
            }
            out.extend_from_slice(b",\"facts\":{");
            if let Some(compiled_rule) = compiled.rules.get(finding.rule()) {
                if finding.explained() {
                    let facts = explain::fact_values(compiled, record, compiled_rule);
                    for (j, (field, value, ty)) in facts.enumerate() {
                        if j > 0 {
                            out.push(b',');
                        }
                        out.extend_from_slice(self.field(field.0 as usize));
                        out.push(b':');
                        fact_json(out, FactValue::of(compiled, record, value, ty));
                    }
                }
            }
            out.push(b'}');
            out.extend_from_slice(&rule.tail);
        }
        out.extend_from_slice(b"]}\n");
    }

    /// A field's name as a JSON string.
    fn field(&self, index: usize) -> &[u8] {
        self.fields.get(index).map_or(b"\"\"", Vec::as_slice)
    }
}

/// Appends a fact's value as JSON: what [`FactValue::to_json`] makes of
/// it, serialised.
fn fact_json(out: &mut Vec<u8>, value: FactValue<'_>) {
    // Writing to a `Vec` cannot fail.
    match value {
        FactValue::Null => out.extend_from_slice(b"null"),
        FactValue::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        FactValue::Int(i) => {
            let _ = write!(out, "{i}");
        }
        FactValue::List(list) => {
            out.push(b'[');
            for (i, item) in list.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                fact_json(out, item);
            }
            out.push(b']');
        }
        // A date's text is digits and dashes: nothing to escape.
        FactValue::Date(date) => match date.iso() {
            Some(text) => {
                out.push(b'"');
                out.extend_from_slice(&text);
                out.push(b'"');
            }
            None => {
                let _ = write!(out, "\"{date}\"");
            }
        },
        FactValue::Code(code) => {
            let _ = write!(out, "\"{code}\"");
        }
        FactValue::Text(text) => escape::json_str_into(out, text),
    }
}

#[cfg(test)]
mod tests;
