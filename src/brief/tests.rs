//! Tests of the brief's data model: the rows a lookup used, and that nothing
//! in a brief states a value the record does not hold.

use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use crate::compile::Compiled;
use crate::date::Date;
use crate::eval::finding::FindingKind;
use crate::records::case::CaseRecord;
use crate::records::input::{reader, InputFormat, Read1, MAX_RECORD_BYTES};
use crate::records::schema_index::SchemaIndex;
use crate::source::Sources;

use super::{build, Brief, Header, RowFound, RowUsed};

/// The standard rule set, compiled once.
pub(crate) fn standard() -> &'static (Sources, Compiled) {
    static STANDARD: OnceLock<(Sources, Compiled)> = OnceLock::new();
    STANDARD.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let loaded = crate::ruleset::load(&dir).expect("standard rule set loads");
        let (sources, checked) = crate::check::check(loaded);
        let program = checked.program.expect("standard rule set checks");
        (sources, crate::compile::compile(program))
    })
}

/// Every record of a JSON Lines text, decoded (none may be rejected).
pub(crate) fn records(compiled: &Compiled, jsonl: &str) -> Vec<CaseRecord> {
    let index = SchemaIndex::new(compiled);
    let mut keys = HashSet::new();
    let mut reader = reader(
        compiled,
        &index,
        "test".into(),
        InputFormat::Jsonl,
        Box::new(jsonl.as_bytes()),
        &mut keys,
        MAX_RECORD_BYTES,
    )
    .expect("reader");
    let mut out = Vec::new();
    let mut record = CaseRecord::with_fields(compiled.program.schema.fields.len());
    while let Some(read) = reader.next_record(&mut record).expect("read") {
        match read {
            Read1::Record(_) => out.push(record.clone()),
            Read1::Rejected(rejection) => panic!("rejected: {}", rejection.describe()),
        }
    }
    out
}

fn brief_of(record: &mut CaseRecord) -> Brief {
    let (sources, compiled) = standard();
    let header = Header {
        case_id: record.case_id.clone(),
        ruleset: compiled.program.name.clone(),
        ruleset_description: String::new(),
        version: "test".into(),
        input: "test".into(),
        line: 1,
        mapping: None,
        date: Date(0),
    };
    build(compiled, sources, record, header, true)
}

#[test]
fn a_finding_shows_the_rows_its_lookups_used_with_their_dates_and_sources() {
    let (_, compiled) = standard();
    let mut record = records(
        compiled,
        r#"{"case_id":"R-1","program":"mpp-2019","returned_to_mexico":true,"return_date":"2019-08-11","return_city":"Nuevo Laredo"}"#,
    )
    .remove(0);
    let brief = brief_of(&mut record);
    let danger = brief
        .findings
        .iter()
        .find(|f| f.gap == "danger-of-return")
        .expect("danger-of-return");
    assert_eq!(danger.kind, FindingKind::Flagged);
    let tables: Vec<&str> = danger.rows.iter().map(|r| r.table.as_str()).collect();
    assert_eq!(tables, ["city_state", "advisory", "state_name"]);
    let advisory = &danger.rows[1];
    assert_eq!(
        (advisory.key.as_str(), advisory.on),
        ("MX-TAM", Date::parse("2019-08-11"))
    );
    let row: &RowFound = advisory.row.as_ref().expect("a row answered");
    assert_eq!(row.value, "4");
    assert_eq!(
        (row.from, row.to),
        (Date::parse("2018-01-10"), Date::parse("2022-12-31"))
    );
    assert!(row.place.ends_with("advisories.toml:65"), "{}", row.place);
    assert!(row.source.as_deref().is_some_and(|s| s.contains("Level 4")));
    assert!(advisory.table_source.contains("State Department"));
    // The city table's row has no dates and no source of its own.
    let city: &RowUsed = &danger.rows[0];
    assert_eq!(city.key, "nuevolaredo");
    let city_row = city.row.as_ref().expect("a row answered");
    assert_eq!(
        (
            city_row.value.as_str(),
            city_row.from,
            city_row.source.as_deref()
        ),
        ("MX-TAM", None, None)
    );
}

