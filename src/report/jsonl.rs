//! `--format jsonl`: one JSON object per evaluated case, in input order.

use std::io::Write;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::compile::Compiled;
use crate::eval::finding::{CaseOutcome, CaseResult, Finding, FindingKind};

use super::Format;

/// The JSON Lines writer.
#[derive(Default)]
pub struct JsonLines;

#[derive(Serialize)]
struct CaseJson<'a> {
    case_id: &'a str,
    outcome: CaseOutcome,
    findings: Vec<FindingJson<'a>>,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    rule: &'a str,
    gap: &'a str,
    severity: crate::severity::Severity,
    outcome: FindingKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    cleared_by: Option<&'a str>,
    because: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unknown: Vec<&'a str>,
    facts: Facts<'a>,
    cites: &'a [String],
}

/// `facts` as an object in the order the fields were read.
struct Facts<'a>(Vec<(&'a str, &'a serde_json::Value)>);

impl Serialize for Facts<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

fn finding_json<'a>(compiled: &'a Compiled, finding: &'a Finding) -> FindingJson<'a> {
    let program = &compiled.program;
    let rule = &program.rules[finding.rule()];
    let field = |f: &crate::ruleset::schema::FieldId| program.schema.field(*f).name.as_str();
    FindingJson {
        rule: &rule.id,
        gap: &program.taxonomy.get(rule.gap).id,
        severity: rule.severity,
        outcome: finding.kind(),
        cleared_by: finding
            .cleared_by()
            .map(|i| rule.exceptions[i].name.as_str()),
        because: finding.because(),
        unknown: finding.unknown().iter().map(field).collect(),
        facts: Facts(finding.facts().iter().map(|(f, v)| (field(f), v)).collect()),
        cites: &rule.cites,
    }
}

impl Format for JsonLines {
    fn case(
        &mut self,
        out: &mut dyn Write,
        compiled: &Compiled,
        result: &CaseResult,
    ) -> std::io::Result<()> {
        let json = CaseJson {
            case_id: &result.case_id,
            outcome: result.outcome(),
            findings: result
                .findings
                .iter()
                .map(|f| finding_json(compiled, f))
                .collect(),
        };
        serde_json::to_writer(&mut *out, &json)?;
        out.write_all(b"\n")
    }

    fn finish(&mut self, _out: &mut dyn Write, _compiled: &Compiled) -> std::io::Result<()> {
        Ok(())
    }
}
