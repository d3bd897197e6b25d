//! Reading the TOML files of a rule set with errors that point into them.

use serde::de::DeserializeOwned;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

/// Deserialises a TOML file; a malformed file or a wrong field becomes a
/// diagnostic pointing at the offending text.
pub(crate) fn parse<T: DeserializeOwned>(
    file: FileId,
    text: &str,
    what: &str,
) -> Result<T, Diagnostic> {
    toml::from_str(text).map_err(|error| {
        let message = first_lower(error.message());
        syntax_error(
            file,
            text,
            error.span(),
            &format!("this {what} is not valid: {message}"),
        )
    })
}

/// The diagnostic of a TOML parser's error: `message` (its newlines joined
/// with `; `) at `span`, cut at the end of its first line (some spans, such
/// as an unclosed string's, run over it) so that one line is shown.
pub(crate) fn syntax_error(
    file: FileId,
    text: &str,
    span: Option<std::ops::Range<usize>>,
    message: &str,
) -> Diagnostic {
    let mut range = span.unwrap_or(0..0);
    if let Some(newline) = text.get(range.clone()).and_then(|t| t.find('\n')) {
        range.end = range.start + newline;
    }
    let message = message.trim_end_matches('\n').replace('\n', "; ");
    Diagnostic::error("bad-toml", message, Span::new(file, range.start, range.end))
}

/// The span of a `toml::Spanned` value in `file`.
pub(crate) fn span_of<T>(file: FileId, value: &toml::Spanned<T>) -> Span {
    let range = value.span();
    Span::new(file, range.start, range.end)
}

fn first_lower(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
