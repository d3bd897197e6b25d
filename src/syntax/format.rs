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
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::Index;

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

    #[test]
    fn the_shipped_rule_files_are_formatted() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        for path in crate::ruleset::files::rule_files(&dir).unwrap().files {
            let text = std::fs::read_to_string(&path).unwrap();
            assert_eq!(fmt(&text), text, "{} is not formatted", path.display());
        }
    }

    /// The `Debug` text of a value without its spans.
    fn without_spans(debug: &str) -> String {
        let mut out = String::new();
        let mut rest = debug;
        while let Some(at) = rest.find("Span {") {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            let close = rest.find('}').map_or(rest.len(), |i| i + 1);
            rest = &rest[close..];
        }
        out.push_str(rest);
        out
    }

    /// The checked program of the rule set in `dir`, spans left out.
    fn checked_program(dir: &std::path::Path) -> String {
        let loaded = crate::ruleset::load(dir).unwrap();
        let (_, checked) = crate::check::check(loaded);
        assert!(checked.diagnostics.iter().all(|d| !d.is_error()));
        without_spans(&format!("{:?}", checked.program))
    }

    fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }

    #[test]
    fn formatting_never_changes_the_checked_program() {
        let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let temp = tempfile::tempdir().unwrap();
        let copy = temp.path().join("rules");
        copy_dir(&shipped, &copy);
        // Unformatted first: every declaration on fewer lines, comments kept.
        let files = crate::ruleset::files::rule_files(&copy).unwrap().files;
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap();
            let mut squashed = String::new();
            let mut previous: Option<Lexeme<'_>> = None;
            for l in lexeme::scan(&text) {
                let gap = &text[previous.as_ref().map_or(0, |p| p.end)..l.start];
                let lines = l.kind != Kind::Token
                    || previous.as_ref().is_some_and(|p| p.kind != Kind::Token);
                if gap.contains('\n') && !lines {
                    squashed.push(' ');
                } else {
                    squashed.push_str(gap);
                }
                squashed.push_str(l.text);
                previous = Some(l);
            }
            assert_ne!(squashed, text);
            std::fs::write(path, squashed).unwrap();
        }
        let before = checked_program(&copy);
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap();
            std::fs::write(path, fmt(&text)).unwrap();
        }
        assert_eq!(checked_program(&copy), before);
        assert_eq!(checked_program(&shipped), before);
    }

    /// Where a comment may be put in `text`: after the lexeme at each
    /// returned offset, where the grammar allows white space (not inside a
    /// duration, a path, a date or a two-character operator); and whether
    /// it may be on the same line (not after a doc line, which it would
    /// extend).
    fn comment_places(text: &str) -> Vec<(usize, bool)> {
        let lexemes = lexeme::scan(text);
        let mut places = vec![(0, false)];
        for pair in lexemes.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let spaced = a.end < b.start;
            let duration = a.text.bytes().all(|c| c.is_ascii_digit())
                && matches!(b.text, "day" | "days" | "week" | "weeks");
            let punctuation =
                |l: &Lexeme<'_>| matches!(l.text, "(" | ")" | "[" | "]" | "," | ":" | "{" | "}");
            if (spaced && !duration) || punctuation(a) || punctuation(b) {
                places.push((a.end, a.kind != Kind::Doc));
            }
        }
        if let Some(last) = lexemes.last() {
            places.push((last.end, last.kind != Kind::Doc));
        }
        places
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
            inserts in vec((any::<Index>(), any::<bool>(), any::<bool>()), 0..10),
        ) {
            let mut text = print_module(&module);
            let places = comment_places(&text);
            let mut chosen: Vec<_> = inserts
                .iter()
                .map(|(i, trailing, blank)| {
                    let (at, can_trail) = *i.get(&places);
                    (at, *trailing && can_trail, *blank)
                })
                .collect();
            chosen.sort_by_key(|c| std::cmp::Reverse(c.0));
            for (n, (at, trailing, blank)) in chosen.iter().enumerate() {
                let blank = if *blank { "\n" } else { "" };
                let comment = if *trailing {
                    format!(" // c{n} \"x // y\"\n{blank}")
                } else {
                    format!("\n{blank}//// c{n}\n")
                };
                text.insert_str(*at, &comment);
            }
            let expected = comment_texts(&text);
            prop_assert_eq!(expected.len(), chosen.len(), "{}", text);
            let once = format_source(FileId(0), &text);
            prop_assert!(once.is_ok(), "{:?}\n{}", once, text);
            let once = once.unwrap_or_default();
            prop_assert_eq!(comment_texts(&once), expected, "{}\n---\n{}", text, once);
            let twice = format_source(FileId(0), &once).unwrap_or_default();
            prop_assert_eq!(&twice, &once, "from:\n{}", text);
            let (parsed, _) = parse_module(FileId(0), &once);
            prop_assert_eq!(erase_spans(&parsed), erase_spans(&module), "{}", once);
        }

        /// Formatting a printed module gives it back, blank lines and all.
        #[test]
        fn printed_modules_are_formatted(module in arbitrary::module()) {
            let text = print_module(&module);
            prop_assert_eq!(format_source(FileId(0), &text).unwrap_or_default(), text);
        }
    }
}
