//! The `inputs` and `reports` sections. Known modules become typed structs; anything else is
//! kept as JSON so the caller can decide (and warn) what to do with it.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::fields::{Section, Warning};
use super::node_sets::{parse_set, NodeSet};
use super::paths::absolute_from;
use super::sections::{Output, Run};
use crate::error::Result;

/// An IClamp (`input_type: current_clamp`). `amp`, `delay`, `duration` are lists of equal
/// length (a scalar in the file is a list of one): pulse `k` injects `amp[k]` nA from
/// `delay[k]` for `duration[k]` ms.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentClamp {
    pub input_type: String,
    pub module: String,
    /// Node set name, or key path of a set written inline (see [`MembraneReport::cells`]).
    pub node_set: String,
    /// nA
    pub amp: Vec<f64>,
    /// ms
    pub delay: Vec<f64>,
    /// ms
    pub duration: Vec<f64>,
    /// Where the clamp goes; BMTK's default is soma[0](0.5).
    pub section_name: String,
    pub section_index: u64,
    pub segment_value: f64,
}

/// Which reader a `spikes` input needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpikesInputFormat {
    /// SONATA HDF5 (`module: sonata` or `h5`/`hdf5`).
    Sonata,
    /// Space-separated `timestamps population node_ids`.
    Csv,
    /// NWB: recognised but not readable by this crate.
    Nwb,
}

/// Spike trains fed to virtual cells (`input_type: spikes`).
#[derive(Debug, Clone, PartialEq)]
pub struct SpikesInput {
    pub module: String,
    pub format: SpikesInputFormat,
    pub input_file: PathBuf,
    /// Node set name, or key path of a set written inline (see [`MembraneReport::cells`]).
    pub node_set: String,
}

/// A single-electrode voltage clamp (`module: SEClamp`).
#[derive(Debug, Clone, PartialEq)]
pub struct SeClamp {
    /// Node set name, or key path of a set written inline (see [`MembraneReport::cells`]).
    pub node_set: String,
    /// mV, one per stage
    pub amps: Vec<f64>,
    /// ms, one per stage
    pub durations: Vec<f64>,
    /// MΩ, series resistance, if given
    pub rs: Option<f64>,
}

/// One entry of `inputs`.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    CurrentClamp(CurrentClamp),
    Spikes(SpikesInput),
    SeClamp(SeClamp),
    /// A module this crate does not model; the parameters are kept verbatim.
    Other {
        input_type: Option<String>,
        module: Option<String>,
        params: Map<String, Value>,
    },
}

impl Input {
    /// The node set the input targets, if it names one.
    pub fn node_set(&self) -> Option<&str> {
        match self {
            Input::CurrentClamp(c) => Some(&c.node_set),
            Input::Spikes(s) => Some(&s.node_set),
            Input::SeClamp(s) => Some(&s.node_set),
            Input::Other { params, .. } => params.get("node_set").and_then(Value::as_str),
        }
    }
}

/// Node sets written inline (as objects) where a set name was expected, each under the name
/// of the key that held it (`reports.v_soma.cells`), to be added to the config's node sets.
pub(crate) type InlineNodeSets = Vec<(String, NodeSet)>;

/// Reads a key that names a node set (`"all"` when absent). BMTK also accepts the set itself
/// there, e.g. `{"population": "ring", "node_id": [0, 1]}`: such a set is parsed like an
/// entry of `node_sets`, kept in `inline` and referred to by its key path, so everything
/// downstream resolves it as a named set.
fn node_set_reference(sec: &Section, key: &str, inline: &mut InlineNodeSets) -> Result<String> {
    match sec.get(key) {
        None => Ok("all".into()),
        Some(Value::String(name)) => Ok(name.clone()),
        Some(definition @ Value::Object(_)) => {
            let name = sec.key(key);
            let set = parse_set(sec.path, &name, definition)?;
            inline.push((name.clone(), set));
            Ok(name)
        }
        Some(_) => Err(sec.error(key, "expected a node set name or an inline node set object")),
    }
}

