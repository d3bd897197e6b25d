//! Line endings between CSV records normalised before parsing: `\r\n` and a
//! lone `\r` become `\n`. The CSV parser counts lines by `\n` only, and takes
//! the `\n` of a `\r\n` as the start of the next record, so without this
//! every row of a Windows file (and every row after a multi-line quoted cell)
//! was reported one line too early. Inside a quoted cell nothing changes: a
//! cell's text is the record's data.
//!
//! What is inside a quoted cell is decided as the `csv` crate's parser
//! decides it ([`Cell`]): a quote opens a cell only at its start (inside an
//! unquoted cell it is text, as in `5'10"`), a doubled quote stays inside,
//! and with an escape byte (`\` in `"a \" b"`) the byte after it is text.
//!
//! The reader also tells the line of a record: the CSV parser skips blank
//! lines without counting them, so its own line numbers drift after one. The
//! reader notes where each `\n` it passes on lies, and [`line_of`] counts
//! them up to a record's byte offset (keeping only those not yet counted, a
//! read-ahead buffer's worth).
//!
//! [`line_of`]: NormalizedLines::line_of

use std::collections::VecDeque;
use std::io::{BufRead, Read};

/// Where the parser stands in a record: what the `csv` crate's parser
/// (csv-core's automaton) would be in after the same bytes, reduced to what
/// tells a line ending from a byte of a quoted cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cell {
    /// At the start of a cell (or of a record).
    Start,
    /// Inside a cell that did not start with a quote.
    Unquoted,
    /// Inside a quoted cell.
    Quoted,
    /// Inside a quoted cell, just after the escape byte.
    Escaped,
    /// Just after a quote inside a quoted cell: it ends the cell, unless
    /// another quote follows (a doubled quote).
    QuoteInQuoted,
}

impl Cell {
    /// Whether a line break here is part of a cell's text.
    fn quoted(self) -> bool {
        matches!(self, Cell::Quoted | Cell::Escaped)
    }
}

/// The bytes of a dialect that move between [`Cell`]s.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Syntax {
    /// The cell delimiter.
    pub delimiter: u8,
    /// The quote byte, if cells may be quoted.
    pub quote: Option<u8>,
    /// The escape byte inside quoted cells, if any.
    pub escape: Option<u8>,
}

impl Syntax {
    /// The state after `byte`, in csv-core's order of tests.
    fn step(self, state: Cell, byte: u8) -> Cell {
        let quote = self.quote == Some(byte);
        match state {
            Cell::Quoted if quote => Cell::QuoteInQuoted,
            Cell::Quoted if self.escape == Some(byte) => Cell::Escaped,
            Cell::Quoted | Cell::Escaped => Cell::Quoted,
            Cell::QuoteInQuoted if quote => Cell::Quoted,
            Cell::Start if quote => Cell::Quoted,
            _ if byte == self.delimiter || byte == b'\r' || byte == b'\n' => Cell::Start,
            _ => Cell::Unquoted,
        }
    }
}

/// A reader that turns `\r\n` and `\r` outside quoted cells into `\n`, and
/// cuts a record longer than its limit short.
///
/// A record whose bytes would pass the limit is ended where it stands (a
/// quote closes an open cell, a `\n` ends the record) and the rest of it is
/// read past up to its own line ending, so the parser's buffer never grows
/// beyond the limit; [`NormalizedLines::was_cut`] tells the reader of records
/// that such a record must be rejected, not decoded.
pub(crate) struct NormalizedLines<R> {
    inner: R,
    /// The dialect's delimiter, quote and escape bytes.
    syntax: Syntax,
    /// Which bytes can change the state: those, `\r` and `\n`.
    special: [bool; 256],
    /// Where the parser stands after the bytes passed on.
    cell: Cell,
    /// The last byte passed on was a `\r` turned into `\n`: a `\n` right
    /// after it is the rest of the same line ending.
    after_cr: bool,
    /// The most bytes one record may have.
    max_record: u64,
    /// Bytes of the current record passed on.
    record_bytes: u64,
    /// Reading past the rest of a record that was cut.
    skipping: Option<Skip>,
    /// Bytes to pass on before any more input (the end of a cut record).
    pending: VecDeque<u8>,
    /// Bytes passed on so far.
    passed: u64,
    /// Where the `\n`s passed on and not yet counted lie (a line break read
    /// past in a cut record is noted where the record was ended).
    newlines: VecDeque<u64>,
    /// The `\n`s counted so far.
    counted: u64,
    /// Where the `\n` that ends each cut record lies, not yet asked about.
    cut_ends: VecDeque<u64>,
    /// The input bytes being worked through (reused).
    scratch: Vec<u8>,
}

