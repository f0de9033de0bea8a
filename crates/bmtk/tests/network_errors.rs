//! Broken edges give one clear error naming the edge population and row (or the missing
//! population), never a panic. Each case breaks a copy of `tests/data/virtual-input`.

mod support;

use std::path::{Path, PathBuf};

use support::{bmtk_run, copy_dir};

fn fixture_copy(root: &Path) -> PathBuf {
    let dir = root.join("virtual-input");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/virtual-input"),
        &dir,
    );
    dir
}

fn edit_file(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no `{from}`", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Points the lgn → cortex edges entry of the circuit config at `bad/<file>`.
fn use_bad_edges(dir: &Path, file: &str) {
    edit_file(
        &dir.join("circuit_config.json"),
        "$NETWORK_DIR/lgn_cortex_edges.h5",
        &format!("$BASE_DIR/bad/{file}"),
    );
}

#[test]
fn unknown_synapse_model() {
    let root = tempfile::tempdir().unwrap();
    let dir = fixture_copy(root.path());
    edit_file(
        &dir.join("network/lgn_cortex_edge_types.csv"),
        "FacSyn 0.0005",
        "NoSuchSyn 0.0005",
    );
    // Row 10 is the first FacSyn edge BMTK's order visits (target 0's edges, by row).
    bmtk_run(&dir, "simulation_config.json").assert_error(&[
        "lgn_to_cortex",
        "row 10",
        "NoSuchSyn",
    ]);
}

#[test]
fn unknown_dynamics_parameter_names_the_json_file_and_key() {
    let root = tempfile::tempdir().unwrap();
    let dir = fixture_copy(root.path());
    edit_file(
        &dir.join("components/synaptic_models/FacSyn.json"),
        "\"tau\"",
        "\"bogus\": 1, \"tau\"",
    );
    bmtk_run(&dir, "simulation_config.json").assert_error(&[
        "FacSyn.json",
        "bogus",
        "lgn_to_cortex",
        "row 10",
    ]);
}

#[test]
fn explicit_section_that_does_not_exist() {
    let root = tempfile::tempdir().unwrap();
    let dir = fixture_copy(root.path());
    use_bad_edges(&dir, "lgn_cortex_edges_section_out_of_range.h5");
    bmtk_run(&dir, "simulation_config.json").assert_error(&[
        "lgn_to_cortex",
        "row 10",
        "afferent_section_id 9",
    ]);
}

#[test]
fn target_section_label_that_does_not_exist() {
    let root = tempfile::tempdir().unwrap();
    let dir = fixture_copy(root.path());
    edit_file(
        &dir.join("network/lgn_cortex_edge_types.csv"),
        "\"['basal', 'somatic']\"",
        "\"['spine']\"",
    );
    bmtk_run(&dir, "simulation_config.json").assert_error(&["lgn_to_cortex", "row 0", "spine"]);
}

#[test]
fn negative_delay() {
    let root = tempfile::tempdir().unwrap();
    let dir = fixture_copy(root.path());
    edit_file(
        &dir.join("network/lgn_cortex_edge_types.csv"),
        "100 * * 1.5",
        "100 * * -1.5",
    );
    bmtk_run(&dir, "simulation_config.json").assert_error(&[
        "lgn_to_cortex",
        "row 0",
        "delay -1.5",
    ]);
}

#[test]
fn node_id_out_of_range() {
    let root = tempfile::tempdir().unwrap();
    let dir = fixture_copy(root.path());
    use_bad_edges(&dir, "lgn_cortex_edges_target_out_of_range.h5");
    bmtk_run(&dir, "simulation_config.json").assert_error(&[
        "lgn_to_cortex",
        "row 5",
        "target node id 17",
        "cortex",
    ]);
}

#[test]
fn edge_population_whose_node_population_is_missing() {
    let root = tempfile::tempdir().unwrap();
    let dir = fixture_copy(root.path());
    let path = dir.join("circuit_config.json");
    let mut circuit: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    circuit["networks"]["nodes"]
        .as_array_mut()
        .unwrap()
        .retain(|n| !n["nodes_file"].as_str().unwrap().contains("lgn"));
    std::fs::write(&path, circuit.to_string()).unwrap();
    // The spikes input's node set names the population too; the edges are checked first.
    let config = dir.join("simulation_config.json");
    let mut sim: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&config).unwrap()).unwrap();
    sim["inputs"].as_object_mut().unwrap().remove("lgn_spikes");
    sim["node_sets"].as_object_mut().unwrap().remove("lgn");
    std::fs::write(&config, sim.to_string()).unwrap();
    bmtk_run(&dir, "simulation_config.json").assert_error(&[
        "lgn_to_cortex",
        "source population `lgn`",
        "networks.nodes",
    ]);
}
