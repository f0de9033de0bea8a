//! Threads: a network of hh cells with ExpSyn synapses, driven by NetStims, gives identical
//! traces and spikes with 1, 2 and 3 threads and with any cache block size; zero-delay
//! connections keep cells together.

use std::collections::BTreeMap;

use engine::{
    ArtificialCellSpec, NetConSpec, Probe, SimulationBuilder, SpikeDetectorSpec, SpikeSource,
    Target, VecRecorder, VecSpikes,
};
mod common;

use common::hh_synapse_cell;
use mech::Catalogue;

const CELLS: usize = 20;

/// Ring-and-chord network: cell i excites i+1, i+3 and i+7; NetStims drive cells 0, 5, 10, 15.
/// `zero_delay` adds delay-0 connections 2→3 and 12→13 (forcing those pairs together).
/// `block` is the partition target in compartments (`usize::MAX`: one partition per thread).
fn network(
    cat: &Catalogue,
    threads: usize,
    block: usize,
    zero_delay: bool,
) -> (VecRecorder, VecSpikes, usize) {
    let mut b = SimulationBuilder::new(cat);
    for k in 0..CELLS {
        b.cell(hh_synapse_cell(k, 4));
        b.detector(SpikeDetectorSpec {
            cell: k,
            section: 0,
            x: 0.5,
            threshold: -20.0,
        });
    }
    let mut next_syn = [0usize; CELLS];
    let mut syn = |cell: usize| {
        let s = next_syn[cell];
        next_syn[cell] += 1;
        Target::PointProcess { cell, index: s }
    };
    for i in 0..CELLS {
        for (hop, delay) in [(1, 1.0), (3, 1.5), (7, 2.25)] {
            let j = (i + hop) % CELLS;
            b.netcon(NetConSpec {
                source: SpikeSource::Detector(i),
                target: Some(syn(j)),
                delay,
                weights: vec![0.004 + 0.0001 * i as f64],
            });
        }
    }
    for (n, &k) in [0usize, 5, 10, 15].iter().enumerate() {
        let a = b.artificial_cell(ArtificialCellSpec {
            mechanism: "NetStim".into(),
            values: BTreeMap::from([
                ("start".to_string(), 2.0 + n as f64),
                ("interval".to_string(), 9.0),
                ("number".to_string(), 20.0),
                ("noise".to_string(), 0.0),
            ]),
        });
        b.netcon(NetConSpec {
            source: SpikeSource::Artificial(a),
            target: Some(syn(k)),
            delay: 1.0,
            weights: vec![0.02],
        });
    }
    if zero_delay {
        for (i, j) in [(2, 3), (12, 13)] {
            b.netcon(NetConSpec {
                source: SpikeSource::Detector(i),
                target: Some(syn(j)),
                delay: 0.0,
                weights: vec![0.003],
            });
        }
    }
    b.celsius(6.3)
        .dt(0.025)
        .v_init(-65.0)
        .threads(threads)
        .partition_target_compartments(block);
    let mut sim = b.build().unwrap();
    let probes: Vec<Probe> = (0..CELLS)
        .flat_map(|k| {
            [
                Probe::segment(k, 0, 0.5, "v"),
                Probe::point_process(k, 0, "g"),
            ]
        })
        .collect();
    sim.set_probes(&probes).unwrap();
    let mut rec = VecRecorder::default();
    let mut spikes = VecSpikes::default();
    sim.run(100.0, &mut rec, &mut spikes);
    // Every cell's potential is reachable whichever partition holds it.
    for k in 0..CELLS {
        let last = rec.columns[2 * k].last().copied().unwrap();
        assert_eq!(
            sim.v_at(k, 0, 0.5).unwrap().to_bits(),
            last.to_bits(),
            "cell {k}"
        );
    }
    assert!(sim.v_at(CELLS + 10, 0, 0.5).is_err());
    (rec, spikes, sim.partitions())
}

#[test]
fn identical_results_for_one_two_and_three_threads() {
    let cat = Catalogue::new();
    let (rec1, spikes1, parts1) = network(&cat, 1, usize::MAX, false);
    assert_eq!(parts1, 1);
    let cell_spikes = spikes1
        .spikes
        .iter()
        .filter(|(s, _)| matches!(s, SpikeSource::Detector(_)))
        .count();
    assert!(
        cell_spikes > 40,
        "the network should be active: {cell_spikes} spikes"
    );
    for threads in [2, 3] {
        let (rec, spikes, parts) = network(&cat, threads, usize::MAX, false);
        assert_eq!(parts, threads);
        assert_eq!(rec.t, rec1.t);
        for (k, (a, b)) in rec.columns.iter().zip(&rec1.columns).enumerate() {
            let same = a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
            assert!(same, "column {k} differs with {threads} threads");
        }
        assert_eq!(spikes, spikes1, "spikes differ with {threads} threads");
    }
}

#[test]
fn zero_delay_connections_keep_cells_together() {
    let cat = Catalogue::new();
    let (rec1, spikes1, _) = network(&cat, 1, usize::MAX, true);
    let (rec3, spikes3, parts) = network(&cat, 3, usize::MAX, true);
    assert_eq!(parts, 3);
    assert_eq!(spikes1, spikes3);
    for (a, b) in rec1.columns.iter().zip(&rec3.columns) {
        assert!(a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()));
    }
}

/// Bitwise equality of two runs.
fn assert_same(
    a: &(VecRecorder, VecSpikes, usize),
    b: &(VecRecorder, VecSpikes, usize),
    what: &str,
) {
    assert_eq!(a.0.t, b.0.t, "{what}: times differ");
    for (k, (x, y)) in a.0.columns.iter().zip(&b.0.columns).enumerate() {
        let same = x.iter().zip(y).all(|(x, y)| x.to_bits() == y.to_bits());
        assert!(same, "{what}: column {k} differs");
    }
    assert_eq!(a.1, b.1, "{what}: spikes differ");
}

#[test]
fn cache_blocks_do_not_change_results() {
    let cat = Catalogue::new();
    for zero_delay in [false, true] {
        let whole = network(&cat, 1, usize::MAX, zero_delay);
        assert_eq!(whole.2, 1);
        // 20 cells of 2 compartments and 4 NetStims (weight 1): blocks of 1 give one partition
        // per component with a cell (NetStims join those), blocks of 9 give ⌈44 / 9⌉ = 5
        // partitions, rounded up to a multiple of the thread count.
        let components = if zero_delay { CELLS - 2 } else { CELLS };
        for (threads, block, parts) in
            [(1, 1, components), (2, 1, components), (1, 9, 5), (3, 9, 6)]
        {
            let run = network(&cat, threads, block, zero_delay);
            assert_eq!(run.2, parts, "{threads} threads, block {block}");
            assert_same(&whole, &run, &format!("{threads} threads, block {block}"));
        }
    }
}
