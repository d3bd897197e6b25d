//! `--format markdown`: the batch report as Markdown that renders on any
//! forge (headings, paragraphs, lists, pipe tables; no HTML). The charts of
//! the HTML report are tables here, with the same numbers. Every text from
//! the records, the rule set or a file name is written through
//! [`escape::markdown`], the Markdown sink's one rule (it keeps `|`, `` ` ``
//! and every other punctuation character literal, in a table cell too).

use std::fmt::Write as _;

use crate::compile::Compiled;
use crate::escape;
use crate::eval::finding::FindingKind;
use crate::report::collect::{percent, thousands, Collector};
use crate::report::provenance::{FileDigest, Provenance};

/// The whole report.
pub(crate) fn render(
    compiled: &Compiled,
    collector: &Collector,
    provenance: &Provenance,
) -> String {
    let m = |s: &str| escape::markdown(s).into_owned();
    let program = &compiled.program;
    let mut o = String::with_capacity(32 * 1024);
    let _ = writeln!(o, "# Screening report: {}\n", m(&program.name));
    if !program.description.is_empty() {
        let _ = writeln!(o, "{}\n", m(&program.description));
    }
    provenance_section(&mut o, collector, provenance);
    headline(&mut o, collector);
    charts(&mut o, compiled, collector);
    decide(&mut o, compiled, collector);
    gaps(&mut o, compiled, collector);
    rejections(&mut o, collector);
    o
}

fn provenance_section(o: &mut String, collector: &Collector, provenance: &Provenance) {
    let m = |s: &str| escape::markdown(s).into_owned();
    let rejected = collector.rejections.records();
    let evaluated = collector.evaluated();
    let _ = writeln!(
        o,
        "## Provenance\n\n\
         | | |\n|---|---|\n\
         | rule set | {} |\n\
         | nrscreen | {} |\n\
         | evaluated | {} |\n\
         | records | read {}, evaluated {}, rejected {} |\n",
        m(&provenance.ruleset),
        env!("CARGO_PKG_VERSION"),
        provenance.date,
        thousands(evaluated + rejected),
        thousands(evaluated),
        thousands(rejected),
    );
    files(
        o,
        "Inputs (SHA-256 computed while reading)",
        &provenance.inputs,
    );
    files(o, "Rule-set files", &provenance.rule_files);
    if rejected > 0 {
        let kinds: Vec<String> = collector
            .rejections
            .groups()
            .iter()
            .map(|g| {
                format!(
                    "{} × {}{} (first line {})",
                    thousands(g.count),
                    m(&g.place),
                    m(g.kind.as_str()),
                    m(g.lines.first().map_or("", String::as_str))
                )
            })
            .collect();
        let _ = writeln!(
            o,
            "Rejected records by kind: {} (see [Rejected records](#rejected-records)).\n",
            kinds.join("; ")
        );
    }
}

fn files(o: &mut String, title: &str, files: &[FileDigest]) {
    let m = |s: &str| escape::markdown(s).into_owned();
    let _ = writeln!(
        o,
        "### {title}\n\n| file | role | bytes | SHA-256 |\n|---|---|--:|---|"
    );
    for file in files {
        let _ = writeln!(
            o,
            "| {} | {} | {} | `{}`{} |",
            m(&file.name),
            file.role,
            thousands(file.bytes),
            file.sha256,
            if file.complete {
                ""
            } else {
                " (not read to its end)"
            }
        );
    }
    o.push('\n');
}

fn headline(o: &mut String, collector: &Collector) {
    let total = collector.evaluated();
    o.push_str("## Headline\n\n| cases | count | share |\n|---|--:|--:|\n");
    for (i, label) in ["flagged", "needs review", "clear"].into_iter().enumerate() {
        let n = collector.cases[i];
        let _ = writeln!(o, "| {label} | {} | {} |", thousands(n), percent(n, total));
    }
    let _ = writeln!(
        o,
        "\n{} cases evaluated. A case is flagged when a rule finds a gap, needs review when no rule finds one but a rule cannot be decided because fields are not recorded, and clear otherwise.\n",
        thousands(total)
    );
}

fn charts(o: &mut String, compiled: &Compiled, collector: &Collector) {
    let m = |s: &str| escape::markdown(s).into_owned();
    o.push_str("## Charts\n\nThe numbers of the HTML report's charts.\n\n");
    for chart in collector.charts(compiled) {
        let _ = writeln!(o, "### {}\n", chart.title);
        if chart.rows.is_empty() {
            o.push_str("No flagged cases.\n\n");
            continue;
        }
        o.push_str("| | flagged cases |\n|---|--:|\n");
        for (label, count, _) in &chart.rows {
            let _ = writeln!(o, "| {} | {} |", m(label), thousands(*count));
        }
        o.push('\n');
    }
}

