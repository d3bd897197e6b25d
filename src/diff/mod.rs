//! `nrscreen diff`: what a rule edit changes. Both compiled rule sets
//! evaluate every record of the same batch in one pass (`Comparer`); per
//! gap, each case's outcome under each (its worst finding for that gap:
//! flagged, then needs review, else clear) is compared and the changes
//! counted by direction, with a sample of changed cases and both
//! explanations. `rules.rs` compares the rule texts as printed.
//!
//! The two rule sets may have different schemas, and decoded values belong
//! to one compiled rule set (its symbols), so each record is decoded by
//! each rule set's reader: two readers over the same input, advanced in
//! step (each yields one record or rejection per record of the input).

pub(crate) mod render;
pub(crate) mod rules;

use serde::Serialize;

use crate::compile::Compiled;
use crate::eval::batch::{duplicate_case_id, evaluate_case, BatchError, BatchOptions};
use crate::eval::case_ids::CaseIds;
use crate::eval::compiled::Evaluator;
use crate::eval::finding::{CaseResult, FindingKind};
use crate::records::case::CaseRecord;
use crate::records::input::{Read1, RecordReader};
use crate::records::rejection::Rejection;

/// A case's outcome for one gap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum GapOutcome {
    /// No finding of the gap's rules (or cleared by an exception).
    Clear,
    /// A finding needs review, none is flagged.
    NeedsReview,
    /// A finding is flagged.
    Flagged,
}

impl GapOutcome {
    /// `clear`, `needs-review`, `flagged`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            GapOutcome::Clear => "clear",
            GapOutcome::NeedsReview => "needs-review",
            GapOutcome::Flagged => "flagged",
        }
    }

    /// `clear`, `needs review`, `flagged`.
    pub(crate) fn words(self) -> &'static str {
        match self {
            GapOutcome::NeedsReview => "needs review",
            other => other.as_str(),
        }
    }
}

/// The six directions of change, in the order reported.
pub(crate) const DIRECTIONS: [(GapOutcome, GapOutcome); 6] = [
    (GapOutcome::Clear, GapOutcome::Flagged),
    (GapOutcome::Clear, GapOutcome::NeedsReview),
    (GapOutcome::NeedsReview, GapOutcome::Flagged),
    (GapOutcome::NeedsReview, GapOutcome::Clear),
    (GapOutcome::Flagged, GapOutcome::NeedsReview),
    (GapOutcome::Flagged, GapOutcome::Clear),
];

/// The whole comparison.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct DiffReport {
    /// The old rule set's directory, as given.
    pub old: String,
    /// The new rule set's directory, as given.
    pub new: String,
    /// The inputs, as given.
    pub inputs: Vec<String>,
    /// The accounting: read = evaluated + rejected.
    pub totals: DiffTotals,
    /// Rules and definitions added, removed or changed.
    pub rules: rules::RuleChanges,
    /// Per gap (the old taxonomy's order, then gaps only the new one has).
    pub gaps: Vec<GapDiff>,
}

/// The accounting of a comparison.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct DiffTotals {
    /// Records read.
    pub read: u64,
    /// Records evaluated by both rule sets.
    pub evaluated: u64,
    /// Records rejected (by either rule set's reader, or as a repeated
    /// case id).
    pub rejected: u64,
    /// Of those, rejected under the old rule set only.
    pub rejected_old_only: u64,
    /// Of those, rejected under the new rule set only.
    pub rejected_new_only: u64,
    /// Evaluated cases whose outcome changed for at least one gap.
    pub changed_cases: u64,
}

/// One gap's comparison.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct GapDiff {
    /// The gap id.
    pub gap: String,
    /// Whether each rule set's taxonomy has it.
    pub in_old: bool,
    /// See `in_old`.
    pub in_new: bool,
    /// Evaluated cases per outcome under the old rules.
    pub old: Counts,
    /// Evaluated cases per outcome under the new rules.
    pub new: Counts,
    /// The directions in which cases changed (those with cases only).
    pub changes: Vec<Change>,
}

/// Cases per outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Counts {
    /// Flagged.
    pub flagged: u64,
    /// Needing review.
    pub needs_review: u64,
    /// Clear.
    pub clear: u64,
}

impl Counts {
    fn add(&mut self, outcome: GapOutcome) {
        match outcome {
            GapOutcome::Flagged => self.flagged += 1,
            GapOutcome::NeedsReview => self.needs_review += 1,
            GapOutcome::Clear => self.clear += 1,
        }
    }
}

/// The cases that changed in one direction for one gap.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Change {
    /// The outcome under the old rules.
    pub from: GapOutcome,
    /// The outcome under the new rules.
    pub to: GapOutcome,
    /// How many cases.
    pub cases: u64,
    /// The first of them (at most `--sample`), in input order.
    pub sample: Vec<SampleCase>,
}

