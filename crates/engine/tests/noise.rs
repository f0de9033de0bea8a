//! Noisy NetStims (`noise = 0.5`, drawing from `exprand`) driving hh cells: every instance
//! draws from its own random stream keyed by its global identity, so spike trains do not
//! depend on the thread count, on the partition size, or on which other instances exist.

use std::collections::BTreeMap;

use engine::{
    ArtificialCellSpec, NetConSpec, SimulationBuilder, SpikeDetectorSpec, SpikeSource, Target,
    VecSpikes,
};
mod common;

use common::hh_synapse_cell;
use mech::Catalogue;

const CELLS: usize = 8;
/// NetStims per cell.
const STIMS_PER_CELL: usize = 2;

fn netstim(start: f64) -> ArtificialCellSpec {
    ArtificialCellSpec {
        mechanism: "NetStim".into(),
        values: BTreeMap::from([
            ("start".to_string(), start),
            ("interval".to_string(), 5.0),
            ("number".to_string(), 1e9),
            ("noise".to_string(), 0.5),
        ]),
    }
}

/// Cells in a ring (i → i+1), each driven by `STIMS_PER_CELL` noisy NetStims; `extra`
/// unconnected noisy NetStims are added after all others. Returns the spikes and the number
/// of partitions.
fn network(cat: &Catalogue, threads: usize, block: usize, extra: usize) -> (VecSpikes, usize) {
    let mut b = SimulationBuilder::new(cat);
    for k in 0..CELLS {
        b.cell(hh_synapse_cell(k, 1));
        b.detector(SpikeDetectorSpec {
            cell: k,
            section: 0,
            x: 0.5,
            threshold: -20.0,
        });
    }
    for i in 0..CELLS {
        b.netcon(NetConSpec {
            source: SpikeSource::Detector(i),
            target: Some(Target::PointProcess {
                cell: (i + 1) % CELLS,
                index: 0,
            }),
            delay: 2.0,
            weights: vec![0.002],
        });
    }
    for k in 0..CELLS {
        for s in 0..STIMS_PER_CELL {
            let a = b.artificial_cell(netstim(1.0 + s as f64));
            b.netcon(NetConSpec {
                source: SpikeSource::Artificial(a),
                target: Some(Target::PointProcess { cell: k, index: 0 }),
                delay: 1.0,
                weights: vec![0.01],
            });
        }
    }
    for _ in 0..extra {
        b.artificial_cell(netstim(0.5));
    }
    b.threads(threads).partition_target_compartments(block);
    let mut sim = b.build().unwrap();
    let mut spikes = VecSpikes::default();
    sim.run(150.0, &mut engine::VecRecorder::default(), &mut spikes);
    let parts = sim.partitions();
    (spikes, parts)
}

/// Spike times of one source, in order.
fn train(spikes: &VecSpikes, source: SpikeSource) -> Vec<f64> {
    spikes
        .spikes
        .iter()
        .filter(|(s, _)| *s == source)
        .map(|&(_, t)| t)
        .collect()
}

/// Every source's spike train, bit for bit.
fn trains(spikes: &VecSpikes) -> BTreeMap<String, Vec<u64>> {
    let mut out: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (s, t) in &spikes.spikes {
        out.entry(format!("{s:?}")).or_default().push(t.to_bits());
    }
    out
}

#[test]
fn noisy_netstims_are_irregular_and_distinct() {
    let cat = Catalogue::new();
    let (spikes, _) = network(&cat, 1, usize::MAX, 0);
    let stims = CELLS * STIMS_PER_CELL;
    let mut firsts = Vec::new();
    for a in 0..stims {
        let t = train(&spikes, SpikeSource::Artificial(a));
        assert!(t.len() > 10, "NetStim {a} fired {} times", t.len());
        let isi: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
        // noise = 0.5: intervals are 2.5 ms plus an exponential part (mean 2.5 ms).
        assert!(isi.iter().all(|&d| d >= 2.5 - 1e-9), "NetStim {a}: {isi:?}");
        let distinct = isi.iter().filter(|&&d| (d - 5.0).abs() > 1e-6).count();
        assert!(distinct > isi.len() / 2, "NetStim {a} is too regular");
        firsts.push(t);
    }
    // Every instance has its own stream: no two trains coincide.
    for i in 0..stims {
        for j in i + 1..stims {
            assert_ne!(firsts[i], firsts[j], "NetStims {i} and {j} fire together");
        }
    }
    let cell_spikes = spikes
        .spikes
        .iter()
        .filter(|(s, _)| matches!(s, SpikeSource::Detector(_)))
        .count();
    assert!(cell_spikes > 20, "cells should fire: {cell_spikes} spikes");
}

#[test]
fn noisy_spike_trains_do_not_depend_on_threads_or_partitions() {
    let cat = Catalogue::new();
    let (whole, parts) = network(&cat, 1, usize::MAX, 0);
    assert_eq!(parts, 1);
    let reference = trains(&whole);
    for (threads, block) in [
        (2, usize::MAX),
        (3, usize::MAX),
        (1, 1),
        (2, 1),
        (3, 1),
        (1, 7),
        (2, 5),
        (3, 12),
    ] {
        let (spikes, parts) = network(&cat, threads, block, 0);
        if block == 1 {
            // Every cell in a partition of its own; the NetStims (components without a cell)
            // are dealt among them.
            assert_eq!(parts, CELLS, "block {block}");
        }
        assert_eq!(
            trains(&spikes),
            reference,
            "{threads} threads, block {block} ({parts} partitions)"
        );
    }
}

#[test]
fn other_instances_do_not_change_a_netstims_draws() {
    let cat = Catalogue::new();
    let (alone, _) = network(&cat, 1, usize::MAX, 0);
    let (crowded, _) = network(&cat, 1, usize::MAX, 5);
    for a in 0..CELLS * STIMS_PER_CELL {
        let s = SpikeSource::Artificial(a);
        assert_eq!(train(&alone, s), train(&crowded, s), "NetStim {a}");
    }
    let extra = train(&crowded, SpikeSource::Artificial(CELLS * STIMS_PER_CELL));
    assert!(!extra.is_empty(), "the extra NetStims run too");
}
