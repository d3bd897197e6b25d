//! `nrscreen check RULESET`: print every diagnostic and a summary line.

use std::io::{IsTerminal, Write};

use crate::check::{check, Checked};
use crate::diagnostic::{self, Diagnostic};
use crate::ruleset;
use crate::source::Sources;

use super::{use_colour, CheckArgs, ErrorFormat, Exit};

pub(crate) fn run(args: &CheckArgs) -> Exit {
    let loaded = match ruleset::load(&args.ruleset) {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("error: {}", crate::escape::terminal(&error.to_string()));
            return Exit::Usage;
        }
    };
    tracing::info!(files = loaded.sources.iter().count(), "rule set read");
    let (sources, mut checked) = check(loaded);
    crate::analysis::analyse(&mut checked);
    let mut out = std::io::stdout().lock();
    let colour = use_colour(args.color, std::io::stdout().is_terminal());
    let text = render(&sources, &checked.diagnostics, args.error_format, colour);
    let _ = out.write_all(text.as_bytes());
    let _ = writeln!(out, "{}", summary(&checked));
    if checked.diagnostics.iter().any(Diagnostic::is_error) {
        Exit::RuleErrors
    } else {
        Exit::Success
    }
}

/// Diagnostics in the chosen format.
pub(crate) fn render(
    sources: &Sources,
    diagnostics: &[Diagnostic],
    format: ErrorFormat,
    colour: bool,
) -> String {
    match format {
        ErrorFormat::Human => diagnostic::render_text(sources, diagnostics, colour),
        ErrorFormat::Json => diagnostic::render_json(sources, diagnostics),
    }
}

/// `checked 14 rules, 9 definitions, 3 tables: 0 errors, 1 warning`.
pub(crate) fn summary(checked: &Checked) -> String {
    let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = checked.diagnostics.len() - errors;
    let c = checked.counts;
    format!(
        "checked {}, {}, {}: {}, {}",
        plural(c.rules, "rule", "rules"),
        plural(c.defs, "definition", "definitions"),
        plural(c.tables, "table", "tables"),
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings"),
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
