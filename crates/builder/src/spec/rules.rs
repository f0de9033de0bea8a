//! `rule = …` and per-edge value tables of `[[edges]]` entries.

use super::fields::{
    as_bool, as_f64, as_probability, as_table, as_u64, check_keys, missing, Fields,
};
use super::tree::{Ctx, Kind, Node};
use crate::edges::{ConnectionRule, EdgeValues};

fn seed_of(ctx: &mut Ctx, f: &Fields, default: u64) -> u64 {
    f.get("seed")
        .and_then(|e| as_u64(ctx, &e.value, "seed"))
        .unwrap_or(default)
}

pub(crate) fn parse_rule(ctx: &mut Ctx, node: &Node, default_seed: u64) -> Option<ConnectionRule> {
    const KINDS: [&str; 5] = ["constant", "probability", "distance", "pairs", "one_to_one"];
    if let Kind::Int(_) = node.kind {
        let n = as_u64(ctx, node, "rule")?;
        return Some(ConnectionRule::Constant {
            nsyns: u32::try_from(n).unwrap_or(u32::MAX),
        });
    }
    let Kind::Table(entries) = &node.kind else {
        ctx.error(
            &node.span,
            format!(
                "rule: expected a table such as {{ probability = 0.1 }} or an integer, found {}",
                node.describe()
            ),
        );
        return None;
    };
    let before = ctx.diagnostics.len();
    let f = check_keys(
        ctx,
        entries,
        &[
            "constant",
            "probability",
            "distance",
            "pairs",
            "one_to_one",
            "nsyns",
            "seed",
            "symmetric",
        ],
        "rule",
    );
    let chosen: Vec<_> = entries
        .iter()
        .filter(|e| KINDS.contains(&e.key.as_str()))
        .collect();
    if chosen.is_empty() && ctx.diagnostics.len() > before {
        return None; // a misspelt rule name: the unknown key is the whole story
    }
    if chosen.len() != 1 {
        ctx.error(
            &node.span,
            format!(
                "rule: expected exactly one of {}, found {}",
                KINDS.join(", "),
                chosen.len()
            ),
        );
        return None;
    }
    let kind = chosen[0];
    let nsyns = match f.get("nsyns") {
        Some(e) => u32::try_from(as_u64(ctx, &e.value, "nsyns")?).unwrap_or(u32::MAX),
        None => 1,
    };
    let seed = seed_of(ctx, &f, default_seed);
    let reject = |ctx: &mut Ctx, key: &str| {
        if let Some(e) = f.get(key) {
            ctx.error(
                &e.key_span,
                format!("rule: `{key}` does not apply to a `{}` rule", kind.key),
            );
        }
    };
    if kind.key != "probability" {
        reject(ctx, "symmetric");
    }
    if !["probability", "distance"].contains(&kind.key.as_str()) {
        reject(ctx, "seed");
    }
    match kind.key.as_str() {
        "constant" => {
            reject(ctx, "nsyns");
            let n = as_u64(ctx, &kind.value, "constant")?;
            Some(ConnectionRule::Constant {
                nsyns: u32::try_from(n).unwrap_or(u32::MAX),
            })
        }
        "probability" => {
            let p = as_probability(ctx, &kind.value, "probability")?;
            let symmetric = f
                .get("symmetric")
                .map(|e| as_bool(ctx, &e.value, "symmetric"))
                .unwrap_or(Some(false))?;
            Some(ConnectionRule::Probability {
                p,
                nsyns,
                seed,
                symmetric,
            })
        }
        "distance" => {
            let body = as_table(ctx, &kind.value, "distance")?;
            let d = check_keys(ctx, body, &["p0", "sigma", "max"], "rule.distance");
            let p0 = match d.get("p0") {
                Some(e) => as_probability(ctx, &e.value, "p0")?,
                None => 1.0,
            };
            let Some(sigma_entry) = d.get("sigma") else {
                missing(ctx, &kind.value.span, "sigma", "rule.distance");
                return None;
            };
            let sigma = as_f64(ctx, &sigma_entry.value, "sigma")?;
            if sigma <= 0.0 {
                ctx.error(&sigma_entry.value.span, "sigma: must be positive");
                return None;
            }
            let max_distance = match d.get("max") {
                Some(e) => Some(as_f64(ctx, &e.value, "max")?),
                None => None,
            };
            Some(ConnectionRule::Distance {
                p0,
                sigma,
                max_distance,
                nsyns,
                seed,
            })
        }
        "pairs" => {
            let Kind::Array(items) = &kind.value.kind else {
                ctx.error(
                    &kind.value.span,
                    "pairs: expected an array of [source_id, target_id]",
                );
                return None;
            };
            let mut pairs = Vec::new();
            for p in items {
                match &p.kind {
                    Kind::Array(two) if two.len() == 2 => {
                        let s = as_u64(ctx, &two[0], "pair source id");
                        let t = as_u64(ctx, &two[1], "pair target id");
                        if let (Some(s), Some(t)) = (s, t) {
                            pairs.push((s, t));
                        }
                    }
                    _ => ctx.error(&p.span, "pairs: expected [source_id, target_id]"),
                }
            }
            Some(ConnectionRule::Pairs { pairs, nsyns })
        }
        _ => {
            if as_bool(ctx, &kind.value, "one_to_one")? {
                Some(ConnectionRule::OneToOne { nsyns })
            } else {
                ctx.error(
                    &kind.value.span,
                    "one_to_one: must be true (omit the rule otherwise)",
                );
                None
            }
        }
    }
}

pub(crate) fn parse_edge_values(
    ctx: &mut Ctx,
    node: &Node,
    name: &str,
    default_seed: u64,
) -> Option<EdgeValues> {
    let what = format!("per_edge.{name}");
    let entries = as_table(ctx, node, &what)?;
    let f = check_keys(
        ctx,
        entries,
        &["uniform", "normal", "values", "seed"],
        &what,
    );
    let seed = seed_of(ctx, &f, default_seed);
    let pair = |ctx: &mut Ctx, node: &Node, what: &str| -> Option<(f64, f64)> {
        match &node.kind {
            Kind::Array(two) if two.len() == 2 => {
                Some((as_f64(ctx, &two[0], what)?, as_f64(ctx, &two[1], what)?))
            }
            _ => {
                ctx.error(&node.span, format!("{what}: expected [a, b]"));
                None
            }
        }
    };
    match (f.get("uniform"), f.get("normal"), f.get("values")) {
        (Some(u), None, None) => {
            let (low, high) = pair(ctx, &u.value, "uniform")?;
            Some(EdgeValues::Uniform { low, high, seed })
        }
        (None, Some(n), None) => {
            let (mean, sd) = pair(ctx, &n.value, "normal")?;
            Some(EdgeValues::Normal { mean, sd, seed })
        }
        (None, None, Some(v)) => match &v.value.kind {
            Kind::Array(items) => {
                let values: Vec<f64> = items
                    .iter()
                    .filter_map(|i| as_f64(ctx, i, "values"))
                    .collect();
                (values.len() == items.len()).then_some(EdgeValues::Values(values))
            }
            _ => {
                ctx.error(&v.value.span, "values: expected an array of numbers");
                None
            }
        },
        _ => {
            ctx.error(
                &node.span,
                format!("{what}: expected exactly one of `uniform`, `normal`, `values`"),
            );
            None
        }
    }
}
