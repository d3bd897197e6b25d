//! The duplicate check of `eval --jobs`, done by the workers in input
//! order: each chunk has a sequence number, and the worker that evaluated
//! chunk `n` waits, once it is done, for the ids of chunks `0..n` to be in
//! the set before it adds its own, record by record. A record is therefore
//! a duplicate exactly when an earlier record of the input (in an earlier
//! chunk, or earlier in its own) had its case id, as with `--jobs 1`; the
//! writer only reads the verdicts, so that the one serial thread does not
//! probe the set for every record.
//!
//! No deadlock: chunks are taken off the queue in order, so the chunk
//! whose turn it is has been taken by a worker that waits for no one. A
//! worker that panics gives up its turn (and every later one), so the
//! others do not wait for ever.

use std::sync::{Condvar, Mutex, MutexGuard};

use crate::eval::case_ids::CaseIds;

/// The set of case ids and whose turn it is to add to it.
pub(super) struct IdTurns {
    state: Mutex<State>,
    turn: Condvar,
}

struct State {
    ids: CaseIds,
    /// The sequence number of the chunk whose ids go in next.
    next: u64,
    /// A worker stopped without taking its turn: nobody waits any more.
    abandoned: bool,
}

impl IdTurns {
    /// Turns over `ids` (the ids seen before), starting at chunk 0.
    pub(super) fn new(ids: CaseIds) -> IdTurns {
        IdTurns {
            state: Mutex::new(State {
                ids,
                next: 0,
                abandoned: false,
            }),
            turn: Condvar::new(),
        }
    }

    /// The set, once every worker is done.
    pub(super) fn into_ids(self) -> CaseIds {
        match self.state.into_inner() {
            Ok(state) => state.ids,
            Err(poisoned) => poisoned.into_inner().ids,
        }
    }

    /// The hasher workers hash ids with before their turn.
    pub(super) fn hasher(&self) -> foldhash::fast::RandomState {
        self.lock().ids.hasher().clone()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for chunk `seq`'s turn, then lets `add` add its ids to the
    /// set (in input order), and passes the turn on. `add` is not called
    /// if an earlier chunk's worker stopped.
    pub(super) fn take_turn(&self, seq: u64, add: impl FnOnce(&mut CaseIds)) {
        let mut state = self.lock();
        while state.next != seq && !state.abandoned {
            state = self.turn.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        if state.abandoned {
            return;
        }
        add(&mut state.ids);
        state.next += 1;
        drop(state);
        self.turn.notify_all();
    }

    /// Gives up every turn from now on (a worker stopped before its own).
    pub(super) fn abandon(&self) {
        self.lock().abandoned = true;
        self.turn.notify_all();
    }
}

/// Abandons the turns if dropped before [`TurnGuard::done`]: a worker that
/// panics between taking a chunk and taking its turn.
pub(super) struct TurnGuard<'a> {
    turns: Option<&'a IdTurns>,
}

impl<'a> TurnGuard<'a> {
    /// Guards the turn of the chunk just taken.
    pub(super) fn new(turns: Option<&'a IdTurns>) -> TurnGuard<'a> {
        TurnGuard { turns }
    }

    /// The turn was taken.
    pub(super) fn done(mut self) {
        self.turns = None;
    }
}

impl Drop for TurnGuard<'_> {
    fn drop(&mut self) {
        if let Some(turns) = self.turns {
            turns.abandon();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chunks that finish out of order still add their ids in order: the
    /// first of two equal ids is new wherever its chunk's worker was.
    #[test]
    fn turns_follow_the_chunks_not_the_workers() {
        let turns = IdTurns::new(CaseIds::new());
        let hasher = turns.hasher();
        let hash = |id: &str| std::hash::BuildHasher::hash_one(&hasher, id);
        let chunks: [&[&str]; 4] = [&["a", "b"], &["b", "c"], &[], &["a", "d", "d"]];
        let verdicts: Vec<Mutex<Vec<bool>>> = chunks.iter().map(|_| Mutex::new(vec![])).collect();
        std::thread::scope(|scope| {
            for seq in (0..chunks.len()).rev() {
                let (turns, chunk, verdicts) = (&turns, chunks[seq], &verdicts[seq]);
                scope.spawn(move || {
                    turns.take_turn(seq as u64, |ids| {
                        for id in chunk {
                            let verdict = ids.insert_hashed(id, hash(id)).map(|new| !new);
                            if let (Ok(v), Ok(mut out)) = (verdict, verdicts.lock()) {
                                out.push(v);
                            }
                        }
                    });
                });
            }
        });
        let verdicts: Vec<Vec<bool>> = verdicts
            .into_iter()
            .map(|v| v.into_inner().unwrap_or_default())
            .collect();
        assert_eq!(
            verdicts,
            [
                vec![false, false],
                vec![true, false],
                vec![],
                vec![true, false, true]
            ]
        );
        let mut ids = turns.into_ids();
        assert_eq!(ids.insert("c"), Ok(false));
        assert_eq!(ids.insert("e"), Ok(true));
    }

    /// A worker that stops before its turn releases those waiting after it.
    #[test]
    fn an_abandoned_turn_releases_the_later_ones() {
        let turns = IdTurns::new(CaseIds::new());
        std::thread::scope(|scope| {
            scope.spawn(|| {
                turns.take_turn(1, |_| {});
            });
            drop(TurnGuard::new(Some(&turns)));
        });
    }
}
