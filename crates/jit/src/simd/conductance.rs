//! Fast-math conductances: the `nrn_cur` protocol's numerical derivative replaced by the exact
//! one where the currents are affine in v.
//!
//! NEURON evaluates BREAKPOINT twice per step, at v + 0.001 and at v, and takes
//! g = (I(v + 0.001) − I(v))/0.001 and di_x/dv likewise (`nmodl::lower::current`). For a
//! current such as `ina = gbar·m³h·(v − ena)`, whose derivative does not depend on v, the
//! difference quotient *is* the derivative, up to rounding (relative 10⁻¹¹ or so: the two
//! evaluations cancel to three digits). [`analytic_current`] differentiates the second
//! evaluation symbolically (forward mode over its assignments, d v/dv = 1, zero derivatives
//! folded away) and, when every needed derivative exists and is free of v — sums, differences,
//! products with one factor free of v, divisions by values free of v — drops the first
//! evaluation and stores the derivatives instead: half of BREAKPOINT's work per step. A
//! current that is not affine in v (a GHK flux, a voltage-dependent block) keeps NEURON's
//! difference quotient.

use std::collections::HashMap;

use nmodl::ir::{BinaryOp, Expr, IonVar, Kernel, Place, Stmt, UnaryOp};

/// A derivative: zero, an expression free of v, or not affine.
#[derive(Debug, Clone, PartialEq)]
enum D {
    Zero,
    Of(Expr),
    NotAffine,
}

/// Where the protocol's pieces are in a lowered current kernel.
struct Protocol {
    v_field: u32,
    /// First statement of the evaluation at v + 0.001 (`f.v = v0 + 0.001`).
    first: usize,
    /// The statement `f.v = v0` that starts the evaluation at v.
    second: usize,
}

/// The current kernel `k` with the derivative taken analytically (see the module docs); None
/// when `k` is not the `nrn_cur` protocol of an affine current.
pub fn analytic_current(k: &Kernel) -> Option<Kernel> {
    let p = protocol(&k.body)?;
    if reads_first_evaluation(&k.body, &p) {
        return None;
    }
    let mut derivative: HashMap<PlaceKey, D> = HashMap::new();
    derivative.insert(PlaceKey::Field(p.v_field), D::Of(Expr::Const(1.0)));
    let mut body: Vec<Stmt> = k.body[..p.first].to_vec();
    body.push(k.body[p.second].clone());
    for s in &k.body[p.second + 1..] {
        let Stmt::Assign(place, e) = s else {
            return None;
        };
        if let Some(replaced) = replace(place, e, &derivative)? {
            body.push(replaced);
            continue;
        }
        let d = diff(e, &derivative);
        if let Some(key) = PlaceKey::of(place) {
            derivative.insert(key, d);
        }
        body.push(s.clone());
    }
    Some(Kernel {
        locals: k.locals.clone(),
        body,
    })
}

/// Places whose derivatives are tracked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum PlaceKey {
    Field(u32),
    Local(u32),
}

impl PlaceKey {
    fn of(p: &Place) -> Option<Self> {
        match p {
            Place::Field(f) => Some(PlaceKey::Field(*f)),
            Place::Local(l) => Some(PlaceKey::Local(*l)),
            _ => None,
        }
    }
}

/// Whether the evaluation at v reads a place the evaluation at v + 0.001 wrote before writing
/// it itself (BREAKPOINT using a value it assigns further down): without the first evaluation
/// it would read another value.
fn reads_first_evaluation(body: &[Stmt], p: &Protocol) -> bool {
    let mut first = Vec::new();
    crate::analysis::for_each_written_place(&body[p.first + 1..p.second], &mut |w| {
        first.push(w.clone())
    });
    let mut written: Vec<Place> = vec![Place::Field(p.v_field)];
    for s in &body[p.second + 1..] {
        let mut stale = false;
        crate::analysis::for_each_expr(std::slice::from_ref(s), &mut |e| {
            // (The protocol's own locals — the saved currents, the first sum — are read on
            // purpose: the quotients that read them are replaced.)
            if let Expr::Load(q @ Place::Field(_)) = e {
                stale |= first.contains(q) && !written.contains(q);
            }
        });
        if stale {
            return true;
        }
        crate::analysis::for_each_written_place(std::slice::from_ref(s), &mut |w| {
            written.push(w.clone())
        });
    }
    false
}

