//! Running rule tests: each case through the compiled evaluator (what users
//! get), and through the direct interpreter when coverage is measured. The
//! report shows test names, values and explanations from the test files
//! through [`escape::terminal`].

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::compile::Compiled;
use crate::escape;
use crate::eval::compiled::Evaluator;
use crate::eval::explain;
use crate::eval::interpret::{rule_outcome_in, Interpreter, Reached};
use crate::eval::outcome::RuleOutcome;
use crate::eval::record::Record;
use crate::records::case::CaseRecord;
use crate::records::json::decode_line;
use crate::records::schema_index::SchemaIndex;
use crate::source::Sources;

use rayon::prelude::*;

use super::coverage::Coverage;
use super::file::{place, RuleTest};

/// One rule's result for a test case.
struct Seen {
    rule: String,
    gap: String,
    outcome: RuleOutcome,
    because: String,
    facts: String,
}

impl Seen {
    fn matches(&self, id: &str) -> bool {
        self.rule == id || self.gap == id
    }

    fn state(&self, program: &crate::check::program::Program, rule_index: usize) -> String {
        self.outcome.describe(program, rule_index)
    }
}

/// Totals of a test run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TestTotals {
    /// Tests that passed.
    pub passed: usize,
    /// Tests that failed.
    pub failed: usize,
}

/// Runs the tests whose name contains `filter`; writes a report of each
/// failure to `out`.
pub(crate) fn run_tests(
    compiled: &Compiled,
    sources: &Sources,
    tests: &[RuleTest],
    filter: Option<&str>,
    mut coverage: Option<&mut Coverage>,
    out: &mut String,
) -> TestTotals {
    let index = SchemaIndex::new(compiled);
    let measure = coverage.is_some();
    let selected: Vec<&RuleTest> = tests
        .iter()
        .filter(|t| filter.is_none_or(|f| t.name.contains(f)))
        .collect();
    // Each test on its own, in parallel (an evaluator and a record per
    // thread); reported in the order of the test files.
    let results: Vec<TestResult> = selected
        .par_iter()
        .map_init(
            || {
                (
                    Evaluator::new(compiled),
                    CaseRecord::with_fields(compiled.program.schema.fields.len()),
                )
            },
            |(evaluator, record), test| {
                run_test(compiled, sources, &index, test, measure, evaluator, record)
            },
        )
        .collect();
    let mut totals = TestTotals::default();
    for result in results {
        if let (Some(coverage), Some((reached, rules_reached))) =
            (coverage.as_deref_mut(), &result.reached)
        {
            coverage.add(reached, rules_reached);
        }
        if result.report.is_empty() {
            totals.passed += 1;
        } else {
            totals.failed += 1;
            out.push_str(&result.report);
        }
    }
    totals
}

/// What one test gave.
struct TestResult {
    /// The report of its failure (empty when it passed).
    report: String,
    /// What it reached, when coverage is measured: conditions, definitions
    /// and tables, and rules.
    reached: Option<(Reached, Vec<bool>)>,
}

/// Runs one test with `evaluator` and `record` (reused from test to test).
fn run_test(
    compiled: &Compiled,
    sources: &Sources,
    index: &SchemaIndex,
    test: &RuleTest,
    measure: bool,
    evaluator: &mut Evaluator<'_>,
    record: &mut CaseRecord,
) -> TestResult {
    let program = &compiled.program;
    let mut out = String::new();
    let mut reached_all = None;
    let mut problems = decode_case(compiled, index, test, record);
    let mut seen = Vec::new();
    if problems.is_empty() {
        seen = evaluate_rules(evaluator, compiled, record);
        if measure {
            let values = Record::from_case(compiled, record);
            let mut interpreter = Interpreter::new(program, &values);
            interpreter.coverage = Some(Reached::default());
            for rule in &program.rules {
                // Explanations are part of what a rule does: what they
                // show (definitions, tables) counts as reached.
                if rule_outcome_in(&mut interpreter, rule) != RuleOutcome::NotApplicable {
                    for e in rule.because.values() {
                        interpreter.value(e);
                    }
                }
            }
            let reached = interpreter.coverage.take().unwrap_or_default();
            // A test reaches a rule when the rule found something for
            // its case, or the test states an expectation about it.
            let rules_reached: Vec<bool> = seen
                .iter()
                .map(|s| {
                    s.outcome != RuleOutcome::NotApplicable || test.expect.mentions(&s.rule, &s.gap)
                })
                .collect();
            reached_all = Some((reached, rules_reached));
        }
        check(test, program, &seen, &mut problems);
    }
    if problems.is_empty() {
        return TestResult {
            report: out,
            reached: reached_all,
        };
    }
    let _ = writeln!(
        out,
        "FAILED {}: {}",
        escape::terminal(&place(sources, test.span)),
        escape::terminal(&test.name)
    );
    for problem in &problems {
        let _ = writeln!(out, "  {}", escape::terminal(problem));
    }
    let shown: Vec<(usize, &Seen)> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.outcome != RuleOutcome::NotApplicable)
        .collect();
    if !shown.is_empty() {
        let _ = writeln!(out, "  what the rules found:");
        for (i, s) in shown {
            let _ = writeln!(
                out,
                "    {} (rule {}): {}",
                s.gap,
                s.rule,
                s.state(program, i)
            );
            let _ = writeln!(out, "      because: {}", escape::terminal(&s.because));
            let _ = writeln!(
                out,
                "      facts: {}",
                if s.facts.is_empty() {
                    "none recorded".into()
                } else {
                    escape::terminal(&s.facts)
                }
            );
        }
    } else if !seen.is_empty() {
        let _ = writeln!(out, "  no rule found anything for this case");
    }
    let _ = writeln!(out);
    TestResult {
        report: out,
        reached: reached_all,
    }
}

