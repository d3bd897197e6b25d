//! Reading records from an input (a file or standard input) in one of the
//! three formats, one record at a time.

use std::collections::HashSet;
use std::io::{BufRead, Read};

use crate::compile::val::Val;
use crate::compile::Compiled;
use crate::records::case::CaseRecord;
use crate::records::json::decode_line;
use crate::records::line_endings::NormalizedLines;
use crate::records::rejection::Rejection;
use crate::records::scalar::decode_text;
use crate::records::schema_index::{Key, SchemaIndex};
use crate::records::stream::without_compression_suffix;
use crate::ruleset::schema::FieldId;
use crate::source::LineStarts;
use crate::types::Type;

/// The formats nrscreen reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InputFormat {
    /// One JSON object per line.
    Jsonl,
    /// A header row, then one row per record (lists joined with `;`,
    /// `nri.*` columns, an empty cell is unknown).
    Csv,
    /// `[[case]]` tables.
    Toml,
}

impl InputFormat {
    /// The format a file name implies, if any, after a compression suffix
    /// (`cases.jsonl.gz` is JSON Lines).
    pub(crate) fn from_path(path: &str) -> Option<InputFormat> {
        let lower = without_compression_suffix(path).to_ascii_lowercase();
        // Not `.json`: a JSON file is usually one array, not JSON Lines.
        if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            Some(InputFormat::Jsonl)
        } else if lower.ends_with(".csv") {
            Some(InputFormat::Csv)
        } else if lower.ends_with(".toml") {
            Some(InputFormat::Toml)
        } else {
            None
        }
    }
}

/// What reading one record produced.
pub(crate) enum Read1 {
    /// A record was decoded into the buffer; the line it starts on.
    Record(usize),
    /// The record was rejected.
    Rejected(Rejection),
}

/// A source of records.
pub(crate) trait RecordReader {
    /// Reads the next record into `record`; `None` at the end of the input.
    fn next_record(&mut self, record: &mut CaseRecord) -> std::io::Result<Option<Read1>>;

    /// The text of the record last read (for the rejects file).
    fn raw(&self) -> String;
}

/// The largest TOML batch read (TOML batches are parsed whole, at about
/// 6 KB of memory per case).
pub(crate) const MAX_TOML_BATCH_BYTES: usize = 64 << 20;

/// The default of `--max-record-bytes`: the longest JSON Lines record read.
pub(crate) const MAX_RECORD_BYTES: usize = 16 << 20;

/// Opens a reader for `input` (already opened as a byte stream). A JSON
/// Lines or CSV record longer than `max_record_bytes` is rejected without
/// being held in memory.
pub(crate) fn reader<'a>(
    compiled: &'a Compiled,
    index: &'a SchemaIndex,
    name: String,
    format: InputFormat,
    input: Box<dyn BufRead + 'a>,
    unknown_keys: &'a mut HashSet<String>,
    max_record_bytes: usize,
) -> std::io::Result<Box<dyn RecordReader + 'a>> {
    Ok(match format {
        InputFormat::Jsonl => Box::new(JsonLines {
            compiled,
            index,
            name,
            input,
            line: 0,
            buffer: Vec::new(),
            unknown_keys,
            max_record_bytes,
        }),
        InputFormat::Csv => Box::new(CsvRecords::new(
            compiled,
            index,
            name,
            input,
            unknown_keys,
            max_record_bytes,
        )?),
        InputFormat::Toml => Box::new(TomlCases::new(compiled, index, name, input, unknown_keys)?),
    })
}

struct JsonLines<'a> {
    compiled: &'a Compiled,
    index: &'a SchemaIndex,
    name: String,
    input: Box<dyn BufRead + 'a>,
    line: usize,
    buffer: Vec<u8>,
    unknown_keys: &'a mut HashSet<String>,
    max_record_bytes: usize,
}

/// How much of an oversized record the rejects file keeps.
const OVERSIZED_PREVIEW: usize = 1024;

