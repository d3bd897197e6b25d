//! `nrscreen._native`: the Python binding of the nrscreen library. The
//! Python package `nrscreen` re-exports it and adds the pandas and Dask
//! helpers. Evaluation runs with the GIL released.

use std::collections::{HashSet, VecDeque};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

mod rows;

use rows::{json_to_py, Names, Rows};

use nrscreen::{
    FileOptions, FileResult, LoadError, Problem, RecordError as NativeRecordError, RejectedRecord,
    RuleSet, RunSummary,
};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyIterator, PyList, PyString, PyTuple};

create_exception!(
    nrscreen,
    RuleSetError,
    PyException,
    "The rule set could not be loaded; `diagnostics` holds the rendered diagnostics."
);
create_exception!(
    nrscreen,
    RecordError,
    PyValueError,
    "A record was not screened; `problems` lists each problem (field, column, reason, kind)."
);
create_exception!(
    nrscreen,
    MappingError,
    PyValueError,
    "A mapping has errors or does not fit the input; `diagnostics` holds them rendered."
);

/// A loaded, checked and compiled rule set.
#[pyclass(name = "RuleSet", module = "nrscreen", frozen)]
struct PyRuleSet {
    rules: Arc<RuleSet>,
    /// Its names as Python strings, made once.
    names: Arc<Names>,
    path: PathBuf,
}

/// The problems of a record as Python dicts.
fn problems_to_py<'py>(py: Python<'py>, problems: &[Problem]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for p in problems {
        let d = PyDict::new(py);
        d.set_item("field", p.field.as_deref())?;
        d.set_item("column", p.column.as_deref())?;
        d.set_item("reason", &p.reason)?;
        d.set_item("kind", p.kind.as_str())?;
        list.append(d)?;
    }
    Ok(list)
}

/// A `RecordError` exception carrying `problems`, `case_id` and `index`.
fn record_error(
    py: Python<'_>,
    problems: Bound<'_, PyList>,
    message: String,
    case_id: Option<String>,
    index: Option<usize>,
) -> PyErr {
    let error = RecordError::new_err(message);
    let value = error.value(py);
    let attributes = [
        ("problems", problems.into_any()),
        (
            "case_id",
            case_id
                .into_pyobject(py)
                .map_or_else(|_| py.None().into_bound(py), |v| v.into_any()),
        ),
        (
            "index",
            index
                .into_pyobject(py)
                .map_or_else(|_| py.None().into_bound(py), |v| v.into_any()),
        ),
    ];
    for (name, v) in attributes {
        if let Err(e) = value.setattr(name, v) {
            return e;
        }
    }
    error
}

/// The error of a record the library refused.
fn native_record_error(
    py: Python<'_>,
    error: &NativeRecordError,
    case_id: Option<String>,
    index: Option<usize>,
) -> PyErr {
    match problems_to_py(py, &error.problems) {
        Ok(problems) => record_error(py, problems, error.to_string(), case_id, index),
        Err(e) => e,
    }
}

/// The error of a repeated case id (the wording of `screen_all`).
fn duplicate_error(py: Python<'_>, id: &str, index: usize) -> PyErr {
    let reason = format!("case id `{id}` was already used in this batch");
    let build = || -> PyResult<Bound<'_, PyList>> {
        let d = PyDict::new(py);
        d.set_item("field", "case_id")?;
        d.set_item("column", py.None())?;
        d.set_item("reason", &reason)?;
        d.set_item("kind", "duplicate-case-id")?;
        PyList::new(py, [d])
    };
    match build() {
        Ok(problems) => record_error(
            py,
            problems,
            format!("field `case_id`: {reason}"),
            Some(id.to_string()),
            Some(index),
        ),
        Err(e) => e,
    }
}

/// Serialisable items as a list of Python values.
fn serialised_list<'py, T: serde::Serialize>(
    py: Python<'py>,
    items: &[T],
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for item in items {
        let value = serde_json::to_value(item).map_err(|e| PyValueError::new_err(e.to_string()))?;
        list.append(json_to_py(py, &value)?)?;
    }
    Ok(list)
}

