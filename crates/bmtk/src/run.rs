//! `bmtk run simulation_config.json`: load configs and network, compile mechanisms, build
//! cells, run NEURON's fixed-step scheme, write reports and spikes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, bail, Context as _};
use sonata::config::{Input, SimulationConfig};

use crate::cells::{self, CellEntry};
use crate::log::Log;
use crate::record::{ReportSink, SpikeCollector};

/// `.mod` files anywhere under `dir`, sorted by path (NEURON registers them in the order
/// `nrnivmodl` is given them, normally alphabetical).
pub fn mod_files_under(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .with_context(|| format!("{}: cannot read mechanisms folder", d.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "mod") {
                found.push(path);
            }
        }
    }
    found.sort_by(|a, b| a.file_name().cmp(&b.file_name()).then(a.cmp(b)));
    Ok(found)
}

pub struct RunOptions {
    pub config: PathBuf,
    pub quiet: bool,
    /// Worker threads; `None`: all cores.
    pub threads: Option<usize>,
    /// `jit` or `interp`.
    pub backend: String,
    /// Fast-math kernels (JIT only).
    pub fast_math: bool,
    /// `auto`, `always` or `never` (see `engine::SimulationBuilder::cell_split`).
    pub cell_split: String,
}

pub fn run(options: &RunOptions) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut log = Log::new(options.quiet);
    let (config, warnings) =
        SimulationConfig::from_file(&options.config).map_err(|e| anyhow!("{e}"))?;
    for w in &warnings {
        log.warning(&w.to_string());
    }
    config.check_node_set_names().map_err(|e| anyhow!("{e}"))?;
    if config.run.tstart != 0.0 {
        bail!(
            "{}: run.tstart = {} is not supported yet: simulations start at t = 0",
            config.config_path.display(),
            config.run.tstart
        );
    }
    let output_dir = prepare_output_dir(&config)?;
    if let Some(log_file) = &config.output.log_file {
        log.open(&resolve_in(&output_dir, log_file))?;
    }

    let backend: jit::Backend = options
        .backend
        .parse()
        .map_err(|e: String| anyhow!("--backend: {e}"))?;
    if options.fast_math && backend == jit::Backend::Interp {
        bail!("--fast-math needs the JIT backend (`--backend jit`)");
    }
    let mut catalogue = load_catalogue(&config, &mut log)?;
    let observed = observed_variables(&config, &catalogue);
    jit::install_with(
        &mut catalogue,
        backend,
        jit::Options {
            fast_math: options.fast_math,
            rate_tables: options.fast_math,
            observed,
            // Only Crank–Nicolson's ion correction reads di/dv, and BioNet runs backward Euler.
            ion_slopes: !options.fast_math,
        },
    );
    let network =
        sonata::network::Network::load(&config.circuit.networks).map_err(|e| anyhow!("{e}"))?;

    check_inputs(&config)?;
    log.info("Building cells.");
    let mut cells = build_cells(&config, &network, &catalogue)?;
    log.info("Building recurrent connections");
    let wiring = build_network(&config, &network, &catalogue, &mut cells, &mut log)?;
    apply_clamps(&config, &network, &mut cells)?;

    let celsius = config.conditions.celsius.unwrap_or(6.3);
    let v_init = config.conditions.v_init.unwrap_or(-65.0);
    let dt = config.run.dt;
    let mut builder = engine::SimulationBuilder::new(&catalogue);
    builder.celsius(celsius).dt(dt).v_init(v_init);
    builder.fast_math(options.fast_math);
    builder.ion_slopes(!options.fast_math);
    builder.cell_split(match options.cell_split.as_str() {
        "auto" => engine::CellSplit::Auto,
        "always" => engine::CellSplit::Always,
        "never" => engine::CellSplit::Never,
        other => bail!("--cell-split must be auto, always or never, not `{other}`"),
    });
    if let Some(threads) = options.threads {
        if threads == 0 {
            bail!("--threads must be at least 1");
        }
        builder.threads(threads);
    }
    for (i, cell) in cells.iter().enumerate() {
        builder.cell(cell.description.clone());
        builder.detector(engine::SpikeDetectorSpec {
            cell: i,
            section: cell.soma,
            x: 0.5,
            threshold: config.run.spike_threshold,
        });
    }
    wiring.add_to(&mut builder);
    let mut sim = builder.build().map_err(|e| anyhow!("{e}"))?;
    // The builder's copies of the cell descriptions are not needed during the run.
    drop(builder);

    let n_steps = stdrun_steps(config.run.tstop, dt);
    let mut reports = ReportSink::create(&config, &network, &cells, &output_dir, n_steps)?;
    sim.set_probes(reports.probes())
        .map_err(|e| anyhow!("{e}"))?;
    let block = config.run.nsteps_block.unwrap_or(5000).max(1) as usize;

    log.info(&format!(
        "Running simulation for {:.3} ms with the time step {} ms",
        config.run.tstop, dt
    ));
    log.info(&format!("Block save every {block} steps"));
    log.info(&format!(
        "{} partition(s) on {} thread(s), spikes exchanged every {} steps",
        sim.partitions(),
        sim.threads(),
        sim.exchange_interval()
    ));
    reports.attach_log(log, block, n_steps);
    let mut spikes = SpikeCollector::new(&cells);
    let sim_start = Instant::now();
    sim.run(config.run.tstop, &mut reports, &mut spikes);
    let mut log = reports.finish()?;
    log.info(&format!(
        "Simulation completed in {:.2} seconds",
        sim_start.elapsed().as_secs_f64()
    ));
    if backend == jit::Backend::Jit {
        log.info(&format!(
            "Native code generated in {:.1} ms",
            jit::cache::codegen_time().as_secs_f64() * 1e3
        ));
    }
    let (groups, fused) = sim.fused_kernels();
    if groups > 0 {
        log.info(&format!(
            "Kernel fusion: {fused} mechanism sets ran as {groups} fused group(s)"
        ));
    }
    let (shared, steps) = sim.split_steps();
    if shared > 0 {
        let how = match sim.two_ended() {
            Some(e) if e.lower => {
                "with each end of the cable on its own thread (this one: the far end)"
            }
            Some(_) => "with each end of the cable on its own thread",
            None => "with the kernels shared out",
        };
        log.info(&format!(
            "Intra-cell threading: {shared} of {steps} steps ran {how}"
        ));
    }

    spikes.write(&config, &output_dir)?;
    log.info(&format!(
        "Done: {} cells, {} spikes, {:.2} s in total",
        cells.len(),
        spikes.len(),
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// Number of `fadvance` calls of stdrun's `continuerun(tstop)`: steps while t < tstop − dt/2,
/// with t accumulated in half steps exactly as the engine does.
pub fn stdrun_steps(tstop: f64, dt: f64) -> usize {
    let mut t = 0.0f64;
    let mut n = 0;
    while t < tstop - 0.5 * dt {
        t += 0.5 * dt;
        t += 0.5 * dt;
        n += 1;
    }
    n
}

fn resolve_in(dir: &Path, file: &Path) -> PathBuf {
    if file.is_absolute() {
        file.to_path_buf()
    } else {
        dir.join(file)
    }
}

/// Creates the output folder and proves it writable before anything long runs.
fn prepare_output_dir(config: &SimulationConfig) -> anyhow::Result<PathBuf> {
    let dir = config.output.output_dir.clone();
    if dir.exists() && !config.output.overwrite_output_dir {
        let outputs = [
            config.output.spikes_file.as_ref(),
            config.output.spikes_file_csv.as_ref(),
        ];
        if let Some(existing) = outputs
            .into_iter()
            .flatten()
            .map(|f| resolve_in(&dir, f))
            .find(|p| p.exists())
        {
            bail!(
                "{}: output exists and output.overwrite_output_dir is false in {}",
                existing.display(),
                config.config_path.display()
            );
        }
    }
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("{}: cannot create output_dir", dir.display()))?;
    let probe = dir.join(format!(".bmtk-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .with_context(|| format!("{}: output_dir is not writable", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(dir)
}

fn load_catalogue(config: &SimulationConfig, log: &mut Log) -> anyhow::Result<mech::Catalogue> {
    let mut catalogue = mech::Catalogue::new();
    if let Some(dir) = &config.circuit.components.mechanisms_dir {
        let files = mod_files_under(dir)?;
        let mut errors = Vec::new();
        for file in &files {
            if let Err(e) = catalogue.add_user_file(file) {
                errors.push(e.to_string());
            }
        }
        if !errors.is_empty() {
            bail!("{}", errors.join("\n"));
        }
        for warning in catalogue.take_warnings() {
            log.warning(&warning);
        }
        log.info(&format!(
            "Compiled {} mechanisms from {}",
            files.len(),
            dir.display()
        ));
    }
    Ok(catalogue)
}

fn build_cells(
    config: &SimulationConfig,
    network: &sonata::network::Network,
    catalogue: &mech::Catalogue,
) -> anyhow::Result<Vec<CellEntry>> {
    let mut interp = hoc::Interpreter::new(catalogue);
    if let Some(dir) = &config.circuit.components.templates_dir {
        for file in cells::template_files(dir)? {
            interp.load_file(&file).map_err(|e| anyhow!("{e}"))?;
        }
    }
    let mut cells = Vec::new();
    for population in &network.nodes {
        cells::build_population(&mut interp, population, config.run.dl, &mut cells)?;
    }
    Ok(cells)
}

/// Synapses and NetCons of every edge population: recurrent ones, then those fed by the
/// `spikes` inputs in config order (BMTK's order; see [`crate::network`]).
fn build_network(
    config: &SimulationConfig,
    network: &sonata::network::Network,
    catalogue: &mech::Catalogue,
    cells: &mut [CellEntry],
    log: &mut Log,
) -> anyhow::Result<crate::network::NetworkWiring> {
    let mut builder = crate::network::NetworkBuilder::new(config, network, catalogue, cells)?;
    builder.connect_recurrent()?;
    for (name, input) in &config.inputs {
        if let Input::Spikes(spikes) = input {
            log.info(&format!("Building virtual cell stimulations for {name}"));
            builder.connect_spike_input(name, spikes)?;
        }
    }
    let wiring = builder.finish();
    let mut virtual_populations: Vec<&str> = Vec::new();
    for cell in &wiring.virtual_cells {
        if !virtual_populations.contains(&cell.population.as_str()) {
            virtual_populations.push(&cell.population);
        }
    }
    log.info(&format!(
        "{} synapses; {} virtual cells{}",
        wiring.synapses,
        wiring.virtual_cells.len(),
        if virtual_populations.is_empty() {
            String::new()
        } else {
            format!(" ({})", virtual_populations.join(", "))
        }
    ));
    for w in &wiring.warnings {
        log.warning(w);
    }
    Ok(wiring)
}

/// `current_clamp` inputs, created after every synapse as BMTK's IClamp module does.
fn apply_clamps(
    config: &SimulationConfig,
    network: &sonata::network::Network,
    cells: &mut [CellEntry],
) -> anyhow::Result<()> {
    let index: HashMap<(String, u64), usize> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| ((c.population.clone(), c.node_id), i))
        .collect();
    for (name, input) in &config.inputs {
        let Input::CurrentClamp(clamp) = input else {
            continue;
        };
        let selection = config
            .circuit
            .node_sets
            .select(&clamp.node_set, &network.nodes)
            .map_err(|e| anyhow!("{e}"))?;
        let location = bionet::ClampLocation {
            section_name: clamp.section_name.clone(),
            section_index: clamp.section_index as usize,
            x: clamp.segment_value,
        };
        for pop in &selection {
            for id in &pop.node_ids {
                let Some(&i) = index.get(&(pop.population.clone(), *id)) else {
                    continue;
                };
                let section = location.resolve(&cells[i].description).map_err(|e| {
                    anyhow!("input `{name}`, node {id} of `{}`: {e}", pop.population)
                })?;
                for k in 0..clamp.amp.len() {
                    cells::add_iclamp(
                        &mut cells[i],
                        section,
                        location.x,
                        clamp.amp[k],
                        clamp.delay[k],
                        clamp.duration[k],
                    );
                }
            }
        }
    }
    Ok(())
}

/// Refuses the inputs `bmtk run` cannot model before anything is built.
fn check_inputs(config: &SimulationConfig) -> anyhow::Result<()> {
    for (name, input) in &config.inputs {
        let what = match input {
            Input::CurrentClamp(_) | Input::Spikes(_) => continue,
            Input::SeClamp(_) => "module SEClamp".to_string(),
            Input::Other {
                input_type, module, ..
            } => format!(
                "input_type {}, module {}",
                input_type.as_deref().unwrap_or("(none)"),
                module.as_deref().unwrap_or("(none)")
            ),
        };
        bail!(
            "{}: input `{name}` ({what}) is not supported yet",
            config.config_path.display()
        );
    }
    Ok(())
}

/// The mechanism variables the run's reports read (None when a report of another kind might
/// read anything): fast-math kernels need not store the others.
fn observed_variables(
    config: &sonata::config::SimulationConfig,
    catalogue: &mech::Catalogue,
) -> Option<std::sync::Arc<std::collections::BTreeSet<String>>> {
    let mut names = std::collections::BTreeSet::new();
    for (_, report) in &config.reports {
        match report {
            sonata::config::Report::Membrane(m) => names.extend(m.variable_names.iter().cloned()),
            _ => return None,
        }
    }
    // Ion currents some mechanism reads (`USEION ca READ ica`): the only other readers of an
    // ion's total current (see `jit::Options::observed`).
    for name in catalogue.names() {
        let m = catalogue.mechanism(name).ok()?;
        for ion in &m.ions {
            if ion.read.contains(&nmodl::ir::IonVar::Current) {
                names.insert(format!("i{}", ion.name));
            }
        }
    }
    Some(std::sync::Arc::new(names))
}
