//! One mechanism made of several: fields, globals, locals and ion uses renumbered so that the
//! members' kernels run one after the other in a single body.
//!
//! Member `k`'s field `f` becomes field `field_base[k] + f` (likewise globals and each kernel's
//! locals); its ion uses map onto one merged use per ion name, so that two members touching
//! `ica` touch the *same* place — the code generator caches places in registers within an
//! iteration, and two names for one memory word would lose an update. Fields other than the
//! compiler's `v` and `_g` are renamed `name_suffix` (NEURON's own spelling), which keeps the
//! names of [`crate::Options::observed`] meaningful for the merged mechanism.
//!
//! Only what a density mechanism's per-step kernels need is merged; mechanisms with TABLEs,
//! NET_RECEIVE, ELECTRODE_CURRENT or statements that reach outside their instance (events,
//! solves, prints) are refused.

use nmodl::ir::{CurrentOut, Expr, Field, Global, IonUse, Kernel, Kind, Mechanism, Place, Stmt};

/// The merged mechanism and where each member's storage went.
#[derive(Debug, Clone)]
pub struct Merged {
    pub mech: Mechanism,
    /// Per member: id of its field 0 (its fields are consecutive from there).
    pub field_base: Vec<u32>,
    /// Per member: id of its global 0.
    pub global_base: Vec<u32>,
    /// Per member, per ion use: the merged use.
    pub ion_of: Vec<Vec<u32>>,
}

/// Why members cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A member is not a plain density mechanism (TABLE, NET_RECEIVE, electrode current …).
    NotDensity(String),
    /// A statement the merged kernels could not run in place (events, solves, prints, loops).
    Statement(String),
    /// Two members declare the same ion with different valences.
    Valence(String),
}

/// Merges `members` in order (the order their kernels run in within each phase).
pub fn merge(members: &[&Mechanism]) -> Result<Merged, Refusal> {
    let mut mech = Mechanism {
        name: members
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .join("+"),
        kind: Kind::Density,
        fields: Vec::new(),
        globals: Vec::new(),
        ions: Vec::new(),
        currents: Vec::new(),
        electrode_current: false,
        states: Vec::new(),
        init: Kernel::default(),
        current: None,
        jacobian: None,
        state: None,
        net_receive: None,
        tables: Vec::new(),
        writes_concentration: false,
    };
    let mut merged = Merged {
        mech: mech.clone(),
        field_base: Vec::new(),
        global_base: Vec::new(),
        ion_of: Vec::new(),
    };
    for m in members {
        if m.kind != Kind::Density
            || !m.tables.is_empty()
            || m.net_receive.is_some()
            || m.electrode_current
        {
            return Err(Refusal::NotDensity(m.name.clone()));
        }
        let map = Renumber {
            field: mech.fields.len() as u32,
            global: mech.globals.len() as u32,
            local: 0,
            ions: ion_uses(&mut mech.ions, &m.ions)?,
        };
        merged.field_base.push(map.field);
        merged.global_base.push(map.global);
        merged.ion_of.push(map.ions.clone());
        mech.fields.extend(m.fields.iter().map(|f| Field {
            name: if f.name == "v" || f.name == "_g" {
                f.name.clone()
            } else {
                format!("{}_{}", f.name, m.name)
            },
            ..f.clone()
        }));
        mech.globals.extend(m.globals.iter().map(|g| Global {
            name: format!("{}_{}", g.name, m.name),
            ..g.clone()
        }));
        mech.currents.extend(m.currents.iter().map(|c| CurrentOut {
            field: map.field + c.field,
            ion: c.ion.map(|i| map.ions[i as usize]),
        }));
        mech.states.extend(m.states.iter().map(|s| map.field + s));
        mech.writes_concentration |= m.writes_concentration;
        append(&mut mech.init, &m.init, &m.name, &map)?;
        for (into, from) in [
            (&mut mech.current, &m.current),
            (&mut mech.jacobian, &m.jacobian),
            (&mut mech.state, &m.state),
        ] {
            if let Some(k) = from {
                append(into.get_or_insert_with(Kernel::default), k, &m.name, &map)?;
            }
        }
    }
    merged.mech = mech;
    Ok(merged)
}

