//! What node and edge populations share: per-element type ids and group membership, group
//! columns read from HDF5, and property lookup with BMTK's precedence (group column first,
//! then the types CSV).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::h5::H5File;
use crate::properties::{Column, Property};
use crate::types_table::TypesTable;

/// One `<population>/<group_id>` group: per-member columns.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyGroup {
    pub id: u64,
    pub columns: BTreeMap<String, Column>,
}

/// Type ids, group membership and the property sources of a population.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Members {
    pub type_ids: Vec<u64>,
    pub group_ids: Vec<u64>,
    pub group_index: Vec<u64>,
    /// For each member, the position of its group in `groups`.
    pub group_slot: Vec<u32>,
    pub groups: Vec<PropertyGroup>,
    pub types: Option<Arc<TypesTable>>,
}

impl Members {
    pub fn property(&self, index: usize, name: &str) -> Option<Property<'_>> {
        let slot = *self.group_slot.get(index)? as usize;
        let row = self.group_index[index] as usize;
        if let Some(column) = self.groups[slot].columns.get(name) {
            return column.get(row);
        }
        let types = self.types.as_ref()?;
        types.get(self.type_ids[index], name).map(Property::Str)
    }

    pub fn column_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for g in &self.groups {
            names.extend(g.columns.keys().cloned());
        }
        if let Some(t) = &self.types {
            names.extend(t.table.header.iter().cloned());
        }
        names.sort();
        names.dedup();
        names
    }
}

/// The accessors node and edge populations share, all answered by their `members` field:
/// the type id of one member and of all, the property groups, the types table and the
/// property names. `$one` and `$all` name the type-id accessors (`node_type_id`, …).
macro_rules! member_accessors {
    ($one:ident, $all:ident) => {
        #[doc = concat!("The `", stringify!($one), "` of the member at `index`.")]
        pub fn $one(&self, index: usize) -> u64 {
            self.members.type_ids[index]
        }

        #[doc = concat!("Every member's `", stringify!($one), "`, in file order.")]
        pub fn $all(&self) -> &[u64] {
            &self.members.type_ids
        }

        /// The numbered property groups of the h5 file.
        pub fn groups(&self) -> &[$crate::population::PropertyGroup] {
            &self.members.groups
        }

        /// The types table (node- or edge-types CSV), if one was given.
        pub fn types(&self) -> Option<&$crate::types_table::TypesTable> {
            self.members.types.as_deref()
        }

        /// Every property name available from the h5 groups or the CSV.
        pub fn property_names(&self) -> Vec<String> {
            self.members.column_names()
        }
    };
}
pub(crate) use member_accessors;

/// An opened SONATA population file: the HDF5 file, the names of the populations under
/// its `/<kind>` group, and the types CSV shared by all of them.
pub(crate) struct PopulationFile {
    pub h5: H5File,
    pub populations: Vec<String>,
    pub types: Option<Arc<TypesTable>>,
}

/// Reads the types CSV (keyed by `type_key`) if given, then opens `file` and lists the
/// populations of its `/<kind>` group (`kind` is `nodes` or `edges`).
pub(crate) fn open_population_file(
    file: &Path,
    types_file: Option<&Path>,
    kind: &str,
    type_key: &str,
) -> Result<PopulationFile> {
    let types = match types_file {
        Some(p) => Some(Arc::new(TypesTable::read(p, type_key)?)),
        None => None,
    };
    let h5 = H5File::open(file)?;
    let root_name = format!("/{kind}");
    let root = h5.group(&root_name).map_err(|_| {
        Error::sonata(
            file,
            &root_name,
            format!("not a SONATA {kind} file: no {root_name} group"),
        )
    })?;
    let (populations, _) = h5.members(&root, &root_name)?;
    Ok(PopulationFile {
        h5,
        populations,
        types,
    })
}

/// Reads `<prefix>/{type_key, group_id_key, group_index_key}` and the numbered groups, and
/// checks they agree with each other and with the types table.
pub(crate) fn read_members(
    h5: &H5File,
    prefix: &str,
    count: usize,
    keys: [&str; 3],
    types: Option<Arc<TypesTable>>,
) -> Result<Members> {
    let [type_key, group_id_key, group_index_key] = keys;
    let group = h5.group(prefix)?;
    let (subgroups, datasets) = h5.members(&group, prefix)?;
    let read_ids = |name: &str| -> Result<Option<Vec<u64>>> {
        if !datasets.iter().any(|d| d == name) {
            return Ok(None);
        }
        let object = format!("{prefix}/{name}");
        let ds = h5.dataset(&group, prefix, name)?;
        let ids = h5.ids(&ds, &object)?;
        if ids.len() != count {
            return Err(Error::sonata(
                &h5.path,
                object,
                format!("has {} entries, expected {count}", ids.len()),
            ));
        }
        Ok(Some(ids))
    };
    let type_ids = read_ids(type_key)?
        .ok_or_else(|| Error::sonata(&h5.path, prefix, format!("missing dataset `{type_key}`")))?;
    let group_ids = read_ids(group_id_key)?.unwrap_or_else(|| vec![0; count]);
    let group_index = match read_ids(group_index_key)? {
        Some(v) => v,
        None => (0..count as u64).collect(),
    };

    let mut groups = Vec::new();
    for name in subgroups.iter().filter(|n| n.parse::<u64>().is_ok()) {
        let object = format!("{prefix}/{name}");
        let g = h5.group(&object)?;
        let (_, columns) = h5.members(&g, &object)?;
        let mut map = BTreeMap::new();
        for col in columns {
            let ds = h5.dataset(&g, &object, &col)?;
            let col_object = format!("{object}/{col}");
            if ds.ndim() != 1 {
                continue; // e.g. 2-D extras; SONATA property columns are 1-D
            }
            map.insert(col.clone(), h5.column(&ds, &col_object)?);
        }
        groups.push(PropertyGroup {
            id: name.parse().unwrap_or(0),
            columns: map,
        });
    }
    groups.sort_by_key(|g| g.id);

    let mut group_slot = Vec::with_capacity(count);
    for i in 0..count {
        let gid = group_ids[i];
        let slot = groups.iter().position(|g| g.id == gid);
        let slot = match slot {
            Some(s) => s,
            None if groups.is_empty() => {
                // No group at all: an implicit empty group 0 (property lookups go to the CSV).
                groups.push(PropertyGroup {
                    id: gid,
                    columns: BTreeMap::new(),
                });
                groups.len() - 1
            }
            None => {
                return Err(Error::sonata(
                    &h5.path,
                    format!("{prefix}/{group_id_key}"),
                    format!("entry {i} names group {gid}, which does not exist"),
                ))
            }
        };
        let row = group_index[i];
        for (name, column) in &groups[slot].columns {
            if row as usize >= column.len() {
                return Err(Error::sonata(
                    &h5.path,
                    format!("{prefix}/{group_index_key}"),
                    format!(
                        "entry {i} points at row {row} of group {gid}, but column `{name}` has {} rows",
                        column.len()
                    ),
                ));
            }
        }
        group_slot.push(slot as u32);
        if let Some(t) = &types {
            if !t.contains(type_ids[i]) {
                return Err(Error::sonata(
                    &h5.path,
                    format!("{prefix}/{type_key}"),
                    format!(
                        "entry {i} has type {}, which {} does not define",
                        type_ids[i],
                        t.table.path.display()
                    ),
                ));
            }
        }
    }
    Ok(Members {
        type_ids,
        group_ids,
        group_index,
        group_slot,
        groups,
        types,
    })
}
