//! The threaded loops of [`Simulation`]: partitions dealt to worker threads
//! (`run_threaded`), and a single partition's kernels shared out among threads
//! (`run_split`, see `crate::split`).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use super::{emit_rows, lock, Simulation};
use crate::partition::{Crewed, Partition, Twosome};
use crate::split::{spin_until, Chooser, Crew, Share};
use crate::split_twisted::{Halves, Nodes, TwistCrew};

/// A barrier for `n` threads that spins before it naps ([`spin_until`]): the workers of
/// [`Simulation::run_threaded`] meet twice per exchange interval, a fraction of a millisecond
/// apart, and a sleeping barrier's wake-up (a futex round trip through the scheduler) cost
/// about a tenth of a 100-cell run on two threads.
struct SpinBarrier {
    n: usize,
    arrived: AtomicUsize,
    generation: AtomicUsize,
}

impl SpinBarrier {
    fn new(n: usize) -> Self {
        SpinBarrier {
            n,
            arrived: AtomicUsize::new(0),
            generation: AtomicUsize::new(0),
        }
    }

    /// Returns once all `n` threads have called it (for this generation).
    fn wait(&self) {
        let generation = self.generation.load(Ordering::Acquire);
        if self.arrived.fetch_add(1, Ordering::AcqRel) + 1 == self.n {
            // Reset before the release, so that no thread of the next generation counts in
            // the old one.
            self.arrived.store(0, Ordering::Relaxed);
            self.generation.fetch_add(1, Ordering::Release);
        } else {
            spin_until(|| self.generation.load(Ordering::Acquire) != generation);
        }
    }
}

/// Stops a [`TwistCrew`]'s helper when dropped (however the calling thread leaves the scope).
struct StopTwisted<'a>(&'a TwistCrew);

impl Drop for StopTwisted<'_> {
    fn drop(&mut self) {
        self.0.stop();
    }
}
use crate::{CellSplit, RecordSink, SpikeSink};

impl Simulation {
    /// The single partition's steps shared with scoped helper threads: a path's two ends on
    /// two threads when it can (fast-math backward Euler, see `crate::split_twisted`), else the
    /// kernel phases by node range, one share per thread, the first for the calling thread.
    pub(super) fn run_split(
        &mut self,
        total: usize,
        first_step: usize,
        mut shares: Vec<Share>,
        records: &mut dyn RecordSink,
        spikes: &mut dyn SpikeSink,
    ) {
        let halves = self.twisted_halves(&shares);
        let mirrored = halves.as_ref().is_some_and(|h| h.mirrored);
        let mut own = shares.remove(usize::from(mirrored));
        if let Some(halves) = halves {
            let helper = shares.remove(0);
            let crew = TwistCrew::new();
            let nodes = Nodes::of(&mut self.parts[0]);
            let free = self.parts[0].twisted_free(halves.twist(), mirrored);
            self.two_ended = Some(crate::simulation::TwoEnded {
                free,
                lower: mirrored,
            });
            let mut next_step = 1;
            std::thread::scope(|scope| {
                let (c, h) = (&crew, &halves);
                scope.spawn(move || c.serve(helper, h, nodes));
                let _stop = StopTwisted(&crew);
                self.split_loop(total, first_step, records, spikes, |part, rows, split| {
                    let two = Twosome {
                        crew: &crew,
                        own: &mut own,
                        halves: &halves,
                        next_step: &mut next_step,
                        free,
                    };
                    part.advance_rows(rows, true, split.then_some(Crewed::Twisted(two)));
                });
            });
            return;
        }
        self.two_ended = None;
        let crew = Crew::new(shares.len());
        std::thread::scope(|scope| {
            for (h, share) in shares.into_iter().enumerate() {
                let crew = &crew;
                scope.spawn(move || crew.serve(h, share));
            }
            // Stops the helpers however this thread leaves the scope (a panicking sink).
            let _stop = crew.stop_on_drop();
            self.split_loop(total, first_step, records, spikes, |part, rows, split| {
                part.advance_rows(rows, true, split.then_some(Crewed::Phases(&crew, &mut own)));
            });
        });
    }

