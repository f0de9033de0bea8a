//! Abstract syntax tree of an NMODL file, as written (before any semantic analysis).
//!
//! Every node that a diagnostic may point at carries a [`Span`]. The tree keeps the source
//! order of blocks and statements because NEURON's semantics depend on it (current summation
//! order, sequential cnexp updates, reaction order in KINETIC blocks).

/// Byte range `[start, end)` in the source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// A name with its location.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A whole `.mod` file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Program {
    pub items: Vec<Item>,
}

/// A top-level block or declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Title(String, Span),
    /// `DEFINE NAME value`.
    Define {
        name: Ident,
        value: f64,
    },
    /// `INCLUDE "file"`; the parser records it, the driver resolves it.
    Include {
        path: String,
        span: Span,
    },
    Neuron(Vec<NeuronStmt>, Span),
    Units(Vec<UnitDef>, Span),
    Parameter(Vec<VarDecl>, Span),
    Assigned(Vec<VarDecl>, Span),
    State(Vec<VarDecl>, Span),
    Constant(Vec<VarDecl>, Span),
    /// `INDEPENDENT { t FROM 0 TO 1 WITH 1 (ms) }` — parsed and ignored.
    Independent(Span),
    /// Top-level `LOCAL a, b`: per-mechanism scratch variables shared by all instances.
    Local(Vec<Ident>, Span),
    /// Top-level `LOCAL frat[NANN]` arrays (added by the front end: `Local` has no room for a
    /// length). `LOCAL a, b[3]` yields `Local([a])` followed by `LocalArray([b[3]])`.
    LocalArray(Vec<VarDeclLocal>, Span),
    Initial(Block),
    Breakpoint(Block),
    Derivative {
        name: Ident,
        body: Block,
    },
    Kinetic {
        name: Ident,
        body: Block,
    },
    Linear {
        name: Ident,
        body: Block,
    },
    NonLinear {
        name: Ident,
        body: Block,
    },
    Procedure(Callable),
    Function(Callable),
    NetReceive {
        params: Vec<Param>,
        body: Block,
    },
    /// `FUNCTION_TABLE name(args) (unit)` — parsed; its values come from HOC at run time.
    FunctionTable {
        name: Ident,
        params: Vec<Param>,
    },
    /// `BEFORE INITIAL { … }`, `AFTER SOLVE { … }` …; `when` is the word after BEFORE/AFTER.
    BeforeAfter {
        after: bool,
        when: Ident,
        body: Block,
    },
    Constructor(Block),
    Destructor(Block),
    /// Top-level `VERBATIM … ENDVERBATIM`.
    Verbatim(String, Span),
}

/// Which kind of mechanism the NEURON block declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MechanismKind {
    Suffix,
    PointProcess,
    ArtificialCell,
}

/// A statement of the NEURON block.
#[derive(Debug, Clone, PartialEq)]
pub enum NeuronStmt {
    Suffix {
        kind: MechanismKind,
        name: Ident,
    },
    UseIon {
        ion: Ident,
        read: Vec<Ident>,
        write: Vec<Ident>,
        valence: Option<f64>,
        span: Span,
    },
    Range(Vec<Ident>),
    Global(Vec<Ident>),
    NonspecificCurrent(Vec<Ident>),
    ElectrodeCurrent(Vec<Ident>),
    Pointer(Vec<Ident>),
    BbcorePointer(Vec<Ident>),
    External(Vec<Ident>),
    /// NEURON 9 `RANDOM name` streams.
    Random(Vec<Ident>),
    Threadsafe(Vec<Ident>),
    /// `REPRESENTS`, `CONDUCTANCE`-like statements we accept and ignore.
    Ignored(String, Span),
}

/// An entry of the UNITS block.
#[derive(Debug, Clone, PartialEq)]
pub enum UnitDef {
    /// `(mV) = (millivolt)`.
    Alias {
        name: String,
        definition: String,
        span: Span,
    },
    /// `FARADAY = (faraday) (coulomb)` — a physical constant by name.
    NamedConstant {
        name: Ident,
        constant: String,
        unit: Option<String>,
    },
    /// `FARADAY = 96485.309 (coul)` — a numeric constant.
    NumericConstant {
        name: Ident,
        value: f64,
        unit: Option<String>,
    },
}

/// A declared variable in PARAMETER / ASSIGNED / STATE / CONSTANT.
#[derive(Debug, Clone, PartialEq)]
pub struct VarDecl {
    pub name: Ident,
    /// `x[4]` arrays.
    pub array_len: Option<usize>,
    pub value: Option<f64>,
    pub unit: Option<String>,
    /// `<lo, hi>` limits.
    pub limits: Option<(f64, f64)>,
    /// `FROM a TO b` (STATE/ASSIGNED extras).
    pub from_to: Option<(f64, f64)>,
}

/// A formal parameter of a PROCEDURE / FUNCTION / NET_RECEIVE.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub unit: Option<String>,
}

/// A PROCEDURE or FUNCTION definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Callable {
    pub name: Ident,
    pub params: Vec<Param>,
    /// Return unit of a FUNCTION.
    pub unit: Option<String>,
    pub body: Block,
}

