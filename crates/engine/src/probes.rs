//! Recording: probes name what to sample, sinks receive the samples and the spikes.
//!
//! Probes are resolved once, before the run, to a direct place (a node, an ion entry or a
//! mechanism field of one instance); during the run the engine fills a preallocated buffer
//! and hands it to the [`RecordSink`], so nothing allocates inside the time loop.

use nmodl::ir::IonVar;

use crate::SpikeSource;

/// Where a probe looks.
#[derive(Debug, Clone, PartialEq)]
pub enum ProbeLocation {
    /// Position `x` of section `section` of cell `cell` (NEURON's `sec(x)`).
    Segment { cell: usize, section: usize, x: f64 },
    /// A point process of a cell (index into `CellDescription::point_processes`).
    PointProcess { cell: usize, index: usize },
    /// An artificial cell.
    Artificial(usize),
}

/// One recorded quantity: `v`, an ion variable (`cai`, `ik`, `ena`), a density mechanism's
/// range variable (`m_hh`, `gbar_na`), `diam`, `area`, `cm`, or a field of a point process or
/// artificial cell (`i`, `g`, `A`).
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub location: ProbeLocation,
    pub variable: String,
}

impl Probe {
    /// A probe at a segment.
    pub fn segment(cell: usize, section: usize, x: f64, variable: &str) -> Self {
        Probe {
            location: ProbeLocation::Segment { cell, section, x },
            variable: variable.to_string(),
        }
    }

    /// A probe on a point process.
    pub fn point_process(cell: usize, index: usize, variable: &str) -> Self {
        Probe {
            location: ProbeLocation::PointProcess { cell, index },
            variable: variable.to_string(),
        }
    }
}

/// Receives one row of samples per recorded time: row k is the state at t = k·dt, row 0 the
/// state after `finitialize`. `values` follows the order of the probes.
pub trait RecordSink {
    fn record(&mut self, step: usize, t: f64, values: &[f64]);
}

/// Receives spikes: threshold crossings of detectors and `net_event`s.
pub trait SpikeSink {
    fn spike(&mut self, source: SpikeSource, t: f64);
}

/// A [`RecordSink`] that keeps everything in memory: `t` and one column per probe.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VecRecorder {
    pub t: Vec<f64>,
    pub columns: Vec<Vec<f64>>,
}

impl RecordSink for VecRecorder {
    fn record(&mut self, _step: usize, t: f64, values: &[f64]) {
        if self.columns.len() < values.len() {
            self.columns.resize(values.len(), Vec::new());
        }
        self.t.push(t);
        for (column, &v) in self.columns.iter_mut().zip(values) {
            column.push(v);
        }
    }
}

/// A [`SpikeSink`] that keeps every spike in memory, in emission order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VecSpikes {
    pub spikes: Vec<(SpikeSource, f64)>,
}

impl VecSpikes {
    /// Spike times of one source.
    pub fn times(&self, source: SpikeSource) -> Vec<f64> {
        self.spikes
            .iter()
            .filter(|(s, _)| *s == source)
            .map(|&(_, t)| t)
            .collect()
    }
}

impl SpikeSink for VecSpikes {
    fn spike(&mut self, source: SpikeSource, t: f64) {
        self.spikes.push((source, t));
    }
}

/// A probe resolved to its storage.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Resolved {
    Voltage(u32),
    Ion {
        ion: u32,
        var: IonVar,
        index: u32,
    },
    Field {
        set: u32,
        field: String,
        index: u32,
    },
    /// A mechanism GLOBAL (the last value any instance computed, as NEURON shows it).
    Global {
        set: u32,
        name: String,
    },
    Diam(u32),
    Area(u32),
    Cm(u32),
}
