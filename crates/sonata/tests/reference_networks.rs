//! Every network file under ../shared/reference loads, with counts and values checked
//! against the README and the files' own contents.

use std::path::{Path, PathBuf};

use sonata::config::SimulationConfig;
use sonata::network::Network;

fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference")
}

fn load(case: &str, config: &str) -> (SimulationConfig, Network) {
    let (cfg, warnings) = SimulationConfig::from_file(reference().join(case).join(config)).unwrap();
    assert!(warnings.is_empty(), "{case}: {warnings:?}");
    let net = Network::load(&cfg.circuit.networks).unwrap();
    (cfg, net)
}

#[test]
fn every_reference_config_and_network_loads() {
    let expected = [
        ("hco-single", "simulation_config.json", 1, 0),
        ("hco-single", "simulation_config_dt001.json", 1, 0),
        ("hco-single", "simulation_config_dt0025.json", 1, 0),
        ("hco-single", "simulation_config_vinit80.json", 1, 0),
        ("hco-pair", "simulation_config.json", 2, 2),
        ("hco-net100", "simulation_config.json", 100, 992),
        ("hco-net1000", "simulation_config.json", 1000, 9970),
        ("hco-net1000", "simulation_config_dL20.json", 1000, 9970),
        ("mc-net100", "simulation_config.json", 100, 992),
    ];
    for (case, config, n_nodes, n_edges) in expected {
        let (cfg, net) = load(case, config);
        let nodes: usize = net.nodes.iter().map(|p| p.len()).sum();
        let edges: usize = net.edges.iter().map(|p| p.len()).sum();
        assert_eq!((nodes, edges), (n_nodes, n_edges), "{case}/{config}");
        cfg.check_node_set_names().unwrap();
        for pop in &net.nodes {
            for i in 0..pop.len() {
                let t = pop
                    .property(i, "model_template")
                    .unwrap()
                    .as_str()
                    .into_owned();
                assert!(t.starts_with("hoc:"), "{case}: {t}");
            }
        }
        for pop in &net.edges {
            assert!(net.node_population(&pop.source_population).is_some());
            for i in 0..pop.len() {
                assert!(pop.property(i, "syn_weight").unwrap().as_f64().unwrap() > 0.0);
                assert_eq!(pop.property(i, "nsyns").unwrap().as_f64(), Some(1.0));
            }
        }
    }
}

