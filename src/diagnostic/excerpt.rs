//! The source a diagnostic shows: the lines its labels touch, escaped for the
//! terminal and, when long, cut to windows around the labels.
//!
//! codespan-reporting prints whole source lines. A rule file can hold control
//! characters, and one line can be megabytes long with thousands of
//! diagnostics on it; printed whole each time, that output grows with the
//! square of the input. So each diagnostic gets an [`Excerpt`]: for every
//! file it points into, a small text of its own holding only the lines it
//! shows, each shown through the terminal escaping rule and, when longer than
//! [`LINE_CHARS`] characters, cut to [`CONTEXT_CHARS`] characters on each
//! side of every label end, the cuts marked `…`. codespan-reporting renders
//! the diagnostic from the excerpt; line numbers and the columns of the
//! `-->` line are the original ones.

use std::ops::Range;

use codespan_reporting::files::{Error as FilesError, Files, Location};

use super::Diagnostic;
use crate::escape;
use crate::source::{floor_char_boundary, FileId, SourceFile, Sources, Span};

/// A source line of at most this many characters is shown whole.
pub(crate) const LINE_CHARS: usize = 160;

/// On a longer line, how many characters are shown on each side of the start
/// and the end of every label.
pub(crate) const CONTEXT_CHARS: usize = 60;

/// Where the lines of a long line are cut.
const CUT: char = '…';

/// What one diagnostic shows of its files, ready for codespan-reporting.
pub(super) struct Excerpt<'s> {
    sources: &'s Sources,
    files: Vec<FileExcerpt>,
}

/// The shown lines of one file.
struct FileExcerpt {
    file: FileId,
    /// The file's name, escaped.
    name: String,
    /// The shown lines one after another, each ending in `\n`.
    text: String,
    /// The shown lines, by original line index, with their range in `text`.
    lines: Vec<(usize, Range<usize>)>,
    /// For every label end: (offset in the file, offset in `text`), sorted
    /// (both orders agree).
    points: Vec<(usize, usize)>,
}

impl<'s> Excerpt<'s> {
    /// The excerpt of `diagnostic`. Multi-line labels show their first
    /// `start_context` and last `end_context` inner lines, as
    /// codespan-reporting renders them.
    pub(super) fn new(
        sources: &'s Sources,
        diagnostic: &Diagnostic,
        start_context: usize,
        end_context: usize,
    ) -> Excerpt<'s> {
        let spans: Vec<Span> = diagnostic
            .primary
            .iter()
            .chain(&diagnostic.secondary)
            .map(|label| label.span)
            .collect();
        let mut files: Vec<FileId> = spans.iter().map(|span| span.file).collect();
        files.sort();
        files.dedup();
        let files = files
            .into_iter()
            .map(|file| {
                let ends: Vec<(usize, usize)> = spans
                    .iter()
                    .filter(|span| span.file == file)
                    .map(|span| {
                        let source = sources.get(file);
                        (point(source, span.start), point(source, span.end))
                    })
                    .collect();
                FileExcerpt::new(sources.get(file), file, &ends, start_context, end_context)
            })
            .collect();
        Excerpt { sources, files }
    }

    /// Where `span` is in its file's excerpt.
    pub(super) fn range(&self, span: Span) -> Range<usize> {
        let Some(excerpt) = self.file(span.file) else {
            return 0..0;
        };
        let source = self.sources.get(span.file);
        let start = excerpt.shown(point(source, span.start));
        let end = excerpt.shown(point(source, span.end));
        start..end.max(start)
    }

    fn file(&self, file: FileId) -> Option<&FileExcerpt> {
        self.files.iter().find(|f| f.file == file)
    }

    fn file_or_error(&self, file: FileId) -> Result<&FileExcerpt, FilesError> {
        self.file(file).ok_or(FilesError::FileMissing)
    }
}

/// A label end as an offset in the file: within it, on a char boundary.
fn point(source: &SourceFile, offset: u32) -> usize {
    floor_char_boundary(&source.text, (offset as usize).min(source.text.len()))
}

