//! The definitions of a rule set as a graph: each `def` by id and by name,
//! how far checking it has got, which definitions it uses, how deep it nests
//! through them.
//!
//! The graph knows no diagnostics: it answers with typed outcomes (a
//! [`Cycle`], a chain or nesting too deep) that the checker words.

use std::collections::{BTreeSet, HashMap};

use crate::syntax::ast;
use crate::types::Type;

use super::program::{Def, DefId, TExpr, TKind};

/// How many definitions may depend on each other in a chain.
pub(super) const MAX_DEF_CHAIN: usize = 256;

/// How deep an expression may nest, counting through the definitions it uses.
pub(super) const MAX_COMBINED_DEPTH: usize = 1000;

/// How many operations a list definition may hold once the definitions it
/// uses are written out in it (a list that doubles through definitions,
/// `def l2 = l1 + l1`, grows exponentially; this bounds its length, its
/// constant folding and the copies the checker makes of it).
pub(super) const MAX_LIST_EXPANSION: u64 = 100_000;

/// How far checking a definition has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DefState {
    NotStarted,
    InProgress,
    Done,
}

/// What [`DefGraph::begin`] did.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Begin {
    /// The definition is now in progress, on top of the stack: check its
    /// body, then call [`DefGraph::finish`].
    Started,
    /// The definition is done or in progress already: nothing to check
    /// ([`DefGraph::ty`] gives its type, if it checked).
    Already,
    /// [`MAX_DEF_CHAIN`] definitions are being checked already: this one is
    /// now done, without a body.
    ChainTooLong,
}

/// A definition that uses itself, directly or through others.
#[derive(Debug)]
pub(super) struct Cycle<'a> {
    /// The definition used, which is being checked already.
    pub(super) used: &'a ast::DefItem,
    /// The definitions being checked from `used` on, outermost first: each
    /// uses the next, and the last is the use that closes the cycle.
    pub(super) through: Vec<&'a ast::DefItem>,
}

/// Why a definition's body was refused.
#[derive(Debug)]
pub(super) enum TooLarge {
    /// Counted through the definitions it uses, it nests more than
    /// [`MAX_COMBINED_DEPTH`] operations deep.
    Depth,
    /// A list that, written out through the definitions it uses, holds more
    /// than [`MAX_LIST_EXPANSION`] operations (the number given).
    List(u64),
}

/// The definitions of a rule set and what checking has learnt of them.
#[derive(Debug, Default)]
pub(super) struct DefGraph<'a> {
    /// The declarations, by id (declaration order).
    items: Vec<&'a ast::DefItem>,
    /// The ids, by name.
    index: HashMap<&'a str, DefId>,
    /// Each definition once checked, `None` until then or if it has an error.
    checked: Vec<Option<Def>>,
    /// How far checking each definition has got.
    state: Vec<DefState>,
    /// Definitions being checked, outermost first (for cycle messages).
    stack: Vec<DefId>,
    /// For each definition, the definitions it refers to.
    deps: Vec<BTreeSet<DefId>>,
    /// Nesting depth of each checked definition, through those it uses.
    depths: Vec<usize>,
    /// Operations of each checked definition written out through those it
    /// uses (saturating).
    sizes: Vec<u64>,
    /// Definitions whose constant value was inlined where they were used.
    inlined: BTreeSet<DefId>,
}

impl<'a> DefGraph<'a> {
    /// Adds a declaration under a name not taken yet (see [`DefGraph::id`]).
    pub(super) fn add(&mut self, item: &'a ast::DefItem) -> DefId {
        let id = DefId(self.items.len() as u32);
        self.index.insert(item.name.name.as_str(), id);
        self.items.push(item);
        self.checked.push(None);
        self.state.push(DefState::NotStarted);
        self.deps.push(BTreeSet::new());
        self.depths.push(0);
        self.sizes.push(0);
        id
    }

    /// The definition of this name.
    pub(super) fn id(&self, name: &str) -> Option<DefId> {
        self.index.get(name).copied()
    }

