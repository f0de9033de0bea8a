//! The scalar (one instance at a time) tree-walking evaluator of kernel IR.
//!
//! It is the semantic reference: the chunked bytecode executor falls back to it for the
//! statements it does not vectorise (`While`, `Newton`, `LinearSolve`, events, `Print`,
//! anything with random draws), NET_RECEIVE runs on it, and the tests compare the chunked
//! executor against it bit for bit. Storage access goes through [`Env`], so the same walker
//! serves chunk lanes, single instances and table construction.

use nmodl::ir::{
    BinaryOp, Builtin, Expr, IonId, IonVar, MathFn, Mechanism, NodeVar, Place, Stmt, UnaryOp,
};

use crate::math::{ghk, hoc_exp, nernst};
use crate::solver::{newton, simeq, NewtonSystem, SolverScratch};
use crate::table::TableData;

/// Event requests a kernel can make.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EventRequest {
    Send { delay: f64, flag: f64 },
    Event { time: f64 },
    Move { time: f64 },
}

/// Storage as seen by one instance.
pub trait Env {
    fn field(&self, f: u32) -> f64;
    fn set_field(&mut self, f: u32, v: f64);
    fn global(&self, g: u32) -> f64;
    fn set_global(&mut self, g: u32, v: f64);
    fn local(&self, l: u32) -> f64;
    fn set_local(&mut self, l: u32, v: f64);
    fn ion(&self, ion: IonId, var: IonVar) -> f64;
    fn set_ion(&mut self, ion: IonId, var: IonVar, v: f64);
    fn node(&self, var: NodeVar) -> f64;
    fn set_node(&mut self, var: NodeVar, v: f64);
    fn builtin(&self, b: Builtin) -> f64;
    fn netcon_arg(&self, i: u32) -> f64;
    fn set_netcon_arg(&mut self, i: u32, v: f64);
    /// Draws for ScopRandom/ExpRand/NormRand/UniRand/PoisRand.
    fn random(&mut self, f: MathFn, args: &[f64]) -> f64;
    fn event(&mut self, request: EventRequest);
    /// Whether `Print` statements write to stderr.
    fn print_enabled(&self) -> bool {
        false
    }
    /// Scratch for the locals of table bodies evaluated directly (`usetable = 0`); taken with
    /// `mem::take` and put back, so no allocation happens.
    fn take_table_locals(&mut self, table: u32) -> Vec<f64>;
    fn put_table_locals(&mut self, table: u32, locals: Vec<f64>);
}

/// Forwards everything to `inner` except locals: runs a table body with its own locals.
struct BodyEnv<'a> {
    inner: &'a mut dyn Env,
    locals: &'a mut [f64],
}

impl Env for BodyEnv<'_> {
    fn field(&self, f: u32) -> f64 {
        self.inner.field(f)
    }
    fn set_field(&mut self, f: u32, v: f64) {
        self.inner.set_field(f, v)
    }
    fn global(&self, g: u32) -> f64 {
        self.inner.global(g)
    }
    fn set_global(&mut self, g: u32, v: f64) {
        self.inner.set_global(g, v)
    }
    fn local(&self, l: u32) -> f64 {
        self.locals.get(l as usize).copied().unwrap_or(f64::NAN)
    }
    fn set_local(&mut self, l: u32, v: f64) {
        if let Some(x) = self.locals.get_mut(l as usize) {
            *x = v;
        }
    }
    fn ion(&self, ion: IonId, var: IonVar) -> f64 {
        self.inner.ion(ion, var)
    }
    fn set_ion(&mut self, ion: IonId, var: IonVar, v: f64) {
        self.inner.set_ion(ion, var, v)
    }
    fn node(&self, var: NodeVar) -> f64 {
        self.inner.node(var)
    }
    fn set_node(&mut self, var: NodeVar, v: f64) {
        self.inner.set_node(var, v)
    }
    fn builtin(&self, b: Builtin) -> f64 {
        self.inner.builtin(b)
    }
    fn netcon_arg(&self, i: u32) -> f64 {
        self.inner.netcon_arg(i)
    }
    fn set_netcon_arg(&mut self, i: u32, v: f64) {
        self.inner.set_netcon_arg(i, v)
    }
    fn random(&mut self, f: MathFn, args: &[f64]) -> f64 {
        self.inner.random(f, args)
    }
    fn event(&mut self, request: EventRequest) {
        self.inner.event(request)
    }
    fn print_enabled(&self) -> bool {
        self.inner.print_enabled()
    }
    fn take_table_locals(&mut self, table: u32) -> Vec<f64> {
        self.inner.take_table_locals(table)
    }
    fn put_table_locals(&mut self, table: u32, locals: Vec<f64>) {
        self.inner.put_table_locals(table, locals)
    }
}

