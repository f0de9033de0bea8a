//! A natural logarithm of our own for the fast-math mode: four lanes at a time with AVX2 and
//! FMA (runtime detection), and a portable scalar version of the same algorithm.
//!
//! # Algorithm
//!
//! Write x = 2ᵏ·m with m ∈ [√½, √2) (k from the bits of x/√½, so no branch). With f = m − 1
//! (exact: Sterbenz) and s = f/(2 + f), i.e. m = (1 + s)/(1 − s),
//!
//! ln m = 2·atanh s = 2s + s·z·P(z),  z = s²,  P(z) = Σₙ₌₁¹⁰ 2zⁿ⁻¹/(2n + 1),
//!
//! the Taylor series of atanh, cut after z¹⁰: |s| ≤ (√2 − 1)/(√2 + 1) < 0.1716, z < 0.0295,
//! so the first dropped term is below 7·10⁻¹⁹ of the result. Because s·(2 + f) = f,
//! 2s = f − s·f, and
//!
//! ln x = k·ln2_hi + (f − (s·(f − z·P(z)) − k·ln2_lo)),
//!
//! where f is exact and carries the bulk of ln m: the rounding errors of s, z and P enter only
//! through the correction s·(f − zP) ≈ f²/2 (at most a fifth of ln m). ln2_hi has 21
//! significant bits, so k·ln2_hi is exact for every exponent; ln2_lo = ln 2 − ln2_hi to double
//! precision. Measured against `f64::ln` (glibc) over 10⁷ arguments: at most 1 ulp (see
//! the tests; the stated bound is 2 ulp).
//!
//! P is evaluated by Estrin's scheme (pairs, then powers z², z⁴, z⁸), which keeps the chain of
//! dependent operations short: the kernels run in loops of independent arguments, where the
//! latency of one logarithm, not the count of operations, bounds the throughput.
//!
//! The polynomial steps and the two corrections are fused multiply-adds in the AVX2 kernel
//! and in [`FastLn::ln`] on hosts that have FMA, so a value gives the same bits whichever
//! lane or tail it lands in; [`ln_portable`] rounds each product separately instead.
//!
//! # Special arguments
//!
//! As `f64::ln`: ln(±0) = −∞, ln(+∞) = +∞, ln(x < 0) = NaN, ln(NaN) = NaN. Subnormal x is
//! scaled by 2⁵⁴ first and stays accurate.

/// High part of ln 2: its first 21 significant bits (k·`LN2_HI` is exact for |k| < 2¹¹).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_0000_0000);
/// ln 2 − `LN2_HI`, rounded to double.
const LN2_LO: f64 = 4.749_325_039_031_672_6e-7;
/// Bits of √½: x − this (as integers) has the exponent k of x = 2ᵏ·m, m ∈ [√½, √2).
const SQRT_HALF_BITS: u64 = 0x3fe6_a09e_667f_3bcd;
/// Sign and exponent field.
const EXPONENT_MASK: u64 = 0xfff0_0000_0000_0000;
/// 2⁵⁴: brings a subnormal argument into the normal range.
const SUBNORMAL_SCALE: f64 = 18_014_398_509_481_984.0;
/// Coefficients of P(z), constant term first: 2/(2n + 1), n = 1…10.
const COEFFS: [f64; 10] = [
    2.0 / 3.0,
    2.0 / 5.0,
    2.0 / 7.0,
    2.0 / 9.0,
    2.0 / 11.0,
    2.0 / 13.0,
    2.0 / 15.0,
    2.0 / 17.0,
    2.0 / 19.0,
    2.0 / 21.0,
];

