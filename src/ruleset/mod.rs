//! Reading a rule-set directory: the manifest, the schema, the taxonomy, the
//! tables and every `.nrs` file, parsed. Problems in the files become
//! diagnostics (a file that is not a regular file or is too large among
//! them); only I/O failures (a missing directory, an unreadable file) are a
//! [`LoadError`].

pub(crate) mod files;
pub(crate) mod gaps;
pub(crate) mod manifest;
pub(crate) mod schema;
pub(crate) mod tables;
pub(crate) mod toml_file;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Sources, Span};
use crate::syntax::ast::Module;
use crate::syntax::{grammar, parser};

use self::files::Unreadable;
use self::gaps::Taxonomy;
use self::manifest::{Manifest, MANIFEST_FILE};
use self::schema::Schema;
use self::tables::Table;

/// A rule set as read from disk, before checking.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    /// Every file read.
    pub sources: Sources,
    /// The manifest's name for the rule set.
    pub name: String,
    /// The manifest's one line about it.
    pub description: String,
    /// The case-record schema.
    pub schema: Schema,
    /// The gap taxonomy.
    pub taxonomy: Taxonomy,
    /// The reference tables that loaded without errors.
    pub tables: Vec<Table>,
    /// Table names whose files had errors (so rules using them are not
    /// reported a second time as unknown names).
    pub broken_tables: Vec<String>,
    /// Each rule file and its syntax tree.
    pub modules: Vec<(FileId, Module)>,
    /// Problems found so far.
    pub diagnostics: Vec<Diagnostic>,
}

/// A failure to read the rule set at all.
#[derive(Debug)]
pub enum LoadError {
    /// The path is not a directory.
    NotADirectory(PathBuf),
    /// The directory has no manifest.
    NoManifest(PathBuf),
    /// A file or directory could not be read.
    Io(PathBuf, std::io::Error),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotADirectory(p) => {
                write!(f, "`{}` is not a rule-set directory (no such directory)", p.display())
            }
            LoadError::NoManifest(p) => write!(
                f,
                "`{}` has no `{MANIFEST_FILE}`; a rule set is a directory with a manifest naming its schema, gap taxonomy and tables",
                p.display()
            ),
            LoadError::Io(p, e) => write!(f, "cannot read `{}`: {e}", p.display()),
        }
    }
}

impl std::error::Error for LoadError {}

