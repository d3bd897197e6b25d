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
use std::path::{Path, PathBuf};

use crate::audit::run::{run_audits, AuditOptions};
use crate::compile::Compiled;
use crate::diagnostic::{render_text, Diagnostic};
use crate::eval::batch::{duplicate_case_id, evaluate_case, BatchOptions};
use crate::eval::case_ids::CaseIds;
use crate::eval::compiled::Evaluator;
use crate::eval::finding::CaseResult;
use crate::records::case::CaseRecord;
use crate::records::json::decode_line;
use crate::records::rejection::{Problem, ProblemKind};
use crate::records::schema_index::SchemaIndex;
use crate::report::case_json::CaseReport;
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
        self.decode(text)?;
        Ok(self.evaluate())
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

    /// Evaluates the decoded record.
    fn evaluate(&mut self) -> CaseReport<'static> {
        evaluate_case(
            &mut self.evaluator,
            &mut self.record,
            &mut self.result,
            self.options,
            |_| self.options.explain,
        );
        CaseReport::of(self.compiled, &self.record, &self.result).into_owned()
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
}
