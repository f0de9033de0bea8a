//! Storage layout: which NMODL name lives where (field, global, ion, constant, builtin).
//!
//! nocmodl's rules, checked against NEURON 9.0.2's generated code: a PARAMETER is per
//! instance only when RANGE (else it is the global `name_suffix`); an ASSIGNED is per instance
//! unless GLOBAL (non-RANGE ASSIGNED are per-instance but not visible from HOC); a STATE is
//! always per instance and gets a `<state>0` global; every ion variable named in USEION
//! READ/WRITE gets a per-instance copy.

use std::collections::HashMap;

use crate::ast::{self, Item, MechanismKind, NeuronStmt, Span, UnitDef};
use crate::diagnostic::Diagnostic;
use crate::ir::{
    self, Builtin, Field, FieldId, FieldRole, Global, GlobalId, IonUse, IonVar, NodeVar, Place,
};

use super::constants::named_constant;

/// What a name refers to outside any procedure scope.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Binding {
    Place(Place),
    /// `x[n]` field array.
    FieldArray {
        base: FieldId,
        len: u32,
    },
    Const(f64),
    /// A LOCAL array: one scalar place per element (see `super::arrays`).
    PlaceArray(Vec<Place>),
}

/// The mechanism's storage and name table.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    pub name: String,
    pub kind: Option<ir::Kind>,
    pub fields: Vec<Field>,
    pub globals: Vec<Global>,
    pub ions: Vec<IonUse>,
    pub names: HashMap<String, Binding>,
    /// (field, ion, var) copied from the ion at kernel start, in nocmodl's order.
    pub copy_in: Vec<(FieldId, ir::IonId, IonVar)>,
    /// Concentrations (or reversal potentials) written back at the end of init/state.
    pub write_back: Vec<(FieldId, ir::IonId, IonVar)>,
    pub currents: Vec<ir::CurrentOut>,
    pub electrode: bool,
    pub states: Vec<FieldId>,
    /// Where each state's initial value `<state>0` lives (None for ion concentrations, which
    /// nocmodl leaves alone). Usually an implicit global, but a user PARAMETER (RANGE or not)
    /// or constant of that name is the initial value itself, as in nocmodl.
    pub state0: Vec<Option<Binding>>,
    pub v_field: Option<FieldId>,
    pub g_field: Option<FieldId>,
    pub usetable: Option<GlobalId>,
    pub writes_concentration: bool,
}

/// A USEION statement: ion, READ list, WRITE list, VALENCE.
pub(super) type IonDecl<'p> = (
    &'p ast::Ident,
    &'p Vec<ast::Ident>,
    &'p Vec<ast::Ident>,
    Option<f64>,
);

/// The PARAMETER, ASSIGNED or STATE declaration of `name`.
pub(super) fn decl_of<'p>(program: &'p ast::Program, name: &str) -> Option<&'p ast::VarDecl> {
    program.items.iter().find_map(|i| match i {
        Item::Parameter(d, _) | Item::Assigned(d, _) | Item::State(d, _) => {
            d.iter().find(|d| d.name.name == name)
        }
        _ => None,
    })
}

/// Names nocmodl maps to simulator variables even when a block declares them.
fn is_special(name: &str) -> bool {
    matches!(name, "celsius" | "t" | "dt" | "diam" | "area")
}

pub(super) fn ion_var_of(ion: &str, var: &str) -> Option<IonVar> {
    if var == format!("e{ion}") {
        Some(IonVar::Erev)
    } else if var == format!("{ion}i") {
        Some(IonVar::Inside)
    } else if var == format!("{ion}o") {
        Some(IonVar::Outside)
    } else if var == format!("i{ion}") {
        Some(IonVar::Current)
    } else {
        None
    }
}

impl Layout {
    pub(super) fn add_field(
        &mut self,
        name: &str,
        role: FieldRole,
        default: f64,
        range: bool,
        unit: Option<String>,
    ) -> FieldId {
        if let Some(Binding::Place(Place::Field(f))) = self.names.get(name) {
            return *f;
        }
        let id = self.fields.len() as FieldId;
        self.fields.push(Field {
            name: name.to_owned(),
            role,
            default,
            range,
            unit,
        });
        self.names
            .insert(name.to_owned(), Binding::Place(Place::Field(id)));
        id
    }

    pub(crate) fn add_global(
        &mut self,
        name: &str,
        default: f64,
        user_visible: bool,
        unit: Option<String>,
    ) -> GlobalId {
        if let Some(Binding::Place(Place::Global(g))) = self.names.get(name) {
            return *g;
        }
        let id = self.globals.len() as GlobalId;
        self.globals.push(Global {
            name: name.to_owned(),
            default,
            user_visible,
            unit,
        });
        self.names
            .insert(name.to_owned(), Binding::Place(Place::Global(id)));
        id
    }

