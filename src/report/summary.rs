//! `--format summary`: per gap, flagged and needs-review counts; per
//! severity; totals.

use std::io::Write;

use crate::compile::Compiled;
use crate::eval::batch::CaseContext;
use crate::eval::finding::{CaseOutcome, CaseResult, FindingKind};
use crate::severity::Severity;

use super::Format;

/// The summary writer: counts while cases stream, prints at the end.
#[derive(Default)]
pub(crate) struct Summary {
    /// Per gap (taxonomy index): flagged, needs review.
    per_gap: Vec<(u64, u64)>,
    /// Per severity (`Severity::ALL` order): flagged, needs review.
    per_severity: [(u64, u64); 4],
    cases: [u64; 3],
}

impl Format for Summary {
    fn case(
        &mut self,
        _out: &mut dyn Write,
        compiled: &Compiled,
        _context: &CaseContext<'_>,
        result: &CaseResult,
    ) -> std::io::Result<()> {
        let program = &compiled.program;
        if self.per_gap.is_empty() {
            self.per_gap = vec![(0, 0); program.taxonomy.gaps.len()];
        }
        for finding in &result.findings {
            let rule = &program.rules[finding.rule()];
            let severity = Severity::ALL
                .iter()
                .position(|s| *s == rule.severity)
                .unwrap_or(3);
            let (gap, sev) = (
                &mut self.per_gap[rule.gap.0 as usize],
                &mut self.per_severity[severity],
            );
            match finding.kind() {
                FindingKind::Flagged => {
                    gap.0 += 1;
                    sev.0 += 1;
                }
                FindingKind::NeedsReview => {
                    gap.1 += 1;
                    sev.1 += 1;
                }
                FindingKind::Cleared => {}
            }
        }
        let i = match result.outcome() {
            CaseOutcome::Flagged => 0,
            CaseOutcome::NeedsReview => 1,
            CaseOutcome::Clear => 2,
        };
        self.cases[i] += 1;
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, compiled: &Compiled) -> std::io::Result<()> {
        let program = &compiled.program;
        writeln!(out, "{:<30} {:>9} {:>13}", "gap", "flagged", "needs review")?;
        for (i, gap) in program.taxonomy.gaps.iter().enumerate() {
            let (f, r) = self.per_gap.get(i).copied().unwrap_or_default();
            writeln!(out, "{:<30} {f:>9} {r:>13}", gap.id)?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "{:<30} {:>9} {:>13}",
            "severity", "flagged", "needs review"
        )?;
        for (i, severity) in Severity::ALL.iter().enumerate() {
            let (f, r) = self.per_severity[i];
            writeln!(out, "{:<30} {f:>9} {r:>13}", severity.as_str())?;
        }
        writeln!(out)?;
        let [flagged, review, clear] = self.cases;
        writeln!(
            out,
            "cases: {} evaluated; {flagged} flagged, {review} need review, {clear} clear",
            flagged + review + clear
        )
    }
}
