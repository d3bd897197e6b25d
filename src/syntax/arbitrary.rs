//! Proptest strategies for rule-language syntax (test builds only).
//!
//! * [`expr`] and [`module`]: random syntax trees, of every expression kind,
//!   operator and clause, restricted to trees the parser can produce
//!   (identifiers that are not keywords, non-negative numbers, dates with
//!   four-digit years, bounded depth, and parentheses where the operator
//!   table needs them; see [`parenthesize`]).
//! * [`expr_text`]: random expression *text* shaped by the grammar, so that
//!   trees the parser produces without parentheses (`a == not b`,
//!   `known not x`) are covered too.
//! * [`comments`] and [`insert_comments`]: random `//` comments put into
//!   rule-file text wherever the grammar allows white space.
//! * [`erase_spans`]: a copy of a module with every span set to one dummy
//!   span, so that trees parsed from different text can be compared.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::BoxedStrategy;

use crate::date::Date;
use crate::source::{FileId, Span};
use crate::syntax::ast::*;
use crate::syntax::grammar::KEYWORDS;
use crate::syntax::lexeme::{self, Kind, Lexeme};
use crate::syntax::operators::{self, Assoc, Fixity, OPERATORS};
use crate::syntax::print::quote;

/// Every binary operator, from the operator table.
pub(crate) fn binary_ops() -> Vec<BinaryOp> {
    OPERATORS
        .iter()
        .filter_map(|op| match op.fixity {
            Fixity::Infix(b, _) => Some(b),
            _ => None,
        })
        .collect()
}

/// Every unary operator, from the operator table.
pub(crate) fn unary_ops() -> Vec<UnaryOp> {
    OPERATORS
        .iter()
        .filter_map(|op| match op.fixity {
            Fixity::Prefix(u) | Fixity::Postfix(u) => Some(u),
            Fixity::Infix(..) => None,
        })
        .collect()
}

// ------------------------------------------------------------------ spans

/// The span every node gets in generated and erased trees.
pub(crate) fn dummy_span() -> Span {
    Span::new(FileId(0), 0, 0)
}

/// A copy of `module` with every span replaced by [`dummy_span`].
pub(crate) fn erase_spans(module: &Module) -> Module {
    let mut module = module.clone();
    for item in &mut module.items {
        match item {
            Item::Def(def) => {
                def.span = dummy_span();
                erase_ident(&mut def.name);
                erase_expr(&mut def.value);
            }
            Item::Rule(rule) => {
                rule.span = dummy_span();
                erase_ident(&mut rule.name);
                for clause in &mut rule.clauses {
                    clause.span = dummy_span();
                    match &mut clause.kind {
                        ClauseKind::Gap(id) | ClauseKind::Severity(id) => erase_ident(id),
                        ClauseKind::Title(s) | ClauseKind::Because(s) => s.span = dummy_span(),
                        ClauseKind::Cites(list) => {
                            list.iter_mut().for_each(|s| s.span = dummy_span());
                        }
                        ClauseKind::Effective(window) => {
                            erase_expr(&mut window.date);
                            for (_, span) in
                                [&mut window.from, &mut window.until].into_iter().flatten()
                            {
                                *span = dummy_span();
                            }
                        }
                        ClauseKind::When(e) => erase_expr(e),
                        ClauseKind::Unless(label, e) => {
                            if let Some(label) = label {
                                erase_ident(label);
                            }
                            erase_expr(e);
                        }
                    }
                }
            }
            Item::Exception(exception) => {
                exception.span = dummy_span();
                erase_ident(&mut exception.name);
                erase_ident(&mut exception.rule);
                erase_expr(&mut exception.condition);
                if let Some(because) = &mut exception.because {
                    because.span = dummy_span();
                }
            }
            Item::Audit(audit) => {
                audit.span = dummy_span();
                audit.name.span = dummy_span();
                if let Some(condition) = &mut audit.precondition {
                    erase_expr(condition);
                }
                for expect in &mut audit.expects {
                    expect.span = dummy_span();
                    erase_ident(&mut expect.target);
                    if let AuditExpectKind::StaysFlagged(field) = &mut expect.kind {
                        erase_expr(field);
                    }
                }
            }
        }
    }
    module
}

