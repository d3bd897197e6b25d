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
}

/// The taxonomy.
#[derive(Clone, Debug, Default)]
pub(crate) struct Taxonomy {
    /// Gaps in file order.
    pub gaps: Vec<Gap>,
    /// Indices of `gaps` sorted by id: [`Taxonomy::find`] searches it.
    order: Vec<u32>,
    /// The taxonomy file is missing or not valid TOML (already reported):
    /// gap ids in rules cannot be checked.
    pub unavailable: bool,
}

impl Taxonomy {
    /// The gap with this id.
    pub(crate) fn find(&self, id: &str) -> Option<GapId> {
        self.order
            .binary_search_by(|&i| self.gaps[i as usize].id.as_str().cmp(id))
            .ok()
            .map(|at| GapId(self.order[at]))
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
    let ids: Vec<&str> = parsed.gap.iter().map(|e| e.id.get_ref().as_str()).collect();
    let first = first_with_same_id(&ids);
    let id_spans: Vec<Span> = parsed.gap.iter().map(|e| span_of(file, &e.id)).collect();
    for (i, entry) in parsed.gap.into_iter().enumerate() {
        let span = id_spans[i];
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
        if let Some(previous) = first[i] {
            diagnostics.push(
                Diagnostic::error(
                    "duplicate-gap",
                    format!("gap `{id}` is declared twice"),
                    span,
                )
                .with_secondary(id_spans[previous], "first declared here"),
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
        });
    }
    let ids: Vec<&str> = taxonomy.gaps.iter().map(|g| g.id.as_str()).collect();
    taxonomy.order = sorted_by_id(&ids);
    taxonomy
}

/// Indices of `ids` sorted by id (stable: equal ids stay in file order).
fn sorted_by_id(ids: &[&str]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..ids.len() as u32).collect();
    order.sort_by_key(|&i| ids[i as usize]);
    order
}

/// For each id, the index of the first one before it that is equal, if any.
fn first_with_same_id(ids: &[&str]) -> Vec<Option<usize>> {
    let mut first = vec![None; ids.len()];
    for run in sorted_by_id(ids).chunk_by(|&a, &b| ids[a as usize] == ids[b as usize]) {
        for &later in &run[1..] {
            first[later as usize] = Some(run[0] as usize);
        }
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quadratic definition.
    fn first_by_scanning(ids: &[&str]) -> Vec<Option<usize>> {
        (0..ids.len())
            .map(|i| (0..i).find(|&j| ids[j] == ids[i]))
            .collect()
    }

    #[test]
    fn duplicates_point_at_the_first_declaration() {
        let ids = ["b", "a", "b", "c", "a", "b", ""];
        assert_eq!(first_with_same_id(&ids), first_by_scanning(&ids));
        assert_eq!(
            first_with_same_id(&ids),
            [None, None, Some(0), None, Some(1), Some(0), None]
        );
    }

    /// 200,000 gaps: a scan per gap (as before) would take minutes here.
    #[test]
    fn many_gaps_are_checked_and_found_in_n_log_n() {
        let n = 200_000;
        let texts: Vec<String> = (0..n).map(|i| format!("gap-{}", i % (n - 10))).collect();
        let ids: Vec<&str> = texts.iter().map(String::as_str).collect();
        let first = first_with_same_id(&ids);
        let repeated: Vec<(usize, usize)> = first
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.map(|f| (i, f)))
            .collect();
        let expected: Vec<(usize, usize)> = (n - 10..n).map(|i| (i, i - (n - 10))).collect();
        assert_eq!(repeated, expected);
        let taxonomy = Taxonomy {
            gaps: texts
                .iter()
                .take(n - 10)
                .map(|id| Gap {
                    id: id.clone(),
                    severity: Severity::Low,
                    title: String::new(),
                })
                .collect(),
            order: sorted_by_id(&ids[..n - 10]),
            unavailable: false,
        };
        for (i, id) in ids[..n - 10].iter().enumerate() {
            assert_eq!(taxonomy.find(id), Some(GapId(i as u32)));
        }
        assert_eq!(taxonomy.find("gap-"), None);
        assert_eq!(taxonomy.find("zzz"), None);
    }
}
