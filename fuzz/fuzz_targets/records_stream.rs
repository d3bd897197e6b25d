//! Bytes through the input stream layer (gzip, zstd, byte-order marks,
//! UTF-16, an encoding given), then decoded as a batch and evaluated against
//! the standard pack.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| nrscreen::fuzz_support::stream(bytes));
