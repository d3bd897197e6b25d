//! A [`CaseTrace`] as text for a terminal: one block per rule, its
//! condition as an indented tree of operands with their truth and the facts
//! they read. Every record value goes through `escape::terminal`; a field
//! not recorded reads "not recorded", never as a value.

use std::fmt::Write as _;

use crate::escape::terminal;

use super::resolve::WouldChange;
use super::{show_value, CaseTrace, Fact, Node, RuleTrace};

/// The whole trace.
pub(crate) fn render(trace: &CaseTrace) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "case {} ({} line {}), rule set {}: {}",
        terminal(&trace.case_id),
        terminal(&trace.input),
        trace.line,
        terminal(&trace.ruleset),
        trace.outcome.replace('-', " ")
    );
    for rule in &trace.rules {
        out.push('\n');
        render_rule(&mut out, rule);
    }
    out
}

fn render_rule(out: &mut String, rule: &RuleTrace) {
    let _ = writeln!(
        out,
        "rule {} (gap {}, {}): {}",
        terminal(&rule.rule),
        terminal(&rule.gap),
        rule.severity,
        terminal(&rule.outcome_text)
    );
    if let Some(window) = &rule.window {
        let range = match (&window.from, &window.until) {
            (Some(f), Some(u)) => format!("from {f} until {u}"),
            (Some(f), None) => format!("from {f}"),
            (None, Some(u)) => format!("until {u}"),
            (None, None) => "always".into(),
        };
        let _ = writeln!(
            out,
            "  window   {:<8}{} = {}, in force {range}",
            window.in_force,
            terminal(&window.date_expr),
            window.date.as_deref().unwrap_or("not recorded"),
        );
    }
    out.push_str("  when\n");
    render_node(out, &rule.condition, 2);
    for exception in &rule.exceptions {
        let _ = writeln!(out, "  unless ({})", terminal(&exception.name));
        render_node(out, &exception.condition, 2);
    }
    if !rule.definitions.is_empty() {
        out.push_str("  definitions\n");
        for def in &rule.definitions {
            let _ = writeln!(
                out,
                "    {} = {}",
                terminal(&def.name),
                match &def.value {
                    serde_json::Value::Null => "unknown".into(),
                    v => terminal(&show_value(v)).into_owned(),
                }
            );
        }
    }
    if !rule.lookups.is_empty() {
        out.push_str("  tables\n");
        for lookup in &rule.lookups {
            let on = lookup
                .on
                .as_ref()
                .map(|d| format!(" on {d}"))
                .unwrap_or_default();
            let answer = match &lookup.row {
                Some(row) => {
                    let dates = match (&row.from, &row.to) {
                        (Some(f), Some(t)) => format!(", in effect from {f} to {t}"),
                        (Some(f), None) => format!(", in effect from {f}"),
                        (None, Some(t)) => format!(", in effect until {t}"),
                        (None, None) => String::new(),
                    };
                    format!("{}{dates} (row at {})", terminal(&row.value), row.place)
                }
                None => "no row covers it, so the value is unknown".into(),
            };
            let _ = writeln!(
                out,
                "    {}[{}]{on} → {answer}",
                terminal(&lookup.table),
                terminal(&lookup.key)
            );
        }
    }
    match &rule.would_change {
        Some(WouldChange::Resolve {
            unknown,
            searched,
            assignments,
            more,
        }) => {
            if unknown.is_empty() {
                out.push_str(
                    "  what would decide it: no field; a table has no row for the case, or the rule says `unknown`\n",
                );
                return;
            }
            let _ = writeln!(
                out,
                "  what would decide it (not recorded: {}; {}):",
                terminal(&unknown.join(", ")),
                searched.replace('-', " ")
            );
            if assignments.is_empty() {
                out.push_str("    no value tried decides it\n");
            }
            for a in assignments {
                let outcome = match &a.exception {
                    Some(e) => format!("cleared by `{}`", terminal(e)),
                    None if a.outcome == "not-applicable" => "clear".into(),
                    None => a.outcome.replace('-', " "),
                };
                let _ = writeln!(out, "    if recorded as {}: {outcome}", assignment(&a.set));
            }
            if *more > 0 {
                let _ = writeln!(out, "    … and {more} more");
            }
        }
        Some(WouldChange::NotApplied {
            outside_window,
            false_operands,
        }) => {
            if *outside_window {
                out.push_str("  did not apply: the case's date is outside the rule's window\n");
            } else {
                out.push_str("  did not apply: these were false\n");
                for operand in false_operands {
                    let _ = writeln!(out, "    {}", terminal(operand));
                }
            }
        }
        None => {}
    }
}

/// `a = x, b = y`.
fn assignment(set: &[Fact]) -> String {
    set.iter().map(fact).collect::<Vec<_>>().join(", ")
}

/// `field = value` (`not recorded` when the record lacks it).
fn fact(f: &Fact) -> String {
    format!(
        "{} = {}",
        terminal(&f.field),
        terminal(&show_value(&f.value))
    )
}

fn render_node(out: &mut String, node: &Node, depth: usize) {
    let indent = "  ".repeat(depth);
    let head = match node.op {
        Some("and") => "all of:".to_string(),
        Some("or") => "any of:".to_string(),
        Some("not") => "not:".to_string(),
        _ => terminal(&node.expr).into_owned(),
    };
    let _ = write!(out, "{indent}{:<8}{head}", node.value);
    if !node.facts.is_empty() {
        let facts: Vec<String> = node.facts.iter().map(fact).collect();
        let _ = write!(out, "    [{}]", facts.join("; "));
    }
    out.push('\n');
    for operand in &node.operands {
        render_node(out, operand, depth + 1);
    }
}
