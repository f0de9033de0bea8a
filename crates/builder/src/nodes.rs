//! Node sets as [`crate::Network::add_nodes`] receives them, and how they become SONATA
//! tables: constants go to the node-types CSV, per-node lists to a numbered h5 group shared
//! by every node set with the same per-node column names (BMTK's grouping rule).

use crate::error::{Error, Result};
use crate::value::Value;

/// One property given to `add_nodes`.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeProperty {
    /// The same value for every node: a column of the node-types CSV.
    Constant(Value),
    /// One value per node: a column of the node group in the h5 file.
    PerNode(Vec<Value>),
    /// One `[x, y, z]` per node, stored as BMTK's `positions` (N × 3 float64) dataset.
    Positions(Vec<[f64; 3]>),
}

/// The properties of one node set, in the order given (that order becomes the CSV's).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NodeProperties {
    pub entries: Vec<(String, NodeProperty)>,
}

impl NodeProperties {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a property shared by all nodes of the set.
    pub fn constant(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.entries
            .push((name.to_string(), NodeProperty::Constant(value.into())));
        self
    }

    /// Adds a property with one value per node.
    pub fn per_node<T: Into<Value>>(mut self, name: &str, values: Vec<T>) -> Self {
        let values = values.into_iter().map(Into::into).collect();
        self.entries
            .push((name.to_string(), NodeProperty::PerNode(values)));
        self
    }

    /// Adds `positions` (see [`crate::positions`] for generators).
    pub fn positions(mut self, positions: Vec<[f64; 3]>) -> Self {
        self.entries
            .push(("positions".to_string(), NodeProperty::Positions(positions)));
        self
    }
}

/// A per-node column after type inference.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NodeColumn {
    Int(Vec<i64>),
    Float(Vec<f64>),
    /// `width` floats per node.
    Rows {
        width: usize,
        values: Vec<f64>,
    },
}

impl NodeColumn {
    pub fn value(&self, i: usize) -> Value {
        match self {
            NodeColumn::Int(v) => Value::Int(v[i]),
            NodeColumn::Float(v) => Value::Float(v[i]),
            NodeColumn::Rows { width, values } => Value::List(
                values[i * width..(i + 1) * width]
                    .iter()
                    .map(|x| Value::Float(*x))
                    .collect(),
            ),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            NodeColumn::Int(_) => "integers",
            NodeColumn::Float(_) => "numbers",
            NodeColumn::Rows { .. } => "rows of numbers",
        }
    }
}

/// A node set after validation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NodeSet {
    pub count: usize,
    pub node_type_id: u64,
    pub constants: Vec<(String, Value)>,
    pub columns: Vec<(String, NodeColumn)>,
    /// `node_id` of the first node; the set's ids are consecutive.
    pub first_node_id: u64,
}

