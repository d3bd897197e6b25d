//! A record that could not be decoded: where, and every problem found in it
//! (each with its field, its reason and a stable kind), so that an export
//! can be fixed in one round.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::escape;

/// What kind of problem kept a record from being screened: a short, stable
/// name (`not-in-enum`, `bad-json`, …) for grouping, counting and
/// filtering rejections. New kinds may be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ProblemKind {
    /// `not-a-date`: text that is not a `YYYY-MM-DD` date.
    NotADate,
    /// `not-in-enum`: a value the field's list of values does not have.
    NotInEnum,
    /// `wrong-type`: a value of the wrong type (text for a number, a number
    /// for `true`/`false`, `null` in a list, …).
    WrongType,
    /// `not-finite`: TOML's `nan`, `inf` or `-inf`.
    NotFinite,
    /// `missing-case-id`: no `case_id`, or an empty one.
    MissingCaseId,
    /// `duplicate-case-id`: a case id already used in the batch.
    DuplicateCaseId,
    /// `repeated-field`: a field given twice in one record.
    RepeatedField,
    /// `not-utf8`: text that is not valid UTF-8.
    NotUtf8,
    /// `too-long`: a record longer than the limit (`--max-record-bytes`).
    TooLong,
    /// `bad-json`: a line that is not valid JSON.
    BadJson,
    /// `not-an-object`: valid JSON, but not an object.
    NotAnObject,
    /// `bad-toml`: a TOML file that cannot be parsed.
    BadToml,
    /// `wrong-cell-count`: a row with more or fewer cells than the header.
    WrongCellCount,
    /// `not-covered`: a value that no value table, converter or date
    /// format of the mapping covers (with `unmatched = "reject"`).
    NotCovered,
}

impl ProblemKind {
    /// Every kind.
    pub const ALL: [ProblemKind; 14] = [
        ProblemKind::NotADate,
        ProblemKind::NotInEnum,
        ProblemKind::WrongType,
        ProblemKind::NotFinite,
        ProblemKind::MissingCaseId,
        ProblemKind::DuplicateCaseId,
        ProblemKind::RepeatedField,
        ProblemKind::NotUtf8,
        ProblemKind::TooLong,
        ProblemKind::BadJson,
        ProblemKind::NotAnObject,
        ProblemKind::BadToml,
        ProblemKind::WrongCellCount,
        ProblemKind::NotCovered,
    ];

    /// The kind's name, as the rejects file writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::NotADate => "not-a-date",
            ProblemKind::NotInEnum => "not-in-enum",
            ProblemKind::WrongType => "wrong-type",
            ProblemKind::NotFinite => "not-finite",
            ProblemKind::MissingCaseId => "missing-case-id",
            ProblemKind::DuplicateCaseId => "duplicate-case-id",
            ProblemKind::RepeatedField => "repeated-field",
            ProblemKind::NotUtf8 => "not-utf8",
            ProblemKind::TooLong => "too-long",
            ProblemKind::BadJson => "bad-json",
            ProblemKind::NotAnObject => "not-an-object",
            ProblemKind::BadToml => "bad-toml",
            ProblemKind::WrongCellCount => "wrong-cell-count",
            ProblemKind::NotCovered => "not-covered",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ProblemKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One problem of a record: the field at fault (if one), the column it was
/// read from (when a mapping renamed it), why, and its kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Problem {
    /// The schema field at fault (`nri.outcome`), if one is.
    pub field: Option<String>,
    /// The input's own name for the column or key, where it differs from
    /// the field's (a mapped input); `None` in nrscreen's own formats.
    pub column: Option<String>,
    /// What is wrong (one lowercase line; it may quote the record).
    pub reason: String,
    /// The kind of problem.
    pub kind: ProblemKind,
}

impl Problem {
    /// A problem of no one field.
    pub(crate) fn new(kind: ProblemKind, reason: impl Into<String>) -> Problem {
        Problem {
            field: None,
            column: None,
            reason: reason.into(),
            kind,
        }
    }

    /// The same problem, of `field`.
    pub(crate) fn on_field(mut self, field: impl Into<String>) -> Problem {
        self.field = Some(field.into());
        self
    }

    /// The same problem, read from the input's column `column`.
    pub(crate) fn in_column(mut self, column: impl Into<String>) -> Problem {
        self.column = Some(column.into());
        self
    }