/// Runs `build` with Python's cyclic garbage collector paused: building
/// many dicts at once would set it off again and again over objects that
/// hold no cycles. Pause it for a chunk of results at a time
/// ([`GC_CHUNK`]), not for all: the collection that follows then walks
/// objects still in the processor's cache, where one after a whole file
/// walks hundreds of thousands that are not (measured on 30,000 cases:
/// about 0.2 s for that one walk, against about 0.12 s for the chunks'
/// walks and the middle generation's that follow them).
fn without_gc<'py, T>(py: Python<'py>, build: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    let gc = py.import("gc")?;
    let enabled: bool = gc.call_method0("isenabled")?.extract()?;
    if enabled {
        gc.call_method0("disable")?;
    }
    let result = build();
    if enabled {
        gc.call_method0("enable")?;
    }
    result
}

/// How many cases are made with the collector paused (see [`without_gc`]).
const GC_CHUNK: usize = 1024;

/// A rejected record as a dict (the rejects file's shape).
fn rejection_to_py<'py>(py: Python<'py>, r: &RejectedRecord) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("file", &r.file)?;
    d.set_item("line", r.line)?;
    d.set_item("case_id", r.case_id.as_deref())?;
    d.set_item("problems", problems_to_py(py, &r.problems)?)?;
    d.set_item("raw", &r.raw)?;
    Ok(d)
}

/// Whether `value` is an unknown cell: `None`, a float NaN, `pd.NA` or
/// `NaT` (pandas' and numpy's).
fn is_missing(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    if value.is_none() {
        return Ok(true);
    }
    if let Ok(f) = value.downcast::<PyFloat>() {
        return Ok(f.value().is_nan());
    }
    // The common values, without looking up the type's name.
    if value.is_instance_of::<PyString>()
        || value.is_instance_of::<PyInt>()
        || value.is_instance_of::<PyDict>()
        || value.is_instance_of::<PyList>()
    {
        return Ok(false);
    }
    let name = value.get_type().name()?;
    let name = name.to_cow()?;
    if name == "NAType" || name == "NaTType" {
        return Ok(true);
    }
    if name == "datetime64" || name == "timedelta64" {
        // numpy's NaT: `item()` gives None.
        return Ok(value.call_method0("item")?.is_none());
    }
    Ok(false)
}

/// Writes `s` as a JSON string.
fn write_str(out: &mut String, s: &str) {
    // Most text needs no escape: written as it is, without a copy.
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    match serde_json::to_string(s) {
        Ok(text) => out.push_str(&text),
        Err(_) => out.push_str("\"\""),
    }
}

