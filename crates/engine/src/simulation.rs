//! The runtime: partitions integrated side by side, exchanging spikes at the end of every
//! interval as NEURON's `ParallelContext` does. Each thread owns a fixed list of partitions
//! and advances them one after the other through the whole interval, so each partition's
//! state stays in cache for the interval's m steps (see `partitioning.rs`). At an exchange, the spikes of all partitions are sorted by (time, source id) and
//! their exchanged NetCons queue events in that order, whatever the number of threads, so
//! runs with 1 and N threads give identical traces and spikes.

mod threads;

use crate::CellSplit;
use std::sync::Mutex;

use mech::IonStore;

use crate::partition::Partition;
use crate::{Discretization, Error, Probe, ProbeLocation, RecordSink, SpikeSink, SpikeSource};

/// Where an object lives: partition and index within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Place {
    pub part: u32,
    pub index: u32,
}

impl Default for Place {
    fn default() -> Self {
        Place {
            part: u32::MAX,
            index: u32::MAX,
        }
    }
}

impl Place {
    pub fn new(part: usize, index: usize) -> Self {
        Place {
            part: part as u32,
            index: index as u32,
        }
    }
    pub fn index(self) -> usize {
        self.index as usize
    }
}

/// Spike routing between partitions.
#[derive(Debug)]
pub(crate) struct Exchange {
    /// Public identity of every global source id.
    sources: Vec<SpikeSource>,
    /// Per global source: exchanged NetCons as (partition, local NetCon), in creation order.
    fanout: Vec<Vec<(u32, u32)>>,
    /// Spikes (time, source id) of the interval being exchanged.
    spikes: Vec<(f64, u32)>,
    /// Spikes exchanged but not yet handed to a sink.
    pending: Vec<(SpikeSource, f64)>,
}

impl Exchange {
    pub fn new(sources: Vec<SpikeSource>, fanout: Vec<Vec<(u32, u32)>>) -> Self {
        Exchange {
            sources,
            fanout,
            spikes: Vec::with_capacity(1024),
            pending: Vec::with_capacity(1024),
        }
    }

    /// Collects every partition's spikes, sorts them and queues their exchanged events.
    fn run<P: PartitionRef>(&mut self, parts: &mut [P]) {
        for p in parts.iter_mut() {
            p.part_mut().take_spikes(&mut self.spikes);
        }
        self.spikes
            .sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for &(t, s) in &self.spikes {
            self.pending.push((self.sources[s as usize], t));
            for &(p, nc) in &self.fanout[s as usize] {
                parts[p as usize].part_mut().queue_netcon(nc, t);
            }
        }
        self.spikes.clear();
    }
}

/// Locks a partition; a panic in another thread does not poison the run's bookkeeping.
fn lock(c: &Mutex<Partition>) -> std::sync::MutexGuard<'_, Partition> {
    c.lock().unwrap_or_else(|e| e.into_inner())
}

/// A partition, owned or behind a lock guard.
trait PartitionRef {
    fn part(&self) -> &Partition;
    fn part_mut(&mut self) -> &mut Partition;
}

impl PartitionRef for Partition {
    fn part(&self) -> &Partition {
        self
    }
    fn part_mut(&mut self) -> &mut Partition {
        self
    }
}

impl PartitionRef for std::sync::MutexGuard<'_, Partition> {
    fn part(&self) -> &Partition {
        self
    }
    fn part_mut(&mut self) -> &mut Partition {
        self
    }
}

/// Emits rows `0..n` of the partitions' buffers as steps `first..first + n`.
fn emit_rows<P: PartitionRef>(
    parts: &[P],
    places: &[Place],
    samples: &mut [f64],
    first: usize,
    n: usize,
    records: &mut dyn RecordSink,
) {
    for k in 0..n {
        for (slot, pl) in samples.iter_mut().zip(places) {
            let p = parts[pl.part as usize].part();
            *slot = p.rows[k * p.samples.len() + pl.index()];
        }
        records.record(first + k, parts[0].part().row_t[k], samples);
    }
}