/// The rejection of a record longer than the limit, keeping the start of
/// what was read of it.
fn oversized(file: &str, line: usize, limit: usize, start: &str) -> Rejection {
    let mut raw: String = start.chars().take(OVERSIZED_PREVIEW).collect();
    raw.push('…');
    Rejection {
        file: file.to_string(),
        line,
        case_id: None,
        field: None,
        reason: format!(
            "the record is longer than {limit} bytes (--max-record-bytes); it was read past, not kept"
        ),
        raw,
    }
}

impl JsonLines<'_> {
    /// Reads the next line into the buffer, but never more than the record
    /// limit: the rest of a longer line is read past and dropped. Whether a
    /// line was read, and whether it was too long.
    fn read_line(&mut self) -> std::io::Result<Option<bool>> {
        self.buffer.clear();
        let mut read_any = false;
        let mut too_long = false;
        loop {
            let available = self.input.fill_buf()?;
            if available.is_empty() {
                break;
            }
            read_any = true;
            let (length, ends) = match available.iter().position(|&b| b == b'\n') {
                Some(at) => (at + 1, true),
                None => (available.len(), false),
            };
            if !too_long && self.buffer.len() + length > self.max_record_bytes {
                too_long = true;
                self.buffer.truncate(OVERSIZED_PREVIEW);
            }
            if !too_long {
                self.buffer.extend_from_slice(&available[..length]);
            } else if self.buffer.len() < OVERSIZED_PREVIEW {
                let keep = (OVERSIZED_PREVIEW - self.buffer.len()).min(length);
                self.buffer.extend_from_slice(&available[..keep]);
            }
            self.input.consume(length);
            if ends {
                break;
            }
        }
        Ok(read_any.then_some(too_long))
    }
}

impl RecordReader for JsonLines<'_> {
    fn raw(&self) -> String {
        String::from_utf8_lossy(&self.buffer).trim_end().to_string()
    }

    fn next_record(&mut self, record: &mut CaseRecord) -> std::io::Result<Option<Read1>> {
        loop {
            let Some(too_long) = self.read_line()? else {
                return Ok(None);
            };
            self.line += 1;
            if too_long {
                let raw = String::from_utf8_lossy(&self.buffer);
                return Ok(Some(Read1::Rejected(oversized(
                    &self.name,
                    self.line,
                    self.max_record_bytes,
                    &raw,
                ))));
            }
            let text = match std::str::from_utf8(&self.buffer) {
                Ok(text) => text.trim_end_matches(['\n', '\r']),
                Err(_) => {
                    return Ok(Some(Read1::Rejected(Rejection {
                        file: self.name.clone(),
                        line: self.line,
                        case_id: None,
                        field: None,
                        reason: "the line is not valid UTF-8".into(),
                        raw: String::from_utf8_lossy(&self.buffer).trim_end().to_string(),
                    })))
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            return Ok(Some(
                match decode_line(self.compiled, self.index, text, record, self.unknown_keys) {
                    Ok(()) => Read1::Record(self.line),
                    Err(e) => Read1::Rejected(Rejection {
                        file: self.name.clone(),
                        line: self.line,
                        case_id: (!record.case_id.is_empty()).then(|| record.case_id.clone()),
                        field: e.field,
                        reason: e.reason,
                        raw: text.to_string(),
                    }),
                },
            ));
        }
    }
}

struct CsvRecords<'a> {
    compiled: &'a Compiled,
    index: &'a SchemaIndex,
    name: String,
    reader: csv::Reader<NormalizedLines<Box<dyn BufRead + 'a>>>,
    columns: Vec<Column>,
    row: csv::StringRecord,
    /// Where the last record read ended in the parser's input.
    end: u64,
    /// The most bytes a record may have.
    max_record_bytes: usize,
}

#[derive(Clone, Copy)]
enum Column {
    CaseId,
    Field(FieldId),
    Ignored,
}

