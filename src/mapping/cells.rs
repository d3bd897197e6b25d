//! From cells to field values: the steps every mapped cell goes through
//! (unknown texts, `split`, the value table, the converter, date formats,
//! `unmatched`, then the field's type), done without allocating per cell.

use crate::compile::val::Val;
use crate::compile::Compiled;
use crate::date::Date;
use crate::records::case::CaseRecord;
use crate::records::scalar::decode_text;
use crate::ruleset::schema::FieldId;
use crate::types::Type;

use crate::records::rejection::{Problem, ProblemKind};

use super::{FieldMap, MappedValue, Mapping, Unmatched};

/// Whether `format` (strftime notation) reads a whole date: formatting a
/// date with it and reading the text back gives the same date.
pub(crate) fn check_date_format(format: &str) -> Result<(), String> {
    use std::fmt::Write as _;
    let items: Vec<chrono::format::Item<'_>> = chrono::format::StrftimeItems::new(format).collect();
    if items
        .iter()
        .any(|i| matches!(i, chrono::format::Item::Error))
    {
        return Err("it has a `%` code chrono does not know".into());
    }
    let Some(sample) =
        chrono::NaiveDate::from_ymd_opt(2019, 9, 15).and_then(|d| d.and_hms_opt(13, 45, 30))
    else {
        return Err("internal: no sample date".into());
    };
    let mut text = String::new();
    if write!(text, "{}", sample.format_with_items(items.iter())).is_err() {
        return Err("it cannot be written out".into());
    }
    match parse_date_with(format, &text) {
        Some(date) if Date::from_ymd(2019, 9, 15) == Some(date) => Ok(()),
        _ => Err("it does not give a year, a month and a day".into()),
    }
}

fn parse_date_with(format: &str, text: &str) -> Option<Date> {
    use chrono::Datelike;
    let date = chrono::NaiveDate::parse_from_str(text, format).ok()?;
    Date::from_ymd(date.year(), date.month(), date.day())
}

/// The date `text` gives under the first format that reads it.
pub(crate) fn parse_date(formats: &[String], text: &str) -> Option<Date> {
    formats.iter().find_map(|f| parse_date_with(f, text))
}

/// One cell of a row.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cell<'a> {
    /// The column is not there (an optional column, a JSON key left out).
    Missing,
    /// Text.
    Text(&'a str),
    /// Several values already apart (a JSON array).
    Items(&'a [String]),
}

/// A value no table, converter or date format covered: which field and
/// column, and the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Uncovered {
    /// Index of the field in [`Mapping::fields`] (or the bound fields).
    pub field: usize,
    /// Index of the column in the input.
    pub column: usize,
    /// The value.
    pub text: String,
}

/// What mapping one row produced besides the record.
#[derive(Debug, Default)]
pub(crate) struct RowNotes {
    /// The problems; the record is rejected when there is any.
    pub problems: Vec<Problem>,
    /// Values no table, converter or date format covered.
    pub uncovered: Vec<Uncovered>,
    /// Which schema fields got a value (a flag per field).
    pub known: Vec<bool>,
}

impl RowNotes {
    /// Forgets the previous row.
    pub(crate) fn clear(&mut self, fields: usize) {
        self.problems.clear();
        self.uncovered.clear();
        self.known.clear();
        self.known.resize(fields, false);
    }
}

/// Fills records from cells; keeps its buffers from one record to the next.
pub(crate) struct Filler<'m> {
    compiled: &'m Compiled,
    mapping: &'m Mapping,
    case_id: Option<FieldId>,
    used: Vec<bool>,
    items: Vec<Val>,
    scratch: String,
}

/// How one value came out.
enum Part {
    Value(Val),
    /// No value (`[]` in a value table).
    Nothing,
    /// Unknown (an unknown text, or uncovered with `unmatched = "unknown"`).
    Unknown,
    /// Rejected (the problem is noted).
    Bad,
}

