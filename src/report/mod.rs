//! Writing results: one module per output format, and the rejection
//! reporting shared by all of them.

pub(crate) mod case_json;
pub(crate) mod case_view;
pub(crate) mod charts;
pub(crate) mod collect;
pub(crate) mod csv;
pub(crate) mod flags;
pub(crate) mod html;
pub(crate) mod jsonl;
pub(crate) mod markdown;
pub(crate) mod provenance;
pub(crate) mod rejections;
pub(crate) mod summary;
pub(crate) mod table;

use std::io::Write;

use crate::compile::Compiled;
use crate::eval::batch::{CaseContext, Sink};
use crate::eval::finding::CaseResult;
use crate::records::rejection::Rejection;
use crate::report::rejections::RejectionSummary;

/// The output formats of `nrscreen eval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OutputFormat {
    /// One JSON object per case.
    Jsonl,
    /// One row per finding (clear cases get one row with no rule).
    Csv,
    /// Readable text for a terminal.
    Table,
    /// Counts per gap and per severity, and totals.
    Summary,
    /// One line per case with the flagged gap ids (the benchmark's form).
    Flags,
    /// The batch report as one self-contained HTML file.
    Html,
    /// The batch report as Markdown.
    Markdown,
}

/// A format writer.
pub(crate) trait Format {
    /// Writes one case.
    fn case(
        &mut self,
        out: &mut dyn Write,
        compiled: &Compiled,
        context: &CaseContext<'_>,
        result: &CaseResult,
    ) -> std::io::Result<()>;
    /// Notes one rejected record (most formats leave rejections to the
    /// sink's stderr summary and the rejects file).
    fn rejected(&mut self, _rejection: &Rejection) {}
    /// Whether the format shows the explanation of rule `rule`'s next
    /// finding (see `Sink::explains`).
    fn explains(&self, _rule: usize) -> bool {
        true
    }
    /// Writes whatever comes after the last case.
    fn finish(&mut self, out: &mut dyn Write, compiled: &Compiled) -> std::io::Result<()>;
}

/// How many rejections are described on stderr before the rest are counted.
const REJECTIONS_SHOWN: usize = 20;

/// The sink of `nrscreen eval`: the chosen format on `out`, rejections on
/// stderr (the first few, shown through `escape::terminal` by
/// [`Rejection::describe`], and all of them grouped in a
/// [`RejectionSummary`]) and in full in the rejects file (JSON, exact, by
/// `escape::write_json`).
pub(crate) struct Report<'w> {
    /// Where cases go.
    pub out: Box<dyn Write + 'w>,
    /// The format.
    pub format: Box<dyn Format>,
    /// The `--rejects` file.
    pub rejects: Option<Box<dyn Write + 'w>>,
    /// Rejections described so far.
    pub rejections_shown: usize,
    /// Every rejection, grouped by kind and field.
    pub summary: RejectionSummary,
    /// Whether rejections are kept off stderr (`--quiet`).
    pub quiet: bool,
}

impl Sink for Report<'_> {
    fn case(
        &mut self,
        compiled: &Compiled,
        context: &CaseContext<'_>,
        result: &CaseResult,
    ) -> std::io::Result<()> {
        self.format.case(&mut self.out, compiled, context, result)
    }

    fn explains(&self, rule: usize) -> bool {
        self.format.explains(rule)
    }

    fn case_rendered(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.out.write_all(bytes)
    }

    fn rejected(&mut self, rejection: &Rejection) -> std::io::Result<()> {
        if self.quiet {
        } else if self.rejections_shown < REJECTIONS_SHOWN {
            eprintln!("rejected: {}", rejection.describe());
        } else if self.rejections_shown == REJECTIONS_SHOWN {
            eprintln!(
                "rejected: … more rejections are not shown here{}",
                if self.rejects.is_some() {
                    "; all are in the rejects file"
                } else {
                    "; use --rejects FILE to keep them all"
                }
            );
        }
        self.rejections_shown += 1;
        self.summary.add(rejection);
        self.format.rejected(rejection);
        if let Some(rejects) = &mut self.rejects {
            crate::escape::write_json(&mut *rejects, rejection)?;
            rejects.write_all(b"\n")?;
        }
        Ok(())
    }
}

impl Report<'_> {
    /// Finishes the output.
    pub(crate) fn finish(&mut self, compiled: &Compiled) -> std::io::Result<()> {
        self.format.finish(&mut self.out, compiled)?;
        self.out.flush()?;
        if let Some(rejects) = &mut self.rejects {
            rejects.flush()?;
        }
        Ok(())
    }
}
