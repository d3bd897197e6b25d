//! The one diagnostic type and its one renderer.
//!
//! Every problem a user can cause in a rule set (syntax, names, types,
//! tables, the manifest) becomes a [`Diagnostic`]. Rendering as text (with the
//! source line and a caret run under the span) or as JSON happens only here.
//!
//! Rendered text is bounded and safe for a terminal: messages, labels, help
//! and file names go through [`escape::terminal`], source lines are shown
//! through an [`excerpt::Excerpt`] (escaped, long lines cut around the
//! labels), and at most [`SHOWN_PER_FILE`] diagnostics are shown per file,
//! the rest counted. JSON output is exact and not capped.

mod excerpt;

use std::collections::HashMap;
use std::fmt::Write as _;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::term::{self, termcolor, Chars, Config};
use serde::Serialize;

use crate::escape;
use crate::source::{FileId, Sources, Span};

use excerpt::Excerpt;

/// How many diagnostics of one file `render_text` shows; the rest are
/// counted in one line ("… and 3950 more errors in FILE").
pub(crate) const SHOWN_PER_FILE: usize = 50;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Level {
    /// The rule set is usable, but something looks wrong.
    Warning,
    /// The rule set cannot be used.
    Error,
}

/// A labelled span.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Label {
    /// What is pointed at.
    pub span: Span,
    /// What to say about it (may be empty).
    pub message: String,
}

/// One problem found in a rule set.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Diagnostic {
    /// Error or warning.
    pub level: Level,
    /// A stable kebab-case code, e.g. `unknown-name`.
    pub code: &'static str,
    /// One lowercase line, user input in backticks.
    pub message: String,
    /// The main place, if the problem has one.
    pub primary: Option<Label>,
    /// Other places that explain it.
    pub secondary: Vec<Label>,
    /// Advice: what to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at a span.
    pub(crate) fn error(code: &'static str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic::new(Level::Error, code, message, Some(span))
    }

    /// A warning at a span.
    pub(crate) fn warning(
        code: &'static str,
        message: impl Into<String>,
        span: Span,
    ) -> Diagnostic {
        Diagnostic::new(Level::Warning, code, message, Some(span))
    }

    /// An error that points nowhere (e.g. a missing file).
    pub(crate) fn error_without_span(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Level::Error, code, message, None)
    }

    fn new(
        level: Level,
        code: &'static str,
        message: impl Into<String>,
        span: Option<Span>,
    ) -> Self {
        Diagnostic {
            level,
            code,
            message: message.into(),
            primary: span.map(|span| Label {
                span,
                message: String::new(),
            }),
            secondary: Vec::new(),
            help: None,
        }
    }

    /// Sets the label under the primary span.
    pub(crate) fn with_label(mut self, message: impl Into<String>) -> Diagnostic {
        if let Some(primary) = &mut self.primary {
            primary.message = message.into();
        }
        self
    }

    /// Adds another labelled place.
    pub(crate) fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the help line.
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Whether this is an error.
    pub(crate) fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

/// Sorts diagnostics by file and position (errors without a place first), so
/// output does not depend on the order the checker found them in.
pub(crate) fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| {
        d.primary
            .as_ref()
            .map(|l| (l.span.file, l.span.start, l.span.end))
    });
}

