//! The command line: one file per subcommand. `run` returns the exit code:
//! 0 success, 1 the rule set has errors, 2 usage or I/O errors, 3
//! `--fail-on`, 4 records were rejected (see [`Exit`]).

mod audit;
mod brief;
mod check;
mod completions;
mod diff;
mod eval;
mod explain;
mod fmt;
mod formats;
mod logging;
mod man;
mod map;
mod mutants;
mod output_file;
mod progress;
mod test;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// How `nrscreen` ends: its exit code, decided here and nowhere else.
///
/// When more than one applies to an `eval` run, the first of 1, 2, 4, 3
/// wins: a rule set with errors evaluates nothing; a usage or I/O error
/// (or `--strict`) means the batch was not read whole; rejected records
/// mean it was not screened whole, so `--fail-on` speaks only of what was
/// screened and comes last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: done (findings or not; warnings allowed; rejections within
    /// `--max-rejects`).
    Success,
    /// 1: the rule set has errors, or tests or audits failed, or `fmt`
    /// met a rule file with syntax errors (or, `--check`, one not
    /// formatted).
    RuleErrors,
    /// 2: usage or I/O error (also: `--strict` stopped at a rejected record).
    Usage,
    /// 3: `--fail-on` found a finding at or above its severity.
    FailOn,
    /// 4: `eval` rejected records (after reading the whole batch): more
    /// than `--max-rejects` allows, or every record read; `map check`:
    /// rows would be rejected.
    Rejected,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::RuleErrors => 1,
            Exit::Usage => 2,
            Exit::FailOn => 3,
            Exit::Rejected => 4,
        }
    }
}

impl std::process::Termination for Exit {
    fn report(self) -> std::process::ExitCode {
        std::process::ExitCode::from(self.code())
    }
}

