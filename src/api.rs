//! The library: load a rule set, screen case records, run its tests and
//! audits. Everything a Rust program (or the Python binding) needs, and
//! nothing of how it is done.
//!
//! ```
//! let rules = nrscreen::RuleSet::load(concat!(env!("CARGO_MANIFEST_DIR"), "/rules"))?;
//! let mut screener = rules.screener();
//! let case = screener.screen_json(
//!     r#"{"case_id":"A-1","program":"mpp-2019","returned_to_mexico":true,
//!         "fear_of_mexico_expressed":true,"nri_held":false,"return_city":"Tijuana"}"#,
//! )?;
//! assert_eq!(case.outcome, nrscreen::CaseOutcome::Flagged);
//! let finding = case.findings.iter().find(|f| f.gap == "fear-not-screened").unwrap();
//! assert!(finding.because.starts_with("fear of Mexico was expressed"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;
use std::fmt;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::audit::run::{run_audits, AuditOptions};
use crate::compile::Compiled;
use crate::diagnostic::{render_text, Diagnostic};
use crate::eval::batch::{
    duplicate_case_id, evaluate_case, Batch, BatchError, BatchOptions, CaseContext, Sink,
};
use crate::eval::case_ids::CaseIds;
use crate::eval::compiled::Evaluator;
use crate::eval::finding::CaseResult;
use crate::eval::parallel::{Parallel, CHUNK_BYTES};
use crate::mapping::reader::{MappedRecords, OpenError};
use crate::records::case::CaseRecord;
use crate::records::input::{reader, InputFormat, MAX_RECORD_BYTES};
use crate::records::json::decode_line;
use crate::records::rejection::{Problem, ProblemKind, Rejection};
use crate::records::schema_index::SchemaIndex;
use crate::records::stream::open_text;
use crate::report::case_json::CaseReport;
use crate::report::case_view::CaseView;
use crate::ruletest::file::load_tests;
use crate::ruletest::run::run_tests;
use crate::source::Sources;

/// A rule set, read, checked and compiled: ready to screen records.
pub struct RuleSet {
    dir: PathBuf,
    sources: Sources,
    compiled: Compiled,
    warnings: Vec<Diagnostic>,
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleSet")
            .field("dir", &self.dir)
            .field("name", &self.name())
            .field("rules", &self.compiled.rules.len())
            .finish()
    }
}

/// Why a rule set could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The directory, its manifest or a file could not be read.
    Read(crate::ReadError),
    /// The rule set has errors: the rendered diagnostics (file, line,
    /// column, the source line with a caret, a hint), as `nrscreen check`
    /// prints them.
    Invalid {
        /// How many errors.
        errors: usize,
        /// Every diagnostic, rendered without colour.
        diagnostics: String,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Read(error) => write!(f, "{error}"),
            LoadError::Invalid {
                errors,
                diagnostics,
            } => write!(
                f,
                "the rule set has {errors} error{}:\n{diagnostics}",
                if *errors == 1 { "" } else { "s" }
            ),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Read(error) => Some(error),
            LoadError::Invalid { .. } => None,
        }
    }
}

/// Why a record was not screened: every problem found in it (each with its
/// field, reason and kind), as a rejection reports them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordError {
    /// Every problem, in the order of the record (at least one; at most one
    /// per field).
    pub problems: Vec<Problem>,
}

impl RecordError {
    /// The field of the first problem, if it has one.
    pub fn field(&self) -> Option<&str> {
        self.problems.first().and_then(|p| p.field.as_deref())
    }
}

/// `field `a`: reason; field `b`: reason`: every problem, on one line.
impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::records::rejection::list(&self.problems))
    }
}

impl std::error::Error for RecordError {}

/// The totals of a run of rule tests or audits, and its report as `nrscreen
/// test` and `nrscreen audit` print it (each failure with the facts behind
/// it; audits also list the ones that passed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSummary {
    /// How many passed.
    pub passed: usize,
    /// How many failed.
    pub failed: usize,
    /// The report.
    pub report: String,
}

