//! Rows of delimited text (CSV, TSV, or any [`Dialect`]), read as bytes
//! with the exact line each starts on, independently of any schema: the
//! `csv` crate's parser over [`NormalizedLines`], which normalises line
//! endings outside quoted cells, counts lines (blank ones too) and cuts a
//! row longer than the limit, reading past the rest of it without holding
//! it.
//!
//! The schema's CSV and TSV records (`input.rs`) decode these rows; a
//! reader that maps other columns can read them the same way.

use std::io::{self, BufRead};

use csv::ByteRecord;

use crate::records::line_endings::{NormalizedLines, Syntax};

/// How a delimited file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Dialect {
    /// The byte between cells (`,`, a tab, `;`, …).
    pub delimiter: u8,
    /// The byte that quotes a cell (`"`), if cells may be quoted. A quote
    /// opens a quoted cell only at the cell's start; inside one, a doubled
    /// quote is a quote.
    pub quote: Option<u8>,
    /// The byte that makes the next byte of a quoted cell text (`\` in
    /// `"a \" b"`), if any.
    pub escape: Option<u8>,
    /// Whether the first row names the columns.
    pub header: bool,
}

impl Dialect {
    /// RFC 4180 CSV with a header row.
    pub(crate) const CSV: Dialect = Dialect {
        delimiter: b',',
        quote: Some(b'"'),
        escape: None,
        header: true,
    };

    /// Tab-separated values with a header row; a cell may be quoted as in
    /// CSV (spreadsheets quote cells holding tabs, quotes or line breaks).
    pub(crate) const TSV: Dialect = Dialect {
        delimiter: b'\t',
        quote: Some(b'"'),
        escape: None,
        header: true,
    };

    fn syntax(self) -> Syntax {
        Syntax {
            delimiter: self.delimiter,
            quote: self.quote,
            escape: self.escape,
        }
    }

    /// A row written back as text in this dialect (lossily, if a cell is
    /// not UTF-8): the raw text of a rejected row.
    pub(crate) fn write_row(self, row: &ByteRecord) -> String {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .quote(self.quote.unwrap_or(b'"'))
            .quote_style(if self.quote.is_some() {
                csv::QuoteStyle::Necessary
            } else {
                csv::QuoteStyle::Never
            })
            .escape(self.escape.unwrap_or(b'"'))
            .double_quote(self.escape.is_none())
            .from_writer(Vec::new());
        let _ = writer.write_byte_record(row);
        let bytes = writer.into_inner().unwrap_or_default();
        String::from_utf8_lossy(&bytes).trim_end().to_string()
    }
}

/// Where a row was, and whether it was whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RowInfo {
    /// The 1-based line the row starts on (blank lines and line breaks
    /// inside quoted cells counted).
    pub line: usize,
    /// The row passed the byte limit: it was cut there and the rest read
    /// past; its cells are only its start.
    pub cut: bool,
}

/// Reads the rows of a delimited stream one at a time.
pub(crate) struct RowReader<R> {
    reader: csv::Reader<NormalizedLines<R>>,
    dialect: Dialect,
    /// The header row, when the dialect has one.
    header: Option<ByteRecord>,
    /// Where the last row read ended in the parser's input.
    end: u64,
    /// The most bytes a row may have.
    max_row_bytes: usize,
}

impl<R: BufRead> RowReader<R> {
    /// A reader of `input` in `dialect`; a row may have at most
    /// `max_row_bytes` bytes. With a header, its row is read now: an error
    /// if it is longer than the limit.
    pub(crate) fn new(
        input: R,
        dialect: Dialect,
        max_row_bytes: usize,
    ) -> io::Result<RowReader<R>> {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(dialect.delimiter)
            .quoting(dialect.quote.is_some())
            .quote(dialect.quote.unwrap_or(b'"'))
            .escape(dialect.escape)
            .from_reader(NormalizedLines::new(input, dialect.syntax(), max_row_bytes));
        let mut rows = RowReader {
            reader,
            dialect,
            header: None,
            end: 0,
            max_row_bytes,
        };
        if dialect.header {
            let mut header = ByteRecord::new();
            if let Some(info) = rows.next_row(&mut header)? {
                if info.cut {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("the header row is longer than {max_row_bytes} bytes"),
                    ));
                }
            }
            rows.header = Some(header);
        }
        Ok(rows)
    }

    /// The dialect read.
    pub(crate) fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The most bytes a row may have (a longer one is cut).
    pub(crate) fn max_row_bytes(&self) -> usize {
        self.max_row_bytes
    }

    /// The header row (empty for an empty stream); `None` when the dialect
    /// has none.
    pub(crate) fn header(&self) -> Option<&ByteRecord> {
        self.header.as_ref()
    }

    /// Reads the next row into `row`: its line and whether it was cut;
    /// `None` at the end of the stream.
    pub(crate) fn next_row(&mut self, row: &mut ByteRecord) -> io::Result<Option<RowInfo>> {
        if !self.reader.read_byte_record(row).map_err(csv_io)? {
            return Ok(None);
        }
        // The parser's own line count skips blank lines, and its record
        // start lies before them: the row's line is that of its last byte
        // (just before where the parser stands now), less the line breaks
        // inside its quoted cells.
        let end = self.reader.position().byte();
        let inside = row.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
        let last = self.reader.get_mut().line_of(end.saturating_sub(1));
        let line = last.saturating_sub(inside) as usize;
        let start = std::mem::replace(&mut self.end, end);
        let cut = self.reader.get_mut().was_cut(start, end);
        Ok(Some(RowInfo { line, cut }))
    }
}

