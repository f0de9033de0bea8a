//! Sinks between the engine and the output files: membrane reports (one SONATA file per
//! variable) with progress lines, and spikes (HDF5 + CSV).

use std::path::Path;

use anyhow::{anyhow, bail};
use engine::{Probe, RecordSink, SpikeSink, SpikeSource};
use sonata::config::{Report, SimulationConfig};
use sonata::report::{ReportCell, ReportDtype, ReportSpec, ReportWriter};
use sonata::spikes::{SortOrder, SpikeWriter};

use crate::cells::CellEntry;
use crate::log::Log;
use crate::progress::Progress;

/// One open report file and where its values sit in the engine's sample row.
struct ReportFile {
    writer: ReportWriter,
    offset: usize,
    len: usize,
    /// Rows at steps `first, first + every, …, last` are written.
    first: usize,
    every: usize,
    last: usize,
}

/// Receives every sampled row and writes the report files.
pub struct ReportSink {
    files: Vec<ReportFile>,
    probes: Vec<Probe>,
    error: Option<String>,
    log: Option<Log>,
    block: usize,
    n_steps: usize,
    tstop: f64,
    progress: Progress,
}

impl ReportSink {
    /// Opens a writer for every variable of every enabled membrane report.
    pub fn create(
        config: &SimulationConfig,
        network: &sonata::network::Network,
        cells: &[CellEntry],
        output_dir: &Path,
        n_steps: usize,
    ) -> anyhow::Result<ReportSink> {
        let dt = config.run.dt;
        let mut sink = ReportSink {
            files: Vec::new(),
            probes: Vec::new(),
            error: None,
            log: None,
            block: 0,
            n_steps,
            tstop: config.run.tstop,
            progress: Progress::new(0, 0.0, true),
        };
        for (name, report) in &config.reports {
            let Report::Membrane(report) = report else {
                continue;
            };
            if !report.enabled {
                continue;
            }
            let selection = config
                .circuit
                .node_sets
                .select(&report.cells, &network.nodes)
                .map_err(|e| anyhow!("report `{name}`: {e}"))?;
            let chosen: Vec<usize> = cells
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    selection
                        .iter()
                        .any(|s| s.population == c.population && s.node_ids.contains(&c.node_id))
                })
                .map(|(i, _)| i)
                .collect();
            let population = match chosen.first() {
                Some(&i) => cells[i].population.clone(),
                None => continue,
            };
            if chosen.iter().any(|&i| cells[i].population != population) {
                bail!("report `{name}`: cells from several populations in one report are not supported yet");
            }
            let every = (report.dt / dt).round().max(1.0) as usize;
            let first = (report.start_time / dt).round() as usize;
            let last = ((report.end_time / dt).round() as usize).min(n_steps);
            if first > last {
                bail!(
                    "report `{name}`: start_time {} is after end_time {}",
                    report.start_time,
                    report.end_time
                );
            }
            let n_times = (last - first) / every + 1;
            let elements: Vec<(usize, Vec<(usize, f64)>)> = chosen
                .iter()
                .map(|&i| Ok((i, report_elements(&cells[i], &report.sections)?)))
                .collect::<anyhow::Result<_>>()?;
            for (variable, file) in report.variable_files() {
                let path = if file.is_absolute() {
                    file.clone()
                } else {
                    output_dir.join(&file)
                };
                let spec = ReportSpec {
                    population: population.clone(),
                    variable: variable.clone(),
                    units: None,
                    tstart: first as f64 * dt,
                    dt: every as f64 * dt,
                    n_times,
                    dtype: ReportDtype::F64,
                    cells: elements
                        .iter()
                        .map(|(i, els)| ReportCell {
                            node_id: cells[*i].node_id,
                            element_ids: els.iter().map(|(s, _)| *s as u64).collect(),
                            element_pos: els.iter().map(|(_, x)| *x).collect(),
                        })
                        .collect(),
                };
                let writer = ReportWriter::create(&path, &spec).map_err(|e| anyhow!("{e}"))?;
                let offset = sink.probes.len();
                for (i, els) in &elements {
                    for (section, x) in els {
                        sink.probes
                            .push(Probe::segment(*i, *section, *x, &variable));
                    }
                }
                let len = sink.probes.len() - offset;
                sink.files.push(ReportFile {
                    writer,
                    offset,
                    len,
                    first,
                    every,
                    last,
                });
            }
        }
        Ok(sink)
    }

    /// Probes in the order the engine must sample them.
    pub fn probes(&self) -> &[Probe] {
        &self.probes
    }

    /// Progress lines go to `log` every `block` steps during the run, and a live bar to stderr
    /// when it is a terminal and the log is not quiet.
    pub fn attach_log(&mut self, log: Log, block: usize, n_steps: usize) {
        self.progress = Progress::new(n_steps, self.tstop, log.is_quiet());
        self.log = Some(log);
        self.block = block;
        self.n_steps = n_steps;
    }

    /// Completes every file (renaming it into place) and hands the log back.
    pub fn finish(mut self) -> anyhow::Result<Log> {
        self.progress.clear();
        if let Some(e) = self.error.take() {
            bail!("{e}");
        }
        for file in self.files {
            file.writer.finish().map_err(|e| anyhow!("{e}"))?;
        }
        Ok(self.log.unwrap_or_default())
    }
}

