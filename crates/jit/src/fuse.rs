//! Fused kernels: the per-step kernels of several fast-math sets that sit on the same nodes,
//! compiled as one mechanism (see `merge.rs`) so that each phase makes one pass over the nodes
//! instead of one per mechanism.
//!
//! A cell section usually carries several channels on every segment: the HCO soma carries
//! nine. Separately, each channel's `state` kernel loads v, locates it in its rate table, and
//! loops over the instances; its `current` kernel reloads v and read-modify-writes the node's
//! rhs and d and the ion currents. Fused, v is loaded and located once per node for every
//! channel's rate functions (one table row holds them all), rhs, d and ion currents are
//! accumulated in registers and stored once, and the loop overhead is paid once. Per node the
//! members' statements run in the members' order, so every stored value is computed by the
//! same operations on the same operands as without fusion: results are bit-identical to the
//! unfused fast-math kernels (tested in `tests/fuse.rs`).
//!
//! Fusion needs: the same node per instance in every member, the same ion entry per instance
//! for each ion two members share, and kernels that vectorise and touch nothing outside
//! their instance ([`crate::analysis::Usage::range_safe`]). The fused kernels own the
//! members' hoisted invariants (computed once, when the kernels are made) and rate tables.

use std::sync::Arc;

use mech::{Context, MechanismSet, RangeKernels};

use crate::abi::{Host, KernelEnv, ION_VARS};
use crate::cache::{self, CompiledMechanism};
use crate::range::JitRange;
use crate::set::{JitSet, KernelKind, Options};
use crate::simd::conductance::analytic_current;

pub mod merge;

/// Storage the fused kernels read besides the members' own: field pointers, hoisted
/// invariants, globals, ion columns. Kept alive by every kernel made from it.
pub(crate) struct FusedStorage {
    field_ptrs: Vec<*mut f64>,
    _hidden: Vec<Vec<f64>>,
    globals: Vec<f64>,
    ion_cols: Vec<*mut f64>,
    ion_index: Vec<*const u32>,
    _index_arrays: Vec<Vec<u32>>,
    nodes: Vec<u32>,
    _code: Arc<CompiledMechanism>,
}

// SAFETY: the pointers point into the members' storage and the engine's node and ion arrays,
// which `RangeKernel::run`'s contract keeps alive; the storage itself is only read (and
// written by the kernels through `globals_live`, which range-safe kernels never do).
unsafe impl Send for FusedStorage {}
unsafe impl Sync for FusedStorage {}

