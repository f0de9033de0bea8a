//! Segment geometry of a section as NEURON computes it (`nrn_area_ri` and `diam_from_list` in
//! `treeset.cpp`): membrane area, averaged diameter and the two half-segment axial
//! resistances of every segment, from L/diam (right circular cylinders) or, when a section
//! has at least two 3-D points, by integrating over the frusta between those points.
//!
//! Every expression is evaluated in the same operation order as NEURON's C++, so results
//! agree with NEURON to the last bit; the crates `hoc` (for `area()`, `ri()`, `arc3d()` and
//! the diameter write-back) and `engine` (for the discretisation) both use this module.
//!
//! # Orientation
//!
//! [`frusta`] returns segments in *3-D point order*: segment 0 starts at the first point.
//! [`cylinder`] describes one segment and carries no order. Mapping either to section
//! positions x or to NEURON's node order is the caller's business.
//!
//! # Units
//!
//! Lengths and diameters in µm, Ra in Ω·cm, areas in µm², resistances in MΩ.

use std::f64::consts::PI;

use crate::Pt3d;

/// Geometry of one segment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentGeometry {
    /// Diameter (µm): the cylinder's, or the length-weighted mean over the 3-D points.
    pub diam: f64,
    /// Membrane area (µm²).
    pub area: f64,
    /// Axial resistance of the first half of the segment (MΩ).
    pub r_left: f64,
    /// Axial resistance of the second half of the segment (MΩ).
    pub r_right: f64,
}

/// Per-node quantities of one section, as NEURON's `NODEAREA`/`NODERINV` hold them: `nseg`
/// membrane nodes followed by the zero-area node at the far end.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeGeometry {
    /// Membrane area (µm²) per node; the end node gets NEURON's dimensionless 100.
    pub area: Vec<f64>,
    /// 1/(first half of this segment + second half of the previous one), µS; the first node
    /// has no previous half (the parent's side is added by the caller's coupling, not here),
    /// and the end node gets 1/(second half of the last segment).
    pub rinv: Vec<f64>,
}

/// Distance between two consecutive 3-D points as NEURON accumulates arc length: the
/// coordinate differences are taken in single precision (points are `float`), the squares,
/// sum and square root in double:
///
/// Δs = √(δx² + δy² + δz²), δx = fl₃₂(x₂ − x₁) …
pub fn step_length(p: &Pt3d, q: &Pt3d) -> f64 {
    let dx = (p.x - q.x) as f64;
    let dy = (p.y - q.y) as f64;
    let dz = (p.z - q.z) as f64;
    (dx * dx + dy * dy + dz * dz).sqrt()
}

/// Arc length of every 3-D point: s₀ = 0, sᵢ = sᵢ₋₁ + Δsᵢ (see [`step_length`]).
///
/// With two or more points the last arc is set to `length`: NEURON keeps L equal to the last
/// arc (`define_shape` pins it to L against round-off, and assigning L rescales the arcs), so
/// L is the authoritative value. The section is expected to keep L consistent with its points.
pub fn arc_lengths(points: &[Pt3d], length: f64) -> Vec<f64> {
    let mut arcs = Vec::with_capacity(points.len());
    let mut acc = 0.0f64;
    for (i, p) in points.iter().enumerate() {
        if i > 0 {
            acc += step_length(p, &points[i - 1]);
        }
        arcs.push(acc);
    }
    if points.len() > 1 {
        if let Some(last) = arcs.last_mut() {
            *last = length;
        }
    }
    arcs
}

/// One segment of a section without 3-D points, a right circular cylinder of length
/// dx = L/nseg:
///
/// * area = π·d·dx,
/// * each half-segment resistance r = 10⁻²·Ra·(dx/2) / (π·d²/4).
///
/// A non-positive diameter becomes 10⁻⁶ µm, as NEURON replaces it (with an error message).
pub fn cylinder(length: f64, nseg: usize, ra: f64, diam: f64) -> SegmentGeometry {
    let d = if diam <= 0.0 { 1e-6 } else { diam };
    let dx = length / nseg as f64;
    let r = 1e-2 * ra * (dx / 2.0) / (PI * d * d / 4.0);
    SegmentGeometry {
        diam: d,
        area: PI * d * dx,
        r_left: r,
        r_right: r,
    }
}

