//! Static checks that decide whether a kernel may be compiled, and what it touches.
//!
//! The interpreter runs a kernel *statement-major* over chunks of `mech::LANES` instances; the
//! JIT runs it *instance-major*. The two orders give the same bits when
//! * at most one "unit" (a statement the interpreter runs lane by lane) has order-dependent
//!   side effects (events, printing — random draws are not: every instance draws from its own
//!   stream, so only each instance's own statement order matters), and
//! * instances do not see each other's writes of shared node/ion values — always true when
//!   every instance sits on its own node; otherwise every shared place the kernel writes must
//!   be read only by the one statement that assigns it (`rhs = rhs − i`).
//!
//! Globals are handled by the code generator (per-chunk snapshots), `Newton` is not compiled
//! yet: such kernels stay on the interpreter.

use std::collections::BTreeSet;

use nmodl::ir::{Expr, IonVar, Mechanism, NodeVar, Place, Stmt};

/// Why a kernel stays on the interpreter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsupported {
    /// Newton iterations (derivimplicit, sparse KINETIC) are not compiled.
    Newton,
    /// Two or more statements send events or print.
    OrderedSideEffects,
    /// Instances share nodes and a shared value is read after another statement wrote it.
    SharedNodeReads,
    /// A TABLE body that calls itself, nests too deeply, or solves a linear system.
    TableBody,
    /// `printf` with output enabled.
    Print,
}

/// What a kernel (including the TABLE bodies it may evaluate) touches.
#[derive(Debug, Default, Clone)]
pub struct Usage {
    pub fields: BTreeSet<u32>,
    pub indexed_fields: bool,
    pub globals: BTreeSet<u32>,
    pub writes_globals: bool,
    pub nodes: BTreeSet<usize>,
    /// (ion use, variable slot).
    pub ions: BTreeSet<(u32, usize)>,
    /// Largest LinearSolve system.
    pub max_system: usize,
    /// Whether the kernel itself calls a library function (exp, log, pow …).
    pub calls: bool,
    /// TABLEs the kernel reaches (their direct evaluation writes the set's table scratch).
    pub tables: BTreeSet<u32>,
    /// Whether the kernel reaches per-set mutable scratch besides table locals: events,
    /// random streams, `LinearSolve`/Newton buffers, printing.
    pub host_state: bool,
}

impl Usage {
    /// Whether threads may run this kernel on disjoint instance ranges at the same time, given
    /// that every table in [`Usage::tables`] is built and switched on: it writes no global and
    /// no per-set scratch.
    pub fn range_safe(&self) -> bool {
        !self.writes_globals && !self.host_state
    }
}

/// Calls `f` for `e` and every subexpression (including field-array indices).
pub(crate) fn walk_expr(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    match e {
        Expr::Const(_) => {}
        Expr::Load(p) => walk_place(p, f),
        Expr::Unary(_, a) => walk_expr(a, f),
        Expr::Binary(_, a, b) => {
            walk_expr(a, f);
            walk_expr(b, f)
        }
        Expr::Call(_, args) => args.iter().take(4).for_each(|a| walk_expr(a, f)),
        Expr::TableValue { arg, .. } => walk_expr(arg, f),
    }
}

fn walk_place(p: &Place, f: &mut dyn FnMut(&Expr)) {
    if let Place::FieldIndexed { index, .. } = p {
        walk_expr(index, f)
    }
}

