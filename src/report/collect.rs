//! What the batch report (`--format html`, `--format markdown`) gathers
//! while cases stream: counts per outcome and per gap, flagged cases by
//! month, state, city and program of return, the sets of unknown fields
//! that hold needs-review findings open, and the first few cases of each
//! gap. Memory is flat in the batch size: every map keeps at most
//! [`MAX_KEYS`] keys and counts the rest as "other"; samples are capped.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::Hash;

use crate::compile::val::Val;
use crate::compile::Compiled;
use crate::date::Date;
use crate::eval::batch::CaseContext;
use crate::eval::finding::{CaseOutcome, CaseResult, FindingKind};
use crate::records::case::CaseRecord;
use crate::records::rejection::Rejection;
use crate::report::rejections::RejectionSummary;
use crate::ruleset::schema::FieldId;
use crate::types::Type;

/// The most distinct keys a map of the report keeps (cities, states,
/// months, programs, sets of unknown fields); the rest count as "other".
pub(crate) const MAX_KEYS: usize = 1000;

/// The fields the report reads from each record, beside the rules'.
pub(crate) const REPORT_FIELDS: [&str; 5] = [
    "return_date",
    "encounter_date",
    "return_state",
    "return_city",
    "program",
];

/// Counts per key, for at most `cap` distinct keys; values of later keys
/// go to `other`.
pub(crate) struct Bounded<K, V> {
    map: HashMap<K, V>,
    other: V,
    cap: usize,
}

impl<K: Hash + Eq, V: Default> Bounded<K, V> {
    /// An empty map that keeps at most `cap` keys.
    pub(crate) fn new(cap: usize) -> Bounded<K, V> {
        Bounded {
            map: HashMap::new(),
            other: V::default(),
            cap,
        }
    }

    /// The value of `key`: its own, or, when the map is full and `key` is
    /// new, the shared "other" value. `make` builds an owned key only when
    /// one is inserted.
    pub(crate) fn slot<Q>(&mut self, key: &Q, make: impl FnOnce(&Q) -> K) -> &mut V
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if self.map.contains_key(key) {
            // Present: found again (the borrow checker will not let the
            // first look-up's reference out of the `if`).
            return self.map.get_mut(key).unwrap_or(&mut self.other);
        }
        if self.map.len() < self.cap {
            return self.map.entry(make(key)).or_default();
        }
        &mut self.other
    }

    /// How many distinct keys are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// The keys kept, with their values.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.map.iter()
    }

    /// The value of the keys not kept.
    pub(crate) fn other(&self) -> &V {
        &self.other
    }
}

/// Findings of one gap, and cases with one.
#[derive(Clone, Default)]
pub(crate) struct GapCounts {
    /// Flagged findings.
    pub flagged: u64,
    /// Needs-review findings.
    pub needs_review: u64,
    /// Cases with a flagged finding of the gap.
    pub cases_flagged: u64,
    /// Cases with a needs-review finding of the gap and no flagged one.
    pub cases_needs_review: u64,
    /// The first findings: case id, rule index, kind, explanation.
    pub samples: Vec<Sample>,
}

/// One finding shown as an example under its gap.
#[derive(Clone)]
pub(crate) struct Sample {
    /// The case id.
    pub case_id: String,
    /// The input it came from, and its line there.
    pub place: (String, usize),
    /// Index into the program's rules.
    pub rule: usize,
    /// Flagged or needs review.
    pub kind: FindingKind,
    /// The explanation.
    pub because: String,
}

/// Findings and cases held open by one set of unknown fields.
#[derive(Clone, Copy, Default)]
pub(crate) struct Open {
    /// Needs-review findings.
    pub findings: u64,
    /// Cases with at least one of them.
    pub cases: u64,
}

