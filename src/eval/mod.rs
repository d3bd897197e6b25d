//! Evaluating a checked program over one case record.
//!
//! `record.rs` holds the decoded record; `interpret.rs` is the direct
//! interpreter of the checked AST in three-valued (Kleene) logic. It is the
//! reference semantics: the compiled evaluator (`compiled.rs`) must agree with it.

/// The most elements a list may reach while a record is evaluated (a list
/// joined with itself through definitions grows exponentially): a longer
/// result is unknown, so the finding needs review instead of the process
/// running out of memory.
pub(crate) const MAX_LIST_ITEMS: usize = 1_000_000;

pub(crate) mod batch;
pub(crate) mod case_ids;
pub(crate) mod compiled;
pub(crate) mod explain;
pub(crate) mod fact_value;
pub(crate) mod finding;
pub(crate) mod interpret;
pub(crate) mod outcome;
pub(crate) mod parallel;
pub(crate) mod record;

#[cfg(test)]
mod tests;

#[cfg(test)]
pub(crate) mod properties;
