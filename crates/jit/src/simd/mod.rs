//! Fast-math kernels: SIMD across instances with an inline vectorised `exp`.
//!
//! A kernel is *vectorisable* ([`vectorisable`], `check.rs`) when it is a tree of assignments,
//! `IF`s and PROCEDURE TABLE calls over fields, locals, node and ion values (globals only
//! written before they are read, no events, no random draws, no loops) and node or ion values
//! that several instances share are only accumulated into. Such a kernel runs [`WIDTH`]
//! instances per loop iteration as two `f64x2` vectors (struct-of-arrays columns loaded and
//! stored as vectors; node and ion values gathered and scattered lane by lane, or as vectors
//! for runs of consecutive entries), then the remaining instances one at a time through the
//! *same* vector code with a single live lane — so an instance's result never depends on its
//! position. Divisions by constants become multiplications by the reciprocal, and cnexp's
//! steady-state quotient `−(x∞/τ)/(−1/τ)` becomes `x∞`. `IF`s are if-converted: both branches
//! run, and each assignment keeps the old value in lanes whose condition is false. Before code
//! generation, `rate_table.rs` rewrites pure functions of v into rate-table reads
//! (`lookup.rs`) and parameter-only expressions into hidden fields; `table_call.rs` inlines
//! NMODL TABLE lookups; `conductance.rs` gives affine currents their exact derivative.
//!
//! `exp` is evaluated inline (see `exp.rs`): with k = round(32·x/ln2), the Cody–Waite
//! reduction r = (x − k·(ln2/32)ₕᵢ) − k·(ln2/32)ₗₒ, |r| ≤ ln2/64, and j = k mod 32,
//!
//! e^x = 2^⌊k/32⌋ · 2^(j/32) · (1 + r + r²/2 + r³/6 + r⁴/24 + r⁵/120)
//!
//! (truncation error < 3·10⁻¹⁵ relative; 2^(j/32) from a 32-entry table, 2^⌊k/32⌋ added in the
//! exponent field; fused multiply-adds where the CPU has them). `hoc_Exp`'s clamps are kept:
//! 0 below −700, e⁷⁰⁰ above 700. Results differ from libm's by a few ulp: traces stay well
//! within the 0.1 mV the mode promises (see the crate's fast-math tests), but are not
//! bit-identical to NEURON. Other library functions (log, pow, …) are called lane by lane
//! through the exact helpers.

#![allow(clippy::needless_range_loop)] // `0..self.n`: only the live halves of fixed arrays
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, Endianness, InstBuilder, MemFlagsData, Value};
use cranelift_codegen::isa::TargetFrontendConfig;
use cranelift_frontend::{FunctionBuilder, Variable};
use nmodl::ir::{Mechanism, Place, Stmt};

use crate::abi::off;
use crate::analysis::Usage;
use crate::codegen::Helpers;

mod body;
mod check;
pub mod conductance;
mod exp;
mod fields;
pub(crate) use fields::frozen_fields;
mod lookup;
mod memory;
mod pure;
pub mod rate_table;
mod table_call;

use check::cnexp_steady_state;
pub use check::vectorisable;
pub use fields::unstored_by_current;

/// Instances per vector iteration: two `f64x2` halves.
pub const WIDTH: usize = 4;
const HALVES: usize = 2;
/// Statements of a body short enough to be emitted twice, once for a run of nodes and once
/// lane by lane (see `emit_loop`).
const SHORT_BODY: usize = 24;

/// Which indexed arrays a set reaches through *runs*: instance k at entry e₀ + k (density
/// mechanisms on the consecutive segments of a cell). Their values load and store as vectors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Layout {
    /// Every instance has its own node (else node and ion updates go lane by lane).
    pub distinct: bool,
    /// Instance k + 1's node comes after instance k's (density mechanisms): four lanes' nodes
    /// are consecutive exactly when the last is the first + 3.
    pub increasing: bool,
    pub nodes: bool,
    /// Per ion use.
    pub ions: Vec<bool>,
}

