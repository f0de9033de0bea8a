//! Helpers shared by the `cli_*` integration tests: running the built `bmtk` binary and
//! preparing writable copies of the shared reference models.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// What one `bmtk` invocation did.
pub struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Panics with both streams when the command did not succeed.
    pub fn assert_ok(&self) -> &Self {
        assert_eq!(
            self.code,
            Some(0),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// A failure the user can act on: exit code 1, no panic, exactly one `error:` line that
    /// contains every one of `needles`.
    pub fn assert_one_error(&self, needles: &[&str]) {
        assert_eq!(
            self.code,
            Some(1),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "panic:\n{}", self.stderr);
        let errors: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .collect();
        assert_eq!(errors.len(), 1, "expected one error line:\n{}", self.stderr);
        let message = self.stderr[self.stderr.find("error:").unwrap_or(0)..].to_string();
        for needle in needles {
            assert!(
                message.contains(needle),
                "error should mention `{needle}`:\n{message}"
            );
        }
    }
}

/// Runs `bmtk ARGS…` in `cwd`.
pub fn bmtk_in(cwd: &Path, args: &[&str]) -> Outcome {
    let output = Command::new(env!("CARGO_BIN_EXE_bmtk"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the bmtk binary runs");
    Outcome {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub fn bmtk(args: &[&str]) -> Outcome {
    bmtk_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// `../shared` next to the repository (as in CI), else `/work/shared`.
pub fn shared() -> PathBuf {
    let next_to_repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if next_to_repo.join("reference").is_dir() {
        next_to_repo
    } else {
        PathBuf::from("/work/shared")
    }
}

pub fn hco_mods() -> Vec<PathBuf> {
    let dir = shared().join("models/hco/mechanisms/modfiles");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "mod"))
        .collect();
    files.sort();
    files
}

/// Copies a folder tree; copies are writable even when the originals are read-only.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            let mut perms = std::fs::metadata(&target).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&target, perms).unwrap();
        }
    }
}

/// A writable copy of `reference/hco-single` with `models/hco` beside its parent, as the
/// configs expect (`$BASE_DIR/../../models/hco`). Returns the case folder.
pub fn hco_single_copy(root: &Path) -> PathBuf {
    copy_dir(&shared().join("models/hco"), &root.join("models/hco"));
    let case = root.join("reference/hco-single");
    copy_dir(&shared().join("reference/hco-single"), &case);
    case
}

/// Writes `case/NAME` as `case/simulation_config_dt0025.json` shortened to 5 ms and then
/// changed by `edit`; returns its path.
pub fn short_config(case: &Path, name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let text = std::fs::read_to_string(case.join("simulation_config_dt0025.json")).unwrap();
    let mut config: serde_json::Value = serde_json::from_str(&text).unwrap();
    config["run"]["tstop"] = 5.0.into();
    edit(&mut config);
    let path = case.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(&config).unwrap()).unwrap();
    path
}

/// Every file under `dir` (recursively), sorted; empty when `dir` does not exist.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(files_under(&path));
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