/// A `csv` error (only an I/O error can happen: rows are read as bytes and
/// may have any number of cells) as an I/O error.
fn csv_io(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::new(io::ErrorKind::InvalidData, format!("{other:?}")),
    }
}

/// When a header row is one cell holding another common delimiter (a tab,
/// `,`, `;` or `|`) and not the dialect's: that delimiter. The file is most
/// likely written with it (a TSV file read as CSV, a spreadsheet's
/// `;`-separated export), and every row would be read as one cell.
pub(crate) fn other_delimiter(header: &ByteRecord, dialect: Dialect) -> Option<u8> {
    if header.len() != 1 {
        return None;
    }
    let cell = header.get(0)?;
    [b'\t', b',', b';', b'|']
        .into_iter()
        .find(|&d| d != dialect.delimiter && cell.contains(&d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(input: &[u8], dialect: Dialect, max: usize) -> Vec<(Vec<String>, RowInfo)> {
        let mut reader = RowReader::new(input, dialect, max).unwrap();
        let mut row = ByteRecord::new();
        let mut out = Vec::new();
        while let Some(info) = reader.next_row(&mut row).unwrap() {
            let cells = row
                .iter()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect();
            out.push((cells, info));
        }
        out
    }

    fn line(line: usize) -> RowInfo {
        RowInfo { line, cut: false }
    }

    #[test]
    fn rows_come_with_their_exact_lines() {
        let input = b"a,b\r\n\r\n1,\"x\r\ny\"\n\n2,z\n";
        let read = rows(input, Dialect::CSV, 1000);
        assert_eq!(
            read,
            [
                (vec!["1".into(), "x\r\ny".into()], line(3)),
                (vec!["2".into(), "z".into()], line(6)),
            ]
        );
        let reader = RowReader::new(&input[..], Dialect::CSV, 1000).unwrap();
        assert_eq!(reader.header().unwrap(), &ByteRecord::from(vec!["a", "b"]));
    }

    #[test]
    fn tsv_cells_may_hold_commas_and_quotes() {
        let input = b"case_id\tnote\nA\t5'10\", tall\nB\t\"two\tcells? no\"\n";
        let read = rows(input, Dialect::TSV, 1000);
        assert_eq!(read[0].0, ["A", "5'10\", tall"]);
        assert_eq!(read[1].0, ["B", "two\tcells? no"]);
        assert_eq!((read[0].1.line, read[1].1.line), (2, 3));
    }

    #[test]
    fn an_escape_byte_keeps_a_quote_inside_its_cell() {
        let dialect = Dialect {
            escape: Some(b'\\'),
            ..Dialect::CSV
        };
        let input = b"a,b\n1,\"say \\\"hi\\\",\r\nthen\"\n2,x\n";
        let read = rows(input, dialect, 1000);
        assert_eq!(read[0].0, ["1", "say \"hi\",\r\nthen"]);
        assert_eq!(read[1], (vec!["2".into(), "x".into()], line(4)));
        let mut row = ByteRecord::new();
        row.push_field(b"say \"hi\"");
        assert_eq!(dialect.write_row(&row), "\"say \\\"hi\\\"\"");
    }

    #[test]
    fn a_row_past_the_limit_is_cut_and_later_lines_stay_right() {
        let input = b"a\nshort\nlooooooooong\n\"quoted\nand long\"\nok\n";
        let read = rows(input, Dialect::CSV, 6);
        let infos: Vec<RowInfo> = read.iter().map(|(_, info)| *info).collect();
        assert_eq!(
            infos,
            [
                line(2),
                RowInfo { line: 3, cut: true },
                RowInfo { line: 4, cut: true },
                line(6)
            ]
        );
        let error = RowReader::new(&b"a very long header\n"[..], Dialect::CSV, 6)
            .err()
            .unwrap();
        assert!(error.to_string().contains("header row is longer than 6"));
    }

    #[test]
    fn without_a_header_the_first_row_is_data() {
        let dialect = Dialect {
            header: false,
            quote: None,
            ..Dialect::TSV
        };
        let read = rows(b"\"a\tb\n", dialect, 100);
        assert_eq!(read, [(vec!["\"a".into(), "b".into()], line(1))]);
        assert!(RowReader::new(&b""[..], dialect, 100)
            .unwrap()
            .header()
            .is_none());
    }

    #[test]
    fn a_header_in_another_delimiter_is_recognised() {
        let header = |text: &str| ByteRecord::from(vec![text]);
        assert_eq!(
            other_delimiter(&header("case_id\tage"), Dialect::CSV),
            Some(b'\t')
        );
        assert_eq!(
            other_delimiter(&header("case_id;age"), Dialect::CSV),
            Some(b';')
        );
        assert_eq!(
            other_delimiter(&header("case_id,age"), Dialect::TSV),
            Some(b',')
        );
        assert_eq!(other_delimiter(&header("case_id"), Dialect::CSV), None);
        let two = ByteRecord::from(vec!["a\tb", "c"]);
        assert_eq!(other_delimiter(&two, Dialect::CSV), None);
    }
}
