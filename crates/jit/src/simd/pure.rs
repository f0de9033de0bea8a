//! [`Pure`]: an expression whose per-instance inputs are at most the membrane potential (rate
//! tables) or parameters (hoisted invariants), with its scalar evaluation for table building.

use std::collections::BTreeSet;

use nmodl::ir::{BinaryOp, Builtin, Expr, MathFn, NodeVar, Place, UnaryOp};

/// An expression whose only per-instance input is the membrane potential.
#[derive(Debug, Clone, PartialEq)]
pub enum Pure {
    Const(f64),
    /// The membrane potential `v` (mV).
    V,
    /// `dt` or `celsius`.
    Builtin(Builtin),
    /// A global no kernel of the mechanism writes.
    Global(u32),
    /// A field no per-step kernel writes (a parameter): only in hoisted invariants.
    Field(u32),
    /// The instance's node area (µm²; fixed during a run): only in hoisted invariants, such
    /// as a point process's `100/area`.
    Area,
    Unary(UnaryOp, Box<Pure>),
    Binary(BinaryOp, Box<Pure>, Box<Pure>),
    Call(MathFn, Vec<Pure>),
    /// `cond ≠ 0 ? a : b`.
    Select(Box<Pure>, Box<Pure>, Box<Pure>),
    /// An NMODL TABLE output: NEURON's linear interpolation of `inner` (a pure function of v)
    /// between the grid points x_i = tmin + i·dx, i = 0…n, clamped to the ends (see
    /// `mech::table`), looked up at its `arg`. Piecewise smooth with kinks at the grid points
    /// ([`Pure::breaks`]). Fast-math kernels keep no TABLE-output GLOBALs up to date (they read
    /// the values), and run only while the TABLE is built and switched on.
    Linear(Box<Linear>),
}

/// The grid of a [`Pure::Linear`].
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    /// The TABLE's body value, a function of its argument (`v` here).
    pub inner: Pure,
    pub tmin: f64,
    pub dx: f64,
    pub n: u32,
    /// Which TABLE of the mechanism, and which of its outputs: the kernels' direct evaluation
    /// reads the built table (see `table_call.rs`).
    pub table: u32,
    pub output: u32,
    /// Where the table is looked up.
    pub arg: Pure,
    /// `inner` at the n + 1 grid points, when computed for one table's inputs
    /// ([`Pure::with_knots`]): evaluation then interpolates without evaluating `inner`.
    pub knots: Option<std::sync::Arc<Vec<f64>>>,
}

impl Linear {
    /// NEURON's lookup at `x`: ξ = (x − tmin)/dx; NaN stays NaN, ξ ≤ 0 gives the first
    /// point's value, ξ ≥ n the last's, otherwise Tᵢ + θ(Tᵢ₊₁ − Tᵢ) with i = ⌊ξ⌋, θ = ξ − i.
    fn eval(&self, x: f64, f: &dyn Fn(&Pure, f64) -> f64) -> f64 {
        let xi = (1.0 / self.dx) * (x - self.tmin);
        let at = |i: u32| match &self.knots {
            Some(k) => k[i as usize],
            None => f(&self.inner, self.tmin + f64::from(i) * self.dx),
        };
        if xi.is_nan() {
            xi
        } else if xi <= 0.0 {
            at(0)
        } else if xi >= f64::from(self.n) {
            at(self.n)
        } else {
            let i = xi as u32;
            let (t0, t1) = (at(i), at(i + 1));
            t0 + (xi - f64::from(i)) * (t1 - t0)
        }
    }
}

impl Pure {
    /// Rough cost in additions: divisions and library calls dominate gating kinetics.
    pub fn cost(&self) -> u32 {
        match self {
            Pure::Const(_)
            | Pure::V
            | Pure::Builtin(_)
            | Pure::Global(_)
            | Pure::Field(_)
            | Pure::Area => 0,
            Pure::Unary(_, a) => 1 + a.cost(),
            Pure::Binary(op, a, b) => {
                let own = match op {
                    BinaryOp::Div => 8,
                    BinaryOp::Pow => 30,
                    _ => 1,
                };
                own + a.cost() + b.cost()
            }
            Pure::Call(_, args) => 20 + args.iter().map(Pure::cost).sum::<u32>(),
            Pure::Select(c, a, b) => 2 + c.cost() + a.cost() + b.cost(),
            Pure::Linear(l) => 4 + l.arg.cost() + l.inner.cost(),
        }
    }