/// Writes a Python value as JSON onto `out`. Unknown cells are left out of
/// objects (and `null` in lists, where the record decoder reports them);
/// numpy scalars and arrays, and dates, are converted.
fn write_json(value: &Bound<'_, PyAny>, out: &mut String, depth: usize) -> PyResult<()> {
    if depth > 64 {
        return Err(PyValueError::new_err(
            "a record nested more than 64 levels deep",
        ));
    }
    if value.is_none() {
        out.push_str("null");
    } else if let Ok(b) = value.downcast::<PyBool>() {
        out.push_str(if b.is_true() { "true" } else { "false" });
    } else if let Ok(i) = value.downcast::<PyInt>() {
        match i.extract::<i64>() {
            Ok(n) => {
                // Writing to a `String` cannot fail.
                let _ = write!(out, "{n}");
            }
            // Beyond 64 bits: its digits, which the decoder then refuses.
            Err(_) => out.push_str(&i.str()?.to_cow()?),
        }
    } else if let Ok(f) = value.downcast::<PyFloat>() {
        let x = f.value();
        if x.is_nan() {
            out.push_str("null");
        } else if !x.is_finite() {
            // Not a number JSON has: the decoder reports it as text.
            write_str(out, &x.to_string());
        } else if x.fract() == 0.0 && x.abs() < 9.007_199_254_740_992e15 {
            // `34.0` from a pandas column with gaps is the integer 34.
            #[allow(clippy::cast_possible_truncation)]
            out.push_str(&(x as i64).to_string());
        } else {
            out.push_str(
                &serde_json::Number::from_f64(x)
                    .map_or_else(|| "null".to_string(), |n| n.to_string()),
            );
        }
    } else if let Ok(s) = value.downcast::<PyString>() {
        write_str(out, &s.to_cow()?);
    } else if let Ok(d) = value.downcast::<PyDict>() {
        out.push('{');
        let mut first = true;
        for (k, v) in d.iter() {
            if is_missing(&v)? {
                continue;
            }
            let key = k.downcast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "record keys must be text, not {}",
                    k.get_type()
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                ))
            })?;
            if !first {
                out.push(',');
            }
            first = false;
            write_str(out, &key.to_cow()?);
            out.push(':');
            write_json(&v, out, depth + 1)?;
        }
        out.push('}');
    } else if value.downcast::<PyList>().is_ok() || value.downcast::<PyTuple>().is_ok() {
        out.push('[');
        for (n, item) in value.try_iter()?.enumerate() {
            if n > 0 {
                out.push(',');
            }
            let item = item?;
            if is_missing(&item)? {
                out.push_str("null");
            } else {
                write_json(&item, out, depth + 1)?;
            }
        }
        out.push(']');
    } else if is_missing(value)? {
        out.push_str("null");
    } else if value.hasattr("tolist")? && value.hasattr("dtype")? {
        // numpy scalars and arrays (and pandas arrays): Python values.
        write_json(&value.call_method0("tolist")?, out, depth + 1)?;
    } else if value.hasattr("isoformat")? && value.hasattr("year")? {
        // A date; a date and time at midnight (a pandas Timestamp) is its date.
        let midnight = value.hasattr("hour")?
            && ["hour", "minute", "second", "microsecond"]
                .iter()
                .map(|a| value.getattr(*a).and_then(|v| v.extract::<i64>()))
                .collect::<PyResult<Vec<i64>>>()?
                .iter()
                .all(|v| *v == 0);
        let text = if midnight {
            value.call_method0("date")?.call_method0("isoformat")?
        } else {
            value.call_method0("isoformat")?
        };
        write_str(out, &text.extract::<String>()?);
    } else if let Ok(m) = value.downcast::<pyo3::types::PyMapping>() {
        let d = PyDict::new(value.py());
        for item in m.items()?.iter() {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            d.set_item(k, v)?;
        }
        write_json(d.as_any(), out, depth)?;
    } else {
        return Err(PyTypeError::new_err(format!(
            "cannot screen a value of type {}",
            value.get_type().name()?
        )));
    }
    Ok(())
}

/// A record (a dict, or any mapping) as JSON text.
fn record_json(record: &Bound<'_, PyAny>) -> PyResult<String> {
    if record.downcast::<PyDict>().is_err() && record.downcast::<pyo3::types::PyMapping>().is_err()
    {
        return Err(PyTypeError::new_err(format!(
            "a record is a dict, not {}",
            record.get_type().name()?
        )));
    }
    let mut out = String::with_capacity(512);
    write_json(record, &mut out, 0)?;
    Ok(out)
}

/// The `case_id` of a record, when it is text.
fn record_case_id(record: &Bound<'_, PyAny>) -> Option<String> {
    record
        .get_item("case_id")
        .ok()
        .and_then(|v| v.extract::<String>().ok())
}

/// The worker threads asked for: all cores when `None`.
fn jobs(given: Option<usize>) -> usize {
    given.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    })
}

/// The result of a file: `cases`, `rejections`, `totals`, `unknown_keys`.
#[pyclass(name = "FileResult", module = "nrscreen", frozen)]
struct PyFileResult {
    /// The evaluated cases (dicts in the shape of `nrscreen eval`), in input order.
    #[pyo3(get)]
    cases: Py<PyList>,
    /// The rejected records: dicts of file, line, case_id, problems, raw.
    #[pyo3(get)]
    rejections: Py<PyList>,
    /// `read`, `evaluated`, `rejected`, `flagged`, `needs_review`, `clear`.
    #[pyo3(get)]
    totals: Py<PyDict>,
    /// Keys of the input that are not fields of the schema (ignored).
    #[pyo3(get)]
    unknown_keys: Py<PyList>,
}

#[pymethods]
impl PyFileResult {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "FileResult(totals={})",
            self.totals.bind(py).repr()?
        ))
    }
}

