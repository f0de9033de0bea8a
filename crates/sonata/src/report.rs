//! Membrane ("compartment") reports: a streaming SONATA writer and a reader.
//!
//! Layout written, per file (one variable per file):
//! `/report/<population>/data` — `[n_times, n_elements]` float64 or float32, chunked by
//! whole rows; attributes `variable` (BMTK's name, read by `CompartmentReport.variable()`),
//! `variable_name` (the same, for readers that look for it) and `units` (required by
//! libsonata). `/report/<population>/mapping/`: `node_ids` (uint64), `index_pointer`
//! (uint64, n_nodes + 1; BMTK's spelling) and `index_pointers` (a hard link to the same
//! dataset; libsonata's spelling), `element_ids` (uint64), `element_pos` (float64), `time` =
//! `[tstart, tstop, dt]` float64 with `units` = "ms". Root attributes `magic`/`version` are
//! BMTK's. Strings are fixed-length (libsonata cannot read rust-hdf5's variable-length ones).
//!
//! **Time axis.** Row k holds the state at `tstart + k·dt`. `time[1]` is the exclusive end
//! `tstart + n_times·dt`, the reading both libsonata (`t < tstop`) and BMTK
//! (`n_steps = int((tstop - tstart) / dt)`) agree on, so both see exactly `n_times` rows. It is
//! nudged up by a few ulps if float rounding would make `int(...)` come out one short. (BMTK
//! 1.2.0 itself stores the state at `(k+1)·dt` in row k; we do not copy that.) A run recording
//! t = 0 … tstop inclusive therefore has `n_times = tstop/dt + 1` and `time[1] = tstop + dt`.
//!
//! **Several variables.** BMTK 1.2.0 writes one file for a report listing several variables,
//! labelled with the first name but holding the last variable's values. We write one correct
//! file per variable ([`variable_file_paths`]): the first variable keeps the configured
//! `file_name` (so BMTK's analyzer, which opens `file_name`, finds a correctly labelled file),
//! and each further variable goes to `<stem>_<variable>.<ext>`; e.g. `["cai", "v"]` with
//! `cell_vars.h5` gives `cell_vars.h5` (cai) and `cell_vars_v.h5` (v).
//!
//! **Streaming.** The data set is created at its final size; rows are copied into a buffer of
//! whole chunks sized at creation and written out each time it fills, so memory stays bounded
//! and `write_row` never allocates. The file is written under a temporary name and renamed by
//! [`ReportWriter::finish`]; dropping an unfinished writer deletes it.

use std::path::{Path, PathBuf};

use rust_hdf5::{H5Dataset, H5File};

use crate::atomic::PendingFile;
use crate::error::{Error, Result};
use crate::h5::{guard, H5File as ReadFile};
use crate::h5write::{dataset_string_attr, w, write_root_attrs};

/// Where each variable of a report is written (see the module doc for the rule).
pub fn variable_file_paths(file_name: &Path, variables: &[String]) -> Vec<(String, PathBuf)> {
    let stem = file_name
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = file_name
        .extension()
        .map(|e| e.to_string_lossy().into_owned());
    variables
        .iter()
        .enumerate()
        .map(|(i, var)| {
            if i == 0 {
                return (var.clone(), file_name.to_path_buf());
            }
            let name = match &ext {
                Some(ext) => format!("{stem}_{var}.{ext}"),
                None => format!("{stem}_{var}"),
            };
            (var.clone(), file_name.with_file_name(name))
        })
        .collect()
}

/// Units BMTK/NEURON use for common variables; empty if unknown.
pub fn default_units(variable: &str) -> &'static str {
    match variable {
        "v" => "mV",
        "cai" | "cao" | "nai" | "nao" | "ki" | "ko" | "cli" | "clo" => "mM",
        "ica" | "ina" | "ik" | "i_membrane" | "i_membrane_" => "mA/cm2",
        _ => "",
    }
}

/// Storage type of `data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportDtype {
    F32,
    F64,
}

/// The recorded elements (segments) of one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportCell {
    pub node_id: u64,
    /// Section index of each element.
    pub element_ids: Vec<u64>,
    /// Position of each element along its section, 0…1.
    pub element_pos: Vec<f64>,
}

