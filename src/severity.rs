//! Severity of a gap or rule.

use std::fmt;

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// How serious a safeguard gap is, most serious first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A return to possible persecution or torture with no valid screening.
    Critical,
    /// A core safeguard was missing.
    High,
    /// A defect that undermines later protection, or a data problem.
    Medium,
    /// Worth a look.
    Low,
}

impl Severity {
    /// Every severity, most serious first.
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    /// Reads `critical`, `high`, `medium` or `low`.
    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The severity as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    /// The diagnostic for a word that is not a severity.
    pub(crate) fn unknown(text: &str, span: Span) -> Diagnostic {
        Diagnostic::error(
            "unknown-severity",
            format!("`{text}` is not a severity"),
            span,
        )
        .with_help("the severities are `critical`, `high`, `medium` and `low`")
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
