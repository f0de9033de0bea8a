//! Template definition and instantiation with NEURON's semantics.
//!
//! The body of `begintemplate … endtemplate` runs once at definition on a temporary data
//! space; what survives is the *layout*: every member's kind and array size (so `create
//! soma[NumSoma]` fixes the size at definition). A new object gets all members zeroed, its
//! sections created from the layout, and then `init(args)` runs.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::ast::{Expr, ExprKind, FuncDef, Stmt, StmtKind, TemplateDef};
use crate::interp::{Frame, Interpreter, RtResult};
use crate::value::{Array, Instance, ObjData, ObjRef, Object, Var};

/// The shape of one template member, fixed at definition.
#[derive(Debug, Clone)]
pub enum MemberShape {
    Num(Vec<usize>),
    Str,
    Obj(Vec<usize>),
    Sec(Vec<usize>),
}

/// A defined template.
#[derive(Debug)]
pub struct TemplateInfo {
    pub name: String,
    pub funcs: HashMap<String, Rc<FuncDef>>,
    pub public: HashSet<String>,
    pub external: HashSet<String>,
    /// Members in first-declaration order.
    pub layout: Vec<(String, MemberShape)>,
    /// Objects created so far (the next object's index).
    pub count: std::cell::Cell<usize>,
}

impl Interpreter<'_> {
    /// Defines a template: runs its body on a temporary object and records the member layout.
    pub(crate) fn define_template(&mut self, def: &Rc<TemplateDef>) -> RtResult<()> {
        if self.templates.contains_key(&def.name) {
            return Err(self.err(
                &def.span,
                format!("template `{}` is already defined", def.name),
            ));
        }
        let funcs: HashMap<String, Rc<FuncDef>> = def
            .funcs
            .iter()
            .map(|f| (f.name.clone(), f.clone()))
            .collect();
        let provisional = Rc::new(TemplateInfo {
            name: def.name.clone(),
            funcs: funcs.clone(),
            public: def.public.iter().cloned().collect(),
            external: def.external.iter().cloned().collect(),
            layout: Vec::new(),
            count: std::cell::Cell::new(0),
        });
        let temp = Rc::new(Object {
            class: def.name.clone(),
            index: usize::MAX,
            data: RefCell::new(ObjData::Template(Instance {
                template: provisional.clone(),
                vars: HashMap::new(),
            })),
        });
        self.frames.push(Frame::new(Some(temp.clone()), Vec::new()));
        let mut order: Vec<String> = Vec::new();
        let mut result = Ok(());
        for stmt in &def.body {
            collect_declared(stmt, &mut order);
            if let Err(e) = self.exec(stmt).map(|_| ()) {
                result = Err(e);
                break;
            }
        }
        self.frames.pop();
        // The temporary data space is freed: its sections go away.
        self.delete_sections_of(&temp);
        result?;

        let ObjData::Template(inst) = &*temp.data.borrow() else {
            unreachable!("template object")
        };
        let mut layout = Vec::new();
        let mut seen = HashSet::new();
        for name in order.iter().chain(inst.vars.keys()) {
            if !seen.insert(name.clone()) {
                continue;
            }
            if let Some(var) = inst.vars.get(name) {
                let shape = match var {
                    Var::Num(a) => MemberShape::Num(a.dims.clone()),
                    Var::Str(_) => MemberShape::Str,
                    Var::Obj(a) => MemberShape::Obj(a.dims.clone()),
                    Var::Sec(a) => MemberShape::Sec(a.dims.clone()),
                };
                layout.push((name.clone(), shape));
            }
        }
        // Names declared or assigned inside methods are members too (NEURON creates them at parse time).
        for f in &def.funcs {
            let mut locals: HashSet<String> = HashSet::new();
            let mut found = Vec::new();
            for s in &f.body {
                scan_method(s, &mut locals, &mut found);
            }
            for (name, shape) in found {
                if seen.contains(&name)
                    || locals.contains(&name)
                    || provisional.external.contains(&name)
                {
                    continue;
                }
                if matches!(shape, MemberShape::Num(_)) && self.is_builtin_variable(&name) {
                    continue;
                }
                seen.insert(name.clone());
                layout.push((name, shape));
            }
        }
        let info = Rc::new(TemplateInfo {
            name: def.name.clone(),
            funcs,
            public: provisional.public.clone(),
            external: provisional.external.clone(),
            layout,
            count: std::cell::Cell::new(0),
        });
        self.templates.insert(def.name.clone(), info);
        Ok(())
    }

    /// Creates an object of template `info`: zeroed members, sections, then `init(args)`.
    pub(crate) fn new_template_object(
        &mut self,
        info: &Rc<TemplateInfo>,
        args: Vec<crate::value::Value>,
        span: &crate::lexer::Span,
    ) -> RtResult<ObjRef> {
        let index = info.count.get();
        info.count.set(index + 1);
        let obj = Rc::new(Object {
            class: info.name.clone(),
            index,
            data: RefCell::new(ObjData::Template(Instance {
                template: info.clone(),
                vars: HashMap::new(),
            })),
        });
        let mut vars = HashMap::new();
        for (name, shape) in &info.layout {
            let var = match shape {
                MemberShape::Num(d) => Var::Num(Array::new(d.clone(), 0.0)),
                MemberShape::Str => Var::Str(String::new()),
                MemberShape::Obj(d) => Var::Obj(Array::new(d.clone(), None)),
                MemberShape::Sec(d) => {
                    let ids = self.create_section_array(Some(&obj), name, d, span)?;
                    Var::Sec(ids)
                }
            };
            vars.insert(name.clone(), var);
        }
        if let ObjData::Template(inst) = &mut *obj.data.borrow_mut() {
            inst.vars = vars;
        }
        self.objects
            .entry(info.name.clone())
            .or_default()
            .push(Rc::downgrade(&obj));
        if let Some(init) = info.funcs.get("init").cloned() {
            let result = self.call_user(&init, Some(obj.clone()), args, span);
            if let Err(e) = result {
                self.delete_sections_of(&obj);
                return Err(e);
            }
        }
        Ok(obj)
    }
}

