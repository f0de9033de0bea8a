//! LINEAR blocks as nocmodl writes them for scopmath's `simeq`.
//!
//! Unknowns are the block's STATEs in order of first appearance. Each `~ lhs = rhs` equation is
//! one row; both sides are split into `+`/`−` terms. A term linear in one unknown adds its
//! coefficient (the term with the unknown replaced by `1.0`) to that unknown's column, with
//! sign −1 on the left and +1 on the right; a term without unknowns goes to the right-hand side
//! with the opposite sign. Every element starts at 0 and the terms are accumulated in source
//! order, so the matrix holds exactly nocmodl's values: `~ 2*x + y = p` gives the row
//! `(0 − 2.0·1.0) x + (0 − 1.0) y = 0 − p`.

use crate::ast::{self, BinaryOp as AB, UnaryOp as AU};
use crate::ir::{BinaryOp, Expr, LocalId, Place, Stmt};

use super::body::{bin, load, Builder};
use super::scheme::collect_vars;

/// Splits a side into signed terms at top-level `+`/`−` (and unary minus).
fn terms<'e>(e: &'e ast::Expr, positive: bool, out: &mut Vec<(bool, &'e ast::Expr)>) {
    match e {
        ast::Expr::Binary {
            op: op @ (AB::Add | AB::Sub),
            lhs,
            rhs,
            ..
        } => {
            terms(lhs, positive, out);
            terms(rhs, if *op == AB::Sub { !positive } else { positive }, out);
        }
        ast::Expr::Unary {
            op: AU::Neg,
            operand,
            ..
        } => terms(operand, !positive, out),
        other => out.push((positive, other)),
    }
}

fn mentions(e: &ast::Expr, name: &str) -> bool {
    let mut v = Vec::new();
    collect_vars(e, &mut v);
    v.iter().any(|n| n == name)
        || matches!(e, ast::Expr::Call { args, .. } if args.iter().any(|a| mentions(a, name)))
}

/// The term with `unknown` replaced by `1.0`, if the term is a product/quotient linear in it.
fn coefficient(term: &ast::Expr, unknown: &str) -> Option<ast::Expr> {
    match term {
        ast::Expr::Var { name, index: None } if name.name == unknown => Some(ast::Expr::Number {
            value: 1.0,
            text: "1.0".into(),
            span: name.span,
        }),
        ast::Expr::Binary {
            op: op @ (AB::Mul | AB::Div),
            lhs,
            rhs,
            span,
        } => {
            let (l, r) = (mentions(lhs, unknown), mentions(rhs, unknown));
            let (lhs, rhs) = match (l, r) {
                (true, false) => (Box::new(coefficient(lhs, unknown)?), rhs.clone()),
                (false, true) if *op == AB::Mul => {
                    (lhs.clone(), Box::new(coefficient(rhs, unknown)?))
                }
                _ => return None,
            };
            Some(ast::Expr::Binary {
                op: *op,
                lhs,
                rhs,
                span: *span,
            })
        }
        _ => None,
    }
}

fn accumulate(b: &mut Builder<'_>, target: LocalId, value: Expr, add: bool) {
    let op = if add { BinaryOp::Add } else { BinaryOp::Sub };
    b.emit(Stmt::Assign(
        Place::Local(target),
        bin(op, load(Place::Local(target)), value),
    ));
}

/// LINEAR: builds the system and solves it once with [`Stmt::LinearSolve`].
pub(crate) fn linear(b: &mut Builder<'_>, body: &ast::Block) {
    let is_state = |n: &str| {
        b.program
            .items
            .iter()
            .any(|i| matches!(i, ast::Item::State(d, _) if d.iter().any(|d| d.name.name == n)))
    };
    let mut unknowns: Vec<String> = Vec::new();
    let mut rows = 0;
    for s in &body.stmts {
        if let ast::Stmt::Equation { lhs, rhs, .. } = s {
            rows += 1;
            let mut names = Vec::new();
            collect_vars(lhs, &mut names);
            collect_vars(rhs, &mut names);
            for n in names {
                if is_state(&n) && !unknowns.contains(&n) {
                    unknowns.push(n);
                }
            }
        }
    }
    let n = unknowns.len();
    if rows != n {
        b.error(
            body.span,
            format!("LINEAR block has {rows} equations for {n} states"),
        );
        return;
    }
    let mut places = Vec::new();
    for nm in &unknowns {
        let id = ast::Ident {
            name: nm.clone(),
            span: body.span,
        };
        match b.place_of(&id, None) {
            Some(p) => places.push(p),
            None => return,
        }
    }
    let rhs: Vec<LocalId> = (0..n).map(|i| b.new_local(&format!("RHS[{i}]"))).collect();
    let mut matrix: Vec<Option<LocalId>> = vec![None; n * n];
    for &r in &rhs {
        b.emit(Stmt::Assign(Place::Local(r), Expr::Const(0.0)));
    }
    b.push_scope();
    let mut row = 0;
    for s in &body.stmts {
        let ast::Stmt::Equation {
            lhs,
            rhs: right,
            span,
        } = s
        else {
            b.stmt(s);
            continue;
        };
        let mut signed = Vec::new();
        terms(lhs, false, &mut signed);
        terms(right, true, &mut signed);
        for (positive, term) in signed {
            let found: Vec<usize> = (0..n).filter(|&j| mentions(term, &unknowns[j])).collect();
            match found.as_slice() {
                [] => {
                    let c = b.expr(term);
                    accumulate(b, rhs[row], c, !positive);
                }
                [j] => match coefficient(term, &unknowns[*j]) {
                    Some(c) => {
                        let c = b.expr(&c);
                        let slot = &mut matrix[row * n + j];
                        let m = match slot {
                            Some(m) => *m,
                            None => {
                                let m = b.new_local(&format!("A[{row},{j}]"));
                                b.emit(Stmt::Assign(Place::Local(m), Expr::Const(0.0)));
                                *slot = Some(m);
                                m
                            }
                        };
                        accumulate(b, m, c, positive);
                    }
                    None => b.error(*span, "equation is not linear in the LINEAR block's states"),
                },
                _ => b.error(*span, "equation is not linear in the LINEAR block's states"),
            }
        }
        row += 1;
    }
    b.pop_scope();
    b.emit(Stmt::LinearSolve {
        unknowns: places,
        matrix: matrix
            .into_iter()
            .map(|m| m.map_or(Expr::Const(0.0), |m| load(Place::Local(m))))
            .collect(),
        rhs: rhs.iter().map(|r| load(Place::Local(*r))).collect(),
    });
}
