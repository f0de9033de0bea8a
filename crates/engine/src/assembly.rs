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
//! leaves; and roots and branch points with their list of children. Other one-child nodes
//! and leaves that come as rows of four interleaved copies (consecutive nodes, parents and
//! children) are assembled four at a time too.

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

/// Four consecutive [`ChainNode`]s (or, with `a` = 0 and no child, [`LeafNode`]s) whose
/// parents and children are consecutive too: a row of interleaved cells
/// (`crate::interleave`), assembled lane by lane with whole-vector loads and stores.
#[derive(Debug, Clone, Copy, PartialEq)]
struct NodeRow {
    cm: [f64; ROW],
    b: [f64; ROW],
    /// a(child) per lane (chain rows only).
    a: [f64; ROW],
    node: u32,
    parent: u32,
    /// First child (chain rows only).
    child: u32,
}

/// Four consecutive [`OtherNode`]s (roots, or branch points with consecutive parents) with as
/// many children each, child j of lane l being child j of lane 0 plus l.
#[derive(Debug, Clone, Copy, PartialEq)]
struct OtherRow {
    cm: [f64; ROW],
    b: [f64; ROW],
    node: u32,
    /// First lane's parent, or [`NO_PARENT`] for a row of roots.
    parent: u32,
    /// The row's children are `other_row_children[first..first + count]`.
    first: u32,
    count: u32,
}

/// Lanes of a [`NodeRow`].
const ROW: usize = 4;

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
    /// Rows of four chain nodes, and of four leaves (see [`NodeRow`]).
    chain_rows: Vec<NodeRow>,
    leaf_rows: Vec<NodeRow>,
    /// Rows of four roots or branch points, and their children's a per lane and first node.
    other_rows: Vec<OtherRow>,
    other_row_children: Vec<([f64; ROW], u32)>,
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
            chain_rows: Vec::new(),
            leaf_rows: Vec::new(),
            other_rows: Vec::new(),
            other_row_children: Vec::new(),
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
        let chain = std::mem::take(&mut asm.chain);
        (asm.chain_rows, asm.chain) =
            rows_of(chain, |c| (c.node, c.parent, c.child, [c.cm, c.b, c.a]));
        let leaves = std::mem::take(&mut asm.leaves);
        (asm.leaf_rows, asm.leaves) = rows_of(leaves, |l| (l.node, l.parent, 0, [l.cm, l.b, 0.0]));
        asm.group_other_rows();
        asm
    }

    /// Moves rows of four `other` nodes (see [`OtherRow`]) out of `other` and `children`.
    fn group_other_rows(&mut self) {
        let (other, children) = (
            std::mem::take(&mut self.other),
            std::mem::take(&mut self.children),
        );
        let mut at = Vec::with_capacity(other.len());
        let mut next = 0usize;
        for o in &other {
            at.push(next);
            next += o.children as usize;
        }
        let kids = |i: usize| &children[at[i]..at[i] + other[i].children as usize];
        let fits = |i: usize| {
            let o = &other[i];
            (1..ROW as u32).all(|l| {
                let x = &other[i + l as usize];
                let parent = if o.parent == NO_PARENT {
                    x.parent == NO_PARENT
                } else {
                    x.parent == o.parent + l
                };
                x.node == o.node + l
                    && parent
                    && x.children == o.children
                    && kids(i + l as usize)
                        .iter()
                        .zip(kids(i))
                        .all(|(c, c0)| c.node == c0.node + l)
            })
        };
        let mut i = 0;
        while i < other.len() {
            if i + ROW <= other.len() && fits(i) {
                let o = &other[i];
                self.other_rows.push(OtherRow {
                    cm: std::array::from_fn(|l| other[i + l].cm),
                    b: std::array::from_fn(|l| other[i + l].b),
                    node: o.node,
                    parent: o.parent,
                    first: self.other_row_children.len() as u32,
                    count: o.children,
                });
                for j in 0..o.children as usize {
                    let a = std::array::from_fn(|l| kids(i + l)[j].a);
                    self.other_row_children.push((a, kids(i)[j].node));
                }
                i += ROW;
            } else {
                self.other.push(other[i]);
                self.children.extend_from_slice(kids(i));
                i += 1;
            }
        }
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
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: the host has AVX2 (checked when the assembly was built).
            unsafe { self.rows_avx2::<FIRST>(cfac, v, d, rhs) };
        } else {
            self.rows::<FIRST>(cfac, v, d, rhs);
            self.other_rows::<FIRST>(cfac, v, d, rhs);
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self.rows::<FIRST>(cfac, v, d, rhs);
            self.other_rows::<FIRST>(cfac, v, d, rhs);
        }
        for t in &self.chain {
            let k = t.node as usize;
            let vk = v[k];
            let mut dk = start::<FIRST>(d[k]) + cfac * t.cm;
            dk -= t.b;
            dk -= t.a;
            d[k] = dk;
            let mut rk = start::<FIRST>(rhs[k]) - t.b * (v[t.parent as usize] - vk);
            rk += t.a * (vk - v[t.child as usize]);
            rhs[k] = rk;
        }
        for t in &self.leaves {
            let k = t.node as usize;
            let dk = start::<FIRST>(d[k]) + cfac * t.cm;
            d[k] = dk - t.b;
            rhs[k] = start::<FIRST>(rhs[k]) - t.b * (v[t.parent as usize] - v[k]);
        }
        let mut children = self.children.iter();
        for t in &self.other {
            let k = t.node as usize;
            let (mut dk, mut rk, vk) = (start::<FIRST>(d[k]), start::<FIRST>(rhs[k]), v[k]);
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

    /// The terms of the nodes of every chain and leaf row, each lane exactly as the scalar
    /// loops compute a chain node or a leaf.
    #[inline(always)]
    fn rows<const FIRST: bool>(&self, cfac: f64, v: &[f64], d: &mut [f64], rhs: &mut [f64]) {
        for r in &self.chain_rows {
            let (k, p, c) = (r.node as usize, r.parent as usize, r.child as usize);
            let (vk, vp, vc) = (&v[k..k + ROW], &v[p..p + ROW], &v[c..c + ROW]);
            let (dk, rk) = (&mut d[k..k + ROW], &mut rhs[k..k + ROW]);
            for l in 0..ROW {
                let mut dn = start::<FIRST>(dk[l]) + cfac * r.cm[l];
                dn -= r.b[l];
                dn -= r.a[l];
                dk[l] = dn;
                let mut rn = start::<FIRST>(rk[l]) - r.b[l] * (vp[l] - vk[l]);
                rn += r.a[l] * (vk[l] - vc[l]);
                rk[l] = rn;
            }
        }
        for r in &self.leaf_rows {
            let (k, p) = (r.node as usize, r.parent as usize);
            let (vk, vp) = (&v[k..k + ROW], &v[p..p + ROW]);
            let (dk, rk) = (&mut d[k..k + ROW], &mut rhs[k..k + ROW]);
            for l in 0..ROW {
                let dn = start::<FIRST>(dk[l]) + cfac * r.cm[l];
                dk[l] = dn - r.b[l];
                rk[l] = start::<FIRST>(rk[l]) - r.b[l] * (vp[l] - vk[l]);
            }
        }
    }

    /// The terms of the nodes of every row of roots or branch points, each lane exactly as
    /// the scalar loop computes such a node.
    #[inline(always)]
    fn other_rows<const FIRST: bool>(&self, cfac: f64, v: &[f64], d: &mut [f64], rhs: &mut [f64]) {
        for r in &self.other_rows {
            let k = r.node as usize;
            let vk: [f64; ROW] = v[k..k + ROW].try_into().expect("a row");
            let mut dk: [f64; ROW] = std::array::from_fn(|l| start::<FIRST>(d[k + l]));
            let mut rk: [f64; ROW] = std::array::from_fn(|l| start::<FIRST>(rhs[k + l]));
            if r.parent != NO_PARENT {
                let p = r.parent as usize;
                let vp = &v[p..p + ROW];
                for l in 0..ROW {
                    dk[l] += cfac * r.cm[l];
                    dk[l] -= r.b[l];
                    rk[l] -= r.b[l] * (vp[l] - vk[l]);
                }
            } else {
                for (dl, &cm) in dk.iter_mut().zip(&r.cm) {
                    if cm != 0.0 {
                        *dl += cfac * cm;
                    }
                }
            }
            let kids = &self.other_row_children[r.first as usize..(r.first + r.count) as usize];
            for (a, c) in kids {
                let c = *c as usize;
                let vc = &v[c..c + ROW];
                for l in 0..ROW {
                    dk[l] -= a[l];
                    rk[l] += a[l] * (vk[l] - vc[l]);
                }
            }
            d[k..k + ROW].copy_from_slice(&dk);
            rhs[k..k + ROW].copy_from_slice(&rk);
        }
    }

    /// [`Self::rows`] compiled for AVX2 lanes.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn rows_avx2<const FIRST: bool>(&self, cfac: f64, v: &[f64], d: &mut [f64], rhs: &mut [f64]) {
        self.rows::<FIRST>(cfac, v, d, rhs);
        self.other_rows::<FIRST>(cfac, v, d, rhs);
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
            let (d0, r0) = (start::<FIRST>(*dk), start::<FIRST>(*rk));
            let mut dn = d0 + cfac * cm;
            dn -= b;
            *dk = dn - a;
            let rn = r0 - b * (vp - vk);
            *rk = rn + a * (vk - vc);
        }
    }
}

