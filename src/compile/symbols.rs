//! The strings a rule set mentions, interned as small integers.

use std::collections::HashMap;

/// Interned strings. Interning happens while compiling; afterwards the
/// table is read-only and evaluation only looks strings up.
#[derive(Clone, Debug, Default)]
pub(crate) struct Symbols {
    texts: Vec<Box<str>>,
    index: HashMap<Box<str>, u32>,
}

impl Symbols {
    /// The id of `text`, adding it if new.
    pub(crate) fn intern(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.index.get(text) {
            return id;
        }
        let id = self.texts.len() as u32;
        self.texts.push(text.into());
        self.index.insert(text.into(), id);
        id
    }

    /// The id of `text`, if the rule set mentions it.
    pub(crate) fn get(&self, text: &str) -> Option<u32> {
        self.index.get(text).copied()
    }

    /// The text of a symbol.
    pub(crate) fn text(&self, id: u32) -> &str {
        self.texts.get(id as usize).map_or("", |t| t)
    }

    /// How many symbols there are.
    pub(crate) fn len(&self) -> usize {
        self.texts.len()
    }

}
