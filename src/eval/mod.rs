//! Evaluating a checked program over one case record.
//!
//! `record.rs` holds the decoded record; `interpret.rs` is the direct
//! interpreter of the checked AST in three-valued (Kleene) logic. It is the
//! reference semantics: the compiled evaluator (`compiled.rs`) must agree with it.

pub mod batch;
pub(crate) mod case_ids;
pub mod compiled;
pub mod explain;
pub mod finding;
pub mod interpret;
pub mod outcome;
pub mod record;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod properties;
