//! Rows of a delimited file written without quotes, where an escape
//! character makes the next character part of the cell: the "excel-tab with
//! escapechar" dialect of the public immigration-court data (`\<TAB>` is a
//! tab inside a cell, `\\` a backslash, `\` before a line break a line break
//! inside a cell; before any other character the backslash is dropped and
//! the character kept, as Python's `csv` module reads it). The `csv` crate
//! knows escapes only inside quoted cells, hence this small reader.

use std::io::{self, BufRead};

use csv::ByteRecord;

use super::delimited::RowInfo;

/// Reads escaped rows one at a time, in bounded memory.
pub(crate) struct EscapedRows<R> {
    input: R,
    delimiter: u8,
    escape: u8,
    /// Lines passed so far.
    lines: usize,
    /// The most bytes a row may have; a longer one is cut and read past.
    max_row_bytes: usize,
    cell: Vec<u8>,
}

impl<R: BufRead> EscapedRows<R> {
    /// A reader of `input`.
    pub(crate) fn new(input: R, delimiter: u8, escape: u8, max_row_bytes: usize) -> Self {
        EscapedRows {
            input,
            delimiter,
            escape,
            lines: 0,
            max_row_bytes,
            cell: Vec::new(),
        }
    }

    /// Reads the next row that is not blank into `row`; `None` at the end.
    pub(crate) fn next_row(&mut self, row: &mut ByteRecord) -> io::Result<Option<RowInfo>> {
        loop {
            row.clear();
            self.cell.clear();
            let line = self.lines + 1;
            let mut bytes = 0usize;
            let mut cut = false;
            let mut escaped = false;
            let mut any = false;
            let mut ended = false;
            while !ended {
                let available = self.input.fill_buf()?;
                if available.is_empty() {
                    break;
                }
                any = true;
                let mut used = 0;
                for &b in available {
                    used += 1;
                    if b == b'\n' {
                        self.lines += 1;
                    }
                    if escaped {
                        escaped = false;
                        push(&mut self.cell, b, &mut bytes, self.max_row_bytes, &mut cut);
                        continue;
                    }
                    if b == self.escape {
                        escaped = true;
                    } else if b == self.delimiter {
                        if !cut {
                            row.push_field(&self.cell);
                        }
                        self.cell.clear();
                        bytes += 1;
                    } else if b == b'\n' {
                        ended = true;
                        break;
                    } else {
                        push(&mut self.cell, b, &mut bytes, self.max_row_bytes, &mut cut);
                    }
                }
                self.input.consume(used);
            }
            if !any {
                return Ok(None);
            }
            // A backslash at the very end of the input stands for itself.
            if escaped {
                push(
                    &mut self.cell,
                    self.escape,
                    &mut bytes,
                    self.max_row_bytes,
                    &mut cut,
                );
            }
            if self.cell.last() == Some(&b'\r') && ended {
                self.cell.pop();
            }
            if !cut || row.is_empty() {
                row.push_field(&self.cell);
            }
            let blank = row.len() == 1 && row.get(0).is_some_and(<[u8]>::is_empty);
            if blank && !cut {
                if ended {
                    continue;
                }
                return Ok(None);
            }
            return Ok(Some(RowInfo { line, cut }));
        }
    }
}

/// Adds `b` to the cell unless the row is past the limit.
fn push(cell: &mut Vec<u8>, b: u8, bytes: &mut usize, limit: usize, cut: &mut bool) {
    *bytes += 1;
    if *bytes > limit {
        *cut = true;
    } else if !*cut {
        cell.push(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<(usize, bool, Vec<String>)> {
        let mut reader = EscapedRows::new(text.as_bytes(), b'\t', b'\\', 1 << 20);
        let mut row = ByteRecord::new();
        let mut out = Vec::new();
        while let Some(info) = reader.next_row(&mut row).unwrap() {
            let cells = row
                .iter()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect();
            out.push((info.line, info.cut, cells));
        }
        out
    }

    #[test]
    fn escapes_keep_delimiters_backslashes_and_line_breaks_in_cells() {
        let text = "a\tb\\\tc\td\n1\\\\2\t\"x\"\tz\nline\\\nbreak\tq\tr\n";
        assert_eq!(
            rows(text),
            vec![
                (1, false, vec!["a".into(), "b\tc".into(), "d".into()]),
                (2, false, vec!["1\\2".into(), "\"x\"".into(), "z".into()]),
                (3, false, vec!["line\nbreak".into(), "q".into(), "r".into()]),
            ]
        );
    }

    #[test]
    fn blank_lines_are_skipped_and_counted_and_crlf_is_a_line_end() {
        let text = "a\tb\r\n\r\n\nc\td\r\n";
        assert_eq!(
            rows(text),
            vec![
                (1, false, vec!["a".into(), "b".into()]),
                (4, false, vec!["c".into(), "d".into()]),
            ]
        );
    }

    #[test]
    fn a_stray_escape_is_dropped_and_one_at_the_end_kept() {
        assert_eq!(
            rows("a\\b\tc\\"),
            vec![(1, false, vec!["ab".into(), "c\\".into()])]
        );
    }

    #[test]
    fn a_row_past_the_limit_is_cut_and_read_past() {
        let long = "x".repeat(100);
        let text = format!("a\t{long}\tb\nc\td\n");
        let mut reader = EscapedRows::new(text.as_bytes(), b'\t', b'\\', 10);
        let mut row = ByteRecord::new();
        let first = reader.next_row(&mut row).unwrap().unwrap();
        assert!(first.cut);
        assert!(row.as_slice().len() <= 10);
        let second = reader.next_row(&mut row).unwrap().unwrap();
        assert_eq!((second.line, second.cut), (2, false));
        assert_eq!(row.iter().collect::<Vec<_>>(), vec![&b"c"[..], &b"d"[..]]);
    }
}
