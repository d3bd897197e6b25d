//! Checked program → compiled form: expressions flattened into a node arena
//! whose operands are indices, fields are slots, enum values and the strings
//! the rule set mentions are small integers, constant lists are ready-made
//! sets, and tables are indexed by symbol. Evaluation (`eval/compiled.rs`)
//! never looks anything up by name.

pub(crate) mod symbols;
pub(crate) mod table;
pub(crate) mod val;

use std::collections::{BTreeSet, HashSet};

use crate::check::program::*;
use crate::ruleset::schema::FieldId;
use crate::syntax::ast::QuantifierKind;
use crate::types::Type;
use crate::value::Value;

use self::symbols::Symbols;
use self::table::CompiledTable;
use self::val::Val;

/// Index of a node in [`Compiled::nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct NodeId(u32);

impl NodeId {
    /// The position in [`Compiled::nodes`].
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of a constant set in [`Compiled::sets`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct SetId(u32);

impl SetId {
    /// The position in [`Compiled::sets`].
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// One operation of a compiled expression.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    /// A constant.
    Const(Val),
    /// A record slot.
    Field(FieldId),
    /// A definition, computed once per record.
    Def(DefId),
    /// A quantifier variable (0 = innermost).
    Var(u32),
    /// A list whose elements are computed.
    ListOf(Vec<NodeId>),
    /// `not`
    Not(NodeId),
    /// `and`
    And(NodeId, NodeId),
    /// `or`
    Or(NodeId, NodeId),
    /// `known`
    Known(NodeId),
    /// `??`
    Default(NodeId, NodeId),
    /// comparison
    Compare(CmpOp, NodeId, NodeId),
    /// `field OP value` (a constant), or `(field OP value) ?? or` when `or`
    /// is a known constant (`Val::Unknown`: no `??`, which `??` with an
    /// unknown default is): the commonest leaves of a condition, evaluated
    /// as one node instead of three or five.
    FieldCompare {
        /// The comparison.
        op: CmpOp,
        /// The field compared.
        field: FieldId,
        /// The constant it is compared with.
        value: Val,
        /// The value when the comparison is unknown.
        or: Val,
    },
    /// `x in CONSTANT-SET`
    InSet(NodeId, SetId),
    /// `x in list`
    In(NodeId, NodeId),
    /// `list contains x`
    Contains(NodeId, NodeId),
    /// `text contains text`
    ContainsText(NodeId, NodeId),
    /// `list contains any/all/none of CONSTANT-SET`
    SetTestConst(SetOp, NodeId, SetId),
    /// `list contains any/all/none of list`
    SetTest(SetOp, NodeId, NodeId),
    /// `is empty`
    IsEmpty(NodeId),
    /// `+`, `-`
    Arith(ArithOp, NodeId, NodeId),
    /// `-a`
    Neg(NodeId),
    /// `normalize(text)`
    Normalize(NodeId),
    /// `count(list)`
    Count(NodeId),
    /// `days_between(a, b)`
    DaysBetween(NodeId, NodeId),
    /// `table[key]` / `table[key] on date`
    Lookup {
        /// Index into [`Compiled::tables`].
        table: u32,
        /// The key.
        key: NodeId,
        /// The date, for dated tables.
        on: Option<NodeId>,
    },
    /// `any(…)` (`any == true`) or `all(…)`
    Quantifier {
        /// `any` or `all`.
        any: bool,
        /// The list.
        list: NodeId,
        /// The body.
        body: NodeId,
    },
}

/// A set of constant values, ready for membership tests.
#[derive(Clone, Debug)]
pub(crate) enum ConstSet {
    /// Enum codes below 64, as a bit mask.
    Enums(u64),
    /// Any other constants (symbols, numbers, dates, large enums).
    Values(HashSet<Val>),
}

impl ConstSet {
    /// Whether `v` is a member (text that is not a symbol is never one).
    pub(crate) fn contains(&self, v: Val) -> bool {
        match (self, v) {
            (ConstSet::Enums(mask), Val::Enum(code)) => code < 64 && mask & (1 << code) != 0,
            (ConstSet::Enums(_), _) => false,
            (ConstSet::Values(set), v) => set.contains(&v),
        }
    }

    /// Whether every member is among `elements`.
    pub(crate) fn all_in(&self, elements: &[Val]) -> bool {
        match self {
            ConstSet::Enums(mask) => {
                let present = elements.iter().fold(0u64, |acc, v| match v {
                    Val::Enum(code) if *code < 64 => acc | (1 << code),
                    _ => acc,
                });
                present & mask == *mask
            }
            ConstSet::Values(set) => set.iter().all(|m| elements.contains(m)),
        }
    }
}

/// An effective window in compiled form.
#[derive(Clone, Debug)]
pub(crate) struct CompiledWindow {
    /// The record date compared.
    pub date: NodeId,
    /// First day, inclusive.
    pub from: Option<i32>,
    /// Last day, inclusive.
    pub until: Option<i32>,
}

/// A piece of a compiled explanation.
#[derive(Clone, Debug)]
pub(crate) enum CompiledPart {
    /// Literal text.
    Text(String),
    /// A value to show, with its type (to name enum values).
    Value(NodeId, Type),
    /// A value a claim rests on, not shown: it holds when it equals this
    /// truth value, or (`None`, a value that is not true/false) when known.
    Mention(NodeId, Option<bool>),
    /// A claim: shown only when what it rests on holds.
    Claim(Vec<CompiledPart>),
}

/// A rule in compiled form.
#[derive(Clone, Debug)]
pub(crate) struct CompiledRule {
    /// The condition.
    pub condition: NodeId,
    /// The effective window.
    pub window: Option<CompiledWindow>,
    /// Exception conditions, in the order of `Rule::exceptions`.
    pub exceptions: Vec<NodeId>,
    /// The explanation.
    pub because: Vec<CompiledPart>,
    /// The explanation of each exception that has one (shown when it clears
    /// the rule).
    pub exception_because: Vec<Option<Vec<CompiledPart>>>,
    /// Every field the rule reads (directly or through definitions), sorted.
    pub fields_read: Vec<FieldId>,
}

/// A program ready to evaluate.
#[derive(Debug)]
pub(crate) struct Compiled {
    /// The checked program (names, citations, schema) for reporting.
    pub program: Program,
    /// The node arena.
    pub nodes: Vec<Node>,
    /// The root node of each definition, by [`DefId`].
    pub defs: Vec<NodeId>,
    /// Rules, in the order of `program.rules`.
    pub rules: Vec<CompiledRule>,
    /// Interned strings.
    pub symbols: Symbols,
    /// Elements of constant lists.
    pub const_items: Vec<Val>,
    /// Constant sets.
    pub sets: Vec<ConstSet>,
    /// Tables, by `TableId`.
    pub tables: Vec<CompiledTable>,
    /// Whether some rule reads each field (others need not be stored).
    pub used_fields: Vec<bool>,
    /// The precondition of each audit, in the order of `program.audits`.
    pub audit_preconditions: Vec<Option<NodeId>>,
}

/// Compiles a checked program.
pub(crate) fn compile(program: Program) -> Compiled {
    let mut symbols = Symbols::default();
    // Table keys and values are interned first, so that their symbol ids
    // do not depend on the rules.
    for table in &program.tables {
        for row in &table.rows {
            symbols.intern(&row.key);
            if let Value::Str(s) = &row.value {
                symbols.intern(s);
            }
        }
    }
    let mut compiler = Compiler {
        program: &program,
        symbols,
        nodes: Vec::new(),
        const_items: Vec::new(),
        sets: Vec::new(),
    };
    let defs: Vec<NodeId> = program
        .defs
        .iter()
        .map(|d| compiler.expr(&d.expr))
        .collect();
    let rules: Vec<CompiledRule> = program.rules.iter().map(|r| compiler.rule(r)).collect();
    let audit_preconditions: Vec<Option<NodeId>> = program
        .audits
        .iter()
        .map(|a| a.precondition.as_ref().map(|p| compiler.expr(p)))
        .collect();
    let Compiler {
        mut symbols,
        nodes,
        const_items,
        sets,
        ..
    } = compiler;
    let tables = program
        .tables
        .iter()
        .map(|table| CompiledTable::new(table, &mut symbols))
        .collect();
    let mut used_fields = vec![false; program.schema.fields.len()];
    for rule in &rules {
        for field in &rule.fields_read {
            used_fields[field.0 as usize] = true;
        }
    }
    // Explanations show fields too: they must be stored.
    let mut shown = BTreeSet::new();
    for rule in &program.rules {
        let templates = std::iter::once(&rule.because)
            .chain(rule.exceptions.iter().filter_map(|e| e.because.as_ref()));
        for template in templates {
            for e in template.values() {
                fields_of(&program, e, &mut shown, &mut BTreeSet::new());
            }
        }
    }
    for audit in &program.audits {
        if let Some(p) = &audit.precondition {
            fields_of(&program, p, &mut shown, &mut BTreeSet::new());
        }
    }
    for field in shown {
        used_fields[field.0 as usize] = true;
    }
    // A field of a group (`nri.outcome`) is read through its group's object.
    for (i, field) in program.schema.fields.iter().enumerate() {
        if let (true, Some(parent)) = (used_fields[i], field.parent) {
            used_fields[parent.0 as usize] = true;
        }
    }
    Compiled {
        program,
        nodes,
        defs,
        rules,
        symbols,
        const_items,
        sets,
        tables,
        used_fields,
        audit_preconditions,
    }
}

/// The compiled form of a constant scalar value.
fn constant(symbols: &mut Symbols, value: &Value) -> Val {
    match value {
        Value::Bool(b) => Val::Bool(*b),
        Value::Int(i) => Val::Int(*i),
        Value::Str(s) => Val::Sym(symbols.intern(s)),
        Value::Date(d) => Val::Date(d.0),
        Value::Duration(d) => Val::Duration(*d),
        Value::Enum(e) => Val::Enum(*e),
        // Lists are compiled through `Compiler::constant_list`.
        Value::List(_) => Val::Unknown,
    }
}

struct Compiler<'p> {
    program: &'p Program,
    symbols: Symbols,
    nodes: Vec<Node>,
    const_items: Vec<Val>,
    sets: Vec<ConstSet>,
}

impl Compiler<'_> {
    /// `a OP b` as one [`Node::FieldCompare`], if `a` is a field and `b`
    /// a constant.
    fn fused_compare(&self, op: CmpOp, a: NodeId, b: NodeId) -> Option<Node> {
        match (self.nodes.get(a.index())?, self.nodes.get(b.index())?) {
            (Node::Field(field), Node::Const(value)) => Some(Node::FieldCompare {
                op,
                field: *field,
                value: *value,
                or: Val::Unknown,
            }),
            _ => None,
        }
    }

