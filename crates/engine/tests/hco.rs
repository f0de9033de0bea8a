//! The HCO cell of `shared/models/hco` (one 51-segment soma, nine user mechanisms) against the
//! BMTK 1.2.0 + NEURON 9.0.2 results in `shared/reference/hco-single/expected/`.
//! The dt 0.001 runs (1M steps) are `#[ignore]`d: run them with `cargo test --release -- --ignored`.

mod common;

use common::{max_abs_diff, read_npy, shared};
use engine::{Probe, SimulationBuilder, SpikeDetectorSpec, SpikeSource, VecRecorder, VecSpikes};
use mech::Catalogue;
use model::{CellDescription, Pt3d, Section};

/// HCOCell.hoc after BMTK's dL rule (nseg 51) and define_shape (3 float points at nseg 1).
fn hco_cell() -> CellDescription {
    let mut s = Section::new("soma[0]");
    s.length = 1000.0;
    // define_shape ran at nseg 1 and wrote the float diameter back.
    s.set_range("diam", 9.99593f32 as f64).unwrap();
    s.pt3d = [0.0f32, 500.0, 1000.0]
        .iter()
        .map(|&x| Pt3d {
            x,
            y: 0.0,
            z: 0.0,
            diam: 9.99593,
        })
        .collect();
    s.set_range("cm", 1.0).unwrap();
    let gbar = [
        ("leak", 0.03e-3),
        ("cat", 0.02),
        ("cas", 0.01),
        ("kdr", 0.1),
        ("ka", 0.3),
        ("kca", 0.01),
        ("capool", f64::NAN),
        ("hyper", 0.0002),
        ("na", 0.5),
    ];
    for (m, g) in gbar {
        if g.is_nan() {
            s.insert_mechanism(m, &[]);
        } else {
            s.insert_mechanism(m, &[(format!("gbar_{m}"), g)]);
        }
    }
    s.insert_ion("leak", &[("eleak".into(), -50.0)]);
    s.insert_ion("ca", &[("cao".into(), 3.0), ("cai".into(), 50e-6)]);
    s.insert_ion("k", &[("ek".into(), -80.0)]);
    s.insert_ion("h", &[("eh".into(), -20.0)]);
    s.insert_ion("na", &[("ena".into(), 50.0)]);
    s.set_nseg(51).unwrap();
    let mut c = CellDescription::new("HCOcell");
    c.add_section(s);
    c
}

fn catalogue() -> Catalogue {
    let mut cat = Catalogue::new();
    cat.add_user_dir(&shared().join("models/hco/mechanisms/modfiles"))
        .expect("HCO mechanisms compile");
    cat
}

/// Runs 1000 ms; returns (v, cai) at soma(0.5) and the spikes.
fn run(dt: f64, v_init: f64) -> (VecRecorder, VecSpikes) {
    let cat = catalogue();
    let mut b = SimulationBuilder::new(&cat);
    b.cell(hco_cell());
    b.detector(SpikeDetectorSpec {
        cell: 0,
        section: 0,
        x: 0.5,
        threshold: -15.0,
    });
    b.celsius(34.0).dt(dt).v_init(v_init);
    let mut sim = b.build().unwrap();
    sim.set_probes(&[
        Probe::segment(0, 0, 0.5, "v"),
        Probe::segment(0, 0, 0.5, "cai"),
    ])
    .unwrap();
    let mut rec = VecRecorder::default();
    let mut spikes = VecSpikes::default();
    sim.run(1000.0, &mut rec, &mut spikes);
    (rec, spikes)
}

fn compare(dt: f64, suffix: &str) {
    let (rec, _) = run(dt, -50.0);
    let dir = shared().join("reference/hco-single/expected");
    let v = read_npy(&dir.join(format!("v{suffix}.npy")));
    let cai = read_npy(&dir.join(format!("cai{suffix}.npy")));
    let (dv, at) = max_abs_diff(&rec.columns[0], &v);
    assert!(dv <= 1e-6, "dt {dt}: max |Δv| = {dv:e} mV at row {at}");
    let rel = rec.columns[1]
        .iter()
        .zip(&cai)
        .map(|(a, b)| ((a - b) / b).abs())
        .fold(0.0, f64::max);
    assert!(rel <= 1e-9, "dt {dt}: max relative |Δcai| = {rel:e}");
}

#[test]
fn hco_dt_0_025() {
    compare(0.025, "_dt0025");
}

#[test]
fn hco_dt_0_01() {
    compare(0.01, "_dt001");
}

#[test]
#[ignore = "1M steps: run in release mode"]
fn hco_dt_0_001() {
    compare(0.001, "");
}

#[test]
#[ignore = "1M steps: run in release mode"]
fn hco_vinit_minus_80_spike_times() {
    let (_, spikes) = run(0.001, -80.0);
    let text =
        std::fs::read_to_string(shared().join("reference/hco-single/expected/spikes_vinit80.csv"))
            .unwrap();
    let want: Vec<f64> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect();
    let got = spikes.times(SpikeSource::Detector(0));
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() <= 0.0005, "{g} vs {w}");
    }
}
