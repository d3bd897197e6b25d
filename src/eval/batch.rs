//! Streaming a batch: read a record, evaluate every rule, hand the result to
//! the report, forget the record. Memory does not depend on the batch size,
//! except for duplicate detection: every case id, kept compactly (about the
//! id's length plus 16 bytes per record), which
//! `BatchOptions::check_duplicates` can turn off.

use crate::compile::Compiled;
use crate::eval::case_ids::{CaseIds, TooManyIds};
use crate::eval::compiled::Evaluator;
use crate::eval::explain;
use crate::eval::finding::{CaseOutcome, CaseResult, FindingKind};
use crate::eval::outcome::RuleOutcome;
use crate::records::case::CaseRecord;
use crate::records::input::{Read1, RecordReader};
use crate::records::rejection::{Problem, ProblemKind, Rejection};
use crate::severity::Severity;

/// Where a case came from, handed to sinks and formats with its result:
/// the record as decoded (the fields the rules read, and those a format
/// asked to keep), the input's name and the record's first line in it.
#[derive(Clone, Copy)]
pub(crate) struct CaseContext<'a> {
    /// The record the result is for.
    pub record: &'a CaseRecord,
    /// The input's name as given (`-` for standard input).
    pub file: &'a str,
    /// The record's first line in the input (1-based).
    pub line: usize,
}

/// Where results go.
pub(crate) trait Sink {
    /// One evaluated case, in input order, with where it came from.
    fn case(
        &mut self,
        compiled: &Compiled,
        context: &CaseContext<'_>,
        result: &CaseResult,
    ) -> std::io::Result<()>;
    /// One rejected record.
    fn rejected(&mut self, rejection: &Rejection) -> std::io::Result<()>;
    /// One evaluated case, in input order, already rendered by a worker
    /// (`--jobs`) in the output format: written as it is. Only the sink of
    /// `eval` takes them; other sinks refuse.
    fn case_rendered(&mut self, _bytes: &[u8]) -> std::io::Result<()> {
        Err(std::io::Error::other("this sink takes no rendered cases"))
    }
    /// Whether the sink will show the explanation of rule `rule`'s next
    /// finding (when `BatchOptions::explain` asks for explanations at
    /// all): a sink that shows a few examples says no once it has them,
    /// and the batch skips the work.
    fn explains(&self, _rule: usize) -> bool {
        true
    }
}

/// Options of a batch run.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct BatchOptions {
    /// Stop at the first rejected record.
    pub strict: bool,
    /// Report rules cleared by an exception too.
    pub show_cleared: bool,
    /// Reject a record whose case id was already seen in the batch.
    pub check_duplicates: bool,
    /// Render each finding's explanation and facts (formats that show only
    /// counts or gap ids turn this off).
    pub explain: bool,
}

/// The accounting of a run: read = evaluated + rejected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    /// Records read.
    pub read: u64,
    /// Records evaluated.
    pub evaluated: u64,
    /// Records rejected.
    pub rejected: u64,
    /// Evaluated cases with a flagged finding.
    pub flagged: u64,
    /// Evaluated cases needing review (and not flagged).
    pub needs_review: u64,
    /// Evaluated cases with no finding.
    pub clear: u64,
    /// Flagged findings per severity, in `Severity::ALL` order.
    pub flagged_by_severity: [u64; 4],
}

/// Whether the batch stopped early (`--strict`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// Every record was read.
    Finished,
    /// Stopped at a rejected record.
    Strict,
}

/// Evaluates a batch across one or more readers, streaming to the sink.
pub(crate) struct Batch<'c> {
    compiled: &'c Compiled,
    evaluator: Evaluator<'c>,
    record: CaseRecord,
    result: CaseResult,
    seen_ids: CaseIds,
    options: BatchOptions,
    /// The running totals.
    pub totals: Totals,
}

