//! `cargo bench`: throughput of the benchmark workload (WORKLOAD.md §5) on
//! the committed generated batch `tests/data/workload-3000.jsonl`.
//!
//! First, the table of the README's "Speed" section: the `nrscreen` binary
//! itself (`eval` on a batch file of the committed records cycled under
//! new case ids, output to `/dev/null`) against a hand-written serde + `if`
//! program reading the same file, as ratios of their throughputs: the
//! benchmark workload with `--format flags`, and the standard pack in JSON
//! Lines and `summary`, each with `--jobs 1` and `--jobs 2`. Runs of the
//! baseline and of each command alternate and the best times are compared
//! (a busy machine only adds time), so that the ratios hold on a machine
//! whose load changes (absolute times do not). `cargo bench --bench
//! throughput -- --ci` runs a short version of the workload line alone and
//! fails if its ratio is below [`CI_MIN_RATIO`] twice in a row.
//!
//! Then, in process, each measurement cycled until it runs for two seconds,
//! single-threaded:
//! 1. evaluation throughput: records already decoded, rules compiled, only
//!    evaluation and collecting the flagged gaps timed;
//! 2. end-to-end throughput: JSON Lines text → decode → evaluate → flags
//!    written as JSON Lines to a sink, in cases/s and MB/s;
//! 3. the same for a hand-written baseline (a serde struct and the 12 rules
//!    as plain `if`s), and nrscreen's ratio to it;
//! 4. plain CSV end to end (`tests/data/workload-3000.csv`, nrscreen's own
//!    columns) against the same records as an export read through a
//!    mapping (every column renamed, `Y`/`N` through a value table, dates
//!    as `%m/%d/%Y`; generated here, not committed), and their ratio
//!    (issue 10: the mapped path stays within 25% of plain CSV).

#![allow(clippy::unwrap_used, clippy::panic)]

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use nrscreen::bench_support::Workload;

const MIN_TIME: Duration = Duration::from_secs(2);

/// The ratio (workload `--format flags --jobs 1` over the baseline) under
/// which `--ci` fails. Issue 12 aims at 0.8 (and 1.0); measured now: about
/// 0.6 on a busy 2-core machine, so this catches a change that makes
/// nrscreen much slower, with room for the noise of a shared machine.
const CI_MIN_RATIO: f64 = 0.45;

/// Runs `pass` until `MIN_TIME` has passed; returns passes and seconds.
fn measure(mut pass: impl FnMut()) -> (u64, f64) {
    let start = Instant::now();
    let mut passes = 0;
    while start.elapsed() < MIN_TIME {
        pass();
        passes += 1;
    }
    (passes, start.elapsed().as_secs_f64())
}

