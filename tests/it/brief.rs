//! `nrscreen brief`: one case's brief, as a user runs it. The Markdown
//! briefs of three example cases (flagged with table lookups, needs review,
//! clear) are compared with `tests/fixtures/brief/` (the flagged one with
//! the README's example, `examples/reports/brief-A-0000001.md`); `NRSCREEN_BLESS=1`
//! rewrites them. The HTML brief is checked for structure and escaping; the
//! errors (a case no record has, a rejected record, a mapping) for their
//! messages and exit codes.

use std::path::{Path, PathBuf};

use crate::harness::{RuleSet, Test};

/// The example cases.
const CASES: &str = "rules/examples/cases.jsonl";

/// A fixed date, so briefs compare.
const DATE: &str = "2026-01-15";

/// `nrscreen brief --rules rules --date DATE`, in the repository root.
fn brief() -> Test {
    Test::new().args(["brief", "--rules", "rules", "--date", DATE])
}

/// The expected brief of `case`: the one committed as the README's example
/// (`examples/reports/`), or a fixture.
fn expected(case: &str) -> PathBuf {
    let name = format!("brief-{case}.md");
    if case == "A-0000001" {
        Path::new("examples/reports").join(name)
    } else {
        Path::new("tests/fixtures/brief").join(name)
    }
}

#[test]
fn markdown_briefs_of_a_flagged_a_needs_review_and_a_clear_case_match_their_files() {
    for (case, what) in [
        ("A-0000001", "flagged, with reference-table rows"),
        ("A-0000011", "needs review"),
        ("A-0000009", "clear"),
    ] {
        let out = brief()
            .args([CASES, "--case", case])
            .status(0)
            .stdout_file(expected(case))
            .run();
        assert!(out.stderr.is_empty(), "{what}: {}", out.stderr);
    }
}

#[test]
fn a_flagged_brief_shows_the_dated_table_row_behind_the_danger_finding() {
    let out = brief().args([CASES, "--case", "A-0000001"]).status(0).run();
    let text = out.stdout;
    assert!(text.contains("### 3. Returned to a state at State Department Level 4"));
    assert!(text.contains(
        "table advisory (State Department advisory level \\(crime\\) of a Mexican state\\, by date; \
         source: U\\.S\\. State Department Mexico travel advisories"
    ));
    assert!(text.contains(
        "key MX\\-TAM on 2019\\-08\\-11 gives 4, in effect from 2018\\-01\\-10 to 2022\\-12\\-31 \
         (row at rules\\/tables\\/advisories\\.toml\\:65; row source: Level 4 Do Not Travel"
    ));
    // The questions name the unknown fields and what they decide.
    assert!(text.contains(
        "Yes or no\\: the person said they fear return to Mexico\\? (field fear\\_of\\_mexico\\_expressed). \
         Would decide: fear\\-not\\-screened."
    ));
}

