//! The symbol table: every mechanism-level name with what it is, plus NEURON's built-ins.

use crate::ast::{Ident, MechanismKind, Span};

/// What a mechanism-level name denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Parameter,
    Assigned,
    State,
    /// CONSTANT block entry.
    Constant,
    /// UNITS block constant (`FARADAY = (faraday) (coulomb)`, `R = 8.313424 (joule/degC)`).
    UnitConstant,
    /// Top-level LOCAL: one scratch value per mechanism.
    TopLocal,
    /// Named only in a USEION statement (not declared in a block).
    IonVariable,
    /// Named only in POINTER / BBCOREPOINTER.
    Pointer,
    /// NEURON 9 `RANDOM` stream.
    Random,
    Procedure,
    Function,
    FunctionTable,
    DerivativeBlock,
    KineticBlock,
    LinearBlock,
    NonLinearBlock,
    /// `v`, `t`, `dt`, `celsius`, `area`, `diam` … provided by NEURON.
    BuiltinVariable,
    /// `PI`, `FARADAY`, `R` … when not redefined in UNITS.
    BuiltinConstant,
    BuiltinFunction,
}

impl SymbolKind {
    /// Whether the name denotes a value (can appear in an expression).
    pub fn is_value(self) -> bool {
        !self.is_callable() && !self.is_solvable_block()
    }

    /// Procedures and functions.
    pub fn is_callable(self) -> bool {
        matches!(
            self,
            SymbolKind::Procedure
                | SymbolKind::Function
                | SymbolKind::FunctionTable
                | SymbolKind::BuiltinFunction
        )
    }

    fn is_solvable_block(self) -> bool {
        matches!(
            self,
            SymbolKind::DerivativeBlock
                | SymbolKind::KineticBlock
                | SymbolKind::LinearBlock
                | SymbolKind::NonLinearBlock
        )
    }

    /// Values that cannot be assigned.
    pub fn is_constant(self) -> bool {
        matches!(
            self,
            SymbolKind::Constant | SymbolKind::UnitConstant | SymbolKind::BuiltinConstant
        )
    }

    /// How the kind is named in messages.
    pub fn describe(self) -> &'static str {
        use SymbolKind::*;
        match self {
            Parameter => "a PARAMETER",
            Assigned => "an ASSIGNED variable",
            State => "a STATE",
            Constant => "a CONSTANT",
            UnitConstant => "a UNITS constant",
            TopLocal => "a top-level LOCAL",
            IonVariable => "an ion variable",
            Pointer => "a POINTER",
            Random => "a RANDOM stream",
            Procedure => "a PROCEDURE",
            Function => "a FUNCTION",
            FunctionTable => "a FUNCTION_TABLE",
            DerivativeBlock => "a DERIVATIVE block",
            KineticBlock => "a KINETIC block",
            LinearBlock => "a LINEAR block",
            NonLinearBlock => "a NONLINEAR block",
            BuiltinVariable => "a NEURON variable",
            BuiltinConstant => "a built-in constant",
            BuiltinFunction => "a built-in function",
        }
    }
}

/// How a mechanism uses an ion variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IonRole {
    pub ion: String,
    pub read: bool,
    pub write: bool,
}

/// One mechanism-level name.
#[derive(Debug, Clone, PartialEq)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    /// Where it is declared (`None` for built-ins).
    pub span: Option<Span>,
    pub unit: Option<String>,
    /// PARAMETER default / CONSTANT or UNITS numeric value.
    pub value: Option<f64>,
    pub array_len: Option<usize>,
    pub limits: Option<(f64, f64)>,
    /// Number of arguments of a procedure or function; `None` if variadic or not callable.
    pub arity: Option<usize>,
    pub ion: Option<IonRole>,
    pub range: bool,
    pub global: bool,
    pub pointer: bool,
    pub nonspecific_current: bool,
    pub electrode_current: bool,
}

impl Symbol {
    pub fn new(name: &str, kind: SymbolKind, span: Option<Span>) -> Self {
        Symbol {
            name: name.to_owned(),
            kind,
            span,
            unit: None,
            value: None,
            array_len: None,
            limits: None,
            arity: None,
            ion: None,
            range: false,
            global: false,
            pointer: false,
            nonspecific_current: false,
            electrode_current: false,
        }
    }
}

/// A USEION statement, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct IonDecl {
    pub ion: String,
    pub read: Vec<String>,
    pub write: Vec<String>,
    pub valence: Option<f64>,
}

/// Names declared at mechanism level, in declaration order, plus NEURON-block facts.
#[derive(Debug, Clone, Default)]
pub struct SymbolTable {
    symbols: Vec<Symbol>,
    index: super::NameMap<usize>,
    /// `SUFFIX hh` / `POINT_PROCESS ExpSyn` / `ARTIFICIAL_CELL NetStim`.
    pub mechanism: Option<(MechanismKind, Ident)>,
    pub ions: Vec<IonDecl>,
    pub threadsafe: bool,
}

impl SymbolTable {
    /// A declared (non-built-in) symbol.
    pub fn get(&self, name: &str) -> Option<&Symbol> {
        self.index.get(name).map(|&i| &self.symbols[i])
    }

    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut Symbol> {
        self.index.get(name).map(|&i| &mut self.symbols[i])
    }

