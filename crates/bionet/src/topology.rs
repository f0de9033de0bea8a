//! NEURON's node topology and path distance (`h.distance`), reproduced from a
//! [`CellDescription`] so that BMTK's segment distances come out bit for bit.
//!
//! NEURON (src/nrnoc/cabcode.cpp, solve.cpp) gives a section of `nseg` segments nodes
//! 0…nseg−1 at the segment centres plus node nseg at its far end, counted from the end that
//! is attached to the parent (so a section connected by its 1 end runs reversed). The node a
//! child hangs from is found by `nrn_parent_info`: connecting at the parent's own attached end
//! means hanging from the parent's parent node (recursively); its far end (x = 0 or 1) is the
//! last node; an interior x is the node of segment ⌊nseg·x⌋. `topol_distance` then climbs
//! from both points towards their common section, adding `node_dist` = L·(i+½)/nseg for a
//! centre node, L for the far end and 0 for the section's parent node.

use model::CellDescription;

/// A NEURON node: the root node of a tree (owned by its root section), or node `i` of a
/// section in NEURON's internal (parent-to-far-end) numbering, `i = nseg` being the far end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Node {
    Root(usize),
    Own(usize, usize),
}

/// Parent links and orientation of every section, as NEURON's topology sees them.
pub(crate) struct Topology<'a> {
    cell: &'a CellDescription,
    /// Node each section hangs from (`sec->parentnode`).
    parent_node: Vec<Node>,
    /// Depth in the tree; stands in for NEURON's `sec->order` (parents come first).
    depth: Vec<usize>,
}

impl<'a> Topology<'a> {
    pub(crate) fn new(cell: &'a CellDescription) -> Self {
        let n = cell.sections.len();
        let mut depth = vec![0; n];
        for (i, d) in depth.iter_mut().enumerate() {
            let mut cursor = cell.sections[i].parent.map(|a| a.parent);
            // The model crate refuses loops, but bound the walk anyway.
            while let Some(p) = cursor.filter(|_| *d < n) {
                *d += 1;
                cursor = cell.sections[p].parent.map(|a| a.parent);
            }
        }
        let mut topology = Topology {
            cell,
            parent_node: Vec::with_capacity(n),
            depth,
        };
        topology.parent_node = (0..n).map(|s| topology.find_parent_node(s)).collect();
        topology
    }

    fn nseg(&self, s: usize) -> usize {
        self.cell.sections[s].nseg()
    }

    /// True when the section is attached by its 1 end (NEURON's `dparam[3]`, orientation).
    fn reversed(&self, s: usize) -> bool {
        self.cell.sections[s]
            .parent
            .is_some_and(|a| a.child_x != 0.0)
    }

    fn orientation(&self, s: usize) -> f64 {
        self.cell.sections[s].parent.map_or(0.0, |a| a.child_x)
    }

    /// NEURON's `node_index`: ⌊nseg·x⌋ (x = 1 in the last segment), mirrored when reversed.
    fn node_index(&self, s: usize, x: f64) -> usize {
        let n = self.nseg(s);
        let mut i = (n as f64 * x) as usize;
        if i == n {
            i = n - 1;
        }
        if self.reversed(s) {
            i = n - i - 1;
        }
        i
    }

    /// `nrn_parent_info`: the node section `s` hangs from.
    fn find_parent_node(&self, s: usize) -> Node {
        let mut sec = s;
        let mut steps = 0;
        while let Some(att) = self.cell.sections[sec].parent {
            let psec = att.parent;
            if att.parent_x != self.orientation(psec) {
                return if att.parent_x == 1.0 || att.parent_x == 0.0 {
                    Node::Own(psec, self.nseg(psec))
                } else {
                    Node::Own(psec, self.node_index(psec, att.parent_x))
                };
            }
            sec = psec;
            steps += 1;
            if steps > self.cell.sections.len() {
                break;
            }
        }
        Node::Root(sec)
    }

    /// NEURON's `node_exact(sec, x)`: the node at x, including the two ends.
    pub(crate) fn node_exact(&self, s: usize, x: f64) -> Node {
        if x <= 0.0 || x >= 1.0 {
            let mut x = x.clamp(0.0, 1.0);
            if self.reversed(s) {
                x = 1.0 - x;
            }
            if x == 0.0 {
                self.parent_node[s]
            } else {
                Node::Own(s, self.nseg(s))
            }
        } else {
            Node::Own(s, self.node_index(s, x))
        }
    }

    /// The origin `h.distance(x, sec=s)` sets: section and node.
    pub(crate) fn origin(&self, s: usize, x: f64) -> (usize, Node) {
        (s, self.node_exact(s, x))
    }

