//! Building a [`Simulation`] from the builder: validate the network, split it into partitions
//! (see `partitioning.rs`), build each partition from a builder that holds only its cells,
//! and record how spikes travel between partitions.

use std::collections::HashMap;

use crate::partition::Partition;
use crate::simulation::{Exchange, Place};
use crate::{Error, Simulation, SimulationBuilder, SpikeDetectorSpec, SpikeSource, Target};

/// What a partition needs to know about sources beyond its own builder.
#[derive(Debug, Default)]
pub(crate) struct PartWiring {
    /// Global source id of each local detector and artificial cell.
    pub detector_gid: Vec<u32>,
    pub artificial_gid: Vec<u32>,
    /// Local point processes that NetCons name as sources, with their global ids.
    pub point_gid: Vec<((usize, usize), u32)>,
    /// Per local NetCon: queued at once (source in this partition) or at the exchange.
    pub immediate: Vec<bool>,
    /// Per local NetCon: its source in local numbering, when local.
    pub local_source: Vec<Option<SpikeSource>>,
    /// Global index of each local cell and artificial cell (keys of the random streams).
    pub global_cell: Vec<usize>,
    pub global_artificial: Vec<usize>,
}

impl SimulationBuilder<'_> {
    pub(crate) fn cell_count(&self) -> usize {
        self.cells.len()
    }

    pub(crate) fn dt_value(&self) -> f64 {
        self.dt
    }

    /// Work estimate of a cell: its segments plus one node per section.
    pub(crate) fn cell_weight(&self, cell: usize) -> usize {
        self.cells[cell]
            .sections
            .iter()
            .map(|s| s.nseg() + 1)
            .sum::<usize>()
            .max(1)
    }

    /// Index errors in detectors and NetCons, reported before any partitioning.
    fn check_network(&self) -> Result<(), Error> {
        let no = |what, index| Error::NoSuchObject { what, index };
        for d in &self.detectors {
            if d.cell >= self.cells.len() {
                return Err(Error::NoSuchCell(d.cell));
            }
        }
        let point = |cell: usize, index: usize| -> Result<(), Error> {
            let c = self.cells.get(cell).ok_or(Error::NoSuchCell(cell))?;
            if index >= c.point_processes.len() {
                return Err(no("point process", index));
            }
            Ok(())
        };
        for nc in &self.netcons {
            match nc.source {
                SpikeSource::Detector(i) if i >= self.detectors.len() => {
                    return Err(no("detector", i))
                }
                SpikeSource::Artificial(i) if i >= self.artificial.len() => {
                    return Err(no("artificial cell", i))
                }
                SpikeSource::PointProcess { cell, index } => point(cell, index)?,
                _ => {}
            }
            match nc.target {
                Some(Target::PointProcess { cell, index }) => point(cell, index)?,
                Some(Target::Artificial(i)) if i >= self.artificial.len() => {
                    return Err(no("artificial cell", i))
                }
                _ => {}
            }
            if nc.delay.is_nan() || nc.delay < 0.0 {
                return Err(Error::InvalidParameter {
                    what: "NetCon delay",
                    value: nc.delay,
                });
            }
        }
        Ok(())
    }

    /// Builds the simulation (not yet initialised: call `finitialize` or `run`).
    pub fn build(&self) -> Result<Simulation, Error> {
        if self.dt.is_nan() || self.dt <= 0.0 {
            return Err(Error::InvalidParameter {
                what: "dt",
                value: self.dt,
            });
        }
        if self.secondorder != 0 && self.secondorder != 2 {
            return Err(Error::InvalidParameter {
                what: "secondorder",
                value: self.secondorder as f64,
            });
        }
        self.check_network()?;
        let layout = self.layout(self.threads, self.partition_target);
        // Global spike sources: detectors, artificial cells, then named point processes.
        let mut sources: Vec<SpikeSource> = (0..self.detectors.len())
            .map(SpikeSource::Detector)
            .chain((0..self.artificial.len()).map(SpikeSource::Artificial))
            .collect();
        let mut gid: HashMap<SpikeSource, u32> = sources
            .iter()
            .enumerate()
            .map(|(i, &s)| (s, i as u32))
            .collect();
        for nc in &self.netcons {
            if let SpikeSource::PointProcess { .. } = nc.source {
                gid.entry(nc.source).or_insert_with(|| {
                    sources.push(nc.source);
                    (sources.len() - 1) as u32
                });
            }
        }
        let parts = layout.cells.len();
        let mut cell_place = vec![Place::default(); self.cells.len()];
        let mut artificial_place = vec![Place::default(); self.artificial.len()];
        for p in 0..parts {
            for (k, &c) in layout.cells[p].iter().enumerate() {
                cell_place[c] = Place::new(p, k);
            }
            for (k, &a) in layout.artificial[p].iter().enumerate() {
                artificial_place[a] = Place::new(p, k);
            }
        }
        let owner_place = |s: SpikeSource| match s {
            SpikeSource::Detector(i) => cell_place[self.detectors[i].cell],
            SpikeSource::Artificial(i) => artificial_place[i],
            SpikeSource::PointProcess { cell, .. } => cell_place[cell],
        };
        let target_place = |t: Target| match t {
            Target::PointProcess { cell, .. } => cell_place[cell],
            Target::Artificial(i) => artificial_place[i],
        };
        let local_source = |s: SpikeSource| match s {
            SpikeSource::Detector(i) => SpikeSource::Detector(
                self.detectors[..i]
                    .iter()
                    .filter(|d| cell_place[d.cell].part == cell_place[self.detectors[i].cell].part)
                    .count(),
            ),
            SpikeSource::Artificial(i) => SpikeSource::Artificial(artificial_place[i].index()),
            SpikeSource::PointProcess { cell, index } => SpikeSource::PointProcess {
                cell: cell_place[cell].index(),
                index,
            },
        };
        let local_target = |t: Target| match t {
            Target::PointProcess { cell, index } => Target::PointProcess {
                cell: cell_place[cell].index(),
                index,
            },
            Target::Artificial(i) => Target::Artificial(artificial_place[i].index()),
        };

        let mut partitions: Vec<Partition> = Vec::with_capacity(parts);
        let mut netcon_place = vec![None; self.netcons.len()];
        let mut fanout: Vec<Vec<(u32, u32)>> = vec![Vec::new(); sources.len()];
        for p in 0..parts {
            let mut sub = SimulationBuilder::new(self.source);
            sub.celsius = self.celsius;
            sub.dt = self.dt;
            sub.v_init = self.v_init;
            sub.secondorder = self.secondorder;
            sub.fast_math = self.fast_math;
            sub.interleave = self.interleave;
            sub.fuse = self.fuse;
            sub.only_cell = self.cells.len() == 1;
            sub.globals = self.globals.clone();
            sub.ion_initial = self.ion_initial.clone();
            sub.cells = layout.cells[p]
                .iter()
                .map(|&c| self.cells[c].clone())
                .collect();
            let mut pw = PartWiring {
                global_cell: layout.cells[p].clone(),
                global_artificial: layout.artificial[p].clone(),
                ..PartWiring::default()
            };
            for (k, &a) in layout.artificial[p].iter().enumerate() {
                sub.artificial.push(self.artificial[a].clone());
                if let Some(times) = self.event_times.get(&a) {
                    sub.event_times.insert(k, times.clone());
                }
                pw.artificial_gid.push(gid[&SpikeSource::Artificial(a)]);
            }
            for (i, d) in self.detectors.iter().enumerate() {
                if cell_place[d.cell].part == p as u32 {
                    sub.detectors.push(SpikeDetectorSpec {
                        cell: cell_place[d.cell].index(),
                        ..d.clone()
                    });
                    pw.detector_gid.push(gid[&SpikeSource::Detector(i)]);
                }
            }
            for (&s, &g) in &gid {
                if let SpikeSource::PointProcess { cell, index } = s {
                    if cell_place[cell].part == p as u32 {
                        pw.point_gid.push(((cell_place[cell].index(), index), g));
                    }
                }
            }
            pw.point_gid.sort_unstable();
            for (n, nc) in self.netcons.iter().enumerate() {
                let Some(target) = nc.target else { continue };
                if target_place(target).part != p as u32 {
                    continue;
                }
                let local = sub.netcons.len() as u32;
                netcon_place[n] = Some(Place::new(p, local as usize));
                let same = owner_place(nc.source).part == p as u32;
                pw.immediate.push(layout.immediate[n]);
                pw.local_source.push(same.then(|| local_source(nc.source)));
                if !layout.immediate[n] {
                    fanout[gid[&nc.source] as usize].push((p as u32, local));
                }
                sub.netcons.push(crate::NetConSpec {
                    source: nc.source,
                    target: Some(local_target(target)),
                    delay: nc.delay,
                    weights: nc.weights.clone(),
                });
            }
            let mut part = sub.build_partition(&pw)?;
            part.reserve_rows(layout.interval);
            partitions.push(part);
        }
        let spare_weights = self
            .netcons
            .iter()
            .map(|nc| {
                if nc.weights.is_empty() {
                    vec![0.0]
                } else {
                    nc.weights.clone()
                }
            })
            .collect();
        Ok(Simulation::assemble(
            partitions,
            layout.interval,
            layout.workers,
            self.v_init,
            Exchange::new(sources, fanout),
            cell_place,
            artificial_place,
            netcon_place,
            spare_weights,
            self.threads,
            self.cell_split,
        ))
    }
}
