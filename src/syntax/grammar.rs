//! The grammar: the pest parser generated from `grammar/nrscreen.pest`,
//! whose `Rule` enum names the grammar's rules, and the words the grammar
//! reserves.

/// The generated parser and rule names.
#[allow(missing_docs, unreachable_pub)]
mod generated {
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar/nrscreen.pest"]
    pub(crate) struct RuleParser;
}
pub(crate) use generated::{Rule, RuleParser};

/// The words that start a top-level declaration (after its doc comments).
pub(crate) const DECLARATION_KEYWORDS: &[&str] = &["def", "rule", "exception", "audit"];

/// Whether `line` starts (in column 1) with a declaration keyword.
pub(crate) fn starts_declaration(line: &str) -> bool {
    DECLARATION_KEYWORDS.iter().any(|keyword| {
        line.strip_prefix(keyword)
            .is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
    })
}

/// The clause keywords of a rule body, for suggestions.
pub(crate) const CLAUSE_KEYWORDS: &[&str] = &[
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
