//! `nrscreen map check`, and loading a mapping for `eval`.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal};
use std::path::Path;

use crate::compile::Compiled;
use crate::diagnostic::Diagnostic;
use crate::mapping::reader::{MappedRecords, OpenError};
use crate::mapping::Mapping;
use crate::source::Sources;

use super::{use_colour, ColorChoice, Exit, MapCheckArgs};

/// A loaded mapping and the files it was read from.
pub(crate) struct LoadedMapping {
    /// The mapping file and its value-table files.
    pub sources: Sources,
    /// The mapping.
    pub mapping: Mapping,
}

/// Loads the mapping at `path` for `compiled`'s schema; errors and
/// warnings are printed on stderr.
pub(crate) fn load(
    path: &Path,
    compiled: &Compiled,
    color: ColorChoice,
) -> Result<LoadedMapping, Exit> {
    let loaded = crate::mapping::load(path, &compiled.program.schema);
    if !loaded.diagnostics.is_empty() {
        print_diagnostics(&loaded.sources, &loaded.diagnostics, color);
    }
    match loaded.mapping {
        Some(mapping) => Ok(LoadedMapping {
            sources: loaded.sources,
            mapping,
        }),
        None => {
            let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "{}: {errors} error{}",
                crate::escape::terminal(&path.display().to_string()),
                if errors == 1 { "" } else { "s" }
            );
            Err(Exit::RuleErrors)
        }
    }
}

/// Prints diagnostics into mapping files on stderr.
pub(crate) fn print_diagnostics(sources: &Sources, diagnostics: &[Diagnostic], color: ColorChoice) {
    let colour = use_colour(color, std::io::stderr().is_terminal());
    eprint!(
        "{}",
        crate::diagnostic::render_text(sources, diagnostics, colour)
    );
}

/// Opens an input for reading through a mapping; a mismatch between the
/// mapping and the file's columns is printed as diagnostics.
pub(crate) fn open<'a>(
    compiled: &'a Compiled,
    loaded: &'a LoadedMapping,
    name: &str,
    stream: Box<dyn BufRead + 'a>,
    color: ColorChoice,
    warn_unmapped: bool,
    max_record_bytes: usize,
) -> Result<MappedRecords<'a>, Exit> {
    let format = crate::mapping::source_format(&loaded.mapping, name);
    match MappedRecords::open(
        compiled,
        &loaded.mapping,
        name.to_string(),
        format,
        stream,
        max_record_bytes,
    ) {
        Ok(records) => {
            // JSON Lines keys nothing reads are named after the run.
            if warn_unmapped && !records.is_json() {
                let unmapped: Vec<String> = records
                    .binding
                    .header
                    .iter()
                    .zip(&records.binding.columns)
                    .filter(|(_, use_)| **use_ == crate::mapping::bind::ColumnUse::Unmapped)
                    .map(|(name, _)| format!("`{}`", crate::escape::terminal(name)))
                    .collect();
                if !unmapped.is_empty() {
                    eprintln!(
                        "warning: `{}`: {} column{} not mapped, so not read: {} (list the ones you mean to leave out under [ignore] columns)",
                        crate::escape::terminal(name),
                        unmapped.len(),
                        if unmapped.len() == 1 { " is" } else { "s are" },
                        unmapped.join(", ")
                    );
                }
            }
            Ok(records)
        }
        Err(OpenError::Mismatch(diagnostics)) => {
            print_diagnostics(&loaded.sources, &diagnostics, color);
            eprintln!(
                "error: the mapping `{}` does not fit `{}`",
                crate::escape::terminal(&loaded.mapping.path.display().to_string()),
                crate::escape::terminal(name)
            );
            Err(Exit::RuleErrors)
        }
        Err(OpenError::Io(error)) => {
            eprintln!(
                "error: cannot read `{}`: {}",
                crate::escape::terminal(name),
                crate::escape::terminal(&error.to_string())
            );
            Err(Exit::Usage)
        }
    }
}

/// Opens an input file, or standard input for `-`.
pub(crate) fn open_stream(name: &str) -> std::io::Result<Box<dyn BufRead>> {
    Ok(if name == "-" {
        Box::new(BufReader::new(std::io::stdin().lock()))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, File::open(name)?))
    })
}

/// `nrscreen map check MAPPING FILE…`.
pub(crate) fn check(args: &MapCheckArgs) -> Exit {
    let (_, compiled) =
        match super::load_compiled(&args.rules, args.color, super::DiagnosticsTo::Stderr) {
            Ok(loaded) => loaded,
            Err(code) => return code,
        };
    let loaded = match load(&args.mapping, &compiled, args.color) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    if args.inputs.is_empty() {
        let mapping = &loaded.mapping;
        println!(
            "{}: {} fields from columns, {} constants, {} value tables ({} from files); no input given, so columns were not matched",
            crate::escape::terminal(&mapping.path.display().to_string()),
            mapping.fields.len(),
            mapping.constants.len(),
            mapping.tables.iter().filter(|t| t.source.as_deref() != Some("built in")).count(),
            mapping.table_files.len(),
        );
        return Exit::Success;
    }
    let mut exit = Exit::Success;
    for (i, name) in args.inputs.iter().enumerate() {
        let stream = match open_stream(name) {
            Ok(stream) => stream,
            Err(error) => {
                eprintln!(
                    "error: cannot read `{}`: {error}",
                    crate::escape::terminal(name)
                );
                return Exit::Usage;
            }
        };
        let mut records = match open(
            &compiled,
            &loaded,
            name,
            stream,
            args.color,
            false,
            crate::records::input::MAX_RECORD_BYTES,
        ) {
            Ok(records) => records,
            Err(code) => return code,
        };
        let dry = match crate::mapping::check::dry_run(&compiled, &mut records, args.rows) {
            Ok(dry) => dry,
            Err(error) => {
                eprintln!(
                    "error: reading `{}` failed: {}",
                    crate::escape::terminal(name),
                    crate::escape::terminal(&error.to_string())
                );
                return Exit::Usage;
            }
        };
        if i > 0 {
            println!();
        }
        print!(
            "{}",
            crate::mapping::check::render(&compiled, &loaded.mapping, name, &records, &dry)
        );
        if dry.rejected > 0 && exit == Exit::Success {
            exit = Exit::Rejected;
        }
    }
    exit
}
