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
                let (forward, forward_bare) = rates.next()?;
                let (backward, backward_bare) = rates.next()?;
                return Some(Stmt::Reaction {
                    lhs,
                    rhs,
                    kind: ReactionKind::Reversible { forward, backward },
                    bare_rates: [forward_bare, backward_bare],
                    span: self.span_from(start),
                });
            }
            TokenKind::Flux => {
                self.bump();
                ReactionKind::Flux(self.rate_list(1)?.pop()?.0)
            }
            TokenKind::Arrow => {
                self.bump();
                let rhs = if self.at(TokenKind::LParen) {
                    Vec::new()
                } else {
                    self.reaction_terms("after `->`")?
                };
                let (rate, bare) = self.rate_list(1)?.pop()?;
                return Some(Stmt::Reaction {
                    lhs,
                    rhs,
                    kind: ReactionKind::Forward(rate),
                    bare_rates: [bare, false],
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
            // nocmodl parenthesises flux rates itself (`(f_flux = (rate) * A)`).
            bare_rates: [false, false],
            span: self.span_from(start),
        })
    }

    /// `(e)` or `(e1, e2)` rates of a reaction.
    fn rate_list(&mut self, count: usize) -> Option<Vec<(Expr, bool)>> {
        if self
            .expect(TokenKind::LParen, "before the reaction rates")
            .is_none()
        {
            self.recover_statement();
            return None;
        }
        let mut rates = vec![self.rate()];
        while rates.len() < count {
            if self
                .expect(TokenKind::Comma, "between forward and backward rates")
                .is_none()
            {
                self.recover_statement();
                return None;
            }
            rates.push(self.rate());
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

    /// One rate expression and whether it is bare (not wholly enclosed in parentheses).
    fn rate(&mut self) -> (Expr, bool) {
        let start = self.peek().span.start;
        let rate = self.expr();
        let text = self.slice(Span {
            start,
            end: self.prev_end.max(start),
        });
        (rate, !wholly_parenthesised(text))
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

/// Whether `text` is one parenthesised group: `(a + b)` but not `(a) + (b)`.
fn wholly_parenthesised(text: &str) -> bool {
    let text = text.trim();
    if !text.starts_with('(') {
        return false;
    }
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1 == text.len();
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::wholly_parenthesised;

    #[test]
    fn only_one_enclosing_group_counts_as_parenthesised() {
        assert!(wholly_parenthesised("(a + b)"));
        assert!(wholly_parenthesised(" ((a) + b) "));
        assert!(!wholly_parenthesised("(a) + (b)"));
        assert!(!wholly_parenthesised("a + b"));
        assert!(!wholly_parenthesised("f(a)"));
    }
}
