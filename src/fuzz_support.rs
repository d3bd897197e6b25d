//! What the fuzz targets in `fuzz/` drive, inside the library so that they
//! reach the parsers and decoders without the internals being public. Not
//! part of the API: hidden from the docs. Each function takes arbitrary bytes
//! and must neither panic nor hang; a test runs them over the seed corpora
//! on the stable toolchain too.

use std::collections::HashSet;
use std::io::{BufRead, Read};
use std::path::Path;
use std::sync::OnceLock;

use crate::compile::Compiled;
use crate::eval::batch::{Batch, BatchOptions, CaseContext, Sink};
use crate::eval::finding::CaseResult;
use crate::records::input::{reader, InputFormat, RecordReader};
use crate::records::rejection::Rejection;
use crate::records::schema_index::SchemaIndex;
use crate::report::jsonl::JsonLines;
use crate::report::Format;
use crate::source::Sources;

/// Parses `bytes` as a rule file and renders its diagnostics, as text and
/// as JSON; formats it (`nrscreen fmt`) if it parses, and checks that the
/// formatted text formats to itself with the same comments.
pub fn rule_file(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let mut sources = Sources::default();
    let file = sources.add(Path::new("fuzz.nrs"), text.clone());
    let (_, diagnostics) = crate::syntax::parser::parse_module(file, &text);
    let _ = crate::diagnostic::render_text(&sources, &diagnostics, false);
    let _ = crate::diagnostic::render_json(&sources, &diagnostics);
    if let Ok(formatted) = crate::syntax::format::format_source(file, &text) {
        let again = crate::syntax::format::format_source(file, &formatted);
        assert_eq!(
            again.ok().as_deref(),
            Some(formatted.as_str()),
            "fmt is not idempotent"
        );
        let comments = |text: &str| {
            crate::syntax::lexeme::scan(text)
                .into_iter()
                .filter(|l| l.kind == crate::syntax::lexeme::Kind::Comment)
                .map(|l| l.text.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(comments(&formatted), comments(&text), "fmt lost a comment");
    }
}

/// A rule set made of the standard pack's files with the files of `bytes`
/// put over them (the bytes hold `name\0contents\0` pairs, a missing
/// contents meaning an empty file), checked, compiled and run over one
/// record (the bytes after the last pair, as JSON).
pub fn rule_set(bytes: &[u8]) {
    let Ok(dir) = tempfile::tempdir() else { return };
    let standard = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    for name in ["ruleset.toml", "schema.toml", "gaps.toml"] {
        let _ = std::fs::copy(standard.join(name), dir.path().join(name));
    }
    let _ = std::fs::create_dir(dir.path().join("tables"));
    for entry in std::fs::read_dir(standard.join("tables"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let _ = std::fs::copy(
            entry.path(),
            dir.path().join("tables").join(entry.file_name()),
        );
    }
    let mut parts = bytes.split(|&b| b == 0);
    let mut record = &b""[..];
    while let Some(name) = parts.next() {
        let Some(contents) = parts.next() else {
            record = name;
            break;
        };
        // Names are kept to the known files and plain `.nrs` names.
        let name = String::from_utf8_lossy(name);
        let known = [
            "ruleset.toml",
            "schema.toml",
            "gaps.toml",
            "tables/advisories.toml",
        ];
        let path = if known.contains(&name.as_ref()) {
            name.into_owned()
        } else {
            let stem: String = name
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(16)
                .collect();
            format!("{stem}.nrs")
        };
        let _ = std::fs::write(dir.path().join(path), contents);
    }
    let Ok(rules) = crate::RuleSet::load(dir.path()) else {
        return;
    };
    let _ = rules
        .screener()
        .screen_json(&String::from_utf8_lossy(record));
}

/// The rule set in `dir` (under the crate), compiled; it must have no errors.
fn compile_shipped(dir: &str) -> Compiled {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let loaded = crate::ruleset::load(&dir).expect("the shipped rule set loads");
    let (_, checked) = crate::check::check(loaded);
    crate::compile::compile(checked.program.expect("the shipped rule set checks"))
}

/// The standard pack, compiled once.
fn standard() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| compile_shipped("rules"))
}

/// Decodes `bytes` as a batch in `format` (`jsonl`, `csv`, `tsv` or
/// `toml`) against the standard pack and evaluates every record, with
/// explanations, writing JSON Lines nowhere. The counts must add up.
pub fn records(format: &str, bytes: &[u8]) {
    let format = match format {
        "csv" => InputFormat::Csv,
        "tsv" => InputFormat::Tsv,
        "toml" => InputFormat::Toml,
        _ => InputFormat::Jsonl,
    };
    batch(format, Box::new(bytes));
}

/// The most text [`stream`] reads from what it decompresses (a few
/// kilobytes of zstd can stand for gigabytes).
const STREAM_TEXT_BYTES: u64 = 8 << 20;

/// Reads `bytes` through the input stream layer (gzip, zstd, byte-order
/// marks, UTF-16, an encoding) and decodes the text as a batch. The first
/// byte chooses the encoding given (none, windows-1252, UTF-16LE) and the
/// format (JSON Lines, CSV, TSV); the rest is the stream.
pub fn stream(bytes: &[u8]) {
    let Some((&choice, data)) = bytes.split_first() else {
        return;
    };
    let encoding = match choice % 3 {
        0 => None,
        1 => Some(encoding_rs::WINDOWS_1252),
        _ => Some(encoding_rs::UTF_16LE),
    };
    let format = match (choice / 3) % 3 {
        0 => InputFormat::Jsonl,
        1 => InputFormat::Csv,
        _ => InputFormat::Tsv,
    };
    let Ok(text) = crate::records::stream::open_text(Box::new(data), encoding) else {
        return;
    };
    batch(format, Box::new(text.take(STREAM_TEXT_BYTES)));
}

/// A mapping and an input through it: `bytes` is the mapping's text, a NUL
/// byte, then the input (any format the mapping says, compressed or not).
/// The mapping is loaded (its diagnostics rendered); if it loads and fits
/// the input, every record is read through it and evaluated. Value-table
/// files are looked for in an empty directory.
pub fn mapped(bytes: &[u8]) {
    let (text, input) = match bytes.iter().position(|&b| b == 0) {
        Some(at) => (&bytes[..at], &bytes[at + 1..]),
        None => (bytes, &b""[..]),
    };
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join("fuzz.map.toml");
    if std::fs::write(&path, text).is_err() {
        return;
    }
    let compiled = standard();
    let loaded = crate::mapping::load(&path, &compiled.program.schema);
    let _ = crate::diagnostic::render_text(&loaded.sources, &loaded.diagnostics, false);
    let Some(mapping) = loaded.mapping else {
        return;
    };
    let format = crate::mapping::source_format(&mapping, "fuzz.csv");
    let Ok(mut records) = crate::mapping::reader::MappedRecords::open(
        compiled,
        &mapping,
        "fuzz".into(),
        format,
        Box::new(input),
        1 << 16,
    ) else {
        return;
    };
    run_batch(compiled, &mut records, false);
}

/// The benchmark workload's rule set, compiled once.
fn workload() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| compile_shipped("benches/workload"))
}

