//! The tree matrix of the cable equation and its Hines elimination (`treeset.cpp`,
//! `solve.cpp`), laid out for the per-step loops.
//!
//! Node i > roots couples to its parent p(i) < i through the off-diagonals a(i) (row p, column
//! i) and b(i) (row i, column p). Per step the engine assembles the axial terms (see
//! [`crate::assembly`]) and solves d·x = rhs by eliminating
//! leaves into parents (i descending) and substituting back (i ascending). Every floating
//! point operation happens in NEURON's order, so results are bit-identical to it.
//!
//! # Interleaved branches
//!
//! Along an unbranched cable the elimination is one long dependency chain (a division, a
//! multiplication and a subtraction per node), so a sweep in node order runs at the latency
//! of that chain while the divider idles. But a node's elimination only needs its children
//! eliminated, and siblings only need to update their parent in NEURON's (descending) order;
//! different branches and different trees (cells) are otherwise independent. The schedule
//! therefore takes rounds of up to [`INTERLEAVE`] independent nodes, so that many chains
//! overlap in the pipeline. Every node still receives its updates in NEURON's order
//! (children in descending order before the node itself for the elimination; the reverse
//! schedule, parent before child and siblings ascending, for the substitution and the tree
//! setup), which is all that matters for every bit of the result.
//!
//! # Lanes
//!
//! With many chains in flight the sweeps are bound by the throughput of the divider (two
//! divisions per node), but a packed division of [`LANES`] doubles costs about as much as a
//! scalar one. So each round is cut into quads of nodes, whose coefficients are packed lane by
//! lane and whose divisions, multiplications and subtractions run as vector operations
//! (IEEE arithmetic is exact per lane, and Rust never fuses a multiply and an add, so every
//! lane computes exactly the scalar result); the rest of a round runs one node at a time.
//!
//! # Paths
//!
//! Where there is nothing to interleave (a single unbranched cable, the trunk of a tree), the
//! schedule is a run of one-node rounds, each node the parent of the one before. Such a run
//! is swept with the node's running d and rhs kept in registers, which takes the round trip
//! through memory (store, then load of the same value) off the dependency chain.
//!
//! # Fast-math mode
//!
//! Off by default ([`HinesMatrix::set_fast_math`]). When on, the same schedule runs kernels
//! that divide once per node instead of twice (see [`crate::sweeps`]): the elimination keeps
//! r(i) = 1/d(i) and the substitution multiplies by it. The solution then differs from
//! NEURON's by a few roundings per node (≈ 1e-15 relative), and `d` is left in an unspecified
//! state. The roots still divide (one division either way). The reciprocals of the quads go
//! to a scratch array of the matrix in schedule order, so that they leave and return as one
//! vector each instead of four scattered values; it is allocated by
//! [`HinesMatrix::set_fast_math`].

use crate::assembly::Assembly;
#[cfg(target_arch = "x86_64")]
use crate::sweeps::avx;
pub use crate::sweeps::LANES;
use crate::sweeps::{
    eliminate_chain, eliminate_quad, eliminate_row, eliminate_single_fast, has_avx,
    substitute_chain, substitute_quad, substitute_row, substitute_single_fast, Edge, Quad, Row,
};
use crate::{Discretization, Error};

/// Most independent nodes in one round of the schedule: enough chains in flight to cover the
/// latency of one node's elimination (a load, a division, a multiplication, a subtraction and
/// a store) with the work of the others.
pub const INTERLEAVE: usize = 32;

/// One round of mutually independent nodes: `rows[rows.0..rows.1]`,
/// `quads[quads.0..quads.1]`, then `singles[singles.0..singles.1]`; or, if `chain`, a run of
/// one-node rounds in which each node is the parent of the one before (an unbranched cable
/// with nothing to interleave).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Round {
    rows: (u32, u32),
    quads: (u32, u32),
    singles: (u32, u32),
    chain: bool,
}