impl PyFileResult {
    /// The result `result` of a file whose cases are `cases`.
    fn of(py: Python<'_>, result: &FileResult, cases: &[Py<PyDict>]) -> PyResult<PyFileResult> {
        let cases = PyList::new(py, cases.iter().map(|case| case.bind(py)))?;
        let rejections = PyList::empty(py);
        for r in &result.rejections {
            rejections.append(rejection_to_py(py, r)?)?;
        }
        let t = result.totals;
        let totals = PyDict::new(py);
        for (k, v) in [
            ("read", t.read),
            ("evaluated", t.evaluated),
            ("rejected", t.rejected),
            ("flagged", t.flagged),
            ("needs_review", t.needs_review),
            ("clear", t.clear),
        ] {
            totals.set_item(k, v)?;
        }
        Ok(PyFileResult {
            cases: cases.unbind(),
            rejections: rejections.unbind(),
            totals: totals.unbind(),
            unknown_keys: PyList::new(py, &result.unknown_keys)?.unbind(),
        })
    }
}

/// The result of `RuleSet.test()` or `RuleSet.audit()`.
#[pyclass(name = "RunResult", module = "nrscreen", frozen)]
struct PyRunResult {
    /// How many passed.
    #[pyo3(get)]
    passed: usize,
    /// How many failed.
    #[pyo3(get)]
    failed: usize,
    /// The report, as `nrscreen test` or `nrscreen audit` prints it.
    #[pyo3(get)]
    report: String,
}

#[pymethods]
impl PyRunResult {
    /// Whether none failed.
    #[getter]
    fn ok(&self) -> bool {
        self.failed == 0
    }

    fn __bool__(&self) -> bool {
        self.failed == 0
    }

    fn __repr__(&self) -> String {
        format!("RunResult(passed={}, failed={})", self.passed, self.failed)
    }
}

impl From<RunSummary> for PyRunResult {
    fn from(s: RunSummary) -> Self {
        PyRunResult {
            passed: s.passed,
            failed: s.failed,
            report: s.report,
        }
    }
}

/// The error of a rule set that cannot be loaded (or whose tests cannot).
fn load_error(py: Python<'_>, error: LoadError) -> PyErr {
    let (diagnostics, errors) = match &error {
        LoadError::Invalid {
            errors,
            diagnostics,
        } => (diagnostics.clone(), *errors),
        LoadError::Read(e) => (e.to_string(), 1),
    };
    let err = RuleSetError::new_err(error.to_string());
    let value = err.value(py);
    if let Err(e) = value.setattr("diagnostics", diagnostics) {
        return e;
    }
    if let Err(e) = value.setattr("errors", errors) {
        return e;
    }
    err
}

#[pymethods]
impl PyRuleSet {
    /// Loads the rule set in directory `path`; raises `RuleSetError`.
    #[new]
    fn new(py: Python<'_>, path: PathBuf) -> PyResult<PyRuleSet> {
        let dir = path.clone();
        let rules = py
            .allow_threads(move || RuleSet::load(&dir))
            .map_err(|e| load_error(py, e))?;
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        Ok(PyRuleSet {
            names: Arc::new(Names::new(py, &rules)?),
            rules: Arc::new(rules),
            path,
        })
    }

    /// The rule set's directory (absolute).
    #[getter]
    fn path(&self) -> String {
        self.path.display().to_string()
    }

    /// Its name (from its manifest).
    #[getter]
    fn name(&self) -> String {
        self.rules.name().to_string()
    }

    /// Its one-line description.
    #[getter]
    fn description(&self) -> String {
        self.rules.description().to_string()
    }

