//! AST to rule-language text: the canonical layout of a rule file.
//!
//! The printer is the inverse of the parser: for every tree the parser can
//! produce, parsing the printed text gives the same tree back (spans aside).
//! Parentheses are written where the tree has a [`ExprKind::Paren`] node and
//! where the operator table needs them to keep the tree's shape, nowhere
//! else.
//!
//! # Where parentheses are needed
//!
//! The parser is a Pratt parser whose binding powers are those of the
//! operator table (`syntax/operators.rs`); the printer reads the same table.
//! An expression is printed in a context described by two numbers: `rbp`,
//! the binding power of the parser call that reads it, and `follow`, the
//! binding power of the operator written right after it (0 when none). An
//! infix expression needs parentheses when its operator does not bind more
//! tightly than `rbp`, or when the call that reads its right operand would
//! swallow the following operator; a prefix expression only in the second
//! case (a prefix operator is accepted anywhere an operand starts, so
//! `a == not b` is a comparison with a negation on its right); a postfix
//! expression never.

use crate::syntax::ast::*;
use crate::syntax::operators::{self, Fixity};

/// Lines longer than this are broken at top-level `and`/`or`.
const WIDTH: usize = 100;

/// Rule clause keywords are padded to this width (`gap      x`).
const KEYWORD_WIDTH: usize = 8;

/// Binding power of an infix operator.
fn infix_power(op: BinaryOp) -> u8 {
    operators::infix(op).power
}

/// The binding power with which an infix operator reads its right operand.
fn right_power(op: BinaryOp) -> u8 {
    operators::infix(op).right_power()
}

/// Binding power of a prefix operator; `None` for postfix ones.
fn prefix_power(op: UnaryOp) -> Option<u8> {
    let entry = operators::unary(op);
    matches!(entry.fixity, Fixity::Prefix(_)).then_some(entry.power)
}

/// Prints a whole rule file in the canonical layout: declarations separated
/// by blank lines, rule clauses one per line with their keywords aligned
/// (`nrscreen fmt` prints [`print_declarations`] and keeps the blank lines
/// the author wrote instead; `nrscreen diff` compares declarations printed
/// by this).
pub(crate) fn print_module(module: &Module) -> String {
    print_declarations(module).join("\n")
}

/// Each declaration of a rule file in the canonical layout, ending with a
/// line break (`nrscreen fmt` decides the blank lines between them).
pub(crate) fn print_declarations(module: &Module) -> Vec<String> {
    module
        .items
        .iter()
        .map(|item| {
            let mut out = String::new();
            print_item(&mut out, item);
            out
        })
        .collect()
}

/// Prints one expression on one line.
pub(crate) fn print_expr(expr: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, expr, 0, 0);
    out
}

fn print_item(out: &mut String, item: &Item) {
    match item {
        Item::Def(def) => {
            print_doc(out, &def.doc);
            let head = format!("def {} = ", def.name.name);
            let value = print_expr_wrapped(&def.value, head.len(), 4);
            out.push_str(&head);
            out.push_str(&value);
            out.push('\n');
        }
        Item::Rule(rule) => {
            print_doc(out, &rule.doc);
            out.push_str(&format!("rule {} {{\n", rule.name.name));
            for clause in &rule.clauses {
                print_clause(out, &clause.kind);
            }
            out.push_str("}\n");
        }
        Item::Exception(exception) => {
            print_doc(out, &exception.doc);
            out.push_str(&format!(
                "exception {} to {}\n",
                exception.name.name, exception.rule.name
            ));
            let head = "  when ";
            let condition = print_expr_wrapped(&exception.condition, head.len(), head.len());
            out.push_str(head);
            out.push_str(&condition);
            out.push('\n');
            if let Some(because) = &exception.because {
                out.push_str("  because ");
                out.push_str(&print_str_lit(because));
                out.push('\n');
            }
        }
        Item::Audit(audit) => {
            print_doc(out, &audit.doc);
            out.push_str(&format!("audit {} {{\n", print_str_lit(&audit.name)));
            match &audit.precondition {
                Some(condition) => {
                    let head = "  for every case where ";
                    out.push_str(head);
                    out.push_str(&print_expr_wrapped(condition, head.len(), head.len()));
                    out.push('\n');
                }
                None => out.push_str("  for every case\n"),
            }
            for expect in &audit.expects {
                let target = &expect.target.name;
                let line = match &expect.kind {
                    AuditExpectKind::Flagged => format!("flagged {target}"),
                    AuditExpectKind::NeedsReview => format!("needs-review {target}"),
                    AuditExpectKind::NotFlagged => format!("not flagged {target}"),
                    AuditExpectKind::Clear => format!("clear {target}"),
                    AuditExpectKind::StaysFlagged(field) => {
                        format!("{target} stays flagged when {} grows", print_expr(field))
                    }
                };
                out.push_str(&format!("  expect {line}\n"));
            }
            out.push_str("}\n");
        }
    }
}

