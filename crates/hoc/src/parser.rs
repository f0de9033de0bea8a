//! Error-recovering recursive-descent parser for HOC statements, functions and templates.
//!
//! Every error becomes a [`Diagnostic`] and the parser resynchronises at the next line end,
//! so one run reports all errors it can. Nesting depth is bounded, so hostile input cannot
//! overflow the stack.

use std::rc::Rc;

use crate::ast::*;
use crate::lexer::{tokenize, Span, Tok, Token};
use crate::Diagnostic;

const MAX_DEPTH: usize = 150;

const KEYWORDS: [&str; 32] = [
    "if",
    "else",
    "while",
    "for",
    "break",
    "continue",
    "return",
    "stop",
    "proc",
    "func",
    "obfunc",
    "iterator",
    "local",
    "localobj",
    "objref",
    "objectvar",
    "strdef",
    "double",
    "begintemplate",
    "endtemplate",
    "public",
    "external",
    "create",
    "connect",
    "access",
    "insert",
    "uninsert",
    "forall",
    "forsec",
    "ifsec",
    "print",
    "new",
];

/// True for words that start statements and cannot be variable names.
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name) || name == "this"
}

/// A parsed file or string: its top-level statements.
#[derive(Debug)]
pub struct Program {
    pub stmts: Vec<Stmt>,
}

/// Parses `src` (named `file` in diagnostics). Returns the program and all diagnostics; the
/// program is only meaningful when there are none.
pub fn parse(src: &str, file: &str) -> (Program, Vec<Diagnostic>) {
    let mut p = Parser {
        tokens: tokenize(src),
        pos: 0,
        file: file.into(),
        diagnostics: Vec::new(),
        depth: 0,
        in_func: false,
        stack_base: crate::stack_position(),
    };
    let mut stmts = Vec::new();
    loop {
        p.skip_separators();
        if matches!(p.peek().tok, Tok::Eof) {
            break;
        }
        if p.peek_op("}") {
            p.error_here("unmatched `}`");
            p.bump();
            continue;
        }
        let before = p.pos;
        let s = p.statement(true);
        stmts.push(s);
        p.end_of_statement();
        if p.pos == before {
            p.bump();
        }
    }
    (Program { stmts }, p.diagnostics)
}

pub(crate) struct Parser {
    pub(crate) tokens: Vec<Token>,
    pub(crate) pos: usize,
    pub(crate) file: Rc<str>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) depth: usize,
    pub(crate) in_func: bool,
    pub(crate) stack_base: usize,
}

impl Parser {
    pub(crate) fn peek(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    pub(crate) fn peek_at(&self, ahead: usize) -> &Tok {
        &self.tokens[(self.pos + ahead).min(self.tokens.len() - 1)].tok
    }

    pub(crate) fn bump(&mut self) {
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
    }

    pub(crate) fn span(&self) -> Span {
        let t = self.peek();
        Span {
            file: self.file.clone(),
            line: t.line,
            col: t.col,
        }
    }

    pub(crate) fn peek_op(&self, op: &str) -> bool {
        matches!(self.peek().tok, Tok::Op(o) if o == op)
    }

    pub(crate) fn peek_word(&self, word: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(w) if w == word)
    }

    pub(crate) fn eat_op(&mut self, op: &str) -> bool {
        if self.peek_op(op) {
            self.bump();
            true
        } else {
            false
        }
    }

    pub(crate) fn expect_op(&mut self, op: &str) {
        if !self.eat_op(op) {
            let what = self.describe_current();
            self.error_here(&format!("expected `{op}`, found {what}"));
        }
    }

    pub(crate) fn ident(&mut self) -> Option<String> {
        if let Tok::Ident(name) = &self.peek().tok {
            let name = name.clone();
            self.bump();
            Some(name)
        } else {
            None
        }
    }

    pub(crate) fn skip_newlines(&mut self) {
        while matches!(self.peek().tok, Tok::Newline) {
            self.bump();
        }
    }

    pub(crate) fn skip_separators(&mut self) {
        while matches!(self.peek().tok, Tok::Newline | Tok::Op(";")) {
            self.bump();
        }
    }

