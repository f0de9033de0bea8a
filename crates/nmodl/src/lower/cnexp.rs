//! nocmodl's symbolic treatment of `s' = f` for the cnexp method (`diffeq.ypp`).
//!
//! For every sub-expression nocmodl tracks four strings: the expression, its derivative with
//! respect to the state (`de`), the coefficient of the state (`a`) and the state-free part
//! (`b`); the literal `0.0` marks an absent part and is dropped by `+`, `-`, `*` and `/`.
//! The update it emits is
//!
//! $$ s \leftarrow s + (1 - e^{dt\cdot de})\,\left(\frac{-b}{a} - s\right) $$
//!
//! with every part printed unsimplified — e.g. `m' = (minf - m)/mtau` gives
//! de = a = `(-1.0)/mtau` and b = `minf/mtau`. This module rebuilds the same expression
//! trees (as IR) so that the runtime performs exactly the C operations.

use crate::ast::{self, BinaryOp as AB, UnaryOp as AU};
use crate::ir::{BinaryOp, Expr, MathFn, Place};

use super::body::{bin, load, neg, Builder};

/// The four parts of a sub-expression; `None` is nocmodl's `0.0`.
#[derive(Debug, Clone)]
pub(crate) struct Parts {
    pub expr: Expr,
    pub de: Option<Expr>,
    pub a: Option<Expr>,
    pub b: Option<Expr>,
}

/// Result of analysing one right-hand side.
pub(crate) struct Analysis {
    pub parts: Parts,
    /// The derivative depends on the state (nocmodl's `d_invalid`): cnexp impossible.
    pub d_invalid: bool,
    /// f is not of the form a·s + b.
    pub eq_invalid: bool,
}

/// Whether nocmodl prints this literal as `0.0` (it prints integers with `.0`).
fn is_zero_literal(text: &str, value: f64) -> bool {
    value == 0.0 && matches!(text.trim(), "0" | "0.0")
}

fn mentions(e: &ast::Expr, state: &str) -> bool {
    match e {
        ast::Expr::Var { name, index } => {
            name.name == state || index.as_deref().is_some_and(|i| mentions(i, state))
        }
        ast::Expr::Unary { operand, .. } => mentions(operand, state),
        ast::Expr::Binary { lhs, rhs, .. } => mentions(lhs, state) || mentions(rhs, state),
        ast::Expr::Call { args, .. } => args.iter().any(|a| mentions(a, state)),
        _ => false,
    }
}

struct Walker<'b, 'a> {
    builder: &'b mut Builder<'a>,
    state: &'b str,
    state_place: Place,
    d_invalid: bool,
    eq_invalid: bool,
}

impl Walker<'_, '_> {
    fn walk(&mut self, e: &ast::Expr) -> Parts {
        match e {
            ast::Expr::Number { value, text, .. } => {
                let x = Expr::Const(*value);
                let b = if is_zero_literal(text, *value) {
                    None
                } else {
                    Some(x.clone())
                };
                Parts {
                    expr: x,
                    de: None,
                    a: None,
                    b,
                }
            }
            ast::Expr::Var { name, index: None } if name.name == self.state => Parts {
                expr: load(self.state_place.clone()),
                de: Some(Expr::Const(1.0)),
                a: Some(Expr::Const(1.0)),
                b: None,
            },
            ast::Expr::Unary {
                op: AU::Neg,
                operand,
                ..
            } => {
                let p = self.walk(operand);
                Parts {
                    expr: neg(p.expr),
                    de: p.de.map(neg),
                    a: p.a.map(neg),
                    b: p.b.map(neg),
                }
            }
            ast::Expr::Binary {
                op: op @ (AB::Add | AB::Sub | AB::Mul | AB::Div),
                lhs,
                rhs,
                ..
            } => {
                let l = self.walk(lhs);
                let r = self.walk(rhs);
                self.combine(*op, l, r)
            }
            other => {
                // Atoms, calls and operators the diffeq grammar does not know: state-free
                // atoms, or (if they mention the state) a non-differentiable use of it.
                if mentions(other, self.state) {
                    self.d_invalid = true;
                    self.eq_invalid = true;
                }
                let x = self.builder.expr(other);
                Parts {
                    expr: x.clone(),
                    de: None,
                    a: None,
                    b: Some(x),
                }
            }
        }
    }

