//! NMODL tokenizer.
//!
//! The lexer is pulled by the parser one token at a time rather than producing a token vector
//! up front: a 50 MB input would otherwise need gigabytes of tokens. NMODL has three places
//! where text must be read raw instead of as tokens — units `(mA/cm2)`, the rest of a `TITLE`
//! line and `REPRESENTS` ontology ids such as `NCIT:C17145` (`:` would start a comment) — so
//! the parser can ask for those with [`Lexer::raw_units`], [`Lexer::rest_of_line`] and
//! [`Lexer::raw_word`] and then continue lexing after them.
//!
//! Comments (`:` or `?` to end of line, `COMMENT … ENDCOMMENT`) and `UNITSON`/`UNITSOFF` are
//! skipped here; `VERBATIM … ENDVERBATIM` becomes one token holding the raw C text. Characters
//! that can start no token are grouped into one [`TokenKind::Unknown`] token and left for the
//! parser to report, so that garbage yields one diagnostic per run of garbage.

use crate::ast::Span;
use crate::diagnostic::Diagnostic;

mod token;

pub use token::{Token, TokenKind};

/// Pull lexer over one source text.
#[derive(Debug)]
pub struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    diagnostics: Vec<Diagnostic>,
    /// Lexing may restart at an earlier position after a raw read; problems before this offset
    /// have been reported already.
    reported_up_to: usize,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Bytes that can start or continue a token or separate tokens.
