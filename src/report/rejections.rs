//! The summary of a run's rejections, printed on stderr at its end: the
//! problems grouped by kind and field, each group with its count and its
//! first lines, so that a user sees at once what to fix in an export.
//! Memory is bounded: at most [`MAX_GROUPS`] groups with
//! [`LINES_SHOWN`] lines each; problems of further groups are counted.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::escape;
use crate::records::rejection::{place, ProblemKind, Rejection};

/// The most groups kept.
pub(crate) const MAX_GROUPS: usize = 100;

/// The lines shown per group.
pub(crate) const LINES_SHOWN: usize = 5;

/// What groups problems: their kind, field and column.
type Key = (ProblemKind, Option<String>, Option<String>);

/// One group: how many problems, and where the first were.
struct Group {
    count: u64,
    /// `(file, line)`, the file by its index in `files`.
    lines: Vec<(usize, usize)>,
    /// The order the group was first seen in (ties are shown in it).
    first: usize,
}

/// The rejections of a run, grouped.
#[derive(Default)]
pub(crate) struct RejectionSummary {
    records: u64,
    groups: HashMap<Key, Group>,
    /// Problems of groups past [`MAX_GROUPS`].
    other_problems: u64,
    /// The files rejections came from, in order.
    files: Vec<String>,
}

impl RejectionSummary {
    /// Counts one rejection.
    pub(crate) fn add(&mut self, rejection: &Rejection) {
        self.records += 1;
        let file = match self.files.iter().position(|f| *f == rejection.file) {
            Some(i) => i,
            None => {
                self.files.push(rejection.file.clone());
                self.files.len() - 1
            }
        };
        for problem in &rejection.problems {
            let key = (problem.kind, problem.field.clone(), problem.column.clone());
            let seen = self.groups.len();
            let group = match self.groups.get_mut(&key) {
                Some(group) => group,
                None if seen < MAX_GROUPS => self.groups.entry(key).or_insert(Group {
                    count: 0,
                    lines: Vec::new(),
                    first: seen,
                }),
                None => {
                    self.other_problems += 1;
                    continue;
                }
            };
            group.count += 1;
            let place = (file, rejection.line);
            if group.lines.len() < LINES_SHOWN && group.lines.last() != Some(&place) {
                group.lines.push(place);
            }
        }
    }

    /// The records rejected.
    pub(crate) fn records(&self) -> u64 {
        self.records
    }

    /// Problems of groups past [`MAX_GROUPS`], counted only.
    pub(crate) fn other_problems(&self) -> u64 {
        self.other_problems
    }

    /// The groups, most problems first (ties in the order first seen),
    /// each with its first places: `FILE:LINE` when rejections came from
    /// several files, else the line alone. The text is unescaped: each sink
    /// escapes it by its own rule.
    pub(crate) fn groups(&self) -> Vec<GroupView> {
        let mut groups: Vec<(&Key, &Group)> = self.groups.iter().collect();
        groups.sort_by_key(|(_, g)| (std::cmp::Reverse(g.count), g.first));
        let several_files = self.files.len() > 1;
        groups
            .into_iter()
            .map(|((kind, field, column), group)| GroupView {
                kind: *kind,
                place: place(field.as_deref(), column.as_deref()),
                count: group.count,
                lines: group
                    .lines
                    .iter()
                    .map(|&(file, line)| match several_files {
                        true => format!("{}:{line}", self.files[file]),
                        false => line.to_string(),
                    })
                    .collect(),
                more: group.count > group.lines.len() as u64,
            })
            .collect()
    }

    /// The summary, one line per group, most problems first; empty when
    /// nothing was rejected. Fields, columns and file names are shown
    /// through [`escape::terminal`].
    pub(crate) fn render(&self) -> String {
        if self.records == 0 {
            return String::new();
        }
        let groups = self.groups();
        let width = groups.first().map_or(1, |g| g.count.to_string().len());
        let mut out = format!(
            "rejected {} record{}:\n",
            self.records,
            if self.records == 1 { "" } else { "s" }
        );
        for group in groups {
            let more = if group.more { ", …" } else { "" };
            let text = format!(
                "  {:>width$} × {}{} (line{} {}{more})",
                group.count,
                group.place,
                group.kind,
                if group.lines.len() == 1 && more.is_empty() {
                    ""
                } else {
                    "s"
                },
                group.lines.join(", "),
            );
            let _ = writeln!(out, "{}", escape::terminal(&text));
        }
        if self.other_problems > 0 {
            let _ = writeln!(
                out,
                "  … and {} more problem{} of other kinds or fields",
                self.other_problems,
                if self.other_problems == 1 { "" } else { "s" }
            );
        }
        out
    }
}

