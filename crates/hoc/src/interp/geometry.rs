//! 3-D points, `define_shape`, segment areas and axial resistances for `area()`/`ri()`, the
//! diameter write-back from 3-D points, and path `distance`.
//!
//! The geometry itself (arc lengths from float32 points, cylinders, frustum integration) is
//! NEURON's and lives in [`model::geometry`], shared with the engine; this module maps it onto
//! the interpreter's sections.

use model::geometry::{self, SegmentGeometry};
use model::Pt3d;

use crate::interp::Interpreter;
use crate::value::SecId;

impl Interpreter<'_> {
    /// Arc length of each 3-D point; with two or more, the last one is the section length.
    pub(crate) fn arcs(&self, id: SecId) -> Vec<f64> {
        let s = &self.sections[id].section;
        geometry::arc_lengths(&s.pt3d, s.length)
    }

    /// Appends a 3-D point; with two or more points, L becomes the arc length.
    pub(crate) fn pt3d_add(&mut self, id: SecId, x: f64, y: f64, z: f64, d: f64) {
        let s = &mut self.sections[id].section;
        s.pt3d.push(Pt3d {
            x: x as f32,
            y: y as f32,
            z: z as f32,
            diam: d as f32,
        });
        if s.pt3d.len() > 1 {
            let n = s.pt3d.len();
            let (p, q) = (s.pt3d[n - 1], s.pt3d[n - 2]);
            let prev = if n == 2 { 0.0 } else { s.length };
            s.length = prev + geometry::step_length(&p, &q);
        }
    }

    /// NEURON's `nrn_length_change`: assigning L to a section with 3-D points scales them.
    pub(crate) fn set_length(&mut self, id: SecId, length: f64) {
        let s = &mut self.sections[id].section;
        if s.pt3d.len() > 1 && s.length > 0.0 {
            let factor = length / s.length;
            let p0 = s.pt3d[0];
            for p in s.pt3d.iter_mut().skip(1) {
                p.x = (p0.x as f64 + (p.x as f64 - p0.x as f64) * factor) as f32;
                p.y = (p0.y as f64 + (p.y as f64 - p0.y as f64) * factor) as f32;
                p.z = (p0.z as f64 + (p.z as f64 - p0.z as f64) * factor) as f32;
            }
        }
        s.length = length;
    }

    /// Geometry of every segment in x order: frustum integration over the 3-D points when
    /// there are at least two (segment 0 starting at the first point), else cylinders.
    pub(crate) fn segments(&self, id: SecId) -> Vec<SegmentGeometry> {
        let s = &self.sections[id].section;
        let nseg = s.nseg();
        if s.pt3d.len() > 1 {
            return geometry::frusta(&self.arcs(id), &s.pt3d, s.ra, nseg);
        }
        let diam = s.range("diam");
        (0..nseg)
            .map(|i| {
                let d = diam.map(|v| v[i]).unwrap_or(0.0);
                geometry::cylinder(s.length, nseg, s.ra, d)
            })
            .collect()
    }

    /// Replaces diam range values by those integrated from 3-D points (NEURON's recalc_diam).
    pub(crate) fn recalc_diam(&mut self, id: SecId) {
        if self.sections[id].section.pt3d.len() < 2 {
            return;
        }
        let segments = self.segments(id);
        let s = &mut self.sections[id].section;
        let old: Vec<f64> = s.range("diam").map(|v| v.to_vec()).unwrap_or_default();
        for (i, g) in segments.iter().enumerate() {
            let current = old.get(i).copied().unwrap_or(0.0);
            let d = geometry::diam_after_integration(g.diam, current);
            if d != current {
                let x = s.segment_centre(i);
                let _ = s.set_range_at("diam", x, d);
            }
        }
    }

    /// Area (µm²) of the segment containing x; the zero-area end nodes give 0.
    pub(crate) fn area_at(&self, id: SecId, x: f64) -> f64 {
        if x <= 0.0 || x >= 1.0 {
            return 0.0;
        }
        let i = self.sections[id].section.segment_index(x);
        self.segments(id)[i].area
    }

    /// Axial resistance (MΩ) between the node at x and its parent node. Nodes are numbered
    /// from the attached end, which is x = 1 for a section connected by its 1 end.
    pub(crate) fn ri_at(&self, id: SecId, x: f64) -> f64 {
        let s = &self.sections[id].section;
        let nseg = s.nseg();
        let reversed = s.parent.is_some_and(|a| a.child_x == 1.0);
        let segments = self.segments(id);
        // Half-segment resistances (toward the attached end, away from it) of node k.
        let half = |k: usize| -> (f64, f64) {
            if reversed {
                let g = &segments[nseg - 1 - k];
                (g.r_right, g.r_left)
            } else {
                (segments[k].r_left, segments[k].r_right)
            }
        };
        let x_from_attached = if reversed { 1.0 - x } else { x };
        if x_from_attached <= 0.0 {
            return 1e30;
        }
        if x_from_attached >= 1.0 {
            return half(nseg - 1).1;
        }
        let k = s.segment_index(x_from_attached).min(nseg - 1);
        let previous_right = if k == 0 { 0.0 } else { half(k - 1).1 };
        half(k).0 + previous_right
    }

    /// NEURON's `define_shape`: gives every section without 3-D points a straight line of
    /// nseg+2 points (ends and segment centres), roots at the origin along x, children
    /// starting at their connection point, siblings fanned out by ±0.4 rad.
    pub(crate) fn define_shape(&mut self) {
        let order = self.section_order();
        for (position, &id) in order.iter().enumerate() {
            let parent = self.sections[id].section.parent;
            let (x, y, z, mut x1, mut y1): (f32, f32, f32, f32, f32);
            let arc = parent.map(|a| a.parent_x).unwrap_or(0.0);
            match parent {
                None => {
                    (x, y, z) = (0.0, 0.0, position as f32 * 100.0);
                    (x1, y1) = (1.0, 0.0);
                }
                Some(att) => {
                    let ps = &self.sections[att.parent].section;
                    if ps.pt3d.is_empty() {
                        continue;
                    }
                    let (first, last) = (ps.pt3d[0], ps.pt3d[ps.pt3d.len() - 1]);
                    x1 = last.x - first.x;
                    y1 = last.y - first.y;
                    // Positions on a parent attached by its 1 end run the other way.
                    let arc1 = if ps.parent.is_some_and(|a| a.child_x == 1.0) {
                        1.0 - arc
                    } else {
                        arc
                    };
                    if arc1 < 0.5 {
                        x1 = -x1;
                        y1 = -y1;
                    }
                    x = (last.x as f64 * arc1 + first.x as f64 * (1.0 - arc1)) as f32;
                    y = (last.y as f64 * arc1 + first.y as f64 * (1.0 - arc1)) as f32;
                    z = (last.z as f64 * arc1 + first.z as f64 * (1.0 - arc1)) as f32;
                }
            }
            if !self.sections[id].section.pt3d.is_empty() {
                if parent.is_some() {
                    self.translate_shape(id, x, y, z);
                }
                continue;
            }
            // NEURON keeps the angle in a float, and C++ picks the float overloads of
            // atan2/cos/sin for float arguments.
            let mut angle: f32 = if (y1 as f64).abs() < 1e-6 && (x1 as f64).abs() < 1e-6 {
                0.0
            } else {
                y1.atan2(x1)
            };
            if arc > 0.0 && arc < 1.0 {
                angle = (angle as f64 + std::f64::consts::PI / 2.0) as f32;
            }
            if let Some(att) = parent {
                let siblings: Vec<SecId> = self
                    .children_in_neuron_order(att.parent)
                    .into_iter()
                    .filter(|&c| self.sections[c].section.parent.map(|a| a.parent_x) == Some(arc))
                    .collect();
                if siblings.len() > 1 {
                    let ich = siblings.iter().position(|&c| c == id).unwrap_or(0) as f32;
                    let nch = siblings.len() as f32;
                    angle = (angle as f64 + (ich as f64 / (nch as f64 - 1.0) * 0.8 - 0.4)) as f32;
                }
            }
            let s = &self.sections[id].section;
            let len = s.length;
            let nseg = s.nseg();
            let diams: Vec<f64> = s.range("diam").map(|d| d.to_vec()).unwrap_or_default();
            let x1 = (x as f64 + len * angle.cos() as f64) as f32;
            let y1 = (y as f64 + len * angle.sin() as f64) as f32;
            let mut pts = Vec::with_capacity(nseg + 2);
            pts.push(Pt3d {
                x,
                y,
                z,
                diam: diams[0] as f32,
            });
            for (j, &dj) in diams.iter().enumerate() {
                let frac = (j as f64 + 0.5) / nseg as f64;
                pts.push(Pt3d {
                    x: (x as f64 * (1.0 - frac) + x1 as f64 * frac) as f32,
                    y: (y as f64 * (1.0 - frac) + y1 as f64 * frac) as f32,
                    z,
                    diam: dj as f32,
                });
            }
            pts.push(Pt3d {
                x: x1,
                y: y1,
                z,
                diam: diams[nseg - 1] as f32,
            });
            self.sections[id].section.pt3d = pts;
        }
    }

    fn translate_shape(&mut self, id: SecId, x: f32, y: f32, z: f32) {
        let s = &mut self.sections[id].section;
        let p0 = s.pt3d[0];
        let (dx, dy, dz) = (x - p0.x, y - p0.y, z - p0.z);
        for p in s.pt3d.iter_mut() {
            p.x += dx;
            p.y += dy;
            p.z += dz;
        }
    }

    /// Children of `id` as NEURON lists them: by connection position, later connections first
    /// among equal positions.
    pub(crate) fn children_in_neuron_order(&self, id: SecId) -> Vec<SecId> {
        let mut kids: Vec<SecId> = (0..self.sections.len())
            .filter(|&c| {
                self.sections[c].alive
                    && self.sections[c]
                        .section
                        .parent
                        .is_some_and(|a| a.parent == id)
            })
            .collect();
        kids.sort_by(|&a, &b| {
            let (pa, pb) = (
                self.sections[a].section.parent.unwrap(),
                self.sections[b].section.parent.unwrap(),
            );
            pa.parent_x.total_cmp(&pb.parent_x).then(
                self.sections[b]
                    .connect_seq
                    .cmp(&self.sections[a].connect_seq),
            )
        });
        kids
    }

    /// All live sections, roots first (in creation order), then breadth-first by children.
    pub(crate) fn section_order(&self) -> Vec<SecId> {
        let mut order: Vec<SecId> = (0..self.sections.len())
            .filter(|&i| self.sections[i].alive && self.sections[i].section.parent.is_none())
            .collect();
        let mut k = 0;
        while k < order.len() {
            let kids = self.children_in_neuron_order(order[k]);
            order.extend(kids);
            k += 1;
        }
        order
    }

    /// Distance along the tree from the root end of the tree to node position `x` of `id`,
    /// plus the chain of (section, position) pairs walked through, innermost first.
    fn path_to_root(&self, id: SecId, x: f64) -> Vec<(SecId, f64)> {
        let mut chain = vec![(id, x)];
        let mut cur = id;
        let mut guard = 0;
        while let Some(att) = self.sections[cur].section.parent {
            // A child hangs on the parent's node, so interior points snap to segment centres.
            chain.push((att.parent, self.node_position(att.parent, att.parent_x)));
            cur = att.parent;
            guard += 1;
            if guard > self.sections.len() {
                break;
            }
        }
        chain
    }

    /// Position of a node along its section, as NEURON's distance uses it: the ends, or the
    /// centre of the segment containing x.
    fn node_position(&self, id: SecId, x: f64) -> f64 {
        let s = &self.sections[id].section;
        if x <= 0.0 {
            0.0
        } else if x >= 1.0 {
            1.0
        } else {
            s.segment_centre(s.segment_index(x))
        }
    }

    /// Path distance (µm) between (a, xa) and (b, xb); 1e20 if they are not connected.
    pub(crate) fn path_distance(&self, a: SecId, xa: f64, b: SecId, xb: f64) -> f64 {
        let pa = self.path_to_root(a, self.node_position(a, xa));
        let pb = self.path_to_root(b, self.node_position(b, xb));
        // Distance from the first element's point to where the chain enters section k.
        let leg = |chain: &[(SecId, f64)], upto: usize| -> f64 {
            let mut d = 0.0;
            for &(sec, pos) in &chain[..upto] {
                let s = &self.sections[sec].section;
                let attached_end = s.parent.map(|a| a.child_x).unwrap_or(0.0);
                d += (pos - attached_end).abs() * s.length;
            }
            d
        };
        for (ia, &(sa, posa)) in pa.iter().enumerate() {
            if let Some(ib) = pb.iter().position(|&(sb, _)| sb == sa) {
                let posb = pb[ib].1;
                let l = self.sections[sa].section.length;
                return leg(&pa, ia) + leg(&pb, ib) + (posa - posb).abs() * l;
            }
        }
        1e20
    }
}