/// Everything the writer needs before the first row.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSpec {
    pub population: String,
    pub variable: String,
    /// `None`: [`default_units`] of the variable.
    pub units: Option<String>,
    /// ms
    pub tstart: f64,
    /// ms
    pub dt: f64,
    pub n_times: usize,
    pub dtype: ReportDtype,
    /// Cells in the order their elements appear in each row.
    pub cells: Vec<ReportCell>,
}

/// The `[tstart, tstop, dt]` stored for `n_times` rows (see the module doc).
pub fn time_axis(tstart: f64, dt: f64, n_times: usize) -> [f64; 3] {
    let mut tstop = tstart + n_times as f64 * dt;
    for _ in 0..64 {
        if ((tstop - tstart) / dt).floor() as usize >= n_times {
            break;
        }
        tstop = tstop.next_up();
    }
    [tstart, tstop, dt]
}

/// A membrane report being written row by row.
pub struct ReportWriter {
    path: PathBuf,
    data: H5Dataset,
    file: Option<H5File>,
    dtype: ReportDtype,
    n_elements: usize,
    n_times: usize,
    rows_written: usize,
    chunk_rows: usize,
    buffer: Vec<f64>,
    buffer32: Vec<f32>,
    buffered_rows: usize,
    // Declared last so the temporary file is removed only after the HDF5 handle is dropped.
    pending: PendingFile,
}

impl ReportWriter {
    /// Creates the file (under a temporary name) with all mapping data and an empty `data`.
    pub fn create(path: &Path, spec: &ReportSpec) -> Result<ReportWriter> {
        if spec.dt.is_nan() || spec.dt <= 0.0 {
            return Err(Error::write(path, "report dt must be > 0"));
        }
        let mut node_ids = Vec::with_capacity(spec.cells.len());
        let mut index_pointer = vec![0u64];
        let mut element_ids = Vec::new();
        let mut element_pos = Vec::new();
        for cell in &spec.cells {
            if cell.element_ids.len() != cell.element_pos.len() {
                return Err(Error::write(
                    path,
                    format!(
                        "node {}: element_ids and element_pos differ in length",
                        cell.node_id
                    ),
                ));
            }
            node_ids.push(cell.node_id);
            element_ids.extend_from_slice(&cell.element_ids);
            element_pos.extend_from_slice(&cell.element_pos);
            index_pointer.push(element_ids.len() as u64);
        }
        let n_elements = element_ids.len();
        let pending = PendingFile::new(path)?;
        let file = w(path, "create", H5File::create(pending.temp_path()))?;
        write_root_attrs(path, &file)?;
        let report = w(path, "group /report", file.create_group("report"))?;
        let pop = w(
            path,
            "population group",
            report.create_group(&spec.population),
        )?;
        let mapping = w(path, "group mapping", pop.create_group("mapping"))?;

        let ds = w(
            path,
            "node_ids",
            mapping
                .new_dataset::<u64>()
                .shape([node_ids.len()])
                .create("node_ids"),
        )?;
        if !node_ids.is_empty() {
            w(path, "node_ids", ds.write_raw(&node_ids))?;
        }
        let ds = w(
            path,
            "index_pointer",
            mapping
                .new_dataset::<u64>()
                .shape([index_pointer.len()])
                .create("index_pointer"),
        )?;
        w(path, "index_pointer", ds.write_raw(&index_pointer))?;
        let target = format!("/report/{}/mapping/index_pointer", spec.population);
        w(
            path,
            "index_pointers link",
            mapping.link("index_pointers", &target),
        )?;
        let ds = w(
            path,
            "element_ids",
            mapping
                .new_dataset::<u64>()
                .shape([n_elements])
                .create("element_ids"),
        )?;
        if n_elements > 0 {
            w(path, "element_ids", ds.write_raw(&element_ids))?;
        }
        let ds = w(
            path,
            "element_pos",
            mapping
                .new_dataset::<f64>()
                .shape([n_elements])
                .create("element_pos"),
        )?;
        if n_elements > 0 {
            w(path, "element_pos", ds.write_raw(&element_pos))?;
        }
        let ds = w(
            path,
            "time",
            mapping.new_dataset::<f64>().shape([3usize]).create("time"),
        )?;
        w(
            path,
            "time",
            ds.write_raw(&time_axis(spec.tstart, spec.dt, spec.n_times)),
        )?;
        dataset_string_attr(path, &ds, "units", "ms")?;

        let elem_size = match spec.dtype {
            ReportDtype::F32 => 4,
            ReportDtype::F64 => 8,
        };
        let row_bytes = (n_elements * elem_size).max(1);
        let chunk_rows = ((1usize << 20) / row_bytes).clamp(1, spec.n_times.max(1));
        let shape = [spec.n_times, n_elements];
        let data = if n_elements == 0 || spec.n_times == 0 {
            match spec.dtype {
                ReportDtype::F32 => pop.new_dataset::<f32>().shape(shape).create("data"),
                ReportDtype::F64 => pop.new_dataset::<f64>().shape(shape).create("data"),
            }
        } else {
            let chunk = [chunk_rows, n_elements];
            match spec.dtype {
                ReportDtype::F32 => pop
                    .new_dataset::<f32>()
                    .shape(shape)
                    .chunk(&chunk)
                    .create("data"),
                ReportDtype::F64 => pop
                    .new_dataset::<f64>()
                    .shape(shape)
                    .chunk(&chunk)
                    .create("data"),
            }
        };
        let data = w(path, "data", data)?;
        let units = spec
            .units
            .clone()
            .unwrap_or_else(|| default_units(&spec.variable).to_string());
        dataset_string_attr(path, &data, "variable", &spec.variable)?;
        dataset_string_attr(path, &data, "variable_name", &spec.variable)?;
        dataset_string_attr(path, &data, "units", &units)?;

        let capacity = chunk_rows * n_elements;
        let (buffer, buffer32) = match spec.dtype {
            ReportDtype::F64 => (Vec::with_capacity(capacity), Vec::new()),
            ReportDtype::F32 => (Vec::new(), Vec::with_capacity(capacity)),
        };
        Ok(ReportWriter {
            path: path.to_path_buf(),
            data,
            file: Some(file),
            dtype: spec.dtype,
            n_elements,
            n_times: spec.n_times,
            rows_written: 0,
            chunk_rows,
            buffer,
            buffer32,
            buffered_rows: 0,
            pending,
        })
    }

