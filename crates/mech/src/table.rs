//! TABLE support with NEURON's exact construction and interpolation (`parsact.cpp`).
//!
//! Construction for `FROM tmin TO tmax WITH n`: dx = (tmax − tmin)/n, mfac = 1/dx, and the
//! body runs at x = tmin, tmin + dx, … with **x accumulated** (`x += dx`), n + 1 points.
//! Lookup at `a`: ξ = mfac·(a − tmin); NaN → NaN; ξ ≤ 0 → T₀; ξ ≥ n → Tₙ; otherwise with
//! i = ⌊ξ⌋ and θ = ξ − i, T_i + θ·(T_{i+1} − T_i).
//!
//! A table is (re)built by [`check_table`] when it has never been built or any DEPEND value
//! changed since the last build — NEURON's `_check_<name>`, run before finitialize and every
//! step. With `usetable = 0` nothing is built and callers compute directly.

use nmodl::ir::{Builtin, IonId, IonVar, MathFn, Mechanism, NodeVar, Place};

use crate::scalar::{Env, EventRequest, Walker};
use crate::solver::SolverScratch;

/// Built values of one table.
#[derive(Debug, Clone, Default)]
pub struct TableData {
    built: bool,
    tmin: f64,
    mfac: f64,
    intervals: u32,
    /// `outputs × (n+1)` values, output-major.
    values: Vec<f64>,
    /// DEPEND values at the last build.
    depend_last: Vec<f64>,
}

impl TableData {
    /// Storage for a table with `outputs` outputs, `intervals` intervals and `depends` DEPEND
    /// values (allocated once, before the run).
    pub fn new(outputs: usize, intervals: u32, depends: usize) -> Self {
        TableData {
            built: false,
            tmin: 0.0,
            mfac: 0.0,
            intervals,
            values: vec![0.0; outputs * (intervals as usize + 1)],
            depend_last: vec![0.0; depends],
        }
    }

    /// Whether the table holds values.
    pub fn is_built(&self) -> bool {
        self.built
    }

    /// `(tmin, mfac, intervals, values)`: what [`TableData::locate`] and
    /// [`TableData::value_at`] read (values output-major, `intervals + 1` per output), for
    /// code generators that inline the lookup.
    pub fn raw(&self) -> (f64, f64, u32, &[f64]) {
        (self.tmin, self.mfac, self.intervals, &self.values)
    }

    /// Where `arg` falls in the table (shared by every output of a procedure table).
    #[inline]
    pub fn locate(&self, arg: f64) -> Position {
        let n = self.intervals as usize;
        let xi = self.mfac * (arg - self.tmin);
        if xi.is_nan() {
            Position::Nan(xi)
        } else if xi <= 0.0 {
            Position::At(0, 0.0, true)
        } else if xi >= n as f64 {
            Position::At(n, 0.0, true)
        } else {
            let i = xi as usize;
            Position::At(i, xi - i as f64, false)
        }
    }

    /// Value of output `k` at a located position.
    #[inline]
    pub fn value_at(&self, k: usize, pos: Position) -> f64 {
        let n = self.intervals as usize;
        let t = &self.values[k * (n + 1)..(k + 1) * (n + 1)];
        match pos {
            Position::Nan(xi) => xi,
            Position::At(i, _, true) => t[i],
            Position::At(i, theta, false) => t[i] + theta * (t[i + 1] - t[i]),
        }
    }

    /// Interpolated value of output `k` at `arg` (NEURON's lookup, see the module doc).
    #[inline]
    pub fn lookup(&self, k: usize, arg: f64) -> f64 {
        self.value_at(k, self.locate(arg))
    }
}

/// A located table argument: NaN (returned as is), or entry i with θ (exact entry when the flag
/// is set: the clamped ends).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Position {
    Nan(f64),
    At(usize, f64, bool),
}

/// What table construction may touch: the mechanism's globals (bodies assign GLOBAL outputs,
/// as NEURON's `_f_<name>` does) and scratch for fields and locals.
pub struct BuildContext<'a> {
    pub globals: &'a mut [f64],
    /// Field values seen by the body (the fields' defaults); writes land here.
    pub fields: &'a mut [f64],
    pub locals: &'a mut Vec<f64>,
    pub table_locals: &'a mut Vec<Vec<f64>>,
    pub solver: &'a mut SolverScratch,
    pub celsius: f64,
    pub dt: f64,
}

struct BuildEnv<'a, 'b> {
    cx: &'a mut BuildContext<'b>,
}

