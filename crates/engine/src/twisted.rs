//! The two-ended ("twisted") fast-math solve of an unbranched cable: a tree whose nodes form
//! one path, node k the parent of node k + 1 (one section, as the seed's HCO soma).
//!
//! On such a path the Hines elimination is a single dependency chain, leaf to root, each link a
//! division, a multiplication and a subtraction: the solve runs at the latency of the chain.
//! A tridiagonal system can instead be eliminated from both ends toward a *twist* node m
//! (Meurant's twisted factorisation): the *upper* part eliminates node k into k + 1 for
//! k = 0 … m − 1 (rows after the root's), the *lower* part node i into i − 1 for i = n − 1 …
//! m + 1 (NEURON's own order), and the two meet at m:
//!
//! upper: f = b(k+1)/d(k), d(k+1) −= f·a(k+1), rhs(k+1) −= f·rhs(k)
//! lower: g = a(i)/d(i),   d(i−1) −= g·b(i),  rhs(i−1) −= g·rhs(i)
//! x(m) = rhs(m)/d(m), then x(k) = (rhs(k) − a(k+1)·x(k+1))/d(k) going up and
//! x(i) = (rhs(i) − b(i)·x(i−1))/d(i) going down,
//!
//! (a(i): node i's term in its parent's row, b(i): the parent's term in node i's row). The two
//! halves are independent chains, interleaved here so that each hides the other's latency, and
//! with two threads each half runs on its own core (see [`crate::split`]): the lower half's
//! only contribution to the upper is the pair it would subtract from row m. The arithmetic
//! differs from NEURON's order by roundings (fast-math only); it depends on m alone, which the
//! engine derives from the partition, never from the thread count, so one and two threads give
//! the same bits.

/// The path's coefficients and the twist node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Twisted {
    /// a(k) and b(k) per node (node 0, the root, has neither).
    a: Vec<f64>,
    b: Vec<f64>,
    /// The node where the halves meet; the upper half is 0..=m.
    m: usize,
}

/// What the lower half subtracts from row m: (d, rhs).
pub(crate) type Contribution = (f64, f64);

impl Twisted {
    /// The path of `parent` (node k > 0 the child of k − 1, a single root), twisted at `m`;
    /// None if the nodes do not form such a path or m is not a node.
    pub(crate) fn new(parent: &[u32], a: &[f64], b: &[f64], m: usize) -> Option<Self> {
        let n = parent.len();
        let path = n >= 2
            && parent
                .iter()
                .skip(1)
                .enumerate()
                .all(|(k, &p)| p as usize == k);
        (path && m < n).then(|| Twisted {
            a: a.to_vec(),
            b: b.to_vec(),
            m,
        })
    }

    /// The same path twisted at `m`.
    pub(crate) fn new_like(other: &Twisted, m: usize) -> Option<Self> {
        (m < other.a.len()).then(|| Twisted { m, ..other.clone() })
    }

    /// a(k) and b(k): node k's term in its parent's row and the parent's term in node k's row.
    pub(crate) fn coefficients(&self, k: usize) -> (f64, f64) {
        (self.a[k], self.b[k])
    }

    /// The twist node.
    pub(crate) fn twist(&self) -> usize {
        self.m
    }

    /// Upper-half elimination (nodes 0 … m − 1 into their children), leaving 1/d(k) in d(k)
    /// and the eliminated rhs(k) in rhs(k); returns row m's (d, rhs) so far. Each node's
    /// running values stay in registers (no store-to-load round trip on the chain).
    pub(crate) fn eliminate_upper(&self, d: &mut [f64], rhs: &mut [f64]) -> (f64, f64) {
        let mut up = Upper::start(d, rhs);
        (0..self.m).for_each(|k| up.step(self, k, d, rhs));
        (up.d, up.r)
    }

    /// Lower-half elimination (nodes n − 1 … m + 1, as NEURON's), leaving 1/d(i) in d(i) and
    /// the eliminated rhs(i) in rhs(i); returns node m + 1's contribution to row m.
    pub(crate) fn eliminate_lower(&self, d: &mut [f64], rhs: &mut [f64]) -> Contribution {
        let mut low = Lower::start(d, rhs);
        for i in (self.m + 1..d.len()).rev() {
            low.step(self, i, d, rhs);
        }
        low.out
    }

