//! `nrscreen test RULESET`: run the rule set's example tests
//! (`RULESET/tests/*.toml`), optionally with coverage.

use std::io::IsTerminal;

use crate::diagnostic::render_text;
use crate::ruletest::coverage::Coverage;
use crate::ruletest::file::load_tests;
use crate::ruletest::run::run_tests;

use super::{use_colour, Exit, TestArgs};

pub(crate) fn run(args: &TestArgs) -> Exit {
    let colour = use_colour(args.color, std::io::stdout().is_terminal());
    let (mut sources, compiled) =
        match super::load_compiled(&args.ruleset, args.color, super::DiagnosticsTo::Stdout) {
            Ok(loaded) => loaded,
            Err(code) => return code,
        };
    let tests = match load_rule_tests(&args.ruleset, &compiled, &mut sources, colour) {
        Ok(tests) => tests,
        Err(exit) => return exit,
    };
    let mut coverage =
        (args.coverage || args.coverage_min.is_some()).then(|| Coverage::new(&compiled.program));
    let mut report = String::new();
    let totals = super::with_jobs(super::jobs(args.jobs), || {
        run_tests(
            &compiled,
            &sources,
            &tests,
            args.filter.as_deref(),
            coverage.as_mut(),
            &mut report,
        )
    });
    print!("{report}");
    let mut exit = if totals.failed > 0 {
        Exit::RuleErrors
    } else {
        Exit::Success
    };
    if let Some(coverage) = &coverage {
        print!("{}", coverage.report(&compiled.program, &sources));
        if let Some(min) = args.coverage_min {
            if coverage.percent() + 1e-9 < min {
                println!(
                    "coverage {:.1}% is below the required {min}%",
                    coverage.percent()
                );
                exit = Exit::RuleErrors;
            }
        }
    }
    println!("{} passed, {} failed", totals.passed, totals.failed);
    exit
}

/// Loads the rule tests of a rule set (`RULESET/tests/*.toml`); on errors,
/// prints them and returns the exit code.
pub(crate) fn load_rule_tests(
    ruleset: &std::path::Path,
    compiled: &crate::compile::Compiled,
    sources: &mut crate::source::Sources,
    colour: bool,
) -> Result<Vec<crate::ruletest::file::RuleTest>, Exit> {
    let mut diagnostics = Vec::new();
    let tests = match load_tests(
        compiled,
        ruleset,
        &ruleset.join("tests"),
        sources,
        &mut diagnostics,
    ) {
        Ok(tests) => tests,
        Err(error) => {
            let error = error.to_string();
            eprintln!(
                "error: cannot read the tests: {}",
                crate::escape::terminal(&error)
            );
            return Err(Exit::Usage);
        }
    };
    if !diagnostics.is_empty() {
        print!("{}", render_text(sources, &diagnostics, colour));
        println!("the test files have errors");
        return Err(Exit::RuleErrors);
    }
    Ok(tests)
}
