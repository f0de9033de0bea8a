//! One compartment with `pas`: a few fixed steps computed by hand against the mechanism's
//! current/jacobian contributions.

use super::World;
use crate::{Catalogue, IonStore};

#[test]
fn pas_one_compartment_matches_hand_computation() {
    let cat = Catalogue::new();
    let mut set = cat
        .instantiate("pas", vec![0], &IonStore::default(), 0)
        .unwrap();
    let mut world = World::new(1);
    world.v[0] = -65.0;
    let (g, e, cm, dt) = (0.001, -70.0, 1.0, world.dt);
    world.run(|ctx| set.init(ctx));
    let mut v_hand = -65.0f64;
    for _ in 0..5 {
        world.rhs[0] = 0.0;
        world.d[0] = 0.0;
        world.run(|ctx| set.current(ctx));
        world.run(|ctx| set.jacobian(ctx));
        // Hand: I(v+0.001) then I(v); g = (I1 − I0)/0.001; rhs = 0 − I0; d = 0 + g.
        let i1 = g * ((v_hand + 0.001) - e);
        let i0 = g * (v_hand - e);
        let gg = (i1 - i0) / 0.001;
        let rhs = 0.0 - i0;
        let d = 0.0 + gg;
        assert_eq!(world.rhs[0].to_bits(), rhs.to_bits(), "rhs");
        assert_eq!(world.d[0].to_bits(), d.to_bits(), "d");
        let dd = d + 0.001 * (1.0 / dt) * cm;
        v_hand += rhs / dd;
        world.v[0] += world.rhs[0] / (world.d[0] + 0.001 * (1.0 / dt) * cm);
        assert_eq!(world.v[0].to_bits(), v_hand.to_bits());
        world.run(|ctx| set.state(ctx));
    }
    // The membrane relaxes towards e.
    assert!(v_hand < -65.0 && v_hand > -70.0);
}