/// Decodes every line of `bytes` (as UTF-8, lossily) with the fast JSON
/// scanner and with serde alone, under the standard pack and the benchmark
/// workload; panics if the two differ in anything.
pub fn json_decoders(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for compiled in [standard(), workload()] {
        let index = SchemaIndex::new(compiled);
        for line in text.split('\n') {
            let difference =
                crate::records::json_differential::disagreement(compiled, &index, line);
            assert!(
                difference.is_none(),
                "the JSON decoders differ: {}",
                difference.unwrap_or_default()
            );
        }
    }
}

/// Decodes `input` as a batch in `format` against the standard pack and
/// evaluates every record; the counts must add up.
fn batch(format: InputFormat, input: Box<dyn BufRead + '_>) {
    let compiled = standard();
    let index = SchemaIndex::new(compiled);
    let mut keys = HashSet::new();
    let Ok(mut records) = reader(
        compiled,
        &index,
        "fuzz".into(),
        format,
        input,
        &mut keys,
        crate::records::input::MAX_RECORD_BYTES,
    ) else {
        return;
    };
    run_batch(compiled, records.as_mut(), true);
}

/// Evaluates every record of `records`, explained; the counts must add up.
fn run_batch(compiled: &Compiled, records: &mut dyn RecordReader, show_cleared: bool) {
    let mut batch = Batch::new(
        compiled,
        BatchOptions {
            check_duplicates: true,
            explain: true,
            show_cleared,
            strict: false,
        },
    );
    let _ = batch.run(records, "fuzz", &mut Discard);
    let totals = batch.totals;
    assert_eq!(totals.read, totals.evaluated + totals.rejected);
}

/// A sink that formats each case and forgets it.
struct Discard;

impl Sink for Discard {
    fn case(
        &mut self,
        compiled: &Compiled,
        context: &CaseContext<'_>,
        result: &CaseResult,
    ) -> std::io::Result<()> {
        JsonLines::new(compiled).case(&mut std::io::sink(), compiled, context, result)
    }
    fn rejected(&mut self, rejection: &Rejection) -> std::io::Result<()> {
        let _ = rejection.describe();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every seed of every fuzz target runs through its function.
    #[test]
    fn the_seed_corpora_run_through_every_target() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
        let mut seeds = 0;
        for target in [
            "rule_file",
            "rule_set",
            "records_jsonl",
            "records_csv",
            "records_toml",
            "records_stream",
            "mapped_records",
            "json_decoders",
        ] {
            let dir = corpus.join(target);
            for entry in std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .flatten()
            {
                let bytes = std::fs::read(entry.path()).unwrap();
                match target {
                    "rule_file" => rule_file(&bytes),
                    "rule_set" => rule_set(&bytes),
                    "records_stream" => stream(&bytes),
                    "mapped_records" => mapped(&bytes),
                    "json_decoders" => json_decoders(&bytes),
                    other => records(other.trim_start_matches("records_"), &bytes),
                }
                seeds += 1;
            }
        }
        assert!(seeds >= 20, "{seeds} seeds");
    }
}