/// A copy of `e` with every span replaced by [`dummy_span`].
pub(crate) fn erase_expr_spans(e: &Expr) -> Expr {
    let mut e = e.clone();
    erase_expr(&mut e);
    e
}

fn erase_ident(ident: &mut Ident) {
    ident.span = dummy_span();
}

fn erase_expr(e: &mut Expr) {
    e.span = dummy_span();
    match &mut e.kind {
        ExprKind::Bool(_)
        | ExprKind::UnknownValue
        | ExprKind::Int(_)
        | ExprKind::Str(_)
        | ExprKind::Date(_)
        | ExprKind::Duration(..) => {}
        ExprKind::List(items) => items.iter_mut().for_each(erase_expr),
        ExprKind::Path(parts) => parts.iter_mut().for_each(erase_ident),
        ExprKind::Paren(inner) | ExprKind::Unary(_, inner) => erase_expr(inner),
        ExprKind::Binary(_, a, b) => {
            erase_expr(a);
            erase_expr(b);
        }
        ExprKind::Call(name, args) => {
            erase_ident(name);
            args.iter_mut().for_each(erase_expr);
        }
        ExprKind::Lookup { table, key, on } => {
            erase_ident(table);
            erase_expr(key);
            if let Some(on) = on {
                erase_expr(on);
            }
        }
        ExprKind::Quantifier {
            var, list, body, ..
        } => {
            erase_ident(var);
            erase_expr(list);
            erase_expr(body);
        }
    }
}

/// `Paren` nodes removed: the tree's meaning without its grouping marks.
pub(crate) fn strip_parens(e: &Expr) -> Expr {
    let kind = match &e.kind {
        ExprKind::Paren(inner) => return strip_parens(inner),
        ExprKind::List(items) => ExprKind::List(items.iter().map(strip_parens).collect()),
        ExprKind::Unary(op, inner) => ExprKind::Unary(*op, Box::new(strip_parens(inner))),
        ExprKind::Binary(op, a, b) => {
            ExprKind::Binary(*op, Box::new(strip_parens(a)), Box::new(strip_parens(b)))
        }
        ExprKind::Call(name, args) => {
            ExprKind::Call(name.clone(), args.iter().map(strip_parens).collect())
        }
        ExprKind::Lookup { table, key, on } => ExprKind::Lookup {
            table: table.clone(),
            key: Box::new(strip_parens(key)),
            on: on.as_ref().map(|d| Box::new(strip_parens(d))),
        },
        ExprKind::Quantifier {
            kind,
            var,
            list,
            body,
        } => ExprKind::Quantifier {
            kind: *kind,
            var: var.clone(),
            list: Box::new(strip_parens(list)),
            body: Box::new(strip_parens(body)),
        },
        other => other.clone(),
    };
    Expr { kind, span: e.span }
}

// ------------------------------------------------------------ grouping

/// How tightly an expression holds together, for [`parenthesize`]: the
/// binding power of its operator in the operator table, and more than any
/// operator for operands.
fn level(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, _, _) => operators::infix(*op).power,
        ExprKind::Unary(op, _) => operators::unary(*op).power,
        _ => OPERAND,
    }
}

/// The level of an operand.
const OPERAND: u8 = u8::MAX;

/// `( e )`.
pub(crate) fn paren(e: Expr) -> Expr {
    node(ExprKind::Paren(Box::new(e)))
}

fn wrap_below(e: Expr, min: u8) -> Box<Expr> {
    Box::new(if level(&e) < min { paren(e) } else { e })
}

