//! Helpers shared by the `cli_*` and `network_*` integration tests: running the built `bmtk`
//! binary, preparing writable copies of the shared reference cases and models, and reading
//! spikes and traces back.

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

    /// Exit code 1 and no panic.
    fn assert_clean_failure(&self) {
        assert_eq!(
            self.code,
            Some(1),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "panic:\n{}", self.stderr);
    }

    /// A failure the user can act on: exit code 1, no panic, exactly one `error:` line that
    /// contains every one of `needles`.
    pub fn assert_one_error(&self, needles: &[&str]) {
        self.assert_clean_failure();
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

    /// Exit code 1, no panic, and an error message mentioning every needle.
    pub fn assert_error(&self, needles: &[&str]) {
        self.assert_clean_failure();
        let message = &self.stderr[self.stderr.find("error:").expect("an error: line")..];
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

/// Runs `bmtk ARGS…` in the crate folder.
pub fn bmtk(args: &[&str]) -> Outcome {
    bmtk_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// `bmtk run --quiet CONFIG` in `cwd`.
pub fn bmtk_run(cwd: &Path, config: &str) -> Outcome {
    bmtk_run_with(cwd, config, &[])
}

/// `bmtk run --quiet CONFIG EXTRA…` in `cwd`.
pub fn bmtk_run_with(cwd: &Path, config: &str, extra: &[&str]) -> Outcome {
    let mut args = vec!["run", "--quiet", config];
    args.extend_from_slice(extra);
    bmtk_in(cwd, &args)
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

/// The `.mod` files of the shared HCO model, sorted.
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

/// A writable copy of `shared/reference/<case>` with `models/<model>` beside its parent, as the
/// configs' `$BASE_DIR/../../models/<model>` expects. Returns the case folder.
pub fn reference_copy(root: &Path, case: &str, model: &str) -> PathBuf {
    copy_dir(
        &shared().join("models").join(model),
        &root.join("models").join(model),
    );
    let dir = root.join("reference").join(case);
    copy_dir(&shared().join("reference").join(case), &dir);
    dir
}

/// A writable copy of `reference/hco-single` with `models/hco` beside its parent. Returns the
/// case folder.
pub fn hco_single_copy(root: &Path) -> PathBuf {
    reference_copy(root, "hco-single", "hco")
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

/// A BMTK spikes CSV (`timestamps population node_ids`), sorted by (population, node, time).
pub fn read_spikes_csv(path: &Path) -> Vec<(String, u64, f64)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut spikes: Vec<(String, u64, f64)> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            (
                cells[1].to_string(),
                cells[2].parse().unwrap(),
                cells[0].parse().unwrap(),
            )
        })
        .collect();
    spikes.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)).then(a.2.total_cmp(&b.2)));
    spikes
}

/// Asserts the same spikes (same cells, same count) with every time within `tolerance`.
pub fn assert_same_spikes(
    got: &[(String, u64, f64)],
    expected: &[(String, u64, f64)],
    tolerance: f64,
) {
    assert_eq!(got.len(), expected.len(), "spike counts differ");
    for (g, e) in got.iter().zip(expected) {
        assert_eq!((&g.0, g.1), (&e.0, e.1), "spiking cells differ");
        assert!(
            (g.2 - e.2).abs() <= tolerance,
            "spike of {} {}: {} vs expected {}",
            g.0,
            g.1,
            g.2,
            e.2
        );
    }
}

/// Column `node_id`'s first element of a single-population report.
pub fn report_trace(path: &Path, node_id: u64) -> Vec<f64> {
    let pops = sonata::report::read_report(path).unwrap_or_else(|e| panic!("{e}"));
    let pop = &pops[0];
    let column = pop
        .first_element_of(node_id)
        .unwrap_or_else(|| panic!("node {node_id} not in {}", path.display()));
    pop.column(column)
}

/// Largest |got − reference| over two traces of equal length (relative to the reference when
/// `relative`).
pub fn max_deviation(got: &[f64], reference: &[f64], relative: bool) -> f64 {
    assert_eq!(got.len(), reference.len(), "trace lengths differ");
    got.iter()
        .zip(reference)
        .map(|(a, b)| {
            if relative {
                ((a - b) / b).abs()
            } else {
                (a - b).abs()
            }
        })
        .fold(0.0, f64::max)
}
