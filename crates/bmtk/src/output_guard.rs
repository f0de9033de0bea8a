//! Leaves no partial output behind when `bmtk run` fails: whatever the failed run created in
//! its output folder (log file, unfinished reports) is removed, and so are the folders it
//! created. Files that were there before the run are never touched.

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use sonata::config::SimulationConfig;

pub struct OutputGuard {
    dir: PathBuf,
    /// Entries of `dir` before the run.
    before: HashSet<OsString>,
    /// The outermost folder on the way to `dir` that did not exist (`dir` itself, or a parent).
    first_created: Option<PathBuf>,
}

impl OutputGuard {
    /// Notes the state of the output folder `config` names. `None` when the config cannot be
    /// read: the run then fails before creating anything.
    pub fn before_run(config: &Path) -> Option<OutputGuard> {
        let (config, _) = SimulationConfig::from_file(config).ok()?;
        let dir = config.output.output_dir;
        let mut first_created = None;
        let mut probe = dir.as_path();
        while !probe.as_os_str().is_empty() && !probe.exists() {
            first_created = Some(probe.to_path_buf());
            match probe.parent() {
                Some(parent) => probe = parent,
                None => break,
            }
        }
        let before = std::fs::read_dir(&dir)
            .map(|entries| entries.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        Some(OutputGuard {
            dir,
            before,
            first_created,
        })
    }

    /// Removes the files the failed run added to the output folder, then the folders it
    /// created if they are empty.
    pub fn remove_new_files(&self) {
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                let is_file = entry.file_type().is_ok_and(|t| t.is_file());
                if is_file && !self.before.contains(&entry.file_name()) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        let Some(top) = &self.first_created else {
            return;
        };
        let mut dir = self.dir.as_path();
        // remove_dir refuses non-empty folders, so nothing but empty folders can go.
        while std::fs::remove_dir(dir).is_ok() && dir != top {
            match dir.parent() {
                Some(parent) => dir = parent,
                None => break,
            }
        }
    }
}
