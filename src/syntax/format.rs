//! `nrscreen fmt`: a rule file in the canonical layout, its comments kept.
//!
//! The printer (`syntax/print.rs`) lays out the AST, which has no comments.
//! They are woven back in by token: the source and the printed text are cut
//! into the same token sequence (`syntax/lexeme.rs`; the printer writes
//! every token the parser read, in order, except a list's trailing comma,
//! which is dropped from the source side too), so the n-th printed token is
//! the n-th source token. Each comment belongs to a token:
//!
//! - a comment with code before it on its line (a *trailing* comment) stays
//!   at the end of the line of the token before it; if the printed line
//!   goes on, it is broken after the comment;
//! - any other comment goes on its own line(s) before the token after it,
//!   at that token's indentation (inside a rule when that token is its
//!   closing `}`); in the middle of a printed line, the line is broken
//!   there and the rest continues under the clause's text.
//!
//! Blank lines are kept between declarations and around comments between
//! declarations (a run of them becomes one); inside a declaration the
//! layout is the printer's. A file with syntax errors is not formatted.
//! Formatting formatted text changes nothing: the printer is idempotent and
//! every comment belongs to the same token, in the same way, again.

use crate::diagnostic::Diagnostic;
use crate::source::FileId;
use crate::syntax::lexeme::{self, Kind, Lexeme};
use crate::syntax::parser::parse_module;
use crate::syntax::print::print_declarations;

/// The comments that belong to one source token.
#[derive(Debug, Default)]
struct Attached<'a> {
    /// Comments on lines of their own before it: text, and whether an empty
    /// line precedes the comment.
    before: Vec<(&'a str, bool)>,
    /// A comment after it on its line.
    after: Option<&'a str>,
    /// An empty line precedes the token (after its comments, if any).
    blank_before: bool,
}

/// A source file's comments, by the index of the token they belong to.
#[derive(Debug, Default)]
struct Comments<'a> {
    /// One entry per token (list trailing commas left out).
    tokens: Vec<Attached<'a>>,
    /// Comments after the last token.
    end: Vec<(&'a str, bool)>,
}

/// `text` in the canonical layout with its comments, or the syntax errors
/// that stop it from being formatted.
pub(crate) fn format_source(file: FileId, text: &str) -> Result<String, Vec<Diagnostic>> {
    let (module, diagnostics) = parse_module(file, text);
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    let comments = collect(&lexeme::scan(text));
    let declarations = print_declarations(&module);
    weave(&declarations, &comments).ok_or_else(|| {
        vec![Diagnostic::error_without_span(
            "fmt-bug",
            "nrscreen fmt could not place this file's comments; the file was left as it is; please report it with the file",
        )]
    })
}

/// Attaches every comment of the source to a token.
fn collect<'a>(lexemes: &[Lexeme<'a>]) -> Comments<'a> {
    let mut comments = Comments::default();
    let mut pending: Vec<(&'a str, bool)> = Vec::new();
    let tokens: Vec<&Lexeme<'a>> = lexemes.iter().filter(|l| l.kind != Kind::Comment).collect();
    let mut next_token = 0;
    for (i, l) in lexemes.iter().enumerate() {
        if l.kind == Kind::Comment {
            let trailing = !l.line_start && i > 0;
            match comments.tokens.last_mut() {
                Some(last) if trailing && pending.is_empty() && last.after.is_none() => {
                    last.after = Some(l.text);
                }
                _ => pending.push((l.text, l.blank_before)),
            }
            continue;
        }
        let this = next_token;
        next_token += 1;
        if l.text == "," && is_closing(tokens.get(this + 1)) {
            // A trailing comma: the printer drops it; its comments go on.
            continue;
        }
        comments.tokens.push(Attached {
            before: std::mem::take(&mut pending),
            after: None,
            blank_before: l.blank_before,
        });
    }
    comments.end = pending;
    comments
}

fn is_closing(next: Option<&&Lexeme<'_>>) -> bool {
    next.is_some_and(|l| l.kind == Kind::Token && (l.text == "]" || l.text == ")"))
}

