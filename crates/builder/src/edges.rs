//! Edge types as [`crate::Network::add_edges`] receives them: which nodes (queries), how many
//! synapses between each source/target pair (connection rules), and their properties.
//!
//! # Rules
//! Candidate pairs are visited source-major (every target of the first source, then of the
//! second, …), the order of BMTK's S × T `nsyns` table. Every random decision is a pure
//! function of the rule's seed and the two node ids ([`crate::rng`]).
//! - [`ConnectionRule::Constant`]: `nsyns` synapses between every pair.
//! - [`ConnectionRule::Probability`]: each pair connected with probability $p$; with
//!   `symmetric`, one draw per unordered pair decides both directions (reciprocal networks).
//! - [`ConnectionRule::Distance`]: probability $p(d) = p_0\,e^{-d^2/(2\sigma^2)}$ of the
//!   Euclidean distance $d$ between the nodes' `positions`, zero beyond `max_distance`.
//! - [`ConnectionRule::Pairs`]: an explicit list of (source id, target id).
//! - [`ConnectionRule::OneToOne`]: the i-th source to the i-th target.
//!
//! Autapses (a node onto itself) are skipped by the first three rules unless `autapses` is set.

use crate::rng::Stream;
use crate::value::Value;

/// Selects nodes by property values, like BMTK's `source={'pop_name': 'hco1'}`: every
/// condition must hold; a [`Value::List`] condition matches any of its members. The empty
/// query selects every node.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    pub conditions: Vec<(String, Value)>,
}

impl Query {
    /// All nodes.
    pub fn all() -> Self {
        Self::default()
    }

    /// Adds the condition `name == value` (or `name in value` for a list).
    pub fn eq(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.conditions.push((name.to_string(), value.into()));
        self
    }

    /// Whether a node with property lookup `get` satisfies the query.
    pub fn matches(&self, get: impl Fn(&str) -> Option<Value>) -> bool {
        self.conditions
            .iter()
            .all(|(name, wanted)| match get(name) {
                None => false,
                Some(actual) => match wanted {
                    Value::List(options) => options.iter().any(|o| o.py_eq(&actual)),
                    _ => wanted.py_eq(&actual),
                },
            })
    }

    /// BMTK's `filter_str` as written to the edge-types CSV: `*`, or `k=='v'` joined by `&`.
    pub fn filter_str(&self) -> String {
        if self.conditions.is_empty() {
            return "*".into();
        }
        self.conditions
            .iter()
            .map(|(k, v)| format!("{k}=='{}'", v.py_str()))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// How many synapses connect each candidate pair (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectionRule {
    Constant {
        nsyns: u32,
    },
    Probability {
        p: f64,
        nsyns: u32,
        seed: u64,
        symmetric: bool,
    },
    Distance {
        p0: f64,
        sigma: f64,
        max_distance: Option<f64>,
        nsyns: u32,
        seed: u64,
    },
    Pairs {
        pairs: Vec<(u64, u64)>,
        nsyns: u32,
    },
    OneToOne {
        nsyns: u32,
    },
}

/// Values of a per-edge property (one per synapse row), stored as float64 in the h5 group.
#[derive(Debug, Clone, PartialEq)]
pub enum EdgeValues {
    /// Uniform in $[\mathrm{low}, \mathrm{high})$.
    Uniform { low: f64, high: f64, seed: u64 },
    /// Normal with the given mean and standard deviation.
    Normal { mean: f64, sd: f64, seed: u64 },
    /// Exactly these values; their number must equal the number of synapses generated.
    Values(Vec<f64>),
}

/// Everything `add_edges` needs for one edge type.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeTypeSpec {
    pub source: Query,
    pub target: Query,
    pub rule: ConnectionRule,
    /// Allow a node to connect to itself (rules Constant, Probability, Distance).
    pub autapses: bool,
    /// Constant properties: columns of the edge-types CSV.
    pub properties: Vec<(String, Value)>,
    /// Per-edge properties: columns of the edge group in the h5 file.
    pub per_edge: Vec<(String, EdgeValues)>,
    /// Fixed edge type id; by default 100, 101, … in order of `add_edges` calls.
    pub edge_type_id: Option<u32>,
}

impl EdgeTypeSpec {
    /// An edge type from `source` to `target` with `rule` and no properties yet.
    pub fn new(source: Query, target: Query, rule: ConnectionRule) -> Self {
        EdgeTypeSpec {
            source,
            target,
            rule,
            autapses: false,
            properties: Vec::new(),
            per_edge: Vec::new(),
            edge_type_id: None,
        }
    }

    /// Adds a constant property.
    pub fn property(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.properties.push((name.to_string(), value.into()));
        self
    }

    /// Adds a per-edge property.
    pub fn per_edge(mut self, name: &str, values: EdgeValues) -> Self {
        self.per_edge.push((name.to_string(), values));
        self
    }
}

/// One candidate endpoint: node id and, for the distance rule, its position.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Endpoint {
    pub id: u64,
    pub position: Option<[f64; 3]>,
}

