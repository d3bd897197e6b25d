//! Two cheap scans over rule-file text that run before pest:
//!
//! * [`check_nesting`] refuses text nested so deeply (brackets, or chains of
//!   prefix operators) that a recursive parser could exhaust the stack;
//! * [`item_chunks`] cuts a file at its top-level declarations so that, after
//!   a syntax error, the parser can carry on with the next declaration.
//!
//! Both skip string literals and comments.

use crate::diagnostic::Diagnostic;
use crate::source::FileId;
use crate::syntax::span::Span;

/// Brackets (`(`, `[`) and prefix operators (`not`, `known`, `unknown`) may
/// nest at most this deep.
pub(crate) const MAX_NESTING: usize = 100;

/// An error at the first place where nesting exceeds [`MAX_NESTING`].
pub(crate) fn check_nesting(file: FileId, text: &str) -> Option<Diagnostic> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut prefix_run = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' => {
                i = skip_string(bytes, i);
                prefix_run = 0;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'(' | b'[' => {
                depth += 1;
                prefix_run = 0;
                if depth > MAX_NESTING {
                    return Some(too_deep(file, i, "brackets"));
                }
            }
            b')' | b']' => {
                depth = depth.saturating_sub(1);
                prefix_run = 0;
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                match &text[start..i] {
                    "not" | "known" | "unknown" => {
                        prefix_run += 1;
                        if prefix_run > MAX_NESTING {
                            return Some(too_deep(
                                file,
                                start,
                                "`not`/`known`/`unknown` operators",
                            ));
                        }
                    }
                    // `not in` and `is not empty` are not prefixes.
                    "in" | "is" | "empty" => prefix_run = 0,
                    _ => prefix_run = 0,
                }
                continue;
            }
            b if b.is_ascii_whitespace() => {}
            _ => prefix_run = 0,
        }
        i += 1;
    }
    None
}

fn too_deep(file: FileId, at: usize, what: &str) -> Diagnostic {
    Diagnostic::error(
        "too-deep",
        format!("{what} are nested more than {MAX_NESTING} deep"),
        Span::new(file, at, at + 1),
    )
    .with_label("too deep here")
    .with_help("split the expression into several `def`s")
}

/// Index just past the string literal that starts at `start`.
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' | b'\n' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Byte ranges of the file's declarations: a new chunk starts at each line
/// that begins (in column 1) with `def`, `rule`, `exception` or a `///` doc
/// comment that does not continue a previous one. The chunks cover the text.
pub(crate) fn item_chunks(text: &str) -> Vec<(usize, usize)> {
    let mut starts = vec![0];
    let mut offset = 0;
    let mut previous_was_doc = false;
    for line in text.split_inclusive('\n') {
        let is_doc = line.starts_with("///");
        let starts_item = ["def", "rule", "exception"].iter().any(|kw| {
            line.strip_prefix(kw)
                .is_some_and(|rest| rest.starts_with([' ', '\t']))
        });
        if offset > 0 && ((is_doc && !previous_was_doc) || (starts_item && !previous_was_doc)) {
            starts.push(offset);
        }
        previous_was_doc = is_doc;
        offset += line.len();
    }
    let mut chunks = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        chunks.push((start, end));
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_start_at_declarations_and_keep_docs_with_them() {
        let text = "def a = 1\n/// doc\n/// more\nrule r {\n}\nexception e to r when true\n";
        let chunks: Vec<&str> = item_chunks(text)
            .iter()
            .map(|&(s, e)| &text[s..e])
            .collect();
        assert_eq!(
            chunks,
            vec![
                "def a = 1\n",
                "/// doc\n/// more\nrule r {\n}\n",
                "exception e to r when true\n"
            ]
        );
    }

    #[test]
    fn deep_brackets_are_refused_but_strings_and_comments_are_not_counted() {
        let file = FileId(0);
        assert!(check_nesting(file, &"(".repeat(MAX_NESTING + 1)).is_some());
        assert!(check_nesting(file, &"(".repeat(MAX_NESTING)).is_none());
        let quoted = format!("\"{}\"", "(".repeat(500));
        assert!(check_nesting(file, &quoted).is_none());
        let commented = format!("// {}", "(".repeat(500));
        assert!(check_nesting(file, &commented).is_none());
        assert!(check_nesting(file, &"not ".repeat(MAX_NESTING + 1)).is_some());
    }
}
