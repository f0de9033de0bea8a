//! Error-recovering recursive-descent parser for NMODL.
//!
//! [`parse`] never panics and always returns a [`Program`] holding every item it could read,
//! plus one diagnostic per problem. After an error the parser skips to a synchronising point
//! (the end of the statement's line, the `}` closing the current block, or the next top-level
//! block keyword) and carries on. Nesting depth is capped so that hostile input such as ten
//! thousand `(` cannot overflow the stack, every loop consumes a token per iteration, and
//! after [`MAX_ERRORS`] errors the parser stops.
//!
//! The grammar follows NEURON's `nocmodl` (`src/nmodl/parse1.ypp`); notably `^` binds tighter
//! than unary minus (`-x^2` is `-(x^2)`) and is right-associative.

mod blocks;
mod decls;
mod expr;
pub mod include;
mod items;
mod neuron;
mod reaction;
mod stmt;

use std::collections::{HashMap, VecDeque};

use crate::ast::{Ident, Program, Span};
use crate::diagnostic::Diagnostic;
use crate::lexer::{Lexer, Token, TokenKind};
use crate::source::SourceFile;

/// The parser gives up after this many errors (binary garbage would otherwise produce one
/// diagnostic per garbage run for megabytes).
pub const MAX_ERRORS: usize = 100;

/// Maximum nesting of blocks, parentheses and else-if chains.
pub const MAX_NESTING: usize = 200;

/// Maximum height of an expression tree (long `a + b + c + …` chains nest to the left).
pub const MAX_EXPR_HEIGHT: u32 = 1000;

/// Keywords that start a top-level item.
pub(crate) const TOP_LEVEL_KEYWORDS: &[&str] = &[
    "TITLE",
    "DEFINE",
    "INCLUDE",
    "NEURON",
    "UNITS",
    "PARAMETER",
    "ASSIGNED",
    "STATE",
    "CONSTANT",
    "INDEPENDENT",
    "LOCAL",
    "INITIAL",
    "BREAKPOINT",
    "DERIVATIVE",
    "KINETIC",
    "LINEAR",
    "NONLINEAR",
    "PROCEDURE",
    "FUNCTION",
    "NET_RECEIVE",
    "FUNCTION_TABLE",
    "BEFORE",
    "AFTER",
    "CONSTRUCTOR",
    "DESTRUCTOR",
];

/// Top-level keywords that cannot start a statement; seeing one at the start of a line inside
/// a block means the block's `}` is missing.
fn ends_unclosed_block(word: &str) -> bool {
    word != "LOCAL" && word != "INITIAL" && TOP_LEVEL_KEYWORDS.contains(&word)
}

pub use include::{parse_with_includes, FileSystemResolver, IncludeResolver, IncludedFile};

/// Parses one file without reading the files it INCLUDEs (they stay [`crate::ast::Item::Include`] items;
/// see [`parse_with_includes`]). Diagnostics have their locations resolved.
pub fn parse(file: &SourceFile) -> (Program, Vec<Diagnostic>) {
    let mut parser = Parser::new_at(file.text(), 0);
    if file.had_invalid_utf8() {
        parser
            .diagnostics
            .push(invalid_utf8_warning(Span::default()));
    }
    let program = parser.program();
    let diagnostics = parser
        .finish()
        .into_iter()
        .map(|d| d.locate(file))
        .collect();
    (program, diagnostics)
}

/// Where `~` statements are parsed as equations instead of reactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockKind {
    Kinetic,
    Equations,
    Other,
}

pub(crate) struct Parser<'a> {
    text: &'a str,
    lexer: Lexer<'a>,
    lookahead: VecDeque<Token>,
    diagnostics: Vec<Diagnostic>,
    errors: usize,
    gave_up: bool,
    /// Current nesting of blocks and parentheses.
    depth: usize,
    /// `DEFINE NAME value`: later uses of NAME are numbers.
    defines: HashMap<String, (f64, String)>,
    /// Set when a block ended without `}`; outer blocks unwind without more diagnostics.
    unwinding: bool,
    block_kind: BlockKind,
    /// End offset of the last consumed token.
    prev_end: usize,
    last_error_at: Option<usize>,
}

/// The warning for a file whose invalid UTF-8 bytes were replaced.
pub(crate) fn invalid_utf8_warning(at: Span) -> Diagnostic {
    Diagnostic::warning(at, "file is not valid UTF-8; invalid bytes were replaced")
        .with_hint("save the file as UTF-8 or ASCII")
}

