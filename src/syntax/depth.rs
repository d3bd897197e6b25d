//! The limits on nesting, and the cheap scan over rule-file text that
//! enforces them before pest runs: [`check_nesting`] refuses text nested so
//! deeply (brackets, chains of prefix operators, or operators that each wait
//! for the rest of the expression, as in `a ?? b ?? c …`) that a recursive
//! parser could exhaust the stack. It skips string literals and comments.

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use crate::syntax::grammar::{CLAUSE_KEYWORDS, DECLARATION_KEYWORDS, KEYWORDS};
use crate::syntax::operators::{Fixity, Operator, OPERATORS};

/// How deep an expression may nest (operators inside operators). Deeper
/// expressions are refused with a diagnostic rather than risking the stack.
pub(crate) const MAX_EXPR_DEPTH: usize = 200;

/// Brackets (`(`, `[`) and prefix operators (`not`, `known`, … in the
/// operator table) may
/// nest at most this deep.
pub(crate) const MAX_NESTING: usize = 100;

/// The operators of the expressions being scanned that still wait for
/// their right operand: for each open bracket, the binding powers of the
/// Pratt parser's pending calls (see `Builder::climb` in `parser.rs`; the
/// powers are those of the operator table, `operators.rs`). The parser
/// recurses once for each, so their number bounds its stack depth; each
/// also becomes one level of the tree, so an expression with more than
/// [`MAX_EXPR_DEPTH`] of them at one bracket level would be refused by the
/// parser anyway.
struct Pending {
    levels: Vec<Vec<u8>>,
    total: usize,
}

impl Pending {
    /// An infix operator of binding power `lbp` whose right operand is read
    /// with binding power `rbp`: the calls it ends return, then it waits.
    /// `false` when too many operators wait.
    fn infix(&mut self, lbp: u8, rbp: u8) -> bool {
        if let Some(level) = self.levels.last_mut() {
            while level.last().is_some_and(|&top| top >= lbp) {
                level.pop();
                self.total -= 1;
            }
        }
        self.prefix(rbp)
    }

    /// A prefix operator, whose operand is read with binding power `rbp`.
    fn prefix(&mut self, rbp: u8) -> bool {
        if let Some(level) = self.levels.last_mut() {
            level.push(rbp);
            self.total += 1;
        }
        self.total <= MAX_EXPR_DEPTH
    }

    /// The expression ends (`,`, `:`, `=`, `{`, a declaration keyword …).
    fn end(&mut self) {
        if let Some(level) = self.levels.last_mut() {
            self.total -= level.len();
            level.clear();
        }
    }

    fn open(&mut self) {
        self.levels.push(Vec::new());
    }

    fn close(&mut self) {
        if self.levels.len() > 1 {
            self.end();
            self.levels.pop();
        } else {
            self.end();
        }
    }
}

impl Pending {
    /// An operator of the table, after `prefix_run` prefix operators in a
    /// row: a prefix operator waits for its operand; an infix one ends the
    /// calls it binds more loosely than, then waits; a postfix one waits
    /// for nothing. The reason when the text nests too deeply.
    fn operator(&mut self, op: &Operator, prefix_run: &mut usize) -> Option<TooDeep> {
        let fits = match op.fixity {
            Fixity::Prefix(_) => {
                *prefix_run += 1;
                if *prefix_run > MAX_NESTING {
                    return Some(TooDeep::Prefixes);
                }
                self.prefix(op.right_power())
            }
            Fixity::Infix(..) => {
                *prefix_run = 0;
                self.infix(op.power, op.right_power())
            }
            Fixity::Postfix(_) => {
                *prefix_run = 0;
                true
            }
        };
        (!fits).then_some(TooDeep::Operators)
    }
}

/// Why the scan refuses a text.
enum TooDeep {
    /// More than [`MAX_NESTING`] prefix operators in a row.
    Prefixes,
    /// More than [`MAX_EXPR_DEPTH`] operators wait for their operands.
    Operators,
}

impl TooDeep {
    /// The diagnostic, at the operator written at `at` (`len` bytes).
    fn at(self, file: FileId, at: usize, len: usize) -> Diagnostic {
        match self {
            TooDeep::Prefixes => too_deep(file, at, &format!("{} operators", prefix_names())),
            TooDeep::Operators => too_many_operators(file, at, len),
        }
    }
}

