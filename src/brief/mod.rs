//! `nrscreen brief`: one case's brief for a lawyer, built once as data
//! ([`Brief`]) and written as Markdown (`markdown.rs`) or HTML (`html.rs`).
//!
//! What a brief says comes from what the batch says, and only from it: the
//! findings and their explanations are the compiled evaluator's, through
//! `explain::finding` (so a needs-review finding never states an unknown as
//! fact); the facts are the recorded values of the fields the rules read,
//! shown by their schema descriptions; the reference-table rows a finding
//! used come from the reference interpreter run once more over the rule with
//! its lookup trace on ([`crate::eval::interpret::LookupTrace`]); the
//! questions are built from the schema descriptions of the fields that
//! would decide the findings under review. No value is ever shown for a
//! field the record does not hold.

pub(crate) mod html;
pub(crate) mod markdown;

use crate::compile::Compiled;
use crate::date::Date;
use crate::eval::batch::{evaluate_case, BatchOptions};
use crate::eval::compiled::Evaluator;
use crate::eval::explain;
use crate::eval::finding::{CaseOutcome, CaseResult, Finding, FindingKind};
use crate::eval::interpret::{rule_outcome_in, Interpreter, LookupTrace};
use crate::eval::record::Record;
use crate::records::case::CaseRecord;
use crate::ruleset::schema::FieldId;
use crate::source::Sources;
use crate::types::Type;

/// Where a brief comes from: shown in its header.
#[derive(Clone, Debug)]
pub(crate) struct Header {
    /// The case id.
    pub case_id: String,
    /// The rule set's name (manifest).
    pub ruleset: String,
    /// The rule set's one-line description (manifest).
    pub ruleset_description: String,
    /// The nrscreen version.
    pub version: String,
    /// The input file, as named on the command line.
    pub input: String,
    /// The line of the input the record starts on.
    pub line: usize,
    /// The mapping the input was read through, if any.
    pub mapping: Option<String>,
    /// The date of the brief.
    pub date: Date,
}

/// A field as a brief names it: its description, with its name in small
/// print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FieldRef {
    /// The dotted field name (`nri.outcome`).
    pub name: String,
    /// The schema's description (the name when the schema gives none).
    pub description: String,
}

/// A recorded value a rule reads.
#[derive(Clone, Debug)]
pub(crate) struct Fact {
    /// The field.
    pub field: FieldRef,
    /// The value as recorded (lists joined with `, `; an empty list is
    /// `none`).
    pub value: String,
}

/// A row of a reference table a finding's lookup read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RowUsed {
    /// The table's name in the rules.
    pub table: String,
    /// What the table holds.
    pub table_description: String,
    /// The table's own `source`.
    pub table_source: String,
    /// The key looked up.
    pub key: String,
    /// The date it was looked up on (dated tables).
    pub on: Option<Date>,
    /// The row that answered, or `None`: no row covers the key (on that
    /// date), so the value is unknown.
    pub row: Option<RowFound>,
}

/// The row that answered a lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RowFound {
    /// The table file and the row's line in it (`rules/tables/x.toml:12`).
    pub place: String,
    /// The row's value.
    pub value: String,
    /// First day it applies (dated tables).
    pub from: Option<Date>,
    /// Last day it applies (dated tables).
    pub to: Option<Date>,
    /// The row's own source, if it gives one.
    pub source: Option<String>,
}

/// One finding, as the brief shows it.
#[derive(Clone, Debug)]
pub(crate) struct FindingBrief {
    /// The rule id.
    pub rule: String,
    /// The rule's title.
    pub title: String,
    /// The gap id.
    pub gap: String,
    /// The severity.
    pub severity: &'static str,
    /// Flagged, needs review or cleared.
    pub kind: FindingKind,
    /// The outcome in words.
    pub outcome: String,
    /// The explanation: `explain::finding`'s text, exactly.
    pub because: String,
    /// The citations, in full.
    pub cites: Vec<String>,
    /// For needs review: the fields not recorded that would decide it.
    pub unknown: Vec<FieldRef>,
    /// The reference-table rows its lookups read, in the order read.
    pub rows: Vec<RowUsed>,
}

/// A question whose answer would decide findings under review.
#[derive(Clone, Debug)]
pub(crate) struct Question {
    /// The field to record.
    pub field: FieldRef,
    /// The question, from the field's description and type.
    pub text: String,
    /// The findings it would help decide (gap ids).
    pub decides: Vec<String>,
}

