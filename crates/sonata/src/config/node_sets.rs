//! Node sets: named selections of nodes.
//!
//! A set is either a list of other set names (their union) or an object of rules that must
//! all hold (AND). A rule compares one property: `population`, `node_id` / `node_ids`, or any
//! node column (h5 group column first, then node-types CSV column, BMTK's rule). A list value
//! matches any of its items; an object value holds comparison operators (`$gt`, `$gte`,
//! `$lt`, `$lte`). `"all"` is predefined and selects every node; a config may not redefine it
//! to mean less, but may define it (the definition then wins, as in libsonata).

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::nodes::NodePopulation;
use crate::properties::Property;

/// A comparison in a rule object like `{"$gte": 3}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Gt,
    Gte,
    Lt,
    Lte,
}

/// What one property must satisfy.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleValue {
    Equals(Value),
    AnyOf(Vec<Value>),
    Compare(Vec<(CompareOp, f64)>),
}

/// One `property: value` rule.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSetRule {
    pub property: String,
    pub value: RuleValue,
}

/// One named set.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeSet {
    /// Union of the named sets.
    Union(Vec<String>),
    /// All rules must hold.
    Rules(Vec<NodeSetRule>),
}

/// All node sets of a config, in definition order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeSets {
    sets: Vec<(String, NodeSet)>,
}

/// The nodes of one population picked by a node set, sorted by id.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationSelection {
    pub population: String,
    pub node_ids: Vec<u64>,
}

impl NodeSets {
    /// Adds (or replaces) the sets of a JSON object `{name: definition}`.
    pub fn extend_from_json(&mut self, path: &Path, key: &str, value: &Value) -> Result<()> {
        let Some(map) = value.as_object() else {
            return Err(Error::config(
                path,
                key_or(key, "node_sets"),
                "expected an object of node sets",
            ));
        };
        for (name, def) in map {
            let here = if key.is_empty() {
                name.clone()
            } else {
                format!("{key}.{name}")
            };
            let set = parse_set(path, &here, def)?;
            self.insert(name.clone(), set);
        }
        Ok(())
    }

    /// Adds or replaces one set.
    pub fn insert(&mut self, name: String, set: NodeSet) {
        if let Some(slot) = self.sets.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = set;
        } else {
            self.sets.push((name, set));
        }
    }

    pub fn get(&self, name: &str) -> Option<&NodeSet> {
        self.sets.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }

    /// Names of the defined sets, plus the predefined `all`.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.sets.iter().map(|(n, _)| n.as_str()).collect();
        if !names.contains(&"all") {
            names.push("all");
        }
        names
    }

    /// Errors unless `name` is defined or predefined; `context` is appended to the message.
    pub fn check_defined(&self, name: &str, context: &str) -> Result<()> {
        if name == "all" || self.get(name).is_some() {
            Ok(())
        } else {
            Err(Error::UnknownNodeSet {
                name: name.to_string(),
                context: format!("{context}; defined: {}", self.names().join(", ")),
            })
        }
    }

    /// The nodes of `populations` that `name` selects.
    pub fn select(
        &self,
        name: &str,
        populations: &[NodePopulation],
    ) -> Result<Vec<PopulationSelection>> {
        let mut chosen: Vec<BTreeSet<u64>> = vec![BTreeSet::new(); populations.len()];
        let mut stack = Vec::new();
        self.collect(name, populations, &mut chosen, &mut stack)?;
        Ok(populations
            .iter()
            .zip(chosen)
            .filter(|(_, ids)| !ids.is_empty())
            .map(|(pop, ids)| PopulationSelection {
                population: pop.name.clone(),
                node_ids: ids.into_iter().collect(),
            })
            .collect())
    }

    fn collect(
        &self,
        name: &str,
        populations: &[NodePopulation],
        chosen: &mut [BTreeSet<u64>],
        stack: &mut Vec<String>,
    ) -> Result<()> {
        if stack.iter().any(|n| n == name) {
            stack.push(name.to_string());
            return Err(Error::NodeSet {
                name: stack[0].clone(),
                message: format!("sets refer to each other in a loop: {}", stack.join(" -> ")),
            });
        }
        let set = match self.get(name) {
            Some(set) => set,
            None if name == "all" => {
                for (pop, ids) in populations.iter().zip(chosen.iter_mut()) {
                    ids.extend(pop.node_ids.iter().copied());
                }
                return Ok(());
            }
            None => {
                return Err(Error::UnknownNodeSet {
                    name: name.to_string(),
                    context: format!("; defined: {}", self.names().join(", ")),
                })
            }
        };
        stack.push(name.to_string());
        match set {
            NodeSet::Union(names) => {
                for member in names {
                    self.collect(member, populations, chosen, stack)?;
                }
            }
            NodeSet::Rules(rules) => {
                for (pop, ids) in populations.iter().zip(chosen.iter_mut()) {
                    for index in 0..pop.len() {
                        if rules_hold(name, rules, pop, index)? {
                            ids.insert(pop.node_ids[index]);
                        }
                    }
                }
            }
        }
        stack.pop();
        Ok(())
    }
}

