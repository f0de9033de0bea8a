//! The per-instance view of a chunk for the scalar walker: [`LaneEnv`] maps locals and globals
//! to a lane of the register file, fields/ions/nodes to the instance's storage; used for
//! lane-by-lane statements and for NET_RECEIVE ([`run_single`]).

use nmodl::ir::{Builtin, IonId, IonVar, MathFn, Mechanism, NodeVar, Stmt};

use crate::compile::{CompiledKernel, LANES};
use crate::exec::{builtin_value, node_array, Scratch, Storage};
use crate::scalar::{Env, EventRequest, Walker};
use crate::table::TableData;
use crate::Context;

/// Instance view used by the scalar walker (lane `lane` of the current chunk).
pub struct LaneEnv<'a, 'c> {
    pub st: &'a mut Storage,
    pub regs: &'a mut [[f64; LANES]],
    pub writer: &'a mut [i32],
    pub table_locals: &'a mut Vec<Vec<f64>>,
    pub global_base: usize,
    pub lane: usize,
    pub inst: usize,
    pub ctx: &'a mut Context<'c>,
    pub flag: f64,
    pub args: &'a mut [f64],
}

impl LaneEnv<'_, '_> {
    fn ion_slot(&self, ion: IonId) -> Option<(usize, usize)> {
        let store = *self.st.ion_map.get(ion as usize)?;
        let entry = *self.st.ion_index.get(ion as usize)?.get(self.inst)?;
        (entry != u32::MAX).then_some((store, entry as usize))
    }
}

impl Env for LaneEnv<'_, '_> {
    fn field(&self, f: u32) -> f64 {
        self.st
            .fields
            .get(f as usize)
            .and_then(|c| c.get(self.inst))
            .copied()
            .unwrap_or(f64::NAN)
    }
    fn set_field(&mut self, f: u32, v: f64) {
        if let Some(x) = self
            .st
            .fields
            .get_mut(f as usize)
            .and_then(|c| c.get_mut(self.inst))
        {
            *x = v;
        }
    }
    fn global(&self, g: u32) -> f64 {
        self.regs
            .get(self.global_base + g as usize)
            .map_or(f64::NAN, |r| r[self.lane])
    }
    fn set_global(&mut self, g: u32, v: f64) {
        if let Some(r) = self.regs.get_mut(self.global_base + g as usize) {
            r[self.lane] = v;
            if let Some(w) = self.writer.get_mut(g as usize) {
                *w = (*w).max(self.lane as i32);
            }
        }
    }
    fn local(&self, l: u32) -> f64 {
        self.regs.get(l as usize).map_or(f64::NAN, |r| r[self.lane])
    }
    fn set_local(&mut self, l: u32, v: f64) {
        if let Some(r) = self.regs.get_mut(l as usize) {
            r[self.lane] = v;
        }
    }
    fn ion(&self, ion: IonId, var: IonVar) -> f64 {
        match self.ion_slot(ion) {
            Some((s, e)) => self.ctx.ions.ions[s]
                .column(var)
                .get(e)
                .copied()
                .unwrap_or(f64::NAN),
            None => f64::NAN,
        }
    }
    fn set_ion(&mut self, ion: IonId, var: IonVar, v: f64) {
        if let Some((s, e)) = self.ion_slot(ion) {
            if let Some(x) = self.ctx.ions.ions[s].column_mut(var).get_mut(e) {
                *x = v;
            }
        }
    }
    fn node(&self, var: NodeVar) -> f64 {
        let n = self.st.nodes.get(self.inst).copied().unwrap_or(u32::MAX) as usize;
        node_array(self.ctx, var)
            .get(n)
            .copied()
            .unwrap_or(f64::NAN)
    }
    fn set_node(&mut self, var: NodeVar, v: f64) {
        let n = self.st.nodes.get(self.inst).copied().unwrap_or(u32::MAX) as usize;
        let slot = match var {
            NodeVar::Rhs => self.ctx.rhs.get_mut(n),
            NodeVar::D => self.ctx.d.get_mut(n),
            // v, area and diam are read-only for mechanisms.
            _ => None,
        };
        if let Some(x) = slot {
            *x = v;
        }
    }
    fn builtin(&self, b: Builtin) -> f64 {
        builtin_value(self.ctx, b, self.flag)
    }
    fn netcon_arg(&self, i: u32) -> f64 {
        self.args.get(i as usize).copied().unwrap_or(f64::NAN)
    }
    fn set_netcon_arg(&mut self, i: u32, v: f64) {
        if let Some(x) = self.args.get_mut(i as usize) {
            *x = v;
        }
    }
    fn random(&mut self, f: MathFn, args: &[f64]) -> f64 {
        let a = args.first().copied().unwrap_or(0.0);
        let b = args.get(1).copied().unwrap_or(0.0);
        let Some(rng) = self.st.rng.get_mut(self.inst) else {
            return f64::NAN;
        };
        match f {
            MathFn::ScopRandom | MathFn::UniRand => rng.uniform(),
            MathFn::ExpRand => rng.exponential(a),
            MathFn::NormRand => rng.normal(a, b),
            MathFn::PoisRand => rng.poisson(a),
            _ => f64::NAN,
        }
    }
    fn event(&mut self, request: EventRequest) {
        let (set, inst, t) = (self.st.set_id, self.inst, self.ctx.t);
        match request {
            EventRequest::Send { delay, flag } => {
                self.ctx.events.net_send(set, inst, t + delay, flag)
            }
            EventRequest::Event { time } => self.ctx.events.net_event(set, inst, time),
            EventRequest::Move { time } => self.ctx.events.net_move(set, inst, time),
        }
    }
    fn print_enabled(&self) -> bool {
        self.st.print
    }
    fn take_table_locals(&mut self, table: u32) -> Vec<f64> {
        self.table_locals
            .get_mut(table as usize)
            .map(std::mem::take)
            .unwrap_or_default()
    }
    fn put_table_locals(&mut self, table: u32, locals: Vec<f64>) {
        if let Some(slot) = self.table_locals.get_mut(table as usize) {
            *slot = locals;
        }
    }
}

