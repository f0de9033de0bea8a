//! 3-D points, `define_shape`, NEURON's diameter/area/resistance integration over 3-D points
//! (`diam_from_list`) and path `distance`.
//!
//! 3-D points are 32-bit floats as in NEURON; arc lengths are accumulated in double from the
//! float coordinates, and the last arc equals the section's `L`.

use model::Pt3d;

use crate::interp::Interpreter;
use crate::value::SecId;

/// Distance between consecutive 3-D points as NEURON accumulates arc length: coordinate
/// differences in float, the rest in double.
fn step_length(p: &Pt3d, q: &Pt3d) -> f64 {
    let (dx, dy, dz) = ((p.x - q.x) as f64, (p.y - q.y) as f64, (p.z - q.z) as f64);
    (dx * dx + dy * dy + dz * dz).sqrt()
}

/// Per-segment results of integrating over 3-D points.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SegmentGeometry {
    pub diam: f64,
    /// µm².
    pub area: f64,
    /// Left-half and right-half axial resistance in MΩ.
    pub r_left: f64,
    pub r_right: f64,
}

impl Interpreter<'_> {
    /// Arc length of each 3-D point; the last one is the section length.
    pub(crate) fn arcs(&self, id: SecId) -> Vec<f64> {
        let s = &self.sections[id].section;
        let mut arcs = Vec::with_capacity(s.pt3d.len());
        let mut acc = 0.0f64;
        for (i, p) in s.pt3d.iter().enumerate() {
            if i > 0 {
                let q = &s.pt3d[i - 1];
                acc += step_length(p, q);
            }
            arcs.push(acc);
        }
        if let Some(last) = arcs.last_mut() {
            if s.pt3d.len() > 1 {
                *last = s.length;
            }
        }
        arcs
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
            s.length = prev + step_length(&p, &q);
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

    /// Integrates diameter, area and axial resistance over the 3-D points segment by
    /// segment, in the order NEURON's `diam_from_list` does (so results agree to the bit).
    ///
    /// Within each half segment the piecewise-linear diameter d(s) is integrated:
    /// diam = (1/ds)·∫d ds, area = π/2·Σ(d₁+d₂)·√(Δs² + (½Δd)²),
    /// r = 4e-2·Ra/π · Σ Δs/(d₁d₂).
    pub(crate) fn segment_geometry(&self, id: SecId) -> Option<Vec<SegmentGeometry>> {
        let s = &self.sections[id].section;
        let npt = s.pt3d.len();
        if npt < 2 {
            return None;
        }
        let arcs = self.arcs(id);
        let d = |j: usize| (s.pt3d[j].diam as f64).abs();
        let nseg = s.nseg();
        let ds = arcs[npt - 1] / nseg as f64;
        let ra = s.ra;
        let mut j = 0usize;
        let (mut x1, mut y1) = (arcs[0], d(0));
        let mut out = Vec::with_capacity(nseg);
        for inode in 0..nseg {
            let mut si = inode as f64 * ds;
            let (mut diam, mut area, mut r_left, mut r_right) = (0.0, 0.0, 0.0, 0.0);
            for half in 0..2 {
                let mut ri = 0.0;
                let sip = si + ds / 2.0;
                loop {
                    let jp = j + 1;
                    let (xj, xjp) = (arcs[j], arcs[jp]);
                    let (x2, y2, jnext);
                    if xjp > sip || jp == npt - 1 {
                        let frac = if (xjp - xj).abs() < 1e-10 {
                            1.0
                        } else {
                            (sip - xj) / (xjp - xj)
                        };
                        x2 = sip;
                        y2 = (1.0 - frac) * d(j) + frac * d(jp);
                        jnext = j;
                    } else {
                        x2 = xjp;
                        y2 = d(jp);
                        jnext = jp;
                    }
                    let mut delta = x2 - x1;
                    diam += (y2 + y1) * delta;
                    if delta < 1e-15 {
                        delta = 1e-15;
                    }
                    let mut temp = y2 * y1 / delta;
                    if temp == 0.0 {
                        temp = 1e-15;
                    }
                    ri += 1.0 / temp;
                    let taper = 0.5 * (y2 - y1);
                    area += (y2 + y1) * (delta * delta + taper * taper).sqrt();
                    x1 = x2;
                    y1 = y2;
                    if j == jnext {
                        break;
                    }
                    j = jnext;
                }
                let r = ri * ra / std::f64::consts::PI * (4.0 * 0.01);
                if half == 0 {
                    r_left = r;
                } else {
                    r_right = r;
                }
                si = sip;
            }
            diam *= 0.5 / ds;
            out.push(SegmentGeometry {
                diam,
                area: area * 0.5 * std::f64::consts::PI,
                r_left,
                r_right,
            });
        }
        Some(out)
    }

    /// Replaces diam range values by those integrated from 3-D points (NEURON's recalc_diam).
    pub(crate) fn recalc_diam(&mut self, id: SecId) {
        let Some(geom) = self.segment_geometry(id) else {
            return;
        };
        let s = &mut self.sections[id].section;
        let old: Vec<f64> = s.range("diam").map(|v| v.to_vec()).unwrap_or_default();
        for (i, g) in geom.iter().enumerate() {
            let current = old.get(i).copied().unwrap_or(0.0);
            if (g.diam - current).abs() > 1e-9 || g.diam < 1e-5 {
                let x = s.segment_centre(i);
                let _ = s.set_range_at("diam", x, g.diam);
            }
        }
    }

    /// Area (µm²) of the segment containing x; the zero-area end nodes give 0.
    pub(crate) fn area_at(&self, id: SecId, x: f64) -> f64 {
        if x <= 0.0 || x >= 1.0 {
            return 0.0;
        }
        let s = &self.sections[id].section;
        let i = s.segment_index(x);
        match self.segment_geometry(id) {
            Some(g) => g[i].area,
            None => {
                std::f64::consts::PI * s.range("diam").map(|d| d[i]).unwrap_or(0.0) * s.length
                    / s.nseg() as f64
            }
        }
    }

    /// Axial resistance (MΩ) between the node at x and its parent node. Nodes are numbered
    /// from the attached end, which is x = 1 for a section connected by its 1 end.
    pub(crate) fn ri_at(&self, id: SecId, x: f64) -> f64 {
        let s = &self.sections[id].section;
        let nseg = s.nseg();
        let reversed = s.parent.is_some_and(|a| a.child_x == 1.0);
        let geometry = self.segment_geometry(id);
        // Half-segment resistances (toward the attached end, away from it) of node k.
        let half = |k: usize| -> (f64, f64) {
            let seg = if reversed { nseg - 1 - k } else { k };
            match &geometry {
                Some(g) if reversed => (g[seg].r_right, g[seg].r_left),
                Some(g) => (g[seg].r_left, g[seg].r_right),
                None => {
                    let d = s.range("diam").map(|v| v[seg]).unwrap_or(1.0);
                    let r = 1e-2 * s.ra * (s.length / nseg as f64 / 2.0)
                        / (std::f64::consts::PI * d * d / 4.0);
                    (r, r)
                }
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