impl FileExcerpt {
    fn new(
        source: &SourceFile,
        file: FileId,
        ends: &[(usize, usize)],
        start_context: usize,
        end_context: usize,
    ) -> FileExcerpt {
        // The points to show on each line: every label end, and the start of
        // the inner lines a multi-line label shows.
        let mut wanted: Vec<(usize, usize)> = Vec::new();
        for &(start, end) in ends {
            let (first, last) = (source.line_index(start), source.line_index(end));
            wanted.push((first, start));
            wanted.push((last, end));
            let inner = (first + 1)..last;
            let shown_inner = inner
                .clone()
                .take(start_context)
                .chain(inner.rev().take(end_context));
            for line in shown_inner {
                wanted.extend(line_start(source, line).map(|s| (line, s)));
            }
        }
        wanted.sort_unstable();
        wanted.dedup();
        // A line between two shown lines is shown too (codespan-reporting
        // prints it rather than a break).
        let mut between = Vec::new();
        for pair in wanted.windows(2) {
            if pair[1].0 == pair[0].0 + 2 {
                let line = pair[0].0 + 1;
                between.extend(line_start(source, line).map(|s| (line, s)));
            }
        }
        wanted.extend(between);
        wanted.sort_unstable();
        wanted.dedup();

        let mut excerpt = FileExcerpt {
            file,
            name: escape::terminal(&source.name).into_owned(),
            text: String::new(),
            lines: Vec::new(),
            points: Vec::new(),
        };
        for group in wanted.chunk_by(|a, b| a.0 == b.0) {
            let line = group[0].0;
            let offsets: Vec<usize> = group.iter().map(|&(_, offset)| offset).collect();
            excerpt.push_line(source, line, &offsets);
        }
        excerpt
    }

    /// Appends line `line` of `source`, cut around `offsets` (sorted, on
    /// the line) if it is long, and records where each offset is shown.
    fn push_line(&mut self, source: &SourceFile, line: usize, offsets: &[usize]) {
        let Some(range) = source.line_range(line) else {
            return;
        };
        let start = range.start;
        let raw = &source.text[range];
        let content = raw.strip_suffix('\n').unwrap_or(raw);
        let content = content.strip_suffix('\r').unwrap_or(content);
        let relative: Vec<usize> = offsets
            .iter()
            .map(|o| floor_char_boundary(content, o.saturating_sub(start).min(content.len())))
            .collect();
        let windows = windows(content, &relative);
        let shown_start = self.text.len();
        let mut next = relative.iter().peekable();
        let mut shown_to = 0;
        for window in windows {
            if window.start > shown_to {
                self.text.push(CUT);
            }
            for (at, c) in content[window.clone()].char_indices() {
                while next.next_if(|o| **o == window.start + at).is_some() {
                    self.points
                        .push((start + window.start + at, self.text.len()));
                }
                if c == '\t' {
                    // Left for codespan-reporting, which expands it to the
                    // next tab stop.
                    self.text.push('\t');
                } else if escape::is_unsafe(c) {
                    escape::push_visible(&mut self.text, c);
                } else {
                    self.text.push(c);
                }
            }
            while next.next_if(|o| **o == window.end).is_some() {
                self.points.push((start + window.end, self.text.len()));
            }
            shown_to = window.end;
        }
        if shown_to < content.len() {
            self.text.push(CUT);
        }
        self.text.push('\n');
        self.lines.push((line, shown_start..self.text.len()));
        // Offsets on the line's break (`\r\n`) are shown at its end.
        for &offset in offsets {
            if offset.saturating_sub(start) > content.len() {
                self.points.push((offset, self.text.len() - 1));
            }
        }
        self.points.sort_unstable();
        self.points.dedup_by_key(|p| p.0);
    }

    /// Where byte `offset` of the file (a label end) is shown.
    fn shown(&self, offset: usize) -> usize {
        match self.points.binary_search_by_key(&offset, |p| p.0) {
            Ok(i) => self.points[i].1,
            // Every label end was recorded; nearest is the best answer left.
            Err(i) => self.points.get(i).map_or(self.text.len(), |p| p.1),
        }
    }

