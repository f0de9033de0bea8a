//! Structural checks on a lowered [`Mechanism`]: ids in range, locals assigned before use
//! (in straight-line order; loops and branches are treated conservatively), NET_RECEIVE-only
//! places, node matrix writes only in the current/jacobian kernels, solve dimensions.

use crate::ir::{Expr, Kernel, Mechanism, NodeVar, Place, Stmt};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Init,
    Current,
    Jacobian,
    State,
    NetReceive,
    Table,
}

struct V<'m> {
    m: &'m Mechanism,
    which: Which,
    kernel: &'m str,
    assigned: Vec<bool>,
    problems: Vec<String>,
}

impl V<'_> {
    fn bad(&mut self, msg: String) {
        self.problems.push(format!("{}: {msg}", self.kernel));
    }

    fn place(&mut self, p: &Place, write: bool) {
        match p {
            Place::Field(f) => {
                if *f as usize >= self.m.fields.len() {
                    self.bad(format!("field {f} out of range"));
                }
            }
            Place::FieldIndexed { base, len, index } => {
                if (*base + *len) as usize > self.m.fields.len() {
                    self.bad(format!("field array {base}+{len} out of range"));
                }
                self.expr(index);
            }
            Place::Global(g) => {
                if *g as usize >= self.m.globals.len() {
                    self.bad(format!("global {g} out of range"));
                }
            }
            Place::Local(l) => {
                let l = *l as usize;
                if l >= self.assigned.len() {
                    self.bad(format!("local {l} out of range"));
                } else if write {
                    self.assigned[l] = true;
                } else if !self.assigned[l] {
                    self.bad(format!("local {l} read before it is assigned"));
                }
            }
            Place::Ion { ion, .. } => {
                if *ion as usize >= self.m.ions.len() {
                    self.bad(format!("ion {ion} out of range"));
                }
            }
            Place::Node(n) => {
                if write && matches!(n, NodeVar::Rhs) && self.which != Which::Current {
                    self.bad("node rhs written outside the current kernel".into());
                }
                if write && matches!(n, NodeVar::D) && self.which != Which::Jacobian {
                    self.bad("node d written outside the jacobian kernel".into());
                }
                if write && matches!(n, NodeVar::Area | NodeVar::Diam) {
                    self.bad("node area/diam are read-only".into());
                }
            }
            Place::Builtin(_) => {
                if write {
                    self.bad("builtins are read-only".into());
                }
            }
            Place::NetConArg(_) => {
                if self.which != Which::NetReceive {
                    self.bad("NetCon argument outside NET_RECEIVE".into());
                }
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Const(_) => {}
            Expr::Load(p) => self.place(p, false),
            Expr::Unary(_, x) => self.expr(x),
            Expr::Binary(_, a, b) => {
                self.expr(a);
                self.expr(b);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| self.expr(a)),
            Expr::TableValue { table, arg } => {
                if *table as usize >= self.m.tables.len() {
                    self.bad(format!("table {table} out of range"));
                }
                self.expr(arg);
            }
        }
    }

    fn stmts(&mut self, body: &[Stmt]) {
        for s in body {
            match s {
                Stmt::Assign(p, e) => {
                    self.expr(e);
                    self.place(p, true);
                }
                Stmt::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    self.expr(cond);
                    let before = self.assigned.clone();
                    self.stmts(then);
                    let after_then = std::mem::replace(&mut self.assigned, before);
                    self.stmts(otherwise);
                    // Assigned afterwards only if assigned on both paths.
                    for (a, t) in self.assigned.iter_mut().zip(after_then) {
                        *a = *a && t;
                    }
                }
                Stmt::While { cond, body } => {
                    self.expr(cond);
                    let before = self.assigned.clone();
                    self.stmts(body);
                    self.assigned = before;
                }
                Stmt::TableCall { table, arg } => {
                    if *table as usize >= self.m.tables.len() {
                        self.bad(format!("table {table} out of range"));
                    }
                    self.expr(arg);
                }
                Stmt::LinearSolve {
                    unknowns,
                    matrix,
                    rhs,
                } => {
                    let n = unknowns.len();
                    if matrix.len() != n * n || rhs.len() != n {
                        self.bad(format!(
                            "linear solve of {n} unknowns has {} matrix and {} rhs entries",
                            matrix.len(),
                            rhs.len()
                        ));
                    }
                    matrix.iter().chain(rhs).for_each(|e| self.expr(e));
                    unknowns.iter().for_each(|p| self.place(p, true));
                }
                Stmt::Newton {
                    unknowns,
                    residual,
                    residuals,
                    ..
                } => {
                    if unknowns.len() != residuals.len() {
                        self.bad(format!(
                            "newton with {} unknowns and {} residuals",
                            unknowns.len(),
                            residuals.len()
                        ));
                    }
                    unknowns.iter().for_each(|p| self.place(p, false));
                    self.stmts(residual);
                    for r in residuals {
                        self.place(&Place::Local(*r), false);
                    }
                    unknowns.iter().for_each(|p| self.place(p, true));
                }
                Stmt::NetSend { delay, flag } => {
                    self.expr(delay);
                    self.expr(flag);
                }
                Stmt::NetEvent { time } | Stmt::NetMove { time } => self.expr(time),
                Stmt::Print { args, .. } => args.iter().for_each(|a| self.expr(a)),
            }
        }
    }
}

fn check(
    m: &Mechanism,
    which: Which,
    name: &str,
    k: &Kernel,
    preassigned: usize,
    problems: &mut Vec<String>,
) {
    let mut v = V {
        m,
        which,
        kernel: name,
        assigned: vec![false; k.locals.len()],
        problems: Vec::new(),
    };
    for a in v.assigned.iter_mut().take(preassigned) {
        *a = true;
    }
    v.stmts(&k.body);
    problems.extend(v.problems);
}

/// Checks the mechanism; returns every problem found.
pub fn verify(m: &Mechanism) -> Result<(), Vec<String>> {
    let mut p = Vec::new();
    check(m, Which::Init, "init", &m.init, 0, &mut p);
    if let Some(k) = &m.current {
        check(m, Which::Current, "current", k, 0, &mut p);
    }
    if let Some(k) = &m.jacobian {
        check(m, Which::Jacobian, "jacobian", k, 0, &mut p);
    }
    if let Some(k) = &m.state {
        check(m, Which::State, "state", k, 0, &mut p);
    }
    if let Some(nr) = &m.net_receive {
        check(m, Which::NetReceive, "net_receive", &nr.body, 0, &mut p);
        if let Some(i) = &nr.init {
            check(m, Which::NetReceive, "net_receive.init", i, 0, &mut p);
        }
    }
    for t in &m.tables {
        if t.usetable as usize >= m.globals.len() {
            p.push(format!("table {}: usetable global out of range", t.name));
        }
        if t.body.locals.is_empty() {
            p.push(format!("table {}: body has no argument local", t.name));
        }
        check(
            m,
            Which::Table,
            &format!("table {}", t.name),
            &t.body,
            1,
            &mut p,
        );
    }
    for c in &m.currents {
        if c.field as usize >= m.fields.len() {
            p.push("current field out of range".into());
        }
    }
    for s in &m.states {
        if *s as usize >= m.fields.len() {
            p.push("state field out of range".into());
        }
    }
    if p.is_empty() {
        Ok(())
    } else {
        Err(p)
    }
}
