//! Rule-file text as a flat sequence of lexemes: tokens, doc lines and
//! `//` comments, each with its place and whether a line break (or a blank
//! line) comes before it. The parser drops comments; `nrscreen fmt` finds
//! them again here (see `syntax/format.rs`).
//!
//! The scan is deliberately coarse: a word is a run of letters, digits and
//! `_`, a string literal is one lexeme, and every other character is a
//! lexeme of its own (`==` is two). What matters is that it cuts the
//! parsed text and the printed text the same way, and that it knows where
//! a comment can start (never inside a string).

/// What a lexeme is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Part of the program: a word, a string, a punctuation character.
    Token,
    /// `/// text`, to the end of the line (documentation, in the AST).
    Doc,
    /// `// text` or `//// text`, to the end of the line (not in the AST).
    Comment,
}

/// One lexeme of a rule file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Lexeme<'a> {
    /// What it is.
    pub kind: Kind,
    /// Its text; a comment or doc line without trailing white space.
    pub text: &'a str,
    /// Its first byte.
    pub start: usize,
    /// One past its last byte (white space trimmed off included).
    pub end: usize,
    /// A line break lies between the lexeme before (if any) and this one.
    pub line_start: bool,
    /// An empty line lies between the lexeme before (if any) and this one.
    pub blank_before: bool,
}

/// Every lexeme of `text`, in order.
pub(crate) fn scan(text: &str) -> Vec<Lexeme<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    let mut breaks = 0usize;
    let mut first = true;
    while at < bytes.len() {
        let c = bytes[at];
        if c == b'\n' {
            breaks += 1;
            at += 1;
            continue;
        }
        if c.is_ascii_whitespace() {
            at += 1;
            continue;
        }
        let start = at;
        let kind;
        if text[at..].starts_with("//") {
            at = line_end(text, at);
            kind = if text[start..].starts_with("///") && !text[start..].starts_with("////") {
                Kind::Doc
            } else {
                Kind::Comment
            };
        } else if c == b'"' {
            at = string_end(bytes, at);
            kind = Kind::Token;
        } else if is_word(c) {
            while at < bytes.len() && is_word(bytes[at]) {
                at += 1;
            }
            kind = Kind::Token;
        } else {
            // One character, however many bytes it has.
            at += text[at..].chars().next().map_or(1, char::len_utf8);
            kind = Kind::Token;
        }
        let raw = &text[start..at];
        let trimmed = match kind {
            Kind::Token => raw,
            Kind::Doc | Kind::Comment => raw.trim_end(),
        };
        out.push(Lexeme {
            kind,
            text: trimmed,
            start,
            end: at,
            line_start: first || breaks > 0,
            blank_before: !first && breaks > 1,
        });
        first = false;
        breaks = 0;
    }
    out
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The end of the line holding `at` (the `\n` itself excluded).
fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |n| at + n)
}

/// One past the closing quote of the string literal opening at `at`; at a
/// line break or the end of the text if it is not closed.
fn string_end(bytes: &[u8], at: usize) -> usize {
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return i + 1,
            b'\n' => return i,
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str, bool, bool)> {
        scan(text)
            .into_iter()
            .map(|l| (l.kind, l.text, l.line_start, l.blank_before))
            .collect()
    }

    #[test]
    fn comments_strings_and_docs_are_told_apart() {
        use Kind::*;
        assert_eq!(
            kinds("/// Doc.  \ndef a = \"//x\\\"\" // c\r\n\n//// old\nrule"),
            [
                (Doc, "/// Doc.", true, false),
                (Token, "def", true, false),
                (Token, "a", false, false),
                (Token, "=", false, false),
                (Token, "\"//x\\\"\"", false, false),
                (Comment, "// c", false, false),
                (Comment, "//// old", true, true),
                (Token, "rule", true, false),
            ]
        );
    }

    #[test]
    fn punctuation_is_one_character_at_a_time() {
        let texts: Vec<_> = scan("a<=b??c é").into_iter().map(|l| l.text).collect();
        assert_eq!(texts, ["a", "<", "=", "b", "?", "?", "c", "é"]);
    }
}
