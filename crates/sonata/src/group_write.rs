//! Shared pieces of the node and edge writers: the column types a property group can hold
//! and the way every dataset is stored (contiguous, or chunked and gzip-compressed as BMTK's
//! h5py calls store them); files written twice from the same data are byte-identical.

use std::path::Path;

use rust_hdf5::{H5Dataset, H5Group, H5Type};

use crate::atomic::PendingFile;
use crate::error::{Error, Result};
use crate::h5write::{w, write_root_attrs};

/// Rows per chunk of a 1-D dataset; 2-D datasets keep whole rows within the same byte size.
const CHUNK_BYTES: usize = 1 << 19;

/// gzip level h5py uses for `compression='gzip'`.
const DEFLATE_LEVEL: u32 = 4;

/// How datasets are stored. BMTK's default is gzip; the libsonata wheels on PyPI are built
/// without the deflate filter and cannot read gzip datasets at all, so `None` (contiguous,
/// what BMTK writes with `compression='none'`) is the interoperable choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    #[default]
    None,
    Gzip,
}

/// One per-member column of a numbered property group (`/nodes/<pop>/0/<name>`).
#[derive(Debug, Clone, PartialEq)]
pub enum GroupColumn {
    /// float64, e.g. `syn_weight`, `x`.
    Float(Vec<f64>),
    /// int64, e.g. a per-node `layer` number.
    Int(Vec<i64>),
    /// uint32, what BMTK writes for `nsyns`.
    UInt32(Vec<u32>),
    /// float64 rows of `width` values, e.g. `positions` (N × 3), flattened row by row.
    FloatRows { width: usize, values: Vec<f64> },
}

impl GroupColumn {
    /// Number of members (rows) the column describes.
    pub fn rows(&self) -> usize {
        match self {
            GroupColumn::Float(v) => v.len(),
            GroupColumn::Int(v) => v.len(),
            GroupColumn::UInt32(v) => v.len(),
            GroupColumn::FloatRows { width, values } => values.len() / (*width).max(1),
        }
    }
}

/// A numbered property group and its columns, in the order they are written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ColumnGroup {
    pub id: u32,
    pub columns: Vec<(String, GroupColumn)>,
}

impl ColumnGroup {
    /// Checks every column has `rows` rows (and 2-D columns a non-zero width).
    pub(crate) fn check(&self, path: &Path, object: &str, rows: usize) -> Result<()> {
        for (name, column) in &self.columns {
            if let GroupColumn::FloatRows { width, values } = column {
                if *width == 0 || values.len() % width != 0 {
                    return Err(Error::write(
                        path,
                        format!(
                            "{object}/{name}: {} values do not make rows of {width}",
                            values.len()
                        ),
                    ));
                }
            }
            if column.rows() != rows {
                return Err(Error::write(
                    path,
                    format!(
                        "{object}/{name}: has {} rows, the group has {rows} members",
                        column.rows()
                    ),
                ));
            }
        }
        Ok(())
    }

    pub(crate) fn write(
        &self,
        path: &Path,
        parent: &H5Group,
        object: &str,
        compression: Compression,
    ) -> Result<()> {
        let what = format!("{object}/{}", self.id);
        let g = w(path, &what, parent.create_group(&self.id.to_string()))?;
        for (name, column) in &self.columns {
            let what = format!("{what}/{name}");
            match column {
                GroupColumn::Float(v) => drop(write_1d(path, &g, &what, name, v, compression)?),
                GroupColumn::Int(v) => drop(write_1d(path, &g, &what, name, v, compression)?),
                GroupColumn::UInt32(v) => drop(write_1d(path, &g, &what, name, v, compression)?),
                GroupColumn::FloatRows { width, values } => {
                    write_2d(path, &g, &what, name, *width, values, compression)?
                }
            }
        }
        Ok(())
    }
}

