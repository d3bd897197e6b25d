//! A brief as one self-contained HTML page: inline CSS (with print rules),
//! no script, no external resource. Every piece of text that comes from the
//! record, the rule set or the command line passes through
//! [`escape::html`], the one rule of this sink.

use std::fmt::Write;

use crate::escape;
use crate::eval::finding::FindingKind;

use super::markdown::row_text;
use super::{case_outcome_words, Brief, FieldRef, FindingBrief};

/// `text` as HTML element content or a quoted attribute value.
fn h(text: &str) -> std::borrow::Cow<'_, str> {
    escape::html(text)
}

/// A field by its description, its name in small print.
fn field(f: &FieldRef) -> String {
    format!(
        "{} <small class=\"field\">({})</small>",
        h(&f.description),
        h(&f.name)
    )
}

const STYLE: &str = "\
body{font-family:Georgia,'Times New Roman',serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#111}
h1{font-size:1.6rem;margin-bottom:.5rem}h2{font-size:1.25rem;border-bottom:1px solid #999;margin-top:2rem}
h3{font-size:1.05rem;margin-bottom:.3rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}small.field{color:#555;font-family:monospace}
.finding{border-left:4px solid #999;padding:.2rem .8rem;margin:1rem 0;page-break-inside:avoid;break-inside:avoid}
.flagged{border-color:#b00}.needs-review{border-color:#c80}.cleared{border-color:#080}
.note{color:#444;font-style:italic}dt{font-weight:bold}dd{margin:0 0 .4rem 1.2rem}
@media print{body{margin:0;max-width:none;font-size:11pt}h2{page-break-after:avoid;break-after:avoid}a{color:inherit}}
";

/// The brief as an HTML document.
pub(crate) fn render(brief: &Brief) -> String {
    let mut out = String::new();
    // Writing to a `String` cannot fail.
    let _ = write_brief(&mut out, brief);
    out
}

fn write_brief(out: &mut String, brief: &Brief) -> std::fmt::Result {
    let hd = &brief.header;
    writeln!(out, "<!DOCTYPE html>")?;
    writeln!(out, "<html lang=\"en\">")?;
    writeln!(out, "<head>")?;
    writeln!(out, "<meta charset=\"utf-8\">")?;
    writeln!(out, "<title>Case brief: {}</title>", h(&hd.case_id))?;
    writeln!(out, "<style>\n{STYLE}</style>")?;
    writeln!(out, "</head>")?;
    writeln!(out, "<body>")?;
    writeln!(out, "<header>")?;
    writeln!(out, "<h1>Case brief: {}</h1>", h(&hd.case_id))?;
    writeln!(out, "<table class=\"header\">")?;
    writeln!(out, "<tr><th>Case</th><td>{}</td></tr>", h(&hd.case_id))?;
    writeln!(
        out,
        "<tr><th>Outcome</th><td>{}</td></tr>",
        h(case_outcome_words(brief.outcome))
    )?;
    writeln!(
        out,
        "<tr><th>Rule set</th><td>{} ({})</td></tr>",
        h(&hd.ruleset),
        h(&hd.ruleset_description)
    )?;
    writeln!(
        out,
        "<tr><th>Screened by</th><td>nrscreen {}</td></tr>",
        h(&hd.version)
    )?;
    let mapping = hd
        .mapping
        .as_ref()
        .map(|m| format!(", read through the mapping {}", h(m)))
        .unwrap_or_default();
    writeln!(
        out,
        "<tr><th>Input</th><td>{}, record at line {}{mapping}</td></tr>",
        h(&hd.input),
        hd.line
    )?;
    writeln!(
        out,
        "<tr><th>Date of this brief</th><td>{}</td></tr>",
        h(&hd.date.to_string())
    )?;
    writeln!(out, "</table>")?;
    writeln!(
        out,
        "<p class=\"note\">This brief is a screening of the case record against written rules, not legal advice. \
         It states only what the record holds: a fact the record does not contain is listed as not recorded, never assumed.</p>"
    )?;
    writeln!(out, "</header>")?;

    writeln!(out, "<section id=\"facts\">")?;
    writeln!(out, "<h2>Recorded facts the rules read</h2>")?;
    if brief.facts.is_empty() {
        writeln!(
            out,
            "<p>The record holds none of the facts the rules read.</p>"
        )?;
    } else {
        writeln!(out, "<table>")?;
        writeln!(out, "<tr><th>Fact (field)</th><th>As recorded</th></tr>")?;
        for fact in &brief.facts {
            writeln!(
                out,
                "<tr><td>{}</td><td>{}</td></tr>",
                field(&fact.field),
                h(&fact.value)
            )?;
        }
        writeln!(out, "</table>")?;
    }
    if !brief.not_recorded.is_empty() {
        writeln!(
            out,
            "<p>Not recorded, and the findings below depend on it:</p>"
        )?;
        writeln!(out, "<ul class=\"not-recorded\">")?;
        for f in &brief.not_recorded {
            writeln!(out, "<li>{}: not recorded</li>", field(f))?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(out, "</section>")?;

    writeln!(out, "<section id=\"findings\">")?;
    writeln!(out, "<h2>Findings</h2>")?;
    if brief.findings.is_empty() {
        writeln!(out, "<p>No rule found a gap in this record.</p>")?;
    }
    for (i, finding) in brief.findings.iter().enumerate() {
        write_finding(out, i + 1, finding)?;
    }
    writeln!(out, "</section>")?;

    if !brief.questions.is_empty() {
        writeln!(out, "<section id=\"questions\">")?;
        writeln!(
            out,
            "<h2>Questions that would decide the findings under review</h2>"
        )?;
        writeln!(out, "<ol>")?;
        for q in &brief.questions {
            writeln!(
                out,
                "<li>{} <small class=\"field\">(field {})</small>. Would decide: {}.</li>",
                h(&q.text),
                h(&q.field.name),
                h(&q.decides.join(", "))
            )?;
        }
        writeln!(out, "</ol>")?;
        writeln!(out, "</section>")?;
    }
    writeln!(out, "</body>")?;
    writeln!(out, "</html>")
}

fn write_finding(out: &mut String, n: usize, f: &FindingBrief) -> std::fmt::Result {
    let (class, label) = match f.kind {
        FindingKind::Flagged => ("flagged", "flagged"),
        FindingKind::NeedsReview => ("needs-review", "needs review"),
        FindingKind::Cleared => ("cleared", "cleared"),
    };
    writeln!(out, "<article class=\"finding {class}\">")?;
    writeln!(out, "<h3>{n}. {} ({label})</h3>", h(&f.title))?;
    writeln!(out, "<dl>")?;
    writeln!(
        out,
        "<dt>Gap</dt><dd>{} <small class=\"field\">(rule {})</small></dd>",
        h(&f.gap),
        h(&f.rule)
    )?;
    writeln!(out, "<dt>Severity</dt><dd>{}</dd>", h(f.severity))?;
    writeln!(out, "<dt>Outcome</dt><dd>{}</dd>", h(&f.outcome))?;
    if !f.unknown.is_empty() {
        let fields: Vec<String> = f.unknown.iter().map(field).collect();
        writeln!(out, "<dt>Not recorded</dt><dd>{}</dd>", fields.join("; "))?;
    }
    writeln!(out, "<dt>Why</dt><dd>{}</dd>", h(&f.because))?;
    if !f.cites.is_empty() {
        writeln!(out, "<dt>Cites</dt><dd><ul>")?;
        for cite in &f.cites {
            writeln!(out, "<li>{}</li>", h(cite))?;
        }
        writeln!(out, "</ul></dd>")?;
    }
    if !f.rows.is_empty() {
        writeln!(out, "<dt>Reference-table rows used</dt><dd><ul>")?;
        for row in &f.rows {
            writeln!(out, "<li>{}</li>", row_text(row, h))?;
        }
        writeln!(out, "</ul></dd>")?;
    }
    writeln!(out, "</dl>")?;
    writeln!(out, "</article>")
}
