//! Integration tests: they run the real `nrscreen` binary, always through
//! the one builder in `harness.rs` (`Test`), on the shipped files or on rule
//! sets written to temporary directories (`RuleSet`).

// Tests state their expectations by panicking.
#![allow(clippy::unwrap_used, clippy::panic)]

mod audit_cli;
mod brief;
mod check_cli;
mod check_errors;
mod cli_conventions;
mod diff;
mod eval_cli;
mod examples;
mod explain;
mod fmt_cli;
mod harness;
mod jobs;
mod language_doc;
mod layers;
mod library_example;
mod loading;
mod mapping_cli;
mod mapping_doc;
mod mapping_errors;
mod mutants_cli;
mod non_finite;
mod profiles;
mod regressions;
mod rejections;
mod report;
mod ruleset_files;
mod streams;
mod test_cli;
mod untrusted_text;
mod workload;