    /// Its rules: dicts of id, gap, severity, title, cites, doc.
    #[getter]
    fn rules<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        serialised_list(py, &self.rules.rules())
    }

    /// The fields of its schema: dicts of name, type, required, description.
    #[getter]
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        serialised_list(py, &self.rules.fields())
    }

    /// The warnings `nrscreen check` prints, rendered (empty when none).
    #[getter]
    fn warnings(&self) -> String {
        self.rules.warnings()
    }

    /// Screens one record (a dict; nested dicts for records such as `nri`,
    /// lists for list fields). A key absent, `None`, NaN, `pd.NA` or `NaT`
    /// is unknown, never false. Returns the case as `nrscreen eval` writes
    /// it; raises `RecordError` with the problems.
    #[pyo3(signature = (record, *, show_cleared = false))]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        show_cleared: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let text = record_json(record)?;
        let (rules, names) = (&self.rules, &*self.names);
        let mut rows = Rows::default();
        let result = py.allow_threads(|| {
            rules
                .screener()
                .show_cleared(show_cleared)
                .screen_json_with(&text, |case| rows.push(case))
        });
        match result {
            Ok(row) => rows.case(py, names, row),
            Err(error) => Err(native_record_error(
                py,
                &error,
                record_case_id(record),
                None,
            )),
        }
    }

    /// Screens an iterable of records lazily, in order, `chunk` at a time
    /// with the GIL released. A case id seen before in the stream is an
    /// error. Errors raise `RecordError` (ending the iteration) or, with
    /// `errors="return"`, are yielded in place of the case.
    #[pyo3(signature = (records, *, show_cleared = false, errors = "raise", chunk = 256))]
    fn evaluate_many(
        &self,
        records: &Bound<'_, PyAny>,
        show_cleared: bool,
        errors: &str,
        chunk: usize,
    ) -> PyResult<CaseStream> {
        let raise = match errors {
            "raise" => true,
            "return" => false,
            other => {
                return Err(PyValueError::new_err(format!(
                    "errors is \"raise\" or \"return\", not {other:?}"
                )))
            }
        };
        Ok(CaseStream {
            rules: Arc::clone(&self.rules),
            names: Arc::clone(&self.names),
            source: Some(PyIterator::from_object(records)?.unbind()),
            ready: VecDeque::new(),
            seen: HashSet::new(),
            rows: Rows::default(),
            show_cleared,
            raise,
            chunk: chunk.max(1),
            index: 0,
        })
    }

    /// Screens the records of file `path` as `nrscreen eval` does (JSON
    /// Lines, CSV, TSV or TOML by extension; gzip or zstd; through mapping
    /// `map` when given) with `jobs` threads (all cores when None).
    /// Rejected records are returned, never printed.
    #[pyo3(signature = (path, map = None, jobs = None, *, show_cleared = false))]
    fn evaluate_file(
        &self,
        py: Python<'_>,
        path: PathBuf,
        map: Option<PathBuf>,
        jobs: Option<usize>,
        show_cleared: bool,
    ) -> PyResult<PyFileResult> {
        let options = file_options(map, jobs, show_cleared);
        self.screen_input(py, |rules, each| {
            rules.evaluate_file_each(&path, &options, each)
        })
    }

    /// Screens records held in memory (`data`, text or bytes) as
    /// `evaluate_file` screens a file named `name`, whose extension gives
    /// the format (`records.csv`, `export.tsv`, …).
    #[pyo3(signature = (data, name, map = None, jobs = None, *, show_cleared = false))]
    fn evaluate_bytes(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        name: String,
        map: Option<PathBuf>,
        jobs: Option<usize>,
        show_cleared: bool,
    ) -> PyResult<PyFileResult> {
        let bytes: Vec<u8> = if let Ok(s) = data.downcast::<PyString>() {
            s.to_cow()?.as_bytes().to_vec()
        } else {
            data.extract::<Vec<u8>>()?
        };
        let options = file_options(map, jobs, show_cleared);
        self.screen_input(py, |rules, each| {
            rules.evaluate_bytes_each(&name, &bytes, &options, each)
        })
    }

    /// Runs the rule set's tests (`tests/*.toml`) whose name contains
    /// `filter` (all when None).
    #[pyo3(signature = (filter = None))]
    fn test(&self, py: Python<'_>, filter: Option<String>) -> PyResult<PyRunResult> {
        let rules = &self.rules;
        py.allow_threads(|| rules.test(filter.as_deref()))
            .map(PyRunResult::from)
            .map_err(|e| load_error(py, e))
    }

    /// Checks the rule set's audits and the built-in ones over `cases`
    /// generated records each; the same `seed` gives the same cases.
    #[pyo3(signature = (cases = 300, seed = 1))]
    fn audit(&self, py: Python<'_>, cases: u32, seed: u64) -> PyRunResult {
        let rules = &self.rules;
        py.allow_threads(|| rules.audit(cases, seed)).into()
    }

    /// Pickled as its path: unpickling loads it once per process.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let load = py.import("nrscreen")?.getattr("load_cached")?;
        let args = PyTuple::new(py, [self.path.display().to_string()])?;
        PyTuple::new(py, [load, args.into_any()])
    }

    fn __repr__(&self) -> String {
        format!(
            "RuleSet(name={:?}, path={:?}, rules={})",
            self.rules.name(),
            self.path.display().to_string(),
            self.rules.rules().len()
        )
    }
}

