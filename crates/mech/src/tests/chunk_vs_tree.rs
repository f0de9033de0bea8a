//! The chunked bytecode interpreter against a direct tree-walking evaluation in f64, bit for
//! bit, on random expression trees (several chunks, a partial chunk, masked branches).

use std::sync::Arc;

use nmodl::ir::{BinaryOp, Builtin, Expr, MathFn, NodeVar, Place, Stmt, UnaryOp};

use super::{hand_mechanism, World};
use crate::math::{hoc_exp, nernst};
use crate::{InterpretedSet, IonStore, MechanismSet};

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn float(&mut self) -> f64 {
        (self.next() as f64 / (1u64 << 31) as f64) * 20.0 - 10.0
    }
}

const INPUTS: u32 = 4;

fn random_expr(r: &mut Lcg, depth: u32) -> Expr {
    if depth == 0 || r.below(4) == 0 {
        return match r.below(6) {
            0 => Expr::Const([0.0, 1.0, -2.5, 0.1, 1e-7][r.below(5) as usize]),
            1 | 2 => Expr::Load(Place::Field(r.below(INPUTS as u64) as u32)),
            3 => Expr::Load(Place::Local(0)),
            4 => Expr::Load(Place::Node(NodeVar::V)),
            _ => Expr::Load(if r.below(2) == 0 {
                Place::Global(0)
            } else {
                Place::Builtin(Builtin::Celsius)
            }),
        };
    }
    let a = Box::new(random_expr(r, depth - 1));
    let b = Box::new(random_expr(r, depth - 1));
    match r.below(10) {
        0..=4 => {
            let ops = [
                BinaryOp::Add,
                BinaryOp::Sub,
                BinaryOp::Mul,
                BinaryOp::Div,
                BinaryOp::Pow,
                BinaryOp::Lt,
                BinaryOp::Ge,
                BinaryOp::Eq,
                BinaryOp::And,
                BinaryOp::Or,
            ];
            Expr::Binary(ops[r.below(ops.len() as u64) as usize], a, b)
        }
        5 => Expr::Unary(
            if r.below(2) == 0 {
                UnaryOp::Neg
            } else {
                UnaryOp::Not
            },
            a,
        ),
        6 => Expr::Call(MathFn::Exp, vec![*a]),
        7 => Expr::Call(
            [MathFn::Log, MathFn::Sqrt, MathFn::Fabs, MathFn::Tanh][r.below(4) as usize],
            vec![*a],
        ),
        8 => Expr::Call(
            if r.below(2) == 0 {
                MathFn::Min
            } else {
                MathFn::Atan2
            },
            vec![*a, *b],
        ),
        _ => Expr::Call(MathFn::Nernst, vec![*a, *b, Expr::Const(2.0)]),
    }
}

/// Independent reference: plain f64 evaluation of the tree for one instance.
fn reference(e: &Expr, fields: &[f64], local: f64, v: f64, g0: f64, celsius: f64) -> f64 {
    let ev = |x: &Expr| reference(x, fields, local, v, g0, celsius);
    let b = |c: bool| if c { 1.0 } else { 0.0 };
    match e {
        Expr::Const(c) => *c,
        Expr::Load(Place::Field(f)) => fields[*f as usize],
        Expr::Load(Place::Local(_)) => local,
        Expr::Load(Place::Node(_)) => v,
        Expr::Load(Place::Global(_)) => g0,
        Expr::Load(Place::Builtin(_)) => celsius,
        Expr::Load(_) => unreachable!(),
        Expr::Unary(UnaryOp::Neg, a) => -ev(a),
        Expr::Unary(UnaryOp::Not, a) => b(ev(a) == 0.0),
        Expr::Binary(op, x, y) => {
            let (x, y) = (ev(x), ev(y));
            match op {
                BinaryOp::Add => x + y,
                BinaryOp::Sub => x - y,
                BinaryOp::Mul => x * y,
                BinaryOp::Div => x / y,
                BinaryOp::Pow => x.powf(y),
                BinaryOp::Lt => b(x < y),
                BinaryOp::Ge => b(x >= y),
                BinaryOp::Eq => b(x == y),
                BinaryOp::And => b(x != 0.0 && y != 0.0),
                BinaryOp::Or => b(x != 0.0 || y != 0.0),
                _ => unreachable!(),
            }
        }
        Expr::Call(f, args) => {
            let a: Vec<f64> = args.iter().map(ev).collect();
            match f {
                MathFn::Exp => hoc_exp(a[0]),
                MathFn::Log => a[0].ln(),
                MathFn::Sqrt => a[0].sqrt(),
                MathFn::Fabs => a[0].abs(),
                MathFn::Tanh => a[0].tanh(),
                MathFn::Min => {
                    if a[0] < a[1] {
                        a[0]
                    } else {
                        a[1]
                    }
                }
                MathFn::Atan2 => a[0].atan2(a[1]),
                MathFn::Nernst => nernst(a[0], a[1], a[2], celsius),
                _ => unreachable!(),
            }
        }
        Expr::TableValue { .. } => unreachable!(),
    }
}

fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

#[test]
fn chunked_interpreter_is_bit_identical_to_tree_evaluation() {
    let mut r = Lcg(12345);
    for trial in 0..60 {
        let n = [1usize, 63, 64, 65, 150][trial % 5];
        let (ea, eb, ec, ed, ee) = (
            random_expr(&mut r, 5),
            random_expr(&mut r, 5),
            random_expr(&mut r, 4),
            random_expr(&mut r, 5),
            random_expr(&mut r, 5),
        );
        let (o1, o2) = (INPUTS, INPUTS + 1);
        let body = vec![
            Stmt::Assign(Place::Local(0), ea.clone()),
            Stmt::Assign(Place::Field(o1), eb.clone()),
            Stmt::If {
                cond: ec.clone(),
                then: vec![Stmt::Assign(Place::Field(o2), ed.clone())],
                otherwise: vec![Stmt::Assign(Place::Field(o2), ee.clone())],
            },
        ];
        let g0 = 0.75;
        let mech = hand_mechanism(INPUTS as usize + 2, &[g0], body, 1);
        let nodes: Vec<u32> = (0..n as u32).collect();
        let mut set = InterpretedSet::new(Arc::new(mech), nodes, &IonStore::default(), 0).unwrap();
        let mut inputs = vec![vec![0.0; n]; INPUTS as usize];
        for (k, col) in inputs.iter_mut().enumerate() {
            for x in col.iter_mut() {
                *x = if r.below(9) == 0 { 0.0 } else { r.float() };
            }
            set.field_values_mut(&format!("f{k}"))
                .unwrap()
                .copy_from_slice(col);
        }
        let mut world = World::new(n);
        for (i, v) in world.v.iter_mut().enumerate() {
            *v = -70.0 + i as f64 * 0.37;
        }
        world.run(|ctx| set.init(ctx));
        let celsius = world.celsius;
        for i in 0..n {
            let fields: Vec<f64> = inputs.iter().map(|c| c[i]).collect();
            let v = world.v[i];
            let local = reference(&ea, &fields, 0.0, v, g0, celsius);
            let out1 = reference(&eb, &fields, local, v, g0, celsius);
            let cond = reference(&ec, &fields, local, v, g0, celsius);
            let out2 = reference(
                if cond != 0.0 { &ed } else { &ee },
                &fields,
                local,
                v,
                g0,
                celsius,
            );
            let got1 = set.field_values(&format!("f{o1}")).unwrap()[i];
            let got2 = set.field_values(&format!("f{o2}")).unwrap()[i];
            assert!(
                same(got1, out1),
                "trial {trial} inst {i}: {got1} vs {out1}\n{eb:?}"
            );
            assert!(same(got2, out2), "trial {trial} inst {i}: {got2} vs {out2}");
        }
    }
}

#[test]
fn scatter_add_to_shared_nodes_applies_lanes_in_order() {
    // Three instances on node 0 and one on node 1 add field values to rhs: the sums must be
    // formed in instance order, exactly like sequential code.
    let rhs = Place::Node(NodeVar::Rhs);
    let body = vec![Stmt::Assign(
        rhs.clone(),
        Expr::Binary(
            BinaryOp::Sub,
            Box::new(Expr::Load(rhs)),
            Box::new(Expr::Load(Place::Field(0))),
        ),
    )];
    let mech = hand_mechanism(1, &[], body, 0);
    let mut set =
        InterpretedSet::new(Arc::new(mech), vec![0, 1, 0, 0], &IonStore::default(), 0).unwrap();
    let vals = [1e16, 3.0, -1e16, 1.0];
    set.field_values_mut("f0").unwrap().copy_from_slice(&vals);
    let mut world = World::new(2);
    world.rhs = vec![0.5, 0.0];
    world.run(|ctx| set.init(ctx));
    let mut want = 0.5;
    for x in [vals[0], vals[2], vals[3]] {
        want -= x;
    }
    assert_eq!(world.rhs[0].to_bits(), want.to_bits());
    assert_eq!(world.rhs[1], -3.0);
}
