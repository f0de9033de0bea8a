//! Statement and expression lowering with PROCEDURE/FUNCTION inlining.
//!
//! A [`Builder`] produces the body of one kernel. Names resolve innermost-first: LOCALs and
//! inlined parameters, then the mechanism layout. A FUNCTION call inside an expression is
//! inlined *before* the statement that contains it (its result lands in a fresh local), which
//! matches nocmodl's evaluation order for the straight-line code mod files contain.

use std::collections::HashMap;

use crate::ast::{self, BinaryOp as AB, Span, UnaryOp as AU};
use crate::diagnostic::Diagnostic;
use crate::ir::{self, BinaryOp, Builtin, Expr, LocalId, NodeVar, Place, Stmt, UnaryOp};

use super::layout::{Binding, Layout};
use super::Shared;

/// Which kernel is being built (decides what `v` and NET_RECEIVE names mean).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KernelKind {
    Init,
    Current,
    State,
    NetReceive,
    Table,
}

/// Builds one kernel body.
pub(crate) struct Builder<'a> {
    pub layout: &'a Layout,
    pub program: &'a ast::Program,
    pub shared: &'a mut Shared,
    pub kind: KernelKind,
    pub locals: Vec<String>,
    pub(super) scopes: Vec<HashMap<String, Binding>>,
    out: Vec<Vec<Stmt>>,
    pub(super) call_stack: Vec<String>,
    /// Overrides `dt` (STEADYSTATE solves use a fixed huge or tiny step).
    pub dt_override: Option<Expr>,
}

pub(crate) fn bin(op: BinaryOp, a: Expr, b: Expr) -> Expr {
    Expr::Binary(op, Box::new(a), Box::new(b))
}
pub(crate) fn neg(a: Expr) -> Expr {
    Expr::Unary(UnaryOp::Neg, Box::new(a))
}
pub(crate) fn load(p: Place) -> Expr {
    Expr::Load(p)
}

impl<'a> Builder<'a> {
    pub(crate) fn new(
        layout: &'a Layout,
        program: &'a ast::Program,
        shared: &'a mut Shared,
        kind: KernelKind,
    ) -> Self {
        Builder {
            layout,
            program,
            shared,
            kind,
            locals: Vec::new(),
            scopes: vec![HashMap::new()],
            out: vec![Vec::new()],
            call_stack: Vec::new(),
            dt_override: None,
        }
    }

    /// Finishes the kernel.
    pub(crate) fn finish(mut self) -> ir::Kernel {
        let body = self.out.pop().unwrap_or_default();
        ir::Kernel {
            locals: self.locals,
            body,
        }
    }

    pub(crate) fn error(&mut self, span: Span, msg: impl Into<String>) {
        self.shared.diags.push(Diagnostic::error(span, msg));
    }

    pub(crate) fn new_local(&mut self, name: &str) -> LocalId {
        self.locals.push(name.to_owned());
        (self.locals.len() - 1) as LocalId
    }

    pub(crate) fn emit(&mut self, s: Stmt) {
        self.out.last_mut().expect("statement sink").push(s);
    }

    pub(crate) fn emit_all(&mut self, v: Vec<Stmt>) {
        self.out.last_mut().expect("statement sink").extend(v);
    }

    /// Runs `f` collecting the statements it emits instead of emitting them.
    pub(crate) fn collect(&mut self, f: impl FnOnce(&mut Self)) -> Vec<Stmt> {
        self.out.push(Vec::new());
        f(self);
        self.out.pop().unwrap_or_default()
    }

    pub(crate) fn push_scope(&mut self) {
        self.scopes.push(HashMap::new());
    }
    pub(crate) fn pop_scope(&mut self) {
        self.scopes.pop();
    }
    pub(crate) fn bind(&mut self, name: &str, b: Binding) {
        self.scopes
            .last_mut()
            .expect("scope")
            .insert(name.to_owned(), b);
    }

    pub(crate) fn dt(&self) -> Expr {
        self.dt_override
            .clone()
            .unwrap_or(Expr::Load(Place::Builtin(Builtin::Dt)))
    }