/// Finds `f.v = v0 + 0.001` and the later `f.v = v0`.
fn protocol(body: &[Stmt]) -> Option<Protocol> {
    let (first, v_field, v0) = body.iter().enumerate().find_map(|(i, s)| match s {
        Stmt::Assign(Place::Field(f), Expr::Binary(BinaryOp::Add, a, b)) => match (&**a, &**b) {
            (Expr::Load(Place::Local(l)), Expr::Const(c)) if *c == 0.001 => Some((i, *f, *l)),
            _ => None,
        },
        _ => None,
    })?;
    let second = body.iter().enumerate().skip(first + 1).find_map(|(i, s)| {
        matches!(s, Stmt::Assign(Place::Field(f), Expr::Load(Place::Local(l)))
            if *f == v_field && *l == v0)
        .then_some(i)
    })?;
    Some(Protocol {
        v_field,
        first,
        second,
    })
}

/// The difference quotients of the protocol — `di/dv += (d_i − f.i)/0.001` and
/// `f._g = (g_local − rhs)/0.001` — with the derivative of the value at v instead:
/// `Some(Some(stmt))` replaced, `Some(None)` not a quotient, None when the derivative is not
/// affine.
fn replace(place: &Place, e: &Expr, d: &HashMap<PlaceKey, D>) -> Option<Option<Stmt>> {
    let quotient = |e: &Expr| -> Option<PlaceKey> {
        let Expr::Binary(BinaryOp::Div, num, den) = e else {
            return None;
        };
        let (Expr::Binary(BinaryOp::Sub, _, at_v), Expr::Const(h)) = (&**num, &**den) else {
            return None;
        };
        match &**at_v {
            Expr::Load(p) if *h == 0.001 => PlaceKey::of(p),
            _ => None,
        }
    };
    let derivative_of = |key: PlaceKey| match d.get(&key).cloned().unwrap_or(D::Zero) {
        D::Zero => Some(Expr::Const(0.0)),
        D::Of(x) => Some(x),
        D::NotAffine => None,
    };
    match (place, e) {
        (
            Place::Ion {
                var: IonVar::DCurrentDv,
                ..
            },
            Expr::Binary(BinaryOp::Add, acc, q),
        ) if matches!(&**acc, Expr::Load(p) if p == place) => match quotient(q) {
            Some(key) => {
                let slope = derivative_of(key)?;
                Some(Some(Stmt::Assign(
                    place.clone(),
                    Expr::Binary(BinaryOp::Add, acc.clone(), Box::new(slope)),
                )))
            }
            None => Some(None),
        },
        (Place::Field(_), q) => match quotient(q) {
            Some(key) => Some(Some(Stmt::Assign(place.clone(), derivative_of(key)?))),
            None => Some(None),
        },
        _ => Some(None),
    }
}

fn bin(op: BinaryOp, a: Expr, b: Expr) -> Expr {
    Expr::Binary(op, Box::new(a), Box::new(b))
}