#[test]
fn the_same_case_read_from_csv_gives_the_same_brief() {
    let from = |file: &str| {
        let out = brief().args([file, "--case", "A-0000011"]).status(0).run();
        out.stdout
            .lines()
            .filter(|l| !l.starts_with("| Input |"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(from(CASES), from("rules/examples/cases.csv"));
}

#[test]
fn show_cleared_adds_the_findings_an_exception_cleared() {
    // The rule set of the eval tests has `exception returned_before_interview
    // to direct_refoulement`, which clears case A-0005.
    let run = |extra: &[&str]| {
        Test::new()
            .args([
                "brief",
                "--rules",
                "tests/fixtures/eval/rules",
                "--date",
                DATE,
            ])
            .args(["tests/fixtures/eval/cases.jsonl", "--case", "A-0005"])
            .args(extra)
            .status(0)
            .run()
            .stdout
    };
    let (plain, cleared) = (run(&[]), run(&["--show-cleared"]));
    assert!(!plain.contains("(cleared)"), "{plain}");
    assert!(cleared.contains("(cleared)"), "{cleared}");
    assert!(
        cleared.contains("cleared by the exception \\`returned\\_before\\_interview\\`"),
        "{cleared}"
    );
    assert!(cleared.contains(
        "the positive interview of 2019\\-05\\-01 came after the return on 2019\\-04\\-20"
    ));
}

/// A hostile case id and record values: the HTML brief shows them as text,
/// never as markup; the page is self-contained and has no script.
#[test]
fn the_html_brief_is_one_self_contained_page_that_escapes_the_record() {
    let id = "<script>alert(1)</script>\u{202e}\"'&";
    let record = serde_json::json!({
        "case_id": id,
        "program": "mpp-2019",
        "returned_to_mexico": true,
        "return_date": "2019-08-11",
        "return_city": "</td></tr><img src=x onerror=alert(2)>",
        "notice_address": "domicilio conocido <b>",
    })
    .to_string();
    let out = brief()
        .args(["-", "--case", id, "--format", "html"])
        .stdin(record.clone())
        .status(0)
        .run();
    let html = out.stdout;
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"),
        "{html}"
    );
    assert!(html.trim_end().ends_with("</html>"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("<style>") && html.contains("@media print"));
    let lower = html.to_lowercase();
    for banned in [
        "<script",
        "<img",
        "<b>",
        "onerror=alert(2)>",
        "src=\"",
        "href=",
        "<link",
        "@import",
        "\u{202e}",
    ] {
        assert!(!lower.contains(banned), "`{banned}` in the page:\n{html}");
    }
    assert!(html.contains(
        "<title>Case brief: &lt;script&gt;alert(1)&lt;/script&gt;\\u{202e}&quot;&#39;&amp;</title>"
    ));
    assert!(html.contains("&lt;/td&gt;&lt;/tr&gt;&lt;img src=x onerror=alert(2)&gt;"));
    // Every element opened is closed, in order (the page's own markup).
    let mut open: Vec<String> = Vec::new();
    for tag in html
        .split('<')
        .skip(1)
        .filter_map(|t| t.split(['>', ' ']).next())
    {
        if tag.starts_with('!') || ["meta", "br"].contains(&tag) {
            continue;
        }
        match tag.strip_prefix('/') {
            Some(closed) => assert_eq!(open.pop().as_deref(), Some(closed), "{html}"),
            None => open.push(tag.to_string()),
        }
    }
    assert!(open.is_empty(), "left open: {open:?}");

    // The Markdown brief of the same record: no raw markup either.
    let out = brief()
        .args(["-", "--case", id])
        .stdin(record)
        .status(0)
        .run();
    // Every `<` is escaped (CommonMark then shows it as itself).
    let md = &out.stdout;
    for (at, _) in md.match_indices('<') {
        assert!(md[..at].ends_with('\\'), "a raw `<` at {at}:\n{md}");
    }
    assert!(out
        .stdout
        .contains("\\<script\\>alert\\(1\\)\\<\\/script\\>\\\\u\\{202e\\}"));
}

#[test]
fn a_case_no_record_has_is_an_error() {
    brief()
        .args([CASES, "--case", "A-9999999"])
        .status(2)
        .stdout("")
        .stderr("error: no record in `rules/examples/cases.jsonl` has the case id `A-9999999`\n")
        .run();
}

#[test]
fn a_rejected_record_is_shown_with_every_problem_and_exits_4() {
    let out = brief()
        .args(["-", "--case", "X-1"])
        .stdin("{\"case_id\":\"X-0\"}\n{\"case_id\":\"X-1\",\"age\":\"thirty\",\"program\":\"mpp-2012\"}\n")
        .status(4)
        .stdout("")
        .run();
    assert!(out.stderr.starts_with(
        "error: the record of case `X-1` was rejected, so it cannot be briefed until it is fixed:\n  -:2 (case X-1): "
    ), "{}", out.stderr);
    assert!(
        out.stderr.contains("field `age`") && out.stderr.contains("field `program`"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_repeated_case_id_is_briefed_from_its_first_record_with_a_warning() {
    let out = brief()
        .args(["-", "--case", "D-1"])
        .stdin("{\"case_id\":\"D-1\",\"age\":30}\n{\"case_id\":\"D-1\",\"age\":40}\n")
        .status(0)
        .run();
    assert!(
        out.stdout.contains("| years\\, at encounter (age) | 30 |"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("appears again in `-` (line 2)"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_case_is_found_through_a_mapping() {
    let out = brief()
        .args([
            "--map",
            "maps/cms-example.toml",
            "examples/data/cms-export.csv",
            "--case",
            "A999000101",
        ])
        .status(0)
        .run();
    assert!(
        out.stdout.starts_with("# Case brief: A999000101\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(
        "| Input | examples\\/data\\/cms\\-export\\.csv, record at line 2, read through the mapping maps\\/cms\\-example\\.toml |"
    ), "{}", out.stdout);
    assert!(out.stdout.contains("fear\\-not\\-screened"));
    brief()
        .args([
            "--map",
            "maps/cms-example.toml",
            "examples/data/cms-export.csv",
            "--case",
            "nobody",
        ])
        .status(2)
        .stderr("error: no record in `examples/data/cms-export.csv` has the case id `nobody`\n")
        .run();
}

#[test]
fn usage_errors_exit_2_and_the_output_is_never_an_input() {
    Test::new()
        .args([
            "brief",
            CASES,
            "--case",
            "A-0000001",
            "--date",
            "15/01/2026",
        ])
        .status(2)
        .stderr("error: --date `15/01/2026` is not a date (YYYY-MM-DD)\n")
        .run();
    brief()
        .args(["cases.unknown", "--case", "A-1"])
        .status(2)
        .run();
    let set = RuleSet::standard();
    let out = Test::new()
        .rule_set(set)
        .args([
            "brief",
            "--rules",
            "rules",
            "rules/examples/cases.jsonl",
            "--case",
            "A-0000001",
        ])
        .args(["--output", "rules/examples/cases.jsonl"])
        .status(2)
        .run();
    assert!(
        out.stderr.contains("refusing to overwrite it"),
        "{}",
        out.stderr
    );
}

#[test]
fn output_writes_the_brief_to_a_file() {
    let set = RuleSet::standard();
    let dir = set.cwd().to_path_buf();
    // The test owns the rule set's directory: keep it until the file is read.
    let test = Test::new()
        .rule_set(set)
        .args([
            "brief",
            "--rules",
            "rules",
            "rules/examples/cases.jsonl",
            "--case",
            "A-0000009",
        ])
        .args(["--date", DATE, "--output", "brief.html", "--format", "html"])
        .status(0)
        .stdout("");
    test.run();
    let written = std::fs::read_to_string(dir.join("brief.html")).expect("brief written");
    assert!(written.contains("<h1>Case brief: A-0000009</h1>"));
    assert!(written.contains("No rule found a gap in this record."));
}
