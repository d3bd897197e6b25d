//! Running audits: each declared audit, then the built-in ones, with
//! `proptest` generating cases, shrinking a failure to a minimal case, and a
//! seed that replays the run.

use std::cell::Cell;
use std::collections::HashSet;
use std::fmt::Write as _;

use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};

use crate::check::program::{Audit, AuditExpectationKind, Program};

use crate::compile::Compiled;
use crate::eval::compiled::Evaluator;
use crate::eval::interpret::rule_outcome;
use crate::eval::outcome::RuleOutcome;
use crate::eval::record::Record;
use crate::records::case::CaseRecord;
use crate::records::json::decode_line;
use crate::records::schema_index::SchemaIndex;
use rayon::prelude::*;

use super::generate::{cases, GenCase, Pools};

/// How an audit run is set up.
#[derive(Clone, Debug)]
pub(crate) struct AuditOptions {
    /// Cases per audit.
    pub cases: u32,
    /// The seed (the same seed replays the same run).
    pub seed: u64,
    /// Run only the audits whose name contains this text.
    pub only: Option<String>,
    /// The rule-set path as the user gave it, for the replay line (`RULESET`
    /// when there is none).
    pub ruleset: Option<std::path::PathBuf>,
}

/// A rule-set path for the replay line: quoted for a shell when needed
/// (`./` before one that would read as an option), shown safely.
fn replay_path(path: &std::path::Path) -> String {
    let mut text = path.to_string_lossy().into_owned();
    if text.starts_with('-') {
        text.insert_str(0, "./");
    }
    crate::escape::terminal(&crate::escape::shell_word(&text)).into_owned()
}

/// Totals of an audit run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct AuditTotals {
    /// Audits that held.
    pub passed: usize,
    /// Audits that failed.
    pub failed: usize,
}

/// Evaluates generated cases.
struct Bench<'c> {
    compiled: &'c Compiled,
    index: SchemaIndex,
    pools: Pools,
}

impl<'c> Bench<'c> {
    fn new(compiled: &'c Compiled) -> Bench<'c> {
        Bench {
            compiled,
            index: SchemaIndex::new(compiled),
            pools: Pools::of(&compiled.program),
        }
    }

    fn program(&self) -> &'c Program {
        &self.compiled.program
    }

    fn record(&self, case: &GenCase) -> Option<CaseRecord> {
        let json = case.to_json(self.program(), "audit").to_string();
        let mut record = CaseRecord::with_fields(self.program().schema.fields.len());
        decode_line(
            self.compiled,
            &self.index,
            &json,
            &mut record,
            &mut HashSet::new(),
        )
        .ok()?;
        Some(record)
    }

    /// The outcome of every rule for a case.
    fn outcomes(&self, record: &mut CaseRecord) -> Vec<RuleOutcome> {
        let mut evaluator = Evaluator::new(self.compiled);
        evaluator.start_record();
        self.compiled
            .rules
            .iter()
            .map(|r| evaluator.rule(record, r))
            .collect()
    }

    /// What the rules in `only` found, for a report.
    fn findings(&self, case: &GenCase, only: &[usize]) -> String {
        let Some(mut record) = self.record(case) else {
            return "    (the case cannot be decoded)\n".into();
        };
        let program = self.program();
        let mut out = String::new();
        for (i, outcome) in self.outcomes(&mut record).iter().enumerate() {
            if !only.contains(&i) {
                continue;
            }
            let rule = &program.rules[i];
            let gap = &program.taxonomy.get(rule.gap).id;
            if *outcome == RuleOutcome::NotApplicable {
                continue;
            }
            let state = outcome.describe(program, i);
            let _ = writeln!(out, "    {gap} (rule {}): {state}", rule.id);
        }
        if out.is_empty() {
            out.push_str("    nothing (the audited rules do not apply)\n");
        }
        out
    }
}

fn runner(options: &AuditOptions, salt: u64, cases: u32, shrink: bool) -> TestRunner {
    let config = Config {
        cases,
        max_global_rejects: cases.saturating_mul(20).max(1000),
        max_shrink_iters: if shrink { 4096 } else { 0 },
        failure_persistence: None,
        ..Config::default()
    };
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&options.seed.to_le_bytes());
    seed[8..16].copy_from_slice(&salt.to_le_bytes());
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed))
}

