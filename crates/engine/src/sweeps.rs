//! The kernels of the Hines sweeps ([`crate::HinesMatrix`]): one node at a time, a path of
//! nodes with the running values carried in registers, and quads of independent nodes in
//! vector lanes. Each performs, per node, exactly NEURON's operations in NEURON's order:
//!
//! elimination: f = a(i)/d(i), d(p) −= f·b(i), rhs(p) −= f·rhs(i);
//! substitution: rhs(i) −= b(i)·rhs(p), rhs(i) /= d(i).
//!
//! The `*_fast` kernels (fast-math mode, [`crate::HinesMatrix::set_fast_math`]) divide once
//! per node instead of twice: the elimination computes r(i) = 1/d(i) and keeps it for the
//! substitution (a quad's four in one vector slot of a scratch array in schedule order; a
//! single node's in place of d(i), which nothing reads again but the substitution), then
//! d(p) −= (a(i)·b(i))·r(i) and rhs(p) −= (a(i)·r(i))·rhs(i); the substitution multiplies,
//! rhs(i) = (rhs(i) − b(i)·rhs(p))·r(i). On a path the product a·b is off the dependency
//! chain, which keeps the chain at one division, one multiplication and one subtraction per
//! node; every kernel uses the same formula so that a node's result does not depend on which
//! kernel the schedule (hence the partitioning) gives it. Each result differs from the exact
//! one by a few roundings (relative ≈ 1e-15 per node).

/// Nodes per packed group (four doubles: one AVX register).
pub const LANES: usize = 4;

/// [`LANES`] mutually independent non-root nodes, packed lane by lane.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Quad {
    pub a: [f64; LANES],
    pub b: [f64; LANES],
    pub node: [u32; LANES],
    pub parent: [u32; LANES],
}

/// A [`Quad`] whose nodes are `node..node + LANES` and whose parents are
/// `parent..parent + LANES` (a row of interleaved cells, see `crate::interleave`): its values
/// load and store as whole vectors, and it carries no index lists.
///
/// Invariant (checked by `HinesMatrix::new`): `parent + LANES <= node` and
/// `node + LANES <= n`, the number of nodes, so that the row kernels may index `d` and `rhs`
/// (of at least n values) without checks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Row {
    pub a: [f64; LANES],
    pub b: [f64; LANES],
    pub node: u32,
    pub parent: u32,
}

/// Coupling of one non-root node to its parent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Edge {
    pub a: f64,
    pub b: f64,
    pub node: u32,
    pub parent: u32,
}

/// Eliminates a path of nodes, each the parent of the one before, carrying the node's d and
/// rhs from one step to the next in registers rather than through memory (the values are the
/// ones just stored; only the chain's latency changes). With `FAST`, one reciprocal
/// r = 1/d per node replaces the division and is stored in the node's `d` for
/// [`substitute_chain`].
#[inline(always)]
pub(crate) fn eliminate_chain<const FAST: bool>(path: &[Edge], d: &mut [f64], rhs: &mut [f64]) {
    let Some(first) = path.first() else {
        return;
    };
    let (mut di, mut ri) = (d[first.node as usize], rhs[first.node as usize]);
    for e in path {
        let p = e.parent as usize;
        if FAST {
            let r = 1.0 / di;
            d[e.node as usize] = r;
            di = d[p] - (e.a * e.b) * r;
            ri = rhs[p] - (e.a * r) * ri;
        } else {
            let f = e.a / di;
            di = d[p] - f * e.b;
            ri = rhs[p] - f * ri;
        }
        d[p] = di;
        rhs[p] = ri;
    }
}

/// Back-substitutes a path eliminated by [`eliminate_chain`] (with `FAST`, `d` holds its
/// reciprocals: the chain then carries a multiplication instead of a division), parent first, each node's solution passed to its
/// child in a register.
#[inline(always)]
pub(crate) fn substitute_chain<const FAST: bool>(path: &[Edge], d: &[f64], rhs: &mut [f64]) {
    let Some(last) = path.last() else {
        return;
    };
    let mut xp = rhs[last.parent as usize];
    for e in path.iter().rev() {
        let i = e.node as usize;
        let r = rhs[i] - e.b * xp;
        xp = if FAST { r * d[i] } else { r / d[i] };
        rhs[i] = xp;
    }
}