fn is_known_start(b: u8) -> bool {
    is_ident_continue(b) || b.is_ascii_whitespace() || b"+-*/^<>=!&|'~(){}[],.\":?".contains(&b)
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str) -> Self {
        Lexer {
            text,
            pos: 0,
            diagnostics: Vec::new(),
            reported_up_to: 0,
        }
    }

    /// Current byte offset (start of the next unread character).
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Continue lexing at `pos` (must be a char boundary inside the text).
    pub fn reset(&mut self, pos: usize) {
        self.pos = pos.min(self.text.len());
    }

    /// Diagnostics found so far (unterminated strings and blocks).
    pub fn take_diagnostics(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.diagnostics)
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        if diagnostic.span.start >= self.reported_up_to {
            self.reported_up_to = diagnostic.span.start + 1;
            self.diagnostics.push(diagnostic);
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn peek_byte(&self, offset: usize) -> Option<u8> {
        self.bytes().get(self.pos + offset).copied()
    }

    /// Index of the first occurrence of the word `word` at or after `from`, as a whole word.
    fn find_word(&self, from: usize, word: &str) -> Option<usize> {
        let bytes = self.bytes();
        let mut search = from;
        while let Some(rel) = self.text.get(search..)?.find(word) {
            let at = search + rel;
            let before_ok = at == 0 || !is_ident_continue(bytes[at - 1]);
            let end = at + word.len();
            let after_ok = end >= bytes.len() || !is_ident_continue(bytes[end]);
            if before_ok && after_ok {
                return Some(at);
            }
            search = at + word.len();
        }
        None
    }

    /// Moves to the next `\n` or `\r` (old Mac files end lines with a lone `\r`).
    fn skip_to_line_end(&mut self) {
        match self.text[self.pos..].find(['\n', '\r']) {
            Some(rel) => self.pos += rel,
            None => self.pos = self.text.len(),
        }
    }

    /// Skips whitespace, comments, COMMENT blocks and UNITSON/UNITSOFF; returns whether a line
    /// break was crossed.
    fn skip_trivia(&mut self) -> bool {
        let mut newline = false;
        loop {
            let Some(b) = self.peek_byte(0) else {
                return newline;
            };
            match b {
                b'\n' | b'\r' => {
                    newline = true;
                    self.pos += 1;
                }
                b' ' | b'\t' | b'\x0c' | b'\x0b' => self.pos += 1,
                b':' | b'?' => self.skip_to_line_end(),
                _ if is_ident_start(b) => {
                    let end = self.ident_end(self.pos);
                    match &self.text[self.pos..end] {
                        "COMMENT" => {
                            let start = self.pos;
                            match self.find_word(end, "ENDCOMMENT") {
                                Some(at) => {
                                    newline |= self.text[start..at].contains('\n');
                                    self.pos = at + "ENDCOMMENT".len();
                                }
                                None => {
                                    self.report(
                                        Diagnostic::error(
                                            Span { start, end },
                                            "COMMENT block is never closed",
                                        )
                                        .with_hint("add ENDCOMMENT after the comment text"),
                                    );
                                    self.pos = self.text.len();
                                }
                            }
                        }
                        "UNITSON" | "UNITSOFF" => self.pos = end,
                        _ => return newline,
                    }
                }
                _ => return newline,
            }
        }
    }

    fn ident_end(&self, start: usize) -> usize {
        let bytes = self.bytes();
        let mut end = start;
        while end < bytes.len() && is_ident_continue(bytes[end]) {
            end += 1;
        }
        end
    }

    fn number_end(&self, start: usize) -> usize {
        let bytes = self.bytes();
        let digits = |mut i: usize| {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            i
        };
        let mut end = digits(start);
        if end < bytes.len() && bytes[end] == b'.' {
            end = digits(end + 1);
        }
        if end < bytes.len() && (bytes[end] == b'e' || bytes[end] == b'E') {
            let mut exp = end + 1;
            if exp < bytes.len() && (bytes[exp] == b'+' || bytes[exp] == b'-') {
                exp += 1;
            }
            if exp < bytes.len() && bytes[exp].is_ascii_digit() {
                end = digits(exp);
            }
        }
        end
    }

    /// The next token.
    pub fn next_token(&mut self) -> Token {
        let newline_before = self.skip_trivia();
        let start = self.pos;
        let token = |kind, end: usize| Token {
            kind,
            span: Span { start, end },
            newline_before,
        };
        let Some(b) = self.peek_byte(0) else {
            return token(TokenKind::Eof, start);
        };
        let next = self.peek_byte(1);
        use TokenKind::*;
        let (kind, len) = match b {
            _ if is_ident_start(b) => {
                let end = self.ident_end(start);
                if &self.text[start..end] == "VERBATIM" {
                    return self.verbatim(start, end, newline_before);
                }
                (Ident, end - start)
            }
            b'0'..=b'9' => (Number, self.number_end(start) - start),
            b'.' if next.is_some_and(|c| c.is_ascii_digit()) => {
                (Number, self.number_end(start) - start)
            }
            b'"' => return self.string(start, newline_before),
            b'+' => (Plus, 1),
            b'-' if next == Some(b'>') => (Arrow, 2),
            b'-' => (Minus, 1),
            b'*' => (Star, 1),
            b'/' => (Slash, 1),
            b'^' => (Caret, 1),
            b'<' if next == Some(b'-') && self.peek_byte(2) == Some(b'>') => (Reversible, 3),
            b'<' if next == Some(b'<') => (Flux, 2),
            b'<' if next == Some(b'=') => (Le, 2),
            b'<' => (Lt, 1),
            b'>' if next == Some(b'=') => (Ge, 2),
            b'>' => (Gt, 1),
            b'=' if next == Some(b'=') => (EqEq, 2),
            b'=' => (Assign, 1),
            b'!' if next == Some(b'=') => (Ne, 2),
            b'!' => (Not, 1),
            b'&' if next == Some(b'&') => (AndAnd, 2),
            b'|' if next == Some(b'|') => (OrOr, 2),
            b'\'' => (Prime, 1),
            b'~' => (Tilde, 1),
            b'(' => (LParen, 1),
            b')' => (RParen, 1),
            b'{' => (LBrace, 1),
            b'}' => (RBrace, 1),
            b'[' => (LBracket, 1),
            b']' => (RBracket, 1),
            b',' => (Comma, 1),
            _ => {
                // Group a run of characters that start no token (binary garbage, `;`, `µ`).
                let mut end = start;
                let mut first = true;
                for (i, c) in self.text[start..].char_indices() {
                    let known = c.is_ascii() && is_known_start(c as u8);
                    if known && !(first && matches!(c, '&' | '|' | '.')) {
                        break;
                    }
                    first = false;
                    end = start + i + c.len_utf8();
                }
                (Unknown, end - start)
            }
        };
        self.pos = start + len;
        token(kind, self.pos)
    }

    fn verbatim(&mut self, start: usize, keyword_end: usize, newline_before: bool) -> Token {
        let end = match self.find_word(keyword_end, "ENDVERBATIM") {
            Some(at) => at + "ENDVERBATIM".len(),
            None => {
                self.report(
                    Diagnostic::error(
                        Span {
                            start,
                            end: keyword_end,
                        },
                        "VERBATIM block is never closed",
                    )
                    .with_hint("add ENDVERBATIM after the C code"),
                );
                self.text.len()
            }
        };
        self.pos = end;
        Token {
            kind: TokenKind::Verbatim,
            span: Span { start, end },
            newline_before,
        }
    }

    fn string(&mut self, start: usize, newline_before: bool) -> Token {
        let bytes = self.bytes();
        let mut i = start + 1;
        let end = loop {
            match bytes.get(i) {
                Some(b'"') => break i + 1,
                Some(b'\\') if i + 1 < bytes.len() && bytes[i + 1] != b'\n' => i += 2,
                Some(b'\n') | None => {
                    self.report(Diagnostic::error(
                        Span { start, end: i },
                        "string is not closed before the end of the line",
                    ));
                    break i;
                }
                Some(_) => i += 1,
            }
        };
        // Never stop inside a multi-byte character.
        let mut end = end;
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        self.pos = end;
        Token {
            kind: TokenKind::Str,
            span: Span { start, end },
            newline_before,
        }
    }

    /// Reads a unit whose `(` ends at `after_open`: returns the trimmed text up to the next `)`
    /// and the offset after it, or `None` (position unchanged) if the line ends first.
    pub fn raw_units(&mut self, after_open: usize) -> Option<(String, usize)> {
        let rest = self.text.get(after_open..)?;
        let close = rest.find([')', '\n', '{', '}'])?;
        if rest.as_bytes()[close] != b')' {
            return None;
        }
        let text = rest[..close].trim().to_owned();
        self.pos = after_open + close + 1;
        Some((text, self.pos))
    }

    /// The rest of the line starting at `from`, trimmed; lexing continues on the next line.
    pub fn rest_of_line(&mut self, from: usize) -> String {
        self.reset(from);
        let start = self.pos;
        self.skip_to_line_end();
        self.text[start..self.pos].trim().to_owned()
    }

    /// A run of non-blank characters after `from` on the same line (ontology ids).
    pub fn raw_word(&mut self, from: usize) -> Option<(String, Span)> {
        self.reset(from);
        let bytes = self.bytes();
        while self.pos < bytes.len() && matches!(bytes[self.pos], b' ' | b'\t') {
            self.pos += 1;
        }
        let start = self.pos;
        while self.pos < bytes.len() && !bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        while !self.text.is_char_boundary(self.pos) {
            self.pos += 1;
        }
        (self.pos > start).then(|| {
            (
                self.text[start..self.pos].to_owned(),
                Span {
                    start,
                    end: self.pos,
                },
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenKind::*;

    fn kinds(text: &str) -> Vec<(TokenKind, String)> {
        let mut lexer = Lexer::new(text);
        let mut out = Vec::new();
        loop {
            let t = lexer.next_token();
            if t.kind == Eof {
                return out;
            }
            out.push((t.kind, text[t.span.start..t.span.end].to_owned()));
        }
    }

    #[test]
    fn numbers_in_all_spellings() {
        let toks = kinds("1 1.5 .5 1e-3 1E+5 2. 3e");
        let texts: Vec<_> = toks.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, ["1", "1.5", ".5", "1e-3", "1E+5", "2.", "3", "e"]);
        assert_eq!(toks[5].0, Number);
        assert_eq!(toks[7].0, Ident);
    }

    #[test]
    fn operators_and_reaction_arrows() {
        let toks: Vec<_> = kinds("~ A <-> B << -> <= >= == != && || ! ' ^ x<-1")
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(
            toks,
            [
                Tilde, Ident, Reversible, Ident, Flux, Arrow, Le, Ge, EqEq, Ne, AndAnd, OrOr, Not,
                Prime, Caret, Ident, Lt, Minus, Number
            ]
        );
    }

    #[test]
    fn comments_are_skipped_and_verbatim_kept() {
        let text = "a : c1\n? c2\nCOMMENT x y\nz ENDCOMMENT b UNITSOFF VERBATIM\n#include <x>\nENDVERBATIM c";
        let toks = kinds(text);
        assert_eq!(toks[0], (Ident, "a".into()));
        assert_eq!(toks[1], (Ident, "b".into()));
        assert_eq!(toks[2].0, Verbatim);
        assert!(toks[2].1.contains("#include"));
        assert_eq!(toks[3], (Ident, "c".into()));
        assert_eq!(toks.len(), 4);
    }

    #[test]
    fn unterminated_comment_and_string_report_once() {
        let mut lexer = Lexer::new("COMMENT never closed");
        assert_eq!(lexer.next_token().kind, Eof);
        assert_eq!(lexer.take_diagnostics().len(), 1);
        let mut lexer = Lexer::new("printf(\"abc\n)");
        let kinds: Vec<_> = std::iter::from_fn(|| Some(lexer.next_token()))
            .take_while(|t| t.kind != Eof)
            .map(|t| t.kind)
            .collect();
        assert_eq!(kinds, [Ident, LParen, Str, RParen]);
        assert_eq!(lexer.take_diagnostics().len(), 1);
    }

    #[test]
    fn garbage_runs_form_one_token() {
        let toks = kinds("a \u{0}\u{1}\u{fffd}µ; b");
        assert_eq!(toks.len(), 3);
        assert_eq!(toks[1].0, Unknown);
    }

    #[test]
    fn raw_units_and_newline_flag() {
        let text = "x (mA/cm2) y\n(1/ms";
        let mut lexer = Lexer::new(text);
        lexer.next_token();
        let open = lexer.next_token();
        assert_eq!(open.kind, LParen);
        assert_eq!(
            lexer.raw_units(open.span.end),
            Some(("mA/cm2".to_owned(), 10))
        );
        let y = lexer.next_token();
        assert!(!y.newline_before);
        let open = lexer.next_token();
        assert!(open.newline_before);
        assert_eq!(lexer.raw_units(open.span.end), None);
    }
}