pub(crate) fn parse_inputs(
    s: &Section,
    warnings: &mut Vec<Warning>,
    inline: &mut InlineNodeSets,
) -> Result<Vec<(String, Input)>> {
    let mut out = Vec::new();
    for (name, value) in s.map {
        let sec = Section::new(s.path, s.key(name), value)?;
        let input_type = sec.string("input_type")?;
        let module = sec.string("module")?;
        let mut node_set = || node_set_reference(&sec, "node_set", inline);
        let input = match (input_type.as_deref(), module.as_deref()) {
            (Some("current_clamp"), _) | (_, Some("IClamp")) => {
                sec.warn_unknown(
                    &[
                        "input_type",
                        "module",
                        "node_set",
                        "amp",
                        "delay",
                        "duration",
                        "section_name",
                        "section_index",
                        "segment_value",
                        "section_dist",
                        "gids",
                        "input_file",
                    ],
                    warnings,
                );
                let list = |key: &str| -> Result<Vec<f64>> {
                    sec.f64_list(key)?
                        .ok_or_else(|| sec.error(key, "required key is missing"))
                };
                let (amp, delay, duration) = (list("amp")?, list("delay")?, list("duration")?);
                let n = amp.len().max(delay.len()).max(duration.len());
                let stretch = |key: &str, v: Vec<f64>| -> Result<Vec<f64>> {
                    match v.len() {
                        len if len == n => Ok(v),
                        1 => Ok(vec![v[0]; n]),
                        len => {
                            Err(sec.error(key, format!("has {len} values, other lists have {n}")))
                        }
                    }
                };
                Input::CurrentClamp(CurrentClamp {
                    input_type: input_type.clone().unwrap_or_else(|| "current_clamp".into()),
                    module: module.clone().unwrap_or_else(|| "IClamp".into()),
                    node_set: node_set()?,
                    amp: stretch("amp", amp)?,
                    delay: stretch("delay", delay)?,
                    duration: stretch("duration", duration)?,
                    section_name: sec.string("section_name")?.unwrap_or_else(|| "soma".into()),
                    section_index: sec.u64("section_index")?.unwrap_or(0),
                    // BMTK 1.2.0 names the position `section_dist`; the SONATA examples use
                    // `segment_value`.
                    segment_value: match sec.f64("section_dist")? {
                        Some(x) => x,
                        None => sec.f64("segment_value")?.unwrap_or(0.5),
                    },
                })
            }
            (Some("spikes"), _) => {
                sec.warn_unknown(
                    &["input_type", "module", "node_set", "input_file", "trial"],
                    warnings,
                );
                let module = module.clone().unwrap_or_else(|| "sonata".into());
                let format = match module.to_ascii_lowercase().as_str() {
                    "sonata" | "h5" | "hdf5" => SpikesInputFormat::Sonata,
                    "csv" => SpikesInputFormat::Csv,
                    "nwb" => SpikesInputFormat::Nwb,
                    other => {
                        return Err(sec.error(
                            "module",
                            format!("expected sonata, h5, csv or nwb, found `{other}`"),
                        ))
                    }
                };
                let dir = s.path.parent().unwrap_or(Path::new("/"));
                Input::Spikes(SpikesInput {
                    module,
                    format,
                    input_file: absolute_from(dir, Path::new(&sec.required_string("input_file")?)),
                    node_set: node_set()?,
                })
            }
            (_, Some("SEClamp")) => {
                sec.warn_unknown(
                    &[
                        "input_type",
                        "module",
                        "node_set",
                        "amps",
                        "durations",
                        "rs",
                        "gids",
                    ],
                    warnings,
                );
                let amps = sec
                    .f64_list("amps")?
                    .ok_or_else(|| sec.error("amps", "required key is missing"))?;
                let durations = sec
                    .f64_list("durations")?
                    .ok_or_else(|| sec.error("durations", "required key is missing"))?;
                if amps.len() != durations.len() {
                    return Err(sec.error("durations", "must have as many values as `amps`"));
                }
                Input::SeClamp(SeClamp {
                    node_set: node_set()?,
                    amps,
                    durations,
                    rs: sec.f64("rs")?,
                })
            }
            _ => Input::Other {
                input_type,
                module,
                params: sec.map.clone(),
            },
        };
        out.push((name.clone(), input));
    }
    Ok(out)
}

