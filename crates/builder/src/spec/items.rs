//! `[[nodes]]` and `[[edges]]` entries: checked field by field and added to the network.

use std::ops::Range;

use super::fields::{
    as_bool, as_f64, as_table, as_u64, as_value, as_xyz, check_keys, missing, Fields,
};
use super::rules::{parse_edge_values, parse_rule};
use super::tree::{Ctx, Kind, Node};
use crate::edges::{ConnectionRule, EdgeTypeSpec, Query};
use crate::network::Network;
use crate::nodes::{column_from_values, NodeProperties, NodeProperty};
use crate::positions;
use crate::rng::{label, mix64};
use crate::value::Value;

/// The seed of item `index` of `kind` when the file gives none.
fn derived_seed(seed: u64, kind: &str, index: usize) -> u64 {
    mix64(seed ^ label(kind) ^ mix64(index as u64))
}

fn seed_of(ctx: &mut Ctx, f: &Fields, default: u64) -> u64 {
    f.get("seed")
        .and_then(|e| as_u64(ctx, &e.value, "seed"))
        .unwrap_or(default)
}

pub(crate) fn add_node_set(ctx: &mut Ctx, net: &mut Network, item: &Node, index: usize, seed: u64) {
    let Some(entries) = as_table(ctx, item, "[[nodes]]") else {
        return;
    };
    let f = check_keys(ctx, entries, &["N", "properties", "positions"], "[[nodes]]");
    let n = match f.get("N") {
        Some(e) => as_u64(ctx, &e.value, "N").unwrap_or(0) as usize,
        None => 1,
    };
    let before = ctx.diagnostics.len();
    let mut props = NodeProperties::new();
    if let Some(e) = f.get("properties") {
        if let Some(list) = as_table(ctx, &e.value, "properties") {
            for p in list {
                let what = format!("property `{}`", p.key);
                if p.key == "node_id" || p.key == "node_type_id" || p.key == "positions" {
                    let hint = if p.key == "positions" {
                        "give `positions` next to `properties`"
                    } else {
                        "it is assigned by the builder"
                    };
                    ctx.error(&p.key_span, format!("{what} cannot be set here: {hint}"));
                    continue;
                }
                let Some(value) = as_value(ctx, &p.value, &what) else {
                    continue;
                };
                match value {
                    Value::List(values) => {
                        if values.len() != n {
                            ctx.error(
                                &p.value.span,
                                format!("{what} has {} values but N = {n}", values.len()),
                            );
                        } else if let Err(m) = column_from_values(&values) {
                            ctx.error(&p.value.span, format!("{what}: {m}"));
                        } else {
                            props
                                .entries
                                .push((p.key.clone(), NodeProperty::PerNode(values)));
                        }
                    }
                    v => props
                        .entries
                        .push((p.key.clone(), NodeProperty::Constant(v))),
                }
            }
        }
    }
    if let Some(e) = f.get("positions") {
        if let Some(rows) =
            parse_positions(ctx, &e.value, n, derived_seed(seed, "positions", index))
        {
            props
                .entries
                .push(("positions".into(), NodeProperty::Positions(rows)));
        }
    }
    if ctx.diagnostics.len() == before {
        if let Err(e) = net.add_nodes(n, props) {
            ctx.error(&item.span, e.to_string());
        }
    } else {
        // Keep node ids of later sets right for pair rules even when this set is invalid.
        let _ = net.add_nodes(n, NodeProperties::new());
    }
}

fn parse_positions(
    ctx: &mut Ctx,
    node: &Node,
    n: usize,
    default_seed: u64,
) -> Option<Vec<[f64; 3]>> {
    if let Kind::Array(rows) = &node.kind {
        if rows.len() != n {
            ctx.error(
                &node.span,
                format!("positions: {} rows but N = {n}", rows.len()),
            );
            return None;
        }
        let parsed: Vec<[f64; 3]> = rows
            .iter()
            .filter_map(|r| as_xyz(ctx, r, "positions"))
            .collect();
        return (parsed.len() == n).then_some(parsed);
    }
    let entries = as_table(ctx, node, "positions")?;
    let kinds = ["box", "column", "grid"];
    let f = check_keys(
        ctx,
        entries,
        &["box", "column", "grid", "seed"],
        "positions",
    );
    let seed = seed_of(ctx, &f, default_seed);
    let chosen: Vec<_> = entries
        .iter()
        .filter(|e| kinds.contains(&e.key.as_str()))
        .collect();
    if chosen.len() != 1 {
        ctx.error(&node.span, "positions: expected exactly one of `box`, `column`, `grid` (or an array of [x, y, z] rows)");
        return None;
    }
    let kind = chosen[0];
    let body = as_table(ctx, &kind.value, &format!("positions.{}", kind.key))?;
    let what = format!("positions.{}", kind.key);
    fn req<'n>(
        ctx: &mut Ctx,
        f: &Fields<'n>,
        key: &str,
        span: &Range<usize>,
        what: &str,
    ) -> Option<&'n super::tree::Entry> {
        let e = f.get(key);
        if e.is_none() {
            missing(ctx, span, key, what);
        }
        e
    }
    let span = kind.value.span.clone();
    match kind.key.as_str() {
        "box" => {
            let b = check_keys(ctx, body, &["min", "max"], &what);
            let min = req(ctx, &b, "min", &span, &what).and_then(|e| as_xyz(ctx, &e.value, "min"));
            let max = req(ctx, &b, "max", &span, &what).and_then(|e| as_xyz(ctx, &e.value, "max"));
            Some(positions::random_box(n, min?, max?, seed))
        }
        "column" => {
            let c = check_keys(ctx, body, &["center", "radius", "height"], &what);
            let center = c
                .get("center")
                .map(|e| as_xyz(ctx, &e.value, "center"))
                .unwrap_or(Some([0.0; 3]));
            let radius =
                req(ctx, &c, "radius", &span, &what).and_then(|e| as_f64(ctx, &e.value, "radius"));
            let height =
                req(ctx, &c, "height", &span, &what).and_then(|e| as_f64(ctx, &e.value, "height"));
            Some(positions::random_column(n, center?, radius?, height?, seed))
        }
        _ => {
            let g = check_keys(ctx, body, &["origin", "shape", "spacing"], &what);
            let origin = g
                .get("origin")
                .map(|e| as_xyz(ctx, &e.value, "origin"))
                .unwrap_or(Some([0.0; 3]));
            let shape =
                req(ctx, &g, "shape", &span, &what).and_then(|e| as_xyz(ctx, &e.value, "shape"));
            let spacing = req(ctx, &g, "spacing", &span, &what)
                .and_then(|e| as_xyz(ctx, &e.value, "spacing"));
            let shape = shape?.map(|x| x.max(0.0) as usize);
            let rows = positions::grid(n, origin?, shape, spacing?);
            if rows.is_none() {
                ctx.error(
                    &kind.value.span,
                    format!("{what}: the grid has fewer than N = {n} points"),
                );
            }
            rows
        }
    }
}

