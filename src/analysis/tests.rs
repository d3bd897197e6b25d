//! The encoding agrees with the interpreter: for random rule files and
//! random cases, the assignment a case gives the field literals and the
//! opaque atoms (their truth in the interpreter) satisfies every clause
//! and gives every encoded expression and every rule outcome exactly the
//! interpreter's truth and outcome. Gates are equivalences, so the model
//! found under that assignment is the only one. This is what makes the
//! "never" warnings sound.

use batsat::Lit;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

use crate::audit::generate::{cases, Pools};
use crate::check::program::Program;
use crate::eval::interpret::{rule_outcome, Interpreter};
use crate::eval::outcome::RuleOutcome;
use crate::eval::record::Record;
use crate::value::Value;

use super::encode::{AtomOf, Encoder, Outcome};
use super::witness::record_of;

fn assign(lits: &mut Vec<Lit>, lit: Lit, value: bool) {
    lits.push(if value { lit } else { !lit });
}

/// The assignment of the opaque atoms in a record.
fn atom_assignment(encoder: &Encoder<'_>, record: &Record) -> Vec<Lit> {
    let program = encoder.program;
    let mut out = Vec::new();
    for atom in &encoder.atoms {
        let mut interpreter = Interpreter::new(program, record);
        let (t, f) = match atom.of {
            AtomOf::Truth(e) => {
                let (truth, _) = interpreter.truth(e);
                (truth == Some(true), truth == Some(false))
            }
            AtomOf::Window(rule) => {
                let Some(window) = &rule.window else { continue };
                match interpreter.value(&window.date) {
                    Some(Value::Date(d)) => {
                        let inside = window.from.is_none_or(|f| d >= f)
                            && window.until.is_none_or(|u| d <= u);
                        (inside, !inside)
                    }
                    _ => (false, false),
                }
            }
        };
        assign(&mut out, atom.truth.t, t);
        assign(&mut out, atom.truth.f, f);
    }
    out
}

/// Checks the encoding against the interpreter on one record.
fn agrees(
    encoder: &mut Encoder<'_>,
    outcomes: &[Outcome],
    record: &Record,
) -> Result<(), TestCaseError> {
    let program = encoder.program;
    let mut assumptions = encoder.field_assignment(record);
    assumptions.extend(atom_assignment(encoder, record));
    prop_assert!(
        encoder.sat.satisfiable(&assumptions),
        "the case's assignment violates a clause: {record:?}"
    );
    for &(e, truth) in &encoder.encoded {
        let (expected, _) = Interpreter::new(program, record).truth(e);
        let got = match (encoder.sat.value(truth.t), encoder.sat.value(truth.f)) {
            (true, false) => Some(true),
            (false, true) => Some(false),
            (false, false) => None,
            (true, true) => {
                return Err(TestCaseError::fail(format!(
                    "true and false at once at {:?}",
                    e.span
                )))
            }
        };
        prop_assert_eq!(
            got,
            expected,
            "expression at {:?}, record {:?}",
            e.span,
            record
        );
    }
    for (rule, outcome) in program.rules.iter().zip(outcomes) {
        let expected = rule_outcome(program, record, rule);
        let flagged = encoder.sat.value(outcome.flagged);
        let na = encoder.sat.value(outcome.not_applicable);
        let cleared: Vec<bool> = outcome
            .cleared
            .iter()
            .map(|&c| encoder.sat.value(c))
            .collect();
        let got = match (flagged, na, cleared.iter().position(|&c| c)) {
            (true, false, None) => RuleOutcome::Flagged,
            (false, true, None) => RuleOutcome::NotApplicable,
            (false, false, Some(i)) if cleared.iter().filter(|&&c| c).count() == 1 => {
                RuleOutcome::Cleared(i)
            }
            (false, false, None) => RuleOutcome::NeedsReview(Vec::new()),
            other => {
                return Err(TestCaseError::fail(format!(
                    "rule {}: outcome literals {other:?} are not one outcome",
                    rule.id
                )))
            }
        };
        let expected = match expected {
            RuleOutcome::NeedsReview(_) => RuleOutcome::NeedsReview(Vec::new()),
            other => other,
        };
        prop_assert_eq!(got, expected, "rule {}, record {:?}", &rule.id, record);
    }
    Ok(())
}

/// Checks `count` generated cases of a program (guided by each rule's
/// condition in turn, and by nothing).
fn agrees_on_cases(program: &Program, count: u32, seed: u64) -> Result<(), TestCaseError> {
    let mut encoder = Encoder::new(program);
    let outcomes: Vec<Outcome> = program.rules.iter().map(|r| encoder.rule(r)).collect();
    let pools = Pools::of(program);
    let mut guides: Vec<Option<&crate::check::program::TExpr>> =
        program.rules.iter().map(|r| Some(&r.condition)).collect();
    guides.push(None);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::from_seed(
            proptest::test_runner::RngAlgorithm::ChaCha,
            &seed_bytes,
        ),
    );
    for guide in guides {
        let strategy = cases(program, &pools, guide);
        for _ in 0..count {
            let tree = strategy
                .new_tree(&mut runner)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let Some(record) = record_of(program, &tree.current()) else {
                continue;
            };
            agrees(&mut encoder, &outcomes, &record)?;
        }
    }
    Ok(())
}

#[test]
fn the_standard_pack_encodes_as_the_interpreter_decides() -> Result<(), TestCaseError> {
    let (_, checked) = crate::check::check(crate::check::testing::standard());
    let program = checked
        .program
        .ok_or_else(|| TestCaseError::fail("the standard pack checks"))?;
    agrees_on_cases(&program, 40, 1)
}

#[test]
fn the_standard_pack_has_no_analysis_warnings() {
    let (_, checked) = crate::check::check(crate::check::testing::standard());
    let program = checked.program.expect("the standard pack checks");
    let warnings = super::warnings(&program);
    assert!(warnings.is_empty(), "{warnings:#?}");
}

proptest! {
    #![proptest_config(Config { cases: 40, ..Config::default() })]

    /// Random rule files beside the standard pack.
    #[test]
    fn random_rule_files_encode_as_the_interpreter_decides(
        module in crate::check::arbitrary::valid_module(&pools()),
        seed in any::<u64>(),
    ) {
        let mut loaded = crate::check::testing::standard();
        let file = loaded.sources.add(std::path::Path::new("generated.nrs"), String::new());
        loaded.modules.push((file, module));
        let (_, checked) = crate::check::check(loaded);
        if let Some(program) = checked.program {
            agrees_on_cases(&program, 6, seed)?;
            // The warnings' counter-examples are built and verified too.
            let _ = super::warnings(&program);
        }
    }
}

fn pools() -> crate::check::arbitrary::ValidPools {
    crate::check::arbitrary::ValidPools::of(&crate::check::testing::standard())
}
