//! The scheme function nocmodl's `kinetic.cpp` writes for a KINETIC block, as IR statements.
//!
//! Rows are numbered as nocmodl numbers the states ([`numbering`]). With `dt1 = 1/dt`:
//!
//! * rows that are not CONSERVE rows start as `RHS_i = -dt1·(s_i − s_i_old)`, `M_ii = dt1`,
//!   then both are multiplied by the state's COMPARTMENT volume;
//! * the block's statements follow in order; a reaction `~ A + B <-> C (kf, kb)` gives
//!   `f_flux = kf·B·A`, `b_flux = kb·C` (species in reverse order, as nocmodl lists them),
//!   `RHS_row ∓= n·(f_flux − b_flux)` for each species and, per species X, `_term = ∂flux/∂X`
//!   added to column X of every species' row;
//! * `~ A << (e)` adds `e` to A's row; `CONSERVE` overwrites its row with `Σ vol·s = total`.
//!
//! nocmodl pastes rate expressions as text, so a rate written `a + b` gives
//! `f_flux = a + b*X` (not `(a + b)*X`) while `_term` stays `a + b`; [`paste_product`] keeps
//! that quirk so results agree with NEURON. The AST does not record parentheses: a rate written
//! `((a + b))` is pasted the same way (NEURON would keep the parentheses).

use std::collections::HashMap;

use crate::ast::{self, BinaryOp as AB, ReactionKind};
use crate::ir::{BinaryOp, Expr, LocalId, Place, Stmt};

use super::body::{bin, load, neg, Builder};

/// State names of the block in nocmodl's order, and the number of CONSERVE rows (first).
pub(crate) fn numbering(program: &ast::Program, body: &ast::Block) -> (Vec<String>, usize) {
    let is_state = |n: &str| {
        program
            .items
            .iter()
            .any(|i| matches!(i, ast::Item::State(d, _) if d.iter().any(|d| d.name.name == n)))
    };
    let mut used: Vec<String> = Vec::new();
    let mut conserve_terms: Vec<Vec<String>> = Vec::new();
    for s in &body.stmts {
        match s {
            ast::Stmt::Reaction { lhs, rhs, .. } => {
                for t in lhs.iter().chain(rhs.iter()) {
                    if is_state(&t.name.name) && !used.contains(&t.name.name) {
                        used.push(t.name.name.clone());
                    }
                }
            }
            ast::Stmt::Conserve { lhs, .. } => {
                let mut names = Vec::new();
                collect_vars(lhs, &mut names);
                names.retain(|n| is_state(n));
                for n in &names {
                    if !used.contains(n) {
                        used.push(n.clone());
                    }
                }
                conserve_terms.push(names);
            }
            _ => {}
        }
    }
    // nocmodl keeps CONSERVE terms last-first and gives the row to the first unnumbered one.
    let mut order: Vec<String> = Vec::new();
    for terms in &conserve_terms {
        if let Some(n) = terms.iter().rev().find(|n| !order.contains(n)) {
            order.push(n.clone());
        }
    }
    let ncons = order.len();
    // The rest by first character, later-declared symbols first (nocmodl's per-letter symbol
    // lists with insertion at the head).
    let mut rest: Vec<String> = used.into_iter().filter(|n| !order.contains(n)).collect();
    rest.sort_by(|a, b| {
        a.as_bytes()[0]
            .cmp(&b.as_bytes()[0])
            .then(first_position(program, b).cmp(&first_position(program, a)))
    });
    order.extend(rest);
    (order, ncons)
}

fn first_position(program: &ast::Program, name: &str) -> usize {
    let mut best = usize::MAX;
    for item in &program.items {
        match item {
            ast::Item::Neuron(stmts, _) => {
                for s in stmts {
                    if let ast::NeuronStmt::Range(v) | ast::NeuronStmt::Global(v) = s {
                        for i in v.iter().filter(|i| i.name == name) {
                            best = best.min(i.span.start);
                        }
                    }
                }
            }
            ast::Item::Parameter(d, _) | ast::Item::Assigned(d, _) | ast::Item::State(d, _) => {
                for d in d.iter().filter(|d| d.name.name == name) {
                    best = best.min(d.name.span.start);
                }
            }
            _ => {}
        }
    }
    best
}

pub(crate) fn collect_vars(e: &ast::Expr, out: &mut Vec<String>) {
    match e {
        ast::Expr::Var { name, .. } => out.push(name.name.clone()),
        ast::Expr::Binary { lhs, rhs, .. } => {
            collect_vars(lhs, out);
            collect_vars(rhs, out);
        }
        ast::Expr::Unary { operand, .. } => collect_vars(operand, out),
        _ => {}
    }
}

