//! Network builder for bmtk-rs: BMTK's `NetworkBuilder` without Python.
//!
//! ```no_run
//! use builder::{ConnectionRule, EdgeTypeSpec, Network, NodeProperties, Query};
//! let mut net = Network::new("hco_net");
//! net.add_nodes(1, NodeProperties::new().constant("pop_name", "hco1").constant("model_template", "hoc:HCOcell"))?;
//! net.add_nodes(1, NodeProperties::new().constant("pop_name", "hco2").constant("model_template", "hoc:HCOcell"))?;
//! net.add_edges(
//!     EdgeTypeSpec::new(Query::all().eq("pop_name", "hco1"), Query::all().eq("pop_name", "hco2"),
//!                       ConnectionRule::Constant { nsyns: 1 })
//!         .property("syn_weight", 0.04),
//! )?;
//! net.build()?.save(std::path::Path::new("network"))?;
//! # Ok::<(), builder::Error>(())
//! ```
//!
//! # Modules
//! - [`network`]: [`Network`] (`add_nodes`, `add_edges`, `select`, `build`).
//! - [`nodes`], [`positions`]: node properties (constant → node-types CSV, per node → h5
//!   group) and seeded position generators.
//! - [`edges`]: [`Query`], [`ConnectionRule`] (constant, probability, distance, explicit
//!   pairs, one-to-one), per-edge values.
//! - [`save`]: [`BuiltNetwork`] and the files in BMTK's layout.
//! - [`spec`]: the declarative TOML network file (format documented there and in README.md).
//! - [`circuit`]: adding the written files to `circuit_config.json`.
//! - [`build_from_file`]: what `bmtk build NETWORK_FILE [--config FILE]` runs.
//!
//! # Guarantees
//! The same description and seeds give byte-identical files. Bad input is an [`Error`]; a
//! network file's problems are all reported with line and column.

pub mod circuit;
pub mod edges;
mod error;
pub mod network;
pub mod nodes;
pub mod positions;
pub mod rng;
pub mod save;
pub mod spec;
pub mod value;

use std::path::{Path, PathBuf};

pub use edges::{ConnectionRule, EdgeTypeSpec, EdgeValues, Query};
pub use error::{Diagnostic, Error, Result};
pub use network::Network;
pub use nodes::{NodeProperties, NodeProperty};
pub use save::{BuiltNetwork, SavedFiles};
pub use sonata::Compression;
pub use value::Value;

/// The committed example network files, for `bmtk new` to write next to a new model.
pub mod examples {
    /// The seed's HCO pair (equal to `shared/reference/hco-pair/network`).
    pub const HCO_PAIR: &str = include_str!("../examples/networks/hco_pair.toml");
    /// The hco-net100 topology: 100 cells, reciprocal connections with probability 0.1.
    pub const HCO_NET100: &str = include_str!("../examples/networks/hco_net100.toml");
    /// 1,000 cells in a column with a distance rule and per-synapse weights.
    pub const HCO_NET1000: &str = include_str!("../examples/networks/hco_net1000.toml");
}

/// What [`build_from_file`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildReport {
    pub network: String,
    pub nodes: usize,
    /// Edge rows written.
    pub edges: usize,
    /// Synapses (sum of `nsyns`).
    pub synapses: u64,
    pub files: SavedFiles,
    /// The circuit config that now lists the files.
    pub config: PathBuf,
    /// Whether that config was created (it did not exist).
    pub config_created: bool,
}

/// Reads a network file, builds it, writes the SONATA files into its `output_dir` and adds or
/// updates their entries in `config` (default: `circuit_config.json` next to the network
/// file), creating the config if it does not exist.
pub fn build_from_file(network_file: &Path, config: Option<&Path>) -> Result<BuildReport> {
    let spec = spec::NetworkFile::read(network_file)?;
    let built = spec.network.build().map_err(|e| spec.locate(e))?;
    let files = built.save_with(&spec.output_dir, spec.compression)?;
    let config_path = match config {
        Some(p) => p.to_path_buf(),
        None => network_file
            .parent()
            .unwrap_or(Path::new("."))
            .join("circuit_config.json"),
    };
    let config_created = circuit::update_circuit_config(&config_path, &files)?;
    Ok(BuildReport {
        network: built.name.clone(),
        nodes: built.node_count(),
        edges: built.edges.len(),
        synapses: built.edges.synapse_count(),
        files,
        config: config_path,
        config_created,
    })
}
