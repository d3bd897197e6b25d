//! The benchmark workload (WORKLOAD.md §2), written out plainly here, agrees
//! with `nrscreen eval --rules benches/workload` on every case of a
//! generated batch.

use serde_json::Value;

use crate::harness::{repo_root, Test};

/// `f == v`: true exactly when `f` is present (not null) and equal to `v`.
fn is(record: &Value, field: &str, v: Value) -> bool {
    record.get(field).is_some_and(|x| *x == v)
}

fn nri(record: &Value) -> Option<&Value> {
    record.get("nri").filter(|n| !n.is_null())
}

fn nri_is(record: &Value, field: &str, v: Value) -> bool {
    nri(record)
        .and_then(|n| n.get(field))
        .is_some_and(|x| *x == v)
}

/// A list field; absent or null counts as empty.
fn list<'a>(record: &'a Value, field: &str) -> Vec<&'a str> {
    record
        .get(field)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn present(record: &Value, field: &str) -> bool {
    record.get(field).is_some_and(|v| !v.is_null())
}

fn workload(r: &Value) -> Vec<&'static str> {
    let t = || Value::Bool(true);
    let f = || Value::Bool(false);
    let s = |x: &str| Value::String(x.to_string());
    let returned = is(r, "returned_to_mexico", t());
    let harm = list(r, "harm_in_mexico");
    let vulnerabilities = list(r, "vulnerabilities");
    let mut flags = Vec::new();
    if returned && (is(r, "nationality", s("MX")) || is(r, "country_of_origin", s("MX"))) {
        flags.push("direct-refoulement");
    }
    if returned && is(r, "fear_of_mexico_expressed", t()) && nri(r).is_none() {
        flags.push("fear-not-screened");
    }
    if returned && is(r, "program", s("mpp-2021")) && is(r, "asked_about_fear", f()) {
        flags.push("fear-not-asked");
    }
    if nri(r).is_some() && nri_is(r, "counsel_access", f()) {
        flags.push("no-counsel-access");
    }
    let interpreter = nri(r)
        .and_then(|n| n.get("interpreter_language"))
        .and_then(Value::as_str);
    if let Some(language) = interpreter {
        if !list(r, "languages").contains(&language) {
            flags.push("no-interpreter");
        }
    }
    let mpp2021_categories = ["pregnant", "lgbtqi", "advanced-age", "disability"];
    if returned
        && (is(r, "unaccompanied_minor", t())
            || vulnerabilities.contains(&"physical-health")
            || vulnerabilities.contains(&"mental-health")
            || (is(r, "program", s("mpp-2021"))
                && vulnerabilities
                    .iter()
                    .any(|v| mpp2021_categories.contains(v))))
    {
        flags.push("excluded-category-returned");
    }
    let level4 = ["MX-TAM", "MX-COL", "MX-GRO", "MX-MIC", "MX-SIN", "MX-ZAC"];
    if returned
        && r.get("return_state")
            .and_then(Value::as_str)
            .is_some_and(|st| level4.contains(&st))
    {
        flags.push("danger-of-return");
    }
    if !harm.is_empty() && present(r, "harm_reported_date") && is(r, "rescreened_after_harm", f()) {
        flags.push("harm-not-rescreened");
    }
    if returned && is(r, "mexico_status", s("none")) && harm.contains(&"deportation-threat") {
        flags.push("chain-refoulement-risk");
    }
    if nri_is(r, "outcome", s("negative")) && nri_is(r, "reviewed", f()) {
        flags.push("unreviewed-negative");
    }
    if is(r, "notice_address", s("domicilio conocido")) || is(r, "notice_address", s("Facebook")) {
        flags.push("notice-defect");
    }
    if is(r, "in_absentia_order", t())
        && (harm.contains(&"kidnapping") || harm.contains(&"sexual-assault"))
    {
        flags.push("in-absentia-after-harm");
    }
    flags
}

#[test]
fn nrscreen_agrees_with_a_plain_implementation_of_the_workload() {
    for input in [
        "tests/data/workload-3000.jsonl",
        "tests/data/workload-edge-cases.jsonl",
    ] {
        let records = std::fs::read_to_string(repo_root().join(input)).expect("batch");
        let out = Test::new()
            .args([
                "eval",
                "--rules",
                "benches/workload",
                input,
                "--format",
                "flags",
            ])
            .status(0)
            .run();
        let lines: Vec<Value> = out
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        let records: Vec<Value> = records
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        assert_eq!(
            lines.len(),
            records.len(),
            "{input}: one output line per record"
        );
        let mut flagged = 0;
        for (record, line) in records.iter().zip(&lines) {
            let expected = workload(record);
            flagged += usize::from(!expected.is_empty());
            assert_eq!(line["case_id"], record["case_id"]);
            let actual: Vec<&str> = line["flags"]
                .as_array()
                .expect("flags")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            assert_eq!(actual, expected, "{input}: case {}", record["case_id"]);
        }
        assert!(flagged > 0, "the batch exercises the rules");
    }
}
