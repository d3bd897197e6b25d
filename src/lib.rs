//! nrscreen: a nonrefoulement risk-screening rules engine.
//!
//! Advocates write screening rules in a small language (`grammar/LANGUAGE.md`);
//! nrscreen checks them against a case-record schema and a gap taxonomy, and
//! evaluates them over batches of case records to find the cases where a
//! safeguard against refoulement was missing.
//!
//! The pipeline: rule-set directory → [`ruleset::load`] (files, tables,
//! parsed modules) → [`check::check`] (a typed, resolved [`check::program::Program`]).
//!
//! ```
//! let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
//! let loaded = nrscreen::ruleset::load(&dir).unwrap();
//! let (_sources, checked) = nrscreen::check::check(loaded);
//! assert!(checked.program.is_some());
//! ```

#![warn(missing_docs)]
// Unit tests state their expectations by panicking.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::panic))]

mod api;
#[doc(hidden)]
pub mod bench_support;
pub mod audit;
pub mod check;
pub mod cli;
pub mod compile;
pub mod date;
pub mod diagnostic;
pub mod eval;
pub mod normalize;
pub mod records;
pub mod report;
pub mod ruleset;
pub mod ruletest;
pub mod severity;
pub mod source;
pub(crate) mod suggest;
pub mod syntax;
pub mod types;
pub mod value;

pub use api::{LoadError, RecordError, RuleSet, RunSummary, Screener};
pub use eval::finding::{CaseOutcome, FindingKind};
pub use report::case_json::{CaseReport, Facts, FindingReport};
pub use severity::Severity;
