//! A [`DiffReport`] as text for a terminal or as Markdown for a
//! pull-request comment. Record text (case ids, explanations, file names)
//! goes through `escape::terminal` or `escape::markdown`; the JSON shape is
//! the report's own, by serde.

use std::fmt::Write as _;

use crate::escape;

use super::{DiffReport, FindingShown, GapDiff, SampleCase};

/// The report as text.
pub(crate) fn text(report: &DiffReport) -> String {
    let t = |s: &str| escape::terminal(s).into_owned();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "nrscreen diff: {} → {}",
        t(&report.old),
        t(&report.new)
    );
    let _ = writeln!(out, "{}", accounting(report));
    out.push('\n');
    for (label, names) in rule_lines(report) {
        let _ = writeln!(out, "{label}: {}", t(&names.join(", ")));
    }
    if report.rules.is_empty() {
        out.push_str("rules, definitions and tables: none added, removed or changed\n");
    }
    out.push('\n');
    let width = report
        .gaps
        .iter()
        .map(|g| g.gap.len())
        .max()
        .unwrap_or(3)
        .max(3);
    let _ = writeln!(
        out,
        "{:<width$}  {:>13}  {:>13}  {:>7}",
        "gap", "flagged", "needs review", "changed"
    );
    for gap in &report.gaps {
        let _ = writeln!(
            out,
            "{:<width$}  {:>13}  {:>13}  {:>7}{}",
            t(&gap.gap),
            format!("{} → {}", gap.old.flagged, gap.new.flagged),
            format!("{} → {}", gap.old.needs_review, gap.new.needs_review),
            changed(gap),
            presence(gap),
        );
    }
    for gap in report.gaps.iter().filter(|g| !g.changes.is_empty()) {
        let _ = writeln!(out, "\ngap {}", t(&gap.gap));
        for change in &gap.changes {
            let _ = writeln!(
                out,
                "  {} → {}: {} case{}",
                change.from.words(),
                change.to.words(),
                change.cases,
                plural(change.cases)
            );
            for case in &change.sample {
                let _ = writeln!(
                    out,
                    "    {} ({}:{})",
                    t(&case.case_id),
                    t(&case.input),
                    case.line
                );
                let _ = writeln!(out, "      old: {}", findings_text(&case.old, &t));
                let _ = writeln!(out, "      new: {}", findings_text(&case.new, &t));
            }
            if change.cases > change.sample.len() as u64 {
                let _ = writeln!(
                    out,
                    "    … and {} more",
                    change.cases - change.sample.len() as u64
                );
            }
        }
    }
    out
}

/// The report as Markdown.
pub(crate) fn markdown(report: &DiffReport) -> String {
    let m = |s: &str| escape::markdown(s).into_owned();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## nrscreen diff: {} → {}\n",
        m(&report.old),
        m(&report.new)
    );
    let _ = writeln!(out, "{}\n", accounting(report));
    let lines = rule_lines(report);
    if lines.is_empty() {
        out.push_str("Rules, definitions and tables: none added, removed or changed.\n\n");
    }
    for (label, names) in &lines {
        let names: Vec<String> = names.iter().map(|n| m(n)).collect();
        let _ = writeln!(out, "- {}: {}", m(label), names.join(", "));
    }
    if !lines.is_empty() {
        out.push('\n');
    }
    out.push_str("| gap | flagged | needs review | changed |\n|---|---:|---:|---:|\n");
    for gap in &report.gaps {
        let _ = writeln!(
            out,
            "| {}{} | {} → {} | {} → {} | {} |",
            m(&gap.gap),
            m(presence(gap)),
            gap.old.flagged,
            gap.new.flagged,
            gap.old.needs_review,
            gap.new.needs_review,
            changed(gap)
        );
    }
    for gap in report.gaps.iter().filter(|g| !g.changes.is_empty()) {
        let _ = writeln!(out, "\n### {}\n", m(&gap.gap));
        for change in &gap.changes {
            let _ = writeln!(
                out,
                "- **{} → {}**: {} case{}",
                change.from.words(),
                change.to.words(),
                change.cases,
                plural(change.cases)
            );
            for case in &change.sample {
                sample_markdown(&mut out, case, &m);
            }
            if change.cases > change.sample.len() as u64 {
                let _ = writeln!(
                    out,
                    "  - … and {} more",
                    change.cases - change.sample.len() as u64
                );
            }
        }
    }
    out
}

fn sample_markdown(out: &mut String, case: &SampleCase, m: &dyn Fn(&str) -> String) {
    let _ = writeln!(
        out,
        "  - {} ({}:{})",
        m(&case.case_id),
        m(&case.input),
        case.line
    );
    let _ = writeln!(out, "    - old: {}", findings_text(&case.old, m));
    let _ = writeln!(out, "    - new: {}", findings_text(&case.new, m));
}

/// `read N, evaluated N, rejected N (…); N cases changed outcome`.
fn accounting(report: &DiffReport) -> String {
    let t = &report.totals;
    let split = if t.rejected_old_only + t.rejected_new_only > 0 {
        format!(
            " ({} under the old rules only, {} under the new only)",
            t.rejected_old_only, t.rejected_new_only
        )
    } else {
        String::new()
    };
    format!(
        "read {}, evaluated {}, rejected {}{split}; {} case{} changed outcome",
        t.read,
        t.evaluated,
        t.rejected,
        t.changed_cases,
        plural(t.changed_cases)
    )
}

/// The non-empty lists of rule changes, labelled.
fn rule_lines(report: &DiffReport) -> Vec<(&'static str, &Vec<String>)> {
    let r = &report.rules;
    [
        ("rules added", &r.added),
        ("rules removed", &r.removed),
        ("rules changed", &r.changed),
        ("definitions added", &r.definitions_added),
        ("definitions removed", &r.definitions_removed),
        ("definitions changed", &r.definitions_changed),
        ("tables added", &r.tables_added),
        ("tables removed", &r.tables_removed),
        ("tables changed", &r.tables_changed),
    ]
    .into_iter()
    .filter(|(_, names)| !names.is_empty())
    .collect()
}

/// The cases of a gap that changed, in all directions.
fn changed(gap: &GapDiff) -> u64 {
    gap.changes.iter().map(|c| c.cases).sum()
}

/// ` (new gap)` or ` (removed gap)`, for a gap one taxonomy lacks.
fn presence(gap: &GapDiff) -> &'static str {
    match (gap.in_old, gap.in_new) {
        (false, true) => " (new gap)",
        (true, false) => " (removed gap)",
        _ => "",
    }
}

/// A gap's findings under one rule set: `clear`, or each `outcome
/// (rule): explanation`.
fn findings_text(findings: &[FindingShown], shown: &dyn Fn(&str) -> String) -> String {
    if findings.is_empty() {
        return "clear".into();
    }
    findings
        .iter()
        .map(|f| {
            format!(
                "{} ({}): {}",
                f.outcome.replace('-', " "),
                shown(&f.rule),
                shown(&f.because)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