/// `/// text` lines; an empty line of documentation is a bare `///`.
fn print_doc(out: &mut String, doc: &[String]) {
    for line in doc {
        if line.is_empty() {
            out.push_str("///\n");
        } else {
            out.push_str("/// ");
            out.push_str(line);
            out.push('\n');
        }
    }
}

fn print_clause(out: &mut String, kind: &ClauseKind) {
    let (keyword, rest) = match kind {
        ClauseKind::Gap(id) => ("gap", id.name.clone()),
        ClauseKind::Severity(word) => ("severity", word.name.clone()),
        ClauseKind::Title(text) => ("title", print_str_lit(text)),
        ClauseKind::Cites(list) => ("cites", print_cites(list)),
        ClauseKind::Effective(window) => {
            let mut rest = print_window_date(&window.date);
            if let Some((from, _)) = window.from {
                rest.push_str(&format!(" from {from}"));
            }
            if let Some((until, _)) = window.until {
                rest.push_str(&format!(" until {until}"));
            }
            ("effective", rest)
        }
        ClauseKind::When(e) => ("when", print_clause_expr(e, "")),
        ClauseKind::Unless(label, e) => {
            let label = label
                .as_ref()
                .map(|l| format!("{}: ", l.name))
                .unwrap_or_default();
            ("unless", print_clause_expr(e, &label))
        }
        ClauseKind::Because(text) => ("because", print_str_lit(text)),
    };
    out.push_str(&format!("  {keyword:<KEYWORD_WIDTH$} {rest}\n"));
}

/// The sources of a `cites` clause, `", "` between them, as many on a line
/// as fit, continuation lines under the clause's text column.
fn print_cites(list: &[StrLit]) -> String {
    let column = 2 + KEYWORD_WIDTH + 1;
    let mut out = String::new();
    let mut at = column;
    for (i, lit) in list.iter().enumerate() {
        let mut piece = print_str_lit(lit);
        if i + 1 < list.len() {
            piece.push(',');
        }
        if i > 0 {
            at = separate(&mut out, at, piece.len(), column);
        }
        out.push_str(&piece);
        at += piece.len();
    }
    out
}

/// What goes before the next piece of a broken line, `len` characters
/// long, with the line at column `at`: a space if the piece fits on the
/// line, else a line break and `indent` spaces. Returns the new column.
fn separate(out: &mut String, at: usize, len: usize, indent: usize) -> usize {
    if at + 1 + len <= WIDTH {
        out.push(' ');
        at + 1
    } else {
        out.push('\n');
        out.push_str(&" ".repeat(indent));
        indent
    }
}

/// The expression of a `when`/`unless` clause, after an optional prefix
/// (an `unless` label), wrapped under the clause's text column.
fn print_clause_expr(e: &Expr, prefix: &str) -> String {
    let column = 2 + KEYWORD_WIDTH + 1;
    let body = print_expr_wrapped(e, column + prefix.len(), column);
    format!("{prefix}{body}")
}

/// The date of an effective window: the grammar reads a path there, so
/// anything else is parenthesised (it will not parse back, but nothing is
/// lost from the text).
fn print_window_date(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Path(_) => print_expr(e),
        _ => format!("({})", print_expr(e)),
    }
}

