//! Writing SONATA node files in the layout BMTK's `NetworkBuilder` produces:
//! `/nodes/<population>/{node_id, node_type_id (uint64), node_group_id (uint32),
//! node_group_index (uint64)}`, numbered property groups, and the root `magic`/`version`
//! attributes. The node-types CSV is the caller's business (see [`crate::table`]).

use std::path::Path;

use crate::atomic::PendingFile;
use crate::error::{Error, Result};
use crate::group_write::{write_1d, ColumnGroup, Compression};
use crate::h5write::{w, write_root_attrs};

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
        let n = self.node_ids.len();
        let object = format!("/nodes/{}", self.name);
        for (what, len) in [
            ("node_type_id", self.node_type_ids.len()),
            ("node_group_id", self.node_group_ids.len()),
            ("node_group_index", self.node_group_index.len()),
        ] {
            if len != n {
                return Err(Error::write(
                    path,
                    format!("{object}/{what}: has {len} entries, node_id has {n}"),
                ));
            }
        }
        for group in &self.groups {
            let rows = self
                .node_group_ids
                .iter()
                .filter(|g| **g == group.id)
                .count();
            group.check(path, &format!("{object}/{}", group.id), rows)?;
        }
        Ok(())
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
    let pending = PendingFile::new(path)?;
    let file = w(
        path,
        "create",
        rust_hdf5::H5File::create(pending.temp_path()),
    )?;
    write_root_attrs(path, &file)?;
    let root = w(path, "group /nodes", file.create_group("nodes"))?;
    for p in populations {
        let object = format!("/nodes/{}", p.name);
        let g = w(path, &object, root.create_group(&p.name))?;
        let ds = |name: &str| format!("{object}/{name}");
        write_1d(
            path,
            &g,
            &ds("node_id"),
            "node_id",
            &p.node_ids,
            compression,
        )?;
        write_1d(
            path,
            &g,
            &ds("node_type_id"),
            "node_type_id",
            &p.node_type_ids,
            compression,
        )?;
        write_1d(
            path,
            &g,
            &ds("node_group_id"),
            "node_group_id",
            &p.node_group_ids,
            compression,
        )?;
        write_1d(
            path,
            &g,
            &ds("node_group_index"),
            "node_group_index",
            &p.node_group_index,
            compression,
        )?;
        for group in &p.groups {
            group.write(path, &g, &object, compression)?;
        }
    }
    w(path, "close", file.close())?;
    pending.commit()?;
    Ok(())
}