    /// `field `x`: ` (or `column `C` (field `x`): `, `column `C`: `), or
    /// nothing: what a description of the problem starts with.
    pub(crate) fn place(&self) -> String {
        place(self.field.as_deref(), self.column.as_deref())
    }
}

/// `field `x`: `, `column `C` (field `x`): `, `column `C`: ` or nothing:
/// where a problem is, as descriptions and summaries start it.
pub(crate) fn place(field: Option<&str>, column: Option<&str>) -> String {
    match (column, field) {
        (Some(column), Some(field)) => format!("column `{column}` (field `{field}`): "),
        (Some(column), None) => format!("column `{column}`: "),
        (None, Some(field)) => format!("field `{field}`: "),
        (None, None) => String::new(),
    }
}

/// `field `x`: reason`, unescaped (for a program; `nrscreen eval` shows it
/// on a terminal escaped).
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.place(), self.reason)
    }
}

/// Every problem of a record, `; `-separated.
pub(crate) fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A record set aside: not evaluated, reported, and written to the rejects
/// file with its raw text so that nothing is lost. Its JSON shape (the
/// rejects file) is `{"file","line","case_id","problems":[{"field",
/// "column","reason","kind"}],"raw"}`, with `null` for what is not known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Rejection {
    /// The input file (`-` for standard input).
    pub file: String,
    /// 1-based line where the record starts.
    pub line: usize,
    /// The case id, when it could be read.
    pub case_id: Option<String>,
    /// Every problem found, in the order of the record (at least one; at
    /// most one per field).
    pub problems: Vec<Problem>,
    /// The record's text as read.
    pub raw: String,
}

impl Rejection {
    /// A rejection of the record at `file:line`.
    pub(crate) fn new(
        file: &str,
        line: usize,
        case_id: Option<String>,
        problems: Vec<Problem>,
        raw: String,
    ) -> Rejection {
        Rejection {
            file: file.to_string(),
            line,
            case_id,
            problems,
            raw,
        }
    }

    /// `file:line (case X): field `x`: reason; field `y`: reason`, one line
    /// for a terminal: the case id, fields and reasons can quote the record,
    /// so the line is shown through [`escape::terminal`].
    pub(crate) fn describe(&self) -> String {
        let case = self
            .case_id
            .as_ref()
            .map(|c| format!(" (case {c})"))
            .unwrap_or_default();
        let line = format!(
            "{}:{}{case}: {}",
            self.file,
            self.line,
            list(&self.problems)
        );
        escape::terminal(&line).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_distinct_kebab_case_names_and_serialise_as_them() {
        let names: std::collections::BTreeSet<&str> =
            ProblemKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), ProblemKind::ALL.len());
        for kind in ProblemKind::ALL {
            assert!(kind
                .as_str()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{kind}\""));
        }
    }

    #[test]
    fn a_rejection_lists_every_problem_on_one_escaped_line_and_in_one_json_shape() {
        let rejection = Rejection::new(
            "a.csv",
            3,
            Some("A\u{1b}[31m".into()),
            vec![
                Problem::new(ProblemKind::WrongType, "`x` is not a whole number").on_field("age"),
                Problem::new(ProblemKind::NotInEnum, "`q\n` is not a value").on_field("program"),
            ],
            "raw".into(),
        );
        assert_eq!(
            rejection.describe(),
            "a.csv:3 (case A\\u{1b}[31m): field `age`: `x` is not a whole number; \
             field `program`: `q\\n` is not a value"
        );
        let json = serde_json::to_value(&rejection).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "file": "a.csv", "line": 3, "case_id": "A\u{1b}[31m",
                "problems": [
                    {"field": "age", "column": null, "reason": "`x` is not a whole number", "kind": "wrong-type"},
                    {"field": "program", "column": null, "reason": "`q\n` is not a value", "kind": "not-in-enum"},
                ],
                "raw": "raw",
            })
        );
        let mut mapped = Problem::new(ProblemKind::NotADate, "no");
        mapped.column = Some("Fecha".into());
        assert_eq!(mapped.to_string(), "column `Fecha`: no");
        assert_eq!(
            mapped.on_field("return_date").to_string(),
            "column `Fecha` (field `return_date`): no"
        );
    }
}
