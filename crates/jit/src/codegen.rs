//! IR → Cranelift: one function per kernel that loops over instances `start..end`.
//!
//! Straight-line kernels with library calls run [`GROUP`] instances per iteration, statement
//! by statement (see `Gen::emit_loop`); the rest one instance per iteration.
//!
//! Every f64 operation is emitted exactly as the IR tree states it, operands left to right, with
//! no fused multiply-add and no reassociation; library functions are calls into the Rust
//! helpers of [`crate::abi`], so results carry the interpreter's bits. Locals and globals are
//! Cranelift variables (locals start at 0 for each instance, globals at the chunk snapshot);
//! column, node and ion base pointers are loaded once before the loop.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, FuncRef, InstBuilder, MemFlagsData, Value};
use cranelift_codegen::isa::TargetFrontendConfig;
use cranelift_frontend::{FunctionBuilder, Variable};
use nmodl::ir::{BinaryOp, Builtin, Expr, MathFn, Mechanism, Place, Stmt, UnaryOp};

use crate::abi::{self, math_code, off};
use crate::analysis::{mech_is_random, Usage};

/// Imported helper functions, declared in the function being built.
#[derive(Clone, Copy)]
pub struct Helpers {
    pub exp: FuncRef,
    pub pow: FuncRef,
    pub math: FuncRef,
    pub random: FuncRef,
    pub event: FuncRef,
    pub lookup: FuncRef,
    pub simeq: FuncRef,
}

/// Where `Place::Local` lives: kernel variables, or a table body's locals in memory.
#[derive(Clone, Copy)]
enum Locals {
    Vars,
    Memory(Value),
}

/// Instances emitted together (straight-line kernels): the interpreter's statement-major
/// order within a group, and independent dependency chains for the CPU to overlap.
pub const GROUP: usize = 2;

/// Values and variables of one instance in the loop body.
struct LaneCtx {
    inst: Value,
    off8: Value,
    node_off8: Option<Value>,
    ion_off8: Vec<Option<Value>>,
    local_vars: Vec<Variable>,
    global_vars: Vec<Option<Variable>>,
}

/// Code generator state for one kernel function.
pub struct Gen<'a, 'f> {
    pub b: FunctionBuilder<'f>,
    m: &'a Mechanism,
    h: Helpers,
    ptr: types::Type,
    env: Value,
    /// Per-instance values of the instances being emitted (one, or a group).
    lanes: Vec<LaneCtx>,
    /// The instance of the group whose code is being emitted.
    lane: usize,
    nodes: Value,
    ion_index: Vec<Option<Value>>,
    globals_snap: Value,
    n_locals: usize,
    used_globals: Vec<u32>,
    field_ptr: Vec<Option<Value>>,
    fields_base: Value,
    node_ptr: [Option<Value>; 5],
    ion_ptr: Vec<[Option<Value>; 5]>,
    globals_live: Value,
    locals: Locals,
    t: Value,
    dt: Value,
    celsius: Value,
    host: Value,
    /// Offset (in f64) of each table's locals in `KernelEnv::table_locals`.
    table_local_offset: &'a [usize],
}

fn flags() -> MemFlagsData {
    MemFlagsData::trusted()
}

