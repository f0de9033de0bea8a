//! [`JitSet::prepare`]: the [`KernelEnv`] of one compiled kernel for a context — node and ion
//! column pointers (with their bounds checked), the rate table for the context's dt, celsius
//! and globals, TABLE switches and views — shared by the set's own calls and the range kernels
//! of intra-cell threading.

use mech::Context;

use super::{JitSet, Which};
use crate::abi::{Host, KernelEnv, ION_VARS};

/// Compiled code with its environment, ready to call (see [`JitSet::prepare`]).
pub(super) struct PreparedCall {
    pub f: crate::compile::KernelFn,
    pub env: KernelEnv,
    pub host: Host,
    /// Globals are written: run in chunks of `LANES` with per-chunk snapshots.
    pub chunked: bool,
    /// Threads may run it on disjoint instance ranges at once (see `Usage::range_safe`).
    pub range_safe: bool,
}

impl JitSet {
    /// The environment of compiled code `which` for `ctx` (its `host` not yet pointed at the
    /// returned [`Host`], whose event sink is null); None when there is no such code or an
    /// index does not fit the arrays.
    pub(super) fn prepare(&mut self, which: Which, ctx: &mut Context) -> Option<PreparedCall> {
        let k = self.code.as_ref().and_then(|c| match which {
            Which::Kernel(slot) => c.kernels[slot].as_ref(),
            Which::Invariants => c.invariants.as_ref(),
        })?;
        let f = k.f;
        let u = &k.usage;
        let (node_arrays, lens) = crate::abi::node_arrays(ctx);
        if let Some(max) = self.max_node {
            if k.node_slots.iter().any(|&s| max as usize >= lens[s]) {
                return None;
            }
        }
        let (st, tables) = self.inner.parts_mut();
        let mut rate_table = std::ptr::null();
        if let (Some(rate), Which::Kernel(slot)) = (&k.rate, which) {
            let current = &mut self.rate_tables[slot];
            let stale = current.as_ref().is_none_or(|(inputs, _)| {
                inputs.dt != ctx.dt
                    || inputs.celsius != ctx.celsius
                    || rate
                        .globals
                        .iter()
                        .any(|&g| inputs.globals[g as usize] != st.globals[g as usize])
            });
            if stale {
                let inputs = rate.inputs(&st.globals, ctx.dt, ctx.celsius);
                let data = crate::rate_data::shared(&rate.functions, &inputs);
                *current = Some((inputs, data));
            }
            rate_table = current.as_ref().expect("just set").1.as_ptr();
        }
        for &(use_, slot) in &k.ion_slots {
            let store = st.ion_map[use_ as usize];
            let col = ctx.ions.ions[store].column_mut(ION_VARS[slot]);
            if let Some(max) = self.max_ion_entry[use_ as usize] {
                if max as usize >= col.len() {
                    return None;
                }
            }
            self.ion_cols[use_ as usize * 5 + slot] = col.as_mut_ptr();
            self.ion_index[use_ as usize] = st.ion_index[use_ as usize].as_ptr();
        }
        for (k, t) in self.mech.tables.iter().enumerate() {
            self.table_on[k] =
                u8::from(st.globals[t.usetable as usize] != 0.0 && tables[k].is_built());
        }
        for &t in &k.simd_tables {
            // Inlined lookups need the built table; otherwise the interpreter runs the kernel.
            if self.table_on[t as usize] == 0 {
                return None;
            }
            let (tmin, mfac, intervals, values) = tables[t as usize].raw();
            self.table_views[t as usize] = crate::abi::TableView {
                tmin,
                mfac,
                intervals: intervals as f64,
                values: values.as_ptr(),
            };
        }
        let host = Host {
            events: std::ptr::null_mut::<mech::NoEvents>() as *mut dyn mech::EventSink,
            rng: st.rng.as_mut_ptr(),
            rng_len: st.rng.len(),
            set_id: st.set_id,
            t: ctx.t,
            perm: self.perm.as_mut_ptr(),
        };
        let env = KernelEnv {
            fields: self.field_ptrs.as_ptr(),
            globals_live: st.globals.as_mut_ptr(),
            globals_snap: st.globals.as_ptr(),
            nodes: st.nodes.as_ptr(),
            node_arrays,
            ion_cols: self.ion_cols.as_ptr(),
            ion_index: self.ion_index.as_ptr(),
            t: ctx.t,
            dt: ctx.dt,
            celsius: ctx.celsius,
            table_on: self.table_on.as_ptr(),
            tables: tables.as_ptr(),
            table_locals: self.table_locals.as_mut_ptr(),
            solve_buf: self.solve_buf.as_mut_ptr(),
            host: std::ptr::null_mut(),
            rate_table,
            table_views: self.table_views.as_ptr(),
        };
        Some(PreparedCall {
            f,
            env,
            host,
            chunked: u.writes_globals && !k.simd,
            range_safe: u.range_safe() && u.tables.iter().all(|&t| self.table_on[t as usize] != 0),
        })
    }
}