/// What the report gathers from the stream.
pub(crate) struct Collector {
    /// Samples kept per gap (`--report-cases`).
    pub samples_per_gap: usize,
    /// Cases flagged, needing review, clear.
    pub cases: [u64; 3],
    /// Per gap (taxonomy order).
    pub gaps: Vec<GapCounts>,
    /// Flagged cases by month of return (or encounter): `year * 12 +
    /// month - 1`; `None`: no date recorded.
    pub months: Bounded<Option<i32>, u64>,
    /// Flagged cases by state of return (`""`: not recorded).
    pub states: Bounded<Box<str>, u64>,
    /// Flagged cases by city of return (`""`: not recorded).
    pub cities: Bounded<Box<str>, u64>,
    /// Flagged cases by program (`""`: not recorded).
    pub programs: Bounded<Box<str>, u64>,
    /// Needs-review findings by the sorted set of unknown fields.
    pub open: Bounded<Box<[FieldId]>, Open>,
    /// Rejected records, grouped.
    pub rejections: RejectionSummary,
    /// The gap of each rule (taxonomy index).
    rule_gaps: Vec<usize>,
    /// The report's fields in the schema, in [`REPORT_FIELDS`] order.
    fields: [Option<FieldId>; 5],
    /// Scratch: per gap, this case's findings (bit 0 flagged, bit 1 needs
    /// review).
    seen: Vec<u8>,
    /// Scratch: the sets of unknown fields of this case.
    case_sets: Vec<Vec<FieldId>>,
    /// Scratch: one finding's unknown fields, sorted.
    key: Vec<FieldId>,
}

impl Collector {
    /// A collector for `compiled`'s rule set, keeping `samples_per_gap`
    /// findings per gap.
    pub(crate) fn new(compiled: &Compiled, samples_per_gap: usize) -> Collector {
        let schema = &compiled.program.schema;
        Collector {
            samples_per_gap,
            cases: [0; 3],
            gaps: vec![GapCounts::default(); compiled.program.taxonomy.gaps.len()],
            months: Bounded::new(MAX_KEYS),
            states: Bounded::new(MAX_KEYS),
            cities: Bounded::new(MAX_KEYS),
            programs: Bounded::new(MAX_KEYS),
            open: Bounded::new(MAX_KEYS),
            rejections: RejectionSummary::default(),
            rule_gaps: compiled
                .program
                .rules
                .iter()
                .map(|r| r.gap.0 as usize)
                .collect(),
            fields: REPORT_FIELDS.map(|name| schema.find(name)),
            seen: vec![0; compiled.program.taxonomy.gaps.len()],
            case_sets: Vec::new(),
            key: Vec::new(),
        }
    }

    /// Whether the schema has the report's field `name` (one of
    /// [`REPORT_FIELDS`]).
    pub(crate) fn has_field(&self, name: &str) -> bool {
        REPORT_FIELDS
            .iter()
            .position(|f| *f == name)
            .is_some_and(|i| self.fields[i].is_some())
    }

    /// Whether the next finding of rule `rule` would be kept as an example
    /// (only those need explaining).
    pub(crate) fn wants_sample(&self, rule: usize) -> bool {
        self.rule_gaps
            .get(rule)
            .and_then(|g| self.gaps.get(*g))
            .is_some_and(|g| g.samples.len() < self.samples_per_gap)
    }

    /// Counts one rejected record.
    pub(crate) fn rejected(&mut self, rejection: &Rejection) {
        self.rejections.add(rejection);
    }

    /// Counts one evaluated case.
    pub(crate) fn case(
        &mut self,
        compiled: &Compiled,
        context: &CaseContext<'_>,
        result: &CaseResult,
    ) {
        let outcome = result.outcome();
        self.cases[match outcome {
            CaseOutcome::Flagged => 0,
            CaseOutcome::NeedsReview => 1,
            CaseOutcome::Clear => 2,
        }] += 1;
        if result.findings.is_empty() {
            return;
        }
        let program = &compiled.program;
        self.case_sets.clear();
        for finding in &result.findings {
            let gap = program.rules[finding.rule()].gap.0 as usize;
            let (Some(counts), Some(seen)) = (self.gaps.get_mut(gap), self.seen.get_mut(gap))
            else {
                continue;
            };
            match finding.kind() {
                FindingKind::Flagged => {
                    counts.flagged += 1;
                    *seen |= 1;
                }
                FindingKind::NeedsReview => {
                    counts.needs_review += 1;
                    *seen |= 2;
                    self.key.clear();
                    self.key.extend_from_slice(finding.unknown());
                    self.key.sort_unstable();
                    self.key.dedup();
                    let open = self
                        .open
                        .slot(self.key.as_slice(), |k| k.to_vec().into_boxed_slice());
                    open.findings += 1;
                    if !self.case_sets.contains(&self.key) {
                        open.cases += 1;
                        self.case_sets.push(self.key.clone());
                    }
                }
                FindingKind::Cleared => continue,
            }
            if counts.samples.len() < self.samples_per_gap {
                counts.samples.push(Sample {
                    case_id: result.case_id.clone(),
                    place: (context.file.to_string(), context.line),
                    rule: finding.rule(),
                    kind: finding.kind(),
                    because: finding.because().to_string(),
                });
            }
        }
        for (counts, seen) in self.gaps.iter_mut().zip(self.seen.iter_mut()) {
            match *seen {
                0 => continue,
                s if s & 1 != 0 => counts.cases_flagged += 1,
                _ => counts.cases_needs_review += 1,
            }
            *seen = 0;
        }
        if outcome == CaseOutcome::Flagged {
            self.flagged_case(compiled, context.record);
        }
    }

