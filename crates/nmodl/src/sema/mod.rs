//! Semantic analysis: the symbol table and the checks nocmodl would make (and a few more).
//!
//! [`check`] runs two passes over a parsed [`Program`]: declarations ([`declare`]) and then
//! every block body ([`body`]). Units are recorded, never enforced. VERBATIM blocks are
//! accepted only when they hold nothing but `#include`/`#define`/`extern`/comments.

mod body;
mod declare;
mod names;
mod symbols;
pub mod verbatim;

pub use symbols::{
    builtin_arity, builtin_kind, IonDecl, IonRole, Symbol, SymbolKind, SymbolTable,
    BUILTIN_CONSTANTS, BUILTIN_FUNCTIONS, BUILTIN_VARIABLES,
};

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::ast::Program;
use crate::diagnostic::{closest, Diagnostic};
use crate::parser::{parse_with_includes, FileSystemResolver, IncludeResolver};
use crate::source::SourceFile;

/// A file that parsed and checked without errors.
#[derive(Debug, Clone)]
pub struct Checked {
    pub file: SourceFile,
    pub program: Program,
    pub symbols: SymbolTable,
    /// Warnings from parsing and checking.
    pub warnings: Vec<Diagnostic>,
}

/// Checks a parsed program. Diagnostics have their locations resolved.
pub fn check(file: &SourceFile, program: &Program) -> (SymbolTable, Vec<Diagnostic>) {
    let mut checker = Checker {
        file,
        program,
        table: SymbolTable::default(),
        diagnostics: Vec::new(),
        scopes: Vec::new(),
        context: body::Context::Other,
        current_function: None,
        net_receive_arity: None,
    };
    checker.declare_all();
    checker.check_bodies();
    let mut diagnostics: Vec<Diagnostic> = checker
        .diagnostics
        .into_iter()
        .map(|d| d.locate(file))
        .collect();
    diagnostics.sort_by_key(|d| d.span.start);
    (checker.table, diagnostics)
}

/// Parses and checks `text` (raw bytes are accepted; invalid UTF-8 is reported), reading the
/// files it INCLUDEs from disk relative to `name` (see [`FileSystemResolver`]). Semantic
/// checks run only if parsing produced no errors, so that one syntax error does not cascade
/// into a list of "undeclared" names. On failure, returns every diagnostic (errors and
/// warnings) in source order.
pub fn parse_and_check(name: &str, text: impl AsRef<[u8]>) -> Result<Checked, Vec<Diagnostic>> {
    parse_and_check_with(name, text, &FileSystemResolver)
}

/// [`parse_and_check`] with INCLUDEs found by `resolver`.
pub fn parse_and_check_with(
    name: &str,
    text: impl AsRef<[u8]>,
    resolver: &dyn IncludeResolver,
) -> Result<Checked, Vec<Diagnostic>> {
    let mut file = SourceFile::from_bytes(name, text.as_ref());
    let (program, mut diagnostics) = parse_with_includes(&mut file, resolver);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    let (symbols, more) = check(&file, &program);
    diagnostics.extend(more);
    diagnostics.sort_by_key(|d| d.span.start);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    Ok(Checked {
        file,
        program,
        symbols,
        warnings: diagnostics,
    })
}

/// State shared by both passes.
pub(crate) struct Checker<'a> {
    file: &'a SourceFile,
    program: &'a Program,
    table: SymbolTable,
    diagnostics: Vec<Diagnostic>,
    /// Local scopes, innermost last: name → array length.
    scopes: Vec<Scope>,
    context: body::Context,
    /// Name of the FUNCTION being checked (assigning to it sets the return value).
    current_function: Option<&'a str>,
    net_receive_arity: Option<usize>,
}

impl Checker<'_> {
    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// The visible name closest to `name`, for "did you mean" hints.
    fn suggestion(&self, name: &str) -> Option<String> {
        let locals = self
            .scopes
            .iter()
            .flat_map(|s| s.keys().map(String::as_str));
        let candidates = locals
            .chain(self.table.candidate_names())
            .chain(self.current_function);
        closest(name, candidates).map(str::to_owned)
    }
}

/// FNV-1a: name lookups dominate checking time on large files, and SipHash's DoS resistance
/// buys nothing for a compiler reading the user's own files.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// A map keyed by names, hashed with [`Fnv`].
pub(crate) type NameMap<V> = HashMap<String, V, BuildHasherDefault<Fnv>>;

/// One local scope: name → array length.
pub(crate) type Scope = NameMap<Option<usize>>;
