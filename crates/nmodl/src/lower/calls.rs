//! Calls inside kernel bodies: math built-ins, NEURON's event and output functions, TABLE'd
//! callables, and the inlining of the file's own PROCEDUREs and FUNCTIONs.

use std::collections::HashMap;

use crate::ast::{self, Span};
use crate::ir::{self, BinaryOp, Expr, LocalId, MathFn, Place, Stmt};

use super::body::{bin, Builder, KernelKind};
use super::layout::Binding;

/// The IR function for a math built-in and its arity.
fn math_fn(name: &str) -> Option<(MathFn, usize)> {
    Some(match name {
        "exp" => (MathFn::Exp, 1),
        "log" => (MathFn::Log, 1),
        "log10" => (MathFn::Log10, 1),
        "sqrt" => (MathFn::Sqrt, 1),
        "fabs" | "abs" => (MathFn::Fabs, 1),
        "floor" => (MathFn::Floor, 1),
        "ceil" => (MathFn::Ceil, 1),
        "sin" => (MathFn::Sin, 1),
        "cos" => (MathFn::Cos, 1),
        "tan" => (MathFn::Tan, 1),
        "asin" => (MathFn::Asin, 1),
        "acos" => (MathFn::Acos, 1),
        "atan" => (MathFn::Atan, 1),
        "atan2" => (MathFn::Atan2, 2),
        "sinh" => (MathFn::Sinh, 1),
        "cosh" => (MathFn::Cosh, 1),
        "tanh" => (MathFn::Tanh, 1),
        "fmod" => (MathFn::Fmod, 2),
        "fmin" | "min" => (MathFn::Min, 2),
        "fmax" | "max" => (MathFn::Max, 2),
        "erf" => (MathFn::Erf, 1),
        "erfc" => (MathFn::Erfc, 1),
        "nernst" => (MathFn::Nernst, 3),
        "ghk" => (MathFn::Ghk, 4),
        "scop_random" => (MathFn::ScopRandom, 0),
        "exprand" => (MathFn::ExpRand, 1),
        "normrand" => (MathFn::NormRand, 2),
        "unirand" => (MathFn::UniRand, 0),
        "poisrand" => (MathFn::PoisRand, 1),
        _ => return None,
    })
}

