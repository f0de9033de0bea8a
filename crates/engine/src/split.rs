//! Intra-partition threading: when a run has fewer partitions than threads (one cell, or cells
//! joined by zero-delay synapses), the per-node work of every step — zeroing rhs and d (in
//! fast-math mode the calling thread writes the axial terms there first instead), the
//! ions' `current_begin`, each set's `current`, `jacobian` and `state` kernels — is shared out
//! by node range among the threads, while the calling thread keeps everything that couples
//! nodes (events, thresholds, the axial terms, the Hines solve, the v update) and recording.
//!
//! Every node sees the same operations in the same order as in a serial step (mechanism
//! instances touch only their own node and its ion entries), so traces are bit-identical to a
//! single-threaded run. Per step the threads meet twice: before and after the current phase,
//! and before and after the state phase, through a spinning [`Crew`] hand-off.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use mech::{IonRanges, MechanismSet, RangeKernels};

use crate::partition::{Partition, Shared};
use crate::prepared::PHASES;

pub(crate) use crate::chooser::Chooser;

/// One thread's share of a step: its nodes' rhs and d, its ion entries, and per set with work
/// its kernels and instance range.
pub(crate) struct Share {
    sets: Vec<(RangeKernels, Range<usize>)>,
    /// Per phase (current, jacobian, state), the order of `sets` (see `prepared::Unit::at`).
    order: [Vec<usize>; PHASES],
    ions: IonRanges,
    /// The share's nodes.
    pub(crate) nodes_range: Range<usize>,
    /// rhs and d of the share's nodes.
    rhs: *mut f64,
    d: *mut f64,
    nodes: usize,
    celsius: f64,
    /// Fast-math: d and rhs start with the axial terms, put there before the phase (by the
    /// calling thread, or by each half of a two-ended cable for its nodes), not with zeros.
    axial_first: bool,
}

// SAFETY: `RangeKernel`s and `IonRanges` are `Send`; rhs and d point to this share's nodes,
// which no other thread touches during a phase.
unsafe impl Send for Share {}

impl Share {
    /// `setup_tree_matrix`'s node-local part: rhs = d = 0 (unless the axial terms are there
    /// already, fast-math), the ions' `current_begin`, every
    /// set's `current` kernel, then every set's `jacobian` kernel, at time `t`.
    pub(crate) fn currents(&mut self, t: f64) {
        // SAFETY: the share's own nodes and ion entries (see `Crew`).
        unsafe {
            if !self.axial_first {
                std::slice::from_raw_parts_mut(self.rhs, self.nodes).fill(0.0);
                std::slice::from_raw_parts_mut(self.d, self.nodes).fill(0.0);
            }
            self.ions.current_begin(self.celsius);
        }
        self.phase(t, 0, |k| &mut k.current);
        self.phase(t, 1, |k| &mut k.jacobian);
    }

    /// Phase `p`'s kernels (`pick`) over the share's instances, in the phase's order.
    fn phase(
        &mut self,
        t: f64,
        p: usize,
        pick: fn(&mut RangeKernels) -> &mut Option<Box<dyn mech::RangeKernel>>,
    ) {
        for &u in &self.order[p] {
            let (k, r) = &mut self.sets[u];
            if let Some(c) = pick(k) {
                // SAFETY: shares cover disjoint node ranges; the partition is not otherwise
                // touched during a phase (see `Crew`).
                unsafe { c.run(t, r.start, r.end) };
            }
        }
    }

    /// Every set's `state` kernel at time `t`.
    pub(crate) fn states(&mut self, t: f64) {
        self.phase(t, 2, |k| &mut k.state);
    }
}

/// Instances per boundary group: 8 doubles fill a 64-byte cache line.
const LINE: usize = 8;

