//! Recovery after a syntax error: the file is cut at its top-level
//! declarations and each piece is parsed on its own, so that one run reports
//! the syntax errors of every declaration, not only the first.

/// Byte ranges of the file's declarations: a new chunk starts at each line
/// that begins (in column 1) with `def`, `rule`, `exception` or a `///` doc
/// comment that does not continue a previous one. The chunks cover the text.
pub(crate) fn item_chunks(text: &str) -> Vec<(usize, usize)> {
    let mut starts = vec![0];
    let mut offset = 0;
    let mut previous_was_doc = false;
    for line in text.split_inclusive('\n') {
        let is_doc = line.starts_with("///");
        let starts_item = ["def", "rule", "exception"].iter().any(|kw| {
            line.strip_prefix(kw)
                .is_some_and(|rest| rest.starts_with([' ', '\t']))
        });
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

    #[test]
    fn chunks_start_at_declarations_and_keep_docs_with_them() {
        let text = "def a = 1\n/// doc\n/// more\nrule r {\n}\nexception e to r when true\n";
        let chunks: Vec<&str> = item_chunks(text)
            .iter()
            .map(|&(s, e)| &text[s..e])
            .collect();
        assert_eq!(
            chunks,
            vec![
                "def a = 1\n",
                "/// doc\n/// more\nrule r {\n}\n",
                "exception e to r when true\n"
            ]
        );
    }
}
