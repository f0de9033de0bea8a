//! The contract between compiled kernels and Rust: the [`KernelEnv`] block a kernel receives
//! (raw pointers to struct-of-arrays storage, node and ion arrays, tables, scratch) and the
//! `extern "C"` helpers it calls for everything that must produce the interpreter's exact bits
//! (libm through the same Rust functions, table lookups, `simeq`) or that needs Rust state
//! (random streams, the event sink).
//!
//! Compiled code signature: `extern "C" fn(env: *const KernelEnv, start: i64, end: i64)`, run
//! for instances `start..end`.

use std::mem::offset_of;

use mech::math::{hoc_exp, RandomStream};
use mech::solver::simeq;
use mech::{EventSink, TableData};
use nmodl::ir::MathFn;

/// Everything a kernel reads besides its arguments. Pointers are valid for the duration of one
/// call; the caller checked every node and ion index against the array lengths.
#[repr(C)]
pub struct KernelEnv {
    /// Column pointer of each field (`n_fields` entries).
    pub fields: *const *mut f64,
    /// The set's globals; every write of a global lands here, in instance order.
    pub globals_live: *mut f64,
    /// Globals as the current chunk of `mech::LANES` instances started (what the interpreter
    /// broadcasts into its lane registers); reads of a not-yet-written global see these.
    pub globals_snap: *const f64,
    /// Node of each instance.
    pub nodes: *const u32,
    /// v, rhs, d, area, diam (indexed by [`node_slot`]).
    pub node_arrays: [*mut f64; 5],
    /// Per ion use, five column pointers (indexed by [`ion_slot`]).
    pub ion_cols: *const *mut f64,
    /// Per ion use, the entry of each instance in the ion's arrays.
    pub ion_index: *const *const u32,
    pub t: f64,
    pub dt: f64,
    pub celsius: f64,
    /// Per table: 1 when lookups use the built table (usetable ≠ 0 and built), else 0.
    pub table_on: *const u8,
    pub tables: *const TableData,
    /// Locals of table bodies evaluated directly (persist between calls, like the
    /// interpreter's `table_locals`).
    pub table_locals: *mut f64,
    /// Matrix, right-hand side and solution of `LinearSolve` (n² + 2n values).
    pub solve_buf: *mut f64,
    pub host: *mut Host,
    /// The kernel's rate table (fast-math; see `crate::rate_data`), else null.
    pub rate_table: *const f64,
    /// Per TABLE of the mechanism, its built data for inlined lookups (fast-math), else null.
    pub table_views: *const TableView,
}

/// A built NMODL TABLE as fast-math kernels read it (see `mech::TableData::raw`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct TableView {
    pub tmin: f64,
    pub mfac: f64,
    /// Interval count, as a float.
    pub intervals: f64,
    /// `outputs × (intervals + 1)` values, output-major.
    pub values: *const f64,
}

impl Default for TableView {
    fn default() -> Self {
        TableView {
            tmin: 0.0,
            mfac: 0.0,
            intervals: 0.0,
            values: std::ptr::null(),
        }
    }
}

/// Offsets of [`KernelEnv`] members, for the code generator.
pub mod off {
    use super::*;
    pub const FIELDS: i32 = offset_of!(KernelEnv, fields) as i32;
    pub const GLOBALS_LIVE: i32 = offset_of!(KernelEnv, globals_live) as i32;
    pub const GLOBALS_SNAP: i32 = offset_of!(KernelEnv, globals_snap) as i32;
    pub const NODES: i32 = offset_of!(KernelEnv, nodes) as i32;
    pub const NODE_ARRAYS: i32 = offset_of!(KernelEnv, node_arrays) as i32;
    pub const ION_COLS: i32 = offset_of!(KernelEnv, ion_cols) as i32;
    pub const ION_INDEX: i32 = offset_of!(KernelEnv, ion_index) as i32;
    pub const T: i32 = offset_of!(KernelEnv, t) as i32;
    pub const DT: i32 = offset_of!(KernelEnv, dt) as i32;
    pub const CELSIUS: i32 = offset_of!(KernelEnv, celsius) as i32;
    pub const TABLE_ON: i32 = offset_of!(KernelEnv, table_on) as i32;
    pub const TABLES: i32 = offset_of!(KernelEnv, tables) as i32;
    pub const TABLE_LOCALS: i32 = offset_of!(KernelEnv, table_locals) as i32;
    pub const SOLVE_BUF: i32 = offset_of!(KernelEnv, solve_buf) as i32;
    pub const HOST: i32 = offset_of!(KernelEnv, host) as i32;
    pub const RATE_TABLE: i32 = offset_of!(KernelEnv, rate_table) as i32;
    pub const TABLE_VIEWS: i32 = offset_of!(KernelEnv, table_views) as i32;
}