    /// The binding of a name in a local scope or the layout, without reporting anything.
    fn resolve_quietly(&self, name: &ast::Ident) -> Option<Binding> {
        self.scopes
            .iter()
            .rev()
            .find_map(|s| s.get(&name.name))
            .or_else(|| self.layout.names.get(&name.name))
            .cloned()
    }

    /// Resolves a name to its binding in the current context.
    pub(crate) fn resolve(&mut self, name: &ast::Ident) -> Option<Binding> {
        for s in self.scopes.iter().rev() {
            if let Some(b) = s.get(&name.name) {
                return Some(b.clone());
            }
        }
        // STEADYSTATE changes NEURON's thread dt, so user code in the block sees it too.
        match (&self.dt_override, name.name == "dt") {
            (Some(Expr::Load(p)), true) => return Some(Binding::Place(p.clone())),
            (Some(Expr::Const(c)), true) => return Some(Binding::Const(*c)),
            _ => {}
        }
        if name.name == "v"
            && (self.kind == KernelKind::NetReceive || self.layout.v_field.is_none())
        {
            if self.layout.kind == Some(ir::Kind::Artificial) {
                self.error(name.span, "`v` is not available in an ARTIFICIAL_CELL");
                return None;
            }
            return Some(Binding::Place(Place::Node(NodeVar::V)));
        }
        if name.name == "flag" && self.kind == KernelKind::NetReceive {
            return Some(Binding::Place(Place::Builtin(Builtin::Flag)));
        }
        if let Some(b) = self.layout.names.get(&name.name) {
            return Some(b.clone());
        }
        self.error(name.span, format!("undeclared variable `{}`", name.name));
        None
    }

    /// The place an assignment to `name[index]` writes.
    pub(crate) fn place_of(
        &mut self,
        name: &ast::Ident,
        index: Option<&ast::Expr>,
    ) -> Option<Place> {
        match (self.resolve(name)?, index) {
            (Binding::Place(p), None) => {
                if matches!(p, Place::Builtin(_) | Place::Node(_))
                    && self.kind != KernelKind::Table
                    && !matches!(p, Place::Node(NodeVar::V))
                {
                    self.error(name.span, format!("`{}` cannot be assigned", name.name));
                    return None;
                }
                Some(p)
            }
            (Binding::FieldArray { base, len }, Some(i)) => {
                let index = self.expr(i);
                Some(Place::FieldIndexed {
                    base,
                    len,
                    index: Box::new(index),
                })
            }
            (Binding::PlaceArray(places), Some(i)) => {
                let index = self.expr(i);
                match index {
                    Expr::Const(c) if c >= 0.0 && (c as usize) < places.len() => {
                        Some(places[c as usize].clone())
                    }
                    _ => {
                        self.error(
                            name.span,
                            format!("`{}` needs a constant, in-range index here", name.name),
                        );
                        None
                    }
                }
            }
            (Binding::FieldArray { .. } | Binding::PlaceArray(_), None) => {
                self.error(name.span, format!("array `{}` needs an index", name.name));
                None
            }
            (Binding::Const(_), _) => {
                self.error(
                    name.span,
                    format!("`{}` is a constant and cannot be assigned", name.name),
                );
                None
            }
            (Binding::Place(_), Some(_)) => {
                self.error(name.span, format!("`{}` is not an array", name.name));
                None
            }
        }
    }

