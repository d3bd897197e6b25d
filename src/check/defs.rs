//! Checking `def` declarations: duplicate and shadowing names, each body
//! checked after the definitions it uses, cycles and chains too deep (found
//! by the [`DefGraph`](super::def_graph::DefGraph)), and the warning for
//! definitions nothing uses.

use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::syntax::ast::Item;
use crate::types::Type;

use super::def_graph::{
    Begin, Cycle, TooLarge, MAX_COMBINED_DEPTH, MAX_DEF_CHAIN, MAX_LIST_EXPANSION,
};
use super::expr::Scope;
use super::program::{Audit, Def, DefId, Rule, TExpr, TKind, Template};
use super::Checker;

impl<'a> Checker<'a> {
    /// Adds every well-named `def` to the graph; reports those defined
    /// twice or named like a field or a table.
    pub(super) fn collect_defs(&mut self, items: &[&'a Item]) {
        for item in items {
            let Item::Def(def) = item else { continue };
            let name = def.name.name.as_str();
            if let Some(previous) = self.defs.id(name) {
                let first = self.defs.item(previous).name.span;
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
            self.defs.add(def);
        }
    }

    /// Checks a definition (and, first, those it uses). Returns its type, or
    /// `None` if it has an error or is part of a cycle.
    pub(super) fn check_def(&mut self, id: DefId) -> Option<Type> {
        let item = self.defs.item(id);
        match self.defs.begin(id) {
            Begin::Started => {}
            Begin::Already => return self.defs.ty(id),
            Begin::ChainTooLong => {
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
        }
        let def = self.expr(&item.value, &Scope::default()).map(|expr| Def {
            name: item.name.name.clone(),
            doc: item.doc.clone(),
            expr,
            span: item.span,
        });
        match self.defs.finish(id, def) {
            Ok(ty) => ty,
            Err(TooLarge::List(size)) => {
                self.error(
                    Diagnostic::error(
                        "too-large",
                        format!(
                            "with the definitions it uses, the list `{}` holds {size} operations; lists are limited to {MAX_LIST_EXPANSION}",
                            item.name.name
                        ),
                        item.name.span,
                    )
                    .with_help("a list that adds a definition to itself doubles at every level; list its values once"),
                );
                None
            }
            Err(TooLarge::Depth) => {
                self.error(
                    Diagnostic::error(
                        "too-deep",
                        format!("with the definitions it uses, `{}` nests more than {MAX_COMBINED_DEPTH} operations deep", item.name.name),
                        item.name.span,
                    )
                    .with_help("split long chains of definitions, or flatten them"),
                );
                None
            }
        }
    }

    /// A reference to definition `id` from the definition being checked:
    /// records the dependency and reports a cycle.
    pub(super) fn use_def(&mut self, id: DefId, span: Span) -> Option<Type> {
        if let Err(cycle) = self.defs.record_use(id) {
            self.error(cycle_error(&cycle, span));
            return None;
        }
        self.check_def(id)
    }

    /// Warns of each checked definition that no rule, exception, template
    /// or audit uses, directly or through other definitions.
    pub(super) fn warn_unused_defs(&mut self, rules: &[Option<Rule>], audits: &[Audit]) {
        let mut roots = Vec::new();
        for audit in audits {
            if let Some(p) = &audit.precondition {
                defs_used_by(p, &mut roots);
            }
        }
        for rule in rules.iter().flatten() {
            defs_used_by(&rule.condition, &mut roots);
            if let Some(w) = &rule.window {
                defs_used_by(&w.date, &mut roots);
            }
            for e in &rule.exceptions {
                defs_used_by(&e.condition, &mut roots);
                if let Some(t) = &e.because {
                    template_defs(t, &mut roots);
                }
            }
            template_defs(&rule.because, &mut roots);
        }
        for item in self.defs.unused(roots) {
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

/// The error for a use of a definition (at `span`) that closes a cycle.
fn cycle_error(cycle: &Cycle<'_>, span: Span) -> Diagnostic {
    let message = if cycle.through.len() == 1 {
        format!("definition `{}` refers to itself", cycle.used.name.name)
    } else {
        let names: Vec<&str> = cycle
            .through
            .iter()
            .chain([&cycle.used])
            .map(|d| d.name.name.as_str())
            .collect();
        format!(
            "definitions refer to each other in a cycle: `{}`",
            names.join("` -> `")
        )
    };
    Diagnostic::error("cycle", message, span)
        .with_label("this use closes the cycle")
        .with_secondary(cycle.used.name.span, "defined here")
        .with_help("a definition cannot depend on itself, directly or through others")
}

/// Adds the definitions a template's placeholders use to `out`.
fn template_defs(template: &Template, out: &mut Vec<DefId>) {
    for e in template.values() {
        defs_used_by(e, out);
    }
}

/// Adds the definitions an expression refers to (with repeats) to `out`.
fn defs_used_by(e: &TExpr, out: &mut Vec<DefId>) {
    if let TKind::Def(id) = e.kind {
        out.push(id);
    }
    e.for_each_child(|c| defs_used_by(c, out));
}