/// Names declared by a top-level template statement, in order.
fn collect_declared(stmt: &Stmt, order: &mut Vec<String>) {
    match &stmt.kind {
        StmtKind::ObjRef(d) | StmtKind::Double(d) | StmtKind::Create(d) => {
            order.extend(d.iter().map(|d| d.name.clone()))
        }
        StmtKind::StrDef(n) => order.extend(n.iter().cloned()),
        StmtKind::Assign { target, .. } => {
            if let ExprKind::Name(n) | ExprKind::Index(n, _) = &target.kind {
                order.push(n.clone());
            }
        }
        _ => {}
    }
}

/// Collects names a method declares (`objref`, `strdef`, `double`) or assigns without
/// declaring them `local`.
fn scan_method(stmt: &Stmt, locals: &mut HashSet<String>, found: &mut Vec<(String, MemberShape)>) {
    let assigned = |e: &Expr, found: &mut Vec<(String, MemberShape)>| {
        if let ExprKind::Name(n) = &e.kind {
            found.push((n.clone(), MemberShape::Num(Vec::new())));
        }
    };
    match &stmt.kind {
        StmtKind::Local(n) | StmtKind::LocalObj(n) => locals.extend(n.iter().cloned()),
        StmtKind::ObjRef(d) => found.extend(
            d.iter()
                .map(|d| (d.name.clone(), MemberShape::Obj(vec![1; d.dims.len()]))),
        ),
        StmtKind::StrDef(n) => found.extend(n.iter().map(|n| (n.clone(), MemberShape::Str))),
        StmtKind::Assign { target, .. } => assigned(target, found),
        StmtKind::ForRange { var, body, .. } | StmtKind::ForSegments { var, body, .. } => {
            assigned(var, found);
            scan_method(body, locals, found);
        }
        StmtKind::Block(b) => b.iter().for_each(|s| scan_method(s, locals, found)),
        StmtKind::If {
            then, otherwise, ..
        } => {
            scan_method(then, locals, found);
            if let Some(o) = otherwise {
                scan_method(o, locals, found);
            }
        }
        StmtKind::While { body, .. }
        | StmtKind::Forall(body)
        | StmtKind::Forsec(_, body)
        | StmtKind::Ifsec(_, body)
        | StmtKind::OnSection { body, .. } => scan_method(body, locals, found),
        StmtKind::ForC {
            init, step, body, ..
        } => {
            for s in [init, step].into_iter().flatten() {
                scan_method(s, locals, found);
            }
            scan_method(body, locals, found);
        }
        _ => {}
    }
}
