//! Proptest strategies for rule files that check without errors beside a
//! loaded rule set (test builds only): [`ValidPools`] gathers its fields by
//! type, its gaps and its conditions; [`valid_module`] builds definitions,
//! rules and exceptions from them.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::BoxedStrategy;

use crate::syntax::arbitrary::{
    date, doc, dummy_span, duration_unit, ident_of, node, paren, parenthesize, path_of,
};
use crate::syntax::ast::*;

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
        -1000i64..1000,
    )
        .prop_map(|(a, b, op, n)| {
            // A negative number is written `-` and the number.
            let bound = node(ExprKind::Int(n.abs()));
            let bound = if n < 0 {
                un(UnaryOp::Neg, bound)
            } else {
                bound
            };
            bin(
                op,
                call("days_between", vec![path_of(&a), path_of(&b)]),
                bound,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testing::{check_with, standard};
    use crate::diagnostic::Diagnostic;
    use crate::source::FileId;
    use crate::syntax::arbitrary::erase_spans;
    use crate::syntax::parser::parse_module;
    use crate::syntax::print::print_module;
    use std::sync::OnceLock;

    fn pools() -> &'static ValidPools {
        static POOLS: OnceLock<ValidPools> = OnceLock::new();
        POOLS.get_or_init(|| ValidPools::of(&standard()))
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
    }
}
