//! `nrscreen eval`: evaluate a rule set over case batches.

use std::collections::{BTreeSet, HashSet};
use std::fs::File;
use std::io::{BufRead, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::eval::batch::{Batch, BatchError, BatchOptions, Stop, Totals};
use crate::eval::parallel::{Parallel, RenderCase};
use crate::records::input::{reader, InputFormat};
use crate::records::schema_index::SchemaIndex;
use crate::records::stream::open_text;
use crate::report::collect::{BatchReport, ReportKind, REPORT_FIELDS};
use crate::report::csv::CsvRows;
use crate::report::jsonl::JsonLines;
use crate::report::provenance::{hashed, FileDigest, SharedProvenance};
use crate::report::rejections::RejectionSummary;
use crate::report::summary::Summary;
use crate::report::table::Table;
use crate::report::{Format, OutputFormat, Report};
use crate::severity::Severity;

use super::output_file::{OutputFile, Protected};
use super::progress::Progress;
use super::{use_colour, EvalArgs, Exit};

pub(crate) fn run(args: &EvalArgs) -> Exit {
    let (sources, mut compiled) =
        match super::load_compiled(&args.rules, args.color, super::DiagnosticsTo::Stderr) {
            Ok(loaded) => loaded,
            Err(code) => return code,
        };
    tracing::info!(
        rules = compiled.rules.len(),
        nodes = compiled.nodes.len(),
        "rule set compiled"
    );

    let report_kind = match args.format {
        OutputFormat::Html => Some(ReportKind::Html),
        OutputFormat::Markdown => Some(ReportKind::Markdown),
        _ => None,
    };
    // The report reads fields no rule may read: they must be stored. This
    // comes before any reader (and the mapping's filler) is built.
    let provenance = match report_kind {
        Some(_) => {
            mark_report_fields_used(&mut compiled);
            let date = match report_date(args.report_date.as_deref()) {
                Ok(date) => date,
                Err(error) => {
                    eprintln!("error: {}", crate::escape::terminal(&error));
                    return Exit::Usage;
                }
            };
            let provenance = SharedProvenance::default();
            {
                let mut p = provenance.borrow_mut();
                p.ruleset.clone_from(&compiled.program.name);
                p.date = date;
                p.rule_files = digests(&sources, None);
            }
            Some(provenance)
        }
        None => None,
    };
    let compiled = compiled;
    // Colour only on a terminal: never into a file.
    let stdout_is_terminal = std::io::stdout().is_terminal() && args.output.is_none();
    let format: Box<dyn Format> = match args.format {
        OutputFormat::Jsonl => Box::new(JsonLines),
        OutputFormat::Csv => Box::new(CsvRows::default()),
        OutputFormat::Table => Box::new(Table::new(use_colour(args.color, stdout_is_terminal))),
        OutputFormat::Summary => Box::new(Summary::default()),
        OutputFormat::Flags => Box::new(crate::report::flags::Flags),
        OutputFormat::Html | OutputFormat::Markdown => Box::new(BatchReport::new(
            report_kind.unwrap_or(ReportKind::Html),
            &compiled,
            args.report_cases,
            provenance.clone().unwrap_or_default(),
        )),
    };
    // Nothing the run reads may be overwritten by what it writes.
    let mut protected: Vec<Protected> = args
        .inputs
        .iter()
        .filter(|name| *name != "-")
        .filter_map(|name| Protected::file(Path::new(name), "an input"))
        .collect();
    protected.extend(
        sources
            .iter()
            .filter_map(|(_, file)| Protected::file(&file.path, "a file of the rule set")),
    );
    if let (Some(output), Some(rejects)) = (&args.output, &args.rejects) {
        if output == rejects {
            eprintln!(
                "error: --output and --rejects are both `{}`",
                crate::escape::terminal(&output.display().to_string())
            );
            return Exit::Usage;
        }
    }
    let open = |path: &Option<PathBuf>, option: &str, protected: &mut Vec<Protected>| {
        let Some(path) = path else { return Ok(None) };
        let file = OutputFile::create(path, option, protected)?;
        // The other output may not be this one either.
        protected.extend(Protected::file(path, "the other output"));
        Ok::<_, String>(Some(file))
    };
    let (mut output, mut rejects_file) = match open(&args.output, "--output", &mut protected)
        .and_then(|output| Ok((output, open(&args.rejects, "--rejects", &mut protected)?)))
    {
        Ok(files) => files,
        Err(error) => {
            eprintln!("error: {}", crate::escape::terminal(&error));
            return Exit::Usage;
        }
    };
    let out: Box<dyn Write> = match output.as_mut() {
        Some(file) => Box::new(file.writer()),
        None => Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout().lock())),
    };
    let mut report = Report {
        out,
        format,
        rejects: rejects_file
            .as_mut()
            .map(|file| Box::new(file.writer()) as Box<dyn Write>),
        rejections_shown: 0,
        summary: RejectionSummary::default(),
        quiet: args.quiet,
    };
    let show_progress = super::progress::wanted(args.quiet);
    let index = SchemaIndex::new(&compiled);
    let options = BatchOptions {
        strict: args.strict,
        show_cleared: args.show_cleared,
        check_duplicates: !args.no_duplicate_check,
        explain: !matches!(args.format, OutputFormat::Flags | OutputFormat::Summary),
    };
    let mapping = match &args.map {
        Some(path) => match super::map::load(path, &compiled, args.color) {
            Ok(loaded) => Some(loaded),
            Err(code) => return code,
        },
        None => None,
    };
    if let (Some(loaded), Some(provenance)) = (&mapping, &provenance) {
        provenance
            .borrow_mut()
            .rule_files
            .extend(digests(&loaded.sources, Some(&loaded.mapping.path)));
    }
    if let Some(loaded) = &mapping {
        protected.extend(Protected::file(&loaded.mapping.path, "the mapping"));
        for path in &loaded.mapping.table_files {
            protected.extend(Protected::file(path, "a value table of the mapping"));
        }
    }
    let mut batch = Batch::new(&compiled, options);
    // Workers for JSON Lines inputs; 1 keeps the single-threaded path.
    let jobs = super::jobs(args.jobs);
    // Inputs read record by record (CSV, TSV, TOML, mapped) are read on
    // this thread and evaluated by the workers, in chunks of about
    // `--chunk-bytes` (counting 512 bytes a record). The reports decline
    // explanations per rule (`Sink::explains`): they stay on one thread.
    let parallel_records = jobs > 1 && report_kind.is_none();
    let records_per_chunk = (args.chunk_bytes / 512).max(1);
    // Formats whose text for a case depends on that case alone are
    // rendered by the workers.
    let render: Option<RenderCase> = match args.format {
        OutputFormat::Jsonl => Some(render_jsonl),
        OutputFormat::Flags => Some(render_flags),
        _ => None,
    };
    let mut warned: BTreeSet<String> = BTreeSet::new();
    let mut exit = Exit::Success;
    // Whether the files written are whole: false after an I/O error.
    let mut complete = true;
    for input in &args.inputs {
        let name = input.clone();
        if let Some(loaded) = &mapping {
            let stream = match open_raw(&name, provenance.as_ref()) {
                Ok(stream) => stream,
                Err(error) => {
                    eprintln!(
                        "error: cannot read `{}`: {error}",
                        crate::escape::terminal(&name)
                    );
                    exit = Exit::Usage;
                    complete = false;
                    break;
                }
            };
            let mut records = match super::map::open(
                &compiled,
                loaded,
                &name,
                stream,
                args.color,
                !args.quiet,
                args.max_record_bytes,
            ) {
                Ok(records) => records,
                Err(code) => {
                    exit = code;
                    complete = false;
                    break;
                }
            };
            tracing::info!(input = %name, mapping = %loaded.mapping.path.display(), "reading through a mapping");
            let mut progress = Progress::new(&mut report, show_progress);
            let outcome = if parallel_records {
                batch.run_records_parallel(
                    &mut records,
                    &name,
                    jobs,
                    records_per_chunk,
                    render,
                    &mut progress,
                )
            } else {
                batch.run(&mut records, &name, &mut progress)
            };
            progress.finish();
            if !args.quiet {
                warn_uncovered(&name, &records);
            }
            match finish_input(outcome, &name) {
                Ok(()) => continue,
                Err((code, whole)) => {
                    exit = code;
                    complete &= whole;
                    break;
                }
            }
        }
        let Some(format) = input_format(args.input_format, &name) else {
            exit = Exit::Usage;
            complete = false;
            break;
        };
        tracing::info!(input = %name, ?format, "reading");
        let mut unknown_keys = HashSet::new();
        // Opening, sniffing and a header that cannot be read are errors of
        // reading the input, as a read failing later is.
        let outcome = match open_input(&name, provenance.as_ref()) {
            Ok(mut stream) if format == InputFormat::Jsonl && jobs > 1 && report_kind.is_none() => {
                let parallel = Parallel {
                    jobs,
                    chunk_bytes: args.chunk_bytes.max(1),
                    max_record_bytes: args.max_record_bytes,
                    render,
                };
                let mut progress = Progress::new(&mut report, show_progress);
                let outcome = batch.run_parallel(
                    stream.as_mut(),
                    &name,
                    &index,
                    parallel,
                    &mut unknown_keys,
                    &mut progress,
                );
                progress.finish();
                outcome
            }
            Ok(stream) => match reader(
                &compiled,
                &index,
                name.clone(),
                format,
                stream,
                &mut unknown_keys,
                args.max_record_bytes,
            ) {
                Ok(mut records) => {
                    let mut progress = Progress::new(&mut report, show_progress);
                    let outcome = if parallel_records {
                        batch.run_records_parallel(
                            records.as_mut(),
                            &name,
                            jobs,
                            records_per_chunk,
                            render,
                            &mut progress,
                        )
                    } else {
                        batch.run(records.as_mut(), &name, &mut progress)
                    };
                    progress.finish();
                    outcome
                }
                Err(error) => Err(BatchError::Read(error)),
            },
            Err(error) => Err(BatchError::Read(error)),
        };
        // In name order: the same whatever order the keys were met in
        // (workers of `--jobs` meet them in any order).
        let mut unknown_keys: Vec<String> = unknown_keys.into_iter().collect();
        unknown_keys.sort_unstable();
        for key in unknown_keys {
            if warned.insert(key.clone()) && !args.quiet {
                let shown = crate::escape::terminal(&key);
                eprintln!("warning: field `{shown}` is not in the schema; it is ignored");
            }
        }
        if let Err((code, whole)) = finish_input(outcome, &name) {
            exit = code;
            complete &= whole;
            break;
        }
    }
    if let Err(error) = report.finish(&compiled) {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: writing the output failed: {error}");
            exit = Exit::Usage;
            complete = false;
        }
    }
    let summary = std::mem::take(&mut report.summary);
    drop(report);
    // Files are put in place only when whole; after a failure the old ones
    // stay as they were.
    for file in [output, rejects_file].into_iter().flatten() {
        if !complete {
            continue;
        }
        if let Err(error) = file.commit() {
            eprintln!("error: {}", crate::escape::terminal(&error));
            exit = Exit::Usage;
        }
    }
    if !args.quiet {
        eprint!("{}", summary.render());
    }
    let totals = batch.totals;
    // Rejections fail the run (after the whole batch), unless
    // --max-rejects allows them; a batch of which nothing could be
    // evaluated always fails.
    if exit == Exit::Success && totals.rejected > 0 {
        let allowed = args.max_rejects.is_some_and(|max| max.allows(&totals));
        if totals.evaluated == 0 {
            eprintln!("error: every record read was rejected");
            exit = Exit::Rejected;
        } else if !allowed {
            match args.max_rejects {
                Some(max) => eprintln!(
                    "error: {} of {} records were rejected, more than --max-rejects {max} allows",
                    totals.rejected, totals.read
                ),
                None => eprintln!(
                    "error: {} of {} records were rejected (--max-rejects N or N% allows some)",
                    totals.rejected, totals.read
                ),
            }
            exit = Exit::Rejected;
        }
    }
    eprintln!("{}", accounting(&totals));
    if exit == Exit::Success {
        if let Some(threshold) = args.fail_on {
            let at_or_above = Severity::ALL
                .iter()
                .zip(totals.flagged_by_severity)
                .any(|(s, n)| *s <= threshold && n > 0);
            if at_or_above {
                exit = Exit::FailOn;
            }
        }
    }
    exit
}

