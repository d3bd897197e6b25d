//! A record that could not be decoded: where, which field, and why.

use serde::Serialize;

use crate::escape;

/// A record set aside: not evaluated, reported, and written to the rejects
/// file with its raw text so that nothing is lost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Rejection {
    /// The input file (`-` for standard input).
    pub file: String,
    /// 1-based line where the record starts.
    pub line: usize,
    /// The case id, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// The field at fault, if one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Why the record was rejected (one lowercase line).
    pub reason: String,
    /// The record's text as read.
    pub raw: String,
}

impl Rejection {
    /// `file:line: field `x`: reason`, for a terminal: the case id, field
    /// and reason can quote the record, so the line is shown through
    /// [`escape::terminal`].
    pub(crate) fn describe(&self) -> String {
        let case = self
            .case_id
            .as_ref()
            .map(|c| format!(" (case {c})"))
            .unwrap_or_default();
        let line = match &self.field {
            Some(field) => format!(
                "{}:{}{case}: field `{field}`: {}",
                self.file, self.line, self.reason
            ),
            None => format!("{}:{}{case}: {}", self.file, self.line, self.reason),
        };
        escape::terminal(&line).into_owned()
    }
}