/// A rule: what it reports and the law behind it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RuleInfo {
    /// The rule's id.
    pub id: String,
    /// The gap it reports.
    pub gap: String,
    /// Its severity.
    pub severity: crate::severity::Severity,
    /// One line.
    pub title: String,
    /// Its legal sources.
    pub cites: Vec<String>,
    /// Its doc comment (`///` lines), joined by line breaks.
    pub doc: String,
}

/// A field of the case-record schema.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldInfo {
    /// Its full dotted name (`nri.outcome`).
    pub name: String,
    /// Its type, as the schema writes it (`bool`, `list of enum`, …).
    #[serde(rename = "type")]
    pub ty: String,
    /// Whether every record must carry it.
    pub required: bool,
    /// What it means.
    pub description: String,
}

/// A reference table of the rule set.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TableInfo {
    /// The name rules use.
    pub name: String,
    /// Its file.
    pub file: PathBuf,
    /// What it holds.
    pub description: String,
    /// Where its data comes from.
    pub source: String,
    /// How many rows.
    pub rows: usize,
}

impl RuleSet {
    /// Reads, checks and compiles the rule set in `dir`.
    pub fn load(dir: impl AsRef<Path>) -> Result<RuleSet, LoadError> {
        let dir = dir.as_ref();
        let loaded = crate::ruleset::load(dir).map_err(LoadError::Read)?;
        let (sources, checked) = crate::check::check(loaded);
        let (errors, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) = checked
            .diagnostics
            .into_iter()
            .partition(Diagnostic::is_error);
        match checked.program {
            Some(program) if errors.is_empty() => Ok(RuleSet {
                dir: dir.to_path_buf(),
                sources,
                compiled: crate::compile::compile(program),
                warnings,
            }),
            _ => Err(LoadError::Invalid {
                errors: errors.len().max(1),
                diagnostics: render_text(&sources, &errors, false),
            }),
        }
    }

    /// The rule set's name (from its manifest).
    pub fn name(&self) -> &str {
        &self.compiled.program.name
    }

    /// The rule set's one-line description (from its manifest).
    pub fn description(&self) -> &str {
        &self.compiled.program.description
    }

    /// Its rules, in evaluation order.
    pub fn rules(&self) -> Vec<RuleInfo> {
        let program = &self.compiled.program;
        program
            .rules
            .iter()
            .map(|rule| RuleInfo {
                id: rule.id.clone(),
                gap: program.taxonomy.get(rule.gap).id.clone(),
                severity: rule.severity,
                title: rule.title.clone(),
                cites: rule.cites.clone(),
                doc: rule.doc.join("\n"),
            })
            .collect()
    }

    /// The fields of its case-record schema, by name.
    pub fn fields(&self) -> Vec<FieldInfo> {
        self.compiled
            .program
            .schema
            .fields
            .iter()
            .map(|field| FieldInfo {
                name: field.name.clone(),
                ty: field.ty.to_string(),
                required: field.required,
                description: field.description.clone(),
            })
            .collect()
    }

    /// Its reference tables.
    pub fn tables(&self) -> Vec<TableInfo> {
        self.compiled
            .program
            .tables
            .iter()
            .map(|table| TableInfo {
                name: table.name.clone(),
                file: self.sources.get(table.file).path.clone(),
                description: table.description.clone(),
                source: table.source.clone(),
                rows: table.rows.len(),
            })
            .collect()
    }

    /// Every file it was read from (manifest, schema, taxonomy, tables,
    /// rule files), as paths on disk.
    pub fn files(&self) -> Vec<PathBuf> {
        self.sources
            .iter()
            .map(|(_, file)| file.path.clone())
            .collect()
    }

    /// The warnings `nrscreen check` would print, rendered.
    pub fn warnings(&self) -> String {
        render_text(&self.sources, &self.warnings, false)
    }

