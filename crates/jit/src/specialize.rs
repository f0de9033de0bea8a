//! Fast-math specialisation on run constants: a field no per-step kernel writes (a parameter,
//! or an ASSIGNED value INITIAL computes) that holds one value on every instance of a set —
//! `g_pas` and `e_pas` of a network's dendrites, a synapse population's time constants — is
//! compiled into the set's `current`, `jacobian` and `state` kernels as that constant. The
//! kernels then stream one column less per such field, and expressions over constants fold
//! or hoist.
//!
//! The values are those after INITIAL (fast-math sets compile on first use, see
//! [`crate::JitSet::deferred`]). Whenever they may have changed since — INITIAL ran again, a
//! field was written through [`mech::MechanismSet::field_values_mut`] — the set compares them
//! again before its next kernel runs and recompiles when they differ, so results never depend
//! on the specialisation.

use nmodl::ir::{Expr, Mechanism, Place, Stmt};

/// The frozen fields of `mech` (see `simd::fields::frozen_fields`) whose column
/// (`column(f)`) holds one value (bit for bit) on every instance, with that value; none
/// without instances.
pub(crate) fn uniform_frozen<'a>(
    mech: &Mechanism,
    column: impl Fn(u32) -> Option<&'a [f64]>,
) -> Vec<(u32, f64)> {
    crate::simd::frozen_fields(mech)
        .into_iter()
        .filter_map(|f| {
            let column = column(f)?;
            let first = *column.first()?;
            column
                .iter()
                .all(|x| x.to_bits() == first.to_bits())
                .then_some((f, first))
        })
        .collect()
}

/// `mech` with every read of a field in `values` in its per-step kernels replaced by the
/// field's value.
pub(crate) fn specialize(mech: &Mechanism, values: &[(u32, f64)]) -> Mechanism {
    let mut out = mech.clone();
    let with = Constants(values);
    for k in [&mut out.current, &mut out.jacobian, &mut out.state]
        .into_iter()
        .flatten()
    {
        k.body = k.body.iter().map(|s| with.stmt(s)).collect();
    }
    out
}

/// Field values to substitute.
struct Constants<'a>(&'a [(u32, f64)]);

impl Constants<'_> {
    fn value(&self, f: u32) -> Option<f64> {
        self.0.iter().find(|(g, _)| *g == f).map(|&(_, v)| v)
    }

    /// `s` with the reads rewritten (statements other than assignments, `IF`s, loops and
    /// TABLE calls are kept as they are: their reads just stay reads).
    fn stmt(&self, s: &Stmt) -> Stmt {
        match s {
            Stmt::Assign(p, e) => Stmt::Assign(self.place(p), self.expr(e)),
            Stmt::If {
                cond,
                then,
                otherwise,
            } => Stmt::If {
                cond: self.expr(cond),
                then: then.iter().map(|s| self.stmt(s)).collect(),
                otherwise: otherwise.iter().map(|s| self.stmt(s)).collect(),
            },
            Stmt::While { cond, body } => Stmt::While {
                cond: self.expr(cond),
                body: body.iter().map(|s| self.stmt(s)).collect(),
            },
            Stmt::TableCall { table, arg } => Stmt::TableCall {
                table: *table,
                arg: self.expr(arg),
            },
            other => other.clone(),
        }
    }

    /// A written place: only an index expression can read a field.
    fn place(&self, p: &Place) -> Place {
        match p {
            Place::FieldIndexed { base, len, index } => Place::FieldIndexed {
                base: *base,
                len: *len,
                index: Box::new(self.expr(index)),
            },
            other => other.clone(),
        }
    }

    fn expr(&self, e: &Expr) -> Expr {
        match e {
            Expr::Load(Place::Field(f)) => match self.value(*f) {
                Some(v) => Expr::Const(v),
                None => e.clone(),
            },
            Expr::Load(p) => Expr::Load(self.place(p)),
            Expr::Const(_) => e.clone(),
            Expr::Unary(op, a) => Expr::Unary(*op, Box::new(self.expr(a))),
            Expr::Binary(op, a, b) => {
                Expr::Binary(*op, Box::new(self.expr(a)), Box::new(self.expr(b)))
            }
            Expr::Call(f, args) => Expr::Call(*f, args.iter().map(|a| self.expr(a)).collect()),
            Expr::TableValue { table, arg } => Expr::TableValue {
                table: *table,
                arg: Box::new(self.expr(arg)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAS: &str = "NEURON { SUFFIX leak NONSPECIFIC_CURRENT i RANGE g, e }
        PARAMETER { g = 0.001 e = -70 } ASSIGNED { v i }
        BREAKPOINT { i = g * (v - e) }";

    #[test]
    fn uniform_parameters_become_constants_and_others_stay_reads() {
        let m = nmodl::compile("leak.mod", PAS).unwrap();
        let (g, e) = (m.field("g").unwrap(), m.field("e").unwrap());
        let mut fields = vec![Vec::new(); m.fields.len()];
        fields[g as usize] = vec![0.002; 5];
        fields[e as usize] = vec![-70.0, -70.0, -65.0, -70.0, -70.0];
        let column = |f: u32| fields.get(f as usize).map(|c| &c[..]);
        let values = uniform_frozen(&m, column);
        assert_eq!(values, vec![(g, 0.002)], "e differs on one instance");
        let s = specialize(&m, &values);
        let mut reads = Vec::new();
        crate::analysis::for_each_expr(&s.current.as_ref().unwrap().body, &mut |x| {
            if let Expr::Load(Place::Field(f)) = x {
                reads.push(*f);
            }
        });
        assert!(!reads.contains(&g) && reads.contains(&e), "{reads:?}");
        assert_eq!(s.init, m.init, "INITIAL keeps reading the column");
        // The compiler's own fields (`i`, written by the current kernel) are never frozen.
        let i = m.field("i").unwrap();
        fields[i as usize] = vec![0.0; 5];
        let column = |f: u32| fields.get(f as usize).map(|c| &c[..]);
        assert!(!uniform_frozen(&m, column).iter().any(|(f, _)| *f == i));
    }
}
