//! Which kernels fast-math can vectorise (see the parent module's docs), and the IR patterns
//! its code generator rewrites (cnexp's steady state, divisions by constants, accumulations
//! into shared node and ion values).

use nmodl::ir::{BinaryOp, Expr, Mechanism, NodeVar, Place, Stmt, UnaryOp};

use crate::analysis::{mech_is_random, Usage};

/// Whether `body` can run as a fast-math SIMD kernel (see the module docs). `distinct`: every
/// instance has its own node.
pub fn vectorisable(m: &Mechanism, body: &[Stmt], usage: &Usage, distinct: bool) -> bool {
    if usage.indexed_fields || (usage.writes_globals && !globals_lane_local(m, body)) {
        return false;
    }
    stmts_ok(m, body, distinct) && (distinct || shared_writes_accumulate(body))
}

/// `p = p ± e` with `e` not reading `p`: the update that instances sharing a node (synapses)
/// may apply one lane after another, in instance order.
pub(super) fn accumulation<'e>(p: &Place, e: &'e Expr) -> Option<(BinaryOp, &'e Expr)> {
    let Expr::Binary(op @ (BinaryOp::Add | BinaryOp::Sub), a, rest) = e else {
        return None;
    };
    let mut reads_p = false;
    crate::analysis::walk_expr(rest, &mut |x| {
        reads_p |= matches!(x, Expr::Load(q) if q == p)
    });
    (matches!(&**a, Expr::Load(q) if q == p) && !reads_p).then_some((*op, &**rest))
}

/// Whether a place several instances may share (node and ion values) is only ever updated by
/// top-level [`accumulation`]s and never read otherwise.
pub(super) fn is_shared(p: &Place) -> bool {
    matches!(
        p,
        Place::Ion { .. } | Place::Node(NodeVar::Rhs | NodeVar::D)
    )
}

fn shared_writes_accumulate(body: &[Stmt]) -> bool {
    let mut shared = Vec::new();
    crate::analysis::for_each_written_place(body, &mut |p| {
        if is_shared(p) && !shared.contains(p) {
            shared.push(p.clone())
        }
    });
    let mut reads = 0usize;
    crate::analysis::for_each_expr(body, &mut |e| {
        if matches!(e, Expr::Load(q) if shared.contains(q)) {
            reads += 1;
        }
    });
    // Each accumulation reads its place once; any other read (or write) disqualifies.
    let mut accumulations = 0usize;
    for s in body {
        if let Stmt::Assign(p, e) = s {
            if shared.contains(p) {
                if accumulation(p, e).is_none() {
                    return false;
                }
                accumulations += 1;
            }
        }
    }
    let mut nested = false;
    for s in body {
        if let Stmt::If { .. } = s {
            crate::analysis::for_each_written_place(std::slice::from_ref(s), &mut |p| {
                nested |= shared.contains(p)
            });
        }
    }
    !nested && reads == accumulations
}

/// Whether every global `body` writes is written before it is read, at the top level: each
/// instance then sees only its own value, so lanes may hold different values (stored back as
/// the last instance's, as sequential execution leaves it). NEURON's `hh` writes its rates'
/// GLOBALs this way through its TABLE.
fn globals_lane_local(m: &Mechanism, body: &[Stmt]) -> bool {
    let mut written = Vec::new();
    for s in body {
        let stmt = std::slice::from_ref(s);
        let mut reads_unwritten = false;
        crate::analysis::for_each_expr(stmt, &mut |e| {
            if let Expr::Load(Place::Global(g)) = e {
                reads_unwritten |= !written.contains(g) && writes_global(m, body, *g);
            }
        });
        if reads_unwritten {
            return false;
        }
        match s {
            Stmt::Assign(Place::Global(g), _) => written.push(*g),
            Stmt::Assign(..) => {}
            Stmt::TableCall { table, .. } => {
                for p in &m.tables[*table as usize].outputs {
                    if let Place::Global(g) = p {
                        written.push(*g);
                    }
                }
            }
            Stmt::If { .. } => {
                // Writes under a condition would need per-lane old values: not lane-local.
                let mut inner_writes = false;
                crate::analysis::for_each_written_place(stmt, &mut |p| {
                    inner_writes |= matches!(p, Place::Global(_))
                });
                for t in crate::analysis::tables_used(stmt) {
                    let outputs = &m.tables[t as usize].outputs;
                    inner_writes |= outputs.iter().any(|p| matches!(p, Place::Global(_)));
                }
                if inner_writes {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}

/// Whether `body` writes global `g` anywhere (assignments and TABLE outputs).
fn writes_global(m: &Mechanism, body: &[Stmt], g: u32) -> bool {
    let mut found = false;
    crate::analysis::for_each_written_place(body, &mut |p| found |= *p == Place::Global(g));
    for t in crate::analysis::tables_used(body) {
        found |= m.tables[t as usize].outputs.contains(&Place::Global(g));
    }
    found
}

fn stmts_ok(m: &Mechanism, body: &[Stmt], distinct: bool) -> bool {
    body.iter().all(|s| match s {
        Stmt::Assign(p, e) => place_ok(p, distinct) && expr_ok(e),
        Stmt::If {
            cond,
            then,
            otherwise,
        } => expr_ok(cond) && stmts_ok(m, then, distinct) && stmts_ok(m, otherwise, distinct),
        // A built PROCEDURE table, looked up inline (see `table_call.rs`).
        Stmt::TableCall { table, arg } => {
            m.tables.get(*table as usize).is_some_and(|t| {
                !t.is_function
                    && t.outputs
                        .iter()
                        .all(|p| matches!(p, Place::Global(_) | Place::Field(_)))
            }) && expr_ok(arg)
        }
        _ => false,
    })
}

fn place_ok(p: &Place, _distinct: bool) -> bool {
    match p {
        Place::Field(_) | Place::Local(_) => true,
        // Shared by several instances: accumulations only (`shared_writes_accumulate`).
        Place::Ion { .. } | Place::Node(NodeVar::Rhs | NodeVar::D) => true,
        _ => false,
    }
}

fn expr_ok(e: &Expr) -> bool {
    match e {
        Expr::Const(_) => true,
        Expr::Load(p) => !matches!(p, Place::FieldIndexed { .. } | Place::NetConArg(_)),
        Expr::Unary(_, a) => expr_ok(a),
        Expr::Binary(_, a, b) => expr_ok(a) && expr_ok(b),
        Expr::Call(f, args) => !mech_is_random(*f) && args.iter().take(4).all(expr_ok),
        Expr::TableValue { .. } => false,
    }
}

/// The value of a constant expression (`c` or `-c`).
pub(super) fn constant(e: &Expr) -> Option<f64> {
    match e {
        Expr::Const(c) if c.is_finite() => Some(*c),
        Expr::Unary(UnaryOp::Neg, a) => constant(a).map(|c| -c),
        _ => None,
    }
}

/// `x` when `numerator / denominator` is `(−(x / τ)) / (−1 / τ)` — the steady state cnexp writes
/// for `x' = (x∞ − x)/τ`.
pub(super) fn cnexp_steady_state<'e>(numerator: &'e Expr, denominator: &Expr) -> Option<&'e Expr> {
    let Expr::Unary(UnaryOp::Neg, quotient) = numerator else {
        return None;
    };
    let Expr::Binary(BinaryOp::Div, x, tau) = &**quotient else {
        return None;
    };
    let Expr::Binary(BinaryOp::Div, minus_one, tau2) = denominator else {
        return None;
    };
    (constant(minus_one) == Some(-1.0) && tau == tau2).then_some(&**x)
}
