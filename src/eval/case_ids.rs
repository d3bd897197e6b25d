//! The case ids seen in a batch, for duplicate detection. Exact: a hash
//! only finds candidates, and a candidate counts as a duplicate only when its
//! stored id is equal, so two different ids never collide into a false
//! accusation. Compact: ids are kept end to end in one buffer, each after
//! its length (a LEB128 varint, one byte for ids under 128 bytes), and an
//! open-addressing table (linear probing) holds one 64-bit slot per entry:
//! 32 bits of the id's hash and the id's offset in the buffer (so the ids of
//! one run hold at most 4 GiB of text: [`TooManyIds`] beyond).
//!
//! Built for the cache: a probe reads one run of adjacent slots, the stored
//! hash bits rule out nearly every other id without reading its text, and
//! growing the table moves slots by their stored hash bits without reading
//! any id again (with a separate list of id ends and a table of indices, as
//! before, each insertion touched four or more distant cache lines, and the
//! duplicate check cost a fifth of a one-thread run).
//!
//! The table is cut into [`SEGMENTS`] segments by the top bits of the hash,
//! each an open-addressing table of its own that grows on its own, by a
//! quarter: a growing table has its old and its new slots alive together,
//! which for one whole table doubling was half as much memory again as the
//! table at the peak (about 19 bytes per id instead of 13 at ten million
//! ids); a segment's growth adds a 64th of that, and growing by a quarter
//! keeps the table between 7/10 and 7/8 full (about 10 bytes per id).
//!
//! Hashed with `foldhash` (fast, seeded at random per run, so ids cannot be
//! chosen to collide); workers of `--jobs` hash ids themselves
//! ([`CaseIds::hasher`]) and insert them in input order.

use std::hash::BuildHasher;

/// A set of case ids.
pub(crate) struct CaseIds<S = foldhash::fast::RandomState> {
    /// Every id, end to end, each after its length.
    text: Vec<u8>,
    /// The table's segments, by the top bits of the hash ([`segment`]):
    /// 0 is empty, else the high 32 bits of an id's hash above one more
    /// than its offset in `text`.
    segments: [Segment; SEGMENTS],
    /// The bytes of ids held (their lengths not counted).
    id_bytes: usize,
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

/// The most bytes `text` holds (offsets are 32 bits wide, and one more
/// than any offset must fit too).
const MAX_ID_BYTES: usize = u32::MAX as usize - 1;

/// The number of segments of the table.
const SEGMENTS: usize = 64;

/// A segment's first size, in slots.
const FIRST_SLOTS: usize = 16;

/// One segment of the table: an open-addressing table (linear probing), at
/// most 7/8 full, grown by a quarter (so between 7/10 and 7/8 full once
/// past its first sizes: about 10 bytes of slots per id).
#[derive(Default)]
struct Segment {
    slots: Vec<u64>,
    /// The ids it holds.
    len: usize,
}

impl CaseIds {
    /// An empty set.
    pub(crate) fn new() -> CaseIds {
        CaseIds::with_hasher(foldhash::fast::RandomState::default())
    }
}

/// The 32 bits of a 64-bit hash a slot keeps (and its position comes from).
#[inline]
fn tag(hash: u64) -> u32 {
    (hash >> 32) as u32
}

/// The bits of a tag that choose its segment (the top ones); the others
/// choose its place in the segment.
const SEGMENT_BITS: u32 = SEGMENTS.trailing_zeros();

/// The segment of an id by its tag. Always below [`SEGMENTS`].
#[inline]
fn segment(tag: u32) -> usize {
    (tag >> (32 - SEGMENT_BITS)) as usize & (SEGMENTS - 1)
}

/// The place of an id by its tag in a segment of `len` slots: the tag's
/// bits below the segment's, scaled to `len` (a multiply and a shift, so
/// that a segment may have any length). Below `len` when `len > 0`.
#[inline]
fn home(tag: u32, len: usize) -> usize {
    let bits = 32 - SEGMENT_BITS;
    let low = u64::from(tag) & ((1 << bits) - 1);
    ((low * len as u64) >> bits) as usize
}

/// The place after `at` in a segment of `len` slots (the first after the
/// last).
#[inline]
fn next(at: usize, len: usize) -> usize {
    if at + 1 >= len {
        0
    } else {
        at + 1
    }
}

/// The id stored at `offset` of `text` (after its length).
#[inline]
fn id_at(text: &[u8], offset: usize) -> &[u8] {
    let mut len = 0usize;
    let mut shift = 0;
    let mut at = offset;
    while let Some(&byte) = text.get(at) {
        at += 1;
        len |= usize::from(byte & 0x7F) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            break;
        }
    }
    text.get(at..at + len).unwrap_or_default()
}

