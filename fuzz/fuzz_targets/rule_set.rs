//! A rule set from bytes, loaded, checked, compiled and run over a record.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| nrscreen::fuzz_support::rule_set(bytes));