/// A running simulation: owns all state.
pub struct Simulation {
    parts: Vec<Partition>,
    interval: usize,
    /// Per thread: the partitions it integrates every interval, ascending.
    workers: Vec<Vec<usize>>,
    v_init: f64,
    exchange: Exchange,
    cell_place: Vec<Place>,
    artificial_place: Vec<Place>,
    netcon_place: Vec<Option<Place>>,
    /// Weight vectors of NetCons without a target.
    spare_weights: Vec<Vec<f64>>,
    /// Per probe: (partition, index among the partition's probes).
    probe_place: Vec<Place>,
    samples: Vec<f64>,
    /// Threads the run may use; with a single partition they share out its kernels
    /// (see [`crate::split`]).
    threads: usize,
    cell_split: CellSplit,
    /// Steps run with the kernels shared out since the simulation was built.
    shared_steps: usize,
    /// Steps run by `run`/`continue_run` since the simulation was built.
    run_steps: usize,
    /// The last shared-out run split the cell's path at both ends, with the helper free
    /// between steps or not (`crate::split_twisted`).
    two_ended: Option<TwoEnded>,
}

/// How a run split a cable's two ends between two threads (see [`Simulation::two_ended`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoEnded {
    /// The helper ran whole chunks of steps paced only by the solve (every spike detector,
    /// NetCon target and probe on the calling thread's end), rather than each step commanded.
    pub free: bool,
    /// The calling thread owned the far (lower) end of the path rather than the root's.
    pub lower: bool,
}

impl Simulation {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn assemble(
        parts: Vec<Partition>,
        interval: usize,
        workers: Vec<Vec<usize>>,
        v_init: f64,
        exchange: Exchange,
        cell_place: Vec<Place>,
        artificial_place: Vec<Place>,
        netcon_place: Vec<Option<Place>>,
        spare_weights: Vec<Vec<f64>>,
        threads: usize,
        cell_split: CellSplit,
    ) -> Self {
        Simulation {
            parts,
            interval,
            workers,
            v_init,
            exchange,
            cell_place,
            artificial_place,
            netcon_place,
            spare_weights,
            probe_place: Vec::new(),
            samples: Vec::new(),
            threads,
            cell_split,
            shared_steps: 0,
            run_steps: 0,
            two_ended: None,
        }
    }

    /// Steps run so far with the kernels shared out among threads (intra-cell threading, see
    /// [`crate::SimulationBuilder::cell_split`]), and all steps run by `run`/`continue_run`.
    pub fn split_steps(&self) -> (usize, usize) {
        (self.shared_steps, self.run_steps)
    }

    /// Whether the last run that shared its steps out gave each of two threads one end of the
    /// cell's unbranched path, solve included (fast-math; see
    /// [`crate::SimulationBuilder::cell_split`]), and how; None if not.
    pub fn two_ended(&self) -> Option<TwoEnded> {
        self.two_ended
    }

    /// Kernel fusion in the last run (see [`crate::SimulationBuilder::fuse_mechanisms`]):
    /// fused groups and the mechanism sets in them, summed over the partitions.
    pub fn fused_kernels(&self) -> (usize, usize) {
        self.parts
            .iter()
            .fold((0, 0), |(g, s), p| (g + p.fused.0, s + p.fused.1))
    }

    /// Current time (accumulated in half steps, as NEURON does).
    pub fn t(&self) -> f64 {
        self.parts[0].t()
    }

    /// Time step.
    pub fn dt(&self) -> f64 {
        self.parts[0].dt()
    }

    /// Number of partitions (groups of cells integrated independently between exchanges).
    pub fn partitions(&self) -> usize {
        self.parts.len()
    }

