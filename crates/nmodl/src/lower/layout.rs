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
    /// `<state>0` global per state (None for ion concentrations, which nocmodl leaves alone).
    pub state0: Vec<Option<GlobalId>>,
    pub v_field: Option<FieldId>,
    pub g_field: Option<FieldId>,
    pub usetable: Option<GlobalId>,
    pub writes_concentration: bool,
}

/// A USEION statement: ion, READ list, WRITE list, VALENCE.
type IonDecl<'p> = (
    &'p ast::Ident,
    &'p Vec<ast::Ident>,
    &'p Vec<ast::Ident>,
    Option<f64>,
);

/// Names nocmodl maps to simulator variables even when a block declares them.
fn is_special(name: &str) -> bool {
    matches!(name, "celsius" | "t" | "dt" | "diam" | "area")
}

fn ion_var_of(ion: &str, var: &str) -> Option<IonVar> {
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
    fn add_field(
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
        let decl_of = |n: &str| -> Option<&ast::VarDecl> {
            program.items.iter().find_map(|i| match i {
                Item::Parameter(d, _) | Item::Assigned(d, _) | Item::State(d, _) => {
                    d.iter().find(|d| d.name.name == n)
                }
                _ => None,
            })
        };
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
                _ => {}
            }
        }
        // `<state>0` globals (not for ion concentrations: nocmodl does not reset those).
        for (k, f) in l.states.clone().into_iter().enumerate() {
            let fname = l.fields[f as usize].name.clone();
            if fname.contains('[') {
                continue;
            }
            let is_ion = ion_uses.iter().any(|(ion, r, w, _)| {
                r.iter().chain(w.iter()).any(|x| x.name == fname)
                    && ion_var_of(&ion.name, &fname).is_some()
            });
            if !is_ion {
                let g0 = format!("{fname}0");
                let g = match l.names.get(&g0) {
                    Some(Binding::Place(Place::Global(g))) => *g,
                    _ => l.add_global(&g0, 0.0, true, None),
                };
                l.state0[k] = Some(g);
            }
        }
        // Ions.
        for (ion, read, write, valence) in &ion_uses {
            let id = l.ions.len() as ir::IonId;
            let mut usage = IonUse {
                name: ion.name.clone(),
                read: vec![],
                write: vec![],
                valence: *valence,
            };
            for (is_write, list) in [(false, read), (true, write)] {
                for var in list.iter() {
                    let Some(iv) = ion_var_of(&ion.name, &var.name) else {
                        diags.push(Diagnostic::error(
                            var.span,
                            format!("`{}` is not a variable of ion `{}`", var.name, ion.name),
                        ));
                        continue;
                    };
                    let role = if state_names.contains(&var.name.as_str()) {
                        FieldRole::State
                    } else {
                        FieldRole::Assigned
                    };
                    let (default, unit) = decl_of(&var.name)
                        .map_or((0.0, None), |d| (d.value.unwrap_or(0.0), d.unit.clone()));
                    let f = l.add_field(
                        &var.name,
                        role,
                        default,
                        is_range(&var.name) || iv == IonVar::Current,
                        unit,
                    );
                    if is_write {
                        usage.write.push(iv);
                        match iv {
                            IonVar::Current => l.currents.push(ir::CurrentOut {
                                field: f,
                                ion: Some(id),
                            }),
                            IonVar::Inside | IonVar::Outside => {
                                l.writes_concentration = true;
                                l.write_back.push((f, id, iv));
                            }
                            IonVar::Erev => l.write_back.push((f, id, iv)),
                            IonVar::DCurrentDv => {}
                        }
                    } else {
                        usage.read.push(iv);
                        l.copy_in.push((f, id, iv));
                    }
                }
            }
            // Written concentrations are also copied in (after the reads), as nocmodl does.
            for &(f, i, iv) in &l.write_back.clone() {
                if i == id && matches!(iv, IonVar::Inside | IonVar::Outside) {
                    l.copy_in.push((f, i, iv));
                }
            }
            l.ions.push(usage);
        }
        // Current ordering: nocmodl sums ion WRITE currents and NONSPECIFIC currents in the
        // order their declarations appear in the NEURON block.
        let mut ordered: Vec<ir::CurrentOut> = Vec::new();
        for item in &program.items {
            if let Item::Neuron(stmts, _) = item {
                for s in stmts {
                    match s {
                        NeuronStmt::UseIon { ion, .. } => {
                            let id = l.ions.iter().position(|u| u.name == ion.name).unwrap_or(0)
                                as ir::IonId;
                            ordered
                                .extend(l.currents.iter().filter(|c| c.ion == Some(id)).cloned());
                        }
                        NeuronStmt::NonspecificCurrent(v) | NeuronStmt::ElectrodeCurrent(v) => {
                            for n in v {
                                let (default, unit) = decl_of(&n.name).map_or((0.0, None), |d| {
                                    (d.value.unwrap_or(0.0), d.unit.clone())
                                });
                                let f =
                                    l.add_field(&n.name, FieldRole::Assigned, default, true, unit);
                                ordered.push(ir::CurrentOut {
                                    field: f,
                                    ion: None,
                                });
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        ordered.dedup();
        l.currents = ordered;
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
