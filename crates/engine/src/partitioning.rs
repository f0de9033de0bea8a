//! Splitting a network into partitions that integrate independently between spike exchanges.
//!
//! As NEURON's `ParallelContext`, partitions exchange spikes every *interval* of m steps: a
//! spike detected during an interval reaches other partitions only through NetCons whose delay
//! is at least the interval, so its events are due after the interval ends. With the first
//! step of an interval at t₀, every spike of the interval is stamped after t₀ and the last
//! delivery inside the interval takes events up to t₀ + m·dt, so NetCons with
//!
//! delay ≥ m·dt + 10⁻⁹ ms
//!
//! are *exchanged*; shorter ones (the zero-delay NetCons of a half-centre pair among them) are
//! *immediate*, and their source and target must share a partition. Owners (cells and
//! artificial cells) joined by immediate NetCons form components; components are spread over
//! the partitions by size. m depends only on the network and dt, never on the thread count,
//! and exchanged events are queued in the same order whatever the partitioning, so results do
//! not depend on the number of threads.
//!
//! # Cache blocking
//!
//! Partitions are also the unit of *temporal blocking*. Integrating a whole network step by
//! step streams every node array and every mechanism's storage through the caches once per
//! step, so large networks run at memory speed. Instead, each partition is advanced through
//! the whole interval (m steps) before the next one starts: a partition small enough to stay
//! in a core's L2 cache then reads main memory once per interval, not once per step. The
//! number of partitions is therefore
//!
//! P = threads · ⌈⌈N / target⌉ / threads⌉
//!
//! (a multiple of the thread count, so that the threads get equal shares) where N counts
//! compartments (nodes) and `target` is [`SimulationBuilder::partition_target_compartments`],
//! capped by the number of components, which are never split. The default target, 2048,
//! was the fastest of 128…8192 on busyring (1024 cells of ~320 compartments, mostly passive:
//! ~150 B per compartment, so ~300 kB per partition, within a 1 MiB L2) and on mc-net100;
//! larger partitions also give the Hines solve more independent branches to interleave. The partitions are then dealt to the threads, largest first onto the least
//! loaded thread; each thread integrates its fixed list of partitions in ascending order every
//! interval (one thread: all partitions in order). Since partitions only meet at exchanges,
//! neither the blocking nor the dealing can change a result bit.

use crate::{SimulationBuilder, SpikeSource, Target};

/// Longest interval, in steps (bounds the recording buffers and the exchange latency).
pub(crate) const MAX_INTERVAL: usize = 500;

/// Default cache block: compartments per partition (see the module docs).
pub(crate) const DEFAULT_TARGET_COMPARTMENTS: usize = 2048;

/// Margin by which an exchanged delay must exceed the interval (covers t's accumulation error).
const MARGIN: f64 = 1e-9;

/// The partitioning of a network.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// Steps per exchange interval.
    pub interval: usize,
    /// Per NetCon: whether its events are queued at once (same partition) rather than at the
    /// next exchange.
    pub immediate: Vec<bool>,
    /// Per partition: its cells and artificial cells (global indices, ascending).
    pub cells: Vec<Vec<usize>>,
    pub artificial: Vec<Vec<usize>>,
    /// Per thread: the partitions it integrates, ascending.
    pub workers: Vec<Vec<usize>>,
}

/// Longest-processing-time assignment: items (by weight, heaviest first, ties by index) onto
/// the least loaded of `bins` bins (ties: lowest bin). Deterministic.
fn deal(weights: &[usize], items: &mut [usize], bins: usize) -> Vec<usize> {
    items.sort_by_key(|&r| (std::cmp::Reverse(weights[r]), r));
    let mut load = vec![0usize; bins];
    let mut bin_of = vec![usize::MAX; weights.len()];
    for &r in items.iter() {
        let b = (0..bins).min_by_key(|&b| (load[b], b)).unwrap_or(0);
        load[b] += weights[r];
        bin_of[r] = b;
    }
    bin_of
}

/// Union–find over owners.
struct Components(Vec<usize>);

impl Components {
    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }
    fn join(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        // The smaller root wins, so components do not depend on the order of joins.
        let (lo, hi) = (a.min(b), a.max(b));
        self.0[hi] = lo;
    }
}

