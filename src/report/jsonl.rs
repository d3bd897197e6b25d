//! `--format jsonl`: one JSON object per evaluated case, in input order, in
//! the shape of [`CaseReport`], written by [`escape::write_json`] (exact, and
//! inert on a terminal).

use std::io::Write;

use crate::compile::Compiled;
use crate::escape;
use crate::eval::batch::CaseContext;
use crate::eval::finding::CaseResult;

use super::case_json::CaseReport;
use super::Format;

/// The JSON Lines writer.
#[derive(Default)]
pub(crate) struct JsonLines;

impl Format for JsonLines {
    fn case(
        &mut self,
        out: &mut dyn Write,
        compiled: &Compiled,
        _context: &CaseContext<'_>,
        result: &CaseResult,
    ) -> std::io::Result<()> {
        escape::write_json(&mut *out, &CaseReport::of(compiled, result))?;
        out.write_all(b"\n")
    }

    fn finish(&mut self, _out: &mut dyn Write, _compiled: &Compiled) -> std::io::Result<()> {
        Ok(())
    }
}