    /// A screener: evaluates records one at a time, reusing its buffers.
    pub fn screener(&self) -> Screener<'_> {
        Screener {
            compiled: &self.compiled,
            index: SchemaIndex::new(&self.compiled),
            evaluator: Evaluator::new(&self.compiled),
            record: CaseRecord::with_fields(self.compiled.program.schema.fields.len()),
            result: CaseResult::default(),
            unknown_keys: HashSet::new(),
            options: BatchOptions {
                explain: true,
                ..BatchOptions::default()
            },
        }
    }

    /// Screens a stream of JSON records (one object each) as a batch does:
    /// in order, each to its report or its error, and a case id seen before
    /// in the stream is an error (a duplicate is never screened twice).
    pub fn screen_all<'r, I, S>(
        &'r self,
        records: I,
    ) -> impl Iterator<Item = Result<CaseReport<'static>, RecordError>> + 'r
    where
        I: IntoIterator<Item = S> + 'r,
        S: AsRef<str>,
    {
        let mut screener = self.screener();
        let mut seen = CaseIds::new();
        records.into_iter().map(move |text| {
            screener.decode(text.as_ref())?;
            let id = &screener.record.case_id;
            let problem = match seen.insert(id) {
                Ok(true) => None,
                Ok(false) => Some(duplicate_case_id(id)),
                Err(limit) => Some(
                    Problem::new(
                        ProblemKind::TooLong,
                        format!(
                            "the case ids of the stream exceed the {} bytes the duplicate check holds",
                            limit.max_bytes
                        ),
                    )
                    .on_field("case_id"),
                ),
            };
            if let Some(problem) = problem {
                return Err(RecordError {
                    problems: vec![problem],
                });
            }
            Ok(screener.evaluate())
        })
    }

    /// Runs the rule set's tests (`DIR/tests/*.toml`) whose name contains
    /// `filter` (all when `None`).
    pub fn test(&self, filter: Option<&str>) -> Result<RunSummary, LoadError> {
        let mut sources = self.sources.clone();
        let mut diagnostics = Vec::new();
        let tests = load_tests(
            &self.compiled,
            &self.dir,
            &self.dir.join("tests"),
            &mut sources,
            &mut diagnostics,
        )
        .map_err(|e| LoadError::Read(crate::ruleset::LoadError::Io(self.dir.join("tests"), e)))?;
        if !diagnostics.is_empty() {
            return Err(LoadError::Invalid {
                errors: diagnostics.len(),
                diagnostics: render_text(&sources, &diagnostics, false),
            });
        }
        let mut report = String::new();
        let totals = run_tests(&self.compiled, &sources, &tests, filter, None, &mut report);
        Ok(RunSummary {
            passed: totals.passed,
            failed: totals.failed,
            report,
        })
    }

    /// Checks the rule set's audits and the built-in ones over `cases`
    /// generated records per audit; the same `seed` gives the same cases.
    pub fn audit(&self, cases: u32, seed: u64) -> RunSummary {
        let options = AuditOptions {
            cases,
            seed,
            only: None,
            ruleset: Some(self.dir.clone()),
        };
        let mut report = String::new();
        let totals = run_audits(&self.compiled, &options, &mut report);
        RunSummary {
            passed: totals.passed,
            failed: totals.failed,
            report,
        }
    }
}

/// How [`RuleSet::evaluate_file`] reads and evaluates its input.
#[derive(Clone, Debug, Default)]
pub struct FileOptions {
    /// A mapping file (`eval --map`): the input is an export in its own
    /// columns and values.
    pub map: Option<PathBuf>,
    /// Worker threads; 0 or 1 evaluates on the calling thread.
    pub jobs: usize,
    /// Also report the rules an exception cleared.
    pub show_cleared: bool,
}

/// A record of a file that was not evaluated: where it is, its case id if
/// it could be read, every problem and its text as read (the rejects
/// file's shape).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RejectedRecord {
    /// The input's name.
    pub file: String,
    /// The line the record starts on (1-based).
    pub line: usize,
    /// Its case id, when it could be read.
    pub case_id: Option<String>,
    /// Every problem found (at least one).
    pub problems: Vec<Problem>,
    /// The record's text as read.
    pub raw: String,
}

/// The accounting of a file: `read = evaluated + rejected`, and the
/// evaluated cases by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct FileTotals {
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
}

/// What [`RuleSet::evaluate_file`] found: every case (as `nrscreen eval`
/// writes them, in input order), every rejected record, and the totals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileResult {
    /// The evaluated cases, in input order.
    pub cases: Vec<CaseReport<'static>>,
    /// The rejected records, in input order.
    pub rejections: Vec<RejectedRecord>,
    /// The totals.
    pub totals: FileTotals,
    /// Keys of the input that are not fields of the schema (ignored),
    /// sorted.
    pub unknown_keys: Vec<String>,
}