    fn add_decl(&mut self, d: &ast::VarDecl, role: FieldRole, range: bool) {
        let default = d.value.unwrap_or(0.0);
        match d.array_len {
            Some(n) if n > 0 => {
                let base = self.fields.len() as FieldId;
                for i in 0..n {
                    let id = self.fields.len() as FieldId;
                    self.fields.push(Field {
                        name: format!("{}[{i}]", d.name.name),
                        role,
                        default,
                        range,
                        unit: d.unit.clone(),
                    });
                    if role == FieldRole::State {
                        self.states.push(id);
                        self.state0.push(None);
                    }
                }
                self.names.insert(
                    d.name.name.clone(),
                    Binding::FieldArray {
                        base,
                        len: n as u32,
                    },
                );
            }
            _ => {
                let id = self.add_field(&d.name.name, role, default, range, d.unit.clone());
                if role == FieldRole::State {
                    self.states.push(id);
                    self.state0.push(None);
                }
            }
        }
    }

    /// Builds the layout from the declarations of `program`.
    pub(crate) fn build(program: &ast::Program, diags: &mut Vec<Diagnostic>) -> Layout {
        let mut l = Layout::default();
        let mut range: Vec<String> = Vec::new();
        let mut global: Vec<String> = Vec::new();
        let mut nonspecific: Vec<ast::Ident> = Vec::new();
        let mut pointers: Vec<String> = Vec::new();
        let mut ion_uses: Vec<IonDecl<'_>> = Vec::new();
        for item in &program.items {
            if let Item::Neuron(stmts, _) = item {
                for s in stmts {
                    match s {
                        NeuronStmt::Suffix { kind, name } => {
                            l.name = name.name.clone();
                            l.kind = Some(match kind {
                                MechanismKind::Suffix => ir::Kind::Density,
                                MechanismKind::PointProcess => ir::Kind::Point,
                                MechanismKind::ArtificialCell => ir::Kind::Artificial,
                            });
                        }
                        NeuronStmt::UseIon {
                            ion,
                            read,
                            write,
                            valence,
                            ..
                        } => ion_uses.push((ion, read, write, *valence)),
                        NeuronStmt::Range(v) => range.extend(v.iter().map(|i| i.name.clone())),
                        NeuronStmt::Global(v) => global.extend(v.iter().map(|i| i.name.clone())),
                        NeuronStmt::NonspecificCurrent(v) => nonspecific.extend(v.iter().cloned()),
                        NeuronStmt::ElectrodeCurrent(v) => {
                            l.electrode = true;
                            nonspecific.extend(v.iter().cloned())
                        }
                        NeuronStmt::Pointer(v) | NeuronStmt::BbcorePointer(v) => {
                            pointers.extend(v.iter().map(|i| i.name.clone()))
                        }
                        _ => {}
                    }
                }
            }
        }
        if l.kind.is_none() {
            diags.push(Diagnostic::error(
                Span::default(),
                "no SUFFIX, POINT_PROCESS or ARTIFICIAL_CELL in the NEURON block",
            ));
            l.kind = Some(ir::Kind::Density);
            l.name = "unnamed".into();
        }
        let point = l.kind != Some(ir::Kind::Density);
        let suffix = l.name.clone();
        let is_range = |n: &str| range.iter().any(|r| r == n);
        let is_global = |n: &str| global.iter().any(|r| r == n);
        // Constants first: they are never storage.
        for item in &program.items {
            match item {
                Item::Define { name, value } => {
                    l.names.insert(name.name.clone(), Binding::Const(*value));
                }
                Item::Constant(decls, _) => {
                    for d in decls {
                        l.names
                            .insert(d.name.name.clone(), Binding::Const(d.value.unwrap_or(0.0)));
                    }
                }
                Item::Units(defs, _) => {
                    for d in defs {
                        match d {
                            UnitDef::NamedConstant {
                                name,
                                constant,
                                unit,
                            } => match named_constant(constant, unit.as_deref()) {
                                Some(v) => {
                                    l.names.insert(name.name.clone(), Binding::Const(v));
                                }
                                None => diags.push(Diagnostic::error(
                                    name.span,
                                    format!("unknown physical constant `({constant})`"),
                                )),
                            },
                            UnitDef::NumericConstant { name, value, .. } => {
                                l.names.insert(name.name.clone(), Binding::Const(*value));
                            }
                            UnitDef::Alias { .. } => {}
                        }
                    }
                }
                _ => {}
            }
        }
        // Ion variables that are declared as STATE become state fields below.
        let state_names: Vec<&str> = program
            .items
            .iter()
            .filter_map(|i| {
                if let Item::State(d, _) = i {
                    Some(d)
                } else {
                    None
                }
            })
            .flatten()
            .map(|d| d.name.name.as_str())
            .collect();
        let decl_of = |n: &str| decl_of(program, n);
        // Declaration order: PARAMETER, ASSIGNED, STATE blocks as they appear.
        for item in &program.items {
            match item {
                Item::Parameter(decls, _) => {
                    for d in decls {
                        let n = d.name.name.as_str();
                        if l.names.contains_key(n) || is_special(n) {
                            continue;
                        }
                        if is_range(n) && !is_global(n) || n == "v" {
                            l.add_decl(d, FieldRole::Parameter, true);
                        } else if ion_uses.iter().any(|(ion, r, w, _)| {
                            r.iter().chain(w.iter()).any(|x| x.name == n)
                                && ion_var_of(&ion.name, n).is_some()
                        }) {
                            l.add_decl(d, FieldRole::Assigned, false);
                        } else {
                            let default = d.value.unwrap_or(0.0);
                            l.add_global(n, default, true, d.unit.clone());
                            if let Some(len) = d.array_len {
                                diags.push(Diagnostic::warning(
                                    d.name.span,
                                    format!("GLOBAL array `{n}[{len}]` is treated as a scalar"),
                                ));
                            }
                        }
                    }
                }
                Item::Assigned(decls, _) => {
                    for d in decls {
                        let n = d.name.name.as_str();
                        if l.names.contains_key(n) || state_names.contains(&n) || is_special(n) {
                            continue;
                        }
                        if n == "v" {
                            continue;
                        }
                        if is_global(n) {
                            l.add_global(n, d.value.unwrap_or(0.0), true, d.unit.clone());
                        } else {
                            let vis = is_range(n) || nonspecific.iter().any(|x| x.name == n);
                            l.add_decl(d, FieldRole::Assigned, vis);
                        }
                    }
                }
                Item::State(decls, _) => {
                    for d in decls {
                        if l.names.contains_key(&d.name.name) {
                            continue;
                        }
                        l.add_decl(d, FieldRole::State, true);
                    }
                }
                Item::Local(names, _) => {
                    for n in names {
                        l.add_global(&n.name, 0.0, false, None);
                    }
                }
                Item::LocalArray(decls, _) => {
                    for d in decls {
                        let len = d.array_len.unwrap_or(1);
                        if len == 0 || len > super::arrays::MAX_LOCAL_ARRAY {
                            diags.push(Diagnostic::error(
                                d.name.span,
                                format!(
                                    "LOCAL array `{}[{len}]` has an unusable length",
                                    d.name.name
                                ),
                            ));
                            continue;
                        }
                        let places = (0..len)
                            .map(|i| {
                                let name = format!("{}[{i}]", d.name.name);
                                Place::Global(l.add_global(&name, 0.0, false, None))
                            })
                            .collect();
                        l.names
                            .insert(d.name.name.clone(), Binding::PlaceArray(places));
                    }
                }
                _ => {}
            }
        }
        // `<state>0` initial values (not for ion concentrations: nocmodl does not reset
        // those). nocmodl installs `<state>0` as a PARAMETER unless the name is already
        // declared, so a user's `PARAMETER x0` (per-instance if RANGE) or constant wins; an
        // array state `x[n]` has one scalar `x0` for all elements.
        for (k, f) in l.states.clone().into_iter().enumerate() {
            let fname = l.fields[f as usize].name.clone();
            let base = fname.split('[').next().unwrap_or(&fname).to_owned();
            let is_ion = ion_uses.iter().any(|(ion, r, w, _)| {
                r.iter().chain(w.iter()).any(|x| x.name == base)
                    && ion_var_of(&ion.name, &base).is_some()
            });
            if is_ion {
                continue;
            }
            let g0 = format!("{base}0");
            let binding = match l.names.get(&g0) {
                Some(
                    b @ (Binding::Place(Place::Global(_) | Place::Field(_)) | Binding::Const(_)),
                ) => b.clone(),
                _ => Binding::Place(Place::Global(l.add_global(&g0, 0.0, true, None))),
            };
            l.state0[k] = Some(binding);
        }
        l.add_ions(program, &ion_uses, &state_names, &range, diags);
        for p in pointers {
            l.add_field(&p, FieldRole::Internal, 0.0, false, None);
        }
        // `v` and the conductance.
        if l.kind != Some(ir::Kind::Artificial) {
            let role = if decl_of("v").is_some() {
                FieldRole::Assigned
            } else {
                FieldRole::Internal
            };
            l.v_field = Some(l.add_field("v", role, 0.0, false, Some("mV".into())));
        }
        if !l.currents.is_empty() {
            l.g_field = Some(l.add_field("_g", FieldRole::Internal, 0.0, false, None));
        }
        let _ = point;
        // Builtins.
        l.names
            .insert("t".into(), Binding::Place(Place::Builtin(Builtin::T)));
        l.names
            .insert("dt".into(), Binding::Place(Place::Builtin(Builtin::Dt)));
        l.names.insert(
            "celsius".into(),
            Binding::Place(Place::Builtin(Builtin::Celsius)),
        );
        l.names
            .entry("diam".into())
            .or_insert(Binding::Place(Place::Node(NodeVar::Diam)));
        l.names
            .entry("area".into())
            .or_insert(Binding::Place(Place::Node(NodeVar::Area)));
        l.names
            .entry("PI".into())
            .or_insert(Binding::Const(std::f64::consts::PI));
        let _ = suffix;
        l
    }

    /// The `usetable_<suffix>` global, created on first use.
    pub(crate) fn usetable(&mut self) -> GlobalId {
        if let Some(g) = self.usetable {
            return g;
        }
        // Stored by its NMODL name like every global; HOC sees `usetable_<suffix>`.
        let g = self.add_global("usetable", 1.0, true, None);
        self.usetable = Some(g);
        g
    }
}