/// `{ statements }`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

/// A reaction side term: `2 A` or `A[i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReactionTerm {
    pub coefficient: u32,
    pub name: Ident,
    pub index: Option<Expr>,
}

/// The arrow of a `~` statement.
#[derive(Debug, Clone, PartialEq)]
pub enum ReactionKind {
    /// `~ A <-> B (kf, kb)`.
    Reversible { forward: Expr, backward: Expr },
    /// `~ A << (flux)`.
    Flux(Expr),
    /// `~ A -> B (k)` (irreversible, NMODL extension).
    Forward(Expr),
}

/// A statement inside a procedural block.
#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    Local(Vec<VarDeclLocal>, Span),
    /// `x = e` or `x[i] = e`.
    Assign {
        target: Ident,
        index: Option<Expr>,
        value: Expr,
        span: Span,
    },
    /// `s' = f` (order = number of primes).
    Derivative {
        state: Ident,
        index: Option<Expr>,
        order: u32,
        value: Expr,
        span: Span,
    },
    /// A bare expression, typically a call: `rates(v)`, `net_send(0, 1)`.
    Expr(Expr),
    If {
        cond: Expr,
        then: Block,
        otherwise: Option<Box<Stmt>>,
        span: Span,
    },
    While {
        cond: Expr,
        body: Block,
        span: Span,
    },
    /// `FROM i = a TO b BY c { … }`.
    FromTo {
        var: Ident,
        from: Expr,
        to: Expr,
        by: Option<Expr>,
        body: Block,
        span: Span,
    },
    /// `SOLVE name [METHOD m] [STEADYSTATE m] [IFERROR { … }]`.
    Solve {
        block: Ident,
        method: Option<Ident>,
        steadystate: Option<Ident>,
        span: Span,
    },
    /// `~ lhs <-> rhs (kf, kb)` in KINETIC.
    Reaction {
        lhs: Vec<ReactionTerm>,
        rhs: Vec<ReactionTerm>,
        kind: ReactionKind,
        /// Whether the (forward, backward) rate was written without enclosing parentheses.
        /// nocmodl pastes a rate's text before `*A*B…`, so a bare `a + b` rate yields
        /// `a + b*A`, while `(a + b)` yields `(a + b)*A`.
        bare_rates: [bool; 2],
        span: Span,
    },
    /// `~ lhs = rhs` in LINEAR / NONLINEAR.
    Equation {
        lhs: Expr,
        rhs: Expr,
        span: Span,
    },
    Conserve {
        lhs: Expr,
        rhs: Expr,
        span: Span,
    },
    /// `COMPARTMENT [i,] volume { states }`.
    Compartment {
        index: Option<Ident>,
        volume: Expr,
        states: Vec<Ident>,
        span: Span,
    },
    LongitudinalDiffusion {
        index: Option<Ident>,
        rate: Expr,
        states: Vec<Ident>,
        span: Span,
    },
    /// `TABLE names DEPEND deps FROM a TO b WITH n`.
    Table {
        names: Vec<Ident>,
        depend: Vec<Ident>,
        from: Expr,
        to: Expr,
        with: Expr,
        span: Span,
    },
    /// `WATCH (cond) flag`.
    Watch {
        cond: Expr,
        flag: Expr,
        span: Span,
    },
    ForNetcons {
        params: Vec<Param>,
        body: Block,
        span: Span,
    },
    /// `INITIAL { … }` nested in NET_RECEIVE.
    Initial(Block),
    Block(Block),
    Verbatim(String, Span),
    Protect(Box<Stmt>, Span),
    MutexLock(Span),
    MutexUnlock(Span),
    /// Placeholder left by error recovery.
    Error(Span),
}

/// `LOCAL x, y[3]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct VarDeclLocal {
    pub name: Ident,
    pub array_len: Option<usize>,
}

/// Binary operators, in NMODL precedence classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

/// An expression. Parentheses are not kept as nodes; the tree shape records grouping, which is
/// all that evaluation order needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A number literal, with its source text (nocmodl prints some numbers as written).
    Number {
        value: f64,
        text: String,
        span: Span,
    },
    /// A string literal (only as a `printf` argument).
    Str(String, Span),
    /// A variable, optionally indexed.
    Var {
        name: Ident,
        index: Option<Box<Expr>>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
        span: Span,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
        span: Span,
    },
    Call {
        name: Ident,
        args: Vec<Expr>,
        span: Span,
    },
    /// Placeholder left by error recovery.
    Error(Span),
}

impl Expr {
    /// Source span of the whole expression.
    pub fn span(&self) -> Span {
        match self {
            Expr::Number { span, .. }
            | Expr::Str(_, span)
            | Expr::Unary { span, .. }
            | Expr::Binary { span, .. }
            | Expr::Call { span, .. }
            | Expr::Error(span) => *span,
            Expr::Var { name, index } => match index {
                Some(i) => Span {
                    start: name.span.start,
                    end: i.span().end.max(name.span.end),
                },
                None => name.span,
            },
        }
    }
}
