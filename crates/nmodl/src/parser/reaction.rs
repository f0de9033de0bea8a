//! `~` statements (reactions in KINETIC, equations in LINEAR/NONLINEAR) and their terms,
//! shared with CONSERVE.

use super::{BlockKind, Parser};
use crate::ast::{Expr, ReactionKind, ReactionTerm, Span, Stmt};
use crate::lexer::TokenKind;

impl Parser<'_> {
    /// `~` statement: a reaction in KINETIC (and by default elsewhere, where sema reports it),
    /// an equation in LINEAR/NONLINEAR.
    pub(super) fn tilde_statement(&mut self) -> Option<Stmt> {
        let start = self.bump().span.start;
        if self.block_kind == BlockKind::Equations {
            let lhs = self.expr();
            if self.expect(TokenKind::Assign, "in `~` equation").is_none() {
                self.recover_statement();
                return None;
            }
            let rhs = self.expr();
            return Some(Stmt::Equation {
                lhs,
                rhs,
                span: self.span_from(start),
            });
        }
        let lhs = self.reaction_terms("after `~`")?;
        let arrow = self.peek();
        let kind = match arrow.kind {
            TokenKind::Reversible => {
                self.bump();
                let rhs = self.reaction_terms("after `<->`")?;
                let rates = self.rate_list(2)?;
                let mut rates = rates.into_iter();
                let forward = rates.next()?;
                let backward = rates.next()?;
                return Some(Stmt::Reaction {
                    lhs,
                    rhs,
                    kind: ReactionKind::Reversible { forward, backward },
                    span: self.span_from(start),
                });
            }
            TokenKind::Flux => {
                self.bump();
                ReactionKind::Flux(self.rate_list(1)?.pop()?)
            }
            TokenKind::Arrow => {
                self.bump();
                let rhs = if self.at(TokenKind::LParen) {
                    Vec::new()
                } else {
                    self.reaction_terms("after `->`")?
                };
                let rate = self.rate_list(1)?.pop()?;
                return Some(Stmt::Reaction {
                    lhs,
                    rhs,
                    kind: ReactionKind::Forward(rate),
                    span: self.span_from(start),
                });
            }
            _ => {
                self.error_expected("`<->`, `<<` or `->`", "in reaction");
                self.recover_statement();
                return None;
            }
        };
        Some(Stmt::Reaction {
            lhs,
            rhs: Vec::new(),
            kind,
            span: self.span_from(start),
        })
    }

    /// `(e)` or `(e1, e2)` rates of a reaction.
    fn rate_list(&mut self, count: usize) -> Option<Vec<Expr>> {
        if self
            .expect(TokenKind::LParen, "before the reaction rates")
            .is_none()
        {
            self.recover_statement();
            return None;
        }
        let mut rates = vec![self.expr()];
        while rates.len() < count {
            if self
                .expect(TokenKind::Comma, "between forward and backward rates")
                .is_none()
            {
                self.recover_statement();
                return None;
            }
            rates.push(self.expr());
        }
        if self
            .expect(TokenKind::RParen, "after the reaction rates")
            .is_none()
        {
            self.recover_statement();
            return None;
        }
        Some(rates)
    }

    /// `2 A + B[i] + …`.
    pub(super) fn reaction_terms(&mut self, context: &str) -> Option<Vec<ReactionTerm>> {
        let mut terms = Vec::new();
        loop {
            let mut coefficient = 1;
            if self.at(TokenKind::Number) {
                let t = self.bump();
                let text = self.token_text(t);
                match text.parse::<u32>() {
                    Ok(c) if c > 0 => coefficient = c,
                    _ => self.error(
                        t.span,
                        format!(
                            "stoichiometric coefficient must be a positive integer, found `{text}`"
                        ),
                    ),
                }
            }
            let Some(name) = self.expect_ident(context) else {
                self.recover_statement();
                return None;
            };
            let index = if self.eat(TokenKind::LBracket).is_some() {
                let e = self.expr();
                self.expect(
                    TokenKind::RBracket,
                    &format!("after the index of `{}`", name.name),
                );
                Some(e)
            } else {
                None
            };
            terms.push(ReactionTerm {
                coefficient,
                name,
                index,
            });
            if self.eat(TokenKind::Plus).is_none() {
                return Some(terms);
            }
        }
    }
}

/// `2 A + B` as the expression `2*A + B` (the left side of CONSERVE).
pub(super) fn terms_to_expr(terms: Vec<ReactionTerm>) -> Expr {
    let mut result: Option<Expr> = None;
    for term in terms {
        let span = term.name.span;
        let var = Expr::Var {
            name: term.name,
            index: term.index.map(Box::new),
        };
        let value = if term.coefficient == 1 {
            var
        } else {
            let c = term.coefficient;
            let number = Expr::Number {
                value: f64::from(c),
                text: c.to_string(),
                span,
            };
            Expr::Binary {
                op: crate::ast::BinaryOp::Mul,
                lhs: Box::new(number),
                rhs: Box::new(var),
                span,
            }
        };
        result = Some(match result {
            None => value,
            Some(acc) => {
                let span = Span {
                    start: acc.span().start,
                    end: value.span().end,
                };
                Expr::Binary {
                    op: crate::ast::BinaryOp::Add,
                    lhs: Box::new(acc),
                    rhs: Box::new(value),
                    span,
                }
            }
        });
    }
    result.unwrap_or(Expr::Error(Span::default()))
}
