//! [`Network`]: the NetworkBuilder-like API. Nodes and edge types are described first;
//! [`Network::build`] assigns ids, applies the connection rules and returns a
//! [`BuiltNetwork`] that [`BuiltNetwork::save`] writes in BMTK's layout.

use crate::edges::{connect, edge_values, EdgeTypeSpec, Endpoint, Query};
use crate::error::{Error, Result};
use crate::nodes::{make_node_set, NodeProperties, NodeSet};
use crate::save::{BuiltEdges, BuiltNetwork, EdgeTypeRow};
use crate::value::Value;

/// First node type and edge type id BMTK hands out.
const FIRST_TYPE_ID: u64 = 100;

/// A network under construction (BMTK's `NetworkBuilder`).
#[derive(Debug, Clone)]
pub struct Network {
    name: String,
    node_sets: Vec<NodeSet>,
    edge_types: Vec<(u32, EdgeTypeSpec)>,
    next_node_id: u64,
}

impl Network {
    /// A network whose node population (and file names) will be `name`.
    pub fn new(name: &str) -> Network {
        Network {
            name: name.to_string(),
            node_sets: Vec::new(),
            edge_types: Vec::new(),
            next_node_id: 0,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of nodes added so far.
    pub fn node_count(&self) -> u64 {
        self.next_node_id
    }

    /// Adds `n` nodes of one new node type. Constants go to the node-types CSV, per-node
    /// values to the h5 group. Returns the node type id (100, 101, … in call order).
    pub fn add_nodes(&mut self, n: usize, properties: NodeProperties) -> Result<u64> {
        let node_type_id = FIRST_TYPE_ID + self.node_sets.len() as u64;
        let set = make_node_set(
            self.node_sets.len(),
            n,
            node_type_id,
            self.next_node_id,
            properties,
        )?;
        self.next_node_id += n as u64;
        self.node_sets.push(set);
        Ok(node_type_id)
    }

    /// Ids of the nodes matching `query`, in node order.
    pub fn select(&self, query: &Query) -> Vec<u64> {
        self.endpoints(query).into_iter().map(|e| e.id).collect()
    }

    fn endpoints(&self, query: &Query) -> Vec<Endpoint> {
        let mut out = Vec::new();
        for set in &self.node_sets {
            // Conditions on constants decide for the whole set at once.
            let per_node: Vec<&(String, Value)> = query
                .conditions
                .iter()
                .filter(|(name, _)| set.columns.iter().any(|(c, _)| c == name))
                .collect();
            let constant_query = Query {
                conditions: query
                    .conditions
                    .iter()
                    .filter(|(name, _)| !set.columns.iter().any(|(c, _)| c == name))
                    .cloned()
                    .collect(),
            };
            if !constant_query.matches(|name| set.value(0, name)) {
                continue;
            }
            let node_query = Query {
                conditions: per_node.into_iter().cloned().collect(),
            };
            for i in 0..set.count {
                if node_query.conditions.is_empty() || node_query.matches(|name| set.value(i, name))
                {
                    out.push(Endpoint {
                        id: set.first_node_id + i as u64,
                        position: set.position(i),
                    });
                }
            }
        }
        out
    }

    /// Adds an edge type. Its id is `spec.edge_type_id` or the next free one from 100.
    pub fn add_edges(&mut self, spec: EdgeTypeSpec) -> Result<u32> {
        let id = match spec.edge_type_id {
            Some(id) => id,
            None => {
                let mut id = FIRST_TYPE_ID as u32;
                while self.edge_types.iter().any(|(t, _)| *t == id) {
                    id += 1;
                }
                id
            }
        };
        let fail = |message: String| Error::Edges {
            edge_type: id,
            message,
        };
        if self.edge_types.iter().any(|(t, _)| *t == id) {
            return Err(fail("edge type id already used".into()));
        }
        for (i, (name, _)) in spec.properties.iter().enumerate() {
            if ["edge_type_id", "source_query", "target_query", "nsyns"].contains(&name.as_str()) {
                return Err(fail(format!("`{name}` is set by the builder")));
            }
            if spec.properties[..i].iter().any(|(n, _)| n == name)
                || spec.per_edge.iter().any(|(n, _)| n == name)
            {
                return Err(fail(format!("property `{name}` given twice")));
            }
        }
        self.edge_types.push((id, spec));
        Ok(id)
    }

    /// Assigns node ids and groups, applies every connection rule and gathers the tables.
    pub fn build(&self) -> Result<BuiltNetwork> {
        let mut edge_rows: Vec<EdgeTypeRow> = Vec::new();
        for (id, spec) in &self.edge_types {
            let fail = |message: String| Error::Edges {
                edge_type: *id,
                message,
            };
            let sources = self.endpoints(&spec.source);
            let targets = self.endpoints(&spec.target);
            for (which, q, e) in [
                ("source", &spec.source, &sources),
                ("target", &spec.target, &targets),
            ] {
                if e.is_empty() {
                    return Err(fail(format!(
                        "{which} query `{}` matches no node",
                        q.filter_str()
                    )));
                }
            }
            let pairs = connect(&spec.rule, spec.autapses, &sources, &targets).map_err(fail)?;
            let rows: usize = if spec.per_edge.is_empty() {
                pairs.len()
            } else {
                pairs.iter().map(|p| p.2 as usize).sum()
            };
            let mut per_edge = Vec::new();
            for (name, values) in &spec.per_edge {
                let v = edge_values(values, *id, rows)
                    .map_err(|m| fail(format!("per-edge property `{name}`: {m}")))?;
                per_edge.push((name.clone(), v));
            }
            edge_rows.push(EdgeTypeRow {
                edge_type_id: *id,
                source_query: spec.source.filter_str(),
                target_query: spec.target.filter_str(),
                properties: spec.properties.clone(),
                pairs,
                per_edge,
            });
        }
        let edges = BuiltEdges::collate(&self.name, edge_rows);
        BuiltNetwork::new(&self.name, &self.node_sets, edges)
    }
}
