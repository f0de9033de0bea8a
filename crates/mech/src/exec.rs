//! The chunk executor: runs a [`CompiledKernel`] over all instances of a set, `LANES` at a
//! time. Loads gather from SoA fields, node arrays and ion arrays by index; arithmetic runs over
//! lane arrays; stores scatter back; additions into shared node/ion places apply lanes in
//! instance order. Lane-by-lane statements go to the scalar walker (`crate::lane`).
//! Arithmetic runs over all `LANES` lanes (a fixed trip count that vectorises); values in lanes
//! past the end of a partial chunk are never stored.
//!
//! Limitation (documented contract): within a chunk, instances communicate only through
//! read-modify-writes of node/ion places and through globals; an instance that *reads* a
//! global without writing it first sees the value from the start of its chunk (NEURON would
//! show the previous instance's write).

// Lane loops index several lane arrays and SoA columns with the same lane number.
#![allow(clippy::needless_range_loop)]

use nmodl::ir::{BinaryOp, Builtin, MathFn, Mechanism, NodeVar};

use crate::compile::{CompiledKernel, Dest, Op, LANES};
use crate::lane::lane_walk;
use crate::math::{hoc_exp_with, RandomStream};
use crate::scalar::{binary, is_random, math, unary};
use crate::solver::SolverScratch;
use crate::table::{Position, TableData};
use crate::Context;

/// Per-instance storage of a set (struct of arrays) and its per-set state.
#[derive(Debug, Clone)]
pub struct Storage {
    /// One column per field, `len` entries each.
    pub fields: Vec<Vec<f64>>,
    pub globals: Vec<f64>,
    pub nodes: Vec<u32>,
    /// IonStore index of each of the mechanism's ion uses.
    pub ion_map: Vec<usize>,
    /// Per ion use, per instance: entry in the ion's arrays (`u32::MAX` = absent).
    pub ion_index: Vec<Vec<u32>>,
    /// One random stream per instance (`scop_random`, `exprand`, …), so an instance's draws
    /// depend only on its seed and its own history (see [`crate::math::instance_seed`]).
    pub rng: Vec<RandomStream>,
    /// Index of the set in the simulation, passed to the event sink.
    pub set_id: usize,
    pub print: bool,
}

impl Storage {
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// Working memory of the executor, sized once.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    pub regs: Vec<[f64; LANES]>,
    pub masks: Vec<[bool; LANES]>,
    pub writer: Vec<i32>,
    pub solver: SolverScratch,
    pub table_locals: Vec<Vec<f64>>,
}

impl Scratch {
    /// Grows to fit `k` (called at set creation for every kernel).
    pub fn fit(&mut self, k: &CompiledKernel) {
        if self.regs.len() < k.n_regs {
            self.regs.resize(k.n_regs, [0.0; LANES]);
        }
        if self.masks.len() < k.max_depth + 1 {
            self.masks.resize(k.max_depth + 1, [false; LANES]);
        }
        if self.writer.len() < k.n_globals {
            self.writer.resize(k.n_globals, -1);
        }
    }
}

pub(crate) fn node_array<'c>(ctx: &'c Context, var: NodeVar) -> &'c [f64] {
    match var {
        NodeVar::V => ctx.v,
        NodeVar::Rhs => ctx.rhs,
        NodeVar::D => ctx.d,
        NodeVar::Area => ctx.area,
        NodeVar::Diam => ctx.diam,
    }
}

pub(crate) fn builtin_value(ctx: &Context, b: Builtin, flag: f64) -> f64 {
    match b {
        Builtin::T => ctx.t,
        Builtin::Dt => ctx.dt,
        Builtin::Celsius => ctx.celsius,
        Builtin::Flag => flag,
    }
}