/// First node of each of `shares` consecutive node ranges (then the node count), balanced by
/// the number of mechanism instances per node (`weight`). Each inner bound is moved to the node
/// of the nearest instance of `reference` (the node list of the largest set) whose index is a
/// multiple of [`LINE`]: sets laid out like the reference then split their columns — and the
/// ions their entries — at cache-line boundaries (columns are line-aligned under the `bmtk`
/// binary's allocator), so no line is written by two threads. (Sharing one line per column
/// made every kernel call wait for the other core.)
fn node_bounds(weight: &[usize], reference: &[u32], shares: usize) -> Vec<usize> {
    let n = weight.len();
    let total: usize = weight.iter().sum();
    let mut bounds = vec![0];
    let mut acc = 0;
    let mut next = 1;
    for (node, w) in weight.iter().enumerate() {
        if next < shares && acc * shares >= total * next {
            let before = reference.partition_point(|&r| (r as usize) < node);
            // Nearest whole line, but never an empty share.
            let group = ((before + LINE / 2) / LINE * LINE).max(LINE);
            let b = reference.get(group).map_or(n, |&r| r as usize);
            let last = *bounds.last().expect("starts with 0");
            bounds.push(b.clamp(last, n));
            next += 1;
        }
        acc += w;
    }
    while bounds.len() < shares {
        bounds.push(n);
    }
    bounds.push(n);
    bounds
}

/// The first node of each of `shares` node ranges of `part` (then the node count), as
/// [`node_bounds`] draws them; None when a set's instances are not in node order or there are
/// fewer than 8 nodes per share.
pub(crate) fn bounds(part: &Partition, shares: usize) -> Option<Vec<usize>> {
    let n_nodes = part.sh.v.len();
    if n_nodes < 8 * shares {
        return None;
    }
    let mut weight = vec![0usize; n_nodes];
    for (i, set) in part.sets.iter().enumerate() {
        if part.artificial_set[i] {
            continue;
        }
        let nodes = set.nodes();
        if nodes.windows(2).any(|w| w[0] > w[1]) || nodes.iter().any(|&n| n as usize >= n_nodes) {
            return None;
        }
        nodes.iter().for_each(|&n| weight[n as usize] += 1);
    }
    Some(node_bounds(&weight, reference(part), shares))
}

/// The node list of `part`'s largest set (the first of equals) other than artificial cells:
/// range bounds fall on whole cache lines of its instances.
fn reference(part: &Partition) -> &[u32] {
    let mut reference: &[u32] = &[];
    for (i, set) in part.sets.iter().enumerate() {
        if !part.artificial_set[i] && set.nodes().len() > reference.len() {
            reference = set.nodes();
        }
    }
    reference
}

/// Where a path's two-ended solve splits `part` (the first node of the lower half, see
/// `crate::twisted`): the balanced bound of two shares when every spike detector and NetCon
/// target lies on one side of it (the calling thread then owns that side), else the nearest
/// whole-line bound past all of them when one leaves the helper at least 8 nodes — so that
/// the calling thread can detect and deliver while the helper runs
/// (`crate::split_twisted`). None as for [`bounds`].
pub(crate) fn twist_bound(part: &Partition) -> Option<usize> {
    let balanced = bounds(part, 2)?[1];
    let n = part.sh.v.len();
    let targets = part.sh.wiring.target.iter().flatten();
    let needed: Vec<usize> = part
        .detectors
        .iter()
        .map(|d| d.node as usize)
        .chain(
            targets
                .filter(|&&(set, _)| !part.artificial_set[set as usize])
                .map(|&(set, i)| part.sets[set as usize].nodes()[i as usize] as usize),
        )
        .collect();
    // All on one side of the balanced bound: the calling thread takes that side (the lower
    // half when they are all at or beyond it, see `Halves::mirrored`).
    let (lo, hi) = (needed.iter().min(), needed.iter().max());
    let Some(needed) = hi
        .copied()
        .filter(|&x| x >= balanced && lo < Some(&balanced))
    else {
        return Some(balanced);
    };
    let past = reference(part)
        .iter()
        .step_by(LINE)
        .map(|&node| node as usize)
        .find(|&b| b > needed && b + 8 <= n);
    Some(past.unwrap_or(balanced))
}

