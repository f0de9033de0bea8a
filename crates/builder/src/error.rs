//! The crate's error type. Network-file problems carry the file, line and column of the
//! offending key or value so a user can go straight to it; API misuse names the node set or
//! edge type concerned.

use std::fmt;
use std::path::PathBuf;

/// One problem found in a network file, at a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

fn join_diagnostics(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Everything that can go wrong while describing, building or saving a network.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The network file is not valid TOML or does not describe a valid network; every
    /// problem found is listed.
    #[error("{}", join_diagnostics(.0))]
    Spec(Vec<Diagnostic>),
    /// A node set was described wrongly (e.g. a per-node list of the wrong length).
    #[error("node set {node_set}: {message}")]
    Nodes { node_set: usize, message: String },
    /// An edge type was described wrongly or its rule cannot be applied.
    #[error("edge type {edge_type}: {message}")]
    Edges { edge_type: u32, message: String },
    /// A file could not be read or written.
    #[error("{path}: {action}: {source}")]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// The circuit config to update is not valid JSON or not a JSON object.
    #[error("{path}: {message}")]
    CircuitConfig { path: PathBuf, message: String },
    /// Writing or reading SONATA failed.
    #[error(transparent)]
    Sonata(#[from] sonata::Error),
}

impl Error {
    pub(crate) fn io(
        path: impl Into<PathBuf>,
        action: &'static str,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            path: path.into(),
            action,
            source,
        }
    }

    /// The network-file diagnostics, if this is a [`Error::Spec`].
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Spec(d) => d,
            _ => &[],
        }
    }
}

/// Shorthand used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
