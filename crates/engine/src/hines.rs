//! The tree matrix of the cable equation and its Hines elimination (`treeset.cpp`,
//! `solve.cpp`), laid out for the per-step loops.
//!
//! Node i > roots couples to its parent p(i) < i through the off-diagonals a(i) (row p, column
//! i) and b(i) (row i, column p). Per step the engine adds the axial currents
//!
//! rhs(i) −= b(i)·(v(p) − v(i)),  rhs(p) += a(i)·(v(p) − v(i)),
//!
//! the capacitive term d(i) += c·cm(i) and the axial conductances d(i) −= b(i), d(p) −= a(i),
//! and solves d·x = rhs by eliminating
//! leaves into parents (i descending) and substituting back (i ascending). Every floating
//! point operation happens in NEURON's order, so results are bit-identical to it.
//!
//! The coefficients of the non-root nodes are packed one record per node, so each sweep reads
//! one stream besides `d`, `rhs` and `v`.
//!
//! # Interleaved branches
//!
//! Along an unbranched cable the elimination is one long dependency chain (a division, a
//! multiplication and a subtraction per node), so a sweep in node order runs at the latency
//! of that chain while the divider idles. But a node's elimination only needs its children
//! eliminated, and siblings only need to update their parent in NEURON's (descending) order;
//! different branches and different trees (cells) are otherwise independent. The schedule
//! therefore takes up to [`INTERLEAVE`] independent nodes at a time, so that many chains
//! overlap in the pipeline. Every node still receives its updates in NEURON's order
//! (children in descending order before the node itself for the elimination; the reverse
//! schedule, parent before child and siblings ascending, for the substitution and the tree
//! setup), which is all that matters for every bit of the result.

use crate::{Discretization, Error};

/// Number of independent nodes the schedule takes at a time.
pub const INTERLEAVE: usize = 8;

/// Coupling of one non-root node to its parent.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Edge {
    a: f64,
    b: f64,
    /// Specific capacitance of a membrane node, 0 elsewhere.
    cm: f64,
    node: u32,
    parent: u32,
}

/// The tree matrix of a [`Discretization`]: the order, parents and off-diagonals.
#[derive(Debug, Clone, PartialEq)]
pub struct HinesMatrix {
    roots: usize,
    /// Root nodes with membrane capacitance (none in NEURON's layout; kept for exactness).
    root_cap: Vec<(u32, f64)>,
    nodes: usize,
    /// Every non-root node once, in an elimination order that interleaves independent
    /// branches (see the module docs). Reversed, it is the substitution order.
    schedule: Vec<Edge>,
}

impl HinesMatrix {
    /// Packs the tree of `disc`, checking that its arrays agree and that every non-root node
    /// comes after its parent (as [`Discretization::new`] guarantees).
    pub fn new(disc: &Discretization) -> Result<Self, Error> {
        let n = disc.len();
        let roots = disc.roots;
        let lengths = [
            disc.a.len(),
            disc.b.len(),
            disc.cm.len(),
            disc.segment.len(),
        ];
        if roots > n || lengths.iter().any(|&l| l != n) {
            return Err(Error::BadLayout {
                node: roots.min(n),
                what: "node arrays of different lengths",
            });
        }
        // What must precede each node's elimination: its children, and its next higher
        // sibling (siblings update the parent's d and rhs in descending order).
        let mut waits = vec![0u32; n];
        let mut lower_sibling = vec![u32::MAX; n];
        let mut last_child = vec![u32::MAX; n];
        for (i, &parent) in disc.parent.iter().enumerate().skip(roots) {
            if parent as usize >= i {
                return Err(Error::BadLayout {
                    node: i,
                    what: "a node precedes its parent",
                });
            }
            let p = parent as usize;
            waits[p] += 1;
            if last_child[p] != u32::MAX {
                lower_sibling[i] = last_child[p];
                waits[last_child[p] as usize] += 1;
            }
            last_child[p] = i as u32;
        }
        let cm = |i: usize| {
            if disc.segment[i].is_some() {
                disc.cm[i]
            } else {
                0.0
            }
        };
        let root_cap = (0..roots)
            .filter(|&i| cm(i) != 0.0)
            .map(|i| (i as u32, cm(i)))
            .collect();
        let edge = |i: usize| Edge {
            a: disc.a[i],
            b: disc.b[i],
            cm: cm(i),
            node: i as u32,
            parent: disc.parent[i],
        };
        // List scheduling in rounds of up to INTERLEAVE mutually independent nodes, highest
        // index first (close to NEURON's order, for locality).
        let mut ready: std::collections::BinaryHeap<u32> = (roots..n)
            .filter(|&i| waits[i] == 0)
            .map(|i| i as u32)
            .collect();
        let mut round = Vec::with_capacity(INTERLEAVE);
        let mut schedule = Vec::with_capacity(n - roots);
        while !ready.is_empty() {
            round.clear();
            while round.len() < INTERLEAVE {
                match ready.pop() {
                    Some(i) => round.push(i as usize),
                    None => break,
                }
            }
            for &i in &round {
                schedule.push(edge(i));
                for next in [disc.parent[i] as usize, lower_sibling[i] as usize] {
                    if (roots..n).contains(&next) {
                        waits[next] -= 1;
                        if waits[next] == 0 {
                            ready.push(next as u32);
                        }
                    }
                }
            }
        }
        debug_assert_eq!(schedule.len(), n - roots);
        Ok(HinesMatrix {
            roots: disc.roots,
            root_cap,
            nodes: n,
            schedule,
        })
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes
    }

