//! Line endings between CSV records normalised before parsing: `\r\n` and a
//! lone `\r` become `\n`. The CSV parser counts lines by `\n` only, and takes
//! the `\n` of a `\r\n` as the start of the next record, so without this
//! every row of a Windows file (and every row after a multi-line quoted cell)
//! was reported one line too early. Inside a quoted cell nothing changes: a
//! cell's text is the record's data.
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

/// A reader that turns `\r\n` and `\r` outside quoted cells into `\n`.
pub(crate) struct NormalizedLines<R> {
    inner: R,
    /// The quote character of the CSV dialect.
    quote: u8,
    /// Inside a quoted cell (a doubled quote leaves and re-enters).
    quoted: bool,
    /// The last byte passed on was a `\r` turned into `\n`: a `\n` right
    /// after it is the rest of the same line ending.
    after_cr: bool,
    /// Bytes passed on so far.
    passed: u64,
    /// Where the `\n`s passed on and not yet counted lie.
    newlines: VecDeque<u64>,
    /// The `\n`s counted so far.
    counted: u64,
}

impl<R: BufRead> NormalizedLines<R> {
    /// Wraps `inner`, whose cells are quoted with `quote`.
    pub(crate) fn new(inner: R, quote: u8) -> NormalizedLines<R> {
        NormalizedLines {
            inner,
            quote,
            quoted: false,
            after_cr: false,
            passed: 0,
            newlines: VecDeque::new(),
            counted: 0,
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
}

impl<R: BufRead> Read for NormalizedLines<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut written = 0;
        while written == 0 {
            let data = self.inner.fill_buf()?;
            if data.is_empty() || out.is_empty() {
                return Ok(0);
            }
            let mut consumed = 0;
            for &byte in data {
                if written == out.len() {
                    break;
                }
                consumed += 1;
                if byte == self.quote {
                    self.quoted = !self.quoted;
                }
                if self.quoted {
                    self.after_cr = false;
                    out[written] = byte;
                    written += 1;
                    continue;
                }
                let after_cr = std::mem::replace(&mut self.after_cr, byte == b'\r');
                match byte {
                    b'\n' if after_cr => {}
                    b'\r' => {
                        out[written] = b'\n';
                        written += 1;
                    }
                    _ => {
                        out[written] = byte;
                        written += 1;
                    }
                }
            }
            self.inner.consume(consumed);
            for (i, &byte) in out[..written].iter().enumerate() {
                if byte == b'\n' {
                    self.newlines.push_back(self.passed + i as u64);
                }
            }
            self.passed += written as u64;
        }
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn normalize(input: &[u8], chunk: usize) -> Vec<u8> {
        let reader = std::io::BufReader::with_capacity(chunk.max(1), input);
        let mut normalized = NormalizedLines::new(reader, b'"');
        let mut out = Vec::new();
        let mut buf = vec![0; chunk.max(1)];
        loop {
            let n = normalized.read(&mut buf).unwrap();
            if n == 0 {
                return out;
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn every_line_ending_becomes_a_newline() {
        assert_eq!(normalize(b"a\r\nb\rc\nd\r\r\ne", 64), b"a\nb\nc\nd\n\ne");
    }

    #[test]
    fn lines_are_counted_up_to_an_offset_blank_lines_included() {
        let text = b"h\r\n\r\n\na,\"x\r\ny\"\nb\n";
        let mut normalized = NormalizedLines::new(&text[..], b'"');
        let mut out = Vec::new();
        normalized.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"h\n\n\na,\"x\r\ny\"\nb\n");
        assert_eq!(normalized.line_of(0), 1);
        assert_eq!(normalized.line_of(4), 4); // `a` after two blank lines
        assert_eq!(normalized.line_of(13), 6); // `b` after a two-line cell
    }

    #[test]
    fn quoted_cells_keep_their_line_breaks() {
        assert_eq!(
            normalize(b"a,\"San\r\nYsidro \"\"x\"\"\r\"\r\nb", 64),
            b"a,\"San\r\nYsidro \"\"x\"\"\r\"\nb"
        );
    }

    proptest! {
        #[test]
        fn the_result_does_not_depend_on_buffer_sizes(
            input in proptest::collection::vec(prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'x'), Just(b'"')], 0..64),
            chunk in 1usize..8,
        ) {
            let whole = normalize(&input, 1024);
            prop_assert_eq!(normalize(&input, chunk), whole.clone());
            // Outside quotes every line ending is `\n`; inside, nothing changes.
            let text = String::from_utf8(input.clone()).unwrap();
            let mut expected = String::new();
            for (i, piece) in text.split('"').enumerate() {
                if i > 0 {
                    expected.push('"');
                }
                if i % 2 == 1 {
                    expected.push_str(piece);
                } else {
                    expected.push_str(&piece.replace("\r\n", "\n").replace('\r', "\n"));
                }
            }
            prop_assert_eq!(whole, expected.into_bytes());
        }
    }
}
