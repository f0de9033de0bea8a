//! First pass: fill the symbol table from declaration blocks, callables and the NEURON block,
//! reporting duplicates, bad USEION variable names and NEURON-block names that are never
//! declared.

use super::symbols::{builtin_kind, IonDecl, IonRole, Symbol, SymbolKind, BUILTIN_VARIABLES};
use super::Checker;
use crate::ast::{Ident, Item, NeuronStmt, UnitDef, VarDecl};
use crate::diagnostic::Diagnostic;

impl Checker<'_> {
    pub(super) fn declare_all(&mut self) {
        let program = self.program;
        for item in &program.items {
            match item {
                Item::Units(defs, _) => {
                    for def in defs {
                        match def {
                            UnitDef::Alias { .. } => {}
                            UnitDef::NamedConstant { name, unit, .. } => {
                                let mut s = Symbol::new(
                                    &name.name,
                                    SymbolKind::UnitConstant,
                                    Some(name.span),
                                );
                                s.unit = unit.clone();
                                self.declare(s);
                            }
                            UnitDef::NumericConstant { name, value, unit } => {
                                let mut s = Symbol::new(
                                    &name.name,
                                    SymbolKind::UnitConstant,
                                    Some(name.span),
                                );
                                s.unit = unit.clone();
                                s.value = Some(*value);
                                self.declare(s);
                            }
                        }
                    }
                }
                Item::Parameter(decls, _) => self.declare_vars(decls, SymbolKind::Parameter),
                Item::Assigned(decls, _) => self.declare_vars(decls, SymbolKind::Assigned),
                Item::State(decls, _) => self.declare_vars(decls, SymbolKind::State),
                Item::Constant(decls, _) => self.declare_vars(decls, SymbolKind::Constant),
                Item::Local(names, _) => {
                    for name in names {
                        self.declare(Symbol::new(
                            &name.name,
                            SymbolKind::TopLocal,
                            Some(name.span),
                        ));
                    }
                }
                Item::LocalArray(decls, _) => {
                    for d in decls {
                        let mut s =
                            Symbol::new(&d.name.name, SymbolKind::TopLocal, Some(d.name.span));
                        s.array_len = d.array_len;
                        self.declare(s);
                    }
                }
                Item::Procedure(c) | Item::Function(c) => {
                    let kind = if matches!(item, Item::Procedure(_)) {
                        SymbolKind::Procedure
                    } else {
                        SymbolKind::Function
                    };
                    let mut s = Symbol::new(&c.name.name, kind, Some(c.name.span));
                    s.arity = Some(c.params.len());
                    s.unit = c.unit.clone();
                    self.declare(s);
                }
                Item::FunctionTable { name, params } => {
                    let mut s = Symbol::new(&name.name, SymbolKind::FunctionTable, Some(name.span));
                    s.arity = Some(params.len());
                    self.declare(s);
                }
                Item::Derivative { name, .. } => {
                    self.declare_block(name, SymbolKind::DerivativeBlock)
                }
                Item::Kinetic { name, .. } => self.declare_block(name, SymbolKind::KineticBlock),
                Item::Linear { name, .. } => self.declare_block(name, SymbolKind::LinearBlock),
                Item::NonLinear { name, .. } => {
                    self.declare_block(name, SymbolKind::NonLinearBlock)
                }
                _ => {}
            }
        }
        let mut neuron_span = None;
        for item in &program.items {
            if let Item::Neuron(stmts, span) = item {
                neuron_span.get_or_insert(*span);
                for stmt in stmts {
                    self.neuron_stmt(stmt);
                }
            }
        }
        if self.table.mechanism.is_none() {
            let span = neuron_span.unwrap_or_default();
            self.report(
                Diagnostic::error(span, "no SUFFIX, POINT_PROCESS or ARTIFICIAL_CELL declared")
                    .with_hint(
                        "add `NEURON { SUFFIX name }` (nocmodl would silently use the file name)",
                    ),
            );
        }
    }

    fn declare_block(&mut self, name: &Ident, kind: SymbolKind) {
        self.declare(Symbol::new(&name.name, kind, Some(name.span)));
    }

    fn declare_vars(&mut self, decls: &[VarDecl], kind: SymbolKind) {
        for d in decls {
            // Declaring NEURON's own variables (`v (mV)`, `celsius = 6.3 (degC)`) only gives them
            // units; they stay NEURON's.
            let kind =
                if BUILTIN_VARIABLES.contains(&d.name.name.as_str()) && kind != SymbolKind::State {
                    SymbolKind::BuiltinVariable
                } else {
                    kind
                };
            let mut s = Symbol::new(&d.name.name, kind, Some(d.name.span));
            s.unit = d.unit.clone();
            s.value = d.value;
            s.array_len = d.array_len;
            s.limits = d.limits;
            self.declare(s);
        }
    }

    /// Inserts a symbol, reporting a duplicate declaration.
    pub(super) fn declare(&mut self, symbol: Symbol) {
        let span = symbol.span.unwrap_or_default();
        let name = symbol.name.clone();
        let kind = symbol.kind;
        if let Err(first) = self.table.insert(symbol) {
            let previous = self.table.get(&name).map(|s| s.kind);
            let mut d = Diagnostic::error(span, format!("`{name}` is declared twice"));
            if let (Some(first), Some(previous)) = (first, previous) {
                let (line, col) = self.file.line_col(first.start);
                d = d.with_hint(format!(
                    "first declared as {} at {line}:{col}; this one is {}",
                    previous.describe(),
                    kind.describe()
                ));
            }
            self.report(d);
        }
    }

    fn neuron_stmt(&mut self, stmt: &NeuronStmt) {
        match stmt {
            NeuronStmt::Suffix { kind, name } => {
                if let Some((_, first)) = &self.table.mechanism {
                    let message = format!(
                        "second mechanism name `{}`; already named `{}`",
                        name.name, first.name
                    );
                    self.report(Diagnostic::error(name.span, message));
                } else {
                    self.table.mechanism = Some((*kind, name.clone()));
                }
            }
            NeuronStmt::UseIon {
                ion,
                read,
                write,
                valence,
                ..
            } => self.use_ion(ion, read, write, *valence),
            NeuronStmt::Range(names) => self.mark_declared(names, "RANGE", |s| s.range = true),
            NeuronStmt::Global(names) => self.mark_declared(names, "GLOBAL", |s| s.global = true),
            NeuronStmt::NonspecificCurrent(names) => {
                self.mark_declared(names, "NONSPECIFIC_CURRENT", |s| {
                    s.nonspecific_current = true
                })
            }
            NeuronStmt::ElectrodeCurrent(names) => {
                self.mark_declared(names, "ELECTRODE_CURRENT", |s| s.electrode_current = true)
            }
            NeuronStmt::Pointer(names) | NeuronStmt::BbcorePointer(names) => {
                for name in names {
                    if self.table.get(&name.name).is_none() {
                        self.declare(Symbol::new(
                            &name.name,
                            SymbolKind::Pointer,
                            Some(name.span),
                        ));
                    }
                    if let Some(s) = self.table.get_mut(&name.name) {
                        s.pointer = true;
                    }
                }
            }
            NeuronStmt::External(names) => {
                for name in names {
                    if self.table.get(&name.name).is_none() {
                        self.declare(Symbol::new(
                            &name.name,
                            SymbolKind::Pointer,
                            Some(name.span),
                        ));
                    }
                }
            }
            NeuronStmt::Random(names) => {
                for name in names {
                    self.declare(Symbol::new(&name.name, SymbolKind::Random, Some(name.span)));
                }
            }
            NeuronStmt::Threadsafe(_) => self.table.threadsafe = true,
            NeuronStmt::Ignored(..) => {}
        }
    }

    /// Names listed by a NEURON statement must be declared as values.
    fn mark_declared(&mut self, names: &[Ident], statement: &str, mark: impl Fn(&mut Symbol)) {
        for name in names {
            match self.table.get_mut(&name.name) {
                Some(s) if s.kind.is_value() => mark(s),
                Some(s) => {
                    let message = format!(
                        "{statement} names `{}`, which is {}, not a variable",
                        name.name,
                        s.kind.describe()
                    );
                    self.report(Diagnostic::error(name.span, message));
                }
                None if builtin_kind(&name.name).is_some() => {}
                None => {
                    // nocmodl accepts this and creates the variable; so do we, with a warning.
                    let message = format!(
                        "{statement} names `{}`, which is not declared; it is created as ASSIGNED",
                        name.name
                    );
                    let d = Diagnostic::warning(name.span, message);
                    let d = match self.suggestion(&name.name) {
                        Some(best) => d.with_hint(format!("did you mean `{best}`?")),
                        None => d.with_hint("declare it in PARAMETER or ASSIGNED"),
                    };
                    self.report(d);
                    let mut symbol = Symbol::new(&name.name, SymbolKind::Assigned, Some(name.span));
                    mark(&mut symbol);
                    self.declare(symbol);
                }
            }
        }
    }

    fn use_ion(&mut self, ion: &Ident, read: &[Ident], write: &[Ident], valence: Option<f64>) {
        let x = &ion.name;
        let allowed = [
            format!("e{x}"),
            format!("{x}i"),
            format!("{x}o"),
            format!("i{x}"),
        ];
        let mut decl = IonDecl {
            ion: x.clone(),
            read: Vec::new(),
            write: Vec::new(),
            valence,
        };
        for (names, is_write) in [(read, false), (write, true)] {
            for name in names {
                if !allowed.contains(&name.name) {
                    let message = format!("`{}` is not a variable of ion `{x}`", name.name);
                    let hint = format!("USEION {x} can only READ or WRITE {}", allowed.join(", "));
                    self.report(Diagnostic::error(name.span, message).with_hint(hint));
                    continue;
                }
                if is_write {
                    decl.write.push(name.name.clone());
                } else {
                    decl.read.push(name.name.clone());
                }
                if self.table.get(&name.name).is_none() {
                    self.declare(Symbol::new(
                        &name.name,
                        SymbolKind::IonVariable,
                        Some(name.span),
                    ));
                }
                if let Some(s) = self.table.get_mut(&name.name) {
                    let role = s.ion.get_or_insert(IonRole {
                        ion: x.clone(),
                        read: false,
                        write: false,
                    });
                    if is_write {
                        role.write = true;
                    } else {
                        role.read = true;
                    }
                }
            }
        }
        if self.table.ions.iter().any(|i| &i.ion == x) {
            self.report(Diagnostic::error(
                ion.span,
                format!("ion `{x}` is used in two USEION statements"),
            ));
            return;
        }
        self.table.ions.push(decl);
    }
}
