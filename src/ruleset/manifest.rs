//! The rule-set manifest (`ruleset.toml`): name, schema, taxonomy, tables.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// The file name of the manifest inside a rule-set directory.
pub(crate) const MANIFEST_FILE: &str = "ruleset.toml";

/// What `ruleset.toml` says.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Manifest {
    /// The rule set's name.
    pub name: String,
    /// One line about it.
    #[serde(default)]
    pub description: String,
    /// Path of the schema file, relative to the manifest.
    pub schema: Spanned<String>,
    /// Path of the gap taxonomy, relative to the manifest.
    pub gaps: Spanned<String>,
    /// Reference tables: the name rules use, and the file's path.
    #[serde(default)]
    pub tables: BTreeMap<Spanned<String>, Spanned<String>>,
}
