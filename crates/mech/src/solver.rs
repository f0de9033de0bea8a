//! Dense solvers with scopmath's exact arithmetic: `simeq` (Gaussian elimination with partial
//! pivoting, for LINEAR blocks), `crout` + `solve` (LU with implicit equilibration) and the
//! Newton iteration of `newton_thread.hpp` with its finite-difference Jacobian.
//!
//! All matrices are row-major `n×n` slices; work arrays come from a [`SolverScratch`] sized
//! before the run, so nothing here allocates.

// The loops mirror scopmath's index arithmetic (perm[i], a[perm[k]][j]) to keep its order.
#![allow(clippy::needless_range_loop)]

/// Pivots smaller than this make a matrix singular (scopmath `ROUNDOFF`).
pub const ROUNDOFF: f64 = 1e-20;
/// |F| tolerance and the |x| below which relative change is ignored (scopmath `ZERO`).
pub const ZERO: f64 = 1e-8;
/// Minimum finite-difference increment (scopmath `STEP`).
pub const STEP: f64 = 1e-6;
/// Relative change tolerance (scopmath `CONVERGE`).
pub const CONVERGE: f64 = 1e-6;
/// The Jacobian is rebuilt when the relative change exceeds this (scopmath `MAXCHANGE`).
pub const MAXCHANGE: f64 = 0.05;
/// Newton iteration limit (scopmath `MAXITERS`).
pub const MAXITERS: usize = 50;

/// Why a solve failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SolveError {
    Singular,
    ExceededIterations,
}

/// Work arrays for the solvers, sized for the largest system of a mechanism.
#[derive(Debug, Clone, Default)]
pub struct SolverScratch {
    pub matrix: Vec<f64>,
    pub rhs: Vec<f64>,
    pub x: Vec<f64>,
    pub value: Vec<f64>,
    pub high: Vec<f64>,
    pub low: Vec<f64>,
    pub delta: Vec<f64>,
    pub rowmax: Vec<f64>,
    pub perm: Vec<usize>,
}

impl SolverScratch {
    /// Scratch for systems of up to `n` unknowns.
    pub fn with_size(n: usize) -> Self {
        SolverScratch {
            matrix: vec![0.0; n * n],
            rhs: vec![0.0; n],
            x: vec![0.0; n],
            value: vec![0.0; n],
            high: vec![0.0; n],
            low: vec![0.0; n],
            delta: vec![0.0; n],
            rowmax: vec![0.0; n],
            perm: vec![0; n],
        }
    }
}

/// scopmath `simeq`: solves `a·x = b` (a is n×n row-major, destroyed; b destroyed) into `x`,
/// with row pivoting by largest |a[i][j]|, row normalisation and back substitution in
/// scopmath's order.
pub fn simeq(
    n: usize,
    a: &mut [f64],
    b: &mut [f64],
    x: &mut [f64],
    perm: &mut [usize],
) -> Result<(), SolveError> {
    for (i, p) in perm.iter_mut().enumerate().take(n) {
        *p = i;
    }
    let at = |r: usize, c: usize| r * n + c;
    let mut isave = 0;
    for j in 0..n {
        let mut ipivot = perm[j];
        for i in j + 1..n {
            let jrow = perm[i];
            if a[at(ipivot, j)].abs() < a[at(jrow, j)].abs() {
                ipivot = jrow;
                isave = i;
            }
        }
        if a[at(ipivot, j)].abs() < ROUNDOFF {
            return Err(SolveError::Singular);
        }
        if ipivot != perm[j] {
            perm[isave] = perm[j];
            perm[j] = ipivot;
        }
        // Columns j+1..n plus the augmented column (b).
        let piv = a[at(ipivot, j)];
        for k in j + 1..n {
            a[at(ipivot, k)] /= piv;
        }
        b[ipivot] /= piv;
        for i in j + 1..n {
            let jrow = perm[i];
            let factor = a[at(jrow, j)];
            for k in j + 1..n {
                a[at(jrow, k)] -= a[at(ipivot, k)] * factor;
            }
            b[jrow] -= b[ipivot] * factor;
        }
    }
    for i in (0..n).rev() {
        let jrow = perm[i];
        x[i] = b[jrow];
        for j in i + 1..n {
            x[i] -= a[at(jrow, j)] * x[j];
        }
    }
    Ok(())
}