/// `rate * f1 * f2 …` as C parses nocmodl's pasted text `rate_text * f1 * f2`: when a `bare`
/// rate's outermost operator is `+`/`-`, the product binds to its right operand only.
fn paste_product(b: &mut Builder<'_>, rate: &ast::Expr, bare: bool, factors: &[Expr]) -> Expr {
    if !bare {
        let r = b.expr(rate);
        return product(r, factors);
    }
    if let ast::Expr::Binary {
        op: op @ (AB::Add | AB::Sub),
        lhs,
        rhs,
        ..
    } = rate
    {
        if !factors.is_empty() {
            let l = b.expr(lhs);
            // A `+`/`-` right operand must have been parenthesised (left associativity).
            let r = if matches!(
                **rhs,
                ast::Expr::Binary {
                    op: AB::Add | AB::Sub,
                    ..
                }
            ) {
                product(b.expr(rhs), factors)
            } else {
                paste_product(b, rhs, true, factors)
            };
            let op = if *op == AB::Add {
                BinaryOp::Add
            } else {
                BinaryOp::Sub
            };
            return bin(op, l, r);
        }
    }
    let r = b.expr(rate);
    product(r, factors)
}

fn product(first: Expr, factors: &[Expr]) -> Expr {
    factors
        .iter()
        .fold(first, |acc, f| bin(BinaryOp::Mul, acc, f.clone()))
}

/// One species of a reaction side: its row (None for a non-STATE name) and coefficient.
#[derive(Clone)]
struct Species {
    row: Option<usize>,
    value: Expr,
    n: u32,
}

/// Builds the scheme function of one KINETIC block.
pub(crate) struct Scheme<'s> {
    pub names: &'s [String],
    pub states: &'s [Place],
    pub olds: &'s [LocalId],
    pub rhs: &'s [LocalId],
    pub ncons: usize,
    /// Matrix element locals by (row, column), created on first touch.
    pub elements: HashMap<(usize, usize), LocalId>,
}

fn update(target: LocalId, x: Expr, op: BinaryOp) -> Stmt {
    Stmt::Assign(Place::Local(target), bin(op, load(Place::Local(target)), x))
}

fn times(n: u32, x: Expr) -> Expr {
    if n > 1 {
        bin(BinaryOp::Mul, Expr::Const(n as f64), x)
    } else {
        x
    }
}