    /// `a ?? b` as one [`Node::FieldCompare`], if `a` is one without a
    /// default and `b` a constant.
    fn fused_default(&self, a: NodeId, b: NodeId) -> Option<Node> {
        match (self.nodes.get(a.index())?, self.nodes.get(b.index())?) {
            (
                Node::FieldCompare {
                    op,
                    field,
                    value,
                    or: Val::Unknown,
                },
                Node::Const(or),
            ) => Some(Node::FieldCompare {
                op: *op,
                field: *field,
                value: *value,
                or: *or,
            }),
            _ => None,
        }
    }

    fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        NodeId((self.nodes.len() - 1) as u32)
    }

    fn rule(&mut self, rule: &Rule) -> CompiledRule {
        let condition = self.expr(&rule.condition);
        let window = rule.window.as_ref().map(|w| CompiledWindow {
            date: self.expr(&w.date),
            from: w.from.map(|d| d.0),
            until: w.until.map(|d| d.0),
        });
        let exceptions = rule
            .exceptions
            .iter()
            .map(|e| self.expr(&e.condition))
            .collect();
        let because = self.template(&rule.because);
        let exception_because = rule
            .exceptions
            .iter()
            .map(|e| e.because.as_ref().map(|t| self.template(t)))
            .collect();
        let mut fields = BTreeSet::new();
        let mut seen_defs = BTreeSet::new();
        let mut roots: Vec<&TExpr> = vec![&rule.condition];
        roots.extend(rule.window.as_ref().map(|w| &w.date));
        roots.extend(rule.exceptions.iter().map(|e| &e.condition));
        for root in roots {
            fields_of(self.program, root, &mut fields, &mut seen_defs);
        }
        CompiledRule {
            condition,
            window,
            exceptions,
            because,
            exception_because,
            fields_read: fields.into_iter().collect(),
        }
    }

    fn template(&mut self, template: &Template) -> Vec<CompiledPart> {
        self.template_parts(&template.parts)
    }

    fn template_parts(&mut self, parts: &[TemplatePart]) -> Vec<CompiledPart> {
        parts
            .iter()
            .map(|part| match part {
                TemplatePart::Text(t) => CompiledPart::Text(t.clone()),
                TemplatePart::Value(e) => CompiledPart::Value(self.expr(e), e.ty.clone()),
                TemplatePart::Mention(e, holds_when) => {
                    CompiledPart::Mention(self.expr(e), (e.ty == Type::Bool).then_some(*holds_when))
                }
                TemplatePart::Claim(inner) => CompiledPart::Claim(self.template_parts(inner)),
            })
            .collect()
    }

    /// The constant value of an expression, if it has one.
    fn constant_value(&self, e: &TExpr) -> Option<Value> {
        match &e.kind {
            TKind::Const(v) => Some(v.clone()),
            TKind::List(items) => items
                .iter()
                .map(|i| self.constant_value(i))
                .collect::<Option<Vec<_>>>()
                .map(|v| Value::List(v.into())),
            TKind::Def(id) => self.constant_value(&self.program.def(*id).expr),
            TKind::Arith(ArithOp::Add, a, b) if e.ty.element().is_some() => {
                match (self.constant_value(a)?, self.constant_value(b)?) {
                    (Value::List(x), Value::List(y)) => {
                        Some(Value::List(x.iter().chain(y.iter()).cloned().collect()))
                    }
                    _ => None,
                }
            }
            TKind::Neg(a) => negate(self.constant_value(a)?),
            TKind::TableKeys(id) => {
                let keys: Vec<Value> = self
                    .program
                    .table(*id)
                    .keys()
                    .map(|k| Value::Str(k.into()))
                    .collect();
                Some(Value::List(keys.into()))
            }
            _ => None,
        }
    }

    fn const_set(&mut self, e: &TExpr) -> Option<SetId> {
        let Value::List(items) = self.constant_value(e)? else {
            return None;
        };
        let vals: Vec<Val> = items
            .iter()
            .map(|v| constant(&mut self.symbols, v))
            .collect();
        let set = if vals.iter().all(|v| matches!(v, Val::Enum(c) if *c < 64)) {
            ConstSet::Enums(vals.iter().fold(0u64, |mask, v| match v {
                Val::Enum(c) => mask | (1 << c),
                _ => mask,
            }))
        } else {
            ConstSet::Values(vals.into_iter().collect())
        };
        self.sets.push(set);
        Some(SetId((self.sets.len() - 1) as u32))
    }

    fn expr(&mut self, e: &TExpr) -> NodeId {
        if let Some(value) = self.constant_value(e) {
            let val = match &value {
                Value::List(items) => {
                    let start = self.const_items.len() as u32;
                    for item in items.iter() {
                        let v = constant(&mut self.symbols, item);
                        self.const_items.push(v);
                    }
                    Val::ConstList(start, items.len() as u32)
                }
                scalar => constant(&mut self.symbols, scalar),
            };
            return self.push(Node::Const(val));
        }
        let node = match &e.kind {
            TKind::Const(_) | TKind::TableKeys(_) => unreachable_constant(),
            TKind::UnknownValue => Node::Const(Val::Unknown),
            TKind::List(items) => Node::ListOf(items.iter().map(|i| self.expr(i)).collect()),
            TKind::Field(id) => Node::Field(*id),
            TKind::Def(id) => Node::Def(*id),
            TKind::Var(index) => Node::Var(index.0),
            TKind::Not(a) => Node::Not(self.expr(a)),
            TKind::And(a, b) => Node::And(self.expr(a), self.expr(b)),
            TKind::Or(a, b) => Node::Or(self.expr(a), self.expr(b)),
            TKind::Known(a) => Node::Known(self.expr(a)),
            TKind::Default(a, b) => {
                let (a, b) = (self.expr(a), self.expr(b));
                self.fused_default(a, b).unwrap_or(Node::Default(a, b))
            }
            TKind::Compare(op, a, b) => {
                let (a, b) = (self.expr(a), self.expr(b));
                self.fused_compare(*op, a, b)
                    .unwrap_or(Node::Compare(*op, a, b))
            }
            TKind::In(x, list) => {
                let x = self.expr(x);
                match self.const_set(list) {
                    Some(set) => Node::InSet(x, set),
                    None => Node::In(x, self.expr(list)),
                }
            }
            TKind::Contains(a, b) if a.ty == Type::Str => {
                Node::ContainsText(self.expr(a), self.expr(b))
            }
            TKind::Contains(list, x) => Node::Contains(self.expr(list), self.expr(x)),
            TKind::SetTest(op, a, b) => {
                let a = self.expr(a);
                match self.const_set(b) {
                    Some(set) => Node::SetTestConst(*op, a, set),
                    None => Node::SetTest(*op, a, self.expr(b)),
                }
            }
            TKind::IsEmpty(a) => Node::IsEmpty(self.expr(a)),
            TKind::Arith(op, a, b) => Node::Arith(*op, self.expr(a), self.expr(b)),
            TKind::Neg(a) => Node::Neg(self.expr(a)),
            TKind::Call(Builtin::Normalize, args) => Node::Normalize(self.expr(&args[0])),
            TKind::Call(Builtin::Count, args) => Node::Count(self.expr(&args[0])),
            TKind::Call(Builtin::DaysBetween, args) => {
                Node::DaysBetween(self.expr(&args[0]), self.expr(&args[1]))
            }
            TKind::Lookup { table, key, on } => Node::Lookup {
                table: table.0,
                key: self.expr(key),
                on: on.as_ref().map(|d| self.expr(d)),
            },
            TKind::Quantifier { kind, list, body } => Node::Quantifier {
                any: *kind == QuantifierKind::Any,
                list: self.expr(list),
                body: self.expr(body),
            },
        };
        self.push(node)
    }
}

/// Constants are handled before the match; reaching here would be a bug,
/// and an unknown value is the safe answer (never a silent `false`).
fn unreachable_constant() -> Node {
    Node::Const(Val::Unknown)
}

/// Every field an expression reads, through definitions.
fn fields_of(
    program: &Program,
    e: &TExpr,
    fields: &mut BTreeSet<FieldId>,
    defs: &mut BTreeSet<DefId>,
) {
    match &e.kind {
        TKind::Field(id) => {
            fields.insert(*id);
        }
        TKind::Def(id) => {
            if defs.insert(*id) {
                fields_of(program, &program.def(*id).expr, fields, defs);
            }
        }
        _ => e.for_each_child(|c| fields_of(program, c, fields, defs)),
    }
}