/// The printed declarations with the comments put back; `None` if the
/// printed tokens do not match the source's one for one.
fn weave(declarations: &[String], comments: &Comments<'_>) -> Option<String> {
    // The printed tokens, each marked when it starts a declaration.
    let mut printed = String::new();
    let mut starts = Vec::new();
    let mut tokens = Vec::new();
    for declaration in declarations {
        let offset = printed.len();
        printed.push_str(declaration);
        for (i, l) in lexeme::scan(declaration).into_iter().enumerate() {
            if l.kind == Kind::Comment {
                return None;
            }
            starts.push(i == 0);
            tokens.push((offset + l.start, offset + l.end));
        }
    }
    if tokens.len() != comments.tokens.len() {
        return None;
    }
    let mut out = String::new();
    let mut cursor = 0;
    let mut need_break = false;
    for (i, &(start, end)) in tokens.iter().enumerate() {
        let attached = &comments.tokens[i];
        let gap = &printed[cursor..start];
        let text = &printed[start..end];
        let top_level = starts[i];
        if i == 0 || gap.contains('\n') {
            let indent = gap.rsplit('\n').next().unwrap_or("");
            let comment_indent = if indent.is_empty() && text == "}" {
                "  "
            } else {
                indent
            };
            end_line(&mut out);
            for &(comment, blank) in &attached.before {
                if top_level && blank {
                    blank_line(&mut out);
                }
                out.push_str(comment_indent);
                out.push_str(comment);
                out.push('\n');
            }
            if top_level && attached.blank_before {
                blank_line(&mut out);
            }
            out.push_str(indent);
        } else if need_break || !attached.before.is_empty() {
            let indent = continuation_indent(current_line(&out));
            trim_line_end(&mut out);
            for &(comment, _) in &attached.before {
                out.push('\n');
                out.push_str(&indent);
                out.push_str(comment);
            }
            out.push('\n');
            out.push_str(&indent);
        } else {
            out.push_str(gap);
        }
        out.push_str(text);
        need_break = false;
        if let Some(comment) = attached.after {
            out.push(' ');
            out.push_str(comment);
            need_break = true;
        }
        cursor = end;
    }
    end_line(&mut out);
    for &(comment, blank) in &comments.end {
        if blank {
            blank_line(&mut out);
        }
        out.push_str(comment);
        out.push('\n');
    }
    Some(out)
}

