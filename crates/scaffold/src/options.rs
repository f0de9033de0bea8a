//! Options of `bmtk new bionet`, defaulting to BMTK 1.2.0's `sim_setup` values.

use crate::Error;

/// What to do with a generated file that already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overwrite {
    /// Leave existing files alone (the default; reported in [`crate::Outcome::kept`]).
    #[default]
    Keep,
    /// Regenerate the files this crate writes (`--force`). User-added files are still never
    /// touched or deleted.
    Force,
}

/// A somatic current clamp, written as the `inputs.current_clamp` entry (module `IClamp`).
#[derive(Debug, Clone, PartialEq)]
pub struct IClamp {
    /// Amplitude in nA.
    pub amp: f64,
    /// Onset in ms.
    pub delay: f64,
    /// Duration in ms.
    pub duration: f64,
    /// Node set receiving it, e.g. `"all"`.
    pub node_set: String,
}

/// Everything `bmtk new bionet` can set. [`Default`] gives BMTK's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOptions {
    /// Start time (ms).
    pub tstart: f64,
    /// Stop time (ms).
    pub tstop: f64,
    /// Time step (ms).
    pub dt: f64,
    /// Maximum segment length for BMTK's re-segmentation (µm).
    pub dl: f64,
    /// Spike detection threshold at the soma (mV).
    pub spike_threshold: f64,
    /// Steps between progress/report flushes.
    pub nsteps_block: u64,
    /// Initial membrane potential (mV).
    pub v_init: f64,
    /// Temperature (°C).
    pub celsius: f64,
    /// Optional current clamp.
    pub iclamp: Option<IClamp>,
    /// Variables for one `membrane_report` (file `cell_vars.h5`, sections `soma`); empty = none.
    pub reports: Vec<String>,
    /// Node set the report records from.
    pub report_cells: String,
    /// Network folder, relative to the model directory or absolute.
    pub network_dir: String,
    /// Components folder, relative to the model directory.
    pub components_dir: String,
    /// Policy for generated files that already exist.
    pub overwrite: Overwrite,
}

impl Default for NewOptions {
    fn default() -> Self {
        NewOptions {
            tstart: 0.0,
            tstop: 1000.0,
            dt: 0.001,
            dl: 20.0,
            spike_threshold: -15.0,
            nsteps_block: 5000,
            v_init: -80.0,
            celsius: 34.0,
            iclamp: None,
            reports: Vec::new(),
            report_cells: "all".to_string(),
            network_dir: "network".to_string(),
            components_dir: "components".to_string(),
            overwrite: Overwrite::Keep,
        }
    }
}

fn finite(option: &'static str, value: f64) -> Result<(), Error> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidOption {
            option,
            reason: format!("expected a finite number, got {value}"),
        })
    }
}

fn non_empty(option: &'static str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        Err(Error::InvalidOption {
            option,
            reason: "expected a non-empty name".to_string(),
        })
    } else {
        Ok(())
    }
}

impl NewOptions {
    /// Checks ranges so that a generated config is one `bmtk run` accepts.
    pub fn validate(&self) -> Result<(), Error> {
        for (name, value) in [
            ("tstart", self.tstart),
            ("tstop", self.tstop),
            ("dt", self.dt),
            ("dl", self.dl),
            ("spike_threshold", self.spike_threshold),
            ("v_init", self.v_init),
            ("celsius", self.celsius),
        ] {
            finite(name, value)?;
        }
        let positive = |option, value: f64| {
            if value > 0.0 {
                Ok(())
            } else {
                Err(Error::InvalidOption {
                    option,
                    reason: format!("expected a value > 0, got {value}"),
                })
            }
        };
        positive("dt", self.dt)?;
        positive("dl", self.dl)?;
        if self.tstop < self.tstart {
            return Err(Error::InvalidOption {
                option: "tstop",
                reason: format!("tstop {} is before tstart {}", self.tstop, self.tstart),
            });
        }
        if self.nsteps_block == 0 {
            return Err(Error::InvalidOption {
                option: "nsteps_block",
                reason: "expected at least 1".to_string(),
            });
        }
        if let Some(clamp) = &self.iclamp {
            finite("iclamp.amp", clamp.amp)?;
            finite("iclamp.delay", clamp.delay)?;
            finite("iclamp.duration", clamp.duration)?;
            if clamp.delay < 0.0 || clamp.duration < 0.0 {
                return Err(Error::InvalidOption {
                    option: "iclamp",
                    reason: "delay and duration must be >= 0".to_string(),
                });
            }
            non_empty("iclamp.node_set", &clamp.node_set)?;
        }
        for variable in &self.reports {
            non_empty("reports", variable)?;
        }
        non_empty("report_cells", &self.report_cells)?;
        non_empty("network_dir", &self.network_dir)?;
        non_empty("components_dir", &self.components_dir)?;
        Ok(())
    }
}
