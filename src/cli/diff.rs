//! `nrscreen diff OLD NEW FILE…`: what a rule edit changes over a batch
//! (see `src/diff/`).

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;

use crate::compile::Compiled;
use crate::diff::{render, rules, Comparer};
use crate::records::input::{reader, InputFormat, RecordReader, MAX_RECORD_BYTES};
use crate::records::rejection::Rejection;
use crate::records::schema_index::SchemaIndex;
use crate::records::stream::open_text;
use crate::report::rejections::RejectionSummary;

use super::map::LoadedMapping;
use super::{ColorChoice, Exit};

/// How many rejections are described on stderr before the rest are only
/// counted in the summary.
const DESCRIBED: usize = 20;

/// The format of a comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DiffFormat {
    /// Text for a terminal.
    Text,
    /// Markdown, for a pull-request comment.
    Markdown,
    /// One JSON object (the shape is in the README).
    Json,
}

#[derive(clap::Args, Debug)]
pub(crate) struct DiffArgs {
    /// The rule set before the edit (a directory).
    old: PathBuf,
    /// The rule set after the edit (a directory).
    new: PathBuf,
    /// Case files to evaluate under both (each is read twice, once by each
    /// rule set's reader, so standard input is not accepted).
    #[arg(required = true)]
    inputs: Vec<String>,
    /// The output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
    /// Exit 1 when any case changed outcome for any gap.
    #[arg(long)]
    fail_on_change: bool,
    /// Changed cases shown per gap and direction, with both explanations.
    #[arg(long, value_name = "N", default_value_t = 5)]
    sample: usize,
    /// Read the inputs through this mapping (grammar/MAPPING.md), bound to
    /// each rule set's schema.
    #[arg(long, value_name = "MAPPING", conflicts_with = "input_format")]
    map: Option<PathBuf>,
    /// The input format (default: from the file extension, under a `.gz`,
    /// `.zst` or `.zstd` suffix).
    #[arg(long, value_enum)]
    input_format: Option<InputFormat>,
    /// Do not reject repeated case ids.
    #[arg(long)]
    no_duplicate_check: bool,
    /// When to use colour (for diagnostics on stderr).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
}

/// One rule set's way of reading an input.
struct Side<'a> {
    compiled: &'a Compiled,
    index: &'a SchemaIndex,
    mapping: Option<&'a LoadedMapping>,
    /// Whether to warn about columns the mapping does not read (once, for
    /// the old rule set).
    warn: bool,
}

impl<'a> Side<'a> {
    /// A reader of input `name` for this rule set; errors are printed.
    fn open(
        &self,
        name: &str,
        format: Option<InputFormat>,
        keys: &'a mut HashSet<String>,
        color: ColorChoice,
    ) -> Result<Box<dyn RecordReader + 'a>, Exit> {
        let stream =
            super::map::open_stream(name).map_err(|e| super::brief::read_failed(name, &e))?;
        if let Some(loaded) = self.mapping {
            let records = super::map::open(
                self.compiled,
                loaded,
                name,
                stream,
                color,
                self.warn,
                MAX_RECORD_BYTES,
            )?;
            return Ok(Box::new(records));
        }
        let format = super::eval::input_format(format, name).ok_or(Exit::Usage)?;
        open_text(stream, None)
            .and_then(|text| {
                reader(
                    self.compiled,
                    self.index,
                    name.to_string(),
                    format,
                    text,
                    keys,
                    MAX_RECORD_BYTES,
                )
            })
            .map_err(|e| super::brief::read_failed(name, &e))
    }
}

/// The mapping at `path`, bound to each rule set's schema (its warnings
/// printed once).
fn load_mappings(
    path: &std::path::Path,
    old: &Compiled,
    new: &Compiled,
    color: ColorChoice,
) -> Result<(LoadedMapping, LoadedMapping), Exit> {
    let for_old = super::map::load(path, old, color)?;
    let loaded = crate::mapping::load(path, &new.program.schema);
    match loaded.mapping {
        Some(mapping) => Ok((
            for_old,
            LoadedMapping {
                sources: loaded.sources,
                mapping,
            },
        )),
        None => {
            eprintln!("error: the mapping does not fit the new rule set's schema:");
            super::map::print_diagnostics(&loaded.sources, &loaded.diagnostics, color);
            Err(Exit::RuleErrors)
        }
    }
}