/// Nonrefoulement risk screening: find the asylum cases where a safeguard
/// against return to danger was missing.
#[derive(Parser, Debug)]
#[command(
    name = "nrscreen",
    version,
    about,
    long_about = None,
    after_help = "Exit codes: 0 success; 1 the rule set has errors, or tests, audits or `fmt --check` \
failed; 2 usage or I/O errors; 3 `eval --fail-on` saw a finding at that severity; 4 records were \
rejected. Each subcommand's --help says which it uses.\n\n\
Examples:\n  \
nrscreen check rules\n  \
nrscreen eval rules/examples/cases.jsonl --format table\n  \
nrscreen fmt --check rules"
)]
pub(crate) struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace). Logs never
    /// contain case-record values except at trace level. `RUST_LOG` also works.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check a rule set: syntax, names, types, tables. Prints every problem
    /// found and a summary line.
    #[command(
        after_help = "Exit codes: 0 no errors (warnings allowed); 1 the rule set has errors; 2 usage or I/O errors.\n\n\
Examples:\n  \
nrscreen check rules                        # the standard rule pack\n  \
nrscreen check rules --error-format json    # one JSON object per problem, for editors"
    )]
    Check(CheckArgs),
    /// Evaluate a rule set over batches of case records (JSON Lines, CSV, TSV
    /// or TOML; gzip or zstd compressed or not) and write each case's
    /// safeguard gaps with evidence and sources.
    ///
    /// Case records are personal data: nothing leaves the machine, and logs
    /// never show record values unless you ask for trace level (-vvv).
    #[command(
        after_help = "Exit codes: 0 the batch was evaluated (findings or not; rejections within --max-rejects); \
1 the rule set has errors; 2 usage or I/O errors (also --strict stopping at a rejected record); \
3 --fail-on saw a flagged finding at that severity or above; 4 records were rejected (more than \
--max-rejects allows, or every record read). When several apply: 1, then 2, then 4, then 3.\n\n\
Examples:\n  \
nrscreen eval rules/examples/cases.jsonl --format table\n  \
nrscreen eval --map maps/cms-example.toml examples/data/cms-export.csv --fail-on high\n  \
nrscreen eval cases.jsonl.gz --format html --output report.html"
    )]
    Eval(EvalArgs),
    /// Run a rule set's example tests (`RULESET/tests/*.toml`): each case
    /// with the findings it must (and must not) produce. Exit 1 on any
    /// failure.
    #[command(
        after_help = "Exit codes: 0 every test passed (and coverage reached --coverage-min); 1 the rule set \
or the test files have errors, a test failed, or coverage is below --coverage-min; 2 usage or I/O errors.\n\n\
Examples:\n  \
nrscreen test rules\n  \
nrscreen test rules --filter notice          # only the tests whose name contains `notice`\n  \
nrscreen test rules --coverage --coverage-min 100"
    )]
    Test(TestArgs),
    /// Check a rule set's audits (`audit "…" { for every case where … expect
    /// … }`) and the built-in ones over generated case records; a failure is
    /// shrunk to the smallest case that breaks it. Exit 1 on any failure.
    #[command(
        after_help = "Exit codes: 0 every audit passed; 1 the rule set has errors or an audit failed; \
2 usage or I/O errors.\n\n\
Examples:\n  \
nrscreen audit rules\n  \
nrscreen audit rules --cases 300 --seed 1     # what CI runs\n  \
nrscreen audit rules --audit notice          # only the audits whose name contains `notice`"
    )]
    Audit(AuditArgs),
    /// How strong are the tests and audits: which one-node changes of the
    /// rule set they catch.
    ///
    /// Changes the rule set one node at a time (an operator, a constant, an
    /// operand or exception dropped, a window bound moved) and reports which
    /// changes the rule tests and the audits catch ("killed") and which they
    /// let through ("survived"), survivors first, each with a rule test that
    /// would catch it.
    #[command(after_help = mutants::AFTER_HELP)]
    Mutants(mutants::MutantsArgs),
    /// Work with input mappings (see grammar/MAPPING.md).
    #[command(
        subcommand,
        after_help = "Exit codes: those of the subcommand (see `nrscreen map check --help`); 2 usage errors.\n\n\
Examples:\n  \
nrscreen map check maps/cms-example.toml\n  \
nrscreen map check maps/cms-example.toml examples/data/cms-export.csv"
    )]
    Map(MapCommand),
    /// Write one case's brief for a lawyer (Markdown or HTML): the recorded
    /// facts the rules read, each finding with its explanation, citations
    /// and the reference-table rows it used, and the questions that would
    /// decide the findings under review.
    #[command(
        after_help = "Exit codes: 0 the brief was written; 1 the rule set (or the mapping) has errors; \
2 usage or I/O errors, or no record has that case id; 4 the record of that case was rejected (its problems are shown).\n\
The brief is dated --date, else NRSCREEN_REPORT_DATE (YYYY-MM-DD), else today (UTC).\n\n\
Examples:\n  \
nrscreen brief rules/examples/cases.jsonl --case A-0000001\n  \
nrscreen brief rules/examples/cases.jsonl --case A-0000001 --format html --output brief.html"
    )]
    Brief(brief::BriefArgs),
    /// Explain one case's evaluation as a tree: every rule (or one), its
    /// window, each operand of its condition and exceptions with its value
    /// and the facts it read, the definitions' values, the table rows used;
    /// then what would change each outcome (for a finding under review, the
    /// values of the unknown fields that would decide it).
    #[command(
        after_help = "Exit codes: 0 the explanation was written; 1 the rule set (or the mapping) has errors; \
2 usage or I/O errors, no record has that case id, or no rule has that id; 4 the record of that case was rejected (its problems are shown).

Examples:
  nrscreen explain --rules rules rules/examples/cases.jsonl --case A-0000011
  nrscreen explain --rules rules rules/examples/cases.jsonl --case A-0000011 --rule fear-not-screened
  nrscreen explain --rules rules --map maps/cms-example.toml examples/data/cms-export.csv --case A999000101 --format json"
    )]
    Explain(explain::ExplainArgs),
    /// Compare two rule sets over the same batch: per gap, how many cases
    /// changed outcome in each direction (clear → flagged, …), a sample of
    /// changed cases with both explanations, and the rules, definitions
    /// and tables added, removed or changed (rules compared as printed, so
    /// layout does not count).
    #[command(
        after_help = "Exit codes: 0 compared (changes or not, without --fail-on-change); 1 a rule set has errors, \
or --fail-on-change and some case changed outcome; 2 usage or I/O errors; 4 records were rejected (counted and \
summarised on stderr; read = evaluated + rejected). When several apply: rule-set errors, then 2, then 4, then \
--fail-on-change.

Examples:
  nrscreen diff rules-main rules rules/examples/cases.jsonl
  nrscreen diff rules-main rules rules/examples/cases.jsonl --format markdown > diff.md
  nrscreen diff rules-main rules tests/data/workload-3000.jsonl --fail-on-change"
    )]
    Diff(diff::DiffArgs),
    /// Rewrite rule files (`.nrs`) in the canonical layout, keeping every
    /// comment, doc comment and blank line between declarations. Only files
    /// that parse are changed.
    #[command(after_help = fmt::AFTER_HELP)]
    Fmt(fmt::FmtArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell,
    /// elvish).
    #[command(after_help = completions::AFTER_HELP)]
    Completions(completions::CompletionsArgs),
    /// Write the manual pages (roff): `nrscreen.1` on standard output, or
    /// it and one page per subcommand into a directory.
    #[command(after_help = man::AFTER_HELP)]
    Man(man::ManArgs),
}

