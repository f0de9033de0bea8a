//! [`JitSet`]: a mechanism set whose kernels run as native code, on the very storage of the
//! wrapped [`InterpretedSet`] (which also provides table construction, NET_RECEIVE, field and
//! global access, and the kernels the JIT does not compile).

use std::time::Duration;

use mech::{Context, InterpretedSet, MechanismSet, RangeKernels, LANES};
use std::sync::Arc;

use nmodl::ir;

use crate::analysis::Unsupported;
use crate::cache::{self, Compiled, CompiledMechanism};
use crate::range::JitRange;
use crate::Error;

mod prepare;

/// Which kernel of a mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KernelKind {
    Init,
    Current,
    Jacobian,
    State,
}

/// How a [`JitSet`] compiles its kernels.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Options {
    /// Fast-math mode: `current`, `jacobian` and `state` kernels that [`crate::simd`] can
    /// vectorise run 4 instances at a time with an inline `exp` (results within a few ulp
    /// per call of the exact kernels, no longer bit-identical to NEURON). INITIAL, which runs
    /// once, is left to the interpreter to keep compile time down. A vectorised `current` kernel
    /// also adds the `jacobian`'s terms to d (the engine zeroes d before the currents); the
    /// following `jacobian` call is then a no-op.
    pub fast_math: bool,
    /// With `fast_math`: pure functions of v in vectorised kernels read from piecewise-cubic
    /// rate tables (see [`crate::rate_data`]; within ~10⁻⁹ relative of direct evaluation), and
    /// costly expressions over parameters only (a synapse's `1 − exp(−dt/τ)`) computed once
    /// per run into hidden per-instance fields
    /// ([`crate::simd::rate_table::hoist_invariants`]), and currents affine in v take their
    /// exact derivative as conductance instead of NEURON's difference quotient
    /// ([`crate::simd::conductance`]; equal up to rounding).
    pub rate_tables: bool,
    /// With `rate_tables`: the only mechanism variables anyone reads after a step (report
    /// variables, as NEURON names such as `m_na` or `ica`). ASSIGNED fields outside this set
    /// that no other kernel reads are not stored by fast-math `state` kernels (gating
    /// mechanisms' `minf`/`mtau` copies) nor by fast-math `current` kernels (`g`, `ina`
    /// copies, the compiler's `v` and `_g`): their `field_values` keep stale values. `None`
    /// keeps every store. Without `ion_slopes` (no Crank–Nicolson correction), an ion's total
    /// current `i<ion>` not in the set is not accumulated by fast-math current kernels either:
    /// the set must then also name the ion currents any mechanism READs.
    pub observed: Option<std::sync::Arc<std::collections::BTreeSet<String>>>,
    /// Whether current kernels accumulate the ion currents' slopes di/dv, which only the
    /// engine's Crank–Nicolson ion correction reads (`secondorder` 2). With `fast_math`, false
    /// leaves them out (ion `DCurrentDv` then stays as the engine zeroed it); exact kernels
    /// always compute them. Default true.
    pub ion_slopes: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            fast_math: false,
            rate_tables: false,
            observed: None,
            ion_slopes: true,
        }
    }
}

impl Options {
    /// Everything fast: SIMD kernels with rate tables, every variable kept observable.
    pub fn fast() -> Self {
        Options {
            fast_math: true,
            rate_tables: true,
            observed: None,
            ion_slopes: true,
        }
    }
}

