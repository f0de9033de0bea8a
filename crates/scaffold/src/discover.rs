//! Lists SONATA files already in the network folder, as BMTK's `sim_setup` does.
//!
//! A file named `<net>_nodes.h5`, `<net>_node_types.csv`, `<net>_edges.h5`,
//! `<net>_edge_types.csv` or `<net>_gap_juncs.h5` joins the entry of network `<net>`. Entries are
//! sorted by network name so the generated config does not depend on directory order.

use crate::Error;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// `networks.nodes`, `networks.edges` and `networks.gap_juncs` entries.
#[derive(Debug, Default)]
pub(crate) struct NetworkFiles {
    pub nodes: Vec<Value>,
    pub edges: Vec<Value>,
    pub gap_juncs: Vec<Value>,
}

/// (marker in the file name, group index, config key); the first marker found wins.
const KINDS: [(&str, usize, &str); 5] = [
    ("_node_types", 0, "node_types_file"),
    ("_nodes", 0, "nodes_file"),
    ("_edge_types", 1, "edge_types_file"),
    ("_edges", 1, "edges_file"),
    ("_gap_juncs", 2, "gap_juncs_file"),
];

pub(crate) fn network_files(dir: &Path) -> Result<NetworkFiles, Error> {
    let io_error = |source| Error::Io {
        path: dir.to_path_buf(),
        action: "cannot list network directory",
        source,
    };
    let mut groups: [BTreeMap<String, Map<String, Value>>; 3] = Default::default();
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error)? {
        let entry = entry.map_err(io_error)?;
        if entry.file_type().map(|t| t.is_file()).unwrap_or(false) {
            if let Some(name) = entry.file_name().to_str() {
                names.push(name.to_string());
            }
        }
    }
    names.sort();
    for name in names {
        if name.starts_with('.') || !(name.ends_with(".h5") || name.ends_with(".csv")) {
            continue;
        }
        if let Some((suffix, group, key)) = KINDS.iter().find(|(s, _, _)| name.contains(s)) {
            let net = &name[..name.find(suffix).unwrap_or(0)];
            groups[*group].entry(net.to_string()).or_default().insert(
                key.to_string(),
                Value::String(format!("$NETWORK_DIR/{name}")),
            );
        }
    }
    let [nodes, edges, gaps] = groups;
    let to_list =
        |g: BTreeMap<String, Map<String, Value>>| g.into_values().map(Value::Object).collect();
    Ok(NetworkFiles {
        nodes: to_list(nodes),
        edges: to_list(edges),
        gap_juncs: to_list(gaps),
    })
}
