//! Integration tests: they run the real `nrscreen` binary on rule sets
//! written to temporary directories.

mod check_cli;
mod check_errors;
mod support;
mod eval_cli;
mod workload;
mod language_doc;