impl Scheme<'_> {
    /// The local of element (r, c).
    pub(crate) fn element(&mut self, b: &mut Builder<'_>, r: usize, c: usize) -> LocalId {
        *self
            .elements
            .entry((r, c))
            .or_insert_with(|| b.new_local(&format!("M[{r},{c}]")))
    }

    fn row(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|x| x == name)
    }

    /// The statements of the scheme function.
    pub(crate) fn function(&mut self, b: &mut Builder<'_>, body: &ast::Block) -> Vec<Stmt> {
        b.collect(|b| {
            b.push_scope();
            self.prologue(b, body);
            for s in &body.stmts {
                match s {
                    ast::Stmt::Reaction {
                        lhs,
                        rhs,
                        kind,
                        bare_rates,
                        ..
                    } => self.reaction(b, lhs, rhs, kind, *bare_rates),
                    ast::Stmt::Conserve { lhs, rhs, .. } => self.conserve(b, body, lhs, rhs),
                    ast::Stmt::Compartment { .. } => {}
                    other => b.stmt(other),
                }
            }
            b.pop_scope();
        })
    }

    fn volumes(&self, b: &mut Builder<'_>, body: &ast::Block) -> Vec<Option<Expr>> {
        let mut volumes: Vec<Option<Expr>> = vec![None; self.names.len()];
        for s in &body.stmts {
            if let ast::Stmt::Compartment {
                volume, states: cs, ..
            } = s
            {
                for st in cs {
                    if let Some(i) = self.row(&st.name) {
                        volumes[i] = Some(b.expr(volume));
                    }
                }
            }
        }
        volumes
    }

    /// `dt1 = 1/dt`, the backward-Euler rows, and their COMPARTMENT scaling.
    fn prologue(&mut self, b: &mut Builder<'_>, body: &ast::Block) {
        let dt1 = b.new_local("dt1");
        let dt = b.dt();
        b.emit(Stmt::Assign(
            Place::Local(dt1),
            bin(BinaryOp::Div, Expr::Const(1.0), dt),
        ));
        for i in self.ncons..self.names.len() {
            let change = bin(
                BinaryOp::Sub,
                load(self.states[i].clone()),
                load(Place::Local(self.olds[i])),
            );
            b.emit(Stmt::Assign(
                Place::Local(self.rhs[i]),
                bin(BinaryOp::Mul, neg(load(Place::Local(dt1))), change),
            ));
            let m = self.element(b, i, i);
            b.emit(Stmt::Assign(Place::Local(m), load(Place::Local(dt1))));
        }
        let volumes = self.volumes(b, body);
        for (i, v) in volumes.iter().enumerate().skip(self.ncons) {
            if let Some(v) = v {
                b.emit(update(self.rhs[i], v.clone(), BinaryOp::Mul));
                let m = self.element(b, i, i);
                b.emit(update(m, v.clone(), BinaryOp::Mul));
            }
        }
    }

    fn species(&self, b: &mut Builder<'_>, side: &[ast::ReactionTerm]) -> Vec<Species> {
        side.iter()
            .rev()
            .map(|t| Species {
                row: self.row(&t.name.name),
                value: b.expr(&ast::Expr::Var {
                    name: t.name.clone(),
                    index: t.index.clone().map(Box::new),
                }),
                n: t.coefficient,
            })
            .collect()
    }

    fn reaction(
        &mut self,
        b: &mut Builder<'_>,
        lhs: &[ast::ReactionTerm],
        rhs: &[ast::ReactionTerm],
        kind: &ReactionKind,
        bare_rates: [bool; 2],
    ) {
        let left = self.species(b, lhs);
        let right = self.species(b, rhs);
        let factors = |side: &[Species]| -> Vec<Expr> {
            side.iter()
                .flat_map(|s| std::iter::repeat_n(s.value.clone(), s.n as usize))
                .collect()
        };
        let (forward, backward) = match kind {
            ReactionKind::Flux(e) => {
                let bf = b.new_local("b_flux");
                let x = b.expr(e);
                b.emit(Stmt::Assign(Place::Local(bf), x));
                if let Some(row) = left.first().and_then(|s| s.row) {
                    if row >= self.ncons {
                        b.emit(update(self.rhs[row], load(Place::Local(bf)), BinaryOp::Add));
                    }
                }
                return;
            }
            ReactionKind::Reversible { forward, backward } => (forward, Some(backward)),
            ReactionKind::Forward(forward) => (forward, None),
        };
        let ff = b.new_local("f_flux");
        let bf = b.new_local("b_flux");
        let f = paste_product(b, forward, bare_rates[0], &factors(&left));
        b.emit(Stmt::Assign(Place::Local(ff), f));
        let bv = match backward {
            Some(k) => paste_product(b, k, bare_rates[1], &factors(&right)),
            None => Expr::Const(0.0),
        };
        b.emit(Stmt::Assign(Place::Local(bf), bv));
        let net = || {
            bin(
                BinaryOp::Sub,
                load(Place::Local(ff)),
                load(Place::Local(bf)),
            )
        };
        for (side, op) in [(&left, BinaryOp::Sub), (&right, BinaryOp::Add)] {
            for s in side.iter() {
                if let Some(row) = s.row.filter(|&r| r >= self.ncons) {
                    b.emit(update(self.rhs[row], times(s.n, net()), op));
                }
            }
        }
        let sides = [
            (forward, bare_rates[0], &left, true),
            (backward.unwrap_or(forward), bare_rates[1], &right, false),
        ];
        for (rate, bare, side, is_forward) in sides {
            if !is_forward && backward.is_none() {
                continue;
            }
            for (k, x) in side.iter().enumerate() {
                let Some(col) = x.row else { continue };
                let term = b.new_local("_term");
                let value = self.partial(b, rate, bare, side, k);
                b.emit(Stmt::Assign(Place::Local(term), value));
                for (rows, plus) in [(&left, is_forward), (&right, !is_forward)] {
                    for s in rows.iter() {
                        let Some(row) = s.row.filter(|&r| r >= self.ncons) else {
                            continue;
                        };
                        let m = self.element(b, row, col);
                        let op = if plus { BinaryOp::Add } else { BinaryOp::Sub };
                        b.emit(update(m, times(s.n, load(Place::Local(term))), op));
                    }
                }
            }
        }
    }

    /// `_term`: the rate times the side's factors with species `k` differentiated
    /// (`kd * 2 * C` for `2 C`), written as nocmodl writes it.
    fn partial(
        &self,
        b: &mut Builder<'_>,
        rate: &ast::Expr,
        bare: bool,
        side: &[Species],
        k: usize,
    ) -> Expr {
        let mut factors = Vec::new();
        for (j, s) in side.iter().enumerate() {
            if j == k {
                if s.n > 1 {
                    factors.push(Expr::Const(s.n as f64));
                }
                factors.extend(std::iter::repeat_n(
                    s.value.clone(),
                    s.n.saturating_sub(1) as usize,
                ));
            } else {
                factors.extend(std::iter::repeat_n(s.value.clone(), s.n as usize));
            }
        }
        paste_product(b, rate, bare, &factors)
    }

    fn conserve(
        &mut self,
        b: &mut Builder<'_>,
        body: &ast::Block,
        lhs: &ast::Expr,
        total: &ast::Expr,
    ) {
        let mut terms = Vec::new();
        collect_vars(lhs, &mut terms);
        let Some(row) = terms
            .iter()
            .rev()
            .find_map(|t| self.row(t))
            .filter(|&r| r < self.ncons)
        else {
            return;
        };
        let volumes = self.volumes(b, body);
        let t = b.expr(total);
        b.emit(Stmt::Assign(Place::Local(self.rhs[row]), t));
        for name in terms.iter().rev() {
            let Some(i) = self.row(name) else { continue };
            let m = self.element(b, row, i);
            let (coef, s) = match &volumes[i] {
                Some(v) => (
                    bin(BinaryOp::Mul, Expr::Const(1.0), v.clone()),
                    bin(BinaryOp::Mul, load(self.states[i].clone()), v.clone()),
                ),
                None => (Expr::Const(1.0), load(self.states[i].clone())),
            };
            b.emit(Stmt::Assign(Place::Local(m), coef));
            b.emit(update(self.rhs[row], s, BinaryOp::Sub));
        }
    }
}
