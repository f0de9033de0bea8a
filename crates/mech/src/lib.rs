//! Mechanism runtime: compiled NMODL mechanisms as struct-of-arrays instance sets, the ions
//! they share, and the built-in catalogue (NEURON's standard mechanisms, written by us in NMODL).
//!
//! The engine sees mechanisms only through [`MechanismSet`] (one value per mechanism type per
//! simulation, holding all its instances) and [`IonStore`]. Backends (the reference
//! interpreter here; later a JIT) implement `MechanismSet` from the same `nmodl::ir::Mechanism`.
//!
//! INTERFACE CONTRACT (written by the lead; the engine codes against it — extend, don't break):
//! see `interface.rs`.
//!
//! # Intended call sequence (engine)
//!
//! ```ignore
//! use mech::{Catalogue, IonStore, Context, NoEvents};
//! // 1. Catalogue: built-ins, plus the model's .mod files (they override built-ins).
//! let mut cat = Catalogue::new();
//! cat.add_user_dir(mechanisms_dir)?;                       // or add_user / add_user_file
//! // 2. For every mechanism type used: its nodes (one entry per instance, in instance order).
//! //    Order the types as NEURON does:
//! let order = cat.memb_order(&["hh", "pas", "capool", "IClamp"])?;
//! // 3. Ions: every USEION of every used mechanism on its nodes, plus ions the cell description
//! //    sets (ek = -80 …) via `declare`; then per-node values via setters.
//! let mut b = IonStore::builder();
//! for name in &order { b.add_mechanism(&cat.mechanism(name)?, &nodes_of[name])?; }
//! b.declare("k", &nodes_with_ek)?;
//! let mut ions = b.build()?;
//! ions.set_value("k", node, nmodl::ir::IonVar::Erev, -80.0);
//! // 4. Instance sets, in memb_order; then range values through field_values_mut
//! //    ("gnabar", not "gnabar_hh") and globals through set_global.
//! let mut sets: Vec<Box<dyn mech::MechanismSet>> = order.iter().enumerate()
//!     .map(|(id, n)| cat.instantiate(n, nodes_of[n].clone(), &ions, id)).collect::<Result<_, _>>()?;
//! // 5. finitialize: v = v_init; ions.init(celsius); for s in sets (membrane ones) { s.init(ctx) }
//! //    (artificial cells after all membrane mechanisms); net_receive_init per NetCon;
//! //    then one current/jacobian pass (below) with t = 0.
//! // 6. Each step (Context::t = t + dt/2): rhs = 0; ions.current_begin(celsius);
//! //    for s in sets { s.current(ctx) }; axial rhs; d = 0; for s in sets { s.jacobian(ctx) };
//! //    capacitance, axial d, solve, v += rhs; Context::t = t + dt; for s in sets { s.state(ctx) }.
//! ```
//!
//! `current` writes `rhs -= I` (or `+=` for ELECTRODE_CURRENT) and accumulates ion currents;
//! point processes scale by `1e2/area` inside the kernel, so the engine does nothing extra.
//! Concentration writers recompute `e<ion>` (`nrn_wrote_conc`) inside `init`/`state`.
//! TABLEs are checked in `init` and `current` (`check_tables` may also be called).

mod catalogue;
mod compile;
mod exec;
pub mod fast_ln;
mod interface;
pub mod ions;
mod ions_fast;
mod ions_range;
mod lane;
pub mod math;
mod scalar;
mod set;
pub mod solver;
mod table;
mod vecstim;
pub mod vecstim_substitute;

#[cfg(test)]
mod tests;

pub use catalogue::{ion_variable, Catalogue, BUILTIN_NAMES, BUILTIN_SOURCES};
pub use compile::LANES;
pub use interface::*;
pub use ions::IonStoreBuilder;
pub use ions_range::IonRanges;
pub use set::InterpretedSet;
// For other backends (crate `jit`): the interpreter's storage, tables and math, so a backend
// can run on the same instance data and call the very same numeric routines.
pub use catalogue::SetFactory;
pub use exec::Storage;
pub use scalar::math as eval_math;
pub use scalar::{binary as eval_binary, unary as eval_unary};
pub use table::TableData;
pub use vecstim::VecStimSet;
pub use vecstim_substitute::is_verbatim_vecstim;

/// Errors of the mechanism runtime.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// A mechanism name that is neither built in nor added by the user.
    #[error("unknown mechanism `{0}`")]
    UnknownMechanism(String),
    /// An NMODL file did not compile; every diagnostic is listed.
    #[error("{file}: {} error(s):\n{}", diagnostics.len(), diagnostics.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
    Compile {
        file: String,
        diagnostics: Vec<nmodl::Diagnostic>,
    },
    /// A file could not be read.
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    /// No mechanism declares the ion's valence and it is not na, k or ca.
    #[error(
        "ion `{0}` has no valence: declare `USEION {0} … VALENCE z` in a mechanism that uses it"
    )]
    MissingValence(String),
    /// Two mechanisms declare different valences for one ion.
    #[error("ion `{ion}` declared with valence {first} and {second}")]
    ConflictingValence {
        ion: String,
        first: f64,
        second: f64,
    },
    /// An instance needs an ion that the IonStore lacks (at a node, or at all).
    #[error("mechanism `{mechanism}` uses ion `{ion}`, which the ion store lacks{}", node.map(|n| format!(" at node {n}")).unwrap_or_default())]
    MissingIon {
        mechanism: String,
        ion: String,
        node: Option<u32>,
    },
    /// The IR refers to something that does not exist (a compiler bug, reported not panicked).
    #[error("invalid IR in mechanism `{mechanism}`: bad {what}")]
    InvalidIr { mechanism: String, what: String },
}
