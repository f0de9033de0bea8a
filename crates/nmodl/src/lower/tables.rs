//! TABLE'd PROCEDUREs and FUNCTIONs become [`ir::Table`]s (`parsact.cpp` semantics: WITH n
//! intervals, DEPEND values trigger rebuilds, `usetable` switches interpolation off).

use crate::ast;
use crate::ir::{self, Place, TableId};

use super::body::{Builder, KernelKind};
use super::layout::Binding;

/// The table of `callable`, built on first use; None when it has no TABLE statement.
pub(crate) fn table_for(
    b: &mut Builder<'_>,
    callable: &ast::Callable,
    is_function: bool,
) -> Option<TableId> {
    let (names, depend, from, to, with, span) =
        callable.body.stmts.iter().find_map(|s| match s {
            ast::Stmt::Table {
                names,
                depend,
                from,
                to,
                with,
                span,
            } => Some((names, depend, from, to, with, *span)),
            _ => None,
        })?;
    if let Some(&t) = b.shared.table_ids.get(&callable.name.name) {
        return Some(t);
    }
    if callable.params.len() != 1 {
        b.error(
            span,
            "a TABLE'd FUNCTION/PROCEDURE must take exactly one argument",
        );
        return None;
    }
    let usetable = match b.layout.usetable {
        Some(g) => g,
        None => {
            b.error(span, "internal: usetable global missing");
            return None;
        }
    };
    let mut depend_places = Vec::new();
    for d in depend {
        match b.resolve(d) {
            Some(Binding::Place(p)) => depend_places.push(p),
            _ => b.error(d.span, format!("DEPEND `{}` is not a variable", d.name)),
        }
    }
    let from_e = b.expr(from);
    let to_e = b.expr(to);
    let intervals = match with {
        ast::Expr::Number { value, .. } if *value >= 1.0 && value.fract() == 0.0 => *value as u32,
        other => {
            b.error(other.span(), "TABLE … WITH needs a positive integer");
            return None;
        }
    };
    // Reserve the id first so a call of the table inside its own body is detected as recursion.
    let id = b.shared.tables.len() as TableId;
    let (layout, program) = (b.layout, b.program);
    let mut outputs = Vec::new();
    let body = {
        let mut tb = Builder::new(layout, program, b.shared, KernelKind::Table);
        let arg = tb.new_local(&format!(
            "{}.{}",
            callable.name.name, callable.params[0].name.name
        ));
        tb.bind(
            &callable.params[0].name.name,
            Binding::Place(Place::Local(arg)),
        );
        if is_function {
            let r = tb.new_local(&format!("{}.return", callable.name.name));
            tb.emit(ir::Stmt::Assign(Place::Local(r), ir::Expr::Const(0.0)));
            tb.bind(&callable.name.name, Binding::Place(Place::Local(r)));
            outputs.push(Place::Local(r));
        } else {
            for n in names {
                match tb.resolve(n) {
                    Some(Binding::Place(p @ (Place::Field(_) | Place::Global(_)))) => {
                        outputs.push(p)
                    }
                    _ => tb.error(
                        n.span,
                        format!("TABLE output `{}` must be a RANGE/GLOBAL variable", n.name),
                    ),
                }
            }
        }
        tb.block(&callable.body);
        tb.finish()
    };
    b.shared.tables.push(ir::Table {
        name: callable.name.name.clone(),
        usetable,
        depend: depend_places,
        from: from_e,
        to: to_e,
        intervals,
        body,
        outputs,
        is_function,
    });
    b.shared.table_ids.insert(callable.name.name.clone(), id);
    Some(id)
}
