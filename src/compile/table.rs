//! Tables in compiled form: rows grouped by key symbol, found by a binary
//! search over the table's own keys, so a table takes memory for its rows
//! only (not for every symbol of the rule set).

use crate::ruleset::tables::Table;

use super::constant;
use super::symbols::{SymbolId, Symbols};
use super::val::Val;

/// A table row in compiled form.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TableRow {
    /// First day (inclusive), for dated tables.
    pub from: i32,
    /// Last day (inclusive), for dated tables.
    pub to: i32,
    /// The value.
    pub value: Val,
}

/// A table indexed by key symbol.
#[derive(Clone, Debug)]
pub(crate) struct CompiledTable {
    /// Whether rows are effective-dated.
    pub dated: bool,
    /// The keys, sorted.
    keys: Vec<SymbolId>,
    /// Where the rows of each key start in `rows` (and, last, their end).
    starts: Vec<u32>,
    /// The rows, grouped by key in the order of `keys`, in file order
    /// within a key.
    rows: Vec<TableRow>,
}

impl CompiledTable {
    /// Compiles `table`; its keys and text values become symbols.
    pub(crate) fn new(table: &Table, symbols: &mut Symbols) -> CompiledTable {
        let mut keyed: Vec<(SymbolId, TableRow)> = table
            .rows
            .iter()
            .map(|row| {
                let row_value = TableRow {
                    from: row.from.map_or(i32::MIN, |d| d.0),
                    to: row.to.map_or(i32::MAX, |d| d.0),
                    value: constant(symbols, &row.value),
                };
                (symbols.intern(&row.key), row_value)
            })
            .collect();
        // Stable: a key's rows stay in file order.
        keyed.sort_by_key(|(key, _)| *key);
        let mut keys = Vec::new();
        let mut starts = Vec::new();
        for (i, (key, _)) in keyed.iter().enumerate() {
            if keys.last() != Some(key) {
                keys.push(*key);
                starts.push(i as u32);
            }
        }
        starts.push(keyed.len() as u32);
        CompiledTable {
            dated: table.dated,
            keys,
            starts,
            rows: keyed.into_iter().map(|(_, row)| row).collect(),
        }
    }

    /// The rows of `key` (none for a symbol that is not a key).
    pub(crate) fn rows(&self, key: SymbolId) -> &[TableRow] {
        match self.keys.binary_search(&key) {
            Ok(i) => &self.rows[self.starts[i] as usize..self.starts[i + 1] as usize],
            Err(_) => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::source::FileId;

    fn load(text: &str) -> Table {
        let mut diagnostics = Vec::new();
        let table = crate::ruleset::tables::load("t", FileId(0), text, &mut diagnostics);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        table.unwrap()
    }

    #[test]
    fn each_key_has_its_rows_in_file_order_and_other_symbols_none() {
        let table = load(
            "value = \"integer\"\ndated = true\n\
             [[row]]\nkey = \"b\"\nfrom = 2020-01-01\nto = 2020-12-31\nvalue = 1\n\
             [[row]]\nkey = \"a\"\nfrom = 2020-01-01\nto = 2020-12-31\nvalue = 2\n\
             [[row]]\nkey = \"b\"\nfrom = 2019-01-01\nto = 2019-12-31\nvalue = 3\n",
        );
        let mut symbols = Symbols::default();
        let other = symbols.intern("other");
        let compiled = CompiledTable::new(&table, &mut symbols);
        let values = |key: &str| -> Vec<Val> {
            let rows = symbols.get(key).map_or(&[][..], |s| compiled.rows(s));
            rows.iter().map(|r| r.value).collect()
        };
        assert_eq!(values("b"), [Val::Int(1), Val::Int(3)]);
        assert_eq!(values("a"), [Val::Int(2)]);
        assert!(compiled.rows(other).is_empty());
    }

    /// Many tables: each takes memory for its own rows only (before, each
    /// had a slot for every symbol of the rule set: tables × symbols).
    #[test]
    fn a_table_holds_its_own_keys_only() {
        let mut symbols = Symbols::default();
        for i in 0..10_000 {
            symbols.intern(&format!("s{i}"));
        }
        let table = load("value = \"integer\"\n[[row]]\nkey = \"k\"\nvalue = 7\n");
        let compiled = CompiledTable::new(&table, &mut symbols);
        assert_eq!((compiled.keys.len(), compiled.starts.len()), (1, 2));
        let k = symbols.get("k").unwrap();
        assert_eq!(compiled.rows(k).len(), 1);
    }
}
