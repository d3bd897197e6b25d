//! Rule-file text to AST. The only module that sees pest `Pairs`.
//!
//! One function per grammar rule turns its pair into an AST node with a span.
//! A pair of an unexpected shape is a bug in this file, reported as a
//! diagnostic (never a panic). Syntax errors are recovered from by re-parsing
//! the file item by item, so one run reports the syntax errors of every
//! declaration, not only the first.

use pest::iterators::{Pair, Pairs};
use pest::Parser as _;
use std::iter::Peekable;

use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use crate::syntax::ast::*;
use crate::syntax::depth::{self, MAX_EXPR_DEPTH};
use crate::syntax::grammar::{Rule, RuleParser};
use crate::syntax::operators::{self, Fixity};
use crate::syntax::recovery;
use crate::syntax::syntax_error;

/// Parses one rule file. Returns the declarations that parsed and a
/// diagnostic for each syntax error.
pub(crate) fn parse_module(file: FileId, text: &str) -> (Module, Vec<Diagnostic>) {
    if let Some(diagnostic) = depth::check_nesting(file, text) {
        return (Module::default(), vec![diagnostic]);
    }
    match parse_chunk(file, text, 0, Detail::Off) {
        Ok(module) => (module, Vec::new()),
        Err(_) => {
            // Re-parse declaration by declaration to find every error.
            let mut module = Module::default();
            let mut diagnostics = Vec::new();
            for (start, end) in recovery::item_chunks(text) {
                // Each chunk is checked again: the scan of the whole file
                // and of a chunk may see strings differently around an error.
                if let Some(mut too_deep) = depth::check_nesting(file, &text[start..end]) {
                    if let Some(label) = &mut too_deep.primary {
                        label.span.start += start as u32;
                        label.span.end += start as u32;
                    }
                    diagnostics.push(too_deep);
                    continue;
                }
                match parse_chunk(file, &text[start..end], start, Detail::On) {
                    Ok(part) => module.items.extend(part.items),
                    Err(diagnostic) => diagnostics.push(diagnostic),
                }
            }
            (module, diagnostics)
        }
    }
}

/// Whether pest tracks the literal tokens tried at the furthest position,
/// which a syntax error needs to say "expected `=`" but which makes a parse
/// allocate for every token it tries (it was most of the time of loading
/// the standard pack). A whole file is parsed without it; only when that
/// fails are its declarations parsed again, one by one, with it.
#[derive(Clone, Copy)]
enum Detail {
    Off,
    On,
}

/// pest's switch of [`Detail`] is process-wide (read when a parse starts):
/// parses without detail share this lock, a parse with it holds the lock
/// alone while it turns the switch on and off again, so that no parse in
/// another thread sees the switch other than it asked.
static ERROR_DETAIL: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// Parses `text` as the grammar rule `rule`, with or without the detail of
/// the tokens tried.
fn parse_pairs(
    rule: Rule,
    text: &str,
    detail: Detail,
) -> Result<Pairs<'_, Rule>, pest::error::Error<Rule>> {
    use std::sync::PoisonError;
    match detail {
        Detail::Off => {
            let _shared = ERROR_DETAIL.read().unwrap_or_else(PoisonError::into_inner);
            RuleParser::parse(rule, text)
        }
        Detail::On => {
            let _alone = ERROR_DETAIL.write().unwrap_or_else(PoisonError::into_inner);
            pest::set_error_detail(true);
            let parsed = RuleParser::parse(rule, text);
            pest::set_error_detail(false);
            parsed
        }
    }
}

/// Parses a slice of a file that starts at byte `offset`.
fn parse_chunk(
    file: FileId,
    text: &str,
    offset: usize,
    detail: Detail,
) -> Result<Module, Diagnostic> {
    let pairs = parse_pairs(Rule::file, text, detail)
        .map_err(|error| syntax_error::from_pest(file, text, offset, &error))?;
    let builder = Builder { file, offset };
    builder.module(pairs)
}

/// Parses a single expression (used by tests).
#[cfg(test)]
pub(crate) fn parse_expr(file: FileId, text: &str) -> Result<Expr, Diagnostic> {
    if let Some(diagnostic) = depth::check_nesting(file, text) {
        return Err(diagnostic);
    }
    let mut pairs = parse_pairs(Rule::expr, text, Detail::On)
        .map_err(|error| syntax_error::from_pest(file, text, 0, &error))?;
    let builder = Builder { file, offset: 0 };
    let pair = builder.next(&mut pairs, "an expression")?;
    let expr = builder.expr(pair)?;
    if expr.span.end as usize != text.trim_end().len() {
        return Err(Diagnostic::error(
            "syntax",
            "unexpected text after the expression",
            Span::new(file, expr.span.end as usize, text.len()),
        ));
    }
    Ok(expr)
}

