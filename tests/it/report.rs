//! The batch report, `eval --format html` and `--format markdown`: the
//! committed examples (over `rules/examples/cases.jsonl`, with a fixed
//! date) are what the binary writes; the HTML's structure (the DOM the
//! browser test reads) agrees with `--format summary`; untrusted text stays
//! inert in both.

use crate::harness::Test;

/// The example batch.
const CASES: &str = "rules/examples/cases.jsonl";

/// The date the examples are made with.
const DATE: &str = "2026-01-01";

fn report(format: &str) -> Test {
    Test::new().args([
        "eval",
        "--rules",
        "rules",
        CASES,
        "--format",
        format,
        "--report-date",
        DATE,
    ])
}

#[test]
fn the_committed_example_reports_are_what_eval_writes() {
    report("markdown")
        .status(0)
        .stdout_file("examples/reports/cases.md")
        .run();
    report("html")
        .status(0)
        .stdout_file("examples/reports/cases.html")
        .run();
}

/// The value of `attribute="…"` in each element of `html` that has it.
fn attributes<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
    let needle = format!("{attribute}=\"");
    html.split(needle.as_str())
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

/// The text between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("no {start}"));
    let rest = &html[from..];
    &rest[..rest
        .find(end)
        .unwrap_or_else(|| panic!("no {end} after {start}"))]
}

/// The per-gap flagged case counts of `--format summary`, and its case line.
fn summary() -> (Vec<(String, u64)>, String) {
    let out = Test::new()
        .args(["eval", "--rules", "rules", CASES, "--format", "summary"])
        .status(0)
        .run();
    let mut gaps = Vec::new();
    // Two header lines, then: gap, flagged findings, flagged cases, %, …
    for line in out.stdout.lines().skip(2) {
        if line.is_empty() {
            break;
        }
        let cells: Vec<&str> = line.split_whitespace().collect();
        gaps.push((cells[0].to_string(), cells[2].parse().unwrap()));
    }
    let cases = out
        .stdout
        .lines()
        .find(|l| l.starts_with("cases: "))
        .unwrap()
        .to_string();
    (gaps, cases)
}

#[test]
fn the_html_report_is_self_contained_and_agrees_with_the_summary() {
    let html = report("html").status(0).run().stdout;
    assert!(!html.contains("<script"), "a script");
    assert!(!html.contains("http"), "an address");
    assert!(!html.contains("src="), "an external resource");
    for href in attributes(&html, "href") {
        assert!(href.starts_with('#'), "a link out: {href}");
    }
    for id in ["provenance", "headline", "decide", "rejections"] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
    }

    // The headline's cases add up to those evaluated, as the summary says.
    let headline = between(&html, "<section id=\"headline\">", "</section>");
    let outcomes = attributes(headline, "data-outcome");
    assert_eq!(outcomes, ["flagged", "needs-review", "clear"]);
    let counts: Vec<u64> = attributes(headline, "data-count")
        .iter()
        .map(|n| n.parse().unwrap())
        .collect();
    let (gaps, cases) = summary();
    let total = counts.iter().sum::<u64>();
    let share = |n: u64| n as f64 * 100.0 / total as f64;
    assert_eq!(
        cases,
        format!(
            "cases: {total} evaluated; {} flagged ({:.1}%), {} need review ({:.1}%), {} clear ({:.1}%)",
            counts[0],
            share(counts[0]),
            counts[1],
            share(counts[1]),
            counts[2],
            share(counts[2])
        )
    );

    // Every chart: one SVG, one bar per table row, in the same order, as
    // long as its count.
    for id in [
        "chart-gaps",
        "chart-months",
        "chart-states",
        "chart-cities",
        "chart-programs",
    ] {
        let figure = between(
            &html,
            &format!("<figure class=\"chart\" id=\"{id}\">"),
            "</figure>",
        );
        assert_eq!(figure.matches("<svg").count(), 1, "{id}");
        let table = between(figure, "<table class=\"chart-data\">", "</table>");
        let rows: Vec<u64> = attributes(table, "data-count")
            .iter()
            .map(|n| n.parse().unwrap())
            .collect();
        assert_eq!(table.matches("<tr>").count(), rows.len(), "{id}");
        assert!(!rows.is_empty(), "{id}");
        let svg = between(figure, "<svg", "</svg>");
        let widths: Vec<f64> = attributes(svg, "width")
            .iter()
            .map(|w| w.parse().unwrap())
            .collect();
        // The svg's own width, the background, then one bar per row.
        assert_eq!(widths.len(), rows.len() + 2, "{id}");
        let max = *rows.iter().max().unwrap() as f64;
        let longest = widths[2..].iter().cloned().fold(0.0, f64::max);
        for (width, count) in widths[2..].iter().zip(&rows) {
            let expected = *count as f64 / max * longest;
            assert!((width - expected).abs() <= 1.0, "{id}: {width} for {count}");
        }
        if id == "chart-gaps" {
            // Flagged cases per gap: the summary's flagged cases, for every
            // gap with any.
            let labels: Vec<&str> = table
                .split("<th scope=\"row\">")
                .skip(1)
                .filter_map(|r| r.split('<').next())
                .collect();
            let mut shown: Vec<(String, u64)> = labels
                .iter()
                .map(|l| l.to_string())
                .zip(rows.iter().copied())
                .collect();
            let mut expected: Vec<(String, u64)> =
                gaps.iter().filter(|(_, n)| *n > 0).cloned().collect();
            shown.sort();
            expected.sort();
            assert_eq!(shown, expected);
        }
    }

    // A section per gap.
    for (gap, _) in &gaps {
        assert!(
            html.contains(&format!("<section id=\"gap-{gap}\"")),
            "{gap}"
        );
    }

    // What would decide the open cases: every needs-review finding once.
    let decide = between(&html, "<section id=\"decide\">", "</section>");
    let findings: u64 = attributes(decide, "data-findings")
        .iter()
        .map(|n| n.parse::<u64>().unwrap())
        .sum();
    let review: u64 = attributes(decide, "data-review-findings")[0]
        .parse()
        .unwrap();
    assert!(findings > 0);
    assert_eq!(findings, review);
}

