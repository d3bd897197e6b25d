//! The gap taxonomy (`gaps.toml`): the ids rules may report.

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Diagnostic;
use crate::severity::Severity;
use crate::source::{FileId, Span};

use super::toml_file::{self, span_of};

/// Index of a gap in the taxonomy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct GapId(pub u32);

/// One safeguard gap.
#[derive(Clone, Debug)]
pub(crate) struct Gap {
    /// Stable kebab-case id, e.g. `fear-not-screened`.
    pub id: String,
    /// How serious the gap is.
    pub severity: Severity,
    /// One line describing it.
    pub title: String,
    /// Where it is declared.
    pub span: Span,
}

/// The taxonomy.
#[derive(Clone, Debug, Default)]
pub(crate) struct Taxonomy {
    /// Gaps in file order.
    pub gaps: Vec<Gap>,
    /// The taxonomy file is missing or not valid TOML (already reported):
    /// gap ids in rules cannot be checked.
    pub unavailable: bool,
}

impl Taxonomy {
    /// The gap with this id.
    pub(crate) fn find(&self, id: &str) -> Option<GapId> {
        self.gaps
            .iter()
            .position(|g| g.id == id)
            .map(|i| GapId(i as u32))
    }

    /// The gap with this index.
    pub(crate) fn get(&self, id: GapId) -> &Gap {
        &self.gaps[id.0 as usize]
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyFile {
    #[serde(default)]
    version: Option<u32>,
    gap: Vec<GapEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GapEntry {
    id: Spanned<String>,
    severity: Spanned<String>,
    title: String,
}

/// Reads and validates `gaps.toml`.
pub(crate) fn load(file: FileId, text: &str, diagnostics: &mut Vec<Diagnostic>) -> Taxonomy {
    let parsed: TaxonomyFile = match toml_file::parse(file, text, "gap taxonomy") {
        Ok(parsed) => parsed,
        Err(d) => {
            diagnostics.push(d);
            return Taxonomy {
                unavailable: true,
                ..Taxonomy::default()
            };
        }
    };
    let _ = parsed.version;
    let mut taxonomy = Taxonomy::default();
    for entry in parsed.gap {
        let span = span_of(file, &entry.id);
        let id = entry.id.into_inner();
        let valid_id = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid_id {
            diagnostics.push(
                Diagnostic::error("bad-gap-id", format!("`{id}` is not a valid gap id"), span)
                    .with_help(
                        "gap ids are lower-case words joined by `-`, e.g. `fear-not-screened`",
                    ),
            );
        }
        if let Some(previous) = taxonomy.gaps.iter().find(|g| g.id == id) {
            diagnostics.push(
                Diagnostic::error(
                    "duplicate-gap",
                    format!("gap `{id}` is declared twice"),
                    span,
                )
                .with_secondary(previous.span, "first declared here"),
            );
            continue;
        }
        let severity_span = span_of(file, &entry.severity);
        let severity = match Severity::parse(entry.severity.get_ref()) {
            Some(s) => s,
            None => {
                diagnostics.push(Severity::unknown(entry.severity.get_ref(), severity_span));
                Severity::Low
            }
        };
        taxonomy.gaps.push(Gap {
            id,
            severity,
            title: entry.title,
            span,
        });
    }
    taxonomy
}
