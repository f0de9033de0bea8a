//! Stable, deterministic text form of an [`ir::Mechanism`]: layout, then every kernel, with
//! fully parenthesised expressions so the evaluation order is visible.

use std::fmt::Write;

use crate::ir::{self, BinaryOp, Expr, Kernel, Mechanism, Place, Stmt, UnaryOp};

/// Renders the mechanism.
pub fn dump(m: &Mechanism) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "mechanism {} {:?}{}",
        m.name,
        m.kind,
        if m.electrode_current {
            " electrode_current"
        } else {
            ""
        }
    );
    for (i, f) in m.fields.iter().enumerate() {
        let _ = writeln!(
            o,
            "  field {i} {} {:?} default={:?}{}",
            f.name,
            f.role,
            f.default,
            if f.range { " range" } else { "" }
        );
    }
    for (i, g) in m.globals.iter().enumerate() {
        let _ = writeln!(
            o,
            "  global {i} {} default={:?}{}",
            g.name,
            g.default,
            if g.user_visible { " user" } else { "" }
        );
    }
    for (i, ion) in m.ions.iter().enumerate() {
        let _ = writeln!(
            o,
            "  ion {i} {} read={:?} write={:?} valence={:?}",
            ion.name, ion.read, ion.write, ion.valence
        );
    }
    for c in &m.currents {
        let _ = writeln!(
            o,
            "  current {} ion={:?}",
            m.fields[c.field as usize].name, c.ion
        );
    }
    let _ = writeln!(
        o,
        "  states {:?} writes_concentration={}",
        m.states, m.writes_concentration
    );
    let ctx = Ctx { m };
    ctx.kernel(&mut o, "init", &m.init);
    for (name, k) in [
        ("current", &m.current),
        ("jacobian", &m.jacobian),
        ("state", &m.state),
    ] {
        if let Some(k) = k {
            ctx.kernel(&mut o, name, k);
        }
    }
    if let Some(nr) = &m.net_receive {
        let _ = writeln!(o, "net_receive args={:?}", nr.args);
        if let Some(i) = &nr.init {
            ctx.kernel(&mut o, "net_receive.init", i);
        }
        ctx.kernel(&mut o, "net_receive.body", &nr.body);
    }
    for (i, t) in m.tables.iter().enumerate() {
        let _ = writeln!(
            o,
            "table {i} {} function={} usetable={} intervals={} from={} to={}",
            t.name,
            t.is_function,
            m.globals[t.usetable as usize].name,
            t.intervals,
            ctx.expr(&t.from),
            ctx.expr(&t.to)
        );
        let deps: Vec<String> = t.depend.iter().map(|p| ctx.place(p, &t.body)).collect();
        let outs: Vec<String> = t.outputs.iter().map(|p| ctx.place(p, &t.body)).collect();
        let _ = writeln!(
            o,
            "  depend [{}] outputs [{}]",
            deps.join(", "),
            outs.join(", ")
        );
        ctx.kernel(&mut o, &format!("table.{}", t.name), &t.body);
    }
    o
}

struct Ctx<'m> {
    m: &'m Mechanism,
}

