//! Syntax trees to a checked [`Program`]: name resolution, type checking,
//! cycles among definitions, duplicate ids, taxonomy ids, and warnings for
//! unused definitions and rules that can never fire.
//!
//! The checker collects every problem it can find before giving up; an
//! expression with an error is dropped (and its parents quietly with it) so
//! that one mistake is reported once.
//!
//! This file is the entry point ([`check`]) and the `Checker`'s state;
//! definitions are checked in `defs.rs` over the graph of `def_graph.rs`,
//! rules and exceptions in `rule.rs`, audits in `audit.rs`, expressions in
//! `expr.rs` and `because` templates in `template.rs`.

#[cfg(test)]
pub(crate) mod arbitrary;
mod audit;
mod def_graph;
mod defs;
mod expr;
#[cfg(test)]
mod formatting;
pub(crate) mod program;
#[cfg(test)]
mod robustness;
mod rule;
mod template;
#[cfg(test)]
pub(crate) mod testing;

use crate::diagnostic::Diagnostic;
use crate::ruleset::Loaded;
use crate::syntax::ast::{self, Item};
use crate::types::Type;

use self::def_graph::DefGraph;
use self::program::*;
pub(crate) use self::rule::is_literally_false;

/// What checking a rule set produced.
#[derive(Debug)]
pub(crate) struct Checked {
    /// The program, when there were no errors.
    pub program: Option<Program>,
    /// Every error and warning, sorted by place.
    pub diagnostics: Vec<Diagnostic>,
    /// Counts for the summary line.
    pub counts: Counts,
}

/// How much a rule set declares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Rules.
    pub rules: usize,
    /// Definitions.
    pub defs: usize,
    /// Tables.
    pub tables: usize,
}

/// Checks a loaded rule set.
pub(crate) fn check(loaded: Loaded) -> (crate::source::Sources, Checked) {
    let Loaded {
        sources,
        name,
        description,
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
        defs: DefGraph::default(),
        diagnostics: Vec::new(),
    };

    let items: Vec<&Item> = modules.iter().flat_map(|(_, m)| m.items.iter()).collect();
    // Without the schema or the taxonomy (their error is already reported)
    // every name or gap id would be reported unknown: check nothing more.
    let (rules, audits) = if schema.unavailable || taxonomy.unavailable {
        (Vec::new(), Vec::new())
    } else {
        checker.collect_defs(&items);
        for id in checker.defs.ids() {
            checker.check_def(id);
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
    let defs = checker.defs.into_checked();
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
                description,
                schema,
                taxonomy,
                tables,
                defs,
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

/// The checker's state while it checks one rule set: what it checks against,
/// the definitions, and the problems found.
pub(crate) struct Checker<'a> {
    schema: &'a crate::ruleset::schema::Schema,
    taxonomy: &'a crate::ruleset::gaps::Taxonomy,
    tables: &'a [crate::ruleset::tables::Table],
    broken_tables: &'a [String],
    /// The definitions, their dependencies and checking state.
    defs: DefGraph<'a>,
    diagnostics: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn table_named(&self, name: &str) -> Option<crate::ruleset::tables::TableId> {
        self.tables
            .iter()
            .position(|t| t.name == name)
            .map(|i| crate::ruleset::tables::TableId(i as u32))
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
}
