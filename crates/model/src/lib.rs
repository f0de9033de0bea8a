//! Cell descriptions: what a neuron *is*, independent of how it is discretised or simulated.
//!
//! A [`CellDescription`] is a tree of [`Section`]s (NEURON's unbranched cables) with their
//! geometry, passive properties, inserted density mechanisms and per-segment range values, plus
//! the point processes placed on them. It is produced by the HOC interpreter (crate `hoc`), by
//! SWC readers or directly through this API, and consumed by the engine, which discretises it.
//!
//! Range values are stored per segment under NEURON's full names (`gbar_na`, `ek`, `cai`, …);
//! `diam` and `cm` are range values too. Mechanism defaults come from a [`MechanismRegistry`]
//! so that this crate needs no knowledge of NMODL.
//!
//! [`geometry`] holds NEURON's segment geometry (areas, axial resistances and diameters from
//! L/diam or from 3-D points), shared by the HOC interpreter and the engine.

mod cell;
pub mod geometry;
mod range_table;
mod registry;
mod section;

pub use cell::{CellDescription, PointProcess};
pub use registry::{MechanismKind, MechanismRegistry, MechanismSignature, RangeVariable};
pub use section::{Attachment, Pt3d, Section};

/// Errors raised when a cell description is built or edited inconsistently.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum Error {
    /// A section index does not exist in the cell.
    #[error("no section with index {0}")]
    NoSuchSection(usize),
    /// A mechanism name is not known to the registry.
    #[error("unknown mechanism `{0}`")]
    UnknownMechanism(String),
    /// A range variable is neither a geometry variable nor provided by an inserted mechanism/ion.
    #[error("`{name}` is not a range variable of section `{section}`")]
    UnknownRangeVariable { section: String, name: String },
    /// Connecting would create a loop in the section tree.
    #[error("connecting `{child}` to `{parent}` would create a loop")]
    Loop { child: String, parent: String },
    /// A value outside its valid domain (nseg < 1, x outside [0,1], negative length …).
    #[error("invalid value for {what}: {value}")]
    InvalidValue { what: String, value: f64 },
}