    /// Declared symbols in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = &Symbol> {
        self.symbols.iter()
    }

    /// Kind of `name`, falling back to NEURON's built-ins.
    pub fn kind_of(&self, name: &str) -> Option<SymbolKind> {
        self.get(name)
            .map(|s| s.kind)
            .or_else(|| builtin_kind(name))
    }

    /// Inserts a symbol; returns the earlier declaration's span if the name is taken.
    pub(crate) fn insert(&mut self, symbol: Symbol) -> Result<(), Option<Span>> {
        if let Some(&i) = self.index.get(&symbol.name) {
            return Err(self.symbols[i].span);
        }
        self.index.insert(symbol.name.clone(), self.symbols.len());
        self.symbols.push(symbol);
        Ok(())
    }

    /// All names a "did you mean" hint may suggest.
    pub(crate) fn candidate_names(&self) -> impl Iterator<Item = &str> {
        self.symbols
            .iter()
            .map(|s| s.name.as_str())
            .chain(BUILTIN_VARIABLES.iter().copied())
            .chain(BUILTIN_FUNCTIONS.iter().map(|(n, _)| *n))
    }
}

/// Variables NEURON provides to every mechanism. `flag` is added inside NET_RECEIVE only.
pub const BUILTIN_VARIABLES: &[&str] = &[
    "v",
    "t",
    "dt",
    "celsius",
    "area",
    "diam",
    "secondorder",
    "error",
    "first_time",
    "f_flux",
    "b_flux",
];

/// Constants available without a UNITS declaration.
pub const BUILTIN_CONSTANTS: &[&str] = &["PI", "pi", "FARADAY", "R"];

/// Functions callable from NMODL with their arity (`None` = variadic or optional arguments).
/// The list follows nocmodl's `extdef.h`, `extdef2.h`, `extdef5.h` and `extdef_rand.h`
/// plus the NEURON 9 `random_*` API.
pub const BUILTIN_FUNCTIONS: &[(&str, Option<usize>)] = &[
    ("exp", Some(1)),
    ("log", Some(1)),
    ("log10", Some(1)),
    ("sqrt", Some(1)),
    ("fabs", Some(1)),
    ("pow", Some(2)),
    ("sin", Some(1)),
    ("cos", Some(1)),
    ("tan", Some(1)),
    ("asin", Some(1)),
    ("acos", Some(1)),
    ("atan", Some(1)),
    ("atan2", Some(2)),
    ("sinh", Some(1)),
    ("cosh", Some(1)),
    ("tanh", Some(1)),
    ("floor", Some(1)),
    ("ceil", Some(1)),
    ("fmod", Some(2)),
    ("erf", Some(1)),
    ("printf", None),
    ("prterr", None),
    ("exprand", Some(1)),
    ("normrand", Some(2)),
    ("poisrand", Some(1)),
    ("scop_random", Some(0)),
    ("set_seed", Some(1)),
    ("setseed", Some(1)),
    ("unirand", Some(0)),
    ("gauss", Some(2)),
    ("poisson", None),
    ("factorial", Some(1)),
    ("state_discontinuity", Some(2)),
    ("net_send", Some(2)),
    ("net_event", Some(1)),
    ("net_move", Some(1)),
    ("at_time", Some(1)),
    ("nrn_pointing", Some(1)),
    ("nrn_random_play", None),
    ("nrn_ghk", Some(4)),
    ("threshold", None),
    ("force", None),
    ("deflate", None),
    ("expfit", None),
    ("derivs", None),
    ("spline", None),
    ("hyperbol", None),
    ("revhyperbol", None),
    ("sigmoid", None),
    ("revsigmoid", None),
    ("harmonic", None),
    ("squarewave", None),
    ("sawtooth", None),
    ("revsawtooth", None),
    ("ramp", None),
    ("pulse", None),
    ("perpulse", None),
    ("step", None),
    ("perstep", None),
    ("boundary", None),
    ("romberg", None),
    ("legendre", None),
    ("invert", None),
    ("stepforce", None),
    ("schedule", None),
    ("random_setseq", Some(2)),
    ("random_setids", None),
    ("random_uniform", None),
    ("random_negexp", None),
    ("random_normal", None),
    ("random_ipick", None),
    ("random_dblpick", Some(1)),
    ("nrnran123_setseq", None),
    ("nrnran123_setids3", None),
    ("nrnran123_negexp", None),
    ("nrnran123_ipick", None),
    ("nrnran123_dblpick", None),
    ("nrnran123_uniform", None),
    ("nrnran123_normal", None),
    ("nrnran123_deletestream", None),
];

/// The built-in kind of a name, if NEURON provides it.
pub fn builtin_kind(name: &str) -> Option<SymbolKind> {
    if BUILTIN_VARIABLES.contains(&name) {
        Some(SymbolKind::BuiltinVariable)
    } else if BUILTIN_CONSTANTS.contains(&name) {
        Some(SymbolKind::BuiltinConstant)
    } else if BUILTIN_FUNCTIONS.iter().any(|(n, _)| *n == name) {
        Some(SymbolKind::BuiltinFunction)
    } else {
        None
    }
}

/// Arity of a built-in function: `Some(None)` = variadic, `None` = not a built-in.
pub fn builtin_arity(name: &str) -> Option<Option<usize>> {
    BUILTIN_FUNCTIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, a)| *a)
}