/// The node arrays of `ctx` as [`KernelEnv::node_arrays`] holds them, and their lengths.
pub(crate) fn node_arrays(ctx: &mut mech::Context) -> ([*mut f64; 5], [usize; 5]) {
    (
        [
            ctx.v.as_ptr() as *mut f64,
            ctx.rhs.as_mut_ptr(),
            ctx.d.as_mut_ptr(),
            ctx.area.as_ptr() as *mut f64,
            ctx.diam.as_ptr() as *mut f64,
        ],
        [
            ctx.v.len(),
            ctx.rhs.len(),
            ctx.d.len(),
            ctx.area.len(),
            ctx.diam.len(),
        ],
    )
}

/// Slot of a node variable in [`KernelEnv::node_arrays`].
pub fn node_slot(var: nmodl::ir::NodeVar) -> usize {
    use nmodl::ir::NodeVar::*;
    match var {
        V => 0,
        Rhs => 1,
        D => 2,
        Area => 3,
        Diam => 4,
    }
}

/// Slot of an ion variable among an ion use's five columns.
pub fn ion_slot(var: nmodl::ir::IonVar) -> usize {
    use nmodl::ir::IonVar::*;
    match var {
        Erev => 0,
        Inside => 1,
        Outside => 2,
        Current => 3,
        DCurrentDv => 4,
    }
}

/// Ion variable of each slot (inverse of [`ion_slot`]).
pub const ION_VARS: [nmodl::ir::IonVar; 5] = [
    nmodl::ir::IonVar::Erev,
    nmodl::ir::IonVar::Inside,
    nmodl::ir::IonVar::Outside,
    nmodl::ir::IonVar::Current,
    nmodl::ir::IonVar::DCurrentDv,
];

/// Rust state reachable from compiled code.
pub struct Host {
    pub events: *mut dyn EventSink,
    /// The set's per-instance random streams (`rng_len` of them), indexed by instance.
    pub rng: *mut RandomStream,
    pub rng_len: usize,
    pub set_id: usize,
    /// `Context::t` (net_send adds its delay to it, as the interpreter does).
    pub t: f64,
    /// Pivot scratch for `simeq` (sized for the largest system).
    pub perm: *mut usize,
}

/// Math functions by the code compiled kernels pass to [`jit_math`] / [`jit_random`].
pub const MATH_CODES: &[MathFn] = &[
    MathFn::Exp,
    MathFn::Log,
    MathFn::Log10,
    MathFn::Sqrt,
    MathFn::Fabs,
    MathFn::Floor,
    MathFn::Ceil,
    MathFn::Sin,
    MathFn::Cos,
    MathFn::Tan,
    MathFn::Asin,
    MathFn::Acos,
    MathFn::Atan,
    MathFn::Atan2,
    MathFn::Sinh,
    MathFn::Cosh,
    MathFn::Tanh,
    MathFn::Fmod,
    MathFn::Min,
    MathFn::Max,
    MathFn::Erf,
    MathFn::Erfc,
    MathFn::Nernst,
    MathFn::Ghk,
    MathFn::ScopRandom,
    MathFn::ExpRand,
    MathFn::NormRand,
    MathFn::UniRand,
    MathFn::PoisRand,
];