/// `nrscreen map …`.
#[derive(Subcommand, Debug)]
pub(crate) enum MapCommand {
    /// A dry run of a mapping over input files: what each column fills,
    /// the schema fields nothing fills, the values no table covers (with
    /// counts and lines), how often each field would be unknown, and the
    /// records that would be rejected. Nothing is evaluated.
    #[command(
        after_help = "Exit codes: 0 every row would be read; 1 the mapping has errors or does not fit a file; \
2 usage or I/O errors; 4 some rows would be rejected.\n\n\
Examples:\n  \
nrscreen map check maps/cms-example.toml                          # the mapping alone\n  \
nrscreen map check maps/cms-example.toml examples/data/cms-export.csv --rows 1000"
    )]
    Check(MapCheckArgs),
}

#[derive(clap::Args, Debug)]
pub(crate) struct MapCheckArgs {
    /// The mapping file.
    mapping: PathBuf,
    /// Input files to try it on (none: check the mapping alone).
    inputs: Vec<String>,
    /// The rule-set directory (its schema is what the mapping fills).
    #[arg(long, default_value = "rules")]
    rules: PathBuf,
    /// Read only the first N rows of each file.
    #[arg(long, value_name = "N")]
    rows: Option<u64>,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

impl Command {
    /// The `--color` choice the subcommand was given.
    fn color(&self) -> ColorChoice {
        match self {
            Command::Check(args) => args.color,
            Command::Eval(args) => args.color,
            Command::Test(args) => args.color,
            Command::Audit(args) => args.color,
            Command::Mutants(args) => args.color,
            Command::Map(MapCommand::Check(args)) => args.color,
            Command::Brief(args) => args.color,
            Command::Explain(args) => args.color,
            Command::Diff(args) => args.color,
            Command::Fmt(args) => args.color,
            Command::Completions(_) | Command::Man(_) => ColorChoice::Auto,
        }
    }
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ErrorFormat {
    /// Readable text with the source line and a caret under the problem.
    Human,
    /// One JSON object per line, for editors and scripts.
    Json,
}

/// When to colour output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// Colour when writing to a terminal.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

#[derive(clap::Args, Debug)]
pub(crate) struct CheckArgs {
    /// The rule-set directory (it holds `ruleset.toml`).
    ruleset: PathBuf,
    /// How to print problems.
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    error_format: ErrorFormat,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(clap::Args, Debug)]
pub(crate) struct EvalArgs {
    /// The rule-set directory.
    #[arg(long, default_value = "rules")]
    rules: PathBuf,
    /// Case files to read, in order (`-` reads standard input).
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Read the inputs through this mapping (grammar/MAPPING.md): an
    /// external table's columns and values become case-record fields.
    #[arg(long, value_name = "MAPPING", conflicts_with = "input_format")]
    map: Option<PathBuf>,
    /// The input format (default: from the file extension, under a `.gz`,
    /// `.zst` or `.zstd` suffix; `-` is JSON Lines). gzip and zstd input is
    /// told by its first bytes and decompressed as it is read.
    #[arg(long, value_enum)]
    input_format: Option<crate::records::input::InputFormat>,
    /// The output format.
    #[arg(long, value_enum, default_value_t = crate::report::OutputFormat::Jsonl)]
    format: crate::report::OutputFormat,
    /// Write the results to this file instead of standard output. It is
    /// written whole or not at all, and never over an input.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Write every rejected record, with its reason, to this JSON Lines file
    /// (written whole or not at all, and never over an input).
    #[arg(long, value_name = "FILE")]
    rejects: Option<PathBuf>,
    /// Stop at the first record that cannot be decoded (exit 2).
    #[arg(long)]
    strict: bool,
    /// How many rejected records the run tolerates before it exits 4: a
    /// count (`10`) or a percentage of the records read (`5%`). Without
    /// it, any rejection exits 4; a run that evaluated no record it read
    /// exits 4 whatever this says.
    #[arg(long, value_name = "N|N%", value_parser = MaxRejects::parse)]
    max_rejects: Option<MaxRejects>,
    /// Exit 3 if a finding at this severity or above is flagged.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on: Option<crate::severity::Severity>,
    /// Also report rules that an exception cleared, naming the exception.
    #[arg(long)]
    show_cleared: bool,
    /// Do not reject repeated case ids. Finding duplicates keeps every case
    /// id (about 50 bytes per record for short ids); without it, memory stays
    /// flat however large the batch.
    #[arg(long)]
    no_duplicate_check: bool,
    /// The longest JSON Lines, CSV or TSV record read, in bytes (of the
    /// decompressed text); a longer one is rejected (read past, never held
    /// in memory) and the batch goes on.
    #[arg(long, value_name = "BYTES", default_value_t = crate::records::input::MAX_RECORD_BYTES,
          value_parser = clap::value_parser!(usize))]
    max_record_bytes: usize,
    /// Nothing on stderr but errors and the accounting line: no warnings,
    /// no rejection lines or summary, no progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// The report formats (`html`, `markdown`): how many findings each gap
    /// shows as examples, with their case ids and explanations.
    #[arg(long, value_name = "N", default_value_t = 5)]
    report_cases: usize,
    /// The report formats: the evaluation date shown (`YYYY-MM-DD` or
    /// `YYYY-MM-DDTHH:MM:SSZ`, UTC) instead of now, for reproducible
    /// reports.
    #[arg(long, value_name = "DATE")]
    report_date: Option<String>,
    /// Worker threads evaluating the batch (default: the cores available);
    /// the output is the same for every N. JSON Lines inputs are also
    /// decoded by the workers; other inputs are decoded by one thread. The
    /// report formats (html, markdown) run on one.
    #[arg(long, short, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    jobs: Option<u64>,
    /// The size in bytes of the chunks of input handed to workers
    /// (`--jobs`); for tests.
    #[arg(long, hide = true, value_name = "BYTES", default_value_t = crate::eval::parallel::CHUNK_BYTES,
          value_parser = clap::value_parser!(usize))]
    chunk_bytes: usize,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(clap::Args, Debug)]