/// The tree matrix of a [`Discretization`]: the order, parents and off-diagonals.
#[derive(Debug, Clone, PartialEq)]
pub struct HinesMatrix {
    roots: usize,
    nodes: usize,
    /// The per-step assembly of the axial terms.
    assembly: Assembly,
    /// The elimination order in rounds of independent nodes (see the module docs); reversed,
    /// it is the substitution order.
    rounds: Vec<Round>,
    /// Quads of consecutive nodes with consecutive parents (interleaved cells).
    rows: Vec<Row>,
    /// Other quads, gathered and scattered lane by lane.
    quads: Vec<Quad>,
    singles: Vec<Edge>,
    /// Whether the host has AVX (four-lane vectors; otherwise the quads run in two-lane SSE2
    /// or scalar code, with the same operations per lane).
    avx: bool,
    /// One reciprocal per node instead of two divisions (see the module docs).
    fast_math: bool,
    /// Reciprocals of the quads' diagonals during a fast-math solve, in schedule order.
    recip: Vec<f64>,
    /// For a tree that is one unbranched path: its two-ended fast-math solve (see
    /// [`crate::twisted`]), twisted at the middle until [`HinesMatrix::set_twist`].
    pub(crate) twisted: Option<crate::twisted::Twisted>,
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
        let edge = |i: usize| Edge {
            a: disc.a[i],
            b: disc.b[i],
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
        let mut rest = Vec::with_capacity(INTERLEAVE);
        let (mut rounds, mut rows, mut quads, mut singles) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        while !ready.is_empty() {
            round.clear();
            while round.len() < INTERLEAVE {
                match ready.pop() {
                    Some(i) => round.push(i as usize),
                    None => break,
                }
            }
            let (w0, q0, s0) = (rows.len() as u32, quads.len() as u32, singles.len() as u32);
            // Lanes are free within a round (its nodes are independent): first every window of
            // LANES consecutive nodes with consecutive parents (interleaved cells) as a
            // contiguous quad, then the rest packed as they come, the remainder one by one.
            round.sort_unstable();
            let consecutive = |x: &[usize]| x.windows(2).all(|w| w[1] == w[0] + 1);
            let parent_of = |i: usize| disc.parent[i] as usize;
            let quad = |group: &[usize]| Quad {
                a: std::array::from_fn(|l| disc.a[group[l]]),
                b: std::array::from_fn(|l| disc.b[group[l]]),
                node: std::array::from_fn(|l| group[l] as u32),
                parent: std::array::from_fn(|l| disc.parent[group[l]]),
            };
            rest.clear();
            let mut k = 0;
            while k < round.len() {
                let w = &round[k..(k + LANES).min(round.len())];
                let parents: [usize; LANES] =
                    std::array::from_fn(|l| w.get(l).map_or(0, |&i| parent_of(i)));
                // Row's invariant: the parents' block ends before the nodes' (a parent
                // precedes its child, and the nodes are independent).
                if w.len() == LANES
                    && consecutive(w)
                    && consecutive(&parents)
                    && parents[0] + LANES <= w[0]
                {
                    let q = quad(w);
                    rows.push(Row {
                        a: q.a,
                        b: q.b,
                        node: w[0] as u32,
                        parent: parents[0] as u32,
                    });
                    k += LANES;
                } else {
                    rest.push(round[k]);
                    k += 1;
                }
            }
            let packed = rest.len() / LANES * LANES;
            for group in rest[..packed].chunks_exact(LANES) {
                quads.push(quad(group));
            }
            singles.extend(rest[packed..].iter().map(|&i| edge(i)));
            rounds.push(Round {
                rows: (w0, rows.len() as u32),
                quads: (q0, quads.len() as u32),
                singles: (s0, singles.len() as u32),
                chain: false,
            });
            for &i in &round {
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
        debug_assert_eq!(
            (rows.len() + quads.len()) * LANES + singles.len(),
            n - roots
        );
        let rounds = merge_chains(&rounds, &singles);
        Ok(HinesMatrix {
            roots: disc.roots,
            nodes: n,
            assembly: Assembly::new(disc),
            rounds,
            rows,
            quads,
            singles,
            avx: has_avx(),
            fast_math: false,
            recip: Vec::new(),
            twisted: crate::twisted::Twisted::new(&disc.parent, &disc.a, &disc.b, n / 2),
        })
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes
    }

    /// Number of the solve's vector quads whose nodes and parents are each consecutive
    /// (loaded and stored as whole vectors; see [`Discretization::interleave`]).
    pub fn contiguous_quads(&self) -> usize {
        self.rows.len()
    }

    /// True if there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Switches the fast-math sweeps on or off (default off: NEURON's arithmetic, bit for
    /// bit). See the module docs for what changes.
    pub fn set_fast_math(&mut self, on: bool) -> &mut Self {
        self.fast_math = on;
        let len = if on { self.quads.len() * LANES } else { 0 };
        self.recip = vec![0.0; len];
        self
    }

    /// Moves the twist of a path's fast-math solve to node `m` (see [`crate::twisted`]); no
    /// effect on other trees or if m is not a node.
    pub(crate) fn set_twist(&mut self, m: usize) {
        if let Some(t) = &self.twisted {
            if m < self.nodes {
                self.twisted = crate::twisted::Twisted::new_like(t, m);
            }
        }
    }

    /// Whether [`Self::solve`] runs the fast-math sweeps.
    pub fn fast_math(&self) -> bool {
        self.fast_math
    }

    /// Adds the capacitive term `cfac`·cm of every membrane node (`nrn_cap_jacob`) and the
    /// axial conductances to the diagonal `d`, and the axial currents of `v` to `rhs` (the
    /// axial parts of `setup_tree_matrix`), each node's terms in NEURON's order.
    ///
    /// # Panics
    /// If `v`, `d` or `rhs` is shorter than [`Self::len`].
    pub fn assemble(&self, cfac: f64, v: &[f64], d: &mut [f64], rhs: &mut [f64]) {
        self.assembly.assemble(cfac, v, d, rhs);
    }

    /// [`Self::assemble`] on zeroed `d` and `rhs`, writing rather than adding: the fast-math
    /// start of a step's assembly, before the mechanisms' terms (see [`Assembly`]).
    ///
    /// # Panics
    /// If `v`, `d` or `rhs` is shorter than [`Self::len`].
    pub fn assemble_first(&self, cfac: f64, v: &[f64], d: &mut [f64], rhs: &mut [f64]) {
        self.assembly.assemble_first(cfac, v, d, rhs);
    }

    /// The step's update v += factor·x of every node (x: the solution in `rhs`; factor 2 with
    /// Crank–Nicolson), four nodes per instruction where the host has AVX.
    pub fn update_v(&self, factor: f64, v: &mut [f64], x: &[f64]) {
        #[cfg(target_arch = "x86_64")]
        if self.avx {
            // SAFETY: the host has AVX (checked when the matrix was built).
            unsafe { update_v_avx(factor, v, x) };
            return;
        }
        update_v(factor, v, x);
    }

    /// Hines elimination (`triang` then `bksub`): solves the system with diagonal `d` and
    /// right-hand side `rhs`; the solution replaces `rhs` and `d` is overwritten (in
    /// fast-math mode, with the reciprocals of the eliminated diagonal).
    ///
    /// # Panics
    /// If `d` or `rhs` is shorter than [`Self::len`].
    pub fn solve(&mut self, d: &mut [f64], rhs: &mut [f64]) {
        let n = self.len();
        let (d, rhs) = (&mut d[..n], &mut rhs[..n]);
        if self.fast_math {
            self.solve_fast(d, rhs);
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if self.avx {
            // SAFETY: the host has AVX (checked when the matrix was built).
            unsafe { self.solve_avx(d, rhs) };
            return;
        }
        self.solve_portable(d, rhs);
    }

    /// [`Self::sweeps`] with each quad's lanes in one AVX register.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    fn solve_avx(&self, d: &mut [f64], rhs: &mut [f64]) {
        self.sweeps::<false>(
            d,
            rhs,
            &mut [],
            // SAFETY: `solve` passes n values; `new` checked the rows.
            (
                |r, d, rhs| unsafe { avx::eliminate_row::<false>(r, d, rhs) },
                |r, d, rhs| unsafe { avx::substitute_row::<false>(r, d, rhs) },
            ),
            |q, _, d, rhs| avx::eliminate(q, d, rhs),
            |q, _, d, rhs| avx::substitute(q, d, rhs),
        );
    }

    /// Portable [`Self::solve`].
    fn solve_portable(&self, d: &mut [f64], rhs: &mut [f64]) {
        self.sweeps::<false>(
            d,
            rhs,
            &mut [],
            (eliminate_row::<false>, substitute_row::<false>),
            |q, _, d, rhs| eliminate_quad(q, d, rhs),
            |q, _, d, rhs| substitute_quad(q, d, rhs),
        );
    }

    /// `triang` round by round, the roots, then `bksub` round by round in reverse; the rows
    /// go through `row_kernels` (elimination, substitution), the quads through `eliminate`
    /// and `substitute` (with, if `FAST`, their slot of `recip`: LANES values per quad), the
    /// paths and single nodes through the exact kernels or, if `FAST`, the fast-math ones.
    #[inline(always)]
    fn sweeps<const FAST: bool>(
        &self,
        d: &mut [f64],
        rhs: &mut [f64],
        recip: &mut [f64],
        row_kernels: (
            impl Fn(&Row, &mut [f64], &mut [f64]),
            impl Fn(&Row, &[f64], &mut [f64]),
        ),
        eliminate: impl Fn(&Quad, &mut [f64; LANES], &mut [f64], &mut [f64]),
        substitute: impl Fn(&Quad, &[f64; LANES], &[f64], &mut [f64]),
    ) {
        let (eliminate_row, substitute_row) = row_kernels;
        // One slot of LANES reciprocals per quad if FAST; the exact kernels ignore theirs.
        let (slots, _) = recip.as_chunks_mut::<LANES>();
        let mut unused = [0.0; LANES];
        for r in &self.rounds {
            let singles = &self.singles[r.singles.0 as usize..r.singles.1 as usize];
            if r.chain {
                eliminate_chain::<FAST>(singles, d, rhs);
                continue;
            }
            for row in &self.rows[r.rows.0 as usize..r.rows.1 as usize] {
                eliminate_row(row, d, rhs);
            }
            let quads = r.quads.0 as usize..r.quads.1 as usize;
            if FAST {
                for (q, slot) in self.quads[quads.clone()].iter().zip(&mut slots[quads]) {
                    eliminate(q, slot, d, rhs);
                }
            } else {
                for q in &self.quads[quads] {
                    eliminate(q, &mut unused, d, rhs);
                }
            }
            for e in singles {
                if FAST {
                    eliminate_single_fast(e, d, rhs);
                    continue;
                }
                let i = e.node as usize;
                let p = e.a / d[i];
                let pi = e.parent as usize;
                d[pi] -= p * e.b;
                rhs[pi] -= p * rhs[i];
            }
        }
        for (r, &dd) in rhs[..self.roots].iter_mut().zip(&d[..self.roots]) {
            *r /= dd;
        }
        for r in self.rounds.iter().rev() {
            let singles = &self.singles[r.singles.0 as usize..r.singles.1 as usize];
            if r.chain {
                substitute_chain::<FAST>(singles, d, rhs);
                continue;
            }
            for e in singles {
                if FAST {
                    substitute_single_fast(e, d, rhs);
                    continue;
                }
                let i = e.node as usize;
                rhs[i] -= e.b * rhs[e.parent as usize];
                rhs[i] /= d[i];
            }
            let quads = r.quads.0 as usize..r.quads.1 as usize;
            if FAST {
                for (q, slot) in self.quads[quads.clone()].iter().zip(&slots[quads]) {
                    substitute(q, slot, d, rhs);
                }
            } else {
                for q in &self.quads[quads] {
                    substitute(q, &unused, d, rhs);
                }
            }
            for row in &self.rows[r.rows.0 as usize..r.rows.1 as usize] {
                substitute_row(row, d, rhs);
            }
        }
    }
}

/// v += factor·x (v += x when factor is 1, as NEURON adds).
#[inline(always)]
fn update_v(factor: f64, v: &mut [f64], x: &[f64]) {
    if factor == 1.0 {
        v.iter_mut().zip(x).for_each(|(v, x)| *v += *x);
    } else {
        v.iter_mut().zip(x).for_each(|(v, x)| *v += factor * *x);
    }
}

/// [`update_v`] compiled for AVX lanes (the same operation per node).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn update_v_avx(factor: f64, v: &mut [f64], x: &[f64]) {
    update_v(factor, v, x);
}

/// Merges runs of one-node rounds whose nodes form a path (each the parent of the one before)
/// into chain rounds.
fn merge_chains(rounds: &[Round], singles: &[Edge]) -> Vec<Round> {
    let mut merged: Vec<Round> = Vec::with_capacity(rounds.len());
    for &r in rounds {
        let lone = r.rows.0 == r.rows.1 && r.quads.0 == r.quads.1 && r.singles.1 - r.singles.0 == 1;
        if lone {
            if let Some(last) = merged.last_mut() {
                let follows = last.rows.0 == last.rows.1
                    && last.quads.0 == last.quads.1
                    && last.singles.1 == r.singles.0
                    && singles[last.singles.1 as usize - 1].parent
                        == singles[r.singles.0 as usize].node;
                if follows && (last.chain || last.singles.1 - last.singles.0 == 1) {
                    last.singles.1 = r.singles.1;
                    last.chain = true;
                    continue;
                }
            }
        }
        merged.push(r);
    }
    merged
}

#[cfg(test)]
#[path = "hines_tests.rs"]
mod tests;

#[path = "hines_fast.rs"]
mod fast;

#[cfg(test)]
#[path = "hines_fast_tests.rs"]
mod fast_tests;
