//! The report of a mutants run: as text (survivors first, each shown as
//! its source line with the span underlined, through the diagnostic
//! renderer, and its suggested rule test), or as JSON.

use std::fmt::Write as _;

use serde::Serialize;

use crate::diagnostic::{render_text, Diagnostic};
use crate::escape;
use crate::source::Sources;

use super::judge::{JudgeOptions, Judged};

/// The counts of a run and its score.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub(crate) struct Summary {
    /// Mutants generated.
    pub generated: usize,
    /// Mutants judged (all, or a sample of `--max-mutants`).
    pub judged: usize,
    /// Proved equivalent.
    pub equivalent: usize,
    /// Killed by the tests (when run).
    pub killed_by_tests: Option<usize>,
    /// Killed by the audits (when run).
    pub killed_by_audits: Option<usize>,
    /// Killed by the tests or the audits.
    pub killed: usize,
    /// Neither equivalent nor killed.
    pub survived: usize,
    /// `killed` in percent of the non-equivalent mutants (100 when there
    /// are none).
    pub score: f64,
}

impl Summary {
    /// The counts of `judged`, of `generated` mutants.
    pub(crate) fn of(judged: &[Judged], generated: usize, options: &JudgeOptions) -> Summary {
        let count = |f: &dyn Fn(&Judged) -> bool| judged.iter().filter(|j| f(j)).count();
        let equivalent = count(&|j| j.equivalent);
        let killed = count(&|j| j.killed());
        Summary {
            generated,
            judged: judged.len(),
            equivalent,
            killed_by_tests: options
                .tests
                .then(|| count(&|j| j.killed_by_test.is_some())),
            killed_by_audits: options
                .audits
                .then(|| count(&|j| j.killed_by_audit.is_some())),
            killed,
            survived: count(&|j| j.survived()),
            score: percent(killed, judged.len() - equivalent),
        }
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        100.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Survivors first, then killed mutants, then equivalent ones; each group
/// in the order of the rule set.
pub(crate) fn ordered(judged: &[Judged]) -> Vec<&Judged> {
    let mut out: Vec<&Judged> = judged.iter().collect();
    out.sort_by_key(|j| match (j.survived(), j.equivalent) {
        (true, _) => 0,
        (false, false) => 1,
        (false, true) => 2,
    });
    out
}

/// `file:line:column` of a mutant, escaped.
fn location(sources: &Sources, j: &Judged) -> String {
    let span = j.mutant.span;
    let (line, column) = sources.line_col(span.file, span.start as usize);
    let name = &sources.get(span.file).name;
    format!("{}:{line}:{column}", escape::terminal(name))
}

/// The replacement on one line, escaped and cut to 80 characters.
fn one_line(text: &str) -> String {
    if text.is_empty() {
        return "(deleted)".into();
    }
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut shown: String = joined.chars().take(80).collect();
    if shown.len() < joined.len() {
        shown.push('…');
    }
    escape::terminal(&shown).into_owned()
}

/// The text report.
pub(crate) fn text(
    sources: &Sources,
    judged: &[Judged],
    summary: &Summary,
    options: &JudgeOptions,
    colour: bool,
) -> String {
    let mut out = String::new();
    for j in ordered(judged) {
        let m = &j.mutant;
        let what = format!("{} in {}", m.kind.name(), m.place);
        if j.survived() {
            let message = match &j.suggested_test {
                Some(_) => format!("survived: {what}"),
                None => format!(
                    "survived: {what}; no distinguishing case found in {} cases",
                    options.cases
                ),
            };
            let diagnostic = Diagnostic::warning("mutant", message, m.span)
                .with_label(format!("replaced by: {}", one_line(&m.replacement)));
            out.push_str(&render_text(sources, &[diagnostic], colour));
            if let Some(test) = &j.suggested_test {
                out.push_str(
                    "  a case that tells it from the original, for a rule-test file (the original passes it, the mutant fails it):\n",
                );
                for line in test.lines() {
                    let _ = writeln!(out, "    {}", escape::terminal(line));
                }
                out.push('\n');
            }
            continue;
        }
        let status = if j.equivalent {
            "equivalent".to_string()
        } else {
            let mut by = Vec::new();
            if let Some(test) = &j.killed_by_test {
                // `FILE:LINE: NAME`, escaped by the test runner.
                let (place, name) = test.split_once(": ").unwrap_or(("", test));
                by.push(format!("test \"{name}\" ({place})"));
            }
            if let Some(audit) = &j.killed_by_audit {
                by.push(format!("audit \"{}\"", escape::terminal(audit)));
            }
            format!("killed by {}", by.join("; "))
        };
        let _ = writeln!(
            out,
            "{}  {}: {}  ({status})",
            location(sources, j),
            escape::terminal(&what),
            one_line(&m.replacement)
        );
    }
    if !judged.is_empty() {
        out.push('\n');
    }
    let sampled = if summary.judged < summary.generated {
        format!(
            " (a sample of {} of {} generated)",
            summary.judged, summary.generated
        )
    } else {
        String::new()
    };
    let non_equivalent = summary.judged - summary.equivalent;
    let _ = writeln!(
        out,
        "{} mutants{sampled}: {} equivalent, {} killed, {} survived",
        summary.judged, summary.equivalent, summary.killed, summary.survived
    );
    for (judge, count) in [
        ("tests", summary.killed_by_tests),
        ("audits", summary.killed_by_audits),
    ] {
        if let Some(count) = count {
            let _ = writeln!(
                out,
                "  killed by the {judge}: {count} of {non_equivalent} ({:.1}%)",
                percent(count, non_equivalent)
            );
        }
    }
    let _ = writeln!(
        out,
        "score {:.1}% (killed / non-equivalent; seed {}, {} cases)",
        summary.score, options.seed, options.cases
    );
    out
}

/// One mutant in the JSON report.
#[derive(Serialize)]
struct JsonMutant<'a> {
    kind: &'static str,
    place: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    original: &'a str,
    replacement: &'a str,
    status: &'static str,
    killed_by_test: Option<&'a str>,
    killed_by_audit: Option<&'a str>,
    suggested_test: Option<&'a str>,
}

/// The JSON report.
#[derive(Serialize)]
struct JsonReport<'a> {
    seed: u64,
    cases: u32,
    tests: bool,
    audits: bool,
    #[serde(flatten)]
    summary: &'a Summary,
    mutants: Vec<JsonMutant<'a>>,
}

/// The JSON report: one object, the mutants in the order of the text
/// report.
pub(crate) fn json(
    sources: &Sources,
    judged: &[Judged],
    summary: &Summary,
    options: &JudgeOptions,
) -> String {
    let mutants = ordered(judged)
        .into_iter()
        .map(|j| {
            let m = &j.mutant;
            let file = sources.get(m.span.file);
            let (line, column) = sources.line_col(m.span.file, m.span.start as usize);
            JsonMutant {
                kind: m.kind.name(),
                place: &m.place,
                file: &file.name,
                line,
                column,
                original: file.text.get(m.span.range()).unwrap_or_default(),
                replacement: &m.replacement,
                status: if j.equivalent {
                    "equivalent"
                } else if j.killed() {
                    "killed"
                } else {
                    "survived"
                },
                killed_by_test: j.killed_by_test.as_deref(),
                killed_by_audit: j.killed_by_audit.as_deref(),
                suggested_test: j.suggested_test.as_deref(),
            }
        })
        .collect();
    let report = JsonReport {
        seed: options.seed,
        cases: options.cases,
        tests: options.tests,
        audits: options.audits,
        summary,
        mutants,
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
