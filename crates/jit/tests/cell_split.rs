//! Intra-cell threading (`engine::SimulationBuilder::cell_split`): one cell whose JIT kernels
//! run on node ranges in 2 and 3 threads gives the bits of the serial run — in exact and in
//! fast-math mode, with the nine HCO mechanisms (calcium pool: eca recomputed by every
//! thread's `current_begin`), na, kdr and pas on a dendrite, an IClamp and an Exp2Syn fed by a
//! NetStim (events delivered between the shared-out phases). Sets that cannot run on ranges
//! (the interpreter; NEURON's hh, whose kernels write GLOBALs) keep the run serial.

mod common;

use std::collections::BTreeMap;

use engine::{
    CellSplit, Probe, SimulationBuilder, SpikeDetectorSpec, SpikeSource, VecRecorder, VecSpikes,
};
use mech::Catalogue;
use model::{CellDescription, PointProcess, Section};

const STEPS: usize = 2400;

fn catalogue(backend: Option<jit::Options>) -> Catalogue {
    common::hco_catalogue(backend)
}

/// An HCO soma (21 segments) with a 31-segment na + kdr + pas dendrite, an IClamp on the dendrite
/// and an Exp2Syn on the soma.
fn cell() -> CellDescription {
    let mut soma = Section::new("soma");
    soma.length = 400.0;
    soma.set_range("diam", 10.0).unwrap();
    common::insert_hco(&mut soma);
    soma.set_nseg(21).unwrap();
    let mut dend = Section::new("dend");
    dend.length = 300.0;
    dend.set_range("diam", 2.0).unwrap();
    dend.insert_mechanism("na", &[("gbar_na".into(), 0.1)]);
    dend.insert_mechanism("kdr", &[("gbar_kdr".into(), 0.05)]);
    dend.insert_mechanism("pas", &[("g_pas".into(), 2e-4)]);
    dend.set_nseg(31).unwrap();
    let mut c = CellDescription::new("split");
    c.add_section(soma);
    let d = c.add_section(dend);
    c.connect(d, 0.0, 0, 1.0).unwrap();
    c.point_processes.push(PointProcess {
        mechanism: "IClamp".into(),
        section: d,
        x: 0.7,
        values: BTreeMap::from([
            ("del".to_string(), 5.0),
            ("dur".to_string(), 20.0),
            ("amp".to_string(), 3.0),
        ]),
    });
    c.point_processes.push(PointProcess {
        mechanism: "Exp2Syn".into(),
        section: 0,
        x: 0.8,
        values: BTreeMap::from([("tau1".to_string(), 0.5), ("tau2".to_string(), 3.0)]),
    });
    c
}

/// Runs 60 ms; returns the traces, the spikes and `split_steps`.
fn run(
    cat: &Catalogue,
    fast: bool,
    threads: usize,
    mode: CellSplit,
) -> (VecRecorder, VecSpikes, (usize, usize)) {
    let mut b = SimulationBuilder::new(cat);
    b.cell(cell());
    b.detector(SpikeDetectorSpec {
        cell: 0,
        section: 0,
        x: 0.5,
        threshold: -15.0,
    });
    common::netstim_to(&mut b, 1, 0.02);
    b.celsius(34.0).dt(0.025).v_init(-60.0);
    b.threads(threads).fast_math(fast).cell_split(mode);
    let mut sim = b.build().unwrap();
    sim.set_probes(&[
        Probe::segment(0, 0, 0.1, "v"),
        Probe::segment(0, 0, 0.9, "v"),
        Probe::segment(0, 0, 0.9, "cai"),
        Probe::segment(0, 0, 0.9, "eca"),
        Probe::segment(0, 1, 0.5, "v"),
        Probe::segment(0, 1, 0.95, "ina"),
        Probe::segment(0, 1, 0.95, "m_na"),
        Probe::point_process(0, 1, "g"),
    ])
    .unwrap();
    let mut rec = VecRecorder::default();
    let mut spikes = VecSpikes::default();
    sim.run(STEPS as f64 * 0.025, &mut rec, &mut spikes);
    (rec, spikes, sim.split_steps())
}

fn assert_same_bits(a: &VecRecorder, b: &VecRecorder, what: &str) {
    assert_eq!(a.columns.len(), b.columns.len());
    for (k, (x, y)) in a.columns.iter().zip(&b.columns).enumerate() {
        assert_eq!(x.len(), STEPS + 1, "{what}: probe {k} rows");
        let first = x
            .iter()
            .zip(y)
            .position(|(p, q)| p.to_bits() != q.to_bits());
        assert!(
            first.is_none(),
            "{what}: probe {k} differs from row {first:?}"
        );
    }
}

fn check(fast: bool) {
    let options = jit::Options {
        fast_math: fast,
        rate_tables: fast,
        observed: None,
        ion_slopes: true,
    };
    let cat = catalogue(Some(options));
    let (serial, spikes, steps) = run(&cat, fast, 1, CellSplit::Always);
    assert_eq!(steps, (0, STEPS), "one thread never shares out");
    let fired = spikes.times(SpikeSource::Detector(0));
    let v = &serial.columns[1];
    let top = v.iter().copied().fold(f64::MIN, f64::max);
    assert!(
        !fired.is_empty(),
        "the clamp makes the soma fire (max v {top} mV)"
    );
    assert!(v.iter().all(|x| x.is_finite()));
    for threads in [2, 3] {
        let (rec, sp, steps) = run(&cat, fast, threads, CellSplit::Always);
        assert_eq!(
            steps,
            (STEPS, STEPS),
            "{threads} threads share every step out"
        );
        assert_same_bits(&serial, &rec, &format!("fast {fast}, {threads} threads"));
        assert_eq!(sp.times(SpikeSource::Detector(0)), fired);
    }
    let (rec, _, steps) = run(&cat, fast, 2, CellSplit::Never);
    assert_eq!(steps, (0, STEPS));
    assert_same_bits(&serial, &rec, "never");
    let (rec, _, steps) = run(&cat, fast, 2, CellSplit::Auto);
    assert_eq!(steps.1, STEPS);
    assert_same_bits(&serial, &rec, "auto");
}