pub(crate) struct TestArgs {
    /// The rule-set directory.
    ruleset: PathBuf,
    /// Run only the tests whose name contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// Report which rules, definitions, tables and condition outcomes
    /// (true, false, unknown) the tests reach.
    #[arg(long)]
    coverage: bool,
    /// Fail (exit 1) when coverage is below this percentage (0 to 100).
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    coverage_min: Option<f64>,
    /// Worker threads running the tests (default: the cores available); the
    /// report is the same for every N.
    #[arg(long, short, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    jobs: Option<u64>,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(clap::Args, Debug)]
pub(crate) struct AuditArgs {
    /// The rule-set directory.
    ruleset: PathBuf,
    /// Generated cases per audit.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    cases: u32,
    /// The seed; the same seed gives the same cases.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Run only the audits whose name contains this text (built-in audits
    /// are then skipped).
    #[arg(long, value_name = "NAME")]
    audit: Option<String>,
    /// Worker threads running the audits (default: the cores available); the
    /// report is the same for every N.
    #[arg(long, short, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    jobs: Option<u64>,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

/// How many rejected records `eval` tolerates (`--max-rejects`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum MaxRejects {
    /// At most this many.
    Count(u64),
    /// At most this percentage of the records read.
    Percent(f64),
}

impl MaxRejects {
    /// `10` or `5%` (a percentage from 0 to 100, decimals allowed).
    fn parse(text: &str) -> Result<MaxRejects, String> {
        match text.strip_suffix('%') {
            Some(percent) => parse_percent(percent.trim()).map(MaxRejects::Percent),
            None => text.parse::<u64>().map(MaxRejects::Count).map_err(|_| {
                "expected a count of records (10) or a percentage of those read (5%)".to_string()
            }),
        }
    }

    /// Whether the rejections of a run with these totals are within it.
    pub(crate) fn allows(self, totals: &crate::eval::batch::Totals) -> bool {
        match self {
            MaxRejects::Count(n) => totals.rejected <= n,
            // rejected / read <= p / 100, without dividing.
            MaxRejects::Percent(p) => totals.rejected as f64 * 100.0 <= p * totals.read as f64,
        }
    }
}

impl std::fmt::Display for MaxRejects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MaxRejects::Count(n) => write!(f, "{n}"),
            MaxRejects::Percent(p) => write!(f, "{p}%"),
        }
    }
}

fn parse_percent(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err("expected a percentage from 0 to 100".to_string()),
    }
}

fn parse_severity(text: &str) -> Result<crate::severity::Severity, String> {
    crate::severity::Severity::parse(text)
        .ok_or_else(|| "expected critical, high, medium or low".to_string())
}

