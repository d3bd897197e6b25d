//! Whether a changed program (a mutant, `mutants/`) decides every case as
//! the original does: the rules compared give the same outcome class
//! (flagged, needs review, clear) for every case record.
//!
//! Both programs go into one SAT instance over the same field literals:
//! the original's definitions and rules as they are, the changed ones
//! after them (their definitions renumbered). The two are equivalent when
//! no assignment gives a compared rule a different class in each, i.e. when
//! the XOR of the two outcomes is unsatisfiable; since the abstraction
//! over-approximates the records (`encode.rs`), that verdict holds for
//! every case. Otherwise the model suggests a case that may tell them apart
//! (an opaque part may have been decided otherwise than the case does, so
//! the caller confirms it).

use batsat::Lit;

use crate::audit::generate::GenCase;
use crate::check::program::{DefId, Program, Rule, TExpr, TKind};

use super::encode::{Encoder, Outcome};

/// What the analysis says of a changed program.
#[derive(Debug)]
pub(crate) enum Comparison {
    /// No case record gives a compared rule a different outcome class.
    Equivalent,
    /// Some case may: the model's case, when one can be written (to be
    /// confirmed by evaluating it).
    MayDiffer(Option<GenCase>),
}

/// Compares rules `rules` (indices into both programs' rules) of `original`
/// and `changed`, which differ only in definitions and rules (same schema,
/// tables, and numbers of definitions and rules).
pub(crate) fn compare(original: &Program, changed: &Program, rules: &[usize]) -> Comparison {
    if rules.is_empty() {
        return Comparison::Equivalent;
    }
    let shift = original.defs.len() as u32;
    let mut both = Program {
        name: original.name.clone(),
        description: String::new(),
        schema: original.schema.clone(),
        taxonomy: original.taxonomy.clone(),
        tables: original.tables.clone(),
        defs: original.defs.clone(),
        rules: rules.iter().map(|&i| original.rules[i].clone()).collect(),
        audits: Vec::new(),
    };
    for def in &changed.defs {
        let mut def = def.clone();
        renumber(&mut def.expr, shift);
        both.defs.push(def);
    }
    for &i in rules {
        let mut rule = changed.rules[i].clone();
        renumber_rule(&mut rule, shift);
        both.rules.push(rule);
    }
    let mut encoder = Encoder::new(&both);
    let n = rules.len();
    let outcomes: Vec<Outcome> = both.rules.iter().map(|r| encoder.rule(r)).collect();
    for k in 0..n {
        let (a, b) = (&outcomes[k], &outcomes[n + k]);
        let review_a = review(&mut encoder, a);
        let review_b = review(&mut encoder, b);
        for (x, y) in [(a.flagged, b.flagged), (review_a, review_b)] {
            for assumptions in [[x, !y], [!x, y]] {
                if encoder.sat.satisfiable(&assumptions) {
                    return Comparison::MayDiffer(encoder.case_from_model());
                }
            }
        }
    }
    Comparison::Equivalent
}

/// "Needs review": none of flagged, cleared by an exception, not applicable.
fn review(encoder: &mut Encoder<'_>, outcome: &Outcome) -> Lit {
    let mut decided = outcome.cleared.clone();
    decided.push(outcome.flagged);
    decided.push(outcome.not_applicable);
    !encoder.sat.or(&decided)
}

/// Adds `shift` to every definition `e` reads.
fn renumber(e: &mut TExpr, shift: u32) {
    if let TKind::Def(id) = &mut e.kind {
        *id = DefId(id.0 + shift);
    }
    e.for_each_child_mut(|c| renumber(c, shift));
}

/// [`renumber`] over everything a rule's outcome reads.
fn renumber_rule(rule: &mut Rule, shift: u32) {
    renumber(&mut rule.condition, shift);
    for exception in &mut rule.exceptions {
        renumber(&mut exception.condition, shift);
    }
    if let Some(window) = &mut rule.window {
        renumber(&mut window.date, shift);
    }
}
