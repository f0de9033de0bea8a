//! Where BioNet records spikes and injects current.
//!
//! * Spike detection (`BioCell.set_spike_detector` in `biocell.py`): a NetCon watching
//!   `soma[0](0.5)._ref_v` with `threshold = run.spike_threshold` (default −15 mV, from
//!   `SonataConfig`), registered as the cell's gid output.
//! * `current_clamp` inputs (`IClampMod` and `AmpsReader` in `bmtk/simulator/bionet/modules/
//!   iclamp.py` and `bmtk/simulator/core/modules/iclamp.py`): `amp`, `delay` and `duration`
//!   are each a scalar or a list; lists must have equal lengths and give one IClamp per entry
//!   (all on the same location), created in list order. The location is
//!   `hobj.<section_name>[section_index](section_dist)`, default `soma[0](0.5)`. A list-valued
//!   `section_index` asks BMTK for a random segment from an unseeded numpy stream
//!   (`Morphology._prng = RandomState(None)`), which no run can reproduce; bmtk-rs rejects it.
//!   Clamps go to the node set's cells in an unspecified order (a Python set), harmless since
//!   each cell's clamps only touch that cell.

use model::CellDescription;
use serde_json::{Map, Value};

use crate::segments::find_soma;
use crate::Error;

/// A spike detector: section, position and threshold (mV).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpikeDetector {
    pub section: usize,
    pub x: f64,
    pub threshold: f64,
}

/// BMTK's spike detector for a cell: soma[0](0.5).
pub fn spike_detector(
    cell: &CellDescription,
    spike_threshold: f64,
) -> Result<SpikeDetector, Error> {
    Ok(SpikeDetector {
        section: find_soma(cell)?,
        x: 0.5,
        threshold: spike_threshold,
    })
}

/// One IClamp: amplitude (nA), onset and duration (ms).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurrentPulse {
    pub amp: f64,
    pub delay: f64,
    pub dur: f64,
}

/// Where a `current_clamp` input's IClamps go.
#[derive(Debug, Clone, PartialEq)]
pub struct ClampLocation {
    pub section_name: String,
    pub section_index: usize,
    pub x: f64,
}

impl ClampLocation {
    /// The section `hobj.<name>[index]` of `cell` (`name[index]`; a scalar section `name` when
    /// the index is 0).
    pub fn resolve(&self, cell: &CellDescription) -> Result<usize, Error> {
        let indexed = format!("{}[{}]", self.section_name, self.section_index);
        cell.find_section(&indexed)
            .or_else(|| {
                (self.section_index == 0)
                    .then(|| cell.find_section(&self.section_name))
                    .flatten()
            })
            .ok_or(Error::MissingSection {
                cell: cell.name.clone(),
                section: indexed,
            })
    }
}

/// Reads a `current_clamp` input's parameters (the JSON object of one `inputs` entry):
/// the pulses and their location.
pub fn current_clamp(
    params: &Map<String, Value>,
) -> Result<(Vec<CurrentPulse>, ClampLocation), Error> {
    let list = |key: &str| -> Result<Vec<f64>, Error> {
        let bad = || {
            Error::BadInput(format!(
                "current_clamp `{key}` must be a number or a list of numbers"
            ))
        };
        match params.get(key) {
            None => Err(Error::BadInput(format!("current_clamp is missing `{key}`"))),
            Some(Value::Array(items)) => items.iter().map(|v| v.as_f64().ok_or_else(bad)).collect(),
            Some(v) => Ok(vec![v.as_f64().ok_or_else(bad)?]),
        }
    };
    let (amps, delays, durs) = (list("amp")?, list("delay")?, list("duration")?);
    if amps.len() != delays.len() || amps.len() != durs.len() {
        return Err(Error::BadInput(format!(
            "current_clamp amp, delay, duration must have the same length ({}, {}, {})",
            amps.len(),
            delays.len(),
            durs.len()
        )));
    }
    let pulses = amps
        .iter()
        .zip(&delays)
        .zip(&durs)
        .map(|((&amp, &delay), &dur)| CurrentPulse { amp, delay, dur })
        .collect();
    let section_name = match params.get("section_name") {
        None => "soma".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(Error::BadInput(
                "current_clamp `section_name` must be a string".into(),
            ))
        }
    };
    let section_index = match params.get("section_index") {
        None => 0,
        Some(Value::Array(_)) => {
            return Err(Error::BadInput(
                "current_clamp with a distance-range `section_index` picks an unseeded random segment in BMTK; give an index".into(),
            ))
        }
        Some(v) => v
            .as_u64()
            .and_then(|i| usize::try_from(i).ok())
            .ok_or_else(|| Error::BadInput("current_clamp `section_index` must be a non-negative integer".into()))?,
    };
    let x = match params.get("section_dist") {
        None => 0.5,
        Some(v) => v
            .as_f64()
            .filter(|x| (0.0..=1.0).contains(x))
            .ok_or_else(|| {
                Error::BadInput("current_clamp `section_dist` must be a number in [0, 1]".into())
            })?,
    };
    Ok((
        pulses,
        ClampLocation {
            section_name,
            section_index,
            x,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Section;

    fn params(text: &str) -> Map<String, Value> {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn scalar_and_list_pulses() {
        let (pulses, loc) =
            current_clamp(&params(r#"{"amp": 1.0, "delay": 50.0, "duration": 10.0}"#)).unwrap();
        assert_eq!(
            pulses,
            vec![CurrentPulse {
                amp: 1.0,
                delay: 50.0,
                dur: 10.0
            }]
        );
        assert_eq!(
            loc,
            ClampLocation {
                section_name: "soma".into(),
                section_index: 0,
                x: 0.5
            }
        );
        let (pulses, _) = current_clamp(&params(
            r#"{"amp": [0.1, 0.2], "delay": [0, 100], "duration": [50, 50]}"#,
        ))
        .unwrap();
        assert_eq!(pulses.len(), 2);
        assert_eq!(
            pulses[1],
            CurrentPulse {
                amp: 0.2,
                delay: 100.0,
                dur: 50.0
            }
        );
        assert!(
            current_clamp(&params(r#"{"amp": [0.1, 0.2], "delay": 0, "duration": 5}"#)).is_err()
        );
        assert!(current_clamp(&params(r#"{"amp": 1, "delay": 0}"#)).is_err());
        assert!(current_clamp(&params(
            r#"{"amp": 1, "delay": 0, "duration": 1, "section_index": [0, 100]}"#
        ))
        .is_err());
    }

    #[test]
    fn locations_resolve_on_the_cell() {
        let mut cell = CellDescription::new("c");
        cell.add_section(Section::new("soma[0]"));
        cell.add_section(Section::new("dend[0]"));
        cell.add_section(Section::new("dend[1]"));
        let (_, loc) = current_clamp(&params(
            r#"{"amp": 1, "delay": 0, "duration": 1, "section_name": "dend", "section_index": 1, "section_dist": 0.25}"#,
        ))
        .unwrap();
        assert_eq!(loc.resolve(&cell).unwrap(), 2);
        assert_eq!(loc.x, 0.25);
        let det = spike_detector(&cell, -15.0).unwrap();
        assert_eq!((det.section, det.x, det.threshold), (0, 0.5, -15.0));
        let missing = ClampLocation {
            section_name: "axon".into(),
            section_index: 0,
            x: 0.5,
        };
        assert!(missing.resolve(&cell).is_err());
    }
}
