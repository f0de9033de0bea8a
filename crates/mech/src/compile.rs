//! Compiles an IR kernel once into chunk bytecode: a register machine whose registers are
//! lane arrays (`LANES` instances wide).
//!
//! Register layout: locals first (register = LocalId), then one register per mechanism global
//! (broadcast at chunk start; the value written by the last lane is stored back at chunk end),
//! then expression temporaries. Statements the bytecode does not vectorise — `While`, `Newton`,
//! `LinearSolve`, events, `Print`, random draws, NET_RECEIVE arguments, read-modify-writes of
//! shared node/ion places that are not a plain `p = p ∘ e` — become [`Op::Lanes`]: the
//! scalar walker runs them lane by lane, in instance order.

use nmodl::ir::{
    BinaryOp, Builtin, Expr, IonVar, MathFn, Mechanism, NodeVar, Place, Stmt, UnaryOp,
};

use crate::scalar::is_random;

/// Instances per chunk.
pub const LANES: usize = 64;

/// Register index.
pub type Reg = u16;

/// Where a TABLE'd procedure output goes in chunk mode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dest {
    Field(u32),
    /// Global register and the global's id (for write-back bookkeeping).
    Global(Reg, u32),
    Local(Reg),
}

/// One bytecode operation over the lanes of a chunk.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Const {
        dst: Reg,
        value: f64,
    },
    /// Unmasked copy of every lane.
    Mov {
        dst: Reg,
        src: Reg,
    },
    /// Masked copy into a local register.
    SetLocal {
        dst: Reg,
        src: Reg,
    },
    /// Masked copy into a global register, remembering the last writing lane.
    SetGlobal {
        dst: Reg,
        src: Reg,
        global: u32,
    },
    LoadField {
        dst: Reg,
        field: u32,
    },
    StoreField {
        src: Reg,
        field: u32,
    },
    LoadFieldIndexed {
        dst: Reg,
        base: u32,
        len: u32,
        index: Reg,
    },
    StoreFieldIndexed {
        src: Reg,
        base: u32,
        len: u32,
        index: Reg,
    },
    LoadNode {
        dst: Reg,
        var: NodeVar,
    },
    StoreNode {
        src: Reg,
        var: NodeVar,
    },
    /// `node = node ∘ src` (self_left) or `node = src ∘ node`, lane by lane in order.
    RmwNode {
        var: NodeVar,
        op: BinaryOp,
        src: Reg,
        self_left: bool,
    },
    LoadIon {
        dst: Reg,
        ion: u32,
        var: IonVar,
    },
    StoreIon {
        src: Reg,
        ion: u32,
        var: IonVar,
    },
    RmwIon {
        ion: u32,
        var: IonVar,
        op: BinaryOp,
        src: Reg,
        self_left: bool,
    },
    LoadBuiltin {
        dst: Reg,
        builtin: Builtin,
    },
    Unary {
        op: UnaryOp,
        dst: Reg,
        a: Reg,
    },
    Binary {
        op: BinaryOp,
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    Call {
        f: MathFn,
        dst: Reg,
        args: [Reg; 4],
        n: u8,
    },
    TableValue {
        table: u32,
        dst: Reg,
        arg: Reg,
    },
    /// TABLE'd procedure; `dests` indexes [`CompiledKernel::table_dests`].
    TableCall {
        table: u32,
        arg: Reg,
        dests: u32,
    },
    /// Narrows the mask by `cond != 0`; jumps to `skip_to` when no lane remains.
    PushMask {
        cond: Reg,
        skip_to: u32,
    },
    /// Replaces the top mask by parent ∧ ¬cond; jumps to `skip_to` when no lane remains.
    ElseMask {
        cond: Reg,
        skip_to: u32,
    },
    PopMask,
    /// Runs `CompiledKernel::fallback[stmt]` with the scalar walker, lane by lane.
    Lanes {
        stmt: u32,
    },
}

/// A kernel ready for the chunk executor.
#[derive(Debug, Clone, Default)]
pub struct CompiledKernel {
    pub ops: Vec<Op>,
    pub fallback: Vec<Stmt>,
    pub table_dests: Vec<Vec<Dest>>,
    pub n_locals: usize,
    /// First global register; global g lives in `global_base + g`.
    pub global_base: usize,
    pub n_globals: usize,
    pub n_regs: usize,
    /// Deepest mask nesting.
    pub max_depth: usize,
    /// Constant registers, filled once per kernel run: (register, value).
    pub constants: Vec<(Reg, f64)>,
}