/// Applies `rule` to the candidates and returns (source id, target id, nsyns) with
/// nsyns > 0, source-major. `Err` carries a message for the edge type.
pub(crate) fn connect(
    rule: &ConnectionRule,
    autapses: bool,
    sources: &[Endpoint],
    targets: &[Endpoint],
) -> Result<Vec<(u64, u64, u32)>, String> {
    let mut out = Vec::new();
    let skip = |s: u64, t: u64| !autapses && s == t;
    match rule {
        ConnectionRule::Constant { nsyns } => {
            if *nsyns > 0 {
                for s in sources {
                    for t in targets {
                        if !skip(s.id, t.id) {
                            out.push((s.id, t.id, *nsyns));
                        }
                    }
                }
            }
        }
        ConnectionRule::Probability {
            p,
            nsyns,
            seed,
            symmetric,
        } => {
            let stream = Stream::new(*seed, 0x7072_6f62);
            // Precompute each target's half of the pair hash: the inner loop then costs two
            // mixes per candidate pair.
            let keyed: Vec<u64> = targets.iter().map(|t| stream.target_key(t.id)).collect();
            for s in sources {
                for (t, tk) in targets.iter().zip(&keyed) {
                    if skip(s.id, t.id) {
                        continue;
                    }
                    let u = if *symmetric {
                        stream.uniform(s.id.min(t.id), s.id.max(t.id))
                    } else {
                        stream.uniform_keyed(s.id, *tk)
                    };
                    if u < *p && *nsyns > 0 {
                        out.push((s.id, t.id, *nsyns));
                    }
                }
            }
        }
        ConnectionRule::Distance {
            p0,
            sigma,
            max_distance,
            nsyns,
            seed,
        } => {
            let stream = Stream::new(*seed, 0x6469_7374);
            let position = |e: &Endpoint| {
                e.position.ok_or_else(|| {
                    format!(
                        "node {} has no `positions`; the distance rule needs them",
                        e.id
                    )
                })
            };
            let source_pos: Vec<[f64; 3]> =
                sources.iter().map(position).collect::<Result<_, _>>()?;
            let target_pos: Vec<[f64; 3]> =
                targets.iter().map(position).collect::<Result<_, _>>()?;
            let two_sigma_sq = 2.0 * sigma * sigma;
            for (s, sp) in sources.iter().zip(&source_pos) {
                for (t, tp) in targets.iter().zip(&target_pos) {
                    if skip(s.id, t.id) {
                        continue;
                    }
                    let d2: f64 = (0..3).map(|k| (sp[k] - tp[k]).powi(2)).sum();
                    if max_distance.is_some_and(|m| d2 > m * m) {
                        continue;
                    }
                    let p = p0 * (-d2 / two_sigma_sq).exp();
                    if stream.uniform(s.id, t.id) < p && *nsyns > 0 {
                        out.push((s.id, t.id, *nsyns));
                    }
                }
            }
        }
        ConnectionRule::Pairs { pairs, nsyns } => {
            let source_ids: std::collections::HashMap<u64, usize> =
                sources.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
            let target_ids: std::collections::HashMap<u64, usize> =
                targets.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
            let mut keyed = Vec::with_capacity(pairs.len());
            for &(s, t) in pairs {
                let si = *source_ids
                    .get(&s)
                    .ok_or_else(|| format!("pair ({s}, {t}): node {s} is not among the sources"))?;
                let ti = *target_ids
                    .get(&t)
                    .ok_or_else(|| format!("pair ({s}, {t}): node {t} is not among the targets"))?;
                keyed.push((si, ti, s, t));
            }
            keyed.sort_unstable();
            for w in keyed.windows(2) {
                if w[0].0 == w[1].0 && w[0].1 == w[1].1 {
                    return Err(format!("pair ({}, {}) is listed twice", w[0].2, w[0].3));
                }
            }
            if *nsyns > 0 {
                out.extend(keyed.into_iter().map(|(_, _, s, t)| (s, t, *nsyns)));
            }
        }
        ConnectionRule::OneToOne { nsyns } => {
            if sources.len() != targets.len() {
                return Err(format!(
                    "one-to-one needs as many sources as targets ({} sources, {} targets)",
                    sources.len(),
                    targets.len()
                ));
            }
            if *nsyns > 0 {
                out.extend(
                    sources
                        .iter()
                        .zip(targets)
                        .map(|(s, t)| (s.id, t.id, *nsyns)),
                );
            }
        }
    }
    Ok(out)
}