/// One group of problems, as [`RejectionSummary::groups`] gives it.
pub(crate) struct GroupView {
    /// The problems' kind.
    pub kind: ProblemKind,
    /// `column `C` (field `F`): ` or empty: where in the record.
    pub place: String,
    /// How many problems.
    pub count: u64,
    /// The first places (`LINE` or `FILE:LINE`).
    pub lines: Vec<String>,
    /// Whether there were more than the places listed.
    pub more: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::rejection::Problem;

    fn rejection(file: &str, line: usize, problems: &[(ProblemKind, Option<&str>)]) -> Rejection {
        Rejection::new(
            file,
            line,
            None,
            problems
                .iter()
                .map(|(kind, field)| {
                    let problem = Problem::new(*kind, "why");
                    match field {
                        Some(f) => problem.on_field(*f),
                        None => problem,
                    }
                })
                .collect(),
            String::new(),
        )
    }

    #[test]
    fn problems_are_grouped_by_kind_and_field_most_first_with_their_first_lines() {
        let mut summary = RejectionSummary::default();
        assert_eq!(summary.render(), "");
        for line in [3, 5, 9, 12, 20, 21, 30] {
            summary.add(&rejection(
                "a.csv",
                line,
                &[
                    (ProblemKind::NotInEnum, Some("nationality")),
                    (ProblemKind::NotADate, Some("return_date")),
                ],
            ));
        }
        summary.add(&rejection("a.csv", 40, &[(ProblemKind::BadJson, None)]));
        summary.add(&rejection(
            "a.csv",
            41,
            &[(ProblemKind::NotInEnum, Some("\u{1b}[2J"))],
        ));
        assert_eq!(
            summary.render(),
            "rejected 9 records:\n\
             \x20 7 × field `nationality`: not-in-enum (lines 3, 5, 9, 12, 20, …)\n\
             \x20 7 × field `return_date`: not-a-date (lines 3, 5, 9, 12, 20, …)\n\
             \x20 1 × bad-json (line 40)\n\
             \x20 1 × field `\\u{1b}[2J`: not-in-enum (line 41)\n"
        );
    }

    #[test]
    fn lines_name_their_file_when_rejections_come_from_several() {
        let mut summary = RejectionSummary::default();
        summary.add(&rejection("a.jsonl", 2, &[(ProblemKind::BadJson, None)]));
        summary.add(&rejection("b.jsonl", 7, &[(ProblemKind::BadJson, None)]));
        assert_eq!(
            summary.render(),
            "rejected 2 records:\n  2 × bad-json (lines a.jsonl:2, b.jsonl:7)\n"
        );
    }

    #[test]
    fn groups_are_capped_and_the_rest_counted() {
        let mut summary = RejectionSummary::default();
        let names: Vec<String> = (0..MAX_GROUPS + 10).map(|i| format!("f{i}")).collect();
        for (i, name) in names.iter().enumerate() {
            summary.add(&rejection(
                "a.csv",
                i + 2,
                &[(ProblemKind::WrongType, Some(name))],
            ));
        }
        summary.add(&rejection(
            "a.csv",
            500,
            &[(ProblemKind::WrongType, Some("f0"))],
        ));
        let text = summary.render();
        assert_eq!(text.lines().count(), 1 + MAX_GROUPS + 1, "{text}");
        assert!(
            text.starts_with(
                "rejected 111 records:\n  2 × field `f0`: wrong-type (lines 2, 500)\n"
            ),
            "{text}"
        );
        assert!(
            text.ends_with("  … and 10 more problems of other kinds or fields\n"),
            "{text}"
        );
        assert!(summary.groups.len() <= MAX_GROUPS);
    }
}