impl<S: BuildHasher> CaseIds<S> {
    /// An empty set hashing with `hasher`.
    pub(crate) fn with_hasher(hasher: S) -> CaseIds<S> {
        CaseIds {
            text: Vec::new(),
            segments: std::array::from_fn(|_| Segment::default()),
            id_bytes: 0,
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
        let tag = tag(hash);
        let segment = &mut self.segments[segment(tag)];
        let len = segment.slots.len();
        let mut at = home(tag, len);
        // Probe the run of full slots from the id's place: a slot with the
        // same hash bits holds the id if its text is equal.
        while let Some(&slot) = segment.slots.get(at) {
            if slot == 0 {
                break;
            }
            if (slot >> 32) as u32 == tag {
                let offset = (slot as u32 - 1) as usize;
                if id_at(&self.text, offset) == id.as_bytes() {
                    return Ok(false);
                }
            }
            at = next(at, len);
        }
        let too_many = TooManyIds {
            max_bytes: self.max_text,
        };
        let offset = self.text.len();
        // The length takes at most 10 bytes.
        if self.id_bytes + id.len() > self.max_text || offset + 10 + id.len() > MAX_ID_BYTES {
            return Err(too_many);
        }
        let mut length = id.len();
        while length >= 0x80 {
            self.text.push((length & 0x7F) as u8 | 0x80);
            length >>= 7;
        }
        self.text.push(length as u8);
        self.text.extend_from_slice(id.as_bytes());
        self.id_bytes += id.len();
        segment.len += 1;
        // At most 7/8 full: grow (which moves every slot of the segment) or
        // take the empty slot the probe ended on.
        let slot = (u64::from(tag) << 32) | (offset as u64 + 1);
        if segment.len * 8 > segment.slots.len() * 7 {
            segment.grow();
            segment.place(slot);
        } else if let Some(empty) = segment.slots.get_mut(at) {
            *empty = slot;
        }
        Ok(true)
    }
}

impl Segment {
    /// Makes the segment a quarter larger (or makes its first table),
    /// moving every slot.
    fn grow(&mut self) {
        let size = (self.slots.len() + self.slots.len() / 4).max(FIRST_SLOTS);
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        for slot in old.into_iter().filter(|&s| s != 0) {
            self.place(slot);
        }
    }

    /// Puts `slot` in the first empty slot from its place (there is one).
    fn place(&mut self, slot: u64) {
        let len = self.slots.len();
        let mut at = home((slot >> 32) as u32, len);
        while let Some(s) = self.slots.get_mut(at) {
            if *s == 0 {
                *s = slot;
                return;
            }
            at = next(at, len);
        }
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

    /// Many ids (the table grows several times, moving its slots by their
    /// stored hash bits), long ids (lengths of two bytes) and the empty id:
    /// each is new once and a duplicate after, under a real hasher and
    /// under one where every id collides.
    #[test]
    fn growing_keeps_every_id_and_long_ids_are_kept_whole() {
        let ids: Vec<String> = (0..5000)
            .map(|i| match i % 3 {
                0 => format!("A-{i:07}"),
                1 => format!("{i}-{}", "x".repeat(i % 300)),
                _ => "é".repeat(i % 97) + &i.to_string(),
            })
            .chain([String::new()])
            .collect();
        let mut set = CaseIds::new();
        for id in &ids {
            assert_eq!(set.insert(id), Ok(true), "{id}");
        }
        for id in &ids {
            assert_eq!(set.insert(id), Ok(false), "{id}");
        }
        assert_eq!(set.insert("A-0000001x"), Ok(true));
        let mut colliding = CaseIds::with_hasher(Constant);
        for id in ids.iter().take(300) {
            assert_eq!(colliding.insert(id), Ok(true), "{id}");
        }
        for id in ids.iter().take(300) {
            assert_eq!(colliding.insert(id), Ok(false), "{id}");
        }
    }

    proptest::proptest! {
        /// A tag's place is in its segment, whatever the segment's length,
        /// and its segment is one of the table's.
        #[test]
        fn a_tag_lands_inside_its_segment(tag in proptest::num::u32::ANY, len in 1usize..1 << 30) {
            proptest::prop_assert!(home(tag, len) < len);
            proptest::prop_assert!(segment(tag) < SEGMENTS);
            proptest::prop_assert_eq!(home(tag, 1), 0);
        }

        /// The same against `HashSet`, with many ids, long ones among them.
        #[test]
        fn a_long_or_late_id_is_a_duplicate_exactly_when_it_was_seen(
            ids in proptest::collection::vec("[ab]{0,3}|[a-c]{125,135}", 0..400),
        ) {
            let mut set = CaseIds::new();
            let mut seen = std::collections::HashSet::new();
            for id in &ids {
                proptest::prop_assert_eq!(set.insert(id), Ok(seen.insert(id.clone())));
            }
        }

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
