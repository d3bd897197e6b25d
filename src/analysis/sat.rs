//! A thin layer over the SAT solver (`batsat`): fresh literals, clauses,
//! and the gates of a Tseitin encoding, each gate's literal equivalent to
//! its formula (so that a case's assignment fixes every gate).

use batsat::{lbool, Callbacks, ClauseKind, Lit, Solver, SolverInterface, SolverOpts};

/// Conflicts (clauses learnt) one question may cost before the solver gives
/// up: a rule set written to be hard cannot make `check` hang. A question
/// given up on draws no "never" verdict and no warning.
pub(super) const MAX_CONFLICTS: u64 = 200_000;

/// Counts the clauses learnt while one question is solved, and stops the
/// solver past [`MAX_CONFLICTS`].
#[derive(Default)]
struct Budget {
    learnt: u64,
}

impl Callbacks for Budget {
    fn on_new_clause(&mut self, _clause: &[Lit], kind: ClauseKind) {
        if matches!(kind, ClauseKind::Learnt) {
            self.learnt += 1;
        }
    }

    fn stop(&self) -> bool {
        self.learnt > MAX_CONFLICTS
    }
}

/// The solver and its constant true literal.
pub(super) struct Sat {
    solver: Solver<Budget>,
    tru: Lit,
}

impl Sat {
    /// An empty problem.
    pub(super) fn new() -> Sat {
        let mut solver = Solver::new(SolverOpts::default(), Budget::default());
        let tru = Lit::new(solver.new_var_default(), true);
        solver.add_clause_reuse(&mut vec![tru]);
        Sat { solver, tru }
    }

    /// The literal that is always true.
    pub(super) fn tru(&self) -> Lit {
        self.tru
    }

    /// The literal that is always false.
    pub(super) fn fals(&self) -> Lit {
        !self.tru
    }

    /// A fresh, unconstrained literal.
    pub(super) fn fresh(&mut self) -> Lit {
        Lit::new(self.solver.new_var_default(), true)
    }

    /// Adds the clause `lits[0] ∨ lits[1] ∨ …`.
    pub(super) fn clause(&mut self, lits: &[Lit]) {
        let mut clause = lits.to_vec();
        self.solver.add_clause_reuse(&mut clause);
    }

    /// A literal equivalent to the conjunction of `lits` (constants folded).
    pub(super) fn and(&mut self, lits: &[Lit]) -> Lit {
        let mut inputs = Vec::with_capacity(lits.len());
        for &l in lits {
            if l == self.fals() {
                return self.fals();
            }
            if l != self.tru {
                inputs.push(l);
            }
        }
        inputs.sort();
        inputs.dedup();
        if inputs.windows(2).any(|w| w[0] == !w[1]) {
            return self.fals();
        }
        match inputs.as_slice() {
            [] => self.tru,
            [one] => *one,
            _ => {
                let out = self.fresh();
                let mut big = vec![out];
                for &l in &inputs {
                    self.clause(&[!out, l]);
                    big.push(!l);
                }
                self.clause(&big);
                out
            }
        }
    }

    /// A literal equivalent to the disjunction of `lits`.
    pub(super) fn or(&mut self, lits: &[Lit]) -> Lit {
        let negated: Vec<Lit> = lits.iter().map(|&l| !l).collect();
        !self.and(&negated)
    }

    /// Adds: at most one of `lits` is true. Pairwise for a few, else with
    /// a sequential counter (linear: `s[i]` holds when one of the first
    /// `i + 1` literals does).
    pub(super) fn at_most_one(&mut self, lits: &[Lit]) {
        if lits.len() <= 6 {
            for (i, &a) in lits.iter().enumerate() {
                for &b in &lits[i + 1..] {
                    self.clause(&[!a, !b]);
                }
            }
            return;
        }
        let mut seen = lits[0];
        for &x in &lits[1..] {
            self.clause(&[!seen, !x]);
            let next = self.fresh();
            self.clause(&[!seen, next]);
            self.clause(&[!x, next]);
            seen = next;
        }
    }

    /// Adds: exactly one of `lits` is true.
    pub(super) fn exactly_one(&mut self, lits: &[Lit]) {
        self.clause(lits);
        self.at_most_one(lits);
    }

    /// Whether the clauses and `assumptions` can all hold; on `true` the
    /// model is read with [`Sat::value`]. A solver that gives up counts as
    /// satisfiable (no "never" verdict is drawn from it; its "model" is
    /// only ever used for a case that the interpreter then checks).
    pub(super) fn satisfiable(&mut self, assumptions: &[Lit]) -> bool {
        self.solver.cb_mut().learnt = 0;
        self.solver.solve_limited(assumptions) != lbool::FALSE
    }

    /// A literal's value in the last model.
    pub(super) fn value(&self, lit: Lit) -> bool {
        self.solver.value_lit(lit) == lbool::TRUE
    }
}