    pub(crate) fn describe_current(&self) -> String {
        match &self.peek().tok {
            Tok::Num(v) => format!("number {v}"),
            Tok::Str(_) => "a string".into(),
            Tok::Ident(n) => format!("`{n}`"),
            Tok::Arg(k, n) => format!(
                "argument ${}{n}",
                if *k == 'n' {
                    String::new()
                } else {
                    k.to_string()
                }
            ),
            Tok::Op(o) => format!("`{o}`"),
            Tok::Newline => "end of line".into(),
            Tok::Eof => "end of file".into(),
            Tok::Error(m) => m.clone(),
        }
    }

    pub(crate) fn error_at(&mut self, span: &Span, msg: &str) {
        self.diagnostics.push(Diagnostic::new(span, msg));
    }

    pub(crate) fn error_here(&mut self, msg: &str) {
        let span = self.span();
        // A lexer error token explains itself better than "expected …, found …".
        let msg = match &self.peek().tok {
            Tok::Error(m) => m.clone(),
            _ => msg.to_string(),
        };
        if self
            .diagnostics
            .last()
            .is_some_and(|d| d.line == span.line && d.col == span.col)
        {
            return;
        }
        self.error_at(&span, &msg);
    }

    /// Bounds recursion; on overflow reports once and jumps to the end of input.
    pub(crate) fn enter(&mut self) -> bool {
        self.depth += 1;
        let used = self.stack_base.saturating_sub(crate::stack_position());
        if self.depth > MAX_DEPTH || used > crate::STACK_BUDGET / 2 {
            self.depth -= 1;
            self.error_here("nesting too deep");
            self.pos = self.tokens.len() - 1;
            return false;
        }
        true
    }

    pub(crate) fn leave(&mut self) {
        self.depth -= 1;
    }

    /// After a statement: a line end, `;`, or something that closes or continues the enclosing
    /// construct must follow. Anything else is an error; skip to the next line.
    pub(crate) fn end_of_statement(&mut self) {
        match &self.peek().tok {
            Tok::Newline | Tok::Op(";") => self.bump(),
            // HOC needs no separator between statements: `L = 10 diam = 2`.
            Tok::Eof | Tok::Op("}") | Tok::Op("{") | Tok::Ident(_) | Tok::Arg(..) => {}
            _ => {
                let what = self.describe_current();
                self.error_here(&format!("expected end of statement, found {what}"));
                self.sync();
            }
        }
    }

    /// Skips to the next line end or `;` (not past a closing brace).
    pub(crate) fn sync(&mut self) {
        loop {
            match self.peek().tok {
                Tok::Newline | Tok::Op(";") => {
                    self.bump();
                    return;
                }
                Tok::Eof | Tok::Op("}") => return,
                _ => self.bump(),
            }
        }
    }

    pub(crate) fn block(&mut self) -> Vec<Stmt> {
        let open = self.span();
        self.expect_op("{");
        let mut stmts = Vec::new();
        loop {
            self.skip_separators();
            match &self.peek().tok {
                Tok::Op("}") => {
                    self.bump();
                    break;
                }
                Tok::Eof => {
                    self.error_at(&open, "unclosed `{`");
                    break;
                }
                Tok::Ident(w) if w == "endtemplate" => {
                    self.error_at(&open, "unclosed `{` before `endtemplate`");
                    break;
                }
                _ => {}
            }
            let before = self.pos;
            stmts.push(self.statement(false));
            self.end_of_statement();
            if self.pos == before {
                self.bump();
            }
        }
        // Templates are kept for the whole run; growth slack would be up to half the tree.
        stmts.shrink_to_fit();
        stmts
    }

    /// A statement used as the body of a control construct (newlines before it are allowed).
    pub(crate) fn body(&mut self) -> Box<Stmt> {
        self.skip_newlines();
        Box::new(self.statement(false))
    }

    pub(crate) fn names(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        loop {
            match self.ident() {
                Some(n) => out.push(n),
                None => {
                    let what = self.describe_current();
                    self.error_here(&format!("expected a name, found {what}"));
                    break;
                }
            }
            if !self.eat_op(",") {
                break;
            }
        }
        out
    }