/// A `membrane_report`: record `variable_names` on the `sections` of the `cells` node set.
#[derive(Debug, Clone, PartialEq)]
pub struct MembraneReport {
    /// The node set to record: a name, or for a set written inline, its key path (e.g.
    /// `reports.v_soma.cells`), under which the set is added to the circuit's node sets.
    pub cells: String,
    pub variable_names: Vec<String>,
    /// `"soma"`, `"all"`, … (BMTK accepts a name or a list of names).
    pub sections: Vec<String>,
    /// Absolute; relative names are placed in `output_dir`. See
    /// [`crate::report::variable_file_paths`] for the file each variable goes to.
    pub file_name: PathBuf,
    /// ms; defaults to the run's tstart / tstop / dt.
    pub start_time: f64,
    pub end_time: f64,
    pub dt: f64,
    pub enabled: bool,
}

impl MembraneReport {
    /// The file each variable is written to, in `variable_names` order.
    pub fn variable_files(&self) -> Vec<(String, PathBuf)> {
        crate::report::variable_file_paths(&self.file_name, &self.variable_names)
    }
}

/// One entry of `reports`.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    Membrane(MembraneReport),
    Other {
        module: String,
        params: Map<String, Value>,
    },
}

fn is_multiple(value: f64, step: f64) -> bool {
    let ratio = value / step;
    (ratio - ratio.round()).abs() <= 1e-4 * ratio.abs().max(1.0)
}

pub(crate) fn parse_reports(
    s: &Section,
    run: &Run,
    output: &Output,
    warnings: &mut Vec<Warning>,
    inline: &mut InlineNodeSets,
) -> Result<Vec<(String, Report)>> {
    let mut out = Vec::new();
    for (name, value) in s.map {
        let sec = Section::new(s.path, s.key(name), value)?;
        let module = sec.required_string("module")?;
        if module != "membrane_report" {
            out.push((
                name.clone(),
                Report::Other {
                    module,
                    params: sec.map.clone(),
                },
            ));
            continue;
        }
        sec.warn_unknown(
            &[
                "module",
                "cells",
                "variable_name",
                "sections",
                "file_name",
                "start_time",
                "end_time",
                "dt",
                "enabled",
                "transform",
                "buffer",
                "unit",
                "units",
            ],
            warnings,
        );
        let variable_names = sec
            .string_list("variable_name")?
            .ok_or_else(|| sec.error("variable_name", "required key is missing"))?;
        if variable_names.is_empty() {
            return Err(sec.error("variable_name", "names no variable"));
        }
        let file = sec.string("file_name")?.unwrap_or_else(|| {
            if name.ends_with(".h5") || name.ends_with(".hdf5") {
                name.clone()
            } else {
                format!("{name}.h5")
            }
        });
        let dt = sec.f64("dt")?.unwrap_or(run.dt);
        let start_time = sec.f64("start_time")?.unwrap_or(run.tstart);
        let end_time = sec.f64("end_time")?.unwrap_or(run.tstop);
        if dt < run.dt || !is_multiple(dt, run.dt) {
            return Err(sec.error(
                "dt",
                format!("must be a whole multiple of run.dt ({})", run.dt),
            ));
        }
        if start_time < run.tstart {
            return Err(sec.error("start_time", "is before run.tstart"));
        }
        if end_time > run.tstop + 1e-9 * run.tstop.abs().max(1.0) {
            return Err(sec.error("end_time", "is after run.tstop"));
        }
        if end_time < start_time {
            return Err(sec.error("end_time", "is before start_time"));
        }
        out.push((
            name.clone(),
            Report::Membrane(MembraneReport {
                cells: node_set_reference(&sec, "cells", inline)?,
                variable_names,
                sections: sec
                    .string_list("sections")?
                    .unwrap_or_else(|| vec!["all".into()]),
                file_name: absolute_from(&output.output_dir, Path::new(&file)),
                start_time,
                end_time,
                dt,
                enabled: sec.bool("enabled")?.unwrap_or(true),
            }),
        ));
    }
    Ok(out)
}
