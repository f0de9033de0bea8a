//! A network fed by a virtual population (BMTK `PoissonSpikeGenerator` spike trains in three
//! file flavours) through Exp2Syn and a custom POINT_PROCESS (`FacSyn`: extra NET_RECEIVE
//! arguments, self-events, parameters from dynamics_params, per-edge weights overriding the
//! edge type's), compared with the spikes BMTK 1.2.0 + NEURON 9.0.2 produced on the same files
//! (`tests/data/virtual-input`, made by its `generate.py`).

mod support;

use std::path::{Path, PathBuf};

use support::{assert_same_spikes, bmtk_run, copy_dir, read_spikes_csv};

fn fixture_copy(root: &Path) -> PathBuf {
    let dir = root.join("virtual-input");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/virtual-input"),
        &dir,
    );
    dir
}

#[test]
fn virtual_population_and_custom_synapse_match_bmtk() {
    let root = tempfile::tempdir().unwrap();
    let dir = fixture_copy(root.path());
    let expected = read_spikes_csv(&dir.join("expected/spikes.csv"));
    assert!(
        expected.len() > 100,
        "the fixture should make the cells fire"
    );
    // SONATA sorted by time, SONATA sorted by id (module h5), CSV: the same trains.
    for (config, output) in [
        ("simulation_config.json", "output"),
        ("simulation_config_by_id.json", "output_by_id"),
        ("simulation_config_csv.json", "output_csv"),
    ] {
        bmtk_run(&dir, config).assert_ok();
        let got = read_spikes_csv(&dir.join(output).join("spikes.csv"));
        // Virtual nodes' spikes are not written (BMTK records only simulated cells).
        assert!(got.iter().all(|s| s.0 == "cortex"));
        assert_same_spikes(&got, &expected, 1e-9);
    }
}

#[test]
fn spike_input_without_spikes_feeds_nothing() {
    // A spikes file with no spikes at all: the VecStims exist but never fire.
    let root = tempfile::tempdir().unwrap();
    let dir = fixture_copy(root.path());
    std::fs::write(
        dir.join("inputs/empty.csv"),
        "timestamps population node_ids\n",
    )
    .unwrap();
    let text = std::fs::read_to_string(dir.join("simulation_config_csv.json")).unwrap();
    let mut config: serde_json::Value = serde_json::from_str(&text).unwrap();
    config["inputs"]["lgn_spikes"]["input_file"] = "$BASE_DIR/inputs/empty.csv".into();
    config["manifest"]["$OUTPUT_DIR"] = "$BASE_DIR/output_empty".into();
    std::fs::write(dir.join("empty.json"), config.to_string()).unwrap();
    bmtk_run(&dir, "empty.json").assert_ok();
    let got = read_spikes_csv(&dir.join("output_empty/spikes.csv"));
    let with_input = read_spikes_csv(&dir.join("expected/spikes.csv"));
    // Only the current clamp (from 100 ms) drives the cells now.
    assert!(with_input.iter().any(|s| s.2 < 100.0));
    assert!(
        !got.is_empty() && got.iter().all(|s| s.2 > 100.0),
        "{got:?}"
    );
    assert!(got.len() < with_input.len());
}

#[test]
fn bmtk_vecevent_mod_and_inline_input_node_set_run_with_native_vecstim() {
    // BMTK ships vecevent.mod (VecStim with VERBATIM C) in every model with spike inputs: it
    // must load, with a warning, and the native VecStim must give BMTK's spikes. The spikes
    // input names its virtual cells with an inline node set instead of `lgn`.
    let root = tempfile::tempdir().unwrap();
    let dir = fixture_copy(root.path());
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../mech/tests/data/bmtk_mechanisms/vecevent.mod"),
        dir.join("components/mechanisms/vecevent.mod"),
    )
    .unwrap();
    let text = std::fs::read_to_string(dir.join("simulation_config.json")).unwrap();
    let mut config: serde_json::Value = serde_json::from_str(&text).unwrap();
    config["inputs"]["lgn_spikes"]["node_set"] = serde_json::json!({"population": "lgn"});
    config["manifest"]["$OUTPUT_DIR"] = "$BASE_DIR/output_vecevent".into();
    std::fs::write(dir.join("vecevent.json"), config.to_string()).unwrap();

    let out = bmtk_run(&dir, "vecevent.json");
    out.assert_ok();
    let warnings: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("vecevent.mod"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", out.stderr);
    assert!(
        warnings[0].contains("WARNING") && warnings[0].contains("built-in VecStim"),
        "{}",
        warnings[0]
    );
    let got = read_spikes_csv(&dir.join("output_vecevent/spikes.csv"));
    let expected = read_spikes_csv(&dir.join("expected/spikes.csv"));
    assert_same_spikes(&got, &expected, 1e-9);
}