impl PyRuleSet {
    /// Runs `screen` over the rule set with the GIL released, its cases
    /// kept as [`Rows`]; its result as Python objects.
    fn screen_input(
        &self,
        py: Python<'_>,
        screen: impl FnOnce(
                &RuleSet,
                &mut dyn FnMut(nrscreen::CaseView<'_>),
            ) -> Result<FileResult, nrscreen::FileError>
            + Send,
    ) -> PyResult<PyFileResult> {
        let rules = &self.rules;
        let mut build = Build {
            names: &self.names,
            rows: Rows::default(),
            cases: Vec::new(),
            failed: None,
        };
        let result = py.allow_threads(|| {
            let result = screen(rules, &mut |case| build.push(case));
            build.flush();
            result
        });
        if let Some(e) = build.failed {
            return Err(e);
        }
        let result = result.map_err(|e| file_error(py, e))?;
        PyFileResult::of(py, &result, &build.cases)
    }
}

/// The cases of a file on their way to Python: kept as [`Rows`] while the
/// evaluation goes on with the GIL released, made dicts [`GC_CHUNK`] at a
/// time with the GIL taken back for that alone (with `jobs` above 1, the
/// workers go on meanwhile). The rows stay few, in cache and reused.
struct Build<'n> {
    names: &'n Names,
    rows: Rows,
    cases: Vec<Py<PyDict>>,
    /// The first error; the cases after it are not made.
    failed: Option<PyErr>,
}

impl Build<'_> {
    /// Keeps `case`, making the chunk's dicts when it is full.
    fn push(&mut self, case: nrscreen::CaseView<'_>) {
        if self.failed.is_some() {
            return;
        }
        self.rows.push(case);
        if self.rows.len() >= GC_CHUNK {
            self.flush();
        }
    }

    /// Makes the dicts of the cases kept (taking the GIL), and forgets them.
    fn flush(&mut self) {
        if self.failed.is_none() && self.rows.len() > 0 {
            let (rows, names, cases) = (&self.rows, self.names, &mut self.cases);
            let made = Python::with_gil(|py| {
                without_gc(py, || {
                    for row in 0..rows.len() {
                        cases.push(rows.case(py, names, row)?.unbind());
                    }
                    Ok(())
                })
            });
            if let Err(e) = made {
                self.failed = Some(e);
            }
        }
        self.rows.clear();
    }
}

/// The options of `evaluate_file` and `evaluate_bytes`.
fn file_options(map: Option<PathBuf>, jobs: Option<usize>, show_cleared: bool) -> FileOptions {
    FileOptions {
        map,
        jobs: self::jobs(jobs),
        show_cleared,
    }
}

/// The error of a file that cannot be screened.
fn file_error(py: Python<'_>, error: nrscreen::FileError) -> PyErr {
    match error {
        nrscreen::FileError::Read { file, error } => {
            PyOSError::new_err(format!("reading `{file}` failed: {error}"))
        }
        nrscreen::FileError::Mapping { diagnostics } => {
            let err = MappingError::new_err(format!("the mapping cannot be used:\n{diagnostics}"));
            match err.value(py).setattr("diagnostics", diagnostics) {
                Ok(()) => err,
                Err(e) => e,
            }
        }
        nrscreen::FileError::TooManyIds(message) => PyValueError::new_err(message),
    }
}

/// What one record of a stream became.
enum Screened {
    /// A row of the chunk's [`Rows`].
    Row(usize),
    Built(PyObject),
    Refused(NativeRecordError),
    Duplicate(String),
    Python(PyErr),
}

