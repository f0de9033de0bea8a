//! Expression parsing (precedence climbing) for the HOC parser.
//!
//! HOC precedence, loosest first: `||`, `&&`, comparisons (all one level), `+ -`, `* / %`,
//! unary `- !`, then right-associative `^` and postfix member access.

use crate::ast::{BinOp, Expr, ExprKind, MemberExpr, UnOp};
use crate::lexer::Tok;
use crate::parser::Parser;

impl Parser {
    pub(crate) fn expr(&mut self) -> Expr {
        if !self.enter() {
            return self.dummy_expr();
        }
        let e = self.binary(0);
        self.leave();
        e
    }

    fn binary(&mut self, level: usize) -> Expr {
        const LEVELS: [&[(&str, BinOp)]; 5] = [
            &[("||", BinOp::Or)],
            &[("&&", BinOp::And)],
            &[
                ("==", BinOp::Eq),
                ("!=", BinOp::Ne),
                ("<", BinOp::Lt),
                ("<=", BinOp::Le),
                (">", BinOp::Gt),
                (">=", BinOp::Ge),
            ],
            &[("+", BinOp::Add), ("-", BinOp::Sub)],
            &[("*", BinOp::Mul), ("/", BinOp::Div), ("%", BinOp::Mod)],
        ];
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut lhs = self.binary(level + 1);
        loop {
            let op = match &self.peek().tok {
                Tok::Op(o) => LEVELS[level].iter().find(|(s, _)| s == o).map(|(_, b)| *b),
                _ => None,
            };
            let Some(op) = op else { break };
            let span = lhs.span.clone();
            self.bump();
            // An operator at the end of a line continues the expression on the next one.
            self.skip_newlines();
            let rhs = self.binary(level + 1);
            lhs = Expr {
                kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                span,
            };
        }
        lhs
    }

    fn unary(&mut self) -> Expr {
        if !self.enter() {
            return self.dummy_expr();
        }
        let span = self.span();
        let e = if self.eat_op("-") {
            let inner = self.unary();
            Expr {
                kind: ExprKind::Unary(UnOp::Neg, Box::new(inner)),
                span,
            }
        } else if self.eat_op("!") {
            let inner = self.unary();
            Expr {
                kind: ExprKind::Unary(UnOp::Not, Box::new(inner)),
                span,
            }
        } else if self.eat_op("+") {
            self.unary()
        } else {
            let base = self.postfix();
            if self.eat_op("^") {
                self.skip_newlines();
                let exponent = self.unary();
                Expr {
                    kind: ExprKind::Binary(BinOp::Pow, Box::new(base), Box::new(exponent)),
                    span,
                }
            } else {
                base
            }
        };
        self.leave();
        e
    }

    /// A primary expression followed by `.member` accesses.
    pub(crate) fn postfix(&mut self) -> Expr {
        let mut e = self.primary();
        while self.peek_op(".") {
            self.bump();
            let span = self.span();
            let Some(name) = self.ident() else {
                self.error_here("expected a member name after `.`");
                return e;
            };
            let index = self.indices();
            let call = if self.peek_op("(") {
                Some(self.call_args())
            } else {
                None
            };
            e = Expr {
                kind: ExprKind::Member(Box::new(MemberExpr {
                    object: e,
                    name,
                    index,
                    call,
                })),
                span,
            };
        }
        e
    }

    fn indices(&mut self) -> Vec<Expr> {
        let mut out = Vec::new();
        while self.eat_op("[") {
            out.push(self.expr());
            self.expect_op("]");
        }
        // A first push reserves four slots; one index is the usual case.
        out.shrink_to_fit();
        out
    }

    /// `( args )`; the opening parenthesis is the next token.
    pub(crate) fn call_args(&mut self) -> Vec<Expr> {
        self.expect_op("(");
        let mut args = Vec::new();
        self.skip_newlines();
        if self.eat_op(")") {
            return args;
        }
        loop {
            self.skip_newlines();
            args.push(self.expr());
            self.skip_newlines();
            if self.eat_op(",") {
                continue;
            }
            self.expect_op(")");
            break;
        }
        args.shrink_to_fit();
        args
    }

    fn primary(&mut self) -> Expr {
        let span = self.span();
        let tok = self.peek().tok.clone();
        let kind = match tok {
            Tok::Num(v) => {
                self.bump();
                ExprKind::Num(v)
            }
            Tok::Str(s) => {
                self.bump();
                ExprKind::Str(s)
            }
            Tok::Arg(k, n) => {
                self.bump();
                ExprKind::Arg(k, n)
            }
            Tok::Op("(") => {
                self.bump();
                self.skip_newlines();
                let e = self.expr();
                self.skip_newlines();
                self.expect_op(")");
                return e;
            }
            Tok::Op("&") => {
                self.bump();
                let inner = self.postfix();
                ExprKind::AddrOf(Box::new(inner))
            }
            Tok::Ident(name) if name == "new" => {
                self.bump();
                let Some(class) = self.ident() else {
                    self.error_here("expected a class name after `new`");
                    return self.dummy_expr();
                };
                let args = if self.peek_op("(") {
                    self.call_args()
                } else {
                    Vec::new()
                };
                ExprKind::New(class, args)
            }
            Tok::Ident(name) if name == "this" => {
                self.bump();
                ExprKind::This
            }
            Tok::Ident(name) if !crate::parser::is_keyword(&name) => {
                self.bump();
                let index = self.indices();
                if self.peek_op("(") {
                    if index.is_empty() {
                        return self.call_or_span(name, span);
                    }
                    let base = Expr {
                        kind: ExprKind::Index(name, index),
                        span: span.clone(),
                    };
                    let mut args = self.call_args();
                    if args.len() != 1 {
                        self.error_at(&span, "a section location takes exactly one argument");
                    }
                    let x = args.pop().unwrap_or_else(|| self.dummy_expr());
                    ExprKind::SecAt(Box::new(base), Box::new(x))
                } else if index.is_empty() {
                    ExprKind::Name(name)
                } else {
                    ExprKind::Index(name, index)
                }
            }
            Tok::Ident(name) => {
                self.error_here(&format!("unexpected keyword `{name}` in expression"));
                return self.dummy_expr();
            }
            _ => {
                let what = self.describe_current();
                self.error_here(&format!("expected an expression, found {what}"));
                return self.dummy_expr();
            }
        };
        Expr { kind, span }
    }

    /// `name(args)` or `name(x1:x2)`.
    fn call_or_span(&mut self, name: String, span: crate::lexer::Span) -> Expr {
        // Look for `(expr : expr)`.
        let save = self.pos;
        let diag_count = self.diagnostics.len();
        self.bump();
        self.skip_newlines();
        if !self.peek_op(")") {
            let x1 = self.expr();
            if self.eat_op(":") {
                let x2 = self.expr();
                self.expect_op(")");
                return Expr {
                    kind: ExprKind::RangeSpan(name, Box::new(x1), Box::new(x2)),
                    span,
                };
            }
        }
        self.pos = save;
        self.diagnostics.truncate(diag_count);
        let args = self.call_args();
        Expr {
            kind: ExprKind::Call(name, args),
            span,
        }
    }

    pub(crate) fn dummy_expr(&self) -> Expr {
        Expr {
            kind: ExprKind::Num(0.0),
            span: self.span(),
        }
    }
}
