//! The `nrn_cur` protocol as nocmodl emits it (neuron-semantics §4):
//!
//! ```text
//! v0 = node v; copy ions in
//! g_local = I(v0 + .001)            (BREAKPOINT body, currents summed from 0.)
//! save each ion current i_x(v0+.001)
//! rhs = I(v0)
//! di_x/dv += (i_x(v0+.001) - i_x)/.001
//! g = (g_local - rhs)/.001
//! ion current += i_x
//! [point process: g *= 1.e2/area; rhs *= 1.e2/area]
//! node rhs -= rhs   (ELECTRODE_CURRENT: +=)
//! ```
//! and the jacobian kernel `node d += g` (ELECTRODE_CURRENT: `-=`).

use crate::ast;
use crate::ir::{self, BinaryOp, Expr, IonVar, Kernel, NodeVar, Place, Stmt};

use super::body::{bin, load, Builder, KernelKind};
use super::layout::Layout;
use super::Shared;

/// One `_nrn_current(v)` evaluation: sets the `v` field, runs the body, returns the sum local.
fn evaluate(b: &mut Builder<'_>, v: Expr, body: &ast::Block, name: &str) -> u32 {
    if let Some(vf) = b.layout.v_field {
        b.emit(Stmt::Assign(Place::Field(vf), v));
    }
    b.block(body);
    let sum = b.new_local(name);
    b.emit(Stmt::Assign(Place::Local(sum), Expr::Const(0.0)));
    for c in &b.layout.currents {
        b.emit(Stmt::Assign(
            Place::Local(sum),
            bin(
                BinaryOp::Add,
                load(Place::Local(sum)),
                load(Place::Field(c.field)),
            ),
        ));
    }
    sum
}

pub(crate) fn current_kernel(
    layout: &Layout,
    program: &ast::Program,
    shared: &mut Shared,
    body: &ast::Block,
) -> Kernel {
    let mut b = Builder::new(layout, program, shared, KernelKind::Current);
    let v0 = b.new_local("v0");
    b.emit(Stmt::Assign(
        Place::Local(v0),
        load(Place::Node(NodeVar::V)),
    ));
    super::copy_in(&mut b);
    let g_local = evaluate(
        &mut b,
        bin(BinaryOp::Add, load(Place::Local(v0)), Expr::Const(0.001)),
        body,
        "g_local",
    );
    let ion_currents: Vec<(u32, ir::IonId)> = layout
        .currents
        .iter()
        .filter_map(|c| c.ion.map(|i| (c.field, i)))
        .collect();
    let saved: Vec<u32> = ion_currents
        .iter()
        .map(|&(f, _)| {
            let l = b.new_local(&format!("d{}", layout.fields[f as usize].name));
            b.emit(Stmt::Assign(Place::Local(l), load(Place::Field(f))));
            l
        })
        .collect();
    let rhs = evaluate(&mut b, load(Place::Local(v0)), body, "rhs");
    for (&(f, ion), &d) in ion_currents.iter().zip(&saved) {
        let didv = Place::Ion {
            ion,
            var: IonVar::DCurrentDv,
        };
        let slope = bin(
            BinaryOp::Div,
            bin(BinaryOp::Sub, load(Place::Local(d)), load(Place::Field(f))),
            Expr::Const(0.001),
        );
        b.emit(Stmt::Assign(
            didv.clone(),
            bin(BinaryOp::Add, load(didv), slope),
        ));
    }
    let g = layout
        .g_field
        .expect("mechanisms with currents have a _g field");
    b.emit(Stmt::Assign(
        Place::Field(g),
        bin(
            BinaryOp::Div,
            bin(
                BinaryOp::Sub,
                load(Place::Local(g_local)),
                load(Place::Local(rhs)),
            ),
            Expr::Const(0.001),
        ),
    ));
    for &(f, ion) in &ion_currents {
        let cur = Place::Ion {
            ion,
            var: IonVar::Current,
        };
        b.emit(Stmt::Assign(
            cur.clone(),
            bin(BinaryOp::Add, load(cur), load(Place::Field(f))),
        ));
    }
    if layout.kind == Some(ir::Kind::Point) {
        // `_g *= 1.e2/(_nd_area); _rhs *= 1.e2/(_nd_area);` — the factor is computed twice.
        let mfact = || {
            bin(
                BinaryOp::Div,
                Expr::Const(1.0e2),
                load(Place::Node(NodeVar::Area)),
            )
        };
        b.emit(Stmt::Assign(
            Place::Field(g),
            bin(BinaryOp::Mul, load(Place::Field(g)), mfact()),
        ));
        b.emit(Stmt::Assign(
            Place::Local(rhs),
            bin(BinaryOp::Mul, load(Place::Local(rhs)), mfact()),
        ));
    }
    let op = if layout.electrode {
        BinaryOp::Add
    } else {
        BinaryOp::Sub
    };
    b.emit(Stmt::Assign(
        Place::Node(NodeVar::Rhs),
        bin(op, load(Place::Node(NodeVar::Rhs)), load(Place::Local(rhs))),
    ));
    b.finish()
}

pub(crate) fn jacobian_kernel(layout: &Layout) -> Kernel {
    let g = layout
        .g_field
        .expect("mechanisms with currents have a _g field");
    let op = if layout.electrode {
        BinaryOp::Sub
    } else {
        BinaryOp::Add
    };
    Kernel {
        locals: Vec::new(),
        body: vec![Stmt::Assign(
            Place::Node(NodeVar::D),
            bin(op, load(Place::Node(NodeVar::D)), load(Place::Field(g))),
        )],
    }
}
