//! The one diagnostic type and its one renderer.
//!
//! Every problem a user can cause in a rule set (syntax, names, types,
//! tables, the manifest) becomes a [`Diagnostic`]. Rendering as text (with the
//! source line and a caret run under the span) or as JSON happens only here.

use std::fmt::Write as _;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, termcolor, Chars, Config};
use serde::Serialize;

use crate::source::{FileId, Sources, Span};

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

/// Renders diagnostics as text, with colour if asked.
pub(crate) fn render_text(sources: &Sources, diagnostics: &[Diagnostic], colour: bool) -> String {
    let files = FilesAdapter(sources);
    let config = Config {
        chars: Chars::ascii(),
        ..Config::default()
    };
    let mut buffer = if colour {
        termcolor::Buffer::ansi()
    } else {
        termcolor::Buffer::no_color()
    };
    for diagnostic in diagnostics {
        let converted = to_codespan(diagnostic);
        if term::emit(&mut buffer, &config, &files, &converted).is_err() {
            // A span outside its file would be a bug in nrscreen; say what we
            // can rather than losing the diagnostic.
            let _ = writeln!(
                PlainSink(&mut buffer),
                "{}[{}]: {}",
                level_name(diagnostic.level),
                diagnostic.code,
                diagnostic.message
            );
        }
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
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

fn to_codespan(diagnostic: &Diagnostic) -> cs::Diagnostic<FileId> {
    let severity = match diagnostic.level {
        Level::Warning => cs::Severity::Warning,
        Level::Error => cs::Severity::Error,
    };
    let mut labels = Vec::new();
    if let Some(primary) = &diagnostic.primary {
        labels.push(
            cs::Label::primary(primary.span.file, primary.span.range())
                .with_message(primary.message.clone()),
        );
    }
    for label in &diagnostic.secondary {
        labels.push(
            cs::Label::secondary(label.span.file, label.span.range())
                .with_message(label.message.clone()),
        );
    }
    let notes = diagnostic
        .help
        .iter()
        .map(|help| format!("help: {help}"))
        .collect();
    cs::Diagnostic::new(severity)
        .with_code(diagnostic.code)
        .with_message(diagnostic.message.clone())
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
        if let Ok(line) = serde_json::to_string(&json) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Lets codespan-reporting read our [`Sources`].
struct FilesAdapter<'a>(&'a Sources);

impl<'a> Files<'a> for FilesAdapter<'a> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.0.get(id).name)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.0.get(id).text)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        Ok(self.0.get(id).line_index(byte_index))
    }

    fn line_range(
        &'a self,
        id: FileId,
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, FilesError> {
        self.0
            .get(id)
            .line_range(line_index)
            .ok_or(FilesError::LineTooLarge {
                given: line_index,
                max: 0,
            })
    }
}
