//! Segment areas and axial resistances of one section, as NEURON's `nrn_area_ri` computes them
//! (`treeset.cpp`): right circular cylinders from L/diam, or frustum integration over the 3-D
//! points (`diam_from_list`) when a section has at least two of them.
//!
//! All quantities are produced in *node order* of the section (NEURON's `pnode[0..nseg]`), and
//! every expression is evaluated in the same operation order as NEURON's C++ so that areas and
//! resistances agree to the last bit.

use model::Pt3d;

/// π as NEURON's `treeset.cpp` defines it.
const PI: f64 = std::f64::consts::PI;

/// Geometry of one section's nodes: `nseg` membrane nodes followed by the zero-area end node.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionGeometry {
    /// Membrane area in µm² per node; the end node gets NEURON's dimensionless 100.
    pub area: Vec<f64>,
    /// `NODERINV`: 1/(left half resistance of this node + right half of the previous one), µS.
    pub rinv: Vec<f64>,
    /// Diameter per membrane node (averaged over the segment when it comes from 3-D points).
    pub diam: Vec<f64>,
}

/// Cylinder geometry: for every segment of length dx = L/nseg,
///
/// * area = π·diam·dx,
/// * half-segment resistance r = 1e-2·Ra·(dx/2)/(π·diam²/4) MΩ,
/// * `NODERINV` = 1/(r_left + r_right of the previous segment); the end node gets 1/r_right.
pub fn cylinders(length: f64, ra: f64, diam: &[f64]) -> SectionGeometry {
    let nseg = diam.len();
    let dx = length / nseg as f64;
    let mut area = Vec::with_capacity(nseg + 1);
    let mut rinv = Vec::with_capacity(nseg + 1);
    let mut rright = 0.0;
    let mut diam_out = Vec::with_capacity(nseg);
    for &d0 in diam {
        // NEURON replaces non-positive diameters by 1e-6 (with an error message).
        let d = if d0 <= 0.0 { 1e-6 } else { d0 };
        area.push(PI * d * dx);
        let rleft = 1e-2 * ra * (dx / 2.0) / (PI * d * d / 4.0);
        rinv.push(1.0 / (rleft + rright));
        rright = rleft;
        diam_out.push(d);
    }
    area.push(1.0e2);
    rinv.push(1.0 / rright);
    SectionGeometry {
        area,
        rinv,
        diam: diam_out,
    }
}

/// Arc length of every 3-D point. Coordinate differences are taken in single precision, as
/// NEURON stores points as `float`; the sum is double. When `length` agrees with the last arc
/// to 1e-6 relative, the last arc is set to `length` (NEURON's `define_shape` does this to
/// keep L exact).
pub fn arc_lengths(points: &[Pt3d], length: f64) -> Vec<f64> {
    let mut arc = Vec::with_capacity(points.len());
    let mut acc = 0.0f64;
    for (i, p) in points.iter().enumerate() {
        if i > 0 {
            let q = &points[i - 1];
            let t1 = (p.x - q.x) as f64;
            let t2 = (p.y - q.y) as f64;
            let t3 = (p.z - q.z) as f64;
            acc += (t1 * t1 + t2 * t2 + t3 * t3).sqrt();
        }
        arc.push(acc);
    }
    if let Some(last) = arc.last_mut() {
        if (*last - length).abs() <= 1e-6 * length.abs().max(1.0) {
            *last = length;
        }
    }
    arc
}