/// scopmath `crout`: LU factorisation in place with implicit equilibration (row maxima).
pub fn crout(
    n: usize,
    a: &mut [f64],
    perm: &mut [usize],
    rowmax: &mut [f64],
) -> Result<(), SolveError> {
    let at = |r: usize, c: usize| r * n + c;
    for i in 0..n {
        perm[i] = i;
        let mut k = 0;
        for j in 1..n {
            if a[at(i, j)].abs() > a[at(i, k)].abs() {
                k = j;
            }
        }
        rowmax[i] = a[at(i, k)];
    }
    let mut save_i = 0;
    for r in 0..n {
        for i in r..n {
            let irow = perm[i];
            let mut sum = 0.0;
            for k in 0..r {
                sum += a[at(irow, k)] * a[at(perm[k], r)];
            }
            a[at(irow, r)] -= sum;
        }
        let mut pivot = perm[r];
        let mut equil_1 = (a[at(pivot, r)] / rowmax[pivot]).abs();
        for i in r + 1..n {
            let irow = perm[i];
            let equil_2 = (a[at(irow, r)] / rowmax[irow]).abs();
            if equil_2 > equil_1 {
                pivot = irow;
                save_i = i;
                equil_1 = equil_2;
            }
        }
        if pivot != perm[r] {
            perm[save_i] = perm[r];
            perm[r] = pivot;
        }
        if a[at(pivot, r)].abs() < ROUNDOFF {
            return Err(SolveError::Singular);
        }
        for j in r + 1..n {
            let mut sum = 0.0;
            for k in 0..r {
                sum += a[at(pivot, k)] * a[at(perm[k], j)];
            }
            a[at(pivot, j)] = (a[at(pivot, j)] - sum) / a[at(pivot, r)];
        }
    }
    Ok(())
}

/// scopmath `solve` after [`crout`]: forward then back substitution into `p`.
pub fn crout_solve(n: usize, a: &[f64], b: &[f64], perm: &[usize], p: &mut [f64]) {
    let at = |r: usize, c: usize| r * n + c;
    for i in 0..n {
        let pivot = perm[i];
        let mut sum = 0.0;
        for j in 0..i {
            sum += a[at(pivot, j)] * p[j];
        }
        p[i] = (b[pivot] - sum) / a[at(pivot, i)];
    }
    for i in (0..n).rev() {
        let pivot = perm[i];
        let mut sum = 0.0;
        for j in i + 1..n {
            sum += a[at(pivot, j)] * p[j];
        }
        p[i] -= sum;
    }
}

/// The nonlinear system Newton works on: unknowns live in the caller's storage.
pub trait NewtonSystem {
    /// Reads unknown `i`.
    fn get(&mut self, i: usize) -> f64;
    /// Writes unknown `i`.
    fn set(&mut self, i: usize, value: f64);
    /// Evaluates every F_i at the current unknowns into `value`.
    fn residuals(&mut self, value: &mut [f64]);
}

/// `buildjacobian`: central differences with increment max(|0.02·x_j|, STEP); leaves `value`
/// holding F at the restored x (the last evaluation).
fn build_jacobian<S: NewtonSystem + ?Sized>(n: usize, sys: &mut S, s: &mut SolverScratch) {
    for j in 0..n {
        let xj = sys.get(j);
        let increment = (0.02 * xj).abs().max(STEP);
        sys.set(j, xj + increment);
        sys.residuals(&mut s.value[..n]);
        s.high[..n].copy_from_slice(&s.value[..n]);
        let up = sys.get(j);
        sys.set(j, up - 2.0 * increment);
        sys.residuals(&mut s.value[..n]);
        for i in 0..n {
            s.low[i] = s.value[i];
            s.matrix[i * n + j] = (s.high[i] - s.low[i]) / (2.0 * increment);
        }
        let down = sys.get(j);
        sys.set(j, down + increment);
        sys.residuals(&mut s.value[..n]);
    }
}

