//! Statements inside procedural blocks.

use super::reaction::terms_to_expr;
use super::{Parser, MAX_NESTING};
use crate::ast::{Block, Expr, Span, Stmt, VarDeclLocal};
use crate::diagnostic::{closest, Diagnostic};
use crate::lexer::TokenKind;

/// Words that start a statement; used for "did you mean" hints.
const STATEMENT_KEYWORDS: &[&str] = &[
    "LOCAL",
    "if",
    "else",
    "while",
    "FROM",
    "SOLVE",
    "METHOD",
    "STEADYSTATE",
    "TABLE",
    "DEPEND",
    "CONSERVE",
    "COMPARTMENT",
    "LONGITUDINAL_DIFFUSION",
    "WATCH",
    "FOR_NETCONS",
    "INITIAL",
    "PROTECT",
    "MUTEXLOCK",
    "MUTEXUNLOCK",
    "UNITSOFF",
    "UNITSON",
    "VERBATIM",
];

impl Parser<'_> {
    /// One statement, or `None` after an error (already reported and skipped).
    pub(crate) fn statement(&mut self) -> Option<Stmt> {
        let t = self.peek();
        match t.kind {
            TokenKind::Verbatim => {
                let t = self.bump();
                Some(Stmt::Verbatim(
                    super::verbatim_body(self.token_text(t)),
                    t.span,
                ))
            }
            TokenKind::LBrace => self.block("nested").map(Stmt::Block),
            TokenKind::Tilde => self.tilde_statement(),
            TokenKind::Ident => self.word_statement(),
            _ => {
                let found = self.describe_token(t);
                self.error(t.span, format!("expected a statement, found {found}"));
                self.recover_statement();
                None
            }
        }
    }

    fn word_statement(&mut self) -> Option<Stmt> {
        let t = self.peek();
        let start = t.span.start;
        let word = self.token_text(t);
        let word = ["if", "else", "while"]
            .into_iter()
            .find(|k| self.at_keyword(k))
            .unwrap_or(word);
        match word {
            "LOCAL" => {
                self.bump();
                let names = self.local_names();
                let decls = names
                    .into_iter()
                    .map(|(name, array_len)| VarDeclLocal { name, array_len });
                Some(Stmt::Local(decls.collect(), self.span_from(start)))
            }
            "if" => self.if_statement(),
            "else" => {
                self.bump();
                self.error(t.span, "`else` without a matching `if`");
                self.recover_statement();
                None
            }
            "while" => {
                self.bump();
                let cond = self.parenthesised("after while")?;
                let body = self.block("while")?;
                Some(Stmt::While {
                    cond,
                    body,
                    span: self.span_from(start),
                })
            }
            "FROM" => self.loop_statement(),
            "SOLVE" => self.solve_statement(),
            "TABLE" => self.table_statement(),
            "CONSERVE" => {
                self.bump();
                let lhs = self.reaction_terms("after CONSERVE")?;
                if self
                    .expect(TokenKind::Assign, "in CONSERVE statement")
                    .is_none()
                {
                    self.recover_statement();
                    return None;
                }
                let rhs = self.expr();
                Some(Stmt::Conserve {
                    lhs: terms_to_expr(lhs),
                    rhs,
                    span: self.span_from(start),
                })
            }
            "COMPARTMENT" | "LONGITUDINAL_DIFFUSION" => {
                let keyword = self.bump();
                let word = self.token_text(keyword);
                let index =
                    if self.at(TokenKind::Ident) && self.peek_nth(1).kind == TokenKind::Comma {
                        let t = self.bump();
                        self.bump();
                        Some(self.ident(t))
                    } else {
                        None
                    };
                let amount = self.expr();
                let states = self.braced_names(word);
                let span = self.span_from(start);
                Some(if word == "COMPARTMENT" {
                    Stmt::Compartment {
                        index,
                        volume: amount,
                        states,
                        span,
                    }
                } else {
                    Stmt::LongitudinalDiffusion {
                        index,
                        rate: amount,
                        states,
                        span,
                    }
                })
            }
            "WATCH" => self.watch_statement(),
            "FOR_NETCONS" => {
                self.bump();
                let params = self.params("FOR_NETCONS")?;
                let body = self.block("FOR_NETCONS")?;
                Some(Stmt::ForNetcons {
                    params,
                    body,
                    span: self.span_from(start),
                })
            }
            "INITIAL" => {
                self.bump();
                self.block("INITIAL").map(Stmt::Initial)
            }
            "PROTECT" => {
                self.bump();
                let inner = self.assignment_or_call()?;
                Some(Stmt::Protect(Box::new(inner), self.span_from(start)))
            }
            "MUTEXLOCK" => Some(Stmt::MutexLock(self.bump().span)),
            "MUTEXUNLOCK" => Some(Stmt::MutexUnlock(self.bump().span)),
            "CONDUCTANCE" => {
                // A code-generation hint (`CONDUCTANCE g [USEION na]`) with no effect on results.
                self.bump();
                self.expect_ident("after CONDUCTANCE");
                if self.eat_word("USEION").is_some() {
                    self.expect_ident("after USEION");
                }
                None
            }
            _ => self.assignment_or_call(),
        }
    }

    /// `name = e`, `name[i] = e`, `name' = e` or `name(args)`.
    fn assignment_or_call(&mut self) -> Option<Stmt> {
        let Some(target) = self.expect_ident("at the start of a statement") else {
            self.recover_statement();
            return None;
        };
        let start = target.span.start;
        if self.at(TokenKind::LParen) {
            let call = self.call(target);
            return Some(Stmt::Expr(call));
        }
        // nocmodl writes the primes before an index (`ca'[i] = …`); accept them after it too.
        let mut order = 0;
        while self.eat(TokenKind::Prime).is_some() {
            order += 1;
        }
        let index = if self.eat(TokenKind::LBracket).is_some() {
            let index = self.expr();
            if self
                .expect(
                    TokenKind::RBracket,
                    &format!("after the index of `{}`", target.name),
                )
                .is_none()
            {
                self.recover_statement();
                return None;
            }
            Some(index)
        } else {
            None
        };
        while self.eat(TokenKind::Prime).is_some() {
            order += 1;
        }
        if self.eat(TokenKind::Assign).is_none() {
            let t = self.peek();
            let found = self.describe_token(t);
            let mut d = Diagnostic::error(
                t.span,
                format!("expected `=` or `(` after `{}`, found {found}", target.name),
            );
            if let Some(best) = closest(&target.name, STATEMENT_KEYWORDS.iter().copied()) {
                d = d.with_hint(format!("did you mean the keyword `{best}`?"));
            }
            self.push_error(d);
            self.recover_statement();
            return None;
        }
        let value = self.expr();
        let span = self.span_from(start);
        Some(if order > 0 {
            Stmt::Derivative {
                state: target,
                index,
                order,
                value,
                span,
            }
        } else {
            Stmt::Assign {
                target,
                index,
                value,
                span,
            }
        })
    }

    /// Whether the next token is the lowercase keyword `keyword`. A miscased spelling
    /// (`WHILE`, `Else`) counts too but is reported: it would otherwise parse as a call of a
    /// function `WHILE` followed by a block that runs once.
    fn at_keyword(&mut self, keyword: &str) -> bool {
        let t = self.peek();
        if t.kind != TokenKind::Ident {
            return false;
        }
        let word = self.token_text(t);
        if word == keyword {
            return true;
        }
        if !word.eq_ignore_ascii_case(keyword) {
            return false;
        }
        self.push_error(
            Diagnostic::error(t.span, format!("`{word}` is not an NMODL keyword")).with_hint(
                format!("write `{keyword}`: NMODL keywords are case-sensitive"),
            ),
        );
        true
    }

    /// `( expr )`.
    pub(crate) fn parenthesised(&mut self, context: &str) -> Option<Expr> {
        if self.expect(TokenKind::LParen, context).is_none() {
            self.recover_statement();
            return None;
        }
        let e = self.expr();
        if self
            .expect(TokenKind::RParen, "to close the condition")
            .is_none()
        {
            self.recover_statement();
            return None;
        }
        Some(e)
    }

    /// `if (c) { } else if (c) { } else { }`; the else-if chain is read iteratively and then
    /// nested from the back, counting each link as one nesting level.
    fn if_statement(&mut self) -> Option<Stmt> {
        let mut arms: Vec<(Expr, Block, usize)> = Vec::new();
        let mut otherwise = None;
        loop {
            let start = self.bump().span.start; // `if`
            let cond = self.parenthesised("after if")?;
            let then = self.block("if")?;
            arms.push((cond, then, start));
            if !self.at_keyword("else") {
                break;
            }
            self.bump();
            if self.at_keyword("if") {
                if self.depth + arms.len() >= MAX_NESTING {
                    self.too_deep_chain();
                    return None;
                }
                continue;
            }
            otherwise = Some(Box::new(Stmt::Block(self.block("else")?)));
            break;
        }
        let end = self.prev_end;
        let mut result = otherwise;
        while let Some((cond, then, start)) = arms.pop() {
            let span = Span { start, end };
            result = Some(Box::new(Stmt::If {
                cond,
                then,
                otherwise: result,
                span,
            }));
        }
        result.map(|b| *b)
    }

    fn too_deep_chain(&mut self) {
        let t = self.peek();
        self.error(
            t.span,
            format!("else-if chain is too long (more than {MAX_NESTING} links)"),
        );
        // Skip the rest of the chain without building it.
        while self.eat_word("if").is_some() || self.eat_word("else").is_some() {
            if self.at(TokenKind::LParen) {
                self.too_deep_group();
            }
            if self.at(TokenKind::LBrace) {
                self.too_deep_group();
            }
        }
    }

    /// Skips one bracketed group iteratively.
    fn too_deep_group(&mut self) {
        let mut level = 0usize;
        loop {
            let t = self.bump();
            match t.kind {
                TokenKind::Eof => return,
                TokenKind::LParen | TokenKind::LBrace | TokenKind::LBracket => level += 1,
                TokenKind::RParen | TokenKind::RBrace | TokenKind::RBracket => {
                    level = level.saturating_sub(1);
                    if level == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    fn loop_statement(&mut self) -> Option<Stmt> {
        let start = self.bump().span.start;
        let var = self.expect_ident("after FROM")?;
        if self
            .expect(TokenKind::Assign, &format!("after FROM {}", var.name))
            .is_none()
        {
            self.recover_statement();
            return None;
        }
        let from = self.expr();
        if !self.expect_word("TO", "in FROM loop") {
            self.recover_statement();
            return None;
        }
        let to = self.expr();
        let by = self.eat_word("BY").map(|_| self.expr());
        let body = self.block("FROM")?;
        Some(Stmt::FromTo {
            var,
            from,
            to,
            by,
            body,
            span: self.span_from(start),
        })
    }

    fn solve_statement(&mut self) -> Option<Stmt> {
        let start = self.bump().span.start;
        let block = self.expect_ident("after SOLVE")?;
        let mut method = None;
        let mut steadystate = None;
        if self.eat_word("METHOD").is_some() {
            method = self.expect_ident("after METHOD");
        } else if self.eat_word("STEADYSTATE").is_some() {
            steadystate = self.expect_ident("after STEADYSTATE");
        } else if self.at(TokenKind::Ident) && !self.peek().newline_before {
            let t = self.peek();
            let word = self.token_text(t);
            let mut d = Diagnostic::error(
                t.span,
                format!(
                    "expected METHOD or STEADYSTATE after `SOLVE {}`, found `{word}`",
                    block.name
                ),
            );
            if let Some(best) = closest(word, ["METHOD", "STEADYSTATE", "IFERROR"]) {
                d = d.with_hint(format!("did you mean `{best}`?"));
            }
            self.push_error(d);
            self.recover_statement();
        }
        let span = self.span_from(start);
        if self.eat_word("IFERROR").is_some() {
            // nocmodl no longer runs IFERROR blocks; parse and drop.
            self.block("IFERROR");
        }
        Some(Stmt::Solve {
            block,
            method,
            steadystate,
            span,
        })
    }

    fn table_statement(&mut self) -> Option<Stmt> {
        let start = self.bump().span.start;
        let mut names = Vec::new();
        let mut depend = Vec::new();
        let mut list = &mut names;
        loop {
            let t = self.peek();
            if t.kind != TokenKind::Ident {
                self.error_expected("FROM", "in TABLE statement");
                self.recover_statement();
                return None;
            }
            match self.token_text(t) {
                "FROM" => break,
                "DEPEND" => {
                    self.bump();
                    list = &mut depend;
                }
                _ => {
                    let t = self.bump();
                    list.push(self.ident(t));
                    self.eat(TokenKind::Comma);
                }
            }
        }
        self.bump();
        let from = self.expr();
        if !self.expect_word("TO", "in TABLE statement") {
            self.recover_statement();
            return None;
        }
        let to = self.expr();
        if !self.expect_word("WITH", "in TABLE statement") {
            self.recover_statement();
            return None;
        }
        let with = self.expr();
        Some(Stmt::Table {
            names,
            depend,
            from,
            to,
            with,
            span: self.span_from(start),
        })
    }

    fn watch_statement(&mut self) -> Option<Stmt> {
        let start = self.bump().span.start;
        let mut watches = Vec::new();
        loop {
            let item_start = self.peek().span.start;
            let cond = self.parenthesised("after WATCH")?;
            let flag = self.unary_expr();
            watches.push(Stmt::Watch {
                cond,
                flag,
                span: self.span_from(item_start),
            });
            if self.eat(TokenKind::Comma).is_none() {
                break;
            }
        }
        if watches.len() == 1 {
            return watches.pop();
        }
        Some(Stmt::Block(Block {
            stmts: watches,
            span: self.span_from(start),
        }))
    }
}
