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

/// Whether `word` is a name (the grammar's `ident`): ASCII letters, digits
/// and `_`, not starting with a digit, not a reserved word.
pub(crate) fn is_name(word: &str) -> bool {
    is_identifier(word) && !KEYWORDS.contains(&word)
}

/// Whether `word` has the shape of a name: letters, digits and `_`, not
/// starting with a digit (reserved words included).
pub(crate) fn is_identifier(word: &str) -> bool {
    let mut chars = word.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

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

#[cfg(test)]
mod tests {
    use pest::Parser;

    use super::*;

    #[test]
    fn a_name_is_what_the_grammar_reads_as_one() {
        for word in [
            "a",
            "_",
            "city_state",
            "a1",
            "",
            "1a",
            "2020_levels",
            "when",
            "whenever",
            "true",
            "state names",
            "é",
            "a-b",
            "audit",
        ] {
            let whole = RuleParser::parse(Rule::ident, word).is_ok_and(|p| p.as_str() == word);
            assert_eq!(is_name(word), whole, "{word:?}");
        }
    }
}
