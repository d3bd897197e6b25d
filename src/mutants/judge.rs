//! Judging mutants: each one recognised as equivalent by the static
//! analysis, or compiled and run against the rule tests and the audits (in
//! process, the mutants in parallel), and for a survivor a case that tells
//! it from the original, written as a rule test.

use rayon::prelude::*;

use crate::analysis::equivalence::{compare, Comparison};
use crate::analysis::{minimise, record_of};
use crate::audit::generate::{cases, GenCase, Pools};
use crate::audit::run::{sample, AuditCases};
use crate::check::program::Program;
use crate::compile::compile;
use crate::eval::interpret::rule_outcome;
use crate::eval::outcome::RuleOutcome;
use crate::ruletest::file::RuleTest;
use crate::ruletest::run::run_tests;
use crate::source::Sources;

use super::generate::Mutant;

/// How mutants are judged.
#[derive(Clone, Debug)]
pub(crate) struct JudgeOptions {
    /// Run the rule tests against each mutant.
    pub tests: bool,
    /// Run the declared audits against each mutant (on cases drawn once,
    /// [`AuditCases`]).
    pub audits: bool,
    /// Generated cases per audit, and cases tried for a distinguishing one.
    pub cases: u32,
    /// The seed of the generated cases.
    pub seed: u64,
}

/// What became of one mutant.
#[derive(Clone, Debug)]
pub(crate) struct Judged {
    /// The mutant.
    pub mutant: Mutant,
    /// The static analysis proved it decides every case as the original.
    pub equivalent: bool,
    /// The first failing test (as `nrscreen test` reports it), when the
    /// tests were run and one failed.
    pub killed_by_test: Option<String>,
    /// The first failing audit, when the audits were run and one failed.
    pub killed_by_audit: Option<String>,
    /// For a survivor: a rule test the original passes and the mutant
    /// fails (TOML, `[[test]]` …), when a case telling them apart was found.
    pub suggested_test: Option<String>,
}

impl Judged {
    /// Killed by what was run.
    pub(crate) fn killed(&self) -> bool {
        self.killed_by_test.is_some() || self.killed_by_audit.is_some()
    }

    /// Neither equivalent nor killed.
    pub(crate) fn survived(&self) -> bool {
        !self.equivalent && !self.killed()
    }
}

/// Judges `mutants` of `program` (in parallel; the results in their order).
pub(crate) fn judge(
    program: &Program,
    sources: &Sources,
    tests: &[RuleTest],
    audits: Option<&AuditCases>,
    mutants: Vec<Mutant>,
    options: &JudgeOptions,
) -> Vec<Judged> {
    mutants
        .into_par_iter()
        .map(|mutant| judge_one(program, sources, tests, audits, mutant, options))
        .collect()
}

fn judge_one(
    program: &Program,
    sources: &Sources,
    tests: &[RuleTest],
    audits: Option<&AuditCases>,
    mutant: Mutant,
    options: &JudgeOptions,
) -> Judged {
    let changed = mutant.apply(program);
    let rules = mutant.rules(program);
    let mut judged = Judged {
        mutant,
        equivalent: false,
        killed_by_test: None,
        killed_by_audit: None,
        suggested_test: None,
    };
    let model_case = match compare(program, &changed, &rules) {
        Comparison::Equivalent => {
            judged.equivalent = true;
            return judged;
        }
        Comparison::MayDiffer(case) => case,
    };
    let compiled = compile(changed);
    if options.tests {
        let mut report = String::new();
        if run_tests(&compiled, sources, tests, None, None, &mut report).failed > 0 {
            // The first line of the report: `FAILED FILE:LINE: NAME`.
            let first = report.lines().next().unwrap_or_default();
            judged.killed_by_test = Some(first.trim_start_matches("FAILED ").to_string());
        }
    }
    if let Some(audits) = audits {
        judged.killed_by_audit = audits.first_failing(&compiled.program, &rules);
    }
    if !judged.killed() {
        let changed = &compiled.program;
        let found = model_case
            .filter(|case| !differing(program, changed, &rules, case).is_empty())
            .or_else(|| search(program, changed, &rules, options));
        judged.suggested_test = found.map(|mut case| {
            minimise(&mut case, |c| {
                !differing(program, changed, &rules, c).is_empty()
            });
            rule_test(program, changed, &rules, &judged.mutant, &case)
        });
    }
    judged
}

/// The outcome classes a rule test can tell apart.
fn class(outcome: &RuleOutcome) -> u8 {
    match outcome {
        RuleOutcome::Flagged => 0,
        RuleOutcome::NeedsReview(_) => 1,
        RuleOutcome::NotApplicable | RuleOutcome::Cleared(_) => 2,
    }
}

/// The rules of `rules` whose outcome class differs between the programs
/// for `case`, with the original's outcome.
fn differing(
    original: &Program,
    changed: &Program,
    rules: &[usize],
    case: &GenCase,
) -> Vec<(usize, RuleOutcome)> {
    let Some(record) = record_of(original, case) else {
        return Vec::new();
    };
    rules
        .iter()
        .filter_map(|&i| {
            let before = rule_outcome(original, &record, &original.rules[i]);
            let after = rule_outcome(changed, &record, &changed.rules[i]);
            (class(&before) != class(&after)).then_some((i, before))
        })
        .collect()
}

/// A case on which the programs differ, among `options.cases` generated
/// cases: guided in turn by each affected rule's condition in the
/// original, in the mutant, and by nothing.
fn search(
    original: &Program,
    changed: &Program,
    rules: &[usize],
    options: &JudgeOptions,
) -> Option<GenCase> {
    let pools = [Pools::of(original), Pools::of(changed)];
    let mut strategies = Vec::new();
    for &i in rules {
        strategies.push(cases(
            original,
            &pools[0],
            Some(&original.rules[i].condition),
        ));
        strategies.push(cases(changed, &pools[1], Some(&changed.rules[i].condition)));
    }
    strategies.push(cases(original, &pools[0], None));
    let each = options.cases.div_ceil(strategies.len() as u32).max(1);
    strategies.iter().enumerate().find_map(|(salt, strategy)| {
        sample(strategy, options.seed, 4000 + salt as u64, each)
            .into_iter()
            .find(|case| !differing(original, changed, rules, case).is_empty())
    })
}

/// A rule test for `case` that the original passes and the mutant fails:
/// the original's outcome of each rule the two decide differently.
fn rule_test(
    original: &Program,
    changed: &Program,
    rules: &[usize],
    mutant: &Mutant,
    case: &GenCase,
) -> String {
    let (mut flagged, mut review, mut clear) = (Vec::new(), Vec::new(), Vec::new());
    for (i, outcome) in differing(original, changed, rules, case) {
        let id = crate::syntax::print::quote(&original.rules[i].id);
        match class(&outcome) {
            0 => flagged.push(id),
            1 => review.push(id),
            _ => clear.push(id),
        }
    }
    let name = format!(
        "TODO: say what this case is (it catches `{}` in {})",
        mutant
            .replacement
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        mutant.place
    );
    let mut out = format!("[[test]]\nname = {}\n", crate::syntax::print::quote(&name));
    for (key, ids) in [
        ("flagged", flagged),
        ("needs_review", review),
        ("clear", clear),
    ] {
        if !ids.is_empty() {
            out.push_str(&format!("{key} = [{}]\n", ids.join(", ")));
        }
    }
    out.push_str("[test.case]\n");
    out.push_str(&case.to_toml(original));
    out
}
