//! Reading records from an input (a file or standard input) in one of the
//! three formats, one record at a time.

use std::collections::HashSet;
use std::io::{BufRead, Read};

use csv::ByteRecord;

use crate::compile::val::Val;
use crate::compile::Compiled;
use crate::records::case::CaseRecord;
use crate::records::delimited::{other_delimiter, Dialect, RowReader};
use crate::records::json::decode_line;
use crate::records::rejection::{Problem, ProblemKind, Rejection};
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
    /// As CSV, with tabs between cells.
    Tsv,
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
        } else if lower.ends_with(".tsv") || lower.ends_with(".tab") {
            Some(InputFormat::Tsv)
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

/// The default of `--max-record-bytes`: the longest JSON Lines, CSV or TSV
/// record read (decompressed).
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
        InputFormat::Csv | InputFormat::Tsv => Box::new(DelimitedRecords::new(
            compiled,
            index,
            name,
            RowReader::new(
                input,
                if format == InputFormat::Tsv {
                    Dialect::TSV
                } else {
                    Dialect::CSV
                },
                max_record_bytes,
            )?,
            unknown_keys,
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
pub(crate) const OVERSIZED_PREVIEW: usize = 1024;

/// The rejection of a record longer than the limit, keeping the start of
/// what was read of it.
pub(crate) fn oversized(file: &str, line: usize, limit: usize, start: &str) -> Rejection {
    let mut raw: String = start.chars().take(OVERSIZED_PREVIEW).collect();
    raw.push('…');
    Rejection::new(file, line, None, vec![too_long(limit)], raw)
}

/// The problem of a record longer than `limit` bytes.
pub(crate) fn too_long(limit: usize) -> Problem {
    Problem::new(
        ProblemKind::TooLong,
        format!(
            "the record is longer than {limit} bytes (--max-record-bytes); it was read past, not kept"
        ),
    )
}

/// What decoding the record at `file:line` into `record` came to: the
/// record, or its rejection with every problem, its case id if it was read,
/// and its raw text (made only then).
fn outcome(
    file: &str,
    line: usize,
    record: &CaseRecord,
    problems: Vec<Problem>,
    raw: impl FnOnce() -> String,
) -> Read1 {
    if problems.is_empty() {
        return Read1::Record(line);
    }
    let case_id = (!record.case_id.is_empty()).then(|| record.case_id.clone());
    Read1::Rejected(Rejection::new(file, line, case_id, problems, raw()))
}

/// Reads the next line of `input` into `buffer` (cleared first), but never
/// more than `max_bytes`: the rest of a longer line is read past and
/// dropped, its first [`OVERSIZED_PREVIEW`] bytes kept. Whether a line was
/// read, and whether it was too long.
pub(crate) fn read_bounded_line(
    input: &mut dyn BufRead,
    buffer: &mut Vec<u8>,
    max_bytes: usize,
) -> std::io::Result<Option<bool>> {
    buffer.clear();
    let mut read_any = false;
    let mut too_long = false;
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            break;
        }
        read_any = true;
        let (length, ends) = match memchr::memchr(b'\n', available) {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        if !too_long && buffer.len() + length > max_bytes {
            too_long = true;
            buffer.truncate(OVERSIZED_PREVIEW);
        }
        if !too_long {
            buffer.extend_from_slice(&available[..length]);
        } else if buffer.len() < OVERSIZED_PREVIEW {
            let keep = (OVERSIZED_PREVIEW - buffer.len()).min(length);
            buffer.extend_from_slice(&available[..keep]);
        }
        input.consume(length);
        if ends {
            break;
        }
    }
    Ok(read_any.then_some(too_long))
}

impl RecordReader for JsonLines<'_> {
    fn raw(&self) -> String {
        json_line_raw(&self.buffer)
    }

    fn next_record(&mut self, record: &mut CaseRecord) -> std::io::Result<Option<Read1>> {
        loop {
            let Some(too_long) =
                read_bounded_line(&mut self.input, &mut self.buffer, self.max_record_bytes)?
            else {
                return Ok(None);
            };
            self.line += 1;
            let decoded = decode_json_line(
                &JsonLineDecoder {
                    compiled: self.compiled,
                    index: self.index,
                    name: &self.name,
                    max_record_bytes: self.max_record_bytes,
                },
                self.line,
                &self.buffer,
                too_long,
                record,
                self.unknown_keys,
            );
            if let Some(read) = decoded {
                return Ok(Some(read));
            }
        }
    }
}

/// What decoding a JSON Lines line needs besides the line: the rules, the
/// schema's index, the input's name and the record limit.
pub(crate) struct JsonLineDecoder<'a> {
    /// The compiled rule set.
    pub compiled: &'a Compiled,
    /// The schema's field index.
    pub index: &'a SchemaIndex,
    /// The input's name as given.
    pub name: &'a str,
    /// `--max-record-bytes`.
    pub max_record_bytes: usize,
}