/// Whether `word` is a reserved word after which a new expression starts:
/// a clause keyword, a reserved declaration keyword, `to`, `from`, `until`.
/// (A word that is not reserved, such as `audit` or `expect`, may be a
/// name inside an expression, so it never resets the count.)
fn ends_expression(word: &str) -> bool {
    KEYWORDS.contains(&word)
        && (CLAUSE_KEYWORDS.contains(&word)
            || DECLARATION_KEYWORDS.contains(&word)
            || matches!(word, "to" | "from" | "until"))
}

fn too_many_operators(file: FileId, at: usize, len: usize) -> Diagnostic {
    Diagnostic::error(
        "too-deep",
        format!("this expression is nested more than {MAX_EXPR_DEPTH} operators deep"),
        Span::new(file, at, at + len),
    )
    .with_label("too deep here")
    .with_help("split it into several `def`s")
}

/// The symbolic operator (`??`, `<=`, `-`, …) that starts at byte `i`, the
/// longest if several do; where an operand is expected, the prefix one.
fn symbol_operator_at(text: &str, i: usize, expect_operand: bool) -> Option<&'static Operator> {
    let rest = text.get(i..)?;
    OPERATORS
        .iter()
        .filter(|op| !op.is_word() && rest.starts_with(op.spelling))
        .max_by_key(|op| {
            let prefix = matches!(op.fixity, Fixity::Prefix(_));
            (op.spelling.len(), prefix == expect_operand)
        })
}

/// The word operator (`and`, `not in`, `is not empty`, …) that starts with
/// the word at byte `start`, the longest if several do, and the byte just
/// past it. Its words may be separated by any blanks.
fn word_operator_at(text: &str, start: usize) -> Option<(&'static Operator, usize)> {
    OPERATORS
        .iter()
        .filter(|op| op.is_word())
        .filter_map(|op| Some((op, words_end(text, start, op.spelling)?)))
        .max_by_key(|(op, _)| op.spelling.len())
}

/// Where the words of `spelling` end if they are written at `start`.
fn words_end(text: &str, start: usize, spelling: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = start;
    for (n, word) in spelling.split(' ').enumerate() {
        if n > 0 {
            let blanks = bytes[i..]
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
            if blanks == 0 {
                return None;
            }
            i += blanks;
        }
        let end = i + word.len();
        let follows = bytes.get(end).copied().unwrap_or(b' ');
        if bytes.get(i..end) != Some(word.as_bytes())
            || follows.is_ascii_alphanumeric()
            || follows == b'_'
        {
            return None;
        }
        i = end;
    }
    Some(i)
}

/// The prefix operators as a message names them: `` `not`/`known`/… ``.
fn prefix_names() -> String {
    OPERATORS
        .iter()
        .filter(|op| matches!(op.fixity, Fixity::Prefix(_)))
        .map(|op| format!("`{}`", op.spelling))
        .collect::<Vec<_>>()
        .join("/")
}

