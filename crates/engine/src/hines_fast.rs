//! The fast-math solve of [`HinesMatrix`] (see the parent module's docs) and its working
//! memory.

use std::cell::Cell;

#[cfg(target_arch = "x86_64")]
use crate::sweeps::avx;
use crate::sweeps::{eliminate_quad_fast, substitute_quad_fast, LANES};
use crate::HinesMatrix;

/// Working memory of the fast-math [`HinesMatrix::solve`]: the reciprocals of the quads'
/// diagonals, LANES per quad in schedule order. A cell, so that `solve` keeps taking `&self`
/// (the matrix is then `Send` but not `Sync`: one solve at a time); clones get their own.
#[derive(Default)]
pub(super) struct Scratch(Cell<Vec<f64>>);

impl Scratch {
    /// `len` values, allocated now (not in the time loop).
    pub(super) fn with_len(len: usize) -> Self {
        Scratch(Cell::new(vec![0.0; len]))
    }
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scratch")
    }
}

impl Clone for Scratch {
    fn clone(&self) -> Self {
        let v = self.0.take();
        let copy = v.clone();
        self.0.set(v);
        Scratch(Cell::new(copy))
    }
}

impl PartialEq for Scratch {
    /// Working memory carries no state between solves.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl HinesMatrix {
    /// The fast-math [`HinesMatrix::solve`] on `d` and `rhs` of exactly [`HinesMatrix::len`]
    /// values. The scratch leaves its cell for the sweeps (no allocation: `set_fast_math`
    /// sized it).
    pub(super) fn solve_fast(&self, d: &mut [f64], rhs: &mut [f64]) {
        let mut recip = self.recip.0.take();
        recip.resize(self.quads.len() * LANES, 0.0);
        #[cfg(target_arch = "x86_64")]
        if self.avx {
            // SAFETY: the host has AVX (checked when the matrix was built).
            unsafe { self.solve_avx_fast(d, rhs, &mut recip) };
            self.recip.0.set(recip);
            return;
        }
        self.solve_portable_fast(d, rhs, &mut recip);
        self.recip.0.set(recip);
    }

    /// [`Self::solve_fast`] with each quad's lanes in one AVX register.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    fn solve_avx_fast(&self, d: &mut [f64], rhs: &mut [f64], recip: &mut [f64]) {
        self.sweeps::<true>(
            d,
            rhs,
            recip,
            |q, r, d, rhs| avx::eliminate_fast(q, r, d, rhs),
            |q, r, _, rhs| avx::substitute_fast(q, r, rhs),
        );
    }

    /// Portable [`Self::solve_fast`].
    fn solve_portable_fast(&self, d: &mut [f64], rhs: &mut [f64], recip: &mut [f64]) {
        self.sweeps::<true>(d, rhs, recip, eliminate_quad_fast, |q, r, _, rhs| {
            substitute_quad_fast(q, r, rhs)
        });
    }
}
