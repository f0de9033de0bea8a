//! Syntax tree of HOC programs, as produced by the parser and walked by the interpreter.

use std::rc::Rc;

use crate::lexer::Span;

/// An expression with the position where it starts.
#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    Num(f64),
    Str(String),
    /// A plain name: variable, section (element 0), range variable of the current section.
    Name(String),
    /// `name[i]` or `name[i][j]`.
    Index(String, Vec<Expr>),
    /// `name(args)`: function call or range variable at a location (`gbar_na(0.5)`).
    Call(String, Vec<Expr>),
    /// `name(x1:x2)`: only valid as the target of `= y1:y2`.
    RangeSpan(String, Box<Expr>, Box<Expr>),
    /// `$1`, `$s1`, `$o1`.
    Arg(char, usize),
    /// `obj.name`, `obj.name[i]`, `obj.name(args)`; boxed because it is the largest
    /// expression and rare, so that every other expression stays small.
    Member(Box<MemberExpr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    New(String, Vec<Expr>),
    This,
    /// `&x`: a reference argument (sscanf).
    AddrOf(Box<Expr>),
    /// `sec(x)` where `sec` is indexed (`dend[2](0.5)`): a section location.
    SecAt(Box<Expr>, Box<Expr>),
}

/// The parts of `obj.name`, `obj.name[i]` or `obj.name(args)`.
#[derive(Debug, Clone)]
pub struct MemberExpr {
    pub object: Expr,
    pub name: String,
    pub index: Vec<Expr>,
    pub call: Option<Vec<Expr>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOp {
    Set,
    Add,
    Sub,
    Mul,
    Div,
}

impl AssignOp {
    /// The new value of a slot holding `old` after `old OP= v`; `Set` ignores `old`.
    pub fn apply(self, old: f64, v: f64) -> f64 {
        match self {
            AssignOp::Set => v,
            AssignOp::Add => old + v,
            AssignOp::Sub => old - v,
            AssignOp::Mul => old * v,
            AssignOp::Div => old / v,
        }
    }
}

/// A statement with the position where it starts.
///
/// Rare variants box their extra expressions so that a statement is no larger than an
/// assignment: templates written out per cell hold hundreds of thousands of statements.
#[derive(Debug, Clone)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

/// What `connect` names on each side: a section designator and an optional location.
#[derive(Debug, Clone)]
pub struct SecLoc {
    pub section: Expr,
    pub x: Option<Expr>,
}

/// `name` or `name[dims]` in a declaration.
#[derive(Debug, Clone)]
pub struct Declarator {
    pub name: String,
    pub dims: Vec<Expr>,
}

/// A `proc`, `func` or `obfunc`.
#[derive(Debug)]
pub struct FuncDef {
    pub name: String,
    pub kind: FuncKind,
    pub body: Vec<Stmt>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FuncKind {
    Proc,
    Func,
    Obfunc,
}

/// A `begintemplate … endtemplate` block.
#[derive(Debug)]
pub struct TemplateDef {
    pub name: String,
    /// Top-level statements of the body (declarations and code run once at definition).
    pub body: Vec<Stmt>,
    pub funcs: Vec<Rc<FuncDef>>,
    pub public: Vec<String>,
    pub external: Vec<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum StmtKind {
    Empty,
    Expr(Expr),
    Assign {
        target: Expr,
        op: AssignOp,
        value: Expr,
    },
    /// `name(x1:x2) = y1:y2`.
    AssignSpan {
        target: Expr,
        y1: Box<Expr>,
        y2: Box<Expr>,
    },
    Block(Vec<Stmt>),
    If {
        cond: Expr,
        then: Box<Stmt>,
        otherwise: Option<Box<Stmt>>,
    },
    While {
        cond: Expr,
        body: Box<Stmt>,
    },
    ForRange {
        var: Expr,
        from: Box<Expr>,
        to: Box<Expr>,
        body: Box<Stmt>,
    },
    ForC {
        init: Option<Box<Stmt>>,
        cond: Option<Expr>,
        step: Option<Box<Stmt>>,
        body: Box<Stmt>,
    },
    /// `for (x)` (with ends) or `for (x, 0)` (segment centres only).
    ForSegments {
        var: Expr,
        with_ends: bool,
        body: Box<Stmt>,
    },
    Break,
    Continue,
    Return(Option<Expr>),
    Stop,
    Local(Vec<String>),
    LocalObj(Vec<String>),
    ObjRef(Vec<Declarator>),
    StrDef(Vec<String>),
    Double(Vec<Declarator>),
    Create(Vec<Declarator>),
    /// `connect child(x), parent(y)`, or `connect child(x), y` with the current section as parent.
    Connect {
        child: SecLoc,
        parent: Box<Expr>,
    },
    Access(Expr),
    Insert(String),
    Uninsert(String),
    Forall(Box<Stmt>),
    Forsec(Expr, Box<Stmt>),
    Ifsec(Expr, Box<Stmt>),
    /// `sec stmt` and `sec { … }`: run `body` with `section` pushed.
    OnSection {
        section: Expr,
        body: Box<Stmt>,
    },
    Print(Vec<Expr>),
    Public(Vec<String>),
    External(Vec<String>),
    Func(Rc<FuncDef>),
    Template(Rc<TemplateDef>),
}