/// A changed case with the gap's findings under both rule sets.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct SampleCase {
    /// The case id.
    pub case_id: String,
    /// The input it is in.
    pub input: String,
    /// The line it starts on.
    pub line: usize,
    /// The gap's findings under the old rules.
    pub old: Vec<FindingShown>,
    /// The gap's findings under the new rules.
    pub new: Vec<FindingShown>,
}

/// One finding, explained.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct FindingShown {
    /// The rule id.
    pub rule: String,
    /// `flagged` or `needs-review`.
    pub outcome: &'static str,
    /// The explanation (`explain::finding`'s).
    pub because: String,
}

/// One rule set's side of the comparison.
struct Side<'c> {
    compiled: &'c Compiled,
    evaluator: Evaluator<'c>,
    result: CaseResult,
    /// The gap (index into `Comparer::gaps`) of each rule.
    gap_of_rule: Vec<usize>,
    /// The current case's outcome per gap.
    outcome: Vec<GapOutcome>,
}

impl<'c> Side<'c> {
    /// Evaluates `record` (explaining every finding, or none) and sets
    /// `outcome`.
    fn evaluate(&mut self, record: &mut CaseRecord, explain: bool) {
        evaluate_case(
            &mut self.evaluator,
            record,
            &mut self.result,
            BatchOptions::default(),
            |_| explain,
        );
        self.outcome.fill(GapOutcome::Clear);
        for finding in &self.result.findings {
            let outcome = match finding.kind() {
                FindingKind::Flagged => GapOutcome::Flagged,
                FindingKind::NeedsReview => GapOutcome::NeedsReview,
                FindingKind::Cleared => GapOutcome::Clear,
            };
            if let Some(slot) = self
                .gap_of_rule
                .get(finding.rule())
                .and_then(|&g| self.outcome.get_mut(g))
            {
                *slot = (*slot).max(outcome);
            }
        }
    }

    /// The findings of gap `gap` for the case last evaluated.
    fn shown(&self, gap: usize) -> Vec<FindingShown> {
        self.result
            .findings
            .iter()
            .filter(|f| self.gap_of_rule.get(f.rule()) == Some(&gap))
            .map(|f| FindingShown {
                rule: self.compiled.program.rules[f.rule()].id.clone(),
                outcome: f.kind().as_str(),
                because: f.because().to_string(),
            })
            .collect()
    }
}

/// Evaluates records under both rule sets and counts what changed.
pub(crate) struct Comparer<'c> {
    old: Side<'c>,
    new: Side<'c>,
    gaps: Vec<GapDiff>,
    sample: usize,
    seen: CaseIds,
    check_duplicates: bool,
    old_record: CaseRecord,
    new_record: CaseRecord,
    /// The running totals.
    pub totals: DiffTotals,
}

