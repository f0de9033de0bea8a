//! Expression evaluation, name resolution and assignment.
//!
//! Names resolve in NEURON's order: locals and arguments, members of the current object
//! (or top-level variables outside objects, and `external` names), built-in globals, then
//! range variables of the currently accessed section.

use std::rc::Rc;

use crate::ast::{BinOp, Expr, ExprKind, UnOp};
use crate::interp::sections::GEOMETRY;
use crate::interp::{Interpreter, RtResult};
use crate::lexer::Span;
use crate::value::{ObjData, ObjRef, SecId, Value, Var};

/// HOC's tolerance for comparisons (`float_epsilon`).
pub(crate) const EPSILON: f64 = 1e-11;

/// Where a variable lives.
pub(crate) enum Home {
    Local,
    Member(ObjRef),
    Global,
}

impl Interpreter<'_> {
    pub(crate) fn eval_num(&mut self, e: &Expr) -> RtResult<f64> {
        match self.eval(e)? {
            Value::Num(v) => Ok(v),
            other => Err(self.err(
                &e.span,
                format!("expected a number, found {}", other.type_name()),
            )),
        }
    }

    pub(crate) fn eval_str(&mut self, e: &Expr) -> RtResult<String> {
        match self.eval(e)? {
            Value::Str(s) => Ok(s),
            other => Err(self.err(
                &e.span,
                format!("expected a string, found {}", other.type_name()),
            )),
        }
    }

    pub(crate) fn truth(&mut self, e: &Expr) -> RtResult<bool> {
        Ok(self.eval_num(e)? != 0.0)
    }

    pub(crate) fn home_of(&self, name: &str) -> Option<Home> {
        let frame = self.frames.last()?;
        if frame.locals.contains_key(name) {
            return Some(Home::Local);
        }
        match &frame.obj {
            Some(obj) => {
                if let ObjData::Template(inst) = &*obj.data.borrow() {
                    if inst.vars.contains_key(name) {
                        return Some(Home::Member(obj.clone()));
                    }
                    if inst.template.external.contains(name) && self.globals.contains_key(name) {
                        return Some(Home::Global);
                    }
                }
                if self.is_builtin_global(name) {
                    return Some(Home::Global);
                }
                None
            }
            None => self.globals.contains_key(name).then_some(Home::Global),
        }
    }

    /// Runs `f` on variable `name` if it is visible.
    pub(crate) fn with_var<R>(&mut self, name: &str, f: impl FnOnce(&mut Var) -> R) -> Option<R> {
        match self.home_of(name)? {
            Home::Local => self
                .frames
                .last_mut()
                .and_then(|fr| fr.locals.get_mut(name))
                .map(f),
            Home::Member(obj) => match &mut *obj.data.borrow_mut() {
                ObjData::Template(inst) => inst.vars.get_mut(name).map(f),
                _ => None,
            },
            Home::Global => self.globals.get_mut(name).map(f),
        }
    }

    pub(crate) fn lookup_var(&mut self, name: &str) -> Option<Var> {
        self.with_var(name, |v| v.clone())
    }

    pub(crate) fn indices(&mut self, index: &[Expr]) -> RtResult<Vec<usize>> {
        let mut out = Vec::with_capacity(index.len());
        for e in index {
            let v = self.eval_num(e)?;
            if v < 0.0 || !v.is_finite() {
                return Err(self.err(&e.span, format!("negative or invalid subscript {v}")));
            }
            out.push(v as usize);
        }
        Ok(out)
    }

    /// The value of variable element `name[index]`.
    fn read_var(&mut self, name: &str, index: &[usize], span: &Span) -> RtResult<Option<Value>> {
        let r = self.with_var(name, |var| -> Result<Value, String> {
            Ok(match var {
                Var::Num(a) => Value::Num(a.data[a.offset(name, index)?]),
                Var::Str(s) => Value::Str(s.clone()),
                Var::Obj(a) => Value::Obj(a.data[a.offset(name, index)?].clone()),
                Var::Sec(a) => Value::Sec(a.data[a.offset(name, index)?]),
            })
        });
        match r {
            None => Ok(None),
            Some(Ok(v)) => Ok(Some(v)),
            Some(Err(m)) => Err(self.err(span, m)),
        }
    }

    pub(crate) fn eval(&mut self, e: &Expr) -> RtResult<Value> {
        let span = &e.span;
        if !self.stack_ok() {
            return Err(self.err(span, "recursion or nesting too deep".into()));
        }
        Ok(match &e.kind {
            ExprKind::Num(v) => Value::Num(*v),
            ExprKind::Str(s) => Value::Str(s.clone()),
            ExprKind::Name(name) => {
                if let Some(v) = self.read_var(name, &[], span)? {
                    return Ok(v);
                }
                if GEOMETRY.contains(&name.as_str()) || self.is_range_name(name) {
                    let id = self.current_section(span)?;
                    return Ok(Value::Num(self.get_range(id, name, None, span)?));
                }
                return Err(self.err(span, format!("undefined variable `{name}`")));
            }
            ExprKind::Index(name, index) => {
                let idx = self.indices(index)?;
                if let Some(v) = self.read_var(name, &idx, span)? {
                    return Ok(v);
                }
                if idx.len() == 1 {
                    if let Some(o) = self.object_by_index(name, idx[0]) {
                        return Ok(Value::Obj(Some(o)));
                    }
                }
                return Err(self.err(span, format!("undefined array `{name}`")));
            }
            ExprKind::Call(name, args) => return self.call(name, args, span),
            ExprKind::RangeSpan(..) => {
                return Err(self.err(span, "`name(x1:x2)` can only be assigned".into()))
            }
            ExprKind::Arg(kind, n) => {
                let v = self.frames.last().and_then(|f| f.args.get(n - 1)).cloned();
                let Some(v) = v else {
                    return Err(self.err(span, format!("argument {n} was not passed")));
                };
                match (kind, &v) {
                    ('n', Value::Num(_))
                    | ('s', Value::Str(_))
                    | ('o', Value::Obj(_))
                    | ('o', Value::Sec(_)) => v,
                    _ => return Err(self.err(span, format!("argument {n} is {}", v.type_name()))),
                }
            }
            ExprKind::Member(m) => {
                return self.member(&m.object, &m.name, &m.index, m.call.as_deref(), span)
            }
            ExprKind::Unary(op, inner) => {
                let v = self.eval_num(inner)?;
                Value::Num(match op {
                    UnOp::Neg => -v,
                    UnOp::Not => (v == 0.0) as i32 as f64,
                })
            }
            ExprKind::Binary(op, l, r) => return self.binary(*op, l, r, span),
            ExprKind::New(class, args) => {
                let mut values = Vec::with_capacity(args.len());
                for a in args {
                    values.push(self.eval(a)?);
                }
                return self
                    .new_object_of(class, values, span)
                    .map(|o| Value::Obj(Some(o)));
            }
            ExprKind::This => match self.current_object() {
                Some(o) => Value::Obj(Some(o)),
                None => return Err(self.err(span, "`this` used outside an object".into())),
            },
            ExprKind::AddrOf(_) => {
                return Err(self.err(span, "`&` is only allowed in sscanf arguments".into()))
            }
            ExprKind::SecAt(..) => {
                return Err(self.err(span, "a section location is not a value here".into()))
            }
        })
    }

    fn binary(&mut self, op: BinOp, l: &Expr, r: &Expr, span: &Span) -> RtResult<Value> {
        let (a, b) = (self.eval(l)?, self.eval(r)?);
        if let (Value::Obj(x), Value::Obj(y)) = (&a, &b) {
            let same = match (x, y) {
                (Some(x), Some(y)) => Rc::ptr_eq(x, y),
                (None, None) => true,
                _ => false,
            };
            return match op {
                BinOp::Eq => Ok(Value::Num(same as i32 as f64)),
                BinOp::Ne => Ok(Value::Num(!same as i32 as f64)),
                _ => Err(self.err(span, "objects can only be compared with == and !=".into())),
            };
        }
        let (Value::Num(a), Value::Num(b)) = (&a, &b) else {
            return Err(self.err(
                span,
                format!(
                    "operator needs numbers, found {} and {}",
                    a.type_name(),
                    b.type_name()
                ),
            ));
        };
        let (a, b) = (*a, *b);
        let t = |c: bool| c as i32 as f64;
        Ok(Value::Num(match op {
            BinOp::Or => t(a != 0.0 || b != 0.0),
            BinOp::And => t(a != 0.0 && b != 0.0),
            BinOp::Eq => t((a - b).abs() <= EPSILON),
            BinOp::Ne => t((a - b).abs() > EPSILON),
            BinOp::Lt => t(a < b - EPSILON),
            BinOp::Le => t(a <= b + EPSILON),
            BinOp::Gt => t(a > b + EPSILON),
            BinOp::Ge => t(a >= b - EPSILON),
            BinOp::Add => a + b,
            BinOp::Sub => a - b,
            BinOp::Mul => a * b,
            BinOp::Div => {
                if b == 0.0 {
                    return Err(self.err(span, "division by zero".into()));
                }
                a / b
            }
            BinOp::Mod => {
                if b == 0.0 {
                    return Err(self.err(span, "modulus by zero".into()));
                }
                a % b
            }
            BinOp::Pow => {
                let v = a.powf(b);
                if v.is_nan() && !a.is_nan() && !b.is_nan() {
                    return Err(self.err(span, format!("{a}^{b} is not a real number")));
                }
                v
            }
        }))
    }

    /// `Template[i]`: the live object with that index.
    pub(crate) fn object_by_index(&self, class: &str, index: usize) -> Option<ObjRef> {
        self.objects
            .get(class)?
            .iter()
            .filter_map(|w| w.upgrade())
            .find(|o| o.index == index)
    }

    /// A user function visible from here.
    fn user_function(&self, name: &str) -> Option<(Rc<crate::ast::FuncDef>, Option<ObjRef>)> {
        let obj = self.current_object();
        if let Some(o) = &obj {
            if let ObjData::Template(inst) = &*o.data.borrow() {
                if let Some(f) = inst.template.funcs.get(name) {
                    return Some((f.clone(), Some(o.clone())));
                }
                if !inst.template.external.contains(name) {
                    return None;
                }
            }
        }
        self.global_funcs.get(name).map(|f| (f.clone(), None))
    }

    pub(crate) fn eval_args(&mut self, args: &[Expr]) -> RtResult<Vec<Value>> {
        let mut values = Vec::with_capacity(args.len());
        for a in args {
            values.push(self.eval(a)?);
        }
        Ok(values)
    }

    fn call(&mut self, name: &str, args: &[Expr], span: &Span) -> RtResult<Value> {
        if let Some((f, obj)) = self.user_function(name) {
            let values = self.eval_args(args)?;
            return self.call_user(&f, obj, values, span);
        }
        if let Some(v) = self.call_builtin(name, args, span)? {
            return Ok(v);
        }
        if args.len() == 1 && (name == "diam" || name == "cm" || self.is_range_name(name)) {
            let x = self.eval_num(&args[0])?;
            let id = self.current_section(span)?;
            return Ok(Value::Num(self.get_range(id, name, Some(x), span)?));
        }
        Err(self.err(span, format!("undefined function `{name}`")))
    }

    fn member(
        &mut self,
        object: &Expr,
        name: &str,
        index: &[Expr],
        call: Option<&[Expr]>,
        span: &Span,
    ) -> RtResult<Value> {
        match self.eval(object)? {
            Value::Sec(id) => {
                self.check_alive(id, span)?;
                let x = match call {
                    Some([x]) => Some(self.eval_num(x)?),
                    Some(args) => {
                        // A function called with this section accessed (`soma.distance(0.5)` style).
                        let args = args.to_vec();
                        return self.with_section(id, |me| me.call(name, &args, span));
                    }
                    None => None,
                };
                if GEOMETRY.contains(&name)
                    || self.is_range_name(name)
                    || self.sections[id].section.has_range(name)
                {
                    return Ok(Value::Num(self.get_range(id, name, x, span)?));
                }
                Err(self.err(span, format!("`{name}` is not a range variable")))
            }
            Value::Obj(Some(o)) => {
                let is_template = matches!(&*o.data.borrow(), ObjData::Template(_));
                if is_template {
                    self.template_member(&o, name, index, call, span)
                } else {
                    let values = match call {
                        Some(args) => Some(self.eval_args(args)?),
                        None => None,
                    };
                    let idx = self.indices(index)?;
                    self.builtin_member(&o, name, &idx, values, call, span)
                }
            }
            Value::Obj(None) => {
                Err(self.err(span, format!("cannot access `{name}` of NULLobject")))
            }
            other => Err(self.err(
                span,
                format!("cannot access `{name}` of {}", other.type_name()),
            )),
        }
    }

    fn template_member(
        &mut self,
        o: &ObjRef,
        name: &str,
        index: &[Expr],
        call: Option<&[Expr]>,
        span: &Span,
    ) -> RtResult<Value> {
        let (func, public, var) = {
            let data = o.data.borrow();
            let ObjData::Template(inst) = &*data else {
                unreachable!("checked")
            };
            (
                inst.template.funcs.get(name).cloned(),
                inst.template.public.contains(name),
                inst.vars.get(name).cloned(),
            )
        };
        let inside = self.current_object().is_some_and(|c| Rc::ptr_eq(&c, o));
        if !public && !inside {
            return Err(self.err(
                span,
                format!("`{name}` is not a public member of {}", o.display_name()),
            ));
        }
        if let Some(f) = func {
            let values = self.eval_args(call.unwrap_or(&[]))?;
            return self.call_user(&f, Some(o.clone()), values, span);
        }
        let idx = self.indices(index)?;
        let value = match var {
            Some(Var::Num(a)) => {
                Value::Num(a.data[a.offset(name, &idx).map_err(|m| self.err(span, m))?])
            }
            Some(Var::Str(s)) => Value::Str(s),
            Some(Var::Obj(a)) => {
                Value::Obj(a.data[a.offset(name, &idx).map_err(|m| self.err(span, m))?].clone())
            }
            Some(Var::Sec(a)) => {
                Value::Sec(a.data[a.offset(name, &idx).map_err(|m| self.err(span, m))?])
            }
            None => {
                return Err(self.err(span, format!("{} has no member `{name}`", o.display_name())))
            }
        };
        match (call, &value) {
            (Some([x]), Value::Sec(id)) => {
                let x = self.eval_num(x)?;
                let _ = (id, x);
                Err(self.err(span, "a section location is not a value here".into()))
            }
            (Some(_), _) => Err(self.err(
                span,
                format!("`{name}` is not a function of {}", o.display_name()),
            )),
            (None, _) => Ok(value),
        }
    }

    /// Evaluates an expression that must designate a section.
    pub(crate) fn eval_section(&mut self, e: &Expr) -> RtResult<SecId> {
        match self.eval(e)? {
            Value::Sec(id) => {
                self.check_alive(id, &e.span)?;
                Ok(id)
            }
            Value::Obj(Some(o)) => match &*o.data.borrow() {
                ObjData::SectionRef(id) => Ok(*id),
                _ => Err(self.err(&e.span, format!("{} is not a section", o.display_name()))),
            },
            other => Err(self.err(
                &e.span,
                format!("expected a section, found {}", other.type_name()),
            )),
        }
    }

    /// `sec(x)`, `sec` or `obj.sec(x)` as a location; None if `e` is not a section form.
    pub(crate) fn eval_location(&mut self, e: &Expr) -> RtResult<Option<(SecId, Option<f64>)>> {
        match &e.kind {
            ExprKind::Call(name, args) if args.len() == 1 => {
                if let Some(Value::Sec(id)) = self.read_var(name, &[], &e.span)? {
                    let x = self.eval_num(&args[0])?;
                    return Ok(Some((id, Some(x))));
                }
                Ok(None)
            }
            ExprKind::SecAt(sec, x) => {
                let id = self.eval_section(sec)?;
                Ok(Some((id, Some(self.eval_num(x)?))))
            }
            ExprKind::Member(m) if m.call.as_ref().is_some_and(|args| args.len() == 1) => {
                let args = m.call.as_deref().unwrap_or_default();
                let owner = self.eval(&m.object)?;
                if let Value::Obj(Some(o)) = &owner {
                    if matches!(&*o.data.borrow(), ObjData::Template(_)) {
                        let sec = self.template_member(o, &m.name, &m.index, None, &e.span)?;
                        if let Value::Sec(id) = sec {
                            return Ok(Some((id, Some(self.eval_num(&args[0])?))));
                        }
                    }
                }
                Ok(None)
            }
            _ if matches!(&e.kind, ExprKind::Name(_) | ExprKind::Index(..))
                || matches!(&e.kind, ExprKind::Member(m) if m.call.is_none()) =>
            {
                let probe = self.eval(e);
                match probe {
                    Ok(Value::Sec(id)) => Ok(Some((id, None))),
                    _ => Ok(None),
                }
            }
            _ => Ok(None),
        }
    }
}