/// Elements a report records on one cell: `"soma"` → the soma's middle; `"all"` → every
/// segment centre of every section; any other name → that section's segment centres.
fn report_elements(cell: &CellEntry, sections: &[String]) -> anyhow::Result<Vec<(usize, f64)>> {
    let mut out = Vec::new();
    let d = &cell.description;
    let centres = |s: usize| {
        let n = d.sections[s].nseg();
        (0..n).map(move |k| (s, (k as f64 + 0.5) / n as f64))
    };
    for name in sections {
        match name.as_str() {
            "soma" | "origin" => out.push((cell.soma, 0.5)),
            "all" => (0..d.sections.len()).for_each(|s| out.extend(centres(s))),
            other => {
                let matching: Vec<usize> = (0..d.sections.len())
                    .filter(|&s| {
                        let n = &d.sections[s].name;
                        n == other || n.split('[').next() == Some(other)
                    })
                    .collect();
                if matching.is_empty() {
                    bail!(
                        "report sections `{other}`: cell {} has no such section",
                        cell.node_id
                    );
                }
                matching.into_iter().for_each(|s| out.extend(centres(s)));
            }
        }
    }
    Ok(out)
}

impl RecordSink for ReportSink {
    fn record(&mut self, step: usize, t: f64, values: &[f64]) {
        for file in &mut self.files {
            if step < file.first
                || step > file.last
                || !(step - file.first).is_multiple_of(file.every)
            {
                continue;
            }
            if let Err(e) = file
                .writer
                .write_row(&values[file.offset..file.offset + file.len])
            {
                self.error.get_or_insert_with(|| e.to_string());
            }
        }
        if self.block > 0 && step > 0 && (step.is_multiple_of(self.block) || step == self.n_steps) {
            if let Some(log) = &mut self.log {
                self.progress.clear();
                log.info(&format!("    step:{step} t_sim:{:.2} ms", t));
            }
        }
        self.progress.tick(step, t);
    }
}

/// Collects detector spikes as (population, node id, t).
pub struct SpikeCollector {
    owners: Vec<(String, u64)>,
    spikes: Vec<(usize, f64)>,
}

impl SpikeCollector {
    pub fn new(cells: &[CellEntry]) -> Self {
        SpikeCollector {
            owners: cells
                .iter()
                .map(|c| (c.population.clone(), c.node_id))
                .collect(),
            spikes: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.spikes.len()
    }

    /// Writes `spikes_file` (HDF5) and `spikes_file_csv` as configured.
    pub fn write(&self, config: &SimulationConfig, output_dir: &Path) -> anyhow::Result<()> {
        let mut writer = SpikeWriter::with_capacity(self.spikes.len());
        let mut populations = std::collections::HashMap::new();
        for (pop, _) in &self.owners {
            if !populations.contains_key(pop) {
                populations.insert(pop.clone(), writer.add_population(pop));
            }
        }
        for &(cell, t) in &self.spikes {
            let (pop, node) = &self.owners[cell];
            writer.record(populations[pop], *node, t);
        }
        let resolve = |f: &Path| {
            if f.is_absolute() {
                f.to_path_buf()
            } else {
                output_dir.join(f)
            }
        };
        if let Some(file) = &config.output.spikes_file {
            let order = config.output.spikes_sort_order.unwrap_or(SortOrder::ByTime);
            writer
                .write_h5(&resolve(file), order)
                .map_err(|e| anyhow!("{e}"))?;
        }
        if let Some(file) = &config.output.spikes_file_csv {
            writer
                .write_csv(&resolve(file))
                .map_err(|e| anyhow!("{e}"))?;
        }
        Ok(())
    }
}

impl SpikeSink for SpikeCollector {
    fn spike(&mut self, source: SpikeSource, t: f64) {
        if let SpikeSource::Detector(i) = source {
            self.spikes.push((i, t));
        }
    }
}