type Built<T> = Result<T, Diagnostic>;

/// Turns pairs into AST nodes; `offset` shifts spans when a chunk of a file
/// was parsed on its own.
struct Builder {
    file: FileId,
    offset: usize,
}

impl Builder {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start() + self.offset, s.end() + self.offset)
    }

    /// A pair of a shape the grammar cannot produce: a bug here, reported
    /// as a diagnostic so that the user still gets an answer.
    fn unexpected(&self, pair: &Pair<'_, Rule>, wanted: &str) -> Diagnostic {
        Diagnostic::error(
            "parser-bug",
            format!("nrscreen could not read this {wanted}; please report it with the rule file"),
            self.span(pair),
        )
    }

    fn next<'i>(&self, pairs: &mut Pairs<'i, Rule>, wanted: &str) -> Built<Pair<'i, Rule>> {
        pairs.next().ok_or_else(|| {
            Diagnostic::error_without_span(
                "parser-bug",
                format!("nrscreen expected {wanted} that the grammar guarantees; please report it"),
            )
        })
    }

    fn module(&self, mut pairs: Pairs<'_, Rule>) -> Built<Module> {
        let file = self.next(&mut pairs, "a file")?;
        let mut module = Module::default();
        for pair in file.into_inner() {
            match pair.as_rule() {
                Rule::def_item => module.items.push(Item::Def(self.def_item(pair)?)),
                Rule::rule_item => module.items.push(Item::Rule(self.rule_item(pair)?)),
                Rule::exception_item => module
                    .items
                    .push(Item::Exception(self.exception_item(pair)?)),
                Rule::audit_item => module.items.push(Item::Audit(self.audit_item(pair)?)),
                Rule::EOI => {}
                _ => return Err(self.unexpected(&pair, "declaration")),
            }
        }
        Ok(module)
    }

    /// Splits leading `doc` pairs from the rest.
    fn docs<'i>(&self, pairs: &mut std::iter::Peekable<Pairs<'i, Rule>>) -> Vec<String> {
        let mut doc = Vec::new();
        while let Some(pair) = pairs.next_if(|p| p.as_rule() == Rule::doc) {
            let text = pair.into_inner().as_str();
            doc.push(
                text.strip_prefix(' ')
                    .unwrap_or(text)
                    .trim_end()
                    .to_string(),
            );
        }
        doc
    }

    fn def_item(&self, pair: Pair<'_, Rule>) -> Built<DefItem> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().peekable();
        let doc = self.docs(&mut inner);
        let mut inner = inner.filter(|p| p.as_rule() != Rule::kw_def);
        let name = self.ident(self.next_of(&mut inner, "a name")?)?;
        let value = self.expr(self.next_of(&mut inner, "a value")?)?;
        Ok(DefItem {
            doc,
            name,
            value,
            span,
        })
    }

    fn next_of<'i>(
        &self,
        pairs: &mut impl Iterator<Item = Pair<'i, Rule>>,
        wanted: &str,
    ) -> Built<Pair<'i, Rule>> {
        pairs.next().ok_or_else(|| {
            Diagnostic::error_without_span(
                "parser-bug",
                format!("nrscreen expected {wanted} that the grammar guarantees; please report it"),
            )
        })
    }

    fn rule_item(&self, pair: Pair<'_, Rule>) -> Built<RuleItem> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().peekable();
        let doc = self.docs(&mut inner);
        let mut inner = inner.filter(|p| p.as_rule() != Rule::kw_rule);
        let name = self.ident(self.next_of(&mut inner, "a rule name")?)?;
        let clauses = inner.map(|p| self.clause(p)).collect::<Built<Vec<_>>>()?;
        Ok(RuleItem {
            doc,
            name,
            clauses,
            span,
        })
    }

    fn exception_item(&self, pair: Pair<'_, Rule>) -> Built<ExceptionItem> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().peekable();
        let doc = self.docs(&mut inner);
        let mut inner = inner.filter(|p| {
            !matches!(
                p.as_rule(),
                Rule::kw_exception | Rule::kw_to | Rule::kw_when
            )
        });
        let name = self.ident(self.next_of(&mut inner, "an exception name")?)?;
        let rule = self.ident(self.next_of(&mut inner, "a rule name")?)?;
        let condition = self.expr(self.next_of(&mut inner, "a condition")?)?;
        let because = match inner.next() {
            Some(pair) => {
                let clause = self.clause(pair.clone())?;
                match clause.kind {
                    ClauseKind::Because(text) => Some(text),
                    _ => return Err(self.unexpected(&pair, "explanation")),
                }
            }
            None => None,
        };
        Ok(ExceptionItem {
            doc,
            name,
            rule,
            condition,
            because,
            span,
        })
    }

    fn audit_item(&self, pair: Pair<'_, Rule>) -> Built<AuditItem> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().peekable();
        let doc = self.docs(&mut inner);
        let mut inner = inner.filter(|p| p.as_rule() != Rule::kw_audit);
        let name = self.string(self.next_of(&mut inner, "an audit name")?)?;
        let for_pair = self.next_of(&mut inner, "`for every case`")?;
        let precondition = match for_pair.into_inner().find(|p| p.as_rule() == Rule::expr) {
            Some(e) => Some(self.expr(e)?),
            None => None,
        };
        let mut expects = Vec::new();
        for expect_line in inner {
            for expectation in expect_line.into_inner() {
                let espan = self.span(&expectation);
                match expectation.as_rule() {
                    Rule::expect_outcome => {
                        let mut parts = expectation.into_inner();
                        let word = self.next(&mut parts, "an outcome")?;
                        let target = self.ident(self.next(&mut parts, "a gap id")?)?;
                        let keywords: Vec<Rule> =
                            word.clone().into_inner().map(|p| p.as_rule()).collect();
                        let kind = match (keywords.as_slice(), word.as_str()) {
                            ([Rule::kw_not, Rule::kw_flagged], _) => AuditExpectKind::NotFlagged,
                            ([Rule::kw_flagged], _) => AuditExpectKind::Flagged,
                            ([], "needs-review") => AuditExpectKind::NeedsReview,
                            ([], "clear") => AuditExpectKind::Clear,
                            _ => return Err(self.unexpected(&word, "expectation")),
                        };
                        expects.push(AuditExpect {
                            kind,
                            target,
                            span: espan,
                        });
                    }
                    Rule::expect_stays => {
                        let mut parts = expectation
                            .into_inner()
                            .filter(|p| matches!(p.as_rule(), Rule::gap_id | Rule::path));
                        let target = self.ident(self.next_of(&mut parts, "a gap id")?)?;
                        let field = self.expr_atom(self.next_of(&mut parts, "a field")?)?;
                        expects.push(AuditExpect {
                            kind: AuditExpectKind::StaysFlagged(field),
                            target,
                            span: espan,
                        });
                    }
                    Rule::kw_expect | Rule::kw_and => {}
                    _ => return Err(self.unexpected(&expectation, "expectation")),
                }
            }
        }
        Ok(AuditItem {
            doc,
            name,
            precondition,
            expects,
            span,
        })
    }

    fn clause(&self, pair: Pair<'_, Rule>) -> Built<Clause> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        // Every clause starts with its keyword; skip it.
        let mut inner = pair.clone().into_inner().skip(1);
        let kind = match rule {
            Rule::gap_clause => ClauseKind::Gap(self.ident(self.next_of(&mut inner, "a gap id")?)?),
            Rule::severity_clause => {
                ClauseKind::Severity(self.ident(self.next_of(&mut inner, "a severity")?)?)
            }
            Rule::title_clause => {
                ClauseKind::Title(self.string(self.next_of(&mut inner, "a title")?)?)
            }
            Rule::cites_clause => {
                ClauseKind::Cites(inner.map(|p| self.string(p)).collect::<Built<_>>()?)
            }
            Rule::effective_clause => ClauseKind::Effective(self.window(inner)?),
            Rule::when_clause => {
                ClauseKind::When(self.expr(self.next_of(&mut inner, "a condition")?)?)
            }
            Rule::unless_clause => {
                let first = self.next_of(&mut inner, "a condition")?;
                if first.as_rule() == Rule::exception_label {
                    let label = self.ident(self.next_of(&mut first.into_inner(), "a name")?)?;
                    let expr = self.expr(self.next_of(&mut inner, "a condition")?)?;
                    ClauseKind::Unless(Some(label), expr)
                } else {
                    ClauseKind::Unless(None, self.expr(first)?)
                }
            }
            Rule::because_clause => {
                ClauseKind::Because(self.string(self.next_of(&mut inner, "an explanation")?)?)
            }
            _ => return Err(self.unexpected(&pair, "rule clause")),
        };
        Ok(Clause { kind, span })
    }

    fn window<'i>(&self, mut inner: impl Iterator<Item = Pair<'i, Rule>>) -> Built<Window> {
        let date_pair = self.next_of(&mut inner, "a date field")?;
        let date = self.expr_atom(date_pair)?;
        let mut window = Window {
            date,
            from: None,
            until: None,
        };
        for bound in inner {
            let slot = match bound.as_rule() {
                Rule::window_from => &mut window.from,
                Rule::window_until => &mut window.until,
                _ => return Err(self.unexpected(&bound, "window")),
            };
            let mut parts = bound.into_inner().skip(1);
            let date_pair = self.next_of(&mut parts, "a date")?;
            *slot = Some((self.date(&date_pair)?, self.span(&date_pair)));
        }
        Ok(window)
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Built<Ident> {
        Ok(Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        })
    }

    fn string(&self, pair: Pair<'_, Rule>) -> Built<StrLit> {
        let span = self.span(&pair);
        let raw = pair.into_inner().as_str().to_string();
        let value = unescape(&raw).map_err(|(at, ch)| {
            let start = span.start as usize + 1 + at;
            Diagnostic::error(
                "bad-escape",
                format!("unknown escape `\\{ch}` in a string"),
                Span::new(self.file, start, start + 1 + ch.len_utf8()),
            )
            .with_help("the escapes are `\\\"`, `\\\\`, `\\n` and `\\t`")
        })?;
        Ok(StrLit { value, raw, span })
    }

    fn date(&self, pair: &Pair<'_, Rule>) -> Built<Date> {
        Date::parse(pair.as_str()).ok_or_else(|| {
            Diagnostic::error(
                "bad-date",
                format!("`{}` is not a calendar date", pair.as_str()),
                self.span(pair),
            )
            .with_help("dates are written YYYY-MM-DD, e.g. `2019-01-28`")
        })
    }

    /// An expression: operands and operators, grouped by the Pratt loop
    /// ([`Builder::climb`]) over the operator table.
    fn expr(&self, pair: Pair<'_, Rule>) -> Built<Expr> {
        let span = self.span(&pair);
        let mut pairs = pair.into_inner().peekable();
        let expr = self.climb(&mut pairs, 0).map(|(expr, _)| expr);
        let expr = match (expr, pairs.next()) {
            (Ok(expr), None) => Ok(expr),
            (Ok(_), Some(extra)) => Err(self.unexpected(&extra, "operator")),
            (Err(d), _) => Err(d),
        };
        expr.map_err(|d| {
            if d.primary.is_none() {
                d.clone_with_span(span)
            } else {
                d
            }
        })
    }

    /// Reads one operand with the operators that bind more tightly than
    /// `rbp` (Pratt parsing): prefix operators read their operand with their
    /// right power; then each following infix or postfix operator of higher
    /// power than `rbp` takes what was read so far as its left operand.
    /// Returns the expression and its depth in operators.
    fn climb<'i>(&self, pairs: &mut Peekable<Pairs<'i, Rule>>, rbp: u8) -> Built<(Expr, usize)> {
        let first = self.next_of(pairs, "an operand")?;
        let (mut lhs, mut depth) = match operators::by_rule(first.as_rule()) {
            None => (self.expr_atom(first)?, 1),
            Some(op) => {
                let Fixity::Prefix(unary) = op.fixity else {
                    return Err(self.unexpected(&first, "operand"));
                };
                let (operand, depth) = self.climb(pairs, op.right_power())?;
                let span = self.span(&first).to(operand.span);
                self.nest(span, depth, ExprKind::Unary(unary, Box::new(operand)))?
            }
        };
        while let Some(next) = pairs.peek() {
            let Some(op) = operators::by_rule(next.as_rule()) else {
                return Err(self.unexpected(next, "operator"));
            };
            if op.power <= rbp {
                break;
            }
            let Some(pair) = pairs.next() else { break };
            (lhs, depth) = match op.fixity {
                Fixity::Postfix(unary) => {
                    let span = lhs.span.to(self.span(&pair));
                    self.nest(span, depth, ExprKind::Unary(unary, Box::new(lhs)))?
                }
                Fixity::Infix(binary, _) => {
                    let (rhs, right_depth) = self.climb(pairs, op.right_power())?;
                    let span = lhs.span.to(rhs.span);
                    let kind = ExprKind::Binary(binary, Box::new(lhs), Box::new(rhs));
                    self.nest(span, depth.max(right_depth), kind)?
                }
                Fixity::Prefix(_) => return Err(self.unexpected(&pair, "operator")),
            };
        }
        Ok((lhs, depth))
    }

    /// Builds a node one level deeper than its deepest child, refusing
    /// expressions nested beyond [`MAX_EXPR_DEPTH`].
    fn nest(&self, span: Span, child_depth: usize, kind: ExprKind) -> Built<(Expr, usize)> {
        let depth = child_depth + 1;
        if depth > MAX_EXPR_DEPTH {
            return Err(Diagnostic::error(
                "too-deep",
                format!("this expression is nested more than {MAX_EXPR_DEPTH} operators deep"),
                span,
            )
            .with_help("split it into several `def`s"));
        }
        Ok((Expr { kind, span }, depth))
    }

    fn expr_atom(&self, pair: Pair<'_, Rule>) -> Built<Expr> {
        let span = match pair.clone().into_inner().next() {
            // `unknown` as a value spans the keyword alone: the rule's own
            // span takes in the white space (and comments) its lookahead
            // skipped.
            Some(keyword) if pair.as_rule() == Rule::unknown_value => self.span(&keyword),
            _ => self.span(&pair),
        };
        let kind = match pair.as_rule() {
            Rule::paren => {
                let inner = self.next(&mut pair.into_inner(), "an expression")?;
                ExprKind::Paren(Box::new(self.expr(inner)?))
            }
            Rule::list => ExprKind::List(
                pair.into_inner()
                    .map(|p| self.expr(p))
                    .collect::<Built<_>>()?,
            ),
            Rule::duration => {
                let mut inner = pair.clone().into_inner();
                let amount = self.next(&mut inner, "an amount")?;
                let unit = self.next(&mut inner, "a unit")?;
                let value = self.integer_value(&amount)?;
                let unit = match unit.as_str() {
                    "day" | "days" => DurationUnit::Days,
                    "week" | "weeks" => DurationUnit::Weeks,
                    _ => return Err(self.unexpected(&unit, "duration unit")),
                };
                ExprKind::Duration(value, unit)
            }
            Rule::date => ExprKind::Date(self.date(&pair)?),
            Rule::integer => ExprKind::Int(self.integer_value(&pair)?),
            Rule::string => ExprKind::Str(self.string(pair)?.value),
            Rule::boolean => match pair.as_str() {
                "true" => ExprKind::Bool(true),
                "false" => ExprKind::Bool(false),
                _ => return Err(self.unexpected(&pair, "truth value")),
            },
            Rule::unknown_value => ExprKind::UnknownValue,
            Rule::quantifier => {
                let mut inner = pair.into_inner();
                let kind_pair = self.next(&mut inner, "`any` or `all`")?;
                let kind = match kind_pair.as_str() {
                    "any" => QuantifierKind::Any,
                    "all" => QuantifierKind::All,
                    _ => return Err(self.unexpected(&kind_pair, "quantifier")),
                };
                let var = self.ident(self.next(&mut inner, "a name")?)?;
                let mut inner = inner.filter(|p| p.as_rule() != Rule::kw_in);
                let list = self.expr(self.next_of(&mut inner, "a list")?)?;
                let body = self.expr(self.next_of(&mut inner, "a condition")?)?;
                ExprKind::Quantifier {
                    kind,
                    var,
                    list: Box::new(list),
                    body: Box::new(body),
                }
            }
            Rule::call => {
                let mut inner = pair.into_inner();
                let name = self.ident(self.next(&mut inner, "a function name")?)?;
                let args = inner.map(|p| self.expr(p)).collect::<Built<_>>()?;
                ExprKind::Call(name, args)
            }
            Rule::lookup => {
                let mut inner = pair.into_inner().filter(|p| p.as_rule() != Rule::kw_on);
                let table = self.ident(self.next_of(&mut inner, "a table name")?)?;
                let key = self.expr(self.next_of(&mut inner, "a key")?)?;
                let on = match inner.next() {
                    Some(date) => Some(Box::new(self.expr_atom(date)?)),
                    None => None,
                };
                ExprKind::Lookup {
                    table,
                    key: Box::new(key),
                    on,
                }
            }
            Rule::path => ExprKind::Path(
                pair.into_inner()
                    .map(|p| self.ident(p))
                    .collect::<Built<_>>()?,
            ),
            _ => return Err(self.unexpected(&pair, "expression")),
        };
        Ok(Expr { kind, span })
    }

    fn integer_value(&self, pair: &Pair<'_, Rule>) -> Built<i64> {
        pair.as_str().parse::<i64>().map_err(|_| {
            Diagnostic::error(
                "bad-number",
                format!("`{}` is too large for a number", pair.as_str()),
                self.span(pair),
            )
            .with_help("numbers go up to 9223372036854775807")
        })
    }
}

