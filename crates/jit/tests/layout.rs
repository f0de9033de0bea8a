//! Node layout and kernel preparation do not change a bit: a network of HCO cells (five copies
//! of one branched morphology with different clamps, and one cell of another shape) gives the
//! same traces and spikes with the nodes of identical cells interleaved
//! (`SimulationBuilder::interleave_cells`, the default) as in NEURON's node order — in exact and
//! fast-math mode, on one thread and on two with several partitions. The dendrites carry
//! NEURON's `hh` too, whose kernels write GLOBALs and are therefore called set by set while the
//! others run prepared once per run (`engine`'s `prepared` module): both paths are exercised.

mod common;

use std::collections::BTreeMap;

use engine::{Probe, SimulationBuilder, SpikeDetectorSpec, SpikeSource, VecRecorder, VecSpikes};
use mech::Catalogue;
use model::{CellDescription, PointProcess, Section};

const STEPS: usize = 1600;
const CELLS: usize = 6;

fn catalogue(options: jit::Options) -> Catalogue {
    common::hco_catalogue(Some(options))
}

/// An HCO soma with two dendrites (one with `hh`), clamped with `amp` nA; `odd` changes the
/// segment count of the second dendrite, hence the tree shape.
fn cell(amp: f64, odd: bool) -> CellDescription {
    let mut soma = Section::new("soma");
    soma.length = 300.0;
    soma.set_range("diam", 10.0).unwrap();
    common::insert_hco(&mut soma);
    soma.set_nseg(9).unwrap();
    let mut c = CellDescription::new("layout");
    c.add_section(soma);
    for (k, nseg) in [(0, 7), (1, if odd { 4 } else { 5 })] {
        let mut dend = Section::new(format!("dend{k}"));
        dend.length = 200.0;
        dend.set_range("diam", 2.0).unwrap();
        dend.insert_mechanism("pas", &[("g_pas".into(), 2e-4)]);
        if k == 1 {
            dend.insert_mechanism("hh", &[]);
        }
        dend.set_nseg(nseg).unwrap();
        let d = c.add_section(dend);
        c.connect(d, 0.0, 0, 1.0).unwrap();
    }
    c.point_processes.push(PointProcess {
        mechanism: "IClamp".into(),
        section: 0,
        x: 0.5,
        values: BTreeMap::from([
            ("del".to_string(), 2.0),
            ("dur".to_string(), 30.0),
            ("amp".to_string(), amp),
        ]),
    });
    c
}

/// Runs 40 ms; returns the traces, the spikes and every node's final v.
fn run(
    cat: &Catalogue,
    fast: bool,
    threads: usize,
    interleave: bool,
) -> (VecRecorder, VecSpikes, Vec<f64>) {
    let mut b = SimulationBuilder::new(cat);
    for k in 0..CELLS {
        b.cell(cell(1.0 + 0.4 * k as f64, k == 2));
        b.detector(SpikeDetectorSpec {
            cell: k,
            section: 0,
            x: 0.5,
            threshold: -15.0,
        });
    }
    b.celsius(34.0).dt(0.025).v_init(-60.0);
    b.threads(threads)
        .fast_math(fast)
        .interleave_cells(interleave);
    if threads > 1 {
        b.partition_target_compartments(40);
    }
    let mut sim = b.build().unwrap();
    let mut probes = Vec::new();
    for k in 0..CELLS {
        probes.push(Probe::segment(k, 0, 0.5, "v"));
        probes.push(Probe::segment(k, 1, 0.9, "v"));
        probes.push(Probe::segment(k, 2, 0.3, "m_hh"));
    }
    probes.push(Probe::segment(3, 0, 0.1, "cai"));
    probes.push(Probe::segment(4, 0, 0.7, "ina"));
    sim.set_probes(&probes).unwrap();
    let mut rec = VecRecorder::default();
    let mut spikes = VecSpikes::default();
    sim.run(STEPS as f64 * 0.025, &mut rec, &mut spikes);
    (rec, spikes, sim.v().to_vec())
}

fn bits(x: &[f64]) -> Vec<u64> {
    x.iter().map(|x| x.to_bits()).collect()
}

fn check(fast: bool) {
    let cat = catalogue(jit::Options {
        fast_math: fast,
        rate_tables: fast,
        observed: None,
        ion_slopes: true,
    });
    let (reference, ref_spikes, ref_v) = run(&cat, fast, 1, false);
    let fired: Vec<usize> = (0..CELLS)
        .filter(|&k| !ref_spikes.times(SpikeSource::Detector(k)).is_empty())
        .collect();
    assert!(
        fired.len() >= 4,
        "the clamps make most cells fire: {fired:?}"
    );
    for threads in [1, 2] {
        let (rec, spikes, v) = run(&cat, fast, threads, true);
        for (k, (x, y)) in reference.columns.iter().zip(&rec.columns).enumerate() {
            assert_eq!(x.len(), STEPS + 1);
            assert_eq!(
                bits(x),
                bits(y),
                "fast {fast}, {threads} threads: probe {k}"
            );
        }
        for k in 0..CELLS {
            let s = SpikeSource::Detector(k);
            assert_eq!(ref_spikes.times(s), spikes.times(s), "cell {k}");
        }
        if threads == 1 {
            // One partition either way: the same node values, in another order.
            assert_ne!(bits(&ref_v), bits(&v), "the copies are interleaved");
            let (mut a, mut b) = (bits(&ref_v), bits(&v));
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b);
        }
    }
}

#[test]
fn interleaved_identical_cells_give_the_bits_of_neurons_node_order() {
    check(false);
}

#[test]
fn interleaved_identical_cells_give_the_bits_of_neurons_node_order_in_fast_math() {
    check(true);
}