/// Adds `uses` to the merged ion uses (one per ion name); returns the merged id of each.
fn ion_uses(merged: &mut Vec<IonUse>, uses: &[IonUse]) -> Result<Vec<u32>, Refusal> {
    let mut ids = Vec::with_capacity(uses.len());
    for u in uses {
        let id = match merged.iter().position(|m| m.name == u.name) {
            Some(i) => {
                let m = &mut merged[i];
                match (m.valence, u.valence) {
                    (Some(a), Some(b)) if a != b => return Err(Refusal::Valence(u.name.clone())),
                    (None, Some(b)) => m.valence = Some(b),
                    _ => {}
                }
                for v in &u.read {
                    if !m.read.contains(v) {
                        m.read.push(*v);
                    }
                }
                for v in &u.write {
                    if !m.write.contains(v) {
                        m.write.push(*v);
                    }
                }
                i
            }
            None => {
                merged.push(u.clone());
                merged.len() - 1
            }
        };
        ids.push(id as u32);
    }
    Ok(ids)
}

/// Appends member kernel `k` to `into`, its locals after `into`'s.
fn append(into: &mut Kernel, k: &Kernel, suffix: &str, map: &Renumber) -> Result<(), Refusal> {
    let map = Renumber {
        local: into.locals.len() as u32,
        ..map.clone()
    };
    into.locals
        .extend(k.locals.iter().map(|l| format!("{l}_{suffix}")));
    for s in &k.body {
        into.body.push(map.stmt(s)?);
    }
    Ok(())
}

/// Offsets of one member's ids in the merged mechanism.
#[derive(Debug, Clone)]
struct Renumber {
    field: u32,
    global: u32,
    local: u32,
    ions: Vec<u32>,
}

impl Renumber {
    fn stmt(&self, s: &Stmt) -> Result<Stmt, Refusal> {
        Ok(match s {
            Stmt::Assign(p, e) => Stmt::Assign(self.place(p)?, self.expr(e)?),
            Stmt::If {
                cond,
                then,
                otherwise,
            } => Stmt::If {
                cond: self.expr(cond)?,
                then: self.stmts(then)?,
                otherwise: self.stmts(otherwise)?,
            },
            other => return Err(Refusal::Statement(format!("{other:?}"))),
        })
    }

    fn stmts(&self, body: &[Stmt]) -> Result<Vec<Stmt>, Refusal> {
        body.iter().map(|s| self.stmt(s)).collect()
    }

    fn place(&self, p: &Place) -> Result<Place, Refusal> {
        Ok(match p {
            Place::Field(f) => Place::Field(self.field + f),
            Place::FieldIndexed { base, len, index } => Place::FieldIndexed {
                base: self.field + base,
                len: *len,
                index: Box::new(self.expr(index)?),
            },
            Place::Global(g) => Place::Global(self.global + g),
            Place::Local(l) => Place::Local(self.local + l),
            Place::Ion { ion, var } => Place::Ion {
                ion: self.ions[*ion as usize],
                var: *var,
            },
            Place::Node(_) | Place::Builtin(_) => p.clone(),
            Place::NetConArg(_) => return Err(Refusal::Statement(format!("{p:?}"))),
        })
    }