/// Checks a population before anything is written: every per-member dataset in `lengths`
/// has as many entries as `reference` (the id column that defines the member count), and
/// each group's columns have one row per member whose group id names that group.
pub(crate) fn check_population<G: Copy + Into<u32>>(
    path: &Path,
    object: &str,
    reference: (&str, usize),
    lengths: &[(&str, usize)],
    group_ids: &[G],
    groups: &[ColumnGroup],
) -> Result<()> {
    let (reference_name, n) = reference;
    for &(what, len) in lengths {
        if len != n {
            return Err(Error::write(
                path,
                format!("{object}/{what}: has {len} entries, {reference_name} has {n}"),
            ));
        }
    }
    for group in groups {
        let rows = group_ids
            .iter()
            .filter(|g| (**g).into() == group.id)
            .count();
        group.check(path, &format!("{object}/{}", group.id), rows)?;
    }
    Ok(())
}

/// Writes a SONATA population file atomically: root attributes, the `/<kind>` group, and
/// for each population a `/<kind>/<name>` group that `write_population` fills (it is given
/// the population, its group and the group's object path).
pub(crate) fn write_population_file<P>(
    path: &Path,
    kind: &str,
    populations: &[P],
    name_of: impl Fn(&P) -> &str,
    mut write_population: impl FnMut(&P, &H5Group, &str) -> Result<()>,
) -> Result<()> {
    let pending = PendingFile::new(path)?;
    let file = w(
        path,
        "create",
        rust_hdf5::H5File::create(pending.temp_path()),
    )?;
    write_root_attrs(path, &file)?;
    let root = w(path, &format!("group /{kind}"), file.create_group(kind))?;
    for p in populations {
        let name = name_of(p);
        let object = format!("/{kind}/{name}");
        let g = w(path, &object, root.create_group(name))?;
        write_population(p, &g, &object)?;
    }
    w(path, "close", file.close())?;
    pending.commit()?;
    Ok(())
}

/// Writes the three membership datasets of a population (type ids, group ids, group
/// indices), named by `names` in that order, under `g` (object path `object`).
pub(crate) fn write_membership<T: H5Type, G: H5Type, I: H5Type>(
    path: &Path,
    g: &H5Group,
    object: &str,
    names: [&str; 3],
    columns: (&[T], &[G], &[I]),
    compression: Compression,
) -> Result<()> {
    let [type_name, group_id_name, group_index_name] = names;
    let (type_ids, group_ids, group_index) = columns;
    let what = |name: &str| format!("{object}/{name}");
    write_1d(path, g, &what(type_name), type_name, type_ids, compression)?;
    write_1d(
        path,
        g,
        &what(group_id_name),
        group_id_name,
        group_ids,
        compression,
    )?;
    write_1d(
        path,
        g,
        &what(group_index_name),
        group_index_name,
        group_index,
        compression,
    )?;
    Ok(())
}

/// A 1-D dataset: contiguous, or chunked and deflated (not when empty: an empty chunk grid
/// is not valid HDF5).
pub(crate) fn write_1d<T: H5Type>(
    path: &Path,
    g: &H5Group,
    what: &str,
    name: &str,
    values: &[T],
    compression: Compression,
) -> Result<H5Dataset> {
    let n = values.len();
    let builder = g.new_dataset::<T>().shape([n]);
    let ds = if n == 0 || compression == Compression::None {
        w(path, what, builder.create(name))?
    } else {
        let rows = (CHUNK_BYTES / std::mem::size_of::<T>().max(1)).clamp(1, n);
        w(
            path,
            what,
            builder.chunk(&[rows]).deflate(DEFLATE_LEVEL).create(name),
        )?
    };
    if n > 0 {
        w(path, what, ds.write_raw(values))?;
    }
    Ok(ds)
}

/// A 2-D dataset of `width` columns given row by row.
pub(crate) fn write_2d<T: H5Type>(
    path: &Path,
    g: &H5Group,
    what: &str,
    name: &str,
    width: usize,
    values: &[T],
    compression: Compression,
) -> Result<()> {
    let n = values.len() / width.max(1);
    let builder = g.new_dataset::<T>().shape([n, width]);
    let ds = if n == 0 || compression == Compression::None {
        w(path, what, builder.create(name))?
    } else {
        let row_bytes = std::mem::size_of::<T>().max(1) * width.max(1);
        let rows = (CHUNK_BYTES / row_bytes).clamp(1, n);
        w(
            path,
            what,
            builder
                .chunk(&[rows, width])
                .deflate(DEFLATE_LEVEL)
                .create(name),
        )?
    };
    if n > 0 {
        w(path, what, ds.write_raw(values))?;
    }
    Ok(())
}