/// `nrn_newton_thread`: Newton's method with a finite-difference Jacobian that is rebuilt only
/// when the relative change exceeds MAXCHANGE; converged when the relative change ≤ 1e-6 and
/// max |F| ≤ 1e-8. With `clamp_nonnegative`, negative unknowns are set to 0 after each update
/// (the sparse solver's rule for KINETIC schemes).
pub fn newton<S: NewtonSystem + ?Sized>(
    n: usize,
    sys: &mut S,
    s: &mut SolverScratch,
    clamp_nonnegative: bool,
) -> Result<(), SolveError> {
    let mut change = 1.0;
    let mut count = 0;
    while count < MAXITERS {
        count += 1;
        if change > MAXCHANGE {
            build_jacobian(n, sys, s);
            for v in &mut s.value[..n] {
                *v = -*v;
            }
            let SolverScratch {
                matrix,
                perm,
                rowmax,
                ..
            } = s;
            crout(n, &mut matrix[..n * n], &mut perm[..n], &mut rowmax[..n])?;
        }
        {
            let SolverScratch {
                matrix,
                perm,
                value,
                delta,
                ..
            } = s;
            crout_solve(
                n,
                &matrix[..n * n],
                &value[..n],
                &perm[..n],
                &mut delta[..n],
            );
        }
        change = 0.0;
        for i in 0..n {
            let x = sys.get(i);
            if x.abs() > ZERO {
                let temp = (s.delta[i] / x).abs();
                if temp > change {
                    change = temp;
                }
            }
            let mut nx = x + s.delta[i];
            if clamp_nonnegative && nx < 0.0 {
                nx = 0.0;
            }
            sys.set(i, nx);
        }
        sys.residuals(&mut s.value[..n]);
        let mut max_dev: f64 = 0.0;
        for v in &mut s.value[..n] {
            *v = -*v;
            if v.abs() > max_dev {
                max_dev = v.abs();
            }
        }
        if change <= CONVERGE && max_dev <= ZERO {
            return Ok(());
        }
    }
    Err(SolveError::ExceededIterations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simeq_solves_a_pivoting_system() {
        // x + 2y + 3z = 14, 2x + y = 4 (needs pivoting: first column max is row 1), 3y + z = 9.
        let mut a = vec![1.0, 2.0, 3.0, 2.0, 1.0, 0.0, 0.0, 3.0, 1.0];
        let mut b = vec![14.0, 4.0, 9.0];
        let mut x = vec![0.0; 3];
        let mut perm = vec![0; 3];
        simeq(3, &mut a, &mut b, &mut x, &mut perm).unwrap();
        for (got, want) in x.iter().zip([1.0, 2.0, 3.0]) {
            assert!((got - want).abs() < 1e-12, "{x:?}");
        }
    }

    #[test]
    fn simeq_reports_singular() {
        let mut a = vec![1.0, 2.0, 2.0, 4.0];
        let mut b = vec![1.0, 2.0];
        let mut x = vec![0.0; 2];
        let mut perm = vec![0; 2];
        assert_eq!(
            simeq(2, &mut a, &mut b, &mut x, &mut perm),
            Err(SolveError::Singular)
        );
    }

    struct Circle {
        x: [f64; 2],
    }
    impl NewtonSystem for Circle {
        fn get(&mut self, i: usize) -> f64 {
            self.x[i]
        }
        fn set(&mut self, i: usize, v: f64) {
            self.x[i] = v;
        }
        fn residuals(&mut self, value: &mut [f64]) {
            // x² + y² = 4, x = y  →  x = y = √2
            value[0] = self.x[0] * self.x[0] + self.x[1] * self.x[1] - 4.0;
            value[1] = self.x[0] - self.x[1];
        }
    }

    #[test]
    fn newton_converges_on_a_nonlinear_system() {
        let mut sys = Circle { x: [1.0, 0.5] };
        let mut s = SolverScratch::with_size(2);
        newton(2, &mut sys, &mut s, false).unwrap();
        assert!((sys.x[0] - 2f64.sqrt()).abs() < 1e-8);
        assert!((sys.x[1] - 2f64.sqrt()).abs() < 1e-8);
    }
}
