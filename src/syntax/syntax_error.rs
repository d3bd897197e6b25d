//! Turns pest's parse errors into diagnostics a non-programmer can act on:
//! "expected a rule clause, found `severty`", with a help line where the
//! mistake is a common one.

use std::collections::BTreeSet;

use pest::error::{Error, ErrorVariant, InputLocation};

use crate::diagnostic::Diagnostic;
use crate::source::FileId;
use crate::suggest::did_you_mean;
use crate::syntax::parser::Rule;
use crate::syntax::span::Span;

/// The clause keywords of a rule body, for suggestions.
const CLAUSE_KEYWORDS: &[&str] = &[
    "gap",
    "severity",
    "title",
    "cites",
    "effective",
    "when",
    "unless",
    "because",
];

/// Every reserved word of the language.
pub(crate) const KEYWORDS: &[&str] = &[
    "def",
    "rule",
    "exception",
    "to",
    "when",
    "unless",
    "because",
    "gap",
    "severity",
    "title",
    "cites",
    "effective",
    "from",
    "until",
    "and",
    "or",
    "not",
    "known",
    "unknown",
    "in",
    "contains",
    "any",
    "all",
    "none",
    "of",
    "is",
    "empty",
    "on",
    "true",
    "false",
];

/// A syntax error in `text` (a chunk of the file starting at `offset`).
pub(crate) fn from_pest(
    file: FileId,
    text: &str,
    offset: usize,
    error: &Error<Rule>,
) -> Diagnostic {
    let at = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let found = found_token(text, at);
    let mut expected = BTreeSet::new();
    if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
        for rule in positives {
            if let Some(item) = describe_rule(*rule) {
                expected.insert(item);
            }
        }
    }
    if let Some(attempts) = error.parse_attempts() {
        for token in attempts.expected_tokens() {
            if let Some(item) = describe_token(&token.to_string()) {
                expected.insert(item);
            }
        }
    }
    let expected: Vec<String> = expected.into_iter().map(|(_, text)| text).collect();
    let found_text = match found {
        Found::End => "the end of the file".to_string(),
        Found::Token(t) => format!("`{t}`"),
    };
    let message = if expected.is_empty() {
        format!("unexpected {found_text}")
    } else {
        format!("expected {}, found {found_text}", join_or(&expected))
    };
    let width = match found {
        Found::End => 0,
        Found::Token(t) => t.len(),
    };
    let span = Span::new(file, offset + at, offset + at + width);
    let mut diagnostic = Diagnostic::error("syntax", message, span).with_label(match found {
        Found::End => "the file ends here".to_string(),
        Found::Token(_) => "unexpected here".to_string(),
    });
    if let Some(help) = help_for(found, &expected) {
        diagnostic = diagnostic.with_help(help);
    }
    diagnostic
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
        Rule::def_item | Rule::rule_item | Rule::exception_item | Rule::doc => {
            return Some((0, "a declaration (`def`, `rule` or `exception`)".into()))
        }
        Rule::gap_clause
        | Rule::severity_clause
        | Rule::title_clause
        | Rule::cites_clause
        | Rule::effective_clause
        | Rule::when_clause
        | Rule::unless_clause
        | Rule::because_clause => {
            return Some((1, "a rule clause (`gap`, `severity`, `title`, `cites`, `effective`, `when`, `unless`, `because`)".into()))
        }
        Rule::ident | Rule::exception_label => (2, "a name"),
        Rule::gap_id => (2, "a gap id such as `fear-not-screened`"),
        Rule::string | Rule::string_body => (3, "a string in double quotes"),
        Rule::date => (3, "a date (YYYY-MM-DD)"),
        Rule::window_from | Rule::window_until => (3, "`from` or `until`"),
        Rule::duration_unit => (3, "`days` or `weeks`"),
        Rule::expr
        | Rule::paren
        | Rule::list
        | Rule::boolean
        | Rule::quantifier
        | Rule::call
        | Rule::lookup
        | Rule::path
        | Rule::integer
        | Rule::duration
        | Rule::op_not
        | Rule::op_known
        | Rule::op_unknown => (4, "an expression"),
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
        | Rule::op_is_not_empty => (5, "an operator"),
        Rule::EOI => (7, "the end of the file"),
        Rule::kw_def => (2, "`def`"),
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
        "\"" => Some((3, "a string in double quotes".into())),
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
fn help_for(found: Found<'_>, expected: &[String]) -> Option<String> {
    let token = match found {
        Found::End => {
            return Some(
                "the file ended in the middle of a declaration; check for a missing `}` or `)`"
                    .into(),
            )
        }
        Found::Token(t) => t,
    };
    let wants = |what: &str| expected.iter().any(|e| e.starts_with(what));
    match token {
        "=" if wants("an operator") => return Some("to compare two values, write `==`".into()),
        "&&" => return Some("write `and` to require both conditions".into()),
        "||" => return Some("write `or` to accept either condition".into()),
        "!" => return Some("write `not` to negate a condition".into()),
        "'" => return Some("strings are written in double quotes: \"…\"".into()),
        "///" => {
            return Some(
                "a `///` doc comment must come right before a `def`, `rule` or `exception`; use `//` for other comments"
                    .into(),
            )
        }
        _ => {}
    }
    if token.starts_with('"') && !token.ends_with('"') || token == "\"" {
        return Some("close the string with `\"` on the same line".into());
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
    if wants("a declaration") {
        if let Some(suggestion) = did_you_mean(token, ["def", "rule", "exception"].into_iter()) {
            return Some(format!("did you mean `{suggestion}`?"));
        }
    }
    None
}