    /// True if there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds the axial currents of `v` to `rhs` (the end of `setup_tree_matrix`'s rhs part).
    ///
    /// # Panics
    /// If `v` or `rhs` is shorter than [`Self::len`].
    pub fn add_axial_currents(&self, v: &[f64], rhs: &mut [f64]) {
        let n = self.len();
        let (v, rhs) = (&v[..n], &mut rhs[..n]);
        for e in self.schedule.iter().rev() {
            let (i, p) = (e.node as usize, e.parent as usize);
            let dv = v[p] - v[i];
            rhs[i] -= e.b * dv;
            rhs[p] += e.a * dv;
        }
    }

    /// Adds the capacitive term `cfac`·cm of every membrane node (`nrn_cap_jacob`), then the
    /// axial conductances, to the diagonal `d`, in one pass.
    ///
    /// Exactness: NEURON adds the capacitance of all membrane nodes before any axial term.
    /// Here a node gets its capacitance right before its own axial term, i.e. after its parent
    /// but before its children touch it, so every d(i) still sees the same operations in the
    /// same order. Nodes without membrane add cfac·0 = +0, an identity for d, which is
    /// accumulated from +0 and so never −0.
    ///
    /// # Panics
    /// If `d` is shorter than [`Self::len`].
    pub fn add_capacitance_and_axial_conductances(&self, cfac: f64, d: &mut [f64]) {
        let n = self.len();
        let d = &mut d[..n];
        for &(r, cm) in &self.root_cap {
            d[r as usize] += cfac * cm;
        }
        for e in self.schedule.iter().rev() {
            let i = e.node as usize;
            d[i] += cfac * e.cm;
            d[i] -= e.b;
            d[e.parent as usize] -= e.a;
        }
    }