/// Calls `on_stmt` for every statement (recursively) and `on_expr` for every expression.
fn walk_stmts(body: &[Stmt], on_stmt: &mut dyn FnMut(&Stmt), on_expr: &mut dyn FnMut(&Expr)) {
    for s in body {
        on_stmt(s);
        match s {
            Stmt::Assign(p, e) => {
                walk_expr(e, on_expr);
                walk_place(p, on_expr);
            }
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                walk_expr(cond, on_expr);
                walk_stmts(then, on_stmt, on_expr);
                walk_stmts(otherwise, on_stmt, on_expr);
            }
            Stmt::While { cond, body } => {
                walk_expr(cond, on_expr);
                walk_stmts(body, on_stmt, on_expr);
            }
            Stmt::TableCall { arg, .. } => walk_expr(arg, on_expr),
            Stmt::LinearSolve {
                unknowns,
                matrix,
                rhs,
            } => {
                unknowns.iter().for_each(|p| walk_place(p, on_expr));
                matrix.iter().chain(rhs).for_each(|e| walk_expr(e, on_expr));
            }
            Stmt::Newton {
                unknowns, residual, ..
            } => {
                unknowns.iter().for_each(|p| walk_place(p, on_expr));
                walk_stmts(residual, on_stmt, on_expr);
            }
            Stmt::NetSend { delay, flag } => {
                walk_expr(delay, on_expr);
                walk_expr(flag, on_expr)
            }
            Stmt::NetEvent { time } | Stmt::NetMove { time } => walk_expr(time, on_expr),
            Stmt::Print { args, .. } => args.iter().for_each(|e| walk_expr(e, on_expr)),
        }
    }
}

/// Calls `f` for every place a statement of `body` may write (assignments, solver unknowns);
/// TABLE outputs are the caller's to add.
pub fn for_each_written_place(body: &[Stmt], f: &mut dyn FnMut(&Place)) {
    walk_stmts(
        body,
        &mut |s| match s {
            Stmt::Assign(p, _) => f(p),
            Stmt::LinearSolve { unknowns, .. } | Stmt::Newton { unknowns, .. } => {
                unknowns.iter().for_each(&mut *f)
            }
            _ => {}
        },
        &mut |_| {},
    );
}

/// Calls `f` for every expression node of `body` (recursively).
pub fn for_each_expr(body: &[Stmt], f: &mut dyn FnMut(&Expr)) {
    walk_stmts(body, &mut |_| {}, f);
}

/// Tables a statement list may evaluate directly (TableValue/TableCall), in first-use order.
pub fn tables_used(body: &[Stmt]) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    let mut on_expr = |e: &Expr| {
        if let Expr::TableValue { table, .. } = e {
            out.insert(*table);
        }
    };
    let mut calls = BTreeSet::new();
    walk_stmts(
        body,
        &mut |s| {
            if let Stmt::TableCall { table, .. } = s {
                calls.insert(*table);
            }
        },
        &mut on_expr,
    );
    out.extend(calls);
    out
}

/// Table bodies reachable from `body` must not recurse, nest deeper than 4 or solve systems.
fn check_tables(m: &Mechanism, body: &[Stmt], stack: &mut Vec<u32>) -> Result<(), Unsupported> {
    for t in tables_used(body) {
        if stack.contains(&t) || stack.len() >= 4 {
            return Err(Unsupported::TableBody);
        }
        let tb = &m.tables[t as usize].body.body;
        let mut solves = false;
        walk_stmts(
            tb,
            &mut |s| solves |= matches!(s, Stmt::LinearSolve { .. } | Stmt::Newton { .. }),
            &mut |_| {},
        );
        if solves {
            return Err(Unsupported::TableBody);
        }
        stack.push(t);
        check_tables(m, tb, stack)?;
        stack.pop();
    }
    Ok(())
}

/// Random draws (they run lane by lane, each instance from its own stream).
pub fn mech_is_random(f: nmodl::ir::MathFn) -> bool {
    use nmodl::ir::MathFn::*;
    matches!(f, ScopRandom | ExpRand | NormRand | UniRand | PoisRand)
}