impl<'a> Parser<'a> {
    /// A parser for `text[start..]` (earlier text belongs to other files; spans stay offsets
    /// into the whole `text`).
    fn new_at(text: &'a str, start: usize) -> Self {
        let mut lexer = Lexer::new(text);
        lexer.reset(start);
        Parser {
            text,
            lexer,
            lookahead: VecDeque::new(),
            diagnostics: Vec::new(),
            errors: 0,
            gave_up: false,
            depth: 0,
            defines: HashMap::new(),
            unwinding: false,
            block_kind: BlockKind::Other,
            prev_end: start,
            last_error_at: None,
        }
    }

    fn finish(mut self) -> Vec<Diagnostic> {
        let mut all = self.lexer.take_diagnostics();
        all.append(&mut self.diagnostics);
        all.sort_by_key(|d| d.span.start);
        // Lexer errors count towards the cap too.
        let errors = all.iter().filter(|d| d.is_error()).count();
        if errors > MAX_ERRORS + 1 {
            let mut kept = 0;
            all.retain(|d| {
                kept += usize::from(d.is_error());
                kept <= MAX_ERRORS
            });
            let end = all.last().map_or(Span::default(), |d| d.span);
            all.retain(|d| !d.message.starts_with("too many errors"));
            all.push(Diagnostic::error(
                end,
                format!("too many errors ({MAX_ERRORS}); stopped here"),
            ));
        }
        all
    }

    // ---- token access -------------------------------------------------------------------

    fn fill(&mut self, n: usize) {
        while self.lookahead.len() <= n {
            let token = if self.gave_up {
                Token {
                    kind: TokenKind::Eof,
                    span: Span {
                        start: self.text.len(),
                        end: self.text.len(),
                    },
                    newline_before: true,
                }
            } else {
                self.lexer.next_token()
            };
            self.lookahead.push_back(token);
        }
    }

    pub(crate) fn peek(&mut self) -> Token {
        self.peek_nth(0)
    }

    pub(crate) fn peek_nth(&mut self, n: usize) -> Token {
        self.fill(n);
        self.lookahead[n]
    }

    pub(crate) fn bump(&mut self) -> Token {
        self.fill(0);
        let token = self.lookahead.pop_front().expect("filled");
        if token.kind != TokenKind::Eof {
            self.prev_end = token.span.end;
        }
        token
    }

    pub(crate) fn at(&mut self, kind: TokenKind) -> bool {
        self.peek().kind == kind
    }

