//! Assignment: variables, object members, range variables (`name`, `name(x)`,
//! `name(x1:x2) = y1:y2`) and section geometry (`nseg`, `L`, `Ra`).

use std::rc::Rc;

use crate::ast::{AssignOp, Expr, ExprKind, MemberExpr};
use crate::interp::sections::GEOMETRY;
use crate::interp::{Interpreter, RtResult};
use crate::lexer::Span;
use crate::value::{Array, ObjData, ObjRef, SecId, Value, Var};

impl Interpreter<'_> {
    /// Stores `value` into `target` (with `op` for `+=` and friends).
    pub(crate) fn assign(&mut self, target: &Expr, op: AssignOp, value: Value) -> RtResult<()> {
        let span = &target.span;
        match &target.kind {
            ExprKind::Name(name) | ExprKind::Index(name, _) => {
                let index = match &target.kind {
                    ExprKind::Index(_, index) => self.indices(index)?,
                    _ => Vec::new(),
                };
                if self.home_of(name).is_some() {
                    return self.store_var(name, &index, op, value, span);
                }
                if index.is_empty()
                    && (GEOMETRY.contains(&name.as_str()) || self.is_range_name(name))
                {
                    let id = self.current_section(span)?;
                    return self.store_range(id, name, None, op, value, span);
                }
                if !index.is_empty() {
                    return Err(self.err(span, format!("undefined array `{name}`")));
                }
                // A new variable: a member inside an object, a global at top level.
                let var = match (&value, op) {
                    (Value::Num(_), AssignOp::Set) => Var::Num(Array::new(Vec::new(), 0.0)),
                    (Value::Str(_), AssignOp::Set) => Var::Str(String::new()),
                    (Value::Obj(_), AssignOp::Set) => Var::Obj(Array::new(Vec::new(), None)),
                    _ => return Err(self.err(span, format!("undefined variable `{name}`"))),
                };
                self.declare(name, var);
                self.store_var(name, &[], op, value, span)
            }
            ExprKind::Call(name, args) if args.len() == 1 => {
                let x = self.eval_num(&args[0])?;
                let id = self.current_section(span)?;
                self.store_range(id, name, Some(x), op, value, span)
            }
            ExprKind::Arg(_, n) => {
                let n = *n;
                let Some(slot) = self.frames.last_mut().and_then(|f| f.args.get_mut(n - 1)) else {
                    return Err(self.err(span, format!("argument {n} was not passed")));
                };
                let new = combine(slot, op, value).map_err(|m| crate::interp::RtError {
                    message: m,
                    span: Some(span.clone()),
                })?;
                *slot = new;
                Ok(())
            }
            ExprKind::Member(member) => {
                let MemberExpr {
                    object,
                    name,
                    index,
                    call,
                } = &**member;
                let owner = self.eval(object)?;
                match owner {
                    Value::Sec(id) => {
                        self.check_alive(id, span)?;
                        let x = match call.as_deref() {
                            Some([x]) => Some(self.eval_num(x)?),
                            Some(_) => {
                                return Err(
                                    self.err(span, "a range variable takes one location".into())
                                )
                            }
                            None => None,
                        };
                        self.store_range(id, name, x, op, value, span)
                    }
                    Value::Obj(Some(o)) => {
                        let idx = self.indices(index)?;
                        if call.is_some() {
                            return Err(self.err(span, "cannot assign to a function call".into()));
                        }
                        self.store_member(&o, name, &idx, op, value, span)
                    }
                    other => Err(self.err(
                        span,
                        format!("cannot assign to `{name}` of {}", other.type_name()),
                    )),
                }
            }
            _ => Err(self.err(span, "cannot assign to this expression".into())),
        }
    }

    fn store_var(
        &mut self,
        name: &str,
        index: &[usize],
        op: AssignOp,
        value: Value,
        span: &Span,
    ) -> RtResult<()> {
        let r = self.with_var(name, |var| store_into(var, name, index, op, value));
        match r {
            Some(Ok(())) => Ok(()),
            Some(Err(m)) => Err(self.err(span, m)),
            None => Err(self.err(span, format!("undefined variable `{name}`"))),
        }
    }

    fn store_member(
        &mut self,
        o: &ObjRef,
        name: &str,
        index: &[usize],
        op: AssignOp,
        value: Value,
        span: &Span,
    ) -> RtResult<()> {
        let is_template = matches!(&*o.data.borrow(), ObjData::Template(_));
        if !is_template {
            return self.store_builtin_member(o, name, index, op, value, span);
        }
        let inside = self.current_object().is_some_and(|c| Rc::ptr_eq(&c, o));
        let r = {
            let mut data = o.data.borrow_mut();
            let ObjData::Template(inst) = &mut *data else {
                unreachable!("checked")
            };
            if !inside && !inst.template.public.contains(name) {
                Err(format!(
                    "`{name}` is not a public member of {}",
                    o.display_name()
                ))
            } else {
                match inst.vars.get_mut(name) {
                    Some(var) => store_into(var, name, index, op, value),
                    None => Err(format!("{} has no member `{name}`", o.display_name())),
                }
            }
        };
        r.map_err(|m| self.err(span, m))
    }

    /// Sets a section or range variable, at `x` or in every segment.
    pub(crate) fn store_range(
        &mut self,
        id: SecId,
        name: &str,
        x: Option<f64>,
        op: AssignOp,
        value: Value,
        span: &Span,
    ) -> RtResult<()> {
        let Value::Num(mut v) = value else {
            return Err(self.err(
                span,
                format!("`{name}` needs a number, not {}", value.type_name()),
            ));
        };
        if op != AssignOp::Set {
            let old = self.get_range(id, name, x, span)?;
            v = op.apply(old, v);
        }
        let sec_name = self.sections[id].full_name.clone();
        match name {
            "nseg" => {
                if !(1.0..=32767.0).contains(&v) {
                    return Err(self.err(
                        span,
                        format!("nseg of {sec_name} must be between 1 and 32767, not {v}"),
                    ));
                }
                let r = self.sections[id].section.set_nseg(v as usize);
                r.map_err(|e| self.model_err(span, e))
            }
            "L" => {
                if v <= 0.0 || !v.is_finite() {
                    return Err(
                        self.err(span, format!("L of {sec_name} must be positive, not {v}"))
                    );
                }
                self.set_length(id, v);
                Ok(())
            }
            "Ra" => {
                if v <= 0.0 {
                    return Err(
                        self.err(span, format!("Ra of {sec_name} must be positive, not {v}"))
                    );
                }
                self.sections[id].section.ra = v;
                Ok(())
            }
            _ => {
                self.prepare_range(id, name, span)?;
                let s = &mut self.sections[id].section;
                let r = match x {
                    Some(x) if !(0.0..=1.0).contains(&x) => {
                        return Err(self.err(span, format!("location {x} is outside 0..1")));
                    }
                    Some(x) => s.set_range_at(name, x, v),
                    None => s.set_range(name, v),
                };
                r.map_err(|e| self.model_err(span, e))
            }
        }
    }

    /// Reads a section or range variable at `x` (the middle when no location is given).
    pub(crate) fn get_range(
        &mut self,
        id: SecId,
        name: &str,
        x: Option<f64>,
        span: &Span,
    ) -> RtResult<f64> {
        let s = &self.sections[id].section;
        match name {
            "nseg" => return Ok(s.nseg() as f64),
            "L" => return Ok(s.length),
            "Ra" => return Ok(s.ra),
            "diam" if s.pt3d.len() > 1 => self.recalc_diam(id),
            _ => {}
        }
        let x = x.unwrap_or(0.5);
        if !(0.0..=1.0).contains(&x) {
            return Err(self.err(span, format!("location {x} is outside 0..1")));
        }
        if !self.sections[id].section.has_range(name) {
            self.prepare_range(id, name, span)?;
        }
        Ok(self.sections[id].section.range_at(name, x).unwrap_or(0.0))
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn set_range_span(
        &mut self,
        id: SecId,
        name: &str,
        x1: f64,
        x2: f64,
        y1: f64,
        y2: f64,
        span: &Span,
    ) -> RtResult<()> {
        if GEOMETRY[..3].contains(&name) {
            return Err(self.err(span, format!("`{name}` is not a range variable")));
        }
        self.prepare_range(id, name, span)?;
        let r = self.sections[id]
            .section
            .set_range_linear(name, x1, x2, y1, y2);
        r.map_err(|e| self.model_err(span, e))
    }
}

