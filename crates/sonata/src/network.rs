//! All node and edge populations named by a config's `networks` section.

use crate::config::Networks;
use crate::edges::{read_edges, EdgePopulation};
use crate::error::Result;
use crate::nodes::{read_nodes, NodePopulation};

/// Every population of every file listed in `networks`, loaded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Network {
    pub nodes: Vec<NodePopulation>,
    pub edges: Vec<EdgePopulation>,
}

impl Network {
    /// Reads all `networks.nodes` and `networks.edges` entries.
    pub fn load(networks: &Networks) -> Result<Network> {
        let mut net = Network::default();
        for entry in &networks.nodes {
            net.nodes.extend(read_nodes(
                &entry.nodes_file,
                entry.node_types_file.as_deref(),
            )?);
        }
        for entry in &networks.edges {
            net.edges.extend(read_edges(
                &entry.edges_file,
                entry.edge_types_file.as_deref(),
            )?);
        }
        Ok(net)
    }

    /// The node population called `name`.
    pub fn node_population(&self, name: &str) -> Option<&NodePopulation> {
        self.nodes.iter().find(|p| p.name == name)
    }
}
