//! Token kinds and tokens produced by the [`super::Lexer`].

use crate::ast::Span;

/// Kind of a token. Keywords are plain identifiers; the parser recognises them by text
/// because most NMODL keywords are only reserved in some positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Ident,
    Number,
    /// A `"…"` string; the token text includes the quotes.
    Str,
    /// A `VERBATIM … ENDVERBATIM` block; the token text is the whole block.
    Verbatim,
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    Lt,
    Gt,
    Le,
    Ge,
    EqEq,
    Ne,
    AndAnd,
    OrOr,
    Not,
    Assign,
    Prime,
    Tilde,
    /// `<->`
    Reversible,
    /// `<<`
    Flux,
    /// `->`
    Arrow,
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    /// Characters that start no NMODL token.
    Unknown,
    Eof,
}

impl TokenKind {
    /// How the token kind is shown in "expected …" messages.
    pub fn describe(self) -> &'static str {
        use TokenKind::*;
        match self {
            Ident => "a name",
            Number => "a number",
            Str => "a string",
            Verbatim => "a VERBATIM block",
            Plus => "`+`",
            Minus => "`-`",
            Star => "`*`",
            Slash => "`/`",
            Caret => "`^`",
            Lt => "`<`",
            Gt => "`>`",
            Le => "`<=`",
            Ge => "`>=`",
            EqEq => "`==`",
            Ne => "`!=`",
            AndAnd => "`&&`",
            OrOr => "`||`",
            Not => "`!`",
            Assign => "`=`",
            Prime => "`'`",
            Tilde => "`~`",
            Reversible => "`<->`",
            Flux => "`<<`",
            Arrow => "`->`",
            LParen => "`(`",
            RParen => "`)`",
            LBrace => "`{`",
            RBrace => "`}`",
            LBracket => "`[`",
            RBracket => "`]`",
            Comma => "`,`",
            Unknown => "an invalid character",
            Eof => "end of file",
        }
    }
}

/// One token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
    /// A line break (possibly inside a skipped comment) separates this token from the previous
    /// one. The parser uses it to resynchronise after errors, since statements are one per line
    /// in practice.
    pub newline_before: bool,
}
