//! `nrscreen map check`: a dry run of a mapping over an input. For each
//! column, what it fills; the schema fields nothing fills; for each mapped
//! column the values its table does not cover (with counts and first
//! lines); how often each field would be unknown; the records that would be
//! rejected. Nothing is evaluated.

use std::fmt::Write as _;

use crate::compile::Compiled;
use crate::escape;
use crate::records::case::CaseRecord;
use crate::records::input::{Read1, RecordReader};
use crate::types::Type;

use super::bind::ColumnUse;
use super::reader::MappedRecords;
use super::Mapping;

/// How many rejections are shown one by one.
const SHOWN_REJECTIONS: usize = 10;
/// How many uncovered values are shown per field.
const SHOWN_VALUES: usize = 20;

/// What a dry run found.
pub(crate) struct Dry {
    /// Rows read.
    pub rows: u64,
    /// Rows that would be rejected.
    pub rejected: u64,
    /// Per schema field: rows in which it would be known.
    known: Vec<u64>,
    /// The first rejections, described.
    rejections: Vec<String>,
}

/// Reads up to `limit` rows of `records` (all when `None`) and reports.
pub(crate) fn dry_run(
    compiled: &Compiled,
    records: &mut MappedRecords<'_>,
    limit: Option<u64>,
) -> std::io::Result<Dry> {
    let fields = compiled.program.schema.fields.len();
    let mut dry = Dry {
        rows: 0,
        rejected: 0,
        known: vec![0; fields],
        rejections: Vec::new(),
    };
    let mut record = CaseRecord::with_fields(fields);
    while limit.is_none_or(|l| dry.rows < l) {
        let Some(read) = records.next_record(&mut record)? else {
            break;
        };
        dry.rows += 1;
        match read {
            Read1::Record(_) => {
                for (count, known) in dry.known.iter_mut().zip(&records.notes.known) {
                    *count += u64::from(*known);
                }
            }
            Read1::Rejected(rejection) => {
                dry.rejected += 1;
                if dry.rejections.len() < SHOWN_REJECTIONS {
                    dry.rejections.push(rejection.describe());
                }
            }
        }
    }
    Ok(dry)
}