impl Layout {
    /// The layout of a set with node `nodes[k]` and ion entries `ion_index[u][k]` per instance.
    pub fn of<'a>(nodes: &[u32], ion_index: impl IntoIterator<Item = &'a [u32]>) -> Self {
        let increasing = nodes.windows(2).all(|w| w[0] < w[1]);
        let distinct = increasing || {
            let mut s = nodes.to_vec();
            s.sort_unstable();
            s.windows(2).all(|w| w[0] != w[1])
        };
        Layout {
            distinct,
            increasing,
            nodes: is_run(nodes),
            ions: ion_index.into_iter().map(is_run).collect(),
        }
    }
}

/// Whether `index[k] = index[0] + k` for every k.
pub fn is_run(index: &[u32]) -> bool {
    index
        .iter()
        .enumerate()
        .all(|(k, &e)| e as usize == index[0] as usize + k)
}

/// What the code generator needs besides the kernel body: the set's index layout, the rate
/// table the body reads (if any) and the fields it need not store.
#[derive(Debug, Clone, Copy)]
pub struct VectorPlan<'a> {
    pub layout: &'a Layout,
    pub rate: Option<&'a rate_table::Tabulated>,
    /// Fields whose final values nobody reads (see `fields.rs`): computed, never stored.
    pub unstored: &'a std::collections::BTreeSet<u32>,
}

/// A value of the kernel: one `f64x2` (or mask) per half; only `[0]` in single-lane mode.
type Vv = [Value; HALVES];

fn flags() -> MemFlagsData {
    // Columns are only 8-byte aligned: no `aligned` flag for vector accesses.
    MemFlagsData::new().with_notrap()
}

fn lanes() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

/// Per place the body writes: the index of the last top-level statement that writes it.
fn last_writes(body: &[Stmt]) -> Vec<(Place, usize)> {
    let mut out: Vec<(Place, usize)> = Vec::new();
    for (k, s) in body.iter().enumerate() {
        crate::analysis::for_each_written_place(std::slice::from_ref(s), &mut |p| match out
            .iter_mut()
            .find(|(q, _)| q == p)
        {
            Some(entry) => entry.1 = k,
            None => out.push((p.clone(), k)),
        });
    }
    out
}

/// Lookup in a [`last_writes`] list.
trait LastWrite {
    fn get(&self, p: &Place) -> Option<&usize>;
}

impl LastWrite for Vec<(Place, usize)> {
    fn get(&self, p: &Place) -> Option<&usize> {
        self.iter().find(|(q, _)| q == p).map(|(_, k)| k)
    }
}

