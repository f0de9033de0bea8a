//! Built-in functions: maths, strings and formatting, `execute`/`load_file`, section
//! geometry (`define_shape`, pt3d, `distance`, `area` …) and ignored GUI calls.

use std::rc::Rc;

use crate::ast::{AssignOp, Expr, ExprKind};
use crate::interp::{Frame, Interpreter, RtResult};
use crate::lexer::Span;
use crate::parser::parse;
use crate::value::{ObjData, Value};

/// Files NEURON ships whose effect bmtk-rs provides natively (or does not need).
const NATIVE_LIBRARIES: [&str; 8] = [
    "stdrun.hoc",
    "nrngui.hoc",
    "import3d.hoc",
    "stdlib.hoc",
    "noload.hoc",
    "stdgui.hoc",
    "stdlib",
    "import3d",
];

/// GUI and run-control functions that templates call but that do not affect cells.
const IGNORED: [&str; 24] = [
    "xpanel",
    "xbutton",
    "xlabel",
    "xvalue",
    "xpvalue",
    "xstatebutton",
    "xcheckbox",
    "xmenu",
    "xradiobutton",
    "xslider",
    "xvarlabel",
    "xfixedvalue",
    "nrnmainmenu",
    "nrncontrolmenu",
    "doNotify",
    "doEvents",
    "topology",
    "psection",
    "startsw",
    "stopsw",
    "forall_psection",
    "nrn_load_dll",
    "nrnpython",
    "ion_style",
];

