//! Rate tables of fast-math kernels: which parts of a kernel are functions of the membrane
//! potential alone, and the kernel rewritten to read them from a table.
//!
//! Gating kinetics spend most of their time on expressions such as
//! `1/(1 + exp((v + 33)/−8.1))` or cnexp's `1 − exp(−dt/τ(v))`, whose only per-instance input
//! is `v` (the rest are constants, `dt`, `celsius` and globals no kernel writes). A forward
//! pass over the kernel ([`tabulate`]) tracks, for every local and field, whether its current
//! value is such a *pure* function of `v`, substituting definitions so that each pure value is
//! one [`Pure`] expression in `v`. Every maximal pure subexpression that costs more than a
//! table lookup is replaced by a read of an extra local which the generated code fills, per
//! instance, from a table of cubic pieces ([`crate::rate_data`]); assignments of pure values to
//! locals disappear, assignments to fields store the looked-up value. `IF`s whose condition and
//! branches are pure fold into [`Pure::Select`], so guarded formulas (`vtrap`) tabulate too.
//!
//! Outside the table's range (and when the table could not represent a function to its
//! tolerance, see [`crate::rate_data`]) the generated code evaluates the same [`Pure`]
//! expressions directly, so only accuracy — never validity — depends on the table.

use std::collections::BTreeSet;

use nmodl::ir::{BinaryOp, Builtin, Expr, Mechanism, NodeVar, Place, Stmt, Table};

use crate::analysis::mech_is_random;

pub use super::fields::dead_fields;
use super::fields::{frozen_fields, written_globals};
pub use super::pure::{Linear, Pure};

/// Relative cost below which a pure expression is recomputed rather than looked up (a lookup
/// costs about four loads and three fused multiply-adds).
const TABLE_COST: u32 = 8;

/// A kernel body rewritten to read its rate functions from a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Tabulated {
    pub body: Vec<Stmt>,
    /// Locals of the rewritten body: the original ones, then one per function.
    pub n_locals: usize,
    /// Function `j` is read through local `first_local + j`.
    pub first_local: usize,
    pub functions: Vec<Pure>,
}

/// Rewrites a vectorisable `body` (assignments and `IF`s only) to read its pure functions of
/// `v` from a rate table; None when nothing is worth tabulating.
///
/// Stores to `dead` fields (see [`dead_fields`]) are left out when nothing in the rewritten
/// body reads them.
pub fn tabulate(
    mech: &Mechanism,
    body: &[Stmt],
    n_locals: usize,
    dead: &BTreeSet<u32>,
) -> Option<Tabulated> {
    let mut t = Tabulator::new(mech, Mode::Rates, n_locals);
    t.dead = dead.clone();
    t.tables = &mech.tables;
    let mut out = Vec::with_capacity(body.len());
    t.stmts(body, &mut out, false)?;
    let out = without_dead_stores(out, dead);
    (!t.functions.is_empty()).then(|| Tabulated {
        body: out,
        n_locals: n_locals + t.functions.len(),
        first_local: n_locals,
        functions: t.functions,
    })
}

/// `body` without its top-level stores to `dead` fields (see [`dead_fields`]) that the body
/// itself never reads.
pub fn without_dead_stores(mut body: Vec<Stmt>, dead: &BTreeSet<u32>) -> Vec<Stmt> {
    let mut read = BTreeSet::new();
    crate::analysis::for_each_expr(&body, &mut |e| {
        if let Expr::Load(Place::Field(f)) = e {
            read.insert(*f);
        }
    });
    body.retain(
        |s| !matches!(s, Stmt::Assign(Place::Field(f), _) if dead.contains(f) && !read.contains(f)),
    );
    body
}

/// A kernel body rewritten to read its per-instance invariants from hidden fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Hoisted {
    pub body: Vec<Stmt>,
    /// Invariant `k` lives in hidden field `first_hidden + k` (ids after the mechanism's own).
    pub first_hidden: u32,
    /// Expressions over parameters, globals, `dt` and `celsius` (no `v`, no selects).
    pub invariants: Vec<Pure>,
}

