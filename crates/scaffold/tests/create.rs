//! Creating model directories in temporary folders: layout, config contents, keep/force policy,
//! and errors naming the path.

use scaffold::{create_bionet, Error, IClamp, NewOptions, Overwrite};
use serde_json::Value;
use std::path::Path;

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

#[test]
fn creates_the_bionet_tree_with_bmtk_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("model");
    let outcome = create_bionet(&dir, &NewOptions::default()).unwrap();
    assert!(outcome.kept.is_empty() && outcome.replaced.is_empty());

    for sub in [
        "network",
        "components/mechanisms/modfiles",
        "components/hoc_templates",
        "components/morphologies",
        "components/synaptic_models",
        "components/biophysical_neuron_templates",
        "components/point_neuron_templates",
    ] {
        assert!(dir.join(sub).is_dir(), "missing folder {sub}");
        assert!(
            outcome.created_dirs.contains(&dir.join(sub)),
            "{sub} not reported"
        );
    }

    let circuit = read_json(&dir.join("circuit_config.json"));
    assert_eq!(circuit["manifest"]["$BASE_DIR"], ".");
    assert_eq!(
        circuit["manifest"]["$COMPONENTS_DIR"],
        "$BASE_DIR/components"
    );
    assert_eq!(circuit["manifest"]["$NETWORK_DIR"], "$BASE_DIR/network");
    let components = circuit["components"].as_object().unwrap();
    assert_eq!(components["templates_dir"], "$COMPONENTS_DIR/hoc_templates");
    assert_eq!(components["mechanisms_dir"], "$COMPONENTS_DIR/mechanisms");
    // Every components entry names a folder that exists.
    for (key, value) in components {
        let folder = value
            .as_str()
            .unwrap()
            .replace("$COMPONENTS_DIR", "components");
        assert!(dir.join(&folder).is_dir(), "{key} -> {folder} missing");
    }
    assert_eq!(circuit["networks"]["nodes"], Value::Array(vec![]));
    assert_eq!(circuit["networks"]["edges"], Value::Array(vec![]));

    let sim = read_json(&dir.join("simulation_config.json"));
    let run = &sim["run"];
    assert_eq!(run["tstart"], 0.0);
    assert_eq!(run["tstop"], 1000.0);
    assert_eq!(run["dt"], 0.001);
    assert_eq!(run["dL"], 20.0);
    assert_eq!(run["spike_threshold"], -15.0);
    assert_eq!(run["nsteps_block"], 5000);
    assert_eq!(sim["conditions"]["celsius"], 34.0);
    assert_eq!(sim["conditions"]["v_init"], -80.0);
    assert_eq!(sim["target_simulator"], "NEURON");
    assert_eq!(sim["manifest"]["$OUTPUT_DIR"], "$BASE_DIR/output");
    assert_eq!(sim["output"]["output_dir"], "$OUTPUT_DIR");
    assert_eq!(sim["output"]["spikes_file"], "spikes.h5");
    assert_eq!(sim["network"], "$BASE_DIR/circuit_config.json");
    assert!(sim["inputs"].as_object().unwrap().is_empty());
    assert!(sim["reports"].as_object().unwrap().is_empty());
    let keys: Vec<&String> = sim.as_object().unwrap().keys().collect();
    assert_eq!(keys[0], "manifest", "BMTK puts the manifest first");

    let node_sets = read_json(&dir.join("node_sets.json"));
    assert_eq!(node_sets["biophysical_nodes"]["model_type"], "biophysical");
    let top = read_json(&dir.join("config.json"));
    assert_eq!(top["simulation"], "$BASE_DIR/simulation_config.json");

    // BMTK's Exp2Syn parameter sets.
    let expected = [
        ("AMPA_ExcToExc.json", 1.0, 3.0, 0.0),
        ("AMPA_ExcToInh.json", 0.1, 0.5, 0.0),
        ("GABA_InhToExc.json", 2.7, 15.0, -70.0),
        ("GABA_InhToInh.json", 0.2, 8.0, -70.0),
    ];
    for (name, tau1, tau2, erev) in expected {
        let syn = read_json(&dir.join("components/synaptic_models").join(name));
        assert_eq!(syn["level_of_detail"], "exp2syn", "{name}");
        assert_eq!(syn["tau1"], tau1, "{name}");
        assert_eq!(syn["tau2"], tau2, "{name}");
        assert_eq!(syn["erev"], erev, "{name}");
    }
}

