//! Runs a NEURON reference case (`tests/reference-data/<name>/case.json`) through the engine
//! with the `mech` catalogue: built-ins plus the case's `.mod` files in NEURON's registration
//! order, its globals, artificial cells and NetCons, recording what NEURON recorded.

use std::collections::BTreeMap;

use engine::{
    ArtificialCellSpec, NetConSpec, Probe, ProbeLocation, Simulation, SimulationBuilder,
    SpikeSource, Target, VecRecorder, VecSpikes,
};
use mech::Catalogue;

use super::{max_abs_diff, repo_root, Case};

/// Tolerance of the issue: 1e-6 mV on voltages (other quantities relative to their scale).
pub const TOL: f64 = 1e-6;

/// A finished run: the recorded columns (one per recording file) and every spike.
pub struct Outcome {
    pub case: Case,
    pub files: Vec<String>,
    pub columns: Vec<Vec<f64>>,
    pub t: Vec<f64>,
    pub spikes: VecSpikes,
    pub sim: Simulation,
}

/// The catalogue with every `.mod` file of the case's `mod_registration_order`.
fn catalogue(case: &Case) -> Catalogue {
    let mut cat = Catalogue::new();
    let Some(order) = case.json["mod_registration_order"].as_array() else {
        return cat;
    };
    let dir = repo_root().join("tests/reference-data/mod");
    for file in order {
        let path = dir.join(file.as_str().unwrap());
        cat.add_user_file(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    cat
}

/// `name_mech` globals and `<ion>i0_<ion>_ion` initial concentrations.
fn apply_globals(case: &Case, b: &mut SimulationBuilder, cat: &Catalogue) {
    let Some(globals) = case.json["globals"].as_object() else {
        return;
    };
    for (key, value) in globals {
        let value = value.as_f64().unwrap();
        if let Some(rest) = key.strip_suffix("_ion") {
            let (var, ion) = rest.rsplit_once('_').unwrap();
            if var == format!("{ion}i0") {
                b.ion_initial(ion, Some(value), None);
            } else if var == format!("{ion}o0") {
                b.ion_initial(ion, None, Some(value));
            } else {
                panic!("unknown ion global {key}");
            }
            continue;
        }
        let (name, mech) = cat
            .names()
            .iter()
            .filter_map(|m| key.strip_suffix(m)?.strip_suffix('_').map(|n| (n, *m)))
            .next()
            .unwrap_or_else(|| panic!("global {key} names no mechanism"));
        b.global(mech, name, value);
    }
}

/// Builds and runs case `name`; None when its folder is absent.
pub fn run(name: &str) -> Option<Outcome> {
    let case = Case::load(name)?;
    let cat = catalogue(&case);
    let mut b = SimulationBuilder::new(&cat);
    if !case.json["sections"].as_array().unwrap().is_empty() {
        b.cell(case.cell());
    }
    let artificial: Vec<String> = case.json["artificial_cells"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            let values: BTreeMap<String, f64> = a["params"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_f64().unwrap()))
                .collect();
            b.artificial_cell(ArtificialCellSpec {
                mechanism: a["type"].as_str().unwrap().into(),
                values,
            });
            a["name"].as_str().unwrap().to_string()
        })
        .collect();
    for nc in case.json["netcons"].as_array().into_iter().flatten() {
        let src = artificial
            .iter()
            .position(|n| nc["source"] == n.as_str())
            .unwrap();
        let target = Target::PointProcess {
            cell: 0,
            index: case.point_process(nc["target"].as_str().unwrap()),
        };
        let weights = nc
            .get("weight")
            .or_else(|| nc.get("weight_initial"))
            .unwrap();
        b.netcon(NetConSpec {
            source: SpikeSource::Artificial(src),
            target: Some(target),
            delay: nc["delay"].as_f64().unwrap(),
            weights: weights
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w.as_f64().unwrap())
                .collect(),
        });
    }
    apply_globals(&case, &mut b, &cat);
    b.celsius(case.f("celsius"))
        .dt(case.f("dt"))
        .v_init(case.f("v_init"))
        .threads(1);
    let mut sim = b.build().unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut files = Vec::new();
    let mut probes = Vec::new();
    for r in case.json["recordings"].as_array().unwrap() {
        let file = r["file"].as_str().unwrap();
        let what = r["what"].as_str().unwrap();
        let words: Vec<&str> = what.split_whitespace().collect();
        let location = if let Some(pp) = r.get("point_process").and_then(|p| p.as_str()) {
            ProbeLocation::PointProcess {
                cell: 0,
                index: case.point_process(pp),
            }
        } else if r.get("section").is_some() {
            let (section, x) = case.recording(file);
            ProbeLocation::Segment {
                cell: 0,
                section,
                x,
            }
        } else if words[0] == "GLOBAL" {
            // A global read through any segment that has the mechanism.
            ProbeLocation::Segment {
                cell: 0,
                section: 0,
                x: 0.5,
            }
        } else {
            continue;
        };
        let variable = match location {
            // "ExpSyn i (nA)", "Exp2Syn state A".
            ProbeLocation::PointProcess { .. } if words[1] == "state" => words[2],
            ProbeLocation::PointProcess { .. } => words[1],
            _ if words[0] == "GLOBAL" => words[1],
            _ => words[0],
        };
        files.push(file.to_string());
        probes.push(Probe {
            location,
            variable: variable.to_string(),
        });
    }
    sim.set_probes(&probes)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut rec = VecRecorder::default();
    let mut spikes = VecSpikes::default();
    let steps = sim.run(case.f("tstop"), &mut rec, &mut spikes);
    assert_eq!(steps as f64, case.f("steps"), "{name}: step count");
    let VecRecorder { t, columns } = rec;
    Some(Outcome {
        case,
        files,
        columns,
        t,
        spikes,
        sim,
    })
}

impl Outcome {
    pub fn name(&self) -> &str {
        self.case.json["case"].as_str().unwrap()
    }

    /// Every recorded trace within `TOL` (relative to the trace's scale for non-voltages);
    /// returns the largest voltage difference.
    pub fn check_traces(&self) -> f64 {
        let name = self.name();
        if self.case.dir.join("t.npy").exists() {
            assert_eq!(self.t, self.case.npy("t.npy"), "{name}: t");
        }
        let mut worst_v = 0.0f64;
        for (k, file) in self.files.iter().enumerate() {
            if file == "t.npy" {
                continue;
            }
            let want = self.case.npy(file);
            let scale = want.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-300);
            let (d, at) = max_abs_diff(&self.columns[k], &want);
            let tol = if file.starts_with("v") {
                worst_v = worst_v.max(d);
                TOL
            } else {
                TOL * scale / 100.0
            };
            assert!(
                d <= tol,
                "{name}: {file} differs by {d:e} (scale {scale:e}) at row {at}: {} vs {}",
                self.columns[k][at],
                want[at]
            );
        }
        worst_v
    }

    /// The spikes of `source` equal the times in `file` (within 1e-9 ms).
    pub fn check_spikes(&self, source: SpikeSource, file: &str) {
        let want = self.case.npy(file);
        let got = self.spikes.times(source);
        assert_eq!(got.len(), want.len(), "{file}: {got:?} vs {want:?}");
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-9, "{file}: {got:?} vs {want:?}");
        }
    }
}
