//! Reading rule-test files (`tests/*.toml` in a rule set): single tests and
//! tables of cases that share an expectation.
//!
//! ```toml
//! [[test]]
//! name = "returned to Tijuana after saying he was afraid"
//! flagged = ["fear-not-screened"]
//! [test.case]
//! program = "mpp-2019"
//! returned_to_mexico = true
//!
//! [[table]]
//! name = "age boundary"
//! clear = ["excluded-category-returned"]     # applies to every row
//! [table.base]
//! program = "mpp-2019"
//! [[table.row]]
//! name = "18 years old"
//! set = { age = 18 }
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::compile::Compiled;
use crate::diagnostic::Diagnostic;
use crate::records::case::CaseRecord;
use crate::ruleset::files::{self, Unreadable};
use crate::ruleset::toml_file;
use crate::source::Sources;
use crate::source::Span;

/// What a test expects of the evaluation of its case.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Expectation {
    /// Gap or rule ids that must be flagged.
    #[serde(default)]
    pub flagged: Vec<String>,
    /// Gap or rule ids that must need review.
    #[serde(default)]
    pub needs_review: Vec<String>,
    /// Gap or rule ids that must be neither flagged nor need review.
    #[serde(default)]
    pub clear: Vec<String>,
    /// When true, `flagged` and `needs_review` are complete: nothing else
    /// may be flagged or need review.
    #[serde(default)]
    pub exact: bool,
    /// Text each finding's explanation must contain, by gap or rule id.
    #[serde(default)]
    pub because: BTreeMap<String, String>,
    /// The whole explanation, exactly, by gap or rule id.
    #[serde(default)]
    pub because_is: BTreeMap<String, String>,
    /// The exception that must clear a rule, by gap or rule id.
    #[serde(default)]
    pub cleared_by: BTreeMap<String, String>,
}

impl Expectation {
    /// Whether the test says something about this rule or gap.
    pub(crate) fn mentions(&self, rule: &str, gap: &str) -> bool {
        let named = |id: &String| id == rule || id == gap;
        self.flagged
            .iter()
            .chain(&self.needs_review)
            .chain(&self.clear)
            .any(named)
            || self.because.keys().any(named)
            || self.because_is.keys().any(named)
            || self.cleared_by.keys().any(named)
    }

    fn merged(&self, more: &Expectation) -> Expectation {
        let mut out = self.clone();
        out.flagged.extend(more.flagged.iter().cloned());
        out.needs_review.extend(more.needs_review.iter().cloned());
        out.clear.extend(more.clear.iter().cloned());
        out.exact |= more.exact;
        out.because.extend(more.because.clone());
        out.because_is.extend(more.because_is.clone());
        out.cleared_by.extend(more.cleared_by.clone());
        out
    }
}