/// Runs the audits of a compiled rule set; writes the report to `out`.
pub(crate) fn run_audits(
    compiled: &Compiled,
    options: &AuditOptions,
    out: &mut String,
) -> AuditTotals {
    let bench = Bench::new(compiled);
    let program = &compiled.program;
    let mut totals = AuditTotals::default();
    let selected = |name: &str| {
        options
            .only
            .as_deref()
            .is_none_or(|only| name.contains(only))
    };
    let selected: Vec<(usize, &Audit)> = program
        .audits
        .iter()
        .enumerate()
        .filter(|(_, audit)| selected(&audit.name))
        .collect();
    // Each audit on its own (its cases come from its own seeded runner):
    // in parallel, reported in the order of the rule set.
    let results: Vec<(bool, String)> = selected
        .par_iter()
        .map(|&(index, audit)| run_audit(&bench, options, index, audit))
        .collect();
    for (passed, report) in results {
        if passed {
            totals.passed += 1;
        } else {
            totals.failed += 1;
        }
        out.push_str(&report);
    }
    if options.only.is_none() {
        builtin_audits(&bench, options, &mut totals, out);
    }
    totals
}

/// `count` cases drawn from `strategy` by a runner seeded with `seed` and
/// `salt` (the same arguments give the same cases).
pub(crate) fn sample(
    strategy: &proptest::strategy::BoxedStrategy<GenCase>,
    seed: u64,
    salt: u64,
    count: u32,
) -> Vec<GenCase> {
    let options = AuditOptions {
        cases: 1,
        seed,
        only: None,
        ruleset: None,
    };
    let mut runner = runner(&options, salt, 1, false);
    (0..count)
        .filter_map(|_| {
            proptest::strategy::Strategy::new_tree(strategy, &mut runner)
                .ok()
                .map(|tree| proptest::strategy::ValueTree::current(&tree))
        })
        .collect()
}

/// Runs declared audit `index`; whether it held, and its report.
fn run_audit(
    bench: &Bench<'_>,
    options: &AuditOptions,
    index: usize,
    audit: &Audit,
) -> (bool, String) {
    let program = bench.program();
    let mut report = String::new();
    let out = &mut report;
    let passed;
    let (result, met) = check_audit(bench, options, index, audit);
    match result {
        Ok(()) => {
            passed = true;
            let _ = writeln!(
                out,
                "ok      {} ({})",
                crate::escape::terminal(&audit.name),
                met_text(met)
            );
        }
        Err(TestError::Fail(reason, case)) => {
            passed = false;
            let expected: Vec<String> = audit
                .expects
                .iter()
                .filter_map(|e| expectation_line(e.kind, &e.target))
                .collect();
            let _ = writeln!(
                out,
                "FAILED  {} ({})",
                crate::escape::terminal(&audit.name),
                met_text(met)
            );
            let _ = writeln!(out, "  {}", crate::escape::terminal(&reason.to_string()));
            let _ = writeln!(
                out,
                "  the smallest case that breaks it, ready for rules/tests/:"
            );
            let mut test = format!(
                "[[test]]\nname = {}\n",
                crate::syntax::print::quote(&format!("audit: {}", audit.name))
            );
            test.push_str(&expected.join(""));
            test.push_str("[test.case]\n");
            test.push_str(&case.to_toml(program));
            let _ = write!(out, "{}", indent(&test, 4));
            let audited: Vec<usize> = audit
                .expects
                .iter()
                .flat_map(|e| e.rules.iter().copied())
                .collect();
            let _ = writeln!(out, "  what the audited rules found for it:");
            let _ = write!(out, "{}", bench.findings(&case, &audited));
            let _ = writeln!(
                out,
                "  replay: nrscreen audit {} --seed {} --audit {}",
                options
                    .ruleset
                    .as_deref()
                    .map_or_else(|| "RULESET".into(), replay_path),
                options.seed,
                crate::syntax::print::quote(&audit.name)
            );
        }
        Err(TestError::Abort(reason)) => {
            passed = false;
            let _ = writeln!(
                out,
                "FAILED  {}: only {met} generated cases met the precondition ({reason}); the precondition may be impossible",
                crate::escape::terminal(&audit.name)
            );
        }
    }
    (passed, report)
}

