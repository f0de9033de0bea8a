//! Creating folders and writing files without ever losing what the user has.
//!
//! Files go to a hidden temporary name in their final folder and are renamed into place, which is
//! atomic on one filesystem: readers see the old file or the new one, never half of one.

use crate::{Error, Outcome, Overwrite};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

pub(crate) struct TreeWriter<'a> {
    policy: Overwrite,
    outcome: &'a mut Outcome,
}

impl<'a> TreeWriter<'a> {
    pub(crate) fn new(policy: Overwrite, outcome: &'a mut Outcome) -> Self {
        TreeWriter { policy, outcome }
    }

    /// Creates `dir` and missing parents, recording the ones created.
    pub(crate) fn ensure_dir(&mut self, dir: &Path) -> Result<(), Error> {
        if dir.is_dir() {
            return Ok(());
        }
        if dir.exists() {
            return Err(Error::NotADirectory {
                path: dir.to_path_buf(),
            });
        }
        if let Some(parent) = dir.parent() {
            if !parent.as_os_str().is_empty() {
                self.ensure_dir(parent)?;
            }
        }
        match std::fs::create_dir(dir) {
            Ok(()) => {
                self.outcome.created_dirs.push(dir.to_path_buf());
                Ok(())
            }
            // Someone else created it meanwhile: fine, as long as it is a folder.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
            Err(source) => Err(Error::Io {
                path: dir.to_path_buf(),
                action: "cannot create directory",
                source,
            }),
        }
    }

    /// Writes `value` as pretty JSON to `path`, honouring the overwrite policy.
    pub(crate) fn file(&mut self, path: &Path, value: &Value) -> Result<(), Error> {
        let existed = path.exists() || path.symlink_metadata().is_ok();
        if existed && self.policy == Overwrite::Keep {
            self.outcome.kept.push(path.to_path_buf());
            return Ok(());
        }
        if existed && !path.is_file() {
            return Err(Error::Io {
                path: path.to_path_buf(),
                action: "cannot replace",
                source: std::io::Error::other("not a regular file"),
            });
        }
        let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
        text.push('\n');
        write_atomic(path, text.as_bytes())?;
        if existed {
            self.outcome.replaced.push(path.to_path_buf());
        } else {
            self.outcome.written.push(path.to_path_buf());
        }
        Ok(())
    }
}

fn temp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Writes `bytes` to a temporary sibling of `path`, syncs it and renames it over `path`.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let temp = temp_name(path);
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    result.map_err(|source| {
        // Only our own temporary file is removed, never the target.
        let _ = std::fs::remove_file(&temp);
        Error::Io {
            path: path.to_path_buf(),
            action: "cannot write file",
            source,
        }
    })
}
