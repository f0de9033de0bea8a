//! Expressions, by precedence climbing.
//!
//! Precedence from low to high, as in nocmodl's `parse1.ypp`: `||`; `&&`; comparisons
//! (`> >= < <= == !=`); `+ -`; `* /`; unary `-` and `!`; `^` (right-associative). So `-x^2`
//! is `-(x^2)`, `2^-x` is `2^(-x)` and `a^b^c` is `a^(b^c)`. A number may be followed by units
//! (`2 (mV)`), which are read and dropped.
//!
//! Every parse function returns the tree height with the expression so that absurdly long
//! operator chains are cut off at [`MAX_EXPR_HEIGHT`] instead of producing a tree whose
//! recursive drop or traversal would overflow the stack.

use super::{Parser, MAX_EXPR_HEIGHT};
use crate::ast::{BinaryOp, Expr, Ident, Span, UnaryOp};
use crate::lexer::TokenKind;

fn binary_op(kind: TokenKind) -> Option<(BinaryOp, u8)> {
    use TokenKind::*;
    Some(match kind {
        OrOr => (BinaryOp::Or, 1),
        AndAnd => (BinaryOp::And, 2),
        Lt => (BinaryOp::Lt, 3),
        Le => (BinaryOp::Le, 3),
        Gt => (BinaryOp::Gt, 3),
        Ge => (BinaryOp::Ge, 3),
        EqEq => (BinaryOp::Eq, 3),
        Ne => (BinaryOp::Ne, 3),
        Plus => (BinaryOp::Add, 4),
        Minus => (BinaryOp::Sub, 4),
        Star => (BinaryOp::Mul, 5),
        Slash => (BinaryOp::Div, 5),
        _ => return None,
    })
}

fn join(a: Span, b: Span) -> Span {
    Span {
        start: a.start.min(b.start),
        end: a.end.max(b.end),
    }
}

impl Parser<'_> {
    /// A full expression.
    pub(crate) fn expr(&mut self) -> Expr {
        self.binary(0).0
    }

    /// A unary-level expression (used for WATCH flags).
    pub(crate) fn unary_expr(&mut self) -> Expr {
        self.unary().0
    }

    fn combine(&mut self, op: BinaryOp, lhs: (Expr, u32), rhs: (Expr, u32)) -> (Expr, u32) {
        let height = lhs.1.max(rhs.1) + 1;
        let span = join(lhs.0.span(), rhs.0.span());
        if height > MAX_EXPR_HEIGHT {
            if !matches!(lhs.0, Expr::Error(_)) {
                self.error(
                    span,
                    format!(
                        "expression is too long (more than {MAX_EXPR_HEIGHT} nested operations)"
                    ),
                );
            }
            return (Expr::Error(span), 1);
        }
        (
            Expr::Binary {
                op,
                lhs: Box::new(lhs.0),
                rhs: Box::new(rhs.0),
                span,
            },
            height,
        )
    }

    fn binary(&mut self, min_prec: u8) -> (Expr, u32) {
        let mut lhs = self.unary();
        while let Some((op, prec)) = binary_op(self.peek().kind) {
            if prec < min_prec {
                break;
            }
            self.bump();
            let rhs = self.binary(prec + 1);
            lhs = self.combine(op, lhs, rhs);
        }
        lhs
    }

    fn unary(&mut self) -> (Expr, u32) {
        let t = self.peek();
        let op = match t.kind {
            TokenKind::Minus => UnaryOp::Neg,
            TokenKind::Not => UnaryOp::Not,
            _ => return self.power(),
        };
        self.bump();
        if !self.enter() {
            self.too_deep();
            return (Expr::Error(t.span), 1);
        }
        let (operand, height) = self.unary();
        self.leave();
        let span = join(t.span, operand.span());
        (
            Expr::Unary {
                op,
                operand: Box::new(operand),
                span,
            },
            height + 1,
        )
    }

    fn power(&mut self) -> (Expr, u32) {
        let base = self.primary();
        if self.eat(TokenKind::Caret).is_none() {
            return base;
        }
        if !self.enter() {
            self.too_deep();
            return (Expr::Error(base.0.span()), 1);
        }
        let exponent = self.unary();
        self.leave();
        self.combine(BinaryOp::Pow, base, exponent)
    }

    fn primary(&mut self) -> (Expr, u32) {
        let t = self.peek();
        match t.kind {
            TokenKind::Number => {
                self.bump();
                let text = self.token_text(t).to_owned();
                let value = text.parse::<f64>().unwrap_or(f64::NAN);
                self.units();
                (
                    Expr::Number {
                        value,
                        text,
                        span: t.span,
                    },
                    1,
                )
            }
            TokenKind::Str => {
                self.bump();
                let text = self.token_text(t);
                let inner = text.strip_prefix('"').unwrap_or(text);
                let inner = inner.strip_suffix('"').unwrap_or(inner);
                (Expr::Str(inner.to_owned(), t.span), 1)
            }
            TokenKind::Ident => {
                self.bump();
                let name = self.ident(t);
                let defined = if self.defines.is_empty() {
                    None
                } else {
                    self.defines.get(&name.name).cloned()
                };
                if let Some((value, text)) = defined {
                    return (
                        Expr::Number {
                            value,
                            text,
                            span: t.span,
                        },
                        1,
                    );
                }
                if self.at(TokenKind::LParen) {
                    return (self.call(name), 2);
                }
                if self.eat(TokenKind::LBracket).is_some() {
                    if !self.enter() {
                        self.too_deep();
                        return (Expr::Error(t.span), 1);
                    }
                    let (index, height) = self.binary(0);
                    self.leave();
                    self.expect(
                        TokenKind::RBracket,
                        &format!("after the index of `{}`", name.name),
                    );
                    return (
                        Expr::Var {
                            name,
                            index: Some(Box::new(index)),
                        },
                        height + 1,
                    );
                }
                (Expr::Var { name, index: None }, 1)
            }
            TokenKind::LParen => {
                if !self.enter() {
                    self.too_deep();
                    return (Expr::Error(t.span), 1);
                }
                self.bump();
                let inner = self.binary(0);
                self.leave();
                self.expect(TokenKind::RParen, "to close `(`");
                inner
            }
            _ => {
                let found = self.describe_token(t);
                self.error(t.span, format!("expected an expression, found {found}"));
                (
                    Expr::Error(Span {
                        start: t.span.start,
                        end: t.span.start,
                    }),
                    1,
                )
            }
        }
    }

    /// `name(args)`; the `(` is next. Arguments may be strings (printf formats).
    pub(crate) fn call(&mut self, name: Ident) -> Expr {
        let open = self.bump();
        let mut args = Vec::new();
        if !self.enter() {
            self.too_deep();
            return Expr::Error(join(name.span, open.span));
        }
        if self.eat(TokenKind::RParen).is_none() {
            loop {
                args.push(self.expr());
                if self.eat(TokenKind::Comma).is_none() {
                    break;
                }
            }
            self.expect(
                TokenKind::RParen,
                &format!("to close the arguments of `{}`", name.name),
            );
        }
        self.leave();
        let span = Span {
            start: name.span.start,
            end: self.prev_end.max(name.span.end),
        };
        Expr::Call { name, args, span }
    }
}
