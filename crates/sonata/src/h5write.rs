//! Small helpers over `rust-hdf5` for the writers: errors naming the output file, BMTK's root
//! attributes, fixed-length string attributes (rust-hdf5's variable-length strings are not
//! readable by libsonata) and the SONATA `sorting` enum.

use std::path::Path;

use rust_hdf5::format::messages::datatype::EnumMember;
use rust_hdf5::{DatatypeMessage, H5Dataset, H5File, H5Group};

use crate::error::{Error, Result};

pub(crate) fn w<T>(path: &Path, what: &str, r: rust_hdf5::Result<T>) -> Result<T> {
    r.map_err(|e| Error::write(path, format!("{what}: {e}")))
}

/// `magic` = 0x0A7A and `version` = [0, 1] on the root group, as BMTK writes them.
pub(crate) fn write_root_attrs(path: &Path, file: &H5File) -> Result<()> {
    w(
        path,
        "attribute magic",
        file.set_attr_numeric("magic", &0x0A7Au32),
    )?;
    w(
        path,
        "attribute version",
        file.set_attr_array_numeric("version", &[0u32, 1u32]),
    )
}

fn fixed_string(value: &str) -> (DatatypeMessage, Vec<u8>) {
    let bytes = value.as_bytes().to_vec();
    let size = bytes.len().max(1) as u32;
    let mut raw = bytes;
    raw.resize(size as usize, 0);
    (
        DatatypeMessage::FixedString {
            size,
            padding: 1, // null pad, like numpy's fixed-length bytes
            charset: if value.is_ascii() { 0 } else { 1 },
        },
        raw,
    )
}

pub(crate) fn dataset_string_attr(
    path: &Path,
    ds: &H5Dataset,
    name: &str,
    value: &str,
) -> Result<()> {
    let (dt, raw) = fixed_string(value);
    w(
        path,
        &format!("attribute {name}"),
        ds.set_attr_typed(name, dt, raw),
    )
}

/// The SONATA spikes `sorting` attribute: an enum over u8 {none: 0, by_id: 1, by_time: 2}.
pub(crate) fn sorting_attr(path: &Path, g: &H5Group, code: u8) -> Result<()> {
    let members = [("none", 0u8), ("by_id", 1), ("by_time", 2)]
        .into_iter()
        .map(|(name, value)| EnumMember {
            name: name.to_string(),
            value: vec![value],
        })
        .collect();
    let dt = DatatypeMessage::enumeration(DatatypeMessage::u8_type(), members);
    w(
        path,
        "attribute sorting",
        g.set_attr_typed("sorting", dt, vec![code]),
    )
}
