//! Untrusted text in the outputs (issue 9, "Injected output"): case ids,
//! record values and rule files carrying terminal escape sequences, bidi
//! overrides, line breaks and spreadsheet formulas are shown inert in every
//! text output (`table`, `csv`, stderr, `check`), and exact in JSON.

use crate::harness::{RuleSet, Test};

/// The rule set of the eval tests (relative to the repository root).
const RULES: &str = "tests/fixtures/eval/rules";

/// A record whose case id and return city carry ESC sequences (clear the
/// screen, set the window title), BEL, a bidi override, and, in the city, a
/// line feed followed by a forged table line, CR, backspace, a C1 CSI and a
/// bidi isolate.
const HOSTILE: &str = r#"{"case_id":"A-1\u001b[2J\u001b]0;pwned\u0007\u202e","program":"mpp-2019","returned_to_mexico":true,"fear_of_mexico_expressed":true,"nri_held":false,"return_date":"2019-02-14","return_city":"Tijuana\nB-2  FLAGGED\r\b\u009b31m\u2066x\u2069"}"#;

/// The case id of [`HOSTILE`] as the terminal shows it.
const HOSTILE_ID_SHOWN: &str = r"A-1\u{1b}[2J\u{1b}]0;pwned\u{7}\u{202e}";

/// The return city of [`HOSTILE`] as the terminal shows it.
const HOSTILE_CITY_SHOWN: &str = r"Tijuana\nB-2  FLAGGED\r\u{8}\u{9b}31m\u{2066}x\u{2069}";

/// A flagged record with case id `id` (JSON-escaped already).
fn flagged(id: &str) -> String {
    format!(
        r#"{{"case_id":"{id}","program":"mpp-2019","returned_to_mexico":true,"fear_of_mexico_expressed":true,"nri_held":false,"return_city":"Tijuana","return_date":"2019-02-14"}}"#
    )
}

/// `nrscreen eval --rules RULES - ARGS`, the records on standard input.
fn eval(records: &str, args: &[&str]) -> Test {
    Test::new()
        .args(["eval", "--rules", RULES, "-", "--color", "never"])
        .args(args)
        .stdin(records.to_string())
}

/// The characters of `text` that may not reach a terminal as themselves:
/// controls other than the line feeds the writer puts between lines, bidi
/// controls, line and paragraph separators.
fn unsafe_chars(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
        })
        .collect()
}

/// Panics unless `text` has no unsafe character and contains each of
/// `shown`.
fn assert_inert(text: &str, shown: &[&str]) {
    assert_eq!(unsafe_chars(text), [], "{text:?}");
    for part in shown {
        assert!(text.contains(part), "{part:?} is not in:\n{text}");
    }
}

#[test]
fn the_table_shows_escape_sequences_and_line_breaks_inert() {
    let out = eval(HOSTILE, &["--format", "table"]).status(0).run();
    assert_inert(
        &out.stdout,
        &[&format!(
            "returned to {HOSTILE_CITY_SHOWN} on 2019-02-14 with no interview decision\n"
        )],
    );
    assert!(
        out.stdout
            .starts_with(&format!("{HOSTILE_ID_SHOWN}  FLAGGED\n")),
        "{}",
        out.stdout
    );
    // The line feed in the city does not start a line of its own.
    assert!(
        !out.stdout.lines().any(|l| l.starts_with("B-2")),
        "{}",
        out.stdout
    );
}

#[test]
fn csv_cells_are_never_formulas_and_carry_no_control_characters() {
    let records = [
        HOSTILE.to_string(),
        flagged(r#"=HYPERLINK(\"http://evil.example\",\"x\")"#),
        flagged("+1"),
        flagged("-2"),
        flagged("@SUM(A1)"),
        flagged(r"\tx"),
    ]
    .join("\n");
    let out = eval(&records, &["--format", "csv"]).status(0).run();
    let mut reader = csv::Reader::from_reader(out.stdout.as_bytes());
    let mut ids = Vec::new();
    for row in reader.records() {
        let row = row.unwrap();
        for cell in &row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r', '\n']),
                "{cell:?}"
            );
            assert_eq!(unsafe_chars(cell), [], "{cell:?}");
        }
        ids.push(row[0].to_string());
    }
    ids.dedup();
    assert_eq!(
        ids,
        [
            HOSTILE_ID_SHOWN,
            r#"'=HYPERLINK("http://evil.example","x")"#,
            "'+1",
            "'-2",
            "'@SUM(A1)",
            r"\tx",
        ]
    );
    assert_inert(
        &out.stdout,
        &[&format!("returned to {HOSTILE_CITY_SHOWN} on 2019-02-14")],
    );
}