    /// Number of values per row.
    pub fn n_elements(&self) -> usize {
        self.n_elements
    }

    /// Rows accepted so far.
    pub fn rows(&self) -> usize {
        self.rows_written + self.buffered_rows
    }

    /// Appends the next row (one value per element, in cell order).
    pub fn write_row(&mut self, row: &[f64]) -> Result<()> {
        if row.len() != self.n_elements {
            return Err(Error::write(
                &self.path,
                format!("row has {} values, expected {}", row.len(), self.n_elements),
            ));
        }
        if self.rows() >= self.n_times {
            return Err(Error::write(
                &self.path,
                format!("more than {} rows written", self.n_times),
            ));
        }
        match self.dtype {
            ReportDtype::F64 => self.buffer.extend_from_slice(row),
            ReportDtype::F32 => self.buffer32.extend(row.iter().map(|x| *x as f32)),
        }
        self.buffered_rows += 1;
        if self.buffered_rows == self.chunk_rows {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.buffered_rows == 0 || self.n_elements == 0 {
            self.rows_written += self.buffered_rows;
            self.buffered_rows = 0;
            return Ok(());
        }
        let starts = [self.rows_written, 0];
        let counts = [self.buffered_rows, self.n_elements];
        let result = match self.dtype {
            ReportDtype::F64 => self.data.write_slice(&starts, &counts, &self.buffer),
            ReportDtype::F32 => self.data.write_slice(&starts, &counts, &self.buffer32),
        };
        w(&self.path, "data rows", result)?;
        self.rows_written += self.buffered_rows;
        self.buffered_rows = 0;
        self.buffer.clear();
        self.buffer32.clear();
        Ok(())
    }

    /// Writes the remaining rows, closes the file and renames it into place. Errors if fewer
    /// than `n_times` rows were written (the partial file is removed).
    pub fn finish(mut self) -> Result<PathBuf> {
        self.flush()?;
        if self.rows_written != self.n_times {
            return Err(Error::write(
                &self.path,
                format!(
                    "only {} of {} rows were written",
                    self.rows_written, self.n_times
                ),
            ));
        }
        if let Some(file) = self.file.take() {
            w(&self.path, "close", file.close())?;
        }
        let ReportWriter { pending, .. } = self;
        pending.commit()
    }
}

/// One population of a report file, fully read.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportPopulation {
    pub population: String,
    pub variable: Option<String>,
    pub units: Option<String>,
    pub node_ids: Vec<u64>,
    pub index_pointer: Vec<u64>,
    pub element_ids: Vec<u64>,
    pub element_pos: Vec<f64>,
    /// `[tstart, tstop, dt]` as stored.
    pub time: [f64; 3],
    pub n_times: usize,
    pub n_elements: usize,
    /// Row-major `[n_times, n_elements]`.
    pub data: Vec<f64>,
}

