//! What `cargo bench` measures, inside the library so that the benchmark
//! reaches the evaluator without the internals being public. Not part of the
//! API: hidden from the docs, and free to change with the benchmark.

use std::collections::HashSet;
use std::path::Path;

use crate::compile::Compiled;
use crate::eval::batch::{Batch, BatchOptions, CaseContext, Sink};
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
        self.native_end_to_end(InputFormat::Jsonl, "bench", text, out)
    }

    /// `text` in one of nrscreen's own formats through the batch driver,
    /// flags as JSON Lines into `out`; the number of cases evaluated.
    fn native_end_to_end(
        &self,
        format: InputFormat,
        name: &str,
        text: &str,
        out: &mut dyn std::io::Write,
    ) -> u64 {
        let index = SchemaIndex::new(&self.compiled);
        let mut keys = HashSet::new();
        let mut records = reader(
            &self.compiled,
            &index,
            name.into(),
            format,
            Box::new(text.as_bytes()),
            &mut keys,
            crate::records::input::MAX_RECORD_BYTES,
        )
        .expect("reader");
        let mut batch = Batch::new(&self.compiled, BatchOptions::default());
        let mut sink = FlagsSink { out };
        batch
            .run(records.as_mut(), name, &mut sink)
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
    fn case(
        &mut self,
        compiled: &Compiled,
        context: &CaseContext<'_>,
        result: &CaseResult,
    ) -> std::io::Result<()> {
        Flags.case(self.out, compiled, context, result)
    }
    fn rejected(&mut self, _: &Rejection) -> std::io::Result<()> {
        Ok(())
    }
}

// ------------------------------------------------------------ mapped input

/// The benchmark batch as an external export, and the mapping that reads
/// it: every column renamed, yes/no as `Y`/`N` through a value table,
/// dates as `%m/%d/%Y` (issue 10: the mapped path stays within 25% of
/// plain CSV throughput).
pub struct MappedExport {
    /// The mapping's text (TOML).
    pub mapping: String,
    /// The export (CSV).
    pub csv: String,
}

/// A mapping loaded for the benchmark's rule set.
pub struct LoadedMapping {
    mapping: crate::mapping::Mapping,
}

/// The export's name for schema field `field` (`nri.counsel_access` →
/// `NRI Counsel Access`).
fn export_column(field: &str) -> String {
    let words: Vec<String> = field
        .split(['_', '.'])
        .map(|word| match word {
            "nri" | "lpr" => word.to_uppercase(),
            _ => {
                let mut chars = word.chars();
                chars.next().map_or(String::new(), |c| {
                    c.to_uppercase().collect::<String>() + chars.as_str()
                })
            }
        })
        .collect();
    words.join(" ")
}

/// `YYYY-MM-DD` as `MM/DD/YYYY` (other text as it is).
fn us_date(iso: &str) -> String {
    match (iso.get(0..4), iso.get(5..7), iso.get(8..10)) {
        (Some(y), Some(m), Some(d)) if iso.len() == 10 => format!("{m}/{d}/{y}"),
        _ => iso.to_string(),
    }
}

impl Workload {
    /// CSV text (nrscreen's own columns) → decode → evaluate → flags as
    /// JSON Lines into `out`, through the batch driver; the number of cases
    /// evaluated.
    pub fn csv_end_to_end(&self, text: &str, out: &mut dyn std::io::Write) -> u64 {
        self.native_end_to_end(InputFormat::Csv, "bench.csv", text, out)
    }

    /// Rewrites `csv` (nrscreen's own CSV of the benchmark batch) as an
    /// export under other column names, with `Y`/`N` and `%m/%d/%Y`
    /// dates, and writes the mapping that reads it back.
    pub fn mapped_export(&self, csv: &str) -> MappedExport {
        use crate::types::Type;
        let schema = &self.compiled.program.schema;
        let mut input = csv::Reader::from_reader(csv.as_bytes());
        let header: Vec<String> = input
            .headers()
            .expect("the benchmark CSV has a header")
            .iter()
            .map(str::to_string)
            .collect();
        let types: Vec<Type> = header
            .iter()
            .map(|h| {
                let id = schema.find(h).expect("a schema field");
                schema.field(id).ty.clone()
            })
            .collect();
        let mut mapping = String::from(
            "description = \"cargo bench: the workload batch as an export of its own\"\n\n\
             [input]\nformat = \"csv\"\n\n[values.yn]\nY = true\nN = false\n\n[fields]\n",
        );
        for (name, ty) in header.iter().zip(&types) {
            let column = export_column(name);
            let line = match ty {
                Type::Bool => format!("{name:?} = {{ column = {column:?}, values = \"yn\" }}"),
                Type::Date => format!("{name:?} = {{ column = {column:?}, date = \"%m/%d/%Y\" }}"),
                Type::List(element) if **element == Type::Date => format!(
                    "{name:?} = {{ column = {column:?}, split = \";\", date = \"%m/%d/%Y\" }}"
                ),
                Type::List(_) => format!("{name:?} = {{ column = {column:?}, split = \";\" }}"),
                _ => format!("{name:?} = {column:?}"),
            };
            mapping.push_str(&line);
            mapping.push('\n');
        }
        let mut output = csv::Writer::from_writer(Vec::new());
        output
            .write_record(header.iter().map(|h| export_column(h)))
            .expect("write");
        for row in input.records() {
            let row = row.expect("the benchmark CSV reads");
            let cells = row.iter().zip(&types).map(|(cell, ty)| match ty {
                Type::Bool => match cell {
                    "true" => "Y".to_string(),
                    "false" => "N".to_string(),
                    other => other.to_string(),
                },
                Type::Date => us_date(cell),
                Type::List(element) if **element == Type::Date => {
                    cell.split(';').map(us_date).collect::<Vec<_>>().join(";")
                }
                _ => cell.to_string(),
            });
            output.write_record(cells).expect("write");
        }
        let bytes = output.into_inner().expect("write");
        MappedExport {
            mapping,
            csv: String::from_utf8(bytes).expect("UTF-8"),
        }
    }

    /// Loads a mapping's text (written to a temporary file) for this rule
    /// set; panics if it has errors.
    pub fn load_mapping(&self, text: &str) -> LoadedMapping {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("bench-map.toml");
        std::fs::write(&path, text).expect("the mapping is written");
        let loaded = crate::mapping::load(&path, &self.compiled.program.schema);
        if loaded.mapping.is_none() {
            eprintln!("{:?}", loaded.diagnostics);
        }
        let mapping = loaded.mapping.expect("the benchmark mapping loads");
        LoadedMapping { mapping }
    }

    /// The mapped path: `text` read through `mapping` → evaluate → flags as
    /// JSON Lines into `out`, through the batch driver; the number of cases
    /// evaluated.
    pub fn mapped_end_to_end(
        &self,
        mapping: &LoadedMapping,
        text: &str,
        out: &mut dyn std::io::Write,
    ) -> u64 {
        let mut records = crate::mapping::reader::MappedRecords::open(
            &self.compiled,
            &mapping.mapping,
            "bench-export.csv".into(),
            crate::mapping::SourceFormat::Csv,
            Box::new(text.as_bytes()),
            crate::records::input::MAX_RECORD_BYTES,
        )
        .expect("the export opens through the mapping");
        let mut batch = Batch::new(&self.compiled, BatchOptions::default());
        let mut sink = FlagsSink { out };
        batch
            .run(&mut records, "bench-export.csv", &mut sink)
            .expect("the benchmark batch runs");
        batch.totals.evaluated
    }
}