    /// x(m) from row m's running values and the lower half's contribution, into rhs(m).
    pub(crate) fn join(&self, row: (f64, f64), c: Contribution, rhs: &mut [f64]) -> f64 {
        let x = Self::joined(row, c);
        rhs[self.m] = x;
        x
    }

    /// x(m) from row m's running values and the lower half's contribution.
    pub(crate) fn joined(row: (f64, f64), c: Contribution) -> f64 {
        (row.1 - c.1) / (row.0 - c.0)
    }

    /// Upper-half substitution: x(m − 1) … x(0), from x(m).
    pub(crate) fn substitute_upper(&self, xm: f64, d: &[f64], rhs: &mut [f64]) {
        let mut x = xm;
        for k in (0..self.m).rev() {
            x = (rhs[k] - self.a[k + 1] * x) * d[k];
            rhs[k] = x;
        }
    }

    /// Lower-half substitution: x(m + 1) … x(n − 1), from x(m).
    pub(crate) fn substitute_lower(&self, xm: f64, d: &[f64], rhs: &mut [f64]) {
        let mut x = xm;
        for i in self.m + 1..d.len() {
            x = (rhs[i] - self.b[i] * x) * d[i];
            rhs[i] = x;
        }
    }

    /// The whole solve on one thread, the two halves interleaved step by step (each node gets
    /// exactly the operations of [`Self::eliminate_upper`] … [`Self::substitute_lower`]).
    pub(crate) fn solve(&self, d: &mut [f64], rhs: &mut [f64]) {
        let (m, n) = (self.m, d.len());
        let mut up = Upper::start(d, rhs);
        let mut low = Lower::start(d, rhs);
        let (mut k, mut i) = (0, n - 1);
        while k < m && i > m {
            up.step(self, k, d, rhs);
            low.step(self, i, d, rhs);
            k += 1;
            i -= 1;
        }
        for k in k..m {
            up.step(self, k, d, rhs);
        }
        for i in (m + 1..=i).rev() {
            low.step(self, i, d, rhs);
        }
        let xm = self.join((up.d, up.r), low.out, rhs);
        let (mut xu, mut xl) = (xm, xm);
        let (mut k, mut i) = (m, m + 1);
        while k > 0 && i < n {
            k -= 1;
            xu = (rhs[k] - self.a[k + 1] * xu) * d[k];
            rhs[k] = xu;
            xl = (rhs[i] - self.b[i] * xl) * d[i];
            rhs[i] = xl;
            i += 1;
        }
        for k in (0..k).rev() {
            xu = (rhs[k] - self.a[k + 1] * xu) * d[k];
            rhs[k] = xu;
        }
        for i in i..n {
            xl = (rhs[i] - self.b[i] * xl) * d[i];
            rhs[i] = xl;
        }
    }
}

/// The upper elimination's running row: (d, rhs) of the next node to eliminate.
struct Upper {
    d: f64,
    r: f64,
}

impl Upper {
    fn start(d: &[f64], rhs: &[f64]) -> Self {
        Upper { d: d[0], r: rhs[0] }
    }

    /// Eliminates node k into k + 1.
    #[inline(always)]
    fn step(&mut self, t: &Twisted, k: usize, d: &mut [f64], rhs: &mut [f64]) {
        let r = 1.0 / self.d;
        d[k] = r;
        rhs[k] = self.r;
        let f = t.b[k + 1] * r;
        self.d = d[k + 1] - f * t.a[k + 1];
        self.r = rhs[k + 1] - f * self.r;
    }
}

/// The lower elimination's running row, and node m + 1's contribution once it is reached.
struct Lower {
    d: f64,
    r: f64,
    out: Contribution,
}

impl Lower {
    fn start(d: &[f64], rhs: &[f64]) -> Self {
        let last = d.len() - 1;
        Lower {
            d: d[last],
            r: rhs[last],
            out: (0.0, 0.0),
        }
    }

