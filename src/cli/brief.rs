//! `nrscreen brief`: one case's brief for a lawyer (see `src/brief/`).
//!
//! The case is found in an input that `eval` could read (JSON Lines, CSV,
//! TSV or TOML, compressed or not, or through a mapping): the first record
//! with that case id. A record with that id that was rejected is shown with
//! its problems instead (exit 4); an id no record has is an error (exit 2).

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;

use crate::brief::{self, Header};
use crate::compile::Compiled;
use crate::records::case::CaseRecord;
use crate::records::input::{reader, InputFormat, Read1, RecordReader, MAX_RECORD_BYTES};
use crate::records::rejection::Rejection;
use crate::records::schema_index::SchemaIndex;
use crate::records::stream::open_text;

use super::output_file::{OutputFile, Protected};
use super::{ColorChoice, Exit};

/// The format of a brief.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum BriefFormat {
    /// Markdown (CommonMark with tables).
    Markdown,
    /// One self-contained HTML page (inline CSS, no script), for printing.
    Html,
}

#[derive(clap::Args, Debug)]
pub(crate) struct BriefArgs {
    /// The rule-set directory.
    #[arg(long, default_value = "rules")]
    rules: PathBuf,
    /// The case file to find the case in (`-` reads standard input).
    input: String,
    /// The case id to brief.
    #[arg(long = "case", value_name = "ID")]
    case_id: String,
    /// The brief's format.
    #[arg(long, value_enum, default_value_t = BriefFormat::Markdown)]
    format: BriefFormat,
    /// Read the input through this mapping (grammar/MAPPING.md).
    #[arg(long, value_name = "MAPPING", conflicts_with = "input_format")]
    map: Option<PathBuf>,
    /// The input format (default: from the file extension).
    #[arg(long, value_enum)]
    input_format: Option<InputFormat>,
    /// Write the brief to this file instead of standard output (written
    /// whole or not at all, and never over an input).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also show rules that an exception cleared, naming the exception.
    #[arg(long)]
    show_cleared: bool,
    /// The date the brief is dated (YYYY-MM-DD); default: the environment
    /// variable NRSCREEN_REPORT_DATE if set, else today (UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<String>,
    /// When to use colour (for diagnostics on stderr).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
}

/// What searching the input for the case found.
enum Found {
    /// The record, decoded, and the line it starts on.
    Record(usize),
    /// The record with that id was rejected.
    Rejected(Rejection),
    /// No record has that id; the closest id read, if one is close.
    Missing(Option<String>),
}

/// `nrscreen brief`.
pub(crate) fn run(args: &BriefArgs) -> Exit {
    let (sources, compiled) =
        match super::load_compiled(&args.rules, args.color, super::DiagnosticsTo::Stderr) {
            Ok(loaded) => loaded,
            Err(code) => return code,
        };
    let from_env = std::env::var("NRSCREEN_REPORT_DATE").ok();
    let date = match brief::brief_date(args.date.as_deref(), from_env.as_deref()) {
        Ok(date) => date,
        Err(error) => {
            eprintln!("error: {error}");
            return Exit::Usage;
        }
    };
    let mut protected: Vec<Protected> = Vec::new();
    if args.input != "-" {
        protected.extend(Protected::file(
            std::path::Path::new(&args.input),
            "the input",
        ));
    }
    protected.extend(
        sources
            .iter()
            .filter_map(|(_, file)| Protected::file(&file.path, "a file of the rule set")),
    );
    let mapping = match &args.map {
        Some(path) => match super::map::load(path, &compiled, args.color) {
            Ok(loaded) => Some(loaded),
            Err(code) => return code,
        },
        None => None,
    };
    if let Some(loaded) = &mapping {
        protected.extend(Protected::file(&loaded.mapping.path, "the mapping"));
        for path in &loaded.mapping.table_files {
            protected.extend(Protected::file(path, "a value table of the mapping"));
        }
    }
    let mut output = match &args.output {
        Some(path) => match OutputFile::create(path, "--output", &protected) {
            Ok(file) => Some(file),
            Err(error) => {
                eprintln!("error: {}", crate::escape::terminal(&error));
                return Exit::Usage;
            }
        },
        None => None,
    };

    let name = args.input.clone();
    let mut record = CaseRecord::with_fields(compiled.program.schema.fields.len());
    let wanted = Wanted {
        name: &name,
        id: &args.case_id,
        input_format: args.input_format,
        what: "briefed",
    };
    let (line, repeats) = match search(
        &compiled,
        mapping.as_ref(),
        &wanted,
        &mut record,
        args.color,
    ) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let shown_id = crate::escape::terminal(&args.case_id);
    let shown_name = crate::escape::terminal(&name);
    if !repeats.is_empty() {
        let lines: Vec<String> = repeats.iter().map(usize::to_string).collect();
        eprintln!(
            "warning: case `{shown_id}` appears again in `{shown_name}` (line {}); the brief is of the first record (line {line}), the one eval evaluates (it rejects the rest as duplicates)",
            lines.join(", ")
        );
    }
    let header = Header {
        case_id: args.case_id.clone(),
        ruleset: compiled.program.name.clone(),
        ruleset_description: compiled.program.description.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        input: name.clone(),
        line,
        mapping: args.map.as_ref().map(|p| p.display().to_string()),
        date,
    };
    let brief = brief::build(&compiled, &sources, &mut record, header, args.show_cleared);
    let text = match args.format {
        BriefFormat::Markdown => brief::markdown::render(&brief),
        BriefFormat::Html => brief::html::render(&brief),
    };
    let written = match output.as_mut() {
        Some(file) => file.writer().write_all(text.as_bytes()),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
        }
    };
    if let Err(error) = written {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            return Exit::Success;
        }
        eprintln!("error: writing the brief failed: {error}");
        return Exit::Usage;
    }
    if let Some(file) = output {
        if let Err(error) = file.commit() {
            eprintln!("error: {}", crate::escape::terminal(&error));
            return Exit::Usage;
        }
    }
    Exit::Success
}

