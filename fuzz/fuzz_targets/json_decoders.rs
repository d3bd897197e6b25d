//! Lines decoded by the fast JSON scanner (with its serde fallback) and by
//! serde alone, under the standard pack and the benchmark workload: the two
//! must agree on everything.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| nrscreen::fuzz_support::json_decoders(bytes));