/// d e/dv given the derivatives of the places assigned so far.
fn diff(e: &Expr, d: &HashMap<PlaceKey, D>) -> D {
    match e {
        Expr::Const(_) => D::Zero,
        Expr::Load(p) => PlaceKey::of(p)
            .and_then(|k| d.get(&k).cloned())
            .unwrap_or(match p {
                // Kernels read the potential through their `v` field; node.V is v0 itself.
                Place::Node(nmodl::ir::NodeVar::V) => D::NotAffine,
                _ => D::Zero,
            }),
        Expr::Unary(UnaryOp::Neg, a) => match diff(a, d) {
            D::Of(x) => D::Of(Expr::Unary(UnaryOp::Neg, Box::new(x))),
            other => other,
        },
        Expr::Binary(op, a, b) => {
            let (da, db) = (diff(a, d), diff(b, d));
            match (op, da, db) {
                (_, D::NotAffine, _) | (_, _, D::NotAffine) => D::NotAffine,
                (_, D::Zero, D::Zero) => D::Zero,
                (BinaryOp::Add, D::Of(x), D::Zero) | (BinaryOp::Add, D::Zero, D::Of(x)) => D::Of(x),
                (BinaryOp::Sub, D::Of(x), D::Zero) => D::Of(x),
                (BinaryOp::Sub, D::Zero, D::Of(y)) => D::Of(Expr::Unary(UnaryOp::Neg, Box::new(y))),
                (BinaryOp::Add, D::Of(x), D::Of(y)) => D::Of(bin(BinaryOp::Add, x, y)),
                (BinaryOp::Sub, D::Of(x), D::Of(y)) => D::Of(bin(BinaryOp::Sub, x, y)),
                // A product is affine when one factor is free of v.
                (BinaryOp::Mul, D::Of(x), D::Zero) => D::Of(times(x, b)),
                (BinaryOp::Mul, D::Zero, D::Of(y)) => D::Of(times(y, a)),
                (BinaryOp::Div, D::Of(x), D::Zero) => D::Of(bin(BinaryOp::Div, x, (**b).clone())),
                _ => D::NotAffine,
            }
        }
        // A function of a v-dependent argument (exp, pow, comparisons) is not affine.
        Expr::Call(_, args) => {
            if args.iter().all(|a| diff(a, d) == D::Zero) {
                D::Zero
            } else {
                D::NotAffine
            }
        }
        Expr::Unary(UnaryOp::Not, a) | Expr::TableValue { arg: a, .. } => match diff(a, d) {
            D::Zero => D::Zero,
            _ => D::NotAffine,
        },
    }
}

/// `x · factor`, with `1 · factor` folded to `factor`.
fn times(x: Expr, factor: &Expr) -> Expr {
    if x == Expr::Const(1.0) {
        factor.clone()
    } else {
        bin(BinaryOp::Mul, x, factor.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current(text: &str) -> Kernel {
        let m = nmodl::compile("t.mod", text).expect("compiles");
        m.current.expect("has a current")
    }

    fn evaluations(k: &Kernel) -> usize {
        k.body
            .iter()
            .filter(|s| matches!(s, Stmt::Assign(Place::Field(_), Expr::Binary(BinaryOp::Add, _, b)) if **b == Expr::Const(0.001)))
            .count()
    }

    #[test]
    fn an_ohmic_channel_loses_its_first_evaluation_and_gets_g_as_conductance() {
        let k = current(
            "NEURON { SUFFIX ch USEION na READ ena WRITE ina RANGE gbar }
             PARAMETER { gbar = 0.1 } ASSIGNED { v ena ina g } STATE { m }
             BREAKPOINT { g = gbar * m * m ina = g * (v - ena) }",
        );
        assert_eq!(evaluations(&k), 1);
        let a = analytic_current(&k).expect("affine");
        assert_eq!(evaluations(&a), 0);
        assert!(a.body.len() < k.body.len());
        // No difference quotient is left.
        let text = format!("{:?}", a.body);
        assert!(!text.contains("0.001"), "{text}");
    }

    #[test]
    fn a_breakpoint_reading_a_value_it_assigns_later_keeps_both_evaluations() {
        let k = current(
            "NEURON { SUFFIX late NONSPECIFIC_CURRENT i RANGE g } PARAMETER { gbar = 1 }
             ASSIGNED { v i g } BREAKPOINT { i = g * (v - 1) g = gbar * 2 }",
        );
        assert!(analytic_current(&k).is_none());
    }

    #[test]
    fn voltage_dependent_conductances_keep_the_difference_quotient() {
        let block = current(
            "NEURON { SUFFIX blk NONSPECIFIC_CURRENT i RANGE g } PARAMETER { g = 1 }
             ASSIGNED { v i } BREAKPOINT { i = g * (v - 0) / (1 + exp(-0.062 * v)) }",
        );
        assert!(analytic_current(&block).is_none());
        let quadratic = current(
            "NEURON { SUFFIX q NONSPECIFIC_CURRENT i } ASSIGNED { v i }
             BREAKPOINT { i = v * v }",
        );
        assert!(analytic_current(&quadratic).is_none());
    }
}