    fn combine(&mut self, op: AB, l: Parts, r: Parts) -> Parts {
        let sum = |x: Option<Expr>, y: Option<Expr>, sub: bool| match (x, y) {
            (Some(x), Some(y)) => Some(bin(if sub { BinaryOp::Sub } else { BinaryOp::Add }, x, y)),
            (Some(x), None) => Some(x),
            (None, Some(y)) => Some(if sub { neg(y) } else { y }),
            (None, None) => None,
        };
        match op {
            AB::Add | AB::Sub => {
                let sub = op == AB::Sub;
                Parts {
                    expr: bin(
                        if sub { BinaryOp::Sub } else { BinaryOp::Add },
                        l.expr,
                        r.expr,
                    ),
                    de: sum(l.de, r.de, sub),
                    a: sum(l.a, r.a, sub),
                    b: sum(l.b, r.b, sub),
                }
            }
            AB::Mul => {
                let de = match (&l.de, &r.de) {
                    (Some(d1), Some(d3)) => Some(bin(
                        BinaryOp::Add,
                        bin(BinaryOp::Mul, d1.clone(), r.expr.clone()),
                        bin(BinaryOp::Mul, l.expr.clone(), d3.clone()),
                    )),
                    (Some(d1), None) => Some(bin(BinaryOp::Mul, d1.clone(), r.expr.clone())),
                    (None, Some(d3)) => Some(bin(BinaryOp::Mul, l.expr.clone(), d3.clone())),
                    (None, None) => None,
                };
                let a = match (&l.a, &r.a) {
                    (Some(_), Some(_)) => {
                        self.eq_invalid = true;
                        None
                    }
                    (Some(a1), None) => r.b.clone().map(|b3| bin(BinaryOp::Mul, a1.clone(), b3)),
                    (None, Some(a3)) => l.b.clone().map(|b1| bin(BinaryOp::Mul, b1, a3.clone())),
                    (None, None) => None,
                };
                let b = match (l.b, r.b) {
                    (Some(b1), Some(b3)) => Some(bin(BinaryOp::Mul, b1, b3)),
                    _ => None,
                };
                Parts {
                    expr: bin(BinaryOp::Mul, l.expr, r.expr),
                    de,
                    a,
                    b,
                }
            }
            _ => {
                // Division.
                let de = if r.de.is_some() {
                    self.d_invalid = true;
                    None
                } else {
                    l.de.map(|d| bin(BinaryOp::Div, d, r.expr.clone()))
                };
                let a = if r.a.is_some() {
                    self.eq_invalid = true;
                    None
                } else {
                    l.a.map(|a| bin(BinaryOp::Div, a, r.expr.clone()))
                };
                let b = l.b.map(|b| bin(BinaryOp::Div, b, r.expr.clone()));
                Parts {
                    expr: bin(BinaryOp::Div, l.expr, r.expr),
                    de,
                    a,
                    b,
                }
            }
        }
    }
}

/// Analyses `f` of `state' = f`. Inlined FUNCTION calls are emitted into `builder`.
pub(crate) fn analyse(
    builder: &mut Builder<'_>,
    state: &str,
    state_place: Place,
    f: &ast::Expr,
) -> Analysis {
    let mut w = Walker {
        builder,
        state,
        state_place,
        d_invalid: false,
        eq_invalid: false,
    };
    let parts = w.walk(f);
    Analysis {
        parts,
        d_invalid: w.d_invalid,
        eq_invalid: w.eq_invalid,
    }
}

/// The cnexp update `s = s + (1. - exp(dt*(de)))*(- (b) / (a) - s)`, or `s = s - dt*(- (b))`
/// when the coefficient is nocmodl's `0.0`.
pub(crate) fn update(state: Place, parts: &Parts, dt: Expr) -> Expr {
    let s = load(state);
    let b = parts.b.clone().unwrap_or(Expr::Const(0.0));
    match (&parts.de, &parts.a) {
        (Some(de), Some(a)) => {
            let decay = bin(
                BinaryOp::Sub,
                Expr::Const(1.0),
                Expr::Call(MathFn::Exp, vec![bin(BinaryOp::Mul, dt, de.clone())]),
            );
            let target = bin(
                BinaryOp::Sub,
                bin(BinaryOp::Div, neg(b), a.clone()),
                s.clone(),
            );
            bin(BinaryOp::Add, s, bin(BinaryOp::Mul, decay, target))
        }
        _ => bin(BinaryOp::Sub, s, bin(BinaryOp::Mul, dt, neg(b))),
    }
}
