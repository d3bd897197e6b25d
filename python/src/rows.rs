//! Evaluated cases on their way to Python, made cheaply.
//!
//! The evaluation runs with the GIL released and hands over each case as a
//! report borrowing from it; [`Rows`] keeps what Python will need in a few
//! flat buffers (the texts of a case in one string, the rule set's names as
//! indexes), with no per-case copies of rule ids, gaps, citations or field
//! names. Once the GIL is held again, [`Rows::case`] makes the dicts of the
//! documented JSON shape. The rule set's own names are Python strings made
//! once ([`Names`]) and shared between cases: `str` is immutable, so sharing
//! is not observable. Every list and dict is made fresh for its case.

use std::ops::Range;

use nrscreen::{CaseReport, RuleSet};
use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyString};

/// Names to their indexes.
/// (foldhash: the keys are the rule set's own short names, looked up once
/// per finding and fact.)
type Index = foldhash::HashMap<Box<str>, u32>;

/// A rule's strings, made once.
struct RuleNames {
    id: Py<PyString>,
    gap: Py<PyString>,
    severity: Py<PyString>,
    cites: Vec<Py<PyString>>,
}

/// The rule set's names: their indexes (looked up without the GIL) and
/// their Python strings (made once, shared by every case).
pub(crate) struct Names {
    rule_index: Index,
    field_index: Index,
    rules: Vec<RuleNames>,
    fields: Vec<Py<PyString>>,
    /// A finding's keys in the JSON order, each `None`: without and with
    /// `cleared_by` (bit 0) and `unknown` (bit 1). A finding's dict is a
    /// copy, its values then set, so that it never grows key by key.
    /// Never handed out.
    findings: [Py<PyDict>; 4],
}

impl Names {
    /// The names of `rules`' rules and fields.
    pub(crate) fn new(py: Python<'_>, rules: &RuleSet) -> PyResult<Names> {
        let mut rule_index = Index::default();
        let mut field_index = Index::default();
        let rule_names = rules
            .rules()
            .into_iter()
            .enumerate()
            .map(|(n, rule)| {
                rule_index.insert(rule.id.as_str().into(), index(n));
                RuleNames {
                    id: PyString::intern(py, &rule.id).unbind(),
                    gap: PyString::intern(py, &rule.gap).unbind(),
                    severity: PyString::intern(py, rule.severity.as_str()).unbind(),
                    cites: rule
                        .cites
                        .iter()
                        .map(|c| PyString::new(py, c).unbind())
                        .collect(),
                }
            })
            .collect();
        let fields = rules
            .fields()
            .into_iter()
            .enumerate()
            .map(|(n, field)| {
                field_index.insert(field.name.as_str().into(), index(n));
                PyString::intern(py, &field.name).unbind()
            })
            .collect();
        let findings = [
            finding_keys(py, 0)?,
            finding_keys(py, 1)?,
            finding_keys(py, 2)?,
            finding_keys(py, 3)?,
        ];
        Ok(Names {
            rule_index,
            field_index,
            rules: rule_names,
            fields,
            findings,
        })
    }

    /// The index of rule `id`.
    fn rule(&self, id: &str) -> Result<u32, String> {
        self.rule_index
            .get(id)
            .copied()
            .ok_or_else(|| format!("no rule `{id}` in the rule set (a bug of nrscreen)"))
    }

    /// The index of field `name`.
    fn field(&self, name: &str) -> Result<u32, String> {
        self.field_index
            .get(name)
            .copied()
            .ok_or_else(|| format!("no field `{name}` in the schema (a bug of nrscreen)"))
    }
}

/// A dict of a finding's keys, in the JSON order, each `None`: with
/// `cleared_by` when bit 0 of `shape` is set, `unknown` when bit 1 is.
fn finding_keys(py: Python<'_>, shape: usize) -> PyResult<Py<PyDict>> {
    let keys = [
        (intern!(py, "rule"), true),
        (intern!(py, "gap"), true),
        (intern!(py, "severity"), true),
        (intern!(py, "outcome"), true),
        (intern!(py, "cleared_by"), shape & 1 != 0),
        (intern!(py, "because"), true),
        (intern!(py, "unknown"), shape & 2 != 0),
        (intern!(py, "facts"), true),
        (intern!(py, "cites"), true),
    ];
    let d = PyDict::new(py);
    for (key, present) in keys {
        if present {
            d.set_item(key, py.None())?;
        }
    }
    Ok(d.unbind())
}