fn key_or<'a>(key: &'a str, default: &'a str) -> &'a str {
    if key.is_empty() {
        default
    } else {
        key
    }
}

pub(crate) fn parse_set(path: &Path, key: &str, def: &Value) -> Result<NodeSet> {
    match def {
        Value::Array(items) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| Error::config(path, key, "a list node set must hold set names"))
            })
            .collect::<Result<Vec<_>>>()
            .map(NodeSet::Union),
        Value::Object(map) => {
            let mut rules = Vec::new();
            for (property, value) in map {
                let here = format!("{key}.{property}");
                let value = match value {
                    Value::Array(items) => RuleValue::AnyOf(items.clone()),
                    Value::Object(ops) => {
                        let mut compares = Vec::new();
                        for (op, operand) in ops {
                            let op = match op.as_str() {
                                "$gt" => CompareOp::Gt,
                                "$gte" => CompareOp::Gte,
                                "$lt" => CompareOp::Lt,
                                "$lte" => CompareOp::Lte,
                                other => {
                                    return Err(Error::config(
                                        path,
                                        &here,
                                        format!(
                                        "unsupported operator `{other}` (use $gt, $gte, $lt, $lte)"
                                    ),
                                    ))
                                }
                            };
                            let operand = operand.as_f64().ok_or_else(|| {
                                Error::config(path, &here, "comparison operand must be a number")
                            })?;
                            compares.push((op, operand));
                        }
                        RuleValue::Compare(compares)
                    }
                    other => RuleValue::Equals(other.clone()),
                };
                rules.push(NodeSetRule {
                    property: property.clone(),
                    value,
                });
            }
            Ok(NodeSet::Rules(rules))
        }
        _ => Err(Error::config(
            path,
            key,
            "a node set is an object of rules or a list of set names",
        )),
    }
}

fn rules_hold(
    set: &str,
    rules: &[NodeSetRule],
    pop: &NodePopulation,
    index: usize,
) -> Result<bool> {
    for rule in rules {
        let actual: Option<Property> = match rule.property.as_str() {
            "population" => Some(Property::Str(&pop.name)),
            "node_id" | "node_ids" => Some(Property::UInt(pop.node_ids[index])),
            other => pop.property(index, other),
        };
        let Some(actual) = actual else {
            return Ok(false);
        };
        let ok = match &rule.value {
            RuleValue::Equals(v) => actual.matches_json(v),
            RuleValue::AnyOf(items) => items.iter().any(|v| actual.matches_json(v)),
            RuleValue::Compare(ops) => {
                let Some(x) = actual.as_f64() else {
                    return Err(Error::NodeSet {
                        name: set.to_string(),
                        message: format!("property `{}` is not numeric", rule.property),
                    });
                };
                ops.iter().all(|(op, y)| match op {
                    CompareOp::Gt => x > *y,
                    CompareOp::Gte => x >= *y,
                    CompareOp::Lt => x < *y,
                    CompareOp::Lte => x <= *y,
                })
            }
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}
