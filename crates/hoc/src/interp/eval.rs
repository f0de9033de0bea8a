//! Expression evaluation, name resolution and assignment.
//!
//! Names resolve in NEURON's order: locals and arguments, members of the current object
//! (or top-level variables outside objects, and `external` names), built-in globals, then
//! range variables of the currently accessed section.

use std::rc::Rc;

use crate::ast::{AssignOp, BinOp, Expr, ExprKind, UnOp};
use crate::interp::sections::GEOMETRY;
use crate::interp::{Interpreter, RtResult};
use crate::lexer::Span;
use crate::value::{Array, ObjData, ObjRef, SecId, Value, Var};

/// HOC's tolerance for comparisons (`float_epsilon`).
pub(crate) const EPSILON: f64 = 1e-11;

/// Where a variable lives.
enum Home {
    Local,
    Member(ObjRef),
    Global,
}

impl Interpreter<'_> {
    pub(crate) fn eval_num(&mut self, e: &Expr) -> RtResult<f64> {
        match self.eval(e)? {
            Value::Num(v) => Ok(v),
            other => Err(self.err(&e.span, format!("expected a number, found {}", other.type_name()))),
        }
    }

    pub(crate) fn eval_str(&mut self, e: &Expr) -> RtResult<String> {
        match self.eval(e)? {
            Value::Str(s) => Ok(s),
            other => Err(self.err(&e.span, format!("expected a string, found {}", other.type_name()))),
        }
    }

    pub(crate) fn truth(&mut self, e: &Expr) -> RtResult<bool> {
        Ok(self.eval_num(e)? != 0.0)
    }

    fn home_of(&self, name: &str) -> Option<Home> {
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
    fn with_var<R>(&mut self, name: &str, f: impl FnOnce(&mut Var) -> R) -> Option<R> {
        match self.home_of(name)? {
            Home::Local => self.frames.last_mut().and_then(|fr| fr.locals.get_mut(name)).map(f),
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

    fn indices(&mut self, index: &[Expr]) -> RtResult<Vec<usize>> {
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
            ExprKind::RangeSpan(..) => return Err(self.err(span, "`name(x1:x2)` can only be assigned".into())),
            ExprKind::Arg(kind, n) => {
                let v = self.frames.last().and_then(|f| f.args.get(n - 1)).cloned();
                let Some(v) = v else {
                    return Err(self.err(span, format!("argument {n} was not passed")));
                };
                match (kind, &v) {
                    ('n', Value::Num(_)) | ('s', Value::Str(_)) | ('o', Value::Obj(_)) | ('o', Value::Sec(_)) => v,
                    _ => return Err(self.err(span, format!("argument {n} is {}", v.type_name()))),
                }
            }
            ExprKind::Member { object, name, index, call } => return self.member(object, name, index, call.as_deref(), span),
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
                return self.new_object_of(class, values, span).map(|o| Value::Obj(Some(o)));
            }
            ExprKind::This => match self.current_object() {
                Some(o) => Value::Obj(Some(o)),
                None => return Err(self.err(span, "`this` used outside an object".into())),
            },
            ExprKind::AddrOf(_) => return Err(self.err(span, "`&` is only allowed in sscanf arguments".into())),
            ExprKind::SecAt(..) => return Err(self.err(span, "a section location is not a value here".into())),
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
            return Err(self.err(span, format!("operator needs numbers, found {} and {}", a.type_name(), b.type_name())));
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
        self.objects.get(class)?.iter().filter_map(|w| w.upgrade()).find(|o| o.index == index)
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

    fn member(&mut self, object: &Expr, name: &str, index: &[Expr], call: Option<&[Expr]>, span: &Span) -> RtResult<Value> {
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
                if GEOMETRY.contains(&name) || self.is_range_name(name) || self.sections[id].section.has_range(name) {
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
            Value::Obj(None) => Err(self.err(span, format!("cannot access `{name}` of NULLobject"))),
            other => Err(self.err(span, format!("cannot access `{name}` of {}", other.type_name()))),
        }
    }

    fn template_member(&mut self, o: &ObjRef, name: &str, index: &[Expr], call: Option<&[Expr]>, span: &Span) -> RtResult<Value> {
        let (func, public, var) = {
            let data = o.data.borrow();
            let ObjData::Template(inst) = &*data else { unreachable!("checked") };
            (inst.template.funcs.get(name).cloned(), inst.template.public.contains(name), inst.vars.get(name).cloned())
        };
        let inside = self.current_object().is_some_and(|c| Rc::ptr_eq(&c, o));
        if !public && !inside {
            return Err(self.err(span, format!("`{name}` is not a public member of {}", o.display_name())));
        }
        if let Some(f) = func {
            let values = self.eval_args(call.unwrap_or(&[]))?;
            return self.call_user(&f, Some(o.clone()), values, span);
        }
        let idx = self.indices(index)?;
        let value = match var {
            Some(Var::Num(a)) => Value::Num(a.data[a.offset(name, &idx).map_err(|m| self.err(span, m))?]),
            Some(Var::Str(s)) => Value::Str(s),
            Some(Var::Obj(a)) => Value::Obj(a.data[a.offset(name, &idx).map_err(|m| self.err(span, m))?].clone()),
            Some(Var::Sec(a)) => Value::Sec(a.data[a.offset(name, &idx).map_err(|m| self.err(span, m))?]),
            None => return Err(self.err(span, format!("{} has no member `{name}`", o.display_name()))),
        };
        match (call, &value) {
            (Some([x]), Value::Sec(id)) => {
                let x = self.eval_num(x)?;
                let _ = (id, x);
                Err(self.err(span, "a section location is not a value here".into()))
            }
            (Some(_), _) => Err(self.err(span, format!("`{name}` is not a function of {}", o.display_name()))),
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
            other => Err(self.err(&e.span, format!("expected a section, found {}", other.type_name()))),
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
            ExprKind::Member { object, name, index, call: Some(args) } if args.len() == 1 => {
                let owner = self.eval(object)?;
                if let Value::Obj(Some(o)) = &owner {
                    if matches!(&*o.data.borrow(), ObjData::Template(_)) {
                        let sec = self.template_member(o, name, index, None, &e.span)?;
                        if let Value::Sec(id) = sec {
                            return Ok(Some((id, Some(self.eval_num(&args[0])?))));
                        }
                    }
                }
                Ok(None)
            }
            ExprKind::Name(_) | ExprKind::Index(..) | ExprKind::Member { call: None, .. } => {
                let probe = self.eval(e);
                match probe {
                    Ok(Value::Sec(id)) => Ok(Some((id, None))),
                    _ => Ok(None),
                }
            }
            _ => Ok(None),
        }
    }

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
                if index.is_empty() && (GEOMETRY.contains(&name.as_str()) || self.is_range_name(name)) {
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
                let new = combine(slot, op, value).map_err(|m| crate::interp::RtError { message: m, span: Some(span.clone()) })?;
                *slot = new;
                Ok(())
            }
            ExprKind::Member { object, name, index, call } => {
                let owner = self.eval(object)?;
                match owner {
                    Value::Sec(id) => {
                        self.check_alive(id, span)?;
                        let x = match call.as_deref() {
                            Some([x]) => Some(self.eval_num(x)?),
                            Some(_) => return Err(self.err(span, "a range variable takes one location".into())),
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
                    other => Err(self.err(span, format!("cannot assign to `{name}` of {}", other.type_name()))),
                }
            }
            _ => Err(self.err(span, "cannot assign to this expression".into())),
        }
    }

    fn store_var(&mut self, name: &str, index: &[usize], op: AssignOp, value: Value, span: &Span) -> RtResult<()> {
        let r = self.with_var(name, |var| store_into(var, name, index, op, value));
        match r {
            Some(Ok(())) => Ok(()),
            Some(Err(m)) => Err(self.err(span, m)),
            None => Err(self.err(span, format!("undefined variable `{name}`"))),
        }
    }

    fn store_member(&mut self, o: &ObjRef, name: &str, index: &[usize], op: AssignOp, value: Value, span: &Span) -> RtResult<()> {
        let is_template = matches!(&*o.data.borrow(), ObjData::Template(_));
        if !is_template {
            return self.store_builtin_member(o, name, index, op, value, span);
        }
        let inside = self.current_object().is_some_and(|c| Rc::ptr_eq(&c, o));
        let r = {
            let mut data = o.data.borrow_mut();
            let ObjData::Template(inst) = &mut *data else { unreachable!("checked") };
            if !inside && !inst.template.public.contains(name) {
                Err(format!("`{name}` is not a public member of {}", o.display_name()))
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
    pub(crate) fn store_range(&mut self, id: SecId, name: &str, x: Option<f64>, op: AssignOp, value: Value, span: &Span) -> RtResult<()> {
        let Value::Num(mut v) = value else {
            return Err(self.err(span, format!("`{name}` needs a number, not {}", value.type_name())));
        };
        if op != AssignOp::Set {
            let old = self.get_range(id, name, x, span)?;
            v = apply(old, op, v);
        }
        let sec_name = self.sections[id].full_name.clone();
        match name {
            "nseg" => {
                if !(1.0..=32767.0).contains(&v) {
                    return Err(self.err(span, format!("nseg of {sec_name} must be between 1 and 32767, not {v}")));
                }
                let r = self.sections[id].section.set_nseg(v as usize);
                r.map_err(|e| self.model_err(span, e))
            }
            "L" => {
                if v <= 0.0 || !v.is_finite() {
                    return Err(self.err(span, format!("L of {sec_name} must be positive, not {v}")));
                }
                self.set_length(id, v);
                Ok(())
            }
            "Ra" => {
                if v <= 0.0 {
                    return Err(self.err(span, format!("Ra of {sec_name} must be positive, not {v}")));
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
    pub(crate) fn get_range(&mut self, id: SecId, name: &str, x: Option<f64>, span: &Span) -> RtResult<f64> {
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

    pub(crate) fn set_range_span(&mut self, id: SecId, name: &str, x1: f64, x2: f64, y1: f64, y2: f64, span: &Span) -> RtResult<()> {
        if GEOMETRY[..3].contains(&name) {
            return Err(self.err(span, format!("`{name}` is not a range variable")));
        }
        self.prepare_range(id, name, span)?;
        let r = self.sections[id].section.set_range_linear(name, x1, x2, y1, y2);
        r.map_err(|e| self.model_err(span, e))
    }
}

fn apply(old: f64, op: AssignOp, v: f64) -> f64 {
    match op {
        AssignOp::Set => v,
        AssignOp::Add => old + v,
        AssignOp::Sub => old - v,
        AssignOp::Mul => old * v,
        AssignOp::Div => old / v,
    }
}

fn combine(slot: &Value, op: AssignOp, value: Value) -> Result<Value, String> {
    match (slot, op, value) {
        (_, AssignOp::Set, v) => Ok(v),
        (Value::Num(old), op, Value::Num(v)) => Ok(Value::Num(apply(*old, op, v))),
        _ => Err("compound assignment needs numbers".into()),
    }
}

/// Stores into a variable slot, checking the value's type against the slot's.
pub(crate) fn store_into(var: &mut Var, name: &str, index: &[usize], op: AssignOp, value: Value) -> Result<(), String> {
    match (var, value) {
        (Var::Num(a), Value::Num(v)) => {
            let i = a.offset(name, index)?;
            a.data[i] = apply(a.data[i], op, v);
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
            Err(format!("cannot assign {} to `{name}`, which holds {kind}", value.type_name()))
        }
    }
}
