//! Rate-table lookups of fast-math kernels (see [`super::rate_table`] and
//! [`crate::rate_data`]).
//!
//! At the start of each iteration the generated code computes ξ = (v − LO)/h for every lane.
//! When all lanes satisfy 0 ≤ ξ < N (the table's interval count, −1 for an empty table, so NaN
//! and out-of-range potentials fail too) it takes interval i = ⌊ξ⌋ and t = ξ − i per lane
//! and evaluates each function's cubic c₀ + t(c₁ + t(c₂ + t·c₃)) — or, for a function the table
//! flags as not representable, the function itself; otherwise it evaluates all the functions
//! themselves, as vectors. Either way each function's value lands in its local.
//!
//! When every function is tabulated (the common case), each lane evaluates the functions two
//! at a time: the row stores a pair's coefficients interleaved, so one `f64x2` multiply-add
//! chain gives (f₂q, f₂q₊₁) at that lane, and two lane shuffles turn the two lanes' pairs
//! into (f₂q at lane 0, lane 1) and (f₂q₊₁ at lane 0, lane 1).

#![allow(clippy::needless_range_loop)] // `0..self.n`: only the live halves of fixed arrays
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};
use nmodl::ir::{NodeVar, Place};

use super::rate_table::Pure;
use super::{VecGen, Vv, HALVES};
use crate::rate_data::{coefficient_at, header_len, row_len, HEADER};

/// The rate table of the kernel being generated.
pub(super) struct RateGen {
    pub first_local: usize,
    pub functions: Vec<Pure>,
    /// Table base pointer, and splats of LO, 1/h and N from its header.
    pub base: Value,
    pub lo: Value,
    pub inv_h: Value,
    pub n: Value,
}

impl RateGen {
    /// Loads the table pointer (`env.rate_table`) and its header in the entry block.
    pub fn new(
        b: &mut cranelift_frontend::FunctionBuilder,
        env: Value,
        ptr: types::Type,
        first_local: usize,
        functions: &[Pure],
    ) -> Self {
        let tf = MemFlagsData::trusted();
        let base = b.ins().load(ptr, tf, env, crate::abi::off::RATE_TABLE);
        let [lo, inv_h, n] = [0, 1, 2].map(|k| {
            let x = b.ins().load(types::F64, tf, base, 8 * k);
            b.ins().splat(types::F64X2, x)
        });
        RateGen {
            first_local,
            functions: functions.to_vec(),
            base,
            lo,
            inv_h,
            n,
        }
    }
}

/// The two paths of an iteration with a rate table (see [`VecGen::rate_branch`]).
pub(super) struct RatePaths {
    fast: cranelift_codegen::ir::Block,
    slow: cranelift_codegen::ir::Block,
    xi: Vv,
    /// Every lane is inside the table (an I8 truth value).
    in_range: Value,
}

/// Table data never changes while kernels run: loads may move (and fold into arithmetic).
fn table_flags() -> MemFlagsData {
    MemFlagsData::new()
        .with_notrap()
        .with_readonly()
        .with_can_move()
}

