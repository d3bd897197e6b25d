//! Reading records through a mapping: rows of a delimited file (or the
//! objects of a JSON Lines file), read as text through the stream layer
//! (decompressed, decoded from the mapping's encoding), each cell mapped to
//! its field.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;

use crate::compile::Compiled;
use crate::diagnostic::Diagnostic;
use crate::records::case::CaseRecord;
use crate::records::delimited::{Dialect, RowReader};
use crate::records::escaped_rows::EscapedRows;
use crate::records::input::{read_bounded_line, too_long, Read1, RecordReader};
use crate::records::rejection::{Problem, ProblemKind, Rejection};

use super::bind::{bind, Binding};
use super::cells::{Cell, Filler, RowNotes};
use super::{fold_column, Mapping, SourceFormat};

/// How many distinct uncovered values are counted per field; more are
/// counted together.
pub(crate) const MAX_DISTINCT_UNCOVERED: usize = 1000;

/// How many distinct JSON keys that nothing reads are remembered.
const MAX_EXTRA_KEYS: usize = 1000;

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

/// One cell as read: text, several values (a JSON array), or nothing.
#[derive(Clone, Debug, Default)]
enum CellText {
    #[default]
    Missing,
    Text(String),
    Items(Vec<String>),
}

/// Where rows come from.
enum Rows<'a> {
    /// The `csv` crate, through the line normaliser (exact lines, cut rows).
    Delimited(Box<RowReader<Box<dyn BufRead + 'a>>>),
    /// The escaped dialect the `csv` crate does not read.
    Escaped(EscapedRows<Box<dyn BufRead + 'a>>),
    /// One JSON object per line; its keys are the columns.
    Json {
        input: Box<dyn BufRead + 'a>,
        line: usize,
        buffer: Vec<u8>,
        /// Folded column name → position in the binding's header.
        columns: HashMap<String, usize>,
    },
}

/// What reading one row gave.
enum Row {
    /// Cells were read (into the reader's `text`, or `cells` for JSON).
    Cells,
    /// The row is set aside for this problem.
    Bad(Problem),
}

/// Records of one input read through a mapping.
pub(crate) struct MappedRecords<'a> {
    compiled: &'a Compiled,
    mapping: &'a Mapping,
    /// The mapping matched to this input's columns.
    pub binding: Binding,
    filler: Filler<'a>,
    name: String,
    rows: Rows<'a>,
    dialect: Dialect,
    max_record_bytes: usize,
    /// The last delimited row as read (while `text_row` does not hold it).
    bytes: csv::ByteRecord,
    /// The last delimited row, checked to be UTF-8 (its cells are read
    /// from here, not copied).
    text: csv::StringRecord,
    /// Whether `text` holds the last row (else `bytes` does).
    text_row: bool,
    /// The last JSON Lines row's cells.
    cells: Vec<CellText>,
    /// What mapping the last row produced.
    pub notes: RowNotes,
    /// The line of the last row.
    pub line: usize,
    /// Uncovered values so far.
    pub uncovered: UncoveredCounts,
    /// JSON keys nothing reads, with how often they were seen.
    pub extra_keys: BTreeMap<String, u64>,
    /// JSON keys seen (all of them, up to a limit), with how often: a JSON
    /// Lines input's columns.
    pub keys_seen: BTreeMap<String, u64>,
}

/// Why a mapped input could not be opened.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// Reading failed.
    Io(std::io::Error),
    /// The mapping does not fit the input (diagnostics into the mapping).
    Mismatch(Vec<Diagnostic>),
}

impl From<std::io::Error> for OpenError {
    fn from(error: std::io::Error) -> Self {
        OpenError::Io(error)
    }
}

