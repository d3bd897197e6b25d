//! `--format summary`: per gap, flagged and needs-review counts; per
//! severity; totals.

use std::io::Write;

use crate::compile::Compiled;
use crate::eval::batch::CaseContext;
use crate::eval::finding::{CaseOutcome, CaseResult, FindingKind};
use crate::severity::Severity;

use super::Format;

/// Counts of one row (a gap or a severity): findings, and cases with at
/// least one such finding, flagged and needing review.
#[derive(Clone, Copy, Debug, Default)]
struct Row {
    flagged_findings: u64,
    flagged_cases: u64,
    review_findings: u64,
    review_cases: u64,
}

impl Row {
    /// Adds one finding of `kind`; `first_in_case` says whether the case
    /// had no finding of this kind in this row yet.
    fn add(&mut self, kind: FindingKind, first_in_case: bool) {
        match kind {
            FindingKind::Flagged => {
                self.flagged_findings += 1;
                self.flagged_cases += u64::from(first_in_case);
            }
            FindingKind::NeedsReview => {
                self.review_findings += 1;
                self.review_cases += u64::from(first_in_case);
            }
            FindingKind::Cleared => {}
        }
    }
}

/// The summary writer: counts while cases stream, prints at the end.
#[derive(Default)]
pub(crate) struct Summary {
    /// Per gap (taxonomy index).
    per_gap: Vec<Row>,
    /// Per severity (`Severity::ALL` order).
    per_severity: [Row; 4],
    cases: [u64; 3],
    /// For the case being counted: which rows (gaps, then severities) it
    /// already counted, flagged and needing review.
    seen: Vec<[bool; 2]>,
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
        let gaps = program.taxonomy.gaps.len();
        if self.per_gap.is_empty() {
            self.per_gap = vec![Row::default(); gaps];
        }
        self.seen.clear();
        self.seen.resize(gaps + Severity::ALL.len(), [false; 2]);
        for finding in &result.findings {
            let rule = &program.rules[finding.rule()];
            let severity = Severity::ALL
                .iter()
                .position(|s| *s == rule.severity)
                .unwrap_or(3);
            let kind = finding.kind();
            let slot = match kind {
                FindingKind::Flagged => 0,
                FindingKind::NeedsReview => 1,
                FindingKind::Cleared => continue,
            };
            let gap = rule.gap.0 as usize;
            let first = !std::mem::replace(&mut self.seen[gap][slot], true);
            self.per_gap[gap].add(kind, first);
            let first = !std::mem::replace(&mut self.seen[gaps + severity][slot], true);
            self.per_severity[severity].add(kind, first);
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
        let [flagged, review, clear] = self.cases;
        let evaluated = flagged + review + clear;
        let share = |n: u64| {
            if evaluated == 0 {
                0.0
            } else {
                n as f64 * 100.0 / evaluated as f64
            }
        };
        let row = |out: &mut dyn Write, name: &str, r: Row| {
            writeln!(
                out,
                "{name:<30} {:>9} {:>7} {:>6.1}%  {:>9} {:>7} {:>6.1}%",
                r.flagged_findings,
                r.flagged_cases,
                share(r.flagged_cases),
                r.review_findings,
                r.review_cases,
                share(r.review_cases)
            )
        };
        let header = |out: &mut dyn Write, first: &str| {
            writeln!(
                out,
                "{:<30} {:>9} {:>7} {:>7}  {:>9} {:>7} {:>7}",
                first, "findings", "cases", "%", "findings", "cases", "%"
            )
        };
        writeln!(out, "{:<30} {:<26}  needs review", "", "flagged")?;
        header(out, "gap")?;
        for (i, gap) in program.taxonomy.gaps.iter().enumerate() {
            row(
                out,
                &gap.id,
                self.per_gap.get(i).copied().unwrap_or_default(),
            )?;
        }
        writeln!(out)?;
        header(out, "severity")?;
        for (i, severity) in Severity::ALL.iter().enumerate() {
            row(out, severity.as_str(), self.per_severity[i])?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "cases: {evaluated} evaluated; {flagged} flagged ({:.1}%), {review} need review ({:.1}%), {clear} clear ({:.1}%)",
            share(flagged),
            share(review),
            share(clear)
        )?;
        writeln!(
            out,
            "(findings: one per rule and case; cases: cases with at least one such finding; %: of cases evaluated)"
        )
    }
}