/// Why a file could not be evaluated (its records' problems are
/// rejections, not errors).
#[derive(Debug)]
pub enum FileError {
    /// The file could not be opened or read, or is not in a format read.
    Read {
        /// The input's name.
        file: String,
        /// What went wrong.
        error: std::io::Error,
    },
    /// The mapping has errors, or does not fit the file: its rendered
    /// diagnostics.
    Mapping {
        /// The rendered diagnostics, without colour.
        diagnostics: String,
    },
    /// The case ids exceed what the duplicate check holds.
    TooManyIds(String),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Read { file, error } => write!(f, "reading `{file}` failed: {error}"),
            FileError::Mapping { diagnostics } => {
                write!(f, "the mapping cannot be used:\n{diagnostics}")
            }
            FileError::TooManyIds(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FileError::Read { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// What receives each case of a file: `cases` gets an owned copy, or a
/// caller's function the view of the case.
type EachCase<'f> = &'f mut dyn FnMut(CaseView<'_>);

/// A sink that keeps every rejection, and every case (or hands each to a
/// caller's function).
#[derive(Default)]
struct Collect<'f> {
    cases: Vec<CaseReport<'static>>,
    rejections: Vec<RejectedRecord>,
    each: Option<EachCase<'f>>,
}

impl Sink for Collect<'_> {
    fn case(
        &mut self,
        compiled: &Compiled,
        context: &CaseContext<'_>,
        result: &CaseResult,
    ) -> std::io::Result<()> {
        let case = CaseView::new(compiled, context.record, result);
        match &mut self.each {
            Some(each) => each(case),
            None => self.cases.push(case.report().into_owned()),
        }
        Ok(())
    }

    fn rejected(&mut self, rejection: &Rejection) -> std::io::Result<()> {
        self.rejections.push(RejectedRecord {
            file: rejection.file.clone(),
            line: rejection.line,
            case_id: rejection.case_id.clone(),
            problems: rejection.problems.clone(),
            raw: rejection.raw.clone(),
        });
        Ok(())
    }
}

impl RuleSet {
    /// Evaluates the records of file `path` as `nrscreen eval` does (JSON
    /// Lines, CSV, TSV or TOML by its extension, gzip or zstd by its first
    /// bytes; through `options.map` when given), returning every case and
    /// every rejection instead of printing them. A repeated case id is a
    /// rejection.
    pub fn evaluate_file(
        &self,
        path: impl AsRef<Path>,
        options: &FileOptions,
    ) -> Result<FileResult, FileError> {
        self.evaluate_path(path.as_ref(), options, None)
    }

    /// Evaluates the records of file `path` as [`RuleSet::evaluate_file`]
    /// does, but hands each case, in input order, to `each` as it is
    /// evaluated (borrowing from the evaluation: nothing is copied) instead
    /// of keeping it: the result's `cases` is empty. With `options.jobs`
    /// above 1, `each` runs on the calling thread while the workers go on.
    pub fn evaluate_file_each(
        &self,
        path: impl AsRef<Path>,
        options: &FileOptions,
        each: &mut dyn FnMut(CaseView<'_>),
    ) -> Result<FileResult, FileError> {
        self.evaluate_path(path.as_ref(), options, Some(each))
    }

    /// Opens `path` and evaluates its records.
    fn evaluate_path(
        &self,
        path: &Path,
        options: &FileOptions,
        each: Option<EachCase<'_>>,
    ) -> Result<FileResult, FileError> {
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|error| FileError::Read {
            file: name.clone(),
            error,
        })?;
        let stream = Box::new(std::io::BufReader::with_capacity(1 << 16, file));
        self.evaluate_stream(&name, stream, options, each)
    }

    /// Evaluates the records in `bytes` as [`RuleSet::evaluate_file`] does
    /// a file named `name` (whose extension gives the format).
    pub fn evaluate_bytes(
        &self,
        name: &str,
        bytes: &[u8],
        options: &FileOptions,
    ) -> Result<FileResult, FileError> {
        self.evaluate_stream(name, Box::new(bytes), options, None)
    }

    /// Evaluates the records in `bytes` as [`RuleSet::evaluate_bytes`]
    /// does, handing each case to `each` as
    /// [`RuleSet::evaluate_file_each`] does.
    pub fn evaluate_bytes_each(
        &self,
        name: &str,
        bytes: &[u8],
        options: &FileOptions,
        each: &mut dyn FnMut(CaseView<'_>),
    ) -> Result<FileResult, FileError> {
        self.evaluate_stream(name, Box::new(bytes), options, Some(each))
    }

    /// Evaluates the input `stream` named `name`; each case goes to `each`
    /// when given, else into the result.
    fn evaluate_stream<'s>(
        &self,
        name: &str,
        stream: Box<dyn BufRead + 's>,
        options: &FileOptions,
        each: Option<EachCase<'_>>,
    ) -> Result<FileResult, FileError> {
        let compiled = &self.compiled;
        let read_error = |error| FileError::Read {
            file: name.to_string(),
            error,
        };
        let batch_options = BatchOptions {
            strict: false,
            show_cleared: options.show_cleared,
            check_duplicates: true,
            explain: true,
        };
        let mut batch = Batch::new(compiled, batch_options);
        let mut sink = Collect {
            each,
            ..Collect::default()
        };
        let jobs = options.jobs.max(1);
        let per_chunk = (CHUNK_BYTES / 512).max(1);
        let mut unknown_keys = HashSet::new();
        let outcome = if let Some(map) = &options.map {
            let loaded = crate::mapping::load(map, &compiled.program.schema);
            let Some(mapping) = loaded.mapping else {
                let errors: Vec<Diagnostic> = loaded
                    .diagnostics
                    .into_iter()
                    .filter(Diagnostic::is_error)
                    .collect();
                return Err(FileError::Mapping {
                    diagnostics: render_text(&loaded.sources, &errors, false),
                });
            };
            let format = crate::mapping::source_format(&mapping, name);
            let mut records = match MappedRecords::open(
                compiled,
                &mapping,
                name.to_string(),
                format,
                stream,
                MAX_RECORD_BYTES,
            ) {
                Ok(records) => records,
                Err(OpenError::Mismatch(diagnostics)) => {
                    return Err(FileError::Mapping {
                        diagnostics: render_text(&loaded.sources, &diagnostics, false),
                    })
                }
                Err(OpenError::Io(error)) => return Err(read_error(error)),
            };
            if jobs > 1 {
                batch.run_records_parallel(&mut records, name, jobs, per_chunk, None, &mut sink)
            } else {
                batch.run(&mut records, name, &mut sink)
            }
        } else {
            let format = InputFormat::from_path(name).ok_or_else(|| {
                read_error(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "cannot tell its format from its name (.jsonl, .ndjson, .csv, .tsv, .tab or .toml, optionally .gz or .zst)",
                ))
            })?;
            let mut stream = open_text(stream, None).map_err(read_error)?;
            let index = SchemaIndex::new(compiled);
            if format == InputFormat::Jsonl && jobs > 1 {
                let parallel = Parallel {
                    jobs,
                    chunk_bytes: CHUNK_BYTES,
                    max_record_bytes: MAX_RECORD_BYTES,
                    render: None,
                };
                batch.run_parallel(
                    stream.as_mut(),
                    name,
                    &index,
                    parallel,
                    &mut unknown_keys,
                    &mut sink,
                )
            } else {
                let mut records = reader(
                    compiled,
                    &index,
                    name.to_string(),
                    format,
                    stream,
                    &mut unknown_keys,
                    MAX_RECORD_BYTES,
                )
                .map_err(read_error)?;
                if jobs > 1 {
                    batch.run_records_parallel(
                        records.as_mut(),
                        name,
                        jobs,
                        per_chunk,
                        None,
                        &mut sink,
                    )
                } else {
                    batch.run(records.as_mut(), name, &mut sink)
                }
            }
        };
        match outcome {
            Ok(_) => {}
            Err(BatchError::Read(error) | BatchError::Write(error)) => {
                return Err(read_error(error))
            }
            Err(error @ BatchError::TooManyIds(_)) => {
                return Err(FileError::TooManyIds(error.to_string()))
            }
        }
        let t = batch.totals;
        let mut unknown_keys: Vec<String> = unknown_keys.into_iter().collect();
        unknown_keys.sort_unstable();
        Ok(FileResult {
            cases: sink.cases,
            rejections: sink.rejections,
            totals: FileTotals {
                read: t.read,
                evaluated: t.evaluated,
                rejected: t.rejected,
                flagged: t.flagged,
                needs_review: t.needs_review,
                clear: t.clear,
            },
            unknown_keys,
        })
    }
}

/// Evaluates case records one at a time against a [`RuleSet`], reusing its
/// buffers; made by [`RuleSet::screener`].
pub struct Screener<'r> {
    compiled: &'r Compiled,
    index: SchemaIndex,
    evaluator: Evaluator<'r>,
    record: CaseRecord,
    result: CaseResult,
    unknown_keys: HashSet<String>,
    options: BatchOptions,
}