impl<'a> MappedRecords<'a> {
    /// Opens `input` (named `name`, raw bytes: compression and the text
    /// encoding are handled here) for reading through `mapping`; the
    /// format is the mapping's, else `format`. A record longer than
    /// `max_record_bytes` is rejected without being held.
    pub(crate) fn open(
        compiled: &'a Compiled,
        mapping: &'a Mapping,
        name: String,
        format: SourceFormat,
        input: Box<dyn BufRead + 'a>,
        max_record_bytes: usize,
    ) -> Result<MappedRecords<'a>, OpenError> {
        let spec = &mapping.input;
        let format = spec.format.unwrap_or(format);
        // UTF-8 is what the stream layer gives anyway (a byte-order mark
        // wins over the mapping's encoding).
        let encoding = (spec.encoding != encoding_rs::UTF_8).then_some(spec.encoding);
        let input = crate::records::stream::open_text(input, encoding)?;
        let dialect = Dialect {
            delimiter: spec.delimiter.unwrap_or(match format {
                SourceFormat::Tsv => b'\t',
                _ => b',',
            }),
            quote: spec.quote,
            escape: spec.escape,
            header: spec.header,
        };
        let schema = &compiled.program.schema;
        let (rows, header) = match (format, spec.quote, spec.escape) {
            (SourceFormat::Jsonl, _, _) => {
                // Every name the mapping reads, and every schema field: a
                // record's keys are matched against these.
                let mut header: Vec<String> = Vec::new();
                let mut columns = HashMap::new();
                let names = mapping
                    .fields
                    .iter()
                    .flat_map(|f| f.columns.iter().map(|(c, _)| c.clone()))
                    .chain(mapping.ignore.iter().map(|(c, _)| c.clone()))
                    .chain(
                        schema
                            .fields
                            .iter()
                            .filter(|f| f.ty != crate::types::Type::Record)
                            .map(|f| f.name.clone()),
                    );
                for name in names {
                    if let std::collections::hash_map::Entry::Vacant(slot) =
                        columns.entry(fold_column(&name))
                    {
                        slot.insert(header.len());
                        header.push(name);
                    }
                }
                let rows = Rows::Json {
                    input,
                    line: 0,
                    buffer: Vec::new(),
                    columns,
                };
                (rows, header)
            }
            (_, None, Some(escape)) => {
                let mut rows = EscapedRows::new(input, dialect.delimiter, escape, max_record_bytes);
                let mut header_row = csv::ByteRecord::new();
                let header = if spec.header {
                    match rows.next_row(&mut header_row)? {
                        Some(info) if info.cut => {
                            return Err(OpenError::Io(too_long_header(&name, max_record_bytes)))
                        }
                        Some(_) => header_names(&header_row, &name)?,
                        None => Vec::new(),
                    }
                } else {
                    numbered_columns(mapping)
                };
                (Rows::Escaped(rows), header)
            }
            _ => {
                let rows = RowReader::new(input, dialect, max_record_bytes)?;
                let header = match rows.header() {
                    Some(row) => header_names(row, &name)?,
                    None => numbered_columns(mapping),
                };
                (Rows::Delimited(Box::new(rows)), header)
            }
        };
        let binding = bind(mapping, schema, &header, &name).map_err(OpenError::Mismatch)?;
        Ok(MappedRecords {
            compiled,
            mapping,
            binding,
            filler: Filler::new(compiled, mapping),
            name,
            rows,
            dialect,
            max_record_bytes,
            bytes: csv::ByteRecord::new(),
            text: csv::StringRecord::new(),
            text_row: false,
            cells: Vec::new(),
            notes: RowNotes::default(),
            line: 0,
            uncovered: UncoveredCounts::default(),
            extra_keys: BTreeMap::new(),
            keys_seen: BTreeMap::new(),
        })
    }

    /// Reads the next row into `cells`; `None` at the end of the input.
    fn read_row(&mut self) -> std::io::Result<Option<Row>> {
        if self.text_row {
            // The last row's buffer, back for reuse.
            self.bytes = std::mem::take(&mut self.text).into_byte_record();
            self.text_row = false;
        }
        let (line, cut) = match &mut self.rows {
            Rows::Delimited(rows) => match rows.next_row(&mut self.bytes)? {
                Some(info) => (info.line, info.cut),
                None => return Ok(None),
            },
            Rows::Escaped(rows) => match rows.next_row(&mut self.bytes)? {
                Some(info) => (info.line, info.cut),
                None => return Ok(None),
            },
            Rows::Json {
                input,
                line,
                buffer,
                columns,
            } => loop {
                let Some(cut) = read_bounded_line(input, buffer, self.max_record_bytes)? else {
                    return Ok(None);
                };
                *line += 1;
                self.line = *line;
                if cut {
                    return Ok(Some(Row::Bad(too_long(self.max_record_bytes))));
                }
                let Ok(text) = std::str::from_utf8(buffer) else {
                    return Ok(Some(Row::Bad(Problem::new(
                        ProblemKind::NotUtf8,
                        "the line is not valid UTF-8",
                    ))));
                };
                if text.trim().is_empty() {
                    continue;
                }
                let object = match serde_json::from_str::<serde_json::Value>(text) {
                    Ok(serde_json::Value::Object(object)) => object,
                    Ok(_) => {
                        return Ok(Some(Row::Bad(Problem::new(
                            ProblemKind::NotAnObject,
                            "the line is JSON but not an object",
                        ))))
                    }
                    Err(error) => {
                        return Ok(Some(Row::Bad(Problem::new(
                            ProblemKind::BadJson,
                            format!("the line is not valid JSON: {error}"),
                        ))))
                    }
                };
                self.cells.clear();
                self.cells
                    .resize(self.binding.header.len(), CellText::Missing);
                json_cells(
                    &object,
                    "",
                    columns,
                    &mut self.cells,
                    &mut KeyCounts {
                        extra: &mut self.extra_keys,
                        seen: &mut self.keys_seen,
                    },
                );
                return Ok(Some(Row::Cells));
            },
        };
        self.line = line;
        if cut {
            return Ok(Some(Row::Bad(too_long(self.max_record_bytes))));
        }
        let expected = self.binding.header.len();
        if self.mapping.input.header && self.bytes.len() != expected {
            return Ok(Some(Row::Bad(Problem::new(
                ProblemKind::WrongCellCount,
                format!(
                    "the row has {} cells, the header has {expected} (an unescaped delimiter in a cell?)",
                    self.bytes.len()
                ),
            ))));
        }
        match csv::StringRecord::from_byte_record(std::mem::take(&mut self.bytes)) {
            Ok(text) => {
                self.text = text;
                self.text_row = true;
                Ok(Some(Row::Cells))
            }
            Err(error) => {
                self.bytes = error.into_byte_record();
                Ok(Some(Row::Bad(Problem::new(
                    ProblemKind::NotUtf8,
                    "the row is not valid UTF-8 (set the mapping's `encoding`)",
                ))))
            }
        }
    }

    /// The last delimited row's bytes.
    fn row_bytes(&self) -> &csv::ByteRecord {
        if self.text_row {
            self.text.as_byte_record()
        } else {
            &self.bytes
        }
    }

    /// The row as read, lossily, for the rejects file.
    fn raw_row(&self) -> String {
        match &self.rows {
            Rows::Json { buffer, .. } => String::from_utf8_lossy(buffer).trim_end().to_string(),
            Rows::Escaped(_) => {
                let cells: Vec<String> = self
                    .row_bytes()
                    .iter()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect();
                cells.join(&char::from(self.dialect.delimiter).to_string())
            }
            Rows::Delimited(_) => self.dialect.write_row(self.row_bytes()),
        }
    }

    /// Whether the input is JSON Lines (its columns are the keys seen).
    pub(crate) fn is_json(&self) -> bool {
        matches!(self.rows, Rows::Json { .. })
    }

    /// The position of a JSON key among the binding's columns.
    pub(crate) fn column_of_key(&self, key: &str) -> Option<usize> {
        match &self.rows {
            Rows::Json { columns, .. } => columns.get(&fold_column(key)).copied(),
            _ => None,
        }
    }

    /// Maps the row's cells into `record`, noting problems.
    fn map_row(&mut self, record: &mut CaseRecord) {
        record.clear();
        let fields = self.compiled.program.schema.fields.len();
        self.notes.clear(fields);
        self.filler.constants(record, &mut self.notes);
        let mut cells: Vec<(Cell<'_>, usize, &str)> = Vec::new();
        for (index, bound) in self.binding.fields.iter().enumerate() {
            cells.clear();
            for (position, (name, _)) in bound.columns.iter().zip(&bound.map.columns) {
                let cell = match *position {
                    None => Cell::Missing,
                    Some(p) if self.text_row => self.text.get(p).map_or(Cell::Missing, Cell::Text),
                    Some(p) => match self.cells.get(p) {
                        Some(CellText::Text(text)) => Cell::Text(text.as_str()),
                        Some(CellText::Items(items)) => Cell::Items(items.as_slice()),
                        Some(CellText::Missing) | None => Cell::Missing,
                    },
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
            let mut problem = Problem::new(ProblemKind::MissingCaseId, "the record has no case id")
                .on_field("case_id");
            if let Some(column) = column {
                problem = problem.in_column(column);
            }
            self.notes.problems.push(problem);
        }
    }
}

fn too_long_header(name: &str, limit: usize) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("the header of `{name}` is longer than {limit} bytes"),
    )
}