    pub(crate) fn slice(&self, span: Span) -> &'a str {
        &self.text[span.start..span.end]
    }

    pub(crate) fn token_text(&self, token: Token) -> &'a str {
        self.slice(token.span)
    }

    /// Whether the next token is the identifier `word`.
    pub(crate) fn at_word(&mut self, word: &str) -> bool {
        let t = self.peek();
        t.kind == TokenKind::Ident && self.token_text(t) == word
    }

    pub(crate) fn eat(&mut self, kind: TokenKind) -> Option<Token> {
        self.at(kind).then(|| self.bump())
    }

    pub(crate) fn eat_word(&mut self, word: &str) -> Option<Token> {
        self.at_word(word).then(|| self.bump())
    }

    /// Consumes a token of `kind` or reports what was expected instead.
    pub(crate) fn expect(&mut self, kind: TokenKind, context: &str) -> Option<Token> {
        if let Some(t) = self.eat(kind) {
            return Some(t);
        }
        self.error_expected(kind.describe(), context);
        None
    }

    /// Reports "expected X <context>, found Y" at the next token.
    pub(crate) fn error_expected(&mut self, what: &str, context: &str) {
        let t = self.peek();
        let found = self.describe_token(t);
        let message = format!("expected {what} {context}, found {found}");
        self.error(t.span, message);
    }

    pub(crate) fn describe_token(&self, t: Token) -> String {
        match t.kind {
            TokenKind::Ident | TokenKind::Number => format!("`{}`", self.token_text(t)),
            TokenKind::Unknown => {
                let text: String = self.token_text(t).chars().take(8).collect();
                format!("invalid character(s) {text:?}")
            }
            kind => kind.describe().to_owned(),
        }
    }

    pub(crate) fn ident(&self, token: Token) -> Ident {
        Ident {
            name: self.token_text(token).to_owned(),
            span: token.span,
        }
    }

    /// Consumes a name or reports.
    pub(crate) fn expect_ident(&mut self, context: &str) -> Option<Ident> {
        if self.at(TokenKind::Ident) {
            let t = self.bump();
            return Some(self.ident(t));
        }
        self.error_expected("a name", context);
        None
    }

    /// A span from `start` to the end of the last consumed token.
    pub(crate) fn span_from(&self, start: usize) -> Span {
        Span {
            start,
            end: self.prev_end.max(start),
        }
    }

    // ---- raw reads ----------------------------------------------------------------------

    /// Optional units `( … )` read as raw text. Only called where a `(` can mean nothing
    /// else.
    pub(crate) fn units(&mut self) -> Option<String> {
        let open = self.peek();
        if open.kind != TokenKind::LParen {
            return None;
        }
        self.lookahead.clear();
        match self.lexer.raw_units(open.span.end) {
            Some((text, end)) => {
                self.prev_end = end;
                Some(text)
            }
            None => {
                self.lexer.reset(open.span.start);
                let t = self.bump();
                self.error(
                    t.span,
                    "unit is not closed: expected `)` before the end of the line",
                );
                None
            }
        }
    }

    /// The rest of the current line after the last consumed token.
    pub(crate) fn rest_of_line(&mut self) -> String {
        self.lookahead.clear();
        let text = self.lexer.rest_of_line(self.prev_end);
        self.prev_end = self.lexer.position();
        text
    }

    /// A raw word such as an ontology id `NCIT:C17145`.
    pub(crate) fn raw_word(&mut self) -> Option<(String, Span)> {
        self.lookahead.clear();
        let word = self.lexer.raw_word(self.prev_end);
        self.prev_end = self.lexer.position();
        word
    }

    // ---- diagnostics and recovery -------------------------------------------------------

    pub(crate) fn error(&mut self, span: Span, message: impl Into<String>) {
        self.push_error(Diagnostic::error(span, message));
    }

    pub(crate) fn push_error(&mut self, diagnostic: Diagnostic) {
        if self.gave_up {
            return;
        }
        // Nothing was consumed since the last error: this is the same problem seen again.
        if self.errors > 0 && self.last_error_at == Some(diagnostic.span.start) {
            return;
        }
        self.last_error_at = Some(diagnostic.span.start);
        self.errors += 1;
        self.diagnostics.push(diagnostic);
        if self.errors >= MAX_ERRORS {
            let at = self.peek().span;
            self.diagnostics.push(Diagnostic::error(
                at,
                format!("too many errors ({MAX_ERRORS}); stopped parsing here"),
            ));
            self.gave_up = true;
            self.lookahead.clear();
        }
    }

    pub(crate) fn warning(&mut self, span: Span, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::warning(span, message));
    }

    /// Enters one nesting level; reports (once per nest) and returns false when too deep.
    pub(crate) fn enter(&mut self) -> bool {
        if self.depth >= MAX_NESTING {
            return false;
        }
        self.depth += 1;
        true
    }

    pub(crate) fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Reports excessive nesting at the next token and skips the rest of the statement
    /// (iteratively, without recursion); the enclosing levels then unwind quietly because
    /// their "expected `)`" errors fall on the same position and are suppressed.
    pub(crate) fn too_deep(&mut self) {
        let t = self.peek();
        self.error(
            t.span,
            format!("nesting is too deep (more than {MAX_NESTING} levels)"),
        );
        self.recover_statement();
        let at = self.peek().span.start;
        self.last_error_at = Some(at);
    }

    /// Skips the rest of a broken statement: up to the next line start, a `}` closing the
    /// enclosing block, or the end of file. Bracketed groups are skipped whole.
    pub(crate) fn recover_statement(&mut self) {
        let mut level = 0usize;
        let mut first = true;
        loop {
            let t = self.peek();
            match t.kind {
                TokenKind::Eof => return,
                TokenKind::RBrace if level == 0 => return,
                _ if level == 0 && !first && t.newline_before => return,
                TokenKind::LBrace | TokenKind::LParen | TokenKind::LBracket => level += 1,
                TokenKind::RBrace | TokenKind::RParen | TokenKind::RBracket => {
                    level = level.saturating_sub(1)
                }
                // A top-level keyword inside an unclosed group: stop there.
                TokenKind::Ident
                    if t.newline_before && level > 0 && ends_unclosed_block(self.token_text(t)) =>
                {
                    return
                }
                _ => {}
            }
            self.bump();
            first = false;
        }
    }

    /// Skips to the next top-level keyword outside braces (or end of file).
    pub(crate) fn recover_top_level(&mut self) {
        let mut level = 0usize;
        let mut first = true;
        loop {
            let t = self.peek();
            match t.kind {
                TokenKind::Eof => return,
                TokenKind::Verbatim if level == 0 && !first => return,
                TokenKind::Ident
                    if !first
                        && (level == 0 || t.newline_before)
                        && TOP_LEVEL_KEYWORDS.contains(&self.token_text(t)) =>
                {
                    return
                }
                TokenKind::LBrace => level += 1,
                TokenKind::RBrace => level = level.saturating_sub(1),
                _ => {}
            }
            self.bump();
            first = false;
        }
    }
}

/// The C text between `VERBATIM` and `ENDVERBATIM`.
pub(crate) fn verbatim_body(token_text: &str) -> String {
    let body = token_text.strip_prefix("VERBATIM").unwrap_or(token_text);
    body.strip_suffix("ENDVERBATIM").unwrap_or(body).to_owned()
}