    /// Counts a flagged case by month, state, city and program.
    fn flagged_case(&mut self, compiled: &Compiled, record: &CaseRecord) {
        let [return_date, encounter_date, state, city, program] = self.fields;
        let date = [return_date, encounter_date]
            .into_iter()
            .flatten()
            .find_map(|f| match record.get(f) {
                Val::Date(d) => Some(d),
                _ => None,
            });
        if return_date.is_some() || encounter_date.is_some() {
            let month = date.map(|d| {
                let (y, m, _) = Date(d).ymd();
                y * 12 + m as i32 - 1
            });
            *self.months.slot(&month, |m| *m) += 1;
        }
        for (field, map) in [
            (state, &mut self.states),
            (city, &mut self.cities),
            (program, &mut self.programs),
        ] {
            let Some(field) = field else { continue };
            let text = text_of(compiled, record, field);
            *map.slot(text.as_deref().unwrap_or(""), |t: &str| Box::from(t)) += 1;
        }
    }
}

/// The text of a string or enum field (`None`: unknown or empty).
fn text_of<'a>(
    compiled: &'a Compiled,
    record: &'a CaseRecord,
    field: FieldId,
) -> Option<Cow<'a, str>> {
    let value = record.get(field);
    let schema = &compiled.program.schema;
    let text: Cow<'a, str> = match (value, &schema.field(field).ty) {
        (Val::Enum(code), Type::Enum(id)) => Cow::Borrowed(
            schema
                .enum_def(*id)
                .values
                .get(code as usize)
                .map(String::as_str)?,
        ),
        (Val::Sym(_) | Val::Text(..), _) => Cow::Borrowed(record.text_of(compiled, value)?),
        (Val::Unknown, _) => return None,
        (other, _) => Cow::Owned(format!("{other:?}")),
    };
    (!text.trim().is_empty()).then_some(text)
}

/// `year * 12 + month - 1` as `YYYY-MM`.
pub(crate) fn month_label(month: i32) -> String {
    format!(
        "{:04}-{:02}",
        month.div_euclid(12),
        month.rem_euclid(12) + 1
    )
}

/// How many bars the state and city charts show before "other".
pub(crate) const TOP: usize = 15;

/// One chart's data: its id (`chart-…`), title and bars, top to bottom.
pub(crate) struct ChartData {
    /// The figure's id.
    pub id: &'static str,
    /// The caption.
    pub title: &'static str,
    /// The bars: label, count, colour.
    pub rows: Vec<(String, u64, (u8, u8, u8))>,
}

/// One set of unknown fields that holds findings open.
pub(crate) struct DecideRow {
    /// The fields (full dotted names) with their schema descriptions.
    pub fields: Vec<(String, String)>,
    /// Findings and cases it holds open.
    pub open: Open,
}

/// The label of a key that was not recorded.
pub(crate) const NOT_RECORDED: &str = "(not recorded)";

/// The label of the keys past a chart's top or the map's cap.
pub(crate) const OTHER: &str = "other";

impl Collector {
    /// Cases evaluated.
    pub(crate) fn evaluated(&self) -> u64 {
        self.cases.iter().sum()
    }

