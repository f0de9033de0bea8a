//! Lowering of a checked NMODL program to the kernel IR ([`crate::ir::Mechanism`]).
//!
//! Phases: [`layout`] (storage and names), [`body`] (statements, expressions, inlining),
//! [`current`] (the `nrn_cur` protocol), [`solve`]/[`cnexp`]/[`kinetic`] (state updates),
//! [`tables`] and NET_RECEIVE. The result is checked by [`crate::verify`] in debug builds.

mod arrays;
mod body;
mod calls;
mod cnexp;
pub mod constants;
mod current;
mod ions;
mod kinetic;
mod layout;
mod linear;
mod scheme;
mod solve;
mod sparse;
mod tables;

use std::collections::HashMap;

use crate::ast::{self, Item};
use crate::diagnostic::Diagnostic;
use crate::ir::{self, Expr, Place, Stmt};

use body::{Builder, KernelKind};
use layout::Layout;

/// State shared by all kernels of one mechanism while lowering.
#[derive(Default)]
pub(crate) struct Shared {
    pub diags: Vec<Diagnostic>,
    pub tables: Vec<ir::Table>,
    pub table_ids: HashMap<String, ir::TableId>,
}

/// VERBATIM that only holds `#include`, `extern`, `#define` lines or comments is ignored.
pub(crate) fn verbatim_is_trivial(text: &str) -> bool {
    let mut in_comment = false;
    text.lines().all(|line| {
        let l = line.trim();
        if in_comment {
            in_comment = !l.contains("*/");
            return true;
        }
        if l.starts_with("/*") {
            in_comment = !l.contains("*/");
            return true;
        }
        l.is_empty()
            || l.starts_with("#include")
            || l.starts_with("#define")
            || l.starts_with("extern")
            || l.starts_with("//")
    })
}

/// Copies ion values into their fields (`ena = _ion_ena`).
fn copy_in(b: &mut Builder<'_>) {
    for &(f, ion, var) in &b.layout.copy_in {
        b.emit(Stmt::Assign(
            Place::Field(f),
            Expr::Load(Place::Ion { ion, var }),
        ));
    }
}

/// Writes written concentrations back (`_ion_cai = cai`).
fn write_back(b: &mut Builder<'_>) {
    for &(f, ion, var) in &b.layout.write_back {
        b.emit(Stmt::Assign(
            Place::Ion { ion, var },
            Expr::Load(Place::Field(f)),
        ));
    }
}

fn set_v(b: &mut Builder<'_>) {
    if let Some(v) = b.layout.v_field {
        b.emit(Stmt::Assign(
            Place::Field(v),
            Expr::Load(Place::Node(ir::NodeVar::V)),
        ));
    }
}