/// a·b + c, fused if `FMA`.
#[inline(always)]
fn mul_add<const FMA: bool>(a: f64, b: f64, c: f64) -> f64 {
    if FMA {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

/// ln x for positive normal x, plus `k_offset`·ln 2 (the scaling of a subnormal argument).
#[inline(always)]
fn ln_normal<const FMA: bool>(x: f64, k_offset: f64) -> f64 {
    let ix = x.to_bits();
    let t = ix.wrapping_sub(SQRT_HALF_BITS);
    let k = ((t as i64) >> 52) as f64 + k_offset;
    let m = f64::from_bits(ix.wrapping_sub(t & EXPONENT_MASK));
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let p = estrin(z, mul_add::<FMA>, |a, b| a * b, |c| c);
    let w = mul_add::<FMA>(-z, p, f);
    let correction = mul_add::<FMA>(s, w, -(k * LN2_LO));
    mul_add::<FMA>(k, LN2_HI, f - correction)
}

/// P(z) by Estrin's scheme with `fma`(a, b, c) = a·b + c and `mul`, on scalars or lanes
/// (`splat` makes a coefficient): every kernel performs the same operations in the same order.
#[inline(always)]
fn estrin<T: Copy>(
    z: T,
    fma: impl Fn(T, T, T) -> T,
    mul: impl Fn(T, T) -> T,
    splat: impl Fn(f64) -> T,
) -> T {
    let c = COEFFS.map(&splat);
    let z2 = mul(z, z);
    let z4 = mul(z2, z2);
    let z8 = mul(z4, z4);
    let p01 = fma(c[1], z, c[0]);
    let p23 = fma(c[3], z, c[2]);
    let p45 = fma(c[5], z, c[4]);
    let p67 = fma(c[7], z, c[6]);
    let p89 = fma(c[9], z, c[8]);
    let p0123 = fma(p23, z2, p01);
    let p4567 = fma(p67, z2, p45);
    let p0_7 = fma(p4567, z4, p0123);
    fma(p89, z8, p0_7)
}

/// ln x for every x (see the module docs for the special arguments).
#[inline(always)]
fn ln_any<const FMA: bool>(x: f64) -> f64 {
    if (f64::MIN_POSITIVE..=f64::MAX).contains(&x) {
        ln_normal::<FMA>(x, 0.0)
    } else if x > 0.0 && x < f64::MIN_POSITIVE {
        ln_normal::<FMA>(x * SUBNORMAL_SCALE, -54.0)
    } else if x == 0.0 {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        x
    } else {
        f64::NAN
    }
}

/// The algorithm of this module with every product rounded separately (no FMA): for hosts
/// without AVX2 and FMA.
pub fn ln_portable(x: f64) -> f64 {
    ln_any::<false>(x)
}

/// The fast natural logarithm, resolved for the host once: copy it into hot loops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FastLn {
    /// The host has AVX2 and FMA.
    avx2_fma: bool,
}

impl FastLn {
    /// The best kernels this host runs.
    pub fn detect() -> Self {
        FastLn {
            avx2_fma: has_avx2_fma(),
        }
    }

    /// The portable kernels whatever the host (to test them on any machine).
    pub fn portable() -> Self {
        FastLn { avx2_fma: false }
    }

    /// Whether the AVX2/FMA kernels are in use.
    pub fn uses_avx2_fma(self) -> bool {
        self.avx2_fma
    }

    /// ln x; the same bits as the lanes of [`Self::ln4`].
    #[inline]
    pub fn ln(self, x: f64) -> f64 {
        #[cfg(target_arch = "x86_64")]
        if self.avx2_fma {
            // SAFETY: the host has FMA (checked by `detect`).
            return unsafe { avx2::ln_fma(x) };
        }
        ln_portable(x)
    }

    /// ln of four values.
    #[inline]
    pub fn ln4(self, x: [f64; 4]) -> [f64; 4] {
        #[cfg(target_arch = "x86_64")]
        if self.avx2_fma {
            // SAFETY: the host has AVX2 and FMA (checked by `detect`).
            return unsafe { avx2::ln4(x) };
        }
        x.map(ln_portable)
    }
}

impl Default for FastLn {
    fn default() -> Self {
        Self::detect()
    }
}

/// Whether the host has AVX2 and FMA.
fn has_avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The kernels with AVX2 and FMA: lane l performs exactly the scalar operations of
/// `ln_any::<true>`.
#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2 {
    use super::{estrin, ln_any, EXPONENT_MASK, LN2_HI, LN2_LO, SQRT_HALF_BITS};
    use std::arch::x86_64::*;

    /// 2⁵²: a double whose low mantissa bits hold a small integer.
    const TWO52: f64 = 4_503_599_627_370_496.0;
    /// k + `K_BIAS` is the unsigned top 12 bits of x − √½ (sign bit flipped).
    const K_BIAS: f64 = 2048.0;

    /// Scalar ln with fused multiply-adds.
    #[target_feature(enable = "fma")]
    pub(super) fn ln_fma(x: f64) -> f64 {
        ln_any::<true>(x)
    }

    /// Four lanes of `ln_any::<true>`.
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn ln4(x: [f64; 4]) -> [f64; 4] {
        // SAFETY: `x` and `out` hold four doubles.
        let y = ln_lanes(unsafe { _mm256_loadu_pd(x.as_ptr()) });
        let mut out = [0.0; 4];
        // SAFETY: as above.
        unsafe { _mm256_storeu_pd(out.as_mut_ptr(), y) };
        out
    }

    /// Four lanes of `ln_any::<true>`, for loops compiled with AVX2 and FMA; lanes outside
    /// the positive normal range go through the scalar code.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(crate) fn ln_lanes(xv: __m256d) -> __m256d {
        let normal = _mm256_and_pd(
            _mm256_cmp_pd::<_CMP_GE_OQ>(xv, _mm256_set1_pd(f64::MIN_POSITIVE)),
            _mm256_cmp_pd::<_CMP_LE_OQ>(xv, _mm256_set1_pd(f64::MAX)),
        );
        let ix = _mm256_castpd_si256(xv);
        let t = _mm256_sub_epi64(ix, _mm256_set1_epi64x(SQRT_HALF_BITS as i64));
        let m = _mm256_castsi256_pd(_mm256_sub_epi64(
            ix,
            _mm256_and_si256(t, _mm256_set1_epi64x(EXPONENT_MASK as i64)),
        ));
        // k as a double without a 64-bit conversion: flip the sign of t's top 12 bits to get
        // k + 2048 unsigned, place it in the mantissa of 2⁵², subtract.
        let biased = _mm256_srli_epi64::<52>(_mm256_xor_si256(t, _mm256_set1_epi64x(i64::MIN)));
        let k = _mm256_sub_pd(
            _mm256_castsi256_pd(_mm256_or_si256(
                biased,
                _mm256_set1_epi64x(TWO52.to_bits() as i64),
            )),
            _mm256_set1_pd(TWO52 + K_BIAS),
        );
        let one = _mm256_set1_pd(1.0);
        let f = _mm256_sub_pd(m, one);
        let s = _mm256_div_pd(f, _mm256_add_pd(_mm256_set1_pd(2.0), f));
        let z = _mm256_mul_pd(s, s);
        let p = estrin(
            z,
            |a, b, c| _mm256_fmadd_pd(a, b, c),
            |a, b| _mm256_mul_pd(a, b),
            |c| _mm256_set1_pd(c),
        );
        let w = _mm256_fnmadd_pd(z, p, f);
        let correction = _mm256_fmsub_pd(s, w, _mm256_mul_pd(k, _mm256_set1_pd(LN2_LO)));
        let y = _mm256_fmadd_pd(k, _mm256_set1_pd(LN2_HI), _mm256_sub_pd(f, correction));
        let normal = _mm256_movemask_pd(normal);
        if normal == 0b1111 {
            return y;
        }
        special_lanes(xv, y, normal)
    }

    /// `y` with the lanes not set in `normal` replaced by the scalar code's result for `xv`
    /// (kept out of line so that `ln_lanes` stays small enough to inline into loops).
    #[cold]
    #[inline(never)]
    #[target_feature(enable = "avx2,fma")]
    fn special_lanes(xv: __m256d, y: __m256d, normal: i32) -> __m256d {
        let (mut x, mut out) = ([0.0; 4], [0.0; 4]);
        // SAFETY: `x` and `out` have room for four doubles.
        unsafe {
            _mm256_storeu_pd(x.as_mut_ptr(), xv);
            _mm256_storeu_pd(out.as_mut_ptr(), y);
        }
        for (l, o) in out.iter_mut().enumerate() {
            if normal & (1 << l) == 0 {
                *o = ln_any::<true>(x[l]);
            }
        }
        // SAFETY: as above.
        unsafe { _mm256_loadu_pd(out.as_ptr()) }
    }
}

#[cfg(test)]
mod tests;
