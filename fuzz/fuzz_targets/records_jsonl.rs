//! A batch of records in jsonl, decoded and evaluated against the standard pack.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| nrscreen::fuzz_support::records("jsonl", bytes));