/// Applies a binary operator with C semantics (comparisons and logic give 1.0/0.0).
#[inline]
pub fn binary(op: BinaryOp, a: f64, b: f64) -> f64 {
    let t = |c: bool| if c { 1.0 } else { 0.0 };
    match op {
        BinaryOp::Add => a + b,
        BinaryOp::Sub => a - b,
        BinaryOp::Mul => a * b,
        BinaryOp::Div => a / b,
        BinaryOp::Pow => a.powf(b),
        BinaryOp::Lt => t(a < b),
        BinaryOp::Le => t(a <= b),
        BinaryOp::Gt => t(a > b),
        BinaryOp::Ge => t(a >= b),
        BinaryOp::Eq => t(a == b),
        BinaryOp::Ne => t(a != b),
        BinaryOp::And => t(a != 0.0 && b != 0.0),
        BinaryOp::Or => t(a != 0.0 || b != 0.0),
    }
}

/// Applies a unary operator.
#[inline]
pub fn unary(op: UnaryOp, a: f64) -> f64 {
    match op {
        UnaryOp::Neg => -a,
        UnaryOp::Not => {
            if a == 0.0 {
                1.0
            } else {
                0.0
            }
        }
    }
}

/// Whether a math function draws random numbers (and so must run lane by lane, in order).
pub fn is_random(f: MathFn) -> bool {
    matches!(
        f,
        MathFn::ScopRandom
            | MathFn::ExpRand
            | MathFn::NormRand
            | MathFn::UniRand
            | MathFn::PoisRand
    )
}

/// A deterministic math function of up to four arguments (missing ones read as 0).
#[inline]
pub fn math(f: MathFn, a: &[f64], celsius: f64) -> f64 {
    let x = a.first().copied().unwrap_or(0.0);
    let y = a.get(1).copied().unwrap_or(0.0);
    let z = a.get(2).copied().unwrap_or(0.0);
    let w = a.get(3).copied().unwrap_or(0.0);
    match f {
        MathFn::Exp => hoc_exp(x),
        MathFn::Log => x.ln(),
        MathFn::Log10 => x.log10(),
        MathFn::Sqrt => x.sqrt(),
        MathFn::Fabs => x.abs(),
        MathFn::Floor => x.floor(),
        MathFn::Ceil => x.ceil(),
        MathFn::Sin => x.sin(),
        MathFn::Cos => x.cos(),
        MathFn::Tan => x.tan(),
        MathFn::Asin => x.asin(),
        MathFn::Acos => x.acos(),
        MathFn::Atan => x.atan(),
        MathFn::Atan2 => x.atan2(y),
        MathFn::Sinh => x.sinh(),
        MathFn::Cosh => x.cosh(),
        MathFn::Tanh => x.tanh(),
        MathFn::Fmod => x % y,
        MathFn::Min => {
            if x < y {
                x
            } else {
                y
            }
        }
        MathFn::Max => {
            if x > y {
                x
            } else {
                y
            }
        }
        MathFn::Erf => erf(x),
        MathFn::Erfc => 1.0 - erf(x),
        MathFn::Nernst => nernst(x, y, z, celsius),
        MathFn::Ghk => ghk(x, y, z, w, celsius),
        // Random draws need the environment; callers handle them before reaching here.
        MathFn::ScopRandom
        | MathFn::ExpRand
        | MathFn::NormRand
        | MathFn::UniRand
        | MathFn::PoisRand => f64::NAN,
    }
}

/// erf by Abramowitz–Stegun 7.1.26 refined with one series/continued-fraction switch; libm's
/// erf is not exposed by std. Accurate to ~1e-15 relative for |x| < 6.
fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let ax = x.abs();
    let r = if ax < 2.5 {
        // Maclaurin series.
        let mut term = ax;
        let mut sum = ax;
        let x2 = ax * ax;
        let mut n = 0.0;
        while term.abs() > 1e-17 * sum.abs() && n < 200.0 {
            n += 1.0;
            term *= -x2 / n;
            sum += term / (2.0 * n + 1.0);
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    } else if ax < 6.0 {
        // Continued fraction for erfc.
        let mut f = 0.0;
        let mut k = 60.0;
        while k > 0.0 {
            f = k / 2.0 / (ax + f);
            k -= 1.0;
        }
        1.0 - (-ax * ax).exp() / std::f64::consts::PI.sqrt() / (ax + f)
    } else {
        1.0
    };
    if x < 0.0 {
        -r
    } else {
        r
    }
}

/// Walks IR for one instance.
pub struct Walker<'a> {
    pub mech: &'a Mechanism,
    /// Built tables (empty while tables are being built: lookups then compute directly).
    pub tables: &'a [TableData],
    pub solver: &'a mut SolverScratch,
    pub celsius: f64,
}

