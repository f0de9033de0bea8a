//! TABLE construction (accumulated x), interpolation, end clamping, NaN, usetable and
//! DEPEND-triggered rebuilds.

use std::sync::Arc;

use nmodl::ir::{BinaryOp, Builtin, Expr, Kernel, MathFn, Place, Stmt, Table};

use super::{hand_mechanism, World};
use crate::{InterpretedSet, IonStore, MechanismSet};

/// f(x) = exp(x/7)·celsius, tabulated FROM −10 TO 10 WITH 7 (so dx is not exact in binary).
fn table_mechanism() -> nmodl::ir::Mechanism {
    let body = Kernel {
        locals: vec!["x".into(), "ret".into()],
        body: vec![Stmt::Assign(
            Place::Local(1),
            Expr::Binary(
                BinaryOp::Mul,
                Box::new(Expr::Call(
                    MathFn::Exp,
                    vec![Expr::Binary(
                        BinaryOp::Div,
                        Box::new(Expr::Load(Place::Local(0))),
                        Box::new(Expr::Const(7.0)),
                    )],
                )),
                Box::new(Expr::Load(Place::Builtin(Builtin::Celsius))),
            ),
        )],
    };
    let init = vec![Stmt::Assign(
        Place::Field(1),
        Expr::TableValue {
            table: 0,
            arg: Box::new(Expr::Load(Place::Field(0))),
        },
    )];
    let mut m = hand_mechanism(2, &[1.0], init, 0);
    m.tables.push(Table {
        name: "f".into(),
        usetable: 0,
        depend: vec![Place::Builtin(Builtin::Celsius)],
        from: Expr::Const(-10.0),
        to: Expr::Const(10.0),
        intervals: 7,
        body,
        outputs: vec![Place::Local(1)],
        is_function: true,
    });
    m
}

fn direct(x: f64, celsius: f64) -> f64 {
    crate::math::hoc_exp(x / 7.0) * celsius
}

/// NEURON's table: accumulated x, then interpolation with end clamping.
fn neuron_lookup(arg: f64, celsius: f64) -> f64 {
    let (tmin, tmax, n) = (-10.0f64, 10.0f64, 7usize);
    let dx = (tmax - tmin) / n as f64;
    let mfac = 1.0 / dx;
    let mut t = Vec::new();
    let mut x = tmin;
    for _ in 0..=n {
        t.push(direct(x, celsius));
        x += dx;
    }
    let xi = mfac * (arg - tmin);
    if xi.is_nan() {
        return xi;
    }
    if xi <= 0.0 {
        return t[0];
    }
    if xi >= n as f64 {
        return t[n];
    }
    let i = xi as usize;
    let theta = xi - i as f64;
    t[i] + theta * (t[i + 1] - t[i])
}

fn evaluate(set: &mut InterpretedSet, world: &mut World, args: &[f64]) -> Vec<f64> {
    set.field_values_mut("f0").unwrap().copy_from_slice(args);
    world.run(|ctx| set.init(ctx));
    set.field_values("f1").unwrap().to_vec()
}

#[test]
fn lookup_interpolates_clamps_and_propagates_nan() {
    let args = [-12.0, -10.0, -3.3, 0.0, 2.5, 9.999, 10.0, 40.0, f64::NAN];
    let mut set = InterpretedSet::new(
        Arc::new(table_mechanism()),
        vec![0; args.len()],
        &IonStore::default(),
        0,
    )
    .unwrap();
    let mut world = World::new(1);
    let got = evaluate(&mut set, &mut world, &args);
    assert!(set.table_built(0));
    for (a, g) in args.iter().zip(&got) {
        let want = neuron_lookup(*a, 6.3);
        assert!(
            g.to_bits() == want.to_bits() || (g.is_nan() && want.is_nan()),
            "f({a}) = {g}, want {want}"
        );
    }
    // Interpolated values differ from the direct ones between grid points.
    assert_ne!(got[2], direct(-3.3, 6.3));
}

#[test]
fn usetable_zero_computes_directly_and_celsius_rebuilds() {
    let args = [-3.3, 2.5];
    let mut set = InterpretedSet::new(
        Arc::new(table_mechanism()),
        vec![0; 2],
        &IonStore::default(),
        0,
    )
    .unwrap();
    let mut world = World::new(1);
    world.celsius = 20.0;
    let got = evaluate(&mut set, &mut world, &args);
    assert_eq!(got[0].to_bits(), neuron_lookup(-3.3, 20.0).to_bits());
    world.celsius = 30.0;
    let got = evaluate(&mut set, &mut world, &args);
    assert_eq!(got[1].to_bits(), neuron_lookup(2.5, 30.0).to_bits());
    assert!(set.set_global("g0", 0.0));
    let got = evaluate(&mut set, &mut world, &args);
    assert_eq!(got[0].to_bits(), direct(-3.3, 30.0).to_bits());
}

#[test]
fn hh_initial_gates_come_from_the_table() {
    let cat = crate::Catalogue::new();
    let hh = cat.mechanism("hh").unwrap();
    let mut b = IonStore::builder();
    b.add_mechanism(&hh, &[0]).unwrap();
    let ions = b.build().unwrap();
    let mut set = cat.instantiate("hh", vec![0], &ions, 0).unwrap();
    let mut world = World::new(1);
    world.ions = ions;
    world.run(|ctx| set.init(ctx));
    let m = set.field_values("m").unwrap()[0];
    // −65 mV is a grid point of the table (−100 + 35·1, accumulated exactly), so the table
    // value equals hh's direct formula there.
    let v: f64 = -65.0;
    let x = -(v + 40.0);
    let alpha = 0.1 * (x / ((x / 10.0).exp() - 1.0));
    let beta = 4.0 * (-(v + 65.0) / 18.0).exp();
    assert_eq!(m.to_bits(), (alpha / (alpha + beta)).to_bits(), "m = {m}");
    // Off the grid the table interpolates between the −65 and −64 entries (θ = 0.5).
    let minf = |v: f64| {
        let x = -(v + 40.0);
        let alpha = 0.1 * (x / ((x / 10.0).exp() - 1.0));
        let beta = 4.0 * (-(v + 65.0) / 18.0).exp();
        alpha / (alpha + beta)
    };
    world.v[0] = -64.5;
    world.run(|ctx| set.init(ctx));
    let m = set.field_values("m").unwrap()[0];
    let (t35, t36) = (minf(-65.0), minf(-64.0));
    assert_eq!(m.to_bits(), (t35 + 0.5 * (t36 - t35)).to_bits());
    assert_ne!(m, minf(-64.5));
}
