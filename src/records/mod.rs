//! Case-record input: JSON Lines, CSV and TOML, decoded against the schema
//! straight into [`case::CaseRecord`]s, or set aside as a [`Rejection`].

pub(crate) mod case;
pub(crate) mod delimited;
pub(crate) mod escaped_rows;
pub(crate) mod input;
pub(crate) mod json;
pub(crate) mod json_differential;
pub(crate) mod json_scan;
#[cfg(test)]
mod json_scan_tests;
mod line_endings;
pub(crate) mod rejection;
pub(crate) mod scalar;
pub(crate) mod schema_index;
pub(crate) mod stream;
