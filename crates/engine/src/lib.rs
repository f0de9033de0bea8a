//! The simulation engine: NEURON's fixed-step cable integrator.
//!
//! The crate follows Arbor's separation of concerns:
//!
//! 1. a [`model::CellDescription`] says what a cell *is*;
//! 2. [`Discretization`] turns cells into NEURON's node layout (one node per segment plus the
//!    zero-area node at x = 1 of every section and one root node per cell), with areas, axial
//!    resistances and the Hines coupling coefficients `a`/`b` exactly as `treeset.cpp` computes
//!    them;
//! 3. [`Simulation`] owns every piece of runtime state (node arrays, mechanism instance sets in
//!    NEURON's `memb_order_`, ions, the event queue) and runs `finitialize` / `fadvance` in
//!    NEURON's exact order (see `shared/design/neuron-semantics.md` §2–3); the tree matrix is
//!    assembled and solved by [`HinesMatrix`], which interleaves independent branches.
//!
//! For speed the network is cut into cache-sized partitions that each run through a whole
//! spike-exchange interval at a time (temporal blocking), dealt to the threads; neither the
//! blocking nor the thread count changes a result bit (see
//! [`SimulationBuilder::partition_target_compartments`]).
//!
//! Mechanisms are reached only through [`mech::MechanismSet`]; where they come from is
//! abstracted by [`MechanismSource`]. Recorded values and spikes leave through the
//! [`RecordSink`] and [`SpikeSink`] traits.

mod assembly;
mod chooser;
mod connect;
mod discretize;
mod error;
mod events;
mod hines;
mod interleave;
mod network;
mod node_array;
mod partition;
mod partitioning;
mod prepared;
mod probes;
mod setup;
mod simulation;
mod source;
mod split;
mod split_twisted;
mod sweeps;
mod twisted;

pub use discretize::{CellNodes, Discretization, SectionNodes, NO_PARENT};
pub use error::Error;
pub use events::{NetConSpec, SpikeSource, Target};
pub use hines::HinesMatrix;
pub use probes::{Probe, ProbeLocation, RecordSink, SpikeSink, VecRecorder, VecSpikes};
pub use setup::{ArtificialCellSpec, CellSplit, SimulationBuilder, SpikeDetectorSpec};
pub use simulation::{Simulation, TwoEnded};
pub use source::MechanismSource;