impl<'c> Batch<'c> {
    /// A batch evaluator.
    pub(crate) fn new(compiled: &'c Compiled, options: BatchOptions) -> Batch<'c> {
        Batch {
            compiled,
            evaluator: Evaluator::new(compiled),
            record: CaseRecord::with_fields(compiled.program.schema.fields.len()),
            result: CaseResult::default(),
            seen_ids: CaseIds::new(),
            options,
            totals: Totals::default(),
        }
    }

    /// Reads every record of `reader`.
    pub(crate) fn run(
        &mut self,
        reader: &mut dyn RecordReader,
        file: &str,
        sink: &mut dyn Sink,
    ) -> Result<Stop, BatchError> {
        while let Some(read) = reader
            .next_record(&mut self.record)
            .map_err(BatchError::Read)?
        {
            self.totals.read += 1;
            let line = match read {
                Read1::Record(line) => line,
                Read1::Rejected(rejection) => {
                    if self.reject(rejection, sink)? == Stop::Strict {
                        return Ok(Stop::Strict);
                    }
                    continue;
                }
            };
            let duplicate = self.options.check_duplicates
                && !self
                    .seen_ids
                    .insert(&self.record.case_id)
                    .map_err(BatchError::TooManyIds)?;
            if duplicate {
                let rejection = Rejection::new(
                    file,
                    line,
                    Some(self.record.case_id.clone()),
                    vec![duplicate_case_id(&self.record.case_id)],
                    reader.raw(),
                );
                if self.reject(rejection, sink)? == Stop::Strict {
                    return Ok(Stop::Strict);
                }
                continue;
            }
            let explain = self.options.explain;
            evaluate_case(
                &mut self.evaluator,
                &mut self.record,
                &mut self.result,
                self.options,
                |rule| explain && sink.explains(rule),
            );
            self.totals.add(&CaseCount::of(self.compiled, &self.result));
            tracing::trace!(case_id = %self.result.case_id, findings = self.result.findings.len(), "case evaluated");
            let context = CaseContext {
                record: &self.record,
                file,
                line,
            };
            sink.case(self.compiled, &context, &self.result)
                .map_err(BatchError::Write)?;
        }
        Ok(Stop::Finished)
    }

    /// Whether a record with case id `id` is a duplicate of one seen
    /// before (always false without the duplicate check); notes the id.
    pub(crate) fn is_duplicate(&mut self, id: &str) -> Result<bool, BatchError> {
        Ok(self.options.check_duplicates
            && !self.seen_ids.insert(id).map_err(BatchError::TooManyIds)?)
    }

    /// The case ids seen so far, lent out (`--jobs`: the workers check
    /// ids themselves, in input order); `None` without the duplicate
    /// check. Give them back with [`Batch::return_ids`].
    pub(crate) fn lend_ids(&mut self) -> Option<CaseIds> {
        self.options
            .check_duplicates
            .then(|| std::mem::replace(&mut self.seen_ids, CaseIds::new()))
    }

    /// Takes back the case ids lent by [`Batch::lend_ids`].
    pub(crate) fn return_ids(&mut self, ids: Option<CaseIds>) {
        if let Some(ids) = ids {
            self.seen_ids = ids;
        }
    }

    /// The compiled rule set and the options of the batch.
    pub(crate) fn parts(&self) -> (&'c Compiled, BatchOptions) {
        (self.compiled, self.options)
    }

    /// Hands rejection `rejection` to the sink and counts it; whether the
    /// batch stops there (`--strict`).
    pub(crate) fn reject(
        &mut self,
        rejection: Rejection,
        sink: &mut dyn Sink,
    ) -> Result<Stop, BatchError> {
        self.totals.rejected += 1;
        // Record contents (the case id) only at trace level: logs are private.
        tracing::trace!(case_id = ?rejection.case_id, line = rejection.line, "record rejected");
        sink.rejected(&rejection).map_err(BatchError::Write)?;
        Ok(if self.options.strict {
            Stop::Strict
        } else {
            Stop::Finished
        })
    }
}

/// What an evaluated case adds to the [`Totals`]: worked out where the
/// case was evaluated (a worker, with `--jobs`), added where it is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CaseCount {
    /// Its outcome.
    pub outcome: CaseOutcome,
    /// Its flagged findings per severity, in `Severity::ALL` order.
    pub flagged_by_severity: [u32; 4],
    /// Its findings.
    pub findings: u32,
}