/// `--format jsonl` of one case, rendered by a worker (`--jobs`): the
/// format keeps no state across cases.
fn render_jsonl(
    out: &mut Vec<u8>,
    compiled: &crate::compile::Compiled,
    context: &crate::eval::batch::CaseContext<'_>,
    result: &crate::eval::finding::CaseResult,
) -> std::io::Result<()> {
    JsonLines.case(out, compiled, context, result)
}

/// `--format flags` of one case, rendered by a worker (`--jobs`): the
/// format keeps no state across cases.
fn render_flags(
    out: &mut Vec<u8>,
    compiled: &crate::compile::Compiled,
    context: &crate::eval::batch::CaseContext<'_>,
    result: &crate::eval::finding::CaseResult,
) -> std::io::Result<()> {
    crate::report::flags::Flags.case(out, compiled, context, result)
}

/// The format of input `name`: the one given, else the file name's (`-`
/// is JSON Lines); when neither tells, the error is printed.
pub(super) fn input_format(given: Option<InputFormat>, name: &str) -> Option<InputFormat> {
    let format = given
        .or_else(|| InputFormat::from_path(name))
        .or((name == "-").then_some(InputFormat::Jsonl));
    if format.is_none() {
        eprintln!(
            "error: cannot tell the format of `{}` from its name; use --input-format jsonl, csv, tsv or toml",
            crate::escape::terminal(name)
        );
    }
    format
}

