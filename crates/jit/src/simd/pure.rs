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
    Unary(UnaryOp, Box<Pure>),
    Binary(BinaryOp, Box<Pure>, Box<Pure>),
    Call(MathFn, Vec<Pure>),
    /// `cond ≠ 0 ? a : b`.
    Select(Box<Pure>, Box<Pure>, Box<Pure>),
}

impl Pure {
    /// Rough cost in additions: divisions and library calls dominate gating kinetics.
    pub fn cost(&self) -> u32 {
        match self {
            Pure::Const(_) | Pure::V | Pure::Builtin(_) | Pure::Global(_) | Pure::Field(_) => 0,
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
            Pure::Field(_) => f64::NAN,
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
            Pure::Const(_) | Pure::V | Pure::Builtin(_) | Pure::Field(_) => {}
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
            Pure::Unary(op, a) => Expr::Unary(*op, Box::new(a.to_expr()?)),
            Pure::Binary(op, a, b) => {
                Expr::Binary(*op, Box::new(a.to_expr()?), Box::new(b.to_expr()?))
            }
            Pure::Call(f, args) => {
                Expr::Call(*f, args.iter().map(Pure::to_expr).collect::<Option<_>>()?)
            }
            Pure::Select(..) => return None,
        })
    }
}
