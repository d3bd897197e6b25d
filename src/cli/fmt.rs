//! `nrscreen fmt [--check] PATH…`: rule files in the canonical layout, their
//! comments kept (`syntax/format.rs`). Files are rewritten in place,
//! atomically, and only when they parse and change; `--check` changes
//! nothing and lists the files that would change; `-` is standard input to
//! standard output.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use crate::escape;
use crate::ruleset::files::{read_regular, rule_files, MAX_FILE_BYTES};
use crate::source::Sources;
use crate::syntax::format::format_source;

use super::{use_colour, ColorChoice, Exit};

/// The exit codes and examples shown by `nrscreen fmt --help`.
pub(crate) const AFTER_HELP: &str = "\
Exit codes: 0 every file is formatted (or was rewritten); 1 a file has syntax errors (it is left \
as it is) or, with --check, a file is not formatted; 2 usage or I/O errors.

Examples:
  nrscreen fmt rules                 # rewrite every .nrs file under rules/
  nrscreen fmt --check rules         # list the files that are not formatted
  nrscreen fmt - < rules/notice.nrs  # standard input to standard output";

#[derive(clap::Args, Debug)]
pub(crate) struct FmtArgs {
    /// Rule files, or directories (their `.nrs` files, recursively, as a
    /// rule set's are found); `-` formats standard input to standard output.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Change nothing: list the files that are not formatted, and exit 1 if
    /// there are any.
    #[arg(long)]
    check: bool,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
}

/// What became of the files so far.
#[derive(Default)]
struct Outcome {
    /// A file had syntax errors, or (`--check`) is not formatted.
    failed: bool,
    /// A file could not be read or written.
    io_error: bool,
}

pub(crate) fn run(args: &FmtArgs) -> Exit {
    let colour = use_colour(args.color, std::io::stderr().is_terminal());
    let stdin = Path::new("-");
    if args.paths.iter().any(|p| p == stdin) {
        if args.paths.len() > 1 {
            eprintln!("error: `-` (standard input) cannot be formatted together with files");
            return Exit::Usage;
        }
        return run_stdin(args.check, colour);
    }
    let mut outcome = Outcome::default();
    for path in &args.paths {
        let files = if path.is_dir() {
            match rule_files(path) {
                Ok(found) => found.files,
                Err((at, error)) => {
                    eprintln!(
                        "error: cannot read `{}`: {error}",
                        escape::terminal(&at.display().to_string())
                    );
                    outcome.io_error = true;
                    continue;
                }
            }
        } else {
            vec![path.clone()]
        };
        for file in files {
            format_file(&file, args.check, colour, &mut outcome);
        }
    }
    if outcome.io_error {
        Exit::Usage
    } else if outcome.failed {
        Exit::RuleErrors
    } else {
        Exit::Success
    }
}

/// Formats one file (or, with `check`, lists it if it is not formatted).
fn format_file(path: &Path, check: bool, colour: bool, outcome: &mut Outcome) {
    let shown = escape::terminal(&path.display().to_string()).into_owned();
    let bytes = match read_regular(path) {
        Ok(bytes) => bytes,
        Err(unreadable) => {
            eprintln!("error: {}", escape::terminal(&unreadable.message(path)));
            outcome.io_error = true;
            return;
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        eprintln!("error: `{shown}` is not UTF-8 text; it is left as it is");
        outcome.failed = true;
        return;
    };
    let Some(formatted) = formatted(path, &text, colour) else {
        outcome.failed = true;
        return;
    };
    if formatted == text {
        return;
    }
    if check {
        println!("{shown}");
        outcome.failed = true;
    } else if let Err(error) = super::output_file::replace_contents(path, formatted.as_bytes()) {
        eprintln!("error: {}", escape::terminal(&error));
        outcome.io_error = true;
    }
}

/// `text` formatted; `None` after printing its syntax errors on stderr.
fn formatted(path: &Path, text: &str, colour: bool) -> Option<String> {
    let mut sources = Sources::default();
    let file = sources.add(path, text.to_string());
    match format_source(file, text) {
        Ok(formatted) => Some(formatted),
        Err(diagnostics) => {
            let rendered = crate::diagnostic::render_text(&sources, &diagnostics, colour);
            let _ = std::io::stderr().write_all(rendered.as_bytes());
            eprintln!(
                "`{}` has syntax errors; it is left as it is",
                escape::terminal(&path.display().to_string())
            );
            None
        }
    }
}

/// `nrscreen fmt -`: standard input to standard output (with `check`,
/// nothing is written and the exit code says whether it is formatted).
fn run_stdin(check: bool, colour: bool) -> Exit {
    let mut bytes = Vec::new();
    let read = std::io::stdin()
        .lock()
        .take(MAX_FILE_BYTES.saturating_add(1))
        .read_to_end(&mut bytes);
    if let Err(error) = read {
        eprintln!("error: cannot read standard input: {error}");
        return Exit::Usage;
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        eprintln!(
            "error: standard input has more than the {} MiB a rule file may have",
            MAX_FILE_BYTES / (1024 * 1024)
        );
        return Exit::Usage;
    }
    let Ok(text) = String::from_utf8(bytes) else {
        eprintln!("error: standard input is not UTF-8 text");
        return Exit::RuleErrors;
    };
    let Some(formatted) = formatted(Path::new("<stdin>"), &text, colour) else {
        return Exit::RuleErrors;
    };
    if check {
        if formatted == text {
            return Exit::Success;
        }
        println!("-");
        return Exit::RuleErrors;
    }
    let mut out = std::io::stdout().lock();
    match out
        .write_all(formatted.as_bytes())
        .and_then(|()| out.flush())
    {
        Ok(()) => Exit::Success,
        Err(error) => {
            eprintln!("error: cannot write standard output: {error}");
            Exit::Usage
        }
    }
}
