//! SONATA edge files: `/edges/<population>/{source_node_id, target_node_id}` (each with a
//! `node_population` attribute), `edge_type_id`, `edge_group_id`, `edge_group_index`, numbered
//! groups of per-edge columns (`syn_weight`, `delay`, `afferent_section_id`, `sec_x`, `nsyns`,
//! …), merged with an edge-types CSV. `indices/*` groups may be present and are not needed.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::population::{
    member_accessors, open_population_file, read_members, Members, PopulationFile,
};
use crate::properties::Property;

/// One edge population, fully loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgePopulation {
    pub name: String,
    pub file: PathBuf,
    /// Node population of the sources (`source_node_id@node_population`).
    pub source_population: String,
    /// Node population of the targets (`target_node_id@node_population`).
    pub target_population: String,
    pub source_node_ids: Vec<u64>,
    pub target_node_ids: Vec<u64>,
    members: Members,
}

impl EdgePopulation {
    pub fn len(&self) -> usize {
        self.source_node_ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.source_node_ids.is_empty()
    }

    /// A property of edge `index`: h5 group column first, then the edge-types CSV cell.
    pub fn property(&self, index: usize, name: &str) -> Option<Property<'_>> {
        match name {
            "edge_type_id" => self.members.type_ids.get(index).map(|v| Property::UInt(*v)),
            "source_node_id" => self.source_node_ids.get(index).map(|v| Property::UInt(*v)),
            "target_node_id" => self.target_node_ids.get(index).map(|v| Property::UInt(*v)),
            _ => self.members.property(index, name),
        }
    }

    member_accessors!(edge_type_id, edge_type_ids);
}

/// Reads every population of an edges file, with its edge-types CSV if given.
pub fn read_edges(
    edges_file: &Path,
    edge_types_file: Option<&Path>,
) -> Result<Vec<EdgePopulation>> {
    let PopulationFile {
        h5,
        populations,
        types,
    } = open_population_file(edges_file, edge_types_file, "edges", "edge_type_id")?;
    let mut out = Vec::new();
    for name in populations {
        let prefix = format!("/edges/{name}");
        let group = h5.group(&prefix)?;
        let (_, datasets) = h5.members(&group, &prefix)?;
        let mut ends = Vec::new();
        for key in ["source_node_id", "target_node_id"] {
            let object = format!("{prefix}/{key}");
            if !datasets.iter().any(|d| d == key) {
                return Err(Error::sonata(
                    edges_file,
                    prefix,
                    format!("missing dataset `{key}`"),
                ));
            }
            let ds = h5.dataset(&group, &prefix, key)?;
            let ids = h5.ids(&ds, &object)?;
            let population = h5
                .dataset_string_attr(&ds, &object, "node_population")?
                .ok_or_else(|| {
                    Error::sonata(edges_file, &object, "missing attribute `node_population`")
                })?;
            ends.push((ids, population));
        }
        let (target_node_ids, target_population) = ends.pop().unwrap_or_default();
        let (source_node_ids, source_population) = ends.pop().unwrap_or_default();
        if source_node_ids.len() != target_node_ids.len() {
            return Err(Error::sonata(
                edges_file,
                format!("{prefix}/target_node_id"),
                format!(
                    "has {} entries, source_node_id has {}",
                    target_node_ids.len(),
                    source_node_ids.len()
                ),
            ));
        }
        let members = read_members(
            &h5,
            &prefix,
            source_node_ids.len(),
            ["edge_type_id", "edge_group_id", "edge_group_index"],
            types.clone(),
        )?;
        out.push(EdgePopulation {
            name,
            file: edges_file.to_path_buf(),
            source_population,
            target_population,
            source_node_ids,
            target_node_ids,
            members,
        });
    }
    Ok(out)
}