/// Frustum integration over 3-D points (NEURON's `diam_from_list`).
///
/// The section is cut into `nseg` segments of equal arc length ds, each split into two halves;
/// over every piece between consecutive break points (3-D points or half-segment ends, with
/// linearly interpolated diameters y₁, y₂ over length δ) it accumulates
///
/// * diam: (y₁ + y₂)·δ, later scaled by ½/ds,
/// * area: (y₁ + y₂)·√(δ² + ((y₂ − y₁)/2)²), later scaled by π/2,
/// * resistance: 1/(y₁y₂/δ), later scaled by Ra/π·0.04 per half segment.
///
/// `diam_param` is the segment's current `diam`; it is replaced by the averaged diameter only
/// when they differ by more than 1e-9, as NEURON does.
pub fn frusta(arc: &[f64], points: &[Pt3d], ra: f64, diam_param: &[f64]) -> SectionGeometry {
    let nseg = diam_param.len();
    let npt = points.len();
    let d = |i: usize| (points[i].diam as f64).abs();
    let mut area_out = Vec::with_capacity(nseg + 1);
    let mut rinv = Vec::with_capacity(nseg + 1);
    let mut diam_out = Vec::with_capacity(nseg);

    let mut j = 0usize;
    let mut x1 = arc[0];
    let mut y1 = d(0);
    let ds = arc[npt - 1] / nseg as f64;
    let mut rparent = 0.0;
    for (inode, &param) in diam_param.iter().enumerate() {
        let mut si = inode as f64 * ds;
        let mut diam = 0.0;
        let mut area = 0.0;
        let mut rleft = 0.0;
        let mut ri = 0.0;
        for ihalf in 0..2 {
            ri = 0.0;
            let sip = si + ds / 2.0;
            loop {
                let jp = j + 1;
                let xj = arc[j];
                let xjp = arc[jp];
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
                let slant = (delta * delta + taper * taper).sqrt();
                area += (y2 + y1) * slant;
                x1 = x2;
                y1 = y2;
                if j == jnext {
                    break;
                }
                j = jnext;
            }
            if ihalf == 0 {
                rleft = ri * ra / PI * (4.0 * 0.01);
            } else {
                ri = ri * ra / PI * (4.0 * 0.01);
            }
            si = sip;
        }
        rinv.push(1.0 / (rparent + rleft));
        diam *= 0.5 / ds;
        diam_out.push(if (diam - param).abs() > 1e-9 || diam < 1e-5 {
            diam
        } else {
            param
        });
        area_out.push(area * 0.5 * PI);
        rparent = ri;
    }
    area_out.push(1.0e2);
    rinv.push(1.0 / rparent);
    SectionGeometry {
        area: area_out,
        rinv,
        diam: diam_out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(x: f32, d: f32) -> Pt3d {
        Pt3d {
            x,
            y: 0.0,
            z: 0.0,
            diam: d,
        }
    }

    #[test]
    fn cylinder_area_is_pi_d_dx() {
        let g = cylinders(100.0, 35.4, &[2.0, 2.0]);
        assert_eq!(g.area.len(), 3);
        assert!((g.area[0] - PI * 2.0 * 50.0).abs() < 1e-12);
        assert_eq!(g.area[2], 100.0);
        // r_half = 1e-2*35.4*25/(π) MΩ; first node has no parent half.
        let rhalf = 1e-2 * 35.4 * 25.0 / PI;
        assert!((1.0 / g.rinv[0] - rhalf).abs() < 1e-12);
        assert!((1.0 / g.rinv[1] - 2.0 * rhalf).abs() < 1e-12);
        assert!((1.0 / g.rinv[2] - rhalf).abs() < 1e-12);
    }

    #[test]
    fn frusta_of_a_constant_diameter_match_cylinders() {
        let pts = [pt(0.0, 3.0), pt(40.0, 3.0), pt(100.0, 3.0)];
        let arc = arc_lengths(&pts, 100.0);
        let f = frusta(&arc, &pts, 100.0, &[3.0; 5]);
        let c = cylinders(100.0, 100.0, &[3.0; 5]);
        for (a, b) in f.area.iter().zip(&c.area) {
            assert!((a - b).abs() < 1e-9 * b, "{a} vs {b}");
        }
        for (a, b) in f.rinv.iter().zip(&c.rinv) {
            assert!((a - b).abs() < 1e-9 * b, "{a} vs {b}");
        }
    }

    #[test]
    fn cone_area_uses_slant_height() {
        // A cone frustum from diameter 2 to 4 over length 10: lateral area π(r1+r2)·slant.
        let pts = [pt(0.0, 2.0), pt(10.0, 4.0)];
        let arc = arc_lengths(&pts, 10.0);
        let f = frusta(&arc, &pts, 100.0, &[3.0]);
        let slant = (10.0f64.powi(2) + 1.0).sqrt();
        assert!((f.area[0] - PI * 3.0 * slant).abs() < 1e-9);
        assert!((f.diam[0] - 3.0).abs() < 1e-12);
    }
}
