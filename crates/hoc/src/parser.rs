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
    "if", "else", "while", "for", "break", "continue", "return", "stop", "proc", "func", "obfunc",
    "iterator", "local", "localobj", "objref", "objectvar", "strdef", "double", "begintemplate",
    "endtemplate", "public", "external", "create", "connect", "access", "insert", "uninsert", "forall",
    "forsec", "ifsec", "print", "new",
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
    file: Rc<str>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    depth: usize,
    in_func: bool,
    stack_base: usize,
}

impl Parser {
    pub(crate) fn peek(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        &self.tokens[(self.pos + ahead).min(self.tokens.len() - 1)].tok
    }

    pub(crate) fn bump(&mut self) {
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
    }

    pub(crate) fn span(&self) -> Span {
        let t = self.peek();
        Span { file: self.file.clone(), line: t.line, col: t.col }
    }

    pub(crate) fn peek_op(&self, op: &str) -> bool {
        matches!(self.peek().tok, Tok::Op(o) if o == op)
    }

    fn peek_word(&self, word: &str) -> bool {
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

    fn skip_separators(&mut self) {
        while matches!(self.peek().tok, Tok::Newline | Tok::Op(";")) {
            self.bump();
        }
    }

    pub(crate) fn describe_current(&self) -> String {
        match &self.peek().tok {
            Tok::Num(v) => format!("number {v}"),
            Tok::Str(_) => "a string".into(),
            Tok::Ident(n) => format!("`{n}`"),
            Tok::Arg(k, n) => format!("argument ${}{n}", if *k == 'n' { String::new() } else { k.to_string() }),
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
        if self.diagnostics.last().is_some_and(|d| d.line == span.line && d.col == span.col) {
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
    fn end_of_statement(&mut self) {
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
    fn sync(&mut self) {
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

    fn block(&mut self) -> Vec<Stmt> {
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
        stmts
    }

    /// A statement used as the body of a control construct (newlines before it are allowed).
    fn body(&mut self) -> Box<Stmt> {
        self.skip_newlines();
        Box::new(self.statement(false))
    }

    fn names(&mut self) -> Vec<String> {
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

    fn declarators(&mut self) -> Vec<Declarator> {
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
            return Stmt { kind: StmtKind::Empty, span: self.span() };
        }
        let span = self.span();
        let kind = self.statement_kind(top, &span);
        self.leave();
        Stmt { kind, span }
    }

    fn statement_kind(&mut self, top: bool, span: &Span) -> StmtKind {
        if self.peek_op("{") {
            return StmtKind::Block(self.block());
        }
        let word = match &self.peek().tok {
            Tok::Ident(w) if is_keyword(w) && w != "new" && w != "this" => w.clone(),
            _ => return self.simple_statement(span),
        };
        self.bump();
        match word.as_str() {
            "if" => {
                self.expect_op("(");
                let cond = self.expr();
                self.expect_op(")");
                let then = self.body();
                let save = self.pos;
                self.skip_separators_no_semicolon();
                let otherwise = if self.peek_word("else") {
                    self.bump();
                    Some(self.body())
                } else {
                    self.pos = save;
                    None
                };
                StmtKind::If { cond, then, otherwise }
            }
            "while" => {
                self.expect_op("(");
                let cond = self.expr();
                self.expect_op(")");
                StmtKind::While { cond, body: self.body() }
            }
            "for" => self.for_statement(),
            "break" => StmtKind::Break,
            "continue" => StmtKind::Continue,
            "stop" => StmtKind::Stop,
            "return" => {
                if matches!(self.peek().tok, Tok::Newline | Tok::Eof | Tok::Op(";") | Tok::Op("}")) {
                    StmtKind::Return(None)
                } else {
                    StmtKind::Return(Some(self.expr()))
                }
            }
            "proc" | "func" | "obfunc" | "iterator" => self.function(&word, top, span),
            "local" => StmtKind::Local(self.names()),
            "localobj" => StmtKind::LocalObj(self.names()),
            "objref" | "objectvar" => StmtKind::ObjRef(self.declarators()),
            "strdef" => StmtKind::StrDef(self.names()),
            "double" => StmtKind::Double(self.declarators()),
            "create" => StmtKind::Create(self.declarators()),
            "public" => StmtKind::Public(self.names()),
            "external" => StmtKind::External(self.names()),
            "begintemplate" => self.template(top, span),
            "endtemplate" => {
                self.error_at(span, "`endtemplate` without `begintemplate`");
                self.ident();
                StmtKind::Empty
            }
            "connect" => {
                let child = self.secloc();
                self.expect_op(",");
                let parent = self.expr();
                StmtKind::Connect { child, parent }
            }
            "access" => StmtKind::Access(self.postfix()),
            "insert" | "uninsert" => match self.ident() {
                Some(name) if word == "insert" => StmtKind::Insert(name),
                Some(name) => StmtKind::Uninsert(name),
                None => {
                    self.error_here(&format!("expected a mechanism name after `{word}`"));
                    StmtKind::Empty
                }
            },
            "forall" => StmtKind::Forall(self.body()),
            "forsec" => {
                let list = self.postfix();
                StmtKind::Forsec(list, self.body())
            }
            "ifsec" => {
                let list = self.postfix();
                StmtKind::Ifsec(list, self.body())
            }
            "print" => {
                let mut items = vec![self.expr()];
                while self.eat_op(",") {
                    items.push(self.expr());
                }
                StmtKind::Print(items)
            }
            "else" => {
                self.error_at(span, "`else` without `if`");
                StmtKind::Empty
            }
            other => {
                self.error_at(span, &format!("unexpected keyword `{other}`"));
                StmtKind::Empty
            }
        }
    }

    fn skip_separators_no_semicolon(&mut self) {
        while matches!(self.peek().tok, Tok::Newline) {
            self.bump();
        }
    }

    /// `sec` or `sec(x)` in `connect`.
    fn secloc(&mut self) -> SecLoc {
        let e = self.postfix();
        match e.kind {
            ExprKind::Call(name, mut args) if args.len() == 1 => {
                let section = Expr { kind: ExprKind::Name(name), span: e.span };
                SecLoc { section, x: args.pop() }
            }
            ExprKind::SecAt(sec, x) => SecLoc { section: *sec, x: Some(*x) },
            ExprKind::Member { object, name, index, call: Some(mut args) } if args.len() == 1 => {
                let x = args.pop();
                let section = Expr { kind: ExprKind::Member { object, name, index, call: None }, span: e.span };
                SecLoc { section, x }
            }
            kind => SecLoc { section: Expr { kind, span: e.span }, x: None },
        }
    }

    fn for_statement(&mut self) -> StmtKind {
        if self.peek_op("(") {
            // `for (x)`, `for (x, 0)` or C-style `for (init; cond; step)`.
            let is_segments = matches!(self.peek_at(1), Tok::Ident(_))
                && matches!(self.peek_at(2), Tok::Op(")") | Tok::Op(","));
            self.bump();
            if is_segments {
                let var = self.postfix();
                let with_ends = if self.eat_op(",") {
                    let e = self.expr();
                    !matches!(e.kind, ExprKind::Num(v) if v == 0.0)
                } else {
                    true
                };
                self.expect_op(")");
                return StmtKind::ForSegments { var, with_ends, body: self.body() };
            }
            let init = if self.peek_op(";") { None } else { Some(Box::new(self.simple_statement_boxed())) };
            self.expect_op(";");
            let cond = if self.peek_op(";") { None } else { Some(self.expr()) };
            self.expect_op(";");
            let step = if self.peek_op(")") { None } else { Some(Box::new(self.simple_statement_boxed())) };
            self.expect_op(")");
            return StmtKind::ForC { init, cond, step, body: self.body() };
        }
        let var = self.postfix();
        self.expect_op("=");
        let from = self.expr();
        self.expect_op(",");
        let to = self.expr();
        StmtKind::ForRange { var, from, to, body: self.body() }
    }

    fn simple_statement_boxed(&mut self) -> Stmt {
        let span = self.span();
        let kind = self.simple_statement(&span);
        Stmt { kind, span }
    }

    fn function(&mut self, word: &str, top: bool, span: &Span) -> StmtKind {
        let Some(name) = self.ident() else {
            self.error_here(&format!("expected a name after `{word}`"));
            self.sync();
            return StmtKind::Empty;
        };
        if !top || self.in_func {
            self.error_at(span, &format!("`{word} {name}` may only be defined at top level or in a template"));
        }
        self.expect_op("(");
        self.expect_op(")");
        self.skip_newlines();
        let was = self.in_func;
        self.in_func = true;
        let body = if self.peek_op("{") {
            self.block()
        } else {
            self.error_here(&format!("expected `{{` to start the body of `{name}`"));
            Vec::new()
        };
        self.in_func = was;
        let kind = match word {
            "proc" => FuncKind::Proc,
            "func" => FuncKind::Func,
            "obfunc" => FuncKind::Obfunc,
            _ => {
                self.error_at(span, "`iterator` is not supported");
                FuncKind::Proc
            }
        };
        StmtKind::Func(Rc::new(FuncDef { name, kind, body, span: span.clone() }))
    }

    fn template(&mut self, top: bool, span: &Span) -> StmtKind {
        let Some(name) = self.ident() else {
            self.error_here("expected a template name after `begintemplate`");
            self.sync();
            return StmtKind::Empty;
        };
        if !top || self.in_func {
            self.error_at(span, "`begintemplate` must be at top level");
        }
        let (mut body, mut funcs, mut public, mut external) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        loop {
            self.skip_separators();
            match &self.peek().tok {
                Tok::Eof => {
                    self.error_at(span, &format!("template `{name}` has no `endtemplate`"));
                    break;
                }
                Tok::Ident(w) if w == "endtemplate" => {
                    self.bump();
                    match self.ident() {
                        Some(end) if end == name => {}
                        Some(end) => self.error_here(&format!("`endtemplate {end}` closes template `{name}`")),
                        None => self.error_here(&format!("expected `{name}` after `endtemplate`")),
                    }
                    break;
                }
                Tok::Ident(w) if w == "begintemplate" => {
                    self.error_at(span, &format!("template `{name}` has no `endtemplate`"));
                    break;
                }
                Tok::Op("}") => {
                    self.error_here("unmatched `}`");
                    self.bump();
                    continue;
                }
                _ => {}
            }
            let before = self.pos;
            let stmt = self.statement(true);
            self.end_of_statement();
            if self.pos == before {
                self.bump();
            }
            match stmt.kind {
                StmtKind::Func(f) => funcs.push(f),
                StmtKind::Public(names) => public.extend(names),
                StmtKind::External(names) => external.extend(names),
                StmtKind::Template(_) => self.error_at(&stmt.span, "templates cannot be nested"),
                _ => body.push(stmt),
            }
        }
        StmtKind::Template(Rc::new(TemplateDef { name, body, funcs, public, external, span: span.clone() }))
    }

    /// Assignment, expression statement, or section-prefixed statement.
    fn simple_statement(&mut self, span: &Span) -> StmtKind {
        let target = self.expr();
        let assign = match &self.peek().tok {
            Tok::Op("=") => Some(AssignOp::Set),
            Tok::Op("+=") => Some(AssignOp::Add),
            Tok::Op("-=") => Some(AssignOp::Sub),
            Tok::Op("*=") => Some(AssignOp::Mul),
            Tok::Op("/=") => Some(AssignOp::Div),
            _ => None,
        };
        if let Some(op) = assign {
            self.bump();
            if !is_lvalue(&target) {
                self.error_at(span, "the left side of an assignment must be a variable");
            }
            let mut value = self.expr();
            if matches!(target.kind, ExprKind::RangeSpan(..)) {
                if op != AssignOp::Set || !self.eat_op(":") {
                    self.error_here("`name(x1:x2)` must be assigned `= y1:y2`");
                    return StmtKind::Empty;
                }
                let y2 = self.expr();
                return StmtKind::AssignSpan { target, y1: value, y2 };
            }
            // `a = b = c` assigns right to left: c to b, then b to a.
            let mut targets = vec![target];
            while self.peek_op("=") && is_lvalue(&value) {
                self.bump();
                targets.push(value);
                value = self.expr();
            }
            if targets.len() > 1 {
                let mut stmts = Vec::new();
                let mut source = value;
                while let Some(t) = targets.pop() {
                    let next = t.clone();
                    let this_op = if targets.is_empty() { op } else { AssignOp::Set };
                    stmts.push(Stmt { kind: StmtKind::Assign { target: t, op: this_op, value: source }, span: span.clone() });
                    source = next;
                }
                return StmtKind::Block(stmts);
            }
            let target = targets.pop().expect("one target");
            return StmtKind::Assign { target, op, value };
        }
        // `sec stmt` / `sec { … }`: a designator directly followed by more code.
        let continues = match &self.peek().tok {
            Tok::Op("{") => true,
            Tok::Ident(w) => w != "else",
            _ => false,
        };
        if continues && is_section_designator(&target) {
            let body = Box::new(self.statement(false));
            return StmtKind::OnSection { section: target, body };
        }
        if matches!(target.kind, ExprKind::RangeSpan(..)) {
            self.error_at(span, "`name(x1:x2)` must be assigned `= y1:y2`");
        }
        StmtKind::Expr(target)
    }
}

fn is_section_designator(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Name(_) | ExprKind::Index(..) | ExprKind::Member { call: None, .. })
}

fn is_lvalue(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Name(_)
            | ExprKind::Index(..)
            | ExprKind::Member { .. }
            | ExprKind::Call(..)
            | ExprKind::RangeSpan(..)
            | ExprKind::Arg(..)
            | ExprKind::SecAt(..)
    )
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
        let StmtKind::Template(t) = &s[0].kind else { panic!() };
        assert_eq!(t.public, vec!["soma"]);
        assert_eq!(t.funcs.len(), 1);
        assert_eq!(t.body.len(), 1);
        let StmtKind::ForRange { body, .. } = &t.funcs[0].body[1].kind else { panic!("{:?}", t.funcs[0].body) };
        assert!(matches!(body.kind, StmtKind::OnSection { .. }));
    }

    #[test]
    fn statement_forms() {
        let s = ok("soma { pt3dclear() pt3dadd(0,0,0,1) L = 2 diam = 3 }\n");
        let StmtKind::OnSection { body, .. } = &s[0].kind else { panic!() };
        let StmtKind::Block(b) = &body.kind else { panic!() };
        assert_eq!(b.len(), 4);
        let s = ok("soma insert hh\nconnect dend[0](0), soma(1)\nsoma connect a(0), 1\ndiam(0:1) = 2:3\nif (x) y=1 else { y=2 }\nfor (x, 0) g(x) = x\nfor (i=0; i<3; i+=1) { }\nx = y = 3\n");
        assert!(matches!(s[0].kind, StmtKind::OnSection { .. }));
        assert!(matches!(s[1].kind, StmtKind::Connect { .. }));
        assert!(matches!(s[2].kind, StmtKind::OnSection { .. }));
        assert!(matches!(s[3].kind, StmtKind::AssignSpan { .. }));
        assert!(matches!(s[4].kind, StmtKind::If { otherwise: Some(_), .. }));
        assert!(matches!(s[5].kind, StmtKind::ForSegments { with_ends: false, .. }));
        assert!(matches!(s[6].kind, StmtKind::ForC { .. }));
        assert!(matches!(s[7].kind, StmtKind::Block(_)));
    }

    #[test]
    fn if_else_across_lines() {
        let s = ok("if (a) {\n b = 1\n}\nelse {\n b = 2\n}\nc = 3\n");
        assert_eq!(s.len(), 2);
        assert!(matches!(s[0].kind, StmtKind::If { otherwise: Some(_), .. }));
    }

    #[test]
    fn reports_all_errors_with_positions() {
        let (_, d) = parse("x = (1 +\ny = 2 )\nz = * 3\nproc p( { }\n", "bad.hoc");
        assert!(d.len() >= 2, "{d:?}");
        assert!(d.iter().any(|d| d.line == 3), "{d:?}");
        let (_, d) = parse("begintemplate T\nproc a() {\n", "u.hoc");
        assert!(d.iter().any(|d| d.message.contains("no `endtemplate`")), "{d:?}");
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
