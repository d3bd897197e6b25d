//! Recovery after a syntax error: the file is cut at its top-level
//! declarations and each piece is parsed on its own, so that one run reports
//! the syntax errors of every declaration, not only the first.

use crate::syntax::grammar::starts_declaration;

/// Byte ranges of the file's declarations: a new chunk starts at each line
/// that begins (in column 1) with a declaration keyword (`def`, `rule`,
/// `exception`, `audit`) or a `///` doc comment, unless it continues the
/// doc comments of the line before. The chunks cover the text.
pub(crate) fn item_chunks(text: &str) -> Vec<(usize, usize)> {
    let mut starts = vec![0];
    let mut offset = 0;
    let mut previous_was_doc = false;
    for line in text.split_inclusive('\n') {
        let is_doc = line.starts_with("///");
        let starts_item = starts_declaration(line);
        if offset > 0 && (is_doc || starts_item) && !previous_was_doc {
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

    /// The text of each chunk.
    fn pieces(text: &str) -> Vec<&str> {
        item_chunks(text)
            .iter()
            .map(|&(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn chunks_start_at_declarations_and_keep_docs_with_them() {
        let text = "def a = 1\n/// doc\n/// more\nrule r {\n}\nexception e to r when true\n";
        assert_eq!(
            pieces(text),
            vec![
                "def a = 1\n",
                "/// doc\n/// more\nrule r {\n}\n",
                "exception e to r when true\n"
            ]
        );
    }

    /// Regression: chunks started only at `def`, `rule` and `exception`, so
    /// an `audit` after a broken declaration was read as part of it and
    /// its own syntax error was never reported.
    #[test]
    fn every_declaration_keyword_starts_a_chunk() {
        let text = "def a = 1 and\naudit \"x\" {\n}\n/// doc\naudit \"y\" {\n}\nrule\tr {\n}\nexception e to r when true\ndef\nrules = 1\n";
        assert_eq!(
            pieces(text),
            vec![
                "def a = 1 and\n",
                "audit \"x\" {\n}\n",
                "/// doc\naudit \"y\" {\n}\n",
                "rule\tr {\n}\n",
                "exception e to r when true\n",
                "def\nrules = 1\n",
            ]
        );
    }
}
