//! The front end (parser, then checker) never panics on damaged input, and
//! every diagnostic points into its file (test builds only): the shipped
//! rule files are damaged at random ([`mutated_text`]), and random bytes are
//! read as a rule file.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::BoxedStrategy;

use crate::syntax::grammar::KEYWORDS;

/// One way to damage a file.
#[derive(Clone, Debug)]
pub(crate) enum Mutation {
    /// Delete a byte range.
    Delete(proptest::sample::Index, usize),
    /// Insert bytes.
    Insert(proptest::sample::Index, Vec<u8>),
    /// Insert a token of the language.
    Token(proptest::sample::Index, &'static str),
    /// Copy a byte range to another place.
    Duplicate(proptest::sample::Index, usize, proptest::sample::Index),
    /// Exchange two byte ranges.
    Swap(proptest::sample::Index, proptest::sample::Index, usize),
    /// Insert a piece of expression many times over (`?? 1 ?? 1 …`).
    Repeat(proptest::sample::Index, &'static str, usize),
}

/// Pieces that nest when repeated.
const REPEATED: &[&str] = &[
    " ?? 1",
    " not a ==",
    " (",
    " [",
    " not",
    " known",
    " a and",
    " + 1",
    " is empty",
];

/// Punctuation, operators and odd literals; the keywords are added from
/// [`KEYWORDS`].
const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    "\"",
    "\\",
    "///",
    "//",
    "\n",
    "==",
    "!=",
    "<=",
    ">=",
    "<",
    ">",
    "??",
    "+",
    "-",
    "=",
    "2019-01-28",
    "2019-02-30",
    "99999999999999999999",
    "30 days",
    "1 week",
    "any(x in ",
    "é",
    "\u{0}",
    "{x}",
    "\"\\q\"",
];

fn mutation() -> BoxedStrategy<Mutation> {
    use proptest::sample::Index;
    prop_oneof![
        (any::<Index>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<Index>(), vec(any::<u8>(), 1..8)).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<Index>(), select([TOKENS, KEYWORDS].concat()))
            .prop_map(|(i, t)| Mutation::Token(i, t)),
        (any::<Index>(), 1usize..80, any::<Index>())
            .prop_map(|(i, n, j)| Mutation::Duplicate(i, n, j)),
        (any::<Index>(), any::<Index>(), 1usize..30).prop_map(|(i, j, n)| Mutation::Swap(i, j, n)),
        (any::<Index>(), select(REPEATED), 1usize..3000)
            .prop_map(|(i, t, n)| Mutation::Repeat(i, t, n)),
    ]
    .boxed()
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len();
    let at = |i: &proptest::sample::Index| if len == 0 { 0 } else { i.index(len + 1) };
    match m {
        Mutation::Delete(i, n) => {
            let start = at(i);
            let end = (start + n).min(len);
            bytes.drain(start..end);
        }
        Mutation::Insert(i, b) => {
            let start = at(i);
            bytes.splice(start..start, b.iter().copied());
        }
        Mutation::Token(i, t) => {
            let start = at(i);
            bytes.splice(start..start, t.bytes());
        }
        Mutation::Repeat(i, t, n) => {
            let start = at(i);
            bytes.splice(start..start, t.repeat(*n).into_bytes());
        }
        Mutation::Duplicate(i, n, j) => {
            let start = at(i);
            let end = (start + n).min(len);
            let piece: Vec<u8> = bytes[start..end].to_vec();
            let to = at(j);
            bytes.splice(to..to, piece);
        }
        Mutation::Swap(i, j, n) => {
            let (a, b) = (at(i).min(at(j)), at(i).max(at(j)));
            let n = (*n).min(b - a).min(len - b);
            if n > 0 {
                let first: Vec<u8> = bytes[a..a + n].to_vec();
                let second: Vec<u8> = bytes[b..b + n].to_vec();
                bytes.splice(b..b + n, first);
                bytes.splice(a..a + n, second);
            }
        }
    }
}

/// The shipped rule files, by name.
pub(crate) const SHIPPED: &[(&str, &str)] = &[
    ("helpers.nrs", include_str!("../../rules/helpers.nrs")),
    ("notice.nrs", include_str!("../../rules/notice.nrs")),
    ("return.nrs", include_str!("../../rules/return.nrs")),
    ("screening.nrs", include_str!("../../rules/screening.nrs")),
];