/// Checks declared audit `index` over generated cases, shrinking a
/// failure: the result, and how many cases met the precondition before
/// any failure.
fn check_audit(
    bench: &Bench<'_>,
    options: &AuditOptions,
    index: usize,
    audit: &Audit,
) -> (Result<(), TestError<GenCase>>, u32) {
    let compiled = bench.compiled;
    let program = bench.program();
    let met = Cell::new(0u32);
    let failing = Cell::new(false);
    let strategy = cases(program, &bench.pools, audit.precondition.as_ref());
    let mut runner = runner(options, index as u64 + 1, options.cases, true);
    let result = runner.run(&strategy, |case| {
        let Some(mut record) = bench.record(&case) else {
            return Err(TestCaseError::reject("case does not decode"));
        };
        if let Some(node) = compiled.audit_preconditions[index] {
            let mut evaluator = Evaluator::new(compiled);
            evaluator.start_record();
            if evaluator.truth(&mut record, node).0 != Some(true) {
                return Err(TestCaseError::reject("precondition not met"));
            }
        }
        if !failing.get() {
            met.set(met.get() + 1);
        }
        let outcomes = bench.outcomes(&mut record);
        for expect in &audit.expects {
            let (flagged, review) = states(&expect.rules, |r| outcomes[r].clone());
            let problem = match expect.kind {
                kind if unmet(kind, flagged, review) => Some(match kind {
                    AuditExpectationKind::NeedsReview => format!(
                        "`{}` does not need review (it is {})",
                        expect.target,
                        if flagged { "flagged" } else { "clear" }
                    ),
                    AuditExpectationKind::NotFlagged => format!("`{}` is flagged", expect.target),
                    AuditExpectationKind::Clear => format!("`{}` is not clear", expect.target),
                    _ => format!("`{}` is not flagged", expect.target),
                }),
                AuditExpectationKind::StaysFlagged(field) if flagged => {
                    let grown = case.grown(program, &bench.pools, field);
                    let lost = grown
                        .as_ref()
                        .and_then(|g| bench.record(g))
                        .is_some_and(|mut r| {
                            let after = bench.outcomes(&mut r);
                            !expect
                                .rules
                                .iter()
                                .any(|&i| after[i] == RuleOutcome::Flagged)
                        });
                    lost.then(|| {
                        let added = grown.map(|g| g.to_toml(program)).unwrap_or_default();
                        format!(
                            "`{}` is flagged, but no longer once `{}` grows; the grown case:\n{}",
                            expect.target,
                            program.schema.field(field).name,
                            indent(&added, 6)
                        )
                    })
                }
                _ => None,
            };
            if let Some(problem) = problem {
                failing.set(true);
                return Err(TestCaseError::fail(problem));
            }
        }
        Ok(())
    });
    (result, met.get())
}

/// Whether any of `rules` is flagged, and whether any needs review.
fn states(rules: &[usize], outcome: impl Fn(usize) -> RuleOutcome) -> (bool, bool) {
    let mut flagged = false;
    let mut review = false;
    for &r in rules {
        match outcome(r) {
            RuleOutcome::Flagged => flagged = true,
            RuleOutcome::NeedsReview(_) => review = true,
            _ => {}
        }
    }
    (flagged, review)
}

/// Whether an expectation of `kind` fails when its rules are so
/// (`StaysFlagged` needs the grown case: never here).
fn unmet(kind: AuditExpectationKind, flagged: bool, review: bool) -> bool {
    match kind {
        AuditExpectationKind::Flagged => !flagged,
        AuditExpectationKind::NeedsReview => flagged || !review,
        AuditExpectationKind::NotFlagged => flagged,
        AuditExpectationKind::Clear => flagged || review,
        AuditExpectationKind::StaysFlagged(_) => false,
    }
}

/// One generated case of an audit that met its precondition, as the
/// interpreter reads it, with its grown copy for each `stays flagged`
/// expectation (in the order of the expectations; `None` for the others).
struct DrawnCase {
    record: Record,
    grown: Vec<Option<Record>>,
}

/// The generated cases of every declared audit, drawn once from a rule
/// set, to judge changed copies of it (mutants, `nrscreen mutants`)
/// without generating them again: the cases `nrscreen audit` draws with
/// the same seed and number of cases, those that meet the precondition.
pub(crate) struct AuditCases {
    /// By audit.
    audits: Vec<Vec<DrawnCase>>,
}