/// Renders diagnostics as text, with colour if asked: at most
/// [`SHOWN_PER_FILE`] per file (then a line counting the rest), each
/// through its [`Excerpt`], so the text is bounded by the number of
/// diagnostics shown, whatever the length of the lines.
pub(crate) fn render_text(sources: &Sources, diagnostics: &[Diagnostic], colour: bool) -> String {
    let config = Config {
        chars: Chars::ascii(),
        ..Config::default()
    };
    let mut buffer = if colour {
        termcolor::Buffer::ansi()
    } else {
        termcolor::Buffer::no_color()
    };
    // Per file (`None`: no place): how many, the last one's index, and how
    // many errors and warnings are not shown.
    let mut files: HashMap<Option<FileId>, FileCount> = HashMap::new();
    for (i, diagnostic) in diagnostics.iter().enumerate() {
        let count = files.entry(file_of(diagnostic)).or_default();
        count.total += 1;
        count.last = i;
    }
    let mut seen: HashMap<Option<FileId>, usize> = HashMap::new();
    for (i, diagnostic) in diagnostics.iter().enumerate() {
        let file = file_of(diagnostic);
        let n = seen.entry(file).or_default();
        *n += 1;
        if *n <= SHOWN_PER_FILE {
            emit(&mut buffer, &config, sources, diagnostic);
        } else if let Some(count) = files.get_mut(&file) {
            match diagnostic.level {
                Level::Error => count.hidden_errors += 1,
                Level::Warning => count.hidden_warnings += 1,
            }
        }
        if let Some(count) = files
            .get(&file)
            .filter(|c| c.last == i && c.total > SHOWN_PER_FILE)
        {
            let place = file.map_or(String::new(), |f| {
                format!(" in {}", escape::terminal(&sources.get(f).name))
            });
            let _ = writeln!(PlainSink(&mut buffer), "… and {}{place}\n", count.hidden());
        }
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

/// The file a diagnostic is shown under: its primary label's.
fn file_of(diagnostic: &Diagnostic) -> Option<FileId> {
    diagnostic.primary.as_ref().map(|label| label.span.file)
}

/// The diagnostics of one file, counted for the cap.
#[derive(Default)]
struct FileCount {
    total: usize,
    last: usize,
    hidden_errors: usize,
    hidden_warnings: usize,
}

impl FileCount {
    /// `3950 more errors`, `2 more errors and 1 more warning`.
    fn hidden(&self) -> String {
        let part = |n: usize, one: &str| {
            (n > 0).then(|| format!("{n} more {one}{}", if n == 1 { "" } else { "s" }))
        };
        [
            part(self.hidden_errors, "error"),
            part(self.hidden_warnings, "warning"),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" and ")
    }
}

/// Renders one diagnostic through its excerpt.
fn emit(
    buffer: &mut termcolor::Buffer,
    config: &Config,
    sources: &Sources,
    diagnostic: &Diagnostic,
) {
    let excerpt = Excerpt::new(
        sources,
        diagnostic,
        config.start_context_lines,
        config.end_context_lines,
    );
    let converted = to_codespan(diagnostic, &excerpt);
    if term::emit(buffer, config, &excerpt, &converted).is_err() {
        // A span outside its file would be a bug in nrscreen; say what we
        // can rather than losing the diagnostic.
        let _ = writeln!(
            PlainSink(buffer),
            "{}[{}]: {}",
            level_name(diagnostic.level),
            diagnostic.code,
            escape::terminal(&diagnostic.message)
        );
    }
}

struct PlainSink<'a>(&'a mut termcolor::Buffer);

impl std::fmt::Write for PlainSink<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        use std::io::Write as _;
        self.0.write_all(s.as_bytes()).map_err(|_| std::fmt::Error)
    }
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Warning => "warning",
        Level::Error => "error",
    }
}

/// The codespan-reporting form of `diagnostic`: every text escaped for the
/// terminal, spans moved into `excerpt`.
fn to_codespan(diagnostic: &Diagnostic, excerpt: &Excerpt<'_>) -> cs::Diagnostic<FileId> {
    let severity = match diagnostic.level {
        Level::Warning => cs::Severity::Warning,
        Level::Error => cs::Severity::Error,
    };
    let mut labels = Vec::new();
    if let Some(primary) = &diagnostic.primary {
        labels.push(
            cs::Label::primary(primary.span.file, excerpt.range(primary.span))
                .with_message(escape::terminal(&primary.message)),
        );
    }
    for label in &diagnostic.secondary {
        labels.push(
            cs::Label::secondary(label.span.file, excerpt.range(label.span))
                .with_message(escape::terminal(&label.message)),
        );
    }
    let notes = diagnostic
        .help
        .iter()
        .map(|help| format!("help: {}", escape::terminal(help)))
        .collect();
    cs::Diagnostic::new(severity)
        .with_code(diagnostic.code)
        .with_message(escape::terminal(&diagnostic.message))
        .with_labels(labels)
        .with_notes(notes)
}

/// One diagnostic as JSON, for editors and scripts.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    level: Level,
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    related: Vec<JsonLabel<'a>>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