impl Env for BuildEnv<'_, '_> {
    fn field(&self, f: u32) -> f64 {
        self.cx.fields.get(f as usize).copied().unwrap_or(f64::NAN)
    }
    fn set_field(&mut self, f: u32, v: f64) {
        if let Some(x) = self.cx.fields.get_mut(f as usize) {
            *x = v;
        }
    }
    fn global(&self, g: u32) -> f64 {
        self.cx.globals.get(g as usize).copied().unwrap_or(f64::NAN)
    }
    fn set_global(&mut self, g: u32, v: f64) {
        if let Some(x) = self.cx.globals.get_mut(g as usize) {
            *x = v;
        }
    }
    fn local(&self, l: u32) -> f64 {
        self.cx.locals.get(l as usize).copied().unwrap_or(f64::NAN)
    }
    fn set_local(&mut self, l: u32, v: f64) {
        if let Some(x) = self.cx.locals.get_mut(l as usize) {
            *x = v;
        }
    }
    fn ion(&self, _: IonId, _: IonVar) -> f64 {
        f64::NAN
    }
    fn set_ion(&mut self, _: IonId, _: IonVar, _: f64) {}
    fn node(&self, _: NodeVar) -> f64 {
        f64::NAN
    }
    fn set_node(&mut self, _: NodeVar, _: f64) {}
    fn builtin(&self, b: Builtin) -> f64 {
        match b {
            Builtin::Celsius => self.cx.celsius,
            Builtin::Dt => self.cx.dt,
            Builtin::T | Builtin::Flag => 0.0,
        }
    }
    fn netcon_arg(&self, _: u32) -> f64 {
        f64::NAN
    }
    fn set_netcon_arg(&mut self, _: u32, _: f64) {}
    fn random(&mut self, _: MathFn, _: &[f64]) -> f64 {
        f64::NAN
    }
    fn event(&mut self, _: EventRequest) {}
    fn take_table_locals(&mut self, table: u32) -> Vec<f64> {
        self.cx
            .table_locals
            .get_mut(table as usize)
            .map(std::mem::take)
            .unwrap_or_default()
    }
    fn put_table_locals(&mut self, table: u32, locals: Vec<f64>) {
        if let Some(slot) = self.cx.table_locals.get_mut(table as usize) {
            *slot = locals;
        }
    }
}

fn depend_value(place: &Place, cx: &BuildContext) -> f64 {
    match place {
        Place::Global(g) => cx.globals.get(*g as usize).copied().unwrap_or(f64::NAN),
        Place::Field(f) => cx.fields.get(*f as usize).copied().unwrap_or(f64::NAN),
        Place::Builtin(Builtin::Celsius) => cx.celsius,
        Place::Builtin(Builtin::Dt) => cx.dt,
        _ => f64::NAN,
    }
}

/// NEURON's `_check_<name>`: rebuilds table `k` if usetable is on and it was never built or a
/// DEPEND value changed. Returns whether it was rebuilt.
pub fn check_table(
    mech: &Mechanism,
    k: usize,
    data: &mut TableData,
    cx: &mut BuildContext,
) -> bool {
    let Some(t) = mech.tables.get(k) else {
        return false;
    };
    if cx.globals.get(t.usetable as usize).copied().unwrap_or(1.0) == 0.0 {
        return false;
    }
    let mut changed = !data.built;
    for (i, p) in t.depend.iter().enumerate() {
        let v = depend_value(p, cx);
        // `!=` like NEURON's `_sav_x != x` (so NaN always rebuilds).
        if data.depend_last.get(i).is_none_or(|&old| old != v) {
            changed = true;
        }
    }
    if !changed {
        return false;
    }
    for (i, p) in t.depend.iter().enumerate() {
        let v = depend_value(p, cx);
        if let Some(slot) = data.depend_last.get_mut(i) {
            *slot = v;
        }
    }
    build(mech, k, data, cx);
    true
}

fn build(mech: &Mechanism, k: usize, data: &mut TableData, cx: &mut BuildContext) {
    let t = &mech.tables[k];
    let n = t.intervals as usize;
    if cx.locals.len() < t.body.locals.len().max(1) {
        cx.locals.resize(t.body.locals.len().max(1), 0.0);
    }
    let solver_ptr = std::mem::take(&mut *cx.solver);
    let mut solver = solver_ptr;
    let celsius = cx.celsius;
    let (tmin, tmax) = {
        let mut w = Walker {
            mech,
            tables: &[],
            solver: &mut solver,
            celsius,
        };
        let mut env = BuildEnv { cx };
        let tmin = w.eval(&mut env, &t.from);
        let tmax = w.eval(&mut env, &t.to);
        (tmin, tmax)
    };
    let dx = (tmax - tmin) / n as f64;
    data.tmin = tmin;
    data.mfac = 1.0 / dx;
    data.intervals = t.intervals;
    let mut x = tmin;
    for i in 0..=n {
        let mut w = Walker {
            mech,
            tables: &[],
            solver: &mut solver,
            celsius,
        };
        let mut env = BuildEnv { cx };
        env.set_local(0, x);
        for s in &t.body.body {
            w.exec(&mut env, s);
        }
        for (o, out) in t.outputs.iter().enumerate() {
            let v = w.load(&mut env, out);
            data.values[o * (n + 1) + i] = v;
        }
        x += dx;
    }
    *cx.solver = solver;
    data.built = true;
}