impl Builder<'_> {
    /// A call as an expression (`want_value`) or as a statement.
    pub(crate) fn call(
        &mut self,
        name: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
        want_value: bool,
    ) -> Option<Expr> {
        let n = name.name.as_str();
        if n == "pow" && args.len() == 2 {
            let a = self.expr(&args[0]);
            let b = self.expr(&args[1]);
            return Some(bin(BinaryOp::Pow, a, b));
        }
        // A FUNCTION/PROCEDURE of the file shadows a built-in of the same name (many mod
        // files define their own `ghk`, `efun` …).
        let user_defined = self.program.items.iter().any(
            |i| matches!(i, ast::Item::Function(c) | ast::Item::Procedure(c) if c.name.name == n),
        );
        if let Some((f, arity)) = math_fn(n).filter(|_| !user_defined) {
            if args.len() != arity {
                self.error(
                    span,
                    format!("`{n}` takes {arity} argument(s), got {}", args.len()),
                );
                return None;
            }
            let a: Vec<Expr> = args.iter().map(|a| self.expr(a)).collect();
            return Some(Expr::Call(f, a));
        }
        match n {
            "at_time" => {
                for a in args {
                    self.expr(a);
                }
                // Fixed-step NEURON: at_time only matters for CVODE; it returns 0.
                return Some(Expr::Const(0.0));
            }
            "net_send" | "net_event" | "net_move" | "state_discontinuity" | "printf" => {
                self.special_call(name, args, span);
                return Some(Expr::Const(0.0));
            }
            _ => {}
        }
        let callable = self.program.items.iter().find_map(|i| match i {
            ast::Item::Function(c) if c.name.name == n => Some((c, true)),
            ast::Item::Procedure(c) if c.name.name == n => Some((c, false)),
            _ => None,
        });
        let Some((callable, is_function)) = callable else {
            self.error(name.span, format!("unknown function `{n}`"));
            return None;
        };
        if callable.params.len() != args.len() {
            self.error(
                span,
                format!(
                    "`{n}` takes {} argument(s), got {}",
                    callable.params.len(),
                    args.len()
                ),
            );
            return None;
        }
        if self.call_stack.iter().any(|c| c == n) {
            self.error(span, "recursive FUNCTION/PROCEDURE is not supported");
            return None;
        }
        let arg_values: Vec<Expr> = args.iter().map(|a| self.expr(a)).collect();
        // TABLE'd callables go through their table.
        if let Some(tid) = super::tables::table_for(self, callable, is_function) {
            if arg_values.len() != 1 {
                self.error(
                    span,
                    "a TABLE'd FUNCTION/PROCEDURE must take exactly one argument",
                );
                return None;
            }
            let arg = arg_values.into_iter().next().expect("one arg");
            if is_function {
                return Some(Expr::TableValue {
                    table: tid,
                    arg: Box::new(arg),
                });
            }
            self.emit(Stmt::TableCall { table: tid, arg });
            return Some(Expr::Const(0.0));
        }
        let ret = self.inline(callable, is_function, arg_values);
        let _ = want_value;
        Some(match ret {
            Some(r) => Expr::Load(Place::Local(r)),
            // nocmodl's PROCEDUREs return 0 when used as values.
            None => Expr::Const(0.0),
        })
    }

    /// Inlines a callable: parameters into fresh locals, body, FUNCTION result in a local.
    pub(crate) fn inline(
        &mut self,
        c: &ast::Callable,
        is_function: bool,
        args: Vec<Expr>,
    ) -> Option<LocalId> {
        let saved = std::mem::replace(&mut self.scopes, vec![HashMap::new()]);
        for (p, a) in c.params.iter().zip(args) {
            let l = self.new_local(&format!("{}.{}", c.name.name, p.name.name));
            self.emit(Stmt::Assign(Place::Local(l), a));
            self.bind(&p.name.name, Binding::Place(Place::Local(l)));
        }
        let ret = if is_function {
            let r = self.new_local(&format!("{}.return", c.name.name));
            self.emit(Stmt::Assign(Place::Local(r), Expr::Const(0.0)));
            self.bind(&c.name.name, Binding::Place(Place::Local(r)));
            Some(r)
        } else {
            None
        };
        self.call_stack.push(c.name.name.clone());
        self.block(&c.body);
        self.call_stack.pop();
        self.scopes = saved;
        ret
    }

    fn special_call(&mut self, name: &ast::Ident, args: &[ast::Expr], span: Span) {
        let n = name.name.as_str();
        let want = match n {
            "net_send" | "state_discontinuity" => 2,
            "net_event" | "net_move" => 1,
            _ => usize::MAX,
        };
        if want != usize::MAX && args.len() != want {
            self.error(
                span,
                format!("`{n}` takes {want} argument(s), got {}", args.len()),
            );
            return;
        }
        match n {
            "net_send" => {
                if self.layout.kind == Some(ir::Kind::Density) {
                    self.error(span, "net_send needs a POINT_PROCESS or ARTIFICIAL_CELL");
                }
                let delay = self.expr(&args[0]);
                let flag = self.expr(&args[1]);
                self.emit(Stmt::NetSend { delay, flag });
            }
            "net_event" => {
                let time = self.expr(&args[0]);
                self.emit(Stmt::NetEvent { time });
            }
            "net_move" => {
                if self.kind != KernelKind::NetReceive {
                    self.error(span, "net_move is only allowed in NET_RECEIVE");
                }
                let time = self.expr(&args[0]);
                self.emit(Stmt::NetMove { time });
            }
            "state_discontinuity" => {
                // An assignment under fixed-step integration.
                if let ast::Expr::Var {
                    name: target,
                    index,
                } = &args[0]
                {
                    let value = self.expr(&args[1]);
                    if let Some(p) = self.place_of(target, index.as_deref()) {
                        self.emit(Stmt::Assign(p, value));
                    }
                } else {
                    self.error(
                        args[0].span(),
                        "state_discontinuity needs a variable as first argument",
                    );
                }
            }
            _ => {
                // printf
                let mut format = String::new();
                let mut values = Vec::new();
                for (i, a) in args.iter().enumerate() {
                    match a {
                        ast::Expr::Str(s, _) if i == 0 => format = s.clone(),
                        _ => values.push(self.expr(a)),
                    }
                }
                self.emit(Stmt::Print {
                    format,
                    args: values,
                });
            }
        }
    }
}
