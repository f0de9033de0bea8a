//! Interleaving the nodes of cells that share a tree shape ([`Discretization::interleave`]).
//!
//! NEURON lays out a cell's non-root nodes as one contiguous block. In a network of many copies
//! of one morphology, the per-step loops that walk the tree — the Hines elimination and the
//! axial assembly — then see one cell at a time: a long dependency chain per cable, and
//! independent work only in nodes far apart in memory. Interleaving the copies instead puts
//! node k of G cells of a shape class side by side (G = 4, the solve's vector width; the last
//! group of a class may be smaller),
//!
//! new(k, c) = base + k·G + c  (cell c of the group, k its k-th non-root node),
//!
//! so that node k's parent P(k) in each copy is again G consecutive nodes, G positions per
//! step of P below: the Hines sweeps load and store whole vectors of independent nodes, and
//! the assembly's stencil runs with stride G.
//!
//! Nothing a node computes depends on where it is stored. Within a cell the order of nodes is
//! kept (k < k′ ⇒ new(k, c) < new(k′, c)), so every parent still precedes its children,
//! children keep their ascending order, and each node receives its terms in NEURON's order:
//! results stay bit-identical. Root nodes keep their places at the front; a cell whose
//! non-root nodes do not form one block (several trees) keeps its layout.

use std::collections::HashMap;

use crate::{Discretization, NO_PARENT};

/// Cells per interleaved group: the Hines solve's vector width, so that a row of the group is
/// exactly one vector of nodes, and its parent row one vector stored earlier (a load that
/// straddles two earlier stores could not be forwarded from them).
const GROUP: usize = crate::sweeps::LANES;

impl Discretization {
    /// Interleaves the nodes of cells with identical tree shapes (see the module docs).
    /// Returns the new index of every old node.
    pub fn interleave(&mut self) -> Vec<u32> {
        let n = self.len();
        let roots = self.roots;
        let identity: Vec<u32> = (0..n as u32).collect();
        // Each cell's block of non-root nodes.
        let mut blocks = Vec::with_capacity(self.cells.len());
        for cell in &self.cells {
            let nodes = cell.sections.iter().flat_map(|s| s.nodes.iter().copied());
            let (mut lo, mut hi, mut count) = (u32::MAX, 0u32, 0u32);
            for node in nodes {
                lo = lo.min(node);
                hi = hi.max(node);
                count += 1;
            }
            let block = (count > 0 && hi - lo + 1 == count && lo as usize >= roots)
                .then_some((lo as usize, hi as usize + 1));
            blocks.push(block);
        }
        // Blocks must tile roots..n in cell order for the renumbering below.
        let mut next = roots;
        for b in blocks.iter().flatten() {
            if b.0 != next {
                return identity;
            }
            next = b.1;
        }
        if next != n {
            return identity;
        }
        // Shape of a block: each node's parent relative to the block (roots as MAX).
        let shape = |(lo, hi): (usize, usize)| -> Vec<u32> {
            self.parent[lo..hi]
                .iter()
                .map(|&p| {
                    if (p as usize) < lo {
                        u32::MAX
                    } else {
                        p - lo as u32
                    }
                })
                .collect()
        };
        let mut class_of: HashMap<Vec<u32>, usize> = HashMap::new();
        let mut classes: Vec<Vec<(usize, usize)>> = Vec::new();
        for b in blocks.iter().flatten() {
            let key = shape(*b);
            let c = *class_of.entry(key).or_insert_with(|| {
                classes.push(Vec::new());
                classes.len() - 1
            });
            classes[c].push(*b);
        }
        if classes.iter().all(|c| c.len() == 1) {
            return identity;
        }
        let mut new = identity;
        let mut at = roots as u32;
        for class in &classes {
            let len = class[0].1 - class[0].0;
            for group in class.chunks(GROUP) {
                for k in 0..len {
                    for &(lo, _) in group {
                        new[lo + k] = at;
                        at += 1;
                    }
                }
            }
        }
        self.permute(&new);
        new
    }

    /// Moves old node i to `new[i]` in every array and node list.
    fn permute(&mut self, new: &[u32]) {
        fn moved<T: Clone>(old: &[T], new: &[u32]) -> Vec<T> {
            let mut out = old.to_vec();
            for (i, x) in old.iter().enumerate() {
                out[new[i] as usize] = x.clone();
            }
            out
        }
        let map = |p: u32| if p == NO_PARENT { p } else { new[p as usize] };
        let parent: Vec<u32> = self.parent.iter().map(|&p| map(p)).collect();
        self.parent = moved(&parent, new);
        self.area = moved(&self.area, new);
        self.a = moved(&self.a, new);
        self.b = moved(&self.b, new);
        self.diam = moved(&self.diam, new);
        self.cm = moved(&self.cm, new);
        self.segment = moved(&self.segment, new);
        for cell in &mut self.cells {
            for s in &mut cell.sections {
                s.parent_node = map(s.parent_node);
                s.nodes.iter_mut().for_each(|x| *x = map(*x));
            }
        }
    }
}

#[cfg(test)]
#[path = "interleave_tests.rs"]
mod tests;
