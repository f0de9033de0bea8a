//! Shared test helpers: a tiny `.npy` reader, a loader for the NEURON reference cases
//! (`tests/reference-data/*/case.json`) and native test doubles of `pas` and `IClamp` that
//! follow the `nrn_cur` protocol nocmodl emits, so the engine can be checked against NEURON
//! independently of the NMODL compiler.
#![allow(dead_code)]

pub mod native;
pub mod run;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use model::{CellDescription, PointProcess, Pt3d, Section};
use serde_json::Value;

/// An hh soma (20 µm long, diam 20 + 0.1·k) with `synapses` ExpSyns (tau 2, e = 0) at its
/// centre: the cell of the thread and noise network tests.
pub fn hh_synapse_cell(k: usize, synapses: usize) -> CellDescription {
    let mut s = Section::new("soma");
    s.length = 20.0;
    s.set_range("diam", 20.0 + k as f64 * 0.1).unwrap();
    s.insert_mechanism("hh", &[]);
    let mut c = CellDescription::new("hh");
    c.add_section(s);
    for _ in 0..synapses {
        c.point_processes.push(PointProcess {
            mechanism: "ExpSyn".into(),
            section: 0,
            x: 0.5,
            values: BTreeMap::from([("tau".to_string(), 2.0), ("e".to_string(), 0.0)]),
        });
    }
    c
}

/// Repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The shared folder next to the repository.
pub fn shared() -> PathBuf {
    repo_root().join("../shared")
}

/// Reads a little-endian float64 `.npy` file (any shape, C order) into a flat vector.
pub fn read_npy(path: &Path) -> Vec<f64> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        &bytes[..6],
        b"\x93NUMPY",
        "{}: not an npy file",
        path.display()
    );
    let (header_len, start) = if bytes[6] == 1 {
        (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10)
    } else {
        (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        )
    };
    let header = std::str::from_utf8(&bytes[start..start + header_len]).unwrap();
    assert!(
        header.contains("'<f8'"),
        "{}: only <f8 supported: {header}",
        path.display()
    );
    assert!(header.contains("'fortran_order': False"));
    bytes[start + header_len..]
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

/// A NEURON reference case: its description and folder.
pub struct Case {
    pub dir: PathBuf,
    pub json: Value,
}

impl Case {
    /// Loads `tests/reference-data/<name>`, or None when the folder is absent.
    pub fn load(name: &str) -> Option<Case> {
        let dir = repo_root().join("tests/reference-data").join(name);
        let text = std::fs::read_to_string(dir.join("case.json")).ok()?;
        Some(Case {
            dir,
            json: serde_json::from_str(&text).unwrap(),
        })
    }

    pub fn f(&self, key: &str) -> f64 {
        self.json[key]
            .as_f64()
            .unwrap_or_else(|| panic!("case lacks {key}"))
    }

    pub fn npy(&self, file: &str) -> Vec<f64> {
        read_npy(&self.dir.join(file))
    }

    /// The cell described by `sections` and `point_processes`; point processes keep the
    /// case's order, so their index is their position in `point_processes`.
    pub fn cell(&self) -> CellDescription {
        let mut cell = CellDescription::new(self.json["case"].as_str().unwrap());
        let sections = self.json["sections"].as_array().unwrap();
        for s in sections {
            let mut sec = Section::new(s["name"].as_str().unwrap());
            let nseg = s["nseg"].as_u64().unwrap() as usize;
            sec.set_nseg(nseg).unwrap();
            sec.length = s["L"].as_f64().unwrap();
            sec.ra = s["Ra"].as_f64().unwrap();
            set_per_segment(&mut sec, "diam", &s["diam"]);
            set_per_segment(&mut sec, "cm", &s["cm"]);
            if let Some(points) = s.get("pt3d").and_then(Value::as_array) {
                sec.pt3d = points
                    .iter()
                    .map(|p| {
                        let c = |i: usize| p[i].as_f64().unwrap() as f32;
                        Pt3d {
                            x: c(0),
                            y: c(1),
                            z: c(2),
                            diam: c(3),
                        }
                    })
                    .collect();
            }
            for (mech, vars) in s["mechanisms"].as_object().unwrap() {
                let names: Vec<(String, f64)> = vars
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(|k| (format!("{k}_{mech}"), 0.0))
                    .collect();
                sec.insert_mechanism(mech, &names);
                for (var, values) in vars.as_object().unwrap() {
                    set_per_segment(&mut sec, &format!("{var}_{mech}"), values);
                }
            }
            for (ion, vars) in s["ions"].as_object().unwrap() {
                let names: Vec<(String, f64)> = vars
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(|k| (k.clone(), 0.0))
                    .collect();
                sec.insert_ion(ion, &names);
                for (var, values) in vars.as_object().unwrap() {
                    set_per_segment(&mut sec, var, values);
                }
            }
            cell.add_section(sec);
        }
        for (i, s) in sections.iter().enumerate() {
            if let Some(parent) = s["parent"].as_str() {
                let p = cell.find_section(parent).unwrap();
                cell.connect(i, 0.0, p, s["parent_x"].as_f64().unwrap())
                    .unwrap();
            }
        }
        for pp in self.json["point_processes"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let values: BTreeMap<String, f64> = pp["params"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_f64().unwrap()))
                .collect();
            cell.point_processes.push(PointProcess {
                mechanism: pp["type"].as_str().unwrap().to_string(),
                section: cell.find_section(pp["section"].as_str().unwrap()).unwrap(),
                x: pp["x"].as_f64().unwrap(),
                values,
            });
        }
        cell
    }

    /// Index of the point process named `name` in the case.
    pub fn point_process(&self, name: &str) -> usize {
        self.json["point_processes"]
            .as_array()
            .unwrap()
            .iter()
            .position(|p| p["name"] == name)
            .unwrap()
    }

    /// Section index of the recording stored in `file`, with its x.
    pub fn recording(&self, file: &str) -> (usize, f64) {
        let rec = self.json["recordings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["file"] == file)
            .unwrap();
        let names: Vec<&str> = self.json["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        let section = names
            .iter()
            .position(|n| *n == rec["section"].as_str().unwrap())
            .unwrap();
        (section, rec["x"].as_f64().unwrap())
    }
}

fn set_per_segment(sec: &mut Section, name: &str, values: &Value) {
    sec.declare_range(name, 0.0);
    let values = values.as_array().unwrap();
    for (k, v) in values.iter().enumerate() {
        let x = sec.segment_centre(k);
        sec.set_range_at(name, x, v.as_f64().unwrap()).unwrap();
    }
}

/// Largest absolute difference, and where.
pub fn max_abs_diff(a: &[f64], b: &[f64]) -> (f64, usize) {
    assert_eq!(a.len(), b.len(), "length mismatch");
    a.iter()
        .zip(b)
        .enumerate()
        .fold((0.0, 0), |acc, (i, (x, y))| {
            let d = (x - y).abs();
            if d > acc.0 || d.is_nan() {
                (d, i)
            } else {
                acc
            }
        })
}
