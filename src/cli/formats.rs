//! The input and output formats as command-line values: the clap side of
//! `records::input::InputFormat` and `report::OutputFormat`, kept here so
//! that clap stays in `cli/`.

use clap::builder::PossibleValue;
use clap::ValueEnum;

use crate::records::input::InputFormat;
use crate::report::OutputFormat;

impl ValueEnum for InputFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            InputFormat::Jsonl,
            InputFormat::Csv,
            InputFormat::Tsv,
            InputFormat::Toml,
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            InputFormat::Jsonl => PossibleValue::new("jsonl").help("One JSON object per line"),
            InputFormat::Csv => PossibleValue::new("csv").help(
                "A header row, then one row per record (lists joined with `;`, `nri.*` columns, an empty cell is unknown)",
            ),
            InputFormat::Tsv => {
                PossibleValue::new("tsv").help("As csv, with tabs between cells (`.tsv`, `.tab`)")
            }
            InputFormat::Toml => PossibleValue::new("toml").help("`[[case]]` tables"),
        })
    }
}

impl ValueEnum for OutputFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            OutputFormat::Jsonl,
            OutputFormat::Csv,
            OutputFormat::Table,
            OutputFormat::Summary,
            OutputFormat::Flags,
            OutputFormat::Html,
            OutputFormat::Markdown,
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            OutputFormat::Jsonl => PossibleValue::new("jsonl").help("One JSON object per case"),
            OutputFormat::Csv => PossibleValue::new("csv")
                .help("One row per finding (clear cases get one row with no rule)"),
            OutputFormat::Table => PossibleValue::new("table").help("Readable text for a terminal"),
            OutputFormat::Summary => {
                PossibleValue::new("summary").help("Counts per gap and per severity, and totals")
            }
            OutputFormat::Flags => PossibleValue::new("flags")
                .help("One line per case with the flagged gap ids (the benchmark's form)"),
            OutputFormat::Html => PossibleValue::new("html").help(
                "The batch report: one self-contained HTML file (provenance, headline, charts, open cases, gaps, rejections)",
            ),
            OutputFormat::Markdown => {
                PossibleValue::new("markdown").help("The batch report as Markdown (tables for charts)")
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_has_a_command_line_name() {
        for format in InputFormat::value_variants() {
            let name = format.to_possible_value().unwrap();
            assert_eq!(InputFormat::from_str(name.get_name(), false), Ok(*format));
        }
        for format in OutputFormat::value_variants() {
            let name = format.to_possible_value().unwrap();
            assert_eq!(OutputFormat::from_str(name.get_name(), false), Ok(*format));
        }
    }
}
