//! A rule file, parsed, its diagnostics rendered.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| nrscreen::fuzz_support::rule_file(bytes));
