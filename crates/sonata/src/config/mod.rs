//! SONATA circuit and simulation configs, read the way BMTK reads them.
//!
//! [`SimulationConfig::from_file`] reads a simulation config, resolves its manifest
//! (see [`manifest`]), merges the circuit config named by `"network"` (see [`load`] for the
//! merge rule), then reads every section into typed structs. All paths come out absolute:
//! relative ones are taken against the folder of the file that wrote them. Output file names
//! (`log_file`, `spikes_file`, `spikes_file_csv`, report `file_name`) are taken against
//! `output_dir`, as BMTK does. Unknown keys become [`Warning`]s; missing required keys, wrong
//! types and impossible values are [`Error::Config`]s naming the key and the file.

mod fields;
mod inputs;
mod load;
pub mod manifest;
mod node_sets;
mod paths;
mod sections;

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

pub use fields::Warning;
pub use inputs::{
    CurrentClamp, Input, MembraneReport, Report, SeClamp, SpikesInput, SpikesInputFormat,
};
pub use node_sets::{NodeSet, NodeSetRule, NodeSets, RuleValue};
pub use paths::{absolute_from, normalize};
pub use sections::{Components, Conditions, EdgesEntry, Networks, NodesEntry, Output, Run};

use crate::error::{Error, Result};
use fields::Section;

/// A circuit config: where the model components and the network files are, and node sets.
#[derive(Debug, Clone, Default)]
pub struct CircuitConfig {
    /// The file that was loaded (absolute).
    pub config_path: PathBuf,
    pub components: Components,
    pub networks: Networks,
    pub node_sets: NodeSets,
}

/// A simulation config with its circuit config merged in.
#[derive(Debug, Clone)]
pub struct SimulationConfig {
    /// The file that was loaded (absolute).
    pub config_path: PathBuf,
    /// Every config file read, this one first.
    pub files: Vec<PathBuf>,
    pub target_simulator: Option<String>,
    pub run: Run,
    pub conditions: Conditions,
    pub output: Output,
    /// Inputs in file order, by name.
    pub inputs: Vec<(String, Input)>,
    /// Reports in file order, by name.
    pub reports: Vec<(String, Report)>,
    /// Components, networks and node sets (merged from the circuit config).
    pub circuit: CircuitConfig,
    /// The merged document after substitution, for keys this crate does not interpret.
    pub raw: Map<String, Value>,
}

const SIMULATION_KEYS: &[&str] = &[
    "manifest",
    "target_simulator",
    "run",
    "conditions",
    "inputs",
    "output",
    "reports",
    "network",
    "simulation",
    "components",
    "networks",
    "node_sets",
    "node_sets_file",
    "version",
    "config_path",
    "config_dir",
];

/// Adds a warning for each top-level key of `doc` not in `known`, naming the file it came from.
fn warn_unknown_top_keys(doc: &load::Document, known: &[&str], warnings: &mut Vec<Warning>) {
    for key in doc.root.keys() {
        if !known.contains(&key.as_str()) {
            warnings.push(Warning {
                path: doc.origin_of(key).to_path_buf(),
                key: key.clone(),
                message: "unknown key, ignored".into(),
            });
        }
    }
}

impl SimulationConfig {
    /// Loads a simulation config (and everything it includes).
    pub fn from_file(path: impl AsRef<Path>) -> Result<(SimulationConfig, Vec<Warning>)> {
        let doc = load::load_document(path.as_ref())?;
        let mut warnings = Vec::new();
        let top = doc.files[0].clone();
        warn_unknown_top_keys(&doc, SIMULATION_KEYS, &mut warnings);
        let run_value = doc
            .root
            .get("run")
            .ok_or_else(|| Error::config(&top, "run", "required section is missing"))?;
        let run = Run::parse(
            &Section::new(doc.origin_of("run"), "run", run_value)?,
            &mut warnings,
        )?;
        let conditions = match doc.root.get("conditions") {
            Some(v) => Conditions::parse(
                &Section::new(doc.origin_of("conditions"), "conditions", v)?,
                &mut warnings,
            )?,
            None => Conditions::default(),
        };
        let output_origin = doc.origin_of("output");
        let output = match doc.root.get("output") {
            Some(v) => Output::parse(&Section::new(output_origin, "output", v)?, &mut warnings)?,
            None => Output::with_dir(output_origin.parent().unwrap_or(Path::new("/"))),
        };
        let mut circuit = CircuitConfig::from_document(&doc, &mut warnings)?;
        let mut inline_node_sets = Vec::new();
        let inputs = match doc.root.get("inputs") {
            Some(v) => inputs::parse_inputs(
                &Section::new(doc.origin_of("inputs"), "inputs", v)?,
                &mut warnings,
                &mut inline_node_sets,
            )?,
            None => Vec::new(),
        };
        let reports = match doc.root.get("reports") {
            Some(v) => inputs::parse_reports(
                &Section::new(doc.origin_of("reports"), "reports", v)?,
                &run,
                &output,
                &mut warnings,
                &mut inline_node_sets,
            )?,
            None => Vec::new(),
        };
        for (name, set) in inline_node_sets {
            circuit.node_sets.insert(name, set);
        }
        let config = SimulationConfig {
            config_path: top,
            files: doc.files.clone(),
            target_simulator: match doc.root.get("target_simulator") {
                Some(Value::String(s)) => Some(s.clone()),
                _ => None,
            },
            run,
            conditions,
            output,
            inputs,
            reports,
            circuit,
            raw: doc.root,
        };
        Ok((config, warnings))
    }

