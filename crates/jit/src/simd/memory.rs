//! Loads and stores of fast-math kernels: struct-of-arrays columns as vectors, node and ion
//! values as vectors for runs of consecutive entries, else gathered and scattered lane by lane;
//! masked (if-converted) stores blend with the old value.
//!
//! A set whose nodes are not one run as a whole (several cells, or branched cells) is still
//! mostly made of runs: when its node indices increase, each vector iteration checks whether
//! its four nodes are consecutive (last = first + 3) and branches to vector accesses if so, to
//! lane-by-lane ones otherwise — a well-predicted branch that spares the gathers and scatters
//! on most iterations.
//!
//! Within one iteration, field, node and ion values live in registers: the first read loads
//! them, writes update the register copy, and each written place is stored once when the
//! iteration's statements are done. (Every place maps to its own column and, for node and ion
//! values, to the instance's own entry, so no access of the iteration can alias another.)

#![allow(clippy::needless_range_loop)] // `0..self.n`: only the live halves of fixed arrays
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};
use nmodl::ir::{Builtin, Place};

use super::{flags, VecGen, Vv, HALVES};
use crate::abi;

impl VecGen<'_> {
    fn column(&self, p: &Place) -> Option<(Value, Option<usize>)> {
        match p {
            Place::Field(f) => Some((self.field_ptr[*f as usize].expect("usage"), None)),
            Place::Ion { ion, var } => Some((
                self.ion_ptr[*ion as usize][abi::ion_slot(*var)].expect("usage"),
                Some(*ion as usize),
            )),
            Place::Node(var) => Some((
                self.node_ptr[abi::node_slot(*var)].expect("usage"),
                Some(usize::MAX),
            )),
            _ => None,
        }
    }

    /// Byte offsets of each lane's entry for an indexed column (`usize::MAX` = node); only the
    /// first lane's for a run.
    fn lane_offsets(&self, which: usize) -> &[Value] {
        if which == usize::MAX {
            &self.node_off
        } else {
            &self.ion_off[which]
        }
    }

    /// Whether indexed column family `which` is a run and the iteration is a vector one.
    fn vector_run(&self, which: usize) -> bool {
        self.n == HALVES
            && if which == usize::MAX {
                self.layout.nodes || self.node_run_known == Some(true)
            } else {
                self.layout.ions[which]
            }
    }

    /// Flags of a load of `p`: a place the kernel never writes cannot change while it runs
    /// (no other code writes it then), so its loads are pure and the code generator places
    /// them next to their first use — in a long (fused) kernel, rather than all at the top
    /// with every value spilled until used.
    fn load_flags(&self, p: &Place) -> MemFlagsData {
        let written = self.written.iter().any(|w| match (w, p) {
            (Place::FieldIndexed { base, .. }, Place::Field(f)) => base == f,
            _ => w == p,
        });
        if written {
            flags()
        } else {
            flags().with_readonly().with_can_move()
        }
    }

    pub(super) fn load(&mut self, p: &Place) -> Vv {
        if let Some((_, v)) = self.memory.iter().find(|(q, _)| q == p) {
            return *v;
        }
        let v = self.load_uncached(p);
        if matches!(p, Place::Field(_) | Place::Ion { .. } | Place::Node(_)) {
            self.memory.push((p.clone(), v));
        }
        v
    }

    /// Forgets the register copies (start of an iteration).
    pub(super) fn reset_memory(&mut self) {
        self.memory.clear();
        self.dirty.clear();
    }

    /// Stores the places written so far that `done` selects (no statement after this point
    /// writes them again; their register copies stay valid for later reads).
    pub(super) fn flush_places(&mut self, done: impl Fn(&Place) -> bool) {
        let (now, later): (Vec<Place>, Vec<Place>) = std::mem::take(&mut self.dirty)
            .into_iter()
            .partition(|p| done(p));
        self.dirty = later;
        for p in &now {
            if matches!(p, Place::Field(f) if self.unstored.contains(f)) {
                continue;
            }
            let v = self
                .memory
                .iter()
                .find(|(q, _)| q == p)
                .map(|(_, v)| *v)
                .expect("written places are cached");
            self.store_uncached(p, v);
        }
    }

    /// Stores every place written during the iteration, in first-write order.
    pub(super) fn flush_memory(&mut self) {
        self.flush_places(|_| true);
        self.memory.clear();
    }

    fn load_uncached(&mut self, p: &Place) -> Vv {
        match p {
            Place::Local(l) => {
                let vars = self.locals[*l as usize];
                let mut out = [Value::from_u32(0); HALVES];
                for h in 0..self.n {
                    out[h] = self.b.use_var(vars[h]);
                }
                out
            }
            Place::Global(g) => [self.globals[*g as usize].expect("usage"); HALVES],
            Place::Builtin(b) => match b {
                Builtin::T => [self.t; HALVES],
                Builtin::Dt => [self.dt; HALVES],
                Builtin::Celsius => [self.celsius; HALVES],
                Builtin::Flag => self.splat(0.0),
            },
            _ => {
                let (col, indexed) = self.column(p).expect("vectorisable place");
                let fl = self.load_flags(p);
                match indexed {
                    None => {
                        let mut out = [col; HALVES];
                        for h in 0..self.n {
                            let a = self.b.ins().iadd(col, self.off8);
                            out[h] = if self.n == HALVES {
                                self.b.ins().load(types::F64X2, fl, a, 16 * h as i32)
                            } else {
                                let x = self.b.ins().load(types::F64, fl, a, 0);
                                self.b.ins().splat(types::F64X2, x)
                            };
                        }
                        out
                    }
                    Some(which) if self.vector_run(which) => self.load_run(col, which, fl),
                    Some(usize::MAX) if self.node_block_run.is_some() => self.branch_on_run(
                        |g| g.load_run(col, usize::MAX, fl),
                        |g| {
                            let offs = g.all_node_offsets();
                            g.gather_at(col, &offs, fl)
                        },
                    ),
                    Some(which) => self.gather(col, which, fl),
                }
            }
        }
    }

    /// `[col + first lane's offset]` as vectors (a run).
    fn load_run(&mut self, col: Value, which: usize, fl: MemFlagsData) -> Vv {
        let base = self.lane_offsets(which)[0];
        let a = self.b.ins().iadd(col, base);
        let mut out = [col; HALVES];
        for (h, o) in out.iter_mut().enumerate() {
            *o = self.b.ins().load(types::F64X2, fl, a, 16 * h as i32);
        }
        out
    }

    /// Lane by lane loads of an indexed column.
    fn gather(&mut self, col: Value, which: usize, fl: MemFlagsData) -> Vv {
        let offs = self.lane_offsets(which).to_vec();
        self.gather_at(col, &offs, fl)
    }

    /// Lane by lane loads at byte offsets `offs` of `col`.
    fn gather_at(&mut self, col: Value, offs: &[Value], fl: MemFlagsData) -> Vv {
        let mut out = [col; HALVES];
        for h in 0..self.n {
            let mut acc = None;
            for (l, o) in offs.iter().enumerate().skip(2 * h).take(2) {
                let a = self.b.ins().iadd(col, *o);
                let x = self.b.ins().load(types::F64, fl, a, 0);
                acc = Some(match acc {
                    None => self.b.ins().splat(types::F64X2, x),
                    Some(v) => self.b.ins().insertlane(v, x, (l % 2) as u8),
                });
            }
            out[h] = acc.expect("a lane per half");
        }
        out
    }

    pub(super) fn store(&mut self, p: &Place, v: Vv) {
        let v = match self.mask {
            Some(m) => {
                let old = self.load(p);
                self.select(m, v, old)
            }
            None => v,
        };
        if let Place::Local(l) = p {
            let vars = self.locals[*l as usize];
            for h in 0..self.n {
                self.b.def_var(vars[h], v[h]);
            }
            return;
        }
        match self.memory.iter_mut().find(|(q, _)| q == p) {
            Some(slot) => slot.1 = v,
            None => self.memory.push((p.clone(), v)),
        }
        if !self.dirty.contains(p) {
            self.dirty.push(p.clone());
        }
    }

    /// `p = p ± v` lane by lane, each lane's update loaded and stored before the next lane's:
    /// instances sharing a node accumulate in instance order, as sequential code does.
    pub(super) fn accumulate(&mut self, p: &Place, op: nmodl::ir::BinaryOp, v: Vv) {
        let (col, indexed) = self.column(p).expect("node or ion place");
        let which = indexed.expect("indexed column");
        let offs = self.lane_offsets(which).to_vec();
        let lanes_per_half = if self.n == HALVES { 2 } else { 1 };
        for h in 0..self.n {
            for l in 0..lanes_per_half {
                let a = self.b.ins().iadd(col, offs[h * lanes_per_half + l]);
                let old = self.b.ins().load(types::F64, flags(), a, 0);
                let x = self.b.ins().extractlane(v[h], l as u8);
                let new = match op {
                    nmodl::ir::BinaryOp::Add => self.b.ins().fadd(old, x),
                    _ => self.b.ins().fsub(old, x),
                };
                self.b.ins().store(flags(), new, a, 0);
            }
        }
    }

    fn store_uncached(&mut self, p: &Place, v: Vv) {
        if let Place::Global(g) = p {
            // Lane-local global: what sequential execution leaves is the last instance's value.
            let last = v[self.n - 1];
            let lane = if self.n == HALVES { 1 } else { 0 };
            let x = self.b.ins().extractlane(last, lane);
            self.b
                .ins()
                .store(flags(), x, self.globals_live, 8 * *g as i32);
            return;
        }
        let (col, indexed) = self.column(p).expect("vectorisable place");
        match indexed {
            None => {
                let a = self.b.ins().iadd(col, self.off8);
                for h in 0..self.n {
                    if self.n == HALVES {
                        self.b.ins().store(flags(), v[h], a, 16 * h as i32);
                    } else {
                        let x = self.b.ins().extractlane(v[h], 0);
                        self.b.ins().store(flags(), x, a, 0);
                    }
                }
            }
            Some(which) if self.vector_run(which) => self.store_run(col, which, v),
            Some(usize::MAX) if self.node_block_run.is_some() => {
                self.branch_on_run_effects(
                    |g| g.store_run(col, usize::MAX, v),
                    |g| {
                        let offs = g.all_node_offsets();
                        g.scatter_at(col, &offs, v)
                    },
                );
            }
            Some(which) => self.scatter(col, which, v),
        }
    }

    fn store_run(&mut self, col: Value, which: usize, v: Vv) {
        let base = self.lane_offsets(which)[0];
        let a = self.b.ins().iadd(col, base);
        for (h, x) in v.iter().enumerate() {
            self.b.ins().store(flags(), *x, a, 16 * h as i32);
        }
    }

    fn scatter(&mut self, col: Value, which: usize, v: Vv) {
        let offs = self.lane_offsets(which).to_vec();
        self.scatter_at(col, &offs, v)
    }

    /// Lane by lane stores at byte offsets `offs` of `col`.
    fn scatter_at(&mut self, col: Value, offs: &[Value], v: Vv) {
        for (l, o) in offs.iter().enumerate() {
            let x = self.b.ins().extractlane(v[l / 2], (l % 2) as u8);
            let a = self.b.ins().iadd(col, *o);
            self.b.ins().store(flags(), x, a, 0);
        }
    }

    /// Every lane's node byte offset, loaded here (the lane-by-lane arm of an iteration that
    /// checks for runs loads them only when it runs).
    pub(super) fn all_node_offsets(&mut self) -> Vec<Value> {
        let at = self.node_index_at.expect("an iteration checking for runs");
        (0..super::WIDTH)
            .map(|l| {
                let node = self.b.ins().uload32(flags(), at, 4 * l as i32);
                self.b.ins().ishl_imm_u(node, 3)
            })
            .collect()
    }

    /// Emits `if this iteration's nodes are a run { run(self) } else { lanes(self) }`; the
    /// arms' results (the loaded vectors) join into the value returned.
    fn branch_on_run(
        &mut self,
        run: impl FnOnce(&mut Self) -> Vv,
        lanes: impl FnOnce(&mut Self) -> Vv,
    ) -> Vv {
        let join = self.b.create_block();
        for _ in 0..HALVES {
            self.b.append_block_param(join, types::F64X2);
        }
        self.two_way(
            join,
            |g| run(g).map(Into::into),
            |g| lanes(g).map(Into::into),
        );
        let p = self.b.block_params(join);
        [p[0], p[1]]
    }

    /// [`Self::branch_on_run`] for arms with effects only (stores).
    fn branch_on_run_effects(
        &mut self,
        run: impl FnOnce(&mut Self),
        lanes: impl FnOnce(&mut Self),
    ) {
        let join = self.b.create_block();
        self.two_way(
            join,
            |g| {
                run(g);
                []
            },
            |g| {
                lanes(g);
                []
            },
        );
    }

    /// The diamond of both: branch on the iteration's run flag, each arm jumping to `join`
    /// with its arguments; continues in `join`.
    fn two_way<const K: usize>(
        &mut self,
        join: cranelift_codegen::ir::Block,
        run: impl FnOnce(&mut Self) -> [cranelift_codegen::ir::BlockArg; K],
        lanes: impl FnOnce(&mut Self) -> [cranelift_codegen::ir::BlockArg; K],
    ) {
        let flag = self.node_block_run.expect("checked by the caller");
        let (run_block, lane_block) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(flag, run_block, &[], lane_block, &[]);
        self.b.switch_to_block(run_block);
        let args = run(self);
        self.b.ins().jump(join, &args);
        self.b.switch_to_block(lane_block);
        let args = lanes(self);
        self.b.ins().jump(join, &args);
        self.b.switch_to_block(join);
    }
}