    /// `self` with every `v` replaced by `v`.
    pub fn with_v(&self, v: &Pure) -> Pure {
        let w = |p: &Pure| Box::new(p.with_v(v));
        match self {
            Pure::V => v.clone(),
            Pure::Unary(op, a) => Pure::Unary(*op, w(a)),
            Pure::Binary(op, a, b) => Pure::Binary(*op, w(a), w(b)),
            Pure::Call(f, args) => Pure::Call(*f, args.iter().map(|a| a.with_v(v)).collect()),
            Pure::Select(c, a, b) => Pure::Select(w(c), w(a), w(b)),
            // A table's inner function is of its own argument.
            Pure::Linear(l) => Pure::Linear(Box::new(Linear {
                arg: l.arg.with_v(v),
                ..(**l).clone()
            })),
            other => other.clone(),
        }
    }

    /// The grid (tmin, dx) of the TABLE interpolations in `self`, whose points are its kinks:
    /// None when there are none, `Some(None)` when there are several different grids.
    pub fn breaks(&self) -> Option<Option<(f64, f64)>> {
        let mut found: Option<Option<(f64, f64)>> = None;
        self.visit(&mut |p| {
            if let Pure::Linear(l) = p {
                // Looked up at anything but v itself, the kinks are not on v's grid.
                let g = (l.arg == Pure::V).then_some((l.tmin, l.dx));
                found = match found {
                    None => Some(g),
                    Some(prev) if prev == g => Some(g),
                    Some(_) => Some(None),
                };
            }
        });
        found
    }

    /// `self` with the grid values of every [`Pure::Linear`] computed by `f` (the table's
    /// inputs fixed), so that evaluating it costs one interpolation per TABLE.
    pub fn with_knots(&self, f: &dyn Fn(&Pure, f64) -> f64) -> Pure {
        let w = |p: &Pure| Box::new(p.with_knots(f));
        match self {
            Pure::Unary(op, a) => Pure::Unary(*op, w(a)),
            Pure::Binary(op, a, b) => Pure::Binary(*op, w(a), w(b)),
            Pure::Call(c, args) => Pure::Call(*c, args.iter().map(|a| a.with_knots(f)).collect()),
            Pure::Select(c, a, b) => Pure::Select(w(c), w(a), w(b)),
            Pure::Linear(l) => {
                let knots = (0..=l.n)
                    .map(|i| f(&l.inner, l.tmin + f64::from(i) * l.dx))
                    .collect();
                Pure::Linear(Box::new(Linear {
                    knots: Some(std::sync::Arc::new(knots)),
                    arg: l.arg.with_knots(f),
                    ..(**l).clone()
                }))
            }
            other => other.clone(),
        }
    }

    /// The TABLEs `self` looks up (whose built values its direct evaluation reads).
    pub fn tables(&self, out: &mut std::collections::BTreeSet<u32>) {
        self.visit(&mut |p| {
            if let Pure::Linear(l) = p {
                out.insert(l.table);
                l.inner.tables(out);
            }
        });
    }

    /// Whether `self` depends on the membrane potential.
    pub fn reads_v(&self) -> bool {
        let mut v = false;
        self.visit(&mut |p| v |= matches!(p, Pure::V));
        v
    }

    /// Whether `self` reads nothing (a constant expression such as `-100`).
    pub fn is_constant(&self) -> bool {
        let mut constant = true;
        self.visit(&mut |p| {
            constant &= matches!(
                p,
                Pure::Const(_) | Pure::Unary(..) | Pure::Binary(..) | Pure::Call(..) | Pure::Select(..)
            ) && !matches!(p, Pure::Call(f, _) if matches!(f, nmodl::ir::MathFn::Nernst | nmodl::ir::MathFn::Ghk))
        });
        constant
    }