/// Splits `part`'s per-step kernels into `threads` shares (the first for the calling thread).
/// None when some set cannot run on ranges (interpreted or event-sending kernels, …), a set's
/// instances are not in node order, or there are fewer than 8 nodes per thread.
pub(crate) fn shares(part: &mut Partition, threads: usize) -> Option<Vec<Share>> {
    if threads < 2 {
        return None;
    }
    let bounds = match &part.sh.tree.twisted {
        // A path's two ends (see `crate::split_twisted`), split where its solve is.
        Some(t) if threads == 2 && part.sh.tree.fast_math() => {
            vec![0, t.twist() + 1, part.sh.v.len()]
        }
        _ => bounds(part, threads)?,
    };
    let mut out = Vec::with_capacity(threads);
    for w in 0..threads {
        let nodes = bounds[w]..bounds[w + 1];
        let entries = part
            .sh
            .ions
            .entries_of_nodes(nodes.start as u32..nodes.end as u32)?;
        out.push(Share {
            nodes_range: nodes.clone(),
            sets: Vec::new(),
            order: Default::default(),
            ions: part.sh.ions.entry_ranges(&entries),
            rhs: part.sh.rhs[nodes.start..].as_mut_ptr(),
            d: part.sh.d[nodes.start..].as_mut_ptr(),
            nodes: nodes.len(),
            celsius: part.sh.celsius,
            axial_first: part.sh.tree.fast_math(),
        });
    }
    for share in out.iter_mut() {
        // Every set decides for itself: a native set may work per step whatever its IR says.
        // Each share prepares its own kernels (its own copy of their environments).
        let t = part.sh.t;
        let mut units = crate::prepared::units(part, t);
        units.retain(|u| {
            u.kernels
                .as_ref()
                .is_none_or(|k| k.current.is_some() || k.jacobian.is_some() || k.state.is_some())
        });
        share.order = crate::prepared::phase_orders(&units);
        for unit in units {
            let kernels = unit.kernels?;
            let nodes = part.sets[unit.set].nodes();
            let r = &share.nodes_range;
            let lo = nodes.partition_point(|&n| (n as usize) < r.start);
            let hi = nodes.partition_point(|&n| (n as usize) < r.end);
            share.sets.push((kernels, lo..hi));
        }
    }
    Some(out)
}

/// What the helpers run next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Currents = 1,
    States = 2,
    Stop = 3,
}

/// Hand-off between the calling thread and its helpers: a command word (sequence number ×
/// 4 + phase) and the phase's time, then one done word per helper.
pub(crate) struct Crew {
    command: Padded,
    t: Padded,
    done: Vec<Padded>,
}

#[repr(align(128))]
struct Padded(AtomicU64);

/// Spins on `ready`, then sleeps in short naps (helpers wait through serial chunks and the
/// writing of reports; a busy wait there would take a core from other work).
pub(crate) fn spin_until(ready: impl Fn() -> bool) {
    let mut spins = 0u32;
    while !ready() {
        if spins < 20_000 {
            spins += 1;
            std::hint::spin_loop();
        } else {
            std::thread::sleep(std::time::Duration::from_micros(20));
        }
    }
}

impl Crew {
    pub(crate) fn new(helpers: usize) -> Self {
        Crew {
            command: Padded(AtomicU64::new(0)),
            t: Padded(AtomicU64::new(0)),
            done: (0..helpers).map(|_| Padded(AtomicU64::new(0))).collect(),
        }
    }

