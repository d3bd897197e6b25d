//! Syntax trees to a checked [`Program`]: name resolution, type checking,
//! cycles among definitions, duplicate ids, taxonomy ids, and warnings for
//! unused definitions and rules that can never fire.
//!
//! The checker collects every problem it can find before giving up; an
//! expression with an error is dropped (and its parents quietly with it) so
//! that one mistake is reported once.

#[cfg(test)]
pub(crate) mod arbitrary;
mod expr;
pub mod program;
#[cfg(test)]
mod robustness;
mod template;
#[cfg(test)]
pub(crate) mod testing;

use std::collections::{BTreeSet, HashMap};

use crate::diagnostic::Diagnostic;
use crate::ruleset::gaps::GapId;
use crate::ruleset::Loaded;
use crate::severity::Severity;
use crate::source::Span;
use crate::suggest::did_you_mean;
use crate::syntax::ast::{self, ClauseKind, Item};
use crate::types::Type;
use crate::value::Value;

use self::program::*;

/// What checking a rule set produced.
#[derive(Debug)]
pub struct Checked {
    /// The program, when there were no errors.
    pub program: Option<Program>,
    /// Every error and warning, sorted by place.
    pub diagnostics: Vec<Diagnostic>,
    /// Counts for the summary line.
    pub counts: Counts,
}

/// How much a rule set declares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Rules.
    pub rules: usize,
    /// Definitions.
    pub defs: usize,
    /// Tables.
    pub tables: usize,
}

/// Checks a loaded rule set.
pub fn check(loaded: Loaded) -> (crate::source::Sources, Checked) {
    let Loaded {
        sources,
        name,
        schema,
        taxonomy,
        tables,
        broken_tables,
        modules,
        mut diagnostics,
    } = loaded;

    let mut checker = Checker {
        schema: &schema,
        taxonomy: &taxonomy,
        tables: &tables,
        broken_tables: &broken_tables,
        def_items: Vec::new(),
        def_index: HashMap::new(),
        defs: Vec::new(),
        def_state: Vec::new(),
        def_stack: Vec::new(),
        def_deps: Vec::new(),
        def_depths: Vec::new(),
        def_order: Vec::new(),
        current_def: None,
        inlined_defs: BTreeSet::new(),
        diagnostics: Vec::new(),
    };

    let items: Vec<&Item> = modules.iter().flat_map(|(_, m)| m.items.iter()).collect();
    // Without the schema or the taxonomy (their error is already reported)
    // every name or gap id would be reported unknown: check nothing more.
    let (rules, audits) = if schema.unavailable || taxonomy.unavailable {
        (Vec::new(), Vec::new())
    } else {
        checker.collect_defs(&items);
        for i in 0..checker.def_items.len() {
            checker.check_def(DefId(i as u32));
        }
        let rules = checker.check_rules(&items);
        let audits = checker.check_audits(&items, &rules);
        // With errors, some uses were not seen (a rule that did not parse, or
        // failed to check): warning that a definition is unused would mislead.
        let has_errors = diagnostics
            .iter()
            .chain(&checker.diagnostics)
            .any(Diagnostic::is_error);
        if !has_errors {
            checker.warn_unused_defs(&rules, &audits);
        }
        (rules, audits)
    };

    let counts = Counts {
        rules: items.iter().filter(|i| matches!(i, Item::Rule(_))).count(),
        defs: items.iter().filter(|i| matches!(i, Item::Def(_))).count(),
        tables: tables.len() + broken_tables.len(),
    };
    let defs: Vec<Option<Def>> = std::mem::take(&mut checker.defs);
    let def_order = std::mem::take(&mut checker.def_order);
    diagnostics.append(&mut checker.diagnostics);
    crate::diagnostic::sort(&mut diagnostics);

    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    let program = if has_errors {
        None
    } else {
        // Without errors every definition and rule checked.
        let defs: Option<Vec<Def>> = defs.into_iter().collect();
        let rules: Option<Vec<Rule>> = rules.into_iter().collect();
        match (defs, rules) {
            (Some(defs), Some(rules)) => Some(Program {
                name,
                schema,
                taxonomy,
                tables,
                defs,
                def_order,
                rules,
                audits,
            }),
            _ => None,
        }
    };
    (
        sources,
        Checked {
            program,
            diagnostics,
            counts,
        },
    )
}

