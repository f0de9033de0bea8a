//! `bmtk run --fast-math` on the reference cases: the promise of the mode is that membrane
//! potentials stay within 0.1 mV of NEURON's (= the exact mode's) traces and every spike within
//! one dt of NEURON's, with the same cells spiking the same number of times. The long cases
//! (dt 0.001, 1M steps; the 100- and 1000-cell networks) are `#[ignore]`d and run by `.ci/run`.

mod support;

use std::path::Path;

use sonata::npy::read_npy;
use support::{
    assert_same_spikes, bmtk_run_with, max_deviation, read_spikes_csv, reference_copy, report_trace,
};

/// The mode's documented bound on membrane potential differences.
const V_TOLERANCE_MV: f64 = 0.1;

/// Runs `config` of a copy of `case` in fast-math mode with `threads`; checks spikes against
/// `expected/<spikes>` (same cells and counts, times within `dt`). Returns the case folder's
/// temporary root and the case folder.
fn run_fast(
    case: &str,
    model: &str,
    config: &str,
    spikes: &str,
    dt: f64,
    threads: &str,
) -> (tempfile::TempDir, std::path::PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let dir = reference_copy(root.path(), case, model);
    bmtk_run_with(&dir, config, &["--fast-math", "--threads", threads]).assert_ok();
    let got = read_spikes_csv(&dir.join("output/spikes.csv"));
    let expected = read_spikes_csv(&dir.join("expected").join(spikes));
    assert_same_spikes(&got, &expected, dt * (1.0 + 1e-9));
    (root, dir)
}

/// Checks column `node` of report `file` against `expected/<npy>` (column `column` of a 2-D
/// array, or the whole 1-D array); returns the largest difference.
fn check_v(dir: &Path, file: &str, node: u64, npy: &str, column: Option<usize>) -> f64 {
    let got = report_trace(&dir.join("output").join(file), node);
    let reference = read_npy(&dir.join("expected").join(npy)).unwrap();
    let expected: Vec<f64> = match column {
        None => reference.data,
        Some(c) => {
            let cols = reference.shape[1];
            reference
                .data
                .iter()
                .skip(c)
                .step_by(cols)
                .copied()
                .collect()
        }
    };
    let worst = max_deviation(&got, &expected, false);
    eprintln!("{npy}[{node}]: max |Δv| = {worst:.3e} mV");
    assert!(
        worst <= V_TOLERANCE_MV,
        "{npy} node {node}: fast-math v differs by {worst} mV"
    );
    worst
}

#[test]
fn hco_single_dt0025_stays_within_a_tenth_of_a_millivolt() {
    let (_root, dir) = run_fast(
        "hco-single",
        "hco",
        "simulation_config_dt0025.json",
        "spikes_dt0025.csv",
        0.025,
        "1",
    );
    check_v(&dir, "cell_vars_v.h5", 0, "v_dt0025.npy", None);
    let cai = report_trace(&dir.join("output/cell_vars.h5"), 0);
    let cai_ref = read_npy(&dir.join("expected/cai_dt0025.npy")).unwrap().data;
    let worst = max_deviation(&cai, &cai_ref, true);
    assert!(worst <= 1e-3, "cai differs by {worst} (relative)");
}

#[test]
fn hco_pair_spikes_within_one_dt_and_traces_within_a_tenth_of_a_millivolt() {
    let (_root, dir) = run_fast(
        "hco-pair",
        "hco",
        "simulation_config.json",
        "spikes.csv",
        0.01,
        "1",
    );
    for node in [0, 1] {
        check_v(&dir, "cell_vars_v.h5", node, &format!("v_{node}.npy"), None);
    }
}

#[test]
fn mc_net100_spikes_within_one_dt_and_soma_traces_within_a_tenth_of_a_millivolt() {
    let (_root, dir) = run_fast(
        "mc-net100",
        "mc",
        "simulation_config.json",
        "spikes.csv",
        0.025,
        "2",
    );
    for node in 0..10u64 {
        check_v(
            &dir,
            "v_soma.h5",
            node,
            "v_soma_nodes0-9.npy",
            Some(node as usize),
        );
    }
}

#[test]
#[ignore = "1M steps: run by .ci/run"]
fn hco_single_dt0001_and_vinit80_stay_within_tolerance() {
    let (_root, dir) = run_fast(
        "hco-single",
        "hco",
        "simulation_config.json",
        "spikes.csv",
        0.001,
        "1",
    );
    check_v(&dir, "cell_vars_v.h5", 0, "v.npy", None);
    run_fast(
        "hco-single",
        "hco",
        "simulation_config_vinit80.json",
        "spikes_vinit80.csv",
        0.001,
        "1",
    );
}

#[test]
#[ignore = "100 cells × 40,000 steps: run by .ci/run"]
fn hco_net100_spikes_within_one_dt() {
    run_fast(
        "hco-net100",
        "hco",
        "simulation_config.json",
        "spikes.csv",
        0.025,
        "2",
    );
}

#[test]
#[ignore = "1000 cells × 40,000 steps: run by .ci/run"]
fn hco_net1000_spikes_within_one_dt() {
    run_fast(
        "hco-net1000",
        "hco",
        "simulation_config.json",
        "spikes.csv",
        0.025,
        "2",
    );
}