    /// The offset in the file of shown byte `shown` (a label end).
    fn original(&self, shown: usize) -> Option<usize> {
        let i = self.points.partition_point(|p| p.1 < shown);
        self.points.get(i).filter(|p| p.1 == shown).map(|p| p.0)
    }
}

/// Where line `line` starts, if the file has it.
fn line_start(source: &SourceFile, line: usize) -> Option<usize> {
    source.line_range(line).map(|r| r.start)
}

/// The parts of `content` to show: all of it if it is short, else
/// [`CONTEXT_CHARS`] characters around each of `offsets` (sorted char
/// boundaries), merged where they meet.
fn windows(content: &str, offsets: &[usize]) -> Vec<Range<usize>> {
    let short = content.len() <= LINE_CHARS
        || (content.len() <= 4 * LINE_CHARS && content.chars().count() <= LINE_CHARS);
    if short {
        return std::iter::once(0..content.len()).collect();
    }
    let mut windows: Vec<Range<usize>> = Vec::new();
    for &offset in offsets {
        let from = content[..offset]
            .char_indices()
            .rev()
            .take(CONTEXT_CHARS)
            .last()
            .map_or(offset, |(at, _)| at);
        let to = content[offset..]
            .char_indices()
            .nth(CONTEXT_CHARS)
            .map_or(content.len(), |(at, _)| offset + at);
        match windows.last_mut() {
            Some(last) if from <= last.end => last.end = last.end.max(to),
            _ => windows.push(from..to),
        }
    }
    windows
}