    /// The charts, in the report's order; a chart whose field the schema
    /// lacks is left out.
    pub(crate) fn charts(&self, compiled: &Compiled) -> Vec<ChartData> {
        let program = &compiled.program;
        let mut gaps: Vec<(usize, &GapCounts)> = self
            .gaps
            .iter()
            .enumerate()
            .filter(|(_, g)| g.cases_flagged > 0)
            .collect();
        gaps.sort_by_key(|(i, g)| (std::cmp::Reverse(g.cases_flagged), *i));
        let mut charts = vec![ChartData {
            id: "chart-gaps",
            title: "Flagged cases per gap (coloured by severity)",
            rows: gaps
                .into_iter()
                .map(|(i, g)| {
                    let gap = &program.taxonomy.gaps[i];
                    let severity = crate::severity::Severity::ALL
                        .iter()
                        .position(|s| *s == gap.severity)
                        .unwrap_or(3);
                    (
                        gap.id.clone(),
                        g.cases_flagged,
                        super::charts::SEVERITY_COLOURS[severity],
                    )
                })
                .collect(),
        }];
        let plain = super::charts::PLAIN;
        if self.has_field("return_date") || self.has_field("encounter_date") {
            let mut months: Vec<(Option<i32>, u64)> =
                self.months.iter().map(|(k, v)| (*k, *v)).collect();
            // Chronological; not recorded last.
            months.sort_by_key(|(m, _)| (m.is_none(), *m));
            let mut rows: Vec<(String, u64, (u8, u8, u8))> = months
                .into_iter()
                .map(|(m, n)| (m.map_or_else(|| NOT_RECORDED.into(), month_label), n, plain))
                .collect();
            if *self.months.other() > 0 {
                rows.push((OTHER.into(), *self.months.other(), plain));
            }
            charts.push(ChartData {
                id: "chart-months",
                title: "Flagged cases by month of return (or of encounter, when no return date is recorded)",
                rows,
            });
        }
        for (field, id, title, map, top) in [
            (
                "return_state",
                "chart-states",
                "Flagged cases by state of return",
                &self.states,
                TOP,
            ),
            (
                "return_city",
                "chart-cities",
                "Flagged cases by city of return",
                &self.cities,
                TOP,
            ),
            (
                "program",
                "chart-programs",
                "Flagged cases by program",
                &self.programs,
                usize::MAX,
            ),
        ] {
            if self.has_field(field) {
                charts.push(ChartData {
                    id,
                    title,
                    rows: top_rows(map, top),
                });
            }
        }
        charts
    }

    /// The sets of unknown fields, most findings first.
    pub(crate) fn decide(&self, compiled: &Compiled) -> Vec<DecideRow> {
        let schema = &compiled.program.schema;
        let mut rows: Vec<(&Box<[FieldId]>, &Open)> = self.open.iter().collect();
        rows.sort_by(|a, b| {
            (
                std::cmp::Reverse(a.1.findings),
                std::cmp::Reverse(a.1.cases),
                a.0,
            )
                .cmp(&(
                    std::cmp::Reverse(b.1.findings),
                    std::cmp::Reverse(b.1.cases),
                    b.0,
                ))
        });
        rows.into_iter()
            .map(|(fields, open)| DecideRow {
                fields: fields
                    .iter()
                    .map(|f| {
                        let field = schema.field(*f);
                        (field.name.clone(), field.description.clone())
                    })
                    .collect(),
                open: *open,
            })
            .collect()
    }
}

/// The `top` largest keys (ties by label), then the rest as "other".
fn top_rows(map: &Bounded<Box<str>, u64>, top: usize) -> Vec<(String, u64, (u8, u8, u8))> {
    let plain = super::charts::PLAIN;
    let mut keys: Vec<(&Box<str>, u64)> = map.iter().map(|(k, v)| (k, *v)).collect();
    keys.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let rest: u64 = keys.iter().skip(top).map(|(_, n)| n).sum::<u64>() + map.other();
    let mut rows: Vec<(String, u64, (u8, u8, u8))> = keys
        .into_iter()
        .take(top)
        .map(|(k, n)| {
            let label = if k.is_empty() {
                NOT_RECORDED.into()
            } else {
                k.to_string()
            };
            (label, n, plain)
        })
        .collect();
    if rest > 0 {
        rows.push((OTHER.into(), rest, plain));
    }
    rows
}

/// Which report: `--format html` or `--format markdown`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReportKind {
    /// One self-contained HTML file.
    Html,
    /// One Markdown file.
    Markdown,
}

/// The batch report as a format: gathers while cases stream, writes the
/// whole report at the end.
pub(crate) struct BatchReport {
    kind: ReportKind,
    collector: Collector,
    provenance: super::provenance::SharedProvenance,
}

impl BatchReport {
    /// A report of `kind`, showing `provenance` (filled by the run).
    pub(crate) fn new(
        kind: ReportKind,
        compiled: &Compiled,
        samples_per_gap: usize,
        provenance: super::provenance::SharedProvenance,
    ) -> BatchReport {
        BatchReport {
            kind,
            collector: Collector::new(compiled, samples_per_gap),
            provenance,
        }
    }
}

impl super::Format for BatchReport {
    fn case(
        &mut self,
        _out: &mut dyn std::io::Write,
        compiled: &Compiled,
        context: &CaseContext<'_>,
        result: &CaseResult,
    ) -> std::io::Result<()> {
        self.collector.case(compiled, context, result);
        Ok(())
    }

