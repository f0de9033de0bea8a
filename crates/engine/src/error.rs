//! Errors raised while building or running a simulation.

/// Everything that can go wrong between a cell description and a running simulation.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum Error {
    /// A cell or section index that does not exist.
    #[error("cell {cell}: no section with index {section}")]
    NoSuchSection { cell: usize, section: usize },
    /// A cell index that does not exist.
    #[error("no cell with index {0}")]
    NoSuchCell(usize),
    /// A position outside [0, 1].
    #[error("position x = {0} is outside [0, 1]")]
    BadPosition(f64),
    /// Geometry that NEURON would refuse or that makes the matrix singular.
    #[error("section `{section}`: {what}")]
    BadGeometry { section: String, what: String },
    /// The mechanism source does not know a mechanism.
    #[error("unknown mechanism `{0}`")]
    UnknownMechanism(String),
    /// The mechanism source failed to create instances.
    #[error("cannot instantiate `{mechanism}`: {reason}")]
    Instantiate { mechanism: String, reason: String },
    /// A value names a variable that no mechanism or ion at that place provides.
    #[error("`{name}` is not a variable of {place}")]
    UnknownVariable { name: String, place: String },
    /// A point process, artificial cell, detector or NetCon index that does not exist.
    #[error("no {what} with index {index}")]
    NoSuchObject { what: &'static str, index: usize },
    /// A point process used as a NetCon target has no NET_RECEIVE block.
    #[error("`{0}` has no NET_RECEIVE block and cannot receive events")]
    NotAReceiver(String),
    /// A node layout whose arrays disagree in length or where a node precedes its parent.
    #[error("bad node layout at node {node}: {what}")]
    BadLayout { node: usize, what: &'static str },
    /// dt, tstop or similar out of range.
    #[error("invalid parameter {what}: {value}")]
    InvalidParameter { what: &'static str, value: f64 },
}