impl<'a> Walker<'a> {
    fn index(&mut self, env: &mut dyn Env, base: u32, len: u32, index: &Expr) -> Option<u32> {
        let i = self.eval(env, index);
        // C truncation of a double index.
        if i >= 0.0 && (i as u64) < len as u64 {
            Some(base + i as u32)
        } else {
            None
        }
    }

    /// Reads a place.
    pub fn load(&mut self, env: &mut dyn Env, place: &Place) -> f64 {
        match place {
            Place::Field(f) => env.field(*f),
            Place::FieldIndexed { base, len, index } => match self.index(env, *base, *len, index) {
                Some(f) => env.field(f),
                None => f64::NAN,
            },
            Place::Global(g) => env.global(*g),
            Place::Local(l) => env.local(*l),
            Place::Ion { ion, var } => env.ion(*ion, *var),
            Place::Node(var) => env.node(*var),
            Place::Builtin(b) => env.builtin(*b),
            Place::NetConArg(i) => env.netcon_arg(*i),
        }
    }

    /// Writes a place (writes to read-only builtins are ignored).
    pub fn store(&mut self, env: &mut dyn Env, place: &Place, v: f64) {
        match place {
            Place::Field(f) => env.set_field(*f, v),
            Place::FieldIndexed { base, len, index } => {
                if let Some(f) = self.index(env, *base, *len, index) {
                    env.set_field(f, v)
                }
            }
            Place::Global(g) => env.set_global(*g, v),
            Place::Local(l) => env.set_local(*l, v),
            Place::Ion { ion, var } => env.set_ion(*ion, *var, v),
            Place::Node(var) => env.set_node(*var, v),
            Place::Builtin(_) => {}
            Place::NetConArg(i) => env.set_netcon_arg(*i, v),
        }
    }

    /// Evaluates an expression in f64, operands left to right.
    pub fn eval(&mut self, env: &mut dyn Env, e: &Expr) -> f64 {
        match e {
            Expr::Const(c) => *c,
            Expr::Load(p) => self.load(env, p),
            Expr::Unary(op, a) => {
                let a = self.eval(env, a);
                unary(*op, a)
            }
            Expr::Binary(op, a, b) => {
                let a = self.eval(env, a);
                let b = self.eval(env, b);
                binary(*op, a, b)
            }
            Expr::Call(f, args) => {
                let mut vals = [0.0; 4];
                for (slot, a) in vals.iter_mut().zip(args.iter()) {
                    *slot = self.eval(env, a);
                }
                let n = args.len().min(4);
                if is_random(*f) {
                    env.random(*f, &vals[..n])
                } else {
                    math(*f, &vals[..n], self.celsius)
                }
            }
            Expr::TableValue { table, arg } => {
                let x = self.eval(env, arg);
                self.table_value(env, *table, x)
            }
        }
    }

