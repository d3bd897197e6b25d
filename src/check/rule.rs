//! Checking rules: unique ids, each rule's clauses (gap, severity, title,
//! citations, effective window, condition, exceptions, explanation), the
//! `exception NAME to RULE` declarations, and the warnings for a rule that
//! cites nothing or can never fire.

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::ruleset::gaps::GapId;
use crate::severity::Severity;
use crate::source::Span;
use crate::suggest::did_you_mean;
use crate::syntax::ast::{self, ClauseKind, Item};
use crate::types::Type;
use crate::value::Value;

use super::expr::Scope;
use super::program::{Exception, Rule, TExpr, TKind, Template, TemplatePart, Window};
use super::Checker;

impl<'a> Checker<'a> {
    /// Checks every rule, then attaches the `exception NAME to RULE`
    /// declarations to theirs; `None` for a rule with an error.
    pub(super) fn check_rules(&mut self, items: &[&'a Item]) -> Vec<Option<Rule>> {
        let mut rule_names: HashMap<&str, (usize, Span)> = HashMap::new();
        let mut rules = Vec::new();
        for item in items {
            let Item::Rule(rule) = item else { continue };
            let name = rule.name.name.as_str();
            if let Some(&(_, first)) = rule_names.get(name) {
                self.error(
                    Diagnostic::error(
                        "duplicate-rule",
                        format!("rule `{name}` is declared twice"),
                        rule.name.span,
                    )
                    .with_secondary(first, "first declared here")
                    .with_help("rule ids must be unique across the rule set; rename one"),
                );
                continue;
            }
            rule_names.insert(name, (rules.len(), rule.name.span));
            rules.push(self.rule(rule));
        }
        // `exception NAME to RULE` declarations.
        for item in items {
            let Item::Exception(exception) = item else {
                continue;
            };
            let target = exception.rule.name.as_str();
            let Some(&(index, _)) = rule_names.get(target) else {
                let mut d = Diagnostic::error(
                    "unknown-rule",
                    format!("there is no rule `{target}`"),
                    exception.rule.span,
                )
                .with_label("the exception names this rule");
                if let Some(s) = did_you_mean(target, rule_names.keys().copied()) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
                self.error(d);
                continue;
            };
            let condition = self.condition(&exception.condition);
            let because = exception.because.as_ref().map(|t| self.template(t));
            if let (Some(Some(rule)), Some(condition)) = (rules.get_mut(index), condition) {
                if let Some(previous) = rule
                    .exceptions
                    .iter()
                    .find(|e| e.name == exception.name.name)
                {
                    let first = previous.span;
                    self.error(
                        Diagnostic::error(
                            "duplicate-exception",
                            format!(
                                "rule `{target}` already has an exception `{}`",
                                exception.name.name
                            ),
                            exception.name.span,
                        )
                        .with_secondary(first, "the other one"),
                    );
                    continue;
                }
                rule.exceptions.push(Exception {
                    name: exception.name.name.clone(),
                    condition,
                    because: because.flatten(),
                    span: exception.span,
                });
            }
        }
        rules
    }

    /// Checks one rule's clauses; `None` after reporting an error.
    fn rule(&mut self, rule: &'a ast::RuleItem) -> Option<Rule> {
        let mut gap: Option<(GapId, Span)> = None;
        let mut severity: Option<Severity> = None;
        let mut title: Option<String> = None;
        let mut cites: Vec<String> = Vec::new();
        let mut window: Option<Window> = None;
        let mut condition: Option<TExpr> = None;
        let mut exceptions = Vec::new();
        let mut because: Option<Template> = None;
        let mut seen: HashMap<&'static str, Span> = HashMap::new();
        let mut ok = true;
        for clause in &rule.clauses {
            let keyword = clause_keyword(&clause.kind);
            if !matches!(clause.kind, ClauseKind::Unless(..) | ClauseKind::Cites(_)) {
                // A clause's span runs on to the next line; point at its keyword.
                let keyword_span = Span::new(
                    clause.span.file,
                    clause.span.start as usize,
                    clause.span.start as usize + keyword.len(),
                );
                if let Some(&first) = seen.get(keyword) {
                    self.error(
                        Diagnostic::error(
                            "duplicate-clause",
                            format!("rule `{}` has two `{keyword}` lines", rule.name.name),
                            keyword_span,
                        )
                        .with_secondary(first, "the first one")
                        .with_help(format!(
                            "a rule has at most one `{keyword}`; join conditions with `and`/`or`"
                        )),
                    );
                    ok = false;
                    continue;
                }
                seen.insert(keyword, keyword_span);
            }
            match &clause.kind {
                ClauseKind::Gap(id) => match self.taxonomy.find(&id.name) {
                    Some(g) => gap = Some((g, id.span)),
                    None => {
                        let mut d = Diagnostic::error(
                            "unknown-gap",
                            format!("`{}` is not a gap of the taxonomy", id.name),
                            id.span,
                        );
                        d = match did_you_mean(&id.name, self.taxonomy.gaps.iter().map(|g| g.id.as_str())) {
                            Some(s) => d.with_help(format!("did you mean `{s}`?")),
                            None => d.with_help("the gap ids are listed in the taxonomy file named by the manifest (`gaps`)"),
                        };
                        self.error(d);
                        ok = false;
                    }
                },
                ClauseKind::Severity(word) => match Severity::parse(&word.name) {
                    Some(s) => severity = Some(s),
                    None => {
                        self.error(Severity::unknown(&word.name, word.span));
                        ok = false;
                    }
                },
                ClauseKind::Title(text) => title = Some(text.value.clone()),
                ClauseKind::Cites(list) => cites.extend(list.iter().map(|s| s.value.clone())),
                ClauseKind::Effective(w) => match self.window(w) {
                    Some(w) => window = Some(w),
                    None => ok = false,
                },
                ClauseKind::When(e) => match self.condition(e) {
                    Some(c) => condition = Some(c),
                    None => ok = false,
                },
                ClauseKind::Unless(label, e) => match self.condition(e) {
                    Some(c) => {
                        let name = match label {
                            Some(l) => l.name.clone(),
                            None => format!("unless #{}", exceptions.len() + 1),
                        };
                        exceptions.push(Exception {
                            name,
                            condition: c,
                            because: None,
                            span: clause.span,
                        });
                    }
                    None => ok = false,
                },
                ClauseKind::Because(text) => match self.template(text) {
                    Some(t) => {
                        if !t.parts.iter().any(|p| matches!(p, TemplatePart::Claim(_))) {
                            self.diagnostics.push(
                                Diagnostic::warning(
                                    "no-claims",
                                    "nothing in this explanation is marked as a claim",
                                    text.span,
                                )
                                .with_label("when the rule needs review, all of this is still shown, as if established")
                                .with_help("mark with `[…]` each clause that holds only when its facts are recorded, e.g. `[{?fear_of_mexico_expressed}fear of Mexico was expressed; ]`"),
                            );
                        }
                        because = Some(t);
                    }
                    None => ok = false,
                },
            }
        }
        let missing = |what: &str, example: &str| {
            Diagnostic::error(
                "missing-clause",
                format!("rule `{}` has no `{what}` line", rule.name.name),
                rule.name.span,
            )
            .with_help(format!("add a line such as `{example}`"))
        };
        if gap.is_none() && !seen.contains_key("gap") {
            self.error(missing("gap", "gap fear-not-screened"));
            ok = false;
        }
        if condition.is_none() && !seen.contains_key("when") {
            self.error(missing("when", "when returned_to_mexico == true"));
            ok = false;
        }
        if cites.is_empty() {
            self.diagnostics.push(
                Diagnostic::warning(
                    "no-citation",
                    format!("rule `{}` cites no legal source", rule.name.name),
                    rule.name.span,
                )
                .with_help("add `cites \"…\"` so that every finding can show its legal basis"),
            );
        }
        if let Some(c) = &condition {
            if is_literally_false(c) {
                self.diagnostics.push(
                    Diagnostic::warning(
                        "never-fires",
                        format!("rule `{}` can never fire", rule.name.name),
                        c.span,
                    )
                    .with_label("this condition is false whatever the case record says")
                    .with_help("remove the literal `false`, or delete the rule"),
                );
            }
        }
        let (gap, _) = gap?;
        let condition = condition?;
        if !ok {
            return None;
        }
        let gap_info = self.taxonomy.get(gap);
        let title = title.unwrap_or_else(|| gap_info.title.clone());
        let because = because.unwrap_or_else(|| Template {
            parts: vec![TemplatePart::Text(title.clone())],
        });
        Some(Rule {
            id: rule.name.name.clone(),
            doc: rule.doc.clone(),
            gap,
            severity: severity.unwrap_or(gap_info.severity),
            title,
            cites,
            window,
            condition,
            exceptions,
            because,
            span: rule.span,
        })
    }

    /// An effective window: a date expression, `from` on or before `until`.
    fn window(&mut self, window: &ast::Window) -> Option<Window> {
        let date = self.expr(&window.date, &Scope::default())?;
        if date.ty != Type::Date {
            self.error(
                Diagnostic::error(
                    "type-mismatch",
                    format!(
                        "an effective window is compared with a date, but this is a {}",
                        date.ty
                    ),
                    window.date.span,
                )
                .with_help(
                    "name a date field or definition, e.g. `effective encounter_date from …`",
                ),
            );
            return None;
        }
        if let (Some((from, _)), Some((until, until_span))) = (window.from, window.until) {
            if from > until {
                self.error(
                    Diagnostic::error(
                        "window-reversed",
                        format!("the window ends ({until}) before it starts ({from})"),
                        until_span,
                    )
                    .with_help("`from` must be on or before `until`"),
                );
                return None;
            }
        }
        Some(Window {
            date,
            from: window.from.map(|(d, _)| d),
            until: window.until.map(|(d, _)| d),
            spans: (window.from.map(|(_, s)| s), window.until.map(|(_, s)| s)),
        })
    }
}

/// Whether a condition is false for every record: a literal `false`, or an
/// `and` with such an operand, or an `or` of two such.
pub(crate) fn is_literally_false(e: &TExpr) -> bool {
    match &e.kind {
        TKind::Const(Value::Bool(false)) => true,
        TKind::And(a, b) => is_literally_false(a) || is_literally_false(b),
        TKind::Or(a, b) => is_literally_false(a) && is_literally_false(b),
        _ => false,
    }
}

/// The keyword a clause starts with.
fn clause_keyword(kind: &ClauseKind) -> &'static str {
    match kind {
        ClauseKind::Gap(_) => "gap",
        ClauseKind::Severity(_) => "severity",
        ClauseKind::Title(_) => "title",
        ClauseKind::Cites(_) => "cites",
        ClauseKind::Effective(_) => "effective",
        ClauseKind::When(_) => "when",
        ClauseKind::Unless(..) => "unless",
        ClauseKind::Because(_) => "because",
    }
}