    /// Worker threads the partitions are dealt to.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Steps between spike exchanges.
    pub fn exchange_interval(&self) -> usize {
        self.interval
    }

    /// Membrane potential of every node of the first partition (of all cells when there is
    /// one partition: one thread and no cache blocking, or a single cell), in the partition's
    /// node order: NEURON's, except that cells of one tree shape are interleaved (see
    /// [`crate::SimulationBuilder::interleave_cells`]). For any cell of a network use
    /// [`Simulation::v_at`].
    pub fn v(&self) -> &[f64] {
        self.parts[0].v()
    }

    /// Membrane potential at position `x` of section `section` of cell `cell` (the builder's
    /// cell numbering), whichever partition holds the cell.
    pub fn v_at(&self, cell: usize, section: usize, x: f64) -> Result<f64, Error> {
        let pl = *self.cell_place.get(cell).ok_or(Error::NoSuchCell(cell))?;
        let part = &self.parts[pl.part as usize];
        let node = part.discretization().node_at(pl.index(), section, x)?;
        Ok(part.v()[node as usize])
    }

    /// The node layout of the first partition.
    pub fn discretization(&self) -> &Discretization {
        self.parts[0].discretization()
    }

    /// The ions of the first partition.
    pub fn ions(&self) -> &IonStore {
        self.parts[0].ions()
    }

    /// Names of the first partition's mechanism sets in execution (`memb_order_`) order.
    pub fn mechanism_order(&self) -> &[String] {
        self.parts[0].mechanism_order()
    }

    /// Current value of a global of `mechanism` (`minf` of `hhtab`, `usetable` …), from the
    /// first partition that uses the mechanism.
    pub fn global(&self, mechanism: &str, name: &str) -> Option<f64> {
        self.parts.iter().find_map(|p| p.global(mechanism, name))
    }

    /// The weight vector of NetCon `netcon` (slot 0 the weight, then NET_RECEIVE's extra
    /// arguments as the run left them).
    pub fn netcon_weights(&self, netcon: usize) -> &[f64] {
        match self.netcon_place.get(netcon).copied().flatten() {
            Some(pl) => self.parts[pl.part as usize].netcon_weights(pl.index()),
            None => &self.spare_weights[netcon],
        }
    }

    /// NEURON's `finitialize(v_init)` in every partition, then a spike exchange.
    pub fn finitialize(&mut self, v_init: f64) {
        for p in &mut self.parts {
            p.finitialize(v_init, false);
        }
        self.exchange_spikes();
    }

    /// One fixed step of every partition, then a spike exchange.
    pub fn fadvance(&mut self) {
        for p in &mut self.parts {
            p.advance(1, false);
        }
        self.exchange_spikes();
    }

    fn exchange_spikes(&mut self) {
        self.exchange.run(&mut self.parts);
    }

    /// Hands spikes exchanged since the last call to `sink`, in (time, source) order.
    pub fn drain_spikes(&mut self, sink: &mut dyn SpikeSink) {
        for (source, t) in self.exchange.pending.drain(..) {
            sink.spike(source, t);
        }
    }

    /// Resolves `probes`; later samples follow their order.
    pub fn set_probes(&mut self, probes: &[Probe]) -> Result<(), Error> {
        let mut local: Vec<Vec<Probe>> = vec![Vec::new(); self.parts.len()];
        let mut places = Vec::with_capacity(probes.len());
        for probe in probes {
            let (place, location) = match probe.location {
                ProbeLocation::Segment { cell, section, x } => {
                    let pl = *self.cell_place.get(cell).ok_or(Error::NoSuchCell(cell))?;
                    let cell = pl.index();
                    (pl, ProbeLocation::Segment { cell, section, x })
                }
                ProbeLocation::PointProcess { cell, index } => {
                    let pl = *self.cell_place.get(cell).ok_or(Error::NoSuchCell(cell))?;
                    let cell = pl.index();
                    (pl, ProbeLocation::PointProcess { cell, index })
                }
                ProbeLocation::Artificial(i) => {
                    let pl = *self.artificial_place.get(i).ok_or(Error::NoSuchObject {
                        what: "artificial cell",
                        index: i,
                    })?;
                    (pl, ProbeLocation::Artificial(pl.index()))
                }
            };
            let list = &mut local[place.part as usize];
            places.push(Place::new(place.part as usize, list.len()));
            list.push(Probe {
                location,
                variable: probe.variable.clone(),
            });
        }
        for (p, list) in self.parts.iter_mut().zip(&local) {
            p.set_probes(list)?;
        }
        self.probe_place = places;
        self.samples = vec![0.0; probes.len()];
        Ok(())
    }