impl Found {
    /// The line of the record found; otherwise the error is printed (no
    /// record has id `id` in `name`, with the closest id read if one is
    /// close: exit 2; it was rejected, so it cannot be `what` ("briefed"):
    /// exit 4) and the exit code returned.
    fn line(self, name: &str, id: &str, what: &str) -> Result<usize, Exit> {
        let shown_id = crate::escape::terminal(id);
        let shown_name = crate::escape::terminal(name);
        match self {
            Found::Record(line) => Ok(line),
            Found::Missing(closest) => {
                let hint = closest
                    .map(|c| format!("; did you mean `{}`?", crate::escape::terminal(&c)))
                    .unwrap_or_default();
                eprintln!("error: no record in `{shown_name}` has the case id `{shown_id}`{hint}");
                Err(Exit::Usage)
            }
            Found::Rejected(rejection) => {
                eprintln!(
                    "error: the record of case `{shown_id}` was rejected, so it cannot be {what} until it is fixed:"
                );
                eprintln!("  {}", rejection.describe());
                Err(Exit::Rejected)
            }
        }
    }
}

/// The case a command looks for, and where.
pub(super) struct Wanted<'a> {
    /// The input, as named on the command line.
    pub name: &'a str,
    /// The case id.
    pub id: &'a str,
    /// `--input-format`.
    pub input_format: Option<InputFormat>,
    /// What cannot be done to a rejected record ("briefed").
    pub what: &'a str,
}

/// Opens the input (through `mapping`, or in its format) and finds the
/// record of the case in it (see [`find`]): its line, and the lines of
/// later records with the same id. Otherwise (an input that cannot be
/// read, no such record, a rejected one) the error is printed and the exit
/// code returned.
pub(super) fn search(
    compiled: &Compiled,
    mapping: Option<&super::map::LoadedMapping>,
    wanted: &Wanted<'_>,
    record: &mut CaseRecord,
    color: ColorChoice,
) -> Result<(usize, Vec<usize>), Exit> {
    let (name, id) = (wanted.name, wanted.id);
    let index = SchemaIndex::new(compiled);
    let mut unknown_keys = HashSet::new();
    let searched = match mapping {
        Some(loaded) => {
            let stream = match super::map::open_stream(name) {
                Ok(stream) => stream,
                Err(error) => return Err(read_failed(name, &error)),
            };
            let mut records = super::map::open(
                compiled,
                loaded,
                name,
                stream,
                color,
                false,
                MAX_RECORD_BYTES,
            )?;
            find(&mut records, compiled, id, record)
        }
        None => {
            let Some(format) = super::eval::input_format(wanted.input_format, name) else {
                return Err(Exit::Usage);
            };
            let opened = super::map::open_stream(name)
                .and_then(|stream| open_text(stream, None))
                .and_then(|stream| {
                    reader(
                        compiled,
                        &index,
                        name.to_string(),
                        format,
                        stream,
                        &mut unknown_keys,
                        MAX_RECORD_BYTES,
                    )
                });
            match opened {
                Ok(mut records) => find(records.as_mut(), compiled, id, record),
                Err(error) => return Err(read_failed(name, &error)),
            }
        }
    };
    let (found, repeats) = searched.map_err(|error| read_failed(name, &error))?;
    Ok((found.line(name, id, wanted.what)?, repeats))
}

/// Reads every record of `records`: the first with case id `id` is left in
/// `record` (or its rejection returned); the lines of later records with
/// the same id are returned too.
fn find(
    records: &mut dyn RecordReader,
    compiled: &Compiled,
    id: &str,
    record: &mut CaseRecord,
) -> std::io::Result<(Found, Vec<usize>)> {
    let mut scratch = CaseRecord::with_fields(compiled.program.schema.fields.len());
    let mut found = Found::Missing(None);
    let mut repeats = Vec::new();
    let mut nearest: Option<String> = None;
    while let Some(read) = records.next_record(&mut scratch)? {
        let (matches, line) = match &read {
            Read1::Record(line) => {
                if matches!(found, Found::Missing(_)) && scratch.case_id != id {
                    let closer = crate::suggest::did_you_mean(
                        id,
                        nearest
                            .iter()
                            .map(String::as_str)
                            .chain([scratch.case_id.as_str()]),
                    )
                    .map(str::to_string);
                    nearest = closer;
                }
                (scratch.case_id == id, *line)
            }
            Read1::Rejected(rejection) => {
                (rejection.case_id.as_deref() == Some(id), rejection.line)
            }
        };
        if !matches {
            continue;
        }
        if !matches!(found, Found::Missing(_)) {
            repeats.push(line);
            continue;
        }
        found = match read {
            Read1::Record(line) => {
                std::mem::swap(record, &mut scratch);
                Found::Record(line)
            }
            Read1::Rejected(rejection) => Found::Rejected(rejection),
        };
    }
    if let Found::Missing(closest) = &mut found {
        *closest = nearest;
    }
    Ok((found, repeats))
}

/// Reports an input that cannot be read (exit 2).
pub(super) fn read_failed(name: &str, error: &std::io::Error) -> Exit {
    eprintln!(
        "error: reading `{}` failed: {}",
        crate::escape::terminal(name),
        crate::escape::terminal(&error.to_string())
    );
    Exit::Usage
}
