//! Building the committed example network files: the HCO pair equals BMTK's reference
//! network (read through bmtk-rs's `sonata` readers), builds are byte-identical, and
//! `circuit_config.json` is created or updated in place.

use std::path::{Path, PathBuf};

use sonata::edges::read_edges;
use sonata::nodes::read_nodes;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example(name: &str) -> PathBuf {
    crate_dir().join("examples/networks").join(name)
}

fn reference(case: &str) -> PathBuf {
    crate_dir()
        .join("../../../shared/reference")
        .join(case)
        .join("network")
}

/// Copies an example network file into a fresh folder and builds it there.
fn build_copy(name: &str, dir: &Path) -> builder::BuildReport {
    let file = dir.join(name);
    std::fs::copy(example(name), &file).unwrap();
    builder::build_from_file(&file, None).unwrap()
}

/// Property name → value text, as our readers see them.
type Props = Vec<(String, String)>;

fn node_rows(dir: &Path) -> Vec<(u64, u64, Props)> {
    let pops = read_nodes(
        &dir.join("hco_net_nodes.h5"),
        Some(&dir.join("hco_net_node_types.csv")),
    )
    .unwrap();
    let pop = &pops[0];
    (0..pop.len())
        .map(|i| {
            let props = pop
                .property_names()
                .into_iter()
                .filter_map(|n| {
                    pop.property(i, &n)
                        .map(|v| (n.clone(), v.as_str().into_owned()))
                })
                .collect();
            (pop.node_ids[i], pop.node_type_id(i), props)
        })
        .collect()
}

fn edge_rows(dir: &Path) -> Vec<(u64, u64, u64, Props)> {
    let pops = read_edges(
        &dir.join("hco_net_hco_net_edges.h5"),
        Some(&dir.join("hco_net_hco_net_edge_types.csv")),
    )
    .unwrap();
    let pop = &pops[0];
    assert_eq!(
        (
            pop.source_population.as_str(),
            pop.target_population.as_str()
        ),
        ("hco_net", "hco_net")
    );
    (0..pop.len())
        .map(|i| {
            let props = pop
                .property_names()
                .into_iter()
                .filter_map(|n| {
                    pop.property(i, &n)
                        .map(|v| (n.clone(), v.as_str().into_owned()))
                })
                .collect();
            (
                pop.source_node_ids[i],
                pop.target_node_ids[i],
                pop.edge_type_id(i),
                props,
            )
        })
        .collect()
}

#[test]
fn hco_pair_matches_bmtks_reference_network() {
    let dir = tempfile::tempdir().unwrap();
    let report = build_copy("hco_pair.toml", dir.path());
    assert_eq!((report.nodes, report.edges, report.synapses), (2, 2, 2));
    let built = dir.path().join("network");
    let reference = reference("hco-pair");
    assert_eq!(node_rows(&built), node_rows(&reference));
    assert_eq!(edge_rows(&built), edge_rows(&reference));
    // The CSVs are byte-for-byte BMTK's (same column order, Python's str() of each value).
    for csv in ["hco_net_node_types.csv", "hco_net_hco_net_edge_types.csv"] {
        assert_eq!(
            std::fs::read(built.join(csv)).unwrap(),
            std::fs::read(reference.join(csv)).unwrap(),
            "{csv}"
        );
    }
}

#[test]
fn hco_net100_has_the_reference_topology_rule() {
    let dir = tempfile::tempdir().unwrap();
    build_copy("hco_net100.toml", dir.path());
    let built = dir.path().join("network");
    let edges = edge_rows(&built);
    let pairs: std::collections::HashSet<(u64, u64)> = edges.iter().map(|e| (e.0, e.1)).collect();
    assert_eq!(pairs.len(), edges.len(), "no duplicate pairs");
    assert!(
        pairs
            .iter()
            .all(|(s, t)| s != t && pairs.contains(&(*t, *s))),
        "reciprocal, no autapses"
    );
    // 4950 unordered pairs at p = 0.1: 990 ± 2·sqrt(4950·0.09)·2 edges.
    assert!((edges.len() as f64 - 990.0).abs() < 90.0, "{}", edges.len());
    assert!(
        edges.windows(2).all(|w| w[0].1 <= w[1].1),
        "sorted by target"
    );
    // Same node table and edge-type CSV as the reference built by BMTK.
    assert_eq!(node_rows(&built), node_rows(&reference("hco-net100")));
    let csv = "hco_net_hco_net_edge_types.csv";
    assert_eq!(
        std::fs::read(built.join(csv)).unwrap(),
        std::fs::read(reference("hco-net100").join(csv)).unwrap()
    );
}

