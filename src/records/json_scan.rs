//! The fast path of JSON Lines decoding: a hand-written scanner for the
//! common record, decoding straight into a [`CaseRecord`] as the serde path
//! of [`crate::records::json`] does (same slots, text, list elements,
//! symbols, named fields and unknown keys), with no intermediate values.
//!
//! It accepts only what it is sure of: a record the serde path would decode
//! without any problem. Anything else (a problem of any kind, a number that
//! is not a plain integer, deep nesting, an escape it does not know) is a
//! [`Fallback`], and the caller decodes the line again with serde, which
//! says exactly what is wrong.

use std::borrow::Cow;
use std::collections::HashSet;

use crate::compile::val::Val;
use crate::compile::Compiled;
use crate::date::Date;
use crate::records::case::CaseRecord;
use crate::records::schema_index::{Key, SchemaIndex};
use crate::ruleset::schema::FieldId;
use crate::types::Type;

/// The scanner is not sure of the line: decode it with serde.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Fallback;

/// How deep a value of a key not in the schema may nest.
const MAX_SKIP_DEPTH: u32 = 32;

/// The bytes that end a run of plain string text: `"`, `\\` and the control
/// characters JSON does not allow in a string.
static STRING_STOPS: [bool; 256] = {
    let mut stops = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        stops[b] = true;
        b += 1;
    }
    stops[b'"' as usize] = true;
    stops[b'\\' as usize] = true;
    stops
};

/// The high bit of each byte of `word` (little-endian) that may end a run of
/// string text: `"`, `\\` or a control character. Exact for the lowest such
/// byte (the bits above it may be wrong, and are not read).
#[inline]
fn string_stops(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_bytes = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let quote = zero_bytes(word ^ (ONES * u64::from(b'"')));
    let backslash = zero_bytes(word ^ (ONES * u64::from(b'\\')));
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    quote | backslash | control
}

/// Whether `bytes` starts with `prefix`, compared eight bytes at a time:
/// keys are short, and a call to `memcmp` costs more than the comparison.
#[inline]
fn starts_with(bytes: &[u8], prefix: &[u8]) -> bool {
    let Some(bytes) = bytes.get(..prefix.len()) else {
        return false;
    };
    let word = |chunk: &[u8]| <[u8; 8]>::try_from(chunk).map_or(0, u64::from_ne_bytes);
    let (mut ours, mut theirs) = (bytes.chunks_exact(8), prefix.chunks_exact(8));
    if ours
        .by_ref()
        .zip(theirs.by_ref())
        .any(|(a, b)| word(a) != word(b))
    {
        return false;
    }
    let (ours, theirs) = (ours.remainder(), theirs.remainder());
    ours.iter().zip(theirs).all(|(a, b)| a == b)
}

/// The most digits of an integer read (any such fits an `i64`).
const MAX_DIGITS: usize = 18;

/// Decodes `line` into `record` (already cleared) if it is a record the
/// serde path decodes with no problem, adding its unknown keys to
/// `unknown_keys`; otherwise [`Fallback`], with `unknown_keys` untouched
/// and `record` to be cleared again.
pub(crate) fn decode(
    compiled: &Compiled,
    index: &SchemaIndex,
    line: &str,
    record: &mut CaseRecord,
    unknown_keys: &mut HashSet<String>,
) -> Result<(), Fallback> {
    let hints = 2 * index.len() + 1;
    if record.key_hints.len() != hints {
        record.key_hints.clear();
        record.key_hints.resize(hints, NO_HINT);
    }
    let mut scanner = Scanner {
        compiled,
        index,
        text: line,
        bytes: line.as_bytes(),
        at: 0,
        record,
        unknown: Vec::new(),
    };
    scanner.whitespace();
    scanner.expect(b'{')?;
    scanner.object(None)?;
    scanner.whitespace();
    if scanner.at != scanner.bytes.len() || scanner.record.case_id.is_empty() {
        return Err(Fallback);
    }
    for (group, key) in scanner.unknown {
        let name = match group {
            Some(g) => format!("{}.{key}", index.name(g)),
            None => key.into_owned(),
        };
        if !unknown_keys.contains(&name) {
            unknown_keys.insert(name);
        }
    }
    Ok(())
}

/// A key of an object, as [`Scanner::object`] decodes its value.
enum Member<'a> {
    /// `case_id` of the record.
    CaseId,
    /// A schema field.
    Field(FieldId),
    /// Not in the schema.
    Unknown(Cow<'a, str>),
}

/// No key expected (a hint not yet set).
const NO_HINT: u32 = u32::MAX;