    /// Lowers an expression (emitting inlined FUNCTION bodies before the current statement).
    pub(crate) fn expr(&mut self, e: &ast::Expr) -> Expr {
        match e {
            ast::Expr::Number { value, .. } => Expr::Const(*value),
            ast::Expr::Str(_, span) => {
                self.error(*span, "a string is only allowed as a printf argument");
                Expr::Const(0.0)
            }
            ast::Expr::Var { name, index } => match self.resolve(name) {
                Some(Binding::Const(c)) => Expr::Const(c),
                Some(Binding::Place(p)) => {
                    if index.is_some() {
                        self.error(name.span, format!("`{}` is not an array", name.name));
                    }
                    Expr::Load(p)
                }
                Some(Binding::FieldArray { base, len }) => match index {
                    Some(i) => {
                        let i = self.expr(i);
                        Expr::Load(Place::FieldIndexed {
                            base,
                            len,
                            index: Box::new(i),
                        })
                    }
                    None => {
                        self.error(name.span, format!("array `{}` needs an index", name.name));
                        Expr::Const(0.0)
                    }
                },
                Some(Binding::PlaceArray(places)) => match index {
                    Some(i) => self.read_array_element(name, &places, i),
                    None => {
                        self.error(name.span, format!("array `{}` needs an index", name.name));
                        Expr::Const(0.0)
                    }
                },
                None => Expr::Const(0.0),
            },
            ast::Expr::Unary { op, operand, .. } => {
                let x = self.expr(operand);
                Expr::Unary(
                    if *op == AU::Neg {
                        UnaryOp::Neg
                    } else {
                        UnaryOp::Not
                    },
                    Box::new(x),
                )
            }
            ast::Expr::Binary { op, lhs, rhs, .. } => {
                let a = self.expr(lhs);
                let b = self.expr(rhs);
                bin(binop(*op), a, b)
            }
            ast::Expr::Call { name, args, span } => self
                .call(name, args, *span, true)
                .unwrap_or(Expr::Const(0.0)),
            ast::Expr::Error(span) => {
                self.error(*span, "invalid expression");
                Expr::Const(0.0)
            }
        }
    }

    /// Lowers a block in a new LOCAL scope.
    pub(crate) fn block(&mut self, b: &ast::Block) {
        self.push_scope();
        for s in &b.stmts {
            self.stmt(s);
        }
        self.pop_scope();
    }

