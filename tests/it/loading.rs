//! Large inputs load in linear (or n log n) time: a rule set with 50,000
//! table rows and 50,000 gaps, a TOML batch of 20,000 cases. Before, each
//! was quadratic (about 12 s, 10 s and 6 s in a release build); now each
//! takes a second or two in a debug build. The tests do not time anything:
//! they check what a large input gives (the clash planted at the end, the
//! line of the last case), and keep the suite's usual time only while
//! loading stays linear.

use crate::harness::{last_line, standard_summary, RuleSet};

/// Rows and gaps in the large rule set.
const MANY: usize = 50_000;

#[test]
fn a_rule_set_with_many_table_rows_and_gaps_checks_and_finds_the_clashes() {
    let mut rows = String::new();
    for i in 0..MANY {
        rows.push_str(&format!(
            "\n[[row]]\nkey = \"city{i}\"\nvalue = \"MX-BCN\"\n"
        ));
    }
    let mut gaps = String::new();
    for i in 0..MANY {
        gaps.push_str(&format!(
            "\n[[gap]]\nid = \"extra-{i}\"\nseverity = \"low\"\ntitle = \"extra gap {i}\"\n"
        ));
    }
    // Exactly the two clashes planted at the end, and nothing else.
    let set = RuleSet::standard()
        .append("tables/city-state.toml", &rows)
        .append(
            "tables/city-state.toml",
            "\n[[row]]\nkey = \"city7\"\nvalue = \"MX-SON\"\n",
        )
        .append("gaps.toml", &gaps)
        .append(
            "gaps.toml",
            "\n[[gap]]\nid = \"extra-9\"\nseverity = \"low\"\ntitle = \"again\"\n",
        );
    let out = set.check().status(1).run();
    assert!(
        out.stdout
            .contains("error[duplicate-gap]: gap `extra-9` is declared twice"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("error[table-overlap]: key `city7` appears twice"),
        "{}",
        out.stdout
    );
    assert_eq!(
        last_line(&out.stdout),
        standard_summary(0, 0, "2 errors, 0 warnings")
    );
}

#[test]
fn a_large_toml_batch_is_read_with_the_right_lines() {
    let n = 20_000;
    let mut batch = String::new();
    for i in 0..n {
        batch.push_str(&format!(
            "[[case]]\ncase_id = \"A-{i}\"\nprogram = \"mpp-2019\"\nreturned_to_mexico = true\n\n"
        ));
    }
    // The last case, on line 5 * n + 1, is rejected (exit 4).
    batch.push_str("[[case]]\ncase_id = \"last\"\nage = 1.5\n");
    let out = RuleSet::standard()
        .eval_summary("toml")
        .stdin(batch)
        .status(4)
        .run();
    assert!(
        out.stderr.contains(&format!("-:{} (case last)", 5 * n + 1)),
        "{}",
        out.stderr
    );
    assert_eq!(
        last_line(&out.stderr),
        format!(
            "read {}, evaluated {n}, rejected 1; flagged 0, needs review {n}, clear 0",
            n + 1
        )
    );
}