#[test]
fn hco_net100_values() {
    let (cfg, net) = load("hco-net100", "simulation_config.json");
    assert_eq!(cfg.run.dt, 0.025);
    assert_eq!(cfg.run.dl, 20.0);
    assert_eq!(cfg.conditions.celsius, Some(34.0));
    let pop = &net.nodes[0];
    assert_eq!(pop.name, "hco_net");
    assert_eq!(pop.node_ids, (0..100).collect::<Vec<u64>>());
    assert_eq!(pop.property(5, "pop_name").unwrap().as_str(), "hco");
    let e = &net.edges[0];
    assert_eq!(e.name, "hco_net_to_hco_net");
    assert_eq!(
        (e.source_population.as_str(), e.target_population.as_str()),
        ("hco_net", "hco_net")
    );
    assert_eq!(&e.source_node_ids[..3], &[58, 86, 15]);
    assert_eq!(&e.target_node_ids[..3], &[0, 0, 0]);
    assert_eq!(e.property(0, "delay").unwrap().as_f64(), Some(1.0));
    assert_eq!(
        e.property(0, "distance_range").unwrap().as_str(),
        "[0.0, 100000000.0]"
    );
    assert_eq!(
        e.property(0, "target_sections").unwrap().as_str(),
        "['soma']"
    );
    assert_eq!(
        e.property(0, "dynamics_params").unwrap().as_str(),
        "GABA_InhToInh.json"
    );
    // Edges are sorted by target: every target has at least one incoming edge here.
    assert!(e.target_node_ids.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn hco_pair_edge_types_and_node_sets() {
    let (cfg, net) = load("hco-pair", "simulation_config.json");
    let e = &net.edges[0];
    let types: Vec<u64> = e.edge_type_ids().to_vec();
    assert_eq!(types.len(), 2);
    let q = |i: usize, k: &str| e.property(i, k).unwrap().as_str().into_owned();
    for i in 0..2 {
        let t = e.edge_type_id(i);
        let expect = if t == 100 {
            "pop_name=='hco1'"
        } else {
            "pop_name=='hco2'"
        };
        assert_eq!(q(i, "source_query"), expect);
    }
    let hco1 = cfg.circuit.node_sets.clone();
    let mut sets = hco1;
    sets.extend_from_json(
        Path::new("t"),
        "",
        &serde_json::json!({"first": {"pop_name": "hco1"}}),
    )
    .unwrap();
    let sel = sets.select("first", &net.nodes).unwrap();
    assert_eq!(sel.len(), 1);
    assert_eq!(sel[0].node_ids.len(), 1);
    let n = sel[0].node_ids[0] as usize;
    assert_eq!(
        net.nodes[0].property(n, "cell_name").unwrap().as_str(),
        "HCOCell1"
    );
}

#[test]
fn mc_net100_node_sets_from_config() {
    let (cfg, net) = load("mc-net100", "simulation_config.json");
    let sel = cfg.circuit.node_sets.select("stim10", &net.nodes).unwrap();
    assert_eq!(sel[0].node_ids, (0..10).collect::<Vec<u64>>());
    let all = cfg.circuit.node_sets.select("all", &net.nodes).unwrap();
    assert_eq!(all[0].node_ids.len(), 100);
    match &cfg.inputs[0].1 {
        sonata::config::Input::CurrentClamp(c) => {
            assert_eq!(
                (c.amp.as_slice(), c.delay.as_slice(), c.duration.as_slice()),
                (&[1.0][..], &[50.0][..], &[10.0][..])
            );
            assert_eq!(c.node_set, "stim10");
        }
        other => panic!("{other:?}"),
    }
    match &cfg.reports[0].1 {
        sonata::config::Report::Membrane(m) => {
            assert_eq!(m.variable_names, ["v"]);
            assert_eq!(
                m.file_name,
                sonata::config::normalize(&reference().join("mc-net100/output/v_soma.h5"))
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn paths_are_absolute_and_normalised() {
    let (cfg, _) = load("hco-single", "simulation_config.json");
    let mech = cfg.circuit.components.mechanisms_dir.unwrap();
    assert!(
        mech.is_absolute() && mech.ends_with("models/hco/mechanisms"),
        "{mech:?}"
    );
    assert!(mech.is_dir());
    assert!(cfg
        .output
        .spikes_file_csv
        .unwrap()
        .ends_with("hco-single/output/spikes.csv"));
    assert_eq!(cfg.files.len(), 2);
}

#[test]
fn expected_spikes_csvs_read() {
    let spikes =
        sonata::spikes::read_spikes(&reference().join("hco-net100/expected/spikes.csv")).unwrap();
    assert_eq!(spikes.len(), 1);
    assert_eq!(spikes[0].population, "hco_net");
    assert_eq!(spikes[0].timestamps.len(), 345);
    let empty =
        sonata::spikes::read_spikes(&reference().join("hco-single/expected/spikes.csv")).unwrap();
    assert!(empty.is_empty());
    let pair =
        sonata::spikes::read_spikes(&reference().join("hco-pair/expected/spikes.csv")).unwrap();
    assert_eq!(pair[0].timestamps.len(), 12);
}

#[test]
fn expected_npy_read() {
    let v = sonata::npy::read_npy(&reference().join("hco-pair/expected/v_0.npy")).unwrap();
    assert_eq!(v.shape, [100_001]);
    assert_eq!(v.data[0], -50.0);
    let mc =
        sonata::npy::read_npy(&reference().join("mc-net100/expected/v_soma_nodes0-9.npy")).unwrap();
    assert_eq!(mc.shape, [40_001, 10]);
    assert_eq!(mc.column(3)[0], -65.0);
}

#[test]
fn every_h5_and_csv_under_reference_networks_is_loaded() {
    // The configs above load through Network::load; here every file in every `network/`
    // folder must be one of the files those configs name, so none is left unread.
    let mut named = std::collections::BTreeSet::new();
    let mut on_disk = std::collections::BTreeSet::new();
    for case in std::fs::read_dir(reference()).unwrap() {
        let case = case.unwrap().path();
        if !case.join("network").is_dir() {
            continue;
        }
        for file in std::fs::read_dir(case.join("network")).unwrap() {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|e| e == "h5" || e == "csv") {
                on_disk.insert(file.canonicalize().unwrap());
            }
        }
        for config in std::fs::read_dir(&case).unwrap() {
            let config = config.unwrap().path();
            let name = config.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with("simulation_config") {
                continue;
            }
            let (cfg, _) = SimulationConfig::from_file(&config).unwrap();
            Network::load(&cfg.circuit.networks).unwrap();
            let nets = &cfg.circuit.networks;
            for n in &nets.nodes {
                named.insert(n.nodes_file.canonicalize().unwrap());
                named.extend(n.node_types_file.iter().map(|p| p.canonicalize().unwrap()));
            }
            for e in &nets.edges {
                named.insert(e.edges_file.canonicalize().unwrap());
                named.extend(e.edge_types_file.iter().map(|p| p.canonicalize().unwrap()));
            }
        }
    }
    assert!(on_disk.len() >= 14, "{on_disk:?}");
    let unread: Vec<_> = on_disk.difference(&named).collect();
    assert!(unread.is_empty(), "never loaded: {unread:?}");
}