    /// Lowers one statement. SOLVE, reactions and other block-specific statements are handled
    /// by the callers that know the block kind; here they are errors.
    pub(crate) fn stmt(&mut self, s: &ast::Stmt) {
        match s {
            ast::Stmt::Local(vars, _) => {
                for v in vars {
                    if let Some(len) = v.array_len {
                        self.declare_local_array(&v.name, len);
                        continue;
                    }
                    let l = self.new_local(&v.name.name);
                    // nocmodl's LOCALs are C locals; start them at 0 so kernels are deterministic.
                    self.emit(Stmt::Assign(Place::Local(l), Expr::Const(0.0)));
                    self.bind(&v.name.name, Binding::Place(Place::Local(l)));
                }
            }
            ast::Stmt::Assign {
                target,
                index,
                value,
                ..
            } => {
                let v = self.expr(value);
                if let (Some(i), Some(Binding::PlaceArray(places))) =
                    (index, self.resolve_quietly(target))
                {
                    self.write_array_element(target, &places, i, v);
                } else if let Some(p) = self.place_of(target, index.as_ref()) {
                    self.emit(Stmt::Assign(p, v));
                }
            }
            ast::Stmt::Expr(e) => match e {
                ast::Expr::Call { name, args, span } => {
                    self.call(name, args, *span, false);
                }
                other => {
                    self.expr(other);
                }
            },
            ast::Stmt::If {
                cond,
                then,
                otherwise,
                ..
            } => {
                let c = self.expr(cond);
                let t = self.collect(|b| b.block(then));
                let o = match otherwise {
                    Some(o) => self.collect(|b| b.stmt(o)),
                    None => Vec::new(),
                };
                self.emit(Stmt::If {
                    cond: c,
                    then: t,
                    otherwise: o,
                });
            }
            ast::Stmt::While { cond, body, .. } => {
                let pre = self.collect(|b| {
                    b.expr(cond);
                });
                let mut c = Expr::Const(0.0);
                let pre2 = self.collect(|b| c = b.expr(cond));
                for s in pre {
                    self.emit(s);
                }
                let mut body_stmts = self.collect(|b| b.block(body));
                body_stmts.extend(pre2);
                self.emit(Stmt::While {
                    cond: c,
                    body: body_stmts,
                });
            }
            ast::Stmt::FromTo {
                var,
                from,
                to,
                by,
                body,
                ..
            } => {
                // FROM i = a TO b BY c: i is a fresh integer local, inclusive upper bound.
                self.push_scope();
                let i = self.new_local(&var.name);
                let lim = self.new_local(&format!("{}.to", var.name));
                let step = self.new_local(&format!("{}.by", var.name));
                let f = self.expr(from);
                let t = self.expr(to);
                let b = by
                    .as_ref()
                    .map(|b| self.expr(b))
                    .unwrap_or(Expr::Const(1.0));
                self.emit(Stmt::Assign(Place::Local(i), f));
                self.emit(Stmt::Assign(Place::Local(lim), t));
                self.emit(Stmt::Assign(Place::Local(step), b));
                self.bind(&var.name, Binding::Place(Place::Local(i)));
                let mut body_stmts = self.collect(|bb| bb.block(body));
                body_stmts.push(Stmt::Assign(
                    Place::Local(i),
                    bin(
                        BinaryOp::Add,
                        load(Place::Local(i)),
                        load(Place::Local(step)),
                    ),
                ));
                self.emit(Stmt::While {
                    cond: bin(BinaryOp::Le, load(Place::Local(i)), load(Place::Local(lim))),
                    body: body_stmts,
                });
                self.pop_scope();
            }
            ast::Stmt::Block(b) => self.block(b),
            ast::Stmt::Protect(inner, _) => self.stmt(inner),
            ast::Stmt::MutexLock(_) | ast::Stmt::MutexUnlock(_) => {}
            ast::Stmt::Table { .. } => {
                // Handled when the enclosing callable becomes a table; inlined bodies skip it.
            }
            ast::Stmt::Solve { block, span, .. } => {
                if self.kind == KernelKind::Init {
                    super::solve::solve_in_initial(self, s);
                } else {
                    self.error(
                        *span,
                        format!(
                            "SOLVE {} is only allowed in BREAKPOINT or INITIAL",
                            block.name
                        ),
                    );
                }
            }
            ast::Stmt::Verbatim(text, span) => {
                if !super::verbatim_is_trivial(text) {
                    self.error(*span, "unsupported C code in VERBATIM block");
                }
            }
            ast::Stmt::Derivative { span, .. } => {
                self.error(*span, "a derivative equation is only allowed in DERIVATIVE")
            }
            ast::Stmt::Reaction { span, .. }
            | ast::Stmt::Conserve { span, .. }
            | ast::Stmt::Compartment { span, .. } => {
                self.error(*span, "reactions are only allowed in KINETIC")
            }
            ast::Stmt::Equation { span, .. } => {
                self.error(*span, "`~ a = b` is only allowed in LINEAR/NONLINEAR")
            }
            ast::Stmt::LongitudinalDiffusion { span, .. } => {
                self.error(*span, "LONGITUDINAL_DIFFUSION is not supported")
            }
            ast::Stmt::Watch { span, .. } => self.error(*span, "WATCH is not supported yet"),
            ast::Stmt::ForNetcons { span, .. } => {
                self.error(*span, "FOR_NETCONS is not supported yet")
            }
            ast::Stmt::Initial(b) => self.error(
                b.span,
                "INITIAL is only allowed at top level or in NET_RECEIVE",
            ),
            ast::Stmt::Error(span) => self.error(*span, "invalid statement"),
        }
    }
}

pub(crate) fn binop(op: AB) -> BinaryOp {
    match op {
        AB::Add => BinaryOp::Add,
        AB::Sub => BinaryOp::Sub,
        AB::Mul => BinaryOp::Mul,
        AB::Div => BinaryOp::Div,
        AB::Pow => BinaryOp::Pow,
        AB::Lt => BinaryOp::Lt,
        AB::Le => BinaryOp::Le,
        AB::Gt => BinaryOp::Gt,
        AB::Ge => BinaryOp::Ge,
        AB::Eq => BinaryOp::Eq,
        AB::Ne => BinaryOp::Ne,
        AB::And => BinaryOp::And,
        AB::Or => BinaryOp::Or,
    }
}
