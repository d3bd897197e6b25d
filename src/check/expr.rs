//! Type checking and name resolution of expressions.
//!
//! Text literals compared with an enum field are resolved here to the enum's
//! value codes ("coercion"), so that a misspelt value is an error at the
//! literal and evaluation compares small integers.

use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::suggest::did_you_mean;
use crate::syntax::ast::{self, BinaryOp, DurationUnit, ExprKind, UnaryOp};
use crate::types::{EnumId, Type};
use crate::value::Value;

use super::program::*;
use super::Checker;

/// Quantifier variables in scope, innermost last.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scope {
    vars: Vec<(String, Type)>,
}

impl Scope {
    fn with(&self, name: &str, ty: Type) -> Scope {
        let mut vars = self.vars.clone();
        vars.push((name.to_string(), ty));
        Scope { vars }
    }

    fn find(&self, name: &str) -> Option<(VarIndex, &Type)> {
        self.vars
            .iter()
            .rev()
            .enumerate()
            .find(|(_, (n, _))| n == name)
            .map(|(i, (_, ty))| (VarIndex(i as u32), ty))
    }
}

/// The built-in functions: name, what it takes, what it gives.
const BUILTINS: &[(&str, Builtin, &str)] = &[
    (
        "normalize",
        Builtin::Normalize,
        "`normalize(text)` gives the text lower-cased, without accents, keeping only letters a-z",
    ),
    (
        "count",
        Builtin::Count,
        "`count(list)` gives the number of elements of a list",
    ),
    (
        "days_between",
        Builtin::DaysBetween,
        "`days_between(a, b)` gives the number of days from date `a` to date `b`",
    ),
];

fn texpr(kind: TKind, ty: Type, span: Span) -> TExpr {
    TExpr { kind, ty, span }
}

