//! The duplicate check of `eval --jobs`, done by the workers in input
//! order: each chunk has a sequence number, and the ids of chunk `n` go
//! into the set only after those of chunks `0..n`, record by record. A
//! record is therefore a duplicate exactly when an earlier record of the
//! input (in an earlier chunk, or earlier in its own) had its case id, as
//! with `--jobs 1`; the writer only reads the verdicts, so that the one
//! serial thread does not probe the set for every record.
//!
//! No worker waits for a turn: a chunk evaluated before its turn is parked
//! here, and the worker whose chunk's turn it is adds the ids of the
//! parked chunks that follow it too (and sends them on), then goes back to
//! work. Waiting instead cost a worker's idle time (and a sleep and a
//! wake-up) whenever a chunk was done before the one before it. A worker
//! that panics gives up its turn and every later one: the chunks parked
//! and to come are dropped, so the writer learns that a worker stopped.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use crate::eval::case_ids::CaseIds;

/// The set of case ids, whose turn it is to add to it, and the chunks
/// (`T`) waiting for their turn.
pub(super) struct IdTurns<T> {
    state: Mutex<State<T>>,
}

struct State<T> {
    ids: CaseIds,
    /// The sequence number of the chunk whose ids go in next.
    next: u64,
    /// Chunks done before their turn, by sequence number.
    parked: BTreeMap<u64, T>,
    /// A worker stopped without taking its turn: no turn comes any more.
    abandoned: bool,
}

impl<T> IdTurns<T> {
    /// Turns over `ids` (the ids seen before), starting at chunk 0.
    pub(super) fn new(ids: CaseIds) -> IdTurns<T> {
        IdTurns {
            state: Mutex::new(State {
                ids,
                next: 0,
                parked: BTreeMap::new(),
                abandoned: false,
            }),
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

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Chunk `seq` is done: if its turn has come, `add` adds its ids to the
    /// set (and sends it on), then those of the parked chunks whose turn
    /// follows, in order; otherwise it is parked for the worker whose turn
    /// it is. Dropped if an earlier chunk's worker stopped.
    pub(super) fn take_turn(&self, seq: u64, chunk: T, mut add: impl FnMut(&mut CaseIds, T)) {
        let mut state = self.lock();
        if state.abandoned {
            return;
        }
        if state.next != seq {
            state.parked.insert(seq, chunk);
            return;
        }
        let mut chunk = chunk;
        loop {
            add(&mut state.ids, chunk);
            state.next += 1;
            let next = state.next;
            match state.parked.remove(&next) {
                Some(parked) => chunk = parked,
                None => return,
            }
        }
    }

    /// Gives up every turn from now on (a worker stopped before its own).
    pub(super) fn abandon(&self) {
        let mut state = self.lock();
        state.abandoned = true;
        state.parked.clear();
    }
}

/// Abandons the turns if dropped before [`TurnGuard::done`]: a worker that
/// panics between taking a chunk and taking its turn.
pub(super) struct TurnGuard<'a, T> {
    turns: Option<&'a IdTurns<T>>,
}

impl<'a, T> TurnGuard<'a, T> {
    /// Guards the turn of the chunk just taken.
    pub(super) fn new(turns: Option<&'a IdTurns<T>>) -> TurnGuard<'a, T> {
        TurnGuard { turns }
    }

    /// The turn was taken.
    pub(super) fn done(mut self) {
        self.turns = None;
    }
}

impl<T> Drop for TurnGuard<'_, T> {
    fn drop(&mut self) {
        if let Some(turns) = self.turns {
            turns.abandon();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ids of chunks done in any order go in in chunk order: the first
    /// of two equal ids is new wherever its chunk's worker was, and chunks
    /// done early are passed on by the worker whose turn it was.
    #[test]
    fn turns_follow_the_chunks_not_the_workers() {
        let chunks: [&[&str]; 4] = [&["a", "b"], &["b", "c"], &[], &["a", "d", "d"]];
        for order in [[3, 2, 1, 0], [1, 0, 3, 2], [0, 1, 2, 3], [2, 0, 3, 1]] {
            let turns = IdTurns::new(CaseIds::new());
            let hasher = turns.hasher();
            let hash = |id: &str| std::hash::BuildHasher::hash_one(&hasher, id);
            let passed = Mutex::new(Vec::new());
            std::thread::scope(|scope| {
                for seq in order {
                    let (turns, chunk, passed, hash) = (&turns, chunks[seq], &passed, &hash);
                    scope.spawn(move || {
                        turns.take_turn(seq as u64, (seq, chunk), |ids, (seq, chunk)| {
                            let verdicts: Vec<bool> = chunk
                                .iter()
                                .map(|id| ids.insert_hashed(id, hash(id)).map(|new| !new))
                                .collect::<Result<_, _>>()
                                .unwrap();
                            passed.lock().unwrap().push((seq, verdicts));
                        });
                    });
                }
            });
            assert_eq!(
                passed.into_inner().unwrap(),
                [
                    (0, vec![false, false]),
                    (1, vec![true, false]),
                    (2, vec![]),
                    (3, vec![true, false, true])
                ]
            );
            let mut ids = turns.into_ids();
            assert_eq!(ids.insert("c"), Ok(false));
            assert_eq!(ids.insert("e"), Ok(true));
        }
    }

    /// A worker that stops before its turn drops the chunks parked after
    /// it, and those to come.
    #[test]
    fn an_abandoned_turn_drops_the_later_chunks() {
        let turns = IdTurns::new(CaseIds::new());
        let passed = Mutex::new(Vec::new());
        turns.take_turn(1, 1, |_, seq| passed.lock().unwrap().push(seq));
        drop(TurnGuard::new(Some(&turns)));
        turns.take_turn(2, 2, |_, seq| passed.lock().unwrap().push(seq));
        turns.take_turn(0, 0, |_, seq| passed.lock().unwrap().push(seq));
        assert!(passed.into_inner().unwrap().is_empty());
    }
}
