//! Cranelift JIT backend for mechanism kernels.
//!
//! Each kernel of the kernel IR (`nmodl::ir`) — `init`, `current`, `jacobian`, `state` — is
//! compiled once per run into native code that loops over the instances of a set (struct of
//! arrays, node and ion index arrays). Results are bit-identical to the chunked interpreter of
//! crate `mech`: every f64 operation is emitted as the IR tree says (no FMA, no
//! reassociation), and library functions (`hoc_Exp`, `pow`, `log` …), table lookups and
//! `simeq` are calls into the interpreter's own Rust functions.
//!
//! Straight-line kernels that call library functions (cnexp `state` kernels, dominated by
//! `exp`) run two instances per loop iteration, statement by statement — the interpreter's own
//! statement-major order — so the CPU overlaps their independent `exp` calls.
//!
//! A [`JitSet`] wraps the [`mech::InterpretedSet`] built by the catalogue and runs on its
//! storage; NET_RECEIVE, table construction and kernels the JIT does not compile (Newton
//! solves, several order-dependent random/event statements, see [`analysis`]) stay on the
//! interpreter.
//!
//! # Using it
//!
//! ```ignore
//! let mut cat = mech::Catalogue::new();
//! jit::install(&mut cat, "jit".parse()?);   // or cat.set_factory(Some(jit::factory()))
//! // … everything else as before: `cat.instantiate(…)` (and so the engine, through the
//! // catalogue's `MechanismSource` impl) now returns JIT sets. `Backend::Interp` / `None`
//! // switches back to the interpreter.
//! ```
//!
//! Fast-math mode ([`Options::fast`]) runs vectorisable kernels 4 instances at a time
//! ([`simd`]), and fuses the kernels of sets on the same nodes into one pass per phase
//! (`fuse`). Newton kernels (derivimplicit, sparse KINETIC) stay interpreted.

pub mod abi;
pub mod analysis;
pub mod cache;
mod codegen;
mod compile;
mod fuse;
mod range;
pub mod rate_data;
mod set;
pub mod simd;
mod specialize;

pub use analysis::Unsupported;
pub use set::{JitSet, KernelKind, Options};

use std::sync::Arc;

/// Errors of the JIT backend.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// Cranelift rejected the generated code or the host CPU (a bug; the interpreter works).
    #[error("JIT code generation failed: {0}")]
    Codegen(String),
}

impl From<Error> for mech::Error {
    fn from(e: Error) -> Self {
        mech::Error::InvalidIr {
            mechanism: "<jit>".into(),
            what: e.to_string(),
        }
    }
}

/// The backend switch for [`mech::Catalogue::set_factory`]: turns every NMODL mechanism set
/// into a [`JitSet`].
pub fn factory() -> mech::SetFactory {
    factory_with(Options::default())
}

/// As [`factory`], compiling with `options` (e.g. fast-math).
pub fn factory_with(options: Options) -> mech::SetFactory {
    use mech::MechanismSet;
    Arc::new(move |inner| {
        let mechanism = inner.mechanism().name.clone();
        // Fast-math sets compile on first use: those that run fused never compile alone.
        let set = if options.fast_math {
            Ok(JitSet::deferred(inner, options.clone()))
        } else {
            JitSet::with_options(inner, options.clone())
        };
        set.map(|s| Box::new(s) as Box<dyn mech::MechanismSet>)
            .map_err(|e| mech::Error::InvalidIr {
                mechanism,
                what: e.to_string(),
            })
    })
}

/// Backend choice (for command-line flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// The chunked bytecode interpreter of crate `mech` (portable fallback).
    Interp,
    /// Native code through Cranelift.
    #[default]
    Jit,
}

impl std::str::FromStr for Backend {
    type Err = String;

    /// `interp` or `jit` (the `--backend` values).
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "interp" | "interpreter" => Ok(Backend::Interp),
            "jit" => Ok(Backend::Jit),
            other => Err(format!(
                "unknown backend `{other}`: expected `interp` or `jit`"
            )),
        }
    }
}

/// Installs `backend` into a catalogue.
pub fn install(catalogue: &mut mech::Catalogue, backend: Backend) {
    install_with(catalogue, backend, Options::default())
}

/// Installs `backend` compiling with `options` (ignored by the interpreter).
pub fn install_with(catalogue: &mut mech::Catalogue, backend: Backend, options: Options) {
    catalogue.set_factory(match backend {
        Backend::Interp => None,
        Backend::Jit => Some(factory_with(options)),
    });
}