    /// Eliminates node i into i − 1 (or, for i = m + 1, records the contribution to row m).
    #[inline(always)]
    fn step(&mut self, t: &Twisted, i: usize, d: &mut [f64], rhs: &mut [f64]) {
        let r = 1.0 / self.d;
        d[i] = r;
        rhs[i] = self.r;
        let g = t.a[i] * r;
        let (dd, dr) = (g * t.b[i], g * self.r);
        if i == t.m + 1 {
            self.out = (dd, dr);
        } else {
            self.d = d[i - 1] - dd;
            self.r = rhs[i - 1] - dr;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Twisted;
    use crate::{Discretization, HinesMatrix};
    use model::{CellDescription, Section};

    /// One section of `nseg` segments: root, nseg membrane nodes, end node.
    fn cable(nseg: usize) -> Discretization {
        let mut c = CellDescription::new("cable");
        let mut s = Section::new("s");
        s.length = 400.0;
        s.set_nseg(nseg).unwrap();
        s.set_range("diam", 3.0).unwrap();
        c.add_section(s);
        Discretization::new(&[c]).unwrap()
    }

    fn system(n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let v = (0..n)
            .map(|i| -60.0 + 5.0 * (i as f64 * 0.9).sin())
            .collect();
        let d = (0..n).map(|i| 40.0 + (i as f64 * 0.37).cos()).collect();
        let r = (0..n).map(|i| 1e-3 * (i as f64 * 0.21).sin()).collect();
        (v, d, r)
    }

    #[test]
    fn twisted_solve_agrees_with_the_exact_one_for_every_twist() {
        let disc = cable(51);
        let n = disc.len();
        let exact = HinesMatrix::new(&disc).unwrap();
        let (v, d0, r0) = system(n);
        let (mut dx, mut rx) = (d0.clone(), r0.clone());
        exact.assemble(0.04, &v, &mut dx, &mut rx);
        let (da, ra) = (dx.clone(), rx.clone());
        let mut exact = exact;
        exact.solve(&mut dx, &mut rx);
        for m in [0, 1, 17, n / 2, n - 2, n - 1] {
            let t = Twisted::new(&disc.parent, &disc.a, &disc.b, m).expect("a path");
            let (mut d, mut r) = (da.clone(), ra.clone());
            t.solve(&mut d, &mut r);
            for (got, want) in r.iter().zip(&rx) {
                assert!(
                    (got - want).abs() <= 1e-12 * want.abs().max(1e-9),
                    "m {m}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn the_halves_give_the_bits_of_the_interleaved_solve() {
        let disc = cable(40);
        let n = disc.len();
        let m = 13;
        let t = Twisted::new(&disc.parent, &disc.a, &disc.b, m).unwrap();
        let (_, d0, r0) = system(n);
        let (mut d1, mut r1) = (d0.clone(), r0.clone());
        t.solve(&mut d1, &mut r1);
        let (mut d2, mut r2) = (d0, r0);
        let row = t.eliminate_upper(&mut d2, &mut r2);
        let c = t.eliminate_lower(&mut d2, &mut r2);
        let xm = t.join(row, c, &mut r2);
        t.substitute_upper(xm, &d2, &mut r2);
        t.substitute_lower(xm, &d2, &mut r2);
        let bits = |x: &[f64]| x.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&r1), bits(&r2));
    }

    #[test]
    fn only_paths_are_twisted() {
        let mut c = CellDescription::new("branched");
        for k in 0..3 {
            let mut s = Section::new(format!("s{k}"));
            s.length = 50.0;
            s.set_nseg(3).unwrap();
            let i = c.add_section(s);
            if k > 0 {
                c.connect(i, 0.0, 0, 1.0).unwrap();
            }
        }
        let disc = Discretization::new(&[c]).unwrap();
        assert!(Twisted::new(&disc.parent, &disc.a, &disc.b, 2).is_none());
        let one = cable(3);
        assert!(Twisted::new(&one.parent, &one.a, &one.b, 2).is_some());
        let mut cell = CellDescription::new("c");
        cell.add_section(Section::new("s"));
        let two = Discretization::new(&[cell.clone(), cell]).unwrap();
        assert!(
            Twisted::new(&two.parent, &two.a, &two.b, 1).is_none(),
            "two roots"
        );
    }
}
