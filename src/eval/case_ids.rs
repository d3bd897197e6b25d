//! The case ids seen in a batch, for duplicate detection. Exact: a hash
//! only finds candidates, and a candidate counts as a duplicate only when its
//! stored id is equal, so two different ids never collide into a false
//! accusation. Compact: ids are kept end to end in one buffer, with an end
//! offset and a hash-table slot each (measured: 49 MB for a million 9-character
//! ids, growth slack included). Hashed with `foldhash` (fast, seeded at
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
    ends: Vec<usize>,
    /// Indices into `ends`, by the hash of their id.
    table: HashTable<usize>,
    hasher: S,
}

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
        }
    }

    /// The hasher [`CaseIds::insert_hashed`] expects hashes from.
    pub(crate) fn hasher(&self) -> &S {
        &self.hasher
    }

    /// Adds `id`; false if it was already there.
    pub(crate) fn insert(&mut self, id: &str) -> bool {
        let hash = self.hasher.hash_one(id);
        self.insert_hashed(id, hash)
    }

    /// Adds `id`, whose hash by [`CaseIds::hasher`] is `hash`; false if it
    /// was already there.
    pub(crate) fn insert_hashed(&mut self, id: &str, hash: u64) -> bool {
        let CaseIds {
            text,
            ends,
            table,
            hasher,
        } = self;
        let id_at = |i: usize| &text[if i == 0 { 0 } else { ends[i - 1] }..ends[i]];
        if table.find(hash, |&i| id_at(i) == id).is_some() {
            return false;
        }
        table.insert_unique(hash, ends.len(), |&i| hasher.hash_one(id_at(i)));
        text.push_str(id);
        ends.push(text.len());
        true
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
        assert!(ids.insert("A-1"));
        assert!(ids.insert("B-2"));
        assert!(ids.insert(""));
        assert!(ids.insert("A-"));
        assert!(!ids.insert("B-2"));
        assert!(!ids.insert("A-1"));
        assert!(!ids.insert(""));
    }

    proptest::proptest! {
        #[test]
        fn an_id_is_a_duplicate_exactly_when_it_was_seen(
            ids in proptest::collection::vec("[ab]{0,3}", 0..40),
        ) {
            let mut set = CaseIds::new();
            let mut seen = std::collections::HashSet::new();
            for id in &ids {
                proptest::prop_assert_eq!(set.insert(id), seen.insert(id.clone()));
            }
        }
    }
}