    fn table_in_use(&self, env: &dyn Env, table: u32) -> Option<&'a TableData> {
        let t = self.mech.tables.get(table as usize)?;
        let tables: &'a [TableData] = self.tables;
        let data = tables.get(table as usize)?;
        (env.global(t.usetable) != 0.0 && data.is_built()).then_some(data)
    }

    /// Runs a table's body directly for argument `x` (usetable = 0, or no table yet). Returns the
    /// FUNCTION value (NaN for procedures).
    fn table_direct(&mut self, env: &mut dyn Env, table: u32, x: f64) -> f64 {
        let mech = self.mech;
        let Some(t) = mech.tables.get(table as usize) else {
            return f64::NAN;
        };
        let mut locals = env.take_table_locals(table);
        if locals.len() < t.body.locals.len().max(1) {
            // Only reached if the caller did not size the scratch; correctness first.
            locals.resize(t.body.locals.len().max(1), 0.0);
        }
        locals[0] = x;
        let result = {
            let mut body = BodyEnv {
                inner: env,
                locals: &mut locals,
            };
            for s in &t.body.body {
                self.exec(&mut body, s);
            }
            match t.outputs.first() {
                Some(Place::Local(l)) if t.is_function => body.local(*l),
                _ => f64::NAN,
            }
        };
        env.put_table_locals(table, locals);
        result
    }

    /// Value of a TABLE'd FUNCTION at `x`.
    pub fn table_value(&mut self, env: &mut dyn Env, table: u32, x: f64) -> f64 {
        if let Some(data) = self.table_in_use(env, table) {
            return data.lookup(0, x);
        }
        self.table_direct(env, table, x)
    }

    /// A TABLE'd PROCEDURE call: sets every output.
    pub fn table_call(&mut self, env: &mut dyn Env, table: u32, x: f64) {
        let mech = self.mech;
        if let Some(data) = self.table_in_use(env, table) {
            let Some(t) = mech.tables.get(table as usize) else {
                return;
            };
            for (k, out) in t.outputs.iter().enumerate() {
                let v = data.lookup(k, x);
                self.store(env, out, v);
            }
            return;
        }
        self.table_direct(env, table, x);
    }

    /// Executes one statement.
    pub fn exec(&mut self, env: &mut dyn Env, s: &Stmt) {
        match s {
            Stmt::Assign(p, e) => {
                let v = self.eval(env, e);
                self.store(env, p, v);
            }
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                let branch = if self.eval(env, cond) != 0.0 {
                    then
                } else {
                    otherwise
                };
                for s in branch {
                    self.exec(env, s);
                }
            }
            Stmt::While { cond, body } => {
                // A runaway loop must not hang the simulation.
                let mut guard = 0u64;
                while self.eval(env, cond) != 0.0 && guard < 100_000_000 {
                    guard += 1;
                    for s in body {
                        self.exec(env, s);
                    }
                }
            }
            Stmt::TableCall { table, arg } => {
                let x = self.eval(env, arg);
                self.table_call(env, *table, x);
            }
            Stmt::LinearSolve {
                unknowns,
                matrix,
                rhs,
            } => self.linear_solve(env, unknowns, matrix, rhs),
            Stmt::Newton {
                unknowns,
                residual,
                residuals,
                clamp_nonnegative,
            } => {
                let n = unknowns.len();
                if self.solver.x.len() < n {
                    *self.solver = SolverScratch::with_size(n);
                }
                // The scratch leaves the walker for the solve (mem::take does not allocate) so
                // the system can borrow the walker for residual evaluations.
                let mut scratch = std::mem::take(&mut *self.solver);
                let mut sys = NewtonEnv {
                    walker: self,
                    env,
                    unknowns,
                    residual,
                    residuals,
                };
                let _ = newton(n, &mut sys, &mut scratch, *clamp_nonnegative);
                *self.solver = scratch;
            }
            Stmt::NetSend { delay, flag } => {
                let delay = self.eval(env, delay);
                let flag = self.eval(env, flag);
                env.event(EventRequest::Send { delay, flag });
            }
            Stmt::NetEvent { time } => {
                let time = self.eval(env, time);
                env.event(EventRequest::Event { time });
            }
            Stmt::NetMove { time } => {
                let time = self.eval(env, time);
                env.event(EventRequest::Move { time });
            }
            Stmt::Print { format, args } => {
                if env.print_enabled() {
                    let mut out = String::new();
                    let mut vals = args.iter();
                    let mut chars = format.chars().peekable();
                    while let Some(c) = chars.next() {
                        if c == '%' {
                            // Skip the conversion spec and print the next value.
                            while let Some(&d) = chars.peek() {
                                chars.next();
                                if d.is_ascii_alphabetic() || d == '%' {
                                    break;
                                }
                            }
                            if let Some(a) = vals.next() {
                                let v = self.eval(env, a);
                                out.push_str(&format!("{v}"));
                            }
                        } else {
                            out.push(c);
                        }
                    }
                    eprint!("{}", out.replace("\\n", "\n"));
                }
            }
        }
    }

    fn linear_solve(
        &mut self,
        env: &mut dyn Env,
        unknowns: &[Place],
        matrix: &[Expr],
        rhs: &[Expr],
    ) {
        let n = unknowns.len();
        if matrix.len() != n * n || rhs.len() != n {
            return;
        }
        if self.solver.x.len() < n {
            *self.solver = SolverScratch::with_size(n);
        }
        for (k, e) in matrix.iter().enumerate() {
            let v = self.eval(env, e);
            self.solver.matrix[k] = v;
        }
        for (k, e) in rhs.iter().enumerate() {
            let v = self.eval(env, e);
            self.solver.rhs[k] = v;
        }
        let s = &mut *self.solver;
        let ok = simeq(
            n,
            &mut s.matrix[..n * n],
            &mut s.rhs[..n],
            &mut s.x[..n],
            &mut s.perm[..n],
        )
        .is_ok();
        if ok {
            for (k, p) in unknowns.iter().enumerate() {
                let v = self.solver.x[k];
                self.store(env, p, v);
            }
        }
    }
}

struct NewtonEnv<'w, 'a, 'e> {
    walker: &'w mut Walker<'a>,
    env: &'e mut dyn Env,
    unknowns: &'e [Place],
    residual: &'e [Stmt],
    residuals: &'e [u32],
}

impl NewtonSystem for NewtonEnv<'_, '_, '_> {
    fn get(&mut self, i: usize) -> f64 {
        self.walker.load(self.env, &self.unknowns[i])
    }
    fn set(&mut self, i: usize, value: f64) {
        self.walker.store(self.env, &self.unknowns[i], value)
    }
    fn residuals(&mut self, value: &mut [f64]) {
        for s in self.residual {
            self.walker.exec(self.env, s);
        }
        for (v, l) in value.iter_mut().zip(self.residuals) {
            *v = self.env.local(*l);
        }
    }
}