/// The report of a dry run, for a terminal (every text from the input or
/// the mapping escaped).
pub(crate) fn render(
    compiled: &Compiled,
    mapping: &Mapping,
    file: &str,
    records: &MappedRecords<'_>,
    dry: &Dry,
) -> String {
    let t = |s: &str| escape::terminal(s).into_owned();
    let schema = &compiled.program.schema;
    let binding = &records.binding;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "mapping {}{}",
        t(&mapping.path.display().to_string()),
        mapping
            .description
            .as_deref()
            .map(|d| format!(": {}", t(d)))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "input {}: {} rows read, {} would be evaluated, {} rejected",
        t(file),
        dry.rows,
        dry.rows - dry.rejected,
        dry.rejected
    );

    // The columns: a delimited file's header, or the keys JSON records had.
    let columns: Vec<(String, Option<&ColumnUse>, Option<u64>)> = if records.is_json() {
        records
            .keys_seen
            .iter()
            .map(|(key, n)| {
                let use_ = records
                    .column_of_key(key)
                    .and_then(|i| binding.columns.get(i));
                (key.clone(), use_, Some(*n))
            })
            .collect()
    } else {
        binding
            .header
            .iter()
            .zip(&binding.columns)
            .map(|(name, use_)| (name.clone(), Some(use_), None))
            .collect()
    };
    let width = columns
        .iter()
        .map(|(name, _, _)| t(name).chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    let count = |wanted: fn(Option<&ColumnUse>) -> bool| {
        columns.iter().filter(|(_, use_, _)| wanted(*use_)).count()
    };
    let _ = writeln!(
        out,
        "\n{}: {} found, {} mapped, {} ignored, {} unmapped",
        if records.is_json() { "keys" } else { "columns" },
        columns.len(),
        count(|c| matches!(c, Some(ColumnUse::Mapped(_)))),
        count(|c| matches!(c, Some(ColumnUse::Ignored))),
        count(|c| matches!(c, Some(ColumnUse::Unmapped) | None)),
    );
    for (name, use_, seen) in &columns {
        let what = match use_ {
            Some(ColumnUse::Mapped(fields)) => {
                let targets: Vec<String> = fields
                    .iter()
                    .map(|&i| {
                        let bound = &binding.fields[i];
                        let mut how = Vec::new();
                        if let Some(table) = bound.map.values {
                            how.push(format!("values `{}`", t(&mapping.tables[table].name)));
                        }
                        if let Some(converter) = bound.map.convert {
                            how.push(format!("convert {}", converter.what()));
                        }
                        if !bound.map.dates.is_empty() {
                            let formats: Vec<&str> =
                                bound.map.dates.iter().map(|d| d.as_str()).collect();
                            how.push(format!("date {}", t(&formats.join(" | "))));
                        }
                        if let Some(split) = &bound.map.split {
                            how.push(format!("split `{}`", t(split)));
                        }
                        if !bound.by_mapping {
                            how.push("by its name".into());
                        }
                        if how.is_empty() {
                            bound.map.name.clone()
                        } else {
                            format!("{} ({})", bound.map.name, how.join(", "))
                        }
                    })
                    .collect();
                format!("-> {}", targets.join(", "))
            }
            Some(ColumnUse::Ignored) => "ignored".into(),
            Some(ColumnUse::Unmapped) | None => {
                "NOT MAPPED (add it under [fields], or to [ignore] columns)".into()
            }
        };
        let shown = t(name);
        let pad = width.saturating_sub(shown.chars().count());
        let seen = seen.map(|n| format!(" ({n} records)")).unwrap_or_default();
        let _ = writeln!(out, "  {shown}{} {what}{seen}", " ".repeat(pad));
    }
    for bound in binding
        .fields
        .iter()
        .filter(|f| f.columns.iter().any(Option::is_none))
    {
        let missing: Vec<String> = bound
            .columns
            .iter()
            .zip(&bound.map.columns)
            .filter(|(p, _)| p.is_none())
            .map(|(_, (c, _))| format!("`{}`", t(c)))
            .collect();
        let _ = writeln!(
            out,
            "  (optional column {} of `{}` is not in this file)",
            missing.join(", "),
            bound.map.name
        );
    }
    if !mapping.constants.is_empty() {
        let _ = writeln!(out, "\nconstants:");
        for constant in &mapping.constants {
            let _ = writeln!(
                out,
                "  {} = {}",
                schema.field(constant.field).name,
                t(&constant.value.to_string())
            );
        }
    }

    let used: Vec<usize> = {
        let mut used: Vec<usize> = binding.fields.iter().filter_map(|f| f.map.values).collect();
        used.sort_unstable();
        used.dedup();
        used
    };
    if !used.is_empty() {
        let _ = writeln!(out, "\nvalue tables:");
        for index in used {
            let table = &mapping.tables[index];
            let _ = writeln!(
                out,
                "  {} ({} rows){}",
                t(&table.name),
                table.entries.len(),
                table
                    .source
                    .as_deref()
                    .map(|s| format!(", source: {}", t(s)))
                    .unwrap_or_default()
            );
        }
    }

    // A column fills a field when the input has it: for JSON Lines, when
    // some record had the key.
    let present: Option<std::collections::HashSet<usize>> = records.is_json().then(|| {
        records
            .keys_seen
            .keys()
            .filter_map(|key| records.column_of_key(key))
            .collect()
    });
    let has = |position: &Option<usize>| match (position, &present) {
        (Some(p), Some(present)) => present.contains(p),
        (Some(_), None) => true,
        (None, _) => false,
    };
    let filled: Vec<bool> = (0..schema.fields.len())
        .map(|i| {
            binding
                .fields
                .iter()
                .any(|f| f.map.field.0 as usize == i && f.columns.iter().any(has))
                || mapping.constants.iter().any(|c| c.field.0 as usize == i)
        })
        .collect();
    let unfilled: Vec<&str> = schema
        .fields
        .iter()
        .enumerate()
        .filter(|(i, f)| !filled[*i] && f.ty != Type::Record)
        .map(|(_, f)| f.name.as_str())
        .collect();
    let _ = writeln!(
        out,
        "\nfields no column fills ({}, unknown in every record):",
        unfilled.len()
    );
    if unfilled.is_empty() {
        let _ = writeln!(out, "  none");
    } else {
        for line in wrap(&unfilled, 76) {
            let _ = writeln!(out, "  {line}");
        }
    }

    let _ = writeln!(
        out,
        "\nvalues not covered (by value table, converter or date format):"
    );
    let mut any = false;
    for (index, bound) in binding.fields.iter().enumerate() {
        let Some(values) = records.uncovered.by_field.get(&index) else {
            continue;
        };
        any = true;
        let total: u64 = values.values().map(|(n, _)| n).sum();
        let others = records.uncovered.others.get(&index).copied().unwrap_or(0);
        let columns: Vec<String> = bound
            .map
            .columns
            .iter()
            .map(|(c, _)| format!("`{}`", t(c)))
            .collect();
        let policy = match bound.map.unmatched {
            super::Unmatched::Reject => "records rejected",
            super::Unmatched::Unknown => "read as unknown",
            super::Unmatched::Keep => "kept as written",
        };
        let _ = writeln!(
            out,
            "  {} -> {}: {} distinct, {} cells ({policy})",
            columns.join(", "),
            bound.map.name,
            values.len() + usize::from(others > 0),
            total + others
        );
        let mut sorted: Vec<(&String, &(u64, Vec<usize>))> = values.iter().collect();
        sorted.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
        for (value, (n, lines)) in sorted.iter().take(SHOWN_VALUES) {
            let lines: Vec<String> = lines.iter().map(ToString::to_string).collect();
            let _ = writeln!(
                out,
                "    {:<24} {n:>6} × (line{} {})",
                format!("`{}`", t(value)),
                if lines.len() == 1 { "" } else { "s" },
                lines.join(", ")
            );
        }
        if sorted.len() > SHOWN_VALUES {
            let _ = writeln!(out, "    … and {} more values", sorted.len() - SHOWN_VALUES);
        }
        if others > 0 {
            let _ = writeln!(
                out,
                "    … and {others} cells of values past the first {}",
                super::reader::MAX_DISTINCT_UNCOVERED
            );
        }
    }
    if !any {
        let _ = writeln!(out, "  none");
    }

    let evaluated = dry.rows - dry.rejected;
    let _ = writeln!(
        out,
        "\nunknown in the {evaluated} records that would be evaluated (fields filled by a column or constant):"
    );
    for (i, field) in schema.fields.iter().enumerate() {
        if !filled[i] || field.ty == Type::Record {
            continue;
        }
        let unknown = evaluated - dry.known[i].min(evaluated);
        let share = if evaluated == 0 {
            0.0
        } else {
            unknown as f64 * 100.0 / evaluated as f64
        };
        let _ = writeln!(
            out,
            "  {:<26} {share:>5.1}% ({unknown} of {evaluated})",
            field.name
        );
    }

    if dry.rejected > 0 {
        let _ = writeln!(out, "\nrecords that would be rejected ({}):", dry.rejected);
        for rejection in &dry.rejections {
            let _ = writeln!(out, "  {rejection}");
        }
        if dry.rejected as usize > dry.rejections.len() {
            let _ = writeln!(
                out,
                "  … and {} more",
                dry.rejected as usize - dry.rejections.len()
            );
        }
    }
    out
}

/// Names joined with `, `, in lines of at most `width` characters.
fn wrap(names: &[&str], width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for name in names {
        let last = lines.last_mut().map_or(0, |l| l.len());
        if last > 0 && last + name.len() + 2 > width {
            lines.push(String::new());
        }
        if let Some(line) = lines.last_mut() {
            if !line.is_empty() {
                line.push_str(", ");
            }
            line.push_str(name);
        }
    }
    lines
}