#[test]
fn builds_are_byte_identical() {
    for name in ["hco_pair.toml", "hco_net100.toml", "hco_net1000.toml"] {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        build_copy(name, a.path());
        build_copy(name, b.path());
        let mut files: Vec<_> = std::fs::read_dir(a.path().join("network"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        files.sort();
        assert_eq!(files.len(), 4, "{name}");
        for f in files {
            let x = std::fs::read(a.path().join("network").join(&f)).unwrap();
            let y = std::fs::read(b.path().join("network").join(&f)).unwrap();
            assert!(x == y, "{name}: {f:?} differs between two builds");
        }
    }
}

#[test]
fn thousand_cell_network_has_positions_distance_rule_and_per_edge_weights() {
    let dir = tempfile::tempdir().unwrap();
    let report = build_copy("hco_net1000.toml", dir.path());
    assert_eq!(report.nodes, 1000);
    let built = dir.path().join("network");
    let edges = edge_rows(&built);
    let per_cell = edges.len() as f64 / 1000.0;
    assert!(
        (5.0..20.0).contains(&per_cell),
        "{per_cell} inputs per cell"
    );
    for e in &edges {
        let w: f64 =
            e.3.iter()
                .find(|(k, _)| k == "syn_weight")
                .unwrap()
                .1
                .parse()
                .unwrap();
        assert!((0.02..0.06).contains(&w));
        assert!(
            !e.3.iter().any(|(k, _)| k == "nsyns"),
            "per-edge groups hold no nsyns column"
        );
    }
}

#[test]
fn circuit_config_is_created_then_updated_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let report = build_copy("hco_pair.toml", dir.path());
    assert!(report.config_created);
    let config = dir.path().join("circuit_config.json");
    // The created config loads with bmtk-rs's own config reader and lists the built files.
    let (circuit, _) = sonata::config::CircuitConfig::from_file(&config).unwrap();
    let net = sonata::network::Network::load(&circuit.networks).unwrap();
    assert_eq!((net.nodes[0].len(), net.edges[0].len()), (2, 2));

    // A hand-written config: other keys, their order and an unrelated network entry survive.
    let original = r#"{
  "target_simulator": "NEURON",
  "manifest": { "$BASE_DIR": ".", "$NETWORK_DIR": "$BASE_DIR/network", "$COMPONENTS_DIR": "$BASE_DIR/components" },
  "components": { "templates_dir": "$COMPONENTS_DIR/hoc_templates" },
  "networks": {
    "nodes": [
      { "nodes_file": "$NETWORK_DIR/other_nodes.h5", "node_types_file": "$NETWORK_DIR/other_node_types.csv" },
      { "nodes_file": "$BASE_DIR/network/hco_net_nodes.h5", "node_types_file": "old.csv", "extra": 1 }
    ]
  },
  "zzz": [1, 2]
}"#;
    std::fs::write(&config, original).unwrap();
    let report =
        builder::build_from_file(&dir.path().join("hco_pair.toml"), Some(&config)).unwrap();
    assert!(!report.config_created);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&config).unwrap()).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "target_simulator",
            "manifest",
            "components",
            "networks",
            "zzz"
        ]
    );
    assert_eq!(
        v["components"]["templates_dir"],
        "$COMPONENTS_DIR/hoc_templates"
    );
    let nodes = v["networks"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 2);
    assert_eq!(nodes[0]["nodes_file"], "$NETWORK_DIR/other_nodes.h5");
    assert_eq!(nodes[1]["nodes_file"], "$BASE_DIR/network/hco_net_nodes.h5");
    assert_eq!(
        nodes[1]["node_types_file"],
        "$NETWORK_DIR/hco_net_node_types.csv"
    );
    assert_eq!(nodes[1]["extra"], 1);
    let edges = v["networks"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1);
    assert_eq!(
        edges[0]["edges_file"],
        "$NETWORK_DIR/hco_net_hco_net_edges.h5"
    );
    // Building again changes nothing.
    let before = std::fs::read(&config).unwrap();
    builder::build_from_file(&dir.path().join("hco_pair.toml"), Some(&config)).unwrap();
    assert_eq!(before, std::fs::read(&config).unwrap());
}

#[test]
fn gzip_compressed_files_read_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example("hco_net100.toml"))
        .unwrap()
        .replace("seed = 100", "seed = 100\ncompression = \"gzip\"");
    let file = dir.path().join("gz.toml");
    std::fs::write(&file, text).unwrap();
    builder::build_from_file(&file, None).unwrap();
    let plain = tempfile::tempdir().unwrap();
    build_copy("hco_net100.toml", plain.path());
    let (gz, raw) = (dir.path().join("network"), plain.path().join("network"));
    assert_eq!(edge_rows(&gz), edge_rows(&raw));
    assert_eq!(node_rows(&gz), node_rows(&raw));
    let size = |d: &Path| {
        std::fs::metadata(d.join("hco_net_hco_net_edges.h5"))
            .unwrap()
            .len()
    };
    assert!(size(&gz) < size(&raw));
}