/// Code generator for one fast-math kernel.
pub struct VecGen<'f> {
    b: FunctionBuilder<'f>,
    h: Helpers,
    field_ptr: Vec<Option<Value>>,
    node_ptr: [Option<Value>; 5],
    ion_ptr: Vec<[Option<Value>; 5]>,
    ion_index: Vec<Option<Value>>,
    nodes: Value,
    globals: Vec<Option<Value>>,
    t: Value,
    dt: Value,
    celsius: Value,
    /// Halves live in the iteration being emitted (2, or 1 for the single-lane tail).
    n: usize,
    /// Byte offset of the iteration's first instance in the columns.
    off8: Value,
    /// Per lane (4, or 1): byte offset of the instance's node / ion entry.
    node_off: Vec<Value>,
    ion_off: Vec<Vec<Value>>,
    locals: Vec<[Variable; HALVES]>,
    /// Lanes assignments apply to (inside if-converted `IF`s), as I64X2 masks.
    mask: Option<Vv>,
    ptr: types::Type,
    /// Register copies of the iteration's field, node and ion values (see `memory.rs`).
    memory: Vec<(Place, Vv)>,
    /// Places written in the iteration, in first-write order.
    dirty: Vec<Place>,
    /// The host CPU fuses multiply-add (used in `exp`).
    fma: bool,
    layout: Layout,
    /// The kernel's rate table, if it reads one (see `lookup.rs`).
    rate: Option<lookup::RateGen>,
    /// `env.table_views` when the kernel calls TABLEs (see `table_call.rs`), and each table's
    /// outputs.
    table_views: Option<Value>,
    table_outputs: Vec<Vec<Place>>,
    /// `env.globals_live`: lane-local globals are stored back there (last instance's value).
    globals_live: Value,
    /// In a vector iteration of a set whose nodes are not one run as a whole: whether this
    /// iteration's four nodes are consecutive (an I8 truth value), see `memory.rs`.
    node_block_run: Option<Value>,
    /// The set's nodes increase but are runs only piecewise: each vector iteration loads its
    /// first and last node index, and its four nodes are consecutive exactly when they differ
    /// by 3; the other lanes' indices are loaded only on the lane-by-lane path.
    check_node_runs: bool,
    /// Address of the iteration's first node index (for those lazy loads).
    node_index_at: Option<Value>,
    /// Inside one of the two copies of a short body that branches once per iteration on
    /// `node_block_run` (see `emit_loop`): whether this copy is the run's.
    node_run_known: Option<bool>,
    /// Fields not stored at the end of an iteration (nobody reads their final values).
    unstored: std::collections::BTreeSet<u32>,
    /// Places the kernel writes (any other place it reads is constant while it runs).
    written: Vec<Place>,
}