    fn expr(&self, e: &Expr) -> Result<Expr, Refusal> {
        Ok(match e {
            Expr::Const(c) => Expr::Const(*c),
            Expr::Load(p) => Expr::Load(self.place(p)?),
            Expr::Unary(op, a) => Expr::Unary(*op, Box::new(self.expr(a)?)),
            Expr::Binary(op, a, b) => {
                Expr::Binary(*op, Box::new(self.expr(a)?), Box::new(self.expr(b)?))
            }
            Expr::Call(f, args) => Expr::Call(
                *f,
                args.iter()
                    .map(|a| self.expr(a))
                    .collect::<Result<_, _>>()?,
            ),
            Expr::TableValue { .. } => return Err(Refusal::Statement(format!("{e:?}"))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nmodl::ir::{IonVar, Kind};

    fn mech(text: &str) -> Mechanism {
        nmodl::compile("test.mod", text).expect("test mechanism compiles")
    }

    const CAT: &str = "NEURON { SUFFIX cat USEION ca READ eca WRITE ica RANGE gbar }
        PARAMETER { gbar = 0.01 } ASSIGNED { v eca ica } STATE { m }
        BREAKPOINT { SOLVE s METHOD cnexp ica = gbar * m * (v - eca) }
        INITIAL { m = 0 } DERIVATIVE s { m' = (1 - m) / 5 }";
    const POOL: &str = "NEURON { SUFFIX pool USEION ca READ ica WRITE cai }
        ASSIGNED { ica } STATE { cai }
        BREAKPOINT { SOLVE s METHOD cnexp }
        DERIVATIVE s { cai' = -ica - cai / 10 }";

    #[test]
    fn members_sharing_an_ion_share_its_places() {
        let (cat, pool) = (mech(CAT), mech(POOL));
        let merged = merge(&[&cat, &pool]).unwrap();
        let m = &merged.mech;
        assert_eq!(m.kind, Kind::Density);
        assert_eq!(m.name, "cat+pool");
        assert_eq!(m.ions.len(), 1, "one ion use for ca");
        let ca = &m.ions[0];
        for v in [IonVar::Erev, IonVar::Current, IonVar::Inside] {
            assert!(ca.read.contains(&v) || ca.write.contains(&v), "{v:?}");
        }
        assert_eq!(merged.ion_of, vec![vec![0], vec![0]]);
        // Fields follow one another, renamed NEURON-style.
        assert_eq!(merged.field_base, vec![0, cat.fields.len() as u32]);
        assert_eq!(m.fields.len(), cat.fields.len() + pool.fields.len());
        let base = merged.field_base[1] as usize;
        for (f, field) in pool.fields.iter().enumerate() {
            let name = &m.fields[base + f].name;
            if field.name == "v" || field.name == "_g" {
                assert_eq!(name, &field.name);
            } else {
                assert_eq!(name, &format!("{}_pool", field.name));
            }
        }
        // Every place of the state kernel is one of the merged mechanism's.
        let state = m.state.as_ref().unwrap();
        crate::analysis::for_each_expr(&state.body, &mut |e| {
            if let Expr::Load(p) = e {
                match p {
                    Place::Field(f) => assert!((*f as usize) < m.fields.len()),
                    Place::Local(l) => assert!((*l as usize) < state.locals.len()),
                    Place::Ion { ion, .. } => assert_eq!(*ion, 0),
                    _ => {}
                }
            }
        });
        assert_eq!(
            state.body.len(),
            cat.state.as_ref().unwrap().body.len() + pool.state.as_ref().unwrap().body.len()
        );
        assert!(m.current.is_some() && m.writes_concentration);
    }

    #[test]
    fn tables_events_and_other_valences_are_refused() {
        let cat = mech(CAT);
        let tabled = mech(
            "NEURON { SUFFIX t RANGE x } ASSIGNED { v x }
             BREAKPOINT { rates(v) }
             PROCEDURE rates(v) { TABLE x FROM -100 TO 100 WITH 200 x = v * 2 }",
        );
        assert!(matches!(
            merge(&[&cat, &tabled]),
            Err(Refusal::NotDensity(name)) if name == "t"
        ));
        let point = mech("NEURON { POINT_PROCESS P NONSPECIFIC_CURRENT i } ASSIGNED { i }");
        assert!(merge(&[&cat, &point]).is_err());
        let with_valence = |suffix: &str, z: u32| {
            mech(&format!(
                "NEURON {{ SUFFIX {suffix} USEION x READ ex WRITE ix VALENCE {z} }}
                 ASSIGNED {{ v ex ix }} BREAKPOINT {{ ix = v - ex }}"
            ))
        };
        let (two, three) = (with_valence("two", 2), with_valence("three", 3));
        assert!(merge(&[&cat, &two, &with_valence("again", 2)]).is_ok());
        assert_eq!(
            merge(&[&two, &three]).unwrap_err(),
            Refusal::Valence("x".into())
        );
    }
}
