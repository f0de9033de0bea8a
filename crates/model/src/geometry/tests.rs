//! Unit tests of the segment geometry against closed-form cylinder and frustum formulas.

use super::*;

fn pt(x: f32, diam: f32) -> Pt3d {
    Pt3d {
        x,
        y: 0.0,
        z: 0.0,
        diam,
    }
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300)
}

#[test]
fn step_length_is_euclidean() {
    let p = Pt3d {
        x: 3.0,
        y: 4.0,
        z: 12.0,
        diam: 1.0,
    };
    let o = Pt3d {
        x: 0.0,
        y: 0.0,
        z: 0.0,
        diam: 1.0,
    };
    assert_eq!(step_length(&p, &o), 13.0);
    assert_eq!(step_length(&o, &p), 13.0);
}

#[test]
fn step_length_rounds_coordinate_differences_to_float() {
    // 0.3f32 - 0.1f32 is not representable exactly in f32: the float difference and the
    // double difference of the same two floats disagree, and NEURON uses the float one.
    let (a, b) = (0.3f32, 0.1f32);
    let double_difference = a as f64 - b as f64;
    let float_difference = (a - b) as f64;
    assert_ne!(double_difference, float_difference);
    assert_eq!(step_length(&pt(a, 1.0), &pt(b, 1.0)), float_difference);
}

#[test]
fn arcs_accumulate_and_the_last_one_is_l() {
    let pts = [pt(0.0, 1.0), pt(3.0, 1.0), pt(10.0, 1.0)];
    assert_eq!(arc_lengths(&pts, 10.0), vec![0.0, 3.0, 10.0]);
    // L set apart from the points by round-off (as after assigning L): the last arc is L.
    let arcs = arc_lengths(&pts, 10.000001);
    assert_eq!(arcs, vec![0.0, 3.0, 10.000001]);
}

#[test]
fn arcs_of_a_single_point_or_none() {
    assert_eq!(arc_lengths(&[pt(5.0, 1.0)], 100.0), vec![0.0]);
    assert!(arc_lengths(&[], 100.0).is_empty());
}

#[test]
fn cylinder_area_and_half_resistances() {
    let g = cylinder(100.0, 2, 35.4, 2.0);
    assert!(close(g.area, PI * 2.0 * 50.0, 1e-15));
    // Half of a 50 µm segment: 1e-2·Ra·25/(π·d²/4) MΩ.
    let r_half = 1e-2 * 35.4 * 25.0 / PI;
    assert!(close(g.r_left, r_half, 1e-15));
    assert_eq!(g.r_left, g.r_right);
    assert_eq!(g.diam, 2.0);
}

#[test]
fn cylinder_replaces_non_positive_diameters() {
    for bad in [0.0, -3.0] {
        let g = cylinder(10.0, 1, 100.0, bad);
        assert_eq!(g.diam, 1e-6);
        assert!(g.area > 0.0 && g.r_left.is_finite());
    }
}

#[test]
fn frusta_of_constant_diameter_match_cylinders() {
    let pts = [pt(0.0, 3.0), pt(40.0, 3.0), pt(100.0, 3.0)];
    let arcs = arc_lengths(&pts, 100.0);
    let f = frusta(&arcs, &pts, 100.0, 5);
    assert_eq!(f.len(), 5);
    let c = cylinder(100.0, 5, 100.0, 3.0);
    for s in &f {
        assert!(close(s.area, c.area, 1e-12), "{} vs {}", s.area, c.area);
        assert!(close(s.r_left, c.r_left, 1e-12));
        assert!(close(s.r_right, c.r_right, 1e-12));
        assert!(close(s.diam, 3.0, 1e-12));
    }
}

#[test]
fn cone_area_uses_slant_height_and_resistance_is_exact() {
    // A frustum from diameter 2 to 4 over length 10, one segment.
    let pts = [pt(0.0, 2.0), pt(10.0, 4.0)];
    let arcs = arc_lengths(&pts, 10.0);
    let ra = 100.0;
    let g = frusta(&arcs, &pts, ra, 1)[0];
    // Lateral area π(r₁+r₂)·slant for each half: 2→3 and 3→4 over 5 µm.
    let slant = (25.0f64 + 0.25).sqrt();
    let want = PI * (1.0 + 1.5) * slant + PI * (1.5 + 2.0) * slant;
    assert!(close(g.area, want, 1e-12), "{} vs {want}", g.area);
    assert!(close(g.diam, 3.0, 1e-12));
    // ∫ 4·Ra·1e-2/(π d(s)²) ds over a linear taper = 4e-2·Ra/π · δ/(d₁d₂).
    let k = 4e-2 * ra / PI;
    assert!(close(g.r_left, k * 5.0 / (2.0 * 3.0), 1e-12));
    assert!(close(g.r_right, k * 5.0 / (3.0 * 4.0), 1e-12));
}