/// Counts the interpreter's lane-by-lane units with order-dependent effects.
fn ordered_units(m: &Mechanism, body: &[Stmt]) -> usize {
    let mut n = 0;
    for s in body {
        match s {
            Stmt::If {
                then, otherwise, ..
            } => {
                n += ordered_units(m, then) + ordered_units(m, otherwise);
            }
            _ => {
                let effect = std::cell::Cell::new(false);
                walk_stmts(
                    std::slice::from_ref(s),
                    &mut |x| {
                        effect.set(
                            effect.get()
                                || matches!(
                                    x,
                                    Stmt::NetSend { .. }
                                        | Stmt::NetEvent { .. }
                                        | Stmt::NetMove { .. }
                                        | Stmt::Print { .. }
                                ),
                        )
                    },
                    &mut |_| {},
                );
                let mut effect = effect.get();
                // Table bodies evaluated directly may draw too.
                for t in tables_used(std::slice::from_ref(s)) {
                    effect |= ordered_units(m, &m.tables[t as usize].body.body) > 0;
                }
                n += usize::from(effect);
            }
        }
    }
    n
}

/// A node array (Rhs/D) or an ion column: (kind, variable or ion use, ion variable).
type SharedKey = (u8, u32, u32);

fn shared_key(p: &Place) -> Option<SharedKey> {
    match p {
        Place::Node(v @ (NodeVar::Rhs | NodeVar::D)) => Some((0, *v as u32, 0)),
        Place::Ion { ion, var } => Some((1, *ion, ion_var_id(*var))),
        _ => None,
    }
}

fn ion_var_id(v: IonVar) -> u32 {
    crate::abi::ion_slot(v) as u32
}

/// Instances sharing nodes: each written shared place is assigned by one statement and read
/// only there.
fn shared_ok(body: &[Stmt]) -> bool {
    let mut writers: Vec<(SharedKey, usize)> = Vec::new();
    let mut stmt_no = 0usize;
    let mut reads: Vec<(SharedKey, Option<SharedKey>)> = Vec::new();
    fn visit(
        body: &[Stmt],
        stmt_no: &mut usize,
        writers: &mut Vec<(SharedKey, usize)>,
        reads: &mut Vec<(SharedKey, Option<SharedKey>)>,
    ) {
        for s in body {
            *stmt_no += 1;
            let target = match s {
                Stmt::Assign(p, _) => shared_key(p),
                _ => None,
            };
            let mut written = Vec::new();
            if let Stmt::Assign(p, _) = s {
                written.extend(shared_key(p));
            }
            if let Stmt::LinearSolve { unknowns, .. } | Stmt::Newton { unknowns, .. } = s {
                written.extend(unknowns.iter().filter_map(shared_key));
            }
            for k in written {
                writers.push((k, *stmt_no));
            }
            match s {
                Stmt::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    walk_expr(cond, &mut |e| {
                        if let Expr::Load(p) = e {
                            reads.extend(shared_key(p).map(|k| (k, None)));
                        }
                    });
                    visit(then, stmt_no, writers, reads);
                    visit(otherwise, stmt_no, writers, reads);
                }
                _ => walk_stmts(
                    std::slice::from_ref(s),
                    &mut |x| {
                        if std::ptr::eq(x, s) {
                            return;
                        }
                        if let Stmt::Assign(p, _) = x {
                            if let Some(k) = shared_key(p) {
                                writers.push((k, usize::MAX));
                            }
                        }
                    },
                    &mut |e| {
                        if let Expr::Load(p) = e {
                            reads.extend(shared_key(p).map(|k| (k, target)));
                        }
                    },
                ),
            }
        }
    }
    visit(body, &mut stmt_no, &mut writers, &mut reads);
    // Nested assignments (inside While etc.) were recorded with usize::MAX as well as by the
    // top-level unit; count distinct top-level writers per key.
    let mut keys: Vec<SharedKey> = writers.iter().map(|(k, _)| *k).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let units: BTreeSet<usize> = writers
            .iter()
            .filter(|(w, n)| *w == k && *n != usize::MAX)
            .map(|(_, n)| *n)
            .collect();
        let nested = writers.iter().any(|(w, n)| *w == k && *n == usize::MAX);
        if units.len() > 1 || (nested && !units.is_empty()) {
            return false;
        }
        if reads.iter().any(|(r, t)| *r == k && *t != Some(k)) {
            return false;
        }
    }
    true
}

