//! Declaration blocks: UNITS, PARAMETER, ASSIGNED, STATE, CONSTANT, INDEPENDENT and top-level
//! LOCAL.

use super::Parser;
use crate::ast::{Ident, Item, Span, UnitDef, VarDecl, VarDeclLocal};
use crate::lexer::TokenKind;

impl Parser<'_> {
    /// Iterates over the entries of a `{ … }` declaration block, calling `entry` at each
    /// identifier; other tokens are reported and skipped.
    fn declaration_entries(
        &mut self,
        block: &str,
        mut entry: impl FnMut(&mut Self),
    ) -> Option<Span> {
        let start = self.bump().span.start;
        let open = self.expect(TokenKind::LBrace, &format!("after {block}"))?;
        loop {
            let t = self.peek();
            match t.kind {
                TokenKind::RBrace => {
                    self.bump();
                    break;
                }
                TokenKind::Eof => {
                    self.unclosed_block(block, open.span);
                    break;
                }
                TokenKind::Ident
                    if t.newline_before && super::ends_unclosed_block(self.token_text(t)) =>
                {
                    self.unclosed_block(block, open.span);
                    break;
                }
                TokenKind::Ident | TokenKind::LParen => {
                    let before = t.span.start;
                    entry(self);
                    if self.peek().span.start == before {
                        self.bump();
                    }
                }
                _ => {
                    self.error_expected("a declaration", &format!("in {block} block"));
                    self.recover_statement();
                }
            }
        }
        Some(self.span_from(start))
    }

    /// A number with optional sign, or a DEFINEd name; reports and returns `None` otherwise.
    pub(crate) fn signed_number(&mut self, context: &str) -> Option<f64> {
        let negative = self.eat(TokenKind::Minus).is_some();
        let t = self.peek();
        let value = match t.kind {
            TokenKind::Number => self.token_text(t).parse::<f64>().ok(),
            TokenKind::Ident => self.defines.get(self.token_text(t)).map(|(v, _)| *v),
            _ => None,
        };
        match value {
            Some(v) => {
                self.bump();
                Some(if negative { -v } else { v })
            }
            None => {
                self.error_expected("a number", context);
                None
            }
        }
    }

    /// `[n]` array size; `n` is an integer literal or a DEFINEd name.
    fn array_len(&mut self, name: &Ident) -> Option<usize> {
        self.eat(TokenKind::LBracket)?;
        let context = format!("as the size of array `{}`", name.name);
        let value = self.signed_number(&context);
        self.expect(
            TokenKind::RBracket,
            &format!("after the size of array `{}`", name.name),
        );
        let value = value?;
        if value < 1.0 || value.fract() != 0.0 || value > 1e9 {
            self.error(
                name.span,
                format!("array size of `{}` must be a positive integer", name.name),
            );
            return None;
        }
        Some(value as usize)
    }

    /// `<lo, hi>` limits or `<tolerance>`.
    fn limits(&mut self, name: &Ident) -> Option<(f64, f64)> {
        self.eat(TokenKind::Lt)?;
        let context = format!("in the limits of `{}`", name.name);
        let lo = self.signed_number(&context);
        let hi = if self.eat(TokenKind::Comma).is_some() {
            self.signed_number(&context)
        } else {
            lo
        };
        if self
            .expect(
                TokenKind::Gt,
                &format!("to close the limits of `{}`", name.name),
            )
            .is_none()
        {
            self.recover_statement();
        }
        Some((lo?, hi?))
    }

    pub(super) fn declaration_block(&mut self, block: &str) -> Option<Item> {
        let mut decls = Vec::new();
        let constant = block == "CONSTANT";
        let span = self.declaration_entries(block, |p| {
            if let Some(d) = p.var_decl(block, constant) {
                decls.push(d);
            }
        })?;
        Some(match block {
            "PARAMETER" => Item::Parameter(decls, span),
            "ASSIGNED" => Item::Assigned(decls, span),
            "STATE" => Item::State(decls, span),
            _ => Item::Constant(decls, span),
        })
    }

    fn var_decl(&mut self, block: &str, constant: bool) -> Option<VarDecl> {
        let Some(name) = self.expect_ident(&format!("in {block} block")) else {
            self.recover_statement();
            return None;
        };
        let array_len = self.array_len(&name);
        let mut value = None;
        if self.eat(TokenKind::Assign).is_some() {
            value = self.signed_number(&format!("as the value of `{}`", name.name));
            if value.is_none() {
                self.recover_statement();
                return None;
            }
        } else if constant {
            self.error_expected("`=`", &format!("after constant `{}`", name.name));
            self.recover_statement();
            return None;
        }
        let mut from_to = None;
        if self.eat_word("FROM").is_some() {
            let context = format!("in the range of `{}`", name.name);
            let from = self.signed_number(&context);
            let to = match self.expect_word("TO", &context) {
                true => self.signed_number(&context),
                false => None,
            };
            from_to = from.zip(to);
        }
        if self.eat_word("START").is_some() {
            self.signed_number(&format!("after START of `{}`", name.name));
        }
        let unit = self.units();
        let limits = self.limits(&name);
        Some(VarDecl {
            name,
            array_len,
            value,
            unit,
            limits,
            from_to,
        })
    }

    /// Consumes the keyword `word` or reports.
    pub(crate) fn expect_word(&mut self, word: &str, context: &str) -> bool {
        if self.eat_word(word).is_some() {
            return true;
        }
        self.error_expected(&format!("`{word}`"), context);
        false
    }

    pub(super) fn units_block(&mut self) -> Option<Item> {
        let mut defs = Vec::new();
        let span = self.declaration_entries("UNITS", |p| {
            if let Some(d) = p.unit_def() {
                defs.push(d);
            }
        })?;
        Some(Item::Units(defs, span))
    }

    fn unit_def(&mut self) -> Option<UnitDef> {
        let start = self.peek().span.start;
        if self.at(TokenKind::LParen) {
            let name = self.units()?;
            if self
                .expect(TokenKind::Assign, &format!("after unit ({name})"))
                .is_none()
            {
                self.recover_statement();
                return None;
            }
            let Some(definition) = self.units() else {
                self.error_expected(
                    "a unit in parentheses",
                    &format!("as the definition of ({name})"),
                );
                self.recover_statement();
                return None;
            };
            return Some(UnitDef::Alias {
                name,
                definition,
                span: self.span_from(start),
            });
        }
        let name = self.expect_ident("in UNITS block")?;
        if self
            .expect(
                TokenKind::Assign,
                &format!("after `{}` in UNITS block", name.name),
            )
            .is_none()
        {
            self.recover_statement();
            return None;
        }
        if let Some(constant) = self.units() {
            self.eat(TokenKind::Arrow);
            let unit = self.units();
            return Some(UnitDef::NamedConstant {
                name,
                constant,
                unit,
            });
        }
        let value = self.signed_number(&format!("or a unit as the value of `{}`", name.name));
        let Some(value) = value else {
            self.recover_statement();
            return None;
        };
        let unit = self.units();
        Some(UnitDef::NumericConstant { name, value, unit })
    }

    /// `INDEPENDENT { t FROM 0 TO 1 WITH 1 (ms) }`: nothing in it matters to NEURON.
    pub(super) fn independent_block(&mut self) -> Option<Item> {
        let span = self.declaration_entries("INDEPENDENT", |p| {
            p.bump();
            // Skip the rest of the entry: everything up to the next line or `}`.
            while !p.at(TokenKind::RBrace) && !p.at(TokenKind::Eof) && !p.peek().newline_before {
                if p.at(TokenKind::LParen) {
                    p.units();
                } else {
                    p.bump();
                }
            }
        })?;
        Some(Item::Independent(span))
    }

    /// Top-level LOCAL; arrays go to a separate [`Item::LocalArray`] that follows.
    pub(super) fn top_level_local(&mut self) -> Vec<Item> {
        let start = self.bump().span.start;
        let names = self.local_names();
        let span = self.span_from(start);
        let (arrays, scalars): (Vec<_>, Vec<_>) =
            names.into_iter().partition(|(_, len)| len.is_some());
        let mut items = Vec::new();
        if !scalars.is_empty() {
            items.push(Item::Local(
                scalars.into_iter().map(|(n, _)| n).collect(),
                span,
            ));
        }
        if !arrays.is_empty() {
            let decls = arrays
                .into_iter()
                .map(|(name, array_len)| VarDeclLocal { name, array_len })
                .collect();
            items.push(Item::LocalArray(decls, span));
        }
        items
    }

    /// `a, b[3], c` after LOCAL.
    pub(crate) fn local_names(&mut self) -> Vec<(Ident, Option<usize>)> {
        let mut names = Vec::new();
        loop {
            let Some(name) = self.expect_ident("in LOCAL declaration") else {
                self.recover_statement();
                break;
            };
            let len = self.array_len(&name);
            names.push((name, len));
            if self.eat(TokenKind::Comma).is_none() {
                break;
            }
        }
        names
    }
}