struct Compiler<'m> {
    mech: &'m Mechanism,
    /// Constant value bits → register.
    constant_regs: std::collections::HashMap<u64, Reg>,
    out: CompiledKernel,
    temp_top: usize,
    depth: usize,
}

fn expr_any(e: &Expr, pred: &mut dyn FnMut(&Expr) -> bool) -> bool {
    if pred(e) {
        return true;
    }
    match e {
        Expr::Const(_) => false,
        Expr::Load(p) => place_any(p, pred),
        Expr::Unary(_, a) => expr_any(a, pred),
        Expr::Binary(_, a, b) => expr_any(a, pred) || expr_any(b, pred),
        Expr::Call(_, args) => args.iter().any(|a| expr_any(a, pred)),
        Expr::TableValue { arg, .. } => expr_any(arg, pred),
    }
}

fn place_any(p: &Place, pred: &mut dyn FnMut(&Expr) -> bool) -> bool {
    match p {
        Place::FieldIndexed { index, .. } => expr_any(index, pred),
        _ => false,
    }
}

/// Whether an expression must run lane by lane (random draws, NET_RECEIVE arguments).
fn expr_is_scalar_only(e: &Expr) -> bool {
    expr_any(e, &mut |x| match x {
        Expr::Call(f, _) => is_random(*f),
        Expr::Load(Place::NetConArg(_)) => true,
        _ => false,
    })
}

fn expr_loads(e: &Expr, target: &Place) -> bool {
    expr_any(e, &mut |x| matches!(x, Expr::Load(p) if p == target))
}

fn is_shared(p: &Place) -> bool {
    matches!(p, Place::Node(_) | Place::Ion { .. })
}

