//! The case ids seen in a batch, for duplicate detection. Exact: a hash
//! only finds candidates, and a candidate counts as a duplicate only when its
//! stored id is equal, so two different ids never collide into a false
//! accusation. Compact: ids are kept end to end in one buffer, with an end
//! offset and a hash-table slot each, both 32 bits wide (so the ids of one
//! run hold at most 4 GiB of text: [`TooManyIds`] beyond). Hashed with `foldhash` (fast, seeded at
//! random per run, so ids cannot be chosen to collide); workers of
//! `--jobs` hash ids themselves ([`CaseIds::hasher`]) and the writer only
//! probes.

use std::hash::BuildHasher;

use hashbrown::HashTable;

/// A set of case ids.
pub(crate) struct CaseIds<S = foldhash::fast::RandomState> {
    /// Every id, end to end.
    text: String,
    /// Where each id ends in `text`.
    ends: Vec<u32>,
    /// Indices into `ends`, by the hash of their id.
    table: HashTable<u32>,
    hasher: S,
    /// The most bytes of ids `text` may hold.
    max_text: usize,
}

/// The ids of a run exceed what [`CaseIds`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TooManyIds {
    /// The limit, in bytes of ids.
    pub max_bytes: usize,
}

/// The most bytes of case ids a run keeps (offsets are 32 bits wide).
const MAX_ID_BYTES: usize = u32::MAX as usize;

impl CaseIds {
    /// An empty set.
    pub(crate) fn new() -> CaseIds {
        CaseIds::with_hasher(foldhash::fast::RandomState::default())
    }
}

impl<S: BuildHasher> CaseIds<S> {
    /// An empty set hashing with `hasher`.
    pub(crate) fn with_hasher(hasher: S) -> CaseIds<S> {
        CaseIds {
            text: String::new(),
            ends: Vec::new(),
            table: HashTable::new(),
            hasher,
            max_text: MAX_ID_BYTES,
        }
    }

    /// The same, holding at most `max_text` bytes of ids (for tests).
    #[cfg(test)]
    fn with_limit(hasher: S, max_text: usize) -> CaseIds<S> {
        CaseIds {
            max_text: max_text.min(MAX_ID_BYTES),
            ..CaseIds::with_hasher(hasher)
        }
    }

    /// The hasher [`CaseIds::insert_hashed`] expects hashes from.
    pub(crate) fn hasher(&self) -> &S {
        &self.hasher
    }

    /// Adds `id`; false if it was already there.
    pub(crate) fn insert(&mut self, id: &str) -> Result<bool, TooManyIds> {
        let hash = self.hasher.hash_one(id);
        self.insert_hashed(id, hash)
    }

    /// Adds `id`, whose hash by [`CaseIds::hasher`] is `hash`; false if it
    /// was already there.
    pub(crate) fn insert_hashed(&mut self, id: &str, hash: u64) -> Result<bool, TooManyIds> {
        let CaseIds {
            text,
            ends,
            table,
            hasher,
            max_text,
        } = self;
        let id_at = |i: u32| {
            let i = i as usize;
            let start = if i == 0 { 0 } else { ends[i - 1] as usize };
            &text[start..ends[i] as usize]
        };
        if table.find(hash, |&i| id_at(i) == id).is_some() {
            return Ok(false);
        }
        let end = text.len() + id.len();
        let (Ok(index), Ok(end32)) = (u32::try_from(ends.len()), u32::try_from(end)) else {
            return Err(TooManyIds {
                max_bytes: *max_text,
            });
        };
        if end > *max_text {
            return Err(TooManyIds {
                max_bytes: *max_text,
            });
        }
        table.insert_unique(hash, index, |&i| hasher.hash_one(id_at(i)));
        text.push_str(id);
        ends.push(end32);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hasher under which every id collides.
    #[derive(Default)]
    struct Constant;

    impl std::hash::Hasher for Constant {
        fn finish(&self) -> u64 {
            7
        }
        fn write(&mut self, _: &[u8]) {}
    }

    impl BuildHasher for Constant {
        type Hasher = Constant;
        fn build_hasher(&self) -> Constant {
            Constant
        }
    }

    #[test]
    fn ids_whose_hashes_collide_are_not_duplicates() {
        let mut ids = CaseIds::with_hasher(Constant);
        assert_eq!(ids.insert("A-1"), Ok(true));
        assert_eq!(ids.insert("B-2"), Ok(true));
        assert_eq!(ids.insert(""), Ok(true));
        assert_eq!(ids.insert("A-"), Ok(true));
        assert_eq!(ids.insert("B-2"), Ok(false));
        assert_eq!(ids.insert("A-1"), Ok(false));
        assert_eq!(ids.insert(""), Ok(false));
    }

    #[test]
    fn ids_beyond_the_limit_are_an_error_and_known_ones_still_found() {
        let mut ids = CaseIds::with_limit(Constant, 6);
        assert_eq!(ids.insert("A-1"), Ok(true));
        assert_eq!(ids.insert("B-2"), Ok(true));
        assert_eq!(ids.insert("C-3"), Err(TooManyIds { max_bytes: 6 }));
        assert_eq!(ids.insert("B-2"), Ok(false));
    }

    proptest::proptest! {
        #[test]
        fn an_id_is_a_duplicate_exactly_when_it_was_seen(
            ids in proptest::collection::vec("[ab]{0,3}", 0..40),
        ) {
            let mut set = CaseIds::new();
            let mut seen = std::collections::HashSet::new();
            for id in &ids {
                proptest::prop_assert_eq!(set.insert(id), Ok(seen.insert(id.clone())));
            }
        }
    }
}
