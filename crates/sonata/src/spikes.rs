//! Spike trains: reading (SONATA HDF5 or BMTK CSV) for inputs, writing for outputs.
//!
//! HDF5 layout written: `/spikes/<population>/timestamps` (float64, attribute `units` = "ms"),
//! `/spikes/<population>/node_ids` (uint64), and on the population group the attribute
//! `sorting`, an enum over uint8 {none 0, by_id 1, by_time 2} as the SONATA spec and libsonata
//! want it (BMTK writes a string there; its reader maps an enum it cannot name to "unknown",
//! which it handles). Root attributes `magic` and `version` are BMTK's.
//!
//! CSV layout written: header `timestamps population node_ids`, one space between cells,
//! sorted by time, then node id, then population. Times are printed in Python's `repr` style
//! (shortest round-trip, `50.0` not `50`) to match BMTK's files byte for byte.
//!
//! Spike counts are small next to traces, so the writer keeps them in memory and writes each
//! file in one go (to a temporary name, renamed when complete).

use std::io::Write;
use std::path::Path;

use crate::atomic::PendingFile;
use crate::error::{Error, Result};
use crate::h5::H5File;
use crate::h5write::{dataset_string_attr, sorting_attr, w, write_root_attrs};
use crate::table::Table;

/// Order of the spikes in a population.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    None,
    ById,
    ByTime,
}

impl SortOrder {
    /// Accepts the spec's and BMTK's spellings (`by_time`, `time`, …).
    pub fn parse(text: &str) -> Option<SortOrder> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" | "unknown" => Some(SortOrder::None),
            "by_id" | "id" | "node_id" | "by_node_id" => Some(SortOrder::ById),
            "by_time" | "time" => Some(SortOrder::ByTime),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::None => "none",
            SortOrder::ById => "by_id",
            SortOrder::ByTime => "by_time",
        }
    }

    fn code(self) -> u8 {
        match self {
            SortOrder::None => 0,
            SortOrder::ById => 1,
            SortOrder::ByTime => 2,
        }
    }
}

/// The spikes of one population, as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationSpikes {
    pub population: String,
    /// ms
    pub timestamps: Vec<f64>,
    pub node_ids: Vec<u64>,
    /// What the file declares, if anything.
    pub sorting: Option<SortOrder>,
}

/// Reads a spikes file: CSV if the name ends in `.csv`/`.txt`, SONATA HDF5 otherwise.
pub fn read_spikes(path: &Path) -> Result<Vec<PopulationSpikes>> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if ext == "csv" || ext == "txt" {
        read_spikes_csv(path)
    } else {
        read_spikes_h5(path)
    }
}

/// Reads `/spikes/<pop>/{timestamps, node_ids}` (or the old `/spikes/{timestamps, gids}`).
pub fn read_spikes_h5(path: &Path) -> Result<Vec<PopulationSpikes>> {
    let h5 = H5File::open(path)?;
    let root = h5.group("/spikes").map_err(|_| {
        Error::sonata(
            path,
            "/spikes",
            "not a SONATA spikes file: no /spikes group",
        )
    })?;
    let (groups, datasets) = h5.members(&root, "/spikes")?;
    let mut out = Vec::new();
    if groups.is_empty() && datasets.iter().any(|d| d == "timestamps") {
        let ts = h5.floats(
            &h5.dataset(&root, "/spikes", "timestamps")?,
            "/spikes/timestamps",
        )?;
        let ids = h5.ids(&h5.dataset(&root, "/spikes", "gids")?, "/spikes/gids")?;
        out.push(checked(path, "/spikes", String::new(), ts, ids, None)?);
        return Ok(out);
    }
    for name in groups {
        let object = format!("/spikes/{name}");
        let g = h5.group(&object)?;
        let ts = h5.floats(
            &h5.dataset(&g, &object, "timestamps")?,
            &format!("{object}/timestamps"),
        )?;
        let ids = h5.ids(
            &h5.dataset(&g, &object, "node_ids")?,
            &format!("{object}/node_ids"),
        )?;
        let sorting = read_sorting(&h5, &g, &object)?;
        out.push(checked(path, &object, name, ts, ids, sorting)?);
    }
    Ok(out)
}

