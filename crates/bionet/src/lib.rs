//! BMTK 1.2.0 BioNet's model-building rules — what BMTK itself decides, as opposed to NEURON
//! numerics or SONATA file formats — so that a bmtk-rs run builds the same network as BMTK:
//!
//! * [`numpy_random`]: numpy's legacy `RandomState` (MT19937, `random_sample`, `randint`,
//!   `uniform`, `choice`) bit for bit, and the numpy reductions placement relies on;
//! * [`SegmentTable`]: BMTK's per-segment table (section type, x, soma distance, length);
//! * [`placement`]: synapse positions, explicit or drawn per target from `RandomState(gid)`;
//! * [`apply_dl`]: the `dL` re-segmentation of every section;
//! * [`synapse_model`]: `dynamics_params` → point-process parameters;
//! * [`synaptic_weight`], [`GidPool`], [`stimuli`] (spike detector, `current_clamp`) and
//!   [`build_order`] (the order cells, synapses and NetCons are created).
//!
//! Each rule names the BMTK file and function it mirrors.

pub mod build_order;
mod discretisation;
pub mod gids;
pub mod numpy_random;
pub mod placement;
mod segments;
pub mod stimuli;
mod synapse_params;
mod topology;
mod weights;

pub use build_order::target_edge_order;
pub use discretisation::{apply_dl, nseg_for_dl};
pub use gids::GidPool;
pub use numpy_random::RandomState;
pub use placement::{
    parse_distance_range, parse_target_sections, place_explicit, target_rng, Candidates,
    PlacementMode, SynapseSite,
};
pub use segments::{find_soma, SectionType, Segment, SegmentTable};
pub use stimuli::{current_clamp, spike_detector, ClampLocation, CurrentPulse, SpikeDetector};
pub use synapse_params::{synapse_model, SynapseModel};
pub use weights::{gaussian_ll, synaptic_weight, WeightInputs};

/// Errors from applying BMTK's rules to a model.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum Error {
    /// A numpy seed outside [0, 2³²−1] or an empty seed array.
    #[error("invalid random seed: {0}")]
    InvalidSeed(String),
    /// An argument numpy would reject (bad `p`, empty interval, sample larger than population…).
    #[error("{0}")]
    InvalidArgument(String),
    /// A section whose name gives BMTK no section type (its first four letters are not
    /// soma/axon/dend/apic).
    #[error("section `{section}` has no BMTK section type (prefix `{prefix}` is not soma, axon, dend or apic)")]
    UnknownSectionType { section: String, prefix: String },
    /// A `target_sections` label BMTK does not know.
    #[error("unknown target section `{0}` (expected soma, somatic, axon, axonal, dend, basal, apic or apical)")]
    UnknownTargetLabel(String),
    #[error("cannot read target_sections `{0}`: expected a list like ['soma', 'dend']")]
    BadTargetSections(String),
    #[error("cannot read distance_range `{0}`: expected a number or a list [min, max]")]
    BadDistanceRange(String),
    #[error("cell `{cell}` has no section index {index}")]
    NoSuchSection { cell: String, index: usize },
    #[error("cell `{cell}` has no section `{section}`")]
    MissingSection { cell: String, section: String },
    #[error("cell `{cell}` has no soma (no section `soma[0]` or `soma`)")]
    NoSoma { cell: String },
    #[error("afferent_section_id {id} is out of range (the cell has {sections} sections)")]
    SectionIdOutOfRange { id: i64, sections: usize },
    #[error("afferent_section_pos {0} is outside [0, 1]")]
    SectionPosOutOfRange(f64),
    /// Edges onto a biophysical cell without `nsyns` or `afferent_section_id`.
    #[error("edges onto biophysical cells need an `nsyns` or an `afferent_section_id` column")]
    NoPlacementColumns,
    #[error("invalid dL re-segmentation: L = {length}, dL = {dl}")]
    InvalidDl { length: f64, dl: f64 },
    #[error("synapse model `{model}` needs `{name}` in dynamics_params")]
    MissingSynapseParameter { model: String, name: String },
    #[error("`{name}` in dynamics_params is not a parameter of `{model}`")]
    UnknownSynapseParameter { model: String, name: String },
    #[error("unknown weight_function `{0}`")]
    UnknownWeightFunction(String),
    #[error("edge or node property `{0}` is missing")]
    MissingEdgeProperty(String),
    #[error("node population `{0}` is defined twice")]
    DuplicatePopulation(String),
    #[error("node population `{0}` has no nodes")]
    EmptyPopulation(String),
    #[error("unknown node population `{0}`")]
    UnknownPopulation(String),
    #[error("node id {node_id} is out of range for population `{population}`")]
    NodeIdOutOfRange { population: String, node_id: u64 },
    #[error("bad target index for node {node_id}: range {first}..{end}")]
    BadEdgeIndex { node_id: u64, first: u64, end: u64 },
    #[error("bad input: {0}")]
    BadInput(String),
    #[error(transparent)]
    Model(#[from] model::Error),
}