/// Rewrites a vectorisable `body` so that costly expressions over parameters only — fields no
/// per-step kernel or NET_RECEIVE writes, globals no kernel writes, `dt`, `celsius`, such as a
/// synapse's `1 − exp(−dt/τ)` — are read from hidden per-instance fields, computed once per run
/// (see `JitSet`); None when there are none.
pub fn hoist_invariants(mech: &Mechanism, body: &[Stmt], first_hidden: u32) -> Option<Hoisted> {
    let mode = Mode::Invariants {
        frozen: frozen_fields(mech),
    };
    let mut t = Tabulator::new(mech, mode, first_hidden as usize);
    let mut out = Vec::with_capacity(body.len());
    t.stmts(body, &mut out, false)?;
    (!t.functions.is_empty()).then_some(Hoisted {
        body: out,
        first_hidden,
        invariants: t.functions,
    })
}

/// Places assigned anywhere in `body`.
fn assigned(body: &[Stmt], out: &mut Vec<Place>) {
    crate::analysis::for_each_written_place(body, &mut |p| {
        if !out.contains(p) {
            out.push(p.clone())
        }
    });
}

type Values = Vec<(Place, Pure)>;

fn lookup<'a>(map: &'a Values, p: &Place) -> Option<&'a Pure> {
    map.iter().find(|(q, _)| q == p).map(|(_, v)| v)
}

fn set(map: &mut Values, p: &Place, v: Pure) {
    match map.iter_mut().find(|(q, _)| q == p) {
        Some(slot) => slot.1 = v,
        None => map.push((p.clone(), v)),
    }
}

fn unset(map: &mut Values, p: &Place) -> Option<Pure> {
    let i = map.iter().position(|(q, _)| q == p)?;
    Some(map.swap_remove(i).1)
}

/// What the rewrite looks for.
enum Mode {
    /// Functions of `v` (rate tables, read through locals).
    Rates,
    /// Functions of the `frozen` fields (hoisted invariants, read through hidden fields).
    Invariants { frozen: BTreeSet<u32> },
}

struct Tabulator<'a> {
    mode: Mode,
    /// The mechanism's TABLEs, whose calls a rate rewrite inlines (none for invariants).
    tables: &'a [Table],
    /// Fields whose pure values need no store (see [`dead_fields`]).
    dead: BTreeSet<u32>,
    written_globals: BTreeSet<u32>,
    /// Places whose current value is pure, with that value.
    pure: Values,
    functions: Vec<Pure>,
    /// First table local (rates) or hidden field (invariants).
    first_slot: usize,
}