/// Fast-math elimination of one node: stores r = 1/d(i) in d(i).
#[inline(always)]
pub(crate) fn eliminate_single_fast(e: &Edge, d: &mut [f64], rhs: &mut [f64]) {
    let i = e.node as usize;
    let r = 1.0 / d[i];
    d[i] = r;
    let pi = e.parent as usize;
    d[pi] -= (e.a * e.b) * r;
    rhs[pi] -= (e.a * r) * rhs[i];
}

/// Fast-math substitution of one node eliminated by [`eliminate_single_fast`].
#[inline(always)]
pub(crate) fn substitute_single_fast(e: &Edge, d: &[f64], rhs: &mut [f64]) {
    let i = e.node as usize;
    rhs[i] = (rhs[i] - e.b * rhs[e.parent as usize]) * d[i];
}

/// Eliminates the nodes of `q` into their parents. All reads come first: within a quad no
/// node is another's parent and no two share a parent, so they see the same values as node by
/// node.
#[inline(always)]
pub(crate) fn eliminate_quad(q: &Quad, d: &mut [f64], rhs: &mut [f64]) {
    let di = q.node.map(|i| d[i as usize]);
    let ri = q.node.map(|i| rhs[i as usize]);
    let dp = q.parent.map(|p| d[p as usize]);
    let rp = q.parent.map(|p| rhs[p as usize]);
    for l in 0..LANES {
        let f = q.a[l] / di[l];
        let p = q.parent[l] as usize;
        d[p] = dp[l] - f * q.b[l];
        rhs[p] = rp[l] - f * ri[l];
    }
}

/// Back-substitutes the nodes of `q`, whose parents are done.
#[inline(always)]
pub(crate) fn substitute_quad(q: &Quad, d: &[f64], rhs: &mut [f64]) {
    for l in 0..LANES {
        let i = q.node[l] as usize;
        rhs[i] = (rhs[i] - q.b[l] * rhs[q.parent[l] as usize]) / d[i];
    }
}

/// Fast-math [`eliminate_quad`]: one reciprocal per lane, kept in `recip`.
#[inline(always)]
pub(crate) fn eliminate_quad_fast(
    q: &Quad,
    recip: &mut [f64; LANES],
    d: &mut [f64],
    rhs: &mut [f64],
) {
    let di = q.node.map(|i| d[i as usize]);
    let ri = q.node.map(|i| rhs[i as usize]);
    let dp = q.parent.map(|p| d[p as usize]);
    let rp = q.parent.map(|p| rhs[p as usize]);
    for l in 0..LANES {
        let r = 1.0 / di[l];
        recip[l] = r;
        let p = q.parent[l] as usize;
        d[p] = dp[l] - (q.a[l] * q.b[l]) * r;
        rhs[p] = rp[l] - (q.a[l] * r) * ri[l];
    }
}

/// Fast-math [`substitute_quad`], with the reciprocals kept by [`eliminate_quad_fast`].
#[inline(always)]
pub(crate) fn substitute_quad_fast(q: &Quad, recip: &[f64; LANES], rhs: &mut [f64]) {
    for l in 0..LANES {
        let i = q.node[l] as usize;
        rhs[i] = (rhs[i] - q.b[l] * rhs[q.parent[l] as usize]) * recip[l];
    }
}

/// [`eliminate_quad`] of a row (exact), or with `FAST` [`eliminate_quad_fast`] keeping the
/// reciprocals in place of the row's diagonals, which only the substitution reads again.
#[inline(always)]
pub(crate) fn eliminate_row<const FAST: bool>(r: &Row, d: &mut [f64], rhs: &mut [f64]) {
    let (i, p) = (r.node as usize, r.parent as usize);
    for l in 0..LANES {
        let (di, ri) = (d[i + l], rhs[i + l]);
        if FAST {
            let inv = 1.0 / di;
            d[i + l] = inv;
            d[p + l] -= (r.a[l] * r.b[l]) * inv;
            rhs[p + l] -= (r.a[l] * inv) * ri;
        } else {
            let f = r.a[l] / di;
            d[p + l] -= f * r.b[l];
            rhs[p + l] -= f * ri;
        }
    }
}

