//! One partition of a simulation: a group of cells and artificial cells with their own node
//! arrays, mechanism instance sets, ions and event queue, integrated by NEURON's
//! `finitialize` and fixed-step `fadvance` (`fadvance.cpp`, `treeset.cpp`, `solve.cpp`).
//! Partitions interact only through spikes exchanged by [`crate::Simulation`].

use std::collections::HashMap;

use mech::{Context, IonStore, MechanismSet};

use crate::events::{EventQueue, Payload, SetEvents, Wiring};
use crate::node_array::NodeArray;
use crate::prepared::Prepared;
use crate::probes::Resolved;
use crate::split::{Crew, Share, SplitKernels, StepKernels};
use crate::split_twisted::{Halves, Nodes, TwistCrew};
use crate::{Discretization, Error, HinesMatrix, Probe};

/// Threads that share a partition's steps with the calling thread (see [`crate::split`]).
pub(crate) enum Crewed<'a> {
    /// The kernel phases shared out by node range; the rest on the calling thread.
    Phases(&'a Crew, &'a mut Share),
    /// A path's two ends on two threads, solve included ([`crate::split_twisted`]).
    Twisted(Twosome<'a>),
}

/// The calling thread's side of a two-ended run (see [`Crewed::Twisted`]).
pub(crate) struct Twosome<'a> {
    pub crew: &'a TwistCrew,
    pub own: &'a mut Share,
    pub halves: &'a Halves,
    /// Number of the next step (messages are tagged with it).
    pub next_step: &'a mut u64,
    /// Nothing this thread does between steps touches the helper's half.
    pub free: bool,
}

/// Everything the kernels may touch besides their own instance storage.
pub(crate) struct Shared {
    pub disc: Discretization,
    /// The tree matrix of `disc`, packed for the per-step sweeps.
    pub tree: HinesMatrix,
    pub v: NodeArray,
    pub rhs: NodeArray,
    pub d: NodeArray,
    pub ions: IonStore,
    pub queue: EventQueue,
    pub wiring: Wiring,
    /// Spikes (global source id, time) emitted since the last exchange.
    pub spikes: Vec<(u32, f64)>,
    pub t: f64,
    pub dt: f64,
    pub celsius: f64,
    /// The capacitive factor of the step being set up (`setup_tree_matrix`).
    pub cfac: f64,
    /// Whether `begin_currents` put the axial terms into d and rhs already (fast-math).
    pub axial_done: bool,
}

impl Shared {
    /// rhs = d = 0 and the ions' `current_begin`, before any `current` kernel. d is zeroed
    /// here (NEURON: before the jacobians; currents never touch d) because fast-math current
    /// kernels may add their jacobian terms themselves. In fast-math mode d and rhs start
    /// with the capacitive and axial terms instead of 0 ([`HinesMatrix::assemble_first`]),
    /// which `setup_tree_matrix` then leaves out.
    pub(crate) fn begin_currents(&mut self) {
        if self.tree.fast_math() {
            self.tree
                .assemble_first(self.cfac, &self.v, &mut self.d, &mut self.rhs);
            self.axial_done = true;
        } else {
            self.rhs.fill(0.0);
            self.d.fill(0.0);
        }
        self.ions.current_begin(self.celsius);
    }
}

/// The kernel phases run set by set on the calling thread.
struct Serial;

impl StepKernels for Serial {
    fn currents(&mut self, sets: &mut [Box<dyn MechanismSet>], sh: &mut Shared, t: f64) {
        sh.begin_currents();
        for (i, set) in sets.iter_mut().enumerate() {
            with_context(sh, i as u32, None, t, |ctx| set.current(ctx));
        }
        for (i, set) in sets.iter_mut().enumerate() {
            with_context(sh, i as u32, None, t, |ctx| set.jacobian(ctx));
        }
    }

    fn states(&mut self, sets: &mut [Box<dyn MechanismSet>], sh: &mut Shared, t: f64) {
        for (i, set) in sets.iter_mut().enumerate() {
            with_context(sh, i as u32, None, t, |ctx| set.state(ctx));
        }
    }
}

