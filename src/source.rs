//! The text of every file a run reads, so that any stage can point into it.
//!
//! Rule files, the manifest, the schema, the taxonomy and the tables are all
//! registered here; a [`Span`] names a file by its [`FileId`] and a byte
//! range inside it.

use std::path::{Path, PathBuf};

/// Index of a file in [`Sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct FileId(pub u32);

/// A byte range in one source file. Every AST node carries one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Span {
    /// The file.
    pub file: FileId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets.
    pub(crate) fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both.
    pub(crate) fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The byte range.
    pub(crate) fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// One file: the name shown to users and its text.
#[derive(Clone, Debug)]
pub(crate) struct SourceFile {
    /// The path as shown in diagnostics (as the user named it).
    pub name: String,
    /// The path on disk.
    pub path: PathBuf,
    /// The file's text (UTF-8; a file that is not UTF-8 is registered with
    /// the lossy decoding so that its error can still be shown).
    pub text: String,
    /// Where its lines start.
    line_starts: LineStarts,
    /// The number of characters before each multiple of [`MARK_BYTES`], so
    /// that a column is counted from a nearby mark, not from the start of a
    /// line that may be megabytes long.
    char_marks: Vec<usize>,
}

/// How far apart the character-count marks of a [`SourceFile`] are, in bytes.
const MARK_BYTES: usize = 4096;

/// Whether `byte` starts a character (is not a UTF-8 continuation byte).
fn starts_char(byte: &u8) -> bool {
    byte & 0xC0 != 0x80
}

impl SourceFile {
    /// 0-based index of the line holding byte `offset`.
    pub(crate) fn line_index(&self, offset: usize) -> usize {
        self.line_starts.line_index(offset)
    }

    /// Byte range of line `index` (0-based), with its line break.
    pub(crate) fn line_range(&self, index: usize) -> Option<std::ops::Range<usize>> {
        let start = *self.line_starts.0.get(index)?;
        let end = self
            .line_starts
            .0
            .get(index + 1)
            .copied()
            .unwrap_or(self.text.len());
        Some(start..end)
    }

    /// The number of characters before byte `offset` (a char boundary), in
    /// time bounded by [`MARK_BYTES`].
    fn chars_before(&self, offset: usize) -> usize {
        let mark = offset / MARK_BYTES;
        let from = mark * MARK_BYTES;
        self.char_marks.get(mark).copied().unwrap_or(0)
            + self.text.as_bytes()[from..offset]
                .iter()
                .filter(|b| starts_char(b))
                .count()
    }
}

/// The byte offset where each line of a text starts, so that the line of an
/// offset is a binary search, not a count from the start.
#[derive(Clone, Debug)]
pub(crate) struct LineStarts(Vec<usize>);

impl LineStarts {
    /// The line starts of `text` (the first is 0).
    pub(crate) fn new(text: &str) -> LineStarts {
        LineStarts(
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        )
    }

    /// 0-based index of the line holding byte `offset`.
    pub(crate) fn line_index(&self, offset: usize) -> usize {
        self.0
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }
}

/// Every file read in a run.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// Registers a file and returns its id.
    pub(crate) fn add(&mut self, path: &Path, text: String) -> FileId {
        let id = FileId(self.files.len() as u32);
        let line_starts = LineStarts::new(&text);
        let char_marks = std::iter::once(0)
            .chain(
                text.as_bytes()
                    .chunks(MARK_BYTES)
                    .map(|chunk| chunk.iter().filter(|b| starts_char(b)).count())
                    .scan(0, |total, n| {
                        *total += n;
                        Some(*total)
                    }),
            )
            .collect();
        self.files.push(SourceFile {
            name: display_path(path),
            path: path.to_path_buf(),
            text,
            line_starts,
            char_marks,
        });
        id
    }

    /// The file with this id.
    pub(crate) fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// All files, in the order they were added.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// 1-based line and column (in characters) of a byte offset; in time
    /// that does not grow with the length of the line.
    pub(crate) fn line_col(&self, id: FileId, offset: usize) -> (usize, usize) {
        let file = self.get(id);
        let offset = floor_char_boundary(&file.text, offset.min(file.text.len()));
        let line = file.line_index(offset);
        let line_start = file.line_range(line).map_or(0, |r| r.start);
        let column = file.chars_before(offset) - file.chars_before(line_start) + 1;
        (line + 1, column)
    }
}

/// The largest char boundary at or before `offset`.
pub(crate) fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A path as users should read it: forward slashes, no leading `./`.
fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").unwrap_or(&text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn line_col_counts_characters_from_the_line_start(
            // Runs of one character, so lines and texts are long enough to
            // cross several marks.
            runs in proptest::collection::vec(
                (prop_oneof![Just('a'), Just('\n'), Just('é'), Just('東'), Just('😀')], 1..3000usize),
                0..12,
            ),
            offsets in proptest::collection::vec(any::<proptest::sample::Index>(), 1..20),
        ) {
            let text: String = runs.iter().flat_map(|&(c, n)| std::iter::repeat_n(c, n)).collect();
            let mut sources = Sources::default();
            let id = sources.add(Path::new("f.nrs"), text.clone());
            for index in offsets {
                let offset = index.index(text.len() + 1);
                let at = floor_char_boundary(&text, offset);
                let before = &text[..at];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                prop_assert_eq!(sources.line_col(id, offset), (line, column));
            }
        }
    }

    #[test]
    fn the_line_of_an_offset_is_the_count_of_line_breaks_before_it() {
        for text in ["", "a", "\n", "ab\n\ncd\n", "\n\nx", "é\nü\r\n"] {
            let lines = LineStarts::new(text);
            for offset in 0..text.len() + 3 {
                let before = &text.as_bytes()[..offset.min(text.len())];
                let breaks = before.iter().filter(|&&b| b == b'\n').count();
                assert_eq!(lines.line_index(offset), breaks, "{text:?} at {offset}");
            }
        }
    }

    /// The line of every line start of a 200,000-line text: counting line
    /// breaks from the start each time (as before) would take minutes here.
    #[test]
    fn many_lines_are_found_by_search() {
        let text = "[[case]]\nid = 1\n".repeat(100_000);
        let lines = LineStarts::new(&text);
        for (line, (offset, _)) in text.match_indices("[[case]]").enumerate() {
            assert_eq!(lines.line_index(offset), 2 * line);
        }
    }
}