/// Adds `Paren` nodes wherever a child binds more loosely than its place
/// requires, so that the tree is one the parser can produce. This is the
/// textbook precedence rule, independent of the printer's, and more
/// cautious than the parser needs (it writes `known (not x)` where
/// `known not x` would do; [`expr_text`] covers those trees).
pub(crate) fn parenthesize(e: Expr) -> Expr {
    let kind = match e.kind {
        ExprKind::Binary(op, a, b) => {
            let entry = operators::infix(op);
            let p = entry.power;
            let (a, b) = (parenthesize(*a), parenthesize(*b));
            let (left_min, right_min) = match entry.fixity {
                Fixity::Infix(_, Assoc::Right) => (p + 1, p),
                _ => (p, p + 1),
            };
            ExprKind::Binary(op, wrap_below(a, left_min), wrap_below(b, right_min))
        }
        ExprKind::Unary(op, a) => {
            let entry = operators::unary(op);
            let a = parenthesize(*a);
            // A prefix operand may itself have a prefix operator of the
            // same level or a tighter one: `not not x`, `known x is empty`.
            // A postfix operand must be an operand, or itself postfix:
            // `x is empty is empty`.
            let min = match entry.fixity {
                Fixity::Postfix(_) if level(&a) == entry.power => entry.power,
                Fixity::Postfix(_) => OPERAND,
                _ => entry.power,
            };
            ExprKind::Unary(op, wrap_below(a, min))
        }
        ExprKind::Paren(a) => ExprKind::Paren(Box::new(parenthesize(*a))),
        ExprKind::List(items) => ExprKind::List(items.into_iter().map(parenthesize).collect()),
        ExprKind::Call(name, args) => {
            ExprKind::Call(name, args.into_iter().map(parenthesize).collect())
        }
        ExprKind::Lookup { table, key, on } => ExprKind::Lookup {
            table,
            key: Box::new(parenthesize(*key)),
            on: on.map(|d| Box::new(parenthesize(*d))),
        },
        ExprKind::Quantifier {
            kind,
            var,
            list,
            body,
        } => ExprKind::Quantifier {
            kind,
            var,
            list: Box::new(parenthesize(*list)),
            body: Box::new(parenthesize(*body)),
        },
        other => other,
    };
    Expr { kind, span: e.span }
}

// ------------------------------------------------------------ leaves

pub(crate) fn node(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: dummy_span(),
    }
}

pub(crate) fn ident_of(name: &str) -> Ident {
    Ident {
        name: name.to_string(),
        span: dummy_span(),
    }
}

/// A path expression `a.b.c`.
pub(crate) fn path_of(name: &str) -> Expr {
    node(ExprKind::Path(name.split('.').map(ident_of).collect()))
}

fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// A name: letters, digits and `_`, often starting with a keyword
/// (`order`, `notice`, `is_x`) to test where keywords end.
pub(crate) fn ident() -> BoxedStrategy<String> {
    prop_oneof![
        3 => "[A-Za-z_][A-Za-z0-9_]{0,6}",
        1 => (select(KEYWORDS), "[A-Za-z0-9_]{1,3}").prop_map(|(k, s)| format!("{k}{s}")),
    ]
    .prop_map(|s| if is_keyword(&s) { format!("{s}_") } else { s })
    .boxed()
}

/// A gap id: keywords are allowed here.
fn gap_id() -> BoxedStrategy<String> {
    prop_oneof![
        "[A-Za-z][A-Za-z0-9_-]{0,12}",
        select(KEYWORDS).prop_map(str::to_string),
    ]
    .boxed()
}

/// Characters for string literals, tilted towards those that need escapes.
fn string_char() -> BoxedStrategy<char> {
    prop_oneof![
        4 => proptest::char::range('a', 'z'),
        1 => Just('"'),
        1 => Just('\\'),
        1 => Just('\n'),
        1 => Just('\t'),
        1 => Just('{'),
        1 => Just(' '),
        1 => any::<char>(),
    ]
    .boxed()
}

/// A string value.
pub(crate) fn string_value() -> BoxedStrategy<String> {
    vec(string_char(), 0..8)
        .prop_map(|cs| cs.into_iter().collect())
        .boxed()
}

/// A string literal whose raw text spells its value, tabs escaped or not.
fn str_lit() -> BoxedStrategy<StrLit> {
    vec((string_char(), any::<bool>()), 0..8)
        .prop_map(|chars| {
            let mut value = String::new();
            let mut raw = String::new();
            for (c, literal_tab) in chars {
                value.push(c);
                if c == '\t' && literal_tab {
                    raw.push('\t');
                } else {
                    let quoted = quote(&c.to_string());
                    raw.push_str(&quoted[1..quoted.len() - 1]);
                }
            }
            StrLit {
                value,
                raw,
                span: dummy_span(),
            }
        })
        .boxed()
}

/// A date with a four-digit year.
pub(crate) fn date() -> BoxedStrategy<Date> {
    let first = Date::from_ymd(0, 1, 1).map_or(0, |d| d.0);
    let last = Date::from_ymd(9999, 12, 31).map_or(0, |d| d.0);
    prop_oneof![
        (first..=last).prop_map(Date),
        // Around the MPP years, where the shipped rules live.
        (17_500i32..19_500).prop_map(Date),
    ]
    .boxed()
}