impl<'a> CsvRecords<'a> {
    fn new(
        compiled: &'a Compiled,
        index: &'a SchemaIndex,
        name: String,
        input: Box<dyn BufRead + 'a>,
        unknown_keys: &mut HashSet<String>,
        max_record_bytes: usize,
    ) -> std::io::Result<CsvRecords<'a>> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(NormalizedLines::new(input, b'"', max_record_bytes));
        let headers = reader.headers().map_err(csv_io)?.clone();
        let mut seen = std::collections::HashSet::new();
        if let Some(repeated) = headers.iter().find(|h| !seen.insert(*h)) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("column `{repeated}` appears twice in the header of `{name}`"),
            ));
        }
        let columns = headers
            .iter()
            .map(|h| match (h, index.dotted(h)) {
                ("case_id", _) => Column::CaseId,
                (_, Key::Field(id)) => Column::Field(id),
                (_, Key::Unknown) => {
                    unknown_keys.insert(h.to_string());
                    Column::Ignored
                }
            })
            .collect();
        let end = reader.position().byte();
        Ok(CsvRecords {
            compiled,
            index,
            name,
            reader,
            columns,
            row: csv::StringRecord::new(),
            end,
            max_record_bytes,
        })
    }

    fn decode(&self, record: &mut CaseRecord) -> Result<(), (Option<String>, String)> {
        record.clear();
        if self.row.len() != self.columns.len() {
            return Err((
                None,
                format!(
                    "the row has {} cells, the header has {}",
                    self.row.len(),
                    self.columns.len()
                ),
            ));
        }
        for (cell, column) in self.row.iter().zip(&self.columns) {
            let id = match column {
                Column::CaseId => {
                    record.case_id = cell.to_string();
                    continue;
                }
                Column::Ignored => continue,
                Column::Field(id) => *id,
            };
            if cell.is_empty() {
                continue;
            }
            let fail = |reason: String| (Some(self.index.name(id).to_string()), reason);
            let value = match self.index.ty(id) {
                Type::List(element) => {
                    let start = record.items.len();
                    if cell != "[]" {
                        for part in cell.split(';').map(str::trim) {
                            let v =
                                decode_text(self.compiled, record, element, part).map_err(fail)?;
                            record.items.push(v);
                        }
                    }
                    Val::List(start as u32, (record.items.len() - start) as u32)
                }
                Type::Record => {
                    return Err(fail(
                        "a group of fields is written as its `.`-named columns".into(),
                    ))
                }
                ty => decode_text(self.compiled, record, ty, cell).map_err(fail)?,
            };
            if self.index.is_used(id) {
                record.set(id, value);
            }
            // A non-empty `nri.*` cell means the `nri` group is present.
            let parent = self.compiled.program.schema.field(id).parent;
            if let Some(parent) = parent.filter(|p| self.index.is_used(*p)) {
                record.set(parent, Val::Present);
            }
        }
        if record.case_id.is_empty() {
            return Err((Some("case_id".into()), "the record has no `case_id`".into()));
        }
        Ok(())
    }

    fn raw(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let _ = writer.write_record(&self.row);
        let bytes = writer.into_inner().unwrap_or_default();
        String::from_utf8_lossy(&bytes).trim_end().to_string()
    }
}

fn csv_io(error: csv::Error) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, error.to_string())
}

