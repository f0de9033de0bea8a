//! Name uses inside block bodies: values, assignment targets, expressions, calls and SOLVE
//! statements, each resolved against local scopes and the symbol table.

use super::body::METHODS;
use super::symbols::{builtin_arity, builtin_kind, SymbolKind};
use super::Checker;
use crate::ast::{Expr, Ident, Span};
use crate::diagnostic::{closest, Diagnostic};

impl Checker<'_> {
    pub(super) fn local(&self, name: &str) -> Option<Option<usize>> {
        self.scopes.iter().rev().find_map(|s| s.get(name).copied())
    }

    pub(super) fn undeclared(&mut self, name: &Ident) {
        let mut d = Diagnostic::error(name.span, format!("`{}` is not declared", name.name));
        if let Some(best) = self.suggestion(&name.name) {
            d = d.with_hint(format!("did you mean `{best}`?"));
        }
        self.report(d);
    }

    /// A name used as a value (`x` or `x[i]`).
    pub(super) fn value_use(&mut self, name: &Ident, indexed: bool) {
        if let Some(array_len) = self.local(&name.name) {
            if indexed && array_len.is_none() {
                self.report(Diagnostic::error(
                    name.span,
                    format!("`{}` is indexed but is not an array", name.name),
                ));
            }
            return;
        }
        if self.current_function == Some(name.name.as_str()) {
            return;
        }
        if let Some(symbol) = self.table.get(&name.name) {
            let (kind, array_len) = (symbol.kind, symbol.array_len);
            if !kind.is_value() {
                self.report(Diagnostic::error(
                    name.span,
                    format!(
                        "`{}` is {} and cannot be used as a value",
                        name.name,
                        kind.describe()
                    ),
                ));
            } else if indexed && array_len.is_none() {
                self.report(Diagnostic::error(
                    name.span,
                    format!("`{}` is indexed but is not an array", name.name),
                ));
            }
            return;
        }
        match builtin_kind(&name.name) {
            Some(SymbolKind::BuiltinFunction) => self.report(Diagnostic::error(
                name.span,
                format!(
                    "`{}` is a built-in function and cannot be used as a value",
                    name.name
                ),
            )),
            Some(_) => {}
            None if self.is_implicit_state0(&name.name) => {}
            None => self.undeclared(name),
        }
    }

    /// nocmodl declares `<state>0` (the initial value of STATE `state`) as a PARAMETER when
    /// the file does not, so `m = m0` is legal without a declaration.
    fn is_implicit_state0(&self, name: &str) -> bool {
        name.strip_suffix('0')
            .and_then(|state| self.table.get(state))
            .is_some_and(|s| s.kind == SymbolKind::State)
    }

    pub(super) fn assign_target(&mut self, name: &Ident, indexed: bool) {
        if self.local(&name.name).is_none() && self.current_function != Some(name.name.as_str()) {
            if let Some(kind) = self.table.kind_of(&name.name) {
                if kind.is_constant() {
                    self.report(Diagnostic::error(
                        name.span,
                        format!(
                            "cannot assign to `{}`, which is {}",
                            name.name,
                            kind.describe()
                        ),
                    ));
                    return;
                }
            }
        }
        self.value_use(name, indexed);
    }

    pub(super) fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Number { .. } | Expr::Error(_) => {}
            Expr::Str(_, span) => self.report(Diagnostic::error(
                *span,
                "a string can only be an argument of printf",
            )),
            Expr::Var { name, index } => {
                self.value_use(name, index.is_some());
                if let Some(i) = index {
                    self.expr(i);
                }
            }
            Expr::Unary { operand, .. } => self.expr(operand),
            Expr::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            Expr::Call { name, args, .. } => {
                self.call(name, args.len());
                for a in args {
                    if !matches!(a, Expr::Str(..)) {
                        self.expr(a);
                    }
                }
            }
        }
    }

    pub(super) fn call(&mut self, name: &Ident, argc: usize) {
        let (what, arity) = if self.local(&name.name).is_some() {
            self.report(Diagnostic::error(
                name.span,
                format!("`{}` is a local variable, not a function", name.name),
            ));
            return;
        } else if let Some(symbol) = self.table.get(&name.name) {
            if !symbol.kind.is_callable() {
                let message = format!(
                    "`{}` is {}, not a function",
                    name.name,
                    symbol.kind.describe()
                );
                self.report(Diagnostic::error(name.span, message));
                return;
            }
            (symbol.kind.describe(), symbol.arity)
        } else if let Some(arity) = builtin_arity(&name.name) {
            ("built-in function", arity)
        } else {
            let callables = self
                .table
                .iter()
                .filter(|s| s.kind.is_callable())
                .map(|s| s.name.as_str())
                .chain(super::BUILTIN_FUNCTIONS.iter().map(|(n, _)| *n));
            let mut d = Diagnostic::error(
                name.span,
                format!("call to unknown function `{}`", name.name),
            );
            if let Some(best) = closest(&name.name, callables) {
                d = d.with_hint(format!("did you mean `{best}`?"));
            }
            self.report(d);
            return;
        };
        if let Some(expected) = arity {
            if expected != argc {
                let plural = if expected == 1 { "" } else { "s" };
                self.report(Diagnostic::error(
                    name.span,
                    format!(
                        "`{}` ({what}) takes {expected} argument{plural} but is called with {argc}",
                        name.name
                    ),
                ));
            }
        }
    }

    pub(super) fn solve(
        &mut self,
        block: &Ident,
        method: Option<&Ident>,
        steadystate: Option<&Ident>,
        span: Span,
    ) {
        // nocmodl accepts SOLVE in any procedural block (e.g. `FUNCTION ss() { SOLVE state
        // STEADYSTATE sparse }`), so its position is not checked.
        let _ = span;
        let kind = match self.table.get(&block.name).map(|s| s.kind) {
            Some(
                kind @ (SymbolKind::DerivativeBlock
                | SymbolKind::KineticBlock
                | SymbolKind::LinearBlock
                | SymbolKind::NonLinearBlock
                | SymbolKind::Procedure),
            ) => kind,
            Some(kind) => {
                self.report(Diagnostic::error(
                    block.span,
                    format!("cannot SOLVE `{}`: it is {}, not a DERIVATIVE, KINETIC, LINEAR, NONLINEAR or PROCEDURE block", block.name, kind.describe()),
                ));
                return;
            }
            None => {
                let blocks = self.table.iter().filter(|s| {
                    matches!(
                        s.kind,
                        SymbolKind::DerivativeBlock
                            | SymbolKind::KineticBlock
                            | SymbolKind::LinearBlock
                            | SymbolKind::NonLinearBlock
                            | SymbolKind::Procedure
                    )
                });
                let best = closest(&block.name, blocks.map(|s| s.name.as_str())).map(str::to_owned);
                let mut d = Diagnostic::error(
                    block.span,
                    format!(
                        "SOLVE names `{}`, which is not a block in this file",
                        block.name
                    ),
                );
                if let Some(best) = best {
                    d = d.with_hint(format!("did you mean `{best}`?"));
                }
                self.report(d);
                return;
            }
        };
        if let Some(method) = method {
            match METHODS.iter().find(|(m, _)| *m == method.name) {
                Some((_, kinds)) if kinds.contains(&kind) => {}
                Some(_) => {
                    let valid: Vec<&str> = METHODS
                        .iter()
                        .filter(|(_, k)| k.contains(&kind))
                        .map(|(m, _)| *m)
                        .collect();
                    let hint = if valid.is_empty() {
                        "a PROCEDURE is solved without METHOD".to_owned()
                    } else {
                        format!("methods for {}: {}", kind.describe(), valid.join(", "))
                    };
                    self.report(
                        Diagnostic::error(
                            method.span,
                            format!(
                                "METHOD {} cannot solve `{}`, which is {}",
                                method.name,
                                block.name,
                                kind.describe()
                            ),
                        )
                        .with_hint(hint),
                    );
                }
                None => {
                    let mut d = Diagnostic::error(
                        method.span,
                        format!("unknown integration method `{}`", method.name),
                    );
                    if let Some(best) = closest(&method.name, METHODS.iter().map(|(m, _)| *m)) {
                        d = d.with_hint(format!("did you mean `{best}`?"));
                    }
                    self.report(d);
                }
            }
        }
        if let Some(method) = steadystate {
            let ok = match method.name.as_str() {
                "sparse" => kind == SymbolKind::KineticBlock,
                "derivimplicit" => kind == SymbolKind::DerivativeBlock,
                _ => false,
            };
            if !ok {
                self.report(
                    Diagnostic::error(
                        method.span,
                        format!("STEADYSTATE {} cannot solve `{}`, which is {}", method.name, block.name, kind.describe()),
                    )
                    .with_hint("use STEADYSTATE sparse for KINETIC and STEADYSTATE derivimplicit for DERIVATIVE blocks"),
                );
            }
        }
    }
}
