//! Helpers of the `network_*` integration tests: writable copies of reference cases, running
//! the built `bmtk` binary, and reading spikes and traces back.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// `../shared` next to the repository (as in CI), else `/work/shared`.
pub fn shared() -> PathBuf {
    let next_to_repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if next_to_repo.join("reference").is_dir() {
        next_to_repo
    } else {
        PathBuf::from("/work/shared")
    }
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

/// What one `bmtk` invocation did.
pub struct Outcome {
    pub code: Option<i32>,
    pub stderr: String,
    pub stdout: String,
}

impl Outcome {
    pub fn assert_ok(&self) {
        assert_eq!(
            self.code,
            Some(0),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
    }

    /// Exit code 1, no panic, and an error message mentioning every needle.
    pub fn assert_error(&self, needles: &[&str]) {
        assert_eq!(
            self.code,
            Some(1),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "panic:\n{}", self.stderr);
        let message = &self.stderr[self.stderr.find("error:").expect("an error: line")..];
        for needle in needles {
            assert!(
                message.contains(needle),
                "error should mention `{needle}`:\n{message}"
            );
        }
    }
}

/// `bmtk run --quiet CONFIG` in `cwd`.
pub fn bmtk_run(cwd: &Path, config: &str) -> Outcome {
    bmtk_run_with(cwd, config, &[])
}

/// `bmtk run --quiet CONFIG EXTRA…` in `cwd`.
pub fn bmtk_run_with(cwd: &Path, config: &str, extra: &[&str]) -> Outcome {
    let output = Command::new(env!("CARGO_BIN_EXE_bmtk"))
        .args(["run", "--quiet", config])
        .args(extra)
        .current_dir(cwd)
        .output()
        .expect("the bmtk binary runs");
    Outcome {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
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