fn main() {
    let ci = std::env::args().any(|arg| arg == "--ci");
    let ratio = binary::table(if ci { 20 } else { 60 }, ci);
    if ci {
        // A shared virtual machine can run one side slowly for seconds
        // (seen: 0.45 to 0.87 on the same build): a ratio under the line
        // is measured once more, and only a second one under it fails.
        if ratio < CI_MIN_RATIO {
            eprintln!("the workload ratio {ratio:.2} is below {CI_MIN_RATIO}: measuring again");
            let again = binary::table(20, ci);
            if again < CI_MIN_RATIO {
                eprintln!(
                    "the workload ratio {again:.2} is below {CI_MIN_RATIO} again: a change made nrscreen slower"
                );
                std::process::exit(1);
            }
        }
        return;
    }
    println!();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/workload-3000.jsonl"),
    )
    .expect("batch");
    let lines: Vec<&str> = text.lines().collect();
    let workload = Workload::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/workload"));

    // 1. Evaluation only.
    let mut decoded = workload.decode(&lines);
    let (passes, seconds) = measure(|| {
        black_box(decoded.evaluate_all());
    });
    let cases = passes as f64 * lines.len() as f64;
    println!("evaluation:  {:>10.0} cases/s", cases / seconds);

    // 2. End to end through the batch driver.
    let bytes = text.len() as f64;
    let (passes, seconds) = measure(|| {
        black_box(workload.end_to_end(&text, &mut std::io::sink()));
    });
    let e2e = passes as f64 * lines.len() as f64 / seconds;
    println!(
        "end to end:  {:>10.0} cases/s  {:>7.1} MB/s",
        e2e,
        passes as f64 * bytes / seconds / 1e6
    );

    // 3. The hand-written baseline.
    let (passes, seconds) = measure(|| {
        let mut out = std::io::sink();
        for line in &lines {
            let record: baseline::Record = serde_json::from_str(line).expect("baseline decodes");
            let flags = baseline::flags(&record);
            serde_json::to_writer(&mut out, &(record.case_id.as_str(), flags)).expect("write");
        }
    });
    let base = passes as f64 * lines.len() as f64 / seconds;
    println!(
        "baseline:    {:>10.0} cases/s  {:>7.1} MB/s",
        base,
        passes as f64 * bytes / seconds / 1e6
    );
    println!(
        "ratio:       {:>10.2} (nrscreen end to end / baseline)",
        e2e / base
    );

    // 4. Plain CSV against the same records through a mapping.
    let csv = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/workload-3000.csv"),
    )
    .expect("CSV batch");
    let export = workload.mapped_export(&csv);
    let mapping = workload.load_mapping(&export.mapping);
    // Both paths give the same flags before either is timed.
    let (mut plain_flags, mut mapped_flags) = (Vec::new(), Vec::new());
    let plain_cases = workload.csv_end_to_end(&csv, &mut plain_flags);
    let mapped_cases = workload.mapped_end_to_end(&mapping, &export.csv, &mut mapped_flags);
    assert_eq!(
        plain_cases,
        lines.len() as u64,
        "every CSV record is evaluated"
    );
    assert_eq!(
        mapped_cases, plain_cases,
        "every mapped record is evaluated"
    );
    assert!(
        plain_flags == mapped_flags,
        "the mapped path flags what plain CSV does"
    );
    // Passes of the two alternate, so that a change in the machine's load
    // (2 cores, shared) weighs on both alike and the ratio stays fair.
    let (mut plain_time, mut mapped_time, mut passes) = (Duration::ZERO, Duration::ZERO, 0u64);
    while plain_time + mapped_time < 2 * MIN_TIME {
        let start = Instant::now();
        black_box(workload.csv_end_to_end(&csv, &mut std::io::sink()));
        let middle = Instant::now();
        black_box(workload.mapped_end_to_end(&mapping, &export.csv, &mut std::io::sink()));
        mapped_time += middle.elapsed();
        plain_time += middle - start;
        passes += 1;
    }
    let seconds = plain_time.as_secs_f64();
    let plain = passes as f64 * plain_cases as f64 / seconds;
    println!(
        "plain CSV:   {:>10.0} cases/s  {:>7.1} MB/s",
        plain,
        passes as f64 * csv.len() as f64 / seconds / 1e6
    );
    let seconds = mapped_time.as_secs_f64();
    let mapped = passes as f64 * mapped_cases as f64 / seconds;
    println!(
        "mapped CSV:  {:>10.0} cases/s  {:>7.1} MB/s",
        mapped,
        passes as f64 * export.csv.len() as f64 / seconds / 1e6
    );
    println!(
        "ratio:       {:>10.2} (mapped / plain CSV; issue 10 asks >= 0.75)",
        mapped / plain
    );
}

/// The `nrscreen` binary against the baseline program, on a batch file.
mod binary {
    use std::io::{BufRead, BufWriter, Write};
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::time::Instant;

    /// One line of the table: a rule set, an output format, a thread count.
    struct Run {
        what: &'static str,
        rules: &'static str,
        format: &'static str,
        jobs: u32,
    }