#[test]
fn exact_kernels_shared_out_give_the_serial_bits() {
    check(false);
}

#[test]
fn fast_math_kernels_shared_out_give_the_serial_bits() {
    check(true);
}

#[test]
fn kernels_writing_globals_keep_the_run_serial() {
    let cat = catalogue(Some(jit::Options::default()));
    let mut c = cell();
    c.sections[1].insert_mechanism("hh", &[]);
    let mut b = SimulationBuilder::new(&cat);
    b.cell(c);
    b.threads(2).cell_split(CellSplit::Always);
    let mut sim = b.build().unwrap();
    sim.run(10.0, &mut VecRecorder::default(), &mut VecSpikes::default());
    assert_eq!(
        sim.split_steps(),
        (0, 400),
        "hh writes its GLOBAL minf … in every kernel"
    );
}

#[test]
fn interpreted_sets_stay_serial_with_the_same_bits() {
    let jit = catalogue(Some(jit::Options::default()));
    let (reference, _, _) = run(&jit, false, 1, CellSplit::Never);
    let interp = catalogue(None);
    let (rec, _, steps) = run(&interp, false, 2, CellSplit::Always);
    assert_eq!(steps, (0, STEPS), "the interpreter cannot run on ranges");
    assert_same_bits(&reference, &rec, "interpreter");
}

/// The seed's HCO soma as one unbranched cable (51 segments, the IClamp and the Exp2Syn of
/// [`cell`] on it): in fast-math its two ends run on two threads, solve included.
fn cable() -> CellDescription {
    let mut c = cell();
    c.sections.truncate(1);
    c.sections[0].set_nseg(51).unwrap();
    for pp in &mut c.point_processes {
        pp.section = 0;
    }
    c
}

/// Runs the cable 60 ms with `threads`, recording at `probes_at` and with the synapse at
/// `synapse_x`; returns the traces, how the run was two-ended and the split steps.
fn run_cable(
    cat: &Catalogue,
    fast: bool,
    threads: usize,
    (probes_at, synapse_x): (&[f64], f64),
) -> (VecRecorder, Option<engine::TwoEnded>, (usize, usize)) {
    let mut b = SimulationBuilder::new(cat);
    let mut c = cable();
    c.point_processes[1].x = synapse_x;
    b.cell(c);
    b.detector(SpikeDetectorSpec {
        cell: 0,
        section: 0,
        x: probes_at[0],
        threshold: -15.0,
    });
    common::netstim_to(&mut b, 1, 0.05);
    b.celsius(34.0).dt(0.025).v_init(-60.0);
    b.threads(threads)
        .fast_math(fast)
        .cell_split(CellSplit::Always);
    let mut sim = b.build().unwrap();
    let mut probes = Vec::new();
    for &x in probes_at {
        probes.push(Probe::segment(0, 0, x, "v"));
        probes.push(Probe::segment(0, 0, x, "cai"));
        probes.push(Probe::segment(0, 0, x, "m_na"));
    }
    probes.push(Probe::point_process(0, 1, "g"));
    sim.set_probes(&probes).unwrap();
    let mut rec = VecRecorder::default();
    sim.run(STEPS as f64 * 0.025, &mut rec, &mut VecSpikes::default());
    (rec, sim.two_ended(), sim.split_steps())
}

#[test]
fn a_cables_two_ends_on_two_threads_give_the_serial_bits() {
    // Probes, detector and synapse at both ends, then on the first half only (the helper then
    // runs whole chunks on its own), then on the second half only (the calling thread takes
    // that end, and the helper the root's).
    let layouts: [(&[f64], f64, engine::TwoEnded); 3] = [
        (
            &[0.5, 0.02, 0.98],
            0.8,
            engine::TwoEnded {
                free: false,
                lower: false,
            },
        ),
        (
            &[0.5, 0.3],
            0.2,
            engine::TwoEnded {
                free: true,
                lower: false,
            },
        ),
        (
            &[0.7, 0.9],
            0.8,
            engine::TwoEnded {
                free: true,
                lower: true,
            },
        ),
    ];
    for fast in [true, false] {
        let cat = catalogue(Some(jit::Options {
            fast_math: fast,
            rate_tables: fast,
            observed: None,
            ion_slopes: true,
        }));
        for (probes, synapse, how) in layouts {
            let (serial, _, _) = run_cable(&cat, fast, 1, (probes, synapse));
            let top = serial.columns[0].iter().copied().fold(f64::MIN, f64::max);
            assert!(top > 0.0, "the cable fires (max v {top} mV)");
            let (rec, two_ended, steps) = run_cable(&cat, fast, 2, (probes, synapse));
            assert_eq!(steps, (STEPS, STEPS), "every step shared out");
            assert_eq!(
                two_ended,
                fast.then_some(how),
                "two-ended in fast-math only"
            );
            assert_same_bits(&serial, &rec, &format!("cable, fast {fast}, {how:?}"));
        }
    }
}
