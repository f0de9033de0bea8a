//! The NEURON block: mechanism kind and name, ions, and the variable lists NEURON exposes.

use super::Parser;
use crate::ast::{Ident, Item, MechanismKind, NeuronStmt};
use crate::diagnostic::{closest, Diagnostic};
use crate::lexer::TokenKind;

/// Statement keywords of the NEURON block.
const NEURON_KEYWORDS: &[&str] = &[
    "SUFFIX",
    "POINT_PROCESS",
    "ARTIFICIAL_CELL",
    "USEION",
    "READ",
    "WRITE",
    "VALENCE",
    "CHARGE",
    "RANGE",
    "GLOBAL",
    "NONSPECIFIC_CURRENT",
    "ELECTRODE_CURRENT",
    "POINTER",
    "BBCOREPOINTER",
    "EXTERNAL",
    "THREADSAFE",
    "RANDOM",
    "REPRESENTS",
    "SECTION",
];

impl Parser<'_> {
    pub(super) fn neuron_block(&mut self) -> Option<Item> {
        let start = self.bump().span.start;
        let open = self.expect(TokenKind::LBrace, "after NEURON")?;
        let mut stmts = Vec::new();
        loop {
            let t = self.peek();
            match t.kind {
                TokenKind::RBrace => {
                    self.bump();
                    break;
                }
                TokenKind::Eof => {
                    self.unclosed_block("NEURON", open.span);
                    break;
                }
                TokenKind::Ident
                    if t.newline_before && super::ends_unclosed_block(self.token_text(t)) =>
                {
                    self.unclosed_block("NEURON", open.span);
                    break;
                }
                TokenKind::Ident => {
                    let before = t.span.start;
                    if let Some(stmt) = self.neuron_stmt() {
                        stmts.push(stmt);
                    }
                    if self.peek().span.start == before {
                        self.bump();
                    }
                }
                _ => {
                    self.error_expected(
                        "a NEURON statement such as SUFFIX or RANGE",
                        "in NEURON block",
                    );
                    self.recover_statement();
                }
            }
        }
        Some(Item::Neuron(stmts, self.span_from(start)))
    }

    /// Reports a block whose `}` is missing.
    pub(crate) fn unclosed_block(&mut self, what: &str, open: crate::ast::Span) {
        if self.unwinding {
            return;
        }
        self.unwinding = true;
        let t = self.peek();
        let found = self.describe_token(t);
        self.push_error(
            Diagnostic::error(
                open,
                format!("{what} block is not closed: expected `}}`, found {found}"),
            )
            .with_hint("add the missing `}`"),
        );
    }

    /// A list of names after a NEURON keyword. Commas are expected between names, as nocmodl
    /// requires, but a missing comma is tolerated.
    fn name_list(&mut self, keyword: &str) -> Vec<Ident> {
        let mut names = Vec::new();
        loop {
            let t = self.peek();
            if t.kind != TokenKind::Ident || NEURON_KEYWORDS.contains(&self.token_text(t)) {
                break;
            }
            let t = self.bump();
            names.push(self.ident(t));
            if self.eat(TokenKind::Comma).is_none() && !self.at(TokenKind::Ident) {
                break;
            }
        }
        if names.is_empty() {
            self.error_expected("a name", &format!("after {keyword}"));
            self.recover_statement();
        }
        names
    }

    fn neuron_stmt(&mut self) -> Option<NeuronStmt> {
        let keyword = self.bump();
        let word = self.token_text(keyword);
        let start = keyword.span.start;
        let kind = match word {
            "SUFFIX" => Some(MechanismKind::Suffix),
            "POINT_PROCESS" => Some(MechanismKind::PointProcess),
            "ARTIFICIAL_CELL" => Some(MechanismKind::ArtificialCell),
            _ => None,
        };
        if let Some(kind) = kind {
            let name = self.expect_ident(&format!("after {word}"))?;
            return Some(NeuronStmt::Suffix { kind, name });
        }
        Some(match word {
            "USEION" => return self.useion(start),
            "RANGE" => NeuronStmt::Range(self.name_list(word)),
            "GLOBAL" => NeuronStmt::Global(self.name_list(word)),
            "NONSPECIFIC_CURRENT" => NeuronStmt::NonspecificCurrent(self.name_list(word)),
            "ELECTRODE_CURRENT" => NeuronStmt::ElectrodeCurrent(self.name_list(word)),
            "POINTER" => NeuronStmt::Pointer(self.name_list(word)),
            "BBCOREPOINTER" => NeuronStmt::BbcorePointer(self.name_list(word)),
            "EXTERNAL" => NeuronStmt::External(self.name_list(word)),
            "RANDOM" => NeuronStmt::Random(self.name_list(word)),
            "THREADSAFE" => {
                // nocmodl takes THREADSAFE alone; an optional name list is accepted.
                let mut names = Vec::new();
                while self.at(TokenKind::Ident) && !self.peek().newline_before {
                    let t = self.peek();
                    if NEURON_KEYWORDS.contains(&self.token_text(t)) {
                        break;
                    }
                    let t = self.bump();
                    names.push(self.ident(t));
                    self.eat(TokenKind::Comma);
                }
                NeuronStmt::Threadsafe(names)
            }
            "REPRESENTS" => {
                let id = self.raw_word().map(|(w, _)| w).unwrap_or_default();
                NeuronStmt::Ignored(format!("REPRESENTS {id}"), self.span_from(start))
            }
            "SECTION" => {
                let rest = self.rest_of_line();
                NeuronStmt::Ignored(format!("SECTION {rest}"), self.span_from(start))
            }
            _ => {
                let mut d =
                    Diagnostic::error(keyword.span, format!("unknown NEURON statement `{word}`"));
                if let Some(best) = closest(word, NEURON_KEYWORDS.iter().copied()) {
                    d = d.with_hint(format!("did you mean `{best}`?"));
                }
                self.push_error(d);
                self.recover_statement();
                return None;
            }
        })
    }

    fn useion(&mut self, start: usize) -> Option<NeuronStmt> {
        let ion = self.expect_ident("after USEION")?;
        let mut read = Vec::new();
        let mut write = Vec::new();
        let mut valence = None;
        if self.eat_word("READ").is_some() {
            read = self.name_list("READ");
        }
        if self.eat_word("WRITE").is_some() {
            write = self.name_list("WRITE");
        }
        if self
            .eat_word("VALENCE")
            .or_else(|| self.eat_word("CHARGE"))
            .is_some()
        {
            let negative = self.eat(TokenKind::Minus).is_some();
            match self.expect(TokenKind::Number, "after VALENCE") {
                Some(t) => {
                    let v: f64 = self.token_text(t).parse().unwrap_or(0.0);
                    valence = Some(if negative { -v } else { v });
                }
                None => self.recover_statement(),
            }
        }
        if self.eat_word("REPRESENTS").is_some() {
            self.raw_word();
        }
        if read.is_empty() && write.is_empty() && valence.is_none() {
            self.warning(
                ion.span,
                format!("USEION {} reads and writes nothing", ion.name),
            );
        }
        Some(NeuronStmt::UseIon {
            ion,
            read,
            write,
            valence,
            span: self.span_from(start),
        })
    }
}