/// How many definitions may depend on each other in a chain.
const MAX_DEF_CHAIN: usize = 256;

/// How deep an expression may nest, counting through the definitions it uses.
const MAX_COMBINED_DEPTH: usize = 1000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum DefState {
    NotStarted,
    InProgress,
    Done,
}

pub(crate) struct Checker<'a> {
    schema: &'a crate::ruleset::schema::Schema,
    taxonomy: &'a crate::ruleset::gaps::Taxonomy,
    tables: &'a [crate::ruleset::tables::Table],
    broken_tables: &'a [String],
    def_items: Vec<&'a ast::DefItem>,
    def_index: HashMap<&'a str, DefId>,
    defs: Vec<Option<Def>>,
    def_state: Vec<DefState>,
    /// Definitions being checked, outermost first (for cycle messages).
    def_stack: Vec<DefId>,
    /// For each definition, the definitions it refers to.
    def_deps: Vec<BTreeSet<DefId>>,
    /// Nesting depth of each checked definition, through those it uses.
    def_depths: Vec<usize>,
    def_order: Vec<DefId>,
    /// The definition whose body is being checked.
    current_def: Option<DefId>,
    /// Definitions whose constant value was inlined where they were used.
    inlined_defs: BTreeSet<DefId>,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn collect_defs(&mut self, items: &[&'a Item]) {
        for item in items {
            let Item::Def(def) = item else { continue };
            let name = def.name.name.as_str();
            if let Some(&previous) = self.def_index.get(name) {
                let first = self.def_items[previous.0 as usize].name.span;
                self.error(
                    Diagnostic::error(
                        "duplicate-def",
                        format!("`{name}` is defined twice"),
                        def.name.span,
                    )
                    .with_secondary(first, "first defined here")
                    .with_help(
                        "rename one of them; definitions are shared by every file of the rule set",
                    ),
                );
                continue;
            }
            if self.schema.find(name).is_some() {
                self.error(
                    Diagnostic::error(
                        "def-shadows-field",
                        format!("`{name}` is already a field of the case record"),
                        def.name.span,
                    )
                    .with_help("choose another name so that rules can still read the field"),
                );
                continue;
            }
            if self.table_named(name).is_some() {
                self.error(
                    Diagnostic::error(
                        "def-shadows-table",
                        format!("`{name}` is already a table"),
                        def.name.span,
                    )
                    .with_help("choose another name"),
                );
                continue;
            }
            let id = DefId(self.def_items.len() as u32);
            self.def_index.insert(name, id);
            self.def_items.push(def);
            self.defs.push(None);
            self.def_state.push(DefState::NotStarted);
            self.def_deps.push(BTreeSet::new());
            self.def_depths.push(0);
        }
    }

    fn table_named(&self, name: &str) -> Option<crate::ruleset::tables::TableId> {
        self.tables
            .iter()
            .position(|t| t.name == name)
            .map(|i| crate::ruleset::tables::TableId(i as u32))
    }

    /// Checks a definition (and, first, those it uses). Returns its type, or
    /// `None` if it has an error or is part of a cycle.
    fn check_def(&mut self, id: DefId) -> Option<Type> {
        match self.def_state[id.0 as usize] {
            DefState::Done => return self.defs[id.0 as usize].as_ref().map(|d| d.expr.ty.clone()),
            DefState::InProgress => return None,
            DefState::NotStarted => {}
        }
        let item = self.def_items[id.0 as usize];
        if self.def_stack.len() >= MAX_DEF_CHAIN {
            // Checking (and later evaluating) definitions recurses through
            // the definitions they use: bound it, as the parser bounds
            // nesting within one expression.
            self.def_state[id.0 as usize] = DefState::Done;
            self.def_order.push(id);
            self.error(
                Diagnostic::error(
                    "too-deep",
                    format!(
                        "definitions depend on definitions more than {MAX_DEF_CHAIN} deep here"
                    ),
                    item.name.span,
                )
                .with_help("shorten the chain of definitions that use each other"),
            );
            return None;
        }
        self.def_state[id.0 as usize] = DefState::InProgress;
        self.def_stack.push(id);
        let outer = self.current_def.replace(id);
        let expr = self.expr(&item.value, &expr::Scope::default());
        self.current_def = outer;
        self.def_stack.pop();
        self.def_state[id.0 as usize] = DefState::Done;
        self.def_order.push(id);
        let expr = expr?;
        let depth = self.depth_through_defs(&expr);
        self.def_depths[id.0 as usize] = depth;
        if depth > MAX_COMBINED_DEPTH {
            self.error(
                Diagnostic::error(
                    "too-deep",
                    format!("with the definitions it uses, `{}` nests more than {MAX_COMBINED_DEPTH} operations deep", item.name.name),
                    item.name.span,
                )
                .with_help("split long chains of definitions, or flatten them"),
            );
            return None;
        }
        let ty = expr.ty.clone();
        self.defs[id.0 as usize] = Some(Def {
            name: item.name.name.clone(),
            doc: item.doc.clone(),
            expr,
            span: item.span,
        });
        Some(ty)
    }

    /// The nesting depth of an expression, counting each definition it uses
    /// at that definition's own depth (so evaluation's recursion is bounded).
    fn depth_through_defs(&self, e: &TExpr) -> usize {
        let own = match e.kind {
            TKind::Def(id) => self.def_depths[id.0 as usize],
            _ => 0,
        };
        let mut deepest = 0;
        e.for_each_child(|c| deepest = deepest.max(self.depth_through_defs(c)));
        1 + own.max(deepest)
    }

    /// A reference to definition `id` from the definition being checked:
    /// records the dependency and reports a cycle.
    fn use_def(&mut self, id: DefId, span: Span) -> Option<Type> {
        if let Some(current) = self.current_def {
            self.def_deps[current.0 as usize].insert(id);
        }
        if self.def_state[id.0 as usize] == DefState::InProgress {
            let start = self.def_stack.iter().position(|&d| d == id).unwrap_or(0);
            let mut names: Vec<&str> = self.def_stack[start..]
                .iter()
                .map(|d| self.def_items[d.0 as usize].name.name.as_str())
                .collect();
            names.push(&self.def_items[id.0 as usize].name.name);
            let message = if names.len() == 2 {
                format!("definition `{}` refers to itself", names[0])
            } else {
                format!(
                    "definitions refer to each other in a cycle: `{}`",
                    names.join("` -> `")
                )
            };
            let definition = self.def_items[id.0 as usize].name.span;
            self.error(
                Diagnostic::error("cycle", message, span)
                    .with_label("this use closes the cycle")
                    .with_secondary(definition, "defined here")
                    .with_help("a definition cannot depend on itself, directly or through others"),
            );
            return None;
        }
        self.check_def(id)
    }

    fn check_rules(&mut self, items: &[&'a Item]) -> Vec<Option<Rule>> {
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

    /// A condition: a true/false expression.
    fn condition(&mut self, e: &ast::Expr) -> Option<TExpr> {
        let checked = self.expr(e, &expr::Scope::default())?;
        if checked.ty != Type::Bool {
            self.error(
                Diagnostic::error(
                    "not-a-condition",
                    format!(
                        "a condition must be true or false, but this is a {}",
                        checked.ty
                    ),
                    e.span,
                )
                .with_help("compare it with something, e.g. `x == …`, or test it with `known x`"),
            );
            return None;
        }
        Some(checked)
    }

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
                    Some(t) => because = Some(t),
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

    fn check_audits(&mut self, items: &[&'a Item], rules: &[Option<Rule>]) -> Vec<Audit> {
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
            let mut expects = Vec::new();
            for expect in &audit.expects {
                let id = expect.target.name.as_str();
                let by_gap: Vec<usize> = match self.taxonomy.find(id) {
                    Some(gap) => rules
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.as_ref().is_some_and(|r| r.gap == gap))
                        .map(|(i, _)| i)
                        .collect(),
                    None => rules
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.as_ref().is_some_and(|r| r.id == id))
                        .map(|(i, _)| i)
                        .collect(),
                };
                if by_gap.is_empty() {
                    let known = self.taxonomy.find(id).is_some();
                    // A rule that failed to check may be the one reporting
                    // this gap: its error is already reported.
                    if known && rules.iter().any(Option::is_none) {
                        continue;
                    }
                    let candidates = self
                        .taxonomy
                        .gaps
                        .iter()
                        .map(|g| g.id.as_str())
                        .chain(rules.iter().flatten().map(|r| r.id.as_str()));
                    let mut d = if known {
                        Diagnostic::error(
                            "gap-without-rule",
                            format!("no rule reports the gap `{id}`"),
                            expect.target.span,
                        )
                        .with_help("an audit can only speak about gaps that some rule reports")
                    } else {
                        Diagnostic::error(
                            "unknown-gap",
                            format!("`{id}` is neither a gap of the taxonomy nor a rule"),
                            expect.target.span,
                        )
                    };
                    if !known {
                        if let Some(s) = did_you_mean(id, candidates) {
                            d = d.with_help(format!("did you mean `{s}`?"));
                        }
                    }
                    self.error(d);
                    continue;
                }
                let kind = match &expect.kind {
                    ast::AuditExpectKind::Flagged => AuditExpectationKind::Flagged,
                    ast::AuditExpectKind::NeedsReview => AuditExpectationKind::NeedsReview,
                    ast::AuditExpectKind::NotFlagged => AuditExpectationKind::NotFlagged,
                    ast::AuditExpectKind::Clear => AuditExpectationKind::Clear,
                    ast::AuditExpectKind::StaysFlagged(field) => {
                        let Some(checked) = self.expr(field, &expr::Scope::default()) else {
                            continue;
                        };
                        let growable = checked.ty.element().is_some() || checked.ty == Type::Bool;
                        match checked.kind {
                            TKind::Field(id) if growable => AuditExpectationKind::StaysFlagged(id),
                            _ => {
                                self.error(
                                    Diagnostic::error("not-growable", "only a list field or a true/false field of the record can grow", field.span)
                                        .with_help("name a field such as `vulnerabilities`, `harm_in_mexico` or `fear_of_mexico_expressed`"),
                                );
                                continue;
                            }
                        }
                    }
                };
                expects.push(AuditExpectation {
                    kind,
                    rules: by_gap,
                    target: id.to_string(),
                    span: expect.span,
                });
            }
            audits.push(Audit {
                name: audit.name.value.clone(),
                precondition,
                expects,
                span: audit.span,
            });
        }
        audits
    }

    fn window(&mut self, window: &ast::Window) -> Option<Window> {
        let date = self.expr(&window.date, &expr::Scope::default())?;
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
        })
    }

    fn warn_unused_defs(&mut self, rules: &[Option<Rule>], audits: &[Audit]) {
        let mut used = BTreeSet::new();
        let mut stack: Vec<DefId> = self.inlined_defs.iter().copied().collect();
        let note = |e: &TExpr, stack: &mut Vec<DefId>| collect_defs(e, stack);
        for audit in audits {
            if let Some(p) = &audit.precondition {
                note(p, &mut stack);
            }
        }
        for rule in rules.iter().flatten() {
            note(&rule.condition, &mut stack);
            if let Some(w) = &rule.window {
                note(&w.date, &mut stack);
            }
            for e in &rule.exceptions {
                note(&e.condition, &mut stack);
                if let Some(t) = &e.because {
                    template_defs(t, &mut stack);
                }
            }
            template_defs(&rule.because, &mut stack);
        }
        while let Some(id) = stack.pop() {
            if used.insert(id) {
                stack.extend(self.def_deps[id.0 as usize].iter().copied());
            }
        }
        for (i, item) in self.def_items.iter().enumerate() {
            if !used.contains(&DefId(i as u32)) && self.defs[i].is_some() {
                self.diagnostics.push(
                    Diagnostic::warning(
                        "unused-def",
                        format!("definition `{}` is never used", item.name.name),
                        item.name.span,
                    )
                    .with_help("use it in a rule, or delete it"),
                );
            }
        }
    }
}

fn template_defs(template: &Template, out: &mut Vec<DefId>) {
    for part in &template.parts {
        if let TemplatePart::Value(e) = part {
            collect_defs(e, out);
        }
    }
}

fn collect_defs(e: &TExpr, out: &mut Vec<DefId>) {
    if let TKind::Def(id) = e.kind {
        out.push(id);
    }
    e.for_each_child(|c| collect_defs(c, out));
}

/// Whether a condition is false for every record: a literal `false`, or an
/// `and` with such an operand, or an `or` of two such.
fn is_literally_false(e: &TExpr) -> bool {
    match &e.kind {
        TKind::Const(Value::Bool(false)) => true,
        TKind::And(a, b) => is_literally_false(a) || is_literally_false(b),
        TKind::Or(a, b) => is_literally_false(a) && is_literally_false(b),
        _ => false,
    }
}

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
