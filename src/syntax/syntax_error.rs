//! Turns pest's parse errors into diagnostics a non-programmer can act on:
//! "expected a rule clause, found `severty`", with a help line where the
//! mistake is a common one.

use std::collections::BTreeSet;

use pest::error::{Error, ErrorVariant, InputLocation};

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use crate::suggest::did_you_mean;
use crate::syntax::depth::skip_string;
use crate::syntax::grammar::{Rule, CLAUSE_KEYWORDS, DECLARATION_KEYWORDS, KEYWORDS};

/// A syntax error in `text` (a chunk of the file starting at `offset`).
///
/// pest reports the furthest place a grammar *rule* failed; with error detail
/// on (see `ruleset::load`) it also reports the furthest place a
/// literal token (`=`, `}`, `when`, …) was tried. The error is shown at the
/// later of the two, with what was expected there.
pub(crate) fn from_pest(
    file: FileId,
    text: &str,
    offset: usize,
    error: &Error<Rule>,
) -> Diagnostic {
    let rule_at = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    // The literal tokens tried furthest along, if any of them is worth
    // naming (not only blanks and comments, or the inside of a string).
    let mut tokens = BTreeSet::new();
    let mut token_at = 0;
    if let Some(attempts) = error.parse_attempts() {
        for token in attempts.expected_tokens() {
            if let Some(item) = describe_token(&token.to_string()) {
                tokens.insert(item);
            }
        }
        if !tokens.is_empty() {
            token_at = attempts.max_position;
        }
    }
    let at = rule_at.max(token_at).min(text.len());
    let mut expected = BTreeSet::new();
    if rule_at == at {
        if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
            for rule in positives {
                if let Some(item) = describe_rule(*rule) {
                    expected.insert(item);
                }
            }
        }
    }
    if token_at == at {
        expected.extend(tokens);
    }
    prune(&mut expected);
    let expected: Vec<String> = expected.into_iter().map(|(_, text)| text).collect();
    let found = found_token(text, at);
    if let Found::Token(token) = found {
        if token.starts_with('"') && (token.len() == 1 || !token.ends_with('"')) {
            let span = Span::new(file, offset + at, offset + at + token.len());
            return Diagnostic::error("syntax", "this string is not closed", span)
                .with_label("the string starts here")
                .with_help("close the string with `\"` on the same line");
        }
    }
    if let Some(diagnostic) = unclosed(file, text, offset, at, found, &expected) {
        return diagnostic;
    }
    let (message, span, label) = match found {
        Found::End => {
            // Point just after the last word, not at blank lines or at the
            // declaration that follows.
            let end = code_end(&text[..at]);
            let after = match last_token(&text[..end]) {
                Some(word) => format!(" after `{word}`"),
                None => String::new(),
            };
            let message = if expected.is_empty() {
                format!("the declaration is incomplete{after}")
            } else {
                format!("expected {}{after}", join_or(&expected))
            };
            let span = Span::new(file, offset + end, offset + end);
            (message, span, "the declaration stops here")
        }
        Found::Token(token) => {
            let message = if expected.is_empty() {
                format!("unexpected `{token}`")
            } else {
                format!("expected {}, found `{token}`", join_or(&expected))
            };
            let span = Span::new(file, offset + at, offset + at + token.len());
            (message, span, "unexpected here")
        }
    };
    let mut diagnostic = Diagnostic::error("syntax", message, span).with_label(label);
    if let Some(help) = help_for(found, &expected, declaration_at(text, at)) {
        diagnostic = diagnostic.with_help(help);
    }
    diagnostic
}

/// When the parser stopped inside a bracket that is never closed (it
/// expected the closing bracket, and found the end of the declaration or a
/// word that starts a clause or a declaration), the error is reported where
/// the bracket opened, with where the parser stopped as a second place.
fn unclosed(
    file: FileId,
    text: &str,
    offset: usize,
    at: usize,
    found: Found<'_>,
    expected: &[String],
) -> Option<Diagnostic> {
    let ends_expression = match found {
        Found::End => true,
        Found::Token(token) => {
            matches!(token, "}" | "{" | "///" | "expect")
                || CLAUSE_KEYWORDS.contains(&token)
                || DECLARATION_KEYWORDS.contains(&token)
        }
    };
    if !ends_expression {
        return None;
    }
    let (open, bracket) = innermost_open_bracket(&text[..at])?;
    let close = if bracket == '(' { ')' } else { ']' };
    if !expected.iter().any(|e| *e == format!("`{close}`")) {
        return None;
    }
    let (stop, stop_label) = match found {
        Found::End => {
            let end = text[..at].trim_end().len();
            (
                end..end,
                format!("the declaration stops here without `{close}`"),
            )
        }
        Found::Token(token) => (
            at..at + token.len(),
            format!("expected {} before this", join_or(expected)),
        ),
    };
    let span =
        |range: std::ops::Range<usize>| Span::new(file, offset + range.start, offset + range.end);
    let help = if bracket == '(' {
        "add the `)` that closes it, where what it groups ends"
    } else {
        "add the `]` that closes it, after its last element or key"
    };
    Some(
        Diagnostic::error(
            "syntax",
            format!("unclosed `{bracket}`"),
            span(open..open + 1),
        )
        .with_label(format!("this `{bracket}` is never closed"))
        .with_secondary(span(stop), stop_label)
        .with_help(help),
    )
}

