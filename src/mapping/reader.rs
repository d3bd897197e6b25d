//! Reading records through a mapping: rows of a delimited file, decoded
//! from the mapping's text encoding, each cell mapped to its field.

use std::collections::HashMap;
use std::io::BufRead;

use crate::compile::Compiled;
use crate::diagnostic::Diagnostic;
use crate::records::case::CaseRecord;
use crate::records::input::{Read1, RecordReader};
use crate::records::rejection::Rejection;

use crate::records::escaped_rows::EscapedRows;

use super::bind::{bind, Binding};
use super::cells::{Cell, Filler, RowNotes};
use super::{Mapping, SourceFormat};

/// How many distinct uncovered values are counted per field; more are
/// counted together.
pub(crate) const MAX_DISTINCT_UNCOVERED: usize = 1000;

/// Values no table, converter or date format covered, counted.
#[derive(Debug, Default)]
pub(crate) struct UncoveredCounts {
    /// Per bound field: value → (count, first lines).
    pub by_field: HashMap<usize, HashMap<String, (u64, Vec<usize>)>>,
    /// Values not kept apart once a field had too many distinct ones.
    pub others: HashMap<usize, u64>,
}

impl UncoveredCounts {
    fn add(&mut self, field: usize, text: &str, line: usize) {
        let values = self.by_field.entry(field).or_default();
        if let Some((count, lines)) = values.get_mut(text) {
            *count += 1;
            if lines.len() < 5 {
                lines.push(line);
            }
        } else if values.len() < MAX_DISTINCT_UNCOVERED {
            values.insert(text.to_string(), (1, vec![line]));
        } else {
            *self.others.entry(field).or_default() += 1;
        }
    }
}

/// Where rows come from: the `csv` crate, or the escaped dialect it does
/// not read.
enum Rows<'a> {
    Csv(csv::Reader<Box<dyn BufRead + 'a>>),
    Escaped(EscapedRows<Box<dyn BufRead + 'a>>),
}

impl Rows<'_> {
    /// Reads the next row: its line and whether it was cut at the limit.
    fn next(
        &mut self,
        row: &mut csv::ByteRecord,
        last_line: usize,
    ) -> std::io::Result<Option<(usize, bool)>> {
        match self {
            Rows::Csv(reader) => {
                let more = reader.read_byte_record(row).map_err(|e| {
                    std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())
                })?;
                Ok(more.then(|| {
                    (
                        row.position().map_or(last_line + 1, |p| p.line() as usize),
                        false,
                    )
                }))
            }
            Rows::Escaped(rows) => Ok(rows.next_row(row)?.map(|r| (r.line, r.cut))),
        }
    }
}

/// Records of a delimited file read through a mapping.
pub(crate) struct MappedRecords<'a> {
    compiled: &'a Compiled,
    mapping: &'a Mapping,
    /// The mapping matched to this file's header.
    pub binding: Binding,
    filler: Filler<'a>,
    name: String,
    rows: Rows<'a>,
    /// Whether the last row was cut at the size limit.
    cut: bool,
    bytes: csv::ByteRecord,
    cells: Vec<String>,
    delimiter: u8,
    /// What mapping the last row produced.
    pub notes: RowNotes,
    /// The line of the last row.
    pub line: usize,
    /// Uncovered values so far.
    pub uncovered: UncoveredCounts,
}

/// Why a mapped input could not be opened.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// Reading failed.
    Io(std::io::Error),
    /// The mapping does not fit the file (diagnostics into the mapping).
    Mismatch(Vec<Diagnostic>),
}

impl From<std::io::Error> for OpenError {
    fn from(error: std::io::Error) -> Self {
        OpenError::Io(error)
    }
}

