//! Intra-cell threading of an unbranched cable on two threads: each thread owns one end of the
//! path and runs, for its nodes, the whole step — currents, the axial terms, its half of the
//! two-ended solve ([`crate::twisted`]), the v update and the states.
//!
//! Handing the node arrays back and forth (as [`crate::split`] does, twice per step) costs a
//! cross-core round trip each time, about 0.4 µs on the 2-core VMs we measure on — a quarter of
//! a step of the seed's cell. Here the threads exchange two small messages per step at the
//! twist node m, each one a single cache line:
//!
//! * helper → caller: the lower half's contribution to row m, with the eliminated rhs(m + 1)
//!   and 1/d(m + 1), from which the caller computes x(m + 1) exactly as the helper does;
//! * caller → helper: x(m).
//!
//! *Mirrored* (`Halves::mirrored`: the spike detectors, NetCon targets and probes all lie in
//! the lower half, as the soma's middle does when the balanced twist is just before it), the
//! caller owns the lower half and the helper the upper: the helper sends row m's running
//! values, the caller joins them with its own contribution and sends back x(m) and x(m + 1).
//!
//! Each thread keeps a *ghost* copy of its neighbour's boundary potential — the caller v(m + 1),
//! the helper v(m) — updated with the same operation as the owner's copy, so the axial terms
//! of nodes m and m + 1 never read memory the other thread writes.
//!
//! When nothing else the caller does between steps reads or writes the helper's nodes (every
//! spike detector, NetCon target and recorded value in the upper half: see
//! [`Partition::twisted_free`]), the helper runs a whole chunk of steps on its own, paced only
//! by those messages; otherwise every step is commanded, and finishes ("done") before the
//! caller records, detects and delivers.
//!
//! Every node gets the operations of the one-thread fast-math step (the same twisted solve at
//! the same m, the same kernels on the same instances, the same axial formula), so traces are
//! bit-identical to it.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::assembly::Assembly;
use crate::partition::Partition;
use crate::split::{spin_until, Share};
use crate::twisted::{Contribution, Twisted};
use crate::Discretization;

/// The axial terms of a node with parent k − 1 and only child k + 1, as [`Assembly`] adds them
/// (see `crate::assembly`), with the neighbours' potentials given.
#[derive(Debug, Clone, Copy)]
struct EdgeNode {
    node: usize,
    cm: f64,
    b: f64,
    a_child: f64,
}

impl EdgeNode {
    fn new(disc: &Discretization, k: usize) -> Self {
        EdgeNode {
            node: k,
            cm: if disc.segment[k].is_some() {
                disc.cm[k]
            } else {
                0.0
            },
            b: disc.b[k],
            a_child: disc.a[k + 1],
        }
    }

    /// Sets d(k) and rhs(k) to the node's capacitive and axial terms, as
    /// [`Assembly::assemble_first`] does (the mechanisms add theirs afterwards).
    #[inline(always)]
    fn assemble_first(
        &self,
        cfac: f64,
        (vp, vk, vc): (f64, f64, f64),
        d: &mut [f64],
        rhs: &mut [f64],
    ) {
        let k = self.node;
        let mut dn = 0.0 + cfac * self.cm;
        dn -= self.b;
        d[k] = dn - self.a_child;
        let rn = 0.0 - self.b * (vp - vk);
        rhs[k] = rn + self.a_child * (vk - vc);
    }
}

/// The two halves of a path split at its twist m: upper 0 … m, lower m + 1 … n − 1. The
/// calling thread owns the upper half, or the lower one when `mirrored` (where the spike
/// detectors are, so that it can detect and deliver while the helper runs).
pub(crate) struct Halves {
    twist: Twisted,
    pub(crate) mirrored: bool,
    /// Nodes 0 … m − 1 and m + 2 … n − 1; m and m + 1 are the edge nodes.
    upper: Assembly,
    lower: Assembly,
    upper_edge: EdgeNode,
    lower_edge: EdgeNode,
}

impl Halves {
    /// Halves of the path at `twist`; None unless both edge nodes are interior nodes of the
    /// path (1 ≤ m and m + 2 < n).
    pub(crate) fn new(disc: &Discretization, twist: &Twisted, mirrored: bool) -> Option<Self> {
        let (m, n) = (twist.twist(), disc.len());
        (m >= 1 && m + 2 < n).then(|| Halves {
            twist: twist.clone(),
            mirrored,
            upper: Assembly::new_in(disc, 0..m),
            lower: Assembly::new_in(disc, m + 2..n),
            upper_edge: EdgeNode::new(disc, m),
            lower_edge: EdgeNode::new(disc, m + 1),
        })
    }