impl AuditCases {
    /// Draws the cases of the audits of `compiled`.
    pub(crate) fn draw(compiled: &Compiled, options: &AuditOptions) -> AuditCases {
        let bench = Bench::new(compiled);
        let program = &compiled.program;
        let audits = program
            .audits
            .par_iter()
            .enumerate()
            .map(|(index, audit)| {
                let strategy = cases(program, &bench.pools, audit.precondition.as_ref());
                let mut runner = runner(options, index as u64 + 1, options.cases, false);
                let mut drawn = Vec::new();
                let mut tries = options.cases.saturating_mul(20).max(1000);
                while drawn.len() < options.cases as usize && tries > 0 {
                    tries -= 1;
                    let Ok(tree) = proptest::strategy::Strategy::new_tree(&strategy, &mut runner)
                    else {
                        continue;
                    };
                    let case = proptest::strategy::ValueTree::current(&tree);
                    let Some(mut record) = bench.record(&case) else {
                        continue;
                    };
                    if let Some(node) = compiled.audit_preconditions[index] {
                        let mut evaluator = Evaluator::new(compiled);
                        evaluator.start_record();
                        if evaluator.truth(&mut record, node).0 != Some(true) {
                            continue;
                        }
                    }
                    let grown = audit
                        .expects
                        .iter()
                        .map(|expect| match expect.kind {
                            AuditExpectationKind::StaysFlagged(field) => case
                                .grown(program, &bench.pools, field)
                                .and_then(|g| bench.record(&g))
                                .map(|r| Record::from_case(compiled, &r)),
                            _ => None,
                        })
                        .collect();
                    drawn.push(DrawnCase {
                        record: Record::from_case(compiled, &record),
                        grown,
                    });
                }
                drawn
            })
            .collect();
        AuditCases { audits }
    }

    /// The name of the first audit (in the order of the rule set) that
    /// fails on the drawn cases for `changed`, a copy of the rule set in
    /// which only rules `rules` may decide a case otherwise (only the
    /// expectations about them are checked again).
    pub(crate) fn first_failing(&self, changed: &Program, rules: &[usize]) -> Option<String> {
        let outcome = |record: &Record, r: usize| rule_outcome(changed, record, &changed.rules[r]);
        changed
            .audits
            .iter()
            .zip(&self.audits)
            .find(|(audit, drawn)| {
                let expects: Vec<_> = audit
                    .expects
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.rules.iter().any(|r| rules.contains(r)))
                    .collect();
                !expects.is_empty()
                    && drawn.iter().any(|case| {
                        expects.iter().any(|&(i, expect)| {
                            let (flagged, review) =
                                states(&expect.rules, |r| outcome(&case.record, r));
                            match (expect.kind, &case.grown[i]) {
                                (AuditExpectationKind::StaysFlagged(_), Some(grown)) => {
                                    flagged
                                        && !expect
                                            .rules
                                            .iter()
                                            .any(|&r| outcome(grown, r) == RuleOutcome::Flagged)
                                }
                                (kind, _) => unmet(kind, flagged, review),
                            }
                        })
                    })
            })
            .map(|(audit, _)| audit.name.clone())
    }
}

fn met_text(met: u32) -> String {
    format!(
        "{met} generated case{} met the precondition",
        if met == 1 { "" } else { "s" }
    )
}

/// The TOML expectation line of an audit expectation, where there is one.
fn expectation_line(kind: AuditExpectationKind, target: &str) -> Option<String> {
    let list = |key: &str| format!("{key} = [{}]\n", crate::syntax::print::quote(target));
    match kind {
        AuditExpectationKind::Flagged => Some(list("flagged")),
        AuditExpectationKind::NeedsReview => Some(list("needs_review")),
        AuditExpectationKind::Clear => Some(list("clear")),
        AuditExpectationKind::NotFlagged | AuditExpectationKind::StaysFlagged(_) => None,
    }
}

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines().map(|l| format!("{pad}{l}\n")).collect()
}