/// A mechanism set running compiled kernels (see the crate docs).
pub struct JitSet {
    inner: InterpretedSet,
    mech: std::sync::Arc<ir::Mechanism>,
    /// Native code (None: nothing compiled — artificial cells, no instances, not yet compiled
    /// or failed).
    code: Option<Arc<CompiledMechanism>>,
    /// Compiling is still to do (see [`JitSet::deferred`]).
    pending: bool,
    /// Compile time paid by this set (zero when the code came from the cache).
    compile_time: Duration,
    field_ptrs: Vec<*mut f64>,
    ion_cols: Vec<*mut f64>,
    ion_index: Vec<*const u32>,
    snap: Vec<f64>,
    table_on: Vec<u8>,
    /// Built tables as fast-math kernels read them (refreshed on each call that needs them).
    table_views: Vec<crate::abi::TableView>,
    table_locals: Vec<f64>,
    solve_buf: Vec<f64>,
    perm: Vec<usize>,
    max_node: Option<u32>,
    /// Largest entry per ion use (None: no instances).
    max_ion_entry: Vec<Option<u32>>,
    /// Per kernel slot: the rate table in use and the inputs it was built for.
    rate_tables: [Option<(crate::rate_data::Inputs, Arc<Vec<f64>>)>; 4],
    /// Hidden fields: hoisted invariants per instance (their pointers follow the mechanism's
    /// own columns in `field_ptrs`).
    hidden: Vec<Vec<f64>>,
    /// `(dt, celsius)` the hidden fields were computed for; None: stale (INITIAL ran, or a
    /// field or global may have changed).
    hidden_for: Option<(f64, f64)>,
    /// The last `current` call ran the fused kernel, which already added the jacobian.
    jacobian_added: bool,
    /// Fast-math: the fields compiled in as constants and their values (see
    /// `crate::specialize`), and whether they were checked since they last may have changed.
    specialized: Vec<(u32, f64)>,
    specialization_checked: bool,
    options: Options,
}

/// Which compiled code [`JitSet::run`] calls.
#[derive(Clone, Copy)]
enum Which {
    Kernel(usize),
    Invariants,
}

// SAFETY: the raw pointers point into storage owned by `inner` (columns are never reallocated
// after creation) or are rebuilt for each call; the native code is owned by `_module`. Nothing
// is shared with another thread.
unsafe impl Send for JitSet {}

impl JitSet {
    /// Compiles the kernels of `inner`'s mechanism. Kernels the JIT cannot run with the
    /// interpreter's exact results (see [`crate::analysis`]) stay interpreted.
    pub fn new(inner: InterpretedSet) -> Result<Self, Error> {
        Self::with_options(inner, Options::default())
    }

    /// As [`JitSet::new`], with `options`.
    pub fn with_options(inner: InterpretedSet, options: Options) -> Result<Self, Error> {
        let mut set = Self::deferred(inner, options);
        set.compile()?;
        Ok(set)
    }

    /// As [`JitSet::with_options`], compiling on first use of a kernel rather than now: a
    /// fast-math set whose kernels run fused with others' (`crate::fuse`) is never compiled on
    /// its own. Until then [`JitSet::is_compiled`] and the like report nothing compiled; a
    /// compile error then leaves every kernel to the interpreter.
    pub fn deferred(mut inner: InterpretedSet, options: Options) -> Self {
        let mech = std::sync::Arc::new(inner.mechanism().clone());
        let max_node = inner.nodes().iter().copied().max();
        let total: usize = mech.tables.iter().map(|t| t.body.locals.len().max(1)).sum();
        let (st, _) = inner.parts_mut();
        let field_ptrs = st.fields.iter_mut().map(|c| c.as_mut_ptr()).collect();
        let max_ion_entry = st
            .ion_index
            .iter()
            .map(|ix| ix.iter().copied().max())
            .collect();
        let n_globals = st.globals.len();
        let n_ions = mech.ions.len();
        JitSet {
            max_node,
            inner,
            mech: mech.clone(),
            code: None,
            pending: true,
            compile_time: Duration::ZERO,
            field_ptrs,
            ion_cols: vec![std::ptr::null_mut(); n_ions * 5],
            ion_index: vec![std::ptr::null(); n_ions],
            snap: vec![0.0; n_globals],
            table_on: vec![0; mech.tables.len()],
            table_views: vec![Default::default(); mech.tables.len()],
            table_locals: vec![0.0; total.max(1)],
            solve_buf: vec![0.0; 1],
            perm: vec![0; 1],
            max_ion_entry,
            rate_tables: Default::default(),
            hidden: Vec::new(),
            hidden_for: None,
            jacobian_added: false,
            specialized: Vec::new(),
            specialization_checked: true,
            options,
        }
    }

