//! Evaluating a checked program over one case record.
//!
//! `record.rs` holds the decoded record; `interpret.rs` is the direct
//! interpreter of the checked AST in three-valued (Kleene) logic. It is the
//! reference semantics: the compiled evaluator (`compiled.rs`) must agree with it.

pub(crate) mod batch;
pub(crate) mod case_ids;
pub(crate) mod compiled;
pub(crate) mod explain;
pub(crate) mod finding;
pub(crate) mod interpret;
pub(crate) mod outcome;
pub(crate) mod record;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod properties;