/// The audits every rule set gets: every rule can fire, no rule fires on
/// every case, every needs-review can be resolved both ways by filling in the
/// unknown fields, and evaluation is deterministic.
fn builtin_audits(
    bench: &Bench<'_>,
    options: &AuditOptions,
    totals: &mut AuditTotals,
    out: &mut String,
) {
    let program = bench.program();
    let mut report = |name: &str, problems: Vec<String>, out: &mut String| {
        if problems.is_empty() {
            totals.passed += 1;
            let _ = writeln!(out, "ok      (built in) {name}");
        } else {
            totals.failed += 1;
            let _ = writeln!(out, "FAILED  (built in) {name}");
            for p in problems {
                let _ = write!(out, "{}", indent(&p, 2));
            }
        }
    };

    // 1. Every rule can fire: generation guided by the rule's own condition
    // (each rule on its own runner, in parallel).
    let never: Vec<String> = program
        .rules
        .par_iter()
        .enumerate()
        .filter_map(|(i, rule)| {
            let strategy = cases(program, &bench.pools, Some(&rule.condition));
            let mut runner = runner(options, 1000 + i as u64, options.cases, false);
            let fired = runner.run(&strategy, |case| {
                let fired = bench
                    .record(&case)
                    .is_some_and(|mut r| bench.outcomes(&mut r)[i] == RuleOutcome::Flagged);
                if fired {
                    Err(TestCaseError::fail("fired"))
                } else {
                    Ok(())
                }
            });
            fired.is_ok().then(|| {
                format!(
                    "rule `{}` never fired in {} generated cases\n",
                    rule.id, options.cases
                )
            })
        })
        .collect();
    report("every rule can fire", never, out);

    // 2-4 over one sample of unguided cases.
    let strategy = cases(program, &bench.pools, None);
    let sample = sample(&strategy, options.seed, 2000, options.cases);
    // Each case evaluated twice and by the interpreter, in parallel.
    let evaluated: Vec<Option<CaseOutcomes>> = sample
        .par_iter()
        .map(|case| {
            let mut record = bench.record(case)?;
            let first = bench.outcomes(&mut record);
            let mut again = bench.record(case)?;
            let second = bench.outcomes(&mut again);
            let values = Record::from_case(bench.compiled, &record);
            let reference = program
                .rules
                .iter()
                .map(|rule| rule_outcome(program, &values, rule))
                .collect();
            Some(CaseOutcomes {
                first,
                second,
                reference,
            })
        })
        .collect();
    let mut not_fired = vec![false; program.rules.len()];
    let mut nondeterministic = Vec::new();
    let mut resolved_tries = vec![0usize; program.rules.len()];
    // (case, rule) pairs whose needs-review is tried, at most 20 per rule.
    let mut to_resolve = Vec::new();
    for (case, outcomes) in sample.iter().zip(&evaluated) {
        let Some(CaseOutcomes {
            first,
            second,
            reference,
        }) = outcomes
        else {
            continue;
        };
        for (i, outcome) in first.iter().enumerate() {
            if *outcome != RuleOutcome::Flagged {
                not_fired[i] = true;
            }
            if *outcome != second[i] || *outcome != reference[i] {
                nondeterministic.push(format!(
                    "rule `{}` gave {:?}, then {:?}, and the interpreter {:?} for:\n{}",
                    program.rules[i].id,
                    outcome,
                    second[i],
                    reference[i],
                    indent(&case.to_toml(program), 2)
                ));
            }
            if let RuleOutcome::NeedsReview(unknown) = outcome {
                if unknown.is_empty() || resolved_tries[i] >= 20 {
                    continue;
                }
                resolved_tries[i] += 1;
                to_resolve.push((case, i, unknown));
            }
        }
    }
    let unresolved: Vec<String> = to_resolve
        .par_iter()
        .filter(|(case, i, unknown)| !resolvable_both_ways(bench, options, case, *i, unknown))
        .map(|(case, i, unknown)| {
            format!(
                "rule `{}` needs review for this case, but filling in {} only ever resolves it one way:\n{}",
                program.rules[*i].id,
                unknown.iter().map(|f| format!("`{}`", program.schema.field(*f).name)).collect::<Vec<_>>().join(", "),
                indent(&case.to_toml(program), 2)
            )
        })
        .collect();
    let always: Vec<String> = program
        .rules
        .iter()
        .zip(&not_fired)
        .filter(|(_, seen_clear)| !**seen_clear)
        .map(|(r, _)| {
            format!(
                "rule `{}` fired on every one of {} generated cases\n",
                r.id,
                sample.len()
            )
        })
        .collect();
    report("no rule fires on every case", always, out);
    let mut unresolved = unresolved;
    unresolved.truncate(3);
    report(
        "every needs-review outcome can be resolved both ways",
        unresolved,
        out,
    );
    nondeterministic.truncate(3);
    report(
        "evaluation is deterministic (and agrees with the reference interpreter)",
        nondeterministic,
        out,
    );
}