/// Translates a HOC regular expression (with `{a-b}` integer ranges) for the regex crate.
pub(crate) fn hoc_regex(pattern: &str) -> Result<regex::Regex, String> {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let inner = &rest[start + 1..start + end];
        match inner
            .split_once('-')
            .and_then(|(a, b)| Some((a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?)))
        {
            Some((a, b)) if a <= b && b - a < 10_000 => {
                let alts: Vec<String> = (a..=b).map(|i| i.to_string()).collect();
                out.push_str(&format!("(?:{})", alts.join("|")));
            }
            _ => out.push_str(&rest[start..=start + end]),
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    regex::Regex::new(&out).map_err(|e| format!("bad regular expression `{pattern}`: {e}"))
}

impl Interpreter<'_> {
    fn nums(&mut self, name: &str, args: &[Expr], n: usize, span: &Span) -> RtResult<Vec<f64>> {
        if args.len() != n {
            return Err(self.err(
                span,
                format!("{name}() takes {n} argument(s), got {}", args.len()),
            ));
        }
        args.iter().map(|a| self.eval_num(a)).collect()
    }

    /// Calls built-in `name`; `Ok(None)` if there is no such built-in.
    pub(crate) fn call_builtin(
        &mut self,
        name: &str,
        args: &[Expr],
        span: &Span,
    ) -> RtResult<Option<Value>> {
        let math1: Option<fn(f64) -> f64> = match name {
            "sin" => Some(f64::sin),
            "cos" => Some(f64::cos),
            "tan" => Some(f64::tan),
            "atan" => Some(f64::atan),
            "tanh" => Some(f64::tanh),
            "sinh" => Some(f64::sinh),
            "cosh" => Some(f64::cosh),
            "abs" | "fabs" => Some(f64::abs),
            "int" => Some(f64::trunc),
            "floor" => Some(f64::floor),
            "ceil" => Some(f64::ceil),
            "exp" => Some(f64::exp),
            _ => None,
        };
        if let Some(f) = math1 {
            let v = self.nums(name, args, 1, span)?;
            return Ok(Some(Value::Num(f(v[0]))));
        }
        let num = |v: f64| Ok(Some(Value::Num(v)));
        match name {
            "sqrt" | "log" | "log10" => {
                let v = self.nums(name, args, 1, span)?[0];
                if v < 0.0 || (v == 0.0 && name != "sqrt") {
                    return Err(self.err(span, format!("{name}({v}): domain error")));
                }
                num(match name {
                    "sqrt" => v.sqrt(),
                    "log" => v.ln(),
                    _ => v.log10(),
                })
            }
            "atan2" => {
                let v = self.nums(name, args, 2, span)?;
                num(v[0].atan2(v[1]))
            }
            "pow" => {
                let v = self.nums(name, args, 2, span)?;
                num(v[0].powf(v[1]))
            }
            "numarg" => num(self.frames.last().map(|f| f.args.len()).unwrap_or(0) as f64),
            "argtype" => {
                let i = self.nums(name, args, 1, span)?[0] as usize;
                let t = match self
                    .frames
                    .last()
                    .and_then(|f| f.args.get(i.wrapping_sub(1)))
                {
                    Some(Value::Num(_)) => 0.0,
                    Some(Value::Obj(_)) | Some(Value::Sec(_)) => 1.0,
                    Some(Value::Str(_)) => 2.0,
                    None => -1.0,
                };
                num(t)
            }
            "printf" | "fprint" => {
                let values = self.eval_args(args)?;
                let text = self.format_values(&values, span)?;
                self.print(&text);
                num(text.len() as f64)
            }
            "sprint" => {
                let Some((target, rest)) = args.split_first() else {
                    return Err(
                        self.err(span, "sprint needs a string variable and a format".into())
                    );
                };
                let values = self.eval_args(rest)?;
                let text = self.format_values(&values, span)?;
                self.assign(target, AssignOp::Set, Value::Str(text))?;
                num(0.0)
            }
            "strcmp" => {
                if args.len() != 2 {
                    return Err(self.err(span, "strcmp takes two strings".into()));
                }
                let (a, b) = (self.eval_str(&args[0])?, self.eval_str(&args[1])?);
                num(match a.cmp(&b) {
                    std::cmp::Ordering::Less => -1.0,
                    std::cmp::Ordering::Equal => 0.0,
                    std::cmp::Ordering::Greater => 1.0,
                })
            }
            "sscanf" => self.sscanf(args, span).map(|n| Some(Value::Num(n))),
            "execute" | "execute1" => {
                let code = match args.first() {
                    Some(a) => self.eval_str(a)?,
                    None => return Err(self.err(span, format!("{name} needs a string"))),
                };
                let obj = match args.get(1) {
                    Some(a) => match self.eval(a)? {
                        Value::Obj(o) => o,
                        other => {
                            return Err(self.err(
                                span,
                                format!("{name}: second argument is {}", other.type_name()),
                            ))
                        }
                    },
                    None => None,
                };
                let r = self.execute_string(&code, obj, span);
                match (name, r) {
                    ("execute", r) => r.map(|_| Some(Value::Num(0.0))),
                    (_, Ok(())) => num(1.0),
                    (_, Err(e)) => {
                        let msg = format!("execute1 failed: {}\n", e.message);
                        self.print(&msg);
                        num(0.0)
                    }
                }
            }
            "load_file" | "xopen" | "load_proc" | "load_func" | "load_template" => {
                let mut values = self.eval_args(args)?;
                if matches!(values.first(), Some(Value::Num(_))) {
                    values.remove(0);
                }
                let Some(Value::Str(file)) = values.first().cloned() else {
                    return Err(self.err(span, format!("{name} needs a file name")));
                };
                let base = file.rsplit('/').next().unwrap_or(&file);
                if NATIVE_LIBRARIES.contains(&base) {
                    return num(1.0);
                }
                if name == "load_proc" || name == "load_func" || name == "load_template" {
                    return num(1.0);
                }
                self.load_nested(&file, name == "load_file", span)?;
                num(1.0)
            }
            "execerror" => {
                let values = self.eval_args(args)?;
                let parts: Vec<String> = values
                    .iter()
                    .filter_map(|v| {
                        if let Value::Str(s) = v {
                            Some(s.clone())
                        } else {
                            None
                        }
                    })
                    .collect();
                Err(self.err(span, format!("execerror: {}", parts.join(" "))))
            }
            "quit" => Err(self.err(span, "quit() called".into())),
            "object_id" => {
                let v = self.eval_args(args)?;
                num(match v.first() {
                    Some(Value::Obj(Some(o))) => Rc::as_ptr(o) as usize as f64,
                    _ => 0.0,
                })
            }
            "name_declared" => {
                let n = match args.first() {
                    Some(a) => self.eval_str(a)?,
                    None => return Err(self.err(span, "name_declared needs a name".into())),
                };
                let declared = self.globals.contains_key(&n) || self.global_funcs.contains_key(&n);
                num(if self.templates.contains_key(&n) {
                    2.0
                } else if declared {
                    5.0
                } else {
                    0.0
                })
            }
            _ => self.call_section_builtin(name, args, span),
        }
    }

    fn call_section_builtin(
        &mut self,
        name: &str,
        args: &[Expr],
        span: &Span,
    ) -> RtResult<Option<Value>> {
        let num = |v: f64| Ok(Some(Value::Num(v)));
        match name {
            "define_shape" => {
                self.define_shape();
                num(1.0)
            }
            "pt3dclear" => {
                let id = self.current_section(span)?;
                self.sections[id].section.pt3d.clear();
                num(0.0)
            }
            "pt3dadd" => {
                let v = self.nums(name, args, 4, span)?;
                let id = self.current_section(span)?;
                self.pt3d_add(id, v[0], v[1], v[2], v[3]);
                num(self.sections[id].section.pt3d.len() as f64)
            }
            "n3d" => {
                let id = self.current_section(span)?;
                num(self.sections[id].section.pt3d.len() as f64)
            }
            "x3d" | "y3d" | "z3d" | "diam3d" | "arc3d" => {
                let i = self.nums(name, args, 1, span)?[0];
                let id = self.current_section(span)?;
                let n = self.sections[id].section.pt3d.len();
                if i < 0.0 || i as usize >= n {
                    return Err(
                        self.err(span, format!("{name}({i}): index out of range (n3d = {n})"))
                    );
                }
                let i = i as usize;
                let p = self.sections[id].section.pt3d[i];
                num(match name {
                    "x3d" => p.x as f64,
                    "y3d" => p.y as f64,
                    "z3d" => p.z as f64,
                    "diam3d" => p.diam as f64,
                    _ => self.arcs(id)[i],
                })
            }
            "distance" => {
                let v: Vec<f64> = args
                    .iter()
                    .map(|a| self.eval_num(a))
                    .collect::<RtResult<_>>()?;
                let id = self.current_section(span)?;
                match v.as_slice() {
                    [] => {
                        self.distance_origin = Some((id, 0.0));
                        num(0.0)
                    }
                    [0.0, x] => {
                        self.distance_origin = Some((id, *x));
                        num(0.0)
                    }
                    [x] | [_, x] => {
                        let Some((o, ox)) = self.distance_origin else {
                            return Err(self.err(
                                span,
                                "distance: origin not set (call distance() first)".into(),
                            ));
                        };
                        self.check_alive(o, span)?;
                        num(self.path_distance(o, ox, id, *x))
                    }
                    _ => Err(self.err(span, "distance takes at most two arguments".into())),
                }
            }
            "area" | "ri" => {
                let x = self.nums(name, args, 1, span)?[0];
                let id = self.current_section(span)?;
                num(if name == "area" {
                    self.area_at(id, x)
                } else {
                    self.ri_at(id, x)
                })
            }
            "secname" => {
                let id = self.current_section(span)?;
                Ok(Some(Value::Str(self.sections[id].full_name.clone())))
            }
            "sectionname" => {
                let id = self.current_section(span)?;
                let n = self.sections[id].full_name.clone();
                let Some(target) = args.first() else {
                    return Err(self.err(span, "sectionname needs a string variable".into()));
                };
                self.assign(target, AssignOp::Set, Value::Str(n))?;
                num(1.0)
            }
            "issection" => {
                let pattern = match args.first() {
                    Some(a) => self.eval_str(a)?,
                    None => return Err(self.err(span, "issection needs a pattern".into())),
                };
                let re = hoc_regex(&pattern).map_err(|m| self.err(span, m))?;
                let id = self.current_section(span)?;
                num(re.is_match(&self.sections[id].full_name) as i32 as f64)
            }
            "delete_section" => {
                let id = self.current_section(span)?;
                self.delete_section(id);
                num(0.0)
            }
            "lambda_f" => {
                let f = self.nums(name, args, 1, span)?[0];
                let id = self.current_section(span)?;
                num(self.lambda_f(id, f))
            }
            _ if IGNORED.contains(&name) => {
                self.eval_args(args)?;
                num(0.0)
            }
            _ => Ok(None),
        }
    }

    /// The AC length constant ratio L/λ(f) used by the d_lambda rule.
    ///
    /// Without 3-D points λ = 1e5·√(d/(4πf·Ra·cm)); with them, λ is accumulated over frusta:
    /// Σ Δs/√(d₁+d₂) · √2·1e-5·√(4πf·Ra·cm).
    fn lambda_f(&mut self, id: crate::value::SecId, freq: f64) -> f64 {
        let pi = std::f64::consts::PI;
        let s = &self.sections[id].section;
        let cm = s.range_at("cm", 0.5).unwrap_or(1.0);
        if s.pt3d.len() < 2 {
            let diam = s.range_at("diam", 0.5).unwrap_or(0.0);
            return 1e5 * (diam / (4.0 * pi * freq * s.ra * cm)).sqrt();
        }
        let arcs = self.arcs(id);
        let s = &self.sections[id].section;
        let (mut x1, mut d1, mut lam) = (arcs[0], s.pt3d[0].diam as f64, 0.0);
        for (&x2, p) in arcs.iter().zip(&s.pt3d).skip(1) {
            let d2 = p.diam as f64;
            lam += (x2 - x1) / (d1 + d2).sqrt();
            x1 = x2;
            d1 = d2;
        }
        lam *= 2f64.sqrt() * 1e-5 * (4.0 * pi * freq * s.ra * cm).sqrt();
        s.length / lam
    }

    fn format_values(&mut self, values: &[Value], span: &Span) -> RtResult<String> {
        let Some(Value::Str(fmt)) = values.first() else {
            return Err(self.err(span, "expected a format string".into()));
        };
        let names: Vec<Value> = values[1..]
            .iter()
            .map(|v| match v {
                Value::Sec(id) => Value::Str(self.sections[*id].full_name.clone()),
                Value::Obj(Some(o)) => Value::Str(o.display_name()),
                other => other.clone(),
            })
            .collect();
        let text = crate::format::sprintf(fmt, &names).map_err(|m| self.err(span, m))?;
        if text.len() > 10 << 20 {
            return Err(self.err(span, "formatted string longer than 10 MB".into()));
        }
        Ok(text)
    }

    fn sscanf(&mut self, args: &[Expr], span: &Span) -> RtResult<f64> {
        if args.len() < 2 {
            return Err(self.err(span, "sscanf needs a string and a format".into()));
        }
        let (input, fmt) = (self.eval_str(&args[0])?, self.eval_str(&args[1])?);
        let parsed = crate::format::sscanf(&input, &fmt);
        let mut count = 0.0;
        for (value, target) in parsed.into_iter().zip(&args[2..]) {
            let target = match &target.kind {
                ExprKind::AddrOf(inner) => inner.as_ref(),
                _ => target,
            };
            self.assign(target, AssignOp::Set, value)?;
            count += 1.0;
        }
        Ok(count)
    }

    /// `execute(code[, obj])`: parses (cached) and runs code at top level or in `obj`.
    fn execute_string(
        &mut self,
        code: &str,
        obj: Option<crate::value::ObjRef>,
        span: &Span,
    ) -> RtResult<()> {
        if let Some(o) = &obj {
            if !matches!(&*o.data.borrow(), ObjData::Template(_)) {
                return Err(self.err(
                    span,
                    "execute: the context must be a template object".into(),
                ));
            }
        }
        let program = match self.parse_cache.get(code) {
            Some(p) => p.clone(),
            None => {
                let (p, diags) = parse(code, "<execute>");
                if let Some(d) = diags.first() {
                    return Err(self.err(span, format!("execute(\"{code}\"): {}", d.message)));
                }
                let p = Rc::new(p);
                if self.parse_cache.len() > 10_000 {
                    self.parse_cache.clear();
                }
                self.parse_cache.insert(code.to_string(), p.clone());
                p
            }
        };
        self.call_depth_ok(span)?;
        self.frames.push(Frame::new(obj, Vec::new()));
        let depth = self.sec_stack.len();
        let r = self.run_program(&program);
        self.sec_stack.truncate(depth);
        self.frames.pop();
        r.map_err(|mut e| {
            e.message = format!("{} (in execute(\"{code}\"))", e.message);
            e.span = Some(span.clone());
            e
        })
    }
}
