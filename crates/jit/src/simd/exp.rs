//! The inline vectorised `exp` of fast-math kernels (method in the parent module's docs).

use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};

use super::{lanes, VecGen, Vv};

/// Bit patterns of 2^(j/32), j = 0…31 (the fractional powers of `exp`'s table step).
static EXP2_FRACTIONS: std::sync::LazyLock<[u64; 32]> =
    std::sync::LazyLock::new(|| std::array::from_fn(|j| (j as f64 / 32.0).exp2().to_bits()));

impl VecGen<'_> {
    /// `a·b + c`: one fused operation when the CPU has FMA, else multiply then add.
    pub(super) fn mul_add(&mut self, a: Value, b: Value, c: Value) -> Value {
        if self.fma {
            self.b.ins().fma(a, b, c)
        } else {
            let p = self.b.ins().fmul(a, b);
            self.b.ins().fadd(p, c)
        }
    }

    /// Inline vectorised `hoc_Exp` (see the module docs for the method).
    pub(super) fn exp(&mut self, x: Vv) -> Vv {
        // ln2/32 split so that k·LN2_32_HI is exact for |k| < 2¹⁶.
        const LN2_32_HI: f64 = 0.021_660_849_335_603_416;
        const LN2_32_LO: f64 = 5.689_487_495_325_457e-11;
        const INV_LN2_32: f64 = 46.166_241_308_446_83;
        const SHIFT: f64 = 6_755_399_441_055_744.0; // 1.5·2⁵²: k lands in the low bits
        let (c700, cm700) = (self.splat(700.0), self.splat(-700.0));
        let above = self.cmp(FloatCC::GreaterThan, x, c700);
        let x = self.select(above, c700, x);
        let below = self.cmp(FloatCC::LessThan, x, cm700);
        let xc = self.select(below, cm700, x);
        let [inv, hi, lo, shift] = [INV_LN2_32, LN2_32_HI, LN2_32_LO, SHIFT].map(|c| self.splat(c));
        let poly: Vec<Vv> = [1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0]
            .iter()
            .map(|&c| self.splat(c))
            .collect();
        let table = self
            .b
            .ins()
            .iconst(self.ptr, EXP2_FRACTIONS.as_ptr() as i64);
        let low5 = self.b.ins().iconst(types::I64, 31);
        let low5 = self.b.ins().splat(types::I64X2, low5);
        let high = self.b.ins().iconst(types::I64, -(1i64 << 52));
        let high = self.b.ins().splat(types::I64X2, high);
        let mut out = x;
        for h in 0..self.n {
            let xk = self.b.ins().fmul(xc[h], inv[h]);
            let k = self.b.ins().nearest(xk);
            let nk = self.b.ins().fneg(k);
            let r = self.mul_add(nk, hi[h], xc[h]);
            let r = self.mul_add(nk, lo[h], r);
            let mut p = poly[0][h];
            for c in &poly[1..] {
                p = self.mul_add(p, r, c[h]);
            }
            let b = &mut self.b;
            let shifted = b.ins().fadd(k, shift[h]);
            let ki = b.ins().bitcast(types::I64X2, lanes(), shifted);
            let j = b.ins().band(ki, low5);
            // 2^(k div 32) in the exponent field: (k << 47) with the 52 fraction bits cleared.
            let e = b.ins().ishl_imm_u(ki, 47);
            let e = b.ins().band(e, high);
            let mut frac = None;
            for l in 0..2u8 {
                let jl = b.ins().extractlane(j, l);
                let o = b.ins().ishl_imm_u(jl, 3);
                let a = b.ins().iadd(table, o);
                let t = b.ins().load(types::I64, MemFlagsData::trusted(), a, 0);
                frac = Some(match frac {
                    None => b.ins().splat(types::I64X2, t),
                    Some(v) => b.ins().insertlane(v, t, l),
                });
            }
            let bits = b.ins().iadd(frac.expect("two lanes"), e);
            let scale = b.ins().bitcast(types::F64X2, lanes(), bits);
            out[h] = b.ins().fmul(p, scale);
        }
        let zero = self.splat(0.0);
        self.select(below, zero, out)
    }
}
