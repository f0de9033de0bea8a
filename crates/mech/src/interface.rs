//! The narrow interface between the engine and mechanisms.
//!
//! Call order per NEURON (`neuron-semantics.md` §2–3), with `sets` in `memb_order_`:
//! * finitialize: `ions.init(celsius)`, then `set.init()` for each set, then artificial cells,
//!   then `net_receive_init` per NetCon; then one `current` + `jacobian` pass.
//! * each step: `ions.current_begin(celsius)` (zero currents, Nernst where eadvance), then
//!   `set.current()` for each set (rhs contributions); axial rhs; d = 0; `set.jacobian()`
//!   for each set; capacitance; axial d; solve; v += rhs; `set.state()` for each set.

use nmodl::ir;

/// Everything a kernel may read or write outside its own instance storage.
pub struct Context<'a> {
    /// Current time as NEURON's kernels see it (t + dt/2 in `current`, t + dt in `state`,
    /// the event time in `net_receive`).
    pub t: f64,
    pub dt: f64,
    pub celsius: f64,
    /// Node arrays, indexed by node id.
    pub v: &'a [f64],
    pub rhs: &'a mut [f64],
    pub d: &'a mut [f64],
    /// Segment areas in µm² (100 for the zero-area end nodes, as NEURON).
    pub area: &'a [f64],
    pub diam: &'a [f64],
    pub ions: &'a mut IonStore,
    /// Receives `net_send`, `net_event` and `net_move` requests.
    pub events: &'a mut dyn EventSink,
}

/// Where kernels send events. `instance` is the index within the calling set.
pub trait EventSink {
    /// `net_send(delay, flag)`: a self-event to `instance` at `time` = `t + delay` (delay ≥ 0;
    /// the interpreter passes the absolute time, with `t` the kernel's `Context::t`).
    fn net_send(&mut self, mechanism: usize, instance: usize, time: f64, flag: f64);
    /// `net_event(t)`: the instance spikes at `time` (artificial cells, point processes).
    fn net_event(&mut self, mechanism: usize, instance: usize, time: f64);
    /// `net_move(t)`: moves the instance's pending self-event to `time`.
    fn net_move(&mut self, mechanism: usize, instance: usize, time: f64);
}

/// An event sink that drops everything (single cells without synapses).
pub struct NoEvents;

impl EventSink for NoEvents {
    fn net_send(&mut self, _: usize, _: usize, _: f64, _: f64) {}
    fn net_event(&mut self, _: usize, _: usize, _: f64) {}
    fn net_move(&mut self, _: usize, _: usize, _: f64) {}
}

/// A compiled per-step kernel of one set, prepared so that several threads may run it on
/// disjoint instance ranges at the same time (see [`MechanismSet::range_kernels`]).
pub trait RangeKernel: Send {
    /// Runs the kernel for instances `start..end` with kernel time `t`.
    ///
    /// # Safety
    /// The set and the node and ion arrays of the [`Context`] the kernel was prepared with must
    /// be alive, unmoved and not resized, and nobody else may use them during the call except
    /// other range kernels of the same preparation running on instance ranges whose nodes and
    /// ion entries are disjoint from this call's.
    unsafe fn run(&mut self, t: f64, start: usize, end: usize);
}

/// A set's per-step kernels as [`RangeKernel`]s; None where the set has nothing to do in that
/// phase (no such block, or a `current` kernel that also adds the jacobian's terms).
#[derive(Default)]
pub struct RangeKernels {
    pub current: Option<Box<dyn RangeKernel>>,
    pub jacobian: Option<Box<dyn RangeKernel>>,
    pub state: Option<Box<dyn RangeKernel>>,
}

