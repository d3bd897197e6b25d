//! What evaluation reports: one [`Finding`] per rule that found something for
//! a case, and the [`CaseResult`] that gathers them.

use crate::eval::outcome::RuleOutcome;
use crate::ruleset::schema::FieldId;

/// One rule's finding for one case: its outcome (flagged, needs review with
/// the unknown fields behind it, or cleared by an exception), the
/// explanation, and whether it was explained (its facts, the known fields
/// the rule read, are read from the record by `explain::facts` or written
/// straight from it). A finding is never "not applicable": a rule that found
/// nothing has no finding.
#[derive(Clone, Debug)]
pub(crate) struct Finding {
    rule: usize,
    outcome: RuleOutcome,
    because: String,
    explained: bool,
}

impl Finding {
    /// The finding of rule `rule`, or `None` when the outcome found nothing.
    pub(crate) fn new(
        rule: usize,
        outcome: RuleOutcome,
        because: String,
        explained: bool,
    ) -> Option<Finding> {
        (outcome != RuleOutcome::NotApplicable).then_some(Finding {
            rule,
            outcome,
            because,
            explained,
        })
    }

    /// Index into the program's rules.
    pub(crate) fn rule(&self) -> usize {
        self.rule
    }

    /// The rule's outcome (never [`RuleOutcome::NotApplicable`]).
    pub(crate) fn outcome(&self) -> &RuleOutcome {
        &self.outcome
    }

    /// Flagged, needs review or cleared.
    pub(crate) fn kind(&self) -> FindingKind {
        match self.outcome {
            RuleOutcome::NeedsReview(_) => FindingKind::NeedsReview,
            RuleOutcome::Cleared(_) => FindingKind::Cleared,
            RuleOutcome::Flagged | RuleOutcome::NotApplicable => FindingKind::Flagged,
        }
    }

    /// For needs review: the unknown fields that made it undecidable.
    pub(crate) fn unknown(&self) -> &[FieldId] {
        match &self.outcome {
            RuleOutcome::NeedsReview(fields) => fields,
            _ => &[],
        }
    }

    /// For cleared: the exception (index into `Rule::exceptions`).
    pub(crate) fn cleared_by(&self) -> Option<usize> {
        match self.outcome {
            RuleOutcome::Cleared(exception) => Some(exception),
            _ => None,
        }
    }

    /// The explanation (empty when explanations were not asked for).
    pub(crate) fn because(&self) -> &str {
        &self.because
    }

    /// Whether the finding was explained (else it shows no facts).
    pub(crate) fn explained(&self) -> bool {
        self.explained
    }

    /// Its explanation's buffer, to reuse.
    fn into_because(self) -> String {
        self.because
    }
}

/// What kind of finding, as reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// The gap was found.
    Flagged,
    /// The rule could not be decided: fields are unknown.
    NeedsReview,
    /// An exception cleared the rule (reported only when asked for).
    Cleared,
}

impl FindingKind {
    /// `flagged`, `needs-review`, `cleared`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Flagged => "flagged",
            FindingKind::NeedsReview => "needs-review",
            FindingKind::Cleared => "cleared",
        }
    }
}

/// The result for one case.
#[derive(Clone, Debug, Default)]
pub(crate) struct CaseResult {
    /// The case id.
    pub case_id: String,
    /// The findings, in rule order.
    pub findings: Vec<Finding>,
    /// The explanation buffers of earlier findings, reused.
    spare: Vec<String>,
}

impl CaseResult {
    /// Starts the result of case `case_id`: no findings, their buffers kept.
    pub(crate) fn start(&mut self, case_id: &str) {
        self.case_id.clear();
        self.case_id.push_str(case_id);
        let spare = &mut self.spare;
        spare.extend(self.findings.drain(..).map(Finding::into_because));
    }

    /// A buffer for the next finding's explanation (kept from an earlier
    /// case when there is one).
    pub(crate) fn buffer(&mut self) -> String {
        self.spare.pop().unwrap_or_default()
    }

    /// flagged if any finding is, else needs review if any is, else clear.
    pub(crate) fn outcome(&self) -> CaseOutcome {
        let has = |kind| self.findings.iter().any(|f| f.kind() == kind);
        if has(FindingKind::Flagged) {
            CaseOutcome::Flagged
        } else if has(FindingKind::NeedsReview) {
            CaseOutcome::NeedsReview
        } else {
            CaseOutcome::Clear
        }
    }
}

/// The outcome of a whole case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseOutcome {
    /// At least one gap found.
    Flagged,
    /// No gap found, but at least one rule needs review.
    NeedsReview,
    /// No rule applies.
    Clear,
}

impl CaseOutcome {
    /// `flagged`, `needs-review`, `clear`.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseOutcome::Flagged => "flagged",
            CaseOutcome::NeedsReview => "needs-review",
            CaseOutcome::Clear => "clear",
        }
    }
}