    /// NEURON's `node_dist`: distance from the section's attached end to `node`.
    fn node_dist(&self, s: usize, node: Node) -> f64 {
        if self.parent_node[s] == node {
            return 0.0;
        }
        // A node's index within its own section (`sec_node_index_`); root nodes have 0.
        let index = match node {
            Node::Root(_) => 0,
            Node::Own(_, i) => i,
        };
        let nseg = self.nseg(s);
        let length = self.cell.sections[s].length;
        if index == nseg {
            length
        } else {
            length * ((index as f64 + 0.5) / nseg as f64)
        }
    }

    /// `h.distance(sec(x))` from `origin`: NEURON's `topol_distance`, with the same order of
    /// additions. Points in different trees are 1e20 apart, as in NEURON.
    pub(crate) fn distance(&self, origin: (usize, Node), s: usize, x: f64) -> f64 {
        let (mut sec1, mut node1) = (Some(origin.0), origin.1);
        let (mut sec2, mut node2) = (Some(s), self.node_exact(s, x));
        let mut d = 0.0;
        let parent = |sec: usize| self.cell.sections[sec].parent.map(|a| a.parent);
        while sec1 != sec2 {
            let climb_first = match (sec1, sec2) {
                (None, _) => false,
                (_, None) => true,
                (Some(a), Some(b)) => self.depth[a] > self.depth[b],
            };
            if climb_first {
                let a = sec1.expect("sec1 is set when it climbs");
                d += self.node_dist(a, node1);
                node1 = self.parent_node[a];
                sec1 = parent(a);
            } else {
                let b = sec2.expect("sec2 is set when it climbs");
                d += self.node_dist(b, node2);
                node2 = self.parent_node[b];
                sec2 = parent(b);
            }
        }
        match sec1 {
            None if node1 != node2 => 1e20,
            Some(sec) if node1 != node2 => {
                let x1 = self.node_dist(sec, node1);
                let x2 = self.node_dist(sec, node2);
                d + if x1 < x2 { x2 - x1 } else { x1 - x2 }
            }
            _ => d,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Section;

    fn section(name: &str, length: f64, nseg: usize) -> Section {
        let mut s = Section::new(name);
        s.length = length;
        s.set_nseg(nseg).unwrap();
        s
    }

    /// Values printed by NEURON 9.0.2 for this tree with `h.distance(sec=soma)` and
    /// `h.distance(seg)` (scripts/neuron_distance_check.py): soma L20 nseg1; dend L200 nseg11 on
    /// soma(1); rev L100 nseg3 attached by its 1 end to soma(0.5); mid L50 nseg5 on dend(0.3).
    #[test]
    fn matches_neuron_distances() {
        let mut cell = CellDescription::new("t");
        let soma = cell.add_section(section("soma", 20.0, 1));
        let dend = cell.add_section(section("dend", 200.0, 11));
        let rev = cell.add_section(section("rev", 100.0, 3));
        let mid = cell.add_section(section("mid", 50.0, 5));
        cell.connect(dend, 0.0, soma, 1.0).unwrap();
        cell.connect(rev, 1.0, soma, 0.5).unwrap();
        cell.connect(mid, 0.0, dend, 0.3).unwrap();
        let topo = Topology::new(&cell);
        let origin = topo.origin(soma, 0.0);
        let centres = |s: usize, n: usize| -> Vec<f64> {
            (0..n)
                .map(|i| topo.distance(origin, s, (i as f64 + 0.5) / n as f64))
                .collect()
        };
        assert_eq!(centres(soma, 1), vec![10.0]);
        assert_eq!(
            centres(dend, 11)[..3],
            [29.090909090909093, 47.272727272727266, 65.45454545454545]
        );
        assert_eq!(centres(dend, 11)[10], 210.9090909090909);
        assert_eq!(
            centres(rev, 3),
            vec![93.33333333333334, 60.0, 26.666666666666664]
        );
        assert_eq!(centres(mid, 5)[0], 88.63636363636363);
        assert_eq!(centres(mid, 5)[4], 128.63636363636363);
        assert_eq!(topo.distance(origin, soma, 1.0), 20.0);
        assert_eq!(topo.distance(origin, soma, 0.0), 0.0);
    }

    #[test]
    fn disconnected_sections_are_infinitely_far() {
        let mut cell = CellDescription::new("t");
        let soma = cell.add_section(section("soma", 20.0, 1));
        let other = cell.add_section(section("other", 10.0, 1));
        let topo = Topology::new(&cell);
        assert_eq!(topo.distance(topo.origin(soma, 0.0), other, 0.5), 1e20);
    }
}