/// "a", "a and b", "a, b and c", each field escaped.
fn field_list(fields: &[(String, String)]) -> String {
    let names: Vec<String> = fields
        .iter()
        .map(|(name, _)| format!("**{}**", escape::markdown(name)))
        .collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

fn decide(o: &mut String, compiled: &Compiled, collector: &Collector) {
    let m = |s: &str| escape::markdown(s).into_owned();
    o.push_str(
        "## What would decide the open cases\n\n\
         Each needs-review finding is held open by the fields it could not read. \
         Recording them decides it, flagged or not: the groups below are by the exact set of fields, most findings first.\n\n",
    );
    let rows = collector.decide(compiled);
    if rows.is_empty() {
        o.push_str("No finding needs review.\n\n");
        return;
    }
    o.push_str("| what to record | findings | cases | the fields |\n|---|--:|--:|---|\n");
    for row in &rows {
        let (findings, cases) = (row.open.findings, row.open.cases);
        let plural = |n: u64| if n == 1 { "" } else { "s" };
        let what = if row.fields.is_empty() {
            format!(
                "no one field: the record does not settle {} finding{} in {} case{}",
                thousands(findings),
                plural(findings),
                thousands(cases),
                plural(cases)
            )
        } else {
            format!(
                "recording {} would decide {} finding{} in {} case{}",
                field_list(&row.fields),
                thousands(findings),
                plural(findings),
                thousands(cases),
                plural(cases)
            )
        };
        let described: Vec<String> = row
            .fields
            .iter()
            .map(|(name, description)| format!("{}: {}", m(name), m(description)))
            .collect();
        let _ = writeln!(
            o,
            "| {what} | {} | {} | {} |",
            thousands(findings),
            thousands(cases),
            described.join("; ")
        );
    }
    let other = collector.open.other();
    if other.findings > 0 {
        let _ = writeln!(
            o,
            "| other sets of fields (past the first {}) | {} | {} | |",
            super::collect::MAX_KEYS,
            thousands(other.findings),
            thousands(other.cases)
        );
    }
    o.push('\n');
}

fn gaps(o: &mut String, compiled: &Compiled, collector: &Collector) {
    let m = |s: &str| escape::markdown(s).into_owned();
    let program = &compiled.program;
    o.push_str("## Per gap\n\n");
    for (i, gap) in program.taxonomy.gaps.iter().enumerate() {
        let Some(counts) = collector.gaps.get(i) else {
            continue;
        };
        let mut cites: Vec<&str> = program
            .rules
            .iter()
            .filter(|r| r.gap.0 as usize == i)
            .flat_map(|r| r.cites.iter().map(String::as_str))
            .collect();
        cites.dedup();
        let _ = writeln!(
            o,
            "### {} ({})\n\nGap {}, severity **{}**.\n",
            m(&gap.title),
            m(&gap.id),
            m(&gap.id),
            gap.severity.as_str()
        );
        if !cites.is_empty() {
            o.push_str("Citations:\n\n");
            for cite in cites {
                let _ = writeln!(o, "* {}", m(cite));
            }
            o.push('\n');
        }
        let _ = writeln!(
            o,
            "| | findings | cases |\n|---|--:|--:|\n| flagged | {} | {} |\n| needs review | {} | {} |\n",
            thousands(counts.flagged),
            thousands(counts.cases_flagged),
            thousands(counts.needs_review),
            thousands(counts.cases_needs_review)
        );
        if !counts.samples.is_empty() {
            let _ = writeln!(
                o,
                "The first {} finding{}:\n",
                counts.samples.len(),
                if counts.samples.len() == 1 { "" } else { "s" }
            );
            for sample in &counts.samples {
                let kind = match sample.kind {
                    FindingKind::Flagged => "flagged",
                    FindingKind::NeedsReview => "needs review",
                    FindingKind::Cleared => "cleared",
                };
                let rule = program.rules.get(sample.rule).map_or("", |r| r.id.as_str());
                let _ = writeln!(
                    o,
                    "* **{}** ({kind}, rule {}, line {} of {}): {}",
                    m(&sample.case_id),
                    m(rule),
                    sample.place.1,
                    m(&sample.place.0),
                    m(&sample.because)
                );
            }
            o.push('\n');
        }
    }
}

fn rejections(o: &mut String, collector: &Collector) {
    let m = |s: &str| escape::markdown(s).into_owned();
    let summary = &collector.rejections;
    o.push_str("## Rejected records\n\n");
    if summary.records() == 0 {
        o.push_str("No record was rejected.\n");
        return;
    }
    let _ = writeln!(
        o,
        "{} record{} rejected (not evaluated). Problems by kind:\n\n| problem | where | count | first lines |\n|---|---|--:|---|",
        thousands(summary.records()),
        if summary.records() == 1 { " was" } else { "s were" }
    );
    for group in summary.groups() {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {}{} |",
            m(group.kind.as_str()),
            m(group.place.trim_end_matches([':', ' '])),
            thousands(group.count),
            m(&group.lines.join(", ")),
            if group.more { ", …" } else { "" }
        );
    }
    if summary.other_problems() > 0 {
        let _ = writeln!(
            o,
            "\n… and {} more problems of other kinds or fields.",
            thousands(summary.other_problems())
        );
    }
}
