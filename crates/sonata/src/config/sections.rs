//! The plain sections of a config: `run`, `conditions`, `output`, `components`, `networks`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::fields::{Section, Warning};
use super::paths::absolute_from;
use crate::error::Result;
use crate::spikes::SortOrder;

/// The `run` section. Defaults are BMTK's: tstart 0, dL 20 µm, spike_threshold −15 mV.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// ms
    pub tstart: f64,
    /// ms
    pub tstop: f64,
    /// ms
    pub dt: f64,
    /// µm; BMTK sets `nseg = 1 + 2·int(L / (2·dL))` on every section.
    pub dl: f64,
    /// mV
    pub spike_threshold: f64,
    /// Steps between output flushes (BMTK's block size); `None` when absent.
    pub nsteps_block: Option<u64>,
}

impl Run {
    pub(crate) fn parse(s: &Section, warnings: &mut Vec<Warning>) -> Result<Run> {
        s.warn_unknown(
            &[
                "tstart",
                "tstop",
                "dt",
                "dL",
                "spike_threshold",
                "nsteps_block",
                "optocell",
            ],
            warnings,
        );
        let run = Run {
            tstart: s.f64("tstart")?.unwrap_or(0.0),
            tstop: s.required_f64("tstop")?,
            dt: s.required_f64("dt")?,
            dl: s.f64("dL")?.unwrap_or(20.0),
            spike_threshold: s.f64("spike_threshold")?.unwrap_or(-15.0),
            nsteps_block: s.u64("nsteps_block")?,
        };
        if run.dt.is_nan() || run.dt <= 0.0 || !run.dt.is_finite() {
            return Err(s.error("dt", format!("must be > 0, found {}", run.dt)));
        }
        if !run.tstart.is_finite() || !run.tstop.is_finite() {
            return Err(s.error("tstop", "tstart and tstop must be finite"));
        }
        if run.tstop < run.tstart {
            return Err(s.error(
                "tstop",
                format!("tstop ({}) is before tstart ({})", run.tstop, run.tstart),
            ));
        }
        if run.dl.is_nan() || run.dl <= 0.0 {
            return Err(s.error("dL", format!("must be > 0, found {}", run.dl)));
        }
        if run.nsteps_block == Some(0) {
            return Err(s.error("nsteps_block", "must be > 0"));
        }
        Ok(run)
    }

    /// Number of steps from tstart to tstop, `round((tstop - tstart) / dt)`.
    pub fn n_steps(&self) -> u64 {
        ((self.tstop - self.tstart) / self.dt).round() as u64
    }
}

/// The `conditions` section; `None` means "not given" (the engine picks NEURON's default).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conditions {
    /// °C
    pub celsius: Option<f64>,
    /// mV
    pub v_init: Option<f64>,
}

impl Conditions {
    pub(crate) fn parse(s: &Section, warnings: &mut Vec<Warning>) -> Result<Conditions> {
        s.warn_unknown(&["celsius", "v_init"], warnings);
        Ok(Conditions {
            celsius: s.f64("celsius")?,
            v_init: s.f64("v_init")?,
        })
    }
}

/// The `output` section, with file names made absolute inside `output_dir`.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub output_dir: PathBuf,
    pub log_file: Option<PathBuf>,
    pub spikes_file: Option<PathBuf>,
    pub spikes_file_csv: Option<PathBuf>,
    pub spikes_sort_order: Option<SortOrder>,
    pub overwrite_output_dir: bool,
}

impl Output {
    /// BMTK's defaults: outputs in the config's folder, nothing else written.
    pub(crate) fn with_dir(dir: &Path) -> Output {
        Output {
            output_dir: dir.to_path_buf(),
            log_file: None,
            spikes_file: None,
            spikes_file_csv: None,
            spikes_sort_order: None,
            overwrite_output_dir: false,
        }
    }