    /// Compiles the kernels if that is still to do (see [`JitSet::deferred`]).
    fn compile(&mut self) -> Result<(), Error> {
        if !std::mem::take(&mut self.pending) {
            return Ok(());
        }
        let mech = Arc::clone(&self.mech);
        if mech.kind == ir::Kind::Artificial || self.inner.is_empty() {
            return Ok(());
        }
        let mut table_local_offset = Vec::with_capacity(mech.tables.len());
        let mut total = 0;
        for t in &mech.tables {
            table_local_offset.push(total);
            total += t.body.locals.len().max(1);
        }
        let print = self.inner.print_enabled();
        let nodes = self.inner.nodes().to_vec();
        let (st, _) = self.inner.parts_mut();
        let layout = crate::simd::Layout::of(&nodes, st.ion_index.iter().map(|ix| &ix[..]));
        let distinct = layout.distinct;
        self.specialized = if self.options.fast_math {
            crate::specialize::uniform_frozen(&mech, |f| st.fields.get(f as usize).map(|c| &c[..]))
        } else {
            Vec::new()
        };
        self.specialization_checked = true;
        let specialized;
        let for_code = if self.specialized.is_empty() {
            &mech
        } else {
            specialized = crate::specialize::specialize(&mech, &self.specialized);
            &specialized
        };
        let (code, fresh) = cache::compiled(
            for_code,
            &self.options,
            distinct,
            print,
            &layout,
            &table_local_offset,
        )?;
        if fresh {
            self.compile_time = code.compile_time;
        }
        let max_system = code.max_system;
        let n = self.inner.len();
        self.hidden = vec![vec![0.0; n]; code.hidden_fields];
        let (st, _) = self.inner.parts_mut();
        self.field_ptrs = st
            .fields
            .iter_mut()
            .chain(self.hidden.iter_mut())
            .map(|c| c.as_mut_ptr())
            .collect();
        self.solve_buf = vec![0.0; max_system * max_system + 2 * max_system + 1];
        self.perm = vec![0; max_system.max(1)];
        self.code = Some(code);
        // New code may read other rate functions (other run constants) and other invariants.
        self.rate_tables = Default::default();
        self.hidden_for = None;
        Ok(())
    }

    /// [`JitSet::compile`] before a kernel runs: a compile error leaves the kernels to the
    /// interpreter (`code` stays None). Code specialised on field values that changed since is
    /// compiled again first (see `crate::specialize`).
    fn ensure_compiled(&mut self) {
        let unchecked = !std::mem::replace(&mut self.specialization_checked, true);
        if unchecked && self.options.fast_math && self.code.is_some() {
            let fields = &self.inner.storage().fields;
            let now = crate::specialize::uniform_frozen(&self.mech, |f| {
                fields.get(f as usize).map(|c| &c[..])
            });
            let same = now.len() == self.specialized.len()
                && now
                    .iter()
                    .zip(&self.specialized)
                    .all(|(a, b)| a.0 == b.0 && a.1.to_bits() == b.1.to_bits());
            if !same {
                self.pending = true;
            }
        }
        let _ = self.compile();
    }

    fn kernel(&self, slot: usize) -> Option<&Compiled> {
        self.code.as_ref()?.kernels[slot].as_ref()
    }

    /// Time spent generating native code for this set (zero when another set of the same
    /// mechanism compiled it: see [`crate::cache`]).
    pub fn compile_time(&self) -> Duration {
        self.compile_time
    }

    /// Whether kernel `kind` runs as native code.
    pub fn is_compiled(&self, kind: KernelKind) -> bool {
        self.kernel(kind as usize).is_some()
    }

    /// Number of hidden per-instance fields holding hoisted invariants (fast-math).
    pub fn hidden_fields(&self) -> usize {
        self.hidden.len()
    }

    /// Whether kernel `kind` runs as fast-math SIMD code.
    pub fn is_vectorised(&self, kind: KernelKind) -> bool {
        self.code.as_ref().is_some_and(|c| c.simd[kind as usize])
    }

