//! From cells to field values: the steps every mapped cell goes through
//! (unknown texts, `split`, the value table, the converter, date formats,
//! `unmatched`, then the field's type), done without allocating per cell.

use crate::compile::val::Val;
use crate::compile::Compiled;
use crate::records::case::CaseRecord;
use crate::records::scalar::decode_text;
use crate::ruleset::schema::FieldId;
use crate::types::Type;

use crate::records::rejection::{Problem, ProblemKind};

use super::date_format::parse_date;
use super::{FieldMap, MappedValue, Mapping, Unmatched};

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
    /// The length of the longest text that means unknown (in any field): an
    /// ASCII cell longer than this is known without comparing.
    longest_unknown: usize,
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
            longest_unknown: mapping
                .input
                .unknown
                .iter()
                .chain(mapping.fields.iter().flat_map(|f| &f.unknown))
                .map(String::len)
                .max()
                .unwrap_or(0),
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
        // Through the `'m` reference, so that no borrow of `self` is held.
        let compiled = self.compiled;
        let ty = &compiled.program.schema.field(map.field).ty;
        if let Type::List(element) = ty {
            let element = element.as_ref();
            self.items.clear();
            let mut any_known = false;
            let mut unknown = false;
            for &(cell, column, name) in cells {
                let value = |filler: &mut Filler<'_>,
                             text: &str,
                             record: &mut CaseRecord,
                             notes: &mut RowNotes| {
                    match filler.part(index, map, element, text, column, name, record, notes) {
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
        if let Part::Value(value) = self.part(index, map, ty, text, column, name, record, notes) {
            self.store(record, notes, map.field, value);
        }
    }

    /// Whether `text` means unknown in this field.
    fn is_unknown(&self, map: &FieldMap, text: &str) -> bool {
        let text = text.trim();
        let ascii = text.is_ascii();
        if ascii && text.len() > self.longest_unknown {
            return false;
        }
        let folded = (!ascii).then(|| super::fold_cell(text));
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
                                .map(|d| format!("`{}`", d.as_str()))
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
