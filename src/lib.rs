//! nrscreen: a nonrefoulement risk-screening rules engine.
//!
//! Advocates write screening rules in a small language (`grammar/LANGUAGE.md`);
//! nrscreen checks them against a case-record schema and a gap taxonomy, and
//! evaluates them over batches of case records to find the cases where a
//! safeguard against refoulement was missing: for each case, the gaps found,
//! with the facts behind them and the legal sources.
//!
//! The library is small: load a [`RuleSet`] (the diagnostics of `nrscreen
//! check` on failure), screen records with a [`Screener`] (one JSON record at
//! a time, as text or as a `serde_json::Value`) or [`RuleSet::screen_all`]
//! (a stream), and get a [`CaseReport`] per case, which serialises to the
//! JSON shape of `nrscreen eval`. [`RuleSet::test`] and [`RuleSet::audit`] run
//! the rule set's tests and audits. A field that is absent or `null` is
//! unknown, never false: a finding that depends on it needs review.
//!
//! ```
//! use nrscreen::{CaseOutcome, FindingKind, RuleSet};
//!
//! let rules = RuleSet::load(concat!(env!("CARGO_MANIFEST_DIR"), "/rules"))?;
//! let record = serde_json::json!({
//!     "case_id": "A-7", "nationality": "HN", "program": "mpp-2019",
//!     "returned_to_mexico": true, "return_city": "Tijuana",
//!     "return_date": "2019-02-14", "nri_held": false,
//! });
//! let case = rules.screener().screen_value(&record)?;
//! // Whether fear of Mexico was expressed is not recorded: the finding
//! // needs review, and its explanation does not claim fear was expressed.
//! let fear = case.findings.iter().find(|f| f.gap == "fear-not-screened").unwrap();
//! assert_eq!(fear.outcome, FindingKind::NeedsReview);
//! assert!(fear.because.starts_with("not recorded: fear_of_mexico_expressed"));
//! assert_ne!(case.outcome, CaseOutcome::Clear);
//! println!("{}", serde_json::to_string(&case)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The `nrscreen` command line is built on the same pieces; `ARCHITECTURE.md`
//! maps the pipeline to the source files.

#![warn(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links, rustdoc::private_intra_doc_links)]
// Unit tests state their expectations by panicking.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::panic))]

pub(crate) mod analysis;
mod api;
pub(crate) mod audit;
#[doc(hidden)]
pub mod bench_support;
pub(crate) mod brief;
pub(crate) mod check;
mod cli;
pub(crate) mod compile;
pub(crate) mod date;
pub(crate) mod diagnostic;
pub(crate) mod diff;
pub(crate) mod escape;
pub(crate) mod eval;
#[doc(hidden)]
pub mod fuzz_support;
pub(crate) mod mapping;
pub(crate) mod mutants;
pub(crate) mod name_table;
pub(crate) mod normalize;
pub(crate) mod records;
pub(crate) mod report;
pub(crate) mod ruleset;
pub(crate) mod ruletest;
pub(crate) mod severity;
pub(crate) mod source;
pub(crate) mod suggest;
pub(crate) mod syntax;
pub(crate) mod trace;
pub(crate) mod types;
pub(crate) mod value;

pub use api::{
    FieldInfo, FileError, FileOptions, FileResult, FileTotals, LoadError, RecordError,
    RejectedRecord, RuleInfo, RuleSet, RunSummary, Screener, TableInfo,
};
// What the `nrscreen` binary runs; not part of the library's API.
#[doc(hidden)]
pub use cli::{run, Exit};
pub use eval::fact_value::{FactDate, FactList, FactValue};
pub use eval::finding::{CaseOutcome, FindingKind};
pub use records::rejection::{Problem, ProblemKind};
pub use report::case_json::{CaseReport, Facts, FindingReport};
pub use report::case_view::{CaseView, FindingView};
pub use ruleset::LoadError as ReadError;
pub use severity::Severity;
