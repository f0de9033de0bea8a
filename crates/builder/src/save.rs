//! A built network's tables and how they are written: `<name>_nodes.h5` +
//! `<name>_node_types.csv`, `<name>_<name>_edges.h5` + `<name>_<name>_edge_types.csv`, in
//! BMTK's layout (see `sonata::nodes_write` / `sonata::edges_write` for the h5 side).
//!
//! Edges are ordered like BMTK's: edge types in creation order, each source-major, then a
//! stable sort by target id; per-edge columns are reordered so `edge_group_index` ascends.

use std::path::{Path, PathBuf};

use sonata::edges_write::{write_edges, EdgePopulationWrite};
use sonata::nodes_write::{write_nodes, NodePopulationWrite};
use sonata::{ColumnGroup, Compression, GroupColumn};

use crate::error::{Error, Result};
use crate::nodes::{merge_group_columns, NodeColumn, NodeSet};
use crate::value::{csv_row, Value};

/// One edge type after its rule ran.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EdgeTypeRow {
    pub edge_type_id: u32,
    pub source_query: String,
    pub target_query: String,
    pub properties: Vec<(String, Value)>,
    /// (source, target, nsyns), source-major.
    pub pairs: Vec<(u64, u64, u32)>,
    /// Per-edge columns, one value per synapse row.
    pub per_edge: Vec<(String, Vec<f64>)>,
}

/// One edge-group column while edge types are merged: float values for per-edge
/// properties, counts for `nsyns`.
#[derive(Debug, Clone, Default)]
struct MergedColumn {
    name: String,
    floats: Vec<f64>,
    counts: Vec<u32>,
}

/// The edge population of a built network.
#[derive(Debug, Clone, PartialEq)]
pub struct BuiltEdges {
    pub(crate) types: Vec<EdgeTypeRow>,
    pub(crate) population: EdgePopulationWrite,
}

impl BuiltEdges {
    /// Merges the edge types into one population sorted by target.
    pub(crate) fn collate(network: &str, types: Vec<EdgeTypeRow>) -> BuiltEdges {
        // Edge types with the same h5 columns share a group (BMTK hashes the column names).
        let mut signatures: Vec<Vec<String>> = Vec::new();
        let mut type_group = Vec::new();
        for t in &types {
            let sig: Vec<String> = if t.per_edge.is_empty() {
                vec!["nsyns".into()]
            } else {
                let mut s: Vec<String> = t.per_edge.iter().map(|(n, _)| n.clone()).collect();
                s.sort();
                s
            };
            let g = signatures
                .iter()
                .position(|s| *s == sig)
                .unwrap_or_else(|| {
                    signatures.push(sig);
                    signatures.len() - 1
                });
            type_group.push(g);
        }
        let total: usize = types
            .iter()
            .map(|t| {
                if t.per_edge.is_empty() {
                    t.pairs.len()
                } else {
                    t.pairs.iter().map(|p| p.2 as usize).sum()
                }
            })
            .sum();
        let mut source = Vec::with_capacity(total);
        let mut target = Vec::with_capacity(total);
        let mut type_ids = Vec::with_capacity(total);
        let mut group_ids = Vec::with_capacity(total);
        let mut group_index = Vec::with_capacity(total);
        let mut group_columns: Vec<Vec<MergedColumn>> = vec![Vec::new(); signatures.len()];
        let mut group_rows = vec![0u32; signatures.len()];
        for (t, &g) in types.iter().zip(&type_group) {
            let columns = &mut group_columns[g];
            if t.per_edge.is_empty() {
                if columns.is_empty() {
                    columns.push(MergedColumn {
                        name: "nsyns".into(),
                        ..Default::default()
                    });
                }
                for &(s, tg, n) in &t.pairs {
                    source.push(s);
                    target.push(tg);
                    columns[0].counts.push(n);
                }
            } else {
                if columns.is_empty() {
                    for (name, _) in &t.per_edge {
                        columns.push(MergedColumn {
                            name: name.clone(),
                            ..Default::default()
                        });
                    }
                }
                for &(s, tg, n) in &t.pairs {
                    for _ in 0..n {
                        source.push(s);
                        target.push(tg);
                    }
                }
                for column in columns.iter_mut() {
                    if let Some((_, v)) = t.per_edge.iter().find(|(n, _)| *n == column.name) {
                        column.floats.extend_from_slice(v);
                    }
                }
            }
            let rows = source.len() - type_ids.len();
            for _ in 0..rows {
                type_ids.push(t.edge_type_id);
                group_ids.push(g as u16);
                group_index.push(group_rows[g]);
                group_rows[g] += 1;
            }
        }

        // Stable sort by target; then renumber each group's rows in the new order.
        let mut order: Vec<u32> = (0..source.len() as u32).collect();
        order.sort_by_key(|&i| target[i as usize]);
        let pick_u64 = |v: &[u64]| order.iter().map(|&i| v[i as usize]).collect::<Vec<_>>();
        let source = pick_u64(&source);
        let target = pick_u64(&target);
        let type_ids: Vec<u32> = order.iter().map(|&i| type_ids[i as usize]).collect();
        let group_ids: Vec<u16> = order.iter().map(|&i| group_ids[i as usize]).collect();
        let old_index: Vec<u32> = order.iter().map(|&i| group_index[i as usize]).collect();
        let mut new_index = vec![0u32; old_index.len()];
        let mut groups = Vec::new();
        for (g, columns) in group_columns.into_iter().enumerate() {
            let rows: Vec<usize> = (0..group_ids.len())
                .filter(|&k| group_ids[k] as usize == g)
                .collect();
            for (n, &k) in rows.iter().enumerate() {
                new_index[k] = n as u32;
            }
            let mut out = ColumnGroup {
                id: g as u32,
                columns: Vec::new(),
            };
            for MergedColumn {
                name,
                floats,
                counts,
            } in columns
            {
                let column = if name == "nsyns" && floats.is_empty() {
                    GroupColumn::UInt32(
                        rows.iter()
                            .map(|&k| counts[old_index[k] as usize])
                            .collect(),
                    )
                } else {
                    GroupColumn::Float(
                        rows.iter()
                            .map(|&k| floats[old_index[k] as usize])
                            .collect(),
                    )
                };
                out.columns.push((name, column));
            }
            groups.push(out);
        }
        BuiltEdges {
            types,
            population: EdgePopulationWrite {
                name: format!("{network}_to_{network}"),
                source_population: network.to_string(),
                target_population: network.to_string(),
                source_node_ids: source,
                target_node_ids: target,
                edge_type_ids: type_ids,
                edge_group_ids: group_ids,
                edge_group_index: new_index,
                groups,
            },
        }
    }

