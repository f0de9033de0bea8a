//! Statement execution: control flow, declarations and section statements.

use std::rc::Rc;

use crate::ast::{Declarator, Expr, ExprKind, FuncDef, FuncKind, Stmt, StmtKind};
use crate::interp::{Flow, Frame, Interpreter, RtError, RtResult};
use crate::lexer::Span;
use crate::value::{Array, ObjData, ObjRef, SecId, Value, Var};

/// Largest array (elements) a declaration may create.
const MAX_ELEMENTS: usize = 10_000_000;

impl Interpreter<'_> {
    /// Executes one statement, attaching its position to errors that have none.
    pub(crate) fn exec(&mut self, stmt: &Stmt) -> RtResult<Flow> {
        self.tick(&stmt.span)?;
        if !self.stack_ok() {
            return Err(self.err(&stmt.span, "recursion or nesting too deep".into()));
        }
        self.exec_kind(stmt).map_err(|mut e| {
            if e.span.is_none() {
                e.span = Some(stmt.span.clone());
            }
            e
        })
    }

    fn exec_block(&mut self, stmts: &[Stmt]) -> RtResult<Flow> {
        for s in stmts {
            match self.exec(s)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    fn exec_kind(&mut self, stmt: &Stmt) -> RtResult<Flow> {
        let span = &stmt.span;
        match &stmt.kind {
            StmtKind::Empty | StmtKind::Public(_) | StmtKind::External(_) => {}
            StmtKind::Expr(e) => {
                let v = self.eval(e)?;
                // At top level HOC echoes the value of a bare expression; functions returning
                // nothing are silent. Only numbers from explicit calls are worth nothing here.
                let _ = v;
            }
            StmtKind::Assign { target, op, value } => {
                let v = self.eval(value)?;
                self.assign(target, *op, v)?;
            }
            StmtKind::AssignSpan { target, y1, y2 } => {
                let ExprKind::RangeSpan(name, x1, x2) = &target.kind else {
                    unreachable!("parser checked")
                };
                let (x1, x2) = (self.eval_num(x1)?, self.eval_num(x2)?);
                let (y1, y2) = (self.eval_num(y1)?, self.eval_num(y2)?);
                let id = self.current_section(span)?;
                self.set_range_span(id, name, x1, x2, y1, y2, span)?;
            }
            StmtKind::Block(b) => return self.exec_block(b),
            StmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                if self.truth(cond)? {
                    return self.exec(then);
                } else if let Some(o) = otherwise {
                    return self.exec(o);
                }
            }
            StmtKind::While { cond, body } => {
                while self.truth(cond)? {
                    self.tick(span)?;
                    match self.exec(body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                }
            }
            StmtKind::ForRange {
                var,
                from,
                to,
                body,
            } => {
                // HOC evaluates both bounds once and compares with float_epsilon slack.
                let begin = self.eval_num(from)?;
                let end = self.eval_num(to)? + crate::interp::eval::EPSILON;
                self.assign(var, crate::ast::AssignOp::Set, Value::Num(begin))?;
                loop {
                    let i = self.eval_num(var)?;
                    if i > end {
                        break;
                    }
                    self.tick(span)?;
                    match self.exec(body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                    let i = self.eval_num(var)?;
                    self.assign(var, crate::ast::AssignOp::Set, Value::Num(i + 1.0))?;
                }
            }
            StmtKind::ForC {
                init,
                cond,
                step,
                body,
            } => {
                if let Some(i) = init {
                    self.exec(i)?;
                }
                loop {
                    if let Some(c) = cond {
                        if !self.truth(c)? {
                            break;
                        }
                    }
                    self.tick(span)?;
                    match self.exec(body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                    if let Some(s) = step {
                        self.exec(s)?;
                    }
                }
            }
            StmtKind::ForSegments {
                var,
                with_ends,
                body,
            } => {
                let id = self.current_section(span)?;
                let nseg = self.sections[id].section.nseg();
                let mut xs: Vec<f64> = (0..nseg).map(|i| (i as f64 + 0.5) / nseg as f64).collect();
                if *with_ends {
                    xs.insert(0, 0.0);
                    xs.push(1.0);
                }
                for x in xs {
                    self.assign(var, crate::ast::AssignOp::Set, Value::Num(x))?;
                    match self.with_section(id, |me| me.exec(body))? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                }
            }
            StmtKind::Break => return Ok(Flow::Break),
            StmtKind::Continue => return Ok(Flow::Continue),
            StmtKind::Return(e) => {
                let v = match e {
                    Some(e) => self.eval(e)?,
                    None => Value::Num(0.0),
                };
                return Ok(Flow::Return(v));
            }
            StmtKind::Stop => return Err(self.err(span, "execution stopped by `stop`".into())),
            StmtKind::Local(names) => {
                for n in names {
                    self.frame_mut()
                        .locals
                        .insert(n.clone(), Var::Num(Array::new(Vec::new(), 0.0)));
                }
            }
            StmtKind::LocalObj(names) => {
                for n in names {
                    self.frame_mut()
                        .locals
                        .insert(n.clone(), Var::Obj(Array::new(Vec::new(), None)));
                }
            }
            StmtKind::ObjRef(decls) => {
                for d in decls {
                    let dims = self.dims(d)?;
                    self.declare(&d.name, Var::Obj(Array::new(dims, None)));
                }
            }
            StmtKind::Double(decls) => {
                for d in decls {
                    let dims = self.dims(d)?;
                    self.declare(&d.name, Var::Num(Array::new(dims, 0.0)));
                }
            }
            StmtKind::StrDef(names) => {
                for n in names {
                    if !matches!(self.lookup_var(n), Some(Var::Str(_))) {
                        self.declare(n, Var::Str(String::new()));
                    }
                }
            }
            StmtKind::Create(decls) => {
                for d in decls {
                    let dims = self.dims(d)?;
                    self.create(&d.name, &dims, span)?;
                }
            }
            StmtKind::Connect { child, parent } => self.connect(child, parent, span)?,
            StmtKind::Access(e) => {
                let id = self.eval_section(e)?;
                self.default_access = Some(id);
            }
            StmtKind::Insert(name) => {
                let id = self.current_section(span)?;
                self.insert_mechanism(id, name, span)?;
            }
            StmtKind::Uninsert(name) => {
                let id = self.current_section(span)?;
                self.uninsert_mechanism(id, name, span)?;
            }
            StmtKind::Forall(body) => {
                let ids: Vec<SecId> = (0..self.sections.len())
                    .filter(|&i| self.sections[i].alive)
                    .collect();
                return self.over_sections(&ids, body);
            }
            StmtKind::Forsec(what, body) => {
                let ids = self.sections_of(what)?;
                return self.over_sections(&ids, body);
            }
            StmtKind::Ifsec(what, body) => {
                let id = self.current_section(span)?;
                if self.sections_of(what)?.contains(&id) {
                    return self.exec(body);
                }
            }
            StmtKind::OnSection { section, body } => {
                let id = self.eval_section(section)?;
                return self.with_section(id, |me| me.exec(body));
            }
            StmtKind::Print(items) => {
                let mut parts = Vec::new();
                for e in items {
                    parts.push(match self.eval(e)? {
                        Value::Num(v) => crate::format::format_g(v, 8),
                        Value::Str(s) => s,
                        Value::Obj(Some(o)) => o.display_name(),
                        Value::Obj(None) => "NULLobject".into(),
                        Value::Sec(id) => self.sections[id].full_name.clone(),
                    });
                }
                let line = parts.join(" ") + "\n";
                self.print(&line);
            }
            StmtKind::Func(f) => self.define_function(f, span)?,
            StmtKind::Template(t) => {
                if self.frames.len() > 1 || self.current_object().is_some() {
                    return Err(self.err(span, "templates can only be defined at top level".into()));
                }
                self.define_template(t)?
            }
        }
        Ok(Flow::Normal)
    }

    fn frame_mut(&mut self) -> &mut Frame {
        self.frames.last_mut().expect("a frame is always active")
    }

    fn define_function(&mut self, f: &Rc<FuncDef>, span: &Span) -> RtResult<()> {
        if self.current_object().is_some() {
            return Err(self.err(
                span,
                "functions can only be defined at top level or in a template".into(),
            ));
        }
        self.global_funcs.insert(f.name.clone(), f.clone());
        Ok(())
    }

    fn dims(&mut self, d: &Declarator) -> RtResult<Vec<usize>> {
        let mut dims = Vec::new();
        for e in &d.dims {
            let v = self.eval_num(e)?;
            if !(0.0..=1e7).contains(&v) {
                return Err(self.err(&e.span, format!("bad array size {v} for {}", d.name)));
            }
            dims.push(v as usize);
        }
        if dims
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .is_none_or(|n| n > MAX_ELEMENTS)
        {
            return Err(self.err(&d.dims[0].span, format!("array {} is too large", d.name)));
        }
        Ok(dims)
    }

    /// Declares a variable in the current object (or at top level), replacing an old one.
    pub(crate) fn declare(&mut self, name: &str, var: Var) {
        if let Some(f) = self.frames.last_mut() {
            if f.locals.contains_key(name) {
                f.locals.insert(name.to_string(), var);
                return;
            }
        }
        match self.current_object() {
            Some(obj) => {
                if let ObjData::Template(inst) = &mut *obj.data.borrow_mut() {
                    inst.vars.insert(name.to_string(), var);
                }
            }
            None => {
                self.globals.insert(name.to_string(), var);
            }
        }
    }

    /// `create name[dims]`: (re)creates a section array in the current object.
    fn create(&mut self, name: &str, dims: &[usize], span: &Span) -> RtResult<()> {
        let obj = self.current_object();
        let old = self.lookup_var(name);
        match old {
            Some(Var::Sec(a)) => {
                for id in a.data {
                    self.delete_section(id);
                }
            }
            Some(_) => {
                return Err(self.err(
                    span,
                    format!("`{name}` is already a variable, not a section"),
                ))
            }
            None => {
                // Object context outside the definition run means a method.
                if obj.is_some() && !self.defining_template() {
                    return Err(self.err(
                        span,
                        format!(
                            "section `{name}` must be declared at the top level of the template"
                        ),
                    ));
                }
            }
        }
        let ids = self.create_section_array(obj.as_ref(), name, dims, span)?;
        self.declare(name, Var::Sec(ids));
        Ok(())
    }

    fn defining_template(&self) -> bool {
        self.current_object().is_some_and(|o| o.index == usize::MAX)
    }

    fn connect(&mut self, child: &crate::ast::SecLoc, parent: &Expr, span: &Span) -> RtResult<()> {
        let child_id = self.eval_section(&child.section)?;
        let child_x = match &child.x {
            Some(e) => self.eval_num(e)?,
            None => 0.0,
        };
        let (parent_id, parent_x) = match self.eval_location(parent)? {
            Some((id, x)) => (id, x.unwrap_or(1.0)),
            None => (self.current_section(span)?, self.eval_num(parent)?),
        };
        if child_x != 0.0 && child_x != 1.0 {
            return Err(self.err(
                span,
                format!("the child end in connect must be 0 or 1, not {child_x}"),
            ));
        }
        if !(0.0..=1.0).contains(&parent_x) {
            return Err(self.err(span, format!("connection point {parent_x} is outside 0..1")));
        }
        let mut cursor = Some(parent_id);
        while let Some(i) = cursor {
            if i == child_id {
                let (c, p) = (
                    &self.sections[child_id].full_name,
                    &self.sections[parent_id].full_name,
                );
                return Err(self.err(span, format!("connecting {c} to {p} would create a loop")));
            }
            cursor = self.sections[i].section.parent.map(|a| a.parent);
        }
        self.connect_seq += 1;
        self.sections[child_id].connect_seq = self.connect_seq;
        self.sections[child_id].section.parent = Some(model::Attachment {
            parent: parent_id,
            parent_x,
            child_x,
        });
        Ok(())
    }

    fn over_sections(&mut self, ids: &[SecId], body: &Stmt) -> RtResult<Flow> {
        for &id in ids {
            if !self.sections[id].alive {
                continue;
            }
            match self.with_section(id, |me| me.exec(body))? {
                Flow::Break => break,
                Flow::Return(v) => return Ok(Flow::Return(v)),
                _ => {}
            }
        }
        Ok(Flow::Normal)
    }

    /// Sections selected by `forsec`/`ifsec`: a SectionList, or a regular expression matched
    /// anywhere in section names.
    fn sections_of(&mut self, what: &Expr) -> RtResult<Vec<SecId>> {
        match self.eval(what)? {
            Value::Str(pattern) => {
                let re = crate::interp::builtins::hoc_regex(&pattern)
                    .map_err(|m| self.err(&what.span, m))?;
                Ok((0..self.sections.len())
                    .filter(|&i| self.sections[i].alive && re.is_match(&self.sections[i].full_name))
                    .collect())
            }
            Value::Obj(Some(o)) => match &*o.data.borrow() {
                ObjData::SectionList(ids) => Ok(ids.clone()),
                _ => Err(self.err(
                    &what.span,
                    format!(
                        "forsec needs a SectionList or a string, not {}",
                        o.display_name()
                    ),
                )),
            },
            other => Err(self.err(
                &what.span,
                format!(
                    "forsec needs a SectionList or a string, not {}",
                    other.type_name()
                ),
            )),
        }
    }

    /// Calls a user function with a fresh frame.
    pub(crate) fn call_user(
        &mut self,
        f: &Rc<FuncDef>,
        obj: Option<ObjRef>,
        args: Vec<Value>,
        span: &Span,
    ) -> RtResult<Value> {
        self.call_depth_ok(span)?;
        self.frames.push(Frame::new(obj, args));
        let depth = self.sec_stack.len();
        let result = self.exec_block(&f.body);
        self.sec_stack.truncate(depth);
        self.frames.pop();
        let flow = result.map_err(|e| add_trace(e, &f.name))?;
        let v = match flow {
            Flow::Return(v) => v,
            Flow::Break | Flow::Continue => {
                return Err(self.err(
                    span,
                    format!("`break` or `continue` outside a loop in `{}`", f.name),
                ))
            }
            Flow::Normal => match f.kind {
                FuncKind::Obfunc => Value::Obj(None),
                _ => Value::Num(0.0),
            },
        };
        match (f.kind, &v) {
            (FuncKind::Obfunc, Value::Obj(_))
            | (FuncKind::Func, Value::Num(_))
            | (FuncKind::Proc, _) => Ok(v),
            (FuncKind::Func, other) => Err(self.err(
                span,
                format!("func `{}` returned {}", f.name, other.type_name()),
            )),
            (FuncKind::Obfunc, other) => Err(self.err(
                span,
                format!("obfunc `{}` returned {}", f.name, other.type_name()),
            )),
        }
    }
}

fn add_trace(mut e: RtError, name: &str) -> RtError {
    let depth = e.message.matches(" <- ").count();
    if !e.message.contains("\n  in ") {
        e.message.push_str(&format!("\n  in `{name}`"));
    } else if depth < 8 {
        e.message.push_str(&format!(" <- `{name}`"));
    } else if depth == 8 {
        e.message.push_str(" <- …");
    }
    e
}