impl Tabulator<'_> {
    fn new(mech: &Mechanism, mode: Mode, first_slot: usize) -> Self {
        Tabulator {
            mode,
            tables: &[],
            dead: BTreeSet::new(),
            written_globals: written_globals(mech),
            pure: Vec::new(),
            functions: Vec::new(),
            first_slot,
        }
    }

    /// `e` as a pure expression, reading places' values from `map`.
    fn pure_in(&self, map: &Values, e: &Expr) -> Option<Pure> {
        Some(match e {
            Expr::Const(c) => Pure::Const(*c),
            Expr::Load(Place::Node(NodeVar::V)) if matches!(self.mode, Mode::Rates) => Pure::V,
            Expr::Load(Place::Field(f)) if matches!(&self.mode, Mode::Invariants { frozen } if frozen.contains(f)) => {
                Pure::Field(*f)
            }
            Expr::Load(Place::Node(NodeVar::Area))
                if matches!(self.mode, Mode::Invariants { .. }) =>
            {
                Pure::Area
            }
            Expr::Load(Place::Builtin(b @ (Builtin::Dt | Builtin::Celsius))) => Pure::Builtin(*b),
            Expr::Load(p @ Place::Global(g)) => match lookup(map, p) {
                Some(v) => v.clone(),
                None if !self.written_globals.contains(g) => Pure::Global(*g),
                None => return None,
            },
            Expr::TableValue { table, arg } => {
                let outputs = self.table_values(*table, self.pure_in(map, arg)?)?;
                let t = self.tables.get(*table as usize)?;
                lookup(&outputs, t.outputs.first()?)?.clone()
            }
            Expr::Load(p @ (Place::Local(_) | Place::Field(_))) => lookup(map, p)?.clone(),
            Expr::Unary(op, a) => Pure::Unary(*op, Box::new(self.pure_in(map, a)?)),
            Expr::Binary(BinaryOp::Div, a, c) if super::cnexp_steady_state(a, c).is_some() => {
                self.pure_in(map, super::cnexp_steady_state(a, c)?)?
            }
            Expr::Binary(op, a, c) => Pure::Binary(
                *op,
                Box::new(self.pure_in(map, a)?),
                Box::new(self.pure_in(map, c)?),
            ),
            Expr::Call(f, args) if !mech_is_random(*f) && args.len() <= 4 => Pure::Call(
                *f,
                args.iter()
                    .map(|a| self.pure_in(map, a))
                    .collect::<Option<_>>()?,
            ),
            _ => return None,
        })
    }

    /// How the rewritten kernel reads pure value `p`: a table local when a lookup is cheaper.
    fn value_of(&mut self, p: Pure) -> Expr {
        // A value that does not depend on v (constants and dt: a specialised synapse's
        // 1 − exp(−dt/τ)) is a run constant, left to the invariant hoisting.
        let constant_in_v = matches!(self.mode, Mode::Rates) && !p.reads_v();
        if p.cost() < TABLE_COST || constant_in_v {
            if let Some(e) = p.to_expr() {
                return e;
            }
        }
        let j = match self.functions.iter().position(|f| *f == p) {
            Some(j) => j,
            None => {
                self.functions.push(p);
                self.functions.len() - 1
            }
        };
        match self.mode {
            Mode::Rates => Expr::Load(Place::Local((self.first_slot + j) as u32)),
            Mode::Invariants { .. } => Expr::Load(Place::Field((self.first_slot + j) as u32)),
        }
    }

    /// `e` with every maximal pure subexpression replaced by [`Self::value_of`].
    fn rewrite(&mut self, e: &Expr) -> Expr {
        if let Some(p) = self.pure_in(&self.pure, e) {
            return self.value_of(p);
        }
        match e {
            Expr::Unary(op, a) => Expr::Unary(*op, Box::new(self.rewrite(a))),
            Expr::Binary(BinaryOp::Div, a, c) if super::cnexp_steady_state(a, c).is_some() => {
                let x = super::cnexp_steady_state(a, c).expect("checked");
                self.rewrite(x)
            }
            Expr::Binary(op, a, c) => {
                Expr::Binary(*op, Box::new(self.rewrite(a)), Box::new(self.rewrite(c)))
            }
            Expr::Call(f, args) => Expr::Call(*f, args.iter().map(|a| self.rewrite(a)).collect()),
            _ => e.clone(),
        }
    }

    /// Rewrites `body` into `out`; `conditional`: inside an `IF` that did not fold (its
    /// assignments apply to some lanes only, so they never make a place pure). None for a
    /// statement the rewrite does not handle.
    fn stmts(&mut self, body: &[Stmt], out: &mut Vec<Stmt>, conditional: bool) -> Option<()> {
        for s in body {
            match s {
                Stmt::Assign(p, e) => {
                    let tracked = matches!(p, Place::Local(_) | Place::Field(_));
                    if let Some(v) = self
                        .pure_in(&self.pure, e)
                        .filter(|_| tracked && !conditional)
                    {
                        if matches!(p, Place::Field(f) if !self.dead.contains(f)) {
                            let e = self.value_of(v.clone());
                            out.push(Stmt::Assign(p.clone(), e));
                        }
                        set(&mut self.pure, p, v);
                        continue;
                    }
                    let e = self.rewrite(e);
                    unset(&mut self.pure, p);
                    out.push(Stmt::Assign(p.clone(), e));
                }
                Stmt::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    // Selects become table functions; hoisted invariants stay plain expressions.
                    if !conditional && matches!(self.mode, Mode::Rates) {
                        if let Some(effects) =
                            self.fold_if(&self.pure.clone(), cond, then, otherwise, false)
                        {
                            for (p, v) in effects {
                                if matches!(p, Place::Field(f) if !self.dead.contains(&f)) {
                                    let e = self.value_of(v.clone());
                                    out.push(Stmt::Assign(p.clone(), e));
                                }
                                set(&mut self.pure, &p, v);
                            }
                            continue;
                        }
                    }
                    let cond = self.rewrite(cond);
                    // Lanes that skip a branch keep the old value: locals whose pure
                    // assignment was dropped get it stored before the IF.
                    let mut places = Vec::new();
                    assigned(then, &mut places);
                    assigned(otherwise, &mut places);
                    for p in &places {
                        if let Some(v) = unset(&mut self.pure, p) {
                            if let Place::Local(_) = p {
                                let e = self.value_of(v);
                                out.push(Stmt::Assign(p.clone(), e));
                            }
                        }
                    }
                    let (mut t, mut o) = (Vec::new(), Vec::new());
                    self.stmts(then, &mut t, true)?;
                    self.stmts(otherwise, &mut o, true)?;
                    out.push(Stmt::If {
                        cond,
                        then: t,
                        otherwise: o,
                    });
                }
                // A TABLE procedure of a pure argument: its outputs are pure functions of v,
                // NEURON's linear interpolation of the body's values (`Pure::Linear`).
                Stmt::TableCall { table, arg } if !conditional => {
                    let a = self.pure_in(&self.pure, arg)?;
                    let outputs = self.table_values(*table, a)?;
                    for p in &self.tables.get(*table as usize)?.outputs {
                        let v = lookup(&outputs, p)?.clone();
                        if matches!(p, Place::Field(f) if !self.dead.contains(f)) {
                            let e = self.value_of(v.clone());
                            out.push(Stmt::Assign(p.clone(), e));
                        }
                        set(&mut self.pure, p, v);
                    }
                }
                _ => return None,
            }
        }
        Some(())
    }

    /// The places TABLE `table`'s body assigns, as pure values, for argument `arg` (the body's
    /// local 0); None when the body is not pure (or in an invariant rewrite, which has no
    /// tables).
    fn table_values(&self, table: u32, arg: Pure) -> Option<Values> {
        let t = self.tables.get(table as usize)?;
        let mut map = vec![(Place::Local(0), Pure::V)];
        self.run_pure(&mut map, &t.body.body, true)?;
        let bound = |e: &Expr| {
            let p = self.pure_in(&Vec::new(), e)?;
            p.is_constant().then(|| p.eval(0.0, &[], 0.0, 0.0))
        };
        let (tmin, tmax) = (bound(&t.from)?, bound(&t.to)?);
        let dx = (tmax - tmin) / f64::from(t.intervals);
        // (With `usetable` off the kernel does not run: the set interprets it.)
        t.outputs
            .iter()
            .enumerate()
            .map(|(k, p)| {
                let inner = lookup(&map, p)?.clone();
                let linear = Pure::Linear(Box::new(Linear {
                    inner,
                    tmin,
                    dx,
                    n: t.intervals,
                    table,
                    output: k as u32,
                    arg: arg.clone(),
                    knots: None,
                }));
                Some((p.clone(), linear))
            })
            .collect()
    }

    /// The places an `IF` assigns and their values as [`Pure::Select`]s, when its condition and
    /// every assignment in it are pure (and each place has a pure value on both paths).
    /// `globals`: assignments to globals count too (in a TABLE body, whose outputs they are).
    fn fold_if(
        &self,
        before: &Values,
        cond: &Expr,
        then: &[Stmt],
        otherwise: &[Stmt],
        globals: bool,
    ) -> Option<Values> {
        let c = self.pure_in(before, cond)?;
        let mut after_then = before.clone();
        self.run_pure(&mut after_then, then, globals)?;
        let mut after_else = before.clone();
        self.run_pure(&mut after_else, otherwise, globals)?;
        let mut places = Vec::new();
        assigned(then, &mut places);
        assigned(otherwise, &mut places);
        places
            .into_iter()
            .map(|p| {
                let a = lookup(&after_then, &p)?.clone();
                let b = lookup(&after_else, &p)?.clone();
                let v = if a == b {
                    a
                } else {
                    Pure::Select(Box::new(c.clone()), Box::new(a), Box::new(b))
                };
                Some((p, v))
            })
            .collect()
    }

    /// Applies `body` to `map` symbolically; None unless every statement is a pure assignment
    /// to a local or field (or, with `globals`, a global) or a foldable `IF`.
    fn run_pure(&self, map: &mut Values, body: &[Stmt], globals: bool) -> Option<()> {
        for s in body {
            match s {
                Stmt::Assign(p @ (Place::Local(_) | Place::Field(_)), e) => {
                    let v = self.pure_in(map, e)?;
                    set(map, p, v);
                }
                Stmt::Assign(p @ Place::Global(_), e) if globals => {
                    let v = self.pure_in(map, e)?;
                    set(map, p, v);
                }
                Stmt::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    for (p, v) in self.fold_if(map, cond, then, otherwise, globals)? {
                        set(map, &p, v);
                    }
                }
                _ => return None,
            }
        }
        Some(())
    }
}
