//! Top-level items: the loop over a file's blocks, TITLE, DEFINE and INCLUDE, and the
//! dispatch to the block parsers.

use super::{verbatim_body, Parser, TOP_LEVEL_KEYWORDS};
use crate::ast::{Item, Program};
use crate::diagnostic::{closest, Diagnostic};
use crate::lexer::TokenKind;

impl Parser<'_> {
    pub(super) fn program(&mut self) -> Program {
        let mut items = Vec::new();
        loop {
            self.unwinding = false;
            self.depth = 0;
            let t = self.peek();
            match t.kind {
                TokenKind::Eof => break,
                TokenKind::Verbatim => {
                    let t = self.bump();
                    items.push(Item::Verbatim(verbatim_body(self.token_text(t)), t.span));
                }
                TokenKind::Ident => {
                    let before = t.span.start;
                    if let Some(item) = self.top_level_item(&mut items) {
                        items.push(item);
                    }
                    if self.peek().span.start == before && !self.at(TokenKind::Eof) {
                        // Nothing consumed: make progress whatever happens.
                        self.bump();
                    }
                }
                TokenKind::RBrace => {
                    let t = self.bump();
                    self.error(t.span, "unmatched `}` at top level");
                }
                _ => {
                    let found = self.describe_token(t);
                    self.error(
                        t.span,
                        format!(
                            "expected a block keyword such as NEURON or PARAMETER, found {found}"
                        ),
                    );
                    self.recover_top_level();
                }
            }
        }
        Program { items }
    }

    fn top_level_item(&mut self, items_before: &mut Vec<Item>) -> Option<Item> {
        let keyword = self.peek();
        let word = self.token_text(keyword);
        match word {
            "TITLE" => {
                self.bump();
                let title = self.rest_of_line();
                Some(Item::Title(title, self.span_from(keyword.span.start)))
            }
            "DEFINE" => self.define(),
            "INCLUDE" => {
                self.bump();
                let path = self.expect(TokenKind::Str, "after INCLUDE")?;
                let text = self.token_text(path);
                let path_text = text
                    .trim_start_matches('"')
                    .trim_end_matches('"')
                    .to_owned();
                Some(Item::Include {
                    path: path_text,
                    span: self.span_from(keyword.span.start),
                })
            }
            "NEURON" => self.neuron_block(),
            "UNITS" => self.units_block(),
            "PARAMETER" | "ASSIGNED" | "STATE" | "CONSTANT" => self.declaration_block(word),
            "INDEPENDENT" => self.independent_block(),
            "LOCAL" => {
                let mut locals = self.top_level_local();
                let last = locals.pop();
                items_before.extend(locals);
                last
            }
            "INITIAL" | "BREAKPOINT" | "DERIVATIVE" | "KINETIC" | "LINEAR" | "NONLINEAR"
            | "PROCEDURE" | "FUNCTION" | "NET_RECEIVE" | "FUNCTION_TABLE" | "BEFORE" | "AFTER"
            | "CONSTRUCTOR" | "DESTRUCTOR" => self.procedural_item(word),
            _ => {
                let mut diagnostic =
                    Diagnostic::error(keyword.span, format!("unknown block `{word}`"));
                if let Some(best) = closest(word, TOP_LEVEL_KEYWORDS.iter().copied()) {
                    diagnostic = diagnostic.with_hint(format!("did you mean `{best}`?"));
                } else if matches!(
                    word,
                    "DISCRETE" | "DEPENDENT" | "PARTIAL" | "TERMINAL" | "MATCH"
                ) {
                    diagnostic = diagnostic
                        .with_hint("this old SCoP block is not supported by NEURON either");
                }
                self.push_error(diagnostic);
                self.recover_top_level();
                None
            }
        }
    }

    fn define(&mut self) -> Option<Item> {
        self.bump();
        let name = self.expect_ident("after DEFINE")?;
        let negative = self.eat(TokenKind::Minus).is_some();
        let t = self.peek();
        if t.kind != TokenKind::Number {
            self.error_expected("a number", &format!("as the value of DEFINE {}", name.name));
            self.recover_statement();
            return None;
        }
        self.bump();
        let text = format!("{}{}", if negative { "-" } else { "" }, self.token_text(t));
        let value = text.parse::<f64>().unwrap_or(0.0);
        self.defines.insert(name.name.clone(), (value, text));
        Some(Item::Define { name, value })
    }
}
