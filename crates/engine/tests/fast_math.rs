//! Fast-math mode of the engine (`SimulationBuilder::fast_math`): a network of hh cells with
//! a calcium current and pool (so `ion_cur` recomputes eca every step) stays within 1e-6 mV
//! of the exact mode, spikes at the same steps, and still gives the same bits whatever the
//! threads and partitioning.

use std::collections::BTreeMap;

use engine::{
    ArtificialCellSpec, NetConSpec, Probe, SimulationBuilder, SpikeDetectorSpec, SpikeSource,
    Target, VecRecorder, VecSpikes,
};
mod common;

use common::hh_synapse_cell;
use mech::Catalogue;

const CELLS: usize = 12;

/// A calcium current through eca that fills a pool: cai written, eca read (eadvance style).
const CALCIUM: &str = r#"
NEURON {
    SUFFIX cadyn
    USEION ca READ eca WRITE ica, cai
    RANGE gca, tau
}
UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
}
PARAMETER {
    gca = 2e-5 (S/cm2)
    tau = 30 (ms)
    cainf = 5e-5 (mM)
    depth = 0.2 (um)
}
ASSIGNED {
    v (mV)
    eca (mV)
    ica (mA/cm2)
}
STATE { cai (mM) }
INITIAL { cai = cainf }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ica = gca * (v - eca)
}
DERIVATIVE states {
    cai' = -ica * 10000 / (2 * 96485 * depth) + (cainf - cai) / tau
}
"#;

fn catalogue() -> Catalogue {
    let mut cat = Catalogue::new();
    cat.add_user("cadyn.mod", CALCIUM).unwrap();
    cat
}

/// Each cell: an hh soma with cadyn and a 3-section dendrite (a small tree for the sweeps);
/// cell i excites i+1 and i+5; two NetStims drive the ring. Returns the soma v and eca
/// columns, the spikes and the number of partitions.
fn run(cat: &Catalogue, fast: bool, threads: usize, block: usize) -> (VecRecorder, VecSpikes) {
    let mut b = SimulationBuilder::new(cat);
    for k in 0..CELLS {
        let mut c = hh_synapse_cell(k, 3);
        c.sections[0].insert_mechanism("cadyn", &[]);
        for j in 0..3 {
            let mut d = model::Section::new(format!("dend{j}"));
            d.length = 150.0 + 10.0 * k as f64;
            d.set_nseg(5 + j).unwrap();
            d.set_range("diam", 1.0 + 0.5 * j as f64).unwrap();
            d.insert_mechanism("pas", &[]);
            d.insert_mechanism("cadyn", &[]);
            let i = c.add_section(d);
            c.connect(i, 0.0, if j == 2 { i - 1 } else { 0 }, 1.0)
                .unwrap();
        }
        b.cell(c);
        b.detector(SpikeDetectorSpec {
            cell: k,
            section: 0,
            x: 0.5,
            threshold: -20.0,
        });
    }
    for i in 0..CELLS {
        for (s, (hop, delay)) in [(1, 1.0), (5, 2.5)].into_iter().enumerate() {
            b.netcon(NetConSpec {
                source: SpikeSource::Detector(i),
                target: Some(Target::PointProcess {
                    cell: (i + hop) % CELLS,
                    index: s,
                }),
                delay,
                weights: vec![0.01],
            });
        }
    }
    for (n, k) in [0usize, 6].into_iter().enumerate() {
        let a = b.artificial_cell(ArtificialCellSpec {
            mechanism: "NetStim".into(),
            values: BTreeMap::from([
                ("start".to_string(), 2.0 + n as f64),
                ("interval".to_string(), 11.0),
                ("number".to_string(), 10.0),
                ("noise".to_string(), 0.0),
            ]),
        });
        b.netcon(NetConSpec {
            source: SpikeSource::Artificial(a),
            target: Some(Target::PointProcess { cell: k, index: 2 }),
            delay: 1.0,
            weights: vec![0.05],
        });
    }
    b.celsius(6.3)
        .threads(threads)
        .partition_target_compartments(block)
        .fast_math(fast);
    let mut sim = b.build().unwrap();
    let probes: Vec<Probe> = (0..CELLS)
        .flat_map(|k| {
            [
                Probe::segment(k, 0, 0.5, "v"),
                Probe::segment(k, 3, 0.9, "v"),
                Probe::segment(k, 0, 0.5, "eca"),
            ]
        })
        .collect();
    sim.set_probes(&probes).unwrap();
    let mut rec = VecRecorder::default();
    let mut spikes = VecSpikes::default();
    sim.run(120.0, &mut rec, &mut spikes);
    (rec, spikes)
}

#[test]
fn fast_math_stays_within_a_microvolt_of_exact() {
    let cat = catalogue();
    let (exact, exact_spikes) = run(&cat, false, 1, usize::MAX);
    let (fast, fast_spikes) = run(&cat, true, 1, usize::MAX);
    let cell_spikes = exact_spikes
        .spikes
        .iter()
        .filter(|(s, _)| matches!(s, SpikeSource::Detector(_)))
        .count();
    assert!(cell_spikes > 20, "the network is active: {cell_spikes}");
    assert_eq!(exact.t, fast.t);
    let mut differs = false;
    for (k, (a, b)) in exact.columns.iter().zip(&fast.columns).enumerate() {
        let worst = a
            .iter()
            .zip(b)
            .fold(0.0f64, |w, (x, y)| w.max((x - y).abs()));
        assert!(worst <= 1e-6, "column {k}: {worst:e}");
        differs |= worst > 0.0;
    }
    assert!(differs, "fast-math is in use");
    // eca moves: the eadvance update is exercised.
    let eca = &exact.columns[2];
    assert!(eca.iter().fold(0.0f64, |w, &e| w.max((e - eca[0]).abs())) > 1.0);
    assert_eq!(exact_spikes.spikes.len(), fast_spikes.spikes.len());
    for ((s, t), (s2, t2)) in exact_spikes.spikes.iter().zip(&fast_spikes.spikes) {
        assert_eq!(s, s2);
        assert!((t - t2).abs() < 1e-9, "{t} vs {t2}");
    }
}

#[test]
fn fast_math_results_do_not_depend_on_threads_or_partitioning() {
    let cat = catalogue();
    let (one, spikes1) = run(&cat, true, 1, usize::MAX);
    for (threads, block) in [(2, usize::MAX), (1, 40), (3, 64)] {
        let (other, spikes) = run(&cat, true, threads, block);
        for (k, (a, b)) in one.columns.iter().zip(&other.columns).enumerate() {
            let same = a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
            assert!(same, "column {k}: {threads} threads, block {block}");
        }
        assert_eq!(spikes, spikes1);
    }
}