/// The byte offset and the character of the last `(` or `[` of `text` that
/// is not closed in it (strings and comments aside).
fn innermost_open_bracket(text: &str) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    let mut open = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i = skip_string(bytes, i);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'(' | b'[' => open.push(i),
            b')' | b']' => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    let at = open.pop()?;
    Some((at, char::from(bytes[at])))
}

/// Drops expectations that another one already covers, so that the message
/// names what the writer can act on.
fn prune(expected: &mut BTreeSet<(u8, String)>) {
    let has = |expected: &BTreeSet<(u8, String)>, text: &str| {
        expected.iter().any(|(_, t)| t.as_str() == text)
    };
    let remove = |expected: &mut BTreeSet<(u8, String)>, text: &str| {
        expected.retain(|(_, t)| t.as_str() != text);
    };
    if has(expected, EXPRESSION) {
        for covered in [NAME, DATE, STRING, "`(`", "`[`"] {
            remove(expected, covered);
        }
    }
    if has(expected, OPERATOR) {
        // After a name, `(` and `[` would make it a call or a table lookup,
        // and after a number a unit would make it a duration: true, but
        // rarely what the writer meant.
        for covered in ["`in`", "`of`", "`empty`", "`(`", "`[`", UNIT] {
            remove(expected, covered);
        }
    }
    if has(expected, CLAUSE) {
        remove(expected, "`when`");
    }
    if has(expected, DECLARATION) {
        for covered in ["`def`", "`rule`", "`exception`", "`audit`"] {
            remove(expected, covered);
        }
    }
}

const NAME: &str = "a name";
const DATE: &str = "a date (YYYY-MM-DD)";
const STRING: &str = "a string in double quotes";
const EXPRESSION: &str = "an expression";
const OPERATOR: &str = "an operator";
const UNIT: &str = "`days` or `weeks`";
const CLAUSE: &str =
    "a rule clause (`gap`, `severity`, `title`, `cites`, `effective`, `when`, `unless`, `because`)";
const DECLARATION: &str = "a declaration (`def`, `rule`, `exception` or `audit`)";

/// The keyword (`def`, `rule`, `exception` or `audit`) of the declaration that
/// contains byte `at`: the last line before it that starts with one.
fn declaration_at(text: &str, at: usize) -> &'static str {
    let before = &text[..at.min(text.len())];
    for line in before.lines().rev() {
        for &keyword in DECLARATION_KEYWORDS {
            if line
                .strip_prefix(keyword)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
            {
                return keyword;
            }
        }
    }
    ""
}

/// Where the code of `text` ends: after its last character that is neither
/// blank nor in a trailing `//` comment, so that "expected … after `x`"
/// names a token, not a word of a comment.
fn code_end(text: &str) -> usize {
    let mut end = text.trim_end().len();
    loop {
        let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[line_start..end];
        match comment_start(line) {
            Some(comment) => end = text[..line_start + comment].trim_end().len(),
            None => return end,
        }
        if end == 0 {
            return 0;
        }
    }
}

/// Where a `//` comment starts in `line`, if one does outside a string.
fn comment_start(line: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '/' if !in_string && line[i..].starts_with("//") => return Some(i),
            _ => {}
        }
    }
    None
}

/// The last word or symbol of `text`, for "expected … after `x`".
fn last_token(text: &str) -> Option<&str> {
    let last = text.chars().next_back()?;
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '-' || c == '.';
    let is_symbol = |c: char| !is_word(c) && !c.is_whitespace() && !"()[]{}\"".contains(c);
    // The byte just after the last character that is not part of the token
    // (characters can be several bytes long: `§`, `“`).
    let start_after = |part_of: &dyn Fn(char) -> bool| {
        text.char_indices()
            .rev()
            .find(|&(_, c)| !part_of(c))
            .map_or(0, |(i, c)| i + c.len_utf8())
    };
    let start = if last == '"' {
        // A whole string literal on its line: `"c"`.
        let line_start = text.rfind('\n').map_or(0, |i| i + 1);
        text[line_start..text.len() - 1]
            .rfind('"')
            .map_or(text.len() - 1, |i| line_start + i)
    } else if is_word(last) {
        start_after(&is_word)
    } else if is_symbol(last) {
        start_after(&is_symbol)
    } else {
        text.len() - last.len_utf8()
    };
    let token = &text[start..];
    (token.chars().count() <= 40).then_some(token)
}