impl<'f> VecGen<'f> {
    /// Emits the whole kernel: vector loop over groups of [`WIDTH`] instances, single-lane loop
    /// over the rest. Same signature as the exact kernels.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        mut b: FunctionBuilder<'f>,
        m: &Mechanism,
        h: Helpers,
        ptr: types::Type,
        body: &[Stmt],
        n_locals: usize,
        usage: &Usage,
        config: TargetFrontendConfig,
        fma: bool,
        plan: &VectorPlan,
    ) {
        let VectorPlan {
            layout,
            rate,
            unstored,
        } = *plan;
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let [env, start, end] = [0, 1, 2].map(|k| b.block_params(entry)[k]);
        let tf = MemFlagsData::trusted();
        let fields_base = b.ins().load(ptr, tf, env, off::FIELDS);
        let snap = b.ins().load(ptr, tf, env, off::GLOBALS_SNAP);
        let nodes = b.ins().load(ptr, tf, env, off::NODES);
        let scalar = |b: &mut FunctionBuilder, o| {
            let x = b.ins().load(types::F64, tf, env, o);
            b.ins().splat(types::F64X2, x)
        };
        let t = scalar(&mut b, off::T);
        let dt = scalar(&mut b, off::DT);
        let celsius = scalar(&mut b, off::CELSIUS);
        // Hidden fields (hoisted invariants) follow the mechanism's own.
        let n_fields = usage.fields.last().map_or(0, |&f| f as usize + 1);
        let mut field_ptr = vec![None; m.fields.len().max(n_fields)];
        for &f in &usage.fields {
            field_ptr[f as usize] = Some(b.ins().load(ptr, tf, fields_base, 8 * f as i32));
        }
        let mut node_ptr = [None; 5];
        for &s in &usage.nodes {
            node_ptr[s] = Some(b.ins().load(ptr, tf, env, off::NODE_ARRAYS + 8 * s as i32));
        }
        let mut ion_ptr = vec![[None; 5]; m.ions.len()];
        let mut ion_index = vec![None; m.ions.len()];
        if !usage.ions.is_empty() {
            let cols = b.ins().load(ptr, tf, env, off::ION_COLS);
            let idx = b.ins().load(ptr, tf, env, off::ION_INDEX);
            for &(u, s) in &usage.ions {
                let o = (8 * (u as usize * 5 + s)) as i32;
                ion_ptr[u as usize][s] = Some(b.ins().load(ptr, tf, cols, o));
                if ion_index[u as usize].is_none() {
                    ion_index[u as usize] = Some(b.ins().load(ptr, tf, idx, 8 * u as i32));
                }
            }
        }
        let mut globals = vec![None; m.globals.len()];
        for &g in &usage.globals {
            let x = b.ins().load(types::F64, tf, snap, 8 * g as i32);
            globals[g as usize] = Some(b.ins().splat(types::F64X2, x));
        }
        let rate =
            rate.map(|r| lookup::RateGen::new(&mut b, env, ptr, r.first_local, &r.functions));
        let mut tables = crate::analysis::tables_used(body);
        if let Some(r) = &rate {
            r.functions.iter().for_each(|f| f.tables(&mut tables));
        }
        let table_views =
            (!tables.is_empty()).then(|| b.ins().load(ptr, tf, env, off::TABLE_VIEWS));
        let globals_live = b.ins().load(ptr, tf, env, off::GLOBALS_LIVE);
        let ivar = b.declare_var(types::I64);
        b.def_var(ivar, start);
        let zero = b.ins().iconst(types::I64, 0);
        let mut g = VecGen {
            b,
            h,
            field_ptr,
            node_ptr,
            ion_ptr,
            ion_index,
            nodes,
            globals,
            t,
            dt,
            celsius,
            n: HALVES,
            off8: zero,
            node_off: Vec::new(),
            ion_off: Vec::new(),
            locals: Vec::new(),
            mask: None,
            ptr,
            memory: Vec::new(),
            dirty: Vec::new(),
            fma,
            layout: layout.clone(),
            rate,
            table_views,
            table_outputs: m.tables.iter().map(|t| t.outputs.clone()).collect(),
            globals_live,
            node_block_run: None,
            check_node_runs: layout.increasing && !layout.nodes,
            node_index_at: None,
            node_run_known: None,
            unstored: unstored.clone(),
            written: {
                let mut w: Vec<Place> = Vec::new();
                crate::analysis::for_each_written_place(body, &mut |p| {
                    if !w.contains(p) {
                        w.push(p.clone());
                    }
                });
                for outputs in &m
                    .tables
                    .iter()
                    .map(|t| t.outputs.clone())
                    .collect::<Vec<_>>()
                {
                    for p in outputs {
                        if !w.contains(p) {
                            w.push(p.clone());
                        }
                    }
                }
                w
            },
        };
        g.emit_loop(ivar, end, body, n_locals, HALVES);
        g.emit_loop(ivar, end, body, n_locals, 1);
        g.b.ins().return_(&[]);
        g.b.seal_all_blocks();
        g.b.finalize(config);
    }

    /// The statements of one iteration, each place stored right after the last statement
    /// that writes it, so that the stores of a long (fused) body are spread through it and
    /// each value's live range ends early (see `memory.rs`).
    fn body(&mut self, body: &[Stmt], last_write: &Vec<(Place, usize)>) {
        for (k, s) in body.iter().enumerate() {
            self.stmts(std::slice::from_ref(s));
            self.flush_places(|p| last_write.get(p) == Some(&k));
        }
        self.flush_memory();
    }

    /// `while i + step <= end { body; i += step }`, step = 2·halves instances (1 when single).
    fn emit_loop(&mut self, ivar: Variable, end: Value, body: &[Stmt], n_locals: usize, n: usize) {
        let last_write = last_writes(body);
        let step = if n == HALVES { WIDTH } else { 1 };
        let header = self.b.create_block();
        let block = self.b.create_block();
        let exit = self.b.create_block();
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(header);
        let i = self.b.use_var(ivar);
        let last = self.b.ins().iadd_imm_s(i, step as i64);
        let more = self.b.ins().icmp(
            cranelift_codegen::ir::condcodes::IntCC::SignedLessThanOrEqual,
            last,
            end,
        );
        self.b.ins().brif(more, block, &[], exit, &[]);
        self.b.switch_to_block(block);
        let i = self.b.use_var(ivar);
        self.n = n;
        self.off8 = self.b.ins().ishl_imm_u(i, 3);
        self.node_off.clear();
        self.ion_off = vec![Vec::new(); self.ion_index.len()];
        let node_used = self.node_ptr.iter().any(Option::is_some);
        let node_lazy = n == HALVES && node_used && self.check_node_runs;
        let node_run = self.layout.nodes || node_lazy;
        let ion_run = self.layout.ions.clone();
        self.node_block_run = None;
        if node_lazy {
            let inst4 = self.b.ins().ishl_imm_u(i, 2);
            let a = self.b.ins().iadd(self.nodes, inst4);
            let first = self.b.ins().uload32(flags(), a, 0);
            let last = self.b.ins().uload32(flags(), a, 4 * (WIDTH as i32 - 1));
            let want = self.b.ins().iadd_imm_s(first, WIDTH as i64 - 1);
            let run = self.b.ins().icmp(IntCC::Equal, last, want);
            self.node_block_run = Some(run);
            self.node_index_at = Some(a);
        }
        for l in 0..step {
            let inst4 = self.b.ins().ishl_imm_u(i, 2);
            if node_used && (l == 0 || !node_run) {
                let a = self.b.ins().iadd(self.nodes, inst4);
                let node = self.b.ins().uload32(flags(), a, 4 * l as i32);
                let o = self.b.ins().ishl_imm_u(node, 3);
                self.node_off.push(o);
            }
            for u in 0..self.ion_index.len() {
                if let Some(idx) = self.ion_index[u].filter(|_| l == 0 || !ion_run[u]) {
                    let a = self.b.ins().iadd(idx, inst4);
                    let e = self.b.ins().uload32(flags(), a, 4 * l as i32);
                    let o = self.b.ins().ishl_imm_u(e, 3);
                    self.ion_off[u].push(o);
                }
            }
        }
        let zero = self.b.ins().f64const(0.0);
        let zero = self.b.ins().splat(types::F64X2, zero);
        self.locals = (0..n_locals)
            .map(|_| {
                [0; HALVES].map(|_| {
                    let v = self.b.declare_var(types::F64X2);
                    self.b.def_var(v, zero);
                    v
                })
            })
            .collect();
        self.mask = None;
        self.reset_memory();
        if let Some(paths) = self.rate_branch() {
            let latch = self.b.create_block();
            let (memory, dirty) = (self.memory.clone(), self.dirty.clone());
            self.rate_fast(&paths);
            self.body(body, &last_write);
            self.b.ins().jump(latch, &[]);
            (self.memory, self.dirty) = (memory, dirty);
            self.rate_slow(&paths);
            self.body(body, &last_write);
            self.b.ins().jump(latch, &[]);
            self.b.switch_to_block(latch);
        } else if let Some(run) = self.node_block_run.filter(|_| body.len() <= SHORT_BODY) {
            // A short body is emitted twice, for a run of nodes and lane by lane, behind one
            // branch instead of one per node access.
            self.node_block_run = None;
            let latch = self.b.create_block();
            let (run_block, lane_block) = (self.b.create_block(), self.b.create_block());
            self.b.ins().brif(run, run_block, &[], lane_block, &[]);
            let (memory, dirty) = (self.memory.clone(), self.dirty.clone());
            self.b.switch_to_block(run_block);
            self.node_run_known = Some(true);
            self.body(body, &last_write);
            self.b.ins().jump(latch, &[]);
            (self.memory, self.dirty) = (memory, dirty);
            self.b.switch_to_block(lane_block);
            self.node_run_known = Some(false);
            self.node_off = self.all_node_offsets();
            self.body(body, &last_write);
            self.b.ins().jump(latch, &[]);
            self.b.switch_to_block(latch);
            self.node_run_known = None;
        } else {
            self.body(body, &last_write);
        }
        let i = self.b.use_var(ivar);
        let next = self.b.ins().iadd_imm_s(i, step as i64);
        self.b.def_var(ivar, next);
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(exit);
    }
}