impl RecordReader for CsvRecords<'_> {
    fn raw(&self) -> String {
        CsvRecords::raw(self)
    }

    fn next_record(&mut self, record: &mut CaseRecord) -> std::io::Result<Option<Read1>> {
        // Rows are read as bytes so that a row that is not UTF-8 can still
        // be kept, lossily, in the rejects file.
        let mut bytes = csv::ByteRecord::new();
        if !self.reader.read_byte_record(&mut bytes).map_err(csv_io)? {
            return Ok(None);
        }
        // The parser's own line count skips blank lines, and its record
        // start lies before them: the record's line is that of its last byte
        // (just before where the parser stands now), less the line breaks
        // inside its quoted cells.
        let end = self.reader.position().byte();
        let inside: u64 = bytes
            .iter()
            .map(|cell| cell.iter().filter(|&&b| b == b'\n').count() as u64)
            .sum();
        let last = self.reader.get_mut().line_of(end.saturating_sub(1));
        let line = last.saturating_sub(inside) as usize;
        let start = std::mem::replace(&mut self.end, end);
        if self.reader.get_mut().was_cut(start, end) {
            let raw: Vec<String> = bytes
                .iter()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect();
            return Ok(Some(Read1::Rejected(oversized(
                &self.name,
                line,
                self.max_record_bytes,
                &raw.join(","),
            ))));
        }
        self.row = match csv::StringRecord::from_byte_record(bytes) {
            Ok(row) => row,
            Err(error) => {
                let raw: Vec<String> = error
                    .into_byte_record()
                    .iter()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect();
                return Ok(Some(Read1::Rejected(Rejection {
                    file: self.name.clone(),
                    line,
                    case_id: None,
                    field: None,
                    reason: "the row is not valid UTF-8".into(),
                    raw: raw.join(","),
                })));
            }
        };
        Ok(Some(match self.decode(record) {
            Ok(()) => Read1::Record(line),
            Err((field, reason)) => Read1::Rejected(Rejection {
                file: self.name.clone(),
                line,
                case_id: (!record.case_id.is_empty()).then(|| record.case_id.clone()),
                field,
                reason,
                raw: self.raw(),
            }),
        }))
    }
}

/// `[[case]]` tables of a TOML file, read whole (TOML batches are small and
/// hand-written); each case is decoded like a JSON object.
struct TomlCases<'a> {
    compiled: &'a Compiled,
    index: &'a SchemaIndex,
    name: String,
    cases: std::vec::IntoIter<Result<(usize, String, String), Rejection>>,
    last_raw: String,
    unknown_keys: &'a mut HashSet<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    #[serde(default)]
    case: Vec<toml::Spanned<toml::Table>>,
}

impl<'a> TomlCases<'a> {
    fn new(
        compiled: &'a Compiled,
        index: &'a SchemaIndex,
        name: String,
        mut input: Box<dyn BufRead + 'a>,
        unknown_keys: &'a mut HashSet<String>,
    ) -> std::io::Result<TomlCases<'a>> {
        let mut text = String::new();
        // A TOML batch is parsed whole: its size is bounded before reading.
        input
            .by_ref()
            .take(MAX_TOML_BATCH_BYTES as u64 + 1)
            .read_to_string(&mut text)?;
        if text.len() > MAX_TOML_BATCH_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "`{name}` is a TOML batch over {} MiB; TOML batches are read whole, so write large batches as JSON Lines or CSV",
                    MAX_TOML_BATCH_BYTES >> 20
                ),
            ));
        }
        let lines = LineStarts::new(&text);
        let line_of = |offset: usize| lines.line_index(offset) + 1;
        let cases: Vec<Result<(usize, String, String), Rejection>> =
            match toml::from_str::<TomlFile>(&text) {
                Ok(file) => file
                    .case
                    .into_iter()
                    .map(|case| {
                        let span = case.span();
                        let line = line_of(span.start);
                        let raw = text.get(span).unwrap_or("").trim().to_string();
                        let case = case.into_inner();
                        if let Some((field, spelling)) = non_finite_float(&case) {
                            return Err(Rejection {
                                file: name.clone(),
                                line,
                                case_id: case
                                    .get("case_id")
                                    .and_then(toml::Value::as_str)
                                    .map(str::to_string),
                                field: Some(field),
                                reason: format!("found `{spelling}`, not a finite number"),
                                raw,
                            });
                        }
                        let json = serde_json::to_string(&toml_to_json(toml::Value::Table(case)))
                            .unwrap_or_default();
                        Ok((line, json, raw))
                    })
                    .collect(),
                Err(error) => {
                    // The file cannot be read at all: every `[[case]]` in it is
                    // set aside (one rejection each, with its own text), so the
                    // counts still say how many records there were.
                    let reason = format!(
                    "the file is not valid TOML ({}, line {}), so none of its cases can be read",
                    error.message().trim(),
                    line_of(error.span().map_or(0, |s| s.start))
                );
                    let starts: Vec<usize> =
                        text.match_indices("[[case]]").map(|(i, _)| i).collect();
                    if starts.is_empty() {
                        vec![Err(Rejection {
                            file: name.clone(),
                            line: line_of(error.span().map_or(0, |s| s.start)),
                            case_id: None,
                            field: None,
                            reason,
                            raw: text.clone(),
                        })]
                    } else {
                        starts
                            .iter()
                            .enumerate()
                            .map(|(i, &start)| {
                                let end = starts.get(i + 1).copied().unwrap_or(text.len());
                                Err(Rejection {
                                    file: name.clone(),
                                    line: line_of(start),
                                    case_id: None,
                                    field: None,
                                    reason: reason.clone(),
                                    raw: text[start..end].trim().to_string(),
                                })
                            })
                            .collect()
                    }
                }
            };
        Ok(TomlCases {
            compiled,
            index,
            name,
            cases: cases.into_iter(),
            last_raw: String::new(),
            unknown_keys,
        })
    }
}