#[derive(Clone, Copy)]
enum Found<'a> {
    End,
    Token(&'a str),
}

/// The token that starts at `at`: a word, a quoted string, an operator or one
/// character.
fn found_token(text: &str, at: usize) -> Found<'_> {
    let rest = match text.get(at..) {
        Some(rest) if !rest.is_empty() => rest,
        _ => return Found::End,
    };
    let first = rest.chars().next().unwrap_or(' ');
    let len = if first.is_alphanumeric() || first == '_' {
        rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len())
    } else if first == '"' {
        rest[1..]
            .find(['"', '\n'])
            .map_or(rest.len(), |i| i + 2)
            .min(rest.len())
    } else if rest.starts_with("///") {
        3
    } else if ["==", "!=", "<=", ">=", "&&", "||", "??"]
        .iter()
        .any(|op| rest.starts_with(op))
    {
        2
    } else {
        first.len_utf8()
    };
    let token = rest[..len].trim_end_matches('\n');
    if token.trim().is_empty() {
        Found::Token(&rest[..first.len_utf8()])
    } else {
        Found::Token(token)
    }
}

/// What the user should see for an expected grammar rule, with an order key.
fn describe_rule(rule: Rule) -> Option<(u8, String)> {
    let text = match rule {
        Rule::def_item | Rule::rule_item | Rule::exception_item | Rule::audit_item | Rule::doc => {
            (0, DECLARATION)
        }
        Rule::gap_clause
        | Rule::severity_clause
        | Rule::title_clause
        | Rule::cites_clause
        | Rule::effective_clause
        | Rule::when_clause
        | Rule::unless_clause
        | Rule::because_clause
        | Rule::kw_gap
        | Rule::kw_severity
        | Rule::kw_title
        | Rule::kw_cites
        | Rule::kw_effective
        | Rule::kw_unless
        | Rule::kw_because => (1, CLAUSE),
        Rule::ident | Rule::exception_label => (2, NAME),
        Rule::gap_id => (2, "a gap id such as `fear-not-screened`"),
        Rule::string | Rule::string_body => (3, STRING),
        Rule::date => (3, DATE),
        Rule::window_from | Rule::window_until => (3, "`from` or `until`"),
        Rule::duration_unit => (3, UNIT),
        Rule::expr
        | Rule::paren
        | Rule::list
        | Rule::boolean
        | Rule::unknown_value
        | Rule::quantifier
        | Rule::call
        | Rule::lookup
        | Rule::path
        | Rule::integer
        | Rule::duration
        | Rule::op_not
        | Rule::op_known
        | Rule::op_unknown
        | Rule::op_neg => (4, EXPRESSION),
        Rule::op_or
        | Rule::op_and
        | Rule::op_default
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_in
        | Rule::op_not_in
        | Rule::op_contains
        | Rule::op_contains_any
        | Rule::op_contains_all
        | Rule::op_contains_none
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_is_empty
        | Rule::op_is_not_empty
        | Rule::kw_and
        | Rule::kw_or
        | Rule::kw_contains
        | Rule::kw_is => (5, OPERATOR),
        Rule::EOI => (7, "the end of the file"),
        Rule::kw_def => (2, "`def`"),
        Rule::kw_where => (2, "`where`"),
        Rule::kw_expect => (2, "`expect`"),
        Rule::kw_to => (2, "`to`"),
        Rule::kw_when => (2, "`when`"),
        Rule::kw_on => (5, "`on`"),
        Rule::kw_in => (2, "`in`"),
        Rule::kw_of => (2, "`of`"),
        Rule::kw_empty => (2, "`empty`"),
        _ => return None,
    };
    Some((text.0, text.1.to_string()))
}

