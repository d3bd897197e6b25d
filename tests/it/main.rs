//! Integration tests: they run the real `nrscreen` binary on rule sets
//! written to temporary directories.

// Tests state their expectations by panicking.
#![allow(clippy::unwrap_used, clippy::panic)]

mod audit_cli;
mod check_cli;
mod check_errors;
mod eval_cli;
mod examples;
mod language_doc;
mod regressions;
mod support;
mod test_cli;
mod workload;
