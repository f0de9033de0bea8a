//! Statement parsing: control flow, declarations, functions, templates, section statements.

use std::rc::Rc;

use crate::ast::*;
use crate::lexer::{Span, Tok};
use crate::parser::{is_keyword, Parser};

impl Parser {
    pub(crate) fn statement_kind(&mut self, top: bool, span: &Span) -> StmtKind {
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
                StmtKind::If {
                    cond,
                    then,
                    otherwise,
                }
            }
            "while" => {
                self.expect_op("(");
                let cond = self.expr();
                self.expect_op(")");
                StmtKind::While {
                    cond,
                    body: self.body(),
                }
            }
            "for" => self.for_statement(),
            "break" => StmtKind::Break,
            "continue" => StmtKind::Continue,
            "stop" => StmtKind::Stop,
            "return" => {
                if matches!(
                    self.peek().tok,
                    Tok::Newline | Tok::Eof | Tok::Op(";") | Tok::Op("}")
                ) {
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
                StmtKind::Connect {
                    child,
                    parent: Box::new(parent),
                }
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
                let section = Expr {
                    kind: ExprKind::Name(name),
                    span: e.span,
                };
                SecLoc {
                    section,
                    x: args.pop(),
                }
            }
            ExprKind::SecAt(sec, x) => SecLoc {
                section: *sec,
                x: Some(*x),
            },
            ExprKind::Member(mut member)
                if member.call.as_ref().is_some_and(|args| args.len() == 1) =>
            {
                let x = member.call.take().and_then(|mut args| args.pop());
                let section = Expr {
                    kind: ExprKind::Member(member),
                    span: e.span,
                };
                SecLoc { section, x }
            }
            kind => SecLoc {
                section: Expr { kind, span: e.span },
                x: None,
            },
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
                return StmtKind::ForSegments {
                    var,
                    with_ends,
                    body: self.body(),
                };
            }
            let init = if self.peek_op(";") {
                None
            } else {
                Some(Box::new(self.simple_statement_boxed()))
            };
            self.expect_op(";");
            let cond = if self.peek_op(";") {
                None
            } else {
                Some(self.expr())
            };
            self.expect_op(";");
            let step = if self.peek_op(")") {
                None
            } else {
                Some(Box::new(self.simple_statement_boxed()))
            };
            self.expect_op(")");
            return StmtKind::ForC {
                init,
                cond,
                step,
                body: self.body(),
            };
        }
        let var = self.postfix();
        self.expect_op("=");
        let from = self.expr();
        self.expect_op(",");
        let to = self.expr();
        StmtKind::ForRange {
            var,
            from: Box::new(from),
            to: Box::new(to),
            body: self.body(),
        }
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
            self.error_at(
                span,
                &format!("`{word} {name}` may only be defined at top level or in a template"),
            );
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
        StmtKind::Func(Rc::new(FuncDef { name, kind, body }))
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
        let (mut body, mut funcs, mut public, mut external) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
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
                        Some(end) => self
                            .error_here(&format!("`endtemplate {end}` closes template `{name}`")),
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
        StmtKind::Template(Rc::new(TemplateDef {
            name,
            body,
            funcs,
            public,
            external,
            span: span.clone(),
        }))
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
                return StmtKind::AssignSpan {
                    target,
                    y1: Box::new(value),
                    y2: Box::new(y2),
                };
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
                    let this_op = if targets.is_empty() {
                        op
                    } else {
                        AssignOp::Set
                    };
                    stmts.push(Stmt {
                        kind: StmtKind::Assign {
                            target: t,
                            op: this_op,
                            value: source,
                        },
                        span: span.clone(),
                    });
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
            return StmtKind::OnSection {
                section: target,
                body,
            };
        }
        if matches!(target.kind, ExprKind::RangeSpan(..)) {
            self.error_at(span, "`name(x1:x2)` must be assigned `= y1:y2`");
        }
        StmtKind::Expr(target)
    }
}

fn is_section_designator(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Name(_) | ExprKind::Index(..))
        || matches!(&e.kind, ExprKind::Member(m) if m.call.is_none())
}

fn is_lvalue(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Name(_)
            | ExprKind::Index(..)
            | ExprKind::Member(_)
            | ExprKind::Call(..)
            | ExprKind::RangeSpan(..)
            | ExprKind::Arg(..)
            | ExprKind::SecAt(..)
    )
}
