//! Second pass: every block body — names resolve, statements sit in blocks that allow them,
//! SOLVE targets and methods match, calls have the right number of arguments, VERBATIM holds
//! no C code.

use super::symbols::SymbolKind;
use super::{verbatim, Checker, Scope};
use crate::ast::{Block, Item, Param, ReactionKind, Span, Stmt};
use crate::diagnostic::Diagnostic;

/// The kind of block whose body is being checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Context {
    Initial,
    Breakpoint,
    Derivative,
    Kinetic,
    Linear,
    NonLinear,
    Procedure,
    Function,
    NetReceive,
    Other,
}

/// Integration methods nocmodl knows (`init.cpp`) and the blocks each one can solve.
pub(super) const METHODS: &[(&str, &[SymbolKind])] = &[
    ("cnexp", &[SymbolKind::DerivativeBlock]),
    ("derivimplicit", &[SymbolKind::DerivativeBlock]),
    (
        "euler",
        &[SymbolKind::DerivativeBlock, SymbolKind::KineticBlock],
    ),
    (
        "runge",
        &[SymbolKind::DerivativeBlock, SymbolKind::KineticBlock],
    ),
    (
        "adams",
        &[SymbolKind::DerivativeBlock, SymbolKind::KineticBlock],
    ),
    (
        "heun",
        &[SymbolKind::DerivativeBlock, SymbolKind::KineticBlock],
    ),
    (
        "gear",
        &[SymbolKind::DerivativeBlock, SymbolKind::KineticBlock],
    ),
    (
        "adeuler",
        &[SymbolKind::DerivativeBlock, SymbolKind::KineticBlock],
    ),
    (
        "adrunge",
        &[SymbolKind::DerivativeBlock, SymbolKind::KineticBlock],
    ),
    (
        "clsoda",
        &[SymbolKind::DerivativeBlock, SymbolKind::KineticBlock],
    ),
    ("sparse", &[SymbolKind::KineticBlock]),
    ("_advance", &[SymbolKind::KineticBlock]),
    ("simeq", &[SymbolKind::LinearBlock]),
    ("seidel", &[SymbolKind::LinearBlock]),
    ("newton", &[SymbolKind::NonLinearBlock]),
    ("simplex", &[SymbolKind::NonLinearBlock]),
    ("after_cvode", &[SymbolKind::Procedure]),
    ("cvode_t", &[SymbolKind::Procedure]),
    ("cvode_t_v", &[SymbolKind::Procedure]),
];

impl<'a> Checker<'a> {
    pub(super) fn check_bodies(&mut self) {
        let program = self.program;
        for item in &program.items {
            self.current_function = None;
            match item {
                Item::Initial(b) => self.in_context(Context::Initial, b),
                Item::Breakpoint(b) => self.in_context(Context::Breakpoint, b),
                Item::Derivative { body, .. } => self.in_context(Context::Derivative, body),
                Item::Kinetic { body, .. } => self.in_context(Context::Kinetic, body),
                Item::Linear { body, .. } => self.in_context(Context::Linear, body),
                Item::NonLinear { body, .. } => self.in_context(Context::NonLinear, body),
                Item::Procedure(c) => self.callable(Context::Procedure, &c.params, &c.body),
                Item::Function(c) => {
                    self.current_function = Some(&c.name.name);
                    self.callable(Context::Function, &c.params, &c.body);
                }
                Item::NetReceive { params, body } => {
                    if params.is_empty() {
                        self.report(
                            Diagnostic::error(
                                body.span,
                                "NET_RECEIVE must have at least one argument",
                            )
                            .with_hint("write NET_RECEIVE(weight) { … }"),
                        );
                    }
                    self.net_receive_arity = Some(params.len());
                    let mut scope = self.param_scope(params);
                    scope.insert("flag".to_owned(), None);
                    self.scopes.push(scope);
                    self.in_context(Context::NetReceive, body);
                    self.scopes.pop();
                }
                Item::BeforeAfter { body, .. }
                | Item::Constructor(body)
                | Item::Destructor(body) => self.in_context(Context::Other, body),
                Item::Verbatim(text, span) => self.verbatim(text, *span),
                _ => {}
            }
        }
    }