/// The state of reading past the rest of a cut record.
struct Skip {
    /// Where the parser of the original would stand.
    cell: Cell,
    /// Line breaks read past, less the one passed on to end the record.
    breaks: u64,
    /// Where that `\n` lies.
    at: u64,
}

impl<R: BufRead> NormalizedLines<R> {
    /// Wraps `inner`, whose cells follow `syntax`; a record may have at
    /// most `max_record` bytes.
    pub(crate) fn new(inner: R, syntax: Syntax, max_record: usize) -> NormalizedLines<R> {
        let mut special = [false; 256];
        for byte in [
            Some(b'\r'),
            Some(b'\n'),
            Some(syntax.delimiter),
            syntax.quote,
            syntax.escape,
        ]
        .into_iter()
        .flatten()
        {
            special[usize::from(byte)] = true;
        }
        NormalizedLines {
            inner,
            syntax,
            special,
            cell: Cell::Start,
            after_cr: false,
            max_record: max_record as u64,
            record_bytes: 0,
            skipping: None,
            pending: VecDeque::new(),
            passed: 0,
            newlines: VecDeque::new(),
            counted: 0,
            cut_ends: VecDeque::new(),
            scratch: Vec::new(),
        }
    }

    /// The line (from 1) of the byte at `offset` of what was passed on;
    /// offsets must come in increasing order.
    pub(crate) fn line_of(&mut self, offset: u64) -> u64 {
        while self.newlines.front().is_some_and(|&at| at < offset) {
            self.newlines.pop_front();
            self.counted += 1;
        }
        self.counted + 1
    }

    /// Whether the record passed on between the offsets `from` and `to`
    /// (inclusive) was cut at the limit; records must be asked about in
    /// order.
    pub(crate) fn was_cut(&mut self, from: u64, to: u64) -> bool {
        while self.cut_ends.front().is_some_and(|&at| at < from) {
            self.cut_ends.pop_front();
        }
        self.cut_ends.front().is_some_and(|&at| at <= to)
    }

    /// Passes `byte` on at `out[*written]`, noting a `\n`.
    fn emit(&mut self, out: &mut [u8], written: &mut usize, byte: u8) {
        out[*written] = byte;
        if byte == b'\n' {
            self.newlines.push_back(self.passed + *written as u64);
        }
        *written += 1;
    }

    /// Reads past one byte of a cut record; true when its end was reached.
    fn skip(&mut self, byte: u8) -> bool {
        let syntax = self.syntax;
        let Some(skip) = self.skipping.as_mut() else {
            return true;
        };
        skip.cell = syntax.step(skip.cell, byte);
        let line_break = byte == b'\r' || byte == b'\n';
        if !line_break {
            return false;
        }
        if skip.cell.quoted() {
            if byte == b'\n' {
                skip.breaks += 1;
            }
            return false;
        }
        // The record's own line ending: the `\n` passed on stands for it;
        // the breaks before it are noted at that place.
        for _ in 0..skip.breaks {
            self.newlines.push_back(skip.at);
        }
        self.after_cr = byte == b'\r';
        self.cell = Cell::Start;
        self.skipping = None;
        true
    }
}