    /// The helper loop of helper `h` (0-based): runs each commanded phase on `share`.
    pub(crate) fn serve(&self, h: usize, mut share: Share) {
        let mut seen = 0;
        loop {
            spin_until(|| self.command.0.load(Ordering::Acquire) >> 2 != seen);
            let word = self.command.0.load(Ordering::Acquire);
            seen = word >> 2;
            let t = f64::from_bits(self.t.0.load(Ordering::Relaxed));
            match word & 3 {
                1 => share.currents(t),
                2 => share.states(t),
                _ => return,
            }
            self.done[h].0.store(seen, Ordering::Release);
        }
    }

    /// Runs `phase` at time `t` on every share: the helpers' and `own`.
    fn run(&self, phase: Phase, t: f64, own: &mut Share) {
        let seq = (self.command.0.load(Ordering::Relaxed) >> 2) + 1;
        self.t.0.store(t.to_bits(), Ordering::Relaxed);
        self.command
            .0
            .store(seq << 2 | phase as u64, Ordering::Release);
        match phase {
            Phase::Currents => own.currents(t),
            Phase::States => own.states(t),
            Phase::Stop => unreachable!("commanded by StopOnDrop only"),
        }
        for d in &self.done {
            spin_until(|| d.0.load(Ordering::Acquire) == seq);
        }
    }

    /// Ends the helpers' loops when the returned guard drops.
    pub(crate) fn stop_on_drop(&self) -> StopOnDrop<'_> {
        StopOnDrop(self)
    }
}

/// See [`Crew::stop_on_drop`].
pub(crate) struct StopOnDrop<'a>(&'a Crew);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        let c = &self.0.command.0;
        let seq = (c.load(Ordering::Relaxed) >> 2) + 1;
        c.store(seq << 2 | Phase::Stop as u64, Ordering::Release);
    }
}

/// The per-step kernel phases of a partition: serially over its sets, or shared out.
pub(crate) trait StepKernels {
    /// Every set's `current`, then every set's `jacobian`, at time `t`.
    fn currents(&mut self, sets: &mut [Box<dyn MechanismSet>], sh: &mut Shared, t: f64);
    /// Every set's `state` at time `t`.
    fn states(&mut self, sets: &mut [Box<dyn MechanismSet>], sh: &mut Shared, t: f64);
}

/// The calling thread's share and the crew it commands.
pub(crate) struct SplitKernels<'a> {
    pub crew: &'a Crew,
    pub own: &'a mut Share,
}

impl StepKernels for SplitKernels<'_> {
    fn currents(&mut self, _: &mut [Box<dyn MechanismSet>], sh: &mut Shared, t: f64) {
        // Fast-math: the axial terms first, as in a serial step (see `Shared::begin_currents`).
        if sh.tree.fast_math() {
            sh.tree
                .assemble_first(sh.cfac, &sh.v, &mut sh.d, &mut sh.rhs);
            sh.axial_done = true;
        }
        self.crew.run(Phase::Currents, t, self.own);
    }

    fn states(&mut self, _: &mut [Box<dyn MechanismSet>], _: &mut Shared, t: f64) {
        self.crew.run(Phase::States, t, self.own);
    }
}

#[cfg(test)]
mod tests {
    use super::node_bounds;

    #[test]
    fn bounds_balance_weight_at_whole_lines_of_the_reference_set() {
        // A 51-segment section: node 0 is the root, instance k sits on node k + 1.
        let mut w = vec![1; 52];
        w[0] = 0;
        let reference: Vec<u32> = (1..52).collect();
        assert_eq!(node_bounds(&w, &reference, 2), vec![0, 25, 52]);
        assert_eq!(node_bounds(&w, &reference, 3), vec![0, 17, 33, 52]);
        // Weight concentrated at the start moves the bound forward.
        let mut w = vec![1; 40];
        w[..4].iter_mut().for_each(|x| *x = 20);
        let reference: Vec<u32> = (0..40).collect();
        assert_eq!(node_bounds(&w, &reference, 2), vec![0, 8, 40]);
        // Nothing to align to: a single share beyond the end.
        assert_eq!(node_bounds(&[1; 10], &[], 2), vec![0, 10, 10]);
    }
}