/// Runs the command line and returns the process exit code.
pub fn run() -> Exit {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            };
        }
    };
    // One colour choice for everything on stderr, logs included.
    let log_colour = {
        use std::io::IsTerminal;
        use_colour(cli.command.color(), std::io::stderr().is_terminal())
    };
    logging::init(cli.verbose, log_colour);
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Test(args) => test::run(&args),
        Command::Audit(args) => audit::run(&args),
        Command::Mutants(args) => mutants::run(&args),
        Command::Map(MapCommand::Check(args)) => map::check(&args),
        Command::Brief(args) => brief::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Completions(args) => completions::run(&args),
        Command::Man(args) => man::run(&args),
    }
}

/// Writes generated text (a completion script, a manual page) to standard
/// output.
fn write_stdout(bytes: &[u8]) -> Exit {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Exit::Success,
        Err(error) => {
            eprintln!("error: cannot write standard output: {error}");
            Exit::Usage
        }
    }
}

/// Where a subcommand prints the rule set's diagnostics.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum DiagnosticsTo {
    /// With the command's results (`test`, `audit`).
    Stdout,
    /// Apart from them (`eval`, whose stdout is data).
    Stderr,
}

/// Loads, checks and compiles a rule set. On errors, prints the diagnostics
/// and the summary line, and returns the exit code.
pub(crate) fn load_compiled(
    dir: &std::path::Path,
    color: ColorChoice,
    to: DiagnosticsTo,
) -> Result<(crate::source::Sources, crate::compile::Compiled), Exit> {
    use std::io::IsTerminal;
    let loaded = crate::ruleset::load(dir).map_err(|error| {
        eprintln!("error: {}", crate::escape::terminal(&error.to_string()));
        Exit::Usage
    })?;
    let (sources, checked) = crate::check::check(loaded);
    if checked.diagnostics.iter().any(|d| d.is_error()) {
        let terminal = match to {
            DiagnosticsTo::Stdout => std::io::stdout().is_terminal(),
            DiagnosticsTo::Stderr => std::io::stderr().is_terminal(),
        };
        let text = crate::diagnostic::render_text(
            &sources,
            &checked.diagnostics,
            use_colour(color, terminal),
        );
        let summary = check::summary(&checked);
        match to {
            DiagnosticsTo::Stdout => println!("{text}{summary}"),
            DiagnosticsTo::Stderr => eprintln!("{text}{summary}"),
        }
        return Err(Exit::RuleErrors);
    }
    let program = checked.program.ok_or(Exit::RuleErrors)?;
    Ok((sources, crate::compile::compile(program)))
}

/// Whether to colour a stream.
pub(crate) fn use_colour(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// `--jobs`: the number given, or the cores available.
fn jobs(given: Option<u64>) -> usize {
    given.map_or_else(
        || std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        |n| usize::try_from(n).unwrap_or(usize::MAX),
    )
}

/// Runs `work` with `jobs` threads for its parallel parts (rayon's); on the
/// calling thread alone if they cannot be started.
fn with_jobs<R: Send>(jobs: usize, work: impl FnOnce() -> R + Send) -> R {
    match rayon::ThreadPoolBuilder::new().num_threads(jobs).build() {
        Ok(pool) => pool.install(work),
        Err(error) => {
            tracing::warn!(%error, "no worker threads; running on one");
            work()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::batch::Totals;

    #[test]
    fn max_rejects_is_a_count_or_a_percentage_of_the_records_read() {
        assert_eq!(MaxRejects::parse("3"), Ok(MaxRejects::Count(3)));
        assert_eq!(MaxRejects::parse("10%"), Ok(MaxRejects::Percent(10.0)));
        assert_eq!(MaxRejects::parse("0.5%"), Ok(MaxRejects::Percent(0.5)));
        for bad in ["", "-1", "x", "101%", "nan%", "%", "1.5"] {
            assert!(MaxRejects::parse(bad).is_err(), "{bad}");
        }
        let totals = |read, rejected| Totals {
            read,
            rejected,
            evaluated: read - rejected,
            ..Totals::default()
        };
        assert!(MaxRejects::Count(3).allows(&totals(100, 3)));
        assert!(!MaxRejects::Count(3).allows(&totals(100, 4)));
        assert!(MaxRejects::Percent(10.0).allows(&totals(30, 3)));
        assert!(!MaxRejects::Percent(10.0).allows(&totals(29, 3)));
        assert!(MaxRejects::Percent(0.0).allows(&totals(29, 0)));
        assert_eq!(MaxRejects::Percent(5.0).to_string(), "5%");
    }
}
