//! Cutting a JSON Lines input into chunks of whole lines for the workers
//! of `eval --jobs`.
//!
//! The input is read straight into a chunk's buffer (a `BufReader` hands a
//! read at least as large as its own buffer to the stream beneath, so the
//! bytes are copied once, by the kernel or the decompressor); the calling
//! thread then only finds the line ends. The unfinished line at the end of
//! a chunk is carried to the next one. A line longer than
//! `--max-record-bytes` is never held whole: its first
//! [`OVERSIZED_PREVIEW`] bytes are kept, the rest read past, exactly as
//! [`read_bounded_line`](crate::records::input::read_bounded_line) does for
//! `--jobs 1`.

use std::io::{BufRead, ErrorKind};
use std::ops::Range;

use crate::records::input::OVERSIZED_PREVIEW;

/// One line of a chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Line {
    /// Its bytes in the chunk's buffer (line end included): the whole
    /// line, or the first bytes of a cut one.
    pub bytes: Range<usize>,
    /// Whether it was longer than `--max-record-bytes` (cut).
    pub cut: bool,
}

/// Whole lines of the input, in one buffer.
#[derive(Default)]
pub(super) struct Lines {
    /// The bytes read; only the lines' ranges matter (a cut line leaves
    /// bytes no line covers). Its length only grows: it is read into.
    pub data: Vec<u8>,
    /// The lines, in input order.
    pub lines: Vec<Line>,
}

/// Reads an input into [`Lines`] chunk after chunk.
pub(super) struct LineReader<'a> {
    input: &'a mut dyn BufRead,
    /// The start of a line the last chunk ended in the middle of.
    carry: Vec<u8>,
    /// Lines read so far.
    line: usize,
    /// A chunk is closed once its bytes reach this (at least one line).
    chunk_bytes: usize,
    /// `--max-record-bytes`: a longer line is cut.
    max_line: usize,
    /// The input has ended.
    at_end: bool,
}

impl<'a> LineReader<'a> {
    /// Reads `input` in chunks of about `chunk_bytes` (at least 1), lines
    /// over `max_line` bytes cut.
    pub(super) fn new(input: &'a mut dyn BufRead, chunk_bytes: usize, max_line: usize) -> Self {
        LineReader {
            input,
            carry: Vec::new(),
            line: 0,
            chunk_bytes: chunk_bytes.max(1),
            max_line,
            at_end: false,
        }
    }

    /// The number of lines read so far.
    pub(super) fn lines_read(&self) -> usize {
        self.line
    }

    /// Whether the input has ended (nothing carried either).
    pub(super) fn at_end(&self) -> bool {
        self.at_end && self.carry.is_empty()
    }

    /// Reads the next lines into `chunk` (its old lines dropped): whole
    /// lines until they hold `chunk_bytes` or the input ends. No lines once
    /// the input has ended.
    pub(super) fn fill(&mut self, chunk: &mut Lines) -> std::io::Result<()> {
        chunk.lines.clear();
        let mut filled = self.carry.len();
        grow(&mut chunk.data, filled.max(self.chunk_bytes));
        chunk.data[..filled].copy_from_slice(&self.carry);
        self.carry.clear();
        // Where the line being read starts, and how far it is known to
        // hold no line end.
        let mut start = 0;
        let mut scanned = 0;
        loop {
            let found = memchr::memchr_iter(b'\n', &chunk.data[scanned..filled]);
            for at in found {
                let end = scanned + at + 1;
                self.push(&mut chunk.lines, start..end);
                start = end;
            }
            scanned = filled;
            if self.at_end {
                if filled > start {
                    self.push(&mut chunk.lines, start..filled);
                }
                return Ok(());
            }
            if filled - start > self.max_line {
                (start, filled) = self.read_past(chunk, start, filled)?;
                scanned = start;
                continue;
            }
            if !chunk.lines.is_empty() && filled >= self.chunk_bytes {
                self.carry.extend_from_slice(&chunk.data[start..filled]);
                return Ok(());
            }
            // Up to `chunk_bytes`; past it, a line that does not fit grows
            // the buffer, never beyond the longest line kept (plus one byte
            // to tell a longer one).
            let end = if filled < self.chunk_bytes {
                self.chunk_bytes
            } else {
                (filled + self.chunk_bytes).min(start + self.max_line + 1)
            };
            grow(&mut chunk.data, end);
            let read = read(self.input, &mut chunk.data[filled..end])?;
            self.at_end = read == 0;
            filled += read;
        }
    }

