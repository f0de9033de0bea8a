//! KINETIC blocks solved the way NEURON's `sparse_thread` / `_ss_sparse_thread` solve them.
//!
//! nocmodl turns the block into a function ([`scheme`]) that fills a sparse system for the
//! *changes* Δ of the states; `sparse_thread` solves it with a fixed elimination order
//! ([`super::sparse::Ordering`]) and adds Δ to the states:
//!
//! * a linear scheme (`_linmat = 1`): one solve, no clamping;
//! * a nonlinear scheme: repeat while Σ|Δ| > 1e-6 (at most 22 passes), clamping negative
//!   states to 0 after each pass;
//! * after a successful solve the scheme function runs once more (it may assign ASSIGNED
//!   variables from the new states);
//! * STEADYSTATE uses dt = 1e9: linear schemes iterate with clamping; nonlinear ones make up to
//!   7 unclamped single solves until no state is below −1e-6, then iterate with clamping.
//!
//! Every pass saves the old states first, as each `sparse_thread` call does.

use std::collections::HashMap;

use crate::ast::{self, ReactionKind};
use crate::ir::{BinaryOp, Expr, LocalId, Place, Stmt};

use super::body::{bin, load, Builder};
use super::scheme::{self, Scheme};
use super::solve::fabs;
use super::sparse::Ordering;

/// Locals and statements of one lowered KINETIC block.
struct Lowered {
    states: Vec<Place>,
    olds: Vec<LocalId>,
    rhs: Vec<LocalId>,
    /// The scheme function body (fills `rhs` and the matrix elements).
    fun: Vec<Stmt>,
    /// Sets every matrix element (fill-in included) to 0 (`init_coef_list`).
    zero: Vec<Stmt>,
    /// The elimination (`matsol`), leaving Δ in `rhs`.
    solve: Vec<Stmt>,
}

impl Lowered {
    fn save_old(&self, out: &mut Vec<Stmt>) {
        for (s, o) in self.states.iter().zip(&self.olds) {
            out.push(Stmt::Assign(Place::Local(*o), load(s.clone())));
        }
    }

    fn evaluate(&self, out: &mut Vec<Stmt>) {
        out.extend(self.zero.iter().cloned());
        out.extend(self.fun.iter().cloned());
    }

    /// One `sparse_thread` call; `single` is its `linflag` (one solve, no clamping).
    fn sparse_thread(&self, b: &mut Builder<'_>, single: bool) -> Vec<Stmt> {
        let mut out = Vec::new();
        self.save_old(&mut out);
        let add_delta = |out: &mut Vec<Stmt>, i: usize| {
            let s = self.states[i].clone();
            out.push(Stmt::Assign(
                s.clone(),
                bin(BinaryOp::Add, load(s), load(Place::Local(self.rhs[i]))),
            ));
        };
        if single {
            self.evaluate(&mut out);
            out.extend(self.solve.iter().cloned());
            for i in 0..self.states.len() {
                add_delta(&mut out, i);
            }
            self.evaluate(&mut out);
            return out;
        }
        let err = b.new_local("err");
        let pass = b.new_local("pass");
        let exceeded = b.new_local("exceeded");
        for (l, v) in [(err, 1.0), (pass, 0.0), (exceeded, 0.0)] {
            out.push(Stmt::Assign(Place::Local(l), Expr::Const(v)));
        }
        let mut body = Vec::new();
        self.evaluate(&mut body);
        body.extend(self.solve.iter().cloned());
        body.push(Stmt::Assign(Place::Local(err), Expr::Const(0.0)));
        for i in 0..self.states.len() {
            add_delta(&mut body, i);
            let s = self.states[i].clone();
            body.push(Stmt::If {
                cond: bin(BinaryOp::Lt, load(s.clone()), Expr::Const(0.0)),
                then: vec![Stmt::Assign(s, Expr::Const(0.0))],
                otherwise: vec![],
            });
            body.push(Stmt::Assign(
                Place::Local(err),
                bin(
                    BinaryOp::Add,
                    load(Place::Local(err)),
                    fabs(load(Place::Local(self.rhs[i]))),
                ),
            ));
        }
        // MAXSTEPS 20: `sparse_thread` returns an error after the pass with j = 21.
        body.push(Stmt::If {
            cond: bin(BinaryOp::Gt, load(Place::Local(pass)), Expr::Const(20.0)),
            then: vec![
                Stmt::Assign(Place::Local(exceeded), Expr::Const(1.0)),
                Stmt::Assign(Place::Local(err), Expr::Const(0.0)),
            ],
            otherwise: vec![],
        });
        body.push(Stmt::Assign(
            Place::Local(pass),
            bin(BinaryOp::Add, load(Place::Local(pass)), Expr::Const(1.0)),
        ));
        out.push(Stmt::While {
            cond: bin(BinaryOp::Gt, load(Place::Local(err)), Expr::Const(1e-6)),
            body,
        });
        let mut last = Vec::new();
        self.evaluate(&mut last);
        out.push(Stmt::If {
            cond: bin(BinaryOp::Eq, load(Place::Local(exceeded)), Expr::Const(0.0)),
            then: last,
            otherwise: vec![],
        });
        out
    }