impl<R: BufRead> Read for NormalizedLines<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut written = 0;
        while written == 0 {
            if out.is_empty() {
                return Ok(0);
            }
            while written < out.len() {
                let Some(byte) = self.pending.pop_front() else {
                    break;
                };
                self.emit(out, &mut written, byte);
            }
            let available = self.inner.fill_buf()?;
            if available.is_empty() {
                if written > 0 {
                    break;
                }
                return Ok(0);
            }
            if written == out.len() {
                break;
            }
            // At most one byte is passed on per byte read: no more is taken
            // than fits.
            let mut data = std::mem::take(&mut self.scratch);
            data.clear();
            data.extend_from_slice(&available[..available.len().min(out.len() - written)]);
            let mut consumed = 0;
            while let Some(&byte) = data.get(consumed) {
                if written == out.len() || !self.pending.is_empty() {
                    break;
                }
                if self.skipping.is_none() {
                    // A run of bytes no state treats apart (not a quote,
                    // escape, delimiter or line break) is passed on whole,
                    // up to the record's limit.
                    let room = self
                        .max_record
                        .saturating_sub(self.record_bytes)
                        .min((out.len() - written) as u64) as usize;
                    let special = &self.special;
                    let run = data[consumed..]
                        .iter()
                        .take(room)
                        .take_while(|&&b| !special[usize::from(b)])
                        .count();
                    if run > 0 {
                        self.cell = self.syntax.step(self.cell, byte);
                        self.after_cr = false;
                        out[written..written + run]
                            .copy_from_slice(&data[consumed..consumed + run]);
                        written += run;
                        consumed += run;
                        self.record_bytes += run as u64;
                        continue;
                    }
                }
                consumed += 1;
                if self.skipping.is_some() {
                    self.skip(byte);
                    continue;
                }
                let before = self.cell;
                self.cell = self.syntax.step(before, byte);
                let line_break = (byte == b'\r' || byte == b'\n') && !self.cell.quoted();
                let after_cr = std::mem::replace(&mut self.after_cr, line_break && byte == b'\r');
                if line_break && byte == b'\n' && after_cr {
                    continue;
                }
                let shown = if line_break { b'\n' } else { byte };
                if !line_break && self.record_bytes + 1 > self.max_record {
                    // Cut the record here: close an open cell (after an
                    // escape byte, a quote is text: one more closes), end
                    // the line, and read past the rest of it.
                    let closing: &[u8] = match (before, self.syntax.quote) {
                        (Cell::Quoted, Some(q)) => &[q][..],
                        (Cell::Escaped, Some(q)) => &[q, q][..],
                        _ => &[],
                    };
                    let end_at = self.passed + written as u64 + closing.len() as u64;
                    self.skipping = Some(Skip {
                        cell: before,
                        breaks: 0,
                        at: end_at,
                    });
                    self.pending.extend(closing);
                    self.pending.push_back(b'\n');
                    self.cut_ends.push_back(end_at);
                    self.cell = Cell::Start;
                    self.after_cr = false;
                    self.record_bytes = 0;
                    self.skip(byte);
                    continue;
                }
                self.emit(out, &mut written, shown);
                self.record_bytes = if line_break { 0 } else { self.record_bytes + 1 };
            }
            self.scratch = data;
            self.inner.consume(consumed);
        }
        self.passed += written as u64;
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The CSV dialect's bytes.
    const CSV: Syntax = Syntax {
        delimiter: b',',
        quote: Some(b'"'),
        escape: None,
    };

    fn normalize(input: &[u8], chunk: usize) -> Vec<u8> {
        cut(input, CSV, chunk, usize::MAX).0
    }

    /// What is passed on, read `chunk` bytes at a time with records limited
    /// to `max` bytes, and the lines of every `\n` passed on.
    fn cut(input: &[u8], syntax: Syntax, chunk: usize, max: usize) -> (Vec<u8>, Vec<u64>) {
        let reader = std::io::BufReader::with_capacity(chunk.max(1), input);
        let mut normalized = NormalizedLines::new(reader, syntax, max);
        let mut out = Vec::new();
        let mut buf = vec![0; chunk.max(1)];
        loop {
            let n = normalized.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        let lines = (0..out.len() as u64)
            .filter(|&i| out[i as usize] == b'\n')
            .map(|i| normalized.line_of(i))
            .collect();
        (out, lines)
    }

    /// The records the `csv` crate reads from `input` in the dialect of
    /// `syntax` (any line ending ends a record, as by default).
    fn parse(input: &[u8], syntax: Syntax) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(syntax.delimiter)
            .quoting(syntax.quote.is_some())
            .quote(syntax.quote.unwrap_or(b'"'))
            .escape(syntax.escape)
            .from_reader(input);
        reader
            .byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect()
    }

    #[test]
    fn every_line_ending_becomes_a_newline() {
        assert_eq!(normalize(b"a\r\nb\rc\nd\r\r\ne", 64), b"a\nb\nc\nd\n\ne");
    }

    #[test]
    fn lines_are_counted_up_to_an_offset_blank_lines_included() {
        let text = b"h\r\n\r\n\na,\"x\r\ny\"\nb\n";
        let mut normalized = NormalizedLines::new(&text[..], CSV, usize::MAX);
        let mut out = Vec::new();
        normalized.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"h\n\n\na,\"x\r\ny\"\nb\n");
        assert_eq!(normalized.line_of(0), 1);
        assert_eq!(normalized.line_of(4), 4); // `a` after two blank lines
        assert_eq!(normalized.line_of(13), 6); // `b` after a two-line cell
    }

    #[test]
    fn a_record_past_the_limit_is_cut_and_the_rest_read_past() {
        let text = b"h\nabcdefgh\n\"xy\nzzzzzz\"\nok\n";
        let mut normalized = NormalizedLines::new(&text[..], CSV, 4);
        let mut out = Vec::new();
        normalized.read_to_end(&mut out).unwrap();
        // `abcdefgh` is cut after 4 bytes, the quoted cell after `"xy\n`
        // (closed where it is cut); `ok` follows on its own line.
        assert_eq!(out, b"h\nabcd\n\"xy\n\"\nok\n");
        assert!(!normalized.was_cut(0, 1));
        assert!(normalized.was_cut(2, 6));
        assert!(normalized.was_cut(7, 12));
        assert!(!normalized.was_cut(13, 15));
        // `ok` is on line 5 of the input.
        assert_eq!(normalized.line_of(13), 5);
    }

    #[test]
    fn quoted_cells_keep_their_line_breaks() {
        assert_eq!(
            normalize(b"a,\"San\r\nYsidro \"\"x\"\"\r\"\r\nb", 64),
            b"a,\"San\r\nYsidro \"\"x\"\"\r\"\nb"
        );
    }

    #[test]
    fn a_quote_inside_an_unquoted_cell_is_text() {
        // As the CSV parser reads it: the `"` of `5'10"` opens nothing, so
        // the line ending after it is one.
        assert_eq!(normalize(b"a,5'10\",b\r\nc\r\n", 64), b"a,5'10\",b\nc\n");
        let input = b"a,5'10\",b\r\nc,\"d\r\n\"\r\n";
        assert_eq!(parse(input, CSV), parse(&normalize(input, 64), CSV));
    }

    #[test]
    fn an_escaped_quote_does_not_end_a_quoted_cell() {
        let escaped = Syntax {
            escape: Some(b'\\'),
            ..CSV
        };
        let input = b"a,\"x \\\" y\r\nz\",b\r\nc\r\n";
        // With `\` as the escape byte the cell goes on past `\"`: its line
        // break is text; the record's own ending becomes `\n`.
        let (out, _) = cut(input, escaped, 64, usize::MAX);
        assert_eq!(out, b"a,\"x \\\" y\r\nz\",b\nc\n");
        assert_eq!(parse(input, escaped), parse(&out, escaped));
        assert_eq!(parse(&out, escaped)[0][1], b"x \" y\r\nz");
        // Without one, `\"` ends the cell.
        assert_eq!(normalize(input, 64), b"a,\"x \\\" y\nz\",b\nc\n");
        // A record cut just after an escape byte is closed all the same.
        let (out, _) = cut(b"\"ab\\cdef\"\nok\n", escaped, 64, 4);
        assert_eq!(out, b"\"ab\\\"\"\nok\n");
        assert_eq!(parse(&out, escaped).len(), 2);
    }

    /// Dialects to try: CSV, TSV with an escape byte, unquoted TSV.
    fn syntaxes() -> impl Strategy<Value = Syntax> {
        prop_oneof![
            Just(CSV),
            Just(Syntax {
                delimiter: b'\t',
                quote: Some(b'"'),
                escape: Some(b'\\'),
            }),
            Just(Syntax {
                delimiter: b'\t',
                quote: None,
                escape: None,
            }),
        ]
    }

    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![
                Just(b'\r'),
                Just(b'\n'),
                Just(b'x'),
                Just(b'"'),
                Just(b','),
                Just(b'\t'),
                Just(b'\\'),
            ],
            0..64,
        )
    }

    proptest! {
        #[test]
        fn cutting_does_not_depend_on_buffer_sizes(
            input in bytes(),
            syntax in syntaxes(),
            chunk in 1usize..8,
            max in 1usize..6,
        ) {
            prop_assert_eq!(cut(&input, syntax, chunk, max), cut(&input, syntax, 1024, max));
        }

        #[test]
        fn the_parser_reads_the_same_records_after_normalising(
            input in bytes(),
            syntax in syntaxes(),
            chunk in 1usize..8,
        ) {
            let (whole, _) = cut(&input, syntax, 1024, usize::MAX);
            prop_assert_eq!(cut(&input, syntax, chunk, usize::MAX).0, whole.clone());
            // Line endings change, cells do not; no `\r` is left outside
            // a quoted cell.
            prop_assert_eq!(parse(&whole, syntax), parse(&input, syntax));
        }
    }
}
