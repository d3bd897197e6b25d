//! The documented JSON shape of one evaluated case: what `--format jsonl`
//! writes, one per line, and what the library returns. One type for both,
//! so the two can never drift apart: the writer borrows from the evaluation,
//! the library owns its copy ([`CaseReport::into_owned`]).

use std::borrow::Cow;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::eval::finding::{CaseOutcome, FindingKind};
use crate::report::case_view::{CaseView, FindingView};
use crate::severity::Severity;

/// One evaluated case: its id, its outcome and its findings.
///
/// ```json
/// {"case_id":"A-0001","outcome":"flagged","findings":[{"rule":"fear_not_screened",
///  "gap":"fear-not-screened","severity":"critical","outcome":"flagged",
///  "because":"fear of Mexico was expressed; …","facts":{"nri_held":false},
///  "cites":["USCIS PM-602-0169 (28 Jan 2019)"]}]}
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseReport<'a> {
    /// The case id.
    pub case_id: Cow<'a, str>,
    /// `flagged` if any finding is, else `needs-review` if any is, else
    /// `clear`.
    pub outcome: CaseOutcome,
    /// The findings, in rule order.
    pub findings: Vec<FindingReport<'a>>,
}

/// One rule's finding for a case, with the evidence and the law behind it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FindingReport<'a> {
    /// The rule's id.
    pub rule: Cow<'a, str>,
    /// The gap it reports (an id of the taxonomy).
    pub gap: Cow<'a, str>,
    /// The rule's severity.
    pub severity: Severity,
    /// `flagged`, `needs-review` or `cleared`.
    pub outcome: FindingKind,
    /// For `cleared`: the exception that cleared the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleared_by: Option<Cow<'a, str>>,
    /// The explanation (empty when explanations were not asked for).
    pub because: Cow<'a, str>,
    /// For `needs-review`: the fields that made it undecidable.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<Cow<'a, str>>,
    /// The recorded fields the rule read, with their values.
    pub facts: Facts<'a>,
    /// The rule's legal sources.
    pub cites: Cow<'a, [String]>,
}

/// Field names and values, in schema order; written as a JSON object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts<'a>(pub Vec<(Cow<'a, str>, Cow<'a, serde_json::Value>)>);

impl Serialize for Facts<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'a> CaseReport<'a> {
    /// The report of an evaluated case, borrowing from it and its record
    /// (the facts are the record's values).
    pub(crate) fn of(case: &CaseView<'a>) -> CaseReport<'a> {
        CaseReport {
            case_id: Cow::Borrowed(case.case_id()),
            outcome: case.outcome(),
            findings: case.findings().map(|f| FindingReport::of(&f)).collect(),
        }
    }

    /// A copy that borrows nothing.
    pub fn into_owned(self) -> CaseReport<'static> {
        CaseReport {
            case_id: Cow::Owned(self.case_id.into_owned()),
            outcome: self.outcome,
            findings: self
                .findings
                .into_iter()
                .map(FindingReport::into_owned)
                .collect(),
        }
    }
}

impl<'a> FindingReport<'a> {
    fn of(finding: &FindingView<'a>) -> FindingReport<'a> {
        FindingReport {
            rule: Cow::Borrowed(finding.rule()),
            gap: Cow::Borrowed(finding.gap()),
            severity: finding.severity(),
            outcome: finding.outcome(),
            cleared_by: finding.cleared_by().map(Cow::Borrowed),
            because: Cow::Borrowed(finding.because()),
            unknown: finding.unknown().map(Cow::Borrowed).collect(),
            facts: Facts(
                finding
                    .facts()
                    .map(|(field, value)| {
                        (
                            Cow::Borrowed(finding.field_name(field)),
                            Cow::Owned(value.to_json()),
                        )
                    })
                    .collect(),
            ),
            cites: Cow::Borrowed(finding.cites()),
        }
    }

    fn into_owned(self) -> FindingReport<'static> {
        let own = |text: Cow<'_, str>| Cow::Owned(text.into_owned());
        FindingReport {
            rule: own(self.rule),
            gap: own(self.gap),
            severity: self.severity,
            outcome: self.outcome,
            cleared_by: self.cleared_by.map(own),
            because: own(self.because),
            unknown: self.unknown.into_iter().map(own).collect(),
            facts: Facts(
                self.facts
                    .0
                    .into_iter()
                    .map(|(k, v)| (own(k), Cow::Owned(v.into_owned())))
                    .collect(),
            ),
            cites: Cow::Owned(self.cites.into_owned()),
        }
    }
}