/// Decodes a test's case into `record`; the problems that keep it from
/// being evaluated.
fn decode_case(
    compiled: &Compiled,
    index: &SchemaIndex,
    test: &RuleTest,
    record: &mut CaseRecord,
) -> Vec<String> {
    let program = &compiled.program;
    let mut problems = Vec::new();
    let mut unknown_keys = HashSet::new();
    if let Err(found) = decode_line(
        compiled,
        index,
        &test.case.to_string(),
        record,
        &mut unknown_keys,
    ) {
        problems.extend(
            found
                .iter()
                .map(|problem| format!("the case cannot be read: {problem}")),
        );
    }
    for field in &test.unset {
        if program.schema.find(field).is_none() {
            problems.push(format!(
                "`unset` names `{field}`, which is not a field of the schema"
            ));
        }
    }
    for key in &unknown_keys {
        problems.push(format!(
            "the case names `{key}`, which is not a field of the schema"
        ));
    }
    problems
}

/// Every rule's outcome for the decoded record, explained as users see it.
fn evaluate_rules(
    evaluator: &mut Evaluator<'_>,
    compiled: &Compiled,
    record: &mut CaseRecord,
) -> Vec<Seen> {
    let program = &compiled.program;
    evaluator.start_record();
    let mut seen = Vec::with_capacity(compiled.rules.len());
    for (index, rule) in program.rules.iter().enumerate() {
        let outcome = evaluator.rule(record, &compiled.rules[index]);
        let finding = explain::finding(
            String::new(),
            evaluator,
            compiled,
            record,
            index,
            outcome.clone(),
            true,
        );
        let (because, facts) = match &finding {
            Some(finding) => (
                finding.because().to_string(),
                explain::facts(compiled, record, finding)
                    .iter()
                    .map(|(f, v)| format!("{}={v}", program.schema.field(*f).name))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            None => Default::default(),
        };
        seen.push(Seen {
            rule: rule.id.clone(),
            gap: program.taxonomy.get(rule.gap).id.clone(),
            outcome,
            because,
            facts,
        });
    }
    seen
}

/// Compares what the rules found with what the test expects.
fn check(
    test: &RuleTest,
    program: &crate::check::program::Program,
    seen: &[Seen],
    problems: &mut Vec<String>,
) {
    let expect = &test.expect;
    let known_id = |id: &str| seen.iter().any(|s| s.matches(id));
    let state_of = |id: &str| -> String {
        let states: Vec<String> = seen
            .iter()
            .enumerate()
            .filter(|(_, s)| s.matches(id))
            .map(|(i, s)| s.state(program, i))
            .collect();
        states.join(" / ")
    };
    let all_ids = expect
        .flagged
        .iter()
        .chain(&expect.needs_review)
        .chain(&expect.clear)
        .chain(expect.because.keys())
        .chain(expect.because_is.keys())
        .chain(expect.cleared_by.keys());
    for id in all_ids {
        if !known_id(id) {
            problems.push(format!(
                "`{id}` is neither a rule nor a gap of this rule set"
            ));
        }
    }
    for id in &expect.flagged {
        if known_id(id)
            && !seen
                .iter()
                .any(|s| s.matches(id) && s.outcome == RuleOutcome::Flagged)
        {
            problems.push(format!(
                "expected `{id}` flagged, but it is {}",
                state_of(id)
            ));
        }
    }
    for id in &expect.needs_review {
        if known_id(id)
            && !seen
                .iter()
                .any(|s| s.matches(id) && matches!(s.outcome, RuleOutcome::NeedsReview(_)))
        {
            problems.push(format!(
                "expected `{id}` to need review, but it is {}",
                state_of(id)
            ));
        }
    }
    for id in &expect.clear {
        if seen.iter().any(|s| {
            s.matches(id)
                && matches!(
                    s.outcome,
                    RuleOutcome::Flagged | RuleOutcome::NeedsReview(_)
                )
        }) {
            problems.push(format!("expected `{id}` clear, but it is {}", state_of(id)));
        }
    }
    if expect.exact {
        for s in seen {
            let listed = |ids: &[String]| ids.iter().any(|id| s.matches(id));
            match s.outcome {
                RuleOutcome::Flagged if !listed(&expect.flagged) => {
                    problems.push(format!(
                        "`{}` is flagged, which the test does not expect (exact)",
                        s.gap
                    ));
                }
                RuleOutcome::NeedsReview(_) if !listed(&expect.needs_review) => {
                    problems.push(format!(
                        "`{}` needs review, which the test does not expect (exact)",
                        s.gap
                    ));
                }
                _ => {}
            }
        }
    }
    let explanations = [
        (&expect.because, "contain", false),
        (&expect.because_is, "be", true),
    ];
    for (expected, verb, whole) in explanations {
        for (id, text) in expected {
            let found = seen.iter().any(|s| {
                s.matches(id)
                    && matches!(
                        s.outcome,
                        RuleOutcome::Flagged | RuleOutcome::NeedsReview(_)
                    )
                    && if whole {
                        s.because == *text
                    } else {
                        s.because.contains(text.as_str())
                    }
            });
            if known_id(id) && !found {
                let actual: Vec<&str> = seen
                    .iter()
                    .filter(|s| s.matches(id))
                    .map(|s| s.because.as_str())
                    .collect();
                problems.push(format!(
                    "expected the explanation of `{id}` to {verb} \"{text}\"; it says \"{}\"",
                    actual.join("\" / \"")
                ));
            }
        }
    }
    for (id, exception) in &expect.cleared_by {
        let found = seen.iter().enumerate().any(|(i, s)| {
            s.matches(id) && matches!(s.outcome, RuleOutcome::Cleared(e) if program.rules[i].exceptions[e].name == *exception)
        });
        if known_id(id) && !found {
            problems.push(format!(
                "expected `{id}` cleared by `{exception}`, but it is {}",
                state_of(id)
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The wording rule, over every case of the standard pack's rule tests.
    /// By construction an explanation that needs review leads with what is
    /// not recorded and never shows `unknown`; what the pack's templates must
    /// add is that an unknown value never sits where a sentence states it
    /// ("returned to not recorded", "the interview of not recorded") and that
    /// claims left out leave no broken punctuation behind.
    #[test]
    fn no_needs_review_explanation_of_the_standard_pack_states_an_unknown() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let loaded = crate::ruleset::load(&dir).unwrap();
        let (mut sources, checked) = crate::check::check(loaded);
        let compiled = crate::compile::compile(checked.program.unwrap());
        let mut diagnostics = Vec::new();
        let tests = super::super::file::load_tests(
            &compiled,
            &dir,
            &dir.join("tests"),
            &mut sources,
            &mut diagnostics,
        )
        .unwrap();
        assert!(diagnostics.is_empty() && tests.len() > 300);
        let index = SchemaIndex::new(&compiled);
        let mut evaluator = Evaluator::new(&compiled);
        let mut record = CaseRecord::with_fields(compiled.program.schema.fields.len());
        let mut explanations = 0;
        // Words after which a value is stated as a fact.
        let stating = ["to ", "of ", "on ", "in ", "gives ", "gave ", "a ", "says "];
        for test in &tests {
            assert!(decode_case(&compiled, &index, test, &mut record).is_empty());
            for seen in evaluate_rules(&mut evaluator, &compiled, &mut record) {
                let RuleOutcome::NeedsReview(unknown) = &seen.outcome else {
                    continue;
                };
                explanations += 1;
                let text = &seen.because;
                let mut lead = String::new();
                crate::eval::explain::review_lead(&mut lead, &compiled, unknown);
                // Quoted record text is shown as it is, spaces and all.
                let wording = text.split('"').step_by(2).collect::<Vec<_>>().join("\"…\"");
                let problem = if !text.starts_with(&lead) {
                    Some("does not lead with what is not recorded")
                } else if text.contains("unknown") {
                    Some("says `unknown`")
                } else if stating
                    .iter()
                    .any(|word| text.contains(&format!(" {word}not recorded")))
                {
                    Some("states an unknown value as a fact")
                } else if wording.contains("  ")
                    || wording.contains("; ;")
                    || wording.ends_with(';')
                {
                    Some("has broken punctuation")
                } else {
                    None
                };
                assert!(
                    problem.is_none(),
                    "{}: `{}` {}: \"{text}\"",
                    test.name,
                    seen.rule,
                    problem.unwrap_or_default()
                );
            }
        }
        assert!(explanations > 1000, "{explanations}");
    }
}