    const RUNS: [Run; 6] = [
        Run {
            what: "workload, `--format flags`",
            rules: "benches/workload",
            format: "flags",
            jobs: 1,
        },
        Run {
            what: "workload, `--format flags`",
            rules: "benches/workload",
            format: "flags",
            jobs: 2,
        },
        Run {
            what: "standard pack, JSON Lines (explanations)",
            rules: "rules",
            format: "jsonl",
            jobs: 1,
        },
        Run {
            what: "standard pack, JSON Lines (explanations)",
            rules: "rules",
            format: "jsonl",
            jobs: 2,
        },
        Run {
            what: "standard pack, `--format summary`",
            rules: "rules",
            format: "summary",
            jobs: 1,
        },
        Run {
            what: "standard pack, `--format summary`",
            rules: "rules",
            format: "summary",
            jobs: 2,
        },
    ];

    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    /// Writes the committed batch `cycles` times under new case ids
    /// (`A-0000001` → `A-0000001.7`) into a file of the build's temporary
    /// directory; the file and its number of records.
    fn batch(cycles: usize) -> (PathBuf, usize) {
        let text =
            std::fs::read_to_string(root().join("tests/data/workload-3000.jsonl")).expect("batch");
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-{cycles}.jsonl"));
        let mut out = BufWriter::new(std::fs::File::create(&path).expect("batch file"));
        let mut records = 0;
        for cycle in 0..cycles {
            for line in text.lines() {
                // Every line begins with its case id: `{"case_id":"A-…",`.
                let (id, rest) = line.split_once("\",").expect("a case id first");
                writeln!(out, "{id}.{cycle}\",{rest}").expect("write");
                records += 1;
            }
        }
        out.flush().expect("write");
        (path, records)
    }

    /// Seconds the baseline takes over `path` (flags to a discarded buffer).
    fn baseline(path: &Path) -> f64 {
        let start = Instant::now();
        let file = std::fs::File::open(path).expect("batch");
        let mut input = std::io::BufReader::with_capacity(1 << 16, file);
        let mut out = BufWriter::new(std::io::sink());
        let mut line = String::new();
        while input.read_line(&mut line).expect("read") > 0 {
            let record: super::baseline::Record =
                serde_json::from_str(&line).expect("baseline decodes");
            let flags = super::baseline::flags(&record);
            serde_json::to_writer(&mut out, &(record.case_id.as_str(), flags)).expect("write");
            out.write_all(b"\n").expect("write");
            line.clear();
        }
        out.flush().expect("write");
        start.elapsed().as_secs_f64()
    }

    /// Seconds `nrscreen eval` takes over `path`, output to `/dev/null`.
    fn nrscreen(run: &Run, path: &Path) -> f64 {
        let start = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_nrscreen"))
            .current_dir(root())
            .args(["eval", "--rules", run.rules, "--format", run.format])
            .arg("--jobs")
            .arg(run.jobs.to_string())
            .arg(path)
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("nrscreen runs");
        let seconds = start.elapsed().as_secs_f64();
        // Exit 1: cases were flagged.
        assert!(
            matches!(status.code(), Some(0 | 1)),
            "nrscreen eval failed: {status}"
        );
        seconds
    }

    /// The shortest of the times: a shared machine only ever adds time
    /// (the runs alternate, so a slow spell does not favour one side).
    fn best(times: Vec<f64>) -> f64 {
        times.into_iter().fold(f64::INFINITY, f64::min)
    }

    /// Prints the table (markdown) over the batch cycled `cycles` times,
    /// the best of five alternating rounds (nine with `ci`, only the
    /// first line); the first line's ratio.
    pub(super) fn table(cycles: usize, ci: bool) -> f64 {
        let (path, records) = batch(cycles);
        let runs = if ci { &RUNS[..1] } else { &RUNS[..] };
        let rounds = if ci { 9 } else { 5 };
        let mut base_times = Vec::new();
        let mut times = vec![Vec::new(); runs.len()];
        for _ in 0..rounds {
            base_times.push(baseline(&path));
            for (run, times) in runs.iter().zip(&mut times) {
                times.push(nrscreen(run, &path));
            }
        }
        let base = best(base_times);
        let rate = |seconds: f64| records as f64 / seconds;
        println!(
            "{records} records ({:.0} MB), the best of {rounds} alternating runs:\n",
            std::fs::metadata(&path).map_or(0, |m| m.len()) as f64 / 1e6
        );
        println!("| what | `--jobs` | cases/s | ratio to the baseline |");
        println!("|---|---:|---:|---:|");
        println!(
            "| hand-written baseline (serde struct + 12 `if`s, flags out) | 1 | {:.0} | 1.00 |",
            rate(base)
        );
        let mut ratios = Vec::new();
        for (run, times) in runs.iter().zip(times) {
            let seconds = best(times);
            ratios.push(base / seconds);
            println!(
                "| {} | {} | {:.0} | {:.2} |",
                run.what,
                run.jobs,
                rate(seconds),
                base / seconds
            );
        }
        for pair in ratios.chunks(2) {
            if let [one, two] = pair {
                println!("`--jobs 2` / `--jobs 1`: {:.2}", two / one);
            }
        }
        let _ = std::fs::remove_file(&path);
        ratios[0]
    }
}