/// One case's brief.
#[derive(Clone, Debug)]
pub(crate) struct Brief {
    /// Where it comes from.
    pub header: Header,
    /// The case's outcome.
    pub outcome: CaseOutcome,
    /// The recorded values of the fields the rules read, in schema order.
    pub facts: Vec<Fact>,
    /// The fields the findings under review depend on, not recorded.
    pub not_recorded: Vec<FieldRef>,
    /// The findings, in rule order.
    pub findings: Vec<FindingBrief>,
    /// The questions that would decide the findings under review.
    pub questions: Vec<Question>,
}

/// The brief of the case in `record`: evaluated with the compiled rules as
/// `eval` does, explained by `explain::finding`, and the table rows each
/// finding used traced by the reference interpreter.
pub(crate) fn build(
    compiled: &Compiled,
    sources: &Sources,
    record: &mut CaseRecord,
    header: Header,
    show_cleared: bool,
) -> Brief {
    let program = &compiled.program;
    let mut evaluator = Evaluator::new(compiled);
    let mut result = CaseResult::default();
    let options = BatchOptions {
        show_cleared,
        explain: true,
        ..BatchOptions::default()
    };
    evaluate_case(&mut evaluator, record, &mut result, options, |_| true);
    let interpreted = Record::from_case(compiled, record);

    let field_ref = |id: FieldId| {
        let field = program.schema.field(id);
        FieldRef {
            name: field.name.clone(),
            description: if field.description.trim().is_empty() {
                field.name.clone()
            } else {
                field.description.clone()
            },
        }
    };

    // The facts: every recorded field a rule reads (groups such as `nri`
    // speak through their fields).
    let mut read: Vec<FieldId> = compiled
        .rules
        .iter()
        .flat_map(|rule| rule.fields_read.iter().copied())
        .collect();
    read.sort();
    read.dedup();
    let facts = read
        .iter()
        .filter_map(|&id| {
            let ty = &program.schema.field(id).ty;
            let value = record.get(id);
            (value.is_known() && *ty != Type::Record).then(|| Fact {
                field: field_ref(id),
                value: explain::display(compiled, record, value, ty),
            })
        })
        .collect();

    let mut unknown: Vec<FieldId> = result
        .findings
        .iter()
        .flat_map(|f| f.unknown().iter().copied())
        .collect();
    unknown.sort();
    unknown.dedup();

    let findings = result
        .findings
        .iter()
        .map(|finding| {
            let rule = &program.rules[finding.rule()];
            FindingBrief {
                rule: rule.id.clone(),
                title: rule.title.clone(),
                gap: program.taxonomy.get(rule.gap).id.clone(),
                severity: rule.severity.as_str(),
                kind: finding.kind(),
                outcome: outcome_words(compiled, finding),
                because: finding.because().to_string(),
                cites: rule.cites.clone(),
                unknown: finding.unknown().iter().map(|&f| field_ref(f)).collect(),
                rows: rows_used(compiled, sources, &interpreted, finding),
            }
        })
        .collect::<Vec<_>>();

    let questions = unknown
        .iter()
        .map(|&id| Question {
            field: field_ref(id),
            text: question(compiled, id),
            decides: result
                .findings
                .iter()
                .filter(|f| f.unknown().contains(&id))
                .map(|f| program.taxonomy.get(program.rules[f.rule()].gap).id.clone())
                .collect(),
        })
        .collect();

    Brief {
        header,
        outcome: result.outcome(),
        facts,
        not_recorded: unknown.iter().map(|&f| field_ref(f)).collect(),
        findings,
        questions,
    }
}

/// A finding's outcome in words.
fn outcome_words(compiled: &Compiled, finding: &Finding) -> String {
    let program = &compiled.program;
    match finding.outcome() {
        crate::eval::outcome::RuleOutcome::Cleared(exception) => format!(
            "cleared by the exception `{}`: the gap's condition holds or may hold, but the exception does",
            program.rules[finding.rule()].exceptions[*exception].name
        ),
        _ => match finding.kind() {
            FindingKind::NeedsReview => {
                "needs review: the record does not settle it; a missing answer never clears a case"
                    .into()
            }
            _ => "flagged: the rule's condition holds for the record, so the safeguard was missing"
                .into(),
        },
    }
}