/// Decodes line `line` of a JSON Lines input, as [`read_bounded_line`]
/// read it into `buffer` (`too_long`: it was cut), into `record`: the
/// record, its rejection, or `None` for a blank line. One function for the
/// single-threaded reader and the workers of `--jobs`.
pub(crate) fn decode_json_line(
    decoder: &JsonLineDecoder<'_>,
    line: usize,
    buffer: &[u8],
    too_long: bool,
    record: &mut CaseRecord,
    unknown_keys: &mut HashSet<String>,
) -> Option<Read1> {
    if too_long {
        let raw = String::from_utf8_lossy(buffer);
        return Some(Read1::Rejected(oversized(
            decoder.name,
            line,
            decoder.max_record_bytes,
            &raw,
        )));
    }
    let text = match std::str::from_utf8(buffer) {
        Ok(text) => text.trim_end_matches(['\n', '\r']),
        Err(_) => {
            return Some(Read1::Rejected(Rejection::new(
                decoder.name,
                line,
                None,
                vec![Problem::new(
                    ProblemKind::NotUtf8,
                    "the line is not valid UTF-8",
                )],
                json_line_raw(buffer),
            )))
        }
    };
    if text.trim().is_empty() {
        return None;
    }
    let problems = decode_line(decoder.compiled, decoder.index, text, record, unknown_keys)
        .err()
        .unwrap_or_default();
    Some(outcome(decoder.name, line, record, problems, || {
        text.to_string()
    }))
}

/// The raw text of a JSON Lines line as the rejects file keeps it.
pub(crate) fn json_line_raw(buffer: &[u8]) -> String {
    String::from_utf8_lossy(buffer).trim_end().to_string()
}

/// CSV or TSV records: rows of a [`RowReader`] decoded against the schema
/// by their header (column names are field names, `nri.*` included).
struct DelimitedRecords<'a> {
    compiled: &'a Compiled,
    index: &'a SchemaIndex,
    name: String,
    rows: RowReader<Box<dyn BufRead + 'a>>,
    columns: Vec<Column>,
    row: ByteRecord,
}

#[derive(Clone, Copy)]
enum Column {
    CaseId,
    Field(FieldId),
    Ignored,
}

