//! `nrscreen explain`: one case's evaluation as a tree (see `src/trace/`),
//! found in its input as `brief` finds it.

use std::io::Write;
use std::path::PathBuf;

use crate::eval::record::Record;
use crate::records::case::CaseRecord;
use crate::records::input::InputFormat;
use crate::trace::{text, Tracer};

use super::brief::{search, Wanted};
use super::{ColorChoice, Exit};

/// The format of an explanation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ExplainFormat {
    /// An indented tree for reading.
    Text,
    /// One JSON object (the shape is in the README).
    Json,
}

#[derive(clap::Args, Debug)]
pub(crate) struct ExplainArgs {
    /// The rule-set directory.
    #[arg(long, default_value = "rules")]
    rules: PathBuf,
    /// The case file to find the case in (`-` reads standard input).
    input: String,
    /// The case id to explain.
    #[arg(long = "case", value_name = "ID")]
    case_id: String,
    /// Explain only this rule (its id).
    #[arg(long, value_name = "RULE")]
    rule: Option<String>,
    /// The output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    format: ExplainFormat,
    /// Read the input through this mapping (grammar/MAPPING.md).
    #[arg(long, value_name = "MAPPING", conflicts_with = "input_format")]
    map: Option<PathBuf>,
    /// The input format (default: from the file extension).
    #[arg(long, value_enum)]
    input_format: Option<InputFormat>,
    /// When to use colour (for diagnostics on stderr).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
}

/// `nrscreen explain`.
pub(crate) fn run(args: &ExplainArgs) -> Exit {
    let (sources, compiled) =
        match super::load_compiled(&args.rules, args.color, super::DiagnosticsTo::Stderr) {
            Ok(loaded) => loaded,
            Err(code) => return code,
        };
    let program = &compiled.program;
    let only = match &args.rule {
        Some(id) => match program.rules.iter().position(|r| &r.id == id) {
            Some(index) => Some(index),
            None => {
                let hint =
                    crate::suggest::did_you_mean(id, program.rules.iter().map(|r| r.id.as_str()))
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                eprintln!(
                    "error: the rule set has no rule `{}`{hint}",
                    crate::escape::terminal(id)
                );
                return Exit::Usage;
            }
        },
        None => None,
    };
    let mapping = match &args.map {
        Some(path) => match super::map::load(path, &compiled, args.color) {
            Ok(loaded) => Some(loaded),
            Err(code) => return code,
        },
        None => None,
    };
    let name = args.input.clone();
    let mut record = CaseRecord::with_fields(program.schema.fields.len());
    let wanted = Wanted {
        name: &name,
        id: &args.case_id,
        input_format: args.input_format,
        what: "explained",
    };
    let (line, _) = match search(
        &compiled,
        mapping.as_ref(),
        &wanted,
        &mut record,
        args.color,
    ) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let interpreted = Record::from_case(&compiled, &record);
    let trace = Tracer::new(program, &sources, &interpreted).case(&name, line, only);
    let rendered = match args.format {
        ExplainFormat::Text => Ok(text::render(&trace)),
        ExplainFormat::Json => crate::escape::json_string(&trace).map(|mut s| {
            s.push('\n');
            s
        }),
    };
    let rendered = match rendered {
        Ok(text) => text,
        Err(error) => {
            eprintln!("error: writing the explanation failed: {error}");
            return Exit::Usage;
        }
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(rendered.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Exit::Success,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Exit::Success,
        Err(error) => {
            eprintln!("error: writing the explanation failed: {error}");
            Exit::Usage
        }
    }
}