/// Prints an expression that starts at `column`; if the line would be too
/// long and the expression is a chain of `and` (or of `or`), the chain is
/// broken before its operators, continuation lines indented to `indent`.
fn print_expr_wrapped(e: &Expr, column: usize, indent: usize) -> String {
    let flat = print_expr(e);
    if column + flat.len() <= WIDTH {
        return flat;
    }
    let ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), _, _) = &e.kind else {
        return flat;
    };
    let op = *op;
    let power = infix_power(op);
    // The chain `o1 op o2 op … op on`, as the one-line printer writes it.
    let mut rights = Vec::new();
    let mut node = e;
    while let ExprKind::Binary(o, l, r) = &node.kind {
        if *o != op {
            break;
        }
        rights.push(r.as_ref());
        node = l;
    }
    rights.reverse();
    // Each piece: the operator before it (none for the first), the
    // operand, and the binding powers it is printed with.
    let last = rights.len().saturating_sub(1);
    let mut pieces = vec![("", node, 0, power)];
    for (i, r) in rights.iter().enumerate() {
        let follow = if i == last { 0 } else { power };
        pieces.push((op.symbol(), r, right_power(op), follow));
    }
    let mut out = String::new();
    let mut at = column;
    for (i, &(symbol, operand, rbp, follow)) in pieces.iter().enumerate() {
        let mut flat = String::new();
        if !symbol.is_empty() {
            flat.push_str(symbol);
            flat.push(' ');
        }
        let prefix = flat.len();
        write_expr(&mut flat, operand, rbp, follow);
        if i > 0 {
            at = separate(&mut out, at, flat.len(), indent);
        }
        let piece = match &operand.kind {
            // A parenthesised chain too long for its line is broken too,
            // under its first operand.
            ExprKind::Paren(inner) if at + flat.len() > WIDTH => {
                let inside = at + prefix + 1;
                format!(
                    "{}({})",
                    &flat[..prefix],
                    print_expr_wrapped(inner, inside, inside)
                )
            }
            _ => flat,
        };
        out.push_str(&piece);
        at = match piece.rfind('\n') {
            Some(n) => piece.len() - n - 1,
            None => at + piece.len(),
        };
    }
    out
}

/// Whether `e`, read by a parser call of binding power `rbp` and followed
/// by an operator of binding power `follow`, must be parenthesised to be
/// read back as the same tree.
fn needs_parens(e: &Expr, rbp: u8, follow: u8) -> bool {
    match &e.kind {
        ExprKind::Binary(op, _, _) => infix_power(*op) <= rbp || follow > right_power(*op),
        ExprKind::Unary(op, _) => match prefix_power(*op) {
            Some(power) => follow >= power,
            None => false,
        },
        _ => false,
    }
}

fn write_expr(out: &mut String, e: &Expr, rbp: u8, follow: u8) {
    if needs_parens(e, rbp, follow) {
        out.push('(');
        write_bare(out, e, 0, 0);
        out.push(')');
    } else {
        write_bare(out, e, rbp, follow);
    }
}

fn write_list(out: &mut String, items: &[Expr]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_expr(out, item, 0, 0);
    }
}