#[test]
fn a_lookup_no_row_answers_is_shown_as_such_and_the_finding_needs_review() {
    let (_, compiled) = standard();
    let mut record = records(
        compiled,
        r#"{"case_id":"R-2","program":"mpp-2019","returned_to_mexico":true,"return_date":"2019-08-11","return_city":"Atlantis"}"#,
    )
    .remove(0);
    let brief = brief_of(&mut record);
    let danger = brief
        .findings
        .iter()
        .find(|f| f.gap == "danger-of-return")
        .expect("danger-of-return");
    assert_eq!(danger.kind, FindingKind::NeedsReview);
    assert!(
        danger
            .rows
            .iter()
            .any(|r| r.table == "city_state" && r.key == "atlantis" && r.row.is_none()),
        "{:?}",
        danger.rows
    );
    let text = super::markdown::render(&brief);
    assert!(text.contains("key atlantis: no row covers it, so the value is unknown"));
}

/// For every example case, and a record with almost nothing recorded: no
/// fact shown is a field the record lacks; every line of the brief that
/// names a field not recorded says it is not recorded, or is a question;
/// every needs-review explanation leads with what is not recorded.
#[test]
fn a_brief_never_states_a_value_the_record_does_not_hold() {
    let (_, compiled) = standard();
    let schema = &compiled.program.schema;
    let examples = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/examples/cases.jsonl"),
    )
    .expect("example cases");
    let sparse = r#"{"case_id":"S-1","program":"mpp-2019","returned_to_mexico":true,"return_city":"Tijuana","harm_in_mexico":["assault"]}"#;
    let mut all = records(compiled, &examples);
    all.extend(records(compiled, sparse));
    let mut unknown_seen = 0;
    for mut record in all {
        let brief = brief_of(&mut record);
        for fact in &brief.facts {
            let id = schema.find(&fact.field.name).expect("a schema field");
            assert!(
                record.get(id).is_known(),
                "{}: {}",
                record.case_id,
                fact.field.name
            );
        }
        for finding in &brief.findings {
            if finding.kind == FindingKind::NeedsReview {
                assert!(
                    finding.because.starts_with("not recorded: ")
                        || finding
                            .because
                            .starts_with("the record does not settle this"),
                    "{}: {}",
                    record.case_id,
                    finding.because
                );
            }
        }
        let markdown = super::markdown::render(&brief);
        let html = super::html::render(&brief);
        for field in &brief.not_recorded {
            unknown_seen += 1;
            let id = schema.find(&field.name).expect("a schema field");
            assert!(!record.get(id).is_known());
            let in_markdown = format!("({})", crate::escape::markdown(&field.name));
            let in_html = format!("({})</small>", crate::escape::html(&field.name));
            for (text, name) in [(&markdown, &in_markdown), (&html, &in_html)] {
                for line in text.lines().filter(|l| l.contains(name.as_str())) {
                    assert!(
                        line.to_lowercase().contains("not recorded")
                            || line.contains("Would decide"),
                        "{}: `{}` is not recorded, yet: {line}",
                        record.case_id,
                        field.name
                    );
                }
            }
        }
    }
    assert!(
        unknown_seen > 100,
        "too few unknown fields tried: {unknown_seen}"
    );
}

#[test]
fn the_date_is_the_option_else_the_environment_else_today() {
    let day = |text| Date::parse(text).expect("a date");
    assert_eq!(
        super::brief_date(Some("2026-01-15"), Some("2020-02-02")),
        Ok(day("2026-01-15"))
    );
    assert_eq!(
        super::brief_date(None, Some("2020-02-02")),
        Ok(day("2020-02-02"))
    );
    let today = super::brief_date(None, None).expect("today");
    assert!(today > day("2024-01-01"));
    // (Later or equal: the test may run across midnight.)
    assert!(super::brief_date(None, Some("")).is_ok_and(|d| d >= today));
    assert_eq!(
        super::brief_date(None, Some("02/02/2020")),
        Err("NRSCREEN_REPORT_DATE `02/02/2020` is not a date (YYYY-MM-DD)".into())
    );
}
