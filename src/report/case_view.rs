//! An evaluated case as the library hands it to a caller's function while a
//! batch is evaluated: views that borrow from the evaluation and allocate
//! nothing. [`CaseView::report`] makes the [`CaseReport`] of the documented
//! JSON shape from them.

use crate::check::program::Rule;
use crate::compile::Compiled;
use crate::eval::explain;
use crate::eval::fact_value::FactValue;
use crate::eval::finding::{CaseOutcome, CaseResult, Finding, FindingKind};
use crate::records::case::CaseRecord;
use crate::ruleset::schema::FieldId;
use crate::severity::Severity;

use super::case_json::CaseReport;

/// One evaluated case, borrowed from the evaluation.
#[derive(Clone, Copy)]
pub struct CaseView<'a> {
    compiled: &'a Compiled,
    record: &'a CaseRecord,
    result: &'a CaseResult,
}

/// One rule's finding for a case, borrowed from the evaluation.
#[derive(Clone, Copy)]
pub struct FindingView<'a> {
    compiled: &'a Compiled,
    record: &'a CaseRecord,
    finding: &'a Finding,
    rule: &'a Rule,
}

impl<'a> CaseView<'a> {
    /// The view of an evaluated case and the record it was evaluated for.
    pub(crate) fn new(
        compiled: &'a Compiled,
        record: &'a CaseRecord,
        result: &'a CaseResult,
    ) -> CaseView<'a> {
        CaseView {
            compiled,
            record,
            result,
        }
    }

    /// The case id.
    pub fn case_id(&self) -> &'a str {
        &self.result.case_id
    }

    /// `flagged` if any finding is, else `needs-review` if any is, else
    /// `clear`.
    pub fn outcome(&self) -> CaseOutcome {
        self.result.outcome()
    }

    /// The findings, in rule order.
    pub fn findings(&self) -> impl ExactSizeIterator<Item = FindingView<'a>> + 'a {
        let CaseView {
            compiled, record, ..
        } = *self;
        self.result.findings.iter().map(move |finding| FindingView {
            compiled,
            record,
            finding,
            rule: &compiled.program.rules[finding.rule()],
        })
    }

    /// The report of the documented JSON shape, borrowing what it can.
    pub fn report(&self) -> CaseReport<'a> {
        CaseReport::of(self)
    }
}

impl<'a> FindingView<'a> {
    /// The rule's place in the rule set: its index in `RuleSet::rules()`.
    pub fn rule_index(&self) -> usize {
        self.finding.rule()
    }

    /// The rule's id.
    pub fn rule(&self) -> &'a str {
        &self.rule.id
    }

    /// The gap the rule reports (an id of the taxonomy).
    pub fn gap(&self) -> &'a str {
        &self.compiled.program.taxonomy.get(self.rule.gap).id
    }

    /// The rule's severity.
    pub fn severity(&self) -> Severity {
        self.rule.severity
    }

    /// `flagged`, `needs-review` or `cleared`.
    pub fn outcome(&self) -> FindingKind {
        self.finding.kind()
    }

    /// For `cleared`: the exception that cleared the rule.
    pub fn cleared_by(&self) -> Option<&'a str> {
        let rule = self.rule;
        self.finding
            .cleared_by()
            .map(|i| rule.exceptions[i].name.as_str())
    }

    /// The explanation (empty when explanations were not asked for).
    pub fn because(&self) -> &'a str {
        self.finding.because()
    }

    /// For `needs-review`: the fields that made it undecidable, as their
    /// indexes in `RuleSet::fields()`.
    pub fn unknown_fields(&self) -> impl ExactSizeIterator<Item = usize> + 'a {
        self.finding.unknown().iter().map(|f| f.0 as usize)
    }

    /// For `needs-review`: the names of the fields that made it
    /// undecidable.
    pub fn unknown(&self) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        let schema = &self.compiled.program.schema;
        self.finding
            .unknown()
            .iter()
            .map(|f| schema.field(*f).name.as_str())
    }

    /// The recorded fields the rule read (none when the finding was not
    /// explained), in schema order: each field's index in
    /// `RuleSet::fields()` and its value.
    pub fn facts(&self) -> impl Iterator<Item = (usize, FactValue<'a>)> + 'a {
        let FindingView {
            compiled, record, ..
        } = *self;
        let rule = compiled
            .rules
            .get(self.finding.rule())
            .filter(|_| self.finding.explained());
        rule.into_iter().flat_map(move |rule| {
            explain::fact_values(compiled, record, rule).map(move |(field, value, ty)| {
                (field.0 as usize, FactValue::of(compiled, record, value, ty))
            })
        })
    }

    /// The name of the field at `index` of `RuleSet::fields()`.
    pub fn field_name(&self, index: usize) -> &'a str {
        let schema = &self.compiled.program.schema;
        schema.field(FieldId(index as u32)).name.as_str()
    }

    /// The rule's legal sources.
    pub fn cites(&self) -> &'a [String] {
        &self.rule.cites
    }
}
