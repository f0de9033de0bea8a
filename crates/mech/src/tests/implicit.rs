//! Implicit methods end to end (NMODL → IR → interpreter): derivimplicit (Newton), KINETIC
//! with CONSERVE (sparse), and the HCO sample mechanisms running together.

use super::World;
use crate::{Catalogue, IonStore};

#[test]
fn derivimplicit_solves_backward_euler() {
    let mut cat = Catalogue::new();
    let text = "NEURON { SUFFIX quad RANGE xstart }\nPARAMETER { xstart = 2 }\nSTATE { x }\n\
                INITIAL { x = xstart }\nBREAKPOINT { SOLVE s METHOD derivimplicit }\n\
                DERIVATIVE s { x' = -x*x }\n";
    cat.add_user("quad.mod", text).unwrap();
    let mut set = cat
        .instantiate("quad", vec![0, 1], &IonStore::default(), 0)
        .unwrap();
    set.field_values_mut("xstart").unwrap()[1] = 0.5;
    let mut world = World::new(2);
    world.dt = 0.1;
    world.run(|ctx| set.init(ctx));
    world.run(|ctx| set.state(ctx));
    for (i, x0) in [2.0f64, 0.5].iter().enumerate() {
        // x1 = x0 − dt·x1²  →  x1 = (−1 + √(1 + 4·dt·x0)) / (2·dt)
        let dt = 0.1;
        let want = (-1.0 + (1.0 + 4.0 * dt * x0).sqrt()) / (2.0 * dt);
        let got = set.field_values("x").unwrap()[i];
        assert!((got - want).abs() < 1e-8 * want, "{got} vs {want}");
    }
}

#[test]
fn kinetic_scheme_with_conserve_stays_conserved() {
    let mut cat = Catalogue::new();
    let text = "NEURON { SUFFIX two RANGE kf, kb }\nPARAMETER { kf = 0.3 kb = 0.1 }\n\
                STATE { A B }\nINITIAL { A = 1 B = 0 }\nBREAKPOINT { SOLVE k METHOD sparse }\n\
                KINETIC k { ~ A <-> B (kf, kb) CONSERVE A + B = 1 }\n";
    cat.add_user("two.mod", text).unwrap();
    let mut set = cat
        .instantiate("two", vec![0], &IonStore::default(), 0)
        .unwrap();
    let mut world = World::new(1);
    world.dt = 0.5;
    world.run(|ctx| set.init(ctx));
    world.run(|ctx| set.state(ctx));
    let a = set.field_values("A").unwrap()[0];
    let b = set.field_values("B").unwrap()[0];
    // Backward Euler: A1 = (A0 + dt·kb) / (1 + dt·(kf + kb)) with A + B = 1.
    let want = (1.0 + 0.5 * 0.1) / (1.0 + 0.5 * 0.4);
    assert!((a - want).abs() < 1e-10, "A = {a}, want {want}");
    assert!((a + b - 1.0).abs() < 1e-12);
}

#[test]
fn hco_mechanisms_run_together() {
    let dir = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/hco/biophys_components/mechanisms/modfiles"
    ));
    if !dir.exists() {
        return;
    }
    let mut cat = Catalogue::new();
    let names = cat
        .add_user_dir(dir)
        .unwrap_or_else(|e| panic!("{:?}", e.iter().map(|e| e.to_string()).collect::<Vec<_>>()));
    let refs: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
    let order = cat.memb_order(&refs).unwrap();
    assert_eq!(order[0], "capool");
    let mut b = IonStore::builder();
    for n in &order {
        b.add_mechanism(&cat.mechanism(n).unwrap(), &[0]).unwrap();
    }
    let ions = b.build().unwrap();
    let mut sets: Vec<_> = order
        .iter()
        .enumerate()
        .map(|(i, n)| cat.instantiate(n, vec![0], &ions, i).unwrap())
        .collect();
    // Calcium channels on, so calcium flows into capool's pool.
    for (n, s) in order.iter().zip(&mut sets) {
        if n == "cat" || n == "cas" {
            s.field_values_mut("gbar").unwrap()[0] = 0.01;
        }
    }
    let mut world = World::new(1);
    world.ions = ions;
    world.v[0] = -50.0;
    world.celsius = 34.0;
    world
        .ions
        .set_value("ca", 0, nmodl::ir::IonVar::Outside, 3.0);
    world.ions.init(world.celsius);
    for s in &mut sets {
        world.run(|ctx| s.init(ctx));
    }
    assert_eq!(
        world.ions.value("ca", 0, nmodl::ir::IonVar::Outside),
        Some(2.0)
    );
    for _ in 0..40 {
        world.ions.current_begin(world.celsius);
        world.rhs[0] = 0.0;
        world.d[0] = 0.0;
        for s in &mut sets {
            world.run(|ctx| s.current(ctx));
        }
        for s in &mut sets {
            world.run(|ctx| s.jacobian(ctx));
        }
        world.v[0] += world.rhs[0] / (world.d[0] + 0.001 / world.dt);
        for s in &mut sets {
            world.run(|ctx| s.state(ctx));
        }
    }
    assert!(world.v[0].is_finite());
    let cai = world
        .ions
        .value("ca", 0, nmodl::ir::IonVar::Inside)
        .unwrap();
    assert!(cai > 0.0 && cai != 5e-5, "cai {cai}");
    // As in NEURON, `state` does not recompute eca after capool writes cai: the next step's
    // `current_begin` does (eadvance), from the new cai.
    let stale = world.ions.value("ca", 0, nmodl::ir::IonVar::Erev).unwrap();
    assert_ne!(stale, crate::math::nernst(cai, 2.0, 2.0, 34.0));
    world.ions.current_begin(world.celsius);
    let eca = world.ions.value("ca", 0, nmodl::ir::IonVar::Erev).unwrap();
    assert_eq!(eca, crate::math::nernst(cai, 2.0, 2.0, 34.0));
}