/// The state of one line's scan.
struct Scanner<'a, 'r> {
    compiled: &'a Compiled,
    index: &'a SchemaIndex,
    text: &'a str,
    bytes: &'a [u8],
    /// The next byte to read.
    at: usize,
    record: &'r mut CaseRecord,
    /// Keys not in the schema, with their group: added only if the whole
    /// line decodes.
    unknown: Vec<(Option<FieldId>, Cow<'a, str>)>,
}

impl<'a> Scanner<'a, '_> {
    /// The next byte (0, which no valid token starts with, at the end).
    #[inline]
    fn peek(&self) -> u8 {
        self.bytes.get(self.at).copied().unwrap_or(0)
    }

    /// Steps over JSON whitespace.
    #[inline]
    fn whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// Steps over `byte`, which must come next.
    #[inline]
    fn expect(&mut self, byte: u8) -> Result<(), Fallback> {
        if self.peek() != byte {
            return Err(Fallback);
        }
        self.at += 1;
        Ok(())
    }

    /// Steps over `close` (`}` or `]`) if it comes next: an empty object or
    /// list.
    #[inline]
    fn empty(&mut self, close: u8) -> bool {
        self.whitespace();
        let empty = self.peek() == close;
        if empty {
            self.at += 1;
        }
        empty
    }

    /// After a member or element: steps over the `,` before the next (false)
    /// or over `close`, the end (true).
    #[inline]
    fn end_of(&mut self, close: u8) -> Result<bool, Fallback> {
        self.whitespace();
        let byte = self.peek();
        if byte != b',' && byte != close {
            return Err(Fallback);
        }
        self.at += 1;
        Ok(byte == close)
    }

    /// Steps over `word` (`null`, `true`, `false`), which must come next.
    fn literal(&mut self, word: &[u8]) -> Result<(), Fallback> {
        if !self.bytes[self.at..].starts_with(word) {
            return Err(Fallback);
        }
        self.at += word.len();
        Ok(())
    }

    /// The members of an object whose `{` was read, through its `}`: the
    /// record (`group == None`) or a group such as `nri`.
    fn object(&mut self, group: Option<FieldId>) -> Result<(), Fallback> {
        if self.empty(b'}') {
            return Ok(());
        }
        let fields = self.index.len();
        // Where the key expected next is kept: after a field, its id; at
        // the start of group `g`, `fields + g`; of the record, `2 * fields`.
        let mut slot = Some(group.map_or(2 * fields, |g| fields + g.0 as usize));
        loop {
            self.whitespace();
            let (member, looked_up) = match slot.and_then(|s| self.expected_key(s, group)) {
                Some(member) => (member, false),
                None => (self.key(group)?, true),
            };
            self.whitespace();
            self.expect(b':')?;
            self.whitespace();
            let field = match member {
                Member::CaseId => {
                    let id = self.string()?;
                    if id.is_empty() || !self.record.case_id.is_empty() {
                        return Err(Fallback);
                    }
                    self.record.case_id.push_str(&id);
                    self.index.case_id()
                }
                Member::Unknown(key) => {
                    self.skip(0)?;
                    self.unknown.push((group, key));
                    None
                }
                Member::Field(id) => {
                    if !self.record.name_field(id) {
                        return Err(Fallback);
                    }
                    self.value(id)?;
                    Some(id)
                }
            };
            if let (true, Some(at), Some(id)) = (looked_up, slot, field) {
                if let Some(hint) = self.record.key_hints.get_mut(at) {
                    *hint = id.0;
                }
            }
            slot = field.map(|id| id.0 as usize);
            if self.end_of(b'}')? {
                return Ok(());
            }
        }
    }

