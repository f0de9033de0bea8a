//! Passive cells against NEURON 9.0.2 traces and against cable theory, with native `pas` and
//! `IClamp` doubles (see `common::native`).

mod common;

use common::native::NativeSource;
use common::{max_abs_diff, Case};
use engine::{Probe, SimulationBuilder, VecRecorder, VecSpikes};

/// Runs a case with the native doubles; returns the recorder for `probes`.
fn run_case(case: &Case, probes: &[Probe]) -> VecRecorder {
    let source = NativeSource::new();
    let mut b = SimulationBuilder::new(&source);
    b.cell(case.cell());
    b.celsius(case.f("celsius"))
        .dt(case.f("dt"))
        .v_init(case.f("v_init"));
    let mut sim = b.build().unwrap();
    sim.set_probes(probes).unwrap();
    let mut rec = VecRecorder::default();
    let steps = sim.run(case.f("tstop"), &mut rec, &mut VecSpikes::default());
    assert_eq!(steps as f64, case.f("steps"));
    rec
}

fn check_trace(case: &Case, rec: &VecRecorder, column: usize, file: &str, tol: f64) {
    let want = case.npy(file);
    let (d, at) = max_abs_diff(&rec.columns[column], &want);
    assert!(
        d <= tol,
        "{}: {file} differs by {d:e} at row {at}",
        case.json["case"]
    );
}

#[test]
fn passive_cable_matches_neuron_and_cable_theory() {
    let Some(case) = Case::load("passive-cable") else {
        return;
    };
    let files = [
        "v_x0.npy",
        "v_x0.25.npy",
        "v_x0.5.npy",
        "v_x0.75.npy",
        "v_x1.npy",
    ];
    let probes: Vec<Probe> = files
        .iter()
        .map(|f| {
            let (s, x) = case.recording(f);
            Probe::segment(0, s, x, "v")
        })
        .collect();
    let mut all = probes.clone();
    all.push(Probe::point_process(0, 0, "i"));
    let rec = run_case(&case, &all);
    let t = case.npy("t.npy");
    assert_eq!(rec.t, t, "accumulated t");
    for (i, f) in files.iter().enumerate() {
        check_trace(&case, &rec, i, f, 0.0);
    }
    check_trace(&case, &rec, files.len(), "i_stim.npy", 0.0);
    // Steady state against the analytic sealed-end cable (at the recorded node positions).
    let ss = &case.json["analytic_steady_state"]["v_ss_at_node_x"];
    for (i, key) in ["0", "0.25", "0.5", "0.75", "1"].iter().enumerate() {
        let want = ss[*key].as_f64().unwrap();
        let got = *rec.columns[i].last().unwrap();
        let rel = ((got - -65.0) - (want - -65.0)).abs() / (want - -65.0).abs();
        assert!(rel < 1e-3, "x = {key}: {got} vs analytic {want} ({rel:e})");
    }
}

#[test]
fn pas_soma_matches_neuron() {
    let Some(case) = Case::load("pas") else {
        return;
    };
    let rec = run_case(
        &case,
        &[
            Probe::segment(0, 0, 0.5, "v"),
            Probe::segment(0, 0, 0.5, "i_pas"),
        ],
    );
    assert_eq!(rec.t, case.npy("t.npy"));
    check_trace(&case, &rec, 0, "v.npy", 0.0);
    check_trace(&case, &rec, 1, "i_pas.npy", 1e-12);
}

#[test]
fn three_iclamps_match_neuron() {
    let Some(case) = Case::load("iclamp") else {
        return;
    };
    let names = ["s1", "s2", "s3"];
    let mut probes = vec![Probe::segment(0, 0, 0.5, "v")];
    probes.extend(
        names
            .iter()
            .map(|n| Probe::point_process(0, case.point_process(n), "i")),
    );
    let rec = run_case(&case, &probes);
    check_trace(&case, &rec, 0, "v.npy", 0.0);
    for (k, n) in names.iter().enumerate() {
        check_trace(&case, &rec, k + 1, &format!("i_{n}.npy"), 0.0);
    }
}