fn amount() -> BoxedStrategy<i64> {
    prop_oneof![4 => 0i64..100, 1 => 0i64..=i64::MAX].boxed()
}

/// `days` or `weeks`.
pub(crate) fn duration_unit() -> BoxedStrategy<DurationUnit> {
    prop_oneof![Just(DurationUnit::Days), Just(DurationUnit::Weeks)].boxed()
}

fn path_kind() -> BoxedStrategy<ExprKind> {
    vec(ident(), 1..4)
        .prop_map(|names| ExprKind::Path(names.iter().map(|n| ident_of(n)).collect()))
        .boxed()
}

fn leaf() -> BoxedStrategy<Expr> {
    prop_oneof![
        1 => any::<bool>().prop_map(ExprKind::Bool),
        1 => amount().prop_map(ExprKind::Int),
        1 => string_value().prop_map(ExprKind::Str),
        1 => date().prop_map(ExprKind::Date),
        1 => (amount(), duration_unit()).prop_map(|(a, u)| ExprKind::Duration(a, u)),
        3 => path_kind(),
        1 => ident().prop_map(|n| ExprKind::Call(ident_of(&n), Vec::new())),
        1 => Just(ExprKind::List(Vec::new())),
    ]
    .prop_map(node)
    .boxed()
}

/// What the grammar reads after `on` in a lookup.
fn lookup_date(inner: BoxedStrategy<Expr>) -> BoxedStrategy<Expr> {
    prop_oneof![
        inner.prop_map(paren),
        date().prop_map(|d| node(ExprKind::Date(d))),
        (ident(), vec(leaf(), 0..2)).prop_map(|(n, args)| node(ExprKind::Call(ident_of(&n), args))),
        path_kind().prop_map(node),
    ]
    .boxed()
}

/// Random trees of every expression kind, before [`parenthesize`].
fn raw_expr() -> BoxedStrategy<Expr> {
    leaf()
        .prop_recursive(5, 40, 4, |inner| {
            prop_oneof![
                1 => vec(inner.clone(), 0..4).prop_map(ExprKind::List),
                1 => inner.clone().prop_map(|e| ExprKind::Paren(Box::new(e))),
                2 => (select(unary_ops()), inner.clone())
                    .prop_map(|(op, e)| ExprKind::Unary(op, Box::new(e))),
                5 => (select(binary_ops()), inner.clone(), inner.clone())
                    .prop_map(|(op, a, b)| ExprKind::Binary(op, Box::new(a), Box::new(b))),
                1 => (ident(), vec(inner.clone(), 0..3))
                    .prop_map(|(n, args)| ExprKind::Call(ident_of(&n), args)),
                1 => (ident(), inner.clone(), option::of(lookup_date(inner.clone())))
                    .prop_map(|(t, key, on)| ExprKind::Lookup {
                        table: ident_of(&t),
                        key: Box::new(key),
                        on: on.map(Box::new),
                    }),
                1 => (any::<bool>(), ident(), inner.clone(), inner)
                    .prop_map(|(any, var, list, body)| ExprKind::Quantifier {
                        kind: if any { QuantifierKind::Any } else { QuantifierKind::All },
                        var: ident_of(&var),
                        list: Box::new(list),
                        body: Box::new(body),
                    }),
            ]
            .prop_map(node)
        })
        .boxed()
}

/// Random trees of every expression kind, including ones the parser cannot
/// produce (`(a or b) == c` without its parentheses).
pub(crate) fn any_expr() -> BoxedStrategy<Expr> {
    raw_expr()
}

/// Random expressions the parser can produce.
pub(crate) fn expr() -> BoxedStrategy<Expr> {
    raw_expr().prop_map(parenthesize).boxed()
}

// ------------------------------------------------------------ modules

/// A line of documentation: no line break, no trailing blanks.
fn doc_line() -> BoxedStrategy<String> {
    "[ -~éü✓]{0,20}"
        .prop_map(|s| s.trim_end().to_string())
        .boxed()
}

