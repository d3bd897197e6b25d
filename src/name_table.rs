//! Exact lookup of names in a fixed set without hashing: the names sorted by
//! length, then bytes, and stored end to end, so a lookup picks the names of
//! the key's length and compares a few of them (binary search when many).
//! Field names, enum values and the rule set's strings are looked up this
//! way while decoding.

/// A fixed set of names, each with a value.
#[derive(Clone, Debug, Default)]
pub(crate) struct NameTable<V> {
    /// The names end to end, by length then bytes.
    bytes: Vec<u8>,
    /// The first 8 bytes of each name as a big-endian number (zeros after a
    /// shorter name), so that most comparisons are one of numbers, in the
    /// order of the bytes.
    heads: Vec<u64>,
    /// The last 8 bytes of each name likewise (all of a shorter name): with
    /// the head, all of a name of up to 16 bytes.
    tails: Vec<u64>,
    /// The values, in the order of the names.
    values: Vec<V>,
    /// For each length `n`, the index of the first name of length `n` or
    /// longer (`n` up to the longest, then one more).
    starts: Vec<u32>,
    /// For each length `n`, where its names start in `bytes`.
    offsets: Vec<usize>,
}

/// Above this many names of one length, a lookup searches them by halves.
const LINEAR: usize = 8;

impl<V: Copy> NameTable<V> {
    /// The table of `entries`; of names given twice, the first is kept.
    pub(crate) fn new<'a>(entries: impl IntoIterator<Item = (&'a str, V)>) -> NameTable<V> {
        let mut entries: Vec<(usize, &[u8], V)> = entries
            .into_iter()
            .enumerate()
            .map(|(i, (name, value))| (i, name.as_bytes(), value))
            .collect();
        // Stable by (length, bytes), then the first given first.
        entries.sort_by(|a, b| (a.1.len(), a.1, a.0).cmp(&(b.1.len(), b.1, b.0)));
        entries.dedup_by(|later, first| later.1 == first.1);
        let longest = entries.last().map_or(0, |e| e.1.len());
        let mut table = NameTable {
            bytes: Vec::with_capacity(entries.iter().map(|e| e.1.len()).sum()),
            heads: Vec::with_capacity(entries.len()),
            tails: Vec::with_capacity(entries.len()),
            values: Vec::with_capacity(entries.len()),
            starts: Vec::with_capacity(longest + 2),
            offsets: Vec::with_capacity(longest + 2),
        };
        let (mut next, mut offset) = (0, 0);
        for length in 0..=longest + 1 {
            while let Some(entry) = entries.get(next).filter(|e| e.1.len() < length) {
                offset += entry.1.len();
                next += 1;
            }
            table.starts.push(next as u32);
            table.offsets.push(offset);
        }
        for (_, name, value) in entries {
            table.bytes.extend_from_slice(name);
            table.heads.push(head(name));
            table.tails.push(tail_word(name));
            table.values.push(value);
        }
        table
    }

    /// The value of `name`, if it is in the table.
    #[inline]
    pub(crate) fn get(&self, name: &[u8]) -> Option<V> {
        let length = name.len();
        let (Some(&first), Some(&end)) = (self.starts.get(length), self.starts.get(length + 1))
        else {
            return None;
        };
        let (first, count) = (first as usize, (end - first) as usize);
        if count == 0 {
            return None;
        }
        if length == 0 {
            return self.values.get(first).copied();
        }
        let heads = self.heads.get(first..first + count)?;
        let key = head(name);
        // What follows the first 8 bytes (nothing for short names).
        let tail = |i: usize| -> Option<&[u8]> {
            let offset = self.offsets.get(length)? + i * length;
            self.bytes.get(offset + length.min(8)..offset + length)
        };
        let rest = name.get(length.min(8)..)?;
        let found = if count <= LINEAR {
            let tails = self.tails.get(first..first + count)?;
            let key_tail = tail_word(name);
            heads
                .iter()
                .zip(tails)
                .enumerate()
                .find(|&(i, (&h, &t))| {
                    h == key && t == key_tail && (length <= 16 || tail(i) == Some(rest))
                })
                .map(|(i, _)| i)
        } else {
            let (mut low, mut high) = (0, count);
            let mut found = None;
            while low < high {
                let middle = (low + high) / 2;
                let order = heads
                    .get(middle)?
                    .cmp(&key)
                    .then_with(|| tail(middle).unwrap_or(&[]).cmp(rest));
                match order {
                    std::cmp::Ordering::Less => low = middle + 1,
                    std::cmp::Ordering::Greater => high = middle,
                    std::cmp::Ordering::Equal => {
                        found = Some(middle);
                        break;
                    }
                }
            }
            found
        };
        self.values.get(first + found?).copied()
    }
}

/// The last 8 bytes of `name` (all of a shorter one), as [`head`] reads them.
#[inline]
fn tail_word(name: &[u8]) -> u64 {
    head(name.get(name.len().saturating_sub(8)..).unwrap_or(&[]))
}

/// The first 8 bytes of `name`, big-endian, zeros after a shorter name.
#[inline]
fn head(name: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    let length = name.len().min(8);
    if let (Some(to), Some(from)) = (word.get_mut(..length), name.get(..length)) {
        to.copy_from_slice(from);
    }
    u64::from_be_bytes(word)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::NameTable;

    proptest! {
        /// A table finds exactly what a hash map of the same names finds
        /// (the first of names given twice).
        #[test]
        fn finds_what_a_hash_map_finds(
            names in prop::collection::vec("[a-c]{0,4}|[a-zé_.]{0,12}|[ab]{9,11}|[ab]{15,19}", 0..80),
            probes in prop::collection::vec("[a-c]{0,4}|[a-zé_.]{0,12}|[ab]{9,11}|[ab]{15,19}", 0..40),
        ) {
            let table = NameTable::new(names.iter().enumerate().map(|(i, n)| (n.as_str(), i)));
            let mut map = HashMap::new();
            for (i, name) in names.iter().enumerate() {
                map.entry(name.as_str()).or_insert(i);
            }
            for probe in probes.iter().chain(&names) {
                prop_assert_eq!(table.get(probe.as_bytes()), map.get(probe.as_str()).copied());
            }
        }
    }

    #[test]
    fn an_empty_table_finds_nothing() {
        let table: NameTable<u32> = NameTable::new([]);
        assert_eq!(table.get(b""), None);
        assert_eq!(table.get(b"x"), None);
        let table = NameTable::new([("", 1u32), ("ab", 2)]);
        assert_eq!(table.get(b""), Some(1));
        assert_eq!(table.get(b"ab"), Some(2));
        assert_eq!(table.get(b"a"), None);
        // Names alike in their first and last 8 bytes.
        let table = NameTable::new([("aaaaaaaaXbbbbbbbb", 1u32), ("aaaaaaaaYbbbbbbbb", 2)]);
        assert_eq!(table.get(b"aaaaaaaaYbbbbbbbb"), Some(2));
        assert_eq!(table.get(b"aaaaaaaaXbbbbbbbb"), Some(1));
        assert_eq!(table.get(b"aaaaaaaaZbbbbbbbb"), None);
    }
}
