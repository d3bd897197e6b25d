//! `--format html`: the batch report as one self-contained HTML file:
//! inline CSS (with a print style), inline SVG charts from
//! [`super::charts`], no script, font, image or address outside the file.
//! Every text from the records, the rule set or a file name is written
//! through [`escape::html`], the HTML sink's one rule.

use std::fmt::Write as _;

use crate::compile::Compiled;
use crate::escape;
use crate::eval::finding::FindingKind;
use crate::report::charts::{self, Bar};
use crate::report::collect::{percent, thousands, ChartData, Collector};
use crate::report::provenance::{FileDigest, Provenance};

/// The style sheet: readable on screen, and on paper.
const CSS: &str = "
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 2rem auto; max-width: 64rem; padding: 0 1rem; color: #1f2937; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #d1d5db; padding-bottom: 0.2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-bottom: 0.3rem; }
nav a { margin-right: 0.8rem; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { text-align: left; padding: 0.15rem 0.6rem; vertical-align: top; }
thead th { border-bottom: 1px solid #9ca3af; }
td.n, td[data-count] { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; overflow-wrap: anywhere; }
.outcomes { display: flex; gap: 1rem; flex-wrap: wrap; }
.outcome { border: 1px solid #d1d5db; border-radius: 6px; padding: 0.6rem 1rem; min-width: 10rem; }
.outcome .n { display: block; font-size: 1.8rem; font-weight: 600; }
.outcome[data-outcome=flagged] { border-left: 6px solid #991b1b; }
.outcome[data-outcome=needs-review] { border-left: 6px solid #a16207; }
.outcome[data-outcome=clear] { border-left: 6px solid #15803d; }
figure.chart { margin: 1rem 0; break-inside: avoid; page-break-inside: avoid; }
figure.chart figcaption { font-weight: 600; margin-bottom: 0.3rem; }
.chart-body { display: flex; align-items: flex-start; gap: 0.5rem; }
table.chart-data { margin: 0; }
table.chart-data tr { height: 24px; }
table.chart-data th, table.chart-data td { padding: 0 0.5rem; height: 24px; line-height: 24px; white-space: nowrap; font-weight: normal; }
table.chart-data th { max-width: 18rem; overflow: hidden; text-overflow: ellipsis; }
.sev { display: inline-block; padding: 0 0.4rem; border-radius: 4px; color: #fff; font-size: 0.85em; }
.sev-critical { background: #991b1b; } .sev-high { background: #c2410c; } .sev-medium { background: #a16207; } .sev-low { background: #475569; }
.muted { color: #6b7280; }
section.gap { break-inside: avoid-page; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  nav { display: none; }
  h2 { break-after: avoid; }
  section { break-inside: auto; }
  a { color: inherit; text-decoration: none; }
}
";

/// The whole report.
pub(crate) fn render(
    compiled: &Compiled,
    collector: &Collector,
    provenance: &Provenance,
) -> String {
    let e = |s: &str| escape::html(s).into_owned();
    let program = &compiled.program;
    let mut o = String::with_capacity(64 * 1024);
    let name = e(&program.name);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>nrscreen report: {name}</title>\n<style>{CSS}</style>\n</head>\n<body>\n\
         <header>\n<h1>Screening report: {name}</h1>\n"
    );
    if !program.description.is_empty() {
        let _ = writeln!(o, "<p>{}</p>", e(&program.description));
    }
    o.push_str(
        "</header>\n<nav><a href=\"#provenance\">Provenance</a><a href=\"#headline\">Headline</a>\
         <a href=\"#charts\">Charts</a><a href=\"#decide\">Open cases</a>\
         <a href=\"#gaps\">Gaps</a><a href=\"#rejections\">Rejected records</a></nav>\n",
    );
    provenance_section(&mut o, collector, provenance);
    headline(&mut o, collector);
    o.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    for chart in collector.charts(compiled) {
        figure(&mut o, &chart);
    }
    o.push_str("</section>\n");
    decide(&mut o, compiled, collector);
    gaps(&mut o, compiled, collector);
    rejections(&mut o, collector);
    o.push_str("</body>\n</html>\n");
    o
}

fn provenance_section(o: &mut String, collector: &Collector, provenance: &Provenance) {
    let e = |s: &str| escape::html(s).into_owned();
    let rejected = collector.rejections.records();
    let evaluated = collector.evaluated();
    let _ = write!(
        o,
        "<section id=\"provenance\">\n<h2>Provenance</h2>\n<table>\n\
         <tr><th>rule set</th><td>{}</td></tr>\n\
         <tr><th>nrscreen</th><td>{}</td></tr>\n\
         <tr><th>evaluated</th><td>{}</td></tr>\n\
         <tr><th>records</th><td>read {}, evaluated {}, rejected {}</td></tr>\n</table>\n",
        e(&provenance.ruleset),
        env!("CARGO_PKG_VERSION"),
        e(&provenance.date),
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
        o.push_str("<p>Rejected records by kind: ");
        let kinds: Vec<String> = collector
            .rejections
            .groups()
            .iter()
            .map(|g| {
                format!(
                    "{} × {}{} (first line {})",
                    thousands(g.count),
                    e(&g.place),
                    e(g.kind.as_str()),
                    e(g.lines.first().map_or("", String::as_str))
                )
            })
            .collect();
        o.push_str(&kinds.join("; "));
        o.push_str(" (<a href=\"#rejections\">details</a>)</p>\n");
    }
    o.push_str("</section>\n");
}

fn files(o: &mut String, title: &str, files: &[FileDigest]) {
    let e = |s: &str| escape::html(s).into_owned();
    let _ = write!(
        o,
        "<h3>{title}</h3>\n<table class=\"files\">\n<thead><tr><th>file</th><th>role</th><th>bytes</th><th>SHA-256</th></tr></thead>\n<tbody>\n"
    );
    for file in files {
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td><code>{}</code>{}</td></tr>",
            e(&file.name),
            file.role,
            thousands(file.bytes),
            file.sha256,
            if file.complete {
                ""
            } else {
                " <span class=\"muted\">(not read to its end)</span>"
            }
        );
    }
    o.push_str("</tbody>\n</table>\n");
}

fn headline(o: &mut String, collector: &Collector) {
    let total = collector.evaluated();
    o.push_str("<section id=\"headline\">\n<h2>Headline</h2>\n<div class=\"outcomes\">\n");
    for (i, (outcome, label)) in [
        ("flagged", "flagged"),
        ("needs-review", "need review"),
        ("clear", "clear"),
    ]
    .into_iter()
    .enumerate()
    {
        let n = collector.cases[i];
        let _ = writeln!(
            o,
            "<div class=\"outcome\" data-outcome=\"{outcome}\" data-count=\"{n}\"><span class=\"n\">{}</span>cases {label} ({})</div>",
            thousands(n),
            percent(n, total)
        );
    }
    let _ = writeln!(
        o,
        "</div>\n<p>{} cases evaluated. A case is flagged when a rule finds a gap, needs review when no rule finds one but a rule cannot be decided because fields are not recorded, and clear otherwise.</p>\n</section>",
        thousands(total)
    );
}

fn figure(o: &mut String, chart: &ChartData) {
    let e = |s: &str| escape::html(s).into_owned();
    let bars: Vec<Bar> = chart
        .rows
        .iter()
        .map(|(_, count, colour)| Bar {
            count: *count,
            colour: *colour,
        })
        .collect();
    let svg = charts::bars(&bars).unwrap_or_default();
    let _ = write!(
        o,
        "<figure class=\"chart\" id=\"{}\">\n<figcaption>{}</figcaption>\n<div class=\"chart-body\">\n<table class=\"chart-data\">\n",
        chart.id,
        e(chart.title)
    );
    for (label, count, _) in &chart.rows {
        let _ = writeln!(
            o,
            "<tr><th scope=\"row\">{}</th><td data-count=\"{count}\">{}</td></tr>",
            e(label),
            thousands(*count)
        );
    }
    let _ = write!(o, "</table>\n{svg}\n</div>\n");
    if chart.rows.is_empty() {
        o.push_str("<p class=\"muted\">No flagged cases.</p>\n");
    }
    if chart.id == "chart-gaps" {
        o.push_str("<p class=\"muted\">Severity: ");
        for severity in crate::severity::Severity::ALL {
            let name = severity.as_str();
            let _ = write!(o, "<span class=\"sev sev-{name}\">{name}</span> ");
        }
        o.push_str("</p>\n");
    }
    o.push_str("</figure>\n");
}

/// "`a`", "`a` and `b`", "`a`, `b` and `c`", each field escaped.
fn field_list(fields: &[(String, String)]) -> String {
    let names: Vec<String> = fields
        .iter()
        .map(|(name, _)| format!("<code>{}</code>", escape::html(name)))
        .collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

fn decide(o: &mut String, compiled: &Compiled, collector: &Collector) {
    let e = |s: &str| escape::html(s).into_owned();
    o.push_str(
        "<section id=\"decide\">\n<h2>What would decide the open cases</h2>\n\
         <p>Each needs-review finding is held open by the fields it could not read. \
         Recording them decides it, flagged or not: the groups below are by the exact set of fields, most findings first.</p>\n",
    );
    let rows = collector.decide(compiled);
    if rows.is_empty() {
        o.push_str("<p class=\"muted\">No finding needs review.</p>\n</section>\n");
        return;
    }
    let total: u64 = collector.gaps.iter().map(|g| g.needs_review).sum();
    let _ = writeln!(
        o,
        "<p data-review-findings=\"{total}\">{} finding{} need review.</p>",
        thousands(total),
        if total == 1 { "" } else { "s" }
    );
    o.push_str("<table>\n<thead><tr><th>what to record</th><th>findings</th><th>cases</th><th>the fields</th></tr></thead>\n<tbody>\n");
    for row in &rows {
        let (findings, cases) = (row.open.findings, row.open.cases);
        let what = if row.fields.is_empty() {
            format!(
                "no one field: the record does not settle {} finding{} in {} case{}",
                thousands(findings),
                if findings == 1 { "" } else { "s" },
                thousands(cases),
                if cases == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "recording {} would decide {} finding{} in {} case{}",
                field_list(&row.fields),
                thousands(findings),
                if findings == 1 { "" } else { "s" },
                thousands(cases),
                if cases == 1 { "" } else { "s" }
            )
        };
        let described: Vec<String> = row
            .fields
            .iter()
            .map(|(name, description)| format!("<code>{}</code>: {}", e(name), e(description)))
            .collect();
        let _ = writeln!(
            o,
            "<tr data-findings=\"{findings}\" data-cases=\"{cases}\"><td>{what}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            thousands(findings),
            thousands(cases),
            described.join("<br>")
        );
    }
    if collector.open.other().findings > 0 {
        let other = collector.open.other();
        let _ = writeln!(
            o,
            "<tr data-findings=\"{}\" data-cases=\"{}\"><td>other sets of fields (past the first {})</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td></td></tr>",
            other.findings,
            other.cases,
            super::collect::MAX_KEYS,
            thousands(other.findings),
            thousands(other.cases)
        );
    }
    o.push_str("</tbody>\n</table>\n</section>\n");
}

fn gaps(o: &mut String, compiled: &Compiled, collector: &Collector) {
    let e = |s: &str| escape::html(s).into_owned();
    let program = &compiled.program;
    o.push_str("<section id=\"gaps\">\n<h2>Per gap</h2>\n");
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
        let severity = gap.severity.as_str();
        let _ = write!(
            o,
            "<section id=\"gap-{}\" class=\"gap\">\n<h3>{} <span class=\"sev sev-{severity}\">{severity}</span></h3>\n<p><code>{}</code></p>\n",
            e(&gap.id),
            e(&gap.title),
            e(&gap.id)
        );
        if !cites.is_empty() {
            o.push_str("<p>Citations:</p>\n<ul>\n");
            for cite in cites {
                let _ = writeln!(o, "<li>{}</li>", e(cite));
            }
            o.push_str("</ul>\n");
        }
        let _ = writeln!(
            o,
            "<table>\n<thead><tr><th></th><th>findings</th><th>cases</th></tr></thead>\n<tbody>\n\
             <tr><th>flagged</th><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n\
             <tr><th>needs review</th><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n</tbody>\n</table>",
            thousands(counts.flagged),
            thousands(counts.cases_flagged),
            thousands(counts.needs_review),
            thousands(counts.cases_needs_review)
        );
        if !counts.samples.is_empty() {
            let _ = writeln!(
                o,
                "<p>The first {} finding{}:</p>\n<ul class=\"samples\">",
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
                    "<li><code>{}</code> ({kind}, rule <code>{}</code>, line {} of <code>{}</code>): {}</li>",
                    e(&sample.case_id),
                    e(rule),
                    sample.place.1,
                    e(&sample.place.0),
                    e(&sample.because)
                );
            }
            o.push_str("</ul>\n");
        }
        o.push_str("</section>\n");
    }
    o.push_str("</section>\n");
}

fn rejections(o: &mut String, collector: &Collector) {
    let e = |s: &str| escape::html(s).into_owned();
    let summary = &collector.rejections;
    o.push_str("<section id=\"rejections\">\n<h2>Rejected records</h2>\n");
    if summary.records() == 0 {
        o.push_str("<p>No record was rejected.</p>\n</section>\n");
        return;
    }
    let _ = writeln!(
        o,
        "<p>{} record{} rejected (not evaluated). Problems by kind:</p>\n<table>\n<thead><tr><th>problem</th><th>where</th><th>count</th><th>first lines</th></tr></thead>\n<tbody>",
        thousands(summary.records()),
        if summary.records() == 1 { " was" } else { "s were" }
    );
    for group in summary.groups() {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}{}</td></tr>",
            e(group.kind.as_str()),
            e(group.place.trim_end_matches([':', ' '])),
            thousands(group.count),
            e(&group.lines.join(", ")),
            if group.more { ", …" } else { "" }
        );
    }
    o.push_str("</tbody>\n</table>\n");
    if summary.other_problems() > 0 {
        let _ = writeln!(
            o,
            "<p>… and {} more problems of other kinds or fields.</p>",
            thousands(summary.other_problems())
        );
    }
    o.push_str("</section>\n");
}
