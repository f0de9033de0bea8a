//! Procedural top-level blocks (INITIAL, BREAKPOINT, DERIVATIVE, KINETIC, LINEAR, NONLINEAR,
//! PROCEDURE, FUNCTION, NET_RECEIVE, FUNCTION_TABLE, BEFORE/AFTER, CONSTRUCTOR/DESTRUCTOR)
//! and the `{ statements }` body shared by all of them.

use super::{BlockKind, Parser};
use crate::ast::{Block, Callable, Ident, Item, Param};
use crate::lexer::TokenKind;

impl Parser<'_> {
    pub(super) fn procedural_item(&mut self, word: &str) -> Option<Item> {
        let keyword = self.bump();
        let context = format!("after {word}");
        self.block_kind = BlockKind::Other;
        let item = match word {
            "INITIAL" => Item::Initial(self.block(word)?),
            "BREAKPOINT" => Item::Breakpoint(self.block(word)?),
            "CONSTRUCTOR" => Item::Constructor(self.block(word)?),
            "DESTRUCTOR" => Item::Destructor(self.block(word)?),
            "DERIVATIVE" => {
                let name = self.expect_ident(&context)?;
                Item::Derivative {
                    name,
                    body: self.block(word)?,
                }
            }
            "KINETIC" | "LINEAR" | "NONLINEAR" => {
                let name = self.expect_ident(&context)?;
                if self.eat_word("SOLVEFOR").is_some() {
                    // nocmodl restricts the solve to these states; we solve for all of them.
                    while self.eat(TokenKind::Ident).is_some()
                        && self.eat(TokenKind::Comma).is_some()
                    {}
                }
                self.block_kind = if word == "KINETIC" {
                    BlockKind::Kinetic
                } else {
                    BlockKind::Equations
                };
                let body = self.block(word);
                self.block_kind = BlockKind::Other;
                let body = body?;
                match word {
                    "KINETIC" => Item::Kinetic { name, body },
                    "LINEAR" => Item::Linear { name, body },
                    _ => Item::NonLinear { name, body },
                }
            }
            "PROCEDURE" | "FUNCTION" => {
                let name = self.expect_ident(&context)?;
                let params = self.params(&name.name)?;
                let unit = self.units();
                let body = self.block(word)?;
                let callable = Callable {
                    name,
                    params,
                    unit,
                    body,
                };
                if word == "PROCEDURE" {
                    Item::Procedure(callable)
                } else {
                    Item::Function(callable)
                }
            }
            "NET_RECEIVE" => {
                let params = self.params("NET_RECEIVE")?;
                Item::NetReceive {
                    params,
                    body: self.block(word)?,
                }
            }
            "FUNCTION_TABLE" => {
                let name = self.expect_ident(&context)?;
                let params = self.params(&name.name)?;
                self.units();
                Item::FunctionTable { name, params }
            }
            _ => {
                // BEFORE / AFTER
                let when = self.expect_ident(&context)?;
                if !matches!(
                    when.name.as_str(),
                    "BREAKPOINT" | "SOLVE" | "INITIAL" | "STEP"
                ) {
                    self.error(
                        when.span,
                        format!(
                            "expected BREAKPOINT, SOLVE, INITIAL or STEP after {word}, found `{}`",
                            when.name
                        ),
                    );
                }
                let body = self.block(word)?;
                Item::BeforeAfter {
                    after: word == "AFTER",
                    when,
                    body,
                }
            }
        };
        let _ = keyword;
        Some(item)
    }

    /// `( name [units], … )` formal parameters.
    pub(crate) fn params(&mut self, owner: &str) -> Option<Vec<Param>> {
        if self
            .expect(
                TokenKind::LParen,
                &format!("to start the arguments of `{owner}`"),
            )
            .is_none()
        {
            self.recover_top_level();
            return None;
        }
        let mut params = Vec::new();
        if self.eat(TokenKind::RParen).is_some() {
            return Some(params);
        }
        loop {
            let Some(name) = self.expect_ident(&format!("as an argument of `{owner}`")) else {
                self.recover_top_level();
                return None;
            };
            let unit = self.units();
            params.push(Param { name, unit });
            if self.eat(TokenKind::Comma).is_none() {
                break;
            }
        }
        if self
            .expect(
                TokenKind::RParen,
                &format!("after the arguments of `{owner}`"),
            )
            .is_none()
        {
            self.recover_top_level();
            return None;
        }
        Some(params)
    }

    /// `{ statements }`. Returns `None` only if the `{` is missing (after reporting).
    pub(crate) fn block(&mut self, what: &str) -> Option<Block> {
        if !self.at(TokenKind::LBrace) {
            self.error_expected("`{`", &format!("to start the {what} block"));
            self.recover_top_level();
            return None;
        }
        if !self.enter() {
            self.too_deep();
            return Some(Block::default());
        }
        let block = self.block_body(what);
        self.leave();
        Some(block)
    }

    fn block_body(&mut self, what: &str) -> Block {
        let open = self.bump();
        let mut stmts = Vec::new();
        loop {
            if self.unwinding {
                break;
            }
            let t = self.peek();
            match t.kind {
                TokenKind::RBrace => {
                    self.bump();
                    break;
                }
                TokenKind::Eof => {
                    self.unclosed_block(what, open.span);
                    break;
                }
                TokenKind::Ident
                    if t.newline_before && super::ends_unclosed_block(self.token_text(t)) =>
                {
                    self.unclosed_block(what, open.span);
                    break;
                }
                _ => {
                    let before = t.span.start;
                    if let Some(stmt) = self.statement() {
                        stmts.push(stmt);
                    }
                    if self.peek().span.start == before
                        && !self.unwinding
                        && !self.at(TokenKind::RBrace)
                    {
                        self.bump();
                    }
                }
            }
        }
        Block {
            stmts,
            span: self.span_from(open.span.start),
        }
    }

    /// Names separated by optional commas up to `}` or the end of line (COMPARTMENT lists).
    pub(crate) fn braced_names(&mut self, owner: &str) -> Vec<Ident> {
        let mut names = Vec::new();
        if self
            .expect(
                TokenKind::LBrace,
                &format!("to start the state list of {owner}"),
            )
            .is_none()
        {
            self.recover_statement();
            return names;
        }
        loop {
            let t = self.peek();
            match t.kind {
                TokenKind::Ident => {
                    let t = self.bump();
                    names.push(self.ident(t));
                }
                TokenKind::Comma => {
                    self.bump();
                }
                TokenKind::RBrace => {
                    self.bump();
                    break;
                }
                _ => {
                    self.error_expected("a state name or `}`", &format!("in {owner}"));
                    self.recover_statement();
                    break;
                }
            }
        }
        names
    }
}