/// `nrscreen diff`.
pub(crate) fn run(args: &DiffArgs) -> Exit {
    let load = |dir| super::load_compiled(dir, args.color, super::DiagnosticsTo::Stderr);
    let (old_sources, old) = match load(&args.old) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let (new_sources, new) = match load(&args.new) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    if args.inputs.iter().any(|i| i == "-") {
        eprintln!("error: diff reads each input once per rule set, so it needs files, not standard input (`-`)");
        return Exit::Usage;
    }
    let mut comparer = Comparer::new(&old, &new, args.sample, !args.no_duplicate_check);
    let mut summary = RejectionSummary::default();
    let mut described = 0;
    let mut on_rejected = |rejection: &Rejection, old_only: Option<bool>| {
        if described < DESCRIBED {
            let side = match old_only {
                Some(true) => " (under the old rules only)",
                Some(false) => " (under the new rules only)",
                None => "",
            };
            eprintln!("rejected{side}: {}", rejection.describe());
        }
        described += 1;
        summary.add(rejection);
    };
    let mut warned: HashSet<(String, &str)> = HashSet::new();
    let (old_index, new_index) = (SchemaIndex::new(&old), SchemaIndex::new(&new));
    let (old_map, new_map) = match &args.map {
        Some(path) => match load_mappings(path, &old, &new, args.color) {
            Ok((a, b)) => (Some(a), Some(b)),
            Err(code) => return code,
        },
        None => (None, None),
    };
    for name in &args.inputs {
        let (mut old_keys, mut new_keys) = (HashSet::new(), HashSet::new());
        let color = args.color;
        let old_side = Side {
            compiled: &old,
            index: &old_index,
            mapping: old_map.as_ref(),
            warn: true,
        };
        let new_side = Side {
            compiled: &new,
            index: &new_index,
            mapping: new_map.as_ref(),
            warn: false,
        };
        let mut a = match old_side.open(name, args.input_format, &mut old_keys, color) {
            Ok(reader) => reader,
            Err(code) => return code,
        };
        let mut b = match new_side.open(name, args.input_format, &mut new_keys, color) {
            Ok(reader) => reader,
            Err(code) => return code,
        };
        let compared = comparer.run(a.as_mut(), b.as_mut(), name, &mut on_rejected);
        drop((a, b));
        if let Err(error) = compared {
            return super::brief::read_failed(name, &error);
        }
        for (keys, side) in [(old_keys, "old"), (new_keys, "new")] {
            let mut keys: Vec<String> = keys.into_iter().collect();
            keys.sort_unstable();
            for key in keys {
                if warned.insert((key.clone(), side)) {
                    eprintln!(
                        "warning: field `{}` is not in the {side} rule set's schema; it is ignored there",
                        crate::escape::terminal(&key)
                    );
                }
            }
        }
    }
    let changes = rules::compare((&old_sources, &old.program), (&new_sources, &new.program));
    let report = comparer.finish(
        args.old.display().to_string(),
        args.new.display().to_string(),
        args.inputs.clone(),
        changes,
    );
    let rendered = match args.format {
        DiffFormat::Text => Ok(render::text(&report)),
        DiffFormat::Markdown => Ok(render::markdown(&report)),
        DiffFormat::Json => crate::escape::json_string(&report).map(|mut s| {
            s.push('\n');
            s
        }),
    };
    let written = rendered.map_err(std::io::Error::from).and_then(|text| {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
    });
    match written {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(error) => {
            eprintln!("error: writing the comparison failed: {error}");
            return Exit::Usage;
        }
        Ok(()) => {}
    }
    eprint!("{}", summary.render());
    if report.totals.rejected > 0 {
        Exit::Rejected
    } else if args.fail_on_change && report.totals.changed_cases > 0 {
        Exit::RuleErrors
    } else {
        Exit::Success
    }
}
