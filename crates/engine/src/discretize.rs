//! From cell descriptions to NEURON's node layout (`v_setup_vectors` / `reorder_secorder`,
//! `nrn_area_ri`, `connection_coef` in `treeset.cpp` and `multicore.cpp`).
//!
//! Layout rules reproduced here:
//! * every root section contributes one *root node* (its x = 0 end); all root nodes come first,
//!   one per tree, in cell order;
//! * then, tree by tree, sections are visited breadth first; each section appends its `nseg`
//!   membrane nodes and its zero-area node at x = 1, in NEURON's `pnode` order;
//! * a section's x = 0 end shares its parent's node at the connection point: the parent's node
//!   at x = 1 when attached there (or at 0 of a non-root parent, which is the grandparent's
//!   node), else the parent's segment containing x;
//! * children of a section are visited by increasing connection position; among equal
//!   positions the most recently connected first (NEURON inserts at the head). Connection
//!   order is taken to be section index order, which is what template code does in practice.
//!
//! The resulting order has every parent before its children, so the Hines elimination sums in
//! NEURON's order. Segment areas and half resistances come from [`model::geometry`].

use model::geometry::{self, SegmentGeometry};
use model::CellDescription;

use crate::Error;

/// Parent index of root nodes.
pub const NO_PARENT: u32 = u32::MAX;

/// Area NEURON gives a freshly allocated root node (dimensionless, like the x = 1 end nodes).
const ROOT_NODE_AREA: f64 = 100.0;

/// Node ids of one section.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionNodes {
    /// Node the section's attachment end shares with its parent (the root node for roots).
    pub parent_node: u32,
    /// NEURON's `pnode` order: `nseg` membrane nodes, then the end node.
    pub nodes: Vec<u32>,
    /// True when the section is attached by its x = 1 end: `pnode` then runs from x = 1 to 0.
    pub reversed: bool,
}

impl SectionNodes {
    /// Number of segments.
    pub fn nseg(&self) -> usize {
        self.nodes.len() - 1
    }

    /// Node of segment `k` (segments counted by increasing x).
    pub fn segment_node(&self, k: usize) -> u32 {
        let n = self.nseg();
        self.nodes[if self.reversed { n - 1 - k } else { k }]
    }

    /// NEURON's `node_exact`: x = 0 and x = 1 are the end nodes, interior x the segment node.
    pub fn node_at(&self, x: f64) -> Result<u32, Error> {
        if !(0.0..=1.0).contains(&x) {
            return Err(Error::BadPosition(x));
        }
        let n = self.nseg();
        if x == 0.0 || x == 1.0 {
            let at_attachment = (x == 0.0) != self.reversed;
            return Ok(if at_attachment {
                self.parent_node
            } else {
                self.nodes[n]
            });
        }
        let i = ((n as f64 * x) as usize).min(n - 1);
        Ok(self.nodes[if self.reversed { n - 1 - i } else { i }])
    }
}

/// Nodes of one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CellNodes {
    /// Per section, by section index.
    pub sections: Vec<SectionNodes>,
}

/// NEURON's spatial discretisation of a set of cells: node order, parents, areas and the
/// Hines coupling coefficients.
#[derive(Debug, Clone, PartialEq)]
pub struct Discretization {
    /// Parent of every node ([`NO_PARENT`] for root nodes, which come first).
    pub parent: Vec<u32>,
    /// Membrane area (µm²); 100 for end and root nodes.
    pub area: Vec<f64>,
    /// Effect of a node on its parent's equation: a = −1e2·rall·NODERINV/area(parent).
    pub a: Vec<f64>,
    /// Effect of the parent on a node's equation: b = −1e2·NODERINV/area(node).
    pub b: Vec<f64>,
    /// Diameter of membrane nodes (µm), 0 elsewhere.
    pub diam: Vec<f64>,
    /// Specific capacitance (µF/cm²) of membrane nodes, 0 for nodes without membrane.
    pub cm: Vec<f64>,
    /// For membrane nodes: (cell, section, segment).
    pub segment: Vec<Option<(u32, u32, u32)>>,
    /// Number of root nodes (NEURON's `ncell`).
    pub roots: usize,
    /// Per cell.
    pub cells: Vec<CellNodes>,
}