impl<'a> DelimitedRecords<'a> {
    fn new(
        compiled: &'a Compiled,
        index: &'a SchemaIndex,
        name: String,
        rows: RowReader<Box<dyn BufRead + 'a>>,
        unknown_keys: &mut HashSet<String>,
    ) -> std::io::Result<DelimitedRecords<'a>> {
        let refuse =
            |message: String| std::io::Error::new(std::io::ErrorKind::InvalidData, message);
        let dialect = rows.dialect();
        let empty = ByteRecord::new();
        let header = rows.header().unwrap_or(&empty);
        if let Some(found) = other_delimiter(header, dialect) {
            return Err(refuse(wrong_delimiter(dialect, found)));
        }
        let mut names = Vec::with_capacity(header.len());
        for cell in header {
            match std::str::from_utf8(cell) {
                Ok(cell) => names.push(cell),
                Err(_) => return Err(refuse(format!("the header of `{name}` is not valid UTF-8"))),
            }
        }
        let mut seen = HashSet::new();
        if let Some(repeated) = names.iter().find(|h| !seen.insert(**h)) {
            return Err(refuse(format!(
                "column `{repeated}` appears twice in the header of `{name}`"
            )));
        }
        let columns = names
            .iter()
            .map(|&h| match (h, index.dotted(h)) {
                ("case_id", _) => Column::CaseId,
                (_, Key::Field(id)) => Column::Field(id),
                (_, Key::Unknown) => {
                    unknown_keys.insert(h.to_string());
                    Column::Ignored
                }
            })
            .collect();
        Ok(DelimitedRecords {
            compiled,
            index,
            name,
            rows,
            columns,
            row: ByteRecord::new(),
        })
    }

    /// Decodes the current row into `record`: every cell, noting the
    /// problem of each bad one (it stays unknown).
    fn decode(&self, record: &mut CaseRecord) -> Vec<Problem> {
        record.clear();
        if self.row.len() != self.columns.len() {
            return vec![Problem::new(
                ProblemKind::WrongCellCount,
                format!(
                    "the row has {} cells, the header has {}",
                    self.row.len(),
                    self.columns.len()
                ),
            )];
        }
        let mut problems = Vec::new();
        for (cell, column) in self.row.iter().zip(&self.columns) {
            let cell = match (std::str::from_utf8(cell), column) {
                (_, Column::Ignored) => continue,
                (Ok(cell), _) => cell,
                (Err(_), _) => {
                    let field = match column {
                        Column::Field(id) => self.index.name(*id),
                        _ => "case_id",
                    };
                    problems.push(
                        Problem::new(ProblemKind::NotUtf8, "the cell is not valid UTF-8")
                            .on_field(field),
                    );
                    continue;
                }
            };
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
            match self.cell_value(record, id, cell) {
                Ok(value) => {
                    if self.index.is_used(id) {
                        record.set(id, value);
                    }
                    // A non-empty `nri.*` cell means the `nri` group is present.
                    let parent = self.compiled.program.schema.field(id).parent;
                    if let Some(parent) = parent.filter(|p| self.index.is_used(*p)) {
                        record.set(parent, Val::Present);
                    }
                }
                Err(problem) => problems.push(problem.on_field(self.index.name(id))),
            }
        }
        if record.case_id.is_empty()
            && !problems
                .iter()
                .any(|p| p.field.as_deref() == Some("case_id"))
        {
            problems.push(
                Problem::new(ProblemKind::MissingCaseId, "the record has no `case_id`")
                    .on_field("case_id"),
            );
        }
        problems
    }

    /// The value of a non-empty cell of field `id`.
    fn cell_value(&self, record: &mut CaseRecord, id: FieldId, cell: &str) -> Result<Val, Problem> {
        match self.index.ty(id) {
            Type::List(element) => {
                let start = record.items.len();
                if cell != "[]" {
                    for part in cell.split(';').map(str::trim) {
                        match decode_text(self.compiled, record, element, part) {
                            Ok(v) => record.items.push(v),
                            Err(problem) => {
                                record.items.truncate(start);
                                return Err(problem);
                            }
                        }
                    }
                }
                Ok(Val::List(start as u32, (record.items.len() - start) as u32))
            }
            Type::Record => Err(Problem::new(
                ProblemKind::WrongType,
                "a group of fields is written as its `.`-named columns",
            )),
            ty => decode_text(self.compiled, record, ty, cell),
        }
    }
}

/// Why a header of one cell holding `found` is refused, with what to do.
fn wrong_delimiter(dialect: Dialect, found: u8) -> String {
    let (looks, advice) = match found {
        b'\t' => (
            "tab-separated",
            "read it as TSV: name it `.tsv` or use --input-format tsv",
        ),
        b',' => (
            "comma-separated",
            "read it as CSV: name it `.csv` or use --input-format csv",
        ),
        _ => (
            "separated by another character",
            "save it with commas (CSV) or tabs (TSV) between cells",
        ),
    };
    let expected = if dialect.delimiter == b'\t' {
        "tabs"
    } else {
        "commas"
    };
    format!(
        "its header is one column holding `{}` and no {expected}: the file looks {looks}; {advice}",
        (found as char).escape_default()
    )
}

impl RecordReader for DelimitedRecords<'_> {
    fn raw(&self) -> String {
        self.rows.dialect().write_row(&self.row)
    }

    fn next_record(&mut self, record: &mut CaseRecord) -> std::io::Result<Option<Read1>> {
        let Some(info) = self.rows.next_row(&mut self.row)? else {
            return Ok(None);
        };
        if info.cut {
            return Ok(Some(Read1::Rejected(oversized(
                &self.name,
                info.line,
                self.rows.max_row_bytes(),
                &self.raw(),
            ))));
        }
        let problems = self.decode(record);
        Ok(Some(outcome(
            &self.name,
            info.line,
            record,
            problems,
            || self.raw(),
        )))
    }
}