#[test]
fn options_become_run_conditions_inputs_and_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = NewOptions {
        tstop: 250.0,
        dt: 0.025,
        dl: 1e6,
        v_init: -50.0,
        celsius: 6.3,
        iclamp: Some(IClamp {
            amp: 1.0,
            delay: 50.0,
            duration: 10.0,
            node_set: "all".into(),
        }),
        reports: vec!["cai".into(), "v".into()],
        network_dir: "net".into(),
        ..NewOptions::default()
    };
    create_bionet(tmp.path(), &opts).unwrap();
    let sim = read_json(&tmp.path().join("simulation_config.json"));
    assert_eq!(sim["run"]["tstop"], 250.0);
    assert_eq!(sim["run"]["dt"], 0.025);
    assert_eq!(sim["run"]["dL"], 1e6);
    assert_eq!(sim["conditions"]["v_init"], -50.0);
    assert_eq!(sim["conditions"]["celsius"], 6.3);
    let clamp = &sim["inputs"]["current_clamp"];
    assert_eq!(clamp["input_type"], "current_clamp");
    assert_eq!(clamp["module"], "IClamp");
    assert_eq!(clamp["node_set"], "all");
    assert_eq!(clamp["amp"], 1.0);
    assert_eq!(clamp["delay"], 50.0);
    assert_eq!(clamp["duration"], 10.0);
    let report = &sim["reports"]["membrane_report"];
    assert_eq!(report["module"], "membrane_report");
    assert_eq!(report["variable_name"], serde_json::json!(["cai", "v"]));
    assert_eq!(report["file_name"], "cell_vars.h5");
    assert_eq!(report["sections"], "soma");
    assert_eq!(report["cells"], "all");
    assert!(tmp.path().join("net").is_dir());
    let circuit = read_json(&tmp.path().join("circuit_config.json"));
    assert_eq!(circuit["manifest"]["$NETWORK_DIR"], "$BASE_DIR/net");
}

#[test]
fn second_run_keeps_modified_files_and_force_never_deletes_user_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    create_bionet(dir, &NewOptions::default()).unwrap();

    let sim_path = dir.join("simulation_config.json");
    let edited = "{\"edited\": true}\n";
    std::fs::write(&sim_path, edited).unwrap();
    let user_mod = dir.join("components/mechanisms/modfiles/leak.mod");
    std::fs::write(&user_mod, "NEURON { SUFFIX leak }\n").unwrap();

    let again = create_bionet(dir, &NewOptions::default()).unwrap();
    assert_eq!(std::fs::read_to_string(&sim_path).unwrap(), edited);
    assert!(again.kept.contains(&sim_path));
    assert!(again.written.is_empty() && again.replaced.is_empty());
    assert!(again.created_dirs.is_empty());

    let forced = NewOptions {
        overwrite: Overwrite::Force,
        tstop: 42.0,
        ..NewOptions::default()
    };
    let outcome = create_bionet(dir, &forced).unwrap();
    assert!(outcome.replaced.contains(&sim_path));
    assert_eq!(read_json(&sim_path)["run"]["tstop"], 42.0);
    assert_eq!(
        std::fs::read_to_string(&user_mod).unwrap(),
        "NEURON { SUFFIX leak }\n"
    );
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn existing_network_files_are_listed_in_the_circuit() {
    let tmp = tempfile::tempdir().unwrap();
    let net = tmp.path().join("network");
    std::fs::create_dir(&net).unwrap();
    for name in [
        "hco_net_nodes.h5",
        "hco_net_node_types.csv",
        "hco_net_hco_net_edges.h5",
        "hco_net_hco_net_edge_types.csv",
        "notes.txt",
    ] {
        std::fs::write(net.join(name), b"").unwrap();
    }
    create_bionet(tmp.path(), &NewOptions::default()).unwrap();
    let circuit = read_json(&tmp.path().join("circuit_config.json"));
    assert_eq!(
        circuit["networks"]["nodes"],
        serde_json::json!([{
            "node_types_file": "$NETWORK_DIR/hco_net_node_types.csv",
            "nodes_file": "$NETWORK_DIR/hco_net_nodes.h5"
        }])
    );
    let edges = &circuit["networks"]["edges"][0];
    assert_eq!(edges["edges_file"], "$NETWORK_DIR/hco_net_hco_net_edges.h5");
    assert_eq!(
        edges["edge_types_file"],
        "$NETWORK_DIR/hco_net_hco_net_edge_types.csv"
    );
}

