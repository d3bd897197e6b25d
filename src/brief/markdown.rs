//! A brief as Markdown (CommonMark with GitHub tables). Every piece of text
//! that comes from the record, the rule set or the command line passes
//! through [`escape::markdown`], the one rule of this sink; the brief's own
//! words are written as they are.

use std::borrow::Cow;
use std::fmt::Write;

use crate::escape;
use crate::eval::finding::FindingKind;

use super::{case_outcome_words, Brief, FieldRef, FindingBrief, RowUsed};

/// `text` as inline Markdown.
fn md(text: &str) -> Cow<'_, str> {
    escape::markdown(text)
}

/// A field by its description, its name in parentheses.
fn field(f: &FieldRef) -> String {
    format!("{} ({})", md(&f.description), md(&f.name))
}

/// The brief as a Markdown document.
pub(crate) fn render(brief: &Brief) -> String {
    let mut out = String::new();
    // Writing to a `String` cannot fail.
    let _ = write_brief(&mut out, brief);
    out
}

fn write_brief(out: &mut String, brief: &Brief) -> std::fmt::Result {
    let h = &brief.header;
    writeln!(out, "# Case brief: {}", md(&h.case_id))?;
    writeln!(out)?;
    writeln!(out, "| | |")?;
    writeln!(out, "|---|---|")?;
    writeln!(out, "| Case | {} |", md(&h.case_id))?;
    writeln!(
        out,
        "| Outcome | {} |",
        md(case_outcome_words(brief.outcome))
    )?;
    writeln!(
        out,
        "| Rule set | {} ({}) |",
        md(&h.ruleset),
        md(&h.ruleset_description)
    )?;
    writeln!(out, "| Screened by | nrscreen {} |", md(&h.version))?;
    let mapping = h
        .mapping
        .as_ref()
        .map(|m| format!(", read through the mapping {}", md(m)))
        .unwrap_or_default();
    writeln!(
        out,
        "| Input | {}, record at line {}{mapping} |",
        md(&h.input),
        h.line
    )?;
    writeln!(out, "| Date of this brief | {} |", md(&h.date.to_string()))?;
    writeln!(out)?;
    writeln!(
        out,
        "This brief is a screening of the case record against written rules, not legal advice. \
         It states only what the record holds: a fact the record does not contain is listed as \
         not recorded, never assumed."
    )?;
    writeln!(out)?;

    writeln!(out, "## Recorded facts the rules read")?;
    writeln!(out)?;
    if brief.facts.is_empty() {
        writeln!(out, "The record holds none of the facts the rules read.")?;
    } else {
        writeln!(out, "| Fact (field) | As recorded |")?;
        writeln!(out, "|---|---|")?;
        for fact in &brief.facts {
            writeln!(out, "| {} | {} |", field(&fact.field), md(&fact.value))?;
        }
    }
    writeln!(out)?;
    if !brief.not_recorded.is_empty() {
        writeln!(out, "Not recorded, and the findings below depend on it:")?;
        writeln!(out)?;
        for f in &brief.not_recorded {
            writeln!(out, "- {}: not recorded", field(f))?;
        }
        writeln!(out)?;
    }

    writeln!(out, "## Findings")?;
    writeln!(out)?;
    if brief.findings.is_empty() {
        writeln!(out, "No rule found a gap in this record.")?;
        writeln!(out)?;
    }
    for (i, finding) in brief.findings.iter().enumerate() {
        write_finding(out, i + 1, finding)?;
    }

    if !brief.questions.is_empty() {
        writeln!(
            out,
            "## Questions that would decide the findings under review"
        )?;
        writeln!(out)?;
        for (i, q) in brief.questions.iter().enumerate() {
            writeln!(
                out,
                "{}. {} (field {}). Would decide: {}.",
                i + 1,
                md(&q.text),
                md(&q.field.name),
                md(&q.decides.join(", "))
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn kind_label(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::Flagged => "flagged",
        FindingKind::NeedsReview => "needs review",
        FindingKind::Cleared => "cleared",
    }
}

fn write_finding(out: &mut String, n: usize, f: &FindingBrief) -> std::fmt::Result {
    writeln!(out, "### {n}. {} ({})", md(&f.title), kind_label(f.kind))?;
    writeln!(out)?;
    writeln!(out, "- **Gap:** {} (rule {})", md(&f.gap), md(&f.rule))?;
    writeln!(out, "- **Severity:** {}", md(f.severity))?;
    writeln!(out, "- **Outcome:** {}", md(&f.outcome))?;
    if !f.unknown.is_empty() {
        let fields: Vec<String> = f.unknown.iter().map(field).collect();
        writeln!(out, "- **Not recorded:** {}", fields.join("; "))?;
    }
    writeln!(out, "- **Why:** {}", md(&f.because))?;
    if !f.cites.is_empty() {
        writeln!(out, "- **Cites:**")?;
        for cite in &f.cites {
            writeln!(out, "  - {}", md(cite))?;
        }
    }
    if !f.rows.is_empty() {
        writeln!(out, "- **Reference-table rows used:**")?;
        for row in &f.rows {
            writeln!(out, "  - {}", row_text(row, md))?;
        }
    }
    writeln!(out)
}

/// One row used, in words, every piece of text (dates included) through
/// `escape`: shared by the Markdown and HTML writers, each passing its own
/// sink's rule.
pub(crate) fn row_text(row: &RowUsed, escape: for<'s> fn(&'s str) -> Cow<'s, str>) -> String {
    let date = |d: crate::date::Date| escape(&d.to_string()).into_owned();
    let on = row
        .on
        .map(|d| format!(" on {}", date(d)))
        .unwrap_or_default();
    let mut text = format!(
        "table {} ({}; source: {}): key {}{on}",
        escape(&row.table),
        escape(&row.table_description),
        escape(&row.table_source),
        escape(&row.key),
    );
    match &row.row {
        Some(found) => {
            let _ = write!(text, " gives {}", escape(&found.value));
            if let (Some(from), Some(to)) = (found.from, found.to) {
                let _ = write!(text, ", in effect from {} to {}", date(from), date(to));
            }
            let _ = write!(text, " (row at {}", escape(&found.place));
            if let Some(source) = &found.source {
                let _ = write!(text, "; row source: {}", escape(source));
            }
            text.push(')');
        }
        None => text.push_str(": no row covers it, so the value is unknown"),
    }
    text
}
