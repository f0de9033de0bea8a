//! Writing SONATA edge files in the layout BMTK's `NetworkBuilder` produces:
//! `/edges/<population>/{source_node_id, target_node_id}` (uint64, each with a
//! `node_population` attribute), `edge_type_id` (uint32), `edge_group_id` (uint16),
//! `edge_group_index` (uint32), numbered property groups, and the lookup indices
//! `indices/source_to_target` and `indices/target_to_source`.
//!
//! # The indices
//! For a column of node ids $c_0 \dots c_{E-1}$ (sources or targets), every maximal run of
//! equal ids $c_b = \dots = c_{e-1}$ becomes a row $[b, e)$ of `range_to_edge_id`; rows are
//! ordered by node id (runs of one id keep their file order), and row $n$ of
//! `node_id_to_range` is the half-open span of `range_to_edge_id` rows belonging to node $n$,
//! $[0, 0)$ for a node with no edges. Like BMTK, `node_id_to_range` has $\max_i c_i + 1$ rows.
//! It is also linked as `node_id_to_ranges`, the name the SONATA spec and libsonata use.

use std::path::Path;

use crate::error::Result;
use crate::group_write::{
    check_population, write_1d, write_2d, write_membership, write_population_file, ColumnGroup,
    Compression,
};
use crate::h5write::{dataset_string_attr, w};

/// One edge population to write. Edges are written in the given order (BMTK sorts by
/// target before writing; so should the caller, for readers that expect it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EdgePopulationWrite {
    pub name: String,
    pub source_population: String,
    pub target_population: String,
    pub source_node_ids: Vec<u64>,
    pub target_node_ids: Vec<u64>,
    pub edge_type_ids: Vec<u32>,
    pub edge_group_ids: Vec<u16>,
    pub edge_group_index: Vec<u32>,
    pub groups: Vec<ColumnGroup>,
}

/// A SONATA edge index over one node-id column (see the module docs).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EdgeIndex {
    pub node_id_to_range: Vec<[u64; 2]>,
    pub range_to_edge_id: Vec<[u64; 2]>,
}

/// Builds the index of a node-id column (`source_node_id` or `target_node_id`).
pub fn build_edge_index(ids: &[u64]) -> EdgeIndex {
    // Runs of equal ids: (id, begin, end).
    let mut runs: Vec<(u64, u64, u64)> = Vec::new();
    for (i, &id) in ids.iter().enumerate() {
        match runs.last_mut() {
            Some(run) if run.0 == id => run.2 = i as u64 + 1,
            _ => runs.push((id, i as u64, i as u64 + 1)),
        }
    }
    // Stable: runs of one id stay in file order, so the index is a pure function of `ids`.
    runs.sort_by_key(|r| r.0);
    let max_id = runs.last().map(|r| r.0 as usize + 1).unwrap_or(0);
    let mut node_id_to_range = vec![[0u64, 0u64]; max_id];
    let mut start = 0usize;
    while start < runs.len() {
        let id = runs[start].0;
        let mut end = start;
        while end < runs.len() && runs[end].0 == id {
            end += 1;
        }
        node_id_to_range[id as usize] = [start as u64, end as u64];
        start = end;
    }
    EdgeIndex {
        node_id_to_range,
        range_to_edge_id: runs.iter().map(|r| [r.1, r.2]).collect(),
    }
}

impl EdgePopulationWrite {
    fn check(&self, path: &Path) -> Result<()> {
        check_population(
            path,
            &format!("/edges/{}", self.name),
            ("source_node_id", self.source_node_ids.len()),
            &[
                ("target_node_id", self.target_node_ids.len()),
                ("edge_type_id", self.edge_type_ids.len()),
                ("edge_group_id", self.edge_group_ids.len()),
                ("edge_group_index", self.edge_group_index.len()),
            ],
            &self.edge_group_ids,
            &self.groups,
        )
    }
}

fn write_index(
    path: &Path,
    parent: &rust_hdf5::H5Group,
    object: &str,
    name: &str,
    ids: &[u64],
    compression: Compression,
) -> Result<()> {
    let index = build_edge_index(ids);
    let what = format!("{object}/indices/{name}");
    let g = w(path, &what, parent.create_group(name))?;
    let flat = |rows: &[[u64; 2]]| rows.iter().flatten().copied().collect::<Vec<u64>>();
    write_2d(
        path,
        &g,
        &format!("{what}/node_id_to_range"),
        "node_id_to_range",
        2,
        &flat(&index.node_id_to_range),
        compression,
    )?;
    write_2d(
        path,
        &g,
        &format!("{what}/range_to_edge_id"),
        "range_to_edge_id",
        2,
        &flat(&index.range_to_edge_id),
        compression,
    )?;
    // BMTK reads `node_id_to_range`; the SONATA spec (and libsonata) says
    // `node_id_to_ranges`. A hard link gives both readers their name for the same data.
    w(
        path,
        &format!("{what}/node_id_to_ranges"),
        g.link(
            "node_id_to_ranges",
            &format!("{object}/indices/{name}/node_id_to_range"),
        ),
    )
}

/// Writes `populations` to `path` (atomically: a temporary file renamed when complete).
pub fn write_edges(
    path: &Path,
    populations: &[EdgePopulationWrite],
    compression: Compression,
) -> Result<()> {
    for p in populations {
        p.check(path)?;
    }
    write_population_file(
        path,
        "edges",
        populations,
        |p| p.name.as_str(),
        |p, g, object| {
            for (name, ids, population) in [
                ("source_node_id", &p.source_node_ids, &p.source_population),
                ("target_node_id", &p.target_node_ids, &p.target_population),
            ] {
                let what = format!("{object}/{name}");
                let handle = write_1d(path, g, &what, name, ids, compression)?;
                dataset_string_attr(path, &handle, "node_population", population)?;
            }
            write_membership(
                path,
                g,
                object,
                ["edge_type_id", "edge_group_id", "edge_group_index"],
                (&p.edge_type_ids, &p.edge_group_ids, &p.edge_group_index),
                compression,
            )?;
            for group in &p.groups {
                group.write(path, g, object, compression)?;
            }
            let indices = w(
                path,
                &format!("{object}/indices"),
                g.create_group("indices"),
            )?;
            for (name, ids) in [
                ("source_to_target", &p.source_node_ids),
                ("target_to_source", &p.target_node_ids),
            ] {
                write_index(path, &indices, object, name, ids, compression)?;
            }
            Ok(())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_groups_runs_by_id_in_file_order() {
        // BMTK's own example: [10 10 10 10 10 32 32 32 10 10] → 10: (0, 5), (8, 10); 32: (5, 8).
        let index = build_edge_index(&[10, 10, 10, 10, 10, 32, 32, 32, 10, 10]);
        assert_eq!(index.range_to_edge_id, vec![[0, 5], [8, 10], [5, 8]]);
        assert_eq!(index.node_id_to_range.len(), 33);
        assert_eq!(index.node_id_to_range[10], [0, 2]);
        assert_eq!(index.node_id_to_range[32], [2, 3]);
        assert_eq!(index.node_id_to_range[0], [0, 0]);
        assert_eq!(build_edge_index(&[]), EdgeIndex::default());
    }
}
