//! `--format flags`: the benchmark's reference form, one line per case with
//! the ids of the flagged gaps in rule order:
//! `{"case_id":"A-0000003","flags":["danger-of-return","notice-defect"]}`.

use std::io::Write;

use crate::compile::Compiled;
use crate::escape;
use crate::eval::batch::CaseContext;
use crate::eval::finding::{CaseResult, FindingKind};

use super::Format;

/// The flags writer.
#[derive(Default)]
pub(crate) struct Flags;

#[derive(serde::Serialize)]
struct Line<'a> {
    case_id: &'a str,
    flags: Vec<&'a str>,
}

impl Format for Flags {
    fn case(
        &mut self,
        out: &mut dyn Write,
        compiled: &Compiled,
        _context: &CaseContext<'_>,
        result: &CaseResult,
    ) -> std::io::Result<()> {
        let program = &compiled.program;
        let mut flags: Vec<&str> = Vec::with_capacity(result.findings.len());
        for finding in result
            .findings
            .iter()
            .filter(|f| f.kind() == FindingKind::Flagged)
        {
            let gap = program
                .taxonomy
                .get(program.rules[finding.rule()].gap)
                .id
                .as_str();
            if !flags.contains(&gap) {
                flags.push(gap);
            }
        }
        escape::write_json(
            &mut *out,
            &Line {
                case_id: &result.case_id,
                flags,
            },
        )?;
        out.write_all(b"\n")
    }

    fn finish(&mut self, _out: &mut dyn Write, _compiled: &Compiled) -> std::io::Result<()> {
        Ok(())
    }
}
