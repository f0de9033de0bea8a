//! Areas, axial resistances and diameters against NEURON 9.0.2.
// Reference values are written as NEURON printed them (17 significant digits).
#![allow(clippy::excessive_precision)]

mod common;

use common::Case;
use engine::Discretization;
use model::{CellDescription, Pt3d, Section};

/// The HCO soma as HCOCell.hoc leaves it: L 1000, and the three float32 points
/// `define_shape()` stores while nseg is still 1. `diam` is 9.99593 before the first area
/// computation and the float value afterwards (NEURON writes the averaged diameter back).
fn hco_soma(nseg: usize, diam: f64) -> CellDescription {
    let mut s = Section::new("soma[0]");
    s.length = 1000.0;
    s.set_range("diam", diam).unwrap();
    let d = 9.99593f32;
    s.pt3d = [0.0f32, 500.0, 1000.0]
        .iter()
        .map(|&x| Pt3d {
            x,
            y: 0.0,
            z: 0.0,
            diam: d,
        })
        .collect();
    s.set_nseg(nseg).unwrap();
    let mut c = CellDescription::new("HCOcell");
    c.add_section(s);
    c
}

#[test]
fn hco_soma_area_from_float_points_nseg1() {
    let disc = Discretization::new(&[hco_soma(1, 9.99593)]).unwrap();
    let node = disc.node_at(0, 0, 0.5).unwrap() as usize;
    // NEURON: soma(0.5).area() = 31403.139367923915, ri() = 2.2554697000495669.
    assert_eq!(disc.area[node], 31403.139367923915);
    assert_eq!(disc.diam[node], 9.995929718017578);
    let ri = -1.0e2 / (disc.b[node] * disc.area[node]);
    assert!((ri - 2.2554697000495669).abs() < 1e-14, "{ri}");
}

#[test]
fn hco_soma_areas_nseg51_match_neuron_bitwise() {
    // NEURON 9.0.2 `seg.area()` for the 51 segments (printed with 17 significant digits).
    let short = 615.74783074360619;
    let a = 615.74783074360664;
    let b = 615.74783074360573;
    let c = 615.74783074360482;
    let e = 615.74783074360312;
    let expected = [
        short, short, short, short, a, b, a, b, a, a, b, b, a, a, c, a, a, a, a, c, a, a, c, a, a,
        a, e, a, e, a, a, a, a, a, a, a, a, e, a, a, a, a, a, a, e, a, a, a, a, a, a,
    ];
    let disc = Discretization::new(&[hco_soma(51, 9.995929718017578)]).unwrap();
    let nodes = disc.section(0, 0).unwrap();
    for (k, want) in expected.iter().enumerate() {
        let node = nodes.segment_node(k) as usize;
        assert_eq!(disc.area[node], *want, "segment {k}");
        assert_eq!(disc.diam[node], 9.995929718017578);
    }
    // ri at x = 1 (the end node): 0.04422489607940306.
    let end = nodes.node_at(1.0).unwrap() as usize;
    // Derived back from b, so allow the rounding of that division.
    let ri = -1.0e2 / (disc.b[end] * disc.area[end]);
    assert!((ri - 0.04422489607940306).abs() < 1e-15, "{ri}");
}

#[test]
fn reference_case_areas_and_ri_match_neuron() {
    for name in ["mc-cell", "passive-cable", "hh-6.3"] {
        let Some(case) = Case::load(name) else {
            continue;
        };
        let cell = case.cell();
        let disc = Discretization::new(std::slice::from_ref(&cell)).unwrap();
        for (si, s) in case.json["sections"].as_array().unwrap().iter().enumerate() {
            let nodes = disc.section(0, si).unwrap();
            for (k, (area, ri)) in s["area"]
                .as_array()
                .unwrap()
                .iter()
                .zip(s["ri"].as_array().unwrap())
                .enumerate()
            {
                let node = nodes.segment_node(k) as usize;
                assert_eq!(
                    disc.area[node],
                    area.as_f64().unwrap(),
                    "{name} section {si} segment {k} area"
                );
                let got_ri = -1.0e2 / (disc.b[node] * disc.area[node]);
                let want_ri = ri.as_f64().unwrap();
                assert!(
                    (got_ri - want_ri).abs() <= 1e-14 * want_ri,
                    "{name} {si}/{k}: ri {got_ri} vs {want_ri}"
                );
            }
        }
    }
}
