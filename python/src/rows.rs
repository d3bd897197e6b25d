//! Evaluated cases on their way to Python, made cheaply.
//!
//! The evaluation runs with the GIL released and hands over each case as a
//! view borrowing from it; [`Rows`] keeps what Python will need in a few
//! flat buffers (the texts of a case in one string, the rule set's rules
//! and fields as indexes, a fact's value as a few tokens), with no per-case
//! copies of rule ids, gaps, citations or field names and no allocation.
//! Once the GIL is held again, [`Rows::case`] makes the dicts of the
//! documented JSON shape. The rule set's own names are Python strings made
//! once ([`Names`]) and shared between cases: `str` is immutable, so sharing
//! is not observable. Every list and dict is made fresh for its case.

use std::fmt::Write as _;
use std::ops::Range;

use nrscreen::{CaseView, FactValue, FindingKind, RuleInfo, RuleSet};
use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyString};

/// A rule's strings, made once.
struct RuleNames {
    cites: Vec<Py<PyString>>,
    /// The dicts its findings are copies of, by outcome and shape: a
    /// finding's keys in the JSON order, the rule's `rule`, `gap`,
    /// `severity` and the `outcome` set and the others `None`; without and
    /// with `cleared_by` (bit 0 of the shape) and `unknown` (bit 1). A copy
    /// never grows key by key, and only the case's values are set in it.
    /// Never handed out.
    templates: [[Py<PyDict>; 4]; 3],
}

/// The rule set's names as Python strings (made once, shared by every
/// case), by the index of their rule or field.
pub(crate) struct Names {
    rules: Vec<RuleNames>,
    fields: Vec<Py<PyString>>,
}

impl Names {
    /// The names of `rules`' rules and fields.
    pub(crate) fn new(py: Python<'_>, rules: &RuleSet) -> PyResult<Names> {
        let rule_names = rules
            .rules()
            .into_iter()
            .map(|rule| {
                let shapes = |outcome| -> PyResult<[Py<PyDict>; 4]> {
                    let template = |shape| finding_template(py, &rule, outcome, shape);
                    Ok([template(0)?, template(1)?, template(2)?, template(3)?])
                };
                Ok(RuleNames {
                    cites: rule
                        .cites
                        .iter()
                        .map(|c| PyString::new(py, c).unbind())
                        .collect(),
                    templates: [
                        shapes(FindingKind::Flagged)?,
                        shapes(FindingKind::NeedsReview)?,
                        shapes(FindingKind::Cleared)?,
                    ],
                })
            })
            .collect::<PyResult<_>>()?;
        let fields = rules
            .fields()
            .into_iter()
            .map(|field| PyString::intern(py, &field.name).unbind())
            .collect();
        Ok(Names {
            rules: rule_names,
            fields,
        })
    }
}

/// The dict `rule`'s findings with `outcome` are copies of: its keys in the
/// JSON order, `rule`, `gap`, `severity` and `outcome` set, the others
/// `None`; with `cleared_by` when bit 0 of `shape` is set, `unknown` when
/// bit 1 is.
fn finding_template(
    py: Python<'_>,
    rule: &RuleInfo,
    outcome: FindingKind,
    shape: usize,
) -> PyResult<Py<PyDict>> {
    let none = py.None().into_bound(py);
    let (cleared_by, unknown) = (shape & 1 != 0, shape & 2 != 0);
    let items = [
        ("rule", PyString::intern(py, &rule.id).into_any(), true),
        ("gap", PyString::intern(py, &rule.gap).into_any(), true),
        (
            "severity",
            PyString::intern(py, rule.severity.as_str()).into_any(),
            true,
        ),
        ("outcome", word(py, outcome.as_str()).into_any(), true),
        ("cleared_by", none.clone(), cleared_by),
        ("because", none.clone(), true),
        ("unknown", none.clone(), unknown),
        ("facts", none.clone(), true),
        ("cites", none, true),
    ];
    let d = PyDict::new(py);
    for (key, value, present) in items {
        if present {
            // Interned: the keys `finding` sets are these same objects.
            d.set_item(PyString::intern(py, key), value)?;
        }
    }
    Ok(d.unbind())
}

/// One case: where its texts and findings are.
struct CaseRow {
    id: Range<usize>,
    outcome: &'static str,
    findings: Range<usize>,
}

/// One finding: its rule by index, its texts by place.
struct FindingRow {
    rule: usize,
    outcome: FindingKind,
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
    unknown: Vec<usize>,
    /// Per fact: its field's index and where its value's tokens begin.
    facts: Vec<(usize, usize)>,
    values: Vec<Token>,
}

