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
//! * [`ValidPools`] and [`valid_module`]: rule files that check without
//!   errors against the standard rule set, built from its schema.
//! * [`mutated_text`]: the shipped rule files, damaged at random.
//! * [`erase_spans`]: a copy of a module with every span set to one dummy
//!   span, so that trees parsed from different text can be compared.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::BoxedStrategy;

use crate::date::Date;
use crate::source::FileId;
use crate::syntax::ast::*;
use crate::syntax::operators::{self, Assoc, Fixity, OPERATORS};
use crate::syntax::print::quote;
use crate::syntax::span::Span;

/// The words the grammar reserves (`keyword` in `grammar/nrscreen.pest`).
pub(crate) use crate::syntax::syntax_error::KEYWORDS;

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

fn paren(e: Expr) -> Expr {
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

fn duration_unit() -> BoxedStrategy<DurationUnit> {
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

fn doc() -> BoxedStrategy<Vec<String>> {
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
                vec(select(&["not", "known", "unknown"][..]), 0..3),
                primary,
                vec(select(&["is empty", "is not empty"][..]), 0..2),
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

// ------------------------------------------------------- valid rule files

/// Names and values of the standard rule set, by type, for generating rule
/// files that check without errors.
#[derive(Clone, Debug)]
pub(crate) struct ValidPools {
    bools: Vec<String>,
    enums: Vec<(String, Vec<String>)>,
    dates: Vec<String>,
    enum_lists: Vec<(String, Vec<String>)>,
    ints: Vec<String>,
    strs: Vec<String>,
    fields: Vec<String>,
    gaps: Vec<String>,
    /// Definitions of the rule set that are true/false.
    bool_defs: Vec<String>,
}

impl ValidPools {
    /// The pools of a loaded rule set (its schema, taxonomy and `def`s).
    pub(crate) fn of(loaded: &crate::ruleset::Loaded) -> ValidPools {
        use crate::types::Type;
        let schema = &loaded.schema;
        let mut pools = ValidPools {
            bools: Vec::new(),
            enums: Vec::new(),
            dates: Vec::new(),
            enum_lists: Vec::new(),
            ints: Vec::new(),
            strs: Vec::new(),
            fields: Vec::new(),
            gaps: loaded.taxonomy.gaps.iter().map(|g| g.id.clone()).collect(),
            bool_defs: Vec::new(),
        };
        for field in &schema.fields {
            let name = field.name.clone();
            pools.fields.push(name.clone());
            match &field.ty {
                Type::Bool => pools.bools.push(name),
                Type::Int => pools.ints.push(name),
                Type::Str => pools.strs.push(name),
                Type::Date => pools.dates.push(name),
                Type::Enum(id) => pools
                    .enums
                    .push((name, schema.enum_def(*id).values.clone())),
                Type::List(element) => {
                    if let Type::Enum(id) = **element {
                        pools
                            .enum_lists
                            .push((name, schema.enum_def(id).values.clone()));
                    }
                }
                _ => {}
            }
        }
        // Definitions of the shipped helpers that are conditions.
        for (_, module) in &loaded.modules {
            for item in &module.items {
                if let Item::Def(def) = item {
                    if matches!(
                        def.name.name.as_str(),
                        "returned" | "is_mexican" | "uac" | "excluded_2019" | "excluded_2021"
                    ) {
                        pools.bool_defs.push(def.name.name.clone());
                    }
                }
            }
        }
        pools
    }
}

fn bin(op: BinaryOp, a: Expr, b: Expr) -> Expr {
    node(ExprKind::Binary(op, Box::new(a), Box::new(b)))
}

fn un(op: UnaryOp, a: Expr) -> Expr {
    node(ExprKind::Unary(op, Box::new(a)))
}

fn string(s: &str) -> Expr {
    node(ExprKind::Str(s.to_string()))
}

fn call(name: &str, args: Vec<Expr>) -> Expr {
    node(ExprKind::Call(ident_of(name), args))
}

fn strings(values: &[String]) -> Expr {
    node(ExprKind::List(values.iter().map(|v| string(v)).collect()))
}

fn ordering() -> BoxedStrategy<BinaryOp> {
    select(
        &[
            BinaryOp::Eq,
            BinaryOp::Ne,
            BinaryOp::Lt,
            BinaryOp::Le,
            BinaryOp::Gt,
            BinaryOp::Ge,
        ][..],
    )
    .boxed()
}

/// An enum field and one, or some, of its values.
fn enum_and_values(pool: Vec<(String, Vec<String>)>) -> BoxedStrategy<(String, Vec<String>)> {
    select(pool)
        .prop_flat_map(|(name, values)| {
            let n = values.len();
            (Just(name), proptest::sample::subsequence(values, 1..=n))
        })
        .boxed()
}

/// Well-typed true/false leaves over the schema's fields.
fn valid_leaf(p: &ValidPools) -> BoxedStrategy<Expr> {
    let p = p.clone();
    let bool_cmp = (
        select(p.bools.clone()),
        any::<bool>(),
        select(&[BinaryOp::Eq, BinaryOp::Ne][..]),
    )
        .prop_map(|(f, b, op)| bin(op, path_of(&f), node(ExprKind::Bool(b))));
    let bool_default =
        (select(p.bools.clone()), any::<bool>(), any::<bool>()).prop_map(|(f, default, b)| {
            bin(
                BinaryOp::Eq,
                bin(
                    BinaryOp::Default,
                    path_of(&f),
                    node(ExprKind::Bool(default)),
                ),
                node(ExprKind::Bool(b)),
            )
        });
    let enum_eq = (enum_and_values(p.enums.clone()), any::<bool>()).prop_map(|((f, v), eq)| {
        let op = if eq { BinaryOp::Eq } else { BinaryOp::Ne };
        bin(op, path_of(&f), string(&v[0]))
    });
    let enum_in = (enum_and_values(p.enums.clone()), any::<bool>()).prop_map(|((f, v), is_in)| {
        let op = if is_in { BinaryOp::In } else { BinaryOp::NotIn };
        bin(op, path_of(&f), strings(&v))
    });
    let enum_default = enum_and_values(p.enums.clone()).prop_map(|(f, v)| {
        bin(
            BinaryOp::Eq,
            bin(BinaryOp::Default, path_of(&f), string(&v[0])),
            string(v.last().map_or("", String::as_str)),
        )
    });
    let date_cmp = (select(p.dates.clone()), ordering(), date())
        .prop_map(|(f, op, d)| bin(op, path_of(&f), node(ExprKind::Date(d))));
    let date_arith = (
        select(p.dates.clone()),
        select(p.dates.clone()),
        ordering(),
        0i64..400,
        duration_unit(),
        any::<bool>(),
    )
        .prop_map(|(a, b, op, n, unit, add)| {
            let shift = if add { BinaryOp::Add } else { BinaryOp::Sub };
            bin(
                op,
                bin(shift, path_of(&a), node(ExprKind::Duration(n, unit))),
                path_of(&b),
            )
        });
    let date_default = (
        select(p.dates.clone()),
        select(p.dates.clone()),
        ordering(),
        date(),
    )
        .prop_map(|(a, b, op, d)| {
            bin(
                op,
                bin(BinaryOp::Default, path_of(&a), path_of(&b)),
                node(ExprKind::Date(d)),
            )
        });
    let days_between = (
        select(p.dates.clone()),
        select(p.dates.clone()),
        ordering(),
        0i64..1000,
    )
        .prop_map(|(a, b, op, n)| {
            bin(
                op,
                call("days_between", vec![path_of(&a), path_of(&b)]),
                node(ExprKind::Int(n)),
            )
        });
    let known = (select(p.fields.clone()), any::<bool>()).prop_map(|(f, k)| {
        un(
            if k { UnaryOp::Known } else { UnaryOp::Unknown },
            path_of(&f),
        )
    });
    let list_has = enum_and_values(p.enum_lists.clone())
        .prop_map(|(f, v)| bin(BinaryOp::Contains, path_of(&f), string(&v[0])));
    let list_set = (
        enum_and_values(p.enum_lists.clone()),
        select(
            &[
                BinaryOp::ContainsAny,
                BinaryOp::ContainsAll,
                BinaryOp::ContainsNone,
            ][..],
        ),
    )
        .prop_map(|((f, v), op)| bin(op, path_of(&f), strings(&v)));
    let list_empty = (select(p.enum_lists.clone()), any::<bool>()).prop_map(|((f, _), e)| {
        un(
            if e {
                UnaryOp::IsEmpty
            } else {
                UnaryOp::IsNotEmpty
            },
            path_of(&f),
        )
    });
    let list_any = (
        enum_and_values(p.enum_lists.clone()),
        any::<bool>(),
        "[a-z]{1,3}".prop_map(|s| format!("{s}_")),
    )
        .prop_map(|((f, v), any, var)| {
            node(ExprKind::Quantifier {
                kind: if any {
                    QuantifierKind::Any
                } else {
                    QuantifierKind::All
                },
                var: ident_of(&var),
                list: Box::new(path_of(&f)),
                body: Box::new(bin(BinaryOp::Eq, path_of(&var), string(&v[0]))),
            })
        });
    let list_count =
        (select(p.enum_lists.clone()), ordering(), 0i64..5).prop_map(|((f, _), op, n)| {
            bin(op, call("count", vec![path_of(&f)]), node(ExprKind::Int(n)))
        });
    let int_cmp =
        (select(p.ints.clone()), ordering(), 0i64..100, 0i64..3).prop_map(|(f, op, n, plus)| {
            let left = if plus == 0 {
                path_of(&f)
            } else {
                bin(BinaryOp::Add, path_of(&f), node(ExprKind::Int(plus)))
            };
            bin(op, left, node(ExprKind::Int(n)))
        });
    let str_cmp = (
        select(p.strs.clone()),
        "[A-Za-z ]{0,8}",
        select(&[BinaryOp::Eq, BinaryOp::Ne, BinaryOp::Contains][..]),
        any::<bool>(),
    )
        .prop_map(|(f, s, op, normalized)| {
            let field = if normalized {
                call("normalize", vec![path_of(&f)])
            } else {
                path_of(&f)
            };
            bin(op, field, string(&s))
        });
    let str_in = (select(p.strs.clone()), vec("[A-Z]{2}", 0..3))
        .prop_map(|(f, codes)| bin(BinaryOp::In, path_of(&f), strings(&codes)));
    let def_use = select(p.bool_defs.clone()).prop_map(|d| path_of(&d));
    let lookup =
        (select(p.strs.clone()), select(p.dates.clone()), 1i64..5).prop_map(|(key, on, level)| {
            bin(
                BinaryOp::Ge,
                node(ExprKind::Lookup {
                    table: ident_of("advisory"),
                    key: Box::new(path_of(&key)),
                    on: Some(Box::new(path_of(&on))),
                }),
                node(ExprKind::Int(level)),
            )
        });
    prop_oneof![
        2 => bool_cmp,
        1 => bool_default,
        2 => enum_eq,
        1 => enum_in,
        1 => enum_default,
        1 => date_cmp,
        1 => date_arith,
        1 => date_default,
        1 => days_between,
        2 => known,
        1 => list_has,
        1 => list_set,
        1 => list_empty,
        1 => list_any,
        1 => list_count,
        1 => int_cmp,
        1 => str_cmp,
        1 => str_in,
        1 => def_use,
        1 => lookup,
        1 => any::<bool>().prop_map(|b| node(ExprKind::Bool(b))),
    ]
    .boxed()
}

/// Well-typed conditions: leaves joined by `and`, `or`, `not` and grouped.
pub(crate) fn valid_condition(p: &ValidPools) -> BoxedStrategy<Expr> {
    valid_leaf(p)
        .prop_recursive(3, 12, 2, |inner| {
            prop_oneof![
                3 => (inner.clone(), inner.clone(), any::<bool>()).prop_map(|(a, b, and)| {
                    bin(if and { BinaryOp::And } else { BinaryOp::Or }, a, b)
                }),
                1 => inner.clone().prop_map(|a| un(UnaryOp::Not, a)),
                1 => inner.prop_map(paren),
            ]
        })
        .prop_map(parenthesize)
        .boxed()
}

fn lit(text: &str) -> StrLit {
    StrLit {
        value: text.to_string(),
        raw: text.to_string(),
        span: dummy_span(),
    }
}

/// An explanation naming fields of the schema.
fn valid_because(p: &ValidPools) -> BoxedStrategy<StrLit> {
    vec(("[a-z ,]{0,6}", select(p.fields.clone())), 0..3)
        .prop_map(|parts| {
            let mut text = String::new();
            for (words, field) in parts {
                text.push_str(&words);
                // A record field (`nri`) cannot be shown; name one of its parts.
                let field = if field == "nri" {
                    "nri.date".to_string()
                } else {
                    field
                };
                text.push_str(&format!("{{{field}}}"));
            }
            lit(&text)
        })
        .boxed()
}

fn clause_of(kind: ClauseKind) -> Clause {
    Clause {
        kind,
        span: dummy_span(),
    }
}

/// A rule with every kind of clause, in random order.
fn valid_rule(p: &ValidPools, index: usize, defs: usize) -> BoxedStrategy<Item> {
    let condition = valid_condition(p);
    let def_names: Vec<String> = (0..defs).map(|i| format!("gen_def_{i}")).collect();
    let when = if def_names.is_empty() {
        condition.clone()
    } else {
        prop_oneof![
            3 => condition.clone(),
            1 => (select(def_names), condition.clone(), any::<bool>())
                .prop_map(|(d, c, and)| parenthesize(bin(
                    if and { BinaryOp::And } else { BinaryOp::Or },
                    path_of(&d),
                    c
                ))),
        ]
        .boxed()
    };
    (
        doc(),
        select(p.gaps.clone()),
        option::of(select(&["critical", "high", "medium", "low"][..])),
        option::of("[A-Za-z ]{1,12}"),
        vec("[A-Za-z0-9 ().]{1,12}", 0..3),
        option::of((select(p.dates.clone()), option::of(date()), date())),
        when,
        vec((any::<bool>(), condition), 0..3),
        option::of(valid_because(p)),
    )
        .prop_flat_map(
            move |(doc, gap, severity, title, cites, window, when, unless, because)| {
                let mut clauses = vec![
                    clause_of(ClauseKind::Gap(ident_of(&gap))),
                    clause_of(ClauseKind::When(when)),
                ];
                if let Some(s) = severity {
                    clauses.push(clause_of(ClauseKind::Severity(ident_of(s))));
                }
                if let Some(t) = title {
                    clauses.push(clause_of(ClauseKind::Title(lit(&t))));
                }
                if !cites.is_empty() {
                    let cites = cites.iter().map(|c| lit(c)).collect();
                    clauses.push(clause_of(ClauseKind::Cites(cites)));
                }
                if let Some((field, a, b)) = window {
                    let (from, until) = match a {
                        Some(a) => (Some(a.min(b)), Some(a.max(b))),
                        None => (None, Some(b)),
                    };
                    clauses.push(clause_of(ClauseKind::Effective(Window {
                        date: path_of(&field),
                        from: from.map(|d| (d, dummy_span())),
                        until: until.map(|d| (d, dummy_span())),
                    })));
                }
                for (j, (labelled, e)) in unless.into_iter().enumerate() {
                    let label = labelled.then(|| ident_of(&format!("gen_unless_{j}")));
                    clauses.push(clause_of(ClauseKind::Unless(label, e)));
                }
                if let Some(b) = because {
                    clauses.push(clause_of(ClauseKind::Because(b)));
                }
                (Just(doc), Just(clauses).prop_shuffle())
            },
        )
        .prop_map(move |(doc, clauses)| {
            Item::Rule(RuleItem {
                doc,
                name: ident_of(&format!("gen_rule_{index}")),
                clauses,
                span: dummy_span(),
            })
        })
        .boxed()
}

/// A rule file that checks without errors beside the standard rule set:
/// definitions, rules that may use them, and exceptions to those rules.
pub(crate) fn valid_module(p: &ValidPools) -> BoxedStrategy<Module> {
    let p = p.clone();
    (0usize..3, 1usize..4)
        .prop_flat_map(move |(defs, rules)| {
            let def_items = (0..defs)
                .map(|i| {
                    (doc(), valid_condition(&p))
                        .prop_map(move |(doc, value)| {
                            Item::Def(DefItem {
                                doc,
                                name: ident_of(&format!("gen_def_{i}")),
                                value,
                                span: dummy_span(),
                            })
                        })
                        .boxed()
                })
                .collect::<Vec<_>>();
            let rule_items = (0..rules)
                .map(|i| valid_rule(&p, i, defs))
                .collect::<Vec<_>>();
            let exceptions = vec(
                (
                    doc(),
                    0..rules,
                    valid_condition(&p),
                    option::of(valid_because(&p)),
                ),
                0..3,
            )
            .prop_map(|list| {
                list.into_iter()
                    .enumerate()
                    .map(|(k, (doc, rule, condition, because))| {
                        Item::Exception(ExceptionItem {
                            doc,
                            name: ident_of(&format!("gen_exception_{k}")),
                            rule: ident_of(&format!("gen_rule_{rule}")),
                            condition,
                            because,
                            span: dummy_span(),
                        })
                    })
                    .collect::<Vec<_>>()
            });
            (def_items, rule_items, exceptions)
        })
        .prop_map(|(defs, rules, exceptions)| Module {
            items: defs.into_iter().chain(rules).chain(exceptions).collect(),
        })
        .boxed()
}

// ------------------------------------------------------------- mutations

/// One way to damage a file.
#[derive(Clone, Debug)]
pub(crate) enum Mutation {
    /// Delete a byte range.
    Delete(proptest::sample::Index, usize),
    /// Insert bytes.
    Insert(proptest::sample::Index, Vec<u8>),
    /// Insert a token of the language.
    Token(proptest::sample::Index, &'static str),
    /// Copy a byte range to another place.
    Duplicate(proptest::sample::Index, usize, proptest::sample::Index),
    /// Exchange two byte ranges.
    Swap(proptest::sample::Index, proptest::sample::Index, usize),
    /// Insert a piece of expression many times over (`?? 1 ?? 1 …`).
    Repeat(proptest::sample::Index, &'static str, usize),
}

/// Pieces that nest when repeated.
const REPEATED: &[&str] = &[
    " ?? 1",
    " not a ==",
    " (",
    " [",
    " not",
    " known",
    " a and",
    " + 1",
    " is empty",
];

/// Punctuation, operators and odd literals; the keywords are added from
/// [`KEYWORDS`].
const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    "\"",
    "\\",
    "///",
    "//",
    "\n",
    "==",
    "!=",
    "<=",
    ">=",
    "<",
    ">",
    "??",
    "+",
    "-",
    "=",
    "2019-01-28",
    "2019-02-30",
    "99999999999999999999",
    "30 days",
    "1 week",
    "any(x in ",
    "é",
    "\u{0}",
    "{x}",
    "\"\\q\"",
];

fn mutation() -> BoxedStrategy<Mutation> {
    use proptest::sample::Index;
    prop_oneof![
        (any::<Index>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<Index>(), vec(any::<u8>(), 1..8)).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<Index>(), select([TOKENS, KEYWORDS].concat()))
            .prop_map(|(i, t)| Mutation::Token(i, t)),
        (any::<Index>(), 1usize..80, any::<Index>())
            .prop_map(|(i, n, j)| Mutation::Duplicate(i, n, j)),
        (any::<Index>(), any::<Index>(), 1usize..30).prop_map(|(i, j, n)| Mutation::Swap(i, j, n)),
        (any::<Index>(), select(REPEATED), 1usize..3000)
            .prop_map(|(i, t, n)| Mutation::Repeat(i, t, n)),
    ]
    .boxed()
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len();
    let at = |i: &proptest::sample::Index| if len == 0 { 0 } else { i.index(len + 1) };
    match m {
        Mutation::Delete(i, n) => {
            let start = at(i);
            let end = (start + n).min(len);
            bytes.drain(start..end);
        }
        Mutation::Insert(i, b) => {
            let start = at(i);
            bytes.splice(start..start, b.iter().copied());
        }
        Mutation::Token(i, t) => {
            let start = at(i);
            bytes.splice(start..start, t.bytes());
        }
        Mutation::Repeat(i, t, n) => {
            let start = at(i);
            bytes.splice(start..start, t.repeat(*n).into_bytes());
        }
        Mutation::Duplicate(i, n, j) => {
            let start = at(i);
            let end = (start + n).min(len);
            let piece: Vec<u8> = bytes[start..end].to_vec();
            let to = at(j);
            bytes.splice(to..to, piece);
        }
        Mutation::Swap(i, j, n) => {
            let (a, b) = (at(i).min(at(j)), at(i).max(at(j)));
            let n = (*n).min(b - a).min(len - b);
            if n > 0 {
                let first: Vec<u8> = bytes[a..a + n].to_vec();
                let second: Vec<u8> = bytes[b..b + n].to_vec();
                bytes.splice(b..b + n, first);
                bytes.splice(a..a + n, second);
            }
        }
    }
}

/// The shipped rule files, by name.
pub(crate) const SHIPPED: &[(&str, &str)] = &[
    ("helpers.nrs", include_str!("../../rules/helpers.nrs")),
    ("notice.nrs", include_str!("../../rules/notice.nrs")),
    ("return.nrs", include_str!("../../rules/return.nrs")),
    ("screening.nrs", include_str!("../../rules/screening.nrs")),
];

/// A shipped rule file's name and its text after a few random mutations
/// (decoded lossily where a mutation broke UTF-8).
pub(crate) fn mutated_text() -> BoxedStrategy<(&'static str, String)> {
    (select(SHIPPED), vec(mutation(), 1..5))
        .prop_map(|((name, text), mutations)| {
            let mut bytes = text.as_bytes().to_vec();
            for m in &mutations {
                apply(&mut bytes, m);
            }
            (name, String::from_utf8_lossy(&bytes).into_owned())
        })
        .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check;
    use crate::diagnostic::Diagnostic;
    use crate::ruleset::{load, Loaded};
    use crate::source::Sources;
    use crate::syntax::parser::parse_module;
    use crate::syntax::print::print_module;
    use std::path::Path;
    use std::sync::OnceLock;

    /// A fresh copy of the standard rule set (read from disk once).
    #[allow(clippy::panic)] // a test without its rule set cannot run
    fn standard() -> Loaded {
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
            schema: read.schema.clone(),
            taxonomy: read.taxonomy.clone(),
            tables: read.tables.clone(),
            broken_tables: read.broken_tables.clone(),
            modules: read.modules.clone(),
            diagnostics: read.diagnostics.clone(),
        }
    }

    fn pools() -> &'static ValidPools {
        static POOLS: OnceLock<ValidPools> = OnceLock::new();
        POOLS.get_or_init(|| ValidPools::of(&standard()))
    }

    /// The standard rule set with `text` as a rule file named `name`; a
    /// shipped file of that name is left out. Returns the text's diagnostics
    /// from parsing and the result of checking.
    fn check_with(name: &str, text: &str) -> (Vec<Diagnostic>, Sources, crate::check::Checked) {
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

    /// Every span of every diagnostic lies within its file's text, on
    /// character boundaries, and the diagnostics render.
    fn assert_spans_inside(sources: &Sources, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            let labels = d.primary.iter().chain(d.secondary.iter());
            for label in labels {
                let span = label.span;
                let text = &sources.get(span.file).text;
                assert!(
                    span.start <= span.end && span.end as usize <= text.len(),
                    "{} [{}]: span {:?} outside a text of {} bytes",
                    d.message,
                    d.code,
                    span,
                    text.len()
                );
                assert!(
                    text.is_char_boundary(span.start as usize)
                        && text.is_char_boundary(span.end as usize),
                    "{} [{}]: span {:?} splits a character",
                    d.message,
                    d.code,
                    span
                );
            }
        }
        let _ = crate::diagnostic::render_text(sources, diagnostics, false);
        let _ = crate::diagnostic::render_json(sources, diagnostics);
    }

    #[test]
    fn the_standard_rule_set_has_something_of_every_type() {
        let p = pools();
        for (what, empty) in [
            ("bool", p.bools.is_empty()),
            ("enum", p.enums.is_empty()),
            ("date", p.dates.is_empty()),
            ("list of enum", p.enum_lists.is_empty()),
            ("integer", p.ints.is_empty()),
            ("string", p.strs.is_empty()),
            ("gap", p.gaps.is_empty()),
            ("condition def", p.bool_defs.is_empty()),
        ] {
            assert!(!empty, "no {what}");
        }
    }

    proptest! {
        /// Generated well-typed rule files print, parse back unchanged, and
        /// check without errors beside the standard rule set.
        #[test]
        fn valid_rule_files_check(module in valid_module(pools())) {
            let text = print_module(&module);
            let (parse_errors, sources, checked) = check_with("generated.nrs", &text);
            prop_assert!(parse_errors.is_empty(), "{:?}\n{}", parse_errors, text);
            let (parsed, _) = parse_module(FileId(0), &text);
            prop_assert_eq!(erase_spans(&parsed), erase_spans(&module));
            let errors: Vec<&Diagnostic> =
                checked.diagnostics.iter().filter(|d| d.is_error()).collect();
            prop_assert!(
                errors.is_empty(),
                "{}\n{}",
                text,
                crate::diagnostic::render_text(&sources, &checked.diagnostics, false)
            );
            prop_assert!(checked.program.is_some());
        }

        /// Random bytes neither crash the parser nor the checker.
        #[test]
        fn random_bytes_do_not_panic(bytes in vec(any::<u8>(), 0..300)) {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let (_, sources, checked) = check_with("random.nrs", &text);
            assert_spans_inside(&sources, &checked.diagnostics);
        }

        /// Damaged copies of the shipped files neither crash the parser nor
        /// the checker, and every diagnostic points into its file.
        #[test]
        fn mutated_rule_files_do_not_panic((name, text) in mutated_text()) {
            let (_, sources, checked) = check_with(name, &text);
            assert_spans_inside(&sources, &checked.diagnostics);
        }
    }
}