    /// The key of a member of `group` (its `"` next), read and looked up.
    fn key(&mut self, group: Option<FieldId>) -> Result<Member<'a>, Fallback> {
        let key = self.string()?;
        if group.is_none() && key == "case_id" {
            return Ok(Member::CaseId);
        }
        Ok(match self.index.key(group, &key) {
            Key::Unknown => Member::Unknown(key),
            Key::Field(id) => Member::Field(id),
        })
    }

    /// The key kept in hint `slot`, if it comes next, written plainly: what
    /// [`Scanner::key`] would find, with one comparison of bytes.
    #[inline]
    fn expected_key(&mut self, slot: usize, group: Option<FieldId>) -> Option<Member<'a>> {
        let id = FieldId(*self.record.key_hints.get(slot)?);
        let written = self.index.written_key(id, group)?;
        if self.peek() != b'"' || !starts_with(self.bytes.get(self.at + 1..)?, written) {
            return None;
        }
        self.at += 1 + written.len();
        Some(if group.is_none() && Some(id) == self.index.case_id() {
            Member::CaseId
        } else {
            Member::Field(id)
        })
    }

    /// The value of schema field `field`, stored if a rule reads it.
    fn value(&mut self, field: FieldId) -> Result<(), Fallback> {
        let index = self.index;
        let ty = index.ty(field);
        let value = match (self.peek(), ty) {
            (b'n', _) => return self.literal(b"null"),
            (b'"', _) => {
                let text = self.string()?;
                self.scalar(ty, &text, index.is_used(field))?
            }
            (b't', Type::Bool) => {
                self.literal(b"true")?;
                Val::Bool(true)
            }
            (b'f', Type::Bool) => {
                self.literal(b"false")?;
                Val::Bool(false)
            }
            (b'-' | b'0'..=b'9', Type::Int) => Val::Int(self.integer()?),
            (b'[', Type::List(element)) => return self.list(field, element),
            (b'{', Type::Record) => {
                self.at += 1;
                if index.is_used(field) {
                    self.record.set(field, Val::Present);
                }
                return self.object(Some(field));
            }
            _ => return Err(Fallback),
        };
        if index.is_used(field) {
            self.record.set(field, value);
        }
        Ok(())
    }

    /// Text as a value of `ty`, as `scalar::decode_text` decodes it when it
    /// finds no problem (text is interned or kept in the record's buffer,
    /// unless no rule reads its field: `!used`). Always inlined: returned
    /// through memory, its result cost a stall at every call.
    #[inline(always)]
    fn scalar(&mut self, ty: &Type, text: &str, used: bool) -> Result<Val, Fallback> {
        match ty {
            Type::Str if !used => Ok(Val::Unknown),
            Type::Str => Ok(self.record.text_value(self.compiled, text)),
            Type::Date => Date::parse(text).map(|d| Val::Date(d.0)).ok_or(Fallback),
            Type::Enum(id) => self
                .index
                .enum_value(*id, text)
                .map(Val::Enum)
                .ok_or(Fallback),
            _ => Err(Fallback),
        }
    }

    /// A list of text elements of type `element` (its `[` next).
    fn list(&mut self, field: FieldId, element: &Type) -> Result<(), Fallback> {
        self.at += 1;
        let start = self.record.items.len();
        let used = self.index.is_used(field);
        if !self.empty(b']') {
            loop {
                self.whitespace();
                let text = self.string()?;
                let value = self.scalar(element, &text, used)?;
                self.record.items.push(value);
                if self.end_of(b']')? {
                    break;
                }
            }
        }
        if used {
            let len = self.record.items.len() - start;
            self.record.set(field, Val::List(start as u32, len as u32));
        } else {
            self.record.items.truncate(start);
        }
        Ok(())
    }

    /// A plain integer: `-?(0|[1-9][0-9]*)` of at most [`MAX_DIGITS`]
    /// digits, not `-0`, not followed by a fraction or an exponent.
    fn integer(&mut self) -> Result<i64, Fallback> {
        let negative = self.peek() == b'-';
        if negative {
            self.at += 1;
        }
        let start = self.at;
        let digits = self.bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        self.at += digits;
        let leading_zero = digits > 1 && self.bytes[start] == b'0';
        let negative_zero = negative && self.bytes.get(start) == Some(&b'0');
        if digits == 0
            || digits > MAX_DIGITS
            || leading_zero
            || negative_zero
            || matches!(self.peek(), b'.' | b'e' | b'E')
        {
            return Err(Fallback);
        }
        let magnitude = self.bytes[start..self.at]
            .iter()
            .fold(0i64, |n, &b| n * 10 + i64::from(b - b'0'));
        Ok(if negative { -magnitude } else { magnitude })
    }

    /// Steps over any value of a key not in the schema.
    fn skip(&mut self, depth: u32) -> Result<(), Fallback> {
        if depth > MAX_SKIP_DEPTH {
            return Err(Fallback);
        }
        match self.peek() {
            b'"' => self.string().map(drop),
            b'n' => self.literal(b"null"),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'-' | b'0'..=b'9' => self.integer().map(drop),
            b'[' => {
                self.at += 1;
                if self.empty(b']') {
                    return Ok(());
                }
                loop {
                    self.whitespace();
                    self.skip(depth + 1)?;
                    if self.end_of(b']')? {
                        return Ok(());
                    }
                }
            }
            b'{' => {
                self.at += 1;
                if self.empty(b'}') {
                    return Ok(());
                }
                loop {
                    self.whitespace();
                    self.string()?;
                    self.whitespace();
                    self.expect(b':')?;
                    self.whitespace();
                    self.skip(depth + 1)?;
                    if self.end_of(b'}')? {
                        return Ok(());
                    }
                }
            }
            _ => Err(Fallback),
        }
    }

    /// A string (its `"` next), borrowed from the line unless it has
    /// escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, Fallback> {
        self.expect(b'"')?;
        let start = self.at;
        let end = self.plain_run(start)?;
        if self.bytes[end] == b'"' {
            self.at = end + 1;
            return self.text.get(start..end).map(Cow::Borrowed).ok_or(Fallback);
        }
        let mut owned = String::from(self.text.get(start..end).ok_or(Fallback)?);
        let mut at = end;
        loop {
            // `self.bytes[at]` is a backslash.
            let escape = self.bytes.get(at + 1).copied().ok_or(Fallback)?;
            at += 2;
            let c = match escape {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let unit = self.hex4(at)?;
                    at += 4;
                    if (0xD800..0xDC00).contains(&unit) {
                        if self.bytes.get(at..at + 2) != Some(b"\\u") {
                            return Err(Fallback);
                        }
                        let low = self.hex4(at + 2)?;
                        if !(0xDC00..0xE000).contains(&low) {
                            return Err(Fallback);
                        }
                        at += 6;
                        char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                            .ok_or(Fallback)?
                    } else {
                        // A lone low surrogate is no `char`.
                        char::from_u32(unit).ok_or(Fallback)?
                    }
                }
                _ => return Err(Fallback),
            };
            owned.push(c);
            let end = self.plain_run(at)?;
            owned.push_str(self.text.get(at..end).ok_or(Fallback)?);
            if self.bytes[end] == b'"' {
                self.at = end + 1;
                return Ok(Cow::Owned(owned));
            }
            at = end;
        }
    }

    /// Where the run of string bytes from `start` ends: the position of the
    /// next `"` or `\\`; no control character may come before it.
    #[inline]
    fn plain_run(&self, start: usize) -> Result<usize, Fallback> {
        let rest = self.bytes.get(start..).ok_or(Fallback)?;
        // Eight bytes at a time, then one at a time (most strings are short,
        // too short for a vector search to pay).
        let mut words = rest.chunks_exact(8);
        let mut length = 0;
        for word in words.by_ref() {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(word);
            let stops = string_stops(u64::from_le_bytes(bytes));
            if stops != 0 {
                length += (stops.trailing_zeros() / 8) as usize;
                return self.run_end(start + length);
            }
            length += 8;
        }
        let tail = words.remainder();
        let in_tail = tail
            .iter()
            .position(|&b| STRING_STOPS[b as usize])
            .ok_or(Fallback)?;
        self.run_end(start + length + in_tail)
    }

    /// `at`, if the byte there may end a run of string text (`"` or `\\`,
    /// not a control character).
    #[inline]
    fn run_end(&self, at: usize) -> Result<usize, Fallback> {
        match self.bytes.get(at) {
            Some(b'"' | b'\\') => Ok(at),
            _ => Err(Fallback),
        }
    }

    /// The four hex digits at `at`, as a number.
    fn hex4(&self, at: usize) -> Result<u32, Fallback> {
        let digits = self.bytes.get(at..at + 4).ok_or(Fallback)?;
        digits.iter().try_fold(0u32, |n, &b| {
            let digit = (b as char).to_digit(16).ok_or(Fallback)?;
            Ok(n * 16 + digit)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{starts_with, string_stops, STRING_STOPS};

    /// Eight bytes at a time is `<[u8]>::starts_with`.
    #[test]
    fn starts_with_is_the_slice_method() {
        let texts: [&[u8]; 8] = [
            b"",
            b"a",
            b"case_id\"",
            b"case_id\":1",
            b"case_ie\":1",
            b"fear_of_mexico_expressed\"",
            b"fear_of_mexico_expressed\":true",
            b"fear_of_origin_expressed\":true",
        ];
        for bytes in texts {
            for prefix in texts {
                assert_eq!(starts_with(bytes, prefix), bytes.starts_with(prefix));
            }
        }
    }

    /// Eight bytes at a time finds the first byte the table stops at, for
    /// every byte in every place after any other bytes.
    #[test]
    fn words_stop_where_the_table_stops() {
        for filler in [b'a', 0xC3, 0x7F, b' '] {
            for stop in 0..=255u8 {
                for at in 0..8 {
                    let mut bytes = [filler; 8];
                    bytes[at] = stop;
                    bytes[7] = if at == 7 { stop } else { b'"' };
                    let expected = bytes.iter().position(|&b| STRING_STOPS[b as usize]);
                    let found = string_stops(u64::from_le_bytes(bytes));
                    let found = (found != 0).then(|| (found.trailing_zeros() / 8) as usize);
                    assert_eq!(found, expected, "{bytes:?}");
                }
            }
        }
    }
}
