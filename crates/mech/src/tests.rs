//! Unit tests that need the crate's internals; see `tests/` for catalogue-level tests.

mod builtins;
mod chunk_vs_tree;
mod events;
mod hh_step;
mod implicit;
mod ions_style;
mod pas_step;
mod tables;

use nmodl::ir::{Field, FieldRole, Global, Kernel, Kind, Mechanism, Stmt};

/// A hand-built density mechanism with `fields` fields named f0…, `globals` globals g0…
/// (default 1.0, plus the defaults given) and the given init body.
pub(crate) fn hand_mechanism(
    fields: usize,
    globals: &[f64],
    init: Vec<Stmt>,
    locals: usize,
) -> Mechanism {
    Mechanism {
        name: "hand".into(),
        kind: Kind::Density,
        fields: (0..fields)
            .map(|i| Field {
                name: format!("f{i}"),
                role: FieldRole::Assigned,
                default: 0.0,
                range: true,
                unit: None,
            })
            .collect(),
        globals: globals
            .iter()
            .enumerate()
            .map(|(i, d)| Global {
                name: format!("g{i}"),
                default: *d,
                user_visible: true,
                unit: None,
            })
            .collect(),
        ions: vec![],
        currents: vec![],
        electrode_current: false,
        states: vec![],
        init: Kernel {
            locals: (0..locals).map(|i| format!("l{i}")).collect(),
            body: init,
        },
        current: None,
        jacobian: None,
        state: None,
        net_receive: None,
        tables: vec![],
        writes_concentration: false,
    }
}

/// Node arrays and ions for a Context.
pub(crate) struct World {
    pub v: Vec<f64>,
    pub rhs: Vec<f64>,
    pub d: Vec<f64>,
    pub area: Vec<f64>,
    pub diam: Vec<f64>,
    pub ions: crate::IonStore,
    pub t: f64,
    pub dt: f64,
    pub celsius: f64,
}

impl World {
    pub fn new(nodes: usize) -> Self {
        World {
            v: vec![-65.0; nodes],
            rhs: vec![0.0; nodes],
            d: vec![0.0; nodes],
            area: vec![100.0; nodes],
            diam: vec![1.0; nodes],
            ions: crate::IonStore::default(),
            t: 0.0,
            dt: 0.025,
            celsius: 6.3,
        }
    }

    pub fn run<R>(&mut self, f: impl FnOnce(&mut crate::Context) -> R) -> R {
        let mut events = crate::NoEvents;
        let mut ctx = crate::Context {
            t: self.t,
            dt: self.dt,
            celsius: self.celsius,
            v: &self.v,
            rhs: &mut self.rhs,
            d: &mut self.d,
            area: &self.area,
            diam: &self.diam,
            ions: &mut self.ions,
            events: &mut events,
        };
        f(&mut ctx)
    }
}
