//! NMODL compiler: text → diagnostics → checked AST → lowered kernel IR.
//!
//! Front end: [`source::SourceFile`] → [`parser::parse`] (lexer + error-recovering parser) →
//! [`sema::check`] (symbol table and semantic checks) → [`interface::MechanismInterface`].
//! [`parse_and_check`] runs the whole front end on one file.
pub mod ast;
pub mod diagnostic;
pub mod dump;
pub mod interface;
pub mod ir;
pub mod lexer;
pub mod lower;
pub mod parser;
pub mod places;
pub mod sema;
pub mod source;
pub mod verify;

pub use diagnostic::{Diagnostic, DiagnosticList, Error, Severity};
pub use lower::lower;
pub use parser::{parse, parse_with_includes, FileSystemResolver, IncludeResolver};
pub use sema::{check, parse_and_check, parse_and_check_with, Checked, SymbolTable};
pub use source::SourceFile;

/// Parses, checks and lowers one `.mod` text (INCLUDEs are read relative to `name`).
/// Diagnostics carry `file:line:col`.
///
/// ```
/// let mechanism = nmodl::compile(
///     "leak.mod",
///     "NEURON { SUFFIX leak NONSPECIFIC_CURRENT i RANGE g }
///      PARAMETER { g = 0.001 (S/cm2) e = -70 (mV) }
///      ASSIGNED { v (mV) i (mA/cm2) }
///      BREAKPOINT { i = g * (v - e) }",
/// )
/// .unwrap();
/// assert_eq!(mechanism.name, "leak");
/// assert!(mechanism.current.is_some());
///
/// let errors = nmodl::compile("typo.mod", "NEURON { SUFFIX t }\nBREAKPONT { }\n").unwrap_err();
/// assert!(errors[0].to_string().starts_with("typo.mod:2:1: error: unknown block `BREAKPONT`"));
/// ```
pub fn compile(name: &str, text: &str) -> Result<ir::Mechanism, Vec<Diagnostic>> {
    let checked = parse_and_check(name, text)?;
    lower::lower(&checked.program)
        .map_err(|ds| ds.into_iter().map(|d| d.locate(&checked.file)).collect())
}
