//! Errors of the scaffold crate: every one names the path or option at fault.

use std::path::PathBuf;

/// Why a model directory could not be created.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An option value is out of range (e.g. `dt <= 0`, `tstop < tstart`).
    #[error("invalid option `{option}`: {reason}")]
    InvalidOption {
        /// The option's name as in [`crate::NewOptions`].
        option: &'static str,
        /// What was expected.
        reason: String,
    },
    /// A path that must be a directory is an existing file (or other non-directory).
    #[error("{path}: exists and is not a directory")]
    NotADirectory {
        /// The offending path.
        path: PathBuf,
    },
    /// Creating, writing, renaming or listing failed (permissions, full disk, ...).
    #[error("{path}: {action}: {source}")]
    Io {
        /// The path being worked on.
        path: PathBuf,
        /// What was being done, e.g. "cannot create directory".
        action: &'static str,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}