/// What the user should see for an expected literal token.
fn describe_token(token: &str) -> Option<(u8, String)> {
    match token {
        "{" | "}" | "(" | ")" | "[" | "]" | "," | ":" | "=" => Some((6, format!("`{token}`"))),
        "gap" | "severity" | "title" | "cites" | "effective" | "unless" | "because" => {
            Some((1, CLAUSE.into()))
        }
        "def" | "rule" | "exception" | "audit" => Some((0, DECLARATION.into())),
        "to" | "when" | "in" | "of" | "empty" | "where" | "expect" => {
            Some((2, format!("`{token}`")))
        }
        "on" => Some((5, "`on`".into())),
        // Not `-`: it may also start an operand (`-3`).
        "==" | "!=" | "<=" | ">=" | "<" | ">" | "+" | "??" | "and" | "or" | "contains" | "is" => {
            Some((5, OPERATOR.into()))
        }
        _ => None,
    }
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// Advice for common mistakes.
fn help_for(found: Found<'_>, expected: &[String], declaration: &str) -> Option<String> {
    let wants = |what: &str| expected.iter().any(|e| e.starts_with(what));
    let token = match found {
        Found::End => {
            let help = if wants("`}`") {
                "a rule ends with `}`; check that every `{` is closed"
            } else if wants("`)`") {
                "check that every `(` is closed"
            } else if wants("`]`") {
                "check that every `[` is closed"
            } else if wants(EXPRESSION) {
                "the expression is cut short: finish it, or remove its last operator"
            } else if declaration == "exception" {
                "an exception is written `exception NAME to RULE when CONDITION`"
            } else if declaration == "def" {
                "a definition is written `def NAME = VALUE`"
            } else {
                "the declaration is cut short; check what its last line is missing"
            };
            return Some(help.into());
        }
        Found::Token(t) => t,
    };
    match token {
        "=" if wants("an operator") => return Some("to compare two values, write `==`".into()),
        "&&" => return Some("write `and` to require both conditions".into()),
        "||" => return Some("write `or` to accept either condition".into()),
        "!" => return Some("write `not` to negate a condition".into()),
        "'" => return Some("strings are written in double quotes: \"…\"".into()),
        "///" => {
            return Some(
                "a `///` doc comment must come right before a `def`, `rule`, `exception` or `audit`; use `//` for other comments"
                    .into(),
            )
        }
        "month" | "months" | "year" | "years" | "hour" | "hours" | "minute" | "minutes" => {
            return Some("durations are counted in `days` or `weeks`, e.g. `90 days`".into())
        }
        _ => {}
    }
    if wants("`:`") {
        return Some(
            "a quantifier is written `any(x in LIST: CONDITION)`, a named exception `unless NAME: CONDITION`"
                .into(),
        );
    }
    if KEYWORDS.contains(&token) && wants("a name") {
        return Some(format!("`{token}` is a reserved word; choose another name"));
    }
    if wants("a rule clause") {
        if let Some(suggestion) = did_you_mean(token, CLAUSE_KEYWORDS.iter().copied()) {
            return Some(format!("did you mean `{suggestion}`?"));
        }
        return Some(
            "each line of a rule starts with `gap`, `severity`, `title`, `cites`, `effective`, `when`, `unless` or `because`"
                .into(),
        );
    }
    if wants("`=`") && declaration == "def" {
        return Some("a definition is written `def NAME = VALUE`".into());
    }
    if wants("a declaration") {
        if let Some(suggestion) = did_you_mean(token, DECLARATION_KEYWORDS.iter().copied()) {
            return Some(format!("did you mean `{suggestion}`?"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Diagnostic;
    use crate::source::FileId;
    use crate::syntax::parser::parse_module;

    fn errors(text: &str) -> Vec<Diagnostic> {
        parse_module(FileId(0), text).1
    }

    /// Regression: an unclosed `(` was reported at the next clause
    /// ("expected an operator or `)`, found `unless`").
    #[test]
    fn an_unclosed_parenthesis_is_reported_where_it_opens() {
        let text = "rule r {\n  when (a or b\n  unless c\n}\ndef d = [1, (2\n";
        let errors = errors(text);
        assert_eq!(errors.len(), 2, "{errors:?}");
        let (paren, unless) = (text.find('(').unwrap(), text.find("unless").unwrap());
        let primary = errors[0].primary.as_ref().unwrap();
        assert_eq!(errors[0].message, "unclosed `(`");
        assert_eq!(primary.span.range(), paren..paren + 1);
        assert_eq!(primary.message, "this `(` is never closed");
        assert_eq!(errors[0].secondary[0].span.range(), unless..unless + 6);
        assert!(errors[0].help.is_some());
        // The innermost bracket is the one reported.
        let inner = text.rfind('(').unwrap();
        let primary = errors[1].primary.as_ref().unwrap();
        assert_eq!(primary.span.range(), inner..inner + 1);
    }

    #[test]
    fn a_mistake_inside_closed_parentheses_keeps_the_usual_message() {
        let errors = errors("def x = (a b)\n");
        assert_eq!(errors[0].message, "expected an operator or `)`, found `b`");
    }

    #[test]
    fn brackets_in_strings_and_comments_close_nothing() {
        let errors = errors("rule r {\n  when (a == \")\" // )\n}\n");
        assert_eq!(errors[0].message, "unclosed `(`");
    }
}