/// Up to two lines of documentation.
pub(crate) fn doc() -> BoxedStrategy<Vec<String>> {
    vec(doc_line(), 0..3).boxed()
}

fn window() -> BoxedStrategy<Window> {
    (
        vec(ident(), 1..3),
        option::of(date()),
        option::of(date()),
        date(),
    )
        .prop_map(|(names, from, until, fallback)| {
            let until = if from.is_none() && until.is_none() {
                Some(fallback)
            } else {
                until
            };
            Window {
                date: node(ExprKind::Path(names.iter().map(|n| ident_of(n)).collect())),
                from: from.map(|d| (d, dummy_span())),
                until: until.map(|d| (d, dummy_span())),
            }
        })
        .boxed()
}

fn clause() -> BoxedStrategy<Clause> {
    prop_oneof![
        1 => gap_id().prop_map(|g| ClauseKind::Gap(ident_of(&g))),
        1 => ident().prop_map(|s| ClauseKind::Severity(ident_of(&s))),
        1 => str_lit().prop_map(ClauseKind::Title),
        1 => vec(str_lit(), 1..4).prop_map(ClauseKind::Cites),
        1 => window().prop_map(ClauseKind::Effective),
        2 => expr().prop_map(ClauseKind::When),
        2 => (option::of(ident()), expr())
            .prop_map(|(label, e)| ClauseKind::Unless(label.map(|l| ident_of(&l)), e)),
        1 => str_lit().prop_map(ClauseKind::Because),
    ]
    .prop_map(|kind| Clause {
        kind,
        span: dummy_span(),
    })
    .boxed()
}

fn item() -> BoxedStrategy<Item> {
    prop_oneof![
        (doc(), ident(), expr()).prop_map(|(doc, name, value)| Item::Def(DefItem {
            doc,
            name: ident_of(&name),
            value,
            span: dummy_span(),
        })),
        (doc(), ident(), vec(clause(), 0..8)).prop_map(|(doc, name, clauses)| {
            Item::Rule(RuleItem {
                doc,
                name: ident_of(&name),
                clauses,
                span: dummy_span(),
            })
        }),
        (doc(), ident(), ident(), expr(), option::of(str_lit())).prop_map(
            |(doc, name, rule, condition, because)| Item::Exception(ExceptionItem {
                doc,
                name: ident_of(&name),
                rule: ident_of(&rule),
                condition,
                because,
                span: dummy_span(),
            })
        ),
    ]
    .boxed()
}

/// Random rule files the parser can produce.
pub(crate) fn module() -> BoxedStrategy<Module> {
    vec(item(), 0..5).prop_map(|items| Module { items }).boxed()
}

// ------------------------------------------------------- expression text

fn atom_text() -> BoxedStrategy<String> {
    prop_oneof![
        1 => Just("true".to_string()),
        1 => Just("false".to_string()),
        1 => (0u32..1000).prop_map(|n| n.to_string()),
        1 => string_value().prop_map(|s| quote(&s)),
        1 => date().prop_map(|d| d.to_string()),
        1 => (0u32..100, select(&["day", "days", "week", "weeks"][..]))
            .prop_map(|(n, u)| format!("{n} {u}")),
        3 => vec(ident(), 1..3).prop_map(|names| names.join(".")),
    ]
    .boxed()
}

/// The spellings of the operators of the table whose fixity passes `keep`.
fn spellings(keep: impl Fn(Fixity) -> bool) -> Vec<&'static str> {
    OPERATORS
        .iter()
        .filter(|op| keep(op.fixity))
        .map(|op| op.spelling)
        .collect()
}