    /// The twist node m.
    pub(crate) fn twist(&self) -> usize {
        self.twist.twist()
    }

    /// The upper half's capacitive and axial terms (`ghost`: v(m + 1)), before its currents
    /// (fast-math order, see [`Assembly::assemble_first`]).
    fn assemble_upper(&self, cfac: f64, ghost: f64, (v, d, rhs): Arrays) {
        let m = self.twist();
        self.upper.assemble_first(cfac, v, d, rhs);
        self.upper_edge
            .assemble_first(cfac, (v[m - 1], v[m], ghost), d, rhs);
    }

    /// The lower half's capacitive and axial terms (`ghost`: v(m)), before its currents.
    fn assemble_lower(&self, cfac: f64, ghost: f64, (v, d, rhs): Arrays) {
        let m = self.twist();
        self.lower.assemble_first(cfac, v, d, rhs);
        self.lower_edge
            .assemble_first(cfac, (ghost, v[m + 1], v[m + 2]), d, rhs);
    }

    /// The upper half's elimination: row m's running values.
    fn eliminate_upper(&self, (_, d, rhs): Arrays) -> (f64, f64) {
        self.twist.eliminate_upper(d, rhs)
    }

    /// The lower half's elimination: its contribution to row m.
    fn eliminate_lower(&self, (_, d, rhs): Arrays) -> Contribution {
        self.twist.eliminate_lower(d, rhs)
    }

    /// The upper half's substitution from x(m) (already in rhs(m)) and its v update.
    fn end_upper(&self, xm: f64, (v, d, rhs): Arrays) {
        let m = self.twist();
        self.twist.substitute_upper(xm, d, rhs);
        v[..=m]
            .iter_mut()
            .zip(&rhs[..=m])
            .for_each(|(v, r)| *v += *r);
    }

    /// The lower half's substitution from x(m) and its v update.
    fn end_lower(&self, xm: f64, (v, d, rhs): Arrays) {
        let m = self.twist();
        self.twist.substitute_lower(xm, d, rhs);
        v[m + 1..]
            .iter_mut()
            .zip(&rhs[m + 1..])
            .for_each(|(v, r)| *v += *r);
    }
}

/// v, d and rhs of a partition (each thread touches its own half's entries).
type Arrays<'a> = (&'a mut [f64], &'a mut [f64], &'a mut [f64]);

/// A cache line of words.
#[repr(align(128))]
struct Line([AtomicU64; 5]);

impl Line {
    fn new() -> Self {
        Line(std::array::from_fn(|_| AtomicU64::new(0)))
    }
    fn put(&self, k: usize, x: f64) {
        self.0[k].store(x.to_bits(), Ordering::Relaxed);
    }
    fn get(&self, k: usize) -> f64 {
        f64::from_bits(self.0[k].load(Ordering::Relaxed))
    }
    fn seq(&self) -> &AtomicU64 {
        &self.0[0]
    }
}

/// The caller's and the helper's messages. Steps are numbered from 1 across chunks; a
/// message carries its step's number in word 0, stored last (release) and read first
/// (acquire).
pub(crate) struct TwistCrew {
    /// Command: [last step of the chunk × 2 (+ 1: stop), first step, t, dt, cfac].
    command: Line,
    /// Helper → caller: [step, contribution to d(m), to rhs(m), rhs(m + 1), 1/d(m + 1)].
    lower: Line,
    /// Caller → helper: [step, x(m)].
    upper: Line,
    /// Helper → caller: [last step whose states are done].
    done: Line,
}

/// Raw node arrays of a partition (v, rhs, d) and their length.
#[derive(Clone, Copy)]
pub(crate) struct Nodes {
    pub v: *mut f64,
    pub rhs: *mut f64,
    pub d: *mut f64,
    pub n: usize,
}

// SAFETY: see the module docs: each thread writes only its own nodes and reads no other.
unsafe impl Send for Nodes {}

impl Nodes {
    pub(crate) fn of(part: &mut Partition) -> Self {
        let sh = &mut part.sh;
        Nodes {
            v: sh.v.as_mut_ptr(),
            rhs: sh.rhs.as_mut_ptr(),
            d: sh.d.as_mut_ptr(),
            n: sh.v.len(),
        }
    }

    /// v, d and rhs as slices.
    ///
    /// # Safety
    /// The arrays must be alive; the caller touches only its own half's indices.
    unsafe fn slices<'a>(self) -> (&'a mut [f64], &'a mut [f64], &'a mut [f64]) {
        unsafe {
            (
                std::slice::from_raw_parts_mut(self.v, self.n),
                std::slice::from_raw_parts_mut(self.d, self.n),
                std::slice::from_raw_parts_mut(self.rhs, self.n),
            )
        }
    }
}