/// A threshold detector (NEURON's `PreSyn` watching a voltage).
#[derive(Debug, Clone)]
pub(crate) struct Detector {
    pub node: u32,
    pub threshold: f64,
    pub source: u32,
    pub above: bool,
}

/// Where instances live, for probe resolution.
#[derive(Debug, Default)]
pub(crate) struct InstanceIndex {
    /// (set, node) → instance, density mechanisms.
    pub density: HashMap<(u32, u32), u32>,
    /// (cell, point process index) → (set, instance).
    pub point: HashMap<(usize, usize), (u32, u32)>,
    /// artificial cell → (set, instance).
    pub artificial: Vec<(u32, u32)>,
    /// Mechanism name of every set.
    pub names: Vec<String>,
}

/// A partition: owns all state of its cells.
pub(crate) struct Partition {
    pub(crate) sh: Shared,
    /// Instance sets in `memb_order_`.
    pub(crate) sets: Vec<Box<dyn MechanismSet>>,
    pub(crate) artificial_set: Vec<bool>,
    /// NetCon weight vectors.
    pub(crate) weights: Vec<Vec<f64>>,
    /// Weight vector handed to self-events that no NetCon sent.
    pub(crate) scratch_weights: Vec<f64>,
    pub(crate) detectors: Vec<Detector>,
    pub(crate) instances: InstanceIndex,
    pub(crate) probes: Vec<Resolved>,
    pub(crate) samples: Vec<f64>,
    /// Recorded rows of the current interval: `row_t[k]` and `rows[k * probes.len()..]`.
    pub(crate) row_t: Vec<f64>,
    pub(crate) rows: Vec<f64>,
    /// 0: backward Euler; 2: Crank–Nicolson with ion current correction.
    pub(crate) secondorder: u8,
    /// Kernels prepared for the run in progress (see [`Partition::prepare_kernels`]).
    pub(crate) prepared: Option<Prepared>,
    /// Offer sets on the same nodes to their backend for fusion (see `prepared.rs`).
    pub(crate) fuse: bool,
    /// Fused groups and the sets in them, as last prepared.
    pub(crate) fused: (usize, usize),
}

/// Runs `f` on a kernel context for set `set`.
pub(crate) fn with_context<R>(
    sh: &mut Shared,
    set: u32,
    netcon: Option<u32>,
    t: f64,
    f: impl FnOnce(&mut Context) -> R,
) -> R {
    let mut sink = SetEvents {
        set,
        netcon,
        queue: &mut sh.queue,
        wiring: &sh.wiring,
        spikes: &mut sh.spikes,
    };
    let mut ctx = Context {
        t,
        dt: sh.dt,
        celsius: sh.celsius,
        v: &sh.v,
        rhs: &mut sh.rhs,
        d: &mut sh.d,
        area: &sh.disc.area,
        diam: &sh.disc.diam,
        ions: &mut sh.ions,
        events: &mut sink,
    };
    f(&mut ctx)
}

impl Partition {
    /// Current time (accumulated in half steps, as NEURON does).
    pub fn t(&self) -> f64 {
        self.sh.t
    }

    /// Time step.
    pub fn dt(&self) -> f64 {
        self.sh.dt
    }

    /// Membrane potential of every node.
    pub fn v(&self) -> &[f64] {
        &self.sh.v
    }

    /// The node layout.
    pub fn discretization(&self) -> &Discretization {
        &self.sh.disc
    }

    /// The ions.
    pub fn ions(&self) -> &IonStore {
        &self.sh.ions
    }

    /// Names of the mechanism sets in execution (`memb_order_`) order.
    pub fn mechanism_order(&self) -> &[String] {
        &self.instances.names
    }

    /// Current value of a global of `mechanism` (`minf` of `hhtab`, `usetable` …).
    pub fn global(&self, mechanism: &str, name: &str) -> Option<f64> {
        let set = self.instances.names.iter().position(|n| n == mechanism)?;
        self.sets[set].global(name)
    }

    /// The weight vector of NetCon `netcon` (slot 0 the weight, then NET_RECEIVE's extra
    /// arguments as the run left them).
    pub fn netcon_weights(&self, netcon: usize) -> &[f64] {
        &self.weights[netcon]
    }