/// Draws the values of one per-edge property for `rows` synapse rows of edge type `type_id`.
pub(crate) fn edge_values(
    values: &EdgeValues,
    type_id: u32,
    rows: usize,
) -> Result<Vec<f64>, String> {
    match values {
        EdgeValues::Uniform { low, high, seed } => {
            let s = Stream::new(*seed, u64::from(type_id));
            Ok((0..rows as u64)
                .map(|k| low + (high - low) * s.uniform(k, 0))
                .collect())
        }
        EdgeValues::Normal { mean, sd, seed } => {
            let s = Stream::new(*seed, u64::from(type_id));
            Ok((0..rows as u64)
                .map(|k| mean + sd * s.normal(k, 0))
                .collect())
        }
        EdgeValues::Values(v) => {
            if v.len() == rows {
                Ok(v.clone())
            } else {
                Err(format!("{} values given for {rows} synapses", v.len()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ends(ids: std::ops::Range<u64>) -> Vec<Endpoint> {
        ids.map(|id| Endpoint {
            id,
            position: Some([id as f64 * 10.0, 0.0, 0.0]),
        })
        .collect()
    }

    #[test]
    fn constant_rule_connects_every_pair_but_autapses() {
        let n = ends(0..4);
        let e = connect(&ConnectionRule::Constant { nsyns: 2 }, false, &n, &n).unwrap();
        assert_eq!(e.len(), 12);
        assert!(e.iter().all(|(s, t, k)| s != t && *k == 2));
        assert_eq!(e[0], (0, 1, 2));
        let e = connect(&ConnectionRule::Constant { nsyns: 1 }, true, &n, &n).unwrap();
        assert_eq!(e.len(), 16);
    }

    #[test]
    fn probability_rule_hits_its_rate_and_symmetric_is_reciprocal() {
        let n = ends(0..300);
        let rule = ConnectionRule::Probability {
            p: 0.1,
            nsyns: 1,
            seed: 5,
            symmetric: false,
        };
        let e = connect(&rule, false, &n, &n).unwrap();
        let expected = 0.1 * 300.0 * 299.0;
        assert!(
            (e.len() as f64 - expected).abs() < 4.0 * expected.sqrt(),
            "{}",
            e.len()
        );
        let rule = ConnectionRule::Probability {
            p: 0.1,
            nsyns: 1,
            seed: 5,
            symmetric: true,
        };
        let e = connect(&rule, false, &n, &n).unwrap();
        let set: std::collections::HashSet<(u64, u64)> =
            e.iter().map(|(s, t, _)| (*s, *t)).collect();
        assert!(set.iter().all(|(s, t)| set.contains(&(*t, *s))));
    }

    #[test]
    fn distance_rule_prefers_near_pairs() {
        let n = ends(0..200);
        let rule = ConnectionRule::Distance {
            p0: 1.0,
            sigma: 50.0,
            max_distance: Some(300.0),
            nsyns: 1,
            seed: 1,
        };
        let e = connect(&rule, false, &n, &n).unwrap();
        // Nodes 10 um apart: within 50 um p > 0.6, at 200-300 um p < 4e-4, beyond 300 zero.
        let near = e.iter().filter(|(s, t, _)| s.abs_diff(*t) <= 5).count();
        let mid = e
            .iter()
            .filter(|(s, t, _)| (20..=30).contains(&s.abs_diff(*t)))
            .count();
        let far = e.iter().filter(|(s, t, _)| s.abs_diff(*t) > 30).count();
        assert!(near > 1200 && mid < 10 && far == 0, "{near} {mid} {far}");
        let no_pos = vec![Endpoint {
            id: 0,
            position: None,
        }];
        assert!(connect(&rule, false, &no_pos, &no_pos).is_err());
    }

    #[test]
    fn pairs_and_one_to_one() {
        let n = ends(0..3);
        let rule = ConnectionRule::Pairs {
            pairs: vec![(2, 0), (0, 1)],
            nsyns: 1,
        };
        assert_eq!(
            connect(&rule, false, &n, &n).unwrap(),
            vec![(0, 1, 1), (2, 0, 1)]
        );
        let bad = ConnectionRule::Pairs {
            pairs: vec![(7, 0)],
            nsyns: 1,
        };
        assert!(connect(&bad, false, &n, &n).unwrap_err().contains("node 7"));
        let dup = ConnectionRule::Pairs {
            pairs: vec![(1, 0), (1, 0)],
            nsyns: 1,
        };
        assert!(connect(&dup, false, &n, &n).is_err());
        let e = connect(
            &ConnectionRule::OneToOne { nsyns: 3 },
            false,
            &n,
            &ends(10..13),
        )
        .unwrap();
        assert_eq!(e, vec![(0, 10, 3), (1, 11, 3), (2, 12, 3)]);
        assert!(connect(
            &ConnectionRule::OneToOne { nsyns: 1 },
            false,
            &n,
            &ends(0..2)
        )
        .is_err());
    }

    #[test]
    fn filter_strings_match_bmtk() {
        assert_eq!(Query::all().filter_str(), "*");
        assert_eq!(
            Query::all().eq("pop_name", "hco1").filter_str(),
            "pop_name=='hco1'"
        );
        assert_eq!(
            Query::all().eq("a", 1i64).eq("b", "x").filter_str(),
            "a=='1'&b=='x'"
        );
    }
}
