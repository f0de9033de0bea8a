//! Typed reads of tree nodes that report what was expected where, so one pass over the file
//! collects every problem.

use std::ops::Range;

use super::tree::{Ctx, Entry, Kind, Node};
use crate::value::Value;

/// Reports keys of `entries` not in `allowed` and returns a lookup over the rest.
pub(crate) fn check_keys<'n>(
    ctx: &mut Ctx,
    entries: &'n [Entry],
    allowed: &[&str],
    what: &str,
) -> Fields<'n> {
    for e in entries {
        if !allowed.contains(&e.key.as_str()) {
            ctx.error(
                &e.key_span,
                format!(
                    "unknown key `{}` in {what} (expected one of: {})",
                    e.key,
                    allowed.join(", ")
                ),
            );
        }
    }
    Fields { entries }
}

/// The known keys of one table.
pub(crate) struct Fields<'n> {
    pub entries: &'n [Entry],
}

impl<'n> Fields<'n> {
    pub fn get(&self, key: &str) -> Option<&'n Entry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

pub(crate) fn as_table<'n>(ctx: &mut Ctx, node: &'n Node, what: &str) -> Option<&'n [Entry]> {
    match &node.kind {
        Kind::Table(t) => Some(t),
        _ => {
            ctx.error(
                &node.span,
                format!("{what}: expected a table, found {}", node.describe()),
            );
            None
        }
    }
}

pub(crate) fn as_str<'n>(ctx: &mut Ctx, node: &'n Node, what: &str) -> Option<&'n str> {
    match &node.kind {
        Kind::Str(s) => Some(s),
        _ => {
            ctx.error(
                &node.span,
                format!("{what}: expected a string, found {}", node.describe()),
            );
            None
        }
    }
}

pub(crate) fn as_f64(ctx: &mut Ctx, node: &Node, what: &str) -> Option<f64> {
    match node.kind {
        Kind::Float(v) if v.is_finite() => Some(v),
        Kind::Int(v) => Some(v as f64),
        _ => {
            ctx.error(
                &node.span,
                format!(
                    "{what}: expected a finite number, found {}",
                    node.describe()
                ),
            );
            None
        }
    }
}

pub(crate) fn as_u64(ctx: &mut Ctx, node: &Node, what: &str) -> Option<u64> {
    match node.kind {
        Kind::Int(v) if v >= 0 => Some(v as u64),
        _ => {
            ctx.error(
                &node.span,
                format!(
                    "{what}: expected a non-negative integer, found {}",
                    node.describe()
                ),
            );
            None
        }
    }
}

pub(crate) fn as_bool(ctx: &mut Ctx, node: &Node, what: &str) -> Option<bool> {
    match node.kind {
        Kind::Bool(v) => Some(v),
        _ => {
            ctx.error(
                &node.span,
                format!("{what}: expected true or false, found {}", node.describe()),
            );
            None
        }
    }
}

/// A probability in $[0, 1]$.
pub(crate) fn as_probability(ctx: &mut Ctx, node: &Node, what: &str) -> Option<f64> {
    let p = as_f64(ctx, node, what)?;
    if (0.0..=1.0).contains(&p) {
        Some(p)
    } else {
        ctx.error(
            &node.span,
            format!("{what}: a probability must be between 0 and 1, found {p}"),
        );
        None
    }
}

/// `[x, y, z]`.
pub(crate) fn as_xyz(ctx: &mut Ctx, node: &Node, what: &str) -> Option<[f64; 3]> {
    match &node.kind {
        Kind::Array(items) if items.len() == 3 => {
            let v: Vec<f64> = items.iter().filter_map(|i| as_f64(ctx, i, what)).collect();
            (v.len() == 3).then(|| [v[0], v[1], v[2]])
        }
        _ => {
            ctx.error(
                &node.span,
                format!("{what}: expected [x, y, z], found {}", node.describe()),
            );
            None
        }
    }
}

/// A property value (scalar or nested list of scalars).
pub(crate) fn as_value(ctx: &mut Ctx, node: &Node, what: &str) -> Option<Value> {
    match &node.kind {
        Kind::Str(s) => Some(Value::Str(s.clone())),
        Kind::Int(v) => Some(Value::Int(*v)),
        Kind::Float(v) => Some(Value::Float(*v)),
        Kind::Bool(v) => Some(Value::Bool(*v)),
        Kind::Array(items) => {
            let values: Vec<Value> = items
                .iter()
                .filter_map(|i| as_value(ctx, i, what))
                .collect();
            (values.len() == items.len()).then_some(Value::List(values))
        }
        Kind::Table(_) | Kind::Datetime => {
            ctx.error(
                &node.span,
                format!(
                    "{what}: expected a string, number, boolean or array, found {}",
                    node.describe()
                ),
            );
            None
        }
    }
}

/// The span to blame for a missing key: the table's own span.
pub(crate) fn missing(ctx: &mut Ctx, span: &Range<usize>, key: &str, what: &str) {
    ctx.error(span, format!("{what}: missing required key `{key}`"));
}