/// A generated case's rule outcomes: evaluated, evaluated again, and by
/// the reference interpreter.
struct CaseOutcomes {
    first: Vec<RuleOutcome>,
    second: Vec<RuleOutcome>,
    reference: Vec<RuleOutcome>,
}

/// Whether filling in the unknown fields of a needs-review case can give a
/// flag, and can give a clear (or, where the rule set itself leaves the
/// case open, gives neither).
fn resolvable_both_ways(
    bench: &Bench<'_>,
    options: &AuditOptions,
    case: &GenCase,
    rule: usize,
    unknown: &[crate::ruleset::schema::FieldId],
) -> bool {
    use super::generate::GenValue;
    let program = bench.program();
    // Sets `field` of a filled case (a group's field makes the group present).
    let set = |filled: &mut GenCase, field: crate::ruleset::schema::FieldId, value: GenValue| {
        filled.values[field.0 as usize] = Some(value);
        if let Some(parent) = program.schema.field(field).parent {
            filled.values[parent.0 as usize].get_or_insert(GenValue::Present);
        }
    };
    let (mut flagged, mut clear, mut open) = (false, false, false);
    let mut outcome_of = |filled: &GenCase| {
        if let Some(mut record) = bench.record(filled) {
            match bench.outcomes(&mut record)[rule] {
                RuleOutcome::Flagged => flagged = true,
                RuleOutcome::NotApplicable | RuleOutcome::Cleared(_) => clear = true,
                RuleOutcome::NeedsReview(_) => open = true,
            }
        }
        flagged && clear
    };
    // Donors of values: half guided by the rule's condition (to find a
    // flag), half not (to find a clear).
    let guided = cases(program, &bench.pools, Some(&program.rules[rule].condition));
    let free = cases(program, &bench.pools, None);
    let mut runner = runner(options, 3000 + rule as u64, 1, false);
    for attempt in 0..64 {
        let strategy = if attempt % 2 == 0 { &guided } else { &free };
        let Ok(tree) = proptest::strategy::Strategy::new_tree(strategy, &mut runner) else {
            continue;
        };
        let donor = proptest::strategy::ValueTree::current(&tree);
        let mut filled = case.clone();
        for field in unknown {
            if let Some(value) = donor.values.get(field.0 as usize).cloned().flatten() {
                set(&mut filled, *field, value);
            }
        }
        if outcome_of(&filled) {
            return true;
        }
    }
    // Text fields may have to equal text the case already holds (an
    // interpreter's language among the person's languages): try those too.
    let texts: Vec<GenValue> = case
        .values
        .iter()
        .flatten()
        .flat_map(|value| match value {
            GenValue::List(items) => items.clone(),
            other => vec![other.clone()],
        })
        .filter(|v| matches!(v, GenValue::Text(_)))
        .collect();
    for text in texts {
        let mut filled = case.clone();
        for field in unknown
            .iter()
            .filter(|f| program.schema.field(**f).ty == crate::types::Type::Str)
        {
            set(&mut filled, *field, text.clone());
        }
        if outcome_of(&filled) {
            return true;
        }
    }
    // Some fillings left it undecided: the rule set itself leaves such cases
    // open (a table that does not cover a recorded value, or the value
    // `unknown`), which filling in fields cannot change.
    open
}

#[cfg(test)]
mod tests {
    use super::replay_path;
    use std::path::Path;

    #[test]
    fn the_replay_path_is_quoted_for_a_shell_and_safe_on_a_terminal() {
        assert_eq!(replay_path(Path::new("rules")), "rules");
        assert_eq!(replay_path(Path::new("../packs/v2")), "../packs/v2");
        assert_eq!(replay_path(Path::new("my rules")), "'my rules'");
        assert_eq!(replay_path(Path::new("it's")), "'it'\\''s'");
        assert_eq!(replay_path(Path::new("-r")), "./-r");
        assert_eq!(replay_path(Path::new("a\x1b[2Jb")), "'a\\u{1b}[2Jb'");
    }
}