/// Back-substitutes a row eliminated by [`eliminate_row`] with the same `FAST`.
#[inline(always)]
pub(crate) fn substitute_row<const FAST: bool>(r: &Row, d: &[f64], rhs: &mut [f64]) {
    let (i, p) = (r.node as usize, r.parent as usize);
    for l in 0..LANES {
        let x = rhs[i + l] - r.b[l] * rhs[p + l];
        rhs[i + l] = if FAST { x * d[i + l] } else { x / d[i + l] };
    }
}

/// The quad kernels on AVX registers: lane l performs exactly the scalar operations of node l.
#[cfg(target_arch = "x86_64")]
pub(crate) mod avx {
    use super::{Quad, Row, LANES};
    use std::arch::x86_64::*;

    /// Packs `x[idx[l]]` into lane l.
    #[inline(always)]
    fn gather(x: &[f64], idx: &[u32; LANES]) -> __m256d {
        let v = idx.map(|i| x[i as usize]);
        // SAFETY: `v` holds LANES = 4 readable doubles.
        unsafe { _mm256_loadu_pd(v.as_ptr()) }
    }

    /// Unpacks the lanes of `v`.
    #[inline(always)]
    fn lanes(v: __m256d) -> [f64; LANES] {
        let mut out = [0.0; LANES];
        // SAFETY: `out` has room for LANES = 4 doubles.
        unsafe { _mm256_storeu_pd(out.as_mut_ptr(), v) };
        out
    }

    /// Stores the lanes of `v` to `x` at `idx`, in lane order.
    #[inline(always)]
    fn scatter(x: &mut [f64], idx: &[u32; LANES], v: __m256d) {
        let v = lanes(v);
        for l in 0..LANES {
            x[idx[l] as usize] = v[l];
        }
    }

    #[inline(always)]
    fn store_parents(q: &Quad, dp: __m256d, rp: __m256d, d: &mut [f64], rhs: &mut [f64]) {
        scatter(d, &q.parent, dp);
        scatter(rhs, &q.parent, rp);
    }

    /// The LANES values of `x` from `at` on.
    ///
    /// # Safety
    /// `at + LANES <= x.len()`.
    #[inline(always)]
    unsafe fn load_at(x: &[f64], at: usize) -> __m256d {
        debug_assert!(at + LANES <= x.len());
        // SAFETY: the caller's bound.
        unsafe { _mm256_loadu_pd(x.as_ptr().add(at)) }
    }

    /// Stores `v` to `x[at..at + LANES]`.
    ///
    /// # Safety
    /// `at + LANES <= x.len()`.
    #[inline(always)]
    unsafe fn store_at(x: &mut [f64], at: usize, v: __m256d) {
        debug_assert!(at + LANES <= x.len());
        // SAFETY: the caller's bound.
        unsafe { _mm256_storeu_pd(x.as_mut_ptr().add(at), v) }
    }

    /// [`super::eliminate_row`].
    ///
    /// # Safety
    /// `d` and `rhs` hold at least `r.node + LANES` values ([`Row`]'s invariant then bounds
    /// the parents too).
    #[inline]
    #[target_feature(enable = "avx")]
    pub(crate) unsafe fn eliminate_row<const FAST: bool>(r: &Row, d: &mut [f64], rhs: &mut [f64]) {
        let (i, p) = (r.node as usize, r.parent as usize);
        // SAFETY: the caller's bound, and p + LANES <= i.
        unsafe {
            let (di, ri) = (load_at(d, i), load_at(rhs, i));
            let (dp, rp) = (load_at(d, p), load_at(rhs, p));
            let (a, b) = (lanes_of(&r.a), lanes_of(&r.b));
            let (dp, rp) = if FAST {
                let inv = _mm256_div_pd(_mm256_set1_pd(1.0), di);
                store_at(d, i, inv);
                (
                    _mm256_sub_pd(dp, _mm256_mul_pd(_mm256_mul_pd(a, b), inv)),
                    _mm256_sub_pd(rp, _mm256_mul_pd(_mm256_mul_pd(a, inv), ri)),
                )
            } else {
                let f = _mm256_div_pd(a, di);
                (
                    _mm256_sub_pd(dp, _mm256_mul_pd(f, b)),
                    _mm256_sub_pd(rp, _mm256_mul_pd(f, ri)),
                )
            };
            store_at(d, p, dp);
            store_at(rhs, p, rp);
        }
    }

