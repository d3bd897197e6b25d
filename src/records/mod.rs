//! Case-record input: JSON Lines, CSV and TOML, decoded against the schema
//! straight into [`case::CaseRecord`]s, or set aside as a [`Rejection`].

pub mod case;
pub mod input;
pub mod json;
mod line_endings;
pub mod rejection;
pub(crate) mod scalar;
pub mod schema_index;