/// `[[case]]` tables of a TOML file, read whole (TOML batches are small and
/// hand-written); each case is decoded like a JSON object.
struct TomlCases<'a> {
    compiled: &'a Compiled,
    index: &'a SchemaIndex,
    name: String,
    cases: std::vec::IntoIter<Result<TomlCase, Rejection>>,
    last_raw: String,
    unknown_keys: &'a mut HashSet<String>,
}

/// One `[[case]]` of a TOML batch, as JSON.
struct TomlCase {
    line: usize,
    json: String,
    raw: String,
    /// Its `nan`, `inf` and `-inf` values (`null` in the JSON).
    non_finite: Vec<Problem>,
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
        let cases: Vec<Result<TomlCase, Rejection>> = match toml::from_str::<TomlFile>(&text) {
            Ok(file) => file
                .case
                .into_iter()
                .map(|case| {
                    let span = case.span();
                    let line = line_of(span.start);
                    let raw = text.get(span).unwrap_or("").trim().to_string();
                    let case = case.into_inner();
                    let non_finite = non_finite_floats(&case)
                        .into_iter()
                        .map(|(field, spelling)| {
                            Problem::new(
                                ProblemKind::NotFinite,
                                format!("found `{spelling}`, not a finite number"),
                            )
                            .on_field(field)
                        })
                        .collect();
                    let json = serde_json::to_string(&toml_to_json(toml::Value::Table(case)))
                        .unwrap_or_default();
                    Ok(TomlCase {
                        line,
                        json,
                        raw,
                        non_finite,
                    })
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
                let starts: Vec<usize> = text.match_indices("[[case]]").map(|(i, _)| i).collect();
                let bad = || vec![Problem::new(ProblemKind::BadToml, reason.clone())];
                if starts.is_empty() {
                    vec![Err(Rejection::new(
                        &name,
                        line_of(error.span().map_or(0, |s| s.start)),
                        None,
                        bad(),
                        text.clone(),
                    ))]
                } else {
                    starts
                        .iter()
                        .enumerate()
                        .map(|(i, &start)| {
                            let end = starts.get(i + 1).copied().unwrap_or(text.len());
                            Err(Rejection::new(
                                &name,
                                line_of(start),
                                None,
                                bad(),
                                text[start..end].trim().to_string(),
                            ))
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

/// The dotted name of every value in `table` that is TOML's `nan`, `inf`
/// or `-inf` (in a list, the list's), with that spelling. JSON has no such
/// values: [`toml_to_json`] makes them `null`, unknown.
pub(crate) fn non_finite_floats(table: &toml::Table) -> Vec<(String, &'static str)> {
    let mut found = Vec::new();
    for (key, value) in table {
        match value {
            toml::Value::Table(inner) => found.extend(
                non_finite_floats(inner)
                    .into_iter()
                    .map(|(name, spelling)| (format!("{key}.{name}"), spelling)),
            ),
            _ => found.extend(non_finite_spelling(value).map(|spelling| (key.clone(), spelling))),
        }
    }
    found
}

fn non_finite_spelling(value: &toml::Value) -> Option<&'static str> {
    match value {
        toml::Value::Float(f) if f.is_nan() => Some("nan"),
        toml::Value::Float(f) if f.is_infinite() => Some(if *f > 0.0 { "inf" } else { "-inf" }),
        toml::Value::Array(items) => items.iter().find_map(non_finite_spelling),
        toml::Value::Table(table) => non_finite_floats(table).first().map(|(_, found)| *found),
        _ => None,
    }
}

/// TOML values as JSON (dates become `YYYY-MM-DD` text; see
/// [`non_finite_floats`] for what JSON cannot hold).
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
        let case = match case {
            Ok(case) => case,
            Err(rejection) => return Ok(Some(Read1::Rejected(rejection))),
        };
        self.last_raw.clone_from(&case.raw);
        let mut problems = case.non_finite;
        if let Err(more) = decode_line(
            self.compiled,
            self.index,
            &case.json,
            record,
            self.unknown_keys,
        ) {
            // A non-finite value is `null` in the JSON: what decoding says
            // of its field (a list element is null) is the same problem.
            let noted = problems.len();
            for problem in more {
                if !problems[..noted].iter().any(|p| p.field == problem.field) {
                    problems.push(problem);
                }
            }
        }
        Ok(Some(outcome(
            &self.name,
            case.line,
            record,
            problems,
            || case.raw,
        )))
    }
}