    /// NEURON's `finitialize(v_init)` (`fadvance.cpp`, §2 of the semantics notes), recording
    /// row 0 where NEURON's `Vector.record` does: after the initial current evaluation, before
    /// the last delivery of events at t = 0.
    fn finitialize_recording(&mut self, v_init: f64, record: bool) {
        let sh = &mut self.sh;
        sh.t = 0.0;
        sh.queue.clear();
        sh.v.iter_mut().for_each(|v| *v = v_init);
        sh.ions.init(sh.celsius);
        // Membrane mechanisms first, then artificial cells, each in memb_order_.
        for pass_artificial in [false, true] {
            for (i, set) in self.sets.iter_mut().enumerate() {
                if self.artificial_set[i] == pass_artificial {
                    with_context(&mut self.sh, i as u32, None, 0.0, |ctx| set.init(ctx));
                }
            }
        }
        // init_net_events: NET_RECEIVE INITIAL per NetCon, in creation order.
        for d in &mut self.detectors {
            d.above = false;
        }
        for (nc, target) in self.sh.wiring.target.clone().into_iter().enumerate() {
            let Some((set, instance)) = target else {
                continue;
            };
            let weights = &mut self.weights[nc];
            let s = &mut self.sets[set as usize];
            if s.mechanism()
                .net_receive
                .as_ref()
                .is_some_and(|n| n.init.is_some())
            {
                with_context(&mut self.sh, set, Some(nc as u32), 0.0, |ctx| {
                    s.net_receive_init(ctx, instance as usize, weights)
                });
            } else {
                weights.iter_mut().skip(1).for_each(|w| *w = 0.0);
            }
        }
        self.deliver_until(0.0);
        // The same (fused, prepared) kernels as the steps: bit-identical to calling each set,
        // and a backend that compiles on demand need not compile fused sets on their own.
        let mut kernels = Prepared::new(self);
        self.fused = kernels.fused();
        self.setup_tree_matrix(&mut kernels);
        if record {
            self.record_row(0);
        }
        self.deliver_until(self.sh.t);
    }

    /// One fixed step (`nrn_fixed_step_thread` + `nrn_fixed_step_lastpart`), recording row
    /// `row` where NEURON's `Vector.record` does: after the state update, before events up to
    /// the new t are delivered.
    fn fadvance_recording(&mut self, row: Option<usize>, kernels: &mut dyn StepKernels) {
        let dt = self.sh.dt;
        self.check_thresholds();
        self.deliver_until(self.sh.t + 0.5 * dt);
        self.sh.t += 0.5 * dt;
        self.setup_tree_matrix(kernels);
        self.solve();
        if self.secondorder == 2 {
            self.second_order_current();
        }
        let factor = if self.secondorder != 0 { 2.0 } else { 1.0 };
        let sh = &mut self.sh;
        sh.tree.update_v(factor, &mut sh.v, &sh.rhs);
        sh.t += 0.5 * dt;
        let t = sh.t;
        kernels.states(&mut self.sets, &mut self.sh, t);
        if let Some(k) = row {
            self.record_row(k);
        }
        self.deliver_until(self.sh.t);
    }

    /// Steps `rows` of a path whose two ends are integrated by two threads (backward Euler,
    /// fast-math; see [`crate::split_twisted`]), the same operations on every node as
    /// [`Self::fadvance_recording`]. With `free`, the helper runs the whole chunk paced only by
    /// the solve's messages; otherwise each step is commanded and finished before this thread
    /// records, detects and delivers.
    fn advance_twisted(&mut self, rows: std::ops::Range<usize>, record: bool, two: Twosome<'_>) {
        let Twosome {
            crew,
            own,
            halves,
            next_step,
            free,
        } = two;
        let dt = self.sh.dt;
        let cfac = 0.001 * (1.0 / dt);
        let nodes = Nodes::of(self);
        let m = halves.twist();
        let chunk = if free { rows.len() as u64 } else { 1 };
        let mut ghost = self.sh.v[if halves.mirrored { m } else { m + 1 }];
        for (j, k) in rows.enumerate() {
            self.check_thresholds();
            self.deliver_until(self.sh.t + 0.5 * dt);
            let step = *next_step;
            *next_step += 1;
            if (j as u64).is_multiple_of(chunk) {
                crew.command(step, chunk, self.sh.t, dt, cfac);
            }
            self.sh.t += 0.5 * dt;
            let t_mid = self.sh.t;
            let t_end = t_mid + 0.5 * dt;
            crew.step(step, own, halves, nodes, (t_mid, t_end, cfac), &mut ghost);
            self.sh.t = t_end;
            if !free {
                crew.wait_done(step);
            }
            if record {
                self.record_row(k);
            }
            self.deliver_until(self.sh.t);
        }
        crew.wait_done(*next_step - 1);
    }