impl<'c> Comparer<'c> {
    /// A comparison of `old` and `new`, sampling `sample` cases per gap
    /// and direction.
    pub(crate) fn new(
        old: &'c Compiled,
        new: &'c Compiled,
        sample: usize,
        check_duplicates: bool,
    ) -> Self {
        let mut gaps: Vec<GapDiff> = Vec::new();
        let mut index_of = |id: &str, is_old: bool| -> usize {
            let at = match gaps.iter().position(|g| g.gap == id) {
                Some(at) => at,
                None => {
                    gaps.push(GapDiff {
                        gap: id.to_string(),
                        in_old: false,
                        in_new: false,
                        old: Counts::default(),
                        new: Counts::default(),
                        changes: Vec::new(),
                    });
                    gaps.len() - 1
                }
            };
            if is_old {
                gaps[at].in_old = true;
            } else {
                gaps[at].in_new = true;
            }
            at
        };
        for gap in &old.program.taxonomy.gaps {
            index_of(&gap.id, true);
        }
        for gap in &new.program.taxonomy.gaps {
            index_of(&gap.id, false);
        }
        let mut map = |compiled: &Compiled, is_old: bool| -> Vec<usize> {
            let program = &compiled.program;
            program
                .rules
                .iter()
                .map(|r| index_of(&program.taxonomy.get(r.gap).id, is_old))
                .collect()
        };
        let old_map = map(old, true);
        let new_map = map(new, false);
        let side = |compiled: &'c Compiled, gap_of_rule: Vec<usize>, gaps: usize| Side {
            compiled,
            evaluator: Evaluator::new(compiled),
            result: CaseResult::default(),
            gap_of_rule,
            outcome: vec![GapOutcome::Clear; gaps],
        };
        let count = gaps.len();
        Comparer {
            old: side(old, old_map, count),
            new: side(new, new_map, count),
            gaps,
            sample,
            seen: CaseIds::new(),
            check_duplicates,
            old_record: CaseRecord::with_fields(old.program.schema.fields.len()),
            new_record: CaseRecord::with_fields(new.program.schema.fields.len()),
            totals: DiffTotals::default(),
        }
    }

    /// Reads every record of one input, once through each rule set's
    /// reader (in step), calling `rejected` for each rejection (`true`:
    /// under the old rules only, `false`: the new only, `None`: both or a
    /// repeated case id).
    pub(crate) fn run(
        &mut self,
        old_reader: &mut dyn RecordReader,
        new_reader: &mut dyn RecordReader,
        file: &str,
        rejected: &mut dyn FnMut(&Rejection, Option<bool>),
    ) -> std::io::Result<()> {
        loop {
            let a = old_reader.next_record(&mut self.old_record)?;
            let b = new_reader.next_record(&mut self.new_record)?;
            let (a, b) = match (a, b) {
                (None, None) => return Ok(()),
                (Some(a), Some(b)) => (a, b),
                _ => {
                    return Err(std::io::Error::other(format!(
                        "the two rule sets read a different number of records from `{}`",
                        crate::escape::terminal(file)
                    )))
                }
            };
            self.totals.read += 1;
            let line = match (a, b) {
                (Read1::Record(x), Read1::Record(y)) if x == y => x,
                (Read1::Record(_), Read1::Record(_)) => {
                    return Err(std::io::Error::other(format!(
                        "the two rule sets read records of `{}` at different lines",
                        crate::escape::terminal(file)
                    )))
                }
                (Read1::Rejected(r), Read1::Record(_)) => {
                    self.totals.rejected += 1;
                    self.totals.rejected_old_only += 1;
                    rejected(&r, Some(true));
                    continue;
                }
                (Read1::Record(_), Read1::Rejected(r)) => {
                    self.totals.rejected += 1;
                    self.totals.rejected_new_only += 1;
                    rejected(&r, Some(false));
                    continue;
                }
                (Read1::Rejected(r), Read1::Rejected(_)) => {
                    self.totals.rejected += 1;
                    rejected(&r, None);
                    continue;
                }
            };
            let duplicate = self.check_duplicates
                && !self
                    .seen
                    .insert(&self.old_record.case_id)
                    .map_err(|e| std::io::Error::other(BatchError::TooManyIds(e).to_string()))?;
            if duplicate {
                self.totals.rejected += 1;
                let rejection = Rejection::new(
                    file,
                    line,
                    Some(self.old_record.case_id.clone()),
                    vec![duplicate_case_id(&self.old_record.case_id)],
                    old_reader.raw(),
                );
                rejected(&rejection, None);
                continue;
            }
            self.case(file, line);
        }
    }

    /// Compares the records just read.
    fn case(&mut self, file: &str, line: usize) {
        self.totals.evaluated += 1;
        self.old.evaluate(&mut self.old_record, false);
        self.new.evaluate(&mut self.new_record, false);
        let mut changed = false;
        let mut wanted: Vec<(usize, usize)> = Vec::new();
        for (g, gap) in self.gaps.iter_mut().enumerate() {
            let (from, to) = (self.old.outcome[g], self.new.outcome[g]);
            gap.old.add(from);
            gap.new.add(to);
            if from == to {
                continue;
            }
            changed = true;
            let at = match gap
                .changes
                .iter()
                .position(|c| c.from == from && c.to == to)
            {
                Some(at) => at,
                None => {
                    gap.changes.push(Change {
                        from,
                        to,
                        cases: 0,
                        sample: Vec::new(),
                    });
                    gap.changes.len() - 1
                }
            };
            gap.changes[at].cases += 1;
            if gap.changes[at].sample.len() < self.sample {
                wanted.push((g, at));
            }
        }
        if changed {
            self.totals.changed_cases += 1;
        }
        if wanted.is_empty() {
            return;
        }
        self.old.evaluate(&mut self.old_record, true);
        self.new.evaluate(&mut self.new_record, true);
        for (g, at) in wanted {
            let sample = SampleCase {
                case_id: self.old_record.case_id.clone(),
                input: file.to_string(),
                line,
                old: self.old.shown(g),
                new: self.new.shown(g),
            };
            self.gaps[g].changes[at].sample.push(sample);
        }
    }

    /// The report, with the rule changes found by `rules::compare`.
    pub(crate) fn finish(
        mut self,
        old: String,
        new: String,
        inputs: Vec<String>,
        rules: rules::RuleChanges,
    ) -> DiffReport {
        for gap in &mut self.gaps {
            gap.changes.sort_by_key(|c| {
                DIRECTIONS
                    .iter()
                    .position(|d| *d == (c.from, c.to))
                    .unwrap_or(DIRECTIONS.len())
            });
        }
        DiffReport {
            old,
            new,
            inputs,
            totals: self.totals,
            rules,
            gaps: self.gaps,
        }
    }
}