impl Ctx<'_> {
    fn kernel(&self, o: &mut String, name: &str, k: &Kernel) {
        let _ = writeln!(o, "kernel {name} locals={:?}", k.locals);
        self.stmts(o, &k.body, 1, k);
    }

    fn stmts(&self, o: &mut String, body: &[Stmt], depth: usize, k: &Kernel) {
        let pad = "  ".repeat(depth);
        for s in body {
            match s {
                Stmt::Assign(p, e) => {
                    let _ = writeln!(o, "{pad}{} = {}", self.place(p, k), self.expr_k(e, k));
                }
                Stmt::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    let _ = writeln!(o, "{pad}if {} {{", self.expr_k(cond, k));
                    self.stmts(o, then, depth + 1, k);
                    if !otherwise.is_empty() {
                        let _ = writeln!(o, "{pad}}} else {{");
                        self.stmts(o, otherwise, depth + 1, k);
                    }
                    let _ = writeln!(o, "{pad}}}");
                }
                Stmt::While { cond, body } => {
                    let _ = writeln!(o, "{pad}while {} {{", self.expr_k(cond, k));
                    self.stmts(o, body, depth + 1, k);
                    let _ = writeln!(o, "{pad}}}");
                }
                Stmt::TableCall { table, arg } => {
                    let _ = writeln!(
                        o,
                        "{pad}table_call {} ({})",
                        self.m.tables.get(*table as usize).map_or("?", |t| &t.name),
                        self.expr_k(arg, k)
                    );
                }
                Stmt::LinearSolve {
                    unknowns,
                    matrix,
                    rhs,
                } => {
                    let n = unknowns.len();
                    let u: Vec<String> = unknowns.iter().map(|p| self.place(p, k)).collect();
                    let _ = writeln!(o, "{pad}linear_solve [{}]", u.join(", "));
                    for i in 0..n {
                        let row: Vec<String> = (0..n)
                            .map(|j| {
                                matrix
                                    .get(i * n + j)
                                    .map_or("?".into(), |e| self.expr_k(e, k))
                            })
                            .collect();
                        let r = rhs.get(i).map_or("?".into(), |e| self.expr_k(e, k));
                        let _ = writeln!(o, "{pad}  [{}] | {}", row.join(", "), r);
                    }
                }
                Stmt::Newton {
                    unknowns,
                    residual,
                    residuals,
                    clamp_nonnegative,
                } => {
                    let u: Vec<String> = unknowns.iter().map(|p| self.place(p, k)).collect();
                    let r: Vec<String> = residuals
                        .iter()
                        .map(|l| self.place(&Place::Local(*l), k))
                        .collect();
                    let _ = writeln!(
                        o,
                        "{pad}newton [{}] residuals [{}] clamp={} {{",
                        u.join(", "),
                        r.join(", "),
                        clamp_nonnegative
                    );
                    self.stmts(o, residual, depth + 1, k);
                    let _ = writeln!(o, "{pad}}}");
                }
                Stmt::NetSend { delay, flag } => {
                    let _ = writeln!(
                        o,
                        "{pad}net_send({}, {})",
                        self.expr_k(delay, k),
                        self.expr_k(flag, k)
                    );
                }
                Stmt::NetEvent { time } => {
                    let _ = writeln!(o, "{pad}net_event({})", self.expr_k(time, k));
                }
                Stmt::NetMove { time } => {
                    let _ = writeln!(o, "{pad}net_move({})", self.expr_k(time, k));
                }
                Stmt::Print { format, args } => {
                    let a: Vec<String> = args.iter().map(|e| self.expr_k(e, k)).collect();
                    let _ = writeln!(
                        o,
                        "{pad}printf({format:?}{}{})",
                        if a.is_empty() { "" } else { ", " },
                        a.join(", ")
                    );
                }
            }
        }
    }

    fn place(&self, p: &Place, k: &Kernel) -> String {
        match p {
            Place::Field(f) => format!(
                "f.{}",
                self.m.fields.get(*f as usize).map_or("?", |f| &f.name)
            ),
            Place::FieldIndexed { base, len, index } => {
                let name = self
                    .m
                    .fields
                    .get(*base as usize)
                    .map_or("?", |f| f.name.split('[').next().unwrap_or("?"));
                format!("f.{name}[{}; len {len}]", self.expr_k(index, k))
            }
            Place::Global(g) => format!(
                "g.{}",
                self.m.globals.get(*g as usize).map_or("?", |g| &g.name)
            ),
            Place::Local(l) => format!("%{l}.{}", k.locals.get(*l as usize).map_or("?", |s| s)),
            Place::Ion { ion, var } => format!(
                "ion.{}.{:?}",
                self.m.ions.get(*ion as usize).map_or("?", |i| &i.name),
                var
            ),
            Place::Node(n) => format!("node.{n:?}"),
            Place::Builtin(b) => format!("{b:?}").to_lowercase(),
            Place::NetConArg(i) => format!("arg{i}"),
        }
    }

    fn expr(&self, e: &Expr) -> String {
        self.expr_k(e, &Kernel::default())
    }

    fn expr_k(&self, e: &Expr, k: &Kernel) -> String {
        match e {
            Expr::Const(c) => format!("{c:?}"),
            Expr::Load(p) => self.place(p, k),
            Expr::Unary(UnaryOp::Neg, x) => format!("(-{})", self.expr_k(x, k)),
            Expr::Unary(UnaryOp::Not, x) => format!("(!{})", self.expr_k(x, k)),
            Expr::Binary(op, a, b) => {
                let s = match op {
                    BinaryOp::Add => "+",
                    BinaryOp::Sub => "-",
                    BinaryOp::Mul => "*",
                    BinaryOp::Div => "/",
                    BinaryOp::Pow => "^",
                    BinaryOp::Lt => "<",
                    BinaryOp::Le => "<=",
                    BinaryOp::Gt => ">",
                    BinaryOp::Ge => ">=",
                    BinaryOp::Eq => "==",
                    BinaryOp::Ne => "!=",
                    BinaryOp::And => "&&",
                    BinaryOp::Or => "||",
                };
                format!("({} {s} {})", self.expr_k(a, k), self.expr_k(b, k))
            }
            Expr::Call(f, args) => {
                let a: Vec<String> = args.iter().map(|x| self.expr_k(x, k)).collect();
                format!("{}({})", format!("{f:?}").to_lowercase(), a.join(", "))
            }
            Expr::TableValue { table, arg } => {
                format!(
                    "table {}({})",
                    self.m.tables.get(*table as usize).map_or("?", |t| &t.name),
                    self.expr_k(arg, k)
                )
            }
        }
    }
}

/// Renders one expression without kernel context (locals print as `%n.?`).
pub fn expr_to_string(m: &Mechanism, e: &ir::Expr) -> String {
    Ctx { m }.expr(e)
}
