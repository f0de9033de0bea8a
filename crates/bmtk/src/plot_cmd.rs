//! `bmtk plot`: traces from membrane reports (found through a simulation config, or given as
//! `.h5` files) and spike rasters, saved as PNG or SVG.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail};
use clap::Args;
use sonata::config::{Report, SimulationConfig};
use sonata::report::{read_report, ReportPopulation};

#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A `simulation_config.json` (plots its reports), a report `.h5`, or a spikes `.h5`/`.csv`.
    pub input: PathBuf,
    /// Only these variables (from a config's reports), e.g. `v` or `v,cai`.
    #[arg(long, value_delimiter = ',')]
    pub variable: Vec<String>,
    /// Only these node ids.
    #[arg(long, value_delimiter = ',')]
    pub nodes: Vec<u64>,
    /// Plot the spike raster instead of traces.
    #[arg(long)]
    pub spikes: bool,
    /// Output file (`.png` or `.svg`); default: next to the data, named after it.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Image width in pixels.
    #[arg(long, default_value_t = 1000)]
    pub width: u32,
}

pub fn run(args: &PlotArgs) -> anyhow::Result<()> {
    let is_json = args.input.extension().is_some_and(|e| e == "json");
    let (reports, spikes_file, default_out) = if is_json {
        from_config(&args.input, &args.variable)?
    } else if args.spikes || args.input.extension().is_some_and(|e| e == "csv") {
        (
            Vec::new(),
            Some(args.input.clone()),
            args.input.with_extension("png"),
        )
    } else {
        (
            vec![args.input.clone()],
            None,
            args.input.with_extension("png"),
        )
    };
    let out = args.output.clone().unwrap_or(default_out);
    let opts = plot::Options {
        width: args.width,
        ..plot::Options::default()
    };
    if args.spikes || reports.is_empty() {
        let file = spikes_file
            .ok_or_else(|| anyhow!("{}: no spikes file to plot", args.input.display()))?;
        return plot_raster(&file, &args.nodes, &out, &opts);
    }
    let mut populations = Vec::new();
    for file in &reports {
        let pops = read_report(file).map_err(|e| anyhow!("{e}"))?;
        populations.extend(pops);
    }
    plot_traces(&populations, &args.nodes, &out, &opts)?;
    println!("wrote {}", out.display());
    Ok(())
}

/// Report files of the config's membrane reports (filtered by variable) and its spikes file.
fn from_config(
    config: &Path,
    variables: &[String],
) -> anyhow::Result<(Vec<PathBuf>, Option<PathBuf>, PathBuf)> {
    let (config, _) = SimulationConfig::from_file(config).map_err(|e| anyhow!("{e}"))?;
    let dir = &config.output.output_dir;
    let resolve = |f: &Path| {
        if f.is_absolute() {
            f.to_path_buf()
        } else {
            dir.join(f)
        }
    };
    let mut files = Vec::new();
    let mut first_name = None;
    for (_, report) in &config.reports {
        let Report::Membrane(report) = report else {
            continue;
        };
        first_name.get_or_insert_with(|| report.file_name.clone());
        for (variable, file) in report.variable_files() {
            if variables.is_empty() || variables.contains(&variable) {
                let path = resolve(&file);
                if !path.exists() {
                    bail!(
                        "{}: report file not found (run the simulation first: bmtk run {})",
                        path.display(),
                        config.config_path.display()
                    );
                }
                files.push(path);
            }
        }
    }
    if !variables.is_empty() && files.is_empty() {
        bail!(
            "{}: no membrane report records {:?}",
            config.config_path.display(),
            variables
        );
    }
    let spikes = config
        .output
        .spikes_file
        .as_ref()
        .map(|f| resolve(f))
        .filter(|p| p.exists());
    let stem = first_name
        .map(|f| resolve(&f).with_extension("png"))
        .unwrap_or_else(|| dir.join("spikes.png"));
    Ok((files, spikes, stem))
}

fn plot_traces(
    populations: &[ReportPopulation],
    nodes: &[u64],
    out: &Path,
    opts: &plot::Options,
) -> anyhow::Result<()> {
    struct Trace {
        label: String,
        t: Vec<f64>,
        y: Vec<f64>,
    }
    let mut panels_data: Vec<(String, Vec<Trace>)> = Vec::new();
    for pop in populations {
        let [tstart, _, dt] = pop.time;
        let t: Vec<f64> = (0..pop.n_times).map(|k| tstart + k as f64 * dt).collect();
        let variable = pop.variable.clone().unwrap_or_else(|| "value".into());
        let units = pop.units.clone().unwrap_or_default();
        let label = if units.is_empty() {
            variable
        } else {
            format!("{variable} ({units})")
        };
        let mut traces = Vec::new();
        for (i, node) in pop.node_ids.iter().enumerate() {
            if !nodes.is_empty() && !nodes.contains(node) {
                continue;
            }
            let element = pop.index_pointer[i] as usize;
            traces.push(Trace {
                label: format!("{} {node}", pop.population),
                t: t.clone(),
                y: pop.column(element),
            });
        }
        panels_data.push((label, traces));
    }
    if panels_data.iter().all(|(_, t)| t.is_empty()) {
        bail!("nothing to plot: no recorded node matches {:?}", nodes);
    }
    let panels: Vec<plot::Panel> = panels_data
        .iter()
        .map(|(label, traces)| {
            plot::Panel::new(
                label.clone(),
                traces
                    .iter()
                    .map(|tr| plot::Series::new(tr.label.clone(), &tr.t, &tr.y))
                    .collect(),
            )
        })
        .collect();
    plot::save(out, plot::Figure::Traces(&panels), opts).map_err(|e| anyhow!("{e}"))
}

fn plot_raster(file: &Path, nodes: &[u64], out: &Path, opts: &plot::Options) -> anyhow::Result<()> {
    let populations = sonata::spikes::read_spikes(file).map_err(|e| anyhow!("{e}"))?;
    let mut data = Vec::new();
    for pop in &populations {
        let keep: Vec<usize> = (0..pop.node_ids.len())
            .filter(|&i| nodes.is_empty() || nodes.contains(&pop.node_ids[i]))
            .collect();
        let times: Vec<f64> = keep.iter().map(|&i| pop.timestamps[i]).collect();
        let ids: Vec<u64> = keep.iter().map(|&i| pop.node_ids[i]).collect();
        data.push((pop.population.clone(), times, ids));
    }
    let series: Vec<plot::SpikeSeries> = data
        .iter()
        .map(|(name, t, n)| plot::SpikeSeries {
            name: name.clone(),
            times: t,
            node_ids: n,
        })
        .collect();
    plot::save(out, plot::Figure::Raster(&series), opts).map_err(|e| anyhow!("{e}"))?;
    println!("wrote {}", out.display());
    Ok(())
}