    /// `check_thresh`: spikes of detectors whose v crossed their threshold upward.
    fn check_thresholds(&mut self) {
        for d in &mut self.detectors {
            if self.sh.v[d.node as usize] - d.threshold > 0.0 {
                if !d.above {
                    d.above = true;
                    let sh = &mut self.sh;
                    sh.wiring
                        .send(d.source, sh.t + 1e-10, &mut sh.queue, &mut sh.spikes);
                }
            } else {
                d.above = false;
            }
        }
    }

    /// `setup_tree_matrix`: currents into rhs, conductances into d, axial terms.
    fn setup_tree_matrix(&mut self, kernels: &mut dyn StepKernels) {
        let t = self.sh.t;
        let cj = if self.secondorder != 0 {
            2.0 / self.sh.dt
        } else {
            1.0 / self.sh.dt
        };
        self.sh.cfac = 0.001 * cj;
        kernels.currents(&mut self.sets, &mut self.sh, t);
        let sh = &mut self.sh;
        // The axial currents go into rhs after the jacobians rather than before as in NEURON:
        // jacobians touch only d, so no node's operations change.
        if !std::mem::take(&mut sh.axial_done) {
            sh.tree.assemble(sh.cfac, &sh.v, &mut sh.d, &mut sh.rhs);
        }
    }

    /// Hines elimination (`triang` + `bksub`); the solution replaces rhs.
    fn solve(&mut self) {
        let sh = &mut self.sh;
        sh.tree.solve(&mut sh.d, &mut sh.rhs);
    }

    /// `second_order_cur`: ion currents corrected by di/dv·Δv (Crank–Nicolson only).
    fn second_order_current(&mut self) {
        let sh = &mut self.sh;
        for ion in &mut sh.ions.ions {
            for (k, &node) in ion.nodes.iter().enumerate() {
                ion.current[k] += ion.dcurrent_dv[k] * sh.rhs[node as usize];
            }
        }
    }

    /// Delivers every queued event with time ≤ `til`, each at its own time.
    fn deliver_until(&mut self, til: f64) {
        while let Some((time, payload)) = self.sh.queue.pop_until(til) {
            match payload {
                Payload::NetCon(nc) => {
                    let Some((set, instance)) = self.sh.wiring.target[nc as usize] else {
                        continue;
                    };
                    let weights = &mut self.weights[nc as usize];
                    let s = &mut self.sets[set as usize];
                    with_context(&mut self.sh, set, Some(nc), time, |ctx| {
                        s.net_receive(ctx, instance as usize, weights, 0.0)
                    });
                }
                Payload::SelfEvent {
                    set,
                    instance,
                    flag,
                    netcon,
                } => {
                    let weights = match netcon {
                        Some(nc) => &mut self.weights[nc as usize],
                        None => &mut self.scratch_weights,
                    };
                    let s = &mut self.sets[set as usize];
                    with_context(&mut self.sh, set, netcon, time, |ctx| {
                        s.net_receive(ctx, instance as usize, weights, flag)
                    });
                }
            }
        }
    }

    /// Resolves `probes` (in this partition's local numbering); samples follow their order.
    pub fn set_probes(&mut self, probes: &[Probe]) -> Result<(), Error> {
        let resolved = probes
            .iter()
            .map(|p| self.resolve(p))
            .collect::<Result<Vec<_>, _>>()?;
        self.samples = vec![0.0; resolved.len()];
        self.probes = resolved;
        let steps = self.row_t.len();
        self.reserve_rows(steps);
        Ok(())
    }

