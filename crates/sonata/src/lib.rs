//! SONATA for bmtk-rs: configs as BMTK reads them, network readers, and output writers.
//!
//! # Reading a simulation
//! ```no_run
//! use sonata::config::SimulationConfig;
//! use sonata::network::Network;
//!
//! let (config, warnings) = SimulationConfig::from_file("simulation_config.json")?;
//! for w in &warnings { eprintln!("warning: {w}"); }
//! config.check_node_set_names()?;                       // unknown node sets → error
//! let net = Network::load(&config.circuit.networks)?;   // all node/edge populations
//! let pop = &net.nodes[0];
//! let template = pop.property(0, "model_template");     // h5 column, else node-types CSV
//! let stim = config.circuit.node_sets.select("all", &net.nodes)?;
//! # Ok::<(), sonata::Error>(())
//! ```
//!
//! # Modules
//! - [`config`]: [`config::SimulationConfig`] / [`config::CircuitConfig`] (`from_file` returns
//!   the config and a `Vec<Warning>`), manifest `$VAR`s, inclusion, node sets, typed
//!   `run`/`conditions`/`output`/`inputs`/`reports`. Paths come out absolute.
//! - [`nodes`], [`edges`], [`network`]: [`nodes::read_nodes`], [`edges::read_edges`] →
//!   populations with `property(index, name)` (h5 group column first, then types CSV).
//! - [`nodes_write`], [`edges_write`]: node and edge files in BMTK's builder layout, with
//!   the `indices/*` lookup tables.
//! - [`spikes`]: [`spikes::read_spikes`] (h5 or CSV) and [`spikes::SpikeWriter`].
//! - [`report`]: streaming [`report::ReportWriter`], [`report::read_report`], and
//!   [`report::variable_file_paths`] (one file per variable; the naming rule is there).
//! - [`npy`]: read/write float64 `.npy` arrays.
//! - [`table`], [`types_table`]: the space-separated CSV dialect BMTK writes.
//!
//! # Guarantees
//! No function panics on bad input: corrupt HDF5, malformed CSV/JSON and missing files come
//! back as an [`Error`] naming the file (and line, key or HDF5 object). Every output is
//! written under a temporary name in its folder and renamed when complete
//! ([`atomic::PendingFile`]); an unfinished writer leaves nothing behind.

pub mod atomic;
pub mod config;
pub mod edges;
pub mod edges_write;
mod error;
mod group_write;
mod h5;
mod h5write;
pub mod network;
pub mod nodes;
pub mod nodes_write;
pub mod npy;
mod population;
pub mod properties;
pub mod report;
pub mod spikes;
pub mod table;
pub mod types_table;

pub use error::{Error, Result};
pub use group_write::{ColumnGroup, Compression, GroupColumn};
pub use population::PropertyGroup;
pub use properties::{Column, Property};