impl ReportPopulation {
    /// The trace of element `element` (column index) over time.
    pub fn column(&self, element: usize) -> Vec<f64> {
        (0..self.n_times)
            .map(|k| self.data[k * self.n_elements + element])
            .collect()
    }

    /// Column index of the first element of `node_id`.
    pub fn first_element_of(&self, node_id: u64) -> Option<usize> {
        let i = self.node_ids.iter().position(|n| *n == node_id)?;
        Some(self.index_pointer[i] as usize)
    }
}

/// Reads every population of a SONATA membrane report.
pub fn read_report(path: &Path) -> Result<Vec<ReportPopulation>> {
    let h5 = ReadFile::open(path)?;
    let root = h5
        .group("/report")
        .map_err(|_| Error::sonata(path, "/report", "not a report: no /report group"))?;
    let (pops, _) = h5.members(&root, "/report")?;
    let mut out = Vec::new();
    for name in pops {
        let prefix = format!("/report/{name}");
        let mp = format!("{prefix}/mapping");
        let mapping = h5.group(&mp)?;
        let (_, mapping_sets) = h5.members(&mapping, &mp)?;
        let ids = |n: &str| -> Result<Vec<u64>> {
            h5.ids(&h5.dataset(&mapping, &mp, n)?, &format!("{mp}/{n}"))
        };
        let pointer_name = if mapping_sets.iter().any(|d| d == "index_pointer") {
            "index_pointer"
        } else {
            "index_pointers"
        };
        let node_ids = ids("node_ids")?;
        let index_pointer = ids(pointer_name)?;
        let element_ids = ids("element_ids")?;
        let element_pos = h5.floats(
            &h5.dataset(&mapping, &mp, "element_pos")?,
            &format!("{mp}/element_pos"),
        )?;
        let time = h5.floats(&h5.dataset(&mapping, &mp, "time")?, &format!("{mp}/time"))?;
        if time.len() != 3 || index_pointer.len() != node_ids.len() + 1 {
            return Err(Error::sonata(
                path,
                mp,
                "time must have 3 values and index_pointer n_nodes + 1",
            ));
        }
        let group = h5.group(&prefix)?;
        let data_obj = format!("{prefix}/data");
        let ds = h5.dataset(&group, &prefix, "data")?;
        if ds.ndim() != 2 {
            return Err(Error::sonata(path, &data_obj, "expected a 2-D dataset"));
        }
        let (n_times, n_elements) = (ds.shape()[0] as usize, ds.shape()[1] as usize);
        let data: Vec<f64> = match ds.dtype() {
            hdf5_reader::Datatype::FloatingPoint { size: 4, .. } => {
                guard(path, &data_obj, || ds.read_array::<f32>())?
                    .iter()
                    .map(|x| *x as f64)
                    .collect()
            }
            _ => guard(path, &data_obj, || ds.read_array::<f64>())?
                .iter()
                .copied()
                .collect(),
        };
        if index_pointer.last().copied().unwrap_or(0) as usize > n_elements {
            return Err(Error::sonata(
                path,
                mp,
                "index_pointer points past the data columns",
            ));
        }
        out.push(ReportPopulation {
            variable: h5.dataset_string_attr(&ds, &data_obj, "variable")?,
            units: h5.dataset_string_attr(&ds, &data_obj, "units")?,
            population: name,
            node_ids,
            index_pointer,
            element_ids,
            element_pos,
            time: [time[0], time[1], time[2]],
            n_times,
            n_elements,
            data,
        });
    }
    Ok(out)
}
