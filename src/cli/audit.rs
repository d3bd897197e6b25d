//! `nrscreen audit RULESET`: check the rule set's audits, and the built-in
//! ones, over generated case records.

use std::time::Instant;

use crate::audit::run::{run_audits, AuditOptions};

use super::{AuditArgs, Exit};

pub(crate) fn run(args: &AuditArgs) -> Exit {
    let compiled =
        match super::load_compiled(&args.ruleset, args.color, super::DiagnosticsTo::Stdout) {
            Ok((_, compiled)) => compiled,
            Err(code) => return code,
        };
    let options = AuditOptions {
        cases: args.cases,
        seed: args.seed,
        only: args.audit.clone(),
        ruleset: Some(args.ruleset.clone()),
    };
    let started = Instant::now();
    let mut report = String::new();
    let totals = super::with_jobs(super::jobs(args.jobs), || {
        run_audits(&compiled, &options, &mut report)
    });
    print!("{report}");
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "audits run");
    println!(
        "{} passed, {} failed (seed {})",
        totals.passed, totals.failed, options.seed
    );
    if totals.failed > 0 {
        Exit::RuleErrors
    } else {
        Exit::Success
    }
}