impl SimulationBuilder<'_> {
    /// Owner index of a spike source: cells first, then artificial cells.
    fn source_owner(&self, s: SpikeSource) -> Option<usize> {
        match s {
            SpikeSource::Detector(i) => self.detectors.get(i).map(|d| d.cell),
            SpikeSource::Artificial(i) => Some(self.cell_count() + i),
            SpikeSource::PointProcess { cell, .. } => Some(cell),
        }
    }

    fn target_owner(&self, t: Target) -> usize {
        match t {
            Target::PointProcess { cell, .. } => cell,
            Target::Artificial(i) => self.cell_count() + i,
        }
    }

    /// Splits the network into partitions of about `target` compartments (at least `threads`
    /// of them, at most one per component) and deals them to `threads` threads.
    pub(crate) fn layout(&self, threads: usize, target: usize) -> Layout {
        let dt = self.dt_value();
        let exchangeable = |delay: f64| delay >= dt + MARGIN;
        let min_delay = self
            .netcons
            .iter()
            .filter(|nc| nc.target.is_some() && exchangeable(nc.delay))
            .map(|nc| nc.delay)
            .fold(f64::INFINITY, f64::min);
        let interval = if min_delay.is_finite() {
            (((min_delay - MARGIN) / dt).floor() as usize).clamp(1, MAX_INTERVAL)
        } else {
            MAX_INTERVAL
        };
        let step_span = interval as f64 * dt + MARGIN;
        let immediate: Vec<bool> = self
            .netcons
            .iter()
            .map(|nc| nc.target.is_some() && nc.delay < step_span)
            .collect();
        let n_cells = self.cell_count();
        let owners = n_cells + self.artificial.len();
        let mut comp = Components((0..owners).collect());
        for (nc, &imm) in self.netcons.iter().zip(&immediate) {
            if !imm {
                continue;
            }
            if let (Some(s), Some(t)) = (self.source_owner(nc.source), nc.target) {
                let t = self.target_owner(t);
                if s < owners && t < owners {
                    comp.join(s, t);
                }
            }
        }
        // Component sizes (nodes for cells, 1 for artificial cells), keyed by root.
        let mut size = vec![0usize; owners];
        for o in 0..owners {
            let w = if o < n_cells { self.cell_weight(o) } else { 1 };
            let r = comp.find(o);
            size[r] += w;
        }
        let mut roots: Vec<usize> = (0..owners).filter(|&o| comp.find(o) == o).collect();
        let total: usize = roots.iter().map(|&r| size[r]).sum();
        let threads = threads.max(1);
        let blocks = total.div_ceil(target.max(1));
        // Components without a cell (stimulus generators) never get a partition of their own:
        // a single cell with its inputs stays one partition, whose kernels the threads can
        // then share out (`split.rs`).
        let mut has_cell = vec![false; owners];
        (0..n_cells).for_each(|c| has_cell[comp.find(c)] = true);
        let cell_roots = roots.iter().filter(|&&r| has_cell[r]).count();
        let parts = (blocks.div_ceil(threads) * threads).clamp(1, cell_roots.max(1));
        let part_of_root = deal(&size, &mut roots, parts);
        let mut cells = vec![Vec::new(); parts];
        let mut artificial = vec![Vec::new(); parts];
        for o in 0..owners {
            let p = part_of_root[comp.find(o)];
            if o < n_cells {
                cells[p].push(o);
            } else {
                artificial[p].push(o - n_cells);
            }
        }
        let mut part_load = vec![0usize; parts];
        for &r in &roots {
            part_load[part_of_root[r]] += size[r];
        }
        let n_workers = threads.clamp(1, parts);
        let mut order: Vec<usize> = (0..parts).collect();
        let worker_of = deal(&part_load, &mut order, n_workers);
        let mut workers = vec![Vec::new(); n_workers];
        for (p, &w) in worker_of.iter().enumerate() {
            workers[w].push(p);
        }
        Layout {
            interval,
            immediate,
            cells,
            artificial,
            workers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_join_to_the_smallest_root() {
        let mut c = Components((0..5).collect());
        c.join(3, 1);
        c.join(4, 3);
        assert_eq!(c.find(4), 1);
        assert_eq!(c.find(0), 0);
    }
}
