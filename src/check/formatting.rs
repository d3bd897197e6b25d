//! `nrscreen fmt` never changes the checked program (test builds only):
//! the standard pack, squashed and then formatted, and random rule files
//! that check cleanly, with random comments, check to the same program as
//! before formatting, spans aside.

use std::path::Path;

use proptest::prelude::*;

use crate::check::arbitrary::{valid_module, ValidPools};
use crate::check::testing::{check_with, standard};
use crate::source::FileId;
use crate::syntax::arbitrary::{comments, insert_comments};
use crate::syntax::format::format_source;
use crate::syntax::lexeme::{self, Kind, Lexeme};
use crate::syntax::print::print_module;

/// The `Debug` text of a value without its spans.
fn without_spans(debug: &str) -> String {
    let mut out = String::new();
    let mut rest = debug;
    while let Some(at) = rest.find("Span {") {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let close = rest.find('}').map_or(rest.len(), |i| i + 1);
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// The checked program of the standard rule set with `text` as the rule
/// file `name`, spans left out; `None` if it has errors.
fn program_with(name: &str, text: &str) -> Option<String> {
    let (parse_errors, _, checked) = check_with(name, text);
    if !parse_errors.is_empty() || checked.diagnostics.iter().any(|d| d.is_error()) {
        return None;
    }
    checked
        .program
        .map(|program| without_spans(&format!("{program:?}")))
}

#[allow(clippy::panic)] // the test's failure message
fn fmt(text: &str) -> String {
    match format_source(FileId(0), text) {
        Ok(out) => out,
        Err(d) => panic!("{text}: {d:?}"),
    }
}

/// `text` with every line break between two tokens turned into a space
/// (those around comments and doc lines kept): the same program, laid out
/// badly.
fn squashed(text: &str) -> String {
    let mut out = String::new();
    let mut previous: Option<Lexeme<'_>> = None;
    for l in lexeme::scan(text) {
        let gap = &text[previous.as_ref().map_or(0, |p| p.end)..l.start];
        let lines =
            l.kind != Kind::Token || previous.as_ref().is_some_and(|p| p.kind != Kind::Token);
        if gap.contains('\n') && !lines {
            out.push(' ');
        } else {
            out.push_str(gap);
        }
        out.push_str(l.text);
        previous = Some(l);
    }
    out
}

#[test]
fn formatting_the_standard_pack_keeps_its_program() {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut files = 0;
    for (_, file) in standard().sources.iter() {
        if file.path.extension().is_none_or(|e| e != "nrs") {
            continue;
        }
        files += 1;
        let name = file.path.strip_prefix(&rules).unwrap_or(&file.path);
        let name = name.to_string_lossy();
        let before = squashed(&file.text);
        assert_ne!(before, file.text, "{name}");
        // The shipped file is formatted; the squashed one, formatted, has
        // the same program (its blank lines between declarations are gone).
        assert_eq!(fmt(&file.text), file.text, "{name} is not formatted");
        let after = fmt(&before);
        assert_eq!(fmt(&after), after, "{name}");
        let program = program_with(&name, &before);
        assert!(program.is_some(), "{name} squashed does not check");
        assert_eq!(program_with(&name, &after), program, "{name}");
    }
    assert!(files > 0);
}

fn pools() -> &'static ValidPools {
    static POOLS: std::sync::OnceLock<ValidPools> = std::sync::OnceLock::new();
    POOLS.get_or_init(|| ValidPools::of(&standard()))
}

proptest! {
    /// Random rule files that check cleanly, with random comments, check
    /// to the same program once formatted.
    #[test]
    fn formatting_never_changes_the_checked_program(
        module in valid_module(pools()),
        comments in comments(),
    ) {
        let text = insert_comments(&print_module(&module), &comments);
        let before = program_with("generated.nrs", &text);
        prop_assert!(before.is_some(), "{}", text);
        let formatted = format_source(FileId(0), &text);
        prop_assert!(formatted.is_ok(), "{:?}", formatted);
        let after = program_with("generated.nrs", &formatted.unwrap_or_default());
        prop_assert_eq!(after, before);
    }
}