/// An index as `u32` (the rule set's rules and fields are far fewer).
fn index(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One case: where its texts and findings are.
struct CaseRow {
    id: Range<usize>,
    outcome: &'static str,
    findings: Range<usize>,
}

/// One finding: its rule by index, its texts by place.
struct FindingRow {
    rule: u32,
    outcome: &'static str,
    cleared_by: Option<Range<usize>>,
    because: Range<usize>,
    unknown: Range<usize>,
    facts: Range<usize>,
}

/// Evaluated cases, kept flat until they become Python objects; cleared
/// (keeping its buffers) for the next ones.
#[derive(Default)]
pub(crate) struct Rows {
    text: String,
    cases: Vec<CaseRow>,
    findings: Vec<FindingRow>,
    unknown: Vec<u32>,
    facts: Vec<(u32, serde_json::Value)>,
}

impl Rows {
    /// How many cases are kept.
    pub(crate) fn len(&self) -> usize {
        self.cases.len()
    }

    /// Forgets every case, keeping the buffers.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.cases.clear();
        self.findings.clear();
        self.unknown.clear();
        self.facts.clear();
    }

    /// Appends `text`; where it is.
    fn text(&mut self, text: &str) -> Range<usize> {
        let start = self.text.len();
        self.text.push_str(text);
        start..self.text.len()
    }

    /// Keeps `case` (its facts' values are moved, not copied); its row.
    pub(crate) fn push(&mut self, names: &Names, case: CaseReport<'_>) -> Result<usize, String> {
        let id = self.text(&case.case_id);
        let first = self.findings.len();
        for f in case.findings {
            let rule = names.rule(&f.rule)?;
            let cleared_by = f.cleared_by.as_deref().map(|by| self.text(by));
            let because = self.text(&f.because);
            let unknown_start = self.unknown.len();
            for u in &f.unknown {
                self.unknown.push(names.field(u)?);
            }
            let facts_start = self.facts.len();
            for (k, v) in f.facts.0 {
                self.facts.push((names.field(&k)?, v.into_owned()));
            }
            self.findings.push(FindingRow {
                rule,
                outcome: f.outcome.as_str(),
                cleared_by,
                because,
                unknown: unknown_start..self.unknown.len(),
                facts: facts_start..self.facts.len(),
            });
        }
        self.cases.push(CaseRow {
            id,
            outcome: case.outcome.as_str(),
            findings: first..self.findings.len(),
        });
        Ok(self.cases.len() - 1)
    }

    /// Case `row` as a dict of the documented JSON shape (one line of
    /// `nrscreen eval` output).
    pub(crate) fn case<'py>(
        &self,
        py: Python<'py>,
        names: &Names,
        row: usize,
    ) -> PyResult<Bound<'py, PyDict>> {
        let case = self
            .cases
            .get(row)
            .ok_or_else(|| PyValueError::new_err("no such case (a bug of nrscreen)"))?;
        let d = PyDict::new(py);
        d.set_item(
            intern!(py, "case_id"),
            PyString::new(py, &self.text[case.id.clone()]),
        )?;
        d.set_item(intern!(py, "outcome"), outcome(py, case.outcome))?;
        let findings = self.findings[case.findings.clone()]
            .iter()
            .map(|f| self.finding(py, names, f))
            .collect::<PyResult<Vec<_>>>()?;
        let findings = PyList::new(py, findings)?;
        untrack(&findings);
        d.set_item(intern!(py, "findings"), findings)?;
        untrack(&d);
        Ok(d)
    }

    /// A finding as a dict, its lists and dicts its own.
    fn finding<'py>(
        &self,
        py: Python<'py>,
        names: &Names,
        f: &FindingRow,
    ) -> PyResult<Bound<'py, PyDict>> {
        let rule = names
            .rules
            .get(f.rule as usize)
            .ok_or_else(|| PyValueError::new_err("no such rule (a bug of nrscreen)"))?;
        let field = |n: u32| {
            names
                .fields
                .get(n as usize)
                .map(|s| s.bind(py))
                .ok_or_else(|| PyValueError::new_err("no such field (a bug of nrscreen)"))
        };
        let shape = usize::from(f.cleared_by.is_some()) | usize::from(!f.unknown.is_empty()) << 1;
        let d = names.findings[shape].bind(py).copy()?;
        d.set_item(intern!(py, "rule"), rule.id.bind(py))?;
        d.set_item(intern!(py, "gap"), rule.gap.bind(py))?;
        d.set_item(intern!(py, "severity"), rule.severity.bind(py))?;
        d.set_item(intern!(py, "outcome"), outcome(py, f.outcome))?;
        if let Some(by) = &f.cleared_by {
            d.set_item(
                intern!(py, "cleared_by"),
                PyString::new(py, &self.text[by.clone()]),
            )?;
        }
        d.set_item(
            intern!(py, "because"),
            PyString::new(py, &self.text[f.because.clone()]),
        )?;
        if !f.unknown.is_empty() {
            let unknown = self.unknown[f.unknown.clone()]
                .iter()
                .map(|u| field(*u))
                .collect::<PyResult<Vec<_>>>()?;
            let unknown = PyList::new(py, unknown)?;
            untrack(&unknown);
            d.set_item(intern!(py, "unknown"), unknown)?;
        }
        let facts = PyDict::new(py);
        for (k, v) in &self.facts[f.facts.clone()] {
            facts.set_item(field(*k)?, json_to_py(py, v)?)?;
        }
        untrack(&facts);
        d.set_item(intern!(py, "facts"), facts)?;
        let cites = PyList::new(py, rule.cites.iter().map(|c| c.bind(py)))?;
        untrack(&cites);
        d.set_item(intern!(py, "cites"), cites)?;
        untrack(&d);
        Ok(d)
    }
}

