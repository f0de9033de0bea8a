//! The per-step assembly of the tree matrix (the axial part of `setup_tree_matrix`):
//! capacitance and axial conductances into the diagonal d, axial currents into rhs, done node by
//! node in one streaming pass.
//!
//! # Exactness
//!
//! NEURON adds, for every node k with parent p(k) and children c (ascending),
//!
//! rhs(k) −= b(k)·(v(p) − v(k)),  then rhs(k) += a(c)·(v(k) − v(c)) per child;
//! d(k) += cfac·cm(k),  d(k) −= b(k),  then d(k) −= a(c) per child,
//!
//! spread over sweeps that scatter each edge's terms into both of its ends. Only the order in
//! which one node receives its terms matters for its bits, and the terms of a node read nothing
//! but constants and v. So each node can gather all of its terms at once, in that order, with
//! one load and one store of d(k) and rhs(k): no scattered read-modify-writes and no
//! store-to-load dependencies between nodes. The rhs terms come after the mechanisms' jacobians
//! here (NEURON adds them before), which changes nothing: jacobians touch only d.
//!
//! # Layout
//!
//! Nodes are grouped by the shape of their terms, so that no loop branches on the data: the
//! interior of unbranched sections (parent k − s, only child k + s, where s is 1, or the number
//! of copies interleaved by `crate::interleave`: most nodes) as runs over contiguous memory,
//! which the compiler vectorises (AVX2 where the host has it); other nodes with one child;
//! leaves; and roots and branch points with their list of children.

use crate::{Discretization, NO_PARENT};

/// A non-root node with exactly one child: its own terms and its child's.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ChainNode {
    /// Specific capacitance of a membrane node, 0 elsewhere.
    cm: f64,
    b: f64,
    /// a(child).
    a: f64,
    node: u32,
    parent: u32,
    child: u32,
}

/// A non-root node without children.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LeafNode {
    cm: f64,
    b: f64,
    node: u32,
    parent: u32,
}

/// Any other node (roots, branch points): its own terms if it is not a root, then its
/// children's.
#[derive(Debug, Clone, Copy, PartialEq)]
struct OtherNode {
    /// Specific capacitance; for a root, 0 unless it has membrane.
    cm: f64,
    b: f64,
    node: u32,
    /// Parent, or [`crate::NO_PARENT`] for a root.
    parent: u32,
    /// Number of children, which follow in the child list.
    children: u32,
}

/// A child's coupling into its parent's equation.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ChildTerm {
    a: f64,
    node: u32,
}

/// The constant coefficients of the assembly, grouped by the shape of a node's terms so that
/// each group's loop is free of data-dependent branches.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Assembly {
    nodes: usize,
    /// Maximal runs (first node, length, stride s) of consecutive nodes k whose parent is
    /// k − s and whose only child is k + s: the interior of an unbranched section (s = 1), or
    /// of s interleaved copies of one (see `crate::interleave`). Their terms form a stencil
    /// over contiguous memory, which the compiler vectorises.
    runs: Vec<(u32, u32, u32)>,
    /// Per node: cm of a membrane node (0 elsewhere), b, and a of its only child (used for
    /// the nodes of `runs`).
    run_cm: Vec<f64>,
    run_b: Vec<f64>,
    run_a_child: Vec<f64>,
    /// Whether the host has AVX2 (wider lanes for the stencil; the same operations per node).
    pub(crate) avx2: bool,
    chain: Vec<ChainNode>,
    leaves: Vec<LeafNode>,
    other: Vec<OtherNode>,
    /// The children of `other[0]` (ascending), then those of `other[1]`, …
    children: Vec<ChildTerm>,
}

impl Assembly {
    /// Gathers the coefficients of `disc`, whose arrays must all have `disc.len()` entries and
    /// whose non-root nodes must come after their parents (checked by the caller).
    pub fn new(disc: &Discretization) -> Self {
        Self::new_in(disc, 0..disc.len())
    }