    /// Same as [`from_file`](Self::from_file); kept for callers that prefer the name.
    pub fn load(path: impl AsRef<Path>) -> Result<(SimulationConfig, Vec<Warning>)> {
        Self::from_file(path)
    }

    /// Checks that every node set named by inputs and reports exists.
    pub fn check_node_set_names(&self) -> Result<()> {
        for (name, input) in &self.inputs {
            if let Some(set) = input.node_set() {
                self.circuit.node_sets.check_defined(
                    set,
                    &format!(" ({}: inputs.{name}.node_set)", self.config_path.display()),
                )?;
            }
        }
        for (name, report) in &self.reports {
            if let Report::Membrane(m) = report {
                self.circuit.node_sets.check_defined(
                    &m.cells,
                    &format!(" ({}: reports.{name}.cells)", self.config_path.display()),
                )?;
            }
        }
        Ok(())
    }
}

const CIRCUIT_KEYS: &[&str] = &[
    "manifest",
    "components",
    "networks",
    "node_sets",
    "node_sets_file",
    "network",
    "simulation",
    "version",
    "target_simulator",
    "run",
    "conditions",
    "inputs",
    "output",
    "reports",
];

impl CircuitConfig {
    /// Loads a circuit config on its own.
    pub fn from_file(path: impl AsRef<Path>) -> Result<(CircuitConfig, Vec<Warning>)> {
        let doc = load::load_document(path.as_ref())?;
        let mut warnings = Vec::new();
        warn_unknown_top_keys(&doc, CIRCUIT_KEYS, &mut warnings);
        let circuit = Self::from_document(&doc, &mut warnings)?;
        Ok((circuit, warnings))
    }

    fn from_document(doc: &load::Document, warnings: &mut Vec<Warning>) -> Result<CircuitConfig> {
        let components = match doc.root.get("components") {
            Some(v) => Components::parse(
                &Section::new(doc.origin_of("components"), "components", v)?,
                warnings,
            )?,
            None => Components::default(),
        };
        let networks = match doc.root.get("networks") {
            Some(v) => Networks::parse(
                &Section::new(doc.origin_of("networks"), "networks", v)?,
                warnings,
            )?,
            None => Networks::default(),
        };
        let mut node_sets = NodeSets::default();
        if let Some(Value::String(file)) = doc.root.get("node_sets_file") {
            let origin = doc.origin_of("node_sets_file");
            let file = absolute_from(origin.parent().unwrap_or(Path::new("/")), Path::new(file));
            let value = load::read_json(&file)?;
            node_sets.extend_from_json(&file, "", &value)?;
        } else if let Some(other) = doc.root.get("node_sets_file") {
            if !other.is_null() {
                return Err(Error::config(
                    doc.origin_of("node_sets_file"),
                    "node_sets_file",
                    "expected a path",
                ));
            }
        }
        if let Some(value) = doc.root.get("node_sets") {
            // Inline sets override those of the file, as the SONATA spec asks.
            node_sets.extend_from_json(doc.origin_of("node_sets"), "node_sets", value)?;
        }
        Ok(CircuitConfig {
            config_path: doc.files[0].clone(),
            components,
            networks,
            node_sets,
        })
    }
}