/// An error at the first place where nesting exceeds [`MAX_NESTING`], or
/// where more than [`MAX_EXPR_DEPTH`] operators wait for their operands.
pub(crate) fn check_nesting(file: FileId, text: &str) -> Option<Diagnostic> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut prefix_run = 0usize;
    let mut pending = Pending {
        levels: vec![Vec::new()],
        total: 0,
    };
    // Whether an operand comes next (so that `-` is a prefix).
    let mut expect_operand = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(op) = symbol_operator_at(text, i, expect_operand) {
            expect_operand = true;
            if let Some(too_deep) = pending.operator(op, &mut prefix_run) {
                return Some(too_deep.at(file, i, op.spelling.len()));
            }
            i += op.spelling.len();
            continue;
        }
        match b {
            b'"' => {
                i = skip_string(bytes, i);
                prefix_run = 0;
                expect_operand = false;
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
                expect_operand = true;
                pending.open();
                if depth > MAX_NESTING {
                    return Some(too_deep(file, i, "brackets"));
                }
            }
            b')' | b']' => {
                depth = depth.saturating_sub(1);
                prefix_run = 0;
                expect_operand = false;
                pending.close();
            }
            b',' | b':' | b'=' | b'{' | b'}' => {
                prefix_run = 0;
                expect_operand = true;
                pending.end();
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &text[start..i];
                // `unknown` before `-` is the value (see the grammar).
                let value = word == "unknown" && text[i..].trim_start().starts_with('-');
                if let Some((op, end)) = word_operator_at(text, start).filter(|_| !value) {
                    i = end;
                    expect_operand = !matches!(op.fixity, Fixity::Postfix(_));
                    if let Some(too_deep) = pending.operator(op, &mut prefix_run) {
                        return Some(too_deep.at(file, start, word.len()));
                    }
                    continue;
                }
                expect_operand = word == "on" || ends_expression(word);
                prefix_run = 0;
                match word {
                    "gap" => {
                        pending.end();
                        // A gap id may contain `-` and keywords.
                        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                            i += 1;
                        }
                        while i < bytes.len()
                            && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'-'))
                        {
                            i += 1;
                        }
                    }
                    _ if ends_expression(word) => pending.end(),
                    _ => {}
                }
                continue;
            }
            b if b.is_ascii_whitespace() => {}
            b => {
                prefix_run = 0;
                if b.is_ascii_digit() {
                    expect_operand = false;
                }
            }
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
pub(crate) fn skip_string(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            // A string never spans lines, even after a backslash (the
            // parser stops there too), so the scan cannot be made to skip
            // a line.
            b'\\' if bytes.get(i + 1) != Some(&b'\n') => i += 2,
            b'"' | b'\n' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backslash_at_the_end_of_a_line_does_not_hide_the_next_line() {
        // Regression (review): `"x\` swallowed the next line, whose 5,000
        // brackets then overflowed the parser's stack.
        let text = format!(
            "def a = \"x\\\ndef b = {}1{}\n",
            "(".repeat(5000),
            ")".repeat(5000)
        );
        assert!(check_nesting(FileId(0), &text).is_some());
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
        for prefix in ["-", "- ", "-not "] {
            let text = format!("def x = {}1", prefix.repeat(MAX_NESTING + 1));
            assert!(check_nesting(file, &text).is_some(), "{prefix}");
        }
    }

    /// Found by the robustness property tests: `def x = 1 ?? 1 ?? … ?? 1`
    /// with 10,000 operators (about 50 KB) overflowed the stack in the Pratt
    /// parser, which recurses once per right-associative operator before the
    /// parser's depth limit can refuse the tree; `not a == not a == …` did
    /// the same. Such chains are now refused before parsing.
    #[test]
    fn long_default_chains_are_refused_not_a_stack_overflow() {
        let file = FileId(0);
        for unit in ["1 ?? ", "not a == ", "a == not known b ?? ", "-1 ?? -"] {
            let text = format!("def x = {}1\n", unit.repeat(100_000));
            let refused = check_nesting(file, &text);
            assert!(refused.is_some(), "{unit}");
            let (module, diagnostics) = crate::syntax::parser::parse_module(file, &text);
            assert!(module.items.is_empty());
            assert_eq!(diagnostics.len(), 1);
            assert_eq!(diagnostics[0].code, "too-deep");
        }
    }

    #[test]
    fn operators_that_do_not_wait_are_not_counted() {
        let file = FileId(0);
        let n = MAX_EXPR_DEPTH * 3;
        for text in [
            // Left-associative chains return at each operator.
            format!("def x = {}a", "a and ".repeat(n)),
            format!("def x = {}a", "not a and ".repeat(n)),
            format!("def x = {}a", "known a + ".repeat(n)),
            format!("def x = {}a", "a not in b or ".repeat(n)),
            // `-` after an operand is the infix operator; a prefix `-`
            // waits only for its operand.
            format!("def x = {}a", "a - -b - ".repeat(n)),
            format!("def x = {}a", "2019-01-28 - 3 days - ".repeat(n)),
            format!("def x = {}a", "(a) - [b] - \"c\" - 4 - ".repeat(n)),
            format!("def x = {}a", "unknown - ".repeat(n)),
            format!("def x = {}a", "a is not empty or ".repeat(n)),
            // Each declaration and bracket starts afresh.
            "def x = a ?? b ?? c\n".repeat(n),
            format!("def x = [{}]", "a ?? b ?? (c ?? d), ".repeat(n)),
            // Gap ids are not expressions.
            format!("rule r {{\n  gap a{}\n}}", "-not".repeat(n)),
        ] {
            assert!(check_nesting(file, &text).is_none(), "{text}");
        }
        // Just under the parser's own limit is still read.
        let text = format!("def x = {}1", "1 ?? ".repeat(MAX_EXPR_DEPTH - 2));
        assert!(check_nesting(file, &text).is_none());
        let (_, diagnostics) = crate::syntax::parser::parse_module(file, &text);
        assert!(diagnostics.is_empty());
    }
}