/// Code of `f` in [`MATH_CODES`].
pub fn math_code(f: MathFn) -> i64 {
    MATH_CODES.iter().position(|g| *g == f).unwrap_or(0) as i64
}

/// Event kinds passed to [`jit_event`].
pub const EVENT_SEND: i64 = 0;
pub const EVENT_EVENT: i64 = 1;
pub const EVENT_MOVE: i64 = 2;

/// NEURON's `hoc_Exp`, the interpreter's own function.
pub extern "C" fn jit_hoc_exp(x: f64) -> f64 {
    hoc_exp(x)
}

/// `^` / `pow`, as the interpreter computes it.
pub extern "C" fn jit_pow(a: f64, b: f64) -> f64 {
    a.powf(b)
}

/// Any deterministic math function, through the interpreter's own `eval_math`.
pub extern "C" fn jit_math(code: i64, a: f64, b: f64, c: f64, d: f64, celsius: f64) -> f64 {
    let f = MATH_CODES
        .get(code as usize)
        .copied()
        .unwrap_or(MathFn::Exp);
    mech::eval_math(f, &[a, b, c, d], celsius)
}

/// A random draw from instance `inst`'s own stream (as the interpreter's lane walker draws).
///
/// # Safety
/// `host` must point to a live [`Host`] whose `rng` points to `rng_len` streams (set up by the
/// caller of the kernel).
pub unsafe extern "C" fn jit_random(host: *mut Host, code: i64, inst: i64, a: f64, b: f64) -> f64 {
    let h = &mut *host;
    if inst < 0 || inst as usize >= h.rng_len {
        return f64::NAN;
    }
    let rng = &mut *h.rng.add(inst as usize);
    match MATH_CODES.get(code as usize) {
        Some(MathFn::ScopRandom | MathFn::UniRand) => rng.uniform(),
        Some(MathFn::ExpRand) => rng.exponential(a),
        Some(MathFn::NormRand) => rng.normal(a, b),
        Some(MathFn::PoisRand) => rng.poisson(a),
        _ => f64::NAN,
    }
}

/// `net_send` (time = delay, made absolute here), `net_event` and `net_move`.
///
/// # Safety
/// `host` must point to a live [`Host`] with a valid event sink.
pub unsafe extern "C" fn jit_event(host: *mut Host, kind: i64, inst: i64, time: f64, flag: f64) {
    let h = &mut *host;
    let sink = &mut *h.events;
    let inst = inst as usize;
    match kind {
        EVENT_SEND => sink.net_send(h.set_id, inst, h.t + time, flag),
        EVENT_EVENT => sink.net_event(h.set_id, inst, time),
        _ => sink.net_move(h.set_id, inst, time),
    }
}

/// Output `k` of built table `table` at `x` (NEURON's interpolation, the interpreter's code).
///
/// # Safety
/// `tables` must point to at least `table + 1` tables, the table built with ≥ `k + 1` outputs.
pub unsafe extern "C" fn jit_table_lookup(
    tables: *const TableData,
    table: i64,
    k: i64,
    x: f64,
) -> f64 {
    (*tables.add(table as usize)).lookup(k as usize, x)
}

/// scopmath `simeq` on `buf` = [matrix (n²), rhs (n), x (n)]; returns 1 on success.
///
/// # Safety
/// `buf` must hold n² + 2n values and `host.perm` n entries.
pub unsafe extern "C" fn jit_simeq(host: *mut Host, n: i64, buf: *mut f64) -> i64 {
    let n = n as usize;
    let all = std::slice::from_raw_parts_mut(buf, n * n + 2 * n);
    let (a, rest) = all.split_at_mut(n * n);
    let (b, x) = rest.split_at_mut(n);
    let perm = std::slice::from_raw_parts_mut((*host).perm, n);
    simeq(n, a, b, x, perm).is_ok() as i64
}