/// A shipped rule file's name and its text after a few random mutations
/// (decoded lossily where a mutation broke UTF-8).
pub(crate) fn mutated_text() -> BoxedStrategy<(&'static str, String)> {
    (select(SHIPPED), vec(mutation(), 1..5))
        .prop_map(|((name, text), mutations)| {
            let mut bytes = text.as_bytes().to_vec();
            for m in &mutations {
                apply(&mut bytes, m);
            }
            (name, String::from_utf8_lossy(&bytes).into_owned())
        })
        .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testing::check_with;
    use crate::diagnostic::Diagnostic;
    use crate::source::Sources;

    /// Every span of every diagnostic lies within its file's text, on
    /// character boundaries, and the diagnostics render.
    fn assert_spans_inside(sources: &Sources, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            let labels = d.primary.iter().chain(d.secondary.iter());
            for label in labels {
                let span = label.span;
                let text = &sources.get(span.file).text;
                assert!(
                    span.start <= span.end && span.end as usize <= text.len(),
                    "{} [{}]: span {:?} outside a text of {} bytes",
                    d.message,
                    d.code,
                    span,
                    text.len()
                );
                assert!(
                    text.is_char_boundary(span.start as usize)
                        && text.is_char_boundary(span.end as usize),
                    "{} [{}]: span {:?} splits a character",
                    d.message,
                    d.code,
                    span
                );
            }
        }
        let _ = crate::diagnostic::render_text(sources, diagnostics, false);
        let _ = crate::diagnostic::render_json(sources, diagnostics);
    }

    /// Pieces of rule files, multi-byte characters among them (the shipped
    /// rules cite `§` in comments), for texts that end anywhere.
    const FRAGMENTS: &[&str] = &[
        "def ",
        "rule ",
        "exception ",
        "audit ",
        "r",
        " {",
        "}",
        "gap fear-not-asked",
        "cites ",
        "\"c\"",
        " // GAPS.md §4",
        "/// the “interview",
        " // INA §239",
        "when ",
        "unless ",
        "because \"",
        "x",
        " = ",
        "(",
        ")",
        "[",
        "]",
        "\n",
        "§",
        "“",
        "é",
        "-",
        "??",
        " and ",
        "2019-01-01",
        "3 days",
        "\"",
        "{",
        "age",
        " to ",
        "for every case",
        "expect ",
    ];

    proptest! {
        /// Texts made of rule-file pieces, cut anywhere, neither crash the
        /// parser nor the checker.
        #[test]
        fn rule_file_pieces_ending_anywhere_do_not_panic(
            pieces in vec(proptest::sample::select(FRAGMENTS), 0..24),
        ) {
            let text: String = pieces.concat();
            let (_, sources, checked) = check_with("pieces.nrs", &text);
            assert_spans_inside(&sources, &checked.diagnostics);
        }

        /// The shipped files cut at any character, with a comment that ends
        /// in a multi-byte character, neither crash the parser nor the
        /// checker.
        #[test]
        fn shipped_files_cut_anywhere_do_not_panic(
            (name, text) in proptest::sample::select(SHIPPED),
            cut in any::<proptest::sample::Index>(),
            tail in proptest::sample::select(&[" // GAPS.md §4", "/// the “interview", " // é", ""][..]),
        ) {
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            let at = boundaries.get(cut.index(boundaries.len().max(1))).copied().unwrap_or(0);
            let text = format!("{}{tail}", &text[..at]);
            let (_, sources, checked) = check_with(name, &text);
            assert_spans_inside(&sources, &checked.diagnostics);
        }

        /// Random bytes neither crash the parser nor the checker.
        #[test]
        fn random_bytes_do_not_panic(bytes in vec(any::<u8>(), 0..300)) {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let (_, sources, checked) = check_with("random.nrs", &text);
            assert_spans_inside(&sources, &checked.diagnostics);
        }

        /// Damaged copies of the shipped files neither crash the parser nor
        /// the checker, and every diagnostic points into its file.
        #[test]
        fn mutated_rule_files_do_not_panic((name, text) in mutated_text()) {
            let (_, sources, checked) = check_with(name, &text);
            assert_spans_inside(&sources, &checked.diagnostics);
        }
    }
}
