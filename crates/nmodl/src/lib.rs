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
pub mod sema;
pub mod source;
pub mod verify;

pub use diagnostic::{Diagnostic, DiagnosticList, Error, Severity};
pub use lower::lower;
pub use parser::parse;
pub use sema::{check, parse_and_check, Checked, SymbolTable};
pub use source::SourceFile;

/// Parses, checks and lowers one `.mod` text. Diagnostics carry `file:line:col`.
pub fn compile(name: &str, text: &str) -> Result<ir::Mechanism, Vec<Diagnostic>> {
    let checked = parse_and_check(name, text)?;
    lower::lower(&checked.program)
        .map_err(|ds| ds.into_iter().map(|d| d.locate(&checked.file)).collect())
}