impl<'a, 'f> Gen<'a, 'f> {
    /// Emits the whole kernel function: prologue, instance loop over `body`, epilogue.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        mut b: FunctionBuilder<'f>,
        m: &'a Mechanism,
        h: Helpers,
        ptr: types::Type,
        body: &[Stmt],
        n_locals: usize,
        usage: &Usage,
        table_local_offset: &'a [usize],
        config: TargetFrontendConfig,
    ) {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let env = b.block_params(entry)[0];
        let start = b.block_params(entry)[1];
        let end = b.block_params(entry)[2];
        let ld = |b: &mut FunctionBuilder, ty, base, o| b.ins().load(ty, flags(), base, o);
        let fields_base = ld(&mut b, ptr, env, off::FIELDS);
        let globals_live = ld(&mut b, ptr, env, off::GLOBALS_LIVE);
        let globals_snap = ld(&mut b, ptr, env, off::GLOBALS_SNAP);
        let nodes = ld(&mut b, ptr, env, off::NODES);
        let t = ld(&mut b, types::F64, env, off::T);
        let dt = ld(&mut b, types::F64, env, off::DT);
        let celsius = ld(&mut b, types::F64, env, off::CELSIUS);
        let host = ld(&mut b, ptr, env, off::HOST);
        let mut field_ptr = vec![None; m.fields.len()];
        for &f in &usage.fields {
            field_ptr[f as usize] = Some(ld(&mut b, ptr, fields_base, 8 * f as i32));
        }
        let mut node_ptr = [None; 5];
        for &s in &usage.nodes {
            node_ptr[s] = Some(ld(&mut b, ptr, env, off::NODE_ARRAYS + 8 * s as i32));
        }
        let n_ions = m.ions.len();
        let mut ion_ptr = vec![[None; 5]; n_ions];
        let mut ion_index = vec![None; n_ions];
        if !usage.ions.is_empty() {
            let cols = ld(&mut b, ptr, env, off::ION_COLS);
            let idx = ld(&mut b, ptr, env, off::ION_INDEX);
            for &(u, s) in &usage.ions {
                let o = (8 * (u as usize * 5 + s)) as i32;
                ion_ptr[u as usize][s] = Some(ld(&mut b, ptr, cols, o));
                if ion_index[u as usize].is_none() {
                    ion_index[u as usize] = Some(ld(&mut b, ptr, idx, 8 * u as i32));
                }
            }
        }
        let ivar = b.declare_var(types::I64);
        b.def_var(ivar, start);
        let mut gen = Gen {
            b,
            m,
            h,
            ptr,
            env,
            lanes: Vec::new(),
            lane: 0,
            nodes,
            ion_index,
            globals_snap,
            n_locals,
            used_globals: usage.globals.iter().copied().collect(),
            field_ptr,
            fields_base,
            node_ptr,
            ion_ptr,
            globals_live,
            locals: Locals::Vars,
            t,
            dt,
            celsius,
            host,
            table_local_offset,
        };
        // Straight-line kernels with library calls (cnexp state kernels: their exp calls
        // dominate) run GROUP instances per iteration, statement by statement, so the calls
        // of different instances overlap; the remainder and all other kernels one by one
        // (grouping the others would only add compile time).
        if body.iter().all(|s| matches!(s, Stmt::Assign(..))) && usage.calls {
            gen.emit_loop(ivar, end, body, GROUP);
        }
        gen.emit_loop(ivar, end, body, 1);
        gen.b.ins().return_(&[]);
        gen.b.seal_all_blocks();
        gen.b.finalize(config);
    }

    /// Per-instance setup of instance `inst`: offsets, locals at 0, globals from the snapshot.
    fn lane_setup(&mut self, inst: Value, node_used: bool) -> LaneCtx {
        let b = &mut self.b;
        let off8 = b.ins().ishl_imm_u(inst, 3);
        let node_off8 = if node_used {
            let off4 = b.ins().ishl_imm_u(inst, 2);
            let a = b.ins().iadd(self.nodes, off4);
            let node = b.ins().uload32(flags(), a, 0);
            Some(b.ins().ishl_imm_u(node, 3))
        } else {
            None
        };
        let mut ion_off8 = vec![None; self.ion_index.len()];
        for (u, idx) in self.ion_index.iter().enumerate() {
            if let Some(idx) = idx {
                let off4 = b.ins().ishl_imm_u(inst, 2);
                let a = b.ins().iadd(*idx, off4);
                let e = b.ins().uload32(flags(), a, 0);
                ion_off8[u] = Some(b.ins().ishl_imm_u(e, 3));
            }
        }
        let zero = b.ins().f64const(0.0);
        let local_vars: Vec<Variable> = (0..self.n_locals)
            .map(|_| {
                let v = b.declare_var(types::F64);
                b.def_var(v, zero);
                v
            })
            .collect();
        let mut global_vars = vec![None; self.m.globals.len()];
        for &g in &self.used_globals {
            let v = b.declare_var(types::F64);
            let x = b
                .ins()
                .load(types::F64, flags(), self.globals_snap, 8 * g as i32);
            b.def_var(v, x);
            global_vars[g as usize] = Some(v);
        }
        LaneCtx {
            inst,
            off8,
            node_off8,
            ion_off8,
            local_vars,
            global_vars,
        }
    }

    /// `while i + group <= end { body for instances i..i+group; i += group }`.
    fn emit_loop(&mut self, ivar: Variable, end: Value, body: &[Stmt], group: usize) {
        let header = self.b.create_block();
        let body_block = self.b.create_block();
        let exit = self.b.create_block();
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(header);
        let i = self.b.use_var(ivar);
        let last = self.b.ins().iadd_imm_s(i, group as i64);
        let more = self.b.ins().icmp(IntCC::SignedLessThanOrEqual, last, end);
        self.b.ins().brif(more, body_block, &[], exit, &[]);
        self.b.switch_to_block(body_block);
        let i = self.b.use_var(ivar);
        let node_used = self.node_ptr.iter().any(|p| p.is_some());
        self.lanes.clear();
        for l in 0..group {
            let inst = self.b.ins().iadd_imm_s(i, l as i64);
            let ctx = self.lane_setup(inst, node_used);
            self.lanes.push(ctx);
        }
        if group == 1 {
            self.lane = 0;
            self.stmts(body);
        } else {
            for s in body {
                for l in 0..group {
                    self.lane = l;
                    self.stmt(s);
                }
            }
        }
        self.lane = 0;
        let next = self.b.ins().iadd_imm_s(i, group as i64);
        self.b.def_var(ivar, next);
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(exit);
    }

    fn cur(&self) -> &LaneCtx {
        &self.lanes[self.lane]
    }

    fn f64c(&mut self, x: f64) -> Value {
        self.b.ins().f64const(x)
    }

    fn bool_to_f64(&mut self, c: Value) -> Value {
        let one = self.f64c(1.0);
        let zero = self.f64c(0.0);
        self.b.ins().select(c, one, zero)
    }

    /// `x != 0.0` (true for NaN, as in C and the interpreter).
    fn truthy(&mut self, x: Value) -> Value {
        let zero = self.f64c(0.0);
        self.b.ins().fcmp(FloatCC::NotEqual, x, zero)
    }

    fn call1(&mut self, f: FuncRef, args: &[Value]) -> Value {
        let c = self.b.ins().call(f, args);
        self.b.inst_results(c)[0]
    }

    fn expr(&mut self, e: &Expr) -> Value {
        match e {
            Expr::Const(c) => self.f64c(*c),
            Expr::Load(p) => self.load(p),
            Expr::Unary(op, a) => {
                let a = self.expr(a);
                match op {
                    UnaryOp::Neg => self.b.ins().fneg(a),
                    UnaryOp::Not => {
                        let zero = self.f64c(0.0);
                        let c = self.b.ins().fcmp(FloatCC::Equal, a, zero);
                        self.bool_to_f64(c)
                    }
                }
            }
            Expr::Binary(op, a, b) => {
                let a = self.expr(a);
                let b = self.expr(b);
                self.binary(*op, a, b)
            }
            Expr::Call(f, args) => {
                let mut vals = [None; 4];
                for (slot, a) in vals.iter_mut().zip(args.iter()) {
                    *slot = Some(self.expr(a));
                }
                let mut v = [Value::from_u32(0); 4];
                for k in 0..4 {
                    v[k] = match vals[k] {
                        Some(x) => x,
                        None => self.f64c(0.0),
                    };
                }
                self.call(*f, v)
            }
            Expr::TableValue { table, arg } => {
                let x = self.expr(arg);
                self.table_value(*table, x)
            }
        }
    }

    fn binary(&mut self, op: BinaryOp, a: Value, b: Value) -> Value {
        let cmp = |g: &mut Self, cc| {
            let c = g.b.ins().fcmp(cc, a, b);
            g.bool_to_f64(c)
        };
        match op {
            BinaryOp::Add => self.b.ins().fadd(a, b),
            BinaryOp::Sub => self.b.ins().fsub(a, b),
            BinaryOp::Mul => self.b.ins().fmul(a, b),
            BinaryOp::Div => self.b.ins().fdiv(a, b),
            BinaryOp::Pow => {
                let f = self.h.pow;
                self.call1(f, &[a, b])
            }
            BinaryOp::Lt => cmp(self, FloatCC::LessThan),
            BinaryOp::Le => cmp(self, FloatCC::LessThanOrEqual),
            BinaryOp::Gt => cmp(self, FloatCC::GreaterThan),
            BinaryOp::Ge => cmp(self, FloatCC::GreaterThanOrEqual),
            BinaryOp::Eq => cmp(self, FloatCC::Equal),
            BinaryOp::Ne => cmp(self, FloatCC::NotEqual),
            BinaryOp::And | BinaryOp::Or => {
                let x = self.truthy(a);
                let y = self.truthy(b);
                let c = if op == BinaryOp::And {
                    self.b.ins().band(x, y)
                } else {
                    self.b.ins().bor(x, y)
                };
                self.bool_to_f64(c)
            }
        }
    }

    fn call(&mut self, f: MathFn, v: [Value; 4]) -> Value {
        let [x, y, z, w] = v;
        match f {
            MathFn::Exp => {
                // hoc_Exp: libm exp between the clamps; the clamped values are taken from the
                // interpreter's own function so they carry its bits.
                let e = self.h.exp;
                let r = self.call1(e, &[x]);
                let hi = self.f64c(mech::math::hoc_exp(701.0));
                let lo = self.f64c(mech::math::hoc_exp(-701.0));
                let c700 = self.f64c(700.0);
                let cm700 = self.f64c(-700.0);
                let above = self.b.ins().fcmp(FloatCC::GreaterThan, x, c700);
                let r = self.b.ins().select(above, hi, r);
                let below = self.b.ins().fcmp(FloatCC::LessThan, x, cm700);
                self.b.ins().select(below, lo, r)
            }
            // IEEE-exact operations are inlined; everything else goes through libm via Rust.
            MathFn::Sqrt => self.b.ins().sqrt(x),
            MathFn::Fabs => self.b.ins().fabs(x),
            MathFn::Floor => self.b.ins().floor(x),
            MathFn::Ceil => self.b.ins().ceil(x),
            MathFn::Min | MathFn::Max => {
                let cc = if f == MathFn::Min {
                    FloatCC::LessThan
                } else {
                    FloatCC::GreaterThan
                };
                let c = self.b.ins().fcmp(cc, x, y);
                self.b.ins().select(c, x, y)
            }
            _ if mech_is_random(f) => {
                let code = self.b.ins().iconst(types::I64, math_code(f));
                let r = self.h.random;
                let (host, inst) = (self.host, self.cur().inst);
                self.call1(r, &[host, code, inst, x, y])
            }
            _ => {
                let code = self.b.ins().iconst(types::I64, math_code(f));
                let mf = self.h.math;
                let c = self.celsius;
                self.call1(mf, &[code, x, y, z, w, c])
            }
        }
    }

    /// Branches on `ok`; in the taken branch `then` produces a value, otherwise NaN.
    fn guarded(&mut self, ok: Value, then: impl FnOnce(&mut Self) -> Value) -> Value {
        let yes = self.b.create_block();
        let join = self.b.create_block();
        self.b.append_block_param(join, types::F64);
        let nan = self.f64c(f64::NAN);
        self.b.ins().brif(ok, yes, &[], join, &[nan.into()]);
        self.b.switch_to_block(yes);
        let v = then(self);
        self.b.ins().jump(join, &[v.into()]);
        self.b.switch_to_block(join);
        self.b.block_params(join)[0]
    }

    /// Column pointer of `x[index]` when `0 ≤ index < len` (C truncation of the double).
    fn indexed(&mut self, len: u32, index: Value) -> (Value, Value) {
        let zero = self.f64c(0.0);
        let ge = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, index, zero);
        let iu = self.b.ins().fcvt_to_uint_sat(types::I64, index);
        let lt = self
            .b
            .ins()
            .icmp_imm_u(IntCC::UnsignedLessThan, iu, len as i64);
        let ok = self.b.ins().band(ge, lt);
        (ok, iu)
    }

    fn indexed_addr(&mut self, base: u32, iu: Value) -> Value {
        let slot = self.b.ins().iadd_imm_s(iu, base as i64);
        let o = self.b.ins().ishl_imm_u(slot, 3);
        let a = self.b.ins().iadd(self.fields_base, o);
        let col = self.b.ins().load(self.ptr, flags(), a, 0);
        let off8 = self.cur().off8;
        self.b.ins().iadd(col, off8)
    }

    fn addr(&mut self, base: Value, off: Value) -> Value {
        self.b.ins().iadd(base, off)
    }

    fn load(&mut self, p: &Place) -> Value {
        match p {
            Place::Field(f) => {
                let col = self.field_ptr[*f as usize].expect("usage covers fields");
                let a = self.addr(col, self.cur().off8);
                self.b.ins().load(types::F64, flags(), a, 0)
            }
            Place::FieldIndexed { base, len, index } => {
                let i = self.expr(index);
                let (ok, iu) = self.indexed(*len, i);
                let base = *base;
                self.guarded(ok, |g| {
                    let a = g.indexed_addr(base, iu);
                    g.b.ins().load(types::F64, flags(), a, 0)
                })
            }
            Place::Global(g) => {
                let v = self.cur().global_vars[*g as usize].expect("usage covers globals");
                self.b.use_var(v)
            }
            Place::Local(l) => match self.locals {
                Locals::Vars => self.b.use_var(self.cur().local_vars[*l as usize]),
                Locals::Memory(base) => self.b.ins().load(types::F64, flags(), base, 8 * *l as i32),
            },
            Place::Ion { ion, var } => {
                let col = self.ion_ptr[*ion as usize][abi::ion_slot(*var)].expect("usage");
                let o = self.cur().ion_off8[*ion as usize].expect("usage");
                let a = self.addr(col, o);
                self.b.ins().load(types::F64, flags(), a, 0)
            }
            Place::Node(var) => {
                let col = self.node_ptr[abi::node_slot(*var)].expect("usage");
                let o = self.cur().node_off8.expect("usage");
                let a = self.addr(col, o);
                self.b.ins().load(types::F64, flags(), a, 0)
            }
            Place::Builtin(b) => match b {
                Builtin::T => self.t,
                Builtin::Dt => self.dt,
                Builtin::Celsius => self.celsius,
                Builtin::Flag => self.f64c(0.0),
            },
            Place::NetConArg(_) => self.f64c(f64::NAN),
        }
    }

    fn store(&mut self, p: &Place, v: Value) {
        match p {
            Place::Field(f) => {
                let col = self.field_ptr[*f as usize].expect("usage covers fields");
                let a = self.addr(col, self.cur().off8);
                self.b.ins().store(flags(), v, a, 0);
            }
            Place::FieldIndexed { base, len, index } => {
                let i = self.expr(index);
                let (ok, iu) = self.indexed(*len, i);
                let yes = self.b.create_block();
                let join = self.b.create_block();
                self.b.ins().brif(ok, yes, &[], join, &[]);
                self.b.switch_to_block(yes);
                let a = self.indexed_addr(*base, iu);
                self.b.ins().store(flags(), v, a, 0);
                self.b.ins().jump(join, &[]);
                self.b.switch_to_block(join);
            }
            Place::Global(g) => {
                let var = self.cur().global_vars[*g as usize].expect("usage covers globals");
                self.b.def_var(var, v);
                let live = self.globals_live;
                self.b.ins().store(flags(), v, live, 8 * *g as i32);
            }
            Place::Local(l) => match self.locals {
                Locals::Vars => self.b.def_var(self.cur().local_vars[*l as usize], v),
                Locals::Memory(base) => {
                    self.b.ins().store(flags(), v, base, 8 * *l as i32);
                }
            },
            Place::Ion { ion, var } => {
                let col = self.ion_ptr[*ion as usize][abi::ion_slot(*var)].expect("usage");
                let o = self.cur().ion_off8[*ion as usize].expect("usage");
                let a = self.addr(col, o);
                self.b.ins().store(flags(), v, a, 0);
            }
            Place::Node(var @ (nmodl::ir::NodeVar::Rhs | nmodl::ir::NodeVar::D)) => {
                let col = self.node_ptr[abi::node_slot(*var)].expect("usage");
                let o = self.cur().node_off8.expect("usage");
                let a = self.addr(col, o);
                self.b.ins().store(flags(), v, a, 0);
            }
            // v, area, diam, builtins and NetCon arguments are read-only in these kernels.
            Place::Node(_) | Place::Builtin(_) | Place::NetConArg(_) => {}
        }
    }

    fn stmts(&mut self, body: &[Stmt]) {
        for s in body {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Assign(p, e) => {
                let v = self.expr(e);
                self.store(p, v);
            }
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.expr(cond);
                let c = self.truthy(c);
                let tb = self.b.create_block();
                let eb = self.b.create_block();
                let join = self.b.create_block();
                self.b.ins().brif(c, tb, &[], eb, &[]);
                self.b.switch_to_block(tb);
                self.stmts(then);
                self.b.ins().jump(join, &[]);
                self.b.switch_to_block(eb);
                self.stmts(otherwise);
                self.b.ins().jump(join, &[]);
                self.b.switch_to_block(join);
            }
            Stmt::While { cond, body } => {
                // The interpreter's walker stops runaway loops after 10⁸ iterations.
                let guard = self.b.declare_var(types::I64);
                let z = self.b.ins().iconst(types::I64, 0);
                self.b.def_var(guard, z);
                let head = self.b.create_block();
                let check = self.b.create_block();
                let lbody = self.b.create_block();
                let exit = self.b.create_block();
                self.b.ins().jump(head, &[]);
                self.b.switch_to_block(head);
                let c = self.expr(cond);
                let c = self.truthy(c);
                self.b.ins().brif(c, check, &[], exit, &[]);
                self.b.switch_to_block(check);
                let gv = self.b.use_var(guard);
                let ok = self
                    .b
                    .ins()
                    .icmp_imm_s(IntCC::SignedLessThan, gv, 100_000_000);
                self.b.ins().brif(ok, lbody, &[], exit, &[]);
                self.b.switch_to_block(lbody);
                let g1 = self.b.ins().iadd_imm_s(gv, 1);
                self.b.def_var(guard, g1);
                self.stmts(body);
                self.b.ins().jump(head, &[]);
                self.b.switch_to_block(exit);
            }
            Stmt::TableCall { table, arg } => {
                let x = self.expr(arg);
                self.table_call(*table, x);
            }
            Stmt::LinearSolve {
                unknowns,
                matrix,
                rhs,
            } => self.linear_solve(unknowns, matrix, rhs),
            Stmt::Newton { .. } => unreachable!("analysis keeps Newton kernels interpreted"),
            Stmt::NetSend { delay, flag } => {
                let d = self.expr(delay);
                let f = self.expr(flag);
                self.event(abi::EVENT_SEND, d, f);
            }
            Stmt::NetEvent { time } => {
                let t = self.expr(time);
                let z = self.f64c(0.0);
                self.event(abi::EVENT_EVENT, t, z);
            }
            Stmt::NetMove { time } => {
                let t = self.expr(time);
                let z = self.f64c(0.0);
                self.event(abi::EVENT_MOVE, t, z);
            }
            // Printing is off for compiled kernels (analysis keeps them interpreted otherwise).
            Stmt::Print { .. } => {}
        }
    }

    fn event(&mut self, kind: i64, a: Value, b: Value) {
        let k = self.b.ins().iconst(types::I64, kind);
        let (host, inst, f) = (self.host, self.cur().inst, self.h.event);
        self.b.ins().call(f, &[host, k, inst, a, b]);
    }

    /// Branch on `table_on[table]`: built → `on`, else the body evaluated directly.
    fn table_switch(
        &mut self,
        table: u32,
    ) -> (cranelift_codegen::ir::Block, cranelift_codegen::ir::Block) {
        let on_ptr = self
            .b
            .ins()
            .load(self.ptr, flags(), self.env, off::TABLE_ON);
        let flag = self
            .b
            .ins()
            .uload8(types::I32, flags(), on_ptr, table as i32);
        let on = self.b.create_block();
        let direct = self.b.create_block();
        self.b.ins().brif(flag, on, &[], direct, &[]);
        (on, direct)
    }

    fn table_locals_base(&mut self, table: u32) -> Value {
        let base = self
            .b
            .ins()
            .load(self.ptr, flags(), self.env, off::TABLE_LOCALS);
        let o = 8 * self.table_local_offset[table as usize] as i64;
        self.b.ins().iadd_imm_s(base, o)
    }

    fn lookup(&mut self, table: u32, k: usize, x: Value) -> Value {
        let tables = self.b.ins().load(self.ptr, flags(), self.env, off::TABLES);
        let t = self.b.ins().iconst(types::I64, table as i64);
        let k = self.b.ins().iconst(types::I64, k as i64);
        let f = self.h.lookup;
        self.call1(f, &[tables, t, k, x])
    }

    /// Runs table `table`'s body for argument `x` with its locals in memory; returns the
    /// FUNCTION value (NaN for a procedure).
    fn table_direct(&mut self, table: u32, x: Value) -> Value {
        let m = self.m;
        let t = &m.tables[table as usize];
        let base = self.table_locals_base(table);
        self.b.ins().store(flags(), x, base, 0);
        let saved = self.locals;
        self.locals = Locals::Memory(base);
        self.stmts(&t.body.body);
        let result = match t.outputs.first() {
            Some(Place::Local(l)) if t.is_function => {
                self.b.ins().load(types::F64, flags(), base, 8 * *l as i32)
            }
            _ => self.f64c(f64::NAN),
        };
        self.locals = saved;
        result
    }

    fn table_value(&mut self, table: u32, x: Value) -> Value {
        let (on, direct) = self.table_switch(table);
        let join = self.b.create_block();
        self.b.append_block_param(join, types::F64);
        self.b.switch_to_block(on);
        let v = self.lookup(table, 0, x);
        self.b.ins().jump(join, &[v.into()]);
        self.b.switch_to_block(direct);
        let v = self.table_direct(table, x);
        self.b.ins().jump(join, &[v.into()]);
        self.b.switch_to_block(join);
        self.b.block_params(join)[0]
    }

    fn table_call(&mut self, table: u32, x: Value) {
        let m = self.m;
        let (on, direct) = self.table_switch(table);
        let join = self.b.create_block();
        self.b.switch_to_block(on);
        for (k, out) in m.tables[table as usize].outputs.iter().enumerate() {
            let v = self.lookup(table, k, x);
            self.store(out, v);
        }
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(direct);
        self.table_direct(table, x);
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(join);
    }

    fn linear_solve(&mut self, unknowns: &[Place], matrix: &[Expr], rhs: &[Expr]) {
        let n = unknowns.len();
        if matrix.len() != n * n || rhs.len() != n {
            return;
        }
        let buf = self
            .b
            .ins()
            .load(self.ptr, flags(), self.env, off::SOLVE_BUF);
        for (k, e) in matrix.iter().chain(rhs).enumerate() {
            let v = self.expr(e);
            self.b.ins().store(flags(), v, buf, 8 * k as i32);
        }
        let nv = self.b.ins().iconst(types::I64, n as i64);
        let (host, f) = (self.host, self.h.simeq);
        let c = self.b.ins().call(f, &[host, nv, buf]);
        let ok = self.b.inst_results(c)[0];
        let yes = self.b.create_block();
        let join = self.b.create_block();
        self.b.ins().brif(ok, yes, &[], join, &[]);
        self.b.switch_to_block(yes);
        for (k, p) in unknowns.iter().enumerate() {
            let v = self
                .b
                .ins()
                .load(types::F64, flags(), buf, 8 * (n * n + n + k) as i32);
            self.store(p, v);
        }
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(join);
    }
}