/// The iterator of `RuleSet.evaluate_many`: screens its source a chunk at
/// a time (the GIL released), checking case ids for repeats.
#[pyclass(module = "nrscreen")]
struct CaseStream {
    rules: Arc<RuleSet>,
    names: Arc<Names>,
    source: Option<Py<PyIterator>>,
    ready: VecDeque<(usize, Option<String>, Screened)>,
    seen: HashSet<String>,
    /// The cases of the chunk being screened.
    rows: Rows,
    show_cleared: bool,
    raise: bool,
    chunk: usize,
    index: usize,
}

#[pymethods]
impl CaseStream {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<PyObject>> {
        if self.ready.is_empty() {
            self.fill(py)?;
        }
        let Some((index, case_id, item)) = self.ready.pop_front() else {
            return Ok(None);
        };
        let error = match item {
            Screened::Built(case) => return Ok(Some(case)),
            Screened::Row(_) => {
                return Err(PyValueError::new_err(
                    "a case was not built (a bug of nrscreen)",
                ))
            }
            Screened::Refused(e) => native_record_error(py, &e, case_id, Some(index)),
            Screened::Duplicate(id) => duplicate_error(py, &id, index),
            Screened::Python(e) => return Err(e),
        };
        if self.raise {
            self.source = None;
            self.ready.clear();
            Err(error)
        } else {
            Ok(Some(error.into_value(py).into_any()))
        }
    }
}

impl CaseStream {
    /// Reads and screens the next chunk of the source.
    fn fill(&mut self, py: Python<'_>) -> PyResult<()> {
        let Some(source) = &self.source else {
            return Ok(());
        };
        // The records are kept to read the case id of one refused.
        let mut records: Vec<Option<Bound<'_, PyAny>>> = Vec::with_capacity(self.chunk);
        let mut texts: Vec<Result<String, PyErr>> = Vec::with_capacity(self.chunk);
        let mut iter = source.bind(py).clone();
        while texts.len() < self.chunk {
            match iter.next() {
                None => {
                    self.source = None;
                    break;
                }
                Some(Err(e)) => {
                    self.source = None;
                    texts.push(Err(e));
                    records.push(None);
                    break;
                }
                Some(Ok(record)) => {
                    texts.push(record_json(&record));
                    records.push(Some(record));
                }
            }
        }
        let (rules, names) = (&self.rules, &*self.names);
        let seen = &mut self.seen;
        let rows = &mut self.rows;
        rows.clear();
        let show_cleared = self.show_cleared;
        let screened = py.allow_threads(move || {
            let mut screener = rules.screener().show_cleared(show_cleared);
            texts
                .into_iter()
                .map(|text| match text {
                    Err(e) => Screened::Python(e),
                    Ok(text) => {
                        let screened = screener.screen_json_with(&text, |case| {
                            if !seen.insert(case.case_id().to_string()) {
                                return Screened::Duplicate(case.case_id().to_string());
                            }
                            Screened::Row(rows.push(case))
                        });
                        screened.unwrap_or_else(Screened::Refused)
                    }
                })
                .collect::<Vec<_>>()
        });
        // The chunk's dicts are made together, the collector paused.
        let (rows, ready, first) = (&self.rows, &mut self.ready, self.index);
        self.index += screened.len();
        without_gc(py, || {
            for (n, (item, record)) in screened.into_iter().zip(records).enumerate() {
                let (item, case_id) = match item {
                    Screened::Row(row) => (
                        Screened::Built(rows.case(py, names, row)?.into_any().unbind()),
                        None,
                    ),
                    refused @ Screened::Refused(_) => {
                        (refused, record.as_ref().and_then(record_case_id))
                    }
                    other => (other, None),
                };
                ready.push_back((first + n, case_id, item));
            }
            Ok(())
        })?;
        Ok(())
    }
}

/// Loads the rule set in directory `path` (as `RuleSet(path)`); raises
/// `RuleSetError` with the rendered diagnostics.
#[pyfunction]
fn load(py: Python<'_>, path: PathBuf) -> PyResult<PyRuleSet> {
    PyRuleSet::new(py, path)
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<PyRuleSet>()?;
    m.add_class::<PyFileResult>()?;
    m.add_class::<PyRunResult>()?;
    m.add_class::<CaseStream>()?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add("RuleSetError", py.get_type::<RuleSetError>())?;
    m.add("RecordError", py.get_type::<RecordError>())?;
    m.add("MappingError", py.get_type::<MappingError>())?;
    Ok(())
}