    pub(crate) fn parse(s: &Section, warnings: &mut Vec<Warning>) -> Result<Output> {
        s.warn_unknown(
            &[
                "output_dir",
                "log_file",
                "spikes_file",
                "spikes_file_csv",
                "spikes_file_nwb",
                "spikes_sort_order",
                "overwrite_output_dir",
                "log_level",
                "log_to_console",
                "quiet_simulator",
                "compression",
                "cache_to_disk",
            ],
            warnings,
        );
        let config_dir = s.path.parent().unwrap_or(Path::new("/"));
        let output_dir = match s.string("output_dir")? {
            Some(d) => absolute_from(config_dir, Path::new(&d)),
            None => config_dir.to_path_buf(),
        };
        let in_output = |key: &str| -> Result<Option<PathBuf>> {
            Ok(s.string(key)?
                .filter(|f| !f.is_empty())
                .map(|f| absolute_from(&output_dir, Path::new(&f))))
        };
        let spikes_sort_order = match s.string("spikes_sort_order")? {
            None => None,
            Some(text) => Some(SortOrder::parse(&text).ok_or_else(|| {
                s.error(
                    "spikes_sort_order",
                    format!("expected none, by_id or by_time, found `{text}`"),
                )
            })?),
        };
        Ok(Output {
            log_file: in_output("log_file")?,
            spikes_file: in_output("spikes_file")?,
            spikes_file_csv: in_output("spikes_file_csv")?,
            spikes_sort_order,
            overwrite_output_dir: s.bool("overwrite_output_dir")?.unwrap_or(false),
            output_dir,
        })
    }
}

/// The `components` section: folders holding the model's parts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Components {
    pub mechanisms_dir: Option<PathBuf>,
    pub templates_dir: Option<PathBuf>,
    pub morphologies_dir: Option<PathBuf>,
    pub synaptic_models_dir: Option<PathBuf>,
    pub biophysical_neuron_models_dir: Option<PathBuf>,
    pub point_neuron_models_dir: Option<PathBuf>,
}

impl Components {
    pub(crate) fn parse(s: &Section, warnings: &mut Vec<Warning>) -> Result<Components> {
        s.warn_unknown(
            &[
                "mechanisms_dir",
                "templates_dir",
                "morphologies_dir",
                "synaptic_models_dir",
                "biophysical_neuron_models_dir",
                "point_neuron_models_dir",
            ],
            warnings,
        );
        let dir = s.path.parent().unwrap_or(Path::new("/"));
        let path = |key: &str| -> Result<Option<PathBuf>> {
            Ok(s.string(key)?.map(|p| absolute_from(dir, Path::new(&p))))
        };
        Ok(Components {
            mechanisms_dir: path("mechanisms_dir")?,
            templates_dir: path("templates_dir")?,
            morphologies_dir: path("morphologies_dir")?,
            synaptic_models_dir: path("synaptic_models_dir")?,
            biophysical_neuron_models_dir: path("biophysical_neuron_models_dir")?,
            point_neuron_models_dir: path("point_neuron_models_dir")?,
        })
    }
}

/// One `networks.nodes` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct NodesEntry {
    pub nodes_file: PathBuf,
    pub node_types_file: Option<PathBuf>,
}

/// One `networks.edges` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgesEntry {
    pub edges_file: PathBuf,
    pub edge_types_file: Option<PathBuf>,
}

/// The `networks` section.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Networks {
    pub nodes: Vec<NodesEntry>,
    pub edges: Vec<EdgesEntry>,
}

impl Networks {
    pub(crate) fn parse(s: &Section, warnings: &mut Vec<Warning>) -> Result<Networks> {
        s.warn_unknown(&["nodes", "edges", "gap_juncs"], warnings);
        let dir = s.path.parent().unwrap_or(Path::new("/"));
        let mut networks = Networks::default();
        for (list_key, file_key, types_key) in [
            ("nodes", "nodes_file", "node_types_file"),
            ("edges", "edges_file", "edge_types_file"),
        ] {
            let items = match s.get(list_key) {
                None => continue,
                Some(Value::Array(items)) => items,
                Some(_) => return Err(s.error(list_key, "expected a list of file entries")),
            };
            for (i, item) in items.iter().enumerate() {
                let entry = Section::new(s.path, format!("{}[{i}]", s.key(list_key)), item)?;
                entry.warn_unknown(&[file_key, types_key, "populations"], warnings);
                let file = absolute_from(dir, Path::new(&entry.required_string(file_key)?));
                let types = entry
                    .string(types_key)?
                    .map(|t| absolute_from(dir, Path::new(&t)));
                if list_key == "nodes" {
                    networks.nodes.push(NodesEntry {
                        nodes_file: file,
                        node_types_file: types,
                    });
                } else {
                    networks.edges.push(EdgesEntry {
                        edges_file: file,
                        edge_types_file: types,
                    });
                }
            }
        }
        Ok(networks)
    }
}