/// A case record taken from a record file of the rule set.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordRef {
    /// JSON Lines file (or, with `map`, any file the mapping reads),
    /// relative to the rule-set directory.
    file: String,
    /// The case to take.
    case_id: String,
    /// A mapping (grammar/MAPPING.md) to read the file through, relative to
    /// the rule-set directory.
    #[serde(default)]
    map: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestEntry {
    name: String,
    #[serde(default)]
    case: Option<toml::Table>,
    #[serde(default)]
    record: Option<RecordRef>,
    #[serde(default)]
    set: Option<toml::Table>,
    #[serde(default)]
    unset: Vec<String>,
    #[serde(flatten)]
    expect: Expectation,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableEntry {
    name: String,
    #[serde(default)]
    base: Option<toml::Table>,
    #[serde(default)]
    record: Option<RecordRef>,
    row: Vec<Spanned<RowEntry>>,
    #[serde(flatten)]
    expect: Expectation,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RowEntry {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    set: Option<toml::Table>,
    #[serde(default)]
    unset: Vec<String>,
    #[serde(flatten)]
    expect: Expectation,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    #[serde(default)]
    test: Vec<Spanned<TestEntry>>,
    #[serde(default)]
    table: Vec<Spanned<TableEntry>>,
}

/// One test, ready to run.
#[derive(Clone, Debug)]
pub(crate) struct RuleTest {
    /// Its name (`table / row` for table rows).
    pub name: String,
    /// Where it is written.
    pub span: Span,
    /// The case record, as a JSON object.
    pub case: serde_json::Value,
    /// What must come out.
    pub expect: Expectation,
    /// Fields the test removes from its case (checked against the schema).
    pub unset: Vec<String>,
}

/// Reads every `*.toml` file of `tests_dir`, in name order.
pub(crate) fn load_tests(
    compiled: &Compiled,
    rules_dir: &Path,
    tests_dir: &Path,
    sources: &mut Sources,
    diagnostics: &mut Vec<Diagnostic>,
) -> std::io::Result<Vec<RuleTest>> {
    let mut paths: Vec<_> = match std::fs::read_dir(tests_dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    paths.sort();
    let mut tests = Vec::new();
    for path in paths {
        let text = match files::read_regular(&path) {
            Ok(bytes) => String::from_utf8(bytes)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?,
            Err(Unreadable::Missing(e) | Unreadable::Io(e)) => return Err(e),
            Err(refused) => {
                diagnostics.extend(refused.refusal(&path, None));
                continue;
            }
        };
        let file = sources.add(&path, text.clone());
        let parsed: TestFile = match toml_file::parse(file, &text, "test file") {
            Ok(parsed) => parsed,
            Err(d) => {
                diagnostics.push(d);
                continue;
            }
        };
        for entry in parsed.test {
            let span = toml_file::span_of(file, &entry);
            let entry = entry.into_inner();
            let case = build_case(
                compiled,
                sources,
                rules_dir,
                entry.case.as_ref(),
                entry.record.as_ref(),
                entry.set.as_ref(),
                &entry.unset,
                span,
                diagnostics,
            );
            if let Some(case) = case {
                tests.push(RuleTest {
                    name: entry.name,
                    span,
                    case,
                    expect: entry.expect,
                    unset: entry.unset,
                });
            }
        }
        for table in parsed.table {
            let table = table.into_inner();
            for (i, row) in table.row.into_iter().enumerate() {
                let span = toml_file::span_of(file, &row);
                let row = row.into_inner();
                let merged_set = merge(table.base.as_ref(), row.set.as_ref());
                let case = build_case(
                    compiled,
                    sources,
                    rules_dir,
                    Some(&merged_set),
                    table.record.as_ref(),
                    None,
                    &row.unset,
                    span,
                    diagnostics,
                );
                let name = match &row.name {
                    Some(n) => format!("{} / {n}", table.name),
                    None => format!("{} / row {}", table.name, i + 1),
                };
                if let Some(case) = case {
                    tests.push(RuleTest {
                        name,
                        span,
                        case,
                        expect: table.expect.merged(&row.expect),
                        unset: row.unset.clone(),
                    });
                }
            }
        }
    }
    Ok(tests)
}

fn merge(base: Option<&toml::Table>, set: Option<&toml::Table>) -> toml::Table {
    let mut out = base.cloned().unwrap_or_default();
    for (k, v) in set.into_iter().flatten() {
        match (out.get_mut(k), v) {
            (Some(toml::Value::Table(mine)), toml::Value::Table(theirs)) => {
                for (kk, vv) in theirs {
                    mine.insert(kk.clone(), vv.clone());
                }
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

/// The case of a test: inline fields, or a record from a file, with `set`
/// and `unset` applied.
#[allow(clippy::too_many_arguments)]
fn build_case(
    compiled: &Compiled,
    sources: &mut Sources,
    rules_dir: &Path,
    inline: Option<&toml::Table>,
    record: Option<&RecordRef>,
    set: Option<&toml::Table>,
    unset: &[String],
    span: Span,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<serde_json::Value> {
    let mut case = match record {
        Some(reference) => {
            match find_record(compiled, sources, rules_dir, reference, diagnostics) {
                Ok(found) => found,
                Err(message) => {
                    diagnostics.push(Diagnostic::error("bad-test", message, span));
                    return None;
                }
            }
        }
        None => serde_json::Value::Object(serde_json::Map::new()),
    };
    let overrides = merge(inline, set);
    let non_finite = crate::records::input::non_finite_floats(&overrides);
    if !non_finite.is_empty() {
        for (field, found) in non_finite {
            diagnostics.push(Diagnostic::error(
                "bad-test",
                format!("field `{field}` is `{found}`, not a finite number"),
                span,
            ));
        }
        return None;
    }
    if let (serde_json::Value::Object(map), serde_json::Value::Object(more)) = (
        &mut case,
        crate::records::input::toml_to_json(toml::Value::Table(overrides)),
    ) {
        for (k, v) in more {
            match (map.get_mut(&k), v) {
                (Some(serde_json::Value::Object(mine)), serde_json::Value::Object(theirs)) => {
                    mine.extend(theirs)
                }
                (_, v) => {
                    map.insert(k, v);
                }
            }
        }
        for field in unset {
            match field.split_once('.') {
                Some((group, inner)) => {
                    if let Some(serde_json::Value::Object(g)) = map.get_mut(group) {
                        g.remove(inner);
                    }
                }
                None => {
                    map.remove(field);
                }
            }
        }
        map.entry("case_id")
            .or_insert_with(|| serde_json::Value::String("test".into()));
    }
    Some(case)
}

/// The text of a record file, read as a batch's input is (gzip or zstd,
/// a byte-order mark, UTF-16): at most [`files::MAX_FILE_BYTES`] of it once
/// decompressed.
fn record_file_text(bytes: &[u8]) -> Result<String, String> {
    use std::io::Read;
    let mut text = Vec::new();
    crate::records::stream::open_text(Box::new(bytes), None)
        .and_then(|stream| {
            stream
                .take(files::MAX_FILE_BYTES + 1)
                .read_to_end(&mut text)
        })
        .map_err(|e| e.to_string())?;
    if text.len() as u64 > files::MAX_FILE_BYTES {
        return Err(format!(
            "it is over {} MiB once decompressed",
            files::MAX_FILE_BYTES >> 20
        ));
    }
    String::from_utf8(text).map_err(|_| "it is not valid UTF-8 text".to_string())
}

fn find_record(
    compiled: &Compiled,
    sources: &mut Sources,
    rules_dir: &Path,
    reference: &RecordRef,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<serde_json::Value, String> {
    let path = rules_dir.join(&reference.file);
    if let Some(map) = &reference.map {
        return find_mapped_record(compiled, sources, rules_dir, reference, map, diagnostics);
    }
    let bytes = files::read_regular(&path).map_err(|e| e.message(Path::new(&reference.file)))?;
    let text = record_file_text(&bytes)
        .map_err(|why| format!("`{}` cannot be read: {why}", reference.file))?;
    for line in text.lines() {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(line) {
            if value.get("case_id").and_then(|v| v.as_str()) == Some(reference.case_id.as_str()) {
                return Ok(value);
            }
        }
    }
    Err(format!(
        "`{}` has no case `{}`",
        reference.file, reference.case_id
    ))
}

/// The case `reference.case_id` of a file read through a mapping.
fn find_mapped_record(
    compiled: &Compiled,
    sources: &mut Sources,
    rules_dir: &Path,
    reference: &RecordRef,
    map: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<serde_json::Value, String> {
    use crate::mapping::reader::{MappedRecords, OpenError};
    use crate::records::input::{Read1, RecordReader};
    let schema = &compiled.program.schema;
    let (mapping, found) = crate::mapping::load_into(&rules_dir.join(map), schema, sources);
    let failed = found.iter().any(Diagnostic::is_error);
    diagnostics.extend(found);
    let Some(mapping) = mapping.filter(|_| !failed) else {
        return Err(format!("the mapping `{map}` has errors"));
    };
    let path = rules_dir.join(&reference.file);
    // Read as every file of a rule set is (a regular file, bounded), then
    // decompressed and decoded by the mapping's reader.
    let bytes = files::read_regular(&path).map_err(|e| e.message(Path::new(&reference.file)))?;
    let stream = Box::new(std::io::Cursor::new(bytes));
    let format = crate::mapping::source_format(&mapping, &reference.file);
    let mut records = match MappedRecords::open(
        compiled,
        &mapping,
        reference.file.clone(),
        format,
        stream,
        crate::records::input::MAX_RECORD_BYTES,
    ) {
        Ok(records) => records,
        Err(OpenError::Mismatch(found)) => {
            diagnostics.extend(found);
            return Err(format!(
                "the mapping `{map}` does not fit `{}`",
                reference.file
            ));
        }
        Err(OpenError::Io(e)) => return Err(format!("cannot read `{}`: {e}", reference.file)),
    };
    let mut record = CaseRecord::with_fields(schema.fields.len());
    while let Some(read) = records
        .next_record(&mut record)
        .map_err(|e| format!("cannot read `{}`: {e}", reference.file))?
    {
        match read {
            Read1::Record(_) if record.case_id == reference.case_id => {
                return Ok(
                    crate::eval::record::Record::from_case(compiled, &record).to_json(schema)
                );
            }
            Read1::Rejected(rejection)
                if rejection.case_id.as_deref() == Some(&reference.case_id) =>
            {
                return Err(format!(
                    "case `{}` of `{}` is rejected through `{map}`: {}",
                    reference.case_id,
                    reference.file,
                    rejection.describe()
                ));
            }
            _ => {}
        }
    }
    Err(format!(
        "`{}` has no case `{}` (read through `{map}`)",
        reference.file, reference.case_id
    ))
}

/// The file and line of a test, for messages.
pub(crate) fn place(sources: &Sources, span: Span) -> String {
    let (line, _) = sources.line_col(span.file, span.start as usize);
    format!("{}:{line}", sources.get(span.file).name)
}