    fn in_context(&mut self, context: Context, body: &Block) {
        self.context = context;
        self.block(body);
        self.context = Context::Other;
    }

    fn param_scope(&mut self, params: &[Param]) -> Scope {
        let mut scope = Scope::default();
        for p in params {
            if scope.insert(p.name.name.clone(), None).is_some() {
                self.report(Diagnostic::error(
                    p.name.span,
                    format!("argument `{}` appears twice", p.name.name),
                ));
            }
        }
        scope
    }

    fn callable(&mut self, context: Context, params: &[Param], body: &Block) {
        let scope = self.param_scope(params);
        self.scopes.push(scope);
        self.in_context(context, body);
        self.scopes.pop();
    }

    fn block(&mut self, block: &Block) {
        self.scopes.push(Scope::default());
        for stmt in &block.stmts {
            self.stmt(stmt);
        }
        self.scopes.pop();
    }

    fn require(&mut self, allowed: &[Context], span: Span, what: &str, where_: &str) {
        if !allowed.contains(&self.context) {
            self.report(Diagnostic::error(
                span,
                format!("{what} is only allowed in {where_}"),
            ));
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Local(decls, _) => {
                let scope = self.scopes.last_mut().expect("block scope");
                let mut duplicates = Vec::new();
                for d in decls {
                    if scope.insert(d.name.name.clone(), d.array_len).is_some() {
                        duplicates.push(d.name.clone());
                    }
                }
                for name in duplicates {
                    self.report(Diagnostic::error(
                        name.span,
                        format!("LOCAL `{}` is declared twice", name.name),
                    ));
                }
            }
            Stmt::Assign {
                target,
                index,
                value,
                ..
            } => {
                self.assign_target(target, index.is_some());
                if let Some(i) = index {
                    self.expr(i);
                }
                self.expr(value);
            }
            Stmt::Derivative {
                state,
                index,
                value,
                span,
                ..
            } => {
                self.require(
                    &[Context::Derivative],
                    *span,
                    "a derivative equation `x' = …`",
                    "DERIVATIVE blocks",
                );
                match self.table.get(&state.name).map(|s| s.kind) {
                    Some(SymbolKind::State) => {}
                    Some(kind) => self.report(Diagnostic::error(
                        state.span,
                        format!(
                            "`{}'` is a derivative of `{}`, which is {}, not a STATE",
                            state.name,
                            state.name,
                            kind.describe()
                        ),
                    )),
                    None => self.undeclared(state),
                }
                if let Some(i) = index {
                    self.expr(i);
                }
                self.expr(value);
            }
            Stmt::Expr(e) => self.expr(e),
            Stmt::If {
                cond,
                then,
                otherwise,
                ..
            } => {
                self.expr(cond);
                self.block(then);
                if let Some(other) = otherwise {
                    self.stmt(other);
                }
            }
            Stmt::While { cond, body, .. } => {
                self.expr(cond);
                self.block(body);
            }
            Stmt::FromTo {
                var,
                from,
                to,
                by,
                body,
                ..
            } => {
                self.expr(from);
                self.expr(to);
                if let Some(b) = by {
                    self.expr(b);
                }
                self.scopes
                    .push(Scope::from_iter([(var.name.clone(), None)]));
                self.block(body);
                self.scopes.pop();
            }
            Stmt::Solve {
                block,
                method,
                steadystate,
                span,
            } => self.solve(block, method.as_ref(), steadystate.as_ref(), *span),
            Stmt::Reaction {
                lhs,
                rhs,
                kind,
                span,
                ..
            } => {
                self.require(
                    &[Context::Kinetic],
                    *span,
                    "a `~` reaction",
                    "KINETIC blocks",
                );
                for term in lhs.iter().chain(rhs) {
                    self.value_use(&term.name, term.index.is_some());
                    if let Some(i) = &term.index {
                        self.expr(i);
                    }
                }
                match kind {
                    ReactionKind::Reversible { forward, backward } => {
                        self.expr(forward);
                        self.expr(backward);
                    }
                    ReactionKind::Flux(e) | ReactionKind::Forward(e) => self.expr(e),
                }
            }
            Stmt::Equation { lhs, rhs, span } => {
                self.require(
                    &[Context::Linear, Context::NonLinear],
                    *span,
                    "a `~` equation",
                    "LINEAR and NONLINEAR blocks",
                );
                self.expr(lhs);
                self.expr(rhs);
            }
            Stmt::Conserve { lhs, rhs, span } => {
                self.require(&[Context::Kinetic], *span, "CONSERVE", "KINETIC blocks");
                self.expr(lhs);
                self.expr(rhs);
            }
            Stmt::Compartment {
                index,
                volume: amount,
                states,
                span,
            }
            | Stmt::LongitudinalDiffusion {
                index,
                rate: amount,
                states,
                span,
            } => {
                let what = if matches!(stmt, Stmt::Compartment { .. }) {
                    "COMPARTMENT"
                } else {
                    "LONGITUDINAL_DIFFUSION"
                };
                self.require(&[Context::Kinetic], *span, what, "KINETIC blocks");
                let scope = index.iter().map(|i| (i.name.clone(), None)).collect();
                self.scopes.push(scope);
                self.expr(amount);
                self.scopes.pop();
                // Non-STATE names are allowed (nocmodl ignores them).
                for s in states {
                    self.value_use(s, false);
                }
            }
            Stmt::Table {
                names,
                depend,
                from,
                to,
                with,
                span,
            } => {
                self.require(
                    &[Context::Procedure, Context::Function],
                    *span,
                    "TABLE",
                    "PROCEDURE and FUNCTION blocks",
                );
                for name in names.iter().chain(depend) {
                    self.value_use(name, false);
                }
                self.expr(from);
                self.expr(to);
                self.expr(with);
            }
            Stmt::Watch { cond, flag, span } => {
                self.require(
                    &[Context::NetReceive, Context::Initial],
                    *span,
                    "WATCH",
                    "NET_RECEIVE and INITIAL blocks",
                );
                self.expr(cond);
                self.expr(flag);
            }
            Stmt::ForNetcons { params, body, span } => {
                self.require(
                    &[Context::NetReceive],
                    *span,
                    "FOR_NETCONS",
                    "NET_RECEIVE blocks",
                );
                if let Some(n) = self.net_receive_arity {
                    if n != params.len() {
                        self.report(Diagnostic::error(
                            *span,
                            format!(
                                "FOR_NETCONS has {} arguments but NET_RECEIVE has {n}",
                                params.len()
                            ),
                        ));
                    }
                }
                let scope = self.param_scope(params);
                self.scopes.push(scope);
                self.block(body);
                self.scopes.pop();
            }
            Stmt::Initial(b) => {
                self.require(
                    &[Context::NetReceive],
                    b.span,
                    "an INITIAL block inside a block",
                    "NET_RECEIVE",
                );
                self.block(b);
            }
            Stmt::Block(b) => self.block(b),
            Stmt::Verbatim(text, span) => self.verbatim(text, *span),
            Stmt::Protect(inner, _) => self.stmt(inner),
            Stmt::MutexLock(_) | Stmt::MutexUnlock(_) | Stmt::Error(_) => {}
        }
    }

    fn verbatim(&mut self, text: &str, span: Span) {
        if !verbatim::is_harmless(text) {
            self.report(
                Diagnostic::error(span, "unsupported C code in VERBATIM block (bmtk-rs cannot run C)")
                    .with_hint("only #include, #define, extern declarations and comments are accepted in VERBATIM"),
            );
        }
    }
}