impl CaseCount {
    /// The count of evaluated case `result`.
    pub(crate) fn of(compiled: &Compiled, result: &CaseResult) -> CaseCount {
        let mut count = CaseCount {
            outcome: result.outcome(),
            flagged_by_severity: [0; 4],
            findings: result.findings.len() as u32,
        };
        for finding in &result.findings {
            if finding.kind() == FindingKind::Flagged {
                let severity = compiled.program.rules[finding.rule()].severity;
                let i = Severity::ALL
                    .iter()
                    .position(|s| *s == severity)
                    .unwrap_or(3);
                count.flagged_by_severity[i] += 1;
            }
        }
        count
    }
}

impl Totals {
    /// Counts an evaluated case.
    pub(crate) fn add(&mut self, count: &CaseCount) {
        self.evaluated += 1;
        for (total, flagged) in self
            .flagged_by_severity
            .iter_mut()
            .zip(count.flagged_by_severity)
        {
            *total += u64::from(flagged);
        }
        match count.outcome {
            CaseOutcome::Flagged => self.flagged += 1,
            CaseOutcome::NeedsReview => self.needs_review += 1,
            CaseOutcome::Clear => self.clear += 1,
        }
    }
}

/// The problem of a record whose case id `id` was already used: one
/// wording for batches and the library.
pub(crate) fn duplicate_case_id(id: &str) -> Problem {
    Problem::new(
        ProblemKind::DuplicateCaseId,
        format!("case id `{id}` was already used in this batch"),
    )
    .on_field("case_id")
}

/// Evaluates every rule over `record` into `result` (its case id and its
/// findings, in rule order): what a batch does for each record, and what the
/// library does for one. `explain` says, per rule, whether its finding
/// is explained (rendered with its facts).
pub(crate) fn evaluate_case(
    evaluator: &mut Evaluator<'_>,
    record: &mut CaseRecord,
    result: &mut CaseResult,
    options: BatchOptions,
    explain: impl Fn(usize) -> bool,
) {
    let compiled = evaluator.compiled();
    evaluator.start_record();
    result.start(&record.case_id);
    for (index, rule) in compiled.rules.iter().enumerate() {
        let outcome = evaluator.rule(record, rule);
        if outcome == RuleOutcome::NotApplicable
            || matches!(outcome, RuleOutcome::Cleared(_)) && !options.show_cleared
        {
            continue;
        }
        let text = result.buffer();
        let finding = explain::finding(
            text,
            evaluator,
            compiled,
            record,
            index,
            outcome,
            explain(index),
        );
        result.findings.extend(finding);
    }
}

/// Why a batch stopped with an error: reading its input, or writing the
/// results (the output or the rejects file).
#[derive(Debug)]
pub(crate) enum BatchError {
    /// Reading the input failed.
    Read(std::io::Error),
    /// Writing the output or the rejects file failed.
    Write(std::io::Error),
    /// The case ids exceed what the duplicate check holds.
    TooManyIds(TooManyIds),
}

impl std::fmt::Display for BatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BatchError::Read(error) => write!(f, "reading the input failed: {error}"),
            BatchError::Write(error) => write!(f, "writing the output failed: {error}"),
            BatchError::TooManyIds(limit) => write!(
                f,
                "the case ids exceed the {} bytes the duplicate check holds; \
                 run with --no-duplicate-check (and look for duplicates another way)",
                limit.max_bytes
            ),
        }
    }
}

impl std::error::Error for BatchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BatchError::Read(error) | BatchError::Write(error) => Some(error),
            BatchError::TooManyIds(_) => None,
        }
    }
}
