//! `.npy` files of float64, 1-D or 2-D (C order), as numpy's `np.save` writes them.
//! Reading also accepts float32 and Fortran order (converted to row-major f64).

use std::path::Path;

use crate::atomic::PendingFile;
use crate::error::{Error, Result};

/// A dense array: `shape` is `[n]` or `[rows, cols]`, `data` is row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    pub shape: Vec<usize>,
    pub data: Vec<f64>,
}

impl NpyArray {
    /// Column `j` of a 2-D array (or the whole 1-D array for `j == 0`).
    pub fn column(&self, j: usize) -> Vec<f64> {
        match self.shape.as_slice() {
            [_] => self.data.clone(),
            [rows, cols] => (0..*rows).map(|i| self.data[i * cols + j]).collect(),
            _ => Vec::new(),
        }
    }
}

fn bad(path: &Path, message: impl Into<String>) -> Error {
    Error::Npy {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Reads a `.npy` file.
pub fn read_npy(path: &Path) -> Result<NpyArray> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "cannot read", e))?;
    parse_npy(path, &bytes)
}

/// Parses `.npy` bytes; `path` is for errors only.
pub fn parse_npy(path: &Path, bytes: &[u8]) -> Result<NpyArray> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(bad(path, "missing \\x93NUMPY magic"));
    }
    let (header_len, start): (usize, usize) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(bad(path, format!("unsupported format version {v}"))),
    };
    let end = start
        .checked_add(header_len)
        .filter(|e| *e <= bytes.len())
        .ok_or_else(|| bad(path, "truncated header"))?;
    let header =
        std::str::from_utf8(&bytes[start..end]).map_err(|_| bad(path, "header is not text"))?;
    let field = |key: &str| -> Option<&str> {
        let at = header.find(&format!("'{key}'"))?;
        let rest = header[at + key.len() + 2..]
            .trim_start()
            .strip_prefix(':')?
            .trim_start();
        Some(rest)
    };
    let descr = field("descr").ok_or_else(|| bad(path, "no 'descr' in header"))?;
    let descr = descr.trim_start_matches(['\'', '"']);
    let descr = &descr[..descr.find(['\'', '"']).unwrap_or(descr.len())];
    let elem = match descr {
        "<f8" | "=f8" | "f8" => 8,
        "<f4" | "=f4" | "f4" => 4,
        other => {
            return Err(bad(
                path,
                format!("dtype `{other}` not supported (need little-endian f8 or f4)"),
            ))
        }
    };
    let fortran = field("fortran_order")
        .map(|r| r.starts_with("True"))
        .unwrap_or(false);
    let shape_text = field("shape").ok_or_else(|| bad(path, "no 'shape' in header"))?;
    let shape_text = shape_text
        .strip_prefix('(')
        .ok_or_else(|| bad(path, "shape is not a tuple"))?;
    let shape_text = &shape_text[..shape_text
        .find(')')
        .ok_or_else(|| bad(path, "shape is not a tuple"))?];
    let shape: Vec<usize> = shape_text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| bad(path, format!("bad dimension `{s}`")))
        })
        .collect::<Result<_>>()?;
    if shape.len() > 2 {
        return Err(bad(
            path,
            format!("{}-D arrays are not supported", shape.len()),
        ));
    }
    let count = shape
        .iter()
        .try_fold(1usize, |a, d| a.checked_mul(*d))
        .ok_or_else(|| bad(path, "shape overflows"))?;
    let body = &bytes[end..];
    if body.len() / elem < count {
        return Err(bad(
            path,
            format!(
                "data holds {} bytes, shape needs {}",
                body.len(),
                count * elem
            ),
        ));
    }
    let mut data: Vec<f64> = match elem {
        8 => body
            .chunks_exact(8)
            .take(count)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
            .collect(),
        _ => body
            .chunks_exact(4)
            .take(count)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap_or([0; 4])) as f64)
            .collect(),
    };
    if fortran && shape.len() == 2 {
        let (rows, cols) = (shape[0], shape[1]);
        let mut c_order = vec![0.0; count];
        for j in 0..cols {
            for i in 0..rows {
                c_order[i * cols + j] = data[j * rows + i];
            }
        }
        data = c_order;
    }
    Ok(NpyArray { shape, data })
}

/// Writes a float64 array (1-D or 2-D, row-major) in `.npy` format version 1.0.
pub fn write_npy(path: &Path, shape: &[usize], data: &[f64]) -> Result<()> {
    if shape.is_empty() || shape.len() > 2 || shape.iter().product::<usize>() != data.len() {
        return Err(Error::write(
            path,
            format!("shape {shape:?} does not fit {} values", data.len()),
        ));
    }
    let shape_text = match shape {
        [n] => format!("({n},)"),
        [r, c] => format!("({r}, {c})"),
        _ => unreachable!("checked above"),
    };
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape_text}, }}");
    // Pad so the data starts on a 64-byte boundary, ending the header with a newline.
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    let mut bytes = Vec::with_capacity(10 + header.len() + data.len() * 8);
    bytes.extend_from_slice(b"\x93NUMPY\x01\x00");
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    for x in data {
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    let pending = PendingFile::new(path)?;
    std::fs::write(pending.temp_path(), &bytes).map_err(|e| Error::io(path, "cannot write", e))?;
    pending.commit()?;
    Ok(())
}