/// Renders diagnostics as JSON Lines: one object per diagnostic.
pub(crate) fn render_json(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let place = d.primary.as_ref().map(|label| {
            let start = sources.line_col(label.span.file, label.span.start as usize);
            let end = sources.line_col(label.span.file, label.span.end as usize);
            (sources.get(label.span.file).name.as_str(), start, end)
        });
        let json = JsonDiagnostic {
            level: d.level,
            code: d.code,
            message: &d.message,
            file: place.map(|p| p.0),
            line: place.map(|p| p.1 .0),
            column: place.map(|p| p.1 .1),
            end_line: place.map(|p| p.2 .0),
            end_column: place.map(|p| p.2 .1),
            label: d
                .primary
                .as_ref()
                .map(|l| l.message.as_str())
                .filter(|m| !m.is_empty()),
            help: d.help.as_deref(),
            related: d
                .secondary
                .iter()
                .map(|l| {
                    let (line, column) = sources.line_col(l.span.file, l.span.start as usize);
                    JsonLabel {
                        file: &sources.get(l.span.file).name,
                        line,
                        column,
                        message: &l.message,
                    }
                })
                .collect(),
        };
        // Serialising plain strings and numbers cannot fail.
        if let Ok(line) = escape::json_string(&json) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::excerpt::LINE_CHARS;
    use super::*;

    #[test]
    fn thousands_of_diagnostics_on_one_long_line_render_bounded_text() {
        // 4,000 unknown names on one 100 KB line: before the caps, each
        // diagnostic printed the whole line (400 MB in all).
        let names: Vec<String> = (0..4_000)
            .map(|i| format!("def d{i} = unknown_{i}"))
            .collect();
        let text = names.join(" ") + "\n";
        let mut sources = Sources::default();
        let id = sources.add(Path::new("long.nrs"), text.clone());
        let mut at = 0;
        let diagnostics: Vec<Diagnostic> = (0..4_000)
            .map(|i| {
                let name = format!("unknown_{i}");
                at += text[at..].find(&name).unwrap();
                let span = Span::new(id, at, at + name.len());
                let level = if i % 4 == 0 {
                    Level::Warning
                } else {
                    Level::Error
                };
                Diagnostic::new(
                    level,
                    "unknown-name",
                    format!("unknown name `{name}`"),
                    Some(span),
                )
            })
            .collect();
        let out = render_text(&sources, &diagnostics, false);
        assert_eq!(out.matches("unknown name").count(), SHOWN_PER_FILE, "{out}");
        // Each shown diagnostic is a few short lines.
        assert!(out.len() < SHOWN_PER_FILE * 1_000, "{} bytes", out.len());
        assert!(
            out.lines().all(|l| l.chars().count() < 2 * LINE_CHARS),
            "{out}"
        );
        // Every fourth is a warning: 13 of the 50 shown, 987 of the rest.
        assert!(
            out.ends_with("… and 2963 more errors and 987 more warnings in long.nrs\n\n"),
            "{}",
            &out[out.len() - 200..]
        );
    }

    #[test]
    fn the_count_of_the_rest_follows_each_files_diagnostics() {
        let mut sources = Sources::default();
        let a = sources.add(Path::new("a.nrs"), "x\n".repeat(100));
        let b = sources.add(Path::new("b\u{1b}[2J.nrs"), "y\n".repeat(100));
        let mut diagnostics = Vec::new();
        for file in [a, b] {
            for line in 0..SHOWN_PER_FILE + 1 {
                diagnostics.push(Diagnostic::error(
                    "e",
                    "bad",
                    Span::new(file, 2 * line, 2 * line + 1),
                ));
            }
        }
        let out = render_text(&sources, &diagnostics, false);
        let first = out.find("… and 1 more error in a.nrs\n").unwrap();
        let b_starts = out.find("--> b").unwrap();
        assert!(first < b_starts, "{out}");
        assert!(
            out.ends_with("… and 1 more error in b\\u{1b}[2J.nrs\n\n"),
            "{out}"
        );
        assert!(out.contains("--> b\\u{1b}[2J.nrs:1:1"), "{out}");
    }

    #[test]
    fn messages_labels_and_help_are_escaped() {
        let mut sources = Sources::default();
        let id = sources.add(Path::new("f.nrs"), "def x = 1\n".to_string());
        let evil = "a\u{1b}]0;pwned\u{7}\u{202e}\nb";
        let d = Diagnostic::error("code", evil, Span::new(id, 4, 5))
            .with_label(evil)
            .with_secondary(Span::new(id, 8, 9), evil)
            .with_help(evil);
        let out = render_text(&sources, &[d], false);
        assert_eq!(
            out.matches("a\\u{1b}]0;pwned\\u{7}\\u{202e}\\nb").count(),
            4,
            "{out}"
        );
        assert!(
            !out.chars().any(|c| c != '\n' && escape::is_unsafe(c)),
            "{out:?}"
        );
    }
}
