//! Built-in classes: `Vector`, `List`, `SectionList`, `SectionRef`, `String`,
//! `StringFunctions`, `Random`, point processes from the registry, and inert GUI/run-control
//! classes whose methods are accepted and ignored.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use model::MechanismKind;

use crate::ast::{AssignOp, Expr};
use crate::interp::{Interpreter, RtResult};
use crate::lexer::Span;
use crate::value::{ObjData, ObjRef, Object, PointSlot, RandomDist, RandomState, Value};

const INERT_CLASSES: [&str; 16] = [
    "Graph",
    "Shape",
    "PlotShape",
    "VBox",
    "HBox",
    "Deck",
    "NetCon",
    "CVode",
    "ParallelContext",
    "FInitializeHandler",
    "Timer",
    "Glyph",
    "PWManager",
    "ValueFieldEditor",
    "SymChooser",
    "File",
];

pub(crate) fn num_arg(values: &[Value], i: usize) -> Option<f64> {
    match values.get(i) {
        Some(Value::Num(v)) => Some(*v),
        _ => None,
    }
}

impl Interpreter<'_> {
    fn make(&mut self, class: &str, data: ObjData) -> ObjRef {
        let count = self.class_counts.entry(class.to_string()).or_insert(0);
        let index = *count;
        *count += 1;
        Rc::new(Object {
            class: class.to_string(),
            index,
            data: RefCell::new(data),
        })
    }

    /// `new Class(args)`.
    pub(crate) fn new_object_of(
        &mut self,
        class: &str,
        values: Vec<Value>,
        span: &Span,
    ) -> RtResult<ObjRef> {
        if let Some(info) = self.templates.get(class).cloned() {
            return self.new_template_object(&info, values, span);
        }
        let data = match class {
            "Vector" => {
                let n = num_arg(&values, 0).unwrap_or(0.0);
                if !(0.0..=1e7).contains(&n) {
                    return Err(self.err(span, format!("Vector size {n} is out of range")));
                }
                ObjData::Vector(vec![num_arg(&values, 1).unwrap_or(0.0); n as usize])
            }
            "List" => ObjData::List(Vec::new()),
            "SectionList" => ObjData::SectionList(Vec::new()),
            "SectionRef" => ObjData::SectionRef(self.current_section(span)?),
            "String" => ObjData::Str(match values.first() {
                Some(Value::Str(s)) => s.clone(),
                _ => String::new(),
            }),
            "StringFunctions" => ObjData::StringFunctions,
            "Random" => {
                let seed = num_arg(&values, 0).unwrap_or(0.0);
                ObjData::Random(RandomState {
                    state: seed_state(seed),
                    dist: RandomDist::Uniform(0.0, 1.0),
                })
            }
            _ if INERT_CLASSES.contains(&class) => ObjData::Inert,
            _ => match self.registry.signature(class) {
                Some(sig)
                    if matches!(sig.kind, MechanismKind::Point | MechanismKind::Artificial) =>
                {
                    let defaults: BTreeMap<String, f64> = sig
                        .range
                        .iter()
                        .map(|r| (r.name.clone(), r.default))
                        .collect();
                    let (section, x) = if sig.kind == MechanismKind::Point {
                        let x = num_arg(&values, 0).unwrap_or(0.5);
                        if !(0.0..=1.0).contains(&x) {
                            return Err(
                                self.err(span, format!("{class}: location {x} is outside 0..1"))
                            );
                        }
                        (self.current_section(span)?, x)
                    } else {
                        (usize::MAX, 0.5)
                    };
                    let index = self.points.len();
                    let obj = self.make(class, ObjData::Point(index));
                    self.points.push(PointSlot {
                        mechanism: class.to_string(),
                        section,
                        x,
                        values: BTreeMap::new(),
                        defaults,
                        owner: Rc::downgrade(&obj),
                    });
                    return Ok(obj);
                }
                _ => return Err(self.err(span, format!("unknown class `{class}` in `new`"))),
            },
        };
        Ok(self.make(class, data))
    }

    /// `obj.name`, `obj.name[i]` or `obj.name(args)` on a built-in object.
    pub(crate) fn builtin_member(
        &mut self,
        o: &ObjRef,
        name: &str,
        idx: &[usize],
        values: Option<Vec<Value>>,
        exprs: Option<&[Expr]>,
        span: &Span,
    ) -> RtResult<Value> {
        let args = values.unwrap_or_default();
        let class = o.class.clone();
        let bad = |me: &Self| {
            me.err(
                span,
                format!("{class} has no member `{name}` (or wrong arguments)"),
            )
        };
        let n = |i: usize| num_arg(&args, i);
        let kind = {
            let d = o.data.borrow();
            match &*d {
                ObjData::Vector(_) => 0,
                ObjData::List(_) => 1,
                ObjData::SectionList(_) => 2,
                ObjData::SectionRef(_) => 3,
                ObjData::Str(_) => 4,
                ObjData::StringFunctions => 5,
                ObjData::Random(_) => 6,
                ObjData::Point(_) => 7,
                ObjData::Inert => 8,
                ObjData::Template(_) => 9,
            }
        };
        match kind {
            0 => {
                let mut d = o.data.borrow_mut();
                let ObjData::Vector(v) = &mut *d else {
                    unreachable!()
                };
                let out = match name {
                    "x" => {
                        let i = idx
                            .first()
                            .copied()
                            .or(n(0).map(|f| f as usize))
                            .unwrap_or(0);
                        match v.get(i) {
                            Some(x) => *x,
                            None => {
                                return Err(self.err(
                                    span,
                                    format!("Vector index {i} out of range {}", v.len()),
                                ))
                            }
                        }
                    }
                    "size" => v.len() as f64,
                    "sum" => v.iter().sum(),
                    "mean" if !v.is_empty() => v.iter().sum::<f64>() / v.len() as f64,
                    "max" if !v.is_empty() => v.iter().cloned().fold(f64::MIN, f64::max),
                    "min" if !v.is_empty() => v.iter().cloned().fold(f64::MAX, f64::min),
                    "get" => match n(0).and_then(|i| v.get(i as usize)) {
                        Some(x) => *x,
                        None => return Err(bad(self)),
                    },
                    "contains" => n(0)
                        .map(|x| v.iter().any(|y| (y - x).abs() <= 1e-11))
                        .unwrap_or(false) as i32 as f64,
                    "append" => {
                        drop(d);
                        let mut extra = Vec::new();
                        for a in &args {
                            match a {
                                Value::Num(x) => extra.push(*x),
                                Value::Obj(Some(other)) => {
                                    if let ObjData::Vector(w) = &*other.data.borrow() {
                                        extra.extend_from_slice(w);
                                    }
                                }
                                _ => return Err(bad(self)),
                            }
                        }
                        if let ObjData::Vector(v) = &mut *o.data.borrow_mut() {
                            if v.len() + extra.len() > 10_000_000 {
                                return Err(
                                    self.err(span, "Vector longer than 10 million elements".into())
                                );
                            }
                            v.extend(extra);
                        }
                        return Ok(Value::Obj(Some(o.clone())));
                    }
                    "resize" | "fill" | "indgen" | "remove" | "insrt" | "set" | "reverse"
                    | "sort" | "add" | "mul" | "div" | "sub" => {
                        match (name, n(0), n(1)) {
                            ("resize", Some(k), _) if (0.0..=1e7).contains(&k) => {
                                v.resize(k as usize, 0.0)
                            }
                            ("fill", Some(x), _) => v.iter_mut().for_each(|y| *y = x),
                            ("indgen", start, step) => {
                                let (s, st) = match (start, step) {
                                    (Some(s), Some(st)) => (s, st),
                                    (Some(st), None) => (0.0, st),
                                    _ => (0.0, 1.0),
                                };
                                v.iter_mut()
                                    .enumerate()
                                    .for_each(|(i, y)| *y = s + st * i as f64);
                            }
                            ("remove", Some(i), _) if (i as usize) < v.len() => {
                                v.remove(i as usize);
                            }
                            ("insrt", Some(i), Some(x)) if (i as usize) <= v.len() => {
                                v.insert(i as usize, x)
                            }
                            ("set", Some(i), Some(x)) if (i as usize) < v.len() => {
                                v[i as usize] = x
                            }
                            ("reverse", _, _) => v.reverse(),
                            ("sort", _, _) => v.sort_by(|a, b| a.total_cmp(b)),
                            ("add", Some(x), _) => v.iter_mut().for_each(|y| *y += x),
                            ("sub", Some(x), _) => v.iter_mut().for_each(|y| *y -= x),
                            ("mul", Some(x), _) => v.iter_mut().for_each(|y| *y *= x),
                            ("div", Some(x), _) => v.iter_mut().for_each(|y| *y /= x),
                            _ => return Err(bad(self)),
                        }
                        return Ok(Value::Obj(Some(o.clone())));
                    }
                    "c" | "cl" => {
                        let copy = v.clone();
                        drop(d);
                        return Ok(Value::Obj(Some(self.make("Vector", ObjData::Vector(copy)))));
                    }
                    "printf" => {
                        let text: String = v
                            .iter()
                            .map(|x| format!("{}\n", crate::format::format_g(*x, 6)))
                            .collect();
                        drop(d);
                        self.print(&text);
                        return Ok(Value::Num(0.0));
                    }
                    _ => return Err(bad(self)),
                };
                Ok(Value::Num(out))
            }
            1 => {
                let mut d = o.data.borrow_mut();
                let ObjData::List(list) = &mut *d else {
                    unreachable!()
                };
                match (name, args.first()) {
                    ("append", Some(Value::Obj(Some(x)))) => {
                        list.push(x.clone());
                        Ok(Value::Num(list.len() as f64))
                    }
                    ("prepend", Some(Value::Obj(Some(x)))) => {
                        list.insert(0, x.clone());
                        Ok(Value::Num(list.len() as f64))
                    }
                    ("count", None) => Ok(Value::Num(list.len() as f64)),
                    ("o" | "object", Some(Value::Num(i))) => {
                        match list.get(*i as usize) {
                            Some(x) => Ok(Value::Obj(Some(x.clone()))),
                            None => Err(self
                                .err(span, format!("List index {i} out of range {}", list.len()))),
                        }
                    }
                    ("remove", Some(Value::Num(i))) if (*i as usize) < list.len() => {
                        list.remove(*i as usize);
                        Ok(Value::Num(list.len() as f64))
                    }
                    ("remove_all", None) => {
                        list.clear();
                        Ok(Value::Num(0.0))
                    }
                    ("index", Some(Value::Obj(Some(x)))) => Ok(Value::Num(
                        list.iter()
                            .position(|y| Rc::ptr_eq(x, y))
                            .map(|p| p as f64)
                            .unwrap_or(-1.0),
                    )),
                    _ => Err(bad(self)),
                }
            }
            2 => self.section_list_method(o, name, &args, span),
            3 => {
                let id = match &*o.data.borrow() {
                    ObjData::SectionRef(id) => *id,
                    _ => unreachable!(),
                };
                self.check_alive(id, span)?;
                let parent = self.sections[id].section.parent.map(|a| a.parent);
                match name {
                    "sec" => Ok(Value::Sec(id)),
                    "parent" | "trueparent" => match parent {
                        Some(p) => Ok(Value::Sec(p)),
                        None => Err(self.err(
                            span,
                            format!("{} has no parent", self.sections[id].full_name),
                        )),
                    },
                    "has_parent" | "has_trueparent" => {
                        Ok(Value::Num(parent.is_some() as i32 as f64))
                    }
                    "nchild" => Ok(Value::Num(self.children_in_neuron_order(id).len() as f64)),
                    "child" => {
                        let i = idx
                            .first()
                            .copied()
                            .or(n(0).map(|f| f as usize))
                            .unwrap_or(0);
                        let kids = self.children_in_neuron_order(id);
                        kids.get(i).map(|&c| Value::Sec(c)).ok_or_else(|| {
                            self.err(span, format!("child index {i} out of range {}", kids.len()))
                        })
                    }
                    "root" => {
                        let mut cur = id;
                        while let Some(a) = self.sections[cur].section.parent {
                            cur = a.parent;
                        }
                        Ok(Value::Sec(cur))
                    }
                    "exists" => Ok(Value::Num(1.0)),
                    "is_cas" => Ok(Value::Num(
                        (self.current_section(span).ok() == Some(id)) as i32 as f64,
                    )),
                    _ => Err(bad(self)),
                }
            }
            4 => match name {
                "s" => match &*o.data.borrow() {
                    ObjData::Str(s) => Ok(Value::Str(s.clone())),
                    _ => unreachable!(),
                },
                _ => Err(bad(self)),
            },
            5 => self.string_function(name, &args, exprs.unwrap_or(&[]), span),
            6 => {
                let mut d = o.data.borrow_mut();
                let ObjData::Random(r) = &mut *d else {
                    unreachable!()
                };
                match (name, n(0), n(1)) {
                    ("uniform", Some(a), Some(b)) => r.dist = RandomDist::Uniform(a, b),
                    ("normal", Some(m), Some(v)) => r.dist = RandomDist::Normal(m, v),
                    ("ACG" | "MCellRan4" | "Random123" | "seq", seed, _) => {
                        r.state = seed_state(seed.unwrap_or(0.0));
                        return Ok(Value::Num(0.0));
                    }
                    ("repick", _, _) => {}
                    _ => return Err(bad(self)),
                }
                Ok(Value::Num(sample(r)))
            }
            7 => {
                let index = match &*o.data.borrow() {
                    ObjData::Point(i) => *i,
                    _ => unreachable!(),
                };
                let p = &self.points[index];
                match name {
                    "get_loc" => Ok(Value::Num(p.x)),
                    "has_loc" => Ok(Value::Num((p.section != usize::MAX) as i32 as f64)),
                    "loc" => {
                        let x = n(0).ok_or_else(|| bad(self))?;
                        let sec = self.current_section(span)?;
                        let p = &mut self.points[index];
                        p.section = sec;
                        p.x = x;
                        Ok(Value::Num(x))
                    }
                    _ => match p.values.get(name).or(p.defaults.get(name)) {
                        Some(v) => Ok(Value::Num(*v)),
                        None => Err(bad(self)),
                    },
                }
            }
            8 => Ok(Value::Num(0.0)),
            _ => Err(bad(self)),
        }
    }

    /// Assignment to a built-in object's member (`vec.x[i] = v`, `str.s = "…"`, `stim.amp = 1`).
    pub(crate) fn store_builtin_member(
        &mut self,
        o: &ObjRef,
        name: &str,
        idx: &[usize],
        op: AssignOp,
        value: Value,
        span: &Span,
    ) -> RtResult<()> {
        let mut d = o.data.borrow_mut();
        match (&mut *d, name, value) {
            (ObjData::Vector(v), "x", Value::Num(x)) => {
                let i = idx.first().copied().unwrap_or(0);
                let len = v.len();
                match v.get_mut(i) {
                    Some(slot) => {
                        *slot = op.apply(*slot, x);
                        Ok(())
                    }
                    None => Err(self.err(span, format!("Vector index {i} out of range {len}"))),
                }
            }
            (ObjData::Str(s), "s", Value::Str(x)) => {
                *s = x;
                Ok(())
            }
            (ObjData::Point(i), _, Value::Num(x)) => {
                if !self.points[*i].defaults.contains_key(name) {
                    let m = self.points[*i].mechanism.clone();
                    return Err(self.err(span, format!("{m} has no variable `{name}`")));
                }
                let p = &mut self.points[*i];
                let old = p
                    .values
                    .get(name)
                    .or(p.defaults.get(name))
                    .copied()
                    .unwrap_or(0.0);
                p.values.insert(name.to_string(), op.apply(old, x));
                Ok(())
            }
            (ObjData::Inert, _, _) => Ok(()),
            _ => Err(self.err(
                span,
                format!("cannot assign to `{name}` of {}", o.display_name()),
            )),
        }
    }
}

fn seed_state(seed: f64) -> u64 {
    (seed.to_bits() ^ 0x9E37_79B9_7F4A_7C15).max(1)
}

/// xorshift64*; uniform in [0, 1).
fn next_unit(r: &mut RandomState) -> f64 {
    let mut x = r.state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r.state = x;
    (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
}

fn sample(r: &mut RandomState) -> f64 {
    match r.dist {
        RandomDist::Uniform(a, b) => a + (b - a) * next_unit(r),
        RandomDist::Normal(mean, variance) => {
            // Box–Muller.
            let u1 = next_unit(r).max(1e-300);
            let u2 = next_unit(r);
            mean + variance.sqrt()
                * (-2.0 * u1.ln()).sqrt()
                * (2.0 * std::f64::consts::PI * u2).cos()
        }
    }
}