    pub(crate) fn declarators(&mut self) -> Vec<Declarator> {
        let mut out = Vec::new();
        loop {
            let Some(name) = self.ident() else {
                let what = self.describe_current();
                self.error_here(&format!("expected a name, found {what}"));
                break;
            };
            let mut dims = Vec::new();
            while self.eat_op("[") {
                dims.push(self.expr());
                self.expect_op("]");
            }
            out.push(Declarator { name, dims });
            if !self.eat_op(",") {
                break;
            }
        }
        out
    }

    pub(crate) fn statement(&mut self, top: bool) -> Stmt {
        if !self.enter() {
            return Stmt {
                kind: StmtKind::Empty,
                span: self.span(),
            };
        }
        let span = self.span();
        let kind = self.statement_kind(top, &span);
        self.leave();
        Stmt { kind, span }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(src: &str) -> Vec<Stmt> {
        let (p, d) = parse(src, "t.hoc");
        assert!(d.is_empty(), "{d:?}");
        p.stmts
    }

    #[test]
    fn template_with_procs_and_section_blocks() {
        let s = ok("begintemplate A\npublic soma\ncreate soma[2]\nproc init() { local i\n for i=0,1 soma[i] { nseg = 3 insert hh }\n}\nendtemplate A\n");
        let StmtKind::Template(t) = &s[0].kind else {
            panic!()
        };
        assert_eq!(t.public, vec!["soma"]);
        assert_eq!(t.funcs.len(), 1);
        assert_eq!(t.body.len(), 1);
        let StmtKind::ForRange { body, .. } = &t.funcs[0].body[1].kind else {
            panic!("{:?}", t.funcs[0].body)
        };
        assert!(matches!(body.kind, StmtKind::OnSection { .. }));
    }

    #[test]
    fn statement_forms() {
        let s = ok("soma { pt3dclear() pt3dadd(0,0,0,1) L = 2 diam = 3 }\n");
        let StmtKind::OnSection { body, .. } = &s[0].kind else {
            panic!()
        };
        let StmtKind::Block(b) = &body.kind else {
            panic!()
        };
        assert_eq!(b.len(), 4);
        let s = ok("soma insert hh\nconnect dend[0](0), soma(1)\nsoma connect a(0), 1\ndiam(0:1) = 2:3\nif (x) y=1 else { y=2 }\nfor (x, 0) g(x) = x\nfor (i=0; i<3; i+=1) { }\nx = y = 3\n");
        assert!(matches!(s[0].kind, StmtKind::OnSection { .. }));
        assert!(matches!(s[1].kind, StmtKind::Connect { .. }));
        assert!(matches!(s[2].kind, StmtKind::OnSection { .. }));
        assert!(matches!(s[3].kind, StmtKind::AssignSpan { .. }));
        assert!(matches!(
            s[4].kind,
            StmtKind::If {
                otherwise: Some(_),
                ..
            }
        ));
        assert!(matches!(
            s[5].kind,
            StmtKind::ForSegments {
                with_ends: false,
                ..
            }
        ));
        assert!(matches!(s[6].kind, StmtKind::ForC { .. }));
        assert!(matches!(s[7].kind, StmtKind::Block(_)));
    }

    #[test]
    fn if_else_across_lines() {
        let s = ok("if (a) {\n b = 1\n}\nelse {\n b = 2\n}\nc = 3\n");
        assert_eq!(s.len(), 2);
        assert!(matches!(
            s[0].kind,
            StmtKind::If {
                otherwise: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn reports_all_errors_with_positions() {
        let (_, d) = parse("x = (1 +\ny = 2 )\nz = * 3\nproc p( { }\n", "bad.hoc");
        assert!(d.len() >= 2, "{d:?}");
        assert!(d.iter().any(|d| d.line == 3), "{d:?}");
        let (_, d) = parse("begintemplate T\nproc a() {\n", "u.hoc");
        assert!(
            d.iter().any(|d| d.message.contains("no `endtemplate`")),
            "{d:?}"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = "x = ".to_string() + &"(".repeat(100_000) + "1";
        let (_, d) = parse(&src, "deep.hoc");
        assert!(!d.is_empty());
        let src = "if (1) ".repeat(50_000);
        let (_, d) = parse(&src, "deep.hoc");
        assert!(!d.is_empty());
    }
}
