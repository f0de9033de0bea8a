//! The one error type of the crate. Every variant names the file it is about, and, where it
//! applies, the key, row or HDF5 object, so a user can find and fix the problem.

use std::path::PathBuf;

/// Everything that can go wrong while reading configs and SONATA files or writing outputs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The operating system refused to read, create or rename a file.
    #[error("{path}: {action}: {source}")]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// A JSON file is not valid JSON.
    #[error("{path}:{line}:{column}: invalid JSON: {message}")]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// A config key is missing, has the wrong type or an impossible value.
    #[error("{path}: `{key}`: {message}")]
    Config {
        path: PathBuf,
        key: String,
        message: String,
    },
    /// A `$VAR` / `${VAR}` reference names no manifest entry.
    #[error("{path}: `{key}`: undefined manifest variable `${name}`")]
    UndefinedVariable {
        path: PathBuf,
        key: String,
        name: String,
    },
    /// Manifest variables (or included config files) refer to each other in a loop.
    #[error("{path}: cyclic reference: {chain}")]
    Cycle { path: PathBuf, chain: String },
    /// A node set name that is not defined (neither in `node_sets` nor predefined).
    #[error("unknown node set `{name}`{context}")]
    UnknownNodeSet { name: String, context: String },
    /// A node set rule that cannot be evaluated.
    #[error("node set `{name}`: {message}")]
    NodeSet { name: String, message: String },
    /// The HDF5 container itself could not be decoded (corrupt, truncated, unsupported).
    #[error("{path}: cannot read HDF5 {object}: {message}")]
    Hdf5 {
        path: PathBuf,
        object: String,
        message: String,
    },
    /// The HDF5 file is readable but does not have the SONATA layout we need.
    #[error("{path}: {object}: {message}")]
    Sonata {
        path: PathBuf,
        object: String,
        message: String,
    },
    /// A CSV/space-separated table is malformed.
    #[error("{path}:{line}: {message}")]
    Csv {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// An `.npy` file is malformed or has an unsupported dtype/shape.
    #[error("{path}: invalid .npy: {message}")]
    Npy { path: PathBuf, message: String },
    /// Writing an output failed, or the writer was used wrongly (e.g. too many rows).
    #[error("{path}: cannot write: {message}")]
    Write { path: PathBuf, message: String },
}

/// Shorthand used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

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

    pub(crate) fn config(
        path: impl Into<PathBuf>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Config {
            path: path.into(),
            key: key.into(),
            message: message.into(),
        }
    }

    pub(crate) fn sonata(
        path: impl Into<PathBuf>,
        object: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Sonata {
            path: path.into(),
            object: object.into(),
            message: message.into(),
        }
    }

    pub(crate) fn write(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Write {
            path: path.into(),
            message: message.into(),
        }
    }
}