impl Diagnostic {
    fn clone_with_span(&self, span: Span) -> Diagnostic {
        let mut d = self.clone();
        d.primary = Some(crate::diagnostic::Label {
            span,
            message: String::new(),
        });
        d
    }
}

/// Decodes string escapes; on an unknown escape returns its byte offset in
/// `raw` and the escaped character.
pub(crate) fn unescape(raw: &str) -> Result<String, (usize, char)> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, '"')) => out.push('"'),
            Some((_, '\\')) => out.push('\\'),
            Some((_, 'n')) => out.push('\n'),
            Some((_, 't')) => out.push('\t'),
            Some((_, other)) => return Err((i, other)),
            None => return Err((i, '\\')),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::arbitrary::{erase_expr_spans, ident_of, node, paren, path_of};

    fn parsed(text: &str) -> Expr {
        erase_expr_spans(&parse_expr(FileId(0), text).unwrap())
    }

    fn neg(e: Expr) -> Expr {
        node(ExprKind::Unary(UnaryOp::Neg, Box::new(e)))
    }

    fn bin(op: BinaryOp, a: Expr, b: Expr) -> Expr {
        node(ExprKind::Binary(op, Box::new(a), Box::new(b)))
    }

    fn int(n: i64) -> Expr {
        node(ExprKind::Int(n))
    }

    #[test]
    fn minus_is_a_prefix_where_an_operand_starts() {
        let (a, b) = (|| path_of("a"), || path_of("b"));
        assert_eq!(parsed("-3"), neg(int(3)));
        let days = node(ExprKind::Duration(3, DurationUnit::Days));
        assert_eq!(parsed("-3 days"), neg(days));
        assert_eq!(parsed("a > -3"), bin(BinaryOp::Gt, a(), neg(int(3))));
        assert_eq!(parsed("a - -b"), bin(BinaryOp::Sub, a(), neg(b())));
        assert_eq!(parsed("a-b"), bin(BinaryOp::Sub, a(), b()));
        assert_eq!(parsed("-a + b"), bin(BinaryOp::Add, neg(a()), b()));
        let sum = paren(bin(BinaryOp::Add, a(), int(1)));
        assert_eq!(parsed("-(a + 1)"), neg(sum));
        let call = node(ExprKind::Call(ident_of("days_between"), vec![a(), b()]));
        assert_eq!(parsed("- days_between(a, b)"), neg(call));
        let list = node(ExprKind::List(vec![neg(int(1)), int(2)]));
        assert_eq!(parsed("[-1, 2]"), list);
        // `unknown` before `-` is the value.
        let value = node(ExprKind::UnknownValue);
        assert_eq!(parsed("unknown - a"), bin(BinaryOp::Sub, value, a()));
        let test = node(ExprKind::Unary(UnaryOp::Unknown, Box::new(paren(neg(a())))));
        assert_eq!(parsed("unknown (-a)"), test);
    }

    /// A file is parsed without pest's error detail, and only a file that
    /// fails again with it: errors still say what was expected, and parses
    /// in other threads at the same time (with and without errors) see no
    /// difference.
    #[test]
    fn syntax_errors_keep_their_detail_while_other_threads_parse() {
        let bad = "def a 1\n\ndef b = (1\n";
        let good = "def returned = returned_to_mexico == true\n";
        let (_, alone) = parse_module(FileId(0), bad);
        assert_eq!(alone.len(), 2, "{alone:?}");
        assert_eq!(alone[0].message, "expected `=`, found `1`");
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..25 {
                        assert_eq!(parse_module(FileId(0), bad).1, alone);
                        let (_, errors) = parse_module(FileId(0), good);
                        assert!(errors.is_empty(), "{errors:?}");
                    }
                });
            }
        });
    }
}