/// The dotted name of the first value in `table` that is TOML's `nan`,
/// `inf` or `-inf` (in a list, the list's), and that spelling. JSON has no
/// such values: [`toml_to_json`] would make them `null`, unknown.
pub(crate) fn non_finite_float(table: &toml::Table) -> Option<(String, &'static str)> {
    table.iter().find_map(|(key, value)| match value {
        toml::Value::Table(inner) => {
            non_finite_float(inner).map(|(name, found)| (format!("{key}.{name}"), found))
        }
        _ => non_finite_spelling(value).map(|found| (key.clone(), found)),
    })
}

fn non_finite_spelling(value: &toml::Value) -> Option<&'static str> {
    match value {
        toml::Value::Float(f) if f.is_nan() => Some("nan"),
        toml::Value::Float(f) if f.is_infinite() => Some(if *f > 0.0 { "inf" } else { "-inf" }),
        toml::Value::Array(items) => items.iter().find_map(non_finite_spelling),
        toml::Value::Table(table) => non_finite_float(table).map(|(_, found)| found),
        _ => None,
    }
}

/// TOML values as JSON (dates become `YYYY-MM-DD` text; see
/// [`non_finite_float`] for what JSON cannot hold).
pub(crate) fn toml_to_json(value: toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(s) => serde_json::Value::String(s),
        toml::Value::Integer(i) => serde_json::Value::from(i),
        toml::Value::Float(f) => serde_json::Value::from(f),
        toml::Value::Boolean(b) => serde_json::Value::Bool(b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(toml_to_json).collect())
        }
        toml::Value::Table(table) => serde_json::Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

impl RecordReader for TomlCases<'_> {
    fn raw(&self) -> String {
        self.last_raw.clone()
    }

    fn next_record(&mut self, record: &mut CaseRecord) -> std::io::Result<Option<Read1>> {
        let Some(case) = self.cases.next() else {
            return Ok(None);
        };
        let (line, json, raw) = match case {
            Ok(case) => case,
            Err(rejection) => return Ok(Some(Read1::Rejected(rejection))),
        };
        self.last_raw.clone_from(&raw);
        Ok(Some(
            match decode_line(self.compiled, self.index, &json, record, self.unknown_keys) {
                Ok(()) => Read1::Record(line),
                Err(e) => Read1::Rejected(Rejection {
                    file: self.name.clone(),
                    line,
                    case_id: (!record.case_id.is_empty()).then(|| record.case_id.clone()),
                    field: e.field,
                    reason: e.reason,
                    raw,
                }),
            },
        ))
    }
}