impl Checker<'_> {
    /// Checks an expression; `None` after reporting an error.
    pub(super) fn expr(&mut self, e: &ast::Expr, scope: &Scope) -> Option<TExpr> {
        let span = e.span;
        let constant = |value: Value, ty: Type| Some(texpr(TKind::Const(value), ty, span));
        match &e.kind {
            ExprKind::Bool(b) => constant(Value::Bool(*b), Type::Bool),
            ExprKind::UnknownValue => Some(texpr(TKind::UnknownValue, Type::Bool, span)),
            ExprKind::Int(i) => constant(Value::Int(*i), Type::Int),
            ExprKind::Str(s) => constant(Value::Str(Arc::from(s.as_str())), Type::Str),
            ExprKind::Date(d) => constant(Value::Date(*d), Type::Date),
            ExprKind::Duration(amount, unit) => {
                let days = match unit {
                    DurationUnit::Days => Some(*amount),
                    DurationUnit::Weeks => amount.checked_mul(7),
                };
                match days {
                    Some(days) => constant(Value::Duration(days), Type::Duration),
                    None => {
                        self.error(Diagnostic::error(
                            "bad-number",
                            "this duration is too long",
                            span,
                        ));
                        None
                    }
                }
            }
            ExprKind::Paren(inner) => self.expr(inner, scope),
            ExprKind::List(items) => self.list(items, scope, span),
            ExprKind::Path(parts) => self.path(parts, scope, span),
            ExprKind::Unary(op, operand) => self.unary(*op, operand, scope, span),
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, scope, span),
            ExprKind::Call(name, args) => self.call(name, args, scope, span),
            ExprKind::Lookup { table, key, on } => {
                self.lookup(table, key, on.as_deref(), scope, span)
            }
            ExprKind::Quantifier {
                kind,
                var,
                list,
                body,
            } => {
                let list = self.expr(list, scope)?;
                let Some(element) = list.ty.element().cloned() else {
                    self.error(self.expected(
                        &list,
                        "a list",
                        "`any(x in LIST: …)` goes over the elements of a list",
                    ));
                    return None;
                };
                let inner = scope.with(&var.name, element);
                let body = self.expr(body, &inner)?;
                let body = self.expect_bool(body)?;
                Some(texpr(
                    TKind::Quantifier {
                        kind: *kind,
                        list: Box::new(list),
                        body: Box::new(body),
                    },
                    Type::Bool,
                    span,
                ))
            }
        }
    }

    fn list(&mut self, items: &[ast::Expr], scope: &Scope, span: Span) -> Option<TExpr> {
        let mut checked = Vec::with_capacity(items.len());
        let mut element = Type::Nothing;
        let mut ok = true;
        for item in items {
            let Some(c) = self.expr(item, scope) else {
                ok = false;
                continue;
            };
            if element == Type::Nothing {
                element = c.ty.clone();
            } else if !element.fits(&c.ty) {
                self.error(
                    Diagnostic::error("type-mismatch", format!("a list holds values of one type: this is a {}, the first element is a {element}", c.ty), c.span)
                        .with_help("write the list with values of the same kind"),
                );
                ok = false;
                continue;
            }
            checked.push(c);
        }
        ok.then(|| texpr(TKind::List(checked), Type::list_of(element), span))
    }

    fn path(&mut self, parts: &[ast::Ident], scope: &Scope, span: Span) -> Option<TExpr> {
        let first = parts.first()?;
        let full: String = parts
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(".");
        if parts.len() == 1 {
            if let Some((index, ty)) = scope.find(&first.name) {
                return Some(texpr(TKind::Var(index), ty.clone(), span));
            }
            if let Some(id) = self.defs.id(&first.name) {
                let ty = self.use_def(id, span)?;
                return Some(texpr(TKind::Def(id), ty, span));
            }
            if let Some(id) = self.table_named(&first.name) {
                return Some(texpr(TKind::TableKeys(id), Type::list_of(Type::Str), span));
            }
            if self.broken_tables.iter().any(|t| t == &first.name) {
                return None;
            }
        } else if self.defs.id(&first.name).is_some() || scope.find(&first.name).is_some() {
            self.error(
                Diagnostic::error(
                    "not-a-record",
                    format!("`{}` is a definition, not a group of fields", first.name),
                    span,
                )
                .with_help("only record fields such as `nri` have parts like `nri.outcome`"),
            );
            return None;
        }
        if let Some(id) = self.schema.find(&full) {
            let ty = self.schema.field(id).ty.clone();
            return Some(texpr(TKind::Field(id), ty, span));
        }
        if self.schema.broken_fields.contains(&full) {
            return None;
        }
        let candidates: Vec<&str> = self
            .schema
            .fields
            .iter()
            .map(|f| f.name.as_str())
            .chain(self.defs.names())
            .chain(self.tables.iter().map(|t| t.name.as_str()))
            .chain(scope.vars.iter().map(|(n, _)| n.as_str()))
            .collect();
        let mut d = Diagnostic::error("unknown-name", format!("unknown name `{full}`"), span)
            .with_label("not a field of the case record, a definition or a table");
        d = match did_you_mean(&full, candidates.into_iter()) {
            Some(s) => d.with_help(format!("did you mean `{s}`?")),
            None => d.with_help("fields are listed in the schema named by the manifest; definitions are written `def NAME = …`"),
        };
        self.error(d);
        None
    }

    fn unary(
        &mut self,
        op: UnaryOp,
        operand: &ast::Expr,
        scope: &Scope,
        span: Span,
    ) -> Option<TExpr> {
        let inner = self.expr(operand, scope)?;
        match op {
            UnaryOp::Not => {
                let inner = self.expect_bool(inner)?;
                Some(texpr(TKind::Not(Box::new(inner)), Type::Bool, span))
            }
            UnaryOp::Known => Some(texpr(TKind::Known(Box::new(inner)), Type::Bool, span)),
            UnaryOp::Neg => {
                if !matches!(inner.ty, Type::Int | Type::Duration) {
                    self.error(self.expected(
                        &inner,
                        "a number or a duration",
                        "`-` gives the negative of a number or a duration, e.g. `-3` or `-30 days`",
                    ));
                    return None;
                }
                let ty = inner.ty.clone();
                Some(texpr(TKind::Neg(Box::new(inner)), ty, span))
            }
            UnaryOp::Unknown => {
                let known = texpr(TKind::Known(Box::new(inner)), Type::Bool, span);
                Some(texpr(TKind::Not(Box::new(known)), Type::Bool, span))
            }
            UnaryOp::IsEmpty | UnaryOp::IsNotEmpty => {
                if inner.ty.element().is_none() {
                    self.error(self.expected(
                        &inner,
                        "a list",
                        "only lists can be empty; use `unknown x` to test for a missing value",
                    ));
                    return None;
                }
                let empty = texpr(TKind::IsEmpty(Box::new(inner)), Type::Bool, span);
                Some(if op == UnaryOp::IsEmpty {
                    empty
                } else {
                    texpr(TKind::Not(Box::new(empty)), Type::Bool, span)
                })
            }
        }
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        a: &ast::Expr,
        b: &ast::Expr,
        scope: &Scope,
        span: Span,
    ) -> Option<TExpr> {
        let left = self.expr(a, scope);
        let right = self.expr(b, scope);
        let (left, right) = (left?, right?);
        let boxed = |l: TExpr, r: TExpr| (Box::new(l), Box::new(r));
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let l = self.expect_bool(left);
                let r = self.expect_bool(right);
                let (l, r) = boxed(l?, r?);
                let kind = if op == BinaryOp::And {
                    TKind::And(l, r)
                } else {
                    TKind::Or(l, r)
                };
                Some(texpr(kind, Type::Bool, span))
            }
            BinaryOp::Default => {
                let (left, right) = self.unify(left, right, op)?;
                let ty = if left.ty == Type::Nothing || left.ty == Type::list_of(Type::Nothing) {
                    right.ty.clone()
                } else {
                    left.ty.clone()
                };
                let (l, r) = boxed(left, right);
                Some(texpr(TKind::Default(l, r), ty, span))
            }
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => {
                let (left, right) = self.unify(left, right, op)?;
                let cmp = match op {
                    BinaryOp::Eq => CmpOp::Eq,
                    BinaryOp::Ne => CmpOp::Ne,
                    BinaryOp::Lt => CmpOp::Lt,
                    BinaryOp::Le => CmpOp::Le,
                    BinaryOp::Gt => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                if !matches!(cmp, CmpOp::Eq | CmpOp::Ne) && !left.ty.is_ordered() {
                    self.error(
                        Diagnostic::error(
                            "type-mismatch",
                            format!(
                                "`{}` compares numbers, dates or durations, not a {}",
                                op.symbol(),
                                left.ty
                            ),
                            span,
                        )
                        .with_help("use `==` or `!=` for other values"),
                    );
                    return None;
                }
                let (l, r) = boxed(left, right);
                Some(texpr(TKind::Compare(cmp, l, r), Type::Bool, span))
            }
            BinaryOp::In | BinaryOp::NotIn => {
                let Some(element) = right.ty.element().cloned() else {
                    self.error(self.expected(&right, "a list", "`in` tests membership of a list, e.g. `program in [\"mpp-2019\", \"mpp-2021\"]`"));
                    return None;
                };
                let (left, right) = self.unify_member(left, right, &element, op)?;
                let (l, r) = boxed(left, right);
                let inside = texpr(TKind::In(l, r), Type::Bool, span);
                Some(if op == BinaryOp::In {
                    inside
                } else {
                    texpr(TKind::Not(Box::new(inside)), Type::Bool, span)
                })
            }
            BinaryOp::Contains if left.ty == Type::Str => {
                if right.ty != Type::Str {
                    self.error(self.expected(
                        &right,
                        "text",
                        "`TEXT contains \"…\"` looks for a piece of text",
                    ));
                    return None;
                }
                let (l, r) = boxed(left, right);
                Some(texpr(TKind::Contains(l, r), Type::Bool, span))
            }
            BinaryOp::Contains => {
                let Some(element) = left.ty.element().cloned() else {
                    self.error(self.expected(&left, "a list", "`contains` looks inside a list, e.g. `harm_in_mexico contains \"kidnapping\"`"));
                    return None;
                };
                let (right, left) = self.unify_member(right, left, &element, op)?;
                let (l, r) = boxed(left, right);
                Some(texpr(TKind::Contains(l, r), Type::Bool, span))
            }
            BinaryOp::ContainsAny | BinaryOp::ContainsAll | BinaryOp::ContainsNone => {
                for side in [&left, &right] {
                    if side.ty.element().is_none() {
                        self.error(self.expected(
                            side,
                            "a list",
                            &format!("`{}` compares two lists", op.symbol()),
                        ));
                        return None;
                    }
                }
                let (left, right) = self.unify(left, right, op)?;
                let set = match op {
                    BinaryOp::ContainsAny => SetOp::Any,
                    BinaryOp::ContainsAll => SetOp::All,
                    _ => SetOp::None,
                };
                let (l, r) = boxed(left, right);
                Some(texpr(TKind::SetTest(set, l, r), Type::Bool, span))
            }
            BinaryOp::Add | BinaryOp::Sub => self.arith(op, left, right, span),
        }
    }

    fn arith(&mut self, op: BinaryOp, left: TExpr, right: TExpr, span: Span) -> Option<TExpr> {
        let arith = if op == BinaryOp::Add {
            ArithOp::Add
        } else {
            ArithOp::Sub
        };
        let ty = match (&left.ty, &right.ty, arith) {
            (Type::Int, Type::Int, _) => Type::Int,
            (Type::Date, Type::Duration, _) => Type::Date,
            (Type::Duration, Type::Date, ArithOp::Add) => Type::Date,
            (Type::Duration, Type::Duration, _) => Type::Duration,
            (Type::List(_), Type::List(_), ArithOp::Add) => {
                let (left, right) = self.unify(left, right, op)?;
                let ty = if left.ty == Type::list_of(Type::Nothing) {
                    right.ty.clone()
                } else {
                    left.ty.clone()
                };
                return Some(texpr(
                    TKind::Arith(arith, Box::new(left), Box::new(right)),
                    ty,
                    span,
                ));
            }
            (Type::Date, Type::Date, ArithOp::Sub) => {
                self.error(
                    Diagnostic::error(
                        "type-mismatch",
                        "one date cannot be subtracted from another",
                        span,
                    )
                    .with_help(
                        "to count the days between two dates, write `days_between(earlier, later)`",
                    ),
                );
                return None;
            }
            (l, r, _) => {
                let help = if matches!((l, r), (Type::Date, Type::Int) | (Type::Int, Type::Date)) {
                    "add a duration to a date, e.g. `return_date + 30 days`"
                } else {
                    "`+` and `-` work on numbers, on a date and a duration (`date + 30 days`), and `+` joins two lists"
                };
                self.error(
                    Diagnostic::error(
                        "type-mismatch",
                        format!(
                            "cannot {} a {r} {} a {l}",
                            if arith == ArithOp::Add {
                                "add"
                            } else {
                                "subtract"
                            },
                            if arith == ArithOp::Add { "to" } else { "from" }
                        ),
                        span,
                    )
                    .with_help(help),
                );
                return None;
            }
        };
        Some(texpr(
            TKind::Arith(arith, Box::new(left), Box::new(right)),
            ty,
            span,
        ))
    }

    fn call(
        &mut self,
        name: &ast::Ident,
        args: &[ast::Expr],
        scope: &Scope,
        span: Span,
    ) -> Option<TExpr> {
        let Some(&(_, builtin, usage)) = BUILTINS.iter().find(|(n, ..)| *n == name.name) else {
            let mut d = Diagnostic::error(
                "unknown-function",
                format!("there is no function `{}`", name.name),
                name.span,
            );
            d = match did_you_mean(&name.name, BUILTINS.iter().map(|(n, ..)| *n)) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help("the functions are `normalize`, `count` and `days_between`"),
            };
            self.error(d);
            return None;
        };
        let checked: Vec<Option<TExpr>> = args.iter().map(|a| self.expr(a, scope)).collect();
        let checked: Vec<TExpr> = checked.into_iter().collect::<Option<_>>()?;
        let (params, result): (&[Type], Type) = match builtin {
            Builtin::Normalize => (&[Type::Str], Type::Str),
            Builtin::Count => (&[], Type::Int),
            Builtin::DaysBetween => (&[Type::Date, Type::Date], Type::Int),
        };
        let arity = if builtin == Builtin::Count {
            1
        } else {
            params.len()
        };
        if checked.len() != arity {
            self.error(
                Diagnostic::error(
                    "wrong-arguments",
                    format!(
                        "`{}` takes {arity} argument{}, not {}",
                        name.name,
                        if arity == 1 { "" } else { "s" },
                        checked.len()
                    ),
                    span,
                )
                .with_help(usage),
            );
            return None;
        }
        for (i, arg) in checked.iter().enumerate() {
            let ok = match builtin {
                Builtin::Count => arg.ty.element().is_some(),
                _ => arg.ty == params[i],
            };
            if !ok {
                let wanted = if builtin == Builtin::Count {
                    "a list".to_string()
                } else {
                    format!("a {}", params[i])
                };
                self.error(self.expected(arg, &wanted, usage));
                return None;
            }
        }
        Some(texpr(TKind::Call(builtin, checked), result, span))
    }

    fn lookup(
        &mut self,
        table: &ast::Ident,
        key: &ast::Expr,
        on: Option<&ast::Expr>,
        scope: &Scope,
        span: Span,
    ) -> Option<TExpr> {
        let key = self.expr(key, scope);
        let on = on.map(|d| self.expr(d, scope));
        let Some(id) = self.table_named(&table.name) else {
            if self.broken_tables.iter().any(|t| t == &table.name) {
                return None;
            }
            let mut d = Diagnostic::error(
                "unknown-table",
                format!("there is no table `{}`", table.name),
                table.span,
            );
            d = match did_you_mean(&table.name, self.tables.iter().map(|t| t.name.as_str())) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help("tables are named in the manifest's `[tables]` section"),
            };
            self.error(d);
            return None;
        };
        let info = &self.tables[id.0 as usize];
        let (dated, value_type) = (info.dated, info.value_type.clone());
        let key = key?;
        if key.ty != Type::Str {
            self.error(self.expected(&key, "text", "table keys are text"));
            return None;
        }
        let on = match (on, dated) {
            (Some(on), true) => {
                let on = on?;
                if on.ty != Type::Date {
                    self.error(self.expected(
                        &on,
                        "a date",
                        "`TABLE[key] on DATE` looks up the row in force on that date",
                    ));
                    return None;
                }
                Some(Box::new(on))
            }
            (None, true) => {
                self.error(
                    Diagnostic::error(
                        "missing-date",
                        format!(
                            "table `{}` has effective-dated rows; say on which date to look",
                            table.name
                        ),
                        span,
                    )
                    .with_help(format!(
                        "write `{}[…] on return_date` (or another date)",
                        table.name
                    )),
                );
                return None;
            }
            (Some(on), false) => {
                let place = on.map_or(span, |o| o.span);
                self.error(
                    Diagnostic::error(
                        "undated-table",
                        format!("table `{}` is not dated; `on` does not apply", table.name),
                        place,
                    )
                    .with_help("remove `on …`"),
                );
                return None;
            }
            (None, false) => None,
        };
        Some(texpr(
            TKind::Lookup {
                table: id,
                key: Box::new(key),
                on,
            },
            value_type,
            span,
        ))
    }

    pub(super) fn expect_bool(&mut self, e: TExpr) -> Option<TExpr> {
        if e.ty == Type::Bool {
            return Some(e);
        }
        let help = if e.ty.element().is_some() {
            "test a list with `is empty`, `contains …` or `contains any of […]`"
        } else {
            "compare it with something, e.g. `x == …`, or test it with `known x`"
        };
        self.error(self.expected(&e, "a condition (true or false)", help));
        None
    }

    fn expected(&self, e: &TExpr, wanted: &str, help: &str) -> Diagnostic {
        Diagnostic::error(
            "type-mismatch",
            format!("expected {wanted}, found a {}", self.describe(e)),
            e.span,
        )
        .with_help(help.to_string())
    }

    /// "text", or "enumerated value of `program`".
    fn describe(&self, e: &TExpr) -> String {
        match &e.ty {
            Type::Enum(id) => format!("value of `{}`", self.schema.enum_def(*id).field),
            Type::List(inner) => match inner.as_ref() {
                Type::Enum(id) => format!("list of `{}` values", self.schema.enum_def(*id).field),
                other => format!("list of {other}"),
            },
            other => other.to_string(),
        }
    }

    /// Makes two operands the same type, resolving text literals against an
    /// enum on the other side.
    fn unify(&mut self, left: TExpr, right: TExpr, op: BinaryOp) -> Option<(TExpr, TExpr)> {
        if let Some(target) = enum_target(&left.ty) {
            if !left.ty.fits(&right.ty) {
                let right = self.coerce(right, target, &left)?;
                return Some((left, right));
            }
        }
        if let Some(target) = enum_target(&right.ty) {
            if !left.ty.fits(&right.ty) {
                let left = self.coerce(left, target, &right)?;
                return Some((left, right));
            }
        }
        if left.ty == Type::Record || right.ty == Type::Record {
            let record = if left.ty == Type::Record {
                &left
            } else {
                &right
            };
            self.error(
                Diagnostic::error("type-mismatch", "a group of fields cannot be compared", record.span)
                    .with_help("use `known` or `unknown` on it, or compare one of its fields (e.g. `nri.outcome`)"),
            );
            return None;
        }
        if !left.ty.fits(&right.ty) {
            self.error(
                Diagnostic::error(
                    "type-mismatch",
                    format!(
                        "`{}` cannot combine a {} with a {}",
                        op.symbol(),
                        self.describe(&left),
                        self.describe(&right)
                    ),
                    left.span.to(right.span),
                )
                .with_label(format!(
                    "left is a {}, right is a {}",
                    self.describe(&left),
                    self.describe(&right)
                ))
                .with_help("both sides must be the same kind of value"),
            );
            return None;
        }
        Some((left, right))
    }

    /// `member in list`: resolves text literals of `member` or `list` against
    /// an enum element type.
    fn unify_member(
        &mut self,
        member: TExpr,
        list: TExpr,
        element: &Type,
        op: BinaryOp,
    ) -> Option<(TExpr, TExpr)> {
        if element.fits(&member.ty) {
            return Some((member, list));
        }
        if let Type::Enum(id) = member.ty {
            let list = self.coerce(list, id, &member)?;
            return Some((member, list));
        }
        if let Type::Enum(id) = element {
            let member = self.coerce(member, *id, &list)?;
            return Some((member, list));
        }
        self.error(
            Diagnostic::error(
                "type-mismatch",
                format!(
                    "`{}` needs a {} to match the list's elements, found a {}",
                    op.symbol(),
                    element,
                    self.describe(&member)
                ),
                member.span,
            )
            .with_secondary(list.span, format!("a list of {element}")),
        );
        None
    }

    /// Turns constant text (or a list of it, possibly through definitions)
    /// into values of enum `id`, reporting each text that is not a value.
    fn coerce(&mut self, e: TExpr, id: EnumId, other: &TExpr) -> Option<TExpr> {
        let span = e.span;
        match &e.kind {
            TKind::Const(Value::Str(text)) => {
                let Some(code) = self.schema.enum_value(id, text) else {
                    let def = self.schema.enum_def(id);
                    let expected = def
                        .values
                        .iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let mut d = Diagnostic::error(
                        "unknown-enum-value",
                        format!("`{}` has no value `{text}`", def.field),
                        span,
                    )
                    .with_secondary(other.span, format!("this is a value of `{}`", def.field));
                    d = match did_you_mean(text, def.values.iter().map(String::as_str)) {
                        Some(s) => {
                            d.with_help(format!("did you mean `{s}`? the values are {expected}"))
                        }
                        None => d.with_help(format!("expected one of {expected}")),
                    };
                    self.error(d);
                    return None;
                };
                Some(texpr(TKind::Const(Value::Enum(code)), Type::Enum(id), span))
            }
            TKind::List(items) => {
                let items = items.clone();
                let mut converted = Vec::with_capacity(items.len());
                let mut ok = true;
                for item in items {
                    match self.coerce(item, id, other) {
                        Some(c) => converted.push(c),
                        None => ok = false,
                    }
                }
                ok.then(|| texpr(TKind::List(converted), Type::list_of(Type::Enum(id)), span))
            }
            TKind::Def(def) => {
                self.defs.record_inlined(*def);
                let body = self.defs.checked(*def).map(|d| d.expr.clone())?;
                let mut inlined = self.coerce(body, id, other)?;
                inlined.span = span;
                Some(inlined)
            }
            TKind::Arith(ArithOp::Add, a, b) if e.ty.element().is_some() => {
                let (a, b) = ((**a).clone(), (**b).clone());
                let a = self.coerce(a, id, other);
                let b = self.coerce(b, id, other);
                let ty = Type::list_of(Type::Enum(id));
                Some(texpr(
                    TKind::Arith(ArithOp::Add, Box::new(a?), Box::new(b?)),
                    ty,
                    span,
                ))
            }
            _ => {
                let field = &self.schema.enum_def(id).field;
                self.error(
                    Diagnostic::error(
                        "type-mismatch",
                        format!(
                            "expected a value of `{field}`, found a {}",
                            self.describe(&e)
                        ),
                        span,
                    )
                    .with_secondary(other.span, format!("this is a value of `{field}`"))
                    .with_help(format!(
                        "compare `{field}` with one of its values written in quotes, e.g. `\"{}\"`",
                        self.schema
                            .enum_def(id)
                            .values
                            .first()
                            .map_or("", String::as_str)
                    )),
                );
                None
            }
        }
    }
}

/// The enum a value of this type (or its elements) belongs to.
fn enum_target(ty: &Type) -> Option<EnumId> {
    match ty {
        Type::Enum(id) => Some(*id),
        Type::List(inner) => enum_target(inner),
        _ => None,
    }
}