    fn rejected(&mut self, rejection: &Rejection) {
        self.collector.rejected(rejection);
    }

    fn explains(&self, rule: usize) -> bool {
        self.collector.wants_sample(rule)
    }

    fn finish(&mut self, out: &mut dyn std::io::Write, compiled: &Compiled) -> std::io::Result<()> {
        let provenance = self.provenance.borrow();
        let text = match self.kind {
            ReportKind::Html => super::html::render(compiled, &self.collector, &provenance),
            ReportKind::Markdown => super::markdown::render(compiled, &self.collector, &provenance),
        };
        out.write_all(text.as_bytes())
    }
}

/// `n` with commas between thousands: `4,210`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `part` as a percentage of `whole`, one decimal (`0.0%` of nothing).
pub(crate) fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0.0%".into();
    }
    format!("{:.1}%", part as f64 * 100.0 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bounded_map_keeps_at_most_its_cap_and_counts_the_rest() {
        let mut map: Bounded<Box<str>, u64> = Bounded::new(MAX_KEYS);
        for i in 0..(MAX_KEYS * 3) {
            let key = format!("city {i}");
            *map.slot(key.as_str(), |t: &str| Box::from(t)) += 1;
        }
        // A key kept before the map filled up still counts as itself.
        *map.slot("city 0", |t: &str| Box::from(t)) += 1;
        assert_eq!(map.len(), MAX_KEYS);
        assert_eq!(*map.other(), (MAX_KEYS * 2) as u64);
        let city0 = map.iter().find(|(k, _)| &***k == "city 0").map(|(_, v)| *v);
        assert_eq!(city0, Some(2));
    }

    #[test]
    fn the_collector_keeps_at_most_max_keys_cities_however_many_cases_stream() {
        use crate::eval::batch::{evaluate_case, BatchOptions};
        use crate::eval::compiled::Evaluator;
        use crate::records::schema_index::SchemaIndex;

        let (_, checked) = crate::check::check(crate::check::testing::standard());
        let mut compiled = crate::compile::compile(checked.program.unwrap());
        compiled.used_fields.iter_mut().for_each(|u| *u = true);
        let index = SchemaIndex::new(&compiled);
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/examples/cases.jsonl"),
        )
        .unwrap();
        let mut json: serde_json::Value =
            serde_json::from_str(text.lines().next().unwrap()).unwrap();
        let mut collector = Collector::new(&compiled, 2);
        let mut evaluator = Evaluator::new(&compiled);
        let mut record = CaseRecord::with_fields(compiled.program.schema.fields.len());
        let mut result = CaseResult::default();
        let options = BatchOptions {
            explain: true,
            ..BatchOptions::default()
        };
        let cases = MAX_KEYS * 3;
        for i in 0..cases {
            json["case_id"] = format!("C-{i}").into();
            json["return_city"] = format!("City {i}").into();
            crate::records::json::decode_line(
                &compiled,
                &index,
                &json.to_string(),
                &mut record,
                &mut Default::default(),
            )
            .unwrap();
            evaluate_case(&mut evaluator, &mut record, &mut result, options, |rule| {
                collector.wants_sample(rule)
            });
            let context = CaseContext {
                record: &record,
                file: "batch",
                line: i + 1,
            };
            collector.case(&compiled, &context, &result);
        }
        // Every case is flagged; the cities beyond the cap are "other".
        assert_eq!(collector.cases[0], cases as u64);
        assert_eq!(collector.cities.len(), MAX_KEYS);
        assert_eq!(*collector.cities.other(), (cases - MAX_KEYS) as u64);
        assert!(collector.gaps.iter().all(|g| g.samples.len() <= 2));
        // The chart shows the top 15 and the rest as one "other" bar.
        let charts = collector.charts(&compiled);
        let cities = charts.iter().find(|c| c.id == "chart-cities").unwrap();
        assert_eq!(cities.rows.len(), TOP + 1);
        assert_eq!(cities.rows.iter().map(|r| r.1).sum::<u64>(), cases as u64);
    }

    #[test]
    fn months_are_labelled_by_year_and_month() {
        assert_eq!(month_label(2019 * 12), "2019-01");
        assert_eq!(month_label(2020 * 12 + 11), "2020-12");
    }

    #[test]
    fn numbers_have_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(4210), "4,210");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(percent(1, 3), "33.3%");
    }
}