impl TwistCrew {
    pub(crate) fn new() -> Self {
        TwistCrew {
            command: Line::new(),
            lower: Line::new(),
            upper: Line::new(),
            done: Line::new(),
        }
    }

    /// The helper's loop: its half of every step of every commanded chunk.
    pub(crate) fn serve(&self, share: Share, halves: &Halves, nodes: Nodes) {
        if halves.mirrored {
            self.serve_upper(share, halves, nodes)
        } else {
            self.serve_lower(share, halves, nodes)
        }
    }

    /// Waits for the next command: (first step, last step, t, dt, cfac), None to stop.
    fn next_command(&self, seen: &mut u64) -> Option<(u64, u64, f64, f64, f64)> {
        spin_until(|| self.command.seq().load(Ordering::Acquire) != *seen);
        *seen = self.command.seq().load(Ordering::Acquire);
        if *seen & 1 == 1 {
            return None;
        }
        Some((
            self.command.get(1).to_bits(),
            *seen >> 1,
            self.command.get(2),
            self.command.get(3),
            self.command.get(4),
        ))
    }

    /// The helper's loop when it owns the upper half (mirrored): it sends row m's running
    /// values and receives x(m) and x(m + 1).
    fn serve_upper(&self, mut share: Share, halves: &Halves, nodes: Nodes) {
        let mut seen = 0;
        let m = halves.twist();
        while let Some((first, last, mut t, dt, cfac)) = self.next_command(&mut seen) {
            // SAFETY: the upper half's nodes are this thread's until `done` (module docs).
            let (v, d, rhs) = unsafe { nodes.slices() };
            // The caller changes v(m + 1) only after this chunk's first row.
            let mut ghost = v[m + 1];
            for step in first..=last {
                t += 0.5 * dt;
                halves.assemble_upper(cfac, ghost, (&mut *v, &mut *d, &mut *rhs));
                share.currents(t);
                let row = halves.eliminate_upper((&mut *v, &mut *d, &mut *rhs));
                self.lower.put(1, row.0);
                self.lower.put(2, row.1);
                self.lower.seq().store(step, Ordering::Release);
                spin_until(|| self.upper.seq().load(Ordering::Acquire) == step);
                let (xm, x1) = (self.upper.get(1), self.upper.get(2));
                rhs[m] = xm;
                halves.end_upper(xm, (&mut *v, &mut *d, &mut *rhs));
                ghost += x1;
                t += 0.5 * dt;
                share.states(t);
                self.done.seq().store(step, Ordering::Release);
            }
        }
    }

    /// The helper's loop when it owns the lower half.
    fn serve_lower(&self, mut share: Share, halves: &Halves, nodes: Nodes) {
        let mut seen = 0;
        let m = halves.twist();
        let (_, b1) = halves.twist.coefficients(m + 1);
        while let Some((first, last, mut t, dt, cfac)) = self.next_command(&mut seen) {
            // SAFETY: the lower half's nodes are this thread's until `done` (module docs).
            let (v, d, rhs) = unsafe { nodes.slices() };
            // The caller changes v(m) only after this chunk's first contribution.
            let mut ghost = v[m];
            for step in first..=last {
                t += 0.5 * dt;
                halves.assemble_lower(cfac, ghost, (&mut *v, &mut *d, &mut *rhs));
                share.currents(t);
                let c = halves.eliminate_lower((&mut *v, &mut *d, &mut *rhs));
                for (k, x) in [c.0, c.1, rhs[m + 1], d[m + 1]].into_iter().enumerate() {
                    self.lower.put(k + 1, x);
                }
                self.lower.seq().store(step, Ordering::Release);
                spin_until(|| self.upper.seq().load(Ordering::Acquire) == step);
                let xm = self.upper.get(1);
                halves.end_lower(xm, (&mut *v, &mut *d, &mut *rhs));
                debug_assert_eq!(
                    rhs[m + 1],
                    (self.lower.get(3) - b1 * xm) * self.lower.get(4)
                );
                ghost += xm;
                t += 0.5 * dt;
                share.states(t);
                self.done.seq().store(step, Ordering::Release);
            }
        }
    }

    /// Commands `steps` steps numbered from `first`, starting at time `t`.
    pub(crate) fn command(&self, first: u64, steps: u64, t: f64, dt: f64, cfac: f64) {
        self.command.put(1, f64::from_bits(first));
        self.command.put(2, t);
        self.command.put(3, dt);
        self.command.put(4, cfac);
        let last = first + steps - 1;
        self.command.seq().store(last << 1, Ordering::Release);
    }