    /// [`super::substitute_row`].
    ///
    /// # Safety
    /// As [`eliminate_row`].
    #[inline]
    #[target_feature(enable = "avx")]
    pub(crate) unsafe fn substitute_row<const FAST: bool>(r: &Row, d: &[f64], rhs: &mut [f64]) {
        let (i, p) = (r.node as usize, r.parent as usize);
        // SAFETY: the caller's bound, and p + LANES <= i.
        unsafe {
            let (rp, ri, di) = (load_at(rhs, p), load_at(rhs, i), load_at(d, i));
            let x = _mm256_sub_pd(ri, _mm256_mul_pd(lanes_of(&r.b), rp));
            let x = if FAST {
                _mm256_mul_pd(x, di)
            } else {
                _mm256_div_pd(x, di)
            };
            store_at(rhs, i, x);
        }
    }

    /// [`super::eliminate_quad`].
    #[inline]
    #[target_feature(enable = "avx")]
    pub(crate) fn eliminate(q: &Quad, d: &mut [f64], rhs: &mut [f64]) {
        let (di, ri) = (gather(d, &q.node), gather(rhs, &q.node));
        let (dp, rp) = (gather(d, &q.parent), gather(rhs, &q.parent));
        let (a, b) = (lanes_of(&q.a), lanes_of(&q.b));
        let f = _mm256_div_pd(a, di);
        let dp = _mm256_sub_pd(dp, _mm256_mul_pd(f, b));
        let rp = _mm256_sub_pd(rp, _mm256_mul_pd(f, ri));
        store_parents(q, dp, rp, d, rhs);
    }

    /// [`super::substitute_quad`].
    #[inline]
    #[target_feature(enable = "avx")]
    pub(crate) fn substitute(q: &Quad, d: &[f64], rhs: &mut [f64]) {
        let (rp, ri, di) = (
            gather(rhs, &q.parent),
            gather(rhs, &q.node),
            gather(d, &q.node),
        );
        let b = lanes_of(&q.b);
        let x = _mm256_div_pd(_mm256_sub_pd(ri, _mm256_mul_pd(b, rp)), di);
        scatter(rhs, &q.node, x);
    }

    /// [`super::eliminate_quad_fast`].
    #[inline]
    #[target_feature(enable = "avx")]
    pub(crate) fn eliminate_fast(
        q: &Quad,
        recip: &mut [f64; LANES],
        d: &mut [f64],
        rhs: &mut [f64],
    ) {
        let (di, ri) = (gather(d, &q.node), gather(rhs, &q.node));
        let (dp, rp) = (gather(d, &q.parent), gather(rhs, &q.parent));
        let (a, b) = (lanes_of(&q.a), lanes_of(&q.b));
        let r = _mm256_div_pd(_mm256_set1_pd(1.0), di);
        let dp = _mm256_sub_pd(dp, _mm256_mul_pd(_mm256_mul_pd(a, b), r));
        let rp = _mm256_sub_pd(rp, _mm256_mul_pd(_mm256_mul_pd(a, r), ri));
        // SAFETY: `recip` has room for LANES = 4 doubles.
        unsafe { _mm256_storeu_pd(recip.as_mut_ptr(), r) };
        store_parents(q, dp, rp, d, rhs);
    }

    /// [`super::substitute_quad_fast`].
    #[inline]
    #[target_feature(enable = "avx")]
    pub(crate) fn substitute_fast(q: &Quad, recip: &[f64; LANES], rhs: &mut [f64]) {
        let (rp, ri, ri_inv) = (
            gather(rhs, &q.parent),
            gather(rhs, &q.node),
            lanes_of(recip),
        );
        let b = lanes_of(&q.b);
        let x = _mm256_mul_pd(_mm256_sub_pd(ri, _mm256_mul_pd(b, rp)), ri_inv);
        scatter(rhs, &q.node, x);
    }

    /// Loads packed coefficients.
    #[inline(always)]
    fn lanes_of(x: &[f64; LANES]) -> __m256d {
        // SAFETY: `x` holds LANES = 4 readable doubles.
        unsafe { _mm256_loadu_pd(x.as_ptr()) }
    }
}

/// Whether the host has AVX.
pub(crate) fn has_avx() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}