impl Discretization {
    /// Lays out `cells` in one node space.
    pub fn new(cells: &[CellDescription]) -> Result<Self, Error> {
        let mut disc = Discretization {
            parent: Vec::new(),
            area: Vec::new(),
            a: Vec::new(),
            b: Vec::new(),
            diam: Vec::new(),
            cm: Vec::new(),
            segment: Vec::new(),
            roots: 0,
            cells: Vec::new(),
        };
        // Root nodes first.
        let mut trees = Vec::new();
        for (ci, cell) in cells.iter().enumerate() {
            for root in cell.roots() {
                let id = disc.push_node(NO_PARENT, ROOT_NODE_AREA, None);
                trees.push((ci, root, id));
            }
            let placeholder = SectionNodes {
                parent_node: NO_PARENT,
                nodes: Vec::new(),
                reversed: false,
            };
            disc.cells.push(CellNodes {
                sections: vec![placeholder; cell.sections.len()],
            });
        }
        disc.roots = trees.len();
        let mut rinv = vec![0.0; disc.parent.len()];
        for &(ci, root, root_node) in &trees {
            let cell = &cells[ci];
            let mut queue = std::collections::VecDeque::from([root]);
            while let Some(si) = queue.pop_front() {
                queue.extend(ordered_children(cell, si));
                let parent_node = match cell.sections[si].parent {
                    None => root_node,
                    Some(att) => {
                        attachment_node(&disc.cells[ci].sections, cell, att.parent, att.parent_x)
                    }
                };
                disc.add_section(cells, ci, si, parent_node, &mut rinv)?;
            }
        }
        disc.connection_coefficients(&rinv);
        Ok(disc)
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// True if there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// Nodes of section `section` of cell `cell`.
    pub fn section(&self, cell: usize, section: usize) -> Result<&SectionNodes, Error> {
        let c = self.cells.get(cell).ok_or(Error::NoSuchCell(cell))?;
        c.sections
            .get(section)
            .ok_or(Error::NoSuchSection { cell, section })
    }

    /// Node at position x of a section (NEURON's `node_exact`, used for point processes and
    /// recording).
    pub fn node_at(&self, cell: usize, section: usize, x: f64) -> Result<u32, Error> {
        self.section(cell, section)?.node_at(x)
    }

    fn push_node(&mut self, parent: u32, area: f64, segment: Option<(u32, u32, u32)>) -> u32 {
        let id = self.parent.len() as u32;
        self.parent.push(parent);
        self.area.push(area);
        self.a.push(0.0);
        self.b.push(0.0);
        self.diam.push(0.0);
        self.cm.push(0.0);
        self.segment.push(segment);
        id
    }

    fn add_section(
        &mut self,
        cells: &[CellDescription],
        ci: usize,
        si: usize,
        parent_node: u32,
        rinv: &mut Vec<f64>,
    ) -> Result<(), Error> {
        let sec = &cells[ci].sections[si];
        let nseg = sec.nseg();
        let reversed = sec.parent.is_some_and(|a| a.child_x == 1.0);
        let seg_of = |j: usize| if reversed { nseg - 1 - j } else { j };
        let bad = |what: String| Error::BadGeometry {
            section: sec.name.clone(),
            what,
        };
        let diam_range = sec.range("diam").ok_or_else(|| bad("no diam".into()))?;
        let cm_range = sec.range("cm").ok_or_else(|| bad("no cm".into()))?;
        let diam_nodes: Vec<f64> = (0..nseg).map(|j| diam_range[seg_of(j)]).collect();
        if sec.length.is_nan() || sec.length <= 0.0 || sec.ra.is_nan() || sec.ra <= 0.0 {
            return Err(bad(format!(
                "needs L > 0 and Ra > 0 (L = {}, Ra = {})",
                sec.length, sec.ra
            )));
        }
        let segments: Vec<SegmentGeometry> = if sec.pt3d.len() > 1 {
            let span: f64 = sec
                .pt3d
                .windows(2)
                .map(|w| geometry::step_length(&w[1], &w[0]))
                .sum();
            if span.is_nan() || span <= 0.0 {
                return Err(bad("3-D points span zero length".into()));
            }
            // NEURON integrates node by node from the first 3-D point, so node j takes the
            // point-order segment j; its diam changes only if the average really differs.
            let arcs = geometry::arc_lengths(&sec.pt3d, sec.length);
            geometry::frusta(&arcs, &sec.pt3d, sec.ra, nseg)
                .into_iter()
                .zip(&diam_nodes)
                .map(|(g, &current)| SegmentGeometry {
                    diam: geometry::diam_after_integration(g.diam, current),
                    ..g
                })
                .collect()
        } else {
            diam_nodes
                .iter()
                .map(|&d| geometry::cylinder(sec.length, nseg, sec.ra, d))
                .collect()
        };
        let geom = geometry::node_geometry(&segments);
        let mut nodes = Vec::with_capacity(nseg + 1);
        let mut prev = parent_node;
        for j in 0..=nseg {
            let segment = (j < nseg).then(|| (ci as u32, si as u32, seg_of(j) as u32));
            let id = self.push_node(prev, geom.area[j], segment);
            if j < nseg {
                self.diam[id as usize] = segments[j].diam;
                self.cm[id as usize] = cm_range[seg_of(j)];
            }
            rinv.push(geom.rinv[j]);
            nodes.push(id);
            prev = id;
        }
        self.cells[ci].sections[si] = SectionNodes {
            parent_node,
            nodes,
            reversed,
        };
        Ok(())
    }

    /// `connection_coef`: a and b from NODERINV and the areas (rallbranch = 1).
    #[allow(clippy::needless_range_loop)] // a, b, area, parent and rinv are indexed alike
    fn connection_coefficients(&mut self, rinv: &[f64]) {
        for i in self.roots..self.len() {
            let p = self.parent[i] as usize;
            self.a[i] = -1.0e2 * 1.0 * rinv[i] / self.area[p];
            self.b[i] = -1.0e2 * rinv[i] / self.area[i];
        }
    }
}

/// Children of section `si` in NEURON's sibling order.
fn ordered_children(cell: &CellDescription, si: usize) -> Vec<usize> {
    let parent_reversed = cell.sections[si].parent.is_some_and(|a| a.child_x == 1.0);
    let mut children: Vec<(f64, usize)> = cell
        .children(si)
        .map(|c| {
            let x = cell.sections[c].parent.map_or(0.0, |a| a.parent_x);
            (if parent_reversed { 1.0 - x } else { x }, c)
        })
        .collect();
    // Increasing position; ties: later connection (higher index) first.
    children.sort_by(|l, r| l.0.total_cmp(&r.0).then(r.1.cmp(&l.1)));
    children.into_iter().map(|(_, c)| c).collect()
}

/// The node of section `parent` at `x`, where a child attaches (NEURON's `nrn_parent_info`).
/// The parent has already been laid out (breadth-first order).
fn attachment_node(
    laid_out: &[SectionNodes],
    cell: &CellDescription,
    parent: usize,
    x: f64,
) -> u32 {
    let p = &laid_out[parent];
    let orientation = cell.sections[parent].parent.map_or(0.0, |a| a.child_x);
    if x == orientation {
        // The parent's own attachment end: its parent node.
        p.parent_node
    } else if x == 0.0 || x == 1.0 {
        p.nodes[p.nseg()]
    } else {
        let n = p.nseg();
        let i = ((n as f64 * x) as usize).min(n - 1);
        p.nodes[if p.reversed { n - 1 - i } else { i }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Section;

    fn sec(name: &str, nseg: usize) -> Section {
        let mut s = Section::new(name);
        s.set_nseg(nseg).unwrap();
        s
    }

    /// Node numbers taken from NEURON 9.0.2 (`seg.node_index()`) for this topology.
    #[test]
    fn node_order_matches_neuron() {
        let mut c = CellDescription::new("t");
        let soma = c.add_section(sec("soma", 2));
        let d: Vec<usize> = (0..4)
            .map(|i| c.add_section(sec(&format!("d{i}"), 2)))
            .collect();
        c.connect(d[0], 0.0, soma, 1.0).unwrap();
        c.connect(d[1], 0.0, d[0], 1.0).unwrap();
        c.connect(d[2], 0.0, d[0], 1.0).unwrap();
        c.connect(d[3], 0.0, soma, 0.5).unwrap();
        let disc = Discretization::new(&[c]).unwrap();
        let expect = [
            (soma, [1, 2], 0, 3),
            (d[0], [7, 8], 3, 9),
            (d[1], [13, 14], 9, 15),
            (d[2], [10, 11], 9, 12),
            (d[3], [4, 5], 2, 6),
        ];
        for (s, segs, x0, x1) in expect {
            let n = disc.section(0, s).unwrap();
            assert_eq!([n.segment_node(0), n.segment_node(1)], segs);
            assert_eq!(n.node_at(0.0).unwrap(), x0);
            assert_eq!(n.node_at(1.0).unwrap(), x1);
        }
        for i in disc.roots..disc.len() {
            assert!((disc.parent[i] as usize) < i);
        }
    }

    #[test]
    fn reversed_child_maps_positions() {
        let mut c = CellDescription::new("t");
        let soma = c.add_section(sec("soma", 1));
        let d = c.add_section(sec("d", 3));
        c.connect(d, 1.0, soma, 1.0).unwrap();
        let disc = Discretization::new(&[c]).unwrap();
        let n = disc.section(0, d).unwrap();
        // Attached by x = 1, so x = 1 is the soma's end node and x = 0 the free end.
        assert_eq!(
            n.node_at(1.0).unwrap(),
            disc.section(0, soma).unwrap().nodes[1]
        );
        assert_eq!(n.node_at(0.0).unwrap(), n.nodes[3]);
        assert_eq!(n.node_at(0.1).unwrap(), n.nodes[2]);
    }
}