    /// Number of edge rows (one per connected pair, or per synapse with per-edge properties).
    pub fn len(&self) -> usize {
        self.population.source_node_ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The h5 data as it will be written.
    pub fn population(&self) -> &EdgePopulationWrite {
        &self.population
    }

    /// Total synapses (sum of nsyns over pairs).
    pub fn synapse_count(&self) -> u64 {
        self.types
            .iter()
            .flat_map(|t| &t.pairs)
            .map(|p| u64::from(p.2))
            .sum()
    }
}

/// A network with ids assigned and edges generated, ready to [`save`](Self::save).
#[derive(Debug, Clone, PartialEq)]
pub struct BuiltNetwork {
    pub name: String,
    node_types: Vec<(u64, Vec<(String, Value)>)>,
    nodes: NodePopulationWrite,
    pub edges: BuiltEdges,
}

/// The files one [`BuiltNetwork::save`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedFiles {
    pub nodes_file: PathBuf,
    pub node_types_file: PathBuf,
    /// `None` when the network has no edges (BMTK writes no edge files then either).
    pub edges: Option<(PathBuf, PathBuf)>,
}

impl BuiltNetwork {
    pub(crate) fn new(name: &str, sets: &[NodeSet], edges: BuiltEdges) -> Result<BuiltNetwork> {
        let mut signatures: Vec<Vec<String>> = Vec::new();
        let mut set_group = Vec::new();
        for s in sets {
            let sig = s.group_signature();
            let g = signatures
                .iter()
                .position(|x| *x == sig)
                .unwrap_or_else(|| {
                    signatures.push(sig);
                    signatures.len() - 1
                });
            set_group.push(g);
        }
        let mut nodes = NodePopulationWrite {
            name: name.to_string(),
            ..Default::default()
        };
        let mut group_rows = vec![0u64; signatures.len()];
        for (s, &g) in sets.iter().zip(&set_group) {
            for i in 0..s.count as u64 {
                nodes.node_ids.push(s.first_node_id + i);
                nodes.node_type_ids.push(s.node_type_id);
                nodes.node_group_ids.push(g as u32);
                nodes.node_group_index.push(group_rows[g]);
                group_rows[g] += 1;
            }
        }
        for g in 0..signatures.len() {
            let members: Vec<&NodeSet> = sets
                .iter()
                .zip(&set_group)
                .filter(|(_, &x)| x == g)
                .map(|(s, _)| s)
                .collect();
            let merged = merge_group_columns(&members).map_err(|message| Error::Nodes {
                node_set: set_group.iter().position(|&x| x == g).unwrap_or(0),
                message,
            })?;
            let columns = merged
                .into_iter()
                .map(|(name, c)| {
                    let column = match c {
                        NodeColumn::Int(v) => GroupColumn::Int(v),
                        NodeColumn::Float(v) => GroupColumn::Float(v),
                        NodeColumn::Rows { width, values } => {
                            GroupColumn::FloatRows { width, values }
                        }
                    };
                    (name, column)
                })
                .collect();
            nodes.groups.push(ColumnGroup {
                id: g as u32,
                columns,
            });
        }
        Ok(BuiltNetwork {
            name: name.to_string(),
            node_types: sets
                .iter()
                .map(|s| (s.node_type_id, s.constants.clone()))
                .collect(),
            nodes,
            edges,
        })
    }

