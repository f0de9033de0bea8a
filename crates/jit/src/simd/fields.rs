//! Which fields and globals of a mechanism keep their values between steps (hoisted
//! invariants may read them) and which ASSIGNED fields nobody reads after a `state` or
//! `current` kernel (fast-math need not store them).

use std::collections::BTreeSet;

use nmodl::ir::{Expr, Mechanism, Place, Stmt};

/// ASSIGNED fields of `m`, and the compiler's `v` copy, whose values nobody needs after a
/// `state` kernel: not in `observed` (as `name` or NEURON's `name_suffix`), and read by no
/// other kernel, NET_RECEIVE or TABLE before that kernel writes them itself.
pub fn dead_fields(m: &Mechanism, observed: &BTreeSet<String>) -> BTreeSet<u32> {
    let mut bodies: Vec<&[Stmt]> = vec![&m.init.body];
    bodies.extend(
        [&m.current, &m.jacobian]
            .iter()
            .filter_map(|k| k.as_ref())
            .map(|k| &k.body[..]),
    );
    // `_g` too may count (the jacobian reads it before writing, so it is needed whenever
    // something reads it at all).
    unneeded(m, observed, bodies, true)
}

/// Fields a fast-math `current` kernel (`own`: its body, with the jacobian's terms when
/// `fused`) need not store: ASSIGNED fields, and the compiler's `v` copy and conductance
/// `_g`, that are not observed and that no kernel — the current kernel itself on the next step
/// included — reads before writing them.
pub fn unstored_by_current<'a>(
    m: &'a Mechanism,
    observed: &BTreeSet<String>,
    own: &'a [Stmt],
    fused: bool,
) -> BTreeSet<u32> {
    let mut bodies: Vec<&[Stmt]> = vec![&m.init.body, own];
    bodies.extend(m.state.iter().map(|k| &k.body[..]));
    if !fused {
        bodies.extend(m.jacobian.iter().map(|k| &k.body[..]));
    }
    unneeded(m, observed, bodies, true)
}

/// The fields no body of `bodies` (nor NET_RECEIVE, its INITIAL or a TABLE) reads before
/// writing them, that `observed` does not name, and that are ASSIGNED (or, with `internal`,
/// the compiler's `v` and `_g`).
fn unneeded<'a>(
    m: &'a Mechanism,
    observed: &BTreeSet<String>,
    mut bodies: Vec<&'a [Stmt]>,
    internal: bool,
) -> BTreeSet<u32> {
    let mut needed = BTreeSet::new();
    if let Some(nr) = &m.net_receive {
        bodies.push(&nr.body.body);
        if let Some(i) = &nr.init {
            bodies.push(&i.body);
        }
    }
    bodies.extend(m.tables.iter().map(|t| &t.body.body[..]));
    for b in bodies {
        reads_before_writes(b, &mut BTreeSet::new(), &mut needed);
    }
    m.fields
        .iter()
        .enumerate()
        .filter(|(f, field)| {
            let kind_ok = field.role == nmodl::ir::FieldRole::Assigned
                || (internal
                    && field.role == nmodl::ir::FieldRole::Internal
                    && (field.name == "v" || field.name == "_g"));
            // A report of `v` records the membrane potential, not a mechanism's copy of it.
            let reported = field.name != "v" && observed.contains(&field.name);
            kind_ok
                && !needed.contains(&(*f as u32))
                && !reported
                && !observed.contains(&format!("{}_{}", field.name, m.name))
        })
        .map(|(f, _)| f as u32)
        .collect()
}

/// Adds to `needed` the fields `body` may read before writing them (`written`: fields written
/// so far on every path).
fn reads_before_writes(body: &[Stmt], written: &mut BTreeSet<u32>, needed: &mut BTreeSet<u32>) {
    for s in body {
        // Reads of the statement (for an assignment: its right-hand side, before the write).
        crate::analysis::for_each_expr(std::slice::from_ref(s), &mut |x| {
            if let Expr::Load(Place::Field(f) | Place::FieldIndexed { base: f, .. }) = x {
                if !written.contains(f) {
                    needed.insert(*f);
                }
            }
        });
        // Only unconditional assignments count as writes.
        if let Stmt::Assign(Place::Field(f), _) = s {
            written.insert(*f);
        }
    }
}

/// Fields that keep their values between steps: not written by `current`, `jacobian`, `state`,
/// NET_RECEIVE or a TABLE (INITIAL may set them: invariants are recomputed after it).
pub(crate) fn frozen_fields(m: &Mechanism) -> BTreeSet<u32> {
    let mut written = BTreeSet::new();
    for_each_write(m, false, &mut |p| {
        if let Place::Field(f) | Place::FieldIndexed { base: f, .. } = p {
            written.insert(*f);
        }
    });
    (0..m.fields.len() as u32)
        .filter(|f| !written.contains(f) && !m.states.contains(f))
        .collect()
}

/// Globals some statement of the mechanism may write (assignments, table outputs, solver
/// unknowns): their values can change between steps, so they are not pure.
pub(super) fn written_globals(m: &Mechanism) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    for_each_write(m, true, &mut |p| {
        if let Place::Global(g) = p {
            out.insert(*g);
        }
    });
    out
}

/// Every place a kernel, NET_RECEIVE or TABLE of `m` may write (with `initial`: INITIAL and
/// NET_RECEIVE's INITIAL too), TABLE outputs included.
fn for_each_write(m: &Mechanism, initial: bool, f: &mut dyn FnMut(&Place)) {
    let mut bodies: Vec<&[Stmt]> = Vec::new();
    if initial {
        bodies.push(&m.init.body);
    }
    bodies.extend(
        [&m.current, &m.jacobian, &m.state]
            .iter()
            .filter_map(|k| k.as_ref())
            .map(|k| &k.body[..]),
    );
    if let Some(nr) = &m.net_receive {
        bodies.push(&nr.body.body);
        if let Some(i) = nr.init.as_ref().filter(|_| initial) {
            bodies.push(&i.body);
        }
    }
    for t in &m.tables {
        bodies.push(&t.body.body);
        t.outputs.iter().for_each(&mut *f);
    }
    for b in bodies {
        crate::analysis::for_each_written_place(b, f);
    }
}
