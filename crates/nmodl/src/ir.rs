//! The kernel IR: what a compiled mechanism *is* for the runtime.
//!
//! Lowering (`crate::lower`) turns a checked NMODL program into one [`Mechanism`]: a storage
//! layout (per-instance [`Field`]s in struct-of-arrays form, per-mechanism [`Global`]s, ion
//! uses) and a set of straight-line-ish kernels made of [`Stmt`]s over [`Expr`] trees.
//! Everything NEURON's generated C does explicitly is explicit here too, so that every backend
//! (the chunked interpreter in crate `mech`, a later Cranelift JIT) only has to execute:
//!
//! * ion values are copied into fields at kernel start and written back at the end, exactly
//!   where nocmodl does it;
//! * the `current` kernel contains the whole `nrn_cur` protocol: the current body evaluated at
//!   `v + 0.001` and then at `v`, the conductance `g = (I(v+0.001) − I(v))/0.001`, the ion
//!   current and `di/dv` accumulation, point-process scaling by `1e2/area`, and the update of
//!   the node's right-hand side; `g` is stored in a field and the `jacobian` kernel adds it to
//!   the node's diagonal (so the engine can order the two phases as NEURON does);
//! * cnexp updates are already in nocmodl's unsimplified closed form; implicit methods appear
//!   as [`Stmt::LinearSolve`] / [`Stmt::Newton`] with their systems spelled out;
//! * PROCEDUREs and FUNCTIONs are inlined; a TABLE'd procedure or function appears as
//!   [`Stmt::TableCall`] / [`Expr::TableValue`] referring to a [`Table`].
//!
//! No expression is simplified or reassociated: bit-compatibility with NEURON depends on
//! evaluating exactly the operations nocmodl emits, in the same order.

/// Index of a per-instance field.
pub type FieldId = u32;
/// Index of a per-mechanism global.
pub type GlobalId = u32;
/// Index of a kernel-local scratch variable.
pub type LocalId = u32;
/// Index into [`Mechanism::ions`].
pub type IonId = u32;
/// Index into [`Mechanism::tables`].
pub type TableId = u32;

/// Mechanism kind, as declared in the NEURON block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Density,
    Point,
    Artificial,
}

/// Role of a per-instance field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldRole {
    /// PARAMETER (RANGE, or a density PARAMETER not declared GLOBAL).
    Parameter,
    /// ASSIGNED variable (including copies of ion variables).
    Assigned,
    /// STATE variable.
    State,
    /// Compiler-generated storage (e.g. the conductance `_g`, saved old states).
    Internal,
}

/// One per-instance value (a column in struct-of-arrays storage).
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// NMODL name; array elements are named `x[0]`, `x[1]` …
    pub name: String,
    pub role: FieldRole,
    /// Initial value for a new instance (PARAMETER default, else 0).
    pub default: f64,
    /// Visible from HOC/configs as a range variable (RANGE, or any STATE/PARAMETER of a point
    /// process, following NEURON's rules).
    pub range: bool,
    pub unit: Option<String>,
}

/// A per-mechanism scalar: GLOBAL parameters/assigned, top-level LOCALs, `usetable_*`.
#[derive(Debug, Clone, PartialEq)]
pub struct Global {
    pub name: String,
    pub default: f64,
    /// Assignable from HOC (`name_suffix`).
    pub user_visible: bool,
    pub unit: Option<String>,
}

/// Variables of an ion as NEURON stores them per node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IonVar {
    /// Reversal potential `e<ion>` (mV).
    Erev,
    /// Inside concentration `<ion>i` (mM).
    Inside,
    /// Outside concentration `<ion>o` (mM).
    Outside,
    /// Total ionic current `i<ion>` (mA/cm²).
    Current,
    /// `di<ion>/dv`.
    DCurrentDv,
}

/// How a mechanism uses one ion (`USEION … READ … WRITE … VALENCE …`).
#[derive(Debug, Clone, PartialEq)]
pub struct IonUse {
    pub name: String,
    pub read: Vec<IonVar>,
    pub write: Vec<IonVar>,
    pub valence: Option<f64>,
}

/// Node (compartment) variables a kernel may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeVar {
    /// Membrane potential (mV).
    V,
    /// Right-hand side accumulator of the current step.
    Rhs,
    /// Diagonal accumulator of the current step.
    D,
    /// Segment area (µm²).
    Area,
    /// Segment diameter (µm).
    Diam,
}

/// Read-only simulation-wide values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// Time (ms); inside NET_RECEIVE it is the event's delivery time.
    T,
    Dt,
    Celsius,
    /// NET_RECEIVE's `flag`.
    Flag,
}

/// A storage location.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    Field(FieldId),
    /// `x[i]` of a field array starting at `base` with `len` elements.
    FieldIndexed {
        base: FieldId,
        len: u32,
        index: Box<Expr>,
    },
    Global(GlobalId),
    Local(LocalId),
    Ion {
        ion: IonId,
        var: IonVar,
    },
    Node(NodeVar),
    Builtin(Builtin),
    /// Slot `i` of the delivering NetCon's weight vector (NET_RECEIVE arguments; slot 0 is the weight).
    NetConArg(u32),
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

/// Binary operators. Comparisons and logic yield 1.0 or 0.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    /// `^` and `pow` (plain libm pow).
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

/// Built-in functions. `Exp` is NEURON's `hoc_Exp`: 0 below −700, clamped above 700.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathFn {
    Exp,
    Log,
    Log10,
    Sqrt,
    Fabs,
    Floor,
    Ceil,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Sinh,
    Cosh,
    Tanh,
    Fmod,
    Min,
    Max,
    Erf,
    Erfc,
    /// nernst(ci, co, z) at the current celsius.
    Nernst,
    /// ghk(v, ci, co, z) at the current celsius.
    Ghk,
    /// Uniform random in [0, 1) from the mechanism's stream.
    ScopRandom,
    /// exprand(mean).
    ExpRand,
    /// normrand(mean, std).
    NormRand,
    /// unirand().
    UniRand,
    /// poisrand(mean).
    PoisRand,
}