/// The names of a header row (a byte-order mark is gone already: the
/// stream layer drops it).
fn header_names(row: &csv::ByteRecord, name: &str) -> Result<Vec<String>, OpenError> {
    row.iter()
        .map(|cell| {
            let text = std::str::from_utf8(cell).map_err(|_| {
                OpenError::Io(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "the header of `{name}` is not valid UTF-8 (set the mapping's `encoding`)"
                    ),
                ))
            })?;
            Ok(text.to_string())
        })
        .collect()
}

/// The most columns a file without a header is taken to have.
pub(crate) const MAX_NUMBERED_COLUMNS: usize = 10_000;

/// Columns named by number, when the input has no header: as many as the
/// highest number the mapping names (at most [`MAX_NUMBERED_COLUMNS`]; a
/// higher number is a column the file lacks, reported as such).
fn numbered_columns(mapping: &Mapping) -> Vec<String> {
    let most = mapping
        .fields
        .iter()
        .flat_map(|f| f.columns.iter())
        .filter_map(|(c, _)| c.trim().parse::<usize>().ok())
        .filter(|&n| n <= MAX_NUMBERED_COLUMNS)
        .max()
        .unwrap_or(0);
    (1..=most).map(|i| i.to_string()).collect()
}

/// The keys of JSON records counted: all, and those nothing reads.
struct KeyCounts<'k> {
    extra: &'k mut BTreeMap<String, u64>,
    seen: &'k mut BTreeMap<String, u64>,
}