/// Frustum integration over 3-D points (NEURON's `diam_from_list`), segment by segment in
/// point order.
///
/// The arc [0, s_last] is cut into `nseg` segments of length ds = s_last/nseg, each into two
/// halves. The diameter d(s) is piecewise linear between the points (absolute values, since
/// NEURON marks spines by negative diameters). Every half is split at the 3-D points inside
/// it; over each piece of length δ with end diameters y₁, y₂ the integrals accumulate
///
/// * diameter: (y₁ + y₂)·δ, scaled at the end by ½/ds, so d̄ = (1/ds)·∫d ds;
/// * area: (y₁ + y₂)·√(δ² + (½(y₂ − y₁))²), scaled by π/2: the lateral area of the frustum;
/// * resistance: δ/(y₁·y₂), scaled per half by 4·10⁻²·Ra/π; ∫ds/d(s)² is exactly δ/(y₁y₂)
///   for a linear d, so the half-segment resistance is exact for a piecewise-linear cable.
///
/// Degenerate pieces follow NEURON: δ below 10⁻¹⁵ counts as 10⁻¹⁵ for the resistance, and a
/// zero y₁y₂/δ as 10⁻¹⁵. A break point lying beyond the last arc is interpolated on the last
/// piece (extrapolation), so non-monotonic input cannot run past the points.
///
/// `arcs` must come from [`arc_lengths`] and `points` must have at least two entries;
/// otherwise an empty vector is returned.
pub fn frusta(arcs: &[f64], points: &[Pt3d], ra: f64, nseg: usize) -> Vec<SegmentGeometry> {
    let npt = points.len();
    if npt < 2 || arcs.len() != npt || nseg == 0 {
        return Vec::new();
    }
    let y = |i: usize| (points[i].diam as f64).abs();
    let ds = arcs[npt - 1] / nseg as f64;
    let mut out = Vec::with_capacity(nseg);
    let mut j = 0usize;
    let (mut x1, mut y1) = (arcs[0], y(0));
    for inode in 0..nseg {
        let mut si = inode as f64 * ds;
        let (mut diam, mut area) = (0.0, 0.0);
        let mut halves = [0.0f64; 2];
        for half in &mut halves {
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
                    y2 = (1.0 - frac) * y(j) + frac * y(jp);
                    jnext = j;
                } else {
                    x2 = xjp;
                    y2 = y(jp);
                    jnext = jp;
                }
                let mut delta = x2 - x1;
                diam += (y2 + y1) * delta;
                if delta < 1e-15 {
                    delta = 1e-15;
                }
                let mut conductance = y2 * y1 / delta;
                if conductance == 0.0 {
                    conductance = 1e-15;
                }
                ri += 1.0 / conductance;
                let taper = 0.5 * (y2 - y1);
                area += (y2 + y1) * (delta * delta + taper * taper).sqrt();
                x1 = x2;
                y1 = y2;
                if j == jnext {
                    break;
                }
                j = jnext;
            }
            *half = ri * ra / PI * (4.0 * 0.01);
            si = sip;
        }
        diam *= 0.5 / ds;
        out.push(SegmentGeometry {
            diam,
            area: area * 0.5 * PI,
            r_left: halves[0],
            r_right: halves[1],
        });
    }
    out
}

/// The diameter NEURON leaves in a segment after integrating over 3-D points: the averaged
/// value replaces the current one only when they differ by more than 10⁻⁹ µm or the average
/// is below 10⁻⁵ µm, so a diameter assigned to match the points keeps its exact bits.
pub fn diam_after_integration(averaged: f64, current: f64) -> f64 {
    if (averaged - current).abs() > 1e-9 || averaged < 1e-5 {
        averaged
    } else {
        current
    }
}

/// The per-node arrays of a section from its segments in node order (`nrn_area_ri`): node k
/// gets segment k's area and NODERINV = 1/(r_left(k) + r_right(k−1)), with r_right(−1) = 0;
/// the end node gets area 100 and 1/r_right(last).
pub fn node_geometry(segments: &[SegmentGeometry]) -> NodeGeometry {
    let mut area = Vec::with_capacity(segments.len() + 1);
    let mut rinv = Vec::with_capacity(segments.len() + 1);
    let mut r_previous = 0.0;
    for s in segments {
        area.push(s.area);
        rinv.push(1.0 / (r_previous + s.r_left));
        r_previous = s.r_right;
    }
    area.push(1.0e2);
    rinv.push(1.0 / r_previous);
    NodeGeometry { area, rinv }
}

#[cfg(test)]
mod tests;
