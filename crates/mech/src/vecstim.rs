//! Native `VecStim`: an artificial cell that emits events at the times of a vector (NEURON's
//! `vecevent.mod` needs VERBATIM to reach the hoc Vector, so it is written in Rust here).
//!
//! Semantics of vecevent.mod: INITIAL sets `index = 0`, loads the first element into `etime`
//! and, if there is one, sends a self-event with delay `etime − t`; each self-event (flag 1)
//! calls `net_event(t)`, loads the next element and re-arms. After the last element
//! `index = −1`.

use nmodl::ir::{self, Field, FieldRole, Kernel, Kind, Mechanism};

use crate::{Context, MechanismSet};

/// The synthetic IR description of VecStim (fields `index`, `etime`; no kernels).
pub fn vecstim_ir() -> Mechanism {
    let field = |name: &str, role| Field {
        name: name.into(),
        role,
        default: 0.0,
        range: true,
        unit: None,
    };
    Mechanism {
        name: "VecStim".into(),
        kind: Kind::Artificial,
        fields: vec![
            field("index", FieldRole::Assigned),
            field("etime", FieldRole::Assigned),
        ],
        globals: vec![],
        ions: vec![],
        currents: vec![],
        electrode_current: false,
        states: vec![],
        init: Kernel::default(),
        current: None,
        jacobian: None,
        state: None,
        net_receive: Some(ir::NetReceive {
            args: vec!["w".into()],
            body: Kernel::default(),
            init: None,
        }),
        tables: vec![],
        writes_concentration: false,
    }
}

/// All VecStim instances of a simulation.
pub struct VecStimSet {
    mech: Mechanism,
    nodes: Vec<u32>,
    times: Vec<Vec<f64>>,
    index: Vec<f64>,
    etime: Vec<f64>,
    set_id: usize,
}

impl VecStimSet {
    /// `n` instances (the node list is kept only to report it back).
    pub fn new(nodes: Vec<u32>, set_id: usize) -> Self {
        let n = nodes.len();
        VecStimSet {
            mech: vecstim_ir(),
            nodes,
            times: vec![Vec::new(); n],
            index: vec![0.0; n],
            etime: vec![0.0; n],
            set_id,
        }
    }

    /// `element()`: loads the next time or marks the end with index −1.
    fn element(&mut self, i: usize) {
        let k = self.index[i];
        if k >= 0.0 && (k as usize) < self.times[i].len() {
            self.etime[i] = self.times[i][k as usize];
            self.index[i] = k + 1.0;
        } else {
            self.index[i] = -1.0;
        }
    }
}

impl MechanismSet for VecStimSet {
    fn mechanism(&self) -> &Mechanism {
        &self.mech
    }
    fn len(&self) -> usize {
        self.nodes.len()
    }
    fn nodes(&self) -> &[u32] {
        &self.nodes
    }
    fn init(&mut self, ctx: &mut Context) {
        for i in 0..self.len() {
            self.index[i] = 0.0;
            self.element(i);
            if self.index[i] > 0.0 {
                let delay = self.etime[i] - ctx.t;
                ctx.events.net_send(self.set_id, i, ctx.t + delay, 1.0);
            }
        }
    }
    fn current(&mut self, _: &mut Context) {}
    fn jacobian(&mut self, _: &mut Context) {}
    fn state(&mut self, _: &mut Context) {}
    fn range_kernels(&mut self, _: &mut Context) -> Option<crate::RangeKernels> {
        // Nothing to do per step: events only.
        Some(crate::RangeKernels::default())
    }
    fn net_receive(&mut self, ctx: &mut Context, instance: usize, _args: &mut [f64], flag: f64) {
        if instance >= self.len() || flag != 1.0 {
            return;
        }
        ctx.events.net_event(self.set_id, instance, ctx.t);
        self.element(instance);
        if self.index[instance] > 0.0 {
            let delay = self.etime[instance] - ctx.t;
            ctx.events
                .net_send(self.set_id, instance, ctx.t + delay, 1.0);
        }
    }
    fn net_receive_init(&mut self, _: &mut Context, _: usize, _: &mut [f64]) {}
    fn field_values(&self, name: &str) -> Option<&[f64]> {
        match name {
            "index" => Some(&self.index),
            "etime" => Some(&self.etime),
            _ => None,
        }
    }
    fn field_values_mut(&mut self, name: &str) -> Option<&mut [f64]> {
        match name {
            "index" => Some(&mut self.index),
            "etime" => Some(&mut self.etime),
            _ => None,
        }
    }
    fn set_global(&mut self, _: &str, _: f64) -> bool {
        false
    }
    fn set_event_times(&mut self, instance: usize, times: &[f64]) -> bool {
        match self.times.get_mut(instance) {
            Some(t) => {
                t.clear();
                t.extend_from_slice(times);
                true
            }
            None => false,
        }
    }
}
