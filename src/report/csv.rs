//! `--format csv`: one row per finding (with the rule's title, the
//! explanation, the citations, and the input file and line of the record);
//! a clear case gets one row with empty rule columns, so every evaluated
//! case appears. Every cell is
//! written through [`escape::csv`]: no control character, and no cell that a
//! spreadsheet would read as a formula.

use std::io::Write;

use crate::compile::Compiled;
use crate::escape;
use crate::eval::batch::CaseContext;
use crate::eval::finding::CaseResult;

use super::Format;

/// The CSV writer.
#[derive(Default)]
pub(crate) struct CsvRows {
    header_written: bool,
}

const HEADER: [&str; 12] = [
    "case_id",
    "case_outcome",
    "rule",
    "gap",
    "severity",
    "outcome",
    "title",
    "because",
    "unknown",
    "cites",
    "file",
    "line",
];

impl Format for CsvRows {
    fn case(
        &mut self,
        out: &mut dyn Write,
        compiled: &Compiled,
        context: &CaseContext<'_>,
        result: &CaseResult,
    ) -> std::io::Result<()> {
        let mut writer = csv::Writer::from_writer(out);
        if !self.header_written {
            writer.write_record(HEADER)?;
            self.header_written = true;
        }
        let case_outcome = result.outcome().as_str();
        let case_id = result.case_id.as_str();
        let line = context.line.to_string();
        if result.findings.is_empty() {
            write_row(
                &mut writer,
                [
                    case_id,
                    case_outcome,
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    context.file,
                    &line,
                ],
            )?;
        }
        let program = &compiled.program;
        for finding in &result.findings {
            let rule = &program.rules[finding.rule()];
            let unknown: Vec<&str> = finding
                .unknown()
                .iter()
                .map(|f| program.schema.field(*f).name.as_str())
                .collect();
            let cells = [
                case_id,
                case_outcome,
                rule.id.as_str(),
                program.taxonomy.get(rule.gap).id.as_str(),
                rule.severity.as_str(),
                finding.kind().as_str(),
                rule.title.as_str(),
                finding.because(),
                &unknown.join(";"),
                &rule.cites.join("; "),
                context.file,
                &line,
            ];
            write_row(&mut writer, cells)?;
        }
        writer.flush()
    }

    fn finish(&mut self, out: &mut dyn Write, _compiled: &Compiled) -> std::io::Result<()> {
        if !self.header_written {
            csv::Writer::from_writer(out).write_record(HEADER)?;
        }
        Ok(())
    }
}

/// Writes one row, every cell through [`escape::csv`].
fn write_row<W: Write>(writer: &mut csv::Writer<W>, cells: [&str; 12]) -> csv::Result<()> {
    for cell in cells {
        writer.write_field(escape::csv(cell).as_bytes())?;
    }
    // An empty record ends the row.
    writer.write_record(None::<&[u8]>)
}