    /// Why kernel `kind` stays interpreted (None when compiled or absent).
    pub fn interpreted_reason(&self, kind: KernelKind) -> Option<&Unsupported> {
        self.code.as_ref()?.interpreted[kind as usize].as_ref()
    }

    /// The wrapped interpreter set.
    pub fn interpreter(&self) -> &InterpretedSet {
        &self.inner
    }

    /// The options the set was compiled with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Whether the set's per-step kernels may join a fused group (`crate::fuse`): compiled
    /// fast-math code, no printing.
    pub(crate) fn fusable(&self) -> bool {
        self.options.fast_math
            && self.mech.kind != ir::Kind::Artificial
            && !self.inner.print_enabled()
            && !self.inner.is_empty()
    }

    /// The interpreter's storage (fields, globals, ion indices) and tables.
    pub(crate) fn storage(&mut self) -> (&mut mech::Storage, &[mech::TableData]) {
        self.inner.parts_mut()
    }

    /// Runs compiled kernel `slot`; false when indices do not fit the arrays (the caller then
    /// interprets, which reports such data by NaN/no-op exactly as before).
    fn run(&mut self, slot: usize, ctx: &mut Context) -> bool {
        self.refresh_invariants(ctx);
        self.run_code(Which::Kernel(slot), ctx)
    }

