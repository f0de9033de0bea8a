//! Every place a kernel body reads or writes, for analyses outside the compiler (which kernels
//! of different mechanisms may run in another order: `engine`'s kernel fusion).

use crate::ir::{Expr, Place, Stmt};

/// Whether a place is read or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// Calls `f` for every place `body` may read or write (an accumulation `x = x + e` is both),
/// including places read by index expressions, conditions and solver systems.
pub fn for_each_place(body: &[Stmt], f: &mut dyn FnMut(&Place, Access)) {
    for s in body {
        match s {
            Stmt::Assign(p, e) => {
                expr(e, f);
                place_index(p, f);
                f(p, Access::Write);
            }
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                expr(cond, f);
                for_each_place(then, f);
                for_each_place(otherwise, f);
            }
            Stmt::While { cond, body } => {
                expr(cond, f);
                for_each_place(body, f);
            }
            Stmt::TableCall { arg, .. } => expr(arg, f),
            Stmt::LinearSolve {
                unknowns,
                matrix,
                rhs,
            } => {
                matrix.iter().chain(rhs).for_each(|e| expr(e, f));
                for u in unknowns {
                    f(u, Access::Write);
                }
            }
            Stmt::Newton {
                unknowns, residual, ..
            } => {
                for u in unknowns {
                    f(u, Access::Read);
                    f(u, Access::Write);
                }
                for_each_place(residual, f);
            }
            Stmt::NetSend { delay: a, flag: b } => {
                expr(a, f);
                expr(b, f);
            }
            Stmt::NetEvent { time } | Stmt::NetMove { time } => expr(time, f),
            Stmt::Print { args, .. } => args.iter().for_each(|e| expr(e, f)),
        }
    }
}

fn place_index(p: &Place, f: &mut dyn FnMut(&Place, Access)) {
    if let Place::FieldIndexed { index, .. } = p {
        expr(index, f);
    }
}

fn expr(e: &Expr, f: &mut dyn FnMut(&Place, Access)) {
    match e {
        Expr::Const(_) => {}
        Expr::Load(p) => {
            place_index(p, f);
            f(p, Access::Read);
        }
        Expr::Unary(_, a) => expr(a, f),
        Expr::Binary(_, a, b) => {
            expr(a, f);
            expr(b, f);
        }
        Expr::Call(_, args) => args.iter().for_each(|a| expr(a, f)),
        Expr::TableValue { arg, .. } => expr(arg, f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{IonVar, NodeVar};

    #[test]
    fn an_accumulation_reads_and_writes_and_conditions_are_read() {
        let m = crate::compile(
            "t.mod",
            "NEURON { SUFFIX t USEION ca READ eca WRITE ica } ASSIGNED { v eca ica }
             BREAKPOINT { if (v > 0) { ica = v - eca } else { ica = 0 } }",
        )
        .unwrap();
        let mut seen = Vec::new();
        for_each_place(&m.current.unwrap().body, &mut |p, a| {
            seen.push((p.clone(), a))
        });
        let has = |p: Place, a| seen.contains(&(p, a));
        let ca = |var| Place::Ion { ion: 0, var };
        assert!(has(Place::Node(NodeVar::V), Access::Read));
        assert!(has(Place::Node(NodeVar::Rhs), Access::Read));
        assert!(has(Place::Node(NodeVar::Rhs), Access::Write));
        assert!(has(ca(IonVar::Current), Access::Write));
        assert!(has(ca(IonVar::Erev), Access::Read));
        assert!(!has(ca(IonVar::Erev), Access::Write));
    }
}