fn read_sorting(
    h5: &H5File,
    g: &hdf5_reader::group::Group,
    object: &str,
) -> Result<Option<SortOrder>> {
    let attrs = crate::h5::guard(&h5.path, object, || g.attributes())?;
    let Some(attr) = attrs.into_iter().find(|a| a.name == "sorting") else {
        return Ok(None);
    };
    if let hdf5_reader::Datatype::Enum { members, .. } = &attr.datatype {
        // The stored value selects a member by its raw bytes; the member's name is the order.
        let raw = &attr.raw_data;
        let name = members
            .iter()
            .find(|m| raw.starts_with(&m.value))
            .map(|m| m.name.clone());
        return Ok(name.as_deref().and_then(SortOrder::parse));
    }
    match attr.read_string() {
        Ok(text) => Ok(SortOrder::parse(&text)),
        Err(_) => Ok(None),
    }
}

fn checked(
    path: &Path,
    object: &str,
    population: String,
    timestamps: Vec<f64>,
    node_ids: Vec<u64>,
    sorting: Option<SortOrder>,
) -> Result<PopulationSpikes> {
    if timestamps.len() != node_ids.len() {
        return Err(Error::sonata(
            path,
            object,
            format!(
                "{} timestamps but {} node ids",
                timestamps.len(),
                node_ids.len()
            ),
        ));
    }
    Ok(PopulationSpikes {
        population,
        timestamps,
        node_ids,
        sorting,
    })
}

/// Reads a BMTK spikes CSV (`timestamps population node_ids`, any column order; the
/// population column is optional).
pub fn read_spikes_csv(path: &Path) -> Result<Vec<PopulationSpikes>> {
    let table = Table::read(path)?;
    let col = |name: &str| {
        table.column(name).ok_or_else(|| Error::Csv {
            path: path.to_path_buf(),
            line: 1,
            message: format!("no `{name}` column in the header"),
        })
    };
    let t_col = col("timestamps")?;
    let id_col = table
        .column("node_ids")
        .or_else(|| table.column("node_id"))
        .or_else(|| table.column("gids"));
    let id_col = id_col.ok_or_else(|| Error::Csv {
        path: path.to_path_buf(),
        line: 1,
        message: "no `node_ids` column in the header".into(),
    })?;
    let pop_col = table.column("population");
    let mut out: Vec<PopulationSpikes> = Vec::new();
    for (row, line) in table.rows.iter().zip(&table.lines) {
        let bad = |what: &str| Error::Csv {
            path: path.to_path_buf(),
            line: *line,
            message: what.to_string(),
        };
        let t: f64 = row[t_col]
            .as_deref()
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| bad("timestamps: expected a number"))?;
        let id: u64 = row[id_col]
            .as_deref()
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| bad("node_ids: expected a non-negative integer"))?;
        let pop = pop_col.and_then(|c| row[c].clone()).unwrap_or_default();
        let slot = match out.iter().position(|p| p.population == pop) {
            Some(s) => s,
            None => {
                out.push(PopulationSpikes {
                    population: pop,
                    timestamps: Vec::new(),
                    node_ids: Vec::new(),
                    sorting: None,
                });
                out.len() - 1
            }
        };
        out[slot].timestamps.push(t);
        out[slot].node_ids.push(id);
    }
    Ok(out)
}

/// Index of a population registered with [`SpikeWriter::add_population`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PopulationId(pub u32);

/// Collects spikes during a run and writes them as SONATA HDF5 and/or CSV at the end.
#[derive(Debug, Clone, Default)]
pub struct SpikeWriter {
    populations: Vec<String>,
    /// (time, population, node id) in recording order.
    spikes: Vec<(f64, PopulationId, u64)>,
}