/// An expression tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Const(f64),
    Load(Place),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    Call(MathFn, Vec<Expr>),
    /// Value of a TABLE'd FUNCTION at `arg` (interpolated, or computed directly when
    /// the table's `usetable` global is 0).
    TableValue {
        table: TableId,
        arg: Box<Expr>,
    },
}

/// A statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    Assign(Place, Expr),
    If {
        cond: Expr,
        then: Vec<Stmt>,
        otherwise: Vec<Stmt>,
    },
    /// Loops (FROM … TO … and WHILE are both lowered to this).
    While {
        cond: Expr,
        body: Vec<Stmt>,
    },
    /// A TABLE'd PROCEDURE called with `arg`: sets every output of the table.
    TableCall {
        table: TableId,
        arg: Expr,
    },
    /// Solve the dense system `matrix · x = rhs` (row-major, n×n) and store x into `unknowns`.
    LinearSolve {
        unknowns: Vec<Place>,
        matrix: Vec<Expr>,
        rhs: Vec<Expr>,
    },
    /// Newton's method on F(x) = 0 for `unknowns`, NEURON-style (numerical Jacobian, relative
    /// tolerance 1e-6, |F| ≤ 1e-8, at most 50 iterations): `residual` computes every F_i into
    /// `residuals[i]` from the current values of `unknowns`. If `clamp_nonnegative`, negative
    /// unknowns are set to 0 after each update (sparse/KINETIC).
    Newton {
        unknowns: Vec<Place>,
        residual: Vec<Stmt>,
        residuals: Vec<LocalId>,
        clamp_nonnegative: bool,
    },
    /// `net_send(delay, flag)`.
    NetSend {
        delay: Expr,
        flag: Expr,
    },
    /// `net_event(time)`: the instance emits a spike.
    NetEvent {
        time: Expr,
    },
    /// `net_move(time)`: moves the pending self-event.
    NetMove {
        time: Expr,
    },
    /// `printf` — executed only when the runtime allows output.
    Print {
        format: String,
        args: Vec<Expr>,
    },
}

/// A kernel: local count and body.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Kernel {
    /// Names of locals, indexed by [`LocalId`] (for dumps and debugging).
    pub locals: Vec<String>,
    pub body: Vec<Stmt>,
}

/// A TABLE attached to a PROCEDURE (several outputs) or FUNCTION (one value).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    /// Global that switches the table off (`usetable_<suffix>`), default 1.
    pub usetable: GlobalId,
    /// Values whose change triggers a rebuild (DEPEND list; `celsius` appears as Builtin).
    pub depend: Vec<Place>,
    pub from: Expr,
    pub to: Expr,
    /// Number of intervals (WITH n): n + 1 points.
    pub intervals: u32,
    /// Computes the outputs for the argument held in local 0 of `body`.
    pub body: Kernel,
    /// What the table fills: for a PROCEDURE the places it assigns (fields or globals);
    /// for a FUNCTION a single local of `body` holding the return value.
    pub outputs: Vec<Place>,
    pub is_function: bool,
}

/// NET_RECEIVE: argument names (slot 0 is the weight) and the bodies.
#[derive(Debug, Clone, PartialEq)]
pub struct NetReceive {
    pub args: Vec<String>,
    pub body: Kernel,
    /// `INITIAL` inside NET_RECEIVE, run once per NetCon at finitialize.
    pub init: Option<Kernel>,
}

/// One current contribution, summed in this order (NEURON's declaration order).
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentOut {
    pub field: FieldId,
    /// Ion the current belongs to; None for NONSPECIFIC/ELECTRODE currents.
    pub ion: Option<IonId>,
}

/// A compiled mechanism.
#[derive(Debug, Clone, PartialEq)]
pub struct Mechanism {
    /// SUFFIX or point-process name.
    pub name: String,
    pub kind: Kind,
    pub fields: Vec<Field>,
    pub globals: Vec<Global>,
    pub ions: Vec<IonUse>,
    pub currents: Vec<CurrentOut>,
    /// ELECTRODE_CURRENT: adds to rhs and subtracts from d.
    pub electrode_current: bool,
    /// Fields that hold STATE values, in declaration order (their `<name>0` initial values are
    /// the fields' defaults, set before INITIAL runs).
    pub states: Vec<FieldId>,
    /// Sets states to their initial values, copies ions in, runs INITIAL, writes ions back.
    pub init: Kernel,
    /// The `nrn_cur` protocol (absent when the mechanism has no current).
    pub current: Option<Kernel>,
    /// Adds the stored conductance to the node diagonal (absent with `current`).
    pub jacobian: Option<Kernel>,
    /// The `nrn_state` body: SOLVEs at t + dt with the new v (and, for mechanisms without a
    /// current, the rest of BREAKPOINT).
    pub state: Option<Kernel>,
    pub net_receive: Option<NetReceive>,
    pub tables: Vec<Table>,
    /// Whether the mechanism writes a concentration (decides NEURON's `memb_order_`).
    pub writes_concentration: bool,
}

impl Mechanism {
    /// Field index by name.
    pub fn field(&self, name: &str) -> Option<FieldId> {
        self.fields
            .iter()
            .position(|f| f.name == name)
            .map(|i| i as FieldId)
    }

    /// Global index by name.
    pub fn global(&self, name: &str) -> Option<GlobalId> {
        self.globals
            .iter()
            .position(|g| g.name == name)
            .map(|i| i as GlobalId)
    }
}