impl VecGen<'_> {
    /// Starts an iteration of a kernel with a rate table: computes each lane's ξ and branches
    /// to the *fast* path (every lane inside the table, every function tabulated) or the
    /// *slow* one (see the module docs). The caller emits the whole body once on each path,
    /// after [`VecGen::rate_fast`] or [`VecGen::rate_slow`], so that each function's cubic
    /// is computed next to its use rather than all of them up front; None without a table.
    pub(super) fn rate_branch(&mut self) -> Option<RatePaths> {
        let rate = self.rate.as_ref()?;
        let (lo, inv_h, n, base) = (rate.lo, rate.inv_h, rate.n, rate.base);
        let v = self.load(&Place::Node(NodeVar::V));
        let shifted = self.map2(v, [lo; HALVES], |b, x, y| b.ins().fsub(x, y));
        let xi = self.map2(shifted, [inv_h; HALVES], |b, x, y| b.ins().fmul(x, y));
        let zero = self.splat(0.0);
        let above = self.cmp(FloatCC::GreaterThanOrEqual, xi, zero);
        let below = self.cmp(FloatCC::LessThan, xi, [n; HALVES]);
        let ok = self.map2(above, below, |b, x, y| b.ins().band(x, y));
        let mut all = ok[0];
        for h in 1..self.n {
            all = self.b.ins().band(all, ok[h]);
        }
        let in_range = self.b.ins().vall_true(all);
        let (fast, slow) = (self.b.create_block(), self.b.create_block());
        let flag = self.b.ins().load(types::F64, table_flags(), base, 24);
        let one = self.b.ins().f64const(1.0);
        let all_tabulated = self.b.ins().fcmp(FloatCC::Equal, flag, one);
        let go_fast = self.b.ins().band(in_range, all_tabulated);
        self.b.ins().brif(go_fast, fast, &[], slow, &[]);
        Some(RatePaths {
            fast,
            slow,
            xi,
            in_range,
        })
    }

    /// On the fast path: every function's local from its cubic (all lanes in the table).
    pub(super) fn rate_fast(&mut self, paths: &RatePaths) {
        let rate = self.rate.take().expect("rate_branch found a table");
        self.b.switch_to_block(paths.fast);
        let lanes = self.table_lanes(&rate, paths.xi);
        let values = self.cubic_pairs(&lanes, rate.functions.len());
        for (j, value) in values.into_iter().enumerate() {
            self.def_local(rate.first_local + j, value);
        }
        self.rate = Some(rate);
    }

    /// On the slow path: each function looked up when all lanes are in range and the table
    /// represents it (flag 1), else evaluated directly.
    pub(super) fn rate_slow(&mut self, paths: &RatePaths) {
        let rate = self.rate.take().expect("rate_branch found a table");
        self.b.switch_to_block(paths.slow);
        let one = self.b.ins().f64const(1.0);
        for (j, f) in rate.functions.iter().enumerate() {
            let flag = self.b.ins().load(
                types::F64,
                table_flags(),
                rate.base,
                (8 * (HEADER + j)) as i32,
            );
            let tabulated = self.b.ins().fcmp(FloatCC::Equal, flag, one);
            let usable = self.b.ins().band(paths.in_range, tabulated);
            let (cubic, own, next) = (
                self.b.create_block(),
                self.b.create_block(),
                self.b.create_block(),
            );
            self.b.ins().brif(usable, cubic, &[], own, &[]);
            self.b.switch_to_block(cubic);
            let lanes = self.table_lanes(&rate, paths.xi);
            let value = self.cubic(&lanes, j, rate.functions.len());
            self.def_local(rate.first_local + j, value);
            self.b.ins().jump(next, &[]);
            self.b.switch_to_block(own);
            let value = self.pure(f);
            self.def_local(rate.first_local + j, value);
            self.b.ins().jump(next, &[]);
            self.b.switch_to_block(next);
        }
        self.rate = Some(rate);
    }

    fn def_local(&mut self, local: usize, value: Vv) {
        let vars = self.locals[local];
        for h in 0..self.n {
            self.b.def_var(vars[h], value[h]);
        }
    }

    /// Per lane: the address of its interval's row and its offset t ∈ [0, 1) in it (all lanes
    /// known to be inside the table).
    fn table_lanes(&mut self, rate: &RateGen, xi: Vv) -> Vec<(Value, Value)> {
        let row_bytes = (row_len(rate.functions.len()) * 8) as i64;
        let head = (header_len(rate.functions.len()) * 8) as i64;
        let lanes_per_half = if self.n == HALVES { 2 } else { 1 };
        let mut out = Vec::with_capacity(self.n * lanes_per_half);
        // ⌊ξ⌋ + 2⁵² holds ⌊ξ⌋ in its low mantissa bits (0 ≤ ξ < 2⁵¹): the integer index
        // without a float-to-int conversion per lane.
        let magic = self.splat(4_503_599_627_370_496.0);
        let mask = self.b.ins().iconst(types::I64, (1 << 51) - 1);
        let mask = self.b.ins().splat(types::I64X2, mask);
        for h in 0..self.n {
            let fl = self.b.ins().floor(xi[h]);
            let t = self.b.ins().fsub(xi[h], fl);
            let shifted = self.b.ins().fadd(fl, magic[h]);
            let bits = self.b.ins().bitcast(types::I64X2, super::lanes(), shifted);
            let index = self.b.ins().band(bits, mask);
            for l in 0..lanes_per_half {
                let i = self.b.ins().extractlane(index, l as u8);
                let t = self.b.ins().extractlane(t, l as u8);
                let off = self.b.ins().imul_imm_s(i, row_bytes);
                let off = self.b.ins().iadd_imm_s(off, head);
                let row = self.b.ins().iadd(rate.base, off);
                out.push((row, t));
            }
        }
        out
    }

    /// Every function's cubic in every lane, two functions per multiply-add chain (see the
    /// module docs).
    fn cubic_pairs(&mut self, lanes: &[(Value, Value)], nf: usize) -> Vec<Vv> {
        let per_half = lanes.len() / self.n;
        let mut out = vec![[Value::from_u32(0); HALVES]; nf];
        let head = header_len(nf);
        for h in 0..self.n {
            for q in 0..nf.div_ceil(2) {
                let mut pair = [Value::from_u32(0); 2];
                for l in 0..per_half {
                    let (row, t) = lanes[h * per_half + l];
                    let t = self.b.ins().splat(types::F64X2, t);
                    let at = |k: usize| ((coefficient_at(nf, 0, 2 * q, k) - head) * 8) as i32;
                    let c = [0, 1, 2, 3]
                        .map(|k| self.b.ins().load(types::F64X2, table_flags(), row, at(k)));
                    let mut acc = c[3];
                    for k in (0..3).rev() {
                        acc = self.mul_add(acc, t, c[k]);
                    }
                    pair[l] = acc;
                }
                let (even, odd) = if per_half == 2 {
                    // (f₂q@l0, f₂q₊₁@l0), (f₂q@l1, f₂q₊₁@l1) → (f₂q@l0, f₂q@l1), (f₂q₊₁@l0, f₂q₊₁@l1)
                    let lo1 = self.b.ins().extractlane(pair[1], 0);
                    let even = self.b.ins().insertlane(pair[0], lo1, 1);
                    let hi0 = self.b.ins().extractlane(pair[0], 1);
                    let odd = self.b.ins().insertlane(pair[1], hi0, 0);
                    (even, odd)
                } else {
                    let lo = self.b.ins().extractlane(pair[0], 0);
                    let hi = self.b.ins().extractlane(pair[0], 1);
                    let even = self.b.ins().splat(types::F64X2, lo);
                    (even, self.b.ins().splat(types::F64X2, hi))
                };
                out[2 * q][h] = even;
                if 2 * q + 1 < nf {
                    out[2 * q + 1][h] = odd;
                }
            }
        }
        out
    }

    /// Function `j`'s cubic c₀ + t(c₁ + t(c₂ + t·c₃)) in every lane.
    fn cubic(&mut self, lanes: &[(Value, Value)], j: usize, nf: usize) -> Vv {
        let per_half = lanes.len() / self.n;
        let mut out = [Value::from_u32(0); HALVES];
        let head = header_len(nf);
        for h in 0..self.n {
            let mut acc_vec = None;
            for l in 0..per_half {
                let (row, t) = lanes[h * per_half + l];
                let at = |k: usize| ((coefficient_at(nf, 0, j, k) - head) * 8) as i32;
                // Movable loads: the code generator folds them into the multiply-adds.
                let c =
                    [0, 1, 2, 3].map(|k| self.b.ins().load(types::F64, table_flags(), row, at(k)));
                let mut acc = c[3];
                for k in (0..3).rev() {
                    acc = self.mul_add(acc, t, c[k]);
                }
                acc_vec = Some(match acc_vec {
                    None => self.b.ins().splat(types::F64X2, acc),
                    Some(v) => self.b.ins().insertlane(v, acc, l as u8),
                });
            }
            out[h] = acc_vec.expect("a lane per half");
        }
        out
    }

    /// A pure function of v evaluated directly, as vectors.
    fn pure(&mut self, f: &Pure) -> Vv {
        match f {
            Pure::Const(c) => self.splat(*c),
            Pure::V => self.load(&Place::Node(NodeVar::V)),
            Pure::Builtin(b) => self.load(&Place::Builtin(*b)),
            Pure::Global(g) => self.load(&Place::Global(*g)),
            Pure::Field(f) => self.load(&Place::Field(*f)),
            Pure::Area => self.load(&Place::Node(NodeVar::Area)),
            Pure::Unary(nmodl::ir::UnaryOp::Neg, a) => {
                let a = self.pure(a);
                self.map1(a, |b, x| b.ins().fneg(x))
            }
            Pure::Unary(nmodl::ir::UnaryOp::Not, a) => {
                let a = self.pure(a);
                let zero = self.splat(0.0);
                let c = self.cmp(FloatCC::Equal, a, zero);
                self.bool_to_f64(c)
            }
            Pure::Binary(op, a, c) => {
                let a = self.pure(a);
                let c = self.pure(c);
                self.binary(*op, a, c)
            }
            Pure::Call(f, args) => {
                let mut v = [self.splat(0.0); 4];
                for (slot, a) in v.iter_mut().zip(args) {
                    *slot = self.pure(a);
                }
                self.call(*f, v)
            }
            Pure::Linear(l) => {
                let x = self.pure(&l.arg);
                self.table_value(l.table, l.output as usize, x)
            }
            Pure::Select(c, a, b) => {
                let c = self.pure(c);
                let m = self.truthy(c);
                let a = self.pure(a);
                let b = self.pure(b);
                self.select(m, a, b)
            }
        }
    }
}