/// An outcome's word (`flagged`, `needs-review`, `clear`, `cleared`), the
/// same string object every time.
fn outcome<'py>(py: Python<'py>, word: &'static str) -> Bound<'py, PyString> {
    match word {
        "flagged" => intern!(py, "flagged").clone(),
        "needs-review" => intern!(py, "needs-review").clone(),
        "clear" => intern!(py, "clear").clone(),
        "cleared" => intern!(py, "cleared").clone(),
        other => PyString::new(py, other),
    }
}

/// A JSON value as a Python object (what `json.loads` makes of it).
pub(crate) fn json_to_py<'py>(
    py: Python<'py>,
    value: &serde_json::Value,
) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value;
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let items = items
                .iter()
                .map(|item| json_to_py(py, item))
                .collect::<PyResult<Vec<_>>>()?;
            let list = PyList::new(py, items)?;
            untrack(&list);
            list.into_any()
        }
        Value::Object(map) => {
            let d = PyDict::new(py);
            for (k, v) in map {
                d.set_item(k, json_to_py(py, v)?)?;
            }
            untrack(&d);
            d.into_any()
        }
    })
}

/// Takes a result's container, once filled, out of the cyclic garbage
/// collector's lists (see `python/README.md`, "Speed"). What it holds is
/// strings, numbers, `None` and other containers taken out the same way,
/// so it can be part of no reference cycle, and the collector need not walk
/// it: walking the 300,000 containers of 30,000 cases was most of the time
/// Python added to the evaluation. A dict is put back by CPython itself as
/// soon as a container is stored in it; a list is not, so a cycle a caller
/// makes through a result's list is not collected (it is freed only when
/// broken by hand).
fn untrack<'py, T>(object: &Bound<'py, T>) {
    // SAFETY: `object` is a live reference to a container of the GC
    // (a dict or a list), held under the GIL; untracking an object that is
    // tracked or not is allowed at any time (CPython checks which).
    unsafe { pyo3::ffi::PyObject_GC_UnTrack(object.as_ptr().cast()) }
}
