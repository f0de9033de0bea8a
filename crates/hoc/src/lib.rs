//! A HOC interpreter for NEURON cell templates.
//!
//! [`Interpreter`] loads HOC files (lexer → error-recovering parser → tree-walking evaluator),
//! defines their templates with NEURON's semantics, and instantiates a template into a
//! [`model::CellDescription`]: sections, geometry, inserted mechanisms and range values, and
//! point processes. Mechanism names are checked against a [`model::MechanismRegistry`].
//!
//! ```no_run
//! # fn demo(registry: &dyn model::MechanismRegistry) -> Result<(), hoc::Error> {
//! let mut interp = hoc::Interpreter::new(registry);
//! interp.load_file("HCOCell.hoc")?;
//! let cell = interp.instantiate("HCOcell", &[])?;
//! println!("{}", hoc::describe(&cell));
//! # Ok(()) }
//! ```

mod ast;
mod describe;
mod format;
mod interp;
mod lexer;
mod parser;
mod parser_expr;
mod parser_stmt;
mod value;

/// Bytes of native stack the parser and interpreter may use below their entry point. Deep
/// HOC nesting or recursion beyond this is reported as an error instead of overflowing.
pub(crate) const STACK_BUDGET: usize = 1 << 20;

/// Address of a local: a cheap reading of the current stack depth.
#[inline(never)]
pub(crate) fn stack_position() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

use std::fmt;

pub use describe::describe;
pub use interp::{Arg, Interpreter, ObjectHandle};

/// A message tied to a place in a HOC source: `file:line:col: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn new(span: &lexer::Span, message: &str) -> Self {
        Diagnostic {
            file: span.file.to_string(),
            line: span.line,
            col: span.col,
            message: message.to_string(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

/// Errors from loading or running HOC.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The source has syntax errors; every one found is listed.
    #[error("{}", join(.0))]
    Syntax(Vec<Diagnostic>),
    /// Execution failed (undefined name, unknown mechanism, index out of range, step limit …).
    #[error("{0}")]
    Runtime(Diagnostic),
    /// A file could not be read.
    #[error("cannot read {path}: {message}")]
    Io { path: String, message: String },
    /// `instantiate` was asked for a template that no loaded file defines.
    #[error("no template named `{0}` has been defined")]
    UnknownTemplate(String),
}

fn join(d: &[Diagnostic]) -> String {
    d.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    /// All diagnostics carried by this error (empty for I/O and unknown-template errors).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Error::Syntax(d) => d.clone(),
            Error::Runtime(d) => vec![d.clone()],
            _ => Vec::new(),
        }
    }
}
