//! Mutation testing of a rule set (`nrscreen mutants`): how strong are its
//! tests and audits? Single-node changes of the checked program
//! (`generate`), each judged by the static analysis (equivalent), the rule
//! tests and the audits (`judge`), and the report with a suggested rule
//! test for each survivor (`report`).

pub(crate) mod generate;
pub(crate) mod judge;
pub(crate) mod report;

/// At most this many mutants are judged unless `--max-mutants` says
/// otherwise.
pub(crate) const DEFAULT_MAX_MUTANTS: usize = 1000;

/// `items` if there are at most `max` of them, else `max` of them spread
/// evenly over the whole list (in their order).
pub(crate) fn spread<T>(items: Vec<T>, max: usize) -> Vec<T> {
    let len = items.len();
    if len <= max {
        return items;
    }
    let mut wanted = (0..max).map(|i| i * len / max).peekable();
    items
        .into_iter()
        .enumerate()
        .filter_map(|(i, item)| wanted.next_if_eq(&i).map(|_| item))
        .collect()
}
