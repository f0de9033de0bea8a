//! Outputs are written under a temporary name in their final folder and renamed into place
//! only when complete, so an interrupted run never leaves a truncated file that looks valid.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary file path that is renamed to `final_path` on [`commit`](Self::commit) and
/// deleted on drop otherwise.
#[derive(Debug)]
pub struct PendingFile {
    final_path: PathBuf,
    temp_path: PathBuf,
    committed: bool,
}

impl PendingFile {
    /// Reserves a temporary name next to `final_path`. The folder must exist.
    pub fn new(final_path: &Path) -> Result<PendingFile> {
        let dir = final_path.parent().unwrap_or(Path::new("."));
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if !dir.is_dir() {
            return Err(Error::write(
                final_path,
                format!("folder {} does not exist", dir.display()),
            ));
        }
        let name = final_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::write(final_path, "not a file name"))?;
        let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp_path = dir.join(format!(".{name}.tmp-{}-{unique}", std::process::id()));
        Ok(PendingFile {
            final_path: final_path.to_path_buf(),
            temp_path,
            committed: false,
        })
    }

    /// Where to write now.
    pub fn temp_path(&self) -> &Path {
        &self.temp_path
    }

    pub fn final_path(&self) -> &Path {
        &self.final_path
    }

    /// Renames the finished temporary file to its final name (replacing an older file).
    pub fn commit(mut self) -> Result<PathBuf> {
        std::fs::rename(&self.temp_path, &self.final_path).map_err(|e| {
            Error::io(
                &self.final_path,
                "cannot rename the finished output into place",
                e,
            )
        })?;
        self.committed = true;
        Ok(self.final_path.clone())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp_path);
        }
    }
}
