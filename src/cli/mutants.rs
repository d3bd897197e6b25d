//! `nrscreen mutants RULESET`: how strong the rule tests and audits are.
//! Single-node changes of the checked rule set, each judged by the tests
//! and/or the audits (`mutants/`); the survivors are listed first, with a
//! rule test that would kill each.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::ValueEnum;

use crate::audit::run::{AuditCases, AuditOptions};
use crate::mutants::generate::mutants;
use crate::mutants::judge::{judge, JudgeOptions};
use crate::mutants::report::{json, text, Summary};
use crate::mutants::{spread, DEFAULT_MAX_MUTANTS};
use crate::ruletest::run::run_tests;

use super::test::load_rule_tests;
use super::{parse_percent, use_colour, ColorChoice, Exit};

/// The exit codes and examples shown by `nrscreen mutants --help`.
pub(crate) const AFTER_HELP: &str = "\
Without --tests or --audits, both judge each mutant. A mutant is killed when a test or an audit \
fails on it, equivalent when the static analysis proves it decides every case as the original \
does; the score is killed / non-equivalent.

Exit codes: 0 the mutants were judged (and the score reached --min-killed); 1 the rule set or its \
tests have errors, the tests or audits fail on the rule set itself, or the score is below \
--min-killed; 2 usage or I/O errors.

Examples:
  nrscreen mutants rules --tests                         # how strong are the rule tests?
  nrscreen mutants rules --audits --min-killed 80 --seed 1 --cases 200 --max-mutants 400   # CI
  nrscreen mutants rules --format json > mutants.json";

/// How the report is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum MutantsFormat {
    /// Survivors with their source line and a suggested test, then one
    /// line per other mutant, then the score.
    Text,
    /// One JSON object: the counts, the score and every mutant.
    Json,
}

#[derive(clap::Args, Debug)]
pub(crate) struct MutantsArgs {
    /// The rule-set directory.
    ruleset: PathBuf,
    /// Judge each mutant by the rule tests (`RULESET/tests/*.toml`).
    #[arg(long)]
    tests: bool,
    /// Judge each mutant by the rule set's declared audits.
    #[arg(long)]
    audits: bool,
    /// Generated cases per audit, and cases tried to tell a survivor from
    /// the original.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    cases: u32,
    /// The seed; the same seed gives the same cases.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Fail (exit 1) when the score (killed / non-equivalent) is below
    /// this percentage (0 to 100).
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    min_killed: Option<f64>,
    /// Judge at most N mutants: beyond N, a sample spread evenly over the
    /// rule set.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_MUTANTS as u64,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    max_mutants: u64,
    /// How to write the report.
    #[arg(long, value_enum, default_value_t = MutantsFormat::Text)]
    format: MutantsFormat,
    /// Worker threads judging mutants (default: the cores available); the
    /// report is the same for every N.
    #[arg(long, short, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    jobs: Option<u64>,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
}

pub(crate) fn run(args: &MutantsArgs) -> Exit {
    let colour = use_colour(args.color, std::io::stdout().is_terminal());
    let (mut sources, compiled) =
        match super::load_compiled(&args.ruleset, args.color, super::DiagnosticsTo::Stdout) {
            Ok(loaded) => loaded,
            Err(code) => return code,
        };
    let both = !args.tests && !args.audits;
    let options = JudgeOptions {
        tests: args.tests || both,
        audits: args.audits || both,
        cases: args.cases,
        seed: args.seed,
    };
    let tests = if options.tests {
        match load_rule_tests(&args.ruleset, &compiled, &mut sources, colour) {
            Ok(tests) => tests,
            Err(exit) => return exit,
        }
    } else {
        Vec::new()
    };
    let jobs = super::jobs(args.jobs);
    let program = &compiled.program;
    // Said up front: otherwise a long list of survivors looks like weak
    // tests rather than none.
    if options.tests && tests.is_empty() {
        eprintln!(
            "note: the rule set has no rule tests (its tests/*.toml): no test can kill a mutant"
        );
    }
    if options.audits && program.audits.is_empty() {
        eprintln!("note: the rule set declares no audits: no audit can kill a mutant");
    }
    // A rule set that fails its own tests or audits kills every mutant.
    let (failing, audits) = super::with_jobs(jobs, || {
        let mut report = String::new();
        if options.tests
            && run_tests(&compiled, &sources, &tests, None, None, &mut report).failed > 0
        {
            return (Some("tests fail"), None);
        }
        if !options.audits {
            return (None, None);
        }
        let audit_options = AuditOptions {
            cases: options.cases,
            seed: options.seed,
            only: None,
            ruleset: None,
        };
        let audits = AuditCases::draw(&compiled, &audit_options);
        let all: Vec<usize> = (0..program.rules.len()).collect();
        match audits.first_failing(program, &all) {
            Some(_) => (Some("audits fail"), None),
            None => (None, Some(audits)),
        }
    });
    if let Some(what) = failing {
        println!(
            "error: the rule set's {what} on the rule set itself, so every mutant would be killed; see `nrscreen test` and `nrscreen audit` (with the same --seed and --cases)"
        );
        return Exit::RuleErrors;
    }
    let all = mutants(program, &sources);
    let generated = all.len();
    let max = usize::try_from(args.max_mutants).unwrap_or(usize::MAX);
    if generated > max {
        eprintln!(
            "note: {generated} mutants; judging {max} of them, spread over the rule set (--max-mutants)"
        );
    }
    let chosen = spread(all, max);
    let started = std::time::Instant::now();
    let judged = super::with_jobs(jobs, || {
        judge(program, &sources, &tests, audits.as_ref(), chosen, &options)
    });
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        mutants = judged.len(),
        "mutants judged"
    );
    let summary = Summary::of(&judged, generated, &options);
    match args.format {
        MutantsFormat::Text => print!("{}", text(&sources, &judged, &summary, &options, colour)),
        MutantsFormat::Json => print!("{}", json(&sources, &judged, &summary, &options)),
    }
    match args.min_killed {
        Some(min) if summary.score + 1e-9 < min => {
            if args.format == MutantsFormat::Text {
                println!(
                    "the score {:.1}% is below the required {min}%",
                    summary.score
                );
            }
            Exit::RuleErrors
        }
        _ => Exit::Success,
    }
}