/// Ends the output's last line, if it has one.
fn end_line(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// Makes the output end with an empty line, unless it is empty.
fn blank_line(out: &mut String) {
    end_line(out);
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
}

fn trim_line_end(out: &mut String) {
    let kept = out.trim_end_matches(' ').len();
    out.truncate(kept);
}

/// The output's last line so far.
fn current_line(out: &str) -> &str {
    out.rsplit('\n').next().unwrap_or("")
}

/// Where a line broken for a comment goes on: under a clause's text (after
/// its keyword, or after `where` in an audit's `for every case where`),
/// four spaces in from a declaration's first line, or at the indentation of
/// a continuation line.
fn continuation_indent(line: &str) -> String {
    let lead = line.len() - line.trim_start_matches(' ').len();
    let column = match lead {
        0 => 4,
        2 => {
            let rest = &line[lead..];
            let after = match rest.find(" where ") {
                Some(w) if rest.starts_with("for ") => w + " where ".len(),
                _ => {
                    let word = rest.find(' ').unwrap_or(rest.len());
                    word + (rest[word..].len() - rest[word..].trim_start_matches(' ').len())
                }
            };
            lead + after
        }
        n => n,
    };
    " ".repeat(column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::arbitrary::{self, erase_spans};
    use crate::syntax::print::print_module;
    use proptest::prelude::*;

    #[allow(clippy::panic)] // the test's failure message
    fn fmt(text: &str) -> String {
        match format_source(FileId(0), text) {
            Ok(out) => out,
            Err(d) => panic!("{text}: {d:?}"),
        }
    }

    /// Formats, and checks that formatting again changes nothing.
    fn stable(text: &str) -> String {
        let once = fmt(text);
        assert_eq!(fmt(&once), once, "not idempotent from:\n{text}");
        once
    }

    #[test]
    fn comments_stay_where_they_were_written() {
        let text = "\
// Header.

// Section.
/// Doc.
def a=1 // one
def b = [1, // first
  2,
  // before the bracket
]


rule r { // opening
  // before gap
  gap x
  when a and // trailing in the middle
    b == 1
    // own line in the middle
    or c
  // before the brace
}
exception e to r when // after when
  x
// The end.
";
        assert_eq!(
            stable(text),
            "\
// Header.

// Section.
/// Doc.
def a = 1 // one
def b = [1, // first
    2
    // before the bracket
    ]

rule r { // opening
  // before gap
  gap      x
  when     a and // trailing in the middle
           b == 1
           // own line in the middle
           or c
  // before the brace
}
exception e to r
  when // after when
       x
// The end.
"
        );
    }

    #[test]
    fn blank_lines_between_declarations_are_kept_once() {
        let text = "def a = 1\ndef b = 2\n\n\n\ndef c = 3\n";
        assert_eq!(stable(text), "def a = 1\ndef b = 2\n\ndef c = 3\n");
    }

    #[test]
    fn a_file_of_comments_only_keeps_them() {
        assert_eq!(stable("  // a\n\n\n// b  \n"), "// a\n\n// b\n");
        assert_eq!(stable(""), "");
    }

    #[test]
    fn syntax_errors_are_returned_and_nothing_is_formatted() {
        assert!(format_source(FileId(0), "def a = \n// c\n").is_err());
    }

    /// The text of every `.nrs` file in `rules/`.
    fn shipped_rule_files() -> &'static [String] {
        static FILES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        FILES.get_or_init(|| {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
            let mut paths: Vec<_> = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "nrs"))
                .collect();
            paths.sort();
            paths
                .iter()
                .filter_map(|p| std::fs::read_to_string(p).ok())
                .collect()
        })
    }

    fn comment_texts(text: &str) -> Vec<String> {
        lexeme::scan(text)
            .into_iter()
            .filter(|l| l.kind == Kind::Comment)
            .map(|l| l.text.to_string())
            .collect()
    }

    proptest! {
        /// Random comments at random token boundaries of random rule files:
        /// formatting keeps every one, in order, keeps the tree, and is
        /// idempotent.
        #[test]
        fn comments_survive_formatting(
            module in arbitrary::module(),
            comments in arbitrary::comments(),
        ) {
            let text = arbitrary::insert_comments(&print_module(&module), &comments);
            let expected = comment_texts(&text);
            prop_assert_eq!(expected.len(), comments.len(), "{}", text);
            let once = format_source(FileId(0), &text);
            prop_assert!(once.is_ok(), "{:?}\n{}", once, text);
            let once = once.unwrap_or_default();
            prop_assert_eq!(comment_texts(&once), expected, "{}\n---\n{}", text, once);
            let twice = format_source(FileId(0), &once).unwrap_or_default();
            prop_assert_eq!(&twice, &once, "from:\n{}", text);
            let (parsed, _) = parse_module(FileId(0), &once);
            prop_assert_eq!(erase_spans(&parsed), erase_spans(&module), "{}", once);
        }

        /// The same for the shipped rule files (audits included), with
        /// random comments.
        #[test]
        fn comments_survive_formatting_the_shipped_rules(
            file in any::<proptest::sample::Index>(),
            comments in arbitrary::comments(),
        ) {
            let files = shipped_rule_files();
            let original = file.get(files);
            let text = arbitrary::insert_comments(original, &comments);
            let once = format_source(FileId(0), &text);
            prop_assert!(once.is_ok(), "{:?}\n{}", once, text);
            let once = once.unwrap_or_default();
            prop_assert_eq!(comment_texts(&once), comment_texts(&text), "{}", once);
            prop_assert_eq!(format_source(FileId(0), &once).unwrap_or_default(), once.clone());
            let (before, _) = parse_module(FileId(0), original);
            let (after, _) = parse_module(FileId(0), &once);
            prop_assert_eq!(erase_spans(&after), erase_spans(&before));
        }

        /// Formatting a printed module gives it back, blank lines and all.
        #[test]
        fn printed_modules_are_formatted(module in arbitrary::module()) {
            let text = print_module(&module);
            prop_assert_eq!(format_source(FileId(0), &text).unwrap_or_default(), text);
        }
    }
}