    /// Calls `f` on `self` and every subexpression (a TABLE's inner function excluded).
    fn visit(&self, f: &mut dyn FnMut(&Pure)) {
        f(self);
        match self {
            Pure::Unary(_, a) => a.visit(f),
            Pure::Binary(_, a, b) => {
                a.visit(f);
                b.visit(f)
            }
            Pure::Call(_, args) => args.iter().for_each(|a| a.visit(f)),
            Pure::Select(c, a, b) => {
                c.visit(f);
                a.visit(f);
                b.visit(f)
            }
            Pure::Linear(l) => l.arg.visit(f),
            _ => {}
        }
    }

    /// The value at potential `v` (same operations as the kernels' scalar semantics).
    pub fn eval(&self, v: f64, globals: &[f64], dt: f64, celsius: f64) -> f64 {
        let ev = |p: &Pure| p.eval(v, globals, dt, celsius);
        match self {
            Pure::Const(c) => *c,
            Pure::V => v,
            Pure::Builtin(Builtin::Dt) => dt,
            Pure::Builtin(Builtin::Celsius) => celsius,
            Pure::Builtin(_) => 0.0,
            Pure::Global(g) => globals.get(*g as usize).copied().unwrap_or(f64::NAN),
            // Tables never hold per-instance values.
            Pure::Field(_) | Pure::Area => f64::NAN,
            // The interpreter's own operators (C semantics: comparisons give 1.0/0.0).
            Pure::Unary(op, a) => mech::eval_unary(*op, ev(a)),
            Pure::Binary(op, a, b) => mech::eval_binary(*op, ev(a), ev(b)),
            Pure::Call(f, args) => {
                let mut vals = [0.0; 4];
                for (slot, a) in vals.iter_mut().zip(args) {
                    *slot = ev(a);
                }
                mech::eval_math(*f, &vals[..args.len().min(4)], celsius)
            }
            Pure::Select(c, a, b) => {
                if ev(c) != 0.0 {
                    ev(a)
                } else {
                    ev(b)
                }
            }
            Pure::Linear(l) => l.eval(ev(&l.arg), &|p, x| p.eval(x, globals, dt, celsius)),
        }
    }

    /// Globals the expression reads.
    pub fn globals(&self, out: &mut BTreeSet<u32>) {
        match self {
            Pure::Global(g) => {
                out.insert(*g);
            }
            Pure::Unary(_, a) => a.globals(out),
            Pure::Binary(_, a, b) => {
                a.globals(out);
                b.globals(out)
            }
            Pure::Call(_, args) => args.iter().for_each(|a| a.globals(out)),
            Pure::Select(c, a, b) => {
                c.globals(out);
                a.globals(out);
                b.globals(out)
            }
            Pure::Linear(l) => {
                l.inner.globals(out);
                l.arg.globals(out)
            }
            Pure::Const(_) | Pure::V | Pure::Builtin(_) | Pure::Field(_) | Pure::Area => {}
        }
    }

    /// The expression as kernel IR (None when it holds a [`Pure::Select`]).
    pub fn to_expr(&self) -> Option<Expr> {
        Some(match self {
            Pure::Const(c) => Expr::Const(*c),
            Pure::V => Expr::Load(Place::Node(NodeVar::V)),
            Pure::Builtin(b) => Expr::Load(Place::Builtin(*b)),
            Pure::Global(g) => Expr::Load(Place::Global(*g)),
            Pure::Field(f) => Expr::Load(Place::Field(*f)),
            Pure::Area => Expr::Load(Place::Node(NodeVar::Area)),
            Pure::Unary(op, a) => Expr::Unary(*op, Box::new(a.to_expr()?)),
            Pure::Binary(op, a, b) => {
                Expr::Binary(*op, Box::new(a.to_expr()?), Box::new(b.to_expr()?))
            }
            Pure::Call(f, args) => {
                Expr::Call(*f, args.iter().map(Pure::to_expr).collect::<Option<_>>()?)
            }
            Pure::Select(..) | Pure::Linear(_) => return None,
        })
    }
}