/// Arithmetic runs over all `LANES` lanes (fixed trip count, so it vectorises); lanes past the
/// chunk's end hold values that are never stored.
#[inline]
fn binary_lanes(op: BinaryOp, d: &mut [f64; LANES], a: &[f64; LANES], b: &[f64; LANES]) {
    match op {
        BinaryOp::Add => (0..LANES).for_each(|l| d[l] = a[l] + b[l]),
        BinaryOp::Sub => (0..LANES).for_each(|l| d[l] = a[l] - b[l]),
        BinaryOp::Mul => (0..LANES).for_each(|l| d[l] = a[l] * b[l]),
        BinaryOp::Div => (0..LANES).for_each(|l| d[l] = a[l] / b[l]),
        _ => (0..LANES).for_each(|l| d[l] = binary(op, a[l], b[l])),
    }
}

/// Runs a compiled kernel over every instance of the set.
pub fn run(
    k: &CompiledKernel,
    mech: &Mechanism,
    tables: &[TableData],
    st: &mut Storage,
    sc: &mut Scratch,
    ctx: &mut Context,
) {
    let len = st.len();
    let celsius = ctx.celsius;
    let gb = k.global_base;
    for (r, v) in &k.constants {
        sc.regs[*r as usize] = [*v; LANES];
    }
    let mut start = 0;
    while start < len {
        let n = LANES.min(len - start);
        for (l, m) in sc.masks[0].iter_mut().enumerate() {
            *m = l < n;
        }
        for r in &mut sc.regs[..k.n_locals] {
            *r = [0.0; LANES];
        }
        for g in 0..k.n_globals {
            sc.regs[gb + g] = [st.globals[g]; LANES];
            sc.writer[g] = -1;
        }
        let mut depth = 0usize;
        let mut pc = 0usize;
        while pc < k.ops.len() {
            match &k.ops[pc] {
                Op::Const { dst, value } => sc.regs[*dst as usize] = [*value; LANES],
                Op::Mov { dst, src } => sc.regs[*dst as usize] = sc.regs[*src as usize],
                Op::SetLocal { dst, src } => {
                    if let Ok([d, s]) = sc.regs.get_disjoint_mut([*dst as usize, *src as usize]) {
                        if depth == 0 {
                            *d = *s;
                        } else {
                            let m = &sc.masks[depth];
                            for l in 0..n {
                                if m[l] {
                                    d[l] = s[l];
                                }
                            }
                        }
                    }
                }
                Op::SetGlobal { dst, src, global } => {
                    let s = sc.regs[*src as usize];
                    let m = &sc.masks[depth];
                    let d = &mut sc.regs[*dst as usize];
                    let mut last = sc.writer[*global as usize];
                    for l in 0..n {
                        if m[l] {
                            d[l] = s[l];
                            last = l as i32;
                        }
                    }
                    sc.writer[*global as usize] = last;
                }
                Op::LoadField { dst, field } => {
                    let d = &mut sc.regs[*dst as usize];
                    d[..n].copy_from_slice(&st.fields[*field as usize][start..start + n]);
                }
                Op::StoreField { src, field } => {
                    let s = &sc.regs[*src as usize];
                    let col = &mut st.fields[*field as usize][start..start + n];
                    if depth == 0 {
                        col.copy_from_slice(&s[..n]);
                    } else {
                        let m = &sc.masks[depth];
                        for l in 0..n {
                            if m[l] {
                                col[l] = s[l];
                            }
                        }
                    }
                }
                Op::LoadFieldIndexed {
                    dst,
                    base,
                    len: alen,
                    index,
                } => {
                    let idx = sc.regs[*index as usize];
                    let d = &mut sc.regs[*dst as usize];
                    for l in 0..n {
                        let i = idx[l];
                        d[l] = if i >= 0.0 && (i as u64) < *alen as u64 {
                            st.fields[(*base + i as u32) as usize][start + l]
                        } else {
                            f64::NAN
                        };
                    }
                }
                Op::StoreFieldIndexed {
                    src,
                    base,
                    len: alen,
                    index,
                } => {
                    let idx = &sc.regs[*index as usize];
                    let s = &sc.regs[*src as usize];
                    let m = &sc.masks[depth];
                    for l in 0..n {
                        let i = idx[l];
                        if m[l] && i >= 0.0 && (i as u64) < *alen as u64 {
                            st.fields[(*base + i as u32) as usize][start + l] = s[l];
                        }
                    }
                }
                Op::LoadNode { dst, var } => {
                    let arr = node_array(ctx, *var);
                    let d = &mut sc.regs[*dst as usize];
                    for l in 0..n {
                        d[l] = arr
                            .get(st.nodes[start + l] as usize)
                            .copied()
                            .unwrap_or(f64::NAN);
                    }
                }
                Op::StoreNode { src, var } | Op::RmwNode { var, src, .. } => {
                    let rmw = match &k.ops[pc] {
                        Op::RmwNode { op, self_left, .. } => Some((*op, *self_left)),
                        _ => None,
                    };
                    let arr: &mut [f64] = match var {
                        NodeVar::Rhs => ctx.rhs,
                        NodeVar::D => ctx.d,
                        _ => &mut [],
                    };
                    let s = &sc.regs[*src as usize];
                    let m = &sc.masks[depth];
                    for l in 0..n {
                        if !m[l] {
                            continue;
                        }
                        if let Some(x) = arr.get_mut(st.nodes[start + l] as usize) {
                            *x = match rmw {
                                None => s[l],
                                Some((op, true)) => binary(op, *x, s[l]),
                                Some((op, false)) => binary(op, s[l], *x),
                            };
                        }
                    }
                }
                Op::LoadIon { dst, ion, var } => {
                    let store = st.ion_map[*ion as usize];
                    let col = ctx.ions.ions[store].column(*var);
                    let idx = &st.ion_index[*ion as usize];
                    let d = &mut sc.regs[*dst as usize];
                    for l in 0..n {
                        d[l] = col
                            .get(idx[start + l] as usize)
                            .copied()
                            .unwrap_or(f64::NAN);
                    }
                }
                Op::StoreIon { src, ion, var } | Op::RmwIon { ion, var, src, .. } => {
                    let rmw = match &k.ops[pc] {
                        Op::RmwIon { op, self_left, .. } => Some((*op, *self_left)),
                        _ => None,
                    };
                    let store = st.ion_map[*ion as usize];
                    let col = ctx.ions.ions[store].column_mut(*var);
                    let idx = &st.ion_index[*ion as usize];
                    let s = &sc.regs[*src as usize];
                    let m = &sc.masks[depth];
                    for l in 0..n {
                        if !m[l] {
                            continue;
                        }
                        if let Some(x) = col.get_mut(idx[start + l] as usize) {
                            *x = match rmw {
                                None => s[l],
                                Some((op, true)) => binary(op, *x, s[l]),
                                Some((op, false)) => binary(op, s[l], *x),
                            };
                        }
                    }
                }
                Op::LoadBuiltin { dst, builtin } => {
                    sc.regs[*dst as usize] = [builtin_value(ctx, *builtin, 0.0); LANES]
                }
                Op::Unary { op, dst, a } => {
                    if let Ok([d, a]) = sc.regs.get_disjoint_mut([*dst as usize, *a as usize]) {
                        for l in 0..LANES {
                            d[l] = unary(*op, a[l]);
                        }
                    }
                }
                Op::Binary { op, dst, a, b } => {
                    // dst is always a fresh temporary, distinct from a and b (which may be equal).
                    let (d, a, b) = (*dst as usize, *a as usize, *b as usize);
                    if a == b {
                        if let Ok([d, a]) = sc.regs.get_disjoint_mut([d, a]) {
                            binary_lanes(*op, d, a, a);
                        }
                    } else if let Ok([d, a, b]) = sc.regs.get_disjoint_mut([d, a, b]) {
                        binary_lanes(*op, d, a, b);
                    }
                }
                Op::Call {
                    f: MathFn::Exp,
                    dst,
                    args,
                    n: 1,
                } => {
                    if let Ok([d, a]) = sc.regs.get_disjoint_mut([*dst as usize, args[0] as usize])
                    {
                        // The C exp is resolved once per lane block.
                        let exp = crate::math::libm_exp();
                        for l in 0..LANES {
                            d[l] = hoc_exp_with(exp, a[l]);
                        }
                    }
                }
                Op::Call {
                    f,
                    dst,
                    args,
                    n: nargs,
                } => {
                    let nargs = *nargs as usize;
                    let mut vals = [0.0; 4];
                    for l in 0..n {
                        for (j, v) in vals.iter_mut().enumerate().take(nargs) {
                            *v = sc.regs[args[j] as usize][l];
                        }
                        sc.regs[*dst as usize][l] = math(*f, &vals[..nargs], celsius);
                    }
                    debug_assert!(!is_random(*f));
                }
                Op::TableValue { table, dst, arg } => {
                    let t = &mech.tables[*table as usize];
                    let data = &tables[*table as usize];
                    let a = sc.regs[*arg as usize];
                    if st.globals[t.usetable as usize] != 0.0 && data.is_built() {
                        let d = &mut sc.regs[*dst as usize];
                        for l in 0..n {
                            d[l] = data.lookup(0, a[l]);
                        }
                    } else {
                        for l in 0..n {
                            if sc.masks[depth][l] {
                                let v =
                                    lane_walk(k, mech, tables, st, sc, ctx, start, l, |w, env| {
                                        w.table_value(env, *table, a[l])
                                    });
                                sc.regs[*dst as usize][l] = v;
                            }
                        }
                    }
                }
                Op::TableCall { table, arg, dests } => {
                    let t = &mech.tables[*table as usize];
                    let data = &tables[*table as usize];
                    let a = sc.regs[*arg as usize];
                    if st.globals[t.usetable as usize] != 0.0 && data.is_built() {
                        let mut pos = [Position::Nan(0.0); LANES];
                        for l in 0..n {
                            pos[l] = data.locate(a[l]);
                        }
                        for (o, dest) in k.table_dests[*dests as usize].iter().enumerate() {
                            for l in 0..n {
                                if !sc.masks[depth][l] {
                                    continue;
                                }
                                let v = data.value_at(o, pos[l]);
                                match *dest {
                                    Dest::Field(f) => st.fields[f as usize][start + l] = v,
                                    Dest::Local(r) => sc.regs[r as usize][l] = v,
                                    Dest::Global(r, g) => {
                                        sc.regs[r as usize][l] = v;
                                        sc.writer[g as usize] = sc.writer[g as usize].max(l as i32);
                                    }
                                }
                            }
                        }
                    } else {
                        for l in 0..n {
                            if sc.masks[depth][l] {
                                lane_walk(k, mech, tables, st, sc, ctx, start, l, |w, env| {
                                    w.table_call(env, *table, a[l])
                                });
                            }
                        }
                    }
                }
                Op::PushMask { cond, skip_to } => {
                    let c = sc.regs[*cond as usize];
                    let (lo, hi) = sc.masks.split_at_mut(depth + 1);
                    let (parent, child) = (&lo[depth], &mut hi[0]);
                    let mut any = false;
                    for l in 0..LANES {
                        child[l] = parent[l] && c[l] != 0.0;
                        any |= child[l];
                    }
                    depth += 1;
                    if !any {
                        pc = *skip_to as usize;
                        continue;
                    }
                }
                Op::ElseMask { cond, skip_to } => {
                    let c = sc.regs[*cond as usize];
                    let (lo, hi) = sc.masks.split_at_mut(depth);
                    let (parent, child) = (&lo[depth - 1], &mut hi[0]);
                    let mut any = false;
                    for l in 0..LANES {
                        child[l] = parent[l] && c[l] == 0.0;
                        any |= child[l];
                    }
                    if !any {
                        pc = *skip_to as usize;
                        continue;
                    }
                }
                Op::PopMask => depth -= 1,
                Op::Lanes { stmt } => {
                    let s = &k.fallback[*stmt as usize];
                    for l in 0..n {
                        if sc.masks[depth][l] {
                            lane_walk(k, mech, tables, st, sc, ctx, start, l, |w, env| {
                                w.exec(env, s)
                            });
                        }
                    }
                }
            }
            pc += 1;
        }
        for g in 0..k.n_globals {
            let w = sc.writer[g];
            if w >= 0 {
                st.globals[g] = sc.regs[gb + g][w as usize];
            }
        }
        start += n;
    }
}