/// What the end of one input means for the run: go on, or stop with an
/// exit code (and whether the files written so far are whole).
fn finish_input(outcome: Result<Stop, BatchError>, name: &str) -> Result<(), (Exit, bool)> {
    match outcome {
        Ok(Stop::Finished) => Ok(()),
        Ok(Stop::Strict) => {
            eprintln!("error: stopped at the first rejected record (--strict)");
            Err((Exit::Usage, true))
        }
        // The reader of our output went away (`| head`): stop quietly.
        Err(BatchError::Write(error)) if error.kind() == std::io::ErrorKind::BrokenPipe => {
            Err((Exit::Success, true))
        }
        Err(BatchError::Write(error)) => {
            eprintln!("error: writing the output failed: {error}");
            Err((Exit::Usage, false))
        }
        Err(error @ BatchError::TooManyIds(_)) => {
            eprintln!("error: {error}");
            Err((Exit::Usage, false))
        }
        Err(BatchError::Read(error)) => {
            eprintln!(
                "error: reading `{}` failed: {}",
                crate::escape::terminal(name),
                crate::escape::terminal(&error.to_string())
            );
            Err((Exit::Usage, false))
        }
    }
}

/// Warns about values a mapping read as unknown (or kept as written)
/// because no table, converter or date format covered them.
fn warn_uncovered(name: &str, records: &crate::mapping::reader::MappedRecords<'_>) {
    if !records.extra_keys.is_empty() {
        let keys: Vec<String> = records
            .extra_keys
            .keys()
            .take(20)
            .map(|k| format!("`{}`", crate::escape::terminal(k)))
            .collect();
        let more = records.extra_keys.len().saturating_sub(keys.len());
        eprintln!(
            "warning: `{}`: keys nothing reads: {}{} (list them under [ignore] columns)",
            crate::escape::terminal(name),
            keys.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    for (index, bound) in records.binding.fields.iter().enumerate() {
        let Some(values) = records.uncovered.by_field.get(&index) else {
            continue;
        };
        let what = match bound.map.unmatched {
            crate::mapping::Unmatched::Reject => continue,
            crate::mapping::Unmatched::Unknown => "read as unknown",
            crate::mapping::Unmatched::Keep => "kept as written",
        };
        let cells: u64 = values.values().map(|(n, _)| n).sum::<u64>()
            + records.uncovered.others.get(&index).copied().unwrap_or(0);
        let (noun, verb) = if cells == 1 {
            ("value", "was")
        } else {
            ("values", "were")
        };
        eprintln!(
            "warning: `{}`: {cells} {noun} of field `{}` ({} distinct) not covered by the mapping {verb} {what}; `nrscreen map check` lists them",
            crate::escape::terminal(name),
            bound.map.name,
            values.len()
        );
    }
}

/// The input `name` (`-`: standard input) as UTF-8 text, decompressed and
/// decoded as it is read.
fn open_input(
    name: &str,
    provenance: Option<&SharedProvenance>,
) -> std::io::Result<Box<dyn BufRead>> {
    open_text(open_raw(name, provenance)?, None)
}

/// The input `name`'s bytes, buffered; hashed as they are read when a
/// report keeps its provenance.
fn open_raw(
    name: &str,
    provenance: Option<&SharedProvenance>,
) -> std::io::Result<Box<dyn BufRead>> {
    let Some(provenance) = provenance else {
        return super::map::open_stream(name);
    };
    Ok(if name == "-" {
        hashed(std::io::stdin(), name, provenance)
    } else {
        hashed(File::open(name)?, name, provenance)
    })
}

/// Marks the fields the batch report reads as used (with their groups), so
/// that readers store them.
fn mark_report_fields_used(compiled: &mut crate::compile::Compiled) {
    for name in REPORT_FIELDS {
        let mut field = compiled.program.schema.find(name);
        while let Some(id) = field {
            if let Some(used) = compiled.used_fields.get_mut(id.0 as usize) {
                *used = true;
            }
            field = compiled.program.schema.field(id).parent;
        }
    }
}

/// The SHA-256 of every file in `sources`, named by its path, with its role:
/// a rule set's, or (given the mapping's path) a mapping's.
fn digests(sources: &crate::source::Sources, mapping: Option<&Path>) -> Vec<FileDigest> {
    sources
        .iter()
        .map(|(_, file)| {
            let path = &file.path;
            let role = match mapping {
                Some(mapping) if mapping == path => "mapping",
                Some(_) => "mapping value table",
                None => rule_set_role(path),
            };
            FileDigest::of(role, path.display().to_string(), file.text.as_bytes())
        })
        .collect()
}

/// What a file of a rule set is, by its name.
fn rule_set_role(path: &Path) -> &'static str {
    match (
        path.extension().and_then(|e| e.to_str()),
        path.file_name().and_then(|n| n.to_str()),
    ) {
        (Some("nrs"), _) => "rules",
        (_, Some("ruleset.toml")) => "manifest",
        (_, Some("schema.toml")) => "schema",
        (_, Some("gaps.toml")) => "gaps",
        _ => "table",
    }
}

/// The evaluation date shown by a report: `--report-date` (a date, or a
/// date and time in UTC), else now.
fn report_date(given: Option<&str>) -> Result<String, String> {
    const SHOWN: &str = "%Y-%m-%d %H:%M:%S UTC";
    match given {
        Some(text) => {
            if let Ok(date) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                return Ok(date.format("%Y-%m-%d").to_string());
            }
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%SZ")
                .map(|t| t.format(SHOWN).to_string())
                .map_err(|_| {
                    format!("--report-date `{text}` is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ")
                })
        }
        None => {
            let seconds = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let now = chrono::DateTime::from_timestamp(i64::try_from(seconds).unwrap_or(0), 0)
                .unwrap_or_default();
            Ok(now.format(SHOWN).to_string())
        }
    }
}

/// `read N, evaluated E, rejected R; flagged F, needs review V, clear C`.
pub(crate) fn accounting(t: &Totals) -> String {
    format!(
        "read {}, evaluated {}, rejected {}; flagged {}, needs review {}, clear {}",
        t.read, t.evaluated, t.rejected, t.flagged, t.needs_review, t.clear
    )
}
