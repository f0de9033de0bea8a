//! Inline lookups of built NMODL TABLEs in fast-math kernels (NEURON's `hh` computes its
//! rates through one).
//!
//! For argument x the table's position is ξ = mfac·(x − tmin); NEURON returns ξ itself when it
//! is NaN, the first or last entry when ξ ≤ 0 or ξ ≥ n, and otherwise
//! tᵢ + θ(tᵢ₊₁ − tᵢ) with i = ⌊ξ⌋, θ = ξ − i. Here every lane takes
//! ξ' = min(max(ξ, 0), n) (0 for NaN), i = min(⌊ξ'⌋, n − 1), θ = ξ' − i and the same formula,
//! then NaN lanes get ξ back: the clamped ends come out as t₀ exactly and tₙ to within an
//! ulp. The kernel only runs when every table it calls is built and switched on (`JitSet`
//! interprets it otherwise), so no direct evaluation of the table body is needed here. The
//! same lookup evaluates a rate table's TABLE functions directly ([`super::Pure::Linear`]).

#![allow(clippy::needless_range_loop)] // `0..self.n`: only the live halves of fixed arrays
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};

use super::{VecGen, Vv, HALVES};
use crate::abi::TableView;

/// Offsets of [`TableView`]'s members.
const TMIN: i32 = std::mem::offset_of!(TableView, tmin) as i32;
const MFAC: i32 = std::mem::offset_of!(TableView, mfac) as i32;
const INTERVALS: i32 = std::mem::offset_of!(TableView, intervals) as i32;
const VALUES: i32 = std::mem::offset_of!(TableView, values) as i32;

fn view_flags() -> MemFlagsData {
    MemFlagsData::new().with_notrap().with_readonly()
}

/// Where an argument falls in a built table, lane by lane (see [`VecGen::table_position`]).
pub(super) struct TablePosition {
    /// Per lane: the byte address of entry i of output 0, and θ.
    lanes: Vec<(Value, Value)>,
    /// Bytes per output (n + 1 entries).
    stride: Value,
    is_nan: Vv,
    xi: Vv,
}

impl VecGen<'_> {
    /// Sets every output of PROCEDURE table `table` for argument `x`, lane by lane.
    pub(super) fn table_call(&mut self, table: u32, x: Vv) {
        let at = self.table_position(table, x);
        let outputs = self.table_outputs[table as usize].clone();
        for (k, out) in outputs.iter().enumerate() {
            let value = self.table_output(&at, k);
            self.store(out, value);
        }
    }

    /// Output `k` of TABLE `table` at argument `x` (NEURON's lookup, as [`Self::table_call`]).
    pub(super) fn table_value(&mut self, table: u32, k: usize, x: Vv) -> Vv {
        let at = self.table_position(table, x);
        self.table_output(&at, k)
    }

    /// Locates `x` in TABLE `table`'s built view.
    fn table_position(&mut self, table: u32, x: Vv) -> TablePosition {
        let view = self
            .table_views
            .expect("kernels with TABLE calls load the views");
        let at = (table as usize * std::mem::size_of::<TableView>()) as i32;
        let f = view_flags();
        let load = |g: &mut Self, o: i32| {
            let v = g.b.ins().load(types::F64, f, view, at + o);
            g.b.ins().splat(types::F64X2, v)
        };
        let (tmin, mfac, n) = (load(self, TMIN), load(self, MFAC), load(self, INTERVALS));
        let values = self.b.ins().load(self.ptr, f, view, at + VALUES);
        let n_int = self.b.ins().extractlane(n, 0);
        let n_int = self.b.ins().fcvt_to_sint_sat(types::I64, n_int);
        let stride = self.b.ins().iadd_imm_s(n_int, 1);
        let stride = self.b.ins().imul_imm_s(stride, 8);
        let (tmin, mfac, n) = ([tmin; HALVES], [mfac; HALVES], [n; HALVES]);
        let shifted = self.map2(x, tmin, |b, a, c| b.ins().fsub(a, c));
        let xi = self.map2(mfac, shifted, |b, a, c| b.ins().fmul(a, c));
        let zero = self.splat(0.0);
        let is_nan = self.cmp(FloatCC::Unordered, xi, xi);
        let low = self.cmp(FloatCC::GreaterThan, xi, zero);
        let clamped = self.select(low, xi, zero);
        let high = self.cmp(FloatCC::LessThan, clamped, n);
        let clamped = self.select(high, clamped, n);
        let clamped = self.select(is_nan, zero, clamped);
        let one = self.splat(1.0);
        let last = self.map2(n, one, |b, a, c| b.ins().fsub(a, c));
        let floor = self.map1(clamped, |b, a| b.ins().floor(a));
        let below_last = self.cmp(FloatCC::LessThan, floor, last);
        let i = self.select(below_last, floor, last);
        let theta = self.map2(clamped, i, |b, a, c| b.ins().fsub(a, c));
        // Per lane: byte offset of entry i, and θ.
        let lanes_per_half = if self.n == HALVES { 2 } else { 1 };
        let mut lanes: Vec<(Value, Value)> = Vec::new();
        for h in 0..self.n {
            for l in 0..lanes_per_half {
                let il = self.b.ins().extractlane(i[h], l as u8);
                let il = self.b.ins().fcvt_to_sint_sat(types::I64, il);
                let off = self.b.ins().ishl_imm_u(il, 3);
                let entry = self.b.ins().iadd(values, off);
                let th = self.b.ins().extractlane(theta[h], l as u8);
                lanes.push((entry, th));
            }
        }
        TablePosition {
            lanes,
            stride,
            is_nan,
            xi,
        }
    }

    /// Output `k`'s interpolated value at a located position (NaN lanes give ξ back).
    fn table_output(&mut self, at: &TablePosition, k: usize) -> Vv {
        let f = view_flags();
        let zero = self.splat(0.0);
        let lanes_per_half = if self.n == HALVES { 2 } else { 1 };
        let base = self.b.ins().imul_imm_s(at.stride, k as i64);
        let mut value = [zero[0]; HALVES];
        for h in 0..self.n {
            let mut acc = None;
            for l in 0..lanes_per_half {
                let (entry, th) = at.lanes[h * lanes_per_half + l];
                let a = self.b.ins().iadd(entry, base);
                let t0 = self.b.ins().load(types::F64, f, a, 0);
                let t1 = self.b.ins().load(types::F64, f, a, 8);
                let d = self.b.ins().fsub(t1, t0);
                let r = self.mul_add(th, d, t0);
                acc = Some(match acc {
                    None => self.b.ins().splat(types::F64X2, r),
                    Some(v) => self.b.ins().insertlane(v, r, l as u8),
                });
            }
            value[h] = acc.expect("a lane per half");
        }
        self.select(at.is_nan, at.xi, value)
    }
}
