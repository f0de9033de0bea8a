//! One compartment with `hh`: the current protocol against a hand computation of NEURON's
//! `nrn_cur` (neuron-semantics §3–4), and one cnexp state update.

use super::World;
use crate::{Catalogue, IonStore};

struct Hh {
    gnabar: f64,
    gkbar: f64,
    gl: f64,
    el: f64,
    ena: f64,
    ek: f64,
}

impl Hh {
    /// (ina, ik, il) at v for gates (m, h, n), in hh.mod's expression order.
    fn currents(&self, v: f64, m: f64, h: f64, n: f64) -> (f64, f64, f64) {
        let gna = self.gnabar * m * m * m * h;
        let ina = gna * (v - self.ena);
        let gk = self.gkbar * n * n * n * n;
        let ik = gk * (v - self.ek);
        let il = self.gl * (v - self.el);
        (ina, ik, il)
    }
}

#[test]
fn hh_current_protocol_matches_hand_computation() {
    let cat = Catalogue::new();
    let mech = cat.mechanism("hh").unwrap();
    let mut b = IonStore::builder();
    b.add_mechanism(&mech, &[0]).unwrap();
    let ions = b.build().unwrap();
    let mut set = cat.instantiate("hh", vec![0], &ions, 0).unwrap();
    let mut world = World::new(1);
    world.ions = ions;
    world.ions.init(world.celsius);
    world.run(|ctx| set.init(ctx));
    let (m, h, n) = (
        set.field_values("m").unwrap()[0],
        set.field_values("h").unwrap()[0],
        set.field_values("n").unwrap()[0],
    );
    let p = Hh {
        gnabar: 0.12,
        gkbar: 0.036,
        gl: 0.0003,
        el: -54.3,
        ena: 50.0,
        ek: -77.0,
    };
    let v = -65.0;

    world.ions.current_begin(world.celsius);
    world.rhs[0] = 0.0;
    world.d[0] = 0.0;
    world.t = 0.0125;
    world.run(|ctx| set.current(ctx));
    world.run(|ctx| set.jacobian(ctx));

    let (ina1, ik1, il1) = p.currents(v + 0.001, m, h, n);
    let (ina0, ik0, il0) = p.currents(v, m, h, n);
    let i1 = ina1 + ik1 + il1;
    let i0 = ina0 + ik0 + il0;
    let g = (i1 - i0) / 0.001;
    assert_eq!(
        world.rhs[0].to_bits(),
        (0.0 - i0).to_bits(),
        "rhs {} vs {}",
        world.rhs[0],
        -i0
    );
    assert_eq!(world.d[0].to_bits(), (0.0 + g).to_bits(), "d");
    let na = world.ions.index_of("na").unwrap();
    assert_eq!(
        world.ions.ions[na].current[0].to_bits(),
        (0.0 + ina0).to_bits()
    );
    assert_eq!(
        world.ions.ions[na].dcurrent_dv[0].to_bits(),
        (0.0 + (ina1 - ina0) / 0.001).to_bits()
    );
    assert_eq!(
        set.field_values("ina").unwrap()[0].to_bits(),
        ina0.to_bits()
    );

    // v update as the engine does it, then one state step: m' = (minf − m)/mtau in cnexp form
    // m + (1 − exp(dt·((−1.0)/mtau)))·(−(minf/mtau)/((−1.0)/mtau) − m), rates at the new v.
    let dt = world.dt;
    let vnew = v + world.rhs[0] / (world.d[0] + 0.001 * (1.0 / dt) * 1.0);
    world.v[0] = vnew;
    world.t = dt;
    world.run(|ctx| set.state(ctx));
    let minf = set.global("minf").unwrap();
    let mtau = set.global("mtau").unwrap();
    let a = (-1.0) / mtau;
    let want = m + (1.0 - (dt * a).exp()) * (-(minf / mtau) / a - m);
    let got = set.field_values("m").unwrap()[0];
    assert_eq!(got.to_bits(), want.to_bits(), "m {got} vs {want}");
}
