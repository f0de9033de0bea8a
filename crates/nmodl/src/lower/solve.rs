//! SOLVE statements: cnexp, derivimplicit, euler, sparse (KINETIC), LINEAR and procedures.

use crate::ast::{self, Item};
use crate::ir::{BinaryOp, Expr, MathFn, Place, Stmt};

use super::body::{bin, load, Builder};
use super::cnexp;
use super::kinetic;
use super::linear;

/// What a SOLVE names.
pub(crate) enum Target<'p> {
    Derivative(&'p ast::Block),
    Kinetic(&'p ast::Block),
    Linear(&'p ast::Block),
    Procedure(&'p ast::Callable),
}

pub(crate) fn target<'p>(program: &'p ast::Program, name: &str) -> Option<Target<'p>> {
    program.items.iter().find_map(|i| match i {
        Item::Derivative { name: n, body } if n.name == name => Some(Target::Derivative(body)),
        Item::Kinetic { name: n, body } if n.name == name => Some(Target::Kinetic(body)),
        Item::Linear { name: n, body } | Item::NonLinear { name: n, body } if n.name == name => {
            Some(Target::Linear(body))
        }
        Item::Procedure(c) if c.name.name == name => Some(Target::Procedure(c)),
        _ => None,
    })
}

/// Lowers `SOLVE …` in the state kernel (`steady = false`) or INITIAL.
pub(crate) fn solve(b: &mut Builder<'_>, s: &ast::Stmt, steady_context: bool) {
    let ast::Stmt::Solve {
        block,
        method,
        steadystate,
        span,
    } = s
    else {
        return;
    };
    let Some(t) = target(b.program, &block.name) else {
        b.error(
            block.span,
            format!("SOLVE of unknown block `{}`", block.name),
        );
        return;
    };
    let steady = steady_context && steadystate.is_some();
    let m = method
        .as_ref()
        .or(steadystate.as_ref())
        .map(|m| m.name.as_str());
    match t {
        Target::Derivative(body) => {
            if steady {
                b.dt_override = Some(Expr::Const(1e-9));
                derivimplicit(b, body);
                b.dt_override = None;
                return;
            }
            match m {
                Some("cnexp") | None => {
                    if !try_cnexp(b, body) {
                        derivimplicit(b, body);
                    }
                }
                Some("derivimplicit") | Some("runge") => derivimplicit(b, body),
                Some("euler") => euler(b, body),
                Some(other) => b.error(
                    *span,
                    format!("METHOD {other} is not supported for a DERIVATIVE block"),
                ),
            }
        }
        Target::Kinetic(body) => {
            if steady {
                b.dt_override = Some(Expr::Const(1e9));
                kinetic::kinetic(b, body, true);
                b.dt_override = None;
            } else {
                kinetic::kinetic(b, body, false);
            }
        }
        Target::Linear(body) => linear::linear(b, body),
        Target::Procedure(c) => {
            b.inline(c, false, Vec::new());
        }
    }
}

/// SOLVE inside INITIAL: only STEADYSTATE, LINEAR and procedures make sense; others run once.
pub(crate) fn solve_in_initial(b: &mut Builder<'_>, s: &ast::Stmt) {
    solve(b, s, true)
}

/// cnexp: sequential closed-form updates; false if an equation is not linear in its state.
fn try_cnexp(b: &mut Builder<'_>, body: &ast::Block) -> bool {
    let mut ok = true;
    let stmts = b.collect(|b| {
        b.push_scope();
        for st in &body.stmts {
            match st {
                ast::Stmt::Derivative {
                    state,
                    index: None,
                    order: 1,
                    value,
                    ..
                } => {
                    let Some(place) = b.place_of(state, None) else {
                        continue;
                    };
                    let an = cnexp::analyse(b, &state.name, place.clone(), value);
                    if an.d_invalid || an.eq_invalid {
                        ok = false;
                    }
                    let dt = b.dt();
                    b.emit(Stmt::Assign(
                        place.clone(),
                        cnexp::update(place, &an.parts, dt),
                    ));
                }
                ast::Stmt::Derivative { span, .. } => {
                    ok = false;
                    let _ = span;
                }
                other => b.stmt(other),
            }
        }
        b.pop_scope();
    });
    if ok {
        for s in stmts {
            b.emit(s);
        }
    }
    ok
}

/// States of a DERIVATIVE block in equation order with their right-hand sides.
fn equations(body: &ast::Block) -> Vec<&ast::Stmt> {
    body.stmts
        .iter()
        .filter(|s| matches!(s, ast::Stmt::Derivative { .. }))
        .collect()
}

/// derivimplicit: Newton on F_i = f_i(s) − (s_i − s_i_old)/dt.
fn derivimplicit(b: &mut Builder<'_>, body: &ast::Block) {
    let eqs = equations(body);
    let mut unknowns = Vec::new();
    let mut olds = Vec::new();
    for e in &eqs {
        if let ast::Stmt::Derivative { state, index, .. } = e {
            if let Some(p) = b.place_of(state, index.as_ref()) {
                let old = b.new_local(&format!("{}.old", state.name));
                b.emit(Stmt::Assign(Place::Local(old), load(p.clone())));
                unknowns.push(p);
                olds.push(old);
            }
        }
    }
    let residuals: Vec<u32> = (0..unknowns.len())
        .map(|i| b.new_local(&format!("F{i}")))
        .collect();
    let mut k = 0;
    let residual = b.collect(|b| {
        b.push_scope();
        for st in &body.stmts {
            match st {
                ast::Stmt::Derivative { value, .. } => {
                    if k < unknowns.len() {
                        let f = b.expr(value);
                        let dt = b.dt();
                        let change = bin(
                            BinaryOp::Div,
                            bin(
                                BinaryOp::Sub,
                                load(unknowns[k].clone()),
                                load(Place::Local(olds[k])),
                            ),
                            dt,
                        );
                        b.emit(Stmt::Assign(
                            Place::Local(residuals[k]),
                            bin(BinaryOp::Sub, f, change),
                        ));
                        k += 1;
                    }
                }
                other => b.stmt(other),
            }
        }
        b.pop_scope();
    });
    // nocmodl's derivimplicit function runs its body once more after Newton converged, so
    // ASSIGNED variables set in the block see the new states.
    let again = residual.clone();
    b.emit(Stmt::Newton {
        unknowns,
        residual,
        residuals,
        clamp_nonnegative: false,
    });
    b.emit_all(again);
}

/// euler: evaluate every derivative, then s += dt·f.
fn euler(b: &mut Builder<'_>, body: &ast::Block) {
    let mut updates = Vec::new();
    b.push_scope();
    for st in &body.stmts {
        match st {
            ast::Stmt::Derivative {
                state,
                index,
                value,
                ..
            } => {
                let Some(p) = b.place_of(state, index.as_ref()) else {
                    continue;
                };
                let f = b.expr(value);
                let d = b.new_local(&format!("D{}", state.name));
                b.emit(Stmt::Assign(Place::Local(d), f));
                updates.push((p, d));
            }
            other => b.stmt(other),
        }
    }
    b.pop_scope();
    for (p, d) in updates {
        let dt = b.dt();
        b.emit(Stmt::Assign(
            p.clone(),
            bin(
                BinaryOp::Add,
                load(p),
                bin(BinaryOp::Mul, dt, load(Place::Local(d))),
            ),
        ));
    }
}

/// `fabs(x)` helper for convergence tests.
pub(crate) fn fabs(x: Expr) -> Expr {
    Expr::Call(MathFn::Fabs, vec![x])
}