    /// Adds line `bytes` (line end included, if any) to `lines`: cut to
    /// its first bytes if longer than the limit.
    fn push(&mut self, lines: &mut Vec<Line>, bytes: Range<usize>) {
        self.line += 1;
        let cut = bytes.len() > self.max_line;
        let bytes = if cut {
            bytes.start..bytes.end.min(bytes.start + OVERSIZED_PREVIEW)
        } else {
            bytes
        };
        lines.push(Line { bytes, cut });
    }

    /// Line `start..filled` of `chunk`, unfinished, is too long: keeps its
    /// first bytes, reads past the rest up to its end (or the input's) and
    /// adds it, cut. Where the next line starts, and the end of the bytes
    /// read (the next line's first ones among them).
    fn read_past(
        &mut self,
        chunk: &mut Lines,
        start: usize,
        filled: usize,
    ) -> std::io::Result<(usize, usize)> {
        // The kept bytes end at `kept`; what is read next goes after them.
        let mut kept = filled.min(start + OVERSIZED_PREVIEW);
        loop {
            let end = kept + self.chunk_bytes;
            grow(&mut chunk.data, end);
            let read = read(self.input, &mut chunk.data[kept..end])?;
            if read == 0 {
                self.at_end = true;
                self.line += 1;
                chunk.lines.push(Line {
                    bytes: start..kept,
                    cut: true,
                });
                return Ok((kept, kept));
            }
            if let Some(at) = memchr::memchr(b'\n', &chunk.data[kept..kept + read]) {
                let next = kept + at + 1;
                self.line += 1;
                chunk.lines.push(Line {
                    bytes: start..next.min(start + OVERSIZED_PREVIEW),
                    cut: true,
                });
                return Ok((next, kept + read));
            }
            kept = (kept + read).min(start + OVERSIZED_PREVIEW);
        }
    }
}

/// Makes `data` at least `len` bytes long (new bytes zero: the buffer is
/// read into, so it must be initialised once).
fn grow(data: &mut Vec<u8>, len: usize) {
    if data.len() < len {
        data.resize(len, 0);
    }
}

/// Reads into `buffer` (retrying a read interrupted by a signal): the
/// number of bytes read, 0 at the end of the input.
fn read(input: &mut dyn BufRead, buffer: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match input.read(buffer) {
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::input::read_bounded_line;

    /// Lines as `read_bounded_line` reads them: text (cut or whole) and
    /// whether cut.
    fn bounded(input: &[u8], max: usize) -> Vec<(Vec<u8>, bool)> {
        let mut reader = std::io::BufReader::with_capacity(7, input);
        let mut buffer = Vec::new();
        let mut out = Vec::new();
        while let Some(cut) = read_bounded_line(&mut reader, &mut buffer, max).unwrap() {
            out.push((buffer.clone(), cut));
        }
        out
    }

    /// Lines as [`LineReader`] reads them, over every chunk, and the sizes
    /// of the chunks.
    fn chunked(
        input: &[u8],
        max: usize,
        chunk_bytes: usize,
        capacity: usize,
    ) -> Vec<(Vec<u8>, bool)> {
        let mut stream = std::io::BufReader::with_capacity(capacity, input);
        let mut reader = LineReader::new(&mut stream, chunk_bytes, max);
        let mut chunk = Lines::default();
        let mut out = Vec::new();
        while !reader.at_end() {
            reader.fill(&mut chunk).unwrap();
            for line in &chunk.lines {
                out.push((chunk.data[line.bytes.clone()].to_vec(), line.cut));
            }
            assert_eq!(reader.lines_read(), out.len());
        }
        out
    }

    proptest::proptest! {
        /// Every chunk size and read size cuts the same lines, the same
        /// way, as the reader of `--jobs 1`: line ends crossing reads and
        /// chunks, CR LF, blank lines, too-long lines, a last line without
        /// a line end.
        #[test]
        fn chunks_hold_the_lines_read_bounded_line_reads(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    Just(b"\n".to_vec()),
                    Just(b"\r\n".to_vec()),
                    Just(b"{\"a\":1}".to_vec()),
                    (0usize..40).prop_map(|n| vec![b'x'; n]),
                    (1000usize..1100).prop_map(|n| vec![b'y'; n]),
                ],
                0..40,
            ),
            max in proptest::prop_oneof![Just(0usize), 1usize..50, Just(1030usize), Just(1 << 20)],
            chunk_bytes in proptest::prop_oneof![1usize..8, 8usize..3000],
            capacity in 1usize..100,
        ) {
            let input = pieces.concat();
            proptest::prop_assert_eq!(
                chunked(&input, max, chunk_bytes, capacity),
                bounded(&input, max)
            );
        }
    }

    use proptest::prelude::{Just, Strategy};
}
