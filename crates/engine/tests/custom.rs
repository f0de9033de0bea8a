//! User mechanisms of `tests/reference-data/mod/` (KINETIC, derivimplicit, calcium dynamics,
//! NET_RECEIVE with per-NetCon state, TABLE with DEPEND celsius) against NEURON 9.0.2.

mod common;

use common::run::run;
use engine::SpikeSource;

#[test]
fn kinetic_sparse_with_conserve_and_steadystate() {
    if let Some(out) = run("kinetic-nav") {
        out.check_traces();
    }
}

#[test]
fn derivimplicit_potassium_channel() {
    if let Some(out) = run("derivimplicit-k") {
        out.check_traces();
    }
}

#[test]
fn calcium_shell_ghk_and_nernst() {
    if let Some(out) = run("calcium") {
        out.check_traces();
    }
}

#[test]
fn table_with_depend_celsius() {
    if let Some(out) = run("hhtab-16") {
        out.check_traces();
    }
}

#[test]
fn facilitating_synapse_with_per_netcon_state() {
    let Some(out) = run("facsyn") else {
        return;
    };
    out.check_traces();
    out.check_spikes(SpikeSource::Artificial(0), "spikes_ns1.npy");
    out.check_spikes(SpikeSource::Artificial(1), "spikes_ns2.npy");
    for (k, nc) in out.case.json["netcons"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let want: Vec<f64> = nc["weight_after_run"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_f64().unwrap())
            .collect();
        let got = out.sim.netcon_weights(k);
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert!(
                (g - w).abs() <= 1e-9 * w.abs().max(1.0),
                "{got:?} vs {want:?}"
            );
        }
    }
}