    /// Current values of the probes.
    pub fn sample(&mut self) -> &[f64] {
        for p in &mut self.parts {
            p.sample();
        }
        for (slot, pl) in self.samples.iter_mut().zip(&self.probe_place) {
            *slot = self.parts[pl.part as usize].samples[pl.index()];
        }
        &self.samples
    }

    /// `run()` of stdrun: `finitialize(v_init)`, then `fadvance` while t < tstop − dt/2.
    /// Rows go to `records` after finitialize and after every step; returns the step count.
    pub fn run(
        &mut self,
        tstop: f64,
        records: &mut dyn RecordSink,
        spikes: &mut dyn SpikeSink,
    ) -> usize {
        for p in &mut self.parts {
            p.finitialize(self.v_init, true);
        }
        emit_rows(
            &self.parts,
            &self.probe_place,
            &mut self.samples,
            0,
            1,
            records,
        );
        self.exchange_spikes();
        self.drain_spikes(spikes);
        self.continue_run(tstop, 0, records, spikes)
    }

    /// Steps `stdrun`'s `continuerun(tstop)` takes from the current t (t accumulated in half
    /// steps exactly as `fadvance` does).
    fn steps_until(&self, tstop: f64) -> usize {
        let dt = self.dt();
        let mut t = self.t();
        let mut n = 0;
        while t < tstop - 0.5 * dt {
            t += 0.5 * dt;
            t += 0.5 * dt;
            n += 1;
        }
        n
    }

    /// `continuerun(tstop)`: steps from the current state, exchanging spikes every interval;
    /// `first_step` numbers the rows. Returns the number of the last step.
    pub fn continue_run(
        &mut self,
        tstop: f64,
        first_step: usize,
        records: &mut dyn RecordSink,
        spikes: &mut dyn SpikeSink,
    ) -> usize {
        let total = self.steps_until(tstop);
        let shares = match self.parts.as_mut_slice() {
            [only] if self.threads > 1 && total > 0 && self.cell_split != CellSplit::Never => {
                crate::split::shares(only, self.threads)
            }
            _ => None,
        };
        self.run_steps += total;
        // Nothing outside the steps touches the partitions until this run ends.
        for p in &mut self.parts {
            p.prepare_kernels();
        }
        if self.workers.len() > 1 {
            self.run_threaded(total, first_step, records, spikes);
        } else if let Some(shares) = shares {
            self.run_split(total, first_step, shares, records, spikes);
        } else {
            let mut done = 0;
            while done < total {
                let n = self.interval.min(total - done);
                for p in &mut self.parts {
                    p.advance(n, true);
                }
                self.finish_interval(first_step + done + 1, n, records, spikes);
                done += n;
            }
        }
        for p in &mut self.parts {
            p.release_kernels();
        }
        first_step + total
    }

    fn finish_interval(
        &mut self,
        first: usize,
        n: usize,
        records: &mut dyn RecordSink,
        spikes: &mut dyn SpikeSink,
    ) {
        emit_rows(
            &self.parts,
            &self.probe_place,
            &mut self.samples,
            first,
            n,
            records,
        );
        self.exchange_spikes();
        self.drain_spikes(spikes);
    }
}