impl<'a> Files<'a> for Excerpt<'_> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.file_or_error(id)?.name)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.file_or_error(id)?.text)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        let file = self.file_or_error(id)?;
        let i = file
            .lines
            .partition_point(|(_, range)| range.start <= byte_index)
            .saturating_sub(1);
        Ok(file.lines.get(i).map_or(0, |(line, _)| *line))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let file = self.file_or_error(id)?;
        // A line not shown (inside a long multi-line label) is empty.
        Ok(file
            .lines
            .binary_search_by_key(&line_index, |(line, _)| *line)
            .map_or(file.text.len()..file.text.len(), |i| {
                file.lines[i].1.clone()
            }))
    }

    fn column_number(
        &'a self,
        id: FileId,
        _line_index: usize,
        byte_index: usize,
    ) -> Result<usize, FilesError> {
        Ok(self.location(id, byte_index)?.column_number)
    }

    fn location(&'a self, id: FileId, byte_index: usize) -> Result<Location, FilesError> {
        let file = self.file_or_error(id)?;
        match file.original(byte_index) {
            Some(offset) => {
                let (line_number, column_number) = self.sources.line_col(id, offset);
                Ok(Location {
                    line_number,
                    column_number,
                })
            }
            None => Ok(Location {
                line_number: self.line_index(id, byte_index)? + 1,
                column_number: 1,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;
    use crate::diagnostic::render_text;

    /// `text` as the one file of a `Sources`.
    fn sources(text: &str) -> (Sources, FileId) {
        let mut sources = Sources::default();
        let id = sources.add(Path::new("f.nrs"), text.to_string());
        (sources, id)
    }

    /// The rendered source lines (`N | …`) of `text`.
    fn source_lines(text: &str) -> Vec<&str> {
        text.lines()
            .filter(|l| {
                l.split_once(" | ")
                    .is_some_and(|(n, _)| n.trim().parse::<usize>().is_ok())
            })
            .collect()
    }

    #[test]
    fn a_long_line_is_cut_around_the_label_with_the_original_column() {
        let text = format!("{}bad{}\n", "a ".repeat(5_000), " b".repeat(5_000));
        let (sources, id) = sources(&text);
        let d =
            Diagnostic::error("code", "message", Span::new(id, 10_000, 10_003)).with_label("here");
        let out = render_text(&sources, &[d], false);
        assert!(out.contains("--> f.nrs:1:10001"), "{out}");
        let lines = source_lines(&out);
        assert_eq!(lines.len(), 1, "{out}");
        let shown = lines[0].split_once(" | ").unwrap().1;
        assert_eq!(
            shown.chars().count(),
            1 + CONTEXT_CHARS + 3 + CONTEXT_CHARS + 1,
            "{out}"
        );
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{out}");
        // The caret run is under `bad`.
        let caret_line = out.lines().find(|l| l.contains('^')).unwrap();
        let caret_at = caret_line.find('^').unwrap();
        let bad_at = lines[0].find("bad").unwrap();
        assert_eq!(
            caret_line[..caret_at].chars().count(),
            lines[0][..bad_at].chars().count(),
            "{out}"
        );
        assert!(caret_line.contains("^^^ here"), "{out}");
    }

    #[test]
    fn a_short_line_is_shown_whole() {
        let line = "x".repeat(LINE_CHARS);
        let (sources, id) = sources(&format!("{line}\n"));
        let d = Diagnostic::error("code", "message", Span::new(id, 3, 4));
        let out = render_text(&sources, &[d], false);
        assert_eq!(source_lines(&out), [format!("1 | {line}")], "{out}");
    }

    #[test]
    fn a_long_label_shows_both_ends_and_the_cut_between() {
        let text = format!("{}\n", "y".repeat(50_000));
        let (sources, id) = sources(&text);
        let d = Diagnostic::error("code", "message", Span::new(id, 100, 40_000));
        let out = render_text(&sources, &[d], false);
        let shown = source_lines(&out)[0].split_once(" | ").unwrap().1;
        assert_eq!(shown.matches('…').count(), 3, "{out}");
        assert!(shown.chars().count() < 4 * CONTEXT_CHARS + 4, "{out}");
    }

    #[test]
    fn multi_line_labels_and_crlf_lines_render_with_their_numbers() {
        let text = "line one\r\nline two\r\nthree\r\nfour\r\nfive\r\nsix\r\nseven\r\n";
        let (sources, id) = sources(text);
        let d = Diagnostic::error("code", "message", Span::new(id, 5, 40))
            .with_label("spans lines")
            .with_secondary(Span::new(id, 8, 10), "at the break");
        let out = render_text(&sources, &[d], false);
        assert!(out.contains("--> f.nrs:1:6"), "{out}");
        for shown in ["1 |", "2 |", "3 |", "4 |", "6 |"] {
            assert!(out.contains(shown), "{shown} missing: {out}");
        }
        assert!(!out.contains('\r'), "{out:?}");
    }

    #[test]
    fn tabs_stay_aligned_and_control_characters_are_shown_escaped() {
        let (sources, id) = sources("\tdef x = \u{1b}[2J\u{202e} + 1\n");
        let d = Diagnostic::error("code", "message", Span::new(id, 9, 16));
        let out = render_text(&sources, &[d], false);
        assert!(
            out.contains("1 |     def x = \\u{1b}[2J\\u{202e} + 1"),
            "{out}"
        );
        // Seventeen carets: `\u{1b}[2J\u{202e}`.
        assert!(out.contains("  |             ^^^^^^^^^^^^^^^^^\n"), "{out}");
    }

    proptest! {
        /// Whatever the file and the spans, rendering does not panic and
        /// shows no unsafe character but the line breaks it writes.
        #[test]
        fn any_text_and_spans_render_safely(
            text in "(\\PC|[\\x00-\\x1f\\x7f-\\x9f\u{202a}-\u{202e}\u{2066}-\u{2069}\u{2028}\r\n\t]){0,600}",
            spans in proptest::collection::vec((0u32..620, 0u32..620), 1..4),
            message in any::<String>(),
        ) {
            let (sources, id) = sources(&text);
            let diagnostics: Vec<Diagnostic> = spans
                .iter()
                .map(|&(a, b)| {
                    Diagnostic::error("code", message.clone(), Span::new(id, a.min(b) as usize, a.max(b) as usize))
                        .with_label(message.clone())
                        .with_secondary(Span::new(id, b as usize, b as usize + 1), message.clone())
                        .with_help(message.clone())
                })
                .collect();
            let out = render_text(&sources, &diagnostics, false);
            prop_assert!(!out.chars().any(|c| c != '\n' && escape::is_unsafe(c)), "{out:?}");
        }
    }
}