    /// The caller's half of step `step` at times `t_mid` (currents) and `t_end` (states), with
    /// the solve's exchange in between; `ghost` is its copy of the other half's boundary
    /// potential (v(m + 1), or v(m) when mirrored), updated.
    pub(crate) fn step(
        &self,
        step: u64,
        own: &mut Share,
        halves: &Halves,
        nodes: Nodes,
        times: (f64, f64, f64),
        ghost: &mut f64,
    ) {
        let (t_mid, t_end, cfac) = times;
        // SAFETY: the caller's half's nodes are this thread's during the step (module docs).
        let (v, d, rhs) = unsafe { nodes.slices() };
        if halves.mirrored {
            halves.assemble_lower(cfac, *ghost, (&mut *v, &mut *d, &mut *rhs));
        } else {
            halves.assemble_upper(cfac, *ghost, (&mut *v, &mut *d, &mut *rhs));
        }
        own.currents(t_mid);
        if halves.mirrored {
            self.step_lower(step, halves, (v, d, rhs), ghost)
        } else {
            self.step_upper(step, halves, (v, d, rhs), ghost)
        }
        own.states(t_end);
    }

    /// The caller's lower half (mirrored): joins the helper's row with its own contribution,
    /// sends x(m) and x(m + 1).
    fn step_lower(&self, step: u64, halves: &Halves, (v, d, rhs): Arrays, ghost: &mut f64) {
        let m = halves.twist();
        let c = halves.eliminate_lower((&mut *v, &mut *d, &mut *rhs));
        spin_until(|| self.lower.seq().load(Ordering::Acquire) == step);
        let xm = Twisted::joined((self.lower.get(1), self.lower.get(2)), c);
        // x(m + 1) exactly as the substitution below computes it.
        let (_, b1) = halves.twist.coefficients(m + 1);
        self.upper.put(1, xm);
        self.upper.put(2, (rhs[m + 1] - b1 * xm) * d[m + 1]);
        self.upper.seq().store(step, Ordering::Release);
        halves.end_lower(xm, (v, d, rhs));
        *ghost += xm;
    }

    /// The caller's upper half: joins its row with the helper's contribution, sends x(m).
    fn step_upper(&self, step: u64, halves: &Halves, (v, d, rhs): Arrays, ghost: &mut f64) {
        let m = halves.twist();
        let row = halves.eliminate_upper((&mut *v, &mut *d, &mut *rhs));
        spin_until(|| self.lower.seq().load(Ordering::Acquire) == step);
        let c = (self.lower.get(1), self.lower.get(2));
        let (r1, q1) = (self.lower.get(3), self.lower.get(4));
        let xm = halves.twist.join(row, c, rhs);
        self.upper.put(1, xm);
        self.upper.seq().store(step, Ordering::Release);
        halves.end_upper(xm, (v, d, rhs));
        // x(m + 1) exactly as the helper's substitution computes it.
        let (_, b1) = halves.twist.coefficients(m + 1);
        *ghost += (r1 - b1 * xm) * q1;
    }

    /// Waits until the helper has finished step `step`.
    pub(crate) fn wait_done(&self, step: u64) {
        spin_until(|| self.done.seq().load(Ordering::Acquire) >= step);
    }

    /// Ends the helper's loop.
    pub(crate) fn stop(&self) {
        let seq = self.command.seq().load(Ordering::Relaxed);
        self.command.seq().store((seq | 1) + 2, Ordering::Release);
    }
}

impl Partition {
    /// Whether, of a path split at m, nothing this thread does between steps — detecting
    /// spikes, delivering NetCon events, recording — touches a node after m (before m + 1 when
    /// `lower`: the thread owns the lower half), or its instances, ions or entries; artificial
    /// cells belong to no node.
    pub(crate) fn twisted_free(&self, m: usize, lower: bool) -> bool {
        use crate::probes::Resolved;
        let own = |node: u32| (node as usize <= m) != lower;
        let instance = |set: u32, index: u32| {
            self.artificial_set[set as usize]
                || own(self.sets[set as usize].nodes()[index as usize])
        };
        self.detectors.iter().all(|d| own(d.node))
            && self
                .sh
                .wiring
                .target
                .iter()
                .flatten()
                .all(|&(set, i)| instance(set, i))
            && self.probes.iter().all(|p| match p {
                Resolved::Voltage(n) => own(*n),
                Resolved::Ion { ion, index, .. } => {
                    own(self.sh.ions.ions[*ion as usize].nodes[*index as usize])
                }
                Resolved::Field { set, index, .. } => instance(*set, *index),
                Resolved::Global { .. }
                | Resolved::Diam(_)
                | Resolved::Area(_)
                | Resolved::Cm(_) => true,
            })
    }
}
