//! Explanation templates: `"returned to {return_city} on {return_date}"`.
//!
//! A placeholder names a field or a definition; `{{` and `}}` stand for
//! literal braces. Placeholders are resolved like any other name, so a typo
//! is an error pointing inside the string.

use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::syntax::ast::{ExprKind, Ident, StrLit};
use crate::syntax::parser::unescape;
use crate::types::Type;

use super::expr::Scope;
use super::program::{Template, TemplatePart};
use super::Checker;

impl Checker<'_> {
    /// Checks a template; `None` after reporting its errors.
    pub(super) fn template(&mut self, literal: &StrLit) -> Option<Template> {
        let raw = literal.raw.as_str();
        // The raw text starts one byte after the opening quote.
        let base = literal.span.start as usize + 1;
        let file = literal.span.file;
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut ok = true;
        let mut rest = raw;
        let mut offset = 0;
        while let Some(i) = rest.find(['{', '}']) {
            text.push_str(&rest[..i]);
            let brace = &rest[i..i + 1];
            let after = &rest[i + 1..];
            if after.starts_with(brace) {
                text.push_str(brace);
                offset += i + 2;
                rest = &after[1..];
                continue;
            }
            let at = base + offset + i;
            if brace == "}" {
                self.error(
                    Diagnostic::error(
                        "bad-template",
                        "`}` without a matching `{`",
                        Span::new(file, at, at + 1),
                    )
                    .with_help("write `}}` for a literal brace"),
                );
                ok = false;
                offset += i + 1;
                rest = after;
                continue;
            }
            let Some(close) = after.find('}') else {
                self.error(
                    Diagnostic::error(
                        "bad-template",
                        "`{` is not closed",
                        Span::new(file, at, at + 1),
                    )
                    .with_help("close the placeholder with `}`, or write `{{` for a literal brace"),
                );
                ok = false;
                rest = "";
                break;
            };
            let name = &after[..close];
            let name_span = Span::new(file, at + 1, at + 1 + close);
            if !text.is_empty() {
                parts.push(TemplatePart::Text(decode(&std::mem::take(&mut text))));
            }
            match self.placeholder(name, name_span) {
                Some(part) => parts.push(part),
                None => ok = false,
            }
            offset += i + 1 + close + 1;
            rest = &after[close + 1..];
        }
        text.push_str(rest);
        if !text.is_empty() {
            parts.push(TemplatePart::Text(decode(&text)));
        }
        ok.then_some(Template { parts })
    }

    fn placeholder(&mut self, name: &str, span: Span) -> Option<TemplatePart> {
        let valid = !name.is_empty()
            && name.split('.').all(|part| {
                part.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            });
        if !valid {
            self.error(
                Diagnostic::error("bad-template", format!("`{{{name}}}` does not name a field or definition"), span)
                    .with_help("placeholders are names such as `{return_city}` or `{nri.outcome}`; write `{{` for a literal brace"),
            );
            return None;
        }
        let mut start = span.start as usize;
        let parts: Vec<Ident> = name
            .split('.')
            .map(|part| {
                let ident = Ident {
                    name: part.to_string(),
                    span: Span::new(span.file, start, start + part.len()),
                };
                start += part.len() + 1;
                ident
            })
            .collect();
        let expr = crate::syntax::ast::Expr {
            kind: ExprKind::Path(parts),
            span,
        };
        let checked = self.expr(&expr, &Scope::default())?;
        if checked.ty == Type::Record {
            self.error(
                Diagnostic::error(
                    "bad-template",
                    format!("`{name}` is a group of fields and cannot be shown"),
                    span,
                )
                .with_help(format!("name one of its fields, e.g. `{{{name}.date}}`")),
            );
            return None;
        }
        Some(TemplatePart::Value(checked))
    }
}

/// Template text with its escapes decoded (escapes were checked by the parser).
fn decode(raw: &str) -> String {
    unescape(raw).unwrap_or_else(|_| raw.to_string())
}