impl Screener<'_> {
    /// Also report the rules an exception cleared (`"outcome":"cleared"`).
    pub fn show_cleared(mut self, show: bool) -> Self {
        self.options.show_cleared = show;
        self
    }

    /// Screens one record given as JSON text (one object; a field absent or
    /// `null` is unknown, never false).
    pub fn screen_json(&mut self, text: &str) -> Result<CaseReport<'static>, RecordError> {
        self.screen_json_with(text, |case| case.report().into_owned())
    }

    /// Screens one record given as JSON text, as [`Screener::screen_json`]
    /// does, and hands the report to `use_report` borrowing from the
    /// screener (nothing is copied); returns what it returns.
    pub fn screen_json_with<T>(
        &mut self,
        text: &str,
        use_report: impl FnOnce(CaseView<'_>) -> T,
    ) -> Result<T, RecordError> {
        self.decode(text)?;
        Ok(self.evaluate_with(use_report))
    }

    /// Decodes a record into the buffer.
    fn decode(&mut self, text: &str) -> Result<(), RecordError> {
        decode_line(
            self.compiled,
            &self.index,
            text,
            &mut self.record,
            &mut self.unknown_keys,
        )
        .map_err(|problems| RecordError { problems })
    }

    /// Evaluates the decoded record, as an owned report.
    fn evaluate(&mut self) -> CaseReport<'static> {
        self.evaluate_with(|case| case.report().into_owned())
    }

    /// Evaluates the decoded record and hands its report to `use_report`.
    fn evaluate_with<T>(&mut self, use_report: impl FnOnce(CaseView<'_>) -> T) -> T {
        evaluate_case(
            &mut self.evaluator,
            &mut self.record,
            &mut self.result,
            self.options,
            |_| self.options.explain,
        );
        use_report(CaseView::new(self.compiled, &self.record, &self.result))
    }

    /// Screens one record given as a JSON value.
    pub fn screen_value(
        &mut self,
        value: &serde_json::Value,
    ) -> Result<CaseReport<'static>, RecordError> {
        self.screen_json(&value.to_string())
    }

    /// The keys of the records screened so far that are not fields of the
    /// schema (they are ignored), sorted.
    pub fn unknown_keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.unknown_keys.iter().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::fact_value::FactValue;

    fn standard() -> RuleSet {
        RuleSet::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap()
    }

    #[test]
    fn a_broken_rule_set_reports_its_rendered_diagnostics() {
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("rules");
        std::fs::create_dir(&copy).unwrap();
        for name in ["ruleset.toml", "schema.toml", "gaps.toml"] {
            std::fs::copy(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("rules")
                    .join(name),
                copy.join(name),
            )
            .unwrap();
        }
        std::fs::write(
            copy.join("bad.nrs"),
            "rule r {\n  gap nope\n  when true\n}\n",
        )
        .unwrap();
        match RuleSet::load(&copy) {
            Err(LoadError::Invalid { diagnostics, .. }) => {
                assert!(diagnostics.contains("bad.nrs:2:"), "{diagnostics}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            RuleSet::load(dir.path().join("absent")),
            Err(LoadError::Read(_))
        ));
    }

    #[test]
    fn a_record_error_names_its_field_and_unknown_is_never_false() {
        let rules = standard();
        let mut screener = rules.screener();
        let error = screener
            .screen_json(r#"{"case_id":"A","age":"x","program":"mpp-2012"}"#)
            .unwrap_err();
        assert_eq!(error.field(), Some("age"));
        let fields: Vec<_> = error.problems.iter().map(|p| p.field.as_deref()).collect();
        assert_eq!(fields, [Some("age"), Some("program")]);
        assert_eq!(error.problems[1].kind, crate::ProblemKind::NotInEnum);
        assert!(
            error.to_string().starts_with(
                "field `age`: expected a number, found the text `x`; field `program`: `mpp-2012`"
            ),
            "{error}"
        );
        let case = screener
            .screen_value(&serde_json::json!({"case_id": "B", "program": "mpp-2019"}))
            .unwrap();
        assert_eq!(case.outcome, crate::eval::finding::CaseOutcome::NeedsReview);
    }

    #[test]
    fn screening_a_stream_rejects_repeated_case_ids() {
        let rules = standard();
        let lines = [
            r#"{"case_id":"A"}"#,
            r#"{"case_id":"B"}"#,
            r#"{"case_id":"A"}"#,
        ];
        let results: Vec<_> = rules.screen_all(lines).collect();
        assert!(results[0].is_ok() && results[1].is_ok());
        let error = results[2].as_ref().unwrap_err();
        assert_eq!(error.field(), Some("case_id"));
        assert_eq!(error.problems[0].kind, crate::ProblemKind::DuplicateCaseId);
    }

    #[test]
    fn tests_and_audits_run_from_the_library() {
        let rules = standard();
        let tests = rules.test(Some("not recorded")).unwrap();
        assert!(tests.passed > 10 && tests.failed == 0, "{}", tests.report);
        let audits = rules.audit(300, 1);
        assert!(audits.passed > 0 && audits.failed == 0, "{}", audits.report);
    }

    #[test]
    fn a_file_is_evaluated_as_a_stream_of_its_lines_is_on_any_number_of_threads() {
        let rules = standard();
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
        let path = data.join("workload-3000.jsonl");
        let text = std::fs::read_to_string(&path).unwrap();
        let expected: Vec<_> = rules.screen_all(text.lines()).map(|r| r.unwrap()).collect();
        for jobs in [1, 2] {
            let options = FileOptions {
                jobs,
                ..FileOptions::default()
            };
            let result = rules.evaluate_file(&path, &options).unwrap();
            assert_eq!(result.cases, expected, "jobs {jobs}");
            assert!(result.rejections.is_empty());
            let t = result.totals;
            assert_eq!((t.read, t.evaluated, t.rejected), (3000, 3000, 0));
            assert_eq!(t.flagged + t.needs_review + t.clear, 3000);
            // A CSV batch, read on this thread and evaluated by the workers.
            let csv = rules
                .evaluate_file(data.join("workload-3000.csv"), &options)
                .unwrap();
            assert_eq!(csv.totals.evaluated, 3000, "jobs {jobs}");
        }
    }

    #[test]
    fn each_case_of_a_file_can_go_to_a_function_instead_of_the_result() {
        let rules = standard();
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/workload-3000.jsonl");
        let text = std::fs::read_to_string(&path).unwrap();
        for jobs in [1, 2] {
            let options = FileOptions {
                jobs,
                ..FileOptions::default()
            };
            let kept = rules.evaluate_file(&path, &options).unwrap();
            let mut seen = Vec::new();
            let mut each = |case: CaseView<'_>| seen.push(case.report().into_owned());
            let streamed = rules
                .evaluate_file_each(&path, &options, &mut each)
                .unwrap();
            assert!(streamed.cases.is_empty());
            assert_eq!(seen, kept.cases, "jobs {jobs}");
            assert_eq!(streamed.totals, kept.totals);
            let mut count = 0;
            let from_bytes = rules
                .evaluate_bytes_each("batch.jsonl", text.as_bytes(), &options, &mut |_| {
                    count += 1;
                })
                .unwrap();
            assert_eq!((count, from_bytes.totals), (3000, kept.totals));
        }
        let mut screener = rules.screener();
        let line = text.lines().next().unwrap();
        let borrowed = screener
            .screen_json_with(line, |case| case.report().into_owned())
            .unwrap();
        assert_eq!(borrowed, rules.screener().screen_json(line).unwrap());
    }

    /// A view's indexes are places in `rules()` and `fields()`, naming what
    /// its report names, and its facts are the report's, value for value.
    #[test]
    fn a_case_views_indexes_name_what_its_report_names() {
        let rules = standard();
        let (rule_list, field_list) = (rules.rules(), rules.fields());
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/workload-3000.jsonl");
        let (mut findings, mut unknown, mut lists) = (0, 0, 0);
        let mut each = |case: CaseView<'_>| {
            let report = case.report();
            assert_eq!(case.findings().len(), report.findings.len());
            for (view, reported) in case.findings().zip(&report.findings) {
                findings += 1;
                assert_eq!(rule_list[view.rule_index()].id, reported.rule);
                let names: Vec<&str> = view
                    .unknown_fields()
                    .map(|f| field_list[f].name.as_str())
                    .collect();
                assert_eq!(names, reported.unknown);
                unknown += names.len();
                let facts: Vec<(&str, serde_json::Value)> = view
                    .facts()
                    .map(|(f, value)| {
                        lists += usize::from(matches!(value, FactValue::List(_)));
                        (field_list[f].name.as_str(), value.to_json())
                    })
                    .collect();
                let expected: Vec<(&str, serde_json::Value)> = reported
                    .facts
                    .0
                    .iter()
                    .map(|(k, v)| (k.as_ref(), v.clone().into_owned()))
                    .collect();
                assert_eq!(facts, expected);
            }
        };
        rules
            .evaluate_file_each(&path, &FileOptions::default(), &mut each)
            .unwrap();
        // The batch exercises every part compared.
        assert!(findings > 1000 && unknown > 100 && lists > 100);
    }

    #[test]
    fn a_files_rejections_are_returned_with_where_and_why() {
        let rules = standard();
        let text = "{\"case_id\":\"A\"}\n{\"case_id\":\"B\",\"age\":\"x\"}\nnot json\n{\"case_id\":\"A\"}\n";
        let result = rules
            .evaluate_bytes("batch.jsonl", text.as_bytes(), &FileOptions::default())
            .unwrap();
        let t = result.totals;
        assert_eq!((t.read, t.evaluated, t.rejected), (4, 1, 3));
        let lines: Vec<_> = result.rejections.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 3, 4]);
        let first = &result.rejections[0];
        assert_eq!(
            (first.file.as_str(), first.case_id.as_deref()),
            ("batch.jsonl", Some("B"))
        );
        assert_eq!(first.problems[0].field.as_deref(), Some("age"));
        assert_eq!(result.rejections[1].problems[0].kind, ProblemKind::BadJson);
        assert_eq!(
            result.rejections[2].problems[0].kind,
            ProblemKind::DuplicateCaseId
        );
        assert_eq!(result.rejections[2].raw, "{\"case_id\":\"A\"}");
        // gzip is read by its first bytes.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
        let zipped = rules
            .evaluate_bytes(
                "batch.jsonl.gz",
                &gz.finish().unwrap(),
                &FileOptions::default(),
            )
            .unwrap();
        assert_eq!((zipped.cases, zipped.totals), (result.cases, result.totals));
        assert!(matches!(
            rules.evaluate_bytes("batch.txt", b"", &FileOptions::default()),
            Err(FileError::Read { .. })
        ));
    }

    #[test]
    fn a_mapped_export_is_read_through_its_mapping() {
        let rules = standard();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let options = FileOptions {
            map: Some(root.join("maps/cms-example.toml")),
            ..FileOptions::default()
        };
        let result = rules
            .evaluate_file(root.join("examples/data/cms-export.csv"), &options)
            .unwrap();
        assert!(result.totals.evaluated > 0);
        assert_eq!(
            result.totals.read,
            result.totals.evaluated + result.totals.rejected
        );
        let bad = FileOptions {
            map: Some(root.join("rules/schema.toml")),
            ..FileOptions::default()
        };
        assert!(matches!(
            rules.evaluate_file(root.join("examples/data/cms-export.csv"), &bad),
            Err(FileError::Mapping { .. })
        ));
    }
}