#[test]
fn frusta_are_additive_over_segments() {
    // An irregular profile: the totals do not depend on how finely it is segmented.
    let pts = [
        pt(0.0, 2.0),
        pt(7.0, 5.0),
        pt(7.5, 1.0),
        pt(20.0, 1.0),
        pt(33.0, 4.0),
    ];
    let arcs = arc_lengths(&pts, 33.0);
    let total = |nseg: usize| {
        let f = frusta(&arcs, &pts, 80.0, nseg);
        let area: f64 = f.iter().map(|s| s.area).sum();
        let r: f64 = f.iter().map(|s| s.r_left + s.r_right).sum();
        let mean_diam: f64 = f.iter().map(|s| s.diam).sum::<f64>() / nseg as f64;
        (area, r, mean_diam)
    };
    let (a1, r1, d1) = total(1);
    for nseg in [2, 3, 7, 40] {
        let (a, r, d) = total(nseg);
        assert!(close(a, a1, 1e-12), "nseg {nseg}: area {a} vs {a1}");
        assert!(close(r, r1, 1e-12), "nseg {nseg}: ri {r} vs {r1}");
        assert!(close(d, d1, 1e-12), "nseg {nseg}: diam {d} vs {d1}");
    }
    // The mean diameter is ∫d ds / L of the piecewise-linear profile.
    let integral = 7.0 * 3.5 + 0.5 * 3.0 + 12.5 * 1.0 + 13.0 * 2.5;
    assert!(close(d1, integral / 33.0, 1e-12));
}

#[test]
fn negative_point_diameters_count_by_magnitude() {
    let plain = [pt(0.0, 2.0), pt(10.0, 2.0)];
    let spined = [pt(0.0, -2.0), pt(10.0, 2.0)];
    let a = frusta(&arc_lengths(&plain, 10.0), &plain, 50.0, 2);
    let b = frusta(&arc_lengths(&spined, 10.0), &spined, 50.0, 2);
    assert_eq!(a, b);
}

#[test]
fn coincident_points_neither_panic_nor_give_nan_area() {
    let pts = [pt(0.0, 2.0), pt(0.0, 3.0), pt(5.0, 3.0), pt(5.0, 3.0)];
    let f = frusta(&arc_lengths(&pts, 5.0), &pts, 50.0, 3);
    assert_eq!(f.len(), 3);
    assert!(f.iter().all(|s| s.area.is_finite() && s.r_left.is_finite()));
}

#[test]
fn frusta_refuse_too_few_points_or_mismatched_arcs() {
    let one = [pt(0.0, 1.0)];
    assert!(frusta(&[0.0], &one, 1.0, 1).is_empty());
    let two = [pt(0.0, 1.0), pt(1.0, 1.0)];
    assert!(frusta(&[0.0], &two, 1.0, 1).is_empty());
    assert!(frusta(&[0.0, 1.0], &two, 1.0, 0).is_empty());
}

#[test]
fn averaged_diameter_replaces_only_real_changes() {
    assert_eq!(diam_after_integration(2.0 + 1e-10, 2.0), 2.0);
    assert_eq!(diam_after_integration(2.0 + 1e-8, 2.0), 2.0 + 1e-8);
    // Tiny averages always win, even when close to the current value.
    assert_eq!(diam_after_integration(5e-6, 5e-6 + 1e-12), 5e-6);
}

#[test]
fn node_geometry_chains_half_resistances() {
    let a = cylinder(100.0, 2, 35.4, 2.0);
    let b = cylinder(100.0, 2, 35.4, 4.0);
    let n = node_geometry(&[a, b]);
    assert_eq!(n.area, vec![a.area, b.area, 100.0]);
    assert_eq!(n.rinv.len(), 3);
    assert_eq!(1.0 / n.rinv[0], a.r_left);
    assert!(close(1.0 / n.rinv[1], a.r_right + b.r_left, 1e-15));
    assert!(close(1.0 / n.rinv[2], b.r_right, 1e-15));
}
