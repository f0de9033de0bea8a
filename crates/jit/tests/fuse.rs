//! Kernel fusion (`SimulationBuilder::fuse_mechanisms`, `jit`'s `fuse` module) changes no bit:
//! the nine HCO channels of a soma run as one fused group in fast-math mode and give the same
//! traces, spikes and final potentials as the nine sets run one by one — on one cell (one and
//! two threads, the latter with each end of the cable on its own thread) and on a network of
//! branched cells in several partitions; with and without the `observed` option that lets
//! fast-math kernels skip stores. Exact mode does not fuse.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use engine::{
    CellSplit, Probe, SimulationBuilder, SpikeDetectorSpec, SpikeSource, VecRecorder, VecSpikes,
};
use mech::Catalogue;
use model::{CellDescription, PointProcess, Section};

fn catalogue(options: jit::Options) -> Catalogue {
    common::hco_catalogue(Some(options))
}

fn fast(observed: bool) -> jit::Options {
    jit::Options {
        fast_math: true,
        rate_tables: true,
        observed: observed.then(|| {
            Arc::new(
                // As `bmtk run`: reports, and the ion currents a mechanism reads (capool: ica).
                ["v", "cai", "m_na", "ina", "ica"]
                    .into_iter()
                    .map(String::from)
                    .collect(),
            )
        }),
        // As `bmtk run`: nothing reads the ion currents' slopes (no Crank–Nicolson).
        ion_slopes: false,
    }
}

/// The seed's HCO cell (one 1000 µm soma of 51 segments), clamped so that it fires, with
/// dendrites when `branched` (passive, and one with `hh`, which is not fused).
fn cell(amp: f64, branched: bool) -> CellDescription {
    let mut soma = Section::new("soma");
    soma.length = 1000.0;
    soma.set_range("diam", 9.99593).unwrap();
    common::insert_hco(&mut soma);
    soma.set_nseg(if branched { 11 } else { 51 }).unwrap();
    let mut c = CellDescription::new("fuse");
    c.add_section(soma);
    if branched {
        for k in 0..2 {
            let mut dend = Section::new(format!("dend{k}"));
            dend.length = 200.0;
            dend.set_range("diam", 2.0).unwrap();
            dend.insert_mechanism("pas", &[("g_pas".into(), 2e-4)]);
            if k == 1 {
                dend.insert_mechanism("hh", &[]);
            }
            dend.set_nseg(5).unwrap();
            let d = c.add_section(dend);
            c.connect(d, 0.0, 0, 1.0).unwrap();
        }
    }
    c.point_processes.push(PointProcess {
        mechanism: "IClamp".into(),
        section: 0,
        x: 0.5,
        values: BTreeMap::from([
            ("del".to_string(), 1.0),
            ("dur".to_string(), 40.0),
            ("amp".to_string(), amp),
        ]),
    });
    c
}

struct Run {
    rec: VecRecorder,
    spikes: VecSpikes,
    v: Vec<u64>,
    fused: (usize, usize),
}

fn run(cat: &Catalogue, cells: usize, threads: usize, fuse: bool, fast_math: bool) -> Run {
    let branched = cells > 1;
    let mut b = SimulationBuilder::new(cat);
    for k in 0..cells {
        b.cell(cell(2.0 + 0.5 * k as f64, branched));
        b.detector(SpikeDetectorSpec {
            cell: k,
            section: 0,
            x: 0.5,
            threshold: -15.0,
        });
    }
    b.celsius(34.0).dt(0.01).v_init(-50.0);
    b.threads(threads)
        .fast_math(fast_math)
        .fuse_mechanisms(fuse)
        .cell_split(CellSplit::Always);
    if branched && threads > 1 {
        b.partition_target_compartments(40);
    }
    let mut sim = b.build().unwrap();
    let mut probes = Vec::new();
    for k in 0..cells {
        probes.push(Probe::segment(k, 0, 0.5, "v"));
        probes.push(Probe::segment(k, 0, 0.1, "cai"));
        probes.push(Probe::segment(k, 0, 0.9, "m_na"));
        probes.push(Probe::segment(k, 0, 0.3, "ina"));
    }
    sim.set_probes(&probes).unwrap();
    let mut rec = VecRecorder::default();
    let mut spikes = VecSpikes::default();
    sim.run(40.0, &mut rec, &mut spikes);
    Run {
        rec,
        spikes,
        v: sim.v().iter().map(|x| x.to_bits()).collect(),
        fused: sim.fused_kernels(),
    }
}

fn assert_same(a: &Run, b: &Run, cells: usize, what: &str) {
    assert_eq!(a.rec.columns.len(), b.rec.columns.len());
    for (k, (x, y)) in a.rec.columns.iter().zip(&b.rec.columns).enumerate() {
        let (x, y): (Vec<u64>, Vec<u64>) = (
            x.iter().map(|v| v.to_bits()).collect(),
            y.iter().map(|v| v.to_bits()).collect(),
        );
        assert!(x == y, "{what}: probe {k} differs");
    }
    for k in 0..cells {
        let s = SpikeSource::Detector(k);
        assert_eq!(
            a.spikes.times(s),
            b.spikes.times(s),
            "{what}: spikes of {k}"
        );
    }
    assert_eq!(a.v, b.v, "{what}: final potentials");
}

#[test]
fn a_fused_hco_soma_gives_the_bits_of_nine_sets() {
    for observed in [false, true] {
        let cat = catalogue(fast(observed));
        let apart = run(&cat, 1, 1, false, true);
        assert_eq!(apart.fused, (0, 0));
        let spikes = apart.spikes.times(SpikeSource::Detector(0)).len();
        assert!(spikes >= 2, "the clamped cell fires ({spikes} spikes)");
        for threads in [1, 2] {
            let fused = run(&cat, 1, threads, true, true);
            if threads == 1 {
                assert_eq!(fused.fused, (1, 9), "nine channels, one group");
            }
            assert_same(
                &apart,
                &fused,
                1,
                &format!("observed {observed}, {threads} thread(s)"),
            );
        }
    }
}

#[test]
fn fused_networks_of_branched_cells_give_the_bits_of_unfused_ones() {
    let cat = catalogue(fast(true));
    for threads in [1, 2] {
        let apart = run(&cat, 6, threads, false, true);
        let fired = (0..6)
            .filter(|&k| !apart.spikes.times(SpikeSource::Detector(k)).is_empty())
            .count();
        assert!(fired >= 4, "{fired} cells fire");
        let fused = run(&cat, 6, threads, true, true);
        // Each partition's somata: the nine channels in one group, passing over the
        // dendrites' pas and hh and the clamps on the somata (which run between members).
        let (groups, sets) = fused.fused;
        assert!(
            groups >= 1 && sets == 9 * groups,
            "somata fuse: {:?}",
            fused.fused
        );
        assert_same(&apart, &fused, 6, &format!("network, {threads} thread(s)"));
    }
}

#[test]
fn exact_mode_does_not_fuse() {
    let cat = catalogue(jit::Options::default());
    assert_eq!(run(&cat, 1, 1, true, false).fused, (0, 0));
}
