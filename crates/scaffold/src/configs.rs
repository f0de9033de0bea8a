//! The JSON documents `bmtk new bionet` writes, built as `serde_json` values.
//!
//! Top-level keys follow BMTK's `sim_setup` order (manifest, target_simulator, run, conditions,
//! inputs, components, output, reports, networks, then the rest); the workspace enables
//! `serde_json`'s `preserve_order`, so insertion order is file order.

use crate::discover::NetworkFiles;
use crate::NewOptions;
use serde_json::{json, Map, Value};

pub(crate) const CIRCUIT_CONFIG: &str = "circuit_config.json";
pub(crate) const SIMULATION_CONFIG: &str = "simulation_config.json";
pub(crate) const NODE_SETS: &str = "node_sets.json";
pub(crate) const TOP_CONFIG: &str = "config.json";

/// A components sub-folder and the `components` key pointing at it.
pub(crate) struct ComponentDir {
    pub folder: &'static str,
    pub key: &'static str,
}

pub(crate) const COMPONENT_SUBDIRS: [ComponentDir; 6] = [
    ComponentDir {
        folder: "morphologies",
        key: "morphologies_dir",
    },
    ComponentDir {
        folder: "synaptic_models",
        key: "synaptic_models_dir",
    },
    ComponentDir {
        folder: "mechanisms",
        key: "mechanisms_dir",
    },
    ComponentDir {
        folder: "biophysical_neuron_templates",
        key: "biophysical_neuron_models_dir",
    },
    ComponentDir {
        folder: "point_neuron_templates",
        key: "point_neuron_models_dir",
    },
    // The key the seed tutorial had to add by hand so HOC templates are found.
    ComponentDir {
        folder: "hoc_templates",
        key: "templates_dir",
    },
];

/// An Exp2Syn synapse parameter set as BMTK ships it (time constants in ms, reversal in mV).
pub(crate) struct SynapticModel {
    pub file_name: &'static str,
    pub tau1: f64,
    pub tau2: f64,
    pub erev: f64,
}

pub(crate) const SYNAPTIC_MODELS: [SynapticModel; 4] = [
    SynapticModel {
        file_name: "AMPA_ExcToExc.json",
        tau1: 1.0,
        tau2: 3.0,
        erev: 0.0,
    },
    SynapticModel {
        file_name: "AMPA_ExcToInh.json",
        tau1: 0.1,
        tau2: 0.5,
        erev: 0.0,
    },
    SynapticModel {
        file_name: "GABA_InhToExc.json",
        tau1: 2.7,
        tau2: 15.0,
        erev: -70.0,
    },
    SynapticModel {
        file_name: "GABA_InhToInh.json",
        tau1: 0.2,
        tau2: 8.0,
        erev: -70.0,
    },
];

pub(crate) fn synaptic_model_json(model: &SynapticModel) -> Value {
    json!({
        "level_of_detail": "exp2syn",
        "tau1": model.tau1,
        "tau2": model.tau2,
        "erev": model.erev,
    })
}

/// A manifest value for a folder: relative names hang off `$BASE_DIR`, absolute ones stay.
fn under_base(folder: &str) -> String {
    if std::path::Path::new(folder).is_absolute() {
        folder.replace('\\', "/")
    } else {
        let trimmed = folder.trim_start_matches("./").replace('\\', "/");
        format!("$BASE_DIR/{}", trimmed.trim_end_matches('/'))
    }
}

pub(crate) fn circuit_config(opts: &NewOptions, networks: &NetworkFiles) -> Value {
    let mut components = Map::new();
    for sub in &COMPONENT_SUBDIRS {
        components.insert(
            sub.key.to_string(),
            Value::String(format!("$COMPONENTS_DIR/{}", sub.folder)),
        );
    }
    let mut network = Map::new();
    network.insert("nodes".into(), Value::Array(networks.nodes.clone()));
    network.insert("edges".into(), Value::Array(networks.edges.clone()));
    if !networks.gap_juncs.is_empty() {
        network.insert("gap_juncs".into(), Value::Array(networks.gap_juncs.clone()));
    }
    json!({
        "manifest": {
            "$BASE_DIR": ".",
            "$NETWORK_DIR": under_base(&opts.network_dir),
            "$COMPONENTS_DIR": under_base(&opts.components_dir),
        },
        "components": components,
        "networks": network,
    })
}

pub(crate) fn simulation_config(opts: &NewOptions) -> Value {
    let mut inputs = Map::new();
    if let Some(clamp) = &opts.iclamp {
        inputs.insert(
            "current_clamp".into(),
            json!({
                "input_type": "current_clamp",
                "module": "IClamp",
                "node_set": clamp.node_set,
                "amp": clamp.amp,
                "delay": clamp.delay,
                "duration": clamp.duration,
            }),
        );
    }
    let mut reports = Map::new();
    if !opts.reports.is_empty() {
        reports.insert(
            "membrane_report".into(),
            json!({
                "module": "membrane_report",
                "cells": opts.report_cells,
                "variable_name": opts.reports,
                "file_name": "cell_vars.h5",
                "sections": "soma",
            }),
        );
    }
    json!({
        "manifest": {
            "$BASE_DIR": ".",
            "$OUTPUT_DIR": "$BASE_DIR/output",
        },
        "target_simulator": "NEURON",
        "run": {
            "tstart": opts.tstart,
            "tstop": opts.tstop,
            "dt": opts.dt,
            "dL": opts.dl,
            "spike_threshold": opts.spike_threshold,
            "nsteps_block": opts.nsteps_block,
        },
        "conditions": {
            "celsius": opts.celsius,
            "v_init": opts.v_init,
        },
        "inputs": inputs,
        "output": {
            "log_file": "log.txt",
            "output_dir": "$OUTPUT_DIR",
            "spikes_file": "spikes.h5",
            "spikes_file_csv": "spikes.csv",
            "overwrite_output_dir": true,
        },
        "reports": reports,
        "network": format!("$BASE_DIR/{CIRCUIT_CONFIG}"),
        "node_sets_file": format!("$BASE_DIR/{NODE_SETS}"),
    })
}

/// BMTK's default node sets file.
pub(crate) fn node_sets() -> Value {
    json!({
        "biophysical_nodes": {"model_type": "biophysical"},
        "point_nodes": {"model_type": "point_process"},
    })
}

/// BMTK's `config.json`, which joins the two configs (relative here, so the folder can move).
pub(crate) fn top_config() -> Value {
    json!({
        "manifest": {"$BASE_DIR": "."},
        "network": format!("$BASE_DIR/{CIRCUIT_CONFIG}"),
        "simulation": format!("$BASE_DIR/{SIMULATION_CONFIG}"),
    })
}