fn combine(slot: &Value, op: AssignOp, value: Value) -> Result<Value, String> {
    match (slot, op, value) {
        (_, AssignOp::Set, v) => Ok(v),
        (Value::Num(old), op, Value::Num(v)) => Ok(Value::Num(op.apply(*old, v))),
        _ => Err("compound assignment needs numbers".into()),
    }
}

/// Stores into a variable slot, checking the value's type against the slot's.
pub(crate) fn store_into(
    var: &mut Var,
    name: &str,
    index: &[usize],
    op: AssignOp,
    value: Value,
) -> Result<(), String> {
    match (var, value) {
        (Var::Num(a), Value::Num(v)) => {
            let i = a.offset(name, index)?;
            a.data[i] = op.apply(a.data[i], v);
            Ok(())
        }
        (Var::Str(s), Value::Str(v)) if op == AssignOp::Set => {
            *s = v;
            Ok(())
        }
        (Var::Obj(a), Value::Obj(o)) if op == AssignOp::Set => {
            let i = a.offset(name, index)?;
            a.data[i] = o;
            Ok(())
        }
        (Var::Sec(_), _) => Err(format!("cannot assign to section `{name}`")),
        (var, value) => {
            let kind = match var {
                Var::Num(_) => "a number",
                Var::Str(_) => "a string",
                Var::Obj(_) => "an object reference",
                Var::Sec(_) => "a section",
            };
            Err(format!(
                "cannot assign {} to `{name}`, which holds {kind}",
                value.type_name()
            ))
        }
    }
}