/// Whether `body` can be compiled for a set whose instances are on distinct nodes or not.
pub fn check(
    m: &Mechanism,
    body: &[Stmt],
    distinct_nodes: bool,
    print: bool,
) -> Result<(), Unsupported> {
    let mut newton = false;
    let mut prints = false;
    walk_stmts(
        body,
        &mut |s| {
            newton |= matches!(s, Stmt::Newton { .. });
            prints |= matches!(s, Stmt::Print { .. });
        },
        &mut |_| {},
    );
    if newton {
        return Err(Unsupported::Newton);
    }
    if prints && print {
        return Err(Unsupported::Print);
    }
    check_tables(m, body, &mut Vec::new())?;
    if ordered_units(m, body) > 1 {
        return Err(Unsupported::OrderedSideEffects);
    }
    if !distinct_nodes && !shared_ok(body) {
        return Err(Unsupported::SharedNodeReads);
    }
    Ok(())
}

/// What `body` and the table bodies it reaches touch.
pub fn usage(m: &Mechanism, body: &[Stmt]) -> Usage {
    let mut u = Usage::default();
    let mut bodies: Vec<&[Stmt]> = vec![body];
    let mut seen = BTreeSet::new();
    while let Some(b) = bodies.pop() {
        for t in tables_used(b) {
            if seen.insert(t) {
                u.tables.insert(t);
                bodies.push(&m.tables[t as usize].body.body);
                u.globals.insert(m.tables[t as usize].usetable);
            }
        }
        let stores = std::cell::RefCell::new(Vec::new());
        let host_state = std::cell::Cell::new(false);
        walk_stmts(
            b,
            &mut |s| match s {
                Stmt::Assign(p, _) => stores.borrow_mut().push(p.clone()),
                Stmt::LinearSolve { unknowns, .. } => {
                    host_state.set(true);
                    u.max_system = u.max_system.max(unknowns.len());
                    stores.borrow_mut().extend(unknowns.iter().cloned())
                }
                Stmt::Newton { .. }
                | Stmt::NetSend { .. }
                | Stmt::NetEvent { .. }
                | Stmt::NetMove { .. }
                | Stmt::Print { .. } => host_state.set(true),
                Stmt::TableCall { table, .. } => stores
                    .borrow_mut()
                    .extend(m.tables[*table as usize].outputs.iter().cloned()),
                _ => {}
            },
            &mut |e| match e {
                Expr::Load(p) => stores.borrow_mut().push(p.clone()),
                Expr::Call(f, _) => {
                    u.calls = true;
                    if mech_is_random(*f) {
                        host_state.set(true);
                    }
                }
                Expr::Binary(nmodl::ir::BinaryOp::Pow, ..) => u.calls = true,
                _ => {}
            },
        );
        u.host_state |= host_state.get();
        for p in stores.borrow().iter() {
            match p {
                Place::Field(f) => {
                    u.fields.insert(*f);
                }
                Place::FieldIndexed { .. } => u.indexed_fields = true,
                Place::Global(g) => {
                    u.globals.insert(*g);
                }
                Place::Node(v) => {
                    u.nodes.insert(crate::abi::node_slot(*v));
                }
                Place::Ion { ion, var } => {
                    u.ions.insert((*ion, crate::abi::ion_slot(*var)));
                }
                _ => {}
            }
        }
        let mut gw = false;
        walk_stmts(
            b,
            &mut |s| match s {
                Stmt::Assign(Place::Global(_), _) => gw = true,
                Stmt::LinearSolve { unknowns, .. } => {
                    gw |= unknowns.iter().any(|p| matches!(p, Place::Global(_)))
                }
                Stmt::TableCall { table, .. } => {
                    gw |= m.tables[*table as usize]
                        .outputs
                        .iter()
                        .any(|p| matches!(p, Place::Global(_)))
                }
                _ => {}
            },
            &mut |_| {},
        );
        u.writes_globals |= gw;
    }
    u
}
