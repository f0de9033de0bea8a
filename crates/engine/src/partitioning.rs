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

use crate::{SimulationBuilder, SpikeSource, Target};

/// Longest interval, in steps (bounds the recording buffers and the exchange latency).
pub(crate) const MAX_INTERVAL: usize = 500;

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

    /// Splits the network into at most `threads` partitions.
    pub(crate) fn layout(&self, threads: usize) -> Layout {
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
        let parts = threads.clamp(1, roots.len().max(1));
        // Largest first onto the least loaded partition (ties: lowest index).
        roots.sort_by_key(|&r| (std::cmp::Reverse(size[r]), r));
        let mut load = vec![0usize; parts];
        let mut part_of_root = vec![usize::MAX; owners];
        for &r in &roots {
            let p = (0..parts).min_by_key(|&p| (load[p], p)).unwrap_or(0);
            load[p] += size[r];
            part_of_root[r] = p;
        }
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
        Layout {
            interval,
            immediate,
            cells,
            artificial,
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
