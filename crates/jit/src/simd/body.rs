//! Statements and expressions of a fast-math kernel, and the lane-wise operations they are
//! built from (each [`Vv`] value is one `f64x2` per live half).

#![allow(clippy::needless_range_loop)] // `0..self.n`: only the live halves of fixed arrays
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, InstBuilder, Value};
use cranelift_frontend::FunctionBuilder;
use nmodl::ir::{BinaryOp, Expr, MathFn, Stmt, UnaryOp};

use super::check::{accumulation, cnexp_steady_state, constant, is_shared};
use super::{lanes, VecGen, Vv, HALVES};
use crate::abi::math_code;

impl<'f> VecGen<'f> {
    pub(super) fn splat(&mut self, x: f64) -> Vv {
        let c = self.b.ins().f64const(x);
        let v = self.b.ins().splat(types::F64X2, c);
        [v; HALVES]
    }

    pub(super) fn map1(
        &mut self,
        a: Vv,
        f: impl Fn(&mut FunctionBuilder<'f>, Value) -> Value,
    ) -> Vv {
        let mut out = a;
        for h in 0..self.n {
            out[h] = f(&mut self.b, a[h]);
        }
        out
    }

    pub(super) fn map2(
        &mut self,
        a: Vv,
        c: Vv,
        f: impl Fn(&mut FunctionBuilder<'f>, Value, Value) -> Value,
    ) -> Vv {
        let mut out = a;
        for h in 0..self.n {
            out[h] = f(&mut self.b, a[h], c[h]);
        }
        out
    }

    /// Lanes where `cc(a, c)` holds, as an I64X2 mask per half.
    pub(super) fn cmp(&mut self, cc: FloatCC, a: Vv, c: Vv) -> Vv {
        self.map2(a, c, |b, x, y| b.ins().fcmp(cc, x, y))
    }

    /// `mask ? x : y` lane by lane.
    pub(super) fn select(&mut self, mask: Vv, x: Vv, y: Vv) -> Vv {
        let mut out = x;
        for h in 0..self.n {
            let m = self.b.ins().bitcast(types::F64X2, lanes(), mask[h]);
            out[h] = self.b.ins().bitselect(m, x[h], y[h]);
        }
        out
    }

    pub(super) fn bool_to_f64(&mut self, mask: Vv) -> Vv {
        let (one, zero) = (self.splat(1.0), self.splat(0.0));
        self.select(mask, one, zero)
    }

    pub(super) fn truthy(&mut self, x: Vv) -> Vv {
        let zero = self.splat(0.0);
        self.cmp(FloatCC::NotEqual, x, zero)
    }

    pub(super) fn stmts(&mut self, body: &[Stmt]) {
        for s in body {
            match s {
                Stmt::Assign(p, e) if !self.layout.distinct && is_shared(p) => {
                    let (op, rest) = accumulation(p, e).expect("checked by vectorisable()");
                    let v = self.expr(rest);
                    self.accumulate(p, op, v);
                }
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
                    let outer = self.mask;
                    let not_c = self.map1(c, |b, x| b.ins().bnot(x));
                    let (m_then, m_else) = match outer {
                        Some(o) => (
                            self.map2(o, c, |b, x, y| b.ins().band(x, y)),
                            self.map2(o, not_c, |b, x, y| b.ins().band(x, y)),
                        ),
                        None => (c, not_c),
                    };
                    self.mask = Some(m_then);
                    self.stmts(then);
                    self.mask = Some(m_else);
                    self.stmts(otherwise);
                    self.mask = outer;
                }
                Stmt::TableCall { table, arg } => {
                    let x = self.expr(arg);
                    self.table_call(*table, x);
                }
                _ => unreachable!("vectorisable() admits assignments, IFs and TABLE calls only"),
            }
        }
    }

    pub(super) fn expr(&mut self, e: &Expr) -> Vv {
        match e {
            Expr::Const(c) => self.splat(*c),
            Expr::Load(p) => self.load(p),
            Expr::Unary(UnaryOp::Neg, a) => {
                let a = self.expr(a);
                self.map1(a, |b, x| b.ins().fneg(x))
            }
            Expr::Unary(UnaryOp::Not, a) => {
                let a = self.expr(a);
                let zero = self.splat(0.0);
                let c = self.cmp(FloatCC::Equal, a, zero);
                self.bool_to_f64(c)
            }
            Expr::Binary(BinaryOp::Div, a, c) if cnexp_steady_state(a, c).is_some() => {
                // cnexp's `−(x∞/τ) / (−1/τ)` is x∞ (to an ulp): two divisions saved per state.
                let inf = cnexp_steady_state(a, c).expect("checked");
                self.expr(inf)
            }
            Expr::Binary(BinaryOp::Div, a, c) if constant(c).is_some_and(|c| c != 0.0) => {
                // Division by a constant becomes a multiplication by its reciprocal (within an
                // ulp; divisions cost several times a multiplication).
                let a = self.expr(a);
                let r = self.splat(1.0 / constant(c).expect("checked"));
                self.map2(a, r, |b, x, y| b.ins().fmul(x, y))
            }
            Expr::Binary(op, a, c) => {
                let a = self.expr(a);
                let c = self.expr(c);
                self.binary(*op, a, c)
            }
            Expr::Call(f, args) => {
                let mut v = [self.splat(0.0); 4];
                for (slot, a) in v.iter_mut().zip(args.iter()) {
                    *slot = self.expr(a);
                }
                self.call(*f, v)
            }
            Expr::TableValue { .. } => unreachable!("vectorisable() rejects tables"),
        }
    }

    pub(super) fn binary(&mut self, op: BinaryOp, a: Vv, c: Vv) -> Vv {
        let cmp = |g: &mut Self, cc| {
            let m = g.cmp(cc, a, c);
            g.bool_to_f64(m)
        };
        // Sums that start from 0 (`rhs = 0; rhs = rhs + i`) skip the addition: x + 0 = x but
        // for the sign of a zero, which fast-math ignores.
        match op {
            BinaryOp::Add if self.known_zero(a) => c,
            BinaryOp::Add | BinaryOp::Sub if self.known_zero(c) => a,
            BinaryOp::Add => self.map2(a, c, |b, x, y| b.ins().fadd(x, y)),
            BinaryOp::Sub => self.map2(a, c, |b, x, y| b.ins().fsub(x, y)),
            BinaryOp::Mul => self.map2(a, c, |b, x, y| b.ins().fmul(x, y)),
            BinaryOp::Div => self.map2(a, c, |b, x, y| b.ins().fdiv(x, y)),
            BinaryOp::Pow => self.per_lane(
                |g, x| {
                    let f = g.h.pow;
                    let call = g.b.ins().call(f, &[x[0], x[1]]);
                    g.b.inst_results(call)[0]
                },
                [a, c, a, a],
            ),
            BinaryOp::Lt => cmp(self, FloatCC::LessThan),
            BinaryOp::Le => cmp(self, FloatCC::LessThanOrEqual),
            BinaryOp::Gt => cmp(self, FloatCC::GreaterThan),
            BinaryOp::Ge => cmp(self, FloatCC::GreaterThanOrEqual),
            BinaryOp::Eq => cmp(self, FloatCC::Equal),
            BinaryOp::Ne => cmp(self, FloatCC::NotEqual),
            BinaryOp::And | BinaryOp::Or => {
                let x = self.truthy(a);
                let y = self.truthy(c);
                let m = if op == BinaryOp::And {
                    self.map2(x, y, |b, p, q| b.ins().band(p, q))
                } else {
                    self.map2(x, y, |b, p, q| b.ins().bor(p, q))
                };
                self.bool_to_f64(m)
            }
        }
    }

    /// Whether every live half of `v` is a splat of the constant +0.
    pub(super) fn known_zero(&self, v: Vv) -> bool {
        use cranelift_codegen::ir::{InstructionData, Opcode, ValueDef};
        let dfg = &self.b.func.dfg;
        let def = |x: Value| match dfg.value_def(x) {
            ValueDef::Result(inst, _) => Some(dfg.insts[inst]),
            _ => None,
        };
        v[..self.n].iter().all(|&h| match def(h) {
            Some(InstructionData::Unary {
                opcode: Opcode::Splat,
                arg,
            }) => matches!(
                def(arg),
                Some(InstructionData::UnaryIeee64 { opcode: Opcode::F64const, imm }) if imm.bits() == 0
            ),
            _ => false,
        })
    }

    pub(super) fn call(&mut self, f: MathFn, v: [Vv; 4]) -> Vv {
        let [x, y, ..] = v;
        match f {
            MathFn::Exp => self.exp(x),
            MathFn::Sqrt => self.map1(x, |b, a| b.ins().sqrt(a)),
            MathFn::Fabs => self.map1(x, |b, a| b.ins().fabs(a)),
            MathFn::Floor => self.map1(x, |b, a| b.ins().floor(a)),
            MathFn::Ceil => self.map1(x, |b, a| b.ins().ceil(a)),
            MathFn::Min | MathFn::Max => {
                let cc = if f == MathFn::Min {
                    FloatCC::LessThan
                } else {
                    FloatCC::GreaterThan
                };
                let m = self.cmp(cc, x, y);
                self.select(m, x, y)
            }
            _ => {
                let code = math_code(f);
                self.per_lane(
                    move |g, a| {
                        let code = g.b.ins().iconst(types::I64, code);
                        let mf = g.h.math;
                        let c = g.b.ins().extractlane(g.celsius, 0);
                        let call = g.b.ins().call(mf, &[code, a[0], a[1], a[2], a[3], c]);
                        g.b.inst_results(call)[0]
                    },
                    v,
                )
            }
        }
    }

    /// Applies a scalar helper call lane by lane (exact library functions).
    pub(super) fn per_lane(
        &mut self,
        f: impl Fn(&mut Self, [Value; 4]) -> Value,
        args: [Vv; 4],
    ) -> Vv {
        let mut out = args[0];
        let lanes_per_half = if self.n == HALVES { 2 } else { 1 };
        for h in 0..self.n {
            let mut acc = None;
            for l in 0..lanes_per_half {
                let a = args.map(|v| self.b.ins().extractlane(v[h], l as u8));
                let r = f(self, a);
                acc = Some(match acc {
                    None => self.b.ins().splat(types::F64X2, r),
                    Some(v) => self.b.ins().insertlane(v, r, l as u8),
                });
            }
            out[h] = acc.expect("at least one lane");
        }
        out
    }
}