    /// The assembly of the nodes in `range` only (their terms still read v anywhere): each
    /// half of a path solved on two threads assembles its own nodes (see `crate::twisted`).
    pub fn new_in(disc: &Discretization, range: std::ops::Range<usize>) -> Self {
        let n = disc.len();
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); n];
        for c in disc.roots..n {
            children[disc.parent[c] as usize].push(c as u32);
        }
        let cm = |k: usize| {
            if disc.segment[k].is_some() {
                disc.cm[k]
            } else {
                0.0
            }
        };
        let mut asm = Assembly {
            nodes: n,
            runs: Vec::new(),
            run_cm: (0..n).map(cm).collect(),
            run_b: disc.b.clone(),
            run_a_child: vec![0.0; n],
            avx2: has_avx2(),
            chain: Vec::new(),
            leaves: Vec::new(),
            other: Vec::new(),
            children: Vec::new(),
        };
        for (k, kids) in children.iter().enumerate() {
            if !range.contains(&k) {
                continue;
            }
            let (node, parent) = (k as u32, disc.parent[k]);
            match kids[..] {
                [child]
                    if k >= disc.roots
                        && (parent as usize) < k
                        && child as usize == 2 * k - parent as usize =>
                {
                    asm.run_a_child[k] = disc.a[child as usize];
                    let stride = node - parent;
                    match asm.runs.last_mut() {
                        Some((first, len, s)) if (*first + *len) as usize == k && *s == stride => {
                            *len += 1
                        }
                        _ => asm.runs.push((node, 1, stride)),
                    }
                }
                [] if k >= disc.roots => asm.leaves.push(LeafNode {
                    cm: cm(k),
                    b: disc.b[k],
                    node,
                    parent,
                }),
                [child] if k >= disc.roots => asm.chain.push(ChainNode {
                    cm: cm(k),
                    b: disc.b[k],
                    a: disc.a[child as usize],
                    node,
                    parent,
                    child,
                }),
                _ => {
                    asm.other.push(OtherNode {
                        cm: cm(k),
                        b: disc.b[k],
                        node,
                        parent: if k >= disc.roots { parent } else { NO_PARENT },
                        children: kids.len() as u32,
                    });
                    asm.children.extend(kids.iter().map(|&c| ChildTerm {
                        a: disc.a[c as usize],
                        node: c,
                    }));
                }
            }
        }
        asm
    }

    /// Adds the capacitive term `cfac`·cm and the axial conductances to `d` and the axial
    /// currents of `v` to `rhs`.
    ///
    /// # Panics
    /// If `v`, `d` or `rhs` is shorter than the number of nodes.
    pub fn assemble(&self, cfac: f64, v: &[f64], d: &mut [f64], rhs: &mut [f64]) {
        self.terms::<false>(cfac, v, d, rhs);
    }

    /// Fast-math: sets `d` and `rhs` to the capacitive and axial terms alone (as
    /// [`Self::assemble`] on zeroed arrays), before the mechanisms add theirs: one pass that
    /// writes d and rhs instead of zeroing them, then reading and writing them again. Each
    /// node's sum then starts with the axial terms instead of ending with them (other roundings
    /// than NEURON's).
    pub fn assemble_first(&self, cfac: f64, v: &[f64], d: &mut [f64], rhs: &mut [f64]) {
        self.terms::<true>(cfac, v, d, rhs);
    }

    /// [`Self::assemble`], or with `FIRST` [`Self::assemble_first`] (every node is written:
    /// each is in exactly one of the groups).
    #[inline(always)]
    fn terms<const FIRST: bool>(&self, cfac: f64, v: &[f64], d: &mut [f64], rhs: &mut [f64]) {
        let n = self.nodes;
        let (v, d, rhs) = (&v[..n], &mut d[..n], &mut rhs[..n]);
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: the host has AVX2 (checked when the assembly was built).
            unsafe { self.runs_avx2::<FIRST>(cfac, v, d, rhs) };
        } else {
            self.runs::<FIRST>(cfac, v, d, rhs);
        }
        #[cfg(not(target_arch = "x86_64"))]
        self.runs::<FIRST>(cfac, v, d, rhs);
        let start = |x: f64| if FIRST { 0.0 } else { x };
        for t in &self.chain {
            let k = t.node as usize;
            let vk = v[k];
            let mut dk = start(d[k]) + cfac * t.cm;
            dk -= t.b;
            dk -= t.a;
            d[k] = dk;
            let mut rk = start(rhs[k]) - t.b * (v[t.parent as usize] - vk);
            rk += t.a * (vk - v[t.child as usize]);
            rhs[k] = rk;
        }
        for t in &self.leaves {
            let k = t.node as usize;
            let dk = start(d[k]) + cfac * t.cm;
            d[k] = dk - t.b;
            rhs[k] = start(rhs[k]) - t.b * (v[t.parent as usize] - v[k]);
        }
        let mut children = self.children.iter();
        for t in &self.other {
            let k = t.node as usize;
            let (mut dk, mut rk, vk) = (start(d[k]), start(rhs[k]), v[k]);
            if t.parent != NO_PARENT {
                dk += cfac * t.cm;
                dk -= t.b;
                rk -= t.b * (v[t.parent as usize] - vk);
            } else if t.cm != 0.0 {
                // A root with membrane (not in NEURON's layout) gets its capacitance too.
                dk += cfac * t.cm;
            }
            for c in children.by_ref().take(t.children as usize) {
                dk -= c.a;
                rk += c.a * (vk - v[c.node as usize]);
            }
            d[k] = dk;
            rhs[k] = rk;
        }
    }

    /// The terms of the nodes of every run.
    #[inline(always)]
    fn runs<const FIRST: bool>(&self, cfac: f64, v: &[f64], d: &mut [f64], rhs: &mut [f64]) {
        for &(first, len, stride) in &self.runs {
            let (k, end, s) = (first as usize, (first + len) as usize, stride as usize);
            let run = Run {
                cm: &self.run_cm[k..end],
                b: &self.run_b[k..end],
                a_child: &self.run_a_child[k..end],
                v_parent: &v[k - s..end - s],
                v: &v[k..end],
                v_child: &v[k + s..end + s],
            };
            run.assemble::<FIRST>(cfac, &mut d[k..end], &mut rhs[k..end]);
        }
    }

    /// [`Self::runs`] compiled for AVX2 lanes (Rust never fuses a multiply and an add, so
    /// each lane performs exactly the scalar operations).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn runs_avx2<const FIRST: bool>(&self, cfac: f64, v: &[f64], d: &mut [f64], rhs: &mut [f64]) {
        self.runs::<FIRST>(cfac, v, d, rhs);
    }
}

/// The coefficients and voltages of one run of unbranched interior nodes, all of one length.
struct Run<'a> {
    cm: &'a [f64],
    b: &'a [f64],
    a_child: &'a [f64],
    v_parent: &'a [f64],
    v: &'a [f64],
    v_child: &'a [f64],
}

impl Run<'_> {
    /// The terms of every node of the run, in NEURON's order per node (see the module docs);
    /// with `FIRST` on zero rather than on d and rhs.
    #[inline(always)]
    fn assemble<const FIRST: bool>(&self, cfac: f64, d: &mut [f64], rhs: &mut [f64]) {
        let nodes = self
            .cm
            .iter()
            .zip(self.b)
            .zip(self.a_child)
            .zip(self.v_parent.iter().zip(self.v).zip(self.v_child));
        for (((((&cm, &b), &a), ((&vp, &vk), &vc)), dk), rk) in nodes.zip(d).zip(rhs) {
            let (d0, r0) = if FIRST { (0.0, 0.0) } else { (*dk, *rk) };
            let mut dn = d0 + cfac * cm;
            dn -= b;
            *dk = dn - a;
            let rn = r0 - b * (vp - vk);
            *rk = rn + a * (vk - vc);
        }
    }
}

/// Whether the host has AVX2.
fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}