    /// `_ss_sparse_thread` for a nonlinear scheme.
    fn steady_nonlinear(&self, b: &mut Builder<'_>) -> Vec<Stmt> {
        let done = b.new_local("ss_done");
        let tries = b.new_local("ss_try");
        let ok = b.new_local("ss_ok");
        let mut body = self.sparse_thread(b, true);
        body.push(Stmt::Assign(Place::Local(ok), Expr::Const(1.0)));
        for s in &self.states {
            body.push(Stmt::If {
                cond: bin(BinaryOp::Lt, load(s.clone()), Expr::Const(-1e-6)),
                then: vec![
                    Stmt::Assign(s.clone(), Expr::Const(0.0)),
                    Stmt::Assign(Place::Local(ok), Expr::Const(0.0)),
                ],
                otherwise: vec![],
            });
        }
        let mut finish = self.sparse_thread(b, false);
        finish.push(Stmt::Assign(Place::Local(done), Expr::Const(1.0)));
        body.push(Stmt::If {
            cond: bin(BinaryOp::Ne, load(Place::Local(ok)), Expr::Const(0.0)),
            then: finish,
            otherwise: vec![],
        });
        body.push(Stmt::Assign(
            Place::Local(tries),
            bin(BinaryOp::Add, load(Place::Local(tries)), Expr::Const(1.0)),
        ));
        vec![
            Stmt::Assign(Place::Local(done), Expr::Const(0.0)),
            Stmt::Assign(Place::Local(tries), Expr::Const(0.0)),
            Stmt::While {
                cond: bin(
                    BinaryOp::And,
                    bin(BinaryOp::Eq, load(Place::Local(done)), Expr::Const(0.0)),
                    bin(BinaryOp::Lt, load(Place::Local(tries)), Expr::Const(7.0)),
                ),
                body,
            },
        ]
    }
}

/// Whether every reaction is first order in the states (nocmodl's `_linmat`).
fn is_linear(body: &ast::Block, is_state: impl Fn(&str) -> bool) -> bool {
    body.stmts.iter().all(|s| match s {
        ast::Stmt::Reaction { lhs, rhs, kind, .. } if !matches!(kind, ReactionKind::Flux(_)) => {
            [lhs, rhs].iter().all(|side| {
                side.iter()
                    .filter(|t| is_state(&t.name.name))
                    .map(|t| t.coefficient)
                    .sum::<u32>()
                    <= 1
            })
        }
        _ => true,
    })
}

/// Lowers a SOLVE of a KINETIC block (transient, or STEADYSTATE with the builder's dt).
pub(crate) fn kinetic(b: &mut Builder<'_>, body: &ast::Block, steady: bool) {
    let (names, ncons) = scheme::numbering(b.program, body);
    let n = names.len();
    let mut states = Vec::new();
    for nm in &names {
        let id = ast::Ident {
            name: nm.clone(),
            span: body.span,
        };
        match b.place_of(&id, None) {
            Some(p) => states.push(p),
            None => return,
        }
    }
    let linear = is_linear(body, |nm| names.iter().any(|x| x == nm));
    let olds: Vec<LocalId> = names
        .iter()
        .map(|nm| b.new_local(&format!("{nm}.old")))
        .collect();
    let rhs: Vec<LocalId> = (0..n).map(|i| b.new_local(&format!("RHS[{i}]"))).collect();
    let mut sch = Scheme {
        names: &names,
        states: &states,
        olds: &olds,
        rhs: &rhs,
        ncons,
        elements: HashMap::new(),
    };
    let fun = sch.function(b, body);
    let ordering = Ordering::new(n, sch.elements.keys().copied());
    for &(r, c) in &ordering.elements {
        sch.element(b, r, c);
    }
    let mut keys: Vec<(usize, usize)> = sch.elements.keys().copied().collect();
    keys.sort_unstable();
    let zero = keys
        .iter()
        .map(|k| Stmt::Assign(Place::Local(sch.elements[k]), Expr::Const(0.0)))
        .collect();
    let factor = b.new_local("pivot_factor");
    let elements = sch.elements.clone();
    let solve = ordering.solve(|r, c| elements[&(r, c)], &rhs, factor);
    let lowered = Lowered {
        states,
        olds,
        rhs,
        fun,
        zero,
        solve,
    };
    let stmts = match (steady, linear) {
        (false, true) => lowered.sparse_thread(b, true),
        (false, false) | (true, true) => lowered.sparse_thread(b, false),
        (true, false) => lowered.steady_nonlinear(b),
    };
    b.emit_all(stmts);
}
