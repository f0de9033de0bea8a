//! Writing SONATA node files in the layout BMTK's `NetworkBuilder` produces:
//! `/nodes/<population>/{node_id, node_type_id (uint64), node_group_id (uint32),
//! node_group_index (uint64)}`, numbered property groups, and the root `magic`/`version`
//! attributes. The node-types CSV is the caller's business (see [`crate::table`]).

use std::path::Path;

use crate::error::Result;
use crate::group_write::{
    check_population, write_1d, write_membership, write_population_file, ColumnGroup, Compression,
};

/// One node population to write.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NodePopulationWrite {
    pub name: String,
    pub node_ids: Vec<u64>,
    pub node_type_ids: Vec<u64>,
    pub node_group_ids: Vec<u32>,
    pub node_group_index: Vec<u64>,
    /// Every group named in `node_group_ids`, even when it has no columns (BMTK writes an
    /// empty `0` group for nodes whose properties all live in the node-types CSV).
    pub groups: Vec<ColumnGroup>,
}

impl NodePopulationWrite {
    fn check(&self, path: &Path) -> Result<()> {
        check_population(
            path,
            &format!("/nodes/{}", self.name),
            ("node_id", self.node_ids.len()),
            &[
                ("node_type_id", self.node_type_ids.len()),
                ("node_group_id", self.node_group_ids.len()),
                ("node_group_index", self.node_group_index.len()),
            ],
            &self.node_group_ids,
            &self.groups,
        )
    }
}

/// Writes `populations` to `path` (atomically: a temporary file renamed when complete).
pub fn write_nodes(
    path: &Path,
    populations: &[NodePopulationWrite],
    compression: Compression,
) -> Result<()> {
    for p in populations {
        p.check(path)?;
    }
    write_population_file(
        path,
        "nodes",
        populations,
        |p| p.name.as_str(),
        |p, g, object| {
            write_1d(
                path,
                g,
                &format!("{object}/node_id"),
                "node_id",
                &p.node_ids,
                compression,
            )?;
            write_membership(
                path,
                g,
                object,
                ["node_type_id", "node_group_id", "node_group_index"],
                (&p.node_type_ids, &p.node_group_ids, &p.node_group_index),
                compression,
            )?;
            for group in &p.groups {
                group.write(path, g, object, compression)?;
            }
            Ok(())
        },
    )
}