fn write_bare(out: &mut String, e: &Expr, rbp: u8, follow: u8) {
    match &e.kind {
        ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ExprKind::UnknownValue => out.push_str("unknown"),
        ExprKind::Int(i) => out.push_str(&i.to_string()),
        ExprKind::Str(s) => out.push_str(&quote(s)),
        ExprKind::Date(d) => out.push_str(&d.to_string()),
        ExprKind::Duration(amount, unit) => {
            let unit = match (unit, *amount == 1) {
                (DurationUnit::Days, true) => "day",
                (DurationUnit::Days, false) => "days",
                (DurationUnit::Weeks, true) => "week",
                (DurationUnit::Weeks, false) => "weeks",
            };
            out.push_str(&format!("{amount} {unit}"));
        }
        ExprKind::List(items) => {
            out.push('[');
            write_list(out, items);
            out.push(']');
        }
        ExprKind::Path(parts) => {
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(&part.name);
            }
        }
        ExprKind::Paren(inner) => {
            out.push('(');
            write_expr(out, inner, 0, 0);
            out.push(')');
        }
        ExprKind::Unary(op, operand) => {
            let entry = operators::unary(*op);
            if let Fixity::Prefix(_) = entry.fixity {
                out.push_str(entry.spelling);
                if entry.is_word() {
                    out.push(' ');
                }
                let mut text = String::new();
                write_expr(&mut text, operand, entry.right_power(), follow);
                // The grammar reads `unknown -x` as the value `unknown`
                // minus `x`.
                if *op == UnaryOp::Unknown && text.starts_with('-') {
                    text = format!("({})", print_expr(operand));
                }
                out.push_str(&text);
            } else {
                write_expr(out, operand, rbp, entry.power);
                out.push(' ');
                out.push_str(entry.spelling);
            }
        }
        ExprKind::Binary(op, left, right) => {
            write_expr(out, left, rbp, infix_power(*op));
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            write_expr(out, right, right_power(*op), follow);
        }
        ExprKind::Call(name, args) => {
            out.push_str(&name.name);
            out.push('(');
            write_list(out, args);
            out.push(')');
        }
        ExprKind::Lookup { table, key, on } => {
            out.push_str(&table.name);
            out.push('[');
            write_expr(out, key, 0, 0);
            out.push(']');
            if let Some(date) = on {
                out.push_str(" on ");
                match &date.kind {
                    // What the grammar reads after `on`.
                    ExprKind::Paren(_)
                    | ExprKind::Date(_)
                    | ExprKind::Call(..)
                    | ExprKind::Path(_) => write_expr(out, date, 0, 0),
                    _ => {
                        out.push('(');
                        write_expr(out, date, 0, 0);
                        out.push(')');
                    }
                }
            }
        }
        ExprKind::Quantifier {
            kind,
            var,
            list,
            body,
        } => {
            out.push_str(match kind {
                QuantifierKind::Any => "any(",
                QuantifierKind::All => "all(",
            });
            out.push_str(&var.name);
            out.push_str(" in ");
            write_expr(out, list, 0, 0);
            out.push_str(": ");
            write_expr(out, body, 0, 0);
            out.push(')');
        }
    }
}

/// A string literal: the text as written when it still spells the value,
/// else the value with `\"`, `\\`, `\n` and `\t` escaped.
fn print_str_lit(lit: &StrLit) -> String {
    if raw_spells(&lit.raw, &lit.value) {
        format!("\"{}\"", lit.raw)
    } else {
        quote(&lit.value)
    }
}

/// Whether `raw` is a valid string body (no bare quote or line break, only
/// the four escapes) that decodes to `value`.
fn raw_spells(raw: &str, value: &str) -> bool {
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\n' => return false,
            '\\' if !matches!(chars.next(), Some('"' | '\\' | 'n' | 't')) => return false,
            _ => {}
        }
    }
    crate::syntax::parser::unescape(raw).is_ok_and(|decoded| decoded == value)
}

