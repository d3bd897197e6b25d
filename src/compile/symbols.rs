//! The strings a rule set mentions, interned as small integers.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::name_table::NameTable;

/// The id of an interned string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct SymbolId(u32);

impl SymbolId {
    /// The position in the symbol table (symbols are numbered from 0).
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// Interned strings. Interning happens while compiling; afterwards the
/// table is read-only and evaluation only looks strings up.
#[derive(Clone, Debug, Default)]
pub(crate) struct Symbols {
    texts: Vec<Box<str>>,
    /// For interning.
    index: HashMap<Box<str>, SymbolId>,
    /// For [`Symbols::get`] (texts of records, no hashing), built at the
    /// first lookup after the last interning.
    lookup: OnceLock<NameTable<SymbolId>>,
}

impl Symbols {
    /// The id of `text`, adding it if new.
    pub(crate) fn intern(&mut self, text: &str) -> SymbolId {
        if let Some(&id) = self.index.get(text) {
            return id;
        }
        let id = SymbolId(self.texts.len() as u32);
        self.texts.push(text.into());
        self.index.insert(text.into(), id);
        self.lookup = OnceLock::new();
        id
    }

    /// The id of `text`, if the rule set mentions it.
    pub(crate) fn get(&self, text: &str) -> Option<SymbolId> {
        self.lookup
            .get_or_init(|| {
                NameTable::new(self.texts.iter().enumerate().map(|(i, text)| {
                    let text: &str = text;
                    (text, SymbolId(i as u32))
                }))
            })
            .get(text.as_bytes())
    }

    /// The text of a symbol.
    pub(crate) fn text(&self, id: SymbolId) -> &str {
        self.texts.get(id.index()).map_or("", |t| t)
    }
}