/// Reads and parses the rule set in `dir`.
pub(crate) fn load(dir: &Path) -> Result<Loaded, LoadError> {
    if !dir.is_dir() {
        return Err(LoadError::NotADirectory(dir.to_path_buf()));
    }
    let manifest_path = dir.join(MANIFEST_FILE);
    // Anything there is the manifest, to be read or reported (a FIFO is
    // reported, not opened).
    if std::fs::metadata(&manifest_path).is_err() {
        return Err(LoadError::NoManifest(dir.to_path_buf()));
    }
    let mut loaded = Loaded::default();
    let Some(manifest_file) = read(&mut loaded, &manifest_path, None)? else {
        return Ok(loaded);
    };
    let text = &loaded.sources.get(manifest_file).text;
    let manifest: Manifest = match toml_file::parse(manifest_file, text, "manifest") {
        Ok(m) => m,
        Err(d) => {
            loaded.diagnostics.push(d);
            return Ok(loaded);
        }
    };
    loaded.name = manifest.name.clone();
    loaded.description = manifest.description.clone();
    let span = |v: &toml::Spanned<String>| toml_file::span_of(manifest_file, v);

    if let Some(file) = read(
        &mut loaded,
        &dir.join(manifest.schema.get_ref()),
        Some(span(&manifest.schema)),
    )? {
        let text = &loaded.sources.get(file).text;
        loaded.schema = schema::load(file, text, &mut loaded.diagnostics);
    } else {
        loaded.schema.unavailable = true;
    }
    if let Some(file) = read(
        &mut loaded,
        &dir.join(manifest.gaps.get_ref()),
        Some(span(&manifest.gaps)),
    )? {
        let text = &loaded.sources.get(file).text;
        loaded.taxonomy = gaps::load(file, text, &mut loaded.diagnostics);
    } else {
        loaded.taxonomy.unavailable = true;
    }
    for (name, path) in &manifest.tables {
        if let Some(problem) = bad_table_name(name.get_ref()) {
            loaded.diagnostics.push(
                Diagnostic::error("bad-table-name", problem, span(name))
                    .with_help("a table name is what rules write to look a value up: letters, digits and `_`, not starting with a digit, e.g. `city_state`"),
            );
            continue;
        }
        let name = name.get_ref();
        let loaded_table = match read(&mut loaded, &dir.join(path.get_ref()), Some(span(path)))? {
            Some(file) => {
                let text = &loaded.sources.get(file).text;
                tables::load(name, file, text, &mut loaded.diagnostics)
            }
            None => None,
        };
        match loaded_table {
            Some(table) => loaded.tables.push(table),
            None => loaded.broken_tables.push(name.clone()),
        }
    }
    let found = files::rule_files(dir).map_err(|(path, e)| LoadError::Io(path, e))?;
    for (link, target) in &found.outside {
        loaded.diagnostics.push(
            Diagnostic::error_without_span(
                "link-out-of-rule-set",
                format!(
                    "`{}` links to `{}`, a directory outside the rule set; its files are not read",
                    link.display(),
                    target.display()
                ),
            )
            .with_help("rule files are read only from inside the rule-set directory: move the directory in, or link each file"),
        );
    }
    for path in found.files {
        if let Some(file) = read(&mut loaded, &path, None)? {
            let (module, diagnostics) = parser::parse_module(file, &loaded.sources.get(file).text);
            loaded.diagnostics.extend(diagnostics);
            loaded.modules.push((file, module));
        }
    }
    Ok(loaded)
}

/// What is wrong with a table name that rules could not write, if anything.
fn bad_table_name(name: &str) -> Option<String> {
    if name.is_empty() {
        Some("a table name is empty".into())
    } else if grammar::KEYWORDS.contains(&name) {
        Some(format!("`{name}` is a reserved word, not a table name"))
    } else if !grammar::is_name(name) {
        Some(format!("`{name}` is not a table name"))
    } else {
        None
    }
}

/// Reads a file into the sources (its text is there, by the id returned,
/// and nowhere else). A missing file named by the manifest (at
/// `named_at`), a file that is not a regular file, one over
/// [`files::MAX_FILE_BYTES`] and one that is not UTF-8 become diagnostics
/// (`Ok(None)`); other I/O failures are errors.
fn read(
    loaded: &mut Loaded,
    path: &Path,
    named_at: Option<Span>,
) -> Result<Option<FileId>, LoadError> {
    let bytes = match files::read_regular(path) {
        Ok(bytes) => bytes,
        Err(Unreadable::Missing(e)) => {
            if let Some(span) = named_at {
                loaded.diagnostics.push(
                    Diagnostic::error(
                        "missing-file",
                        format!("file `{}` does not exist", path.display()),
                        span,
                    )
                    .with_help("paths in the manifest are relative to the rule-set directory"),
                );
                return Ok(None);
            }
            return Err(LoadError::Io(path.to_path_buf(), e));
        }
        Err(refused @ (Unreadable::NotAFile(_) | Unreadable::TooLarge(_))) => {
            loaded.diagnostics.extend(refused.refusal(path, named_at));
            return Ok(None);
        }
        Err(Unreadable::Io(e)) => return Err(LoadError::Io(path.to_path_buf(), e)),
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Some(loaded.sources.add(path, text))),
        Err(error) => {
            let at = error.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let id = loaded.sources.add(path, lossy);
            loaded.diagnostics.push(
                Diagnostic::error(
                    "not-utf8",
                    "this file is not valid UTF-8 text",
                    Span::new(id, at, at + 1),
                )
                .with_label("invalid byte here")
                .with_help("save the file as UTF-8"),
            );
            Ok(None)
        }
    }
}