    pub fn node_count(&self) -> usize {
        self.nodes.node_ids.len()
    }

    /// The h5 node data as it will be written.
    pub fn nodes(&self) -> &NodePopulationWrite {
        &self.nodes
    }

    /// The node-types CSV text: `node_type_id` then every constant in first-seen order.
    pub fn node_types_csv(&self) -> String {
        let mut columns: Vec<String> = vec!["node_type_id".into()];
        for (_, props) in &self.node_types {
            for (k, _) in props {
                if !columns.contains(k) {
                    columns.push(k.clone());
                }
            }
        }
        let mut text = csv_row(&columns);
        for (id, props) in &self.node_types {
            let cells: Vec<String> = columns
                .iter()
                .map(|c| {
                    if c == "node_type_id" {
                        return id.to_string();
                    }
                    props
                        .iter()
                        .find(|(k, _)| k == c)
                        .map(|(_, v)| v.py_str())
                        .unwrap_or_else(|| "NULL".into())
                })
                .collect();
            text.push_str(&csv_row(&cells));
        }
        text
    }

    /// The edge-types CSV text: `edge_type_id target_query source_query` then the constants.
    pub fn edge_types_csv(&self) -> String {
        let mut columns: Vec<String> = ["edge_type_id", "target_query", "source_query"]
            .map(String::from)
            .to_vec();
        for t in &self.edges.types {
            for (k, _) in &t.properties {
                if !columns.contains(k) {
                    columns.push(k.clone());
                }
            }
        }
        let mut text = csv_row(&columns);
        for t in &self.edges.types {
            let mut cells = vec![
                t.edge_type_id.to_string(),
                t.target_query.clone(),
                t.source_query.clone(),
            ];
            for c in &columns[3..] {
                cells.push(
                    t.properties
                        .iter()
                        .find(|(k, _)| k == c)
                        .map(|(_, v)| v.py_str())
                        .unwrap_or_else(|| "NULL".into()),
                );
            }
            text.push_str(&csv_row(&cells));
        }
        text
    }

    /// File names BMTK would use in `dir`.
    pub fn file_names(&self, dir: &Path) -> SavedFiles {
        let n = &self.name;
        SavedFiles {
            nodes_file: dir.join(format!("{n}_nodes.h5")),
            node_types_file: dir.join(format!("{n}_node_types.csv")),
            edges: (!self.edges.is_empty()).then(|| {
                (
                    dir.join(format!("{n}_{n}_edges.h5")),
                    dir.join(format!("{n}_{n}_edge_types.csv")),
                )
            }),
        }
    }

    /// Writes the SONATA files into `dir` (created if missing), uncompressed so that
    /// libsonata's PyPI wheels (built without gzip) can read them too.
    pub fn save(&self, dir: &Path) -> Result<SavedFiles> {
        self.save_with(dir, Compression::None)
    }

    /// [`save`](Self::save) with a choice of dataset compression (BMTK's default is gzip).
    pub fn save_with(&self, dir: &Path, compression: Compression) -> Result<SavedFiles> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(dir, "cannot create the output folder", e))?;
        let files = self.file_names(dir);
        write_nodes(
            &files.nodes_file,
            std::slice::from_ref(&self.nodes),
            compression,
        )?;
        write_text(&files.node_types_file, &self.node_types_csv())?;
        if let Some((h5, csv)) = &files.edges {
            write_edges(
                h5,
                std::slice::from_ref(&self.edges.population),
                compression,
            )?;
            write_text(csv, &self.edge_types_csv())?;
        }
        Ok(files)
    }
}

/// Writes `text` atomically (temporary name, then rename).
pub(crate) fn write_text(path: &Path, text: &str) -> Result<()> {
    let pending = sonata::atomic::PendingFile::new(path)?;
    std::fs::write(pending.temp_path(), text).map_err(|e| Error::io(path, "cannot write", e))?;
    pending.commit()?;
    Ok(())
}
