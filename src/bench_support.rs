//! What `cargo bench` measures, inside the library so that the benchmark
//! reaches the evaluator without the internals being public. Not part of the
//! API: hidden from the docs, and free to change with the benchmark.

use std::collections::HashSet;
use std::path::Path;

use crate::compile::Compiled;
use crate::eval::batch::{Batch, BatchOptions, Sink};
use crate::eval::compiled::Evaluator;
use crate::eval::finding::CaseResult;
use crate::eval::outcome::RuleOutcome;
use crate::records::case::CaseRecord;
use crate::records::input::{reader, InputFormat};
use crate::records::json::decode_line;
use crate::records::rejection::Rejection;
use crate::records::schema_index::SchemaIndex;
use crate::report::flags::Flags;
use crate::report::Format;

/// A compiled rule set and the records of a batch, decoded once.
pub struct Workload {
    compiled: Compiled,
}

impl Workload {
    /// Loads, checks and compiles the rule set in `dir`; panics if it has
    /// errors (a benchmark's rule set is fixed).
    pub fn load(dir: &Path) -> Workload {
        let loaded = crate::ruleset::load(dir).expect("the benchmark rule set loads");
        let (_, checked) = crate::check::check(loaded);
        let program = checked.program.expect("the benchmark rule set checks");
        Workload {
            compiled: crate::compile::compile(program),
        }
    }

    /// Decodes every line; panics on a line that does not decode.
    pub fn decode(&self, lines: &[&str]) -> Decoded<'_> {
        let index = SchemaIndex::new(&self.compiled);
        let records = lines
            .iter()
            .map(|line| {
                let mut record = CaseRecord::with_fields(self.compiled.program.schema.fields.len());
                decode_line(
                    &self.compiled,
                    &index,
                    line,
                    &mut record,
                    &mut HashSet::new(),
                )
                .expect("the benchmark batch decodes");
                record
            })
            .collect();
        Decoded {
            evaluator: Evaluator::new(&self.compiled),
            records,
            flags: Vec::new(),
        }
    }

    /// JSON Lines text → decode → evaluate → flags as JSON Lines into
    /// `out`, through the batch driver `nrscreen eval` uses; the number of
    /// cases evaluated.
    pub fn end_to_end(&self, text: &str, out: &mut dyn std::io::Write) -> u64 {
        let index = SchemaIndex::new(&self.compiled);
        let mut keys = HashSet::new();
        let mut records = reader(
            &self.compiled,
            &index,
            "bench".into(),
            InputFormat::Jsonl,
            Box::new(text.as_bytes()),
            &mut keys,
            crate::records::input::MAX_RECORD_BYTES,
        )
        .expect("reader");
        let mut batch = Batch::new(&self.compiled, BatchOptions::default());
        let mut sink = FlagsSink { out };
        batch
            .run(records.as_mut(), "bench", &mut sink)
            .expect("the benchmark batch runs");
        batch.totals.evaluated
    }
}

/// Records decoded once, evaluated again and again.
pub struct Decoded<'w> {
    evaluator: Evaluator<'w>,
    records: Vec<CaseRecord>,
    flags: Vec<usize>,
}

impl Decoded<'_> {
    /// Evaluates every rule over every record, collecting the flagged rules
    /// of each; the number of flags.
    pub fn evaluate_all(&mut self) -> usize {
        let compiled = self.evaluator.compiled();
        let mut total = 0;
        for record in self.records.iter_mut() {
            self.evaluator.start_record();
            self.flags.clear();
            for (i, rule) in compiled.rules.iter().enumerate() {
                if self.evaluator.rule(record, rule) == RuleOutcome::Flagged {
                    self.flags.push(i);
                }
            }
            total += std::hint::black_box(&self.flags).len();
        }
        total
    }
}

struct FlagsSink<'o> {
    out: &'o mut dyn std::io::Write,
}

impl Sink for FlagsSink<'_> {
    fn case(&mut self, compiled: &Compiled, result: &CaseResult) -> std::io::Result<()> {
        Flags.case(self.out, compiled, result)
    }
    fn rejected(&mut self, _: &Rejection) -> std::io::Result<()> {
        Ok(())
    }
}