impl NodeSet {
    /// The value of `name` for the `i`-th node of the set (column first, then constant).
    pub fn value(&self, i: usize, name: &str) -> Option<Value> {
        if let Some((_, c)) = self.columns.iter().find(|(n, _)| n == name) {
            return Some(c.value(i));
        }
        self.constants
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// The `[x, y, z]` of node `i`, from `positions`.
    pub fn position(&self, i: usize) -> Option<[f64; 3]> {
        match self.columns.iter().find(|(n, _)| n == "positions") {
            Some((_, NodeColumn::Rows { width: 3, values })) => {
                Some([values[3 * i], values[3 * i + 1], values[3 * i + 2]])
            }
            _ => None,
        }
    }

    /// Sorted per-node column names: node sets with equal names share an h5 group.
    pub fn group_signature(&self) -> Vec<String> {
        let mut names: Vec<String> = self.columns.iter().map(|(n, _)| n.clone()).collect();
        names.sort();
        names
    }
}

/// Infers the column type of a per-node list, or says why it cannot be stored.
pub(crate) fn column_from_values(values: &[Value]) -> std::result::Result<NodeColumn, String> {
    if values.iter().all(|v| matches!(v, Value::Int(_))) {
        return Ok(NodeColumn::Int(
            values
                .iter()
                .map(|v| if let Value::Int(i) = v { *i } else { 0 })
                .collect(),
        ));
    }
    if values.iter().all(|v| v.as_f64().is_some()) {
        return Ok(NodeColumn::Float(
            values.iter().filter_map(Value::as_f64).collect(),
        ));
    }
    if let Some(Value::List(first)) = values.first() {
        let width = first.len();
        let mut flat = Vec::with_capacity(width * values.len());
        for (i, v) in values.iter().enumerate() {
            match v {
                Value::List(row) if row.len() == width && width > 0 => {
                    for x in row {
                        flat.push(
                            x.as_f64()
                                .ok_or_else(|| format!("entry {i}: rows must hold numbers only"))?,
                        );
                    }
                }
                _ => return Err(format!("entry {i}: expected a row of {width} numbers")),
            }
        }
        return Ok(NodeColumn::Rows {
            width,
            values: flat,
        });
    }
    Err(
        "per-node values must be all numbers or all equal-length rows of numbers \
         (per-node strings and booleans cannot be stored; use a constant per node set)"
            .into(),
    )
}

/// Validates `properties` for a set of `count` nodes.
pub(crate) fn make_node_set(
    index: usize,
    count: usize,
    node_type_id: u64,
    first_node_id: u64,
    properties: NodeProperties,
) -> Result<NodeSet> {
    let fail = |message: String| Error::Nodes {
        node_set: index,
        message,
    };
    let mut constants = Vec::new();
    let mut columns: Vec<(String, NodeColumn)> = Vec::new();
    for (name, property) in properties.entries {
        if name == "node_type_id" || name == "node_id" {
            return Err(fail(format!("`{name}` is assigned by the builder")));
        }
        if constants.iter().any(|(n, _): &(String, Value)| *n == name)
            || columns.iter().any(|(n, _)| *n == name)
        {
            return Err(fail(format!("property `{name}` given twice")));
        }
        match property {
            NodeProperty::Constant(v) => constants.push((name, v)),
            NodeProperty::PerNode(values) => {
                if values.len() != count {
                    return Err(fail(format!(
                        "property `{name}` has {} values for N = {count} nodes",
                        values.len()
                    )));
                }
                let column = column_from_values(&values)
                    .map_err(|m| fail(format!("property `{name}`: {m}")))?;
                columns.push((name, column));
            }
            NodeProperty::Positions(rows) => {
                if rows.len() != count {
                    return Err(fail(format!(
                        "`{name}` has {} rows for N = {count} nodes",
                        rows.len()
                    )));
                }
                columns.push((
                    name,
                    NodeColumn::Rows {
                        width: 3,
                        values: rows.iter().flatten().copied().collect(),
                    },
                ));
            }
        }
    }
    Ok(NodeSet {
        count,
        node_type_id,
        constants,
        columns,
        first_node_id,
    })
}

/// Concatenates the columns of the node sets sharing one group, widening integers to floats
/// when sets disagree.
pub(crate) fn merge_group_columns(
    sets: &[&NodeSet],
) -> std::result::Result<Vec<(String, NodeColumn)>, String> {
    let Some(first) = sets.first() else {
        return Ok(Vec::new());
    };
    let mut merged = Vec::new();
    for (name, _) in &first.columns {
        let parts: Vec<&NodeColumn> = sets
            .iter()
            .filter_map(|s| s.columns.iter().find(|(n, _)| n == name).map(|(_, c)| c))
            .collect();
        let column = if parts.iter().all(|c| matches!(c, NodeColumn::Int(_))) {
            NodeColumn::Int(
                parts
                    .iter()
                    .flat_map(|c| match c {
                        NodeColumn::Int(v) => v.clone(),
                        _ => Vec::new(),
                    })
                    .collect(),
            )
        } else if parts
            .iter()
            .all(|c| matches!(c, NodeColumn::Int(_) | NodeColumn::Float(_)))
        {
            NodeColumn::Float(
                parts
                    .iter()
                    .flat_map(|c| match c {
                        NodeColumn::Int(v) => v.iter().map(|x| *x as f64).collect(),
                        NodeColumn::Float(v) => v.clone(),
                        _ => Vec::new(),
                    })
                    .collect(),
            )
        } else {
            let width = match parts[0] {
                NodeColumn::Rows { width, .. } => *width,
                _ => 0,
            };
            let mut values = Vec::new();
            for c in &parts {
                match c {
                    NodeColumn::Rows {
                        width: w,
                        values: v,
                    } if *w == width => values.extend_from_slice(v),
                    other => {
                        return Err(format!(
                        "column `{name}` holds {} in one node set and rows of {width} in another",
                        other.kind()
                    ))
                    }
                }
            }
            NodeColumn::Rows { width, values }
        };
        merged.push((name.clone(), column));
    }
    Ok(merged)
}