/// The workload as a typed struct and plain `if`s.
mod baseline {
    use serde::Deserialize;

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub(crate) struct Nri {
        pub(crate) counsel_access: Option<bool>,
        pub(crate) interpreter_language: Option<String>,
        pub(crate) outcome: Option<String>,
        pub(crate) reviewed: Option<bool>,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub(crate) struct Record {
        pub(crate) case_id: String,
        pub(crate) nationality: Option<String>,
        pub(crate) country_of_origin: Option<String>,
        pub(crate) unaccompanied_minor: Option<bool>,
        pub(crate) languages: Option<Vec<String>>,
        pub(crate) vulnerabilities: Option<Vec<String>>,
        pub(crate) program: Option<String>,
        pub(crate) asked_about_fear: Option<bool>,
        pub(crate) fear_of_mexico_expressed: Option<bool>,
        pub(crate) nri: Option<Nri>,
        pub(crate) returned_to_mexico: Option<bool>,
        pub(crate) return_state: Option<String>,
        pub(crate) mexico_status: Option<String>,
        pub(crate) harm_in_mexico: Option<Vec<String>>,
        pub(crate) harm_reported_date: Option<String>,
        pub(crate) rescreened_after_harm: Option<bool>,
        pub(crate) notice_address: Option<String>,
        pub(crate) in_absentia_order: Option<bool>,
    }

    fn has(list: &Option<Vec<String>>, v: &str) -> bool {
        list.as_ref().is_some_and(|l| l.iter().any(|x| x == v))
    }

    fn is(field: &Option<String>, v: &str) -> bool {
        field.as_deref() == Some(v)
    }

    pub(crate) fn flags(r: &Record) -> Vec<&'static str> {
        let mut out = Vec::new();
        let returned = r.returned_to_mexico == Some(true);
        if returned && (is(&r.nationality, "MX") || is(&r.country_of_origin, "MX")) {
            out.push("direct-refoulement");
        }
        if returned && r.fear_of_mexico_expressed == Some(true) && r.nri.is_none() {
            out.push("fear-not-screened");
        }
        if returned && is(&r.program, "mpp-2021") && r.asked_about_fear == Some(false) {
            out.push("fear-not-asked");
        }
        if let Some(nri) = &r.nri {
            if nri.counsel_access == Some(false) {
                out.push("no-counsel-access");
            }
            if let Some(language) = &nri.interpreter_language {
                if !has(&r.languages, language) {
                    out.push("no-interpreter");
                }
            }
        }
        let v = &r.vulnerabilities;
        if returned
            && (r.unaccompanied_minor == Some(true)
                || has(v, "physical-health")
                || has(v, "mental-health")
                || (is(&r.program, "mpp-2021")
                    && ["pregnant", "lgbtqi", "advanced-age", "disability"]
                        .iter()
                        .any(|x| has(v, x))))
        {
            out.push("excluded-category-returned");
        }
        if returned
            && r.return_state.as_deref().is_some_and(|s| {
                ["MX-TAM", "MX-COL", "MX-GRO", "MX-MIC", "MX-SIN", "MX-ZAC"].contains(&s)
            })
        {
            out.push("danger-of-return");
        }
        let harmed = r.harm_in_mexico.as_ref().is_some_and(|h| !h.is_empty());
        if harmed && r.harm_reported_date.is_some() && r.rescreened_after_harm == Some(false) {
            out.push("harm-not-rescreened");
        }
        if returned && is(&r.mexico_status, "none") && has(&r.harm_in_mexico, "deportation-threat")
        {
            out.push("chain-refoulement-risk");
        }
        if let Some(nri) = &r.nri {
            if is(&nri.outcome, "negative") && nri.reviewed == Some(false) {
                out.push("unreviewed-negative");
            }
        }
        if is(&r.notice_address, "domicilio conocido") || is(&r.notice_address, "Facebook") {
            out.push("notice-defect");
        }
        if r.in_absentia_order == Some(true)
            && (has(&r.harm_in_mexico, "kidnapping") || has(&r.harm_in_mexico, "sexual-assault"))
        {
            out.push("in-absentia-after-harm");
        }
        out
    }
}
