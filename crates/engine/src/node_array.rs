//! [`NodeArray`]: a per-node array (v, rhs, d) whose storage can start a cache line at a given
//! node, so that two threads owning the nodes before and after it never write the same line.
//!
//! Intra-cell threading splits a cell's nodes where its mechanisms' instance columns split at
//! a whole cache line (see `crate::split`); the instances of node k are k − 1 on an unbranched
//! cable (node 0 is the root), so the node arrays would split one element past a line and the
//! line holding both sides would bounce between the cores every time either writes it.

use std::ops::{Deref, DerefMut};

/// Doubles per 64-byte cache line.
const LINE: usize = 8;

/// A `Vec<f64>` of nodes, possibly preceded by up to `LINE − 1` unused elements.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NodeArray {
    buf: Vec<f64>,
    /// The nodes are `buf[off..off + n]`.
    off: usize,
    n: usize,
}

impl NodeArray {
    /// `n` copies of `value`.
    pub(crate) fn new(n: usize, value: f64) -> Self {
        NodeArray {
            buf: vec![value; n],
            off: 0,
            n,
        }
    }

    /// The same values, stored so that node `node` starts a cache line (when the allocation
    /// is at least 8-byte aligned, as every f64 allocation is).
    pub(crate) fn line_at(&self, node: usize) -> Self {
        let n = self.len();
        let mut buf = vec![0.0; n + LINE - 1];
        let base = buf.as_ptr() as usize / std::mem::size_of::<f64>();
        let off = (LINE - (base + node) % LINE) % LINE;
        buf[off..off + n].copy_from_slice(self);
        NodeArray { buf, off, n }
    }
}

impl Deref for NodeArray {
    type Target = [f64];
    fn deref(&self) -> &[f64] {
        &self.buf[self.off..self.off + self.n]
    }
}

impl DerefMut for NodeArray {
    fn deref_mut(&mut self) -> &mut [f64] {
        &mut self.buf[self.off..self.off + self.n]
    }
}

#[cfg(test)]
mod tests {
    use super::NodeArray;

    #[test]
    fn a_chosen_node_starts_a_cache_line() {
        let mut a = NodeArray::new(53, 0.0);
        a.iter_mut().enumerate().for_each(|(i, x)| *x = i as f64);
        for node in [0, 1, 25, 33, 52] {
            let b = a.line_at(node);
            assert_eq!(&b[..], &a[..]);
            assert_eq!(b.len(), 53);
            assert_eq!(b[node..].as_ptr() as usize % 64, 0, "node {node}");
        }
    }
}
