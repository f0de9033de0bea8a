//! [`Chooser`]: whether a chunk of steps runs serially or with its kernels shared out among
//! threads (`split.rs`), from the measured cost per step of each kind.

/// Picks, chunk by chunk, the serial or the shared-out step by their measured cost per step.
///
/// Sharing a small cell's step costs cache-line transfers and two hand-offs per phase; on a
/// machine whose other cores are busy (or taken by the hypervisor) a hand-off can wait for a
/// whole time slice. Both kinds of step give the same bits, so the choice is free. The kind not
/// in use is probed again (two chunks) after a gap of chunks that starts at `MIN_GAP` and
/// doubles (up to `MAX_GAP`) each time a probe confirms the choice, so that a noisy probe is
/// soon retried and a settled choice costs few probes.
#[derive(Debug)]
pub(crate) struct Chooser {
    /// Per kind (serial, split): the last two costs per step in seconds (NaN: not measured).
    /// A kind's cost is the smaller one: interruptions only ever make a chunk slower.
    costs: [[f64; 2]; 2],
    /// Split every chunk ([`crate::CellSplit::Always`]).
    always: bool,
    /// Chunks until the next probe, and the current gap between probes.
    until_probe: u32,
    gap: u32,
    /// Chunks left in the current probe of the kind not in use (two per probe).
    probe_left: u32,
    /// The choice when the current probe began.
    probe_from: bool,
}

/// Steps per chunk between choices.
const CHUNK: usize = 1000;
const MIN_GAP: u32 = 8;
const MAX_GAP: u32 = 256;

impl Chooser {
    pub(crate) fn new(always: bool) -> Self {
        Chooser {
            costs: [[f64::NAN; 2]; 2],
            always,
            until_probe: MIN_GAP,
            gap: MIN_GAP,
            probe_left: 0,
            probe_from: false,
        }
    }

    fn cost(&self, split: bool) -> f64 {
        let [a, b] = self.costs[usize::from(split)];
        a.min(b)
    }

    /// The kind in use: split when it measured cheaper.
    fn best(&self) -> bool {
        self.cost(true) < self.cost(false)
    }

    /// Whether the next chunk runs split, and its length in steps.
    pub(crate) fn next(&mut self) -> (bool, usize) {
        let split = if self.always {
            true
        } else if self.costs[0][1].is_nan() {
            false
        } else if self.costs[1][1].is_nan() {
            true
        } else if self.probe_left > 0 {
            !self.probe_from
        } else if self.until_probe == 0 {
            self.probe_left = 2;
            self.probe_from = self.best();
            !self.probe_from
        } else {
            self.until_probe -= 1;
            self.best()
        };
        (split, CHUNK)
    }

    /// Records that a chunk of `steps` steps took `elapsed`.
    pub(crate) fn measured(&mut self, split: bool, steps: usize, elapsed: std::time::Duration) {
        if steps == 0 {
            return;
        }
        let c = &mut self.costs[usize::from(split)];
        *c = [c[1], elapsed.as_secs_f64() / steps as f64];
        if self.probe_left > 0 {
            self.probe_left -= 1;
            if self.probe_left == 0 {
                self.gap = if self.best() == self.probe_from {
                    (self.gap * 2).min(MAX_GAP)
                } else {
                    MIN_GAP
                };
                self.until_probe = self.gap;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Chooser, CHUNK, MAX_GAP};
    use std::time::Duration;

    /// Runs `chunks` chunks whose cost per step is `cost(split, chunk)`; returns how many
    /// ran split.
    fn split_chunks(chunks: usize, cost: impl Fn(bool, usize) -> f64) -> usize {
        let mut c = Chooser::new(false);
        let mut n = 0;
        for k in 0..chunks {
            let (split, steps) = c.next();
            assert_eq!(steps, CHUNK);
            n += usize::from(split);
            c.measured(
                split,
                steps,
                Duration::from_secs_f64(cost(split, k) * steps as f64),
            );
        }
        n
    }

    #[test]
    fn chooser_settles_on_the_cheaper_kind_and_probes_less_and_less() {
        let faster_split = split_chunks(1000, |s, _| if s { 2e-6 } else { 3e-6 });
        assert!(faster_split >= 980, "{faster_split}");
        let slower_split = split_chunks(1000, |s, _| if s { 5e-6 } else { 3e-6 });
        assert!(slower_split <= 20, "{slower_split}");
        assert!(
            slower_split >= 2 * 1000 / MAX_GAP as usize,
            "it keeps probing"
        );
    }

    #[test]
    fn chooser_follows_a_change_but_not_a_noisy_chunk() {
        // Split is cheaper until chunk 500, then a busy machine makes it dearer.
        let n = split_chunks(1000, |s, k| match (s, k < 500) {
            (true, true) => 2e-6,
            (true, false) => 9e-6,
            (false, _) => 3e-6,
        });
        assert!((450..=560).contains(&n), "{n}");
        // A noisy chunk does not flip the choice: the smaller of the last two costs counts.
        let clean = split_chunks(200, |s, _| if s { 2e-6 } else { 3e-6 });
        let noisy = split_chunks(200, |s, k| match (s, k % 50 == 7) {
            (true, true) => 9e-6,
            (true, false) => 2e-6,
            (false, _) => 3e-6,
        });
        assert_eq!(noisy, clean);
    }
}
