//! Test support for the front end (test builds only): the standard rule
//! set, and a rule file parsed and checked beside it.

use std::path::Path;
use std::sync::OnceLock;

use crate::check::{check, Checked};
use crate::diagnostic::Diagnostic;
use crate::ruleset::{load, Loaded};
use crate::source::Sources;
use crate::syntax::parser::parse_module;

/// A fresh copy of the standard rule set (read from disk once).
#[allow(clippy::panic)] // a test without its rule set cannot run
pub(crate) fn standard() -> Loaded {
    static STANDARD: OnceLock<Loaded> = OnceLock::new();
    let read = STANDARD.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        match load(&dir) {
            Ok(loaded) => loaded,
            Err(e) => panic!("the standard rule set does not load: {e}"),
        }
    });
    let mut sources = Sources::default();
    for (_, file) in read.sources.iter() {
        sources.add(&file.path, file.text.clone());
    }
    Loaded {
        sources,
        name: read.name.clone(),
        description: read.description.clone(),
        schema: read.schema.clone(),
        taxonomy: read.taxonomy.clone(),
        tables: read.tables.clone(),
        broken_tables: read.broken_tables.clone(),
        modules: read.modules.clone(),
        diagnostics: read.diagnostics.clone(),
    }
}

/// The standard rule set with `text` as a rule file named `name`; a
/// shipped file of that name is left out. Returns the text's diagnostics
/// from parsing and the result of checking.
pub(crate) fn check_with(name: &str, text: &str) -> (Vec<Diagnostic>, Sources, Checked) {
    let mut loaded = standard();
    let sources = &loaded.sources;
    loaded
        .modules
        .retain(|(file, _)| !sources.get(*file).name.ends_with(&format!("/{name}")));
    let file = loaded.sources.add(Path::new(name), text.to_string());
    let (module, diagnostics) = parse_module(file, text);
    loaded.diagnostics.extend(diagnostics.iter().cloned());
    loaded.modules.push((file, module));
    let (sources, checked) = check(loaded);
    (diagnostics, sources, checked)
}
