//! NEURON's built-in mechanisms (compiled from the `mech` catalogue) on small cells, against
//! NEURON 9.0.2 traces in `tests/reference-data/`.

mod common;

use common::run::run;
use engine::SpikeSource;

#[test]
fn hh_at_6_3_celsius() {
    if let Some(out) = run("hh-6.3") {
        out.check_traces();
    }
}

#[test]
fn hh_at_34_celsius() {
    if let Some(out) = run("hh-34") {
        out.check_traces();
    }
}

#[test]
fn pas_and_iclamp_from_nmodl() {
    for name in ["pas", "iclamp", "passive-cable"] {
        if let Some(out) = run(name) {
            out.check_traces();
        }
    }
}

#[test]
fn seclamp_on_hh() {
    if let Some(out) = run("seclamp") {
        out.check_traces();
    }
}

#[test]
fn multi_compartment_cell_with_iclamp() {
    if let Some(out) = run("mc-cell") {
        out.check_traces();
    }
}

#[test]
fn expsyn_driven_by_netstim() {
    if let Some(out) = run("expsyn") {
        out.check_traces();
        out.check_spikes(SpikeSource::Artificial(0), "ns_spikes.npy");
    }
}

#[test]
fn exp2syn_driven_by_netstim() {
    if let Some(out) = run("exp2syn") {
        out.check_traces();
        out.check_spikes(SpikeSource::Artificial(0), "ns_spikes.npy");
    }
}

#[test]
fn regular_netstims() {
    if let Some(out) = run("netstim") {
        for (i, f) in ["spikes_a.npy", "spikes_b.npy", "spikes_c.npy"]
            .iter()
            .enumerate()
        {
            out.check_spikes(SpikeSource::Artificial(i), f);
        }
    }
}
