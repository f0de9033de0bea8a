//! Methods of `SectionList` and `StringFunctions`.

use crate::ast::{AssignOp, Expr};
use crate::interp::objects::num_arg;
use crate::interp::{Interpreter, RtResult};
use crate::lexer::Span;
use crate::value::{ObjData, ObjRef, SecId, Value};

impl Interpreter<'_> {
    pub(crate) fn section_list_method(
        &mut self,
        o: &ObjRef,
        name: &str,
        args: &[Value],
        span: &Span,
    ) -> RtResult<Value> {
        let current = self.current_section(span);
        let ids: Vec<SecId> = match name {
            "append" | "remove" if args.is_empty() => vec![current?],
            "remove" => match args.first() {
                Some(Value::Obj(Some(other))) => match &*other.data.borrow() {
                    ObjData::SectionList(ids) => ids.clone(),
                    _ => Vec::new(),
                },
                _ => {
                    return Err(self.err(
                        span,
                        "SectionList.remove takes a SectionList or nothing".into(),
                    ))
                }
            },
            "wholetree" => {
                let mut root = current?;
                while let Some(a) = self.sections[root].section.parent {
                    root = a.parent;
                }
                self.subtree(root)
            }
            "subtree" => self.subtree(current?),
            "children" => self.children_in_neuron_order(current?),
            "printnames" => {
                let names: String = match &*o.data.borrow() {
                    ObjData::SectionList(ids) => ids
                        .iter()
                        .filter(|&&i| self.sections[i].alive)
                        .map(|&i| format!("{}\n", self.sections[i].full_name))
                        .collect(),
                    _ => String::new(),
                };
                self.print(&names);
                return Ok(Value::Num(0.0));
            }
            "unique" | "allroots" => Vec::new(),
            _ => return Err(self.err(span, format!("SectionList has no method `{name}`"))),
        };
        let mut d = o.data.borrow_mut();
        let ObjData::SectionList(list) = &mut *d else {
            unreachable!()
        };
        if name == "remove" {
            let before = list.len();
            list.retain(|i| !ids.contains(i));
            return Ok(Value::Num((before - list.len()) as f64));
        }
        if name == "unique" {
            let mut seen = std::collections::HashSet::new();
            list.retain(|i| seen.insert(*i));
        }
        list.extend(ids);
        Ok(Value::Num(list.len() as f64))
    }

    fn subtree(&self, root: SecId) -> Vec<SecId> {
        let mut out = vec![root];
        let mut k = 0;
        while k < out.len() {
            out.extend(self.children_in_neuron_order(out[k]));
            k += 1;
        }
        out
    }

    /// StringFunctions methods; some write results into strdef arguments.
    pub(crate) fn string_function(
        &mut self,
        name: &str,
        args: &[Value],
        exprs: &[Expr],
        span: &Span,
    ) -> RtResult<Value> {
        let s = |i: usize| match args.get(i) {
            Some(Value::Str(s)) => Some(s.clone()),
            _ => None,
        };
        let n = |i: usize| num_arg(args, i);
        let bad = |me: &Self| me.err(span, format!("StringFunctions.{name}: wrong arguments"));
        match name {
            "len" => Ok(Value::Num(
                s(0).ok_or_else(|| bad(self))?.chars().count() as f64
            )),
            "substr" => {
                let (a, b) = (
                    s(0).ok_or_else(|| bad(self))?,
                    s(1).ok_or_else(|| bad(self))?,
                );
                Ok(Value::Num(
                    a.find(&b)
                        .map(|p| a[..p].chars().count() as f64)
                        .unwrap_or(-1.0),
                ))
            }
            "head" | "tail" => {
                let (text, pattern) = (
                    s(0).ok_or_else(|| bad(self))?,
                    s(1).ok_or_else(|| bad(self))?,
                );
                let re =
                    crate::interp::builtins::hoc_regex(&pattern).map_err(|m| self.err(span, m))?;
                let (result, pos) = match re.find(&text) {
                    Some(m) if name == "head" => (text[..m.start()].to_string(), m.start() as f64),
                    Some(m) => (text[m.end()..].to_string(), m.end() as f64),
                    None => (String::new(), -1.0),
                };
                if let Some(target) = exprs.get(2) {
                    self.assign(target, AssignOp::Set, Value::Str(result))?;
                }
                Ok(Value::Num(pos))
            }
            "left" | "right" => {
                let (text, k) = (
                    s(0).ok_or_else(|| bad(self))?,
                    n(1).ok_or_else(|| bad(self))? as usize,
                );
                let chars: Vec<char> = text.chars().collect();
                let k = k.min(chars.len());
                let result: String = if name == "left" {
                    chars[..k].iter().collect()
                } else {
                    chars[k..].iter().collect()
                };
                if let Some(target) = exprs.first() {
                    self.assign(target, AssignOp::Set, Value::Str(result))?;
                }
                Ok(Value::Num(0.0))
            }
            "is_name" => {
                let t = s(0).ok_or_else(|| bad(self))?;
                let known = self.globals.contains_key(&t)
                    || self.templates.contains_key(&t)
                    || self.global_funcs.contains_key(&t);
                Ok(Value::Num(known as i32 as f64))
            }
            "is_artificial" | "is_point_process" => Ok(Value::Num(0.0)),
            _ => Err(bad(self)),
        }
    }
}
