//! Thin, panic-proof wrappers around `hdf5-reader` for the SONATA readers.
//!
//! Every call into the decoder goes through [`guard`], which turns its errors into
//! [`Error::Hdf5`] naming the file and object. As a last resort `guard` also catches a panic
//! inside the decoder (none is known; the crate is fuzzed upstream) so that a corrupt file can
//! never abort a run: the panic becomes an ordinary error.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use hdf5_reader::group::Group;
use hdf5_reader::{Dataset, Datatype, Hdf5File};

use crate::error::{Error, Result};
use crate::properties::Column;

/// Runs one decoder call, mapping errors and panics to [`Error::Hdf5`].
pub(crate) fn guard<T>(
    path: &Path,
    object: &str,
    f: impl FnOnce() -> hdf5_reader::error::Result<T>,
) -> Result<T> {
    let to_error = |message: String| Error::Hdf5 {
        path: path.to_path_buf(),
        object: object.to_string(),
        message,
    };
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_error(e.to_string())),
        Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "decoder panicked".into());
            Err(to_error(format!("corrupt file (decoder failure: {text})")))
        }
    }
}

/// An open HDF5 file with its path, for error messages.
pub(crate) struct H5File {
    pub path: PathBuf,
    pub file: Hdf5File,
}

impl H5File {
    pub fn open(path: &Path) -> Result<H5File> {
        // Read the bytes ourselves: a missing file is an I/O error, not an HDF5 one, and the
        // decoder then never maps a file that could change under it.
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, "cannot read", e))?;
        let file = guard(path, "file", || Hdf5File::from_vec(bytes))?;
        Ok(H5File {
            path: path.to_path_buf(),
            file,
        })
    }

    pub fn group(&self, object: &str) -> Result<Group> {
        guard(&self.path, object, || self.file.group(object))
    }

    /// Names of the subgroups and datasets of `group`.
    pub fn members(&self, group: &Group, object: &str) -> Result<(Vec<String>, Vec<String>)> {
        guard(&self.path, object, || group.member_names())
    }

    pub fn dataset(&self, group: &Group, object: &str, name: &str) -> Result<Dataset> {
        guard(&self.path, &format!("{object}/{name}"), || {
            group.dataset(name)
        })
    }

    /// A string attribute of a dataset, if present.
    pub fn dataset_string_attr(
        &self,
        ds: &Dataset,
        object: &str,
        name: &str,
    ) -> Result<Option<String>> {
        match ds.attributes().into_iter().find(|a| a.name == name) {
            None => Ok(None),
            Some(a) => guard(&self.path, &format!("{object}@{name}"), || a.read_string()).map(Some),
        }
    }

    /// Reads a 1-D dataset of any integer, float or string type.
    pub fn column(&self, ds: &Dataset, object: &str) -> Result<Column> {
        if ds.ndim() != 1 {
            return Err(Error::sonata(
                &self.path,
                object,
                format!("expected a 1-D dataset, found shape {:?}", ds.shape()),
            ));
        }
        let p = &self.path;
        let read = |dtype: &Datatype| -> Result<Column> {
            Ok(match dtype {
                Datatype::FixedPoint { size, signed, .. } => match (size, signed) {
                    (1, false) => Column::UInt(widen(guard(p, object, || ds.read_array::<u8>())?)),
                    (2, false) => Column::UInt(widen(guard(p, object, || ds.read_array::<u16>())?)),
                    (4, false) => Column::UInt(widen(guard(p, object, || ds.read_array::<u32>())?)),
                    (8, false) => Column::UInt(widen(guard(p, object, || ds.read_array::<u64>())?)),
                    (1, true) => Column::Int(widen(guard(p, object, || ds.read_array::<i8>())?)),
                    (2, true) => Column::Int(widen(guard(p, object, || ds.read_array::<i16>())?)),
                    (4, true) => Column::Int(widen(guard(p, object, || ds.read_array::<i32>())?)),
                    (8, true) => Column::Int(widen(guard(p, object, || ds.read_array::<i64>())?)),
                    _ => return Err(unsupported(p, object, dtype)),
                },
                Datatype::FloatingPoint { size: 4, .. } => {
                    Column::Float(widen(guard(p, object, || ds.read_array::<f32>())?))
                }
                Datatype::FloatingPoint { size: 8, .. } => Column::Float(
                    guard(p, object, || ds.read_array::<f64>())?
                        .into_iter()
                        .collect(),
                ),
                Datatype::String { .. } | Datatype::VarLen { .. } => {
                    Column::Str(guard(p, object, || ds.read_strings())?)
                }
                _ => return Err(unsupported(p, object, dtype)),
            })
        };
        read(ds.dtype())
    }

    /// Reads a 1-D integer dataset as non-negative `u64` ids.
    pub fn ids(&self, ds: &Dataset, object: &str) -> Result<Vec<u64>> {
        match self.column(ds, object)? {
            Column::UInt(v) => Ok(v),
            Column::Int(v) => v
                .into_iter()
                .map(|x| {
                    u64::try_from(x)
                        .map_err(|_| Error::sonata(&self.path, object, format!("negative id {x}")))
                })
                .collect(),
            _ => Err(Error::sonata(
                &self.path,
                object,
                "expected an integer dataset",
            )),
        }
    }

    /// Reads a 1-D numeric dataset as `f64`.
    pub fn floats(&self, ds: &Dataset, object: &str) -> Result<Vec<f64>> {
        match self.column(ds, object)? {
            Column::Float(v) => Ok(v),
            Column::UInt(v) => Ok(v.into_iter().map(|x| x as f64).collect()),
            Column::Int(v) => Ok(v.into_iter().map(|x| x as f64).collect()),
            Column::Str(_) => Err(Error::sonata(
                &self.path,
                object,
                "expected a numeric dataset",
            )),
        }
    }
}

fn widen<T, U: From<T>>(array: impl IntoIterator<Item = T>) -> Vec<U> {
    array.into_iter().map(U::from).collect()
}

fn unsupported(path: &Path, object: &str, dtype: &Datatype) -> Error {
    Error::sonata(path, object, format!("unsupported column type {dtype:?}"))
}