    /// Every definition's name, in no particular order.
    pub(super) fn names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.index.keys().copied()
    }

    /// Every definition's id, in declaration order.
    pub(super) fn ids(&self) -> impl Iterator<Item = DefId> {
        (0..self.items.len() as u32).map(DefId)
    }

    /// The declaration of a definition.
    pub(super) fn item(&self, id: DefId) -> &'a ast::DefItem {
        self.items[id.0 as usize]
    }

    /// The checked definition, if it checked without error.
    pub(super) fn checked(&self, id: DefId) -> Option<&Def> {
        self.checked[id.0 as usize].as_ref()
    }

    /// The type of the definition, if it checked without error.
    pub(super) fn ty(&self, id: DefId) -> Option<Type> {
        self.checked(id).map(|d| d.expr.ty.clone())
    }

    /// Starts checking a definition not started yet: it goes on the stack,
    /// and the uses recorded until [`DefGraph::finish`] are its own.
    pub(super) fn begin(&mut self, id: DefId) -> Begin {
        let i = id.0 as usize;
        if self.state[i] != DefState::NotStarted {
            return Begin::Already;
        }
        if self.stack.len() >= MAX_DEF_CHAIN {
            // Checking (and later evaluating) definitions recurses through
            // the definitions they use: bound it, as the parser bounds
            // nesting within one expression.
            self.state[i] = DefState::Done;
            return Begin::ChainTooLong;
        }
        self.state[i] = DefState::InProgress;
        self.stack.push(id);
        Begin::Started
    }

    /// Ends checking the definition on top of the stack, with its checked
    /// body if it had no error: the definition is done.
    /// The body is kept (and its type returned) unless it nests too deep.
    pub(super) fn finish(&mut self, id: DefId, def: Option<Def>) -> Result<Option<Type>, TooLarge> {
        let i = id.0 as usize;
        let top = self.stack.pop();
        debug_assert_eq!(top, Some(id), "finish ends the definition begun last");
        self.state[i] = DefState::Done;
        let Some(def) = def else { return Ok(None) };
        let depth = self.depth(&def.expr);
        self.depths[i] = depth;
        if depth > MAX_COMBINED_DEPTH {
            return Err(TooLarge::Depth);
        }
        let size = self.size(&def.expr);
        self.sizes[i] = size;
        if def.expr.ty.element().is_some() && size > MAX_LIST_EXPANSION {
            return Err(TooLarge::List(size));
        }
        let ty = def.expr.ty.clone();
        self.checked[i] = Some(def);
        Ok(Some(ty))
    }

    /// The nesting depth of an expression, counting each definition it uses
    /// at that definition's own depth (so evaluation's recursion is bounded).
    fn depth(&self, e: &TExpr) -> usize {
        let own = match e.kind {
            TKind::Def(id) => self.depths[id.0 as usize],
            _ => 0,
        };
        let mut deepest = 0;
        e.for_each_child(|c| deepest = deepest.max(self.depth(c)));
        1 + own.max(deepest)
    }

    /// The operations of an expression written out through the definitions
    /// it uses, saturating (linear: each definition's size is stored).
    fn size(&self, e: &TExpr) -> u64 {
        let own = match e.kind {
            TKind::Def(id) => self.sizes[id.0 as usize],
            _ => 1,
        };
        let mut total = own;
        e.for_each_child(|c| total = total.saturating_add(self.size(c)));
        total
    }

    /// Records a use of definition `id` by the definition being checked, if
    /// any; a [`Cycle`] if `id` is itself being checked.
    pub(super) fn record_use(&mut self, id: DefId) -> Result<(), Cycle<'a>> {
        if let Some(&current) = self.stack.last() {
            self.deps[current.0 as usize].insert(id);
        }
        if self.state[id.0 as usize] != DefState::InProgress {
            return Ok(());
        }
        let start = self.stack.iter().position(|&d| d == id).unwrap_or(0);
        Err(Cycle {
            used: self.item(id),
            through: self.stack[start..].iter().map(|&d| self.item(d)).collect(),
        })
    }

    /// Records that a definition's constant value was inlined where it was
    /// used (so the use is not seen in the checked expression).
    pub(super) fn record_inlined(&mut self, id: DefId) {
        self.inlined.insert(id);
    }

    /// The checked definitions that neither `roots` nor an inlined use
    /// reach through the definitions they use, in declaration order.
    pub(super) fn unused(&self, roots: Vec<DefId>) -> Vec<&'a ast::DefItem> {
        let mut used = BTreeSet::new();
        let mut stack: Vec<DefId> = self.inlined.iter().copied().collect();
        stack.extend(roots);
        while let Some(id) = stack.pop() {
            if used.insert(id) {
                stack.extend(self.deps[id.0 as usize].iter().copied());
            }
        }
        self.ids()
            .filter(|id| !used.contains(id) && self.checked(*id).is_some())
            .map(|id| self.item(id))
            .collect()
    }

    /// The checked definitions by id (`None` for those with an error).
    pub(super) fn into_checked(self) -> Vec<Option<Def>> {
        self.checked
    }
}