impl<'m> Filler<'m> {
    /// A filler for `mapping` under `compiled`.
    pub(crate) fn new(compiled: &'m Compiled, mapping: &'m Mapping) -> Filler<'m> {
        Filler {
            compiled,
            mapping,
            case_id: compiled.program.schema.find("case_id"),
            used: compiled.used_fields.clone(),
            items: Vec::new(),
            scratch: String::new(),
        }
    }

    /// Sets the constants of the mapping in `record`.
    pub(crate) fn constants(&mut self, record: &mut CaseRecord, notes: &mut RowNotes) {
        for constant in &self.mapping.constants {
            let ty = self
                .compiled
                .program
                .schema
                .field(constant.field)
                .ty
                .clone();
            let value = match (&constant.value, &ty) {
                (MappedValue::Empty, _) => record.list_value(std::iter::empty()),
                (MappedValue::Bool(b), _) => Val::Bool(*b),
                (MappedValue::Int(i), _) => Val::Int(*i),
                (MappedValue::Text(text), ty) => {
                    match decode_text(self.compiled, record, ty, text) {
                        Ok(v) => v,
                        Err(_) => continue,
                    }
                }
            };
            self.store(record, notes, constant.field, value);
        }
    }

    fn store(&self, record: &mut CaseRecord, notes: &mut RowNotes, field: FieldId, value: Val) {
        if let Some(flag) = notes.known.get_mut(field.0 as usize) {
            *flag = true;
        }
        if self.used[field.0 as usize] {
            record.set(field, value);
        }
        let parent = self.compiled.program.schema.field(field).parent;
        if let Some(parent) = parent {
            if let Some(flag) = notes.known.get_mut(parent.0 as usize) {
                *flag = true;
            }
            if self.used[parent.0 as usize] {
                record.set(parent, Val::Present);
            }
        }
    }

    /// Fills field `map` (number `index` of the bound fields) from its
    /// cells, given with their column numbers and names.
    pub(crate) fn field(
        &mut self,
        index: usize,
        map: &FieldMap,
        cells: &[(Cell<'_>, usize, &str)],
        record: &mut CaseRecord,
        notes: &mut RowNotes,
    ) {
        let ty = &self.compiled.program.schema.field(map.field).ty;
        if let Type::List(element) = ty {
            let element = element.as_ref().clone();
            self.items.clear();
            let mut any_known = false;
            let mut unknown = false;
            for &(cell, column, name) in cells {
                let value = |filler: &mut Filler<'_>,
                             text: &str,
                             record: &mut CaseRecord,
                             notes: &mut RowNotes| {
                    match filler.part(index, map, &element, text, column, name, record, notes) {
                        Part::Value(v) => {
                            filler.items.push(v);
                            false
                        }
                        Part::Nothing | Part::Bad => false,
                        Part::Unknown => true,
                    }
                };
                match cell {
                    Cell::Missing => {}
                    // A cell that means unknown says nothing: with several
                    // columns, the others may still give the list.
                    Cell::Text(text) if self.is_unknown(map, text) => {}
                    // As in nrscreen's own CSV, `[]` in a column named like
                    // the field is the empty list.
                    Cell::Text(text) if map.native && text.trim() == "[]" => any_known = true,
                    Cell::Text(text) => {
                        any_known = true;
                        match &map.split {
                            Some(separator) => {
                                for part in text.split(separator.as_str()) {
                                    if part.trim().is_empty() {
                                        continue;
                                    }
                                    // An unknown value among known ones:
                                    // the list is not known whole.
                                    unknown |= self.is_unknown(map, part)
                                        || value(self, part, record, notes);
                                }
                            }
                            None => unknown |= value(self, text, record, notes),
                        }
                    }
                    Cell::Items(items) => {
                        for item in items {
                            if self.is_unknown(map, item) {
                                unknown = true;
                            } else {
                                any_known = true;
                                unknown |= value(self, item, record, notes);
                            }
                        }
                    }
                }
            }
            // A list is unknown when no cell says anything, or when one of
            // its values is unknown: a partial list is not the list.
            if any_known && !unknown {
                let items = std::mem::take(&mut self.items);
                let value = record.list_value(items.iter().copied());
                self.items = items;
                self.store(record, notes, map.field, value);
            }
            return;
        }
        let ty = ty.clone();
        let Some(&(cell, column, name)) = cells.first() else {
            return;
        };
        let text = match cell {
            Cell::Missing => return,
            Cell::Text(text) => text,
            Cell::Items(_) => {
                notes.problems.push(
                    Problem::new(
                        ProblemKind::WrongType,
                        format!("found a list, and `{}` holds one value", map.name),
                    )
                    .on_field(&map.name)
                    .in_column(name),
                );
                return;
            }
        };
        if self.is_unknown(map, text) {
            return;
        }
        if Some(map.field) == self.case_id {
            record.case_id.clear();
            record.case_id.push_str(text.trim());
            notes.known[map.field.0 as usize] = true;
            return;
        }
        if let Part::Value(value) = self.part(index, map, &ty, text, column, name, record, notes) {
            self.store(record, notes, map.field, value);
        }
    }

    /// Whether `text` means unknown in this field.
    fn is_unknown(&self, map: &FieldMap, text: &str) -> bool {
        let text = text.trim();
        let folded = (!text.is_ascii()).then(|| super::fold_cell(text));
        let same = |u: &String| match &folded {
            None => u.eq_ignore_ascii_case(text),
            Some(folded) => u == folded,
        };
        self.mapping.input.unknown.iter().any(same) || map.unknown.iter().any(same)
    }

    /// One value (a cell, or a part of a split cell) of type `ty`.
    #[allow(clippy::too_many_arguments)]
    fn part(
        &mut self,
        index: usize,
        map: &FieldMap,
        ty: &Type,
        text: &str,
        column: usize,
        name: &str,
        record: &mut CaseRecord,
        notes: &mut RowNotes,
    ) -> Part {
        let text = text.trim();
        let problem = |notes: &mut RowNotes, reason: String, kind: ProblemKind| {
            notes.problems.push(
                Problem::new(kind, reason)
                    .on_field(&map.name)
                    .in_column(name),
            );
            Part::Bad
        };
        if let Some(table) = map.values.map(|i| &self.mapping.tables[i]) {
            super::fold_cell_into(text, &mut self.scratch);
            if let Some(value) = table.get(&self.scratch) {
                return match value {
                    MappedValue::Bool(b) => Part::Value(Val::Bool(*b)),
                    MappedValue::Int(i) => Part::Value(Val::Int(*i)),
                    MappedValue::Empty => Part::Nothing,
                    MappedValue::Text(t) => match decode_text(self.compiled, record, ty, t) {
                        Ok(v) => Part::Value(v),
                        Err(found) => problem(notes, found.reason, found.kind),
                    },
                };
            }
        }
        if let Some(converter) = map.convert {
            if let Some(code) = converter.convert(text) {
                return Part::Value(record.text_value(self.compiled, code));
            }
        }
        if !map.dates.is_empty() {
            if let Some(date) = parse_date(&map.dates, text) {
                return Part::Value(Val::Date(date.0));
            }
        }
        if map.translates() {
            notes.uncovered.push(Uncovered {
                field: index,
                column,
                text: text.to_string(),
            });
            match map.unmatched {
                Unmatched::Unknown => return Part::Unknown,
                Unmatched::Reject => {
                    let reason = match (map.values, map.convert, map.dates.is_empty()) {
                        (Some(t), _, _) => format!(
                            "`{text}` is not in the value table `{}`",
                            self.mapping.tables[t].name
                        ),
                        (None, Some(c), _) => {
                            format!("`{text}` is not a {} the converter knows", c.what())
                        }
                        _ => format!(
                            "`{text}` matches none of the date formats {}",
                            map.dates
                                .iter()
                                .map(|d| format!("`{d}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    return problem(notes, reason, ProblemKind::NotCovered);
                }
                Unmatched::Keep => {}
            }
        }
        match decode_text(self.compiled, record, ty, text) {
            Ok(v) => Part::Value(v),
            Err(found) => problem(notes, found.reason, found.kind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_formats_must_read_a_whole_date() {
        for good in [
            "%m/%d/%Y",
            "%Y-%m-%d %H:%M:%S",
            "%d.%m.%Y",
            "%Y%m%d",
            "%b %d, %Y",
        ] {
            assert_eq!(check_date_format(good), Ok(()), "{good}");
        }
        for bad in ["%m/%Y", "%Q", "%H:%M", "hello"] {
            assert!(check_date_format(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_first_format_that_reads_a_date_wins() {
        let formats = vec!["%m/%d/%Y".to_string(), "%Y-%m-%d %H:%M:%S".to_string()];
        assert_eq!(
            parse_date(&formats, "09/15/2019"),
            Date::from_ymd(2019, 9, 15)
        );
        assert_eq!(
            parse_date(&formats, "2019-09-15 00:00:00"),
            Date::from_ymd(2019, 9, 15)
        );
        assert_eq!(parse_date(&formats, "15/09/2019"), None);
    }
}