/// One flagged record of the example batch with hostile text in its case
/// id and city.
fn hostile_record() -> String {
    let cases = std::fs::read_to_string(crate::harness::repo_root().join(CASES)).unwrap();
    let mut record: serde_json::Value =
        serde_json::from_str(cases.lines().next().unwrap()).unwrap();
    record["case_id"] = "<img src=x onerror=alert(1)>".into();
    record["return_city"] = "Nuevo | Laredo `rm -rf` *x* [a](#b)".into();
    format!("{record}\n")
}

#[test]
fn untrusted_text_stays_inert_in_both_reports() {
    let run = |format: &str| {
        Test::new()
            .args([
                "eval",
                "--rules",
                "rules",
                "-",
                "--format",
                format,
                "--report-date",
                DATE,
            ])
            .stdin(hostile_record())
            .status(0)
            .run()
            .stdout
    };
    let html = run("html");
    assert!(!html.contains("<img"), "{html}");
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{html}"
    );
    assert!(
        html.contains("Nuevo | Laredo `rm -rf` *x* [a](#b)"),
        "{html}"
    );

    let markdown = run("markdown");
    // Every `<` escaped: no HTML tag starts.
    assert!(!markdown.replace(r"\<", "").contains('<'), "{markdown}");
    assert!(
        markdown.contains(r"\<img src\=x onerror\=alert\(1\)\>"),
        "{markdown}"
    );
    let city = r"Nuevo \| Laredo \`rm \-rf\` \*x\* \[a\]\(\#b\)";
    // Shown in the example's explanation, every mark escaped: no code
    // span, emphasis, link or table cell starts inside it.
    let line = markdown
        .lines()
        .find(|l| l.starts_with("* ") && l.contains(city))
        .unwrap_or_else(|| panic!("{markdown}"));
    assert!(!line.contains(" | ") && !line.contains("(#b)"), "{line}");
    // In the cities table the pipe does not end the cell: one cell, then
    // the count.
    assert!(
        markdown.lines().any(|l| l == format!("| {city} | 1 |")),
        "{markdown}"
    );
}

#[test]
fn standard_input_is_hashed_as_read_and_rejections_are_listed_by_line() {
    use sha2::Digest;
    let cases = std::fs::read_to_string(crate::harness::repo_root().join(CASES)).unwrap();
    let input = format!("{}\n{{\"case_id\": 7\n", cases.lines().next().unwrap());
    let html = Test::new()
        .args([
            "eval",
            "--rules",
            "rules",
            "-",
            "--format",
            "html",
            "--max-rejects",
            "1",
            "--report-date",
            "2026-01-01T12:30:00Z",
        ])
        .stdin(input.clone())
        .status(0)
        .run()
        .stdout;
    let digest: String = sha2::Sha256::digest(input.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let provenance = between(&html, "<section id=\"provenance\">", "</section>");
    assert!(provenance.contains(&digest), "{provenance}");
    assert!(
        provenance.contains(&format!("<td class=\"n\">{}</td>", input.len())),
        "{provenance}"
    );
    assert!(
        provenance.contains("2026-01-01 12:30:00 UTC"),
        "{provenance}"
    );
    assert!(
        provenance.contains("read 2, evaluated 1, rejected 1"),
        "{provenance}"
    );
    let rejections = between(&html, "<section id=\"rejections\">", "</section>");
    assert!(rejections.contains("<td>2</td>"), "{rejections}");
}

#[test]
fn a_report_date_that_is_not_a_date_is_a_usage_error() {
    Test::new()
        .args([
            "eval",
            "--rules",
            "rules",
            CASES,
            "--format",
            "markdown",
            "--report-date",
            "yesterday",
        ])
        .status(2)
        .run();
}