fn join_words(words: impl IntoIterator<Item = String>) -> String {
    words
        .into_iter()
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Random expression text following the grammar's shape
/// `prefix* primary postfix* (infix prefix* primary postfix*)*`, with any
/// prefix and postfix operators wherever the grammar allows them.
pub(crate) fn expr_text() -> BoxedStrategy<String> {
    atom_text()
        .prop_recursive(4, 32, 5, |inner| {
            let primary = prop_oneof![
                3 => atom_text(),
                1 => inner.clone().prop_map(|e| format!("({e})")),
                1 => vec(inner.clone(), 0..3).prop_map(|v| format!("[{}]", v.join(", "))),
                1 => (ident(), vec(inner.clone(), 0..3))
                    .prop_map(|(n, args)| format!("{n}({})", args.join(", "))),
                1 => (
                    ident(),
                    inner.clone(),
                    option::of(prop_oneof![
                        inner.clone().prop_map(|e| format!("({e})")),
                        date().prop_map(|d| d.to_string()),
                        ident().prop_map(|n| format!("{n}()")),
                        ident(),
                    ])
                )
                    .prop_map(|(t, k, on)| match on {
                        Some(d) => format!("{t}[{k}] on {d}"),
                        None => format!("{t}[{k}]"),
                    }),
                1 => (
                    select(&["any", "all"][..]),
                    ident(),
                    inner.clone(),
                    inner.clone()
                )
                    .prop_map(|(q, v, l, b)| format!("{q}({v} in {l}: {b})")),
            ];
            let operand = (
                vec(select(spellings(|f| matches!(f, Fixity::Prefix(_)))), 0..3)
                    .prop_filter("`unknown -x` is the value `unknown` minus `x`", |pre| {
                        !pre.windows(2).any(|w| w == ["unknown", "-"])
                    }),
                primary,
                vec(select(spellings(|f| matches!(f, Fixity::Postfix(_)))), 0..2),
            )
                .prop_map(|(pre, p, post)| {
                    join_words(
                        pre.into_iter()
                            .map(str::to_string)
                            .chain(std::iter::once(p))
                            .chain(post.into_iter().map(str::to_string)),
                    )
                });
            (operand.clone(), vec((select(binary_ops()), operand), 0..4)).prop_map(
                |(first, rest)| {
                    let mut out = first;
                    for (op, operand) in rest {
                        out.push(' ');
                        out.push_str(op.symbol());
                        out.push(' ');
                        out.push_str(&operand);
                    }
                    out
                },
            )
        })
        .boxed()
}

// ------------------------------------------------------------- comments

/// Where to put comments: for each, a place among the token boundaries of
/// the text, whether it trails code on its line, and whether an empty line
/// comes with it.
pub(crate) fn comments() -> BoxedStrategy<Vec<(proptest::sample::Index, bool, bool)>> {
    vec(
        (
            any::<proptest::sample::Index>(),
            any::<bool>(),
            any::<bool>(),
        ),
        0..10,
    )
    .boxed()
}

/// Where a comment may be put in `text`: after the lexeme at each returned
/// offset, where the grammar allows white space (not inside a duration, a
/// path, a date or a two-character operator); and whether it may be on the
/// same line (not after a doc line, which it would extend).
fn comment_places(text: &str) -> Vec<(usize, bool)> {
    let lexemes = lexeme::scan(text);
    let mut places = vec![(0, false)];
    let punctuation =
        |l: &Lexeme<'_>| matches!(l.text, "(" | ")" | "[" | "]" | "," | ":" | "{" | "}");
    for pair in lexemes.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let spaced = a.end < b.start;
        let duration = a.text.bytes().all(|c| c.is_ascii_digit())
            && matches!(b.text, "day" | "days" | "week" | "weeks");
        if (spaced && !duration) || punctuation(a) || punctuation(b) {
            places.push((a.end, a.kind != Kind::Doc));
        }
    }
    if let Some(last) = lexemes.last() {
        places.push((last.end, last.kind != Kind::Doc));
    }
    places
}

/// `text` with the `comments` put in (numbered `c0`, `c1`, … from the end,
/// each with a `//` inside a string-like part, so that a scan that misreads
/// it shows).
pub(crate) fn insert_comments(
    text: &str,
    comments: &[(proptest::sample::Index, bool, bool)],
) -> String {
    let places = comment_places(text);
    let mut chosen: Vec<_> = comments
        .iter()
        .map(|(i, trailing, blank)| {
            let (at, can_trail) = *i.get(&places);
            (at, *trailing && can_trail, *blank)
        })
        .collect();
    chosen.sort_by_key(|c| std::cmp::Reverse(c.0));
    let mut text = text.to_string();
    for (n, (at, trailing, blank)) in chosen.iter().enumerate() {
        let blank = if *blank { "\n" } else { "" };
        let comment = if *trailing {
            format!(" // c{n} \"x // y\"\n{blank}")
        } else {
            format!("\n{blank}//// c{n}\n")
        };
        text.insert_str(*at, &comment);
    }
    text
}
