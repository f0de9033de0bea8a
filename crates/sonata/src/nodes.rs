//! SONATA node files: `/nodes/<population>/{node_id, node_type_id, node_group_id,
//! node_group_index}` plus numbered groups of per-node columns, merged with a node-types CSV.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::population::{
    member_accessors, open_population_file, read_members, Members, PopulationFile,
};
use crate::properties::Property;

/// One node population, fully loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct NodePopulation {
    pub name: String,
    /// The `.h5` file it came from.
    pub file: PathBuf,
    /// Node ids in file order (`node_id` dataset, or 0..n when the file has none).
    pub node_ids: Vec<u64>,
    members: Members,
    index_by_id: HashMap<u64, usize>,
}

impl NodePopulation {
    pub fn len(&self) -> usize {
        self.node_ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.node_ids.is_empty()
    }

    /// Position of `node_id` in this population.
    pub fn index_of(&self, node_id: u64) -> Option<usize> {
        self.index_by_id.get(&node_id).copied()
    }

    /// A property of the node at `index`: its group's h5 column if it has one, else the
    /// node-types CSV cell (BMTK's precedence). `None` if neither has a value.
    pub fn property(&self, index: usize, name: &str) -> Option<Property<'_>> {
        match name {
            "node_type_id" => self.members.type_ids.get(index).map(|v| Property::UInt(*v)),
            "node_id" => self.node_ids.get(index).map(|v| Property::UInt(*v)),
            _ => self.members.property(index, name),
        }
    }

    member_accessors!(node_type_id, node_type_ids);
}

/// Reads every population of a nodes file, with its node-types CSV if given.
pub fn read_nodes(
    nodes_file: &Path,
    node_types_file: Option<&Path>,
) -> Result<Vec<NodePopulation>> {
    let PopulationFile {
        h5,
        populations,
        types,
    } = open_population_file(nodes_file, node_types_file, "nodes", "node_type_id")?;
    let mut out = Vec::new();
    for name in populations {
        let prefix = format!("/nodes/{name}");
        let group = h5.group(&prefix)?;
        let (_, datasets) = h5.members(&group, &prefix)?;
        let type_object = format!("{prefix}/node_type_id");
        if !datasets.iter().any(|d| d == "node_type_id") {
            return Err(Error::sonata(
                nodes_file,
                prefix,
                "missing dataset `node_type_id`",
            ));
        }
        let count = h5
            .dataset(&group, &prefix, "node_type_id")?
            .shape()
            .first()
            .copied();
        let count =
            count.ok_or_else(|| Error::sonata(nodes_file, &type_object, "is not 1-D"))? as usize;
        let node_ids = if datasets.iter().any(|d| d == "node_id") {
            let object = format!("{prefix}/node_id");
            let ids = h5.ids(&h5.dataset(&group, &prefix, "node_id")?, &object)?;
            if ids.len() != count {
                return Err(Error::sonata(
                    nodes_file,
                    object,
                    format!("has {} entries, node_type_id has {count}", ids.len()),
                ));
            }
            ids
        } else {
            (0..count as u64).collect()
        };
        let mut index_by_id = HashMap::with_capacity(count);
        for (i, id) in node_ids.iter().enumerate() {
            if index_by_id.insert(*id, i).is_some() {
                return Err(Error::sonata(
                    nodes_file,
                    format!("{prefix}/node_id"),
                    format!("node id {id} appears twice"),
                ));
            }
        }
        let members = read_members(
            &h5,
            &prefix,
            count,
            ["node_type_id", "node_group_id", "node_group_index"],
            types.clone(),
        )?;
        out.push(NodePopulation {
            name,
            file: nodes_file.to_path_buf(),
            node_ids,
            members,
            index_by_id,
        });
    }
    Ok(out)
}
