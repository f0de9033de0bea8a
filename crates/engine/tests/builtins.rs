//! NEURON's built-in mechanisms (compiled from the `mech` catalogue) on small cells, against
//! NEURON 9.0.2 traces in `tests/reference-data/`.

mod common;

use std::collections::BTreeMap;

use common::{max_abs_diff, Case};
use engine::{
    ArtificialCellSpec, NetConSpec, Probe, ProbeLocation, SimulationBuilder, SpikeSource, Target,
    VecRecorder, VecSpikes,
};
use mech::Catalogue;

/// Tolerance of the issue: 1e-6 mV on voltages (other quantities are compared relative to it).
const TOL: f64 = 1e-6;

struct Outcome {
    case: Case,
    files: Vec<String>,
    rec: VecRecorder,
    spikes: VecSpikes,
}

/// Builds and runs a reference case with the catalogue's built-ins.
fn run(name: &str) -> Option<Outcome> {
    let case = Case::load(name)?;
    let catalogue = Catalogue::new();
    let mut b = SimulationBuilder::new(&catalogue);
    let has_cell = !case.json["sections"].as_array().unwrap().is_empty();
    if has_cell {
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
        b.netcon(NetConSpec {
            source: SpikeSource::Artificial(src),
            target: Some(target),
            delay: nc["delay"].as_f64().unwrap(),
            weights: nc["weight"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w.as_f64().unwrap())
                .collect(),
        });
    }
    b.celsius(case.f("celsius"))
        .dt(case.f("dt"))
        .v_init(case.f("v_init"));
    let mut sim = b.build().unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut files = Vec::new();
    let mut probes = Vec::new();
    for r in case.json["recordings"].as_array().unwrap() {
        let file = r["file"].as_str().unwrap();
        let what = r["what"].as_str().unwrap();
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
        } else {
            continue;
        };
        let variable = match location {
            // "ExpSyn i (nA)", "Exp2Syn state A".
            ProbeLocation::PointProcess { .. } => {
                let words: Vec<&str> = what.split_whitespace().collect();
                if words[1] == "state" {
                    words[2]
                } else {
                    words[1]
                }
            }
            _ => what.split_whitespace().next().unwrap(),
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
    Some(Outcome {
        case,
        files,
        rec,
        spikes,
    })
}

/// Every recorded trace within `TOL` (relative to the trace's scale for non-voltages).
fn check_traces(out: &Outcome) {
    let name = out.case.json["case"].as_str().unwrap();
    if !out.rec.t.is_empty() && out.case.dir.join("t.npy").exists() {
        assert_eq!(out.rec.t, out.case.npy("t.npy"), "{name}: t");
    }
    for (k, file) in out.files.iter().enumerate() {
        let want = out.case.npy(file);
        let scale = want.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-300);
        let (d, at) = max_abs_diff(&out.rec.columns[k], &want);
        let tol = if file.starts_with("v") {
            TOL
        } else {
            TOL * scale / 100.0
        };
        assert!(
            d <= tol,
            "{name}: {file} differs by {d:e} (scale {scale:e}) at row {at}"
        );
    }
}

fn check_spikes(out: &Outcome, source: SpikeSource, file: &str) {
    let want = out.case.npy(file);
    let got = out.spikes.times(source);
    assert_eq!(got.len(), want.len(), "{file}: {got:?} vs {want:?}");
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() < 1e-9, "{file}: {got:?} vs {want:?}");
    }
}

#[test]
fn hh_at_6_3_celsius() {
    if let Some(out) = run("hh-6.3") {
        check_traces(&out);
    }
}

#[test]
fn hh_at_34_celsius() {
    if let Some(out) = run("hh-34") {
        check_traces(&out);
    }
}

#[test]
fn pas_and_iclamp_from_nmodl() {
    for name in ["pas", "iclamp", "passive-cable"] {
        if let Some(out) = run(name) {
            check_traces(&out);
        }
    }
}

#[test]
fn seclamp_on_hh() {
    if let Some(out) = run("seclamp") {
        check_traces(&out);
    }
}

#[test]
fn multi_compartment_cell_with_iclamp() {
    if let Some(out) = run("mc-cell") {
        check_traces(&out);
    }
}

#[test]
fn expsyn_driven_by_netstim() {
    if let Some(out) = run("expsyn") {
        check_traces(&out);
        check_spikes(&out, SpikeSource::Artificial(0), "ns_spikes.npy");
    }
}

#[test]
fn exp2syn_driven_by_netstim() {
    if let Some(out) = run("exp2syn") {
        check_traces(&out);
        check_spikes(&out, SpikeSource::Artificial(0), "ns_spikes.npy");
    }
}

#[test]
fn regular_netstims() {
    if let Some(out) = run("netstim") {
        for (i, f) in ["spikes_a.npy", "spikes_b.npy", "spikes_c.npy"]
            .iter()
            .enumerate()
        {
            check_spikes(&out, SpikeSource::Artificial(i), f);
        }
    }
}
