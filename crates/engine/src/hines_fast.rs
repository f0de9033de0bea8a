//! The fast-math solve of [`HinesMatrix`] (see the parent module's docs).

#[cfg(target_arch = "x86_64")]
use crate::sweeps::avx;
use crate::sweeps::{
    eliminate_quad_fast, eliminate_row, substitute_quad_fast, substitute_row, LANES,
};
use crate::HinesMatrix;

impl HinesMatrix {
    /// The fast-math [`HinesMatrix::solve`] on `d` and `rhs` of exactly [`HinesMatrix::len`]
    /// values. The reciprocals' scratch (sized by `set_fast_math`: no allocation here) is
    /// taken out of the matrix for the sweeps, which borrow the matrix too.
    pub(super) fn solve_fast(&mut self, d: &mut [f64], rhs: &mut [f64]) {
        if let Some(t) = &self.twisted {
            t.solve(d, rhs);
            return;
        }
        let mut recip = std::mem::take(&mut self.recip);
        recip.resize(self.quads.len() * LANES, 0.0);
        #[cfg(target_arch = "x86_64")]
        if self.avx {
            // SAFETY: the host has AVX (checked when the matrix was built).
            unsafe { self.solve_avx_fast(d, rhs, &mut recip) };
            self.recip = recip;
            return;
        }
        self.solve_portable_fast(d, rhs, &mut recip);
        self.recip = recip;
    }

    /// [`Self::solve_fast`] with each quad's lanes in one AVX register.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    fn solve_avx_fast(&self, d: &mut [f64], rhs: &mut [f64], recip: &mut [f64]) {
        self.sweeps::<true>(
            d,
            rhs,
            recip,
            // SAFETY: `solve` passes n values; `new` checked the rows.
            (
                |r, d, rhs| unsafe { avx::eliminate_row::<true>(r, d, rhs) },
                |r, d, rhs| unsafe { avx::substitute_row::<true>(r, d, rhs) },
            ),
            |q, r, d, rhs| avx::eliminate_fast(q, r, d, rhs),
            |q, r, _, rhs| avx::substitute_fast(q, r, rhs),
        );
    }

    /// Portable [`Self::solve_fast`].
    fn solve_portable_fast(&self, d: &mut [f64], rhs: &mut [f64], recip: &mut [f64]) {
        self.sweeps::<true>(
            d,
            rhs,
            recip,
            (eliminate_row::<true>, substitute_row::<true>),
            eliminate_quad_fast,
            |q, r, _, rhs| substitute_quad_fast(q, r, rhs),
        );
    }
}
