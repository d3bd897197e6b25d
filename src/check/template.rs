//! Explanation templates: `"[{?fear}fear was expressed; ]returned to
//! {return_city} on {return_date}"`.
//!
//! A placeholder `{name}` shows a field or a definition; `{?name}` and
//! `{?!name}` mention one without showing it. A claim `[…]` rests on what it
//! mentions (`{?x}`: `x` is true, or, not being true/false, recorded;
//! `{?!x}`: `x` is false), or, when it mentions nothing, on the values it
//! shows being recorded; it is shown only when that holds, so that a finding
//! never states what the record does not show. `{{`, `}}`, `[[` and `]]`
//! stand for literal braces and brackets.
//! Placeholders are resolved like any other name, so a typo is an error
//! pointing inside the string.

use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::syntax::ast::{ExprKind, Ident, StrLit};
use crate::syntax::parser::unescape;
use crate::types::Type;

use super::expr::Scope;
use super::program::{Template, TemplatePart};
use super::Checker;

/// A claim being read: its parts, where its `[` is, and whether it holds a
/// placeholder (even one that failed to check, so that a broken name is not
/// reported twice).
struct OpenClaim {
    parts: Vec<TemplatePart>,
    at: usize,
    has_placeholder: bool,
}

impl Checker<'_> {
    /// Checks a template; `None` after reporting its errors.
    pub(super) fn template(&mut self, literal: &StrLit) -> Option<Template> {
        let raw = literal.raw.as_str();
        // The raw text starts one byte after the opening quote.
        let base = literal.span.start as usize + 1;
        let file = literal.span.file;
        let span = |from: usize, len: usize| Span::new(file, base + from, base + from + len);
        let mut parts = Vec::new();
        let mut claim: Option<OpenClaim> = None;
        let mut text = String::new();
        let mut ok = true;
        let mut i = 0;
        while let Some(found) = raw[i..].find(['{', '}', '[', ']']) {
            let at = i + found;
            text.push_str(&raw[i..at]);
            let mark = &raw[at..at + 1];
            if raw[at + 1..].starts_with(mark) {
                text.push_str(mark);
                i = at + 2;
                continue;
            }
            i = at + 1;
            match mark {
                "}" | "]" => {
                    let (open, what) = if mark == "}" {
                        ("{", "braces")
                    } else {
                        ("[", "brackets")
                    };
                    if mark == "]" && claim.is_some() {
                        flush(&mut text, target(&mut claim, &mut parts));
                        if let Some(closed) = claim.take() {
                            if !closed.has_placeholder {
                                self.error(
                                    Diagnostic::error(
                                        "bad-template",
                                        "this claim rests on no value, so it would always be shown",
                                        span(closed.at, at + 1 - closed.at),
                                    )
                                    .with_help("name the value it depends on: `[{?fear_of_mexico_expressed}fear was expressed]`, or write `[[` and `]]` for literal brackets"),
                                );
                                ok = false;
                            }
                            parts.push(TemplatePart::Claim(closed.parts));
                        }
                        continue;
                    }
                    self.error(
                        Diagnostic::error(
                            "bad-template",
                            format!("`{mark}` without a matching `{open}`"),
                            span(at, 1),
                        )
                        .with_help(format!(
                            "write `{mark}{mark}` for a literal {}",
                            &what[..what.len() - 1]
                        )),
                    );
                    ok = false;
                }
                "[" => {
                    if let Some(open) = &claim {
                        self.error(
                            Diagnostic::error("bad-template", "a claim cannot hold another claim", span(at, 1))
                                .with_secondary(span(open.at, 1), "the claim opened here is still open")
                                .with_help("close the first claim with `]` first, or write `[[` for a literal bracket"),
                        );
                        ok = false;
                        continue;
                    }
                    flush(&mut text, &mut parts);
                    claim = Some(OpenClaim {
                        parts: Vec::new(),
                        at,
                        has_placeholder: false,
                    });
                }
                _ => {
                    let Some(close) = raw[i..].find('}') else {
                        self.error(
                            Diagnostic::error("bad-template", "`{` is not closed", span(at, 1))
                                .with_help(
                                "close the placeholder with `}`, or write `{{` for a literal brace",
                            ),
                        );
                        ok = false;
                        i = raw.len();
                        break;
                    };
                    let inner = &raw[i..i + close];
                    let (placeholder, name, name_at) = if let Some(name) = inner.strip_prefix("?!")
                    {
                        (Placeholder::Mention(false), name, i + 2)
                    } else if let Some(name) = inner.strip_prefix('?') {
                        (Placeholder::Mention(true), name, i + 1)
                    } else {
                        (Placeholder::Shown, inner, i)
                    };
                    let mention = placeholder != Placeholder::Shown;
                    i += close + 1;
                    flush(&mut text, target(&mut claim, &mut parts));
                    if let Some(open) = &mut claim {
                        open.has_placeholder = true;
                    }
                    if mention && claim.is_none() {
                        self.error(
                            Diagnostic::error(
                                "bad-template",
                                format!("`{{{inner}}}` mentions a value without showing it, which matters only inside a `[…]` claim"),
                                span(at, close + 2),
                            )
                            .with_help(format!("put it in the claim that rests on it: `[{{{inner}}}…]`, or write `{{{name}}}` to show the value")),
                        );
                        ok = false;
                        continue;
                    }
                    // A name left empty is pointed at where it is missing.
                    let name_span = span(name_at, name.len().max(1).min(close + 1));
                    match self.placeholder(name, name_span, placeholder) {
                        Some(part) => target(&mut claim, &mut parts).push(part),
                        None => ok = false,
                    }
                }
            }
        }
        text.push_str(&raw[i.min(raw.len())..]);
        if let Some(open) = &claim {
            self.error(
                Diagnostic::error("bad-template", "`[` is not closed", span(open.at, 1))
                    .with_help("close the claim with `]`, or write `[[` for a literal bracket (a `]]` is a literal `]`, so a claim cannot end with one)"),
            );
            ok = false;
        }
        flush(&mut text, &mut parts);
        ok.then_some(Template { parts })
    }

    fn placeholder(
        &mut self,
        name: &str,
        span: Span,
        placeholder: Placeholder,
    ) -> Option<TemplatePart> {
        if !crate::ruleset::schema::is_field_name(name) {
            self.error(
                Diagnostic::error("bad-template", format!("`{name}` does not name a field or definition"), span)
                    .with_help("placeholders are names such as `{return_city}`, `{?nri_held}` or `{nri.outcome}`; write `{{` for a literal brace"),
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
        if let Placeholder::Mention(holds_when) = placeholder {
            if !holds_when && checked.ty != Type::Bool {
                self.error(
                    Diagnostic::error(
                        "bad-template",
                        format!("`{{?!{name}}}` rests on `{name}` being false, but it is a {}", checked.ty),
                        span,
                    )
                    .with_help(format!("`{{?!…}}` takes a true/false value; write `{{?{name}}}` to rest on it being recorded")),
                );
                return None;
            }
            return Some(TemplatePart::Mention(checked, holds_when));
        }
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

/// What a placeholder does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Placeholder {
    /// `{name}`: shows the value.
    Shown,
    /// `{?name}` (`true`) or `{?!name}` (`false`): the claim rests on it.
    Mention(bool),
}

/// Where the next part goes: into the open claim, or the template itself.
fn target<'p>(
    claim: &'p mut Option<OpenClaim>,
    parts: &'p mut Vec<TemplatePart>,
) -> &'p mut Vec<TemplatePart> {
    match claim {
        Some(claim) => &mut claim.parts,
        None => parts,
    }
}

/// Moves the pending text, if any, into `parts`.
fn flush(text: &mut String, parts: &mut Vec<TemplatePart>) {
    if !text.is_empty() {
        parts.push(TemplatePart::Text(decode(&std::mem::take(text))));
    }
}

/// Template text with its escapes decoded (escapes were checked by the parser).
fn decode(raw: &str) -> String {
    unescape(raw).unwrap_or_else(|_| raw.to_string())
}
