//! Fast-math `ion_cur` Nernst update ([`crate::IonStore::set_fast_math`]): the reversal
//! potential of every eadvance entry from [`crate::fast_ln`], four entries at a time.
//!
//! Per entry the result is that of `ions::nernst_with_factor` with the logarithm replaced:
//! 1e6 if ci ≤ 0, else −1e6 if co ≤ 0, else (ktf/z)·ln(co/ci). The vector loop and the scalar
//! tail perform the same operations, so an entry's value does not depend on its position
//! (hence not on the partitioning).

use crate::fast_ln::FastLn;
use crate::ions::{Entries, STYLE_EADVANCE};

/// Recomputes e at the eadvance entries of `ion` (a charged ion with factor ktf/z).
pub(crate) fn nernst_eadvance_fast(ion: &mut Entries, ktf_over_z: f64, ln: FastLn) {
    #[cfg(target_arch = "x86_64")]
    if ln.uses_avx2_fma() {
        // SAFETY: `ln` uses AVX2 and FMA only where the host has them.
        unsafe { avx2::nernst(ion, ktf_over_z, ln) };
        return;
    }
    nernst_from(ion, 0, ktf_over_z, ln);
}

/// The scalar update of entries `first..`.
fn nernst_from(ion: &mut Entries, first: usize, ktf_over_z: f64, ln: FastLn) {
    let n = ion.erev.len();
    let (ci, co, styles) = (&ion.inside[..n], &ion.outside[..n], &ion.styles[..n]);
    for k in (first..n).filter(|&k| styles[k] & STYLE_EADVANCE != 0) {
        ion.erev[k] = if ci[k] <= 0.0 {
            1e6
        } else if co[k] <= 0.0 {
            -1e6
        } else {
            ktf_over_z * ln.ln(co[k] / ci[k])
        };
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{nernst_from, Entries, FastLn, STYLE_EADVANCE};
    use crate::fast_ln::avx2::ln_lanes;
    use std::arch::x86_64::*;

    /// Four entries per iteration: ratio, logarithm and branches as vectors, stored under the
    /// mask of the eadvance entries; the last `len % 4` entries through the scalar code.
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn nernst(ion: &mut Entries, ktf_over_z: f64, ln: FastLn) {
        let n = ion.erev.len();
        let quads = n / 4 * 4;
        let (ci, co, styles) = (&ion.inside[..n], &ion.outside[..n], &ion.styles[..n]);
        let erev = &mut ion.erev[..n];
        let bit = _mm_set1_epi32(STYLE_EADVANCE as i32);
        let (zero, factor) = (_mm256_setzero_pd(), _mm256_set1_pd(ktf_over_z));
        for k in (0..quads).step_by(4) {
            // SAFETY: k + 4 ≤ n, the length of every array read or written here.
            unsafe {
                let style = _mm_loadu_si128(styles.as_ptr().add(k).cast());
                let advance = _mm_cmpeq_epi32(_mm_and_si128(style, bit), bit);
                let lanes = _mm_movemask_epi8(advance);
                if lanes == 0 {
                    continue;
                }
                let (c_in, c_out) = (
                    _mm256_loadu_pd(ci.as_ptr().add(k)),
                    _mm256_loadu_pd(co.as_ptr().add(k)),
                );
                let e = _mm256_mul_pd(factor, ln_lanes(_mm256_div_pd(c_out, c_in)));
                let e = _mm256_blendv_pd(
                    e,
                    _mm256_set1_pd(-1e6),
                    _mm256_cmp_pd::<_CMP_LE_OQ>(c_out, zero),
                );
                let e = _mm256_blendv_pd(
                    e,
                    _mm256_set1_pd(1e6),
                    _mm256_cmp_pd::<_CMP_LE_OQ>(c_in, zero),
                );
                // A masked store is microcoded on AMD cores (several times a plain one): store
                // whole vectors when every lane advances (the usual case).
                if lanes == 0xffff {
                    _mm256_storeu_pd(erev.as_mut_ptr().add(k), e);
                } else {
                    _mm256_maskstore_pd(
                        erev.as_mut_ptr().add(k),
                        _mm256_cvtepi32_epi64(advance),
                        e,
                    );
                }
            }
        }
        nernst_from(ion, quads, ktf_over_z, ln);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{IonArrays, IonStore};

    /// An ion of `n` entries with mixed styles and a few non-positive concentrations.
    fn ion(n: usize, valence: f64) -> IonArrays {
        let inside: Vec<f64> = (0..n)
            .map(|k| match k % 23 {
                5 => 0.0,
                11 => -1e-3,
                _ => 1e-5 * (1.0 + (k as f64 * 0.37).sin().abs() * 1e4),
            })
            .collect();
        let outside: Vec<f64> = (0..n)
            .map(|k| match k % 29 {
                7 => 0.0,
                _ => 2.0 + (k as f64 * 0.11).cos() * 1.5,
            })
            .collect();
        IonArrays {
            name: "x".into(),
            valence,
            nodes: (0..n as u32).collect(),
            erev: vec![-7.0; n],
            inside,
            outside,
            current: vec![1.0; n],
            dcurrent_dv: vec![1.0; n],
            style: STYLE_EADVANCE,
            styles: (0..n)
                .map(|k| if k % 3 == 1 { 0 } else { STYLE_EADVANCE })
                .collect(),
            inside0: 1.0,
            outside0: 1.0,
        }
    }

    #[test]
    fn fast_math_nernst_stays_within_rounding_of_exact() {
        // Mixed styles (masked stores), then every entry advancing (whole-vector stores).
        for (n, all) in [0, 1, 3, 4, 5, 63, 1000]
            .into_iter()
            .flat_map(|n| [(n, false), (n, true)])
        {
            let mut ions = [1.0, 2.0, -1.0].map(|z| ion(n, z)).to_vec();
            if all {
                ions.iter_mut()
                    .for_each(|i| i.styles.iter_mut().for_each(|s| *s = STYLE_EADVANCE));
            }
            let mut exact = IonStore {
                ions,
                fast_math: false,
                slopes: true,
            };
            let mut fast = exact.clone();
            fast.set_fast_math(true);
            assert!(fast.fast_math() && !exact.fast_math());
            exact.current_begin(34.0);
            fast.current_begin(34.0);
            for (e, f) in exact.ions.iter().zip(&fast.ions) {
                assert!(f.current.iter().chain(&f.dcurrent_dv).all(|&x| x == 0.0));
                for k in 0..n {
                    let (want, got) = (e.erev[k], f.erev[k]);
                    if e.styles[k] & STYLE_EADVANCE == 0 {
                        assert_eq!(got, -7.0, "entry {k} is not advanced");
                    } else if want.abs() == 1e6 {
                        assert_eq!(got, want, "entry {k}");
                    } else {
                        let tol = 1e-15 * want.abs().max(1e-3);
                        assert!((got - want).abs() <= tol, "entry {k}: {got} vs {want}");
                    }
                }
            }
        }
    }
}