/// Counts `key` in `counts`, keeping at most [`MAX_EXTRA_KEYS`] apart.
fn count_key(counts: &mut BTreeMap<String, u64>, key: &str) {
    if let Some(count) = counts.get_mut(key) {
        *count += 1;
    } else if counts.len() < MAX_EXTRA_KEYS {
        counts.insert(key.to_string(), 1);
    }
}

/// The cells of a JSON object: each key (an object's keys joined with `.`
/// to their parent's) to its column; keys are counted.
fn json_cells(
    object: &serde_json::Map<String, serde_json::Value>,
    prefix: &str,
    columns: &HashMap<String, usize>,
    cells: &mut [CellText],
    keys: &mut KeyCounts<'_>,
) {
    use serde_json::Value;
    for (key, value) in object {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if let Value::Object(inner) = value {
            json_cells(inner, &name, columns, cells, keys);
            continue;
        }
        count_key(keys.seen, &name);
        let Some(&column) = columns.get(&fold_column(&name)) else {
            count_key(keys.extra, &name);
            continue;
        };
        cells[column] = match value {
            Value::Null => CellText::Missing,
            Value::Array(items) => CellText::Items(items.iter().map(json_text).collect()),
            scalar => CellText::Text(json_text(scalar)),
        };
    }
}

/// A JSON value as cell text: strings as they are, other values as JSON.
fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl RecordReader for MappedRecords<'_> {
    fn raw(&self) -> String {
        self.raw_row()
    }

    fn next_record(&mut self, record: &mut CaseRecord) -> std::io::Result<Option<Read1>> {
        let Some(row) = self.read_row()? else {
            return Ok(None);
        };
        if let Row::Bad(problem) = row {
            record.clear();
            return Ok(Some(Read1::Rejected(Rejection::new(
                &self.name,
                self.line,
                None,
                vec![problem],
                self.raw_row(),
            ))));
        }
        self.map_row(record);
        if self.notes.problems.is_empty() {
            return Ok(Some(Read1::Record(self.line)));
        }
        Ok(Some(Read1::Rejected(Rejection::new(
            &self.name,
            self.line,
            (!record.case_id.is_empty()).then(|| record.case_id.clone()),
            std::mem::take(&mut self.notes.problems),
            self.raw_row(),
        ))))
    }
}