impl Compiler<'_> {
    fn temp(&mut self) -> Reg {
        let r = self.temp_top;
        self.temp_top += 1;
        self.out.n_regs = self.out.n_regs.max(self.temp_top);
        r as Reg
    }

    fn emit(&mut self, op: Op) -> usize {
        self.out.ops.push(op);
        self.out.ops.len() - 1
    }

    fn global_reg(&self, g: u32) -> Reg {
        (self.out.global_base + g as usize) as Reg
    }

    fn expr(&mut self, e: &Expr) -> Reg {
        match e {
            Expr::Const(value) => match self.constant_regs.get(&value.to_bits()) {
                Some(r) => *r,
                None => {
                    let dst = self.temp();
                    self.emit(Op::Const { dst, value: *value });
                    dst
                }
            },
            Expr::Load(p) => self.load(p),
            Expr::Unary(op, a) => {
                let a = self.expr(a);
                let dst = self.temp();
                self.emit(Op::Unary { op: *op, dst, a });
                dst
            }
            Expr::Binary(op, a, b) => {
                let a = self.expr(a);
                let b = self.expr(b);
                let dst = self.temp();
                self.emit(Op::Binary { op: *op, dst, a, b });
                dst
            }
            Expr::Call(f, args) => {
                let mut regs = [0 as Reg; 4];
                for (slot, a) in regs.iter_mut().zip(args.iter()) {
                    *slot = self.expr(a);
                }
                let dst = self.temp();
                self.emit(Op::Call {
                    f: *f,
                    dst,
                    args: regs,
                    n: args.len().min(4) as u8,
                });
                dst
            }
            Expr::TableValue { table, arg } => {
                let arg = self.expr(arg);
                let dst = self.temp();
                self.emit(Op::TableValue {
                    table: *table,
                    dst,
                    arg,
                });
                dst
            }
        }
    }

    fn load(&mut self, p: &Place) -> Reg {
        match p {
            Place::Local(l) => *l as Reg,
            Place::Global(g) => self.global_reg(*g),
            Place::Field(field) => {
                let dst = self.temp();
                self.emit(Op::LoadField { dst, field: *field });
                dst
            }
            Place::FieldIndexed { base, len, index } => {
                let index = self.expr(index);
                let dst = self.temp();
                self.emit(Op::LoadFieldIndexed {
                    dst,
                    base: *base,
                    len: *len,
                    index,
                });
                dst
            }
            Place::Node(var) => {
                let dst = self.temp();
                self.emit(Op::LoadNode { dst, var: *var });
                dst
            }
            Place::Ion { ion, var } => {
                let dst = self.temp();
                self.emit(Op::LoadIon {
                    dst,
                    ion: *ion,
                    var: *var,
                });
                dst
            }
            Place::Builtin(builtin) => {
                let dst = self.temp();
                self.emit(Op::LoadBuiltin {
                    dst,
                    builtin: *builtin,
                });
                dst
            }
            Place::NetConArg(_) => {
                let dst = self.temp();
                self.emit(Op::Const {
                    dst,
                    value: f64::NAN,
                });
                dst
            }
        }
    }

    fn needs_lanes(&self, s: &Stmt) -> bool {
        match s {
            Stmt::Assign(p, e) => {
                if matches!(p, Place::NetConArg(_)) || expr_is_scalar_only(e) {
                    return true;
                }
                if let Place::FieldIndexed { index, .. } = p {
                    if expr_is_scalar_only(index) {
                        return true;
                    }
                }
                is_shared(p) && expr_loads(e, p) && self.rmw_shape(p, e).is_none()
            }
            Stmt::If { cond, .. } => expr_is_scalar_only(cond),
            Stmt::TableCall { table, arg } => {
                expr_is_scalar_only(arg)
                    || self.mech.tables.get(*table as usize).is_none_or(|t| {
                        !t.outputs.iter().all(|o| {
                            matches!(o, Place::Field(_) | Place::Global(_) | Place::Local(_))
                        })
                    })
            }
            Stmt::While { .. }
            | Stmt::LinearSolve { .. }
            | Stmt::Newton { .. }
            | Stmt::NetSend { .. }
            | Stmt::NetEvent { .. }
            | Stmt::NetMove { .. }
            | Stmt::Print { .. } => true,
        }
    }

    /// `p = p ∘ rest` or `p = rest ∘ p` with `rest` free of `p`: (op, rest, self_left).
    fn rmw_shape<'e>(&self, p: &Place, e: &'e Expr) -> Option<(BinaryOp, &'e Expr, bool)> {
        if let Expr::Binary(op, a, b) = e {
            if matches!(&**a, Expr::Load(q) if q == p) && !expr_loads(b, p) {
                return Some((*op, b, true));
            }
            if matches!(&**b, Expr::Load(q) if q == p) && !expr_loads(a, p) {
                return Some((*op, a, false));
            }
        }
        None
    }

    fn stmt(&mut self, s: &Stmt) {
        let saved = self.temp_top;
        if self.needs_lanes(s) {
            self.out.fallback.push(s.clone());
            let stmt = (self.out.fallback.len() - 1) as u32;
            self.emit(Op::Lanes { stmt });
            return;
        }
        match s {
            Stmt::Assign(p, e) => self.assign(p, e),
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                let mut c = self.expr(cond);
                if (c as usize) < saved {
                    // A local/global register could change inside the branches: snapshot it.
                    let t = self.temp();
                    self.emit(Op::Mov { dst: t, src: c });
                    c = t;
                }
                self.depth += 1;
                self.out.max_depth = self.out.max_depth.max(self.depth);
                let push = self.emit(Op::PushMask {
                    cond: c,
                    skip_to: 0,
                });
                for s in then {
                    self.stmt(s);
                }
                let mut else_at = None;
                if !otherwise.is_empty() {
                    let at = self.emit(Op::ElseMask {
                        cond: c,
                        skip_to: 0,
                    });
                    else_at = Some(at);
                    for s in otherwise {
                        self.stmt(s);
                    }
                }
                let pop = self.emit(Op::PopMask) as u32;
                self.depth -= 1;
                let first_skip = else_at.map(|a| a as u32).unwrap_or(pop);
                if let Op::PushMask { skip_to, .. } = &mut self.out.ops[push] {
                    *skip_to = first_skip;
                }
                if let Some(at) = else_at {
                    if let Op::ElseMask { skip_to, .. } = &mut self.out.ops[at] {
                        *skip_to = pop;
                    }
                }
            }
            Stmt::TableCall { table, arg } => {
                let arg = self.expr(arg);
                let outputs = &self.mech.tables[*table as usize].outputs;
                let dests = outputs
                    .iter()
                    .map(|o| match o {
                        Place::Field(f) => Dest::Field(*f),
                        Place::Global(g) => Dest::Global(self.global_reg(*g), *g),
                        Place::Local(l) => Dest::Local(*l as Reg),
                        _ => unreachable!("checked by needs_lanes"),
                    })
                    .collect();
                self.out.table_dests.push(dests);
                let dests = (self.out.table_dests.len() - 1) as u32;
                self.emit(Op::TableCall {
                    table: *table,
                    arg,
                    dests,
                });
            }
            _ => unreachable!("all other statements run lane by lane"),
        }
        self.temp_top = saved;
    }

    fn assign(&mut self, p: &Place, e: &Expr) {
        match p {
            Place::Local(l) => {
                let src = self.expr(e);
                self.emit(Op::SetLocal {
                    dst: *l as Reg,
                    src,
                });
            }
            Place::Global(g) => {
                let src = self.expr(e);
                let dst = self.global_reg(*g);
                self.emit(Op::SetGlobal {
                    dst,
                    src,
                    global: *g,
                });
            }
            Place::Field(field) => {
                let src = self.expr(e);
                self.emit(Op::StoreField { src, field: *field });
            }
            Place::FieldIndexed { base, len, index } => {
                let src = self.expr(e);
                let index = self.expr(index);
                self.emit(Op::StoreFieldIndexed {
                    src,
                    base: *base,
                    len: *len,
                    index,
                });
            }
            Place::Node(var) => {
                if let Some((op, rest, self_left)) = self.rmw_shape(p, e) {
                    let src = self.expr(rest);
                    self.emit(Op::RmwNode {
                        var: *var,
                        op,
                        src,
                        self_left,
                    });
                } else {
                    let src = self.expr(e);
                    self.emit(Op::StoreNode { src, var: *var });
                }
            }
            Place::Ion { ion, var } => {
                if let Some((op, rest, self_left)) = self.rmw_shape(p, e) {
                    let src = self.expr(rest);
                    self.emit(Op::RmwIon {
                        ion: *ion,
                        var: *var,
                        op,
                        src,
                        self_left,
                    });
                } else {
                    let src = self.expr(e);
                    self.emit(Op::StoreIon {
                        src,
                        ion: *ion,
                        var: *var,
                    });
                }
            }
            Place::Builtin(_) | Place::NetConArg(_) => {}
        }
    }
}