/// Runs `stmts` with the scalar walker for one instance (NET_RECEIVE and its INITIAL), with
/// locals and globals in lane 0 of the register file.
#[allow(clippy::too_many_arguments)]
pub fn run_single(
    mech: &Mechanism,
    tables: &[TableData],
    stmts: &[Stmt],
    st: &mut Storage,
    sc: &mut Scratch,
    ctx: &mut Context,
    inst: usize,
    args: &mut [f64],
    flag: f64,
    n_locals: usize,
) {
    let global_base = n_locals;
    let need = n_locals + st.globals.len();
    if sc.regs.len() < need {
        sc.regs.resize(need, [0.0; LANES]);
    }
    if sc.writer.len() < st.globals.len() {
        sc.writer.resize(st.globals.len(), -1);
    }
    for r in &mut sc.regs[..n_locals] {
        r[0] = 0.0;
    }
    for (g, v) in st.globals.iter().enumerate() {
        sc.regs[global_base + g][0] = *v;
        sc.writer[g] = -1;
    }
    let place = LanePlace {
        global_base,
        lane: 0,
        inst,
        flag,
        args,
    };
    walk_in_lane(mech, tables, st, sc, ctx, place, |w, env| {
        for s in stmts {
            w.exec(env, s);
        }
    });
    for g in 0..st.globals.len() {
        if sc.writer[g] >= 0 {
            st.globals[g] = sc.regs[global_base + g][0];
        }
    }
}

/// Runs `f` with a walker and the environment of lane `lane`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn lane_walk<R>(
    k: &CompiledKernel,
    mech: &Mechanism,
    tables: &[TableData],
    st: &mut Storage,
    sc: &mut Scratch,
    ctx: &mut Context,
    start: usize,
    lane: usize,
    f: impl FnOnce(&mut Walker, &mut dyn Env) -> R,
) -> R {
    let place = LanePlace {
        global_base: k.global_base,
        lane,
        inst: start + lane,
        flag: 0.0,
        args: &mut [],
    };
    walk_in_lane(mech, tables, st, sc, ctx, place, f)
}

/// Where a [`LaneEnv`] sits: its register lane and instance, and the event it handles.
struct LanePlace<'a> {
    global_base: usize,
    lane: usize,
    inst: usize,
    flag: f64,
    args: &'a mut [f64],
}

/// Runs `f` with a walker over `mech` and the [`LaneEnv`] at `place`, borrowing the scratch
/// register file, writer marks, solver and table locals.
fn walk_in_lane<R>(
    mech: &Mechanism,
    tables: &[TableData],
    st: &mut Storage,
    sc: &mut Scratch,
    ctx: &mut Context,
    place: LanePlace,
    f: impl FnOnce(&mut Walker, &mut dyn Env) -> R,
) -> R {
    let celsius = ctx.celsius;
    let Scratch {
        regs,
        writer,
        solver,
        table_locals,
        ..
    } = sc;
    let mut w = Walker {
        mech,
        tables,
        solver,
        celsius,
    };
    let mut env = LaneEnv {
        st,
        regs,
        writer,
        table_locals,
        global_base: place.global_base,
        lane: place.lane,
        inst: place.inst,
        ctx,
        flag: place.flag,
        args: place.args,
    };
    f(&mut w, &mut env)
}