    /// Current values of the probes.
    pub fn sample(&mut self) -> &[f64] {
        for (slot, probe) in self.samples.iter_mut().zip(&self.probes) {
            *slot = match probe {
                Resolved::Voltage(n) => self.sh.v[*n as usize],
                Resolved::Ion { ion, var, index } => {
                    self.sh.ions.ions[*ion as usize].column(*var)[*index as usize]
                }
                Resolved::Field { set, field, index } => self.sets[*set as usize]
                    .field_values(field)
                    .map_or(f64::NAN, |col| col[*index as usize]),
                Resolved::Global { set, name } => {
                    self.sets[*set as usize].global(name).unwrap_or(f64::NAN)
                }
                Resolved::Diam(n) => self.sh.disc.diam[*n as usize],
                Resolved::Area(n) => self.sh.disc.area[*n as usize],
                Resolved::Cm(n) => self.sh.disc.cm[*n as usize],
            };
        }
        &self.samples
    }

    /// Queues an event of local NetCon `netcon` for a spike at `time` (from the exchange).
    pub fn queue_netcon(&mut self, netcon: u32, time: f64) {
        let delay = self.sh.wiring.delay[netcon as usize];
        self.sh.queue.push(time + delay, Payload::NetCon(netcon));
    }

    /// Moves this partition's spikes since the last exchange into `out`.
    pub fn take_spikes(&mut self, out: &mut Vec<(f64, u32)>) {
        out.extend(self.sh.spikes.drain(..).map(|(s, t)| (t, s)));
    }

    /// Stores the current samples as row `k` of the interval buffer.
    fn record_row(&mut self, k: usize) {
        let t = self.sh.t;
        self.sample();
        let n = self.samples.len();
        self.row_t[k] = t;
        self.rows[k * n..(k + 1) * n].copy_from_slice(&self.samples);
    }

    /// Sizes the row buffer for intervals of `steps` steps (before the time loop).
    pub fn reserve_rows(&mut self, steps: usize) {
        self.row_t.resize(steps.max(1), 0.0);
        self.rows.resize(steps.max(1) * self.samples.len(), 0.0);
    }

    /// `finitialize(v_init)`, recording row 0 of the buffer if `record`.
    pub fn finitialize(&mut self, v_init: f64, record: bool) {
        self.finitialize_recording(v_init, record);
    }

    /// `steps` fixed steps; with `record`, row k of the buffer holds the state after step k+1.
    pub fn advance(&mut self, steps: usize, record: bool) {
        self.advance_rows(0..steps, record, None);
    }

    /// One step per row of `rows` of the interval buffer (recorded if `record`), with the
    /// kernel phases shared out among a crew if given (see [`crate::split`]).
    pub(crate) fn advance_rows(
        &mut self,
        rows: std::ops::Range<usize>,
        record: bool,
        crew: Option<Crewed<'_>>,
    ) {
        let mut split;
        let mut prepared = self.prepared.take();
        let kernels: &mut dyn StepKernels = match (crew, &mut prepared) {
            (Some(Crewed::Twisted(two)), _) => {
                self.prepared = prepared;
                self.advance_twisted(rows, record, two);
                return;
            }
            (Some(Crewed::Phases(crew, own)), _) => {
                split = SplitKernels { crew, own };
                &mut split
            }
            (None, Some(p)) => p,
            (None, None) => &mut Serial,
        };
        for k in rows {
            self.fadvance_recording(record.then_some(k), kernels);
        }
        self.prepared = prepared;
    }

    /// Prepares every set's kernels once for the steps that follow (see [`crate::prepared`]);
    /// [`Partition::release_kernels`] must follow before anything outside the steps changes
    /// the partition's arrays, parameters, globals, dt or celsius.
    pub(crate) fn prepare_kernels(&mut self) {
        self.prepared = None;
        let prepared = Prepared::new(self);
        self.fused = prepared.fused();
        self.prepared = Some(prepared);
    }

    /// Drops the kernels of [`Partition::prepare_kernels`]: steps call each set again.
    pub(crate) fn release_kernels(&mut self) {
        self.prepared = None;
    }
}
