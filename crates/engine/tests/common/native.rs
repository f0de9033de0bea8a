//! Native test doubles of NEURON's `pas` and `IClamp`, written from the C++ that nocmodl
//! emits for them (two `_nrn_current` calls at v + 0.001 and v, g = ΔI/0.001; point processes
//! scaled by 1e2/area; ELECTRODE_CURRENT adds to rhs and subtracts from d).

use std::sync::Arc;

use engine::MechanismSource;
use mech::{Context, IonStore, MechanismSet};
use nmodl::ir;

fn field(name: &str, default: f64) -> ir::Field {
    ir::Field {
        name: name.into(),
        role: ir::FieldRole::Parameter,
        default,
        range: true,
        unit: None,
    }
}

fn mechanism(name: &str, kind: ir::Kind, fields: &[(&str, f64)], electrode: bool) -> ir::Mechanism {
    ir::Mechanism {
        name: name.into(),
        kind,
        fields: fields.iter().map(|&(n, d)| field(n, d)).collect(),
        globals: Vec::new(),
        ions: Vec::new(),
        currents: Vec::new(),
        electrode_current: electrode,
        states: Vec::new(),
        init: ir::Kernel::default(),
        current: None,
        jacobian: None,
        state: None,
        net_receive: None,
        tables: Vec::new(),
        writes_concentration: false,
    }
}

/// Storage shared by the doubles: one column per field plus the stored conductance.
struct Columns {
    mech: ir::Mechanism,
    nodes: Vec<u32>,
    cols: Vec<Vec<f64>>,
    g: Vec<f64>,
}

impl Columns {
    fn new(mech: ir::Mechanism, nodes: &[u32]) -> Self {
        let cols = mech
            .fields
            .iter()
            .map(|f| vec![f.default; nodes.len()])
            .collect();
        Columns {
            mech,
            nodes: nodes.to_vec(),
            cols,
            g: vec![0.0; nodes.len()],
        }
    }
    fn col(&self, name: &str) -> Option<usize> {
        self.mech.fields.iter().position(|f| f.name == name)
    }
}

macro_rules! storage_methods {
    () => {
        fn mechanism(&self) -> &ir::Mechanism {
            &self.0.mech
        }
        fn len(&self) -> usize {
            self.0.nodes.len()
        }
        fn nodes(&self) -> &[u32] {
            &self.0.nodes
        }
        fn field_values(&self, name: &str) -> Option<&[f64]> {
            self.0.col(name).map(|c| self.0.cols[c].as_slice())
        }
        fn field_values_mut(&mut self, name: &str) -> Option<&mut [f64]> {
            self.0.col(name).map(|c| self.0.cols[c].as_mut_slice())
        }
        fn set_global(&mut self, _: &str, _: f64) -> bool {
            false
        }
        fn net_receive(&mut self, _: &mut Context, _: usize, _: &mut [f64], _: f64) {}
        fn net_receive_init(&mut self, _: &mut Context, _: usize, _: &mut [f64]) {}
        fn state(&mut self, _: &mut Context) {}
    };
}

/// `pas`: i = g·(v − e).
struct Pas(Columns);

impl MechanismSet for Pas {
    storage_methods!();
    fn init(&mut self, _: &mut Context) {}
    fn current(&mut self, ctx: &mut Context) {
        let [g, e, i] = [0, 1, 2];
        for k in 0..self.0.nodes.len() {
            let node = self.0.nodes[k] as usize;
            let v = ctx.v[node];
            let cur = |v: f64| self.0.cols[g][k] * (v - self.0.cols[e][k]);
            let i1 = cur(v + 0.001);
            let i0 = cur(v);
            self.0.cols[i][k] = i0;
            self.0.g[k] = (i1 - i0) / 0.001;
            ctx.rhs[node] -= i0;
        }
    }
    fn jacobian(&mut self, ctx: &mut Context) {
        for (k, &node) in self.0.nodes.iter().enumerate() {
            ctx.d[node as usize] += self.0.g[k];
        }
    }
}

/// `IClamp`: i = amp while del ≤ t < del + dur (evaluated at the midpoint time).
struct IClamp(Columns);

impl MechanismSet for IClamp {
    storage_methods!();
    fn init(&mut self, _: &mut Context) {
        self.0.cols[3].iter_mut().for_each(|i| *i = 0.0);
    }
    fn current(&mut self, ctx: &mut Context) {
        let [del, dur, amp, i] = [0, 1, 2, 3];
        let t = ctx.t;
        for k in 0..self.0.nodes.len() {
            let node = self.0.nodes[k] as usize;
            let c = &self.0.cols;
            let cur = |_v: f64| {
                if t < c[del][k] + c[dur][k] && t >= c[del][k] {
                    c[amp][k]
                } else {
                    0.0
                }
            };
            let i1 = cur(ctx.v[node] + 0.001);
            let i0 = cur(ctx.v[node]);
            let mfact = 1.0e2 / ctx.area[node];
            self.0.cols[i][k] = i0;
            self.0.g[k] = (i1 - i0) / 0.001 * mfact;
            ctx.rhs[node] += i0 * mfact;
        }
    }
    fn jacobian(&mut self, ctx: &mut Context) {
        for (k, &node) in self.0.nodes.iter().enumerate() {
            ctx.d[node as usize] -= self.0.g[k];
        }
    }
}

/// A [`MechanismSource`] with the two doubles, registered in NEURON's built-in order.
pub struct NativeSource {
    pas: Arc<ir::Mechanism>,
    iclamp: Arc<ir::Mechanism>,
}

impl NativeSource {
    pub fn new() -> Self {
        NativeSource {
            pas: Arc::new(mechanism(
                "pas",
                ir::Kind::Density,
                &[("g", 0.001), ("e", -70.0), ("i", 0.0)],
                false,
            )),
            iclamp: Arc::new(mechanism(
                "IClamp",
                ir::Kind::Point,
                &[("del", 0.0), ("dur", 0.0), ("amp", 0.0), ("i", 0.0)],
                true,
            )),
        }
    }
}

impl MechanismSource for NativeSource {
    fn mechanism(&self, name: &str) -> Option<Arc<ir::Mechanism>> {
        match name {
            "pas" => Some(self.pas.clone()),
            "IClamp" => Some(self.iclamp.clone()),
            _ => None,
        }
    }
    fn registration_index(&self, name: &str) -> Option<usize> {
        // capacitance, pas, extracellular, fastpas, IClamp … (cabvars.h)
        match name {
            "pas" => Some(1),
            "IClamp" => Some(4),
            _ => None,
        }
    }
    fn instantiate(
        &self,
        name: &str,
        nodes: &[u32],
        _: &IonStore,
        _: usize,
    ) -> Result<Box<dyn MechanismSet>, String> {
        match name {
            "pas" => Ok(Box::new(Pas(Columns::new((*self.pas).clone(), nodes)))),
            "IClamp" => Ok(Box::new(IClamp(Columns::new(
                (*self.iclamp).clone(),
                nodes,
            )))),
            _ => Err(format!("no native `{name}`")),
        }
    }
}