#[test]
fn json_lines_keep_the_text_exact() {
    let out = eval(HOSTILE, &["--format", "jsonl"]).status(0).run();
    let case: serde_json::Value = serde_json::from_str(out.stdout.trim_end()).unwrap();
    assert_eq!(
        case["case_id"], "A-1\u{1b}[2J\u{1b}]0;pwned\u{7}\u{202e}",
        "{}",
        out.stdout
    );
    let because = case["findings"][0]["because"].as_str().unwrap();
    assert!(
        because.contains("Tijuana\nB-2  FLAGGED\r\u{8}\u{9b}31m\u{2066}x\u{2069} on"),
        "{because:?}"
    );
    // What JSON allows raw (C1, bidi controls) is written as `\uXXXX`.
    assert_eq!(unsafe_chars(&out.stdout), [], "{:?}", out.stdout);

    let out = eval(HOSTILE, &["--format", "flags"]).status(0).run();
    assert_eq!(unsafe_chars(&out.stdout), [], "{:?}", out.stdout);
    let line: serde_json::Value = serde_json::from_str(out.stdout.trim_end()).unwrap();
    assert_eq!(line["case_id"], "A-1\u{1b}[2J\u{1b}]0;pwned\u{7}\u{202e}");
}

#[test]
fn rejections_and_warnings_on_stderr_are_shown_inert_and_kept_exact() {
    let records = concat!(
        r#"{"case_id":"C-1\u001b[31m\u202e","program":"nope\u001b]0;pwned\u0007\n"}"#,
        "\n",
        r#"{"case_id":"C-2","program":"mpp-2019","zz\u001b[2J\u2067":1}"#,
        "\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let rejects = dir.path().join("rejects.jsonl");
    // A record was rejected: exit 4.
    let out = eval(records, &["--rejects"]).arg(&rejects).status(4).run();
    assert_inert(
        &out.stderr,
        &[
            r"(case C-1\u{1b}[31m\u{202e}): field `program`: `nope\u{1b}]0;pwned\u{7}\n` is not a value of `program`",
            r"warning: field `zz\u{1b}[2J\u{2067}` is not in the schema; it is ignored",
        ],
    );
    // The rejects file is JSON: the record as read, exactly.
    let kept: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&rejects).unwrap().trim_end()).unwrap();
    assert_eq!(kept["case_id"], "C-1\u{1b}[31m\u{202e}");
    assert_eq!(kept["raw"], records.lines().next().unwrap());
}

/// A rule file with control bytes: in a string the checker quotes, in a
/// name the parser stops at, in a comment, and a C1 character.
const CONTROL_BYTES: &str = "def a = program == \"mpp\u{1b}]0;pwned\u{7}\u{202e}\"\n\
                             def b = unknown\u{1b}[2J_x\n\
                             // \u{1b}[31m red \u{9b} comment\n\
                             def c = nri_held ==\r\n";

#[test]
fn check_shows_control_bytes_of_rule_files_inert() {
    let out = RuleSet::standard()
        .file("ctl.nrs", CONTROL_BYTES)
        .check()
        .status(1)
        .run();
    assert_inert(
        &out.stdout,
        &[
            r"error[unknown-enum-value]: `program` has no value `mpp\u{1b}]0;pwned\u{7}\u{202e}`",
            // The source line is shown escaped, the carets under the escape.
            concat!(
                "2 | def b = unknown\\u{1b}[2J_x\n",
                "  |                ^^^^^^ unexpected here\n"
            ),
        ],
    );
}

#[test]
fn check_json_keeps_rule_file_text_exact() {
    let out = RuleSet::standard()
        .file("ctl.nrs", CONTROL_BYTES)
        .check()
        .args(["--error-format", "json"])
        .status(1)
        .run();
    assert_eq!(unsafe_chars(&out.stdout), [], "{:?}", out.stdout);
    let first: serde_json::Value =
        serde_json::from_str(out.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(
        first["message"],
        "`program` has no value `mpp\u{1b}]0;pwned\u{7}\u{202e}`"
    );
}

#[test]
fn failed_rule_tests_show_names_and_values_inert() {
    let test_file = r#"
[[test]]
name = "evil \u001b]0;pwned\u0007 \u202e name"
clear = ["fear-not-screened"]
[test.case]
program = "mpp-2019"
returned_to_mexico = true
fear_of_mexico_expressed = true
nri_held = false
return_city = "Tijuana\nFAILED forged\u001b[2J"
return_date = 2019-02-14
"#;
    let out = Test::new()
        .rule_set(RuleSet::standard().file("tests/evil.toml", test_file))
        .args(["test", "rules", "--filter", "evil"])
        .status(1)
        .run();
    assert_inert(
        &out.stdout,
        &[
            r"FAILED rules/tests/evil.toml:2: evil \u{1b}]0;pwned\u{7} \u{202e} name",
            r"returned to Tijuana\nFAILED forged\u{1b}[2J",
        ],
    );
    assert!(
        !out.stdout.lines().any(|l| l.starts_with("FAILED forged")),
        "{}",
        out.stdout
    );
}