/// A fact's value, flat: a list is its length followed by its elements.
enum Token {
    Null,
    Bool(bool),
    Int(i64),
    Text(Range<usize>),
    List(usize),
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
        self.values.clear();
    }

    /// Appends `text`; where it is.
    fn text(&mut self, text: &str) -> Range<usize> {
        let start = self.text.len();
        self.text.push_str(text);
        start..self.text.len()
    }

    /// Keeps `case`; its row.
    pub(crate) fn push(&mut self, case: CaseView<'_>) -> usize {
        let id = self.text(case.case_id());
        let first = self.findings.len();
        for f in case.findings() {
            let cleared_by = f.cleared_by().map(|by| self.text(by));
            let because = self.text(f.because());
            let unknown_start = self.unknown.len();
            self.unknown.extend(f.unknown_fields());
            let facts_start = self.facts.len();
            for (field, value) in f.facts() {
                self.facts.push((field, self.values.len()));
                self.value(value);
            }
            self.findings.push(FindingRow {
                rule: f.rule_index(),
                outcome: f.outcome(),
                cleared_by,
                because,
                unknown: unknown_start..self.unknown.len(),
                facts: facts_start..self.facts.len(),
            });
        }
        self.cases.push(CaseRow {
            id,
            outcome: case.outcome().as_str(),
            findings: first..self.findings.len(),
        });
        self.cases.len() - 1
    }

    /// Keeps a fact's value as tokens.
    fn value(&mut self, value: FactValue<'_>) {
        let token = match value {
            FactValue::Null => Token::Null,
            FactValue::Bool(b) => Token::Bool(b),
            FactValue::Int(i) => Token::Int(i),
            FactValue::Text(text) => Token::Text(self.text(text)),
            FactValue::Date(date) => {
                let start = self.text.len();
                match date.iso() {
                    // Digits and dashes.
                    Some(iso) => self.text.extend(iso.iter().map(|&b| char::from(b))),
                    None => {
                        let _ = write!(self.text, "{date}");
                    }
                }
                Token::Text(start..self.text.len())
            }
            FactValue::Code(code) => {
                let start = self.text.len();
                let _ = write!(self.text, "{code}");
                Token::Text(start..self.text.len())
            }
            FactValue::List(list) => {
                self.values.push(Token::List(list.len()));
                for item in list.iter() {
                    self.value(item);
                }
                return;
            }
        };
        self.values.push(token);
    }

    /// The Python object of the value whose tokens begin at `*at`; `*at`
    /// moves past them.
    fn value_to_py<'py>(&self, py: Python<'py>, at: &mut usize) -> PyResult<Bound<'py, PyAny>> {
        let token = self
            .values
            .get(*at)
            .ok_or_else(|| PyValueError::new_err("no such value (a bug of nrscreen)"))?;
        *at += 1;
        Ok(match token {
            Token::Null => py.None().into_bound(py),
            Token::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
            Token::Int(i) => i.into_pyobject(py)?.into_any(),
            Token::Text(range) => PyString::new(py, &self.text[range.clone()]).into_any(),
            Token::List(len) => {
                let items = (0..*len)
                    .map(|_| self.value_to_py(py, at))
                    .collect::<PyResult<Vec<_>>>()?;
                let list = PyList::new(py, items)?;
                untrack(&list);
                list.into_any()
            }
        })
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
        d.set_item(intern!(py, "outcome"), word(py, case.outcome))?;
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
            .get(f.rule)
            .ok_or_else(|| PyValueError::new_err("no such rule (a bug of nrscreen)"))?;
        let field = |n: usize| {
            names
                .fields
                .get(n)
                .map(|s| s.bind(py))
                .ok_or_else(|| PyValueError::new_err("no such field (a bug of nrscreen)"))
        };
        let shape = usize::from(f.cleared_by.is_some()) | usize::from(!f.unknown.is_empty()) << 1;
        let outcome = match f.outcome {
            FindingKind::Flagged => 0,
            FindingKind::NeedsReview => 1,
            FindingKind::Cleared => 2,
        };
        let d = rule.templates[outcome][shape].bind(py).copy()?;
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
        for &(k, value) in &self.facts[f.facts.clone()] {
            facts.set_item(field(k)?, self.value_to_py(py, &mut { value })?)?;
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
fn word<'py>(py: Python<'py>, word: &'static str) -> Bound<'py, PyString> {
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