/// The reference-table rows a finding's rule read for this record: the
/// rule is evaluated once more by the reference interpreter (window,
/// condition, exceptions, then the values its explanation shows) with the
/// lookup trace on. Repeated lookups are shown once.
fn rows_used(
    compiled: &Compiled,
    sources: &Sources,
    record: &Record,
    finding: &Finding,
) -> Vec<RowUsed> {
    let program = &compiled.program;
    let rule = &program.rules[finding.rule()];
    let mut interpreter = Interpreter::new(program, record);
    interpreter.lookups = Some(Vec::new());
    let outcome = rule_outcome_in(&mut interpreter, rule);
    if &outcome != finding.outcome() {
        // The property tests keep the evaluators in agreement; should they
        // ever differ, the finding stays the compiled evaluator's and the
        // rows are still those the rule read.
        tracing::warn!(rule = %rule.id, "the reference interpreter and the compiled evaluator disagree");
    }
    let mut shown: Vec<&crate::check::program::TExpr> = rule.because.values();
    if let Some(exception) = finding.cleared_by() {
        if let Some(because) = &rule.exceptions[exception].because {
            shown.extend(because.values());
        }
    }
    for expr in shown {
        interpreter.value(expr);
    }
    let mut traces: Vec<LookupTrace> = Vec::new();
    for trace in interpreter.lookups.take().unwrap_or_default() {
        if !traces.contains(&trace) {
            traces.push(trace);
        }
    }
    traces
        .into_iter()
        .map(|trace| {
            let table = program.table(trace.table);
            let row = trace.row.and_then(|i| table.rows.get(i)).map(|row| {
                let (line, _) = sources.line_col(row.span.file, row.span.start as usize);
                RowFound {
                    place: format!("{}:{line}", sources.get(row.span.file).name),
                    value: row.value.to_string(),
                    from: row.from,
                    to: row.to,
                    source: row.source.clone(),
                }
            });
            RowUsed {
                table: table.name.clone(),
                table_description: table.description.clone(),
                table_source: table.source.clone(),
                key: trace.key,
                on: trace.date,
                row,
            }
        })
        .collect()
}

/// The question that would fill field `id`, built from its description and
/// type.
fn question(compiled: &Compiled, id: FieldId) -> String {
    let schema = &compiled.program.schema;
    let field = schema.field(id);
    let description = field.description.trim().trim_end_matches(['.', '?']);
    let description = if description.is_empty() {
        field.name.as_str()
    } else {
        description
    };
    match &field.ty {
        Type::Bool => format!("Yes or no: {description}?"),
        Type::Date => format!("Record the date: {description}"),
        Type::Enum(e) => format!(
            "Record: {description} (one of: {})",
            schema.enum_def(*e).values.join(", ")
        ),
        Type::List(element) => match element.as_ref() {
            Type::Enum(e) => format!(
                "Record: {description} (any of: {}; an empty list if none)",
                schema.enum_def(*e).values.join(", ")
            ),
            _ => format!("Record: {description} (a list; an empty list if none)"),
        },
        _ => format!("Record: {description}"),
    }
}

/// The outcome of a case in words, for a brief's header.
pub(crate) fn case_outcome_words(outcome: CaseOutcome) -> &'static str {
    match outcome {
        CaseOutcome::Flagged => "flagged: at least one safeguard gap was found",
        CaseOutcome::NeedsReview => {
            "needs review: no gap was found, but the record leaves some open"
        }
        CaseOutcome::Clear => "clear: no rule found a gap in this record",
    }
}

/// The date of a brief: `--date`, else the environment variable
/// `NRSCREEN_REPORT_DATE` (both `YYYY-MM-DD`, so that a brief can be
/// reproduced), else today (UTC). `from_env` is the variable's value, if
/// set (an empty value counts as unset).
pub(crate) fn brief_date(given: Option<&str>, from_env: Option<&str>) -> Result<Date, String> {
    let (text, whence) = match (given, from_env) {
        (Some(text), _) => (text, "--date"),
        (None, Some(text)) if !text.is_empty() => (text, "NRSCREEN_REPORT_DATE"),
        _ => return Ok(today()),
    };
    Date::parse(text).ok_or_else(|| {
        format!(
            "{whence} `{}` is not a date (YYYY-MM-DD)",
            crate::escape::terminal(text)
        )
    })
}

/// Today's date in UTC.
fn today() -> Date {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date(i32::try_from(seconds / 86_400).unwrap_or(i32::MAX))
}

#[cfg(test)]
pub(crate) mod tests;
