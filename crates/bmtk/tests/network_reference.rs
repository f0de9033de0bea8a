//! `bmtk run` on the network reference cases of `shared/reference` (BMTK 1.2.0 + NEURON 9.0.2
//! outputs): synapse placement, NetCon delivery and inputs must reproduce them.

mod support;

use sonata::npy::read_npy;
use support::{
    assert_same_spikes, bmtk_run, bmtk_run_with, max_deviation, read_spikes_csv, reference_copy,
    report_trace,
};

/// Runs `config` of a reference case copy with 1 and with 2 threads and checks its spikes
/// against `expected/<spikes>` each time: same cells, same count, each time within dt/2.
fn check_spikes(case: &str, model: &str, config: &str, spikes: &str, dt: f64) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let dir = reference_copy(root.path(), case, model);
    let expected = read_spikes_csv(&dir.join("expected").join(spikes));
    assert!(!expected.is_empty());
    for threads in ["1", "2"] {
        bmtk_run_with(&dir, config, &["--threads", threads]).assert_ok();
        let got = read_spikes_csv(&dir.join("output/spikes.csv"));
        assert_same_spikes(&got, &expected, dt / 2.0);
    }
    root
}

#[test]
fn hco_pair_matches_neuron_traces_and_spikes() {
    let root = tempfile::tempdir().unwrap();
    let dir = reference_copy(root.path(), "hco-pair", "hco");
    bmtk_run(&dir, "simulation_config.json").assert_ok();
    let got = read_spikes_csv(&dir.join("output/spikes.csv"));
    let expected = read_spikes_csv(&dir.join("expected/spikes.csv"));
    assert_eq!(got.len(), 12);
    // Same times to the last printed digit.
    assert_same_spikes(&got, &expected, 0.0);
    // The report lists ["cai", "v"]: cai goes to cell_vars.h5, v to cell_vars_v.h5.
    for node in [0u64, 1] {
        let v = report_trace(&dir.join("output/cell_vars_v.h5"), node);
        let v_ref = read_npy(&dir.join(format!("expected/v_{node}.npy")))
            .unwrap()
            .data;
        assert_eq!(v.len(), v_ref.len());
        let worst = max_deviation(&v, &v_ref, false);
        assert!(worst <= 1e-6, "v of cell {node} differs by {worst} mV");
        let cai = report_trace(&dir.join("output/cell_vars.h5"), node);
        let cai_ref = read_npy(&dir.join(format!("expected/cai_{node}.npy")))
            .unwrap()
            .data;
        assert_eq!(cai.len(), cai_ref.len());
        let worst = max_deviation(&cai, &cai_ref, true);
        assert!(
            worst <= 1e-9,
            "cai of cell {node} differs by {worst} (relative)"
        );
    }
}

#[test]
fn mc_net100_matches_spikes_and_soma_traces() {
    let root = check_spikes(
        "mc-net100",
        "mc",
        "simulation_config.json",
        "spikes.csv",
        0.025,
    );
    let dir = root.path().join("reference/mc-net100");
    let expected = read_npy(&dir.join("expected/v_soma_nodes0-9.npy")).unwrap();
    for node in 0..10u64 {
        let v = report_trace(&dir.join("output/v_soma.h5"), node);
        let v_ref = expected.column(node as usize);
        assert_eq!(v.len(), v_ref.len());
        let worst = max_deviation(&v, &v_ref, false);
        assert!(worst <= 1e-6, "v of node {node} differs by {worst} mV");
    }
}

#[test]
#[ignore = "slow: run twice (1 and 2 threads), about 110 s in release; .ci/run runs it"]
fn hco_net100_matches_spikes() {
    check_spikes(
        "hco-net100",
        "hco",
        "simulation_config.json",
        "spikes.csv",
        0.025,
    );
}

/// About 42 s of CPU in release (NEURON alone: 33 s).
#[test]
fn hco_net1000_matches_spikes() {
    check_spikes(
        "hco-net1000",
        "hco",
        "simulation_config.json",
        "spikes.csv",
        0.025,
    );
}

#[test]
#[ignore = "slow: about 150 s of CPU in release"]
fn hco_net1000_dl20_first_100ms_matches_spikes() {
    // The 51-segment somas get their 9,970 synapses at BMTK's random positions; the first
    // 100 ms already hold 1,615 of the expected spikes.
    let root = tempfile::tempdir().unwrap();
    let dir = reference_copy(root.path(), "hco-net1000", "hco");
    let path = dir.join("simulation_config_dL20.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config["run"]["tstop"] = 100.0.into();
    config["reports"] = serde_json::json!({});
    config["manifest"]["$OUTPUT_DIR"] = "$BASE_DIR/output".into();
    std::fs::write(dir.join("short_dL20.json"), config.to_string()).unwrap();
    bmtk_run(&dir, "short_dL20.json").assert_ok();
    let got = read_spikes_csv(&dir.join("output/spikes.csv"));
    let expected: Vec<_> = read_spikes_csv(&dir.join("expected/spikes_dL20.csv"))
        .into_iter()
        .filter(|s| s.2 < 100.0)
        .collect();
    assert!(expected.len() > 1000);
    assert_same_spikes(&got, &expected, 0.0125);
}

#[test]
#[ignore = "very slow: 51,000 compartments for 1000 ms (about 25 min of CPU)"]
fn hco_net1000_dl20_matches_spikes() {
    check_spikes(
        "hco-net1000",
        "hco",
        "simulation_config_dL20.json",
        "spikes_dL20.csv",
        0.025,
    );
}