/// A string value as a quoted literal.
pub(crate) fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::syntax::arbitrary::{self, erase_expr_spans, erase_spans, strip_parens};
    use crate::syntax::parser::{parse_expr, parse_module};
    use proptest::prelude::*;

    #[allow(clippy::panic)] // the test's failure message
    fn reparse(text: &str) -> Expr {
        match parse_expr(FileId(0), text) {
            Ok(e) => e,
            Err(d) => panic!("`{text}` does not parse: {}", d.message),
        }
    }

    /// Parses, prints, and checks that the text comes back unchanged.
    fn canonical(text: &str) {
        assert_eq!(print_expr(&reparse(text)), text);
    }

    #[test]
    fn operators_print_with_the_fewest_parentheses() {
        for text in [
            "a or b and c",
            "(a or b) and c",
            "a and b or c",
            "not a and b",
            "not (a and b)",
            "not a == b",
            "(not a) == b",
            "a == not b",
            "(a == not b) and c",
            "a == (not b) == c",
            "a == not b == c",
            "a ?? b ?? c",
            "(a ?? b) ?? c",
            "a ?? b == c",
            "(a ?? b) == c",
            "a + b - c",
            "a - (b - c)",
            "known a + b",
            "-3",
            "-3 days",
            "-(x + 1)",
            "-days_between(a, b)",
            "a - -3",
            "--a",
            "-a + b",
            "-a is empty",
            "(-a) is empty",
            "known -a",
            "unknown (-a)",
            "unknown - a",
            "not -a == b",
            "known (a + b)",
            "known not a",
            "known a is empty",
            "(known a) is empty",
            "a is empty is not empty",
            "(a + b) is empty",
            "x not in [1, 2] and y contains any of []",
            "any(x in xs: x.y == \"q\\\"\\\\\\n\\t\") or all(y in f(): true)",
            "t[k] on d",
            "t[k] on (d + 1 day)",
            "t[k] on 2020-02-29 is empty",
            "t[k] on f(x) == 3 weeks",
        ] {
            canonical(text);
        }
    }

    #[test]
    fn needed_parentheses_are_added() {
        let a = || arbitrary::path_of("a");
        let b = || arbitrary::path_of("b");
        let bin = |op, x, y| arbitrary::node(ExprKind::Binary(op, Box::new(x), Box::new(y)));
        let un = |op, x| arbitrary::node(ExprKind::Unary(op, Box::new(x)));
        let e = bin(BinaryOp::Eq, bin(BinaryOp::Or, a(), b()), a());
        assert_eq!(print_expr(&e), "(a or b) == a");
        let e = un(UnaryOp::IsEmpty, un(UnaryOp::Known, a()));
        assert_eq!(print_expr(&e), "(known a) is empty");
        let e = bin(
            BinaryOp::Eq,
            bin(BinaryOp::Eq, a(), un(UnaryOp::Not, b())),
            a(),
        );
        assert_eq!(print_expr(&e), "a == (not b) == a");
        let e = bin(BinaryOp::Sub, a(), bin(BinaryOp::Sub, a(), b()));
        assert_eq!(print_expr(&e), "a - (a - b)");
    }

    #[test]
    fn the_shipped_layout_is_kept() {
        let text = "\
/// The two versions.
def MPP = [\"mpp-2019\", \"mpp-2021\"]

/// Doc.
///
/// More.
rule notice_defect {
  gap      notice-defect
  severity high
  title    \"A \\\"title\\\"\"
  cites    \"INA 239(a)(1)(F)\", \"INA 240(b)(5)\"
  effective encounter_date from 2019-01-28 until 2021-06-01
  when     program in MPP and known nri.date
  unless   late: nri.date > encounter_date + 30 days
  because  \"the Notice gives \\\"{notice_address}\\\"\"
}

exception rescreened to notice_defect
  when known return_date
  because \"later\"
";
        let (module, diagnostics) = parse_module(FileId(0), text);
        assert!(diagnostics.is_empty());
        assert_eq!(print_module(&module), text);
    }

    #[test]
    fn long_conditions_break_at_and() {
        let text = "rule r {\n  when     program in MPP and returned and fear_of_mexico_expressed == true and (not (nri_held == true) or nri.outcome == \"pending\")\n}\n";
        let (module, _) = parse_module(FileId(0), text);
        let printed = print_module(&module);
        assert_eq!(
            printed,
            "rule r {\n  when     program in MPP and returned and fear_of_mexico_expressed == true\n           and (not (nri_held == true) or nri.outcome == \"pending\")\n}\n"
        );
        let (again, _) = parse_module(FileId(0), &printed);
        assert_eq!(erase_spans(&again), erase_spans(&module));
    }

    #[test]
    #[allow(clippy::panic)] // the test's failure messages
    fn the_shipped_rule_files_round_trip() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        let mut files = 0;
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("cannot read an entry of {}: {e}", dir.display()))
                .path();
            if path.extension().is_some_and(|e| e == "nrs") {
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                files += 1;
                let (module, diagnostics) = parse_module(FileId(0), &text);
                assert!(diagnostics.is_empty(), "{}", path.display());
                let printed = print_module(&module);
                let (again, diagnostics) = parse_module(FileId(0), &printed);
                assert!(diagnostics.is_empty(), "{printed}");
                assert_eq!(erase_spans(&again), erase_spans(&module));
                assert_eq!(print_module(&again), printed);
            }
        }
        assert!(files > 0, "no .nrs file in {}", dir.display());
    }

    #[test]
    fn strings_are_escaped_from_their_value_when_raw_does_not_spell_it() {
        let lit = StrLit {
            value: "a\"b\\c\nd\te".to_string(),
            raw: "stale".to_string(),
            span: arbitrary::dummy_span(),
        };
        assert_eq!(print_str_lit(&lit), "\"a\\\"b\\\\c\\nd\\te\"");
        let lit = StrLit {
            value: "a\tb".to_string(),
            raw: "a\tb".to_string(),
            span: arbitrary::dummy_span(),
        };
        assert_eq!(print_str_lit(&lit), "\"a\tb\"");
    }

    // Case counts: proptest's default (256), or `PROPTEST_CASES`.
    proptest! {
        /// Print-then-parse gives back the module, spans aside.
        #[test]
        fn modules_round_trip(module in arbitrary::module()) {
            let text = print_module(&module);
            let (parsed, diagnostics) = parse_module(FileId(0), &text);
            prop_assert!(diagnostics.is_empty(), "{:?}\n{}", diagnostics, text);
            prop_assert_eq!(erase_spans(&parsed), erase_spans(&module), "{}", text);
        }

        /// Printing a parsed printout changes nothing.
        #[test]
        fn printing_is_idempotent(module in arbitrary::module()) {
            let text = print_module(&module);
            let (parsed, _) = parse_module(FileId(0), &text);
            prop_assert_eq!(print_module(&parsed), text);
        }

        /// Expressions round-trip exactly.
        #[test]
        fn exprs_round_trip(e in arbitrary::expr()) {
            let text = print_expr(&e);
            let parsed = parse_expr(FileId(0), &text);
            prop_assert!(parsed.is_ok(), "{}: {:?}", text, parsed);
            if let Ok(parsed) = parsed {
                prop_assert_eq!(erase_expr_spans(&parsed), erase_expr_spans(&e), "{}", text);
            }
        }

        /// Any tree, even one the parser cannot produce, prints as text that
        /// means the same tree: the printer adds the parentheses it needs.
        #[test]
        fn printing_keeps_the_tree_shape(e in arbitrary::any_expr()) {
            let text = print_expr(&e);
            let parsed = parse_expr(FileId(0), &text);
            prop_assert!(parsed.is_ok(), "{}: {:?}", text, parsed);
            if let Ok(parsed) = parsed {
                prop_assert_eq!(
                    erase_expr_spans(&strip_parens(&parsed)),
                    erase_expr_spans(&strip_parens(&e)),
                    "{}", text
                );
            }
        }

        /// Whatever the grammar reads, the printer writes back without a
        /// parenthesis more: `parse(print(parse(text))) == parse(text)`.
        #[test]
        fn parsed_text_round_trips(text in arbitrary::expr_text()) {
            let parsed = parse_expr(FileId(0), &text);
            prop_assert!(parsed.is_ok(), "{}: {:?}", text, parsed);
            if let Ok(parsed) = parsed {
                let printed = print_expr(&parsed);
                let again = parse_expr(FileId(0), &printed);
                prop_assert!(again.is_ok(), "{} -> {}: {:?}", text, printed, again);
                if let Ok(again) = again {
                    prop_assert_eq!(
                        erase_expr_spans(&again),
                        erase_expr_spans(&parsed),
                        "{} -> {}", text, printed
                    );
                    prop_assert_eq!(print_expr(&again), printed);
                }
            }
        }
    }
}