    /// The halves of the single partition's path for two-ended threading, if the run allows
    /// it: two shares split at the tree's twist, fast-math backward Euler.
    fn twisted_halves(&self, shares: &[Share]) -> Option<Halves> {
        let part = &self.parts[0];
        let twist = part.sh.tree.twisted.as_ref()?;
        let fits = shares.len() == 2
            && part.secondorder == 0
            && part.sh.tree.fast_math()
            && shares[1].nodes_range.start == twist.twist() + 1;
        if !fits {
            return None;
        }
        // The calling thread takes the lower half when that frees the helper and the upper
        // one does not (see `crate::split_twisted`).
        let m = twist.twist();
        let mirrored = !part.twisted_free(m, false) && part.twisted_free(m, true);
        Halves::new(&part.sh.disc, twist, mirrored)
    }

    /// Intervals of `total` steps, each in chunks that `advance` runs shared out or not, as
    /// the [`Chooser`] decides; rows and spikes emitted after every interval.
    fn split_loop(
        &mut self,
        total: usize,
        first_step: usize,
        records: &mut dyn RecordSink,
        spikes: &mut dyn SpikeSink,
        mut advance: impl FnMut(&mut Partition, std::ops::Range<usize>, bool),
    ) {
        let mut chooser = Chooser::new(self.cell_split == CellSplit::Always);
        let mut done = 0;
        while done < total {
            let n = self.interval.min(total - done);
            let mut row = 0;
            while row < n {
                let (split, chunk) = chooser.next();
                let rows = row..n.min(row + chunk);
                let steps = rows.len();
                let started = std::time::Instant::now();
                advance(&mut self.parts[0], rows, split);
                chooser.measured(split, steps, started.elapsed());
                if split {
                    self.shared_steps += steps;
                }
                row += steps;
            }
            self.finish_interval(first_step + done + 1, n, records, spikes);
            done += n;
        }
    }

    /// One scoped thread per worker list but the first, which the calling thread integrates;
    /// two barriers per interval separate integration from the exchange.
    pub(super) fn run_threaded(
        &mut self,
        total: usize,
        first_step: usize,
        records: &mut dyn RecordSink,
        spikes: &mut dyn SpikeSink,
    ) {
        let n_workers = self.workers.len();
        let steps = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let start = SpinBarrier::new(n_workers);
        let end = SpinBarrier::new(n_workers);
        let cells: Vec<Mutex<Partition>> = std::mem::take(&mut self.parts)
            .into_iter()
            .map(Mutex::new)
            .collect();
        let advance = |list: &[usize], n: usize| {
            for &p in list {
                lock(&cells[p]).advance(n, true);
            }
        };
        let mut done = 0;
        std::thread::scope(|scope| {
            let mut guards = Vec::with_capacity(cells.len());
            for list in &self.workers[1..] {
                let (steps, stop, start, end, advance) = (&steps, &stop, &start, &end, &advance);
                scope.spawn(move || loop {
                    start.wait();
                    if stop.load(Ordering::Acquire) {
                        break;
                    }
                    advance(list, steps.load(Ordering::Acquire));
                    end.wait();
                });
            }
            while done < total {
                let n = self.interval.min(total - done);
                steps.store(n, Ordering::Release);
                start.wait();
                advance(&self.workers[0], n);
                end.wait();
                guards.extend(cells.iter().map(lock));
                let first = first_step + done + 1;
                emit_rows(
                    &guards,
                    &self.probe_place,
                    &mut self.samples,
                    first,
                    n,
                    records,
                );
                self.exchange.run(&mut guards);
                guards.clear();
                for (source, t) in self.exchange.pending.drain(..) {
                    spikes.spike(source, t);
                }
                done += n;
            }
            stop.store(true, Ordering::Release);
            start.wait();
        });
        self.parts = cells
            .into_iter()
            .map(|c| c.into_inner().unwrap_or_else(|e| e.into_inner()))
            .collect();
    }
}