#[test]
fn unwritable_target_is_an_error_naming_the_path() {
    let tmp = tempfile::tempdir().unwrap();
    // A regular file where a folder is needed fails even for root (permissions would not).
    let blocker = tmp.path().join("blocker");
    std::fs::write(&blocker, b"user data").unwrap();
    let target = blocker.join("model");
    let err = create_bionet(&target, &NewOptions::default()).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("blocker"), "{message}");
    assert!(matches!(err, Error::NotADirectory { .. }), "{err:?}");
    assert_eq!(std::fs::read(&blocker).unwrap(), b"user data");

    let err = create_bionet(&blocker, &NewOptions::default()).unwrap_err();
    assert!(err.to_string().contains(&blocker.display().to_string()));
}

#[test]
fn invalid_options_are_rejected_before_touching_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("model");
    for (opts, option) in [
        (
            NewOptions {
                dt: 0.0,
                ..NewOptions::default()
            },
            "dt",
        ),
        (
            NewOptions {
                tstop: -1.0,
                ..NewOptions::default()
            },
            "tstop",
        ),
        (
            NewOptions {
                celsius: f64::NAN,
                ..NewOptions::default()
            },
            "celsius",
        ),
    ] {
        match create_bionet(&dir, &opts) {
            Err(Error::InvalidOption { option: got, .. }) => assert_eq!(got, option),
            other => panic!("expected InvalidOption {option}, got {other:?}"),
        }
        assert!(!dir.exists());
    }
}

#[test]
fn second_run_adds_new_network_files_to_a_kept_circuit_config() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    create_bionet(dir, &NewOptions::default()).unwrap();
    let circuit_path = dir.join("circuit_config.json");
    // The user edits the circuit config, then builds a network into network/.
    let mut circuit = read_json(&circuit_path);
    circuit["components"]["templates_dir"] = "my_templates".into();
    std::fs::write(&circuit_path, serde_json::to_string(&circuit).unwrap()).unwrap();
    for name in ["hco_net_nodes.h5", "hco_net_node_types.csv"] {
        std::fs::write(dir.join("network").join(name), b"").unwrap();
    }

    let again = create_bionet(dir, &NewOptions::default()).unwrap();
    assert!(again.kept.contains(&circuit_path));
    let (path, added) = again.networks_added.expect("network files added");
    assert_eq!(path, circuit_path);
    assert_eq!(added, ["hco_net_nodes.h5"]);
    let updated = read_json(&circuit_path);
    assert_eq!(updated["components"]["templates_dir"], "my_templates");
    assert_eq!(
        updated["networks"]["nodes"],
        serde_json::json!([{
            "node_types_file": "$NETWORK_DIR/hco_net_node_types.csv",
            "nodes_file": "$NETWORK_DIR/hco_net_nodes.h5"
        }])
    );

    // Already listed: a third run changes nothing.
    let before = std::fs::read_to_string(&circuit_path).unwrap();
    let third = create_bionet(dir, &NewOptions::default()).unwrap();
    assert!(third.networks_added.is_none());
    assert_eq!(std::fs::read_to_string(&circuit_path).unwrap(), before);
}
