//! Checking `audit "NAME" { … }` declarations: unique names, the
//! precondition, and each expectation's gap or rule and kind.

use crate::diagnostic::Diagnostic;
use crate::suggest::did_you_mean;
use crate::syntax::ast::{self, Item};
use crate::types::Type;

use super::expr::Scope;
use super::program::{Audit, AuditExpectation, AuditExpectationKind, Rule, TKind};
use super::Checker;

impl<'a> Checker<'a> {
    /// Checks every audit against the checked `rules` (by index); an audit
    /// whose precondition has an error is left out, and so is each
    /// expectation with an error.
    pub(super) fn check_audits(
        &mut self,
        items: &[&'a Item],
        rules: &[Option<Rule>],
    ) -> Vec<Audit> {
        let mut audits: Vec<Audit> = Vec::new();
        for item in items {
            let Item::Audit(audit) = item else { continue };
            if let Some(previous) = audits.iter().find(|a| a.name == audit.name.value) {
                let first = previous.span;
                self.error(
                    Diagnostic::error(
                        "duplicate-audit",
                        format!("audit \"{}\" is declared twice", audit.name.value),
                        audit.name.span,
                    )
                    .with_secondary(first, "first declared here"),
                );
                continue;
            }
            let precondition = match &audit.precondition {
                Some(e) => match self.condition(e) {
                    Some(c) => Some(c),
                    None => continue,
                },
                None => None,
            };
            let expects = audit
                .expects
                .iter()
                .filter_map(|expect| self.audit_expectation(expect, rules))
                .collect();
            audits.push(Audit {
                name: audit.name.value.clone(),
                precondition,
                expects,
                span: audit.span,
            });
        }
        audits
    }

    /// One expectation of an audit: the rules of its gap (or the one rule it
    /// names) and its kind; `None` after reporting an error, or when a rule
    /// that failed to check may be the one it is about.
    fn audit_expectation(
        &mut self,
        expect: &ast::AuditExpect,
        rules: &[Option<Rule>],
    ) -> Option<AuditExpectation> {
        let id = expect.target.name.as_str();
        let gap = self.taxonomy.find(id);
        let about: Vec<usize> = rules
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.as_ref().is_some_and(|r| match gap {
                    Some(gap) => r.gap == gap,
                    None => r.id == id,
                })
            })
            .map(|(i, _)| i)
            .collect();
        if about.is_empty() {
            let known = gap.is_some();
            // A rule that failed to check may be the one reporting this gap:
            // its error is already reported.
            if known && rules.iter().any(Option::is_none) {
                return None;
            }
            let d = if known {
                Diagnostic::error(
                    "gap-without-rule",
                    format!("no rule reports the gap `{id}`"),
                    expect.target.span,
                )
                .with_help("an audit can only speak about gaps that some rule reports")
            } else {
                let candidates = self
                    .taxonomy
                    .gaps
                    .iter()
                    .map(|g| g.id.as_str())
                    .chain(rules.iter().flatten().map(|r| r.id.as_str()));
                let d = Diagnostic::error(
                    "unknown-gap",
                    format!("`{id}` is neither a gap of the taxonomy nor a rule"),
                    expect.target.span,
                );
                match did_you_mean(id, candidates) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d,
                }
            };
            self.error(d);
            return None;
        }
        let kind = match &expect.kind {
            ast::AuditExpectKind::Flagged => AuditExpectationKind::Flagged,
            ast::AuditExpectKind::NeedsReview => AuditExpectationKind::NeedsReview,
            ast::AuditExpectKind::NotFlagged => AuditExpectationKind::NotFlagged,
            ast::AuditExpectKind::Clear => AuditExpectationKind::Clear,
            ast::AuditExpectKind::StaysFlagged(field) => {
                let checked = self.expr(field, &Scope::default())?;
                let growable = checked.ty.element().is_some() || checked.ty == Type::Bool;
                match checked.kind {
                    TKind::Field(id) if growable => AuditExpectationKind::StaysFlagged(id),
                    _ => {
                        self.error(
                            Diagnostic::error("not-growable", "only a list field or a true/false field of the record can grow", field.span)
                                .with_help("name a field such as `vulnerabilities`, `harm_in_mexico` or `fear_of_mexico_expressed`"),
                        );
                        return None;
                    }
                }
            }
        };
        Some(AuditExpectation {
            kind,
            rules: about,
            target: id.to_string(),
            span: expect.span,
        })
    }
}
