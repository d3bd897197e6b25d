//! `nrscreen audit RULESET`: check the rule set's audits, and the built-in
//! ones, over generated case records.

use std::io::IsTerminal;
use std::time::Instant;

use crate::audit::run::{run_audits, AuditOptions};
use crate::check::check;
use crate::compile::compile;
use crate::diagnostic::render_text;
use crate::ruleset;

use super::{use_colour, AuditArgs, EXIT_RULE_ERRORS, EXIT_USAGE};

pub(crate) fn run(args: &AuditArgs) -> u8 {
    let loaded = match ruleset::load(&args.ruleset) {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("error: {error}");
            return EXIT_USAGE;
        }
    };
    let (sources, checked) = check(loaded);
    if checked.diagnostics.iter().any(|d| d.is_error()) {
        let colour = use_colour(args.color, std::io::stdout().is_terminal());
        print!("{}", render_text(&sources, &checked.diagnostics, colour));
        println!("{}", super::check::summary(&checked));
        return EXIT_RULE_ERRORS;
    }
    let Some(program) = checked.program else {
        return EXIT_RULE_ERRORS;
    };
    let compiled = compile(program);
    let options = AuditOptions {
        cases: args.cases,
        seed: args.seed,
        only: args.audit.clone(),
    };
    let started = Instant::now();
    let mut report = String::new();
    let totals = run_audits(&compiled, &options, &mut report);
    print!("{report}");
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "audits run");
    println!(
        "{} passed, {} failed (seed {})",
        totals.passed, totals.failed, options.seed
    );
    if totals.failed > 0 {
        EXIT_RULE_ERRORS
    } else {
        0
    }
}
