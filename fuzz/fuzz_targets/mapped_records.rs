//! A mapping file, then an input read through it (split at the first NUL
//! byte): the mapping's loader and diagnostics, the mapped readers (CSV,
//! TSV, the escaped dialect, JSON Lines), the cell pipeline and evaluation.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| nrscreen::fuzz_support::mapped(bytes));