/// Lowers a checked program. Errors are returned as diagnostics with spans.
pub fn lower(program: &ast::Program) -> Result<ir::Mechanism, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut layout = Layout::build(program, &mut diags);
    let has_table = program.items.iter().any(|i| match i {
        Item::Procedure(c) | Item::Function(c) => c
            .body
            .stmts
            .iter()
            .any(|s| matches!(s, ast::Stmt::Table { .. })),
        _ => false,
    });
    if has_table {
        layout.usetable();
    }
    for item in &program.items {
        match item {
            Item::Verbatim(text, span) if !verbatim_is_trivial(text) => diags.push(
                Diagnostic::error(*span, "unsupported C code in VERBATIM block"),
            ),
            Item::BeforeAfter { when, .. } => diags.push(Diagnostic::error(
                when.span,
                "BEFORE/AFTER blocks are not supported yet",
            )),
            _ => {}
        }
    }
    let mut shared = Shared {
        diags,
        ..Shared::default()
    };
    let initial = program.items.iter().find_map(|i| {
        if let Item::Initial(b) = i {
            Some(b)
        } else {
            None
        }
    });
    let breakpoint = program.items.iter().find_map(|i| {
        if let Item::Breakpoint(b) = i {
            Some(b)
        } else {
            None
        }
    });

    // init
    let init = {
        let mut b = Builder::new(&layout, program, &mut shared, KernelKind::Init);
        set_v(&mut b);
        copy_in(&mut b);
        for (k, &f) in layout.states.iter().enumerate() {
            let initial_value = match &layout.state0[k] {
                Some(layout::Binding::Place(p)) => Expr::Load(p.clone()),
                Some(layout::Binding::Const(c)) => Expr::Const(*c),
                _ => continue,
            };
            b.emit(Stmt::Assign(Place::Field(f), initial_value));
        }
        if let Some(init) = initial {
            b.block(init);
        }
        write_back(&mut b);
        b.finish()
    };

    let has_current = !layout.currents.is_empty();
    let (solves, rest): (Vec<&ast::Stmt>, Vec<&ast::Stmt>) = match breakpoint {
        Some(bp) => bp
            .stmts
            .iter()
            .partition(|s| matches!(s, ast::Stmt::Solve { .. })),
        None => (Vec::new(), Vec::new()),
    };
    let rest_block = ast::Block {
        stmts: rest.into_iter().cloned().collect(),
        span: breakpoint.map(|b| b.span).unwrap_or_default(),
    };

    let (current, jacobian) = if has_current {
        let c = current::current_kernel(&layout, program, &mut shared, &rest_block);
        let j = current::jacobian_kernel(&layout);
        (Some(c), Some(j))
    } else {
        (None, None)
    };

    let needs_state = !solves.is_empty() || (!has_current && !rest_block.stmts.is_empty());
    let state = if needs_state && layout.kind != Some(ir::Kind::Artificial) {
        let mut b = Builder::new(&layout, program, &mut shared, KernelKind::State);
        set_v(&mut b);
        copy_in(&mut b);
        for s in &solves {
            solve::solve(&mut b, s, false);
        }
        if !has_current {
            b.block(&rest_block);
        }
        write_back(&mut b);
        Some(b.finish())
    } else {
        None
    };

    let net_receive = program.items.iter().find_map(|i| match i {
        Item::NetReceive { params, body } => Some((params, body)),
        _ => None,
    });
    let net_receive = net_receive.map(|(params, body)| {
        let args: Vec<String> = params.iter().map(|p| p.name.name.clone()).collect();
        let build = |shared: &mut Shared, block: &ast::Block| {
            let mut b = Builder::new(&layout, program, shared, KernelKind::NetReceive);
            for (i, a) in args.iter().enumerate() {
                b.bind(a, layout::Binding::Place(Place::NetConArg(i as u32)));
            }
            b.push_scope();
            for s in &block.stmts {
                if !matches!(s, ast::Stmt::Initial(_)) {
                    b.stmt(s);
                }
            }
            b.pop_scope();
            b.finish()
        };
        let init_block = body.stmts.iter().find_map(|s| {
            if let ast::Stmt::Initial(b) = s {
                Some(b)
            } else {
                None
            }
        });
        let init = init_block.map(|ib| build(&mut shared, ib));
        let main = build(&mut shared, body);
        ir::NetReceive {
            args,
            body: main,
            init,
        }
    });

    if shared.diags.iter().any(Diagnostic::is_error) {
        return Err(shared.diags);
    }
    let mech = ir::Mechanism {
        name: layout.name.clone(),
        kind: layout.kind.unwrap_or(ir::Kind::Density),
        fields: layout.fields.clone(),
        globals: layout.globals.clone(),
        ions: layout.ions.clone(),
        currents: layout.currents.clone(),
        electrode_current: layout.electrode,
        states: layout.states.clone(),
        init,
        current,
        jacobian,
        state,
        net_receive,
        tables: shared.tables,
        writes_concentration: layout.writes_concentration,
    };
    if cfg!(debug_assertions) {
        if let Err(problems) = crate::verify::verify(&mech) {
            return Err(problems
                .into_iter()
                .map(|p| {
                    Diagnostic::error(
                        ast::Span::default(),
                        format!("internal error: IR verification failed: {p}"),
                    )
                })
                .collect());
        }
    }
    Ok(mech)
}