impl SpikeWriter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reserves room so recording does not allocate during the time loop.
    pub fn with_capacity(capacity: usize) -> Self {
        SpikeWriter {
            populations: Vec::new(),
            spikes: Vec::with_capacity(capacity),
        }
    }

    /// Registers a population (once per name) and returns its id.
    pub fn add_population(&mut self, name: &str) -> PopulationId {
        if let Some(i) = self.populations.iter().position(|p| p == name) {
            return PopulationId(i as u32);
        }
        self.populations.push(name.to_string());
        PopulationId(self.populations.len() as u32 - 1)
    }

    /// Records one spike at time `t` (ms).
    pub fn record(&mut self, population: PopulationId, node_id: u64, t: f64) {
        self.spikes.push((t, population, node_id));
    }

    pub fn len(&self) -> usize {
        self.spikes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spikes.is_empty()
    }

    /// Spikes sorted by time, then node id, then population name.
    pub fn sorted_by_time(&self) -> Vec<(f64, &str, u64)> {
        let mut v: Vec<(f64, &str, u64)> = self
            .spikes
            .iter()
            .map(|(t, p, id)| (*t, self.populations[p.0 as usize].as_str(), *id))
            .collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)).then(a.1.cmp(b.1)));
        v
    }

    /// Writes the SONATA HDF5 file (every registered population gets a group, even if empty).
    pub fn write_h5(&self, path: &Path, order: SortOrder) -> Result<()> {
        let pending = PendingFile::new(path)?;
        let tmp = pending.temp_path().to_path_buf();
        let file = w(path, "create", rust_hdf5::H5File::create(&tmp))?;
        write_root_attrs(path, &file)?;
        let root = w(path, "group /spikes", file.create_group("spikes"))?;
        for (index, name) in self.populations.iter().enumerate() {
            let mut rows: Vec<(f64, u64)> = self
                .spikes
                .iter()
                .filter(|(_, p, _)| p.0 as usize == index)
                .map(|(t, _, id)| (*t, *id))
                .collect();
            match order {
                SortOrder::ByTime => rows.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))),
                SortOrder::ById => rows.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.total_cmp(&b.0))),
                SortOrder::None => {}
            }
            let times: Vec<f64> = rows.iter().map(|r| r.0).collect();
            let ids: Vec<u64> = rows.iter().map(|r| r.1).collect();
            let g = w(path, "population group", root.create_group(name))?;
            sorting_attr(path, &g, order.code())?;
            let ts = w(
                path,
                "timestamps",
                g.new_dataset::<f64>()
                    .shape([times.len()])
                    .create("timestamps"),
            )?;
            if !times.is_empty() {
                w(path, "timestamps", ts.write_raw(&times))?;
            }
            dataset_string_attr(path, &ts, "units", "ms")?;
            let nd = w(
                path,
                "node_ids",
                g.new_dataset::<u64>().shape([ids.len()]).create("node_ids"),
            )?;
            if !ids.is_empty() {
                w(path, "node_ids", nd.write_raw(&ids))?;
            }
        }
        w(path, "close", file.close())?;
        pending.commit()?;
        Ok(())
    }

    /// Writes the CSV file, sorted by time then node id.
    pub fn write_csv(&self, path: &Path) -> Result<()> {
        let pending = PendingFile::new(path)?;
        let file = std::fs::File::create(pending.temp_path())
            .map_err(|e| Error::io(path, "cannot create", e))?;
        let mut out = std::io::BufWriter::new(file);
        let io = |e| Error::io(path, "cannot write", e);
        writeln!(out, "timestamps population node_ids").map_err(io)?;
        for (t, pop, id) in self.sorted_by_time() {
            writeln!(out, "{} {pop} {id}", python_float(t)).map_err(io)?;
        }
        out.flush().map_err(io)?;
        drop(out);
        pending.commit()?;
        Ok(())
    }
}

/// Formats like Python's `repr(float)`: shortest round-trip digits, always a decimal point
/// or exponent, exponent written `e-05` style.
pub fn python_float(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "nan".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let abs = x.abs();
    if abs != 0.0 && !(1e-4..1e16).contains(&abs) {
        let s = format!("{x:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    let s = format!("{x}");
    if s.contains('.') {
        s
    } else {
        format!("{s}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_style_floats() {
        assert_eq!(python_float(50.0), "50.0");
        assert_eq!(python_float(53.54000000010894), "53.54000000010894");
        assert_eq!(python_float(1e-5), "1e-05");
        assert_eq!(python_float(0.0), "0.0");
        assert_eq!(python_float(1.5e20), "1.5e+20");
    }
}