/// Fused `current` (with the jacobian's terms) and `state` kernels of `sets`, in order, for
/// `ctx`; None when they cannot be fused (see the module docs). Same contract as
/// [`MechanismSet::range_kernels`], for all members at once.
pub(crate) fn range_kernels(sets: &mut [&mut JitSet], ctx: &mut Context) -> Option<RangeKernels> {
    let first = sets.first()?;
    let options = first.options().clone();
    let n = first.len();
    let nodes = first.nodes().to_vec();
    if sets.len() < 2 || !options.fast_math || n == 0 {
        return None;
    }
    for s in sets.iter() {
        if s.options() != &options || s.nodes() != nodes.as_slice() || !s.fusable() {
            return None;
        }
    }
    // The members' current kernels as their own fast-math code runs them.
    let owned: Vec<nmodl::ir::Mechanism> = sets
        .iter()
        .map(|s| {
            let mut m = s.mechanism().clone();
            if options.rate_tables {
                if let Some(c) = m.current.as_ref().and_then(analytic_current) {
                    m.current = Some(c);
                }
            }
            m
        })
        .collect();
    let mechs: Vec<&nmodl::ir::Mechanism> = owned.iter().collect();
    let merged = merge::merge(&mechs).ok()?;
    let observed = options.observed.as_ref().map(|obs| {
        let mut names = std::collections::BTreeSet::new();
        for (k, m) in mechs.iter().enumerate() {
            for (f, field) in m.fields.iter().enumerate() {
                if obs.contains(&field.name) || obs.contains(&format!("{}_{}", field.name, m.name))
                {
                    let id = merged.field_base[k] as usize + f;
                    names.insert(merged.mech.fields[id].name.clone());
                }
            }
        }
        // Ion currents keep their own names (see `Options::observed`).
        for ion in &merged.mech.ions {
            let current = format!("i{}", ion.name);
            if obs.contains(&current) {
                names.insert(current);
            }
        }
        Arc::new(names)
    });
    let fused_options = Options {
        observed,
        ..options
    };

    // Per merged ion use: the ion store and the entry of each instance (equal in every member).
    let n_ions = merged.mech.ions.len();
    let mut ion_store: Vec<Option<(usize, Vec<u32>)>> = vec![None; n_ions];
    for (k, s) in sets.iter_mut().enumerate() {
        let (st, _) = s.storage();
        for (u, &id) in merged.ion_of[k].iter().enumerate() {
            let mine = (st.ion_map[u], &st.ion_index[u]);
            match &ion_store[id as usize] {
                Some((store, index)) if (*store, index) != mine => return None,
                Some(_) => {}
                None => ion_store[id as usize] = Some((mine.0, mine.1.clone())),
            }
        }
    }
    let ion_store: Vec<(usize, Vec<u32>)> = ion_store.into_iter().collect::<Option<_>>()?;
    let layout = crate::simd::Layout::of(&nodes, ion_store.iter().map(|(_, ix)| &ix[..]));
    // Run constants of the members (see `crate::specialize`): the group is prepared anew for
    // every run, so the values are current.
    let columns: Vec<&[f64]> = sets
        .iter()
        .flat_map(|s| s.interpreter().storage().fields.iter().map(|c| &c[..]))
        .collect();
    let constants =
        crate::specialize::uniform_frozen(&merged.mech, |f| columns.get(f as usize).copied());
    let specialized = crate::specialize::specialize(&merged.mech, &constants);
    let (code, _) = cache::compiled(
        &specialized,
        &fused_options,
        layout.distinct,
        false,
        &layout,
        &[],
    )
    .ok()?;
    let kinds = [KernelKind::Current, KernelKind::State];
    for kind in kinds {
        let present = cache::kernel_of(&merged.mech, kind).is_some();
        let k = code.kernels[kind as usize].as_ref();
        let ok = k.is_some_and(|k| k.simd && k.usage.range_safe() && k.simd_tables.is_empty());
        if present && !(ok && code.simd[kind as usize]) {
            return None;
        }
    }
    if merged.mech.jacobian.is_some() && !code.fused_jacobian {
        return None;
    }

    // Storage: the members' columns, then the hidden fields; the members' globals in order.
    // (Vec buffers do not move when the Vecs move into the storage below.)
    let mut field_ptrs = Vec::new();
    let mut globals = Vec::new();
    for s in sets.iter_mut() {
        let (st, _) = s.storage();
        field_ptrs.extend(st.fields.iter_mut().map(|c| c.as_mut_ptr()));
        globals.extend_from_slice(&st.globals);
    }
    let mut hidden = vec![vec![0.0; n]; code.hidden_fields];
    field_ptrs.extend(hidden.iter_mut().map(|c| c.as_mut_ptr()));
    let mut ion_cols = vec![std::ptr::null_mut(); n_ions * 5];
    for (u, (store, index)) in ion_store.iter().enumerate() {
        let ion = ctx.ions.ions.get_mut(*store)?;
        for (slot, var) in ION_VARS.iter().enumerate() {
            let col = ion.column_mut(*var);
            if index.iter().any(|&e| e as usize >= col.len()) {
                return None;
            }
            ion_cols[u * 5 + slot] = col.as_mut_ptr();
        }
    }
    let (node_arrays, lens) = crate::abi::node_arrays(ctx);
    if nodes.iter().any(|&x| lens.iter().any(|&l| x as usize >= l)) {
        return None;
    }
    let index_arrays: Vec<Vec<u32>> = ion_store.into_iter().map(|(_, ix)| ix).collect();
    let ion_index = index_arrays.iter().map(|ix| ix.as_ptr()).collect();
    let storage = Arc::new(FusedStorage {
        field_ptrs,
        _hidden: hidden,
        globals,
        ion_cols,
        ion_index,
        _index_arrays: index_arrays,
        nodes,
        _code: Arc::clone(&code),
    });
    let env = |rate_table: *const f64| KernelEnv {
        fields: storage.field_ptrs.as_ptr(),
        globals_live: storage.globals.as_ptr() as *mut f64,
        globals_snap: storage.globals.as_ptr(),
        nodes: storage.nodes.as_ptr(),
        node_arrays,
        ion_cols: storage.ion_cols.as_ptr(),
        ion_index: storage.ion_index.as_ptr(),
        t: ctx.t,
        dt: ctx.dt,
        celsius: ctx.celsius,
        table_on: std::ptr::null(),
        tables: std::ptr::null(),
        table_locals: std::ptr::null_mut(),
        solve_buf: std::ptr::null_mut(),
        host: std::ptr::null_mut(),
        rate_table,
        table_views: std::ptr::null(),
    };
    let host = || Host {
        events: std::ptr::null_mut::<mech::NoEvents>() as *mut dyn mech::EventSink,
        rng: std::ptr::null_mut(),
        rng_len: 0,
        set_id: 0,
        t: ctx.t,
        perm: std::ptr::null_mut(),
    };
    if let Some(inv) = &code.invariants {
        let mut k = JitRange::new(inv.f, env(std::ptr::null()), host(), Arc::clone(&code));
        // SAFETY: the environment points at live storage sized for every index (checked
        // above); nothing else runs.
        unsafe { mech::RangeKernel::run(&mut k, ctx.t, 0, n) };
    }
    let mut out = RangeKernels::default();
    for kind in kinds {
        let Some(k) = code.kernels[kind as usize].as_ref() else {
            continue;
        };
        let table = k.rate.as_ref().map(|rate| {
            let inputs = rate.inputs(&storage.globals, ctx.dt, ctx.celsius);
            crate::rate_data::shared(&rate.functions, &inputs)
        });
        let ptr = table.as_ref().map_or(std::ptr::null(), |t| t.as_ptr());
        let kernel = JitRange::new(k.f, env(ptr), host(), Arc::clone(&code))
            .keeping(Box::new((Arc::clone(&storage), table)));
        let slot = match kind {
            KernelKind::Current => &mut out.current,
            _ => &mut out.state,
        };
        *slot = Some(Box::new(kernel));
    }
    Some(out)
}
