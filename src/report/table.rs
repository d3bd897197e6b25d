//! `--format table`: readable in a terminal, with colour when stdout is one.
//! Cases with findings are shown; clear cases are counted at the end. All
//! text is shown through [`escape::terminal`]: a case id or record value
//! cannot move the cursor, recolour, retitle or reorder the terminal, or
//! start a line of its own.

use std::io::Write;

use crate::compile::Compiled;
use crate::escape;
use crate::eval::batch::CaseContext;
use crate::eval::finding::{CaseOutcome, CaseResult};
use crate::severity::Severity;

use super::Format;

/// The table writer.
pub(crate) struct Table {
    /// Whether to use ANSI colours.
    pub colour: bool,
    clear: u64,
}

impl Table {
    /// A table writer.
    pub(crate) fn new(colour: bool) -> Table {
        Table { colour, clear: 0 }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

fn severity_colour(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "36",
    }
}

impl Format for Table {
    fn case(
        &mut self,
        out: &mut dyn Write,
        compiled: &Compiled,
        _context: &CaseContext<'_>,
        result: &CaseResult,
    ) -> std::io::Result<()> {
        let outcome = result.outcome();
        if outcome == CaseOutcome::Clear && result.findings.is_empty() {
            self.clear += 1;
            return Ok(());
        }
        let label = match outcome {
            CaseOutcome::Flagged => self.paint("1;31", "FLAGGED"),
            CaseOutcome::NeedsReview => self.paint("33", "NEEDS REVIEW"),
            CaseOutcome::Clear => self.paint("32", "clear"),
        };
        let case_id = escape::terminal(&result.case_id);
        writeln!(out, "{}  {label}", self.paint("1", &case_id))?;
        let program = &compiled.program;
        for finding in &result.findings {
            let rule = &program.rules[finding.rule()];
            let what = finding.outcome().describe(program, finding.rule());
            let severity = format!("{:<8}", rule.severity.as_str());
            writeln!(
                out,
                "  {} {}  {}",
                self.paint(severity_colour(rule.severity), &severity),
                escape::terminal(&program.taxonomy.get(rule.gap).id),
                escape::terminal(&what)
            )?;
            writeln!(out, "           {}", escape::terminal(finding.because()))?;
            if !rule.cites.is_empty() {
                let cites = rule.cites.join("; ");
                writeln!(out, "           cites: {}", escape::terminal(&cites))?;
            }
        }
        writeln!(out)
    }

    fn finish(&mut self, out: &mut dyn Write, _compiled: &Compiled) -> std::io::Result<()> {
        writeln!(
            out,
            "{} clear case{} not shown",
            self.clear,
            if self.clear == 1 { "" } else { "s" }
        )
    }
}