/// All instances of one mechanism type in a simulation.
pub trait MechanismSet: Send {
    /// The compiled mechanism.
    fn mechanism(&self) -> &ir::Mechanism;
    /// Number of instances.
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Node of each instance (unused for artificial cells).
    fn nodes(&self) -> &[u32];
    /// NEURON's `_check_<table>`: rebuilds TABLEs whose DEPEND values (e.g. `celsius`) changed.
    /// `init`, and `current` (or `state` for mechanisms without a current), already do this,
    /// so calling it is optional; it is cheap when nothing changed.
    fn check_tables(&mut self, ctx: &mut Context) {
        let _ = ctx;
    }
    /// finitialize: states ← state0, INITIAL.
    fn init(&mut self, ctx: &mut Context);
    /// `nrn_cur`: rhs and ion current contributions; stores conductances.
    fn current(&mut self, ctx: &mut Context);
    /// `nrn_jacob`: adds the stored conductances to `d`.
    fn jacobian(&mut self, ctx: &mut Context);
    /// `nrn_state`: advances states to t + dt.
    fn state(&mut self, ctx: &mut Context);
    /// Delivers an event to `instance`; `args` is the NetCon's weight vector (slot 0 = weight),
    /// mutable because NET_RECEIVE may store per-connection state there.
    fn net_receive(&mut self, ctx: &mut Context, instance: usize, args: &mut [f64], flag: f64);
    /// Runs NET_RECEIVE's INITIAL block for one NetCon's argument vector.
    fn net_receive_init(&mut self, ctx: &mut Context, instance: usize, args: &mut [f64]);
    /// Storage column of field `name` (for recording and for setting values before the run).
    fn field_values(&self, name: &str) -> Option<&[f64]>;
    fn field_values_mut(&mut self, name: &str) -> Option<&mut [f64]>;
    /// Per-mechanism globals.
    fn set_global(&mut self, name: &str, value: f64) -> bool;
    /// `VecStim.play(vec)`: the event times of an instance (native VecStim only; false for
    /// every other mechanism). Call before finitialize.
    fn set_event_times(&mut self, instance: usize, times: &[f64]) -> bool {
        let _ = (instance, times);
        false
    }
    /// Re-seeds the per-instance random streams (`scop_random`, `exprand`, `normrand`, …):
    /// instance `k` gets `seeds[k]`, normally [`crate::math::instance_seed`] of a key that
    /// identifies the instance in the whole network, so that its draws do not depend on how
    /// instances are grouped into sets. Call before finitialize. False (and nothing changed)
    /// when `seeds` does not have one entry per instance or the set has no random streams
    /// (native sets such as VecStim).
    fn seed_random_streams(&mut self, seeds: &[u64]) -> bool {
        let _ = seeds;
        false
    }
    /// Current value of a per-mechanism global (`minf` of hh, `usetable_hh` as `usetable` …).
    fn global(&self, name: &str) -> Option<f64> {
        let _ = name;
        None
    }
    /// The `current`, `jacobian` and `state` kernels prepared for running on instance ranges
    /// from several threads (one preparation per thread: each has its own copy of the kernel
    /// environment), after the work a `current` call does first (TABLE checks, invariants).
    /// The result runs exactly what `current`/`jacobian`/`state` would, for the `ctx` given
    /// here (its dt and celsius). None when the set cannot: interpreted kernels, kernels that
    /// send events, draw random numbers, solve systems or write globals.
    fn range_kernels(&mut self, ctx: &mut Context) -> Option<RangeKernels> {
        let _ = ctx;
        None
    }
    /// The set itself as `Any`, for a backend that recognises its own sets among others
    /// (see [`MechanismSet::fused_kernels`]); None by default.
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        None
    }
    /// Whether the set may join a group of [`MechanismSet::fused_kernels`] (asked before its
    /// own kernels are prepared, so that a backend need not prepare those of fused sets).
    fn fusion_candidate(&self) -> bool {
        false
    }
    /// One set of [`RangeKernels`] running this set's kernels and then each of `followers`'
    /// (the sets after it in `memb_order_`, on the same nodes) within each phase, as one pass
    /// over the instances — what calling every set's [`MechanismSet::range_kernels`] in turn
    /// would compute, in fewer passes. None when the backend cannot fuse these sets; the
    /// caller then runs them one by one.
    fn fused_kernels(
        &mut self,
        followers: &mut [&mut Box<dyn MechanismSet>],
        ctx: &mut Context,
    ) -> Option<RangeKernels> {
        let _ = (followers, ctx);
        None
    }
}

/// Ion storage for one ion species, one entry per node that has the ion.
#[derive(Debug, Clone, Default)]
pub struct IonArrays {
    pub name: String,
    pub valence: f64,
    /// Node of each entry.
    pub nodes: Vec<u32>,
    pub erev: Vec<f64>,
    pub inside: Vec<f64>,
    pub outside: Vec<f64>,
    pub current: Vec<f64>,
    pub dcurrent_dv: Vec<f64>,
    /// NEURON's style bits (`iontype`): conc/rev style, cinit, einit, eadvance — the union
    /// over all entries (see `styles` for the per-node values NEURON actually uses).
    pub style: u32,
    /// Style bits of each entry (NEURON promotes styles per node).
    pub styles: Vec<u32>,
    /// `<ion>i0_<ion>_ion` and `<ion>o0_<ion>_ion` initial concentrations.
    pub inside0: f64,
    pub outside0: f64,
}

/// All ions of a simulation. Mechanism instances hold an index into the arrays of each ion
/// they use (the position of their node in `IonArrays::nodes`). Build with
/// [`IonStore::builder`]; per-step behaviour in `ions.rs` (`init`, `current_begin`,
/// `wrote_concentration`).
#[derive(Debug, Clone, Default)]
pub struct IonStore {
    pub ions: Vec<IonArrays>,
    /// Fast-math mode of `current_begin` (see [`IonStore::set_fast_math`]); off by default.
    pub(crate) fast_math: bool,
    /// Whether `current_begin` zeroes di/dv (see [`IonStore::set_ion_slopes`]); on by default.
    pub(crate) slopes: bool,
}
