//! Rejections that can be trusted: every bad field of a record at once (on
//! stderr and in the rejects file), a summary grouped by kind and field,
//! and exit 4 when records were rejected (`--max-rejects` allowing some),
//! with read = evaluated + rejected throughout.

use crate::harness::{last_line, Test};

/// The rule set the tests evaluate with (see `eval_cli.rs`).
const RULES: &str = "tests/fixtures/eval/rules";

fn eval() -> Test {
    Test::new().args(["eval", "--rules", RULES])
}

/// The numbers of an accounting line, which must add up.
fn counts(stderr: &str) -> (u64, u64, u64) {
    let numbers: Vec<u64> = last_line(stderr)
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    let (read, evaluated, rejected) = (numbers[0], numbers[1], numbers[2]);
    assert_eq!(read, evaluated + rejected, "{stderr}");
    (read, evaluated, rejected)
}

#[test]
fn a_csv_row_lists_every_bad_cell_on_stderr_and_in_the_rejects_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rejects = dir.path().join("rejects.jsonl");
    let csv = "case_id,age,program,return_date,harm_in_mexico,nri.outcome\n\
               C-1,30,mpp-2019,2019-02-14,threat,\n\
               C-2,thirty,mpp-2012,2019-13-01,threat;kidnaping,maybe\n";
    let out = eval()
        .args(["--input-format", "csv", "-", "--rejects"])
        .arg(&rejects)
        .stdin(csv)
        .status(4)
        .run();
    let line = out
        .stderr
        .lines()
        .find(|l| l.starts_with("rejected: -:3"))
        .unwrap_or_else(|| panic!("{}", out.stderr));
    assert!(
        line.starts_with(
            "rejected: -:3 (case C-2): field `age`: `thirty` is not a whole number; \
             field `program`: `mpp-2012` is not a value of `program`"
        ),
        "{line}"
    );
    for part in [
        "; field `return_date`: `2019-13-01` is not a date (expected YYYY-MM-DD); ",
        "; field `harm_in_mexico`: `kidnaping` is not a value of `harm_in_mexico`",
        "; field `nri.outcome`: `maybe` is not a value of `nri.outcome`",
    ] {
        assert!(line.contains(part), "{part}\n{line}");
    }
    let kept: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&rejects).expect("rejects").trim())
            .expect("one JSON rejection");
    assert_eq!(kept["line"], 3);
    assert_eq!(kept["case_id"], "C-2");
    assert_eq!(
        kept["raw"],
        "C-2,thirty,mpp-2012,2019-13-01,threat;kidnaping,maybe"
    );
    let problems: Vec<(String, String)> = kept["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            assert!(p["column"].is_null() && p["reason"].is_string(), "{p}");
            (
                p["field"].as_str().unwrap_or("").to_string(),
                p["kind"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let expected = [
        ("age", "wrong-type"),
        ("program", "not-in-enum"),
        ("return_date", "not-a-date"),
        ("harm_in_mexico", "not-in-enum"),
        ("nri.outcome", "not-in-enum"),
    ];
    assert_eq!(
        problems,
        expected.map(|(f, k)| (f.to_string(), k.to_string()))
    );
    assert_eq!(counts(&out.stderr), (2, 1, 1));
}

#[test]
fn a_summary_groups_the_rejections_by_kind_and_field() {
    let mut records = String::new();
    for i in 1..=64 {
        records.push_str(&match i {
            // Four lines that are not JSON.
            7 | 8 | 30 | 31 => format!("{{\"case_id\":\"S-{i}\",\n"),
            // Sixty with a program that is not one; five of them with an
            // age that is not a number too.
            _ if i % 10 == 0 => {
                format!("{{\"case_id\":\"S-{i}\",\"program\":\"mpp\",\"age\":\"old\"}}\n")
            }
            _ => format!("{{\"case_id\":\"S-{i}\",\"program\":\"mpp\"}}\n"),
        });
    }
    records.push_str("{\"case_id\":\"S-65\",\"program\":\"mpp-2019\"}\n");
    let out = eval()
        .args(["-", "--format", "summary", "--max-rejects", "99%"])
        .stdin(records)
        .status(0)
        .run();
    let summary: Vec<&str> = out
        .stderr
        .lines()
        .skip_while(|l| !l.starts_with("rejected 64 records:"))
        .collect();
    assert_eq!(
        summary,
        [
            "rejected 64 records:",
            "  60 × field `program`: not-in-enum (lines 1, 2, 3, 4, 5, …)",
            "   5 × field `age`: wrong-type (lines 10, 20, 40, 50, 60)",
            "   4 × bad-json (lines 7, 8, 30, 31)",
            "read 65, evaluated 1, rejected 64; flagged 0, needs review 1, clear 0",
        ],
        "{}",
        out.stderr
    );
    // Each record is also described (the first twenty), one line each.
    assert_eq!(out.stderr.matches("\nrejected: -:").count(), 19);
}

#[test]
fn records_rejected_exit_4_unless_max_rejects_allows_them() {
    // 30 records, 3 of them rejected; the others have a flagged finding.
    let mut records = String::new();
    for i in 1..=30 {
        let program = if i % 10 == 0 { "mpp-1999" } else { "mpp-2019" };
        records.push_str(&format!(
            "{{\"case_id\":\"E-{i}\",\"program\":\"{program}\",\"returned_to_mexico\":true,\
             \"fear_of_mexico_expressed\":true,\"nri_held\":false,\"return_city\":\"Tijuana\"}}\n"
        ));
    }
    let run = |extra: &[&str], status: i32| {
        let out = eval()
            .args(["-", "--format", "summary"])
            .args(extra)
            .stdin(records.clone())
            .status(status)
            .run();
        assert_eq!(counts(&out.stderr), (30, 27, 3));
        out.stderr
    };
    let stderr = run(&[], 4);
    assert!(
        stderr.contains("error: 3 of 30 records were rejected (--max-rejects N or N% allows some)"),
        "{stderr}"
    );
    run(&["--max-rejects", "3"], 0);
    let stderr = run(&["--max-rejects", "2"], 4);
    assert!(
        stderr.contains("more than --max-rejects 2 allows"),
        "{stderr}"
    );
    run(&["--max-rejects", "10%"], 0);
    run(&["--max-rejects", "9.9%"], 4);
    // Rejections come before --fail-on: the batch was not screened whole.
    run(&["--fail-on", "low"], 4);
    run(&["--fail-on", "low", "--max-rejects", "3"], 3);
    // --strict stops at the first: a usage error, 2, as before.
    let out = eval()
        .args(["-", "--strict", "--max-rejects", "100%"])
        .stdin(records.clone())
        .status(2)
        .run();
    assert_eq!(counts(&out.stderr), (10, 9, 1));
    // Not a count or a percentage: a usage error.
    eval()
        .args(["-", "--max-rejects", "lots"])
        .stdin(records.clone())
        .status(2)
        .run();
}

#[test]
fn a_run_that_evaluated_nothing_it_read_never_exits_0() {
    let out = eval()
        .args(["-", "--max-rejects", "100%"])
        .stdin("{\"case_id\":1}\nnot json\n")
        .status(4)
        .stdout("")
        .run();
    assert!(
        out.stderr.contains("error: every record read was rejected"),
        "{}",
        out.stderr
    );
    assert_eq!(counts(&out.stderr), (2, 0, 2));
    eval()
        .args(["-", "--max-rejects", "1000"])
        .stdin("{\"case_id\":\"\"}\n")
        .status(4)
        .run();
    // Nothing read is nothing rejected.
    let out = eval().arg("-").stdin("").status(0).run();
    assert_eq!(counts(&out.stderr), (0, 0, 0));
}
