//! Ion storage and the order of current contributions, as nocmodl lays them out.
//!
//! Every ion variable named in USEION READ/WRITE gets a per-instance field; reads are copied in
//! at kernel start (written concentrations too, after the reads), writes of concentrations and
//! reversal potentials are copied back at the end, and written currents join the current sum
//! in the order of their declarations in the NEURON block.

use crate::ast::{self, Item, NeuronStmt};
use crate::diagnostic::Diagnostic;
use crate::ir::{self, FieldRole, IonUse, IonVar};

use super::layout::{decl_of, ion_var_of, IonDecl, Layout};

impl Layout {
    /// Adds the ions of `ion_uses`, their fields and copy lists, and orders `currents`.
    pub(super) fn add_ions(
        &mut self,
        program: &ast::Program,
        ion_uses: &[IonDecl<'_>],
        state_names: &[&str],
        range: &[String],
        diags: &mut Vec<Diagnostic>,
    ) {
        let l = self;
        let is_range = |n: &str| range.iter().any(|r| r == n);
        // Ions.
        for (ion, read, write, valence) in ion_uses {
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
                    let (default, unit) = decl_of(program, &var.name)
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
                                let (default, unit) = decl_of(program, &n.name)
                                    .map_or((0.0, None), |d| {
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
    }
}