fn parse_query(ctx: &mut Ctx, node: &Node, what: &str) -> Option<Query> {
    let entries = as_table(ctx, node, what)?;
    let mut q = Query::all();
    for e in entries {
        let v = as_value(ctx, &e.value, &format!("{what}.{}", e.key))?;
        q.conditions.push((e.key.clone(), v));
    }
    Some(q)
}

/// The spans `locate` needs: rule span and per-edge property spans, by edge type id.
pub(crate) type EdgeSpans = (u32, Range<usize>, Vec<(String, Range<usize>)>);

pub(crate) fn add_edge_type(
    ctx: &mut Ctx,
    net: &mut Network,
    item: &Node,
    index: usize,
    seed: u64,
) -> Option<EdgeSpans> {
    let entries = as_table(ctx, item, "[[edges]]")?;
    let f = check_keys(
        ctx,
        entries,
        &[
            "source",
            "target",
            "rule",
            "autapses",
            "edge_type_id",
            "properties",
            "per_edge",
        ],
        "[[edges]]",
    );
    let before = ctx.diagnostics.len();
    let default_seed = derived_seed(seed, "edges", index);
    let query = |ctx: &mut Ctx, key: &str| -> Option<(Query, Range<usize>)> {
        match f.get(key) {
            None => Some((Query::all(), item.span.clone())),
            Some(e) => {
                let q = parse_query(ctx, &e.value, key)?;
                if net.select(&q).is_empty() {
                    ctx.error(
                        &e.value.span,
                        format!("{key} query `{}` matches no node", q.filter_str()),
                    );
                }
                Some((q, e.value.span.clone()))
            }
        }
    };
    let source = query(ctx, "source");
    let target = query(ctx, "target");
    let rule_span = f
        .get("rule")
        .map(|e| e.value.span.clone())
        .unwrap_or(item.span.clone());
    let rule = match f.get("rule") {
        Some(e) => parse_rule(ctx, &e.value, default_seed),
        None => {
            missing(ctx, &item.span, "rule", "[[edges]]");
            None
        }
    };
    let autapses = f
        .get("autapses")
        .and_then(|e| as_bool(ctx, &e.value, "autapses"))
        .unwrap_or(false);
    let edge_type_id = f.get("edge_type_id").and_then(|e| {
        let id = as_u64(ctx, &e.value, "edge_type_id")?;
        u32::try_from(id).ok().or_else(|| {
            ctx.error(&e.value.span, "edge_type_id: too large");
            None
        })
    });
    let mut spec = EdgeTypeSpec::new(
        Query::all(),
        Query::all(),
        ConnectionRule::Constant { nsyns: 1 },
    );
    if let Some(e) = f.get("properties") {
        for p in as_table(ctx, &e.value, "properties").unwrap_or(&[]) {
            if ["edge_type_id", "source_query", "target_query", "nsyns"].contains(&p.key.as_str()) {
                ctx.error(
                    &p.key_span,
                    format!(
                        "property `{}` is set by the builder (use `rule` for nsyns)",
                        p.key
                    ),
                );
            } else if let Some(v) = as_value(ctx, &p.value, &format!("property `{}`", p.key)) {
                spec.properties.push((p.key.clone(), v));
            }
        }
    }
    let mut per_edge_spans = Vec::new();
    if let Some(e) = f.get("per_edge") {
        for (k, p) in as_table(ctx, &e.value, "per_edge")
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            if spec.properties.iter().any(|(n, _)| *n == p.key) {
                ctx.error(
                    &p.key_span,
                    format!("`{}` is both a constant and a per-edge property", p.key),
                );
            }
            let seed = derived_seed(default_seed, "per_edge", k);
            if let Some(v) = parse_edge_values(ctx, &p.value, &p.key, seed) {
                spec.per_edge.push((p.key.clone(), v));
                per_edge_spans.push((p.key.clone(), p.value.span.clone()));
            }
        }
    }
    let ((source, _), (target, _), rule) = (source?, target?, rule?);
    if ctx.diagnostics.len() != before {
        return None;
    }
    spec.source = source;
    spec.target = target;
    spec.rule = rule;
    spec.autapses = autapses;
    spec.edge_type_id = edge_type_id;
    match net.add_edges(spec) {
        Ok(id) => Some((id, rule_span, per_edge_spans)),
        Err(e) => {
            ctx.error(&item.span, e.to_string());
            None
        }
    }
}