/// A node's d or rhs before its assembled terms: the value there, or with `FIRST` zero.
#[inline(always)]
fn start<const FIRST: bool>(x: f64) -> f64 {
    if FIRST {
        0.0
    } else {
        x
    }
}

/// Splits `nodes` (ascending) into rows of [`ROW`] consecutive nodes with consecutive parents
/// and children (`terms`: node, parent, child, [cm, b, a]) and the rest.
fn rows_of<T: Copy>(
    nodes: Vec<T>,
    terms: impl Fn(&T) -> (u32, u32, u32, [f64; 3]),
) -> (Vec<NodeRow>, Vec<T>) {
    let (mut rows, mut rest) = (Vec::new(), Vec::new());
    let mut k = 0;
    while k < nodes.len() {
        let window = &nodes[k..(k + ROW).min(nodes.len())];
        let t: Vec<_> = window.iter().map(&terms).collect();
        let consecutive = t.len() == ROW
            && t.iter().enumerate().all(|(l, x)| {
                let l = l as u32;
                x.0 == t[0].0 + l && x.1 == t[0].1 + l && x.2 == t[0].2 + l
            });
        if consecutive {
            rows.push(NodeRow {
                cm: std::array::from_fn(|l| t[l].3[0]),
                b: std::array::from_fn(|l| t[l].3[1]),
                a: std::array::from_fn(|l| t[l].3[2]),
                node: t[0].0,
                parent: t[0].1,
                child: t[0].2,
            });
            k += ROW;
        } else {
            rest.push(nodes[k]);
            k += 1;
        }
    }
    (rows, rest)
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