    /// Hines elimination (`triang` then `bksub`): solves the system with diagonal `d` and
    /// right-hand side `rhs`; the solution replaces `rhs` and `d` is overwritten.
    ///
    /// # Panics
    /// If `d` or `rhs` is shorter than [`Self::len`].
    pub fn solve(&self, d: &mut [f64], rhs: &mut [f64]) {
        let n = self.len();
        let (d, rhs) = (&mut d[..n], &mut rhs[..n]);
        for e in &self.schedule {
            let i = e.node as usize;
            let p = e.a / d[i];
            let pi = e.parent as usize;
            d[pi] -= p * e.b;
            rhs[pi] -= p * rhs[i];
        }
        for (r, &dd) in rhs[..self.roots].iter_mut().zip(&d[..self.roots]) {
            *r /= dd;
        }
        for e in self.schedule.iter().rev() {
            let i = e.node as usize;
            rhs[i] -= e.b * rhs[e.parent as usize];
            rhs[i] /= d[i];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{CellDescription, Section};

    /// A soma with two 5-segment dendrites.
    fn cell() -> CellDescription {
        let mut c = CellDescription::new("t");
        let mut soma = Section::new("soma");
        soma.length = 20.0;
        soma.set_range("diam", 20.0).unwrap();
        c.add_section(soma);
        for k in 0..2 {
            let mut dend = Section::new(format!("dend{k}"));
            dend.length = 200.0;
            dend.set_nseg(5).unwrap();
            dend.set_range("diam", 2.0 + k as f64).unwrap();
            let i = c.add_section(dend);
            c.connect(i, 0.0, 0, 1.0).unwrap();
        }
        c
    }

    /// Cells of different sizes: a soma with `k` dendrites of 3 + k segments.
    fn cells(count: usize) -> Vec<CellDescription> {
        (0..count)
            .map(|k| {
                let mut c = CellDescription::new("t");
                let mut soma = Section::new("soma");
                soma.length = 20.0;
                soma.set_range("diam", 20.0).unwrap();
                c.add_section(soma);
                for j in 0..k % 4 + 1 {
                    let mut dend = Section::new(format!("dend{j}"));
                    dend.length = 100.0 + 10.0 * k as f64;
                    dend.set_nseg(3 + k).unwrap();
                    dend.set_range("diam", 1.0 + j as f64).unwrap();
                    let i = c.add_section(dend);
                    c.connect(i, 0.0, (i - 1) * (j % 2), 1.0).unwrap();
                }
                c
            })
            .collect()
    }

    /// NEURON's sweeps in plain node order.
    fn reference(disc: &Discretization, v: &[f64], cfac: f64, d: &mut [f64], rhs: &mut [f64]) {
        let n = disc.len();
        for i in disc.roots..n {
            let p = disc.parent[i] as usize;
            let dv = v[p] - v[i];
            rhs[i] -= disc.b[i] * dv;
            rhs[p] += disc.a[i] * dv;
        }
        for i in (0..n).filter(|&i| disc.segment[i].is_some()) {
            d[i] += cfac * disc.cm[i];
        }
        for i in disc.roots..n {
            d[i] -= disc.b[i];
            d[disc.parent[i] as usize] -= disc.a[i];
        }
        for i in (disc.roots..n).rev() {
            let p = disc.a[i] / d[i];
            let pi = disc.parent[i] as usize;
            d[pi] -= p * disc.b[i];
            rhs[pi] -= p * rhs[i];
        }
        for i in 0..disc.roots {
            rhs[i] /= d[i];
        }
        for i in disc.roots..n {
            rhs[i] -= disc.b[i] * rhs[disc.parent[i] as usize];
            rhs[i] /= d[i];
        }
    }

    #[test]
    fn interleaved_sweeps_match_node_order_bitwise() {
        let disc = Discretization::new(&cells(2 * INTERLEAVE + 3)).unwrap();
        let m = HinesMatrix::new(&disc).unwrap();
        let n = m.len();
        let v: Vec<f64> = (0..n).map(|i| -65.0 + (i as f64 * 1.3).sin()).collect();
        let d0: Vec<f64> = (0..n).map(|i| 30.0 + (i as f64 * 0.37).cos()).collect();
        let r0: Vec<f64> = (0..n).map(|i| (i as f64 * 0.11).sin() * 1e-3).collect();
        let (mut d1, mut r1) = (d0.clone(), r0.clone());
        let cfac = 0.001 / 0.025;
        reference(&disc, &v, cfac, &mut d1, &mut r1);
        let (mut d2, mut r2) = (d0, r0);
        m.add_axial_currents(&v, &mut r2);
        m.add_capacitance_and_axial_conductances(cfac, &mut d2);
        m.solve(&mut d2, &mut r2);
        let bits = |x: &[f64]| x.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&r1), bits(&r2));
        assert_eq!(bits(&d1), bits(&d2));
    }

    #[test]
    fn a_node_before_its_parent_is_an_error() {
        let mut disc = Discretization::new(&[cell()]).unwrap();
        let last = disc.len() - 1;
        disc.parent[3] = last as u32;
        assert_eq!(
            HinesMatrix::new(&disc),
            Err(Error::BadLayout {
                node: 3,
                what: "a node precedes its parent"
            })
        );
    }

    #[test]
    fn solve_inverts_the_tree_matrix() {
        let disc = Discretization::new(&[cell()]).unwrap();
        let m = HinesMatrix::new(&disc).unwrap();
        let n = m.len();
        let d0: Vec<f64> = (0..n).map(|i| 50.0 + i as f64).collect();
        let mut d = d0.clone();
        m.add_capacitance_and_axial_conductances(0.0, &mut d);
        let diag = d.clone();
        let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.7).sin()).collect();
        // rhs = A·x with A(i,i) = diag(i), A(p,i) = a(i), A(i,p) = b(i).
        let mut rhs: Vec<f64> = (0..n).map(|i| diag[i] * x[i]).collect();
        for i in disc.roots..n {
            let p = disc.parent[i] as usize;
            rhs[p] += disc.a[i] * x[i];
            rhs[i] += disc.b[i] * x[p];
        }
        m.solve(&mut d, &mut rhs);
        for (got, want) in rhs.iter().zip(&x) {
            assert!((got - want).abs() < 1e-9, "{got} vs {want}");
        }
    }
}