impl<'a> MappedRecords<'a> {
    /// Opens `input` (named `name`) for reading through `mapping`; the
    /// format is the mapping's, else `format`.
    pub(crate) fn open(
        compiled: &'a Compiled,
        mapping: &'a Mapping,
        name: String,
        format: SourceFormat,
        input: Box<dyn BufRead + 'a>,
    ) -> Result<MappedRecords<'a>, OpenError> {
        let spec = &mapping.input;
        let format = spec.format.unwrap_or(format);
        if format == SourceFormat::Jsonl {
            return Err(OpenError::Io(std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "mapped JSON Lines input is not supported yet; use csv or tsv",
            )));
        }
        let delimiter = spec.delimiter.unwrap_or(match format {
            SourceFormat::Tsv => b'\t',
            _ => b',',
        });
        let rows = match (spec.quote, spec.escape) {
            (None, Some(escape)) => Rows::Escaped(EscapedRows::new(
                input,
                delimiter,
                escape,
                crate::records::input::MAX_RECORD_BYTES,
            )),
            (quote, escape) => {
                let mut builder = csv::ReaderBuilder::new();
                builder
                    .delimiter(delimiter)
                    .has_headers(false)
                    .flexible(true)
                    .double_quote(escape.is_none())
                    .escape(escape);
                match quote {
                    Some(q) => builder.quote(q),
                    None => builder.quoting(false),
                };
                Rows::Csv(builder.from_reader(input))
            }
        };
        let mut records = MappedRecords {
            compiled,
            mapping,
            binding: Binding {
                header: Vec::new(),
                fields: Vec::new(),
                columns: Vec::new(),
            },
            filler: Filler::new(compiled, mapping),
            name,
            rows,
            cut: false,
            bytes: csv::ByteRecord::new(),
            cells: Vec::new(),
            delimiter,
            notes: RowNotes::default(),
            line: 0,
            uncovered: UncoveredCounts::default(),
        };
        let header: Vec<String> = if spec.header {
            if !records.read_row().map_err(OpenError::Io)? {
                Vec::new()
            } else {
                match records.decode_cells() {
                    Ok(()) => records.cells.clone(),
                    Err(why) => {
                        return Err(OpenError::Io(std::io::Error::new(
                            std::io::ErrorKind::InvalidData,
                            format!("the header of `{}` {why}", records.name),
                        )))
                    }
                }
            }
        } else {
            Vec::new()
        };
        let header = if spec.header {
            header
                .into_iter()
                .enumerate()
                .map(|(i, h)| {
                    if i == 0 {
                        h.trim_start_matches('\u{feff}').to_string()
                    } else {
                        h
                    }
                })
                .collect::<Vec<String>>()
        } else {
            // Columns are named by number; how many there are is not known
            // before the first row, so every number a mapping uses is a
            // column.
            let most = mapping
                .fields
                .iter()
                .flat_map(|f| f.columns.iter())
                .filter_map(|(c, _)| c.trim().parse::<usize>().ok())
                .max()
                .unwrap_or(0);
            (1..=most).map(|i| i.to_string()).collect::<Vec<String>>()
        };
        records.binding = bind(mapping, &compiled.program.schema, &header, &records.name)
            .map_err(OpenError::Mismatch)?;
        Ok(records)
    }

    /// Reads the next row's bytes; false at the end.
    fn read_row(&mut self) -> std::io::Result<bool> {
        match self.rows.next(&mut self.bytes, self.line)? {
            Some((line, cut)) => {
                self.line = line;
                self.cut = cut;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Decodes the row's cells from the mapping's encoding.
    fn decode_cells(&mut self) -> Result<(), String> {
        let encoding = self.mapping.input.encoding;
        self.cells.resize(self.bytes.len(), String::new());
        self.cells.truncate(self.bytes.len());
        for (cell, bytes) in self.cells.iter_mut().zip(self.bytes.iter()) {
            cell.clear();
            match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
                Some(text) => cell.push_str(&text),
                None => return Err(format!("is not valid {} text", encoding.name())),
            }
        }
        Ok(())
    }

    /// The row as read, lossily, for the rejects file.
    fn raw_row(&self) -> String {
        let encoding = self.mapping.input.encoding;
        let cells: Vec<String> = self
            .bytes
            .iter()
            .map(|b| encoding.decode_without_bom_handling(b).0.into_owned())
            .collect();
        cells.join(&char::from(self.delimiter).to_string())
    }

    /// Maps the decoded row into `record`, noting problems.
    fn map_row(&mut self, record: &mut CaseRecord) {
        record.clear();
        let fields = self.compiled.program.schema.fields.len();
        self.notes.clear(fields);
        self.filler.constants(record, &mut self.notes);
        let mut cells: Vec<(Cell<'_>, usize, &str)> = Vec::new();
        for (index, bound) in self.binding.fields.iter().enumerate() {
            cells.clear();
            for (position, (name, _)) in bound.columns.iter().zip(&bound.map.columns) {
                let cell = match position {
                    Some(p) => match self.cells.get(*p) {
                        Some(text) => Cell::Text(text.as_str()),
                        None => Cell::Missing,
                    },
                    None => Cell::Missing,
                };
                cells.push((cell, position.unwrap_or(usize::MAX), name.as_str()));
            }
            self.filler
                .field(index, &bound.map, &cells, record, &mut self.notes);
        }
        for uncovered in &self.notes.uncovered {
            self.uncovered
                .add(uncovered.field, &uncovered.text, self.line);
        }
        if record.case_id.is_empty() && self.notes.problems.is_empty() {
            let column = self
                .binding
                .fields
                .iter()
                .find(|f| f.map.name == "case_id")
                .and_then(|f| f.map.columns.first())
                .map(|(c, _)| c.clone());
            self.notes.problems.push(super::cells::CellProblem {
                field: "case_id".into(),
                column,
                reason: "the record has no case id".into(),
                kind: "missing-case-id",
            });
        }
    }
}

impl RecordReader for MappedRecords<'_> {
    fn raw(&self) -> String {
        self.raw_row()
    }

    fn next_record(&mut self, record: &mut CaseRecord) -> std::io::Result<Option<Read1>> {
        loop {
            if !self.read_row()? {
                return Ok(None);
            }
            // A blank line is no record.
            if self.bytes.len() == 1 && self.bytes.get(0).is_some_and(|c| c.is_empty()) {
                continue;
            }
            break;
        }
        let expected = self.binding.header.len();
        let problem = if self.cut {
            Some((
                format!(
                    "the record is longer than {} bytes; it was read past, not kept",
                    crate::records::input::MAX_RECORD_BYTES
                ),
                "too-long",
            ))
        } else if self.mapping.input.header && self.bytes.len() != expected {
            Some((
                format!(
                    "the row has {} cells, the header has {expected}; a cell may hold an unescaped delimiter",
                    self.bytes.len()
                ),
                "wrong-cell-count",
            ))
        } else {
            None
        };
        if let Some((reason, _kind)) = problem {
            record.clear();
            return Ok(Some(Read1::Rejected(Rejection {
                file: self.name.clone(),
                line: self.line,
                case_id: None,
                field: None,
                reason,
                raw: self.raw_row(),
            })));
        }
        if let Err(why) = self.decode_cells() {
            record.clear();
            return Ok(Some(Read1::Rejected(Rejection {
                file: self.name.clone(),
                line: self.line,
                case_id: None,
                field: None,
                reason: format!("the row {why}"),
                raw: self.raw_row(),
            })));
        }
        self.map_row(record);
        if self.notes.problems.is_empty() {
            return Ok(Some(Read1::Record(self.line)));
        }
        let problems = &self.notes.problems;
        let described: Vec<String> = problems
            .iter()
            .map(|p| match &p.column {
                Some(column) => format!("field `{}` (column `{column}`): {}", p.field, p.reason),
                None => format!("field `{}`: {}", p.field, p.reason),
            })
            .collect();
        Ok(Some(Read1::Rejected(Rejection {
            file: self.name.clone(),
            line: self.line,
            case_id: (!record.case_id.is_empty()).then(|| record.case_id.clone()),
            field: problems.first().map(|p| p.field.clone()),
            reason: described.join("; "),
            raw: self.raw_row(),
        })))
    }
}