fn constants_in(e: &Expr, out: &mut Vec<f64>) {
    expr_any(e, &mut |x| {
        if let Expr::Const(c) = x {
            if !out.iter().any(|o| o.to_bits() == c.to_bits()) {
                out.push(*c);
            }
        }
        false
    });
}

fn collect_constants(body: &[Stmt], out: &mut Vec<f64>) {
    let on_expr = constants_in;
    for s in body {
        match s {
            Stmt::Assign(p, e) => {
                on_expr(e, out);
                if let Place::FieldIndexed { index, .. } = p {
                    on_expr(index, out);
                }
            }
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                on_expr(cond, out);
                collect_constants(then, out);
                collect_constants(otherwise, out);
            }
            Stmt::TableCall { arg, .. } => on_expr(arg, out),
            // Lane-by-lane statements evaluate their own constants.
            _ => {}
        }
    }
}

/// Compiles `body` (a kernel of `mech`) with `n_locals` locals.
pub fn compile(mech: &Mechanism, body: &[Stmt], n_locals: usize) -> CompiledKernel {
    let n_globals = mech.globals.len();
    let global_base = n_locals;
    let mut values = Vec::new();
    collect_constants(body, &mut values);
    let const_base = n_locals + n_globals;
    let constants: Vec<(Reg, f64)> = values
        .iter()
        .enumerate()
        .map(|(k, v)| ((const_base + k) as Reg, *v))
        .collect();
    let first_temp = const_base + constants.len();
    let mut c = Compiler {
        mech,
        constant_regs: constants.iter().map(|(r, v)| (v.to_bits(), *r)).collect(),
        out: CompiledKernel {
            n_locals,
            global_base,
            n_globals,
            n_regs: first_temp,
            constants,
            ..Default::default()
        },
        temp_top: first_temp,
        depth: 0,
    };
    for s in body {
        c.stmt(s);
    }
    c.out
}
