//! A batch of records in csv, decoded and evaluated against the standard pack.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| nrscreen::fuzz_support::records("csv", bytes));