    fn run_code(&mut self, which: Which, ctx: &mut Context) -> bool {
        let Some(mut call) = self.prepare(which, ctx) else {
            return false;
        };
        // SAFETY (lifetime): the sink outlives this call; `host` does not escape it.
        call.host.events = unsafe {
            std::mem::transmute::<
                *mut (dyn mech::EventSink + '_),
                *mut (dyn mech::EventSink + 'static),
            >(&mut *ctx.events)
        };
        call.env.host = &mut call.host;
        let n = self.inner.len();
        let (f, env) = (call.f, &mut call.env);
        if call.chunked {
            // The interpreter broadcasts globals per chunk of LANES instances and stores the
            // last writer's value at the chunk's end; snapshots per chunk reproduce that.
            let mut start = 0;
            while start < n {
                let end = (start + LANES).min(n);
                self.snap.copy_from_slice(&self.inner.parts_mut().0.globals);
                env.globals_snap = self.snap.as_ptr();
                // SAFETY: env points to live storage sized for every index the kernel uses
                // (checked by `prepare` and at creation).
                unsafe { f(env, start as i64, end as i64) };
                start = end;
            }
        } else {
            // SAFETY: as above.
            unsafe { f(env, 0, n as i64) };
        }
        true
    }

    /// Runs the hoisted invariants if dt or celsius changed since they were computed.
    fn refresh_invariants(&mut self, ctx: &mut Context) {
        if self.code.as_ref().is_some_and(|c| c.invariants.is_some()) {
            let key = (ctx.dt, ctx.celsius);
            if self.hidden_for != Some(key) {
                self.run_code(Which::Invariants, ctx);
                self.hidden_for = Some(key);
            }
        }
    }
}

impl MechanismSet for JitSet {
    fn mechanism(&self) -> &ir::Mechanism {
        &self.mech
    }

    fn len(&self) -> usize {
        self.inner.len()
    }

    fn nodes(&self) -> &[u32] {
        self.inner.nodes()
    }

    fn check_tables(&mut self, ctx: &mut Context) {
        self.inner.check_tables(ctx)
    }

    fn init(&mut self, ctx: &mut Context) {
        self.hidden_for = None;
        self.specialization_checked = false;
        // Fast-math leaves INITIAL to the interpreter: nothing to compile for it.
        if !self.options.fast_math {
            self.ensure_compiled();
        }
        if self.kernel(0).is_none() {
            return self.inner.init(ctx);
        }
        self.inner.check_tables(ctx);
        if self.run(0, ctx) {
            self.inner.wrote_concentrations(ctx);
        } else {
            self.inner.init(ctx);
        }
    }

    fn current(&mut self, ctx: &mut Context) {
        self.ensure_compiled();
        self.jacobian_added = false;
        if self.kernel(1).is_none() {
            return self.inner.current(ctx);
        }
        self.inner.check_tables(ctx);
        if self.run(1, ctx) {
            self.jacobian_added = self.code.as_ref().is_some_and(|c| c.fused_jacobian);
        } else {
            self.inner.current(ctx);
        }
    }

    fn jacobian(&mut self, ctx: &mut Context) {
        self.ensure_compiled();
        if std::mem::take(&mut self.jacobian_added) {
            return;
        }
        if !self.run(2, ctx) {
            self.inner.jacobian(ctx);
        }
    }

    fn state(&mut self, ctx: &mut Context) {
        self.ensure_compiled();
        if self.kernel(3).is_none() {
            return self.inner.state(ctx);
        }
        if self.mech.current.is_none() {
            self.inner.check_tables(ctx);
        }
        // As the interpreter: no `nrn_wrote_conc` after `nrn_state` (nocmodl emits it in
        // `nrn_init` only; e<ion> follows at the next `ion_cur`).
        if !self.run(3, ctx) {
            self.inner.state(ctx);
        }
    }

    fn net_receive(&mut self, ctx: &mut Context, instance: usize, args: &mut [f64], flag: f64) {
        self.inner.net_receive(ctx, instance, args, flag)
    }

    fn seed_random_streams(&mut self, seeds: &[u64]) -> bool {
        self.inner.seed_random_streams(seeds)
    }

    fn net_receive_init(&mut self, ctx: &mut Context, instance: usize, args: &mut [f64]) {
        self.hidden_for = None;
        self.specialization_checked = false;
        self.inner.net_receive_init(ctx, instance, args)
    }

    fn field_values(&self, name: &str) -> Option<&[f64]> {
        self.inner.field_values(name)
    }

    fn field_values_mut(&mut self, name: &str) -> Option<&mut [f64]> {
        self.hidden_for = None;
        self.specialization_checked = false;
        self.inner.field_values_mut(name)
    }

    fn set_global(&mut self, name: &str, value: f64) -> bool {
        self.hidden_for = None;
        self.inner.set_global(name, value)
    }

    fn range_kernels(&mut self, ctx: &mut Context) -> Option<RangeKernels> {
        let m = &self.mech;
        let idle = m.current.is_none() && m.jacobian.is_none() && m.state.is_none();
        if self.inner.is_empty() || idle {
            return Some(RangeKernels::default());
        }
        // Uncompiled (artificial cells): the interpreter would run the kernels.
        self.ensure_compiled();
        let code = self.code.clone()?;
        self.inner.check_tables(ctx);
        self.refresh_invariants(ctx);
        let mut out = RangeKernels::default();
        for kind in [KernelKind::Current, KernelKind::Jacobian, KernelKind::State] {
            let fused = kind == KernelKind::Jacobian && code.fused_jacobian;
            if cache::kernel_of(&self.mech, kind).is_none() || fused {
                continue;
            }
            let call = self.prepare(Which::Kernel(kind as usize), ctx)?;
            if !call.range_safe || call.chunked {
                return None;
            }
            let k = JitRange::new(call.f, call.env, call.host, Arc::clone(&code));
            let slot = match kind {
                KernelKind::Current => &mut out.current,
                KernelKind::Jacobian => &mut out.jacobian,
                _ => &mut out.state,
            };
            *slot = Some(Box::new(k));
        }
        Some(out)
    }

    fn global(&self, name: &str) -> Option<f64> {
        self.inner.global(name)
    }

    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(self)
    }

    fn fusion_candidate(&self) -> bool {
        self.fusable()
    }

    fn fused_kernels(
        &mut self,
        followers: &mut [&mut Box<dyn MechanismSet>],
        ctx: &mut Context,
    ) -> Option<RangeKernels> {
        let mut sets: Vec<&mut JitSet> = vec![self];
        for f in followers.iter_mut() {
            sets.push(f.as_any_mut()?.downcast_mut::<JitSet>()?);
        }
        crate::fuse::range_kernels(&mut sets, ctx)
    }
}
