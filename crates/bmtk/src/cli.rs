//! Command-line definitions and dispatch to the subcommand modules.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Build and run biophysically detailed network models the way BMTK's BioNet does —
/// SONATA files, HOC templates and NMODL mechanisms — with no NEURON and no C compiler.
#[derive(Debug, Parser)]
#[command(name = "bmtk", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a model directory like `python -m bmtk.utils.sim_setup bionet`.
    New {
        #[command(subcommand)]
        kind: NewKind,
    },
    /// Check `.mod` and `.hoc` files: print each mechanism's interface or each template's
    /// sections, or the diagnostics.
    Check {
        /// `.mod` or `.hoc` files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Extra `.mod` files or folders whose mechanisms `.hoc` templates may insert.
        #[arg(long = "mechanisms", short = 'm')]
        mechanisms: Vec<PathBuf>,
    },
    /// NMODL tools.
    Mod {
        #[command(subcommand)]
        command: ModCommand,
    },
    /// Run a simulation from a SONATA/BMTK `simulation_config.json`.
    Run {
        config: PathBuf,
        /// Only print warnings and errors.
        #[arg(long, short)]
        quiet: bool,
        /// Worker threads (cells are split across them; results do not depend on the number).
        /// Default: all cores.
        #[arg(long)]
        threads: Option<usize>,
        /// How mechanism kernels run: `jit` (native code via Cranelift) or `interp` (the
        /// portable interpreter). Both give identical results.
        #[arg(long, default_value = "jit")]
        backend: String,
        /// Fast-math mode (JIT only): mechanism kernels run 4 instances at a time (SIMD) with an
        /// inline vectorised `exp`. Results are no longer bit-identical to NEURON: membrane
        /// potentials stay within 0.1 mV and spike times within one dt of the exact mode on the
        /// reference models (see docs/ARCHITECTURE.md, "Fast-math mode").
        #[arg(long)]
        fast_math: bool,
        /// Intra-cell threading when there are fewer independent cell groups than threads (a
        /// single cell): `auto` (measure and take the faster of serial and shared-out steps),
        /// `always` or `never`. Results are identical either way.
        #[arg(long, default_value = "auto", value_parser = ["auto", "always", "never"])]
        cell_split: String,
    },
    /// Build SONATA node/edge files from a network file (TOML) and list them in the circuit config.
    Build {
        /// The network file (see examples/networks/).
        network: PathBuf,
        /// The circuit config to update (default: circuit_config.json beside the network file).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Plot membrane traces or a spike raster to PNG or SVG.
    Plot(crate::plot_cmd::PlotArgs),
}

#[derive(Debug, Subcommand)]
pub enum NewKind {
    /// A BioNet (biophysically detailed) model.
    Bionet(NewArgs),
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Model directory (created if missing).
    pub dir: PathBuf,
    #[arg(long, default_value_t = 1000.0)]
    pub tstop: f64,
    #[arg(long, default_value_t = 0.001)]
    pub dt: f64,
    /// Maximum segment length for BMTK's re-segmentation (µm).
    #[arg(long = "dl", default_value_t = 20.0)]
    pub dl: f64,
    #[arg(long = "v-init", default_value_t = -80.0, allow_hyphen_values = true)]
    pub v_init: f64,
    #[arg(long, default_value_t = 34.0)]
    pub celsius: f64,
    /// A current clamp on all cells: AMP_nA,DELAY_ms,DURATION_ms.
    #[arg(long, value_name = "AMP,DELAY,DUR")]
    pub iclamp: Option<String>,
    /// Variables of a membrane report at the soma, e.g. `v,cai`.
    #[arg(long, value_delimiter = ',')]
    pub report: Vec<String>,
    /// Regenerate files this command writes even if they exist (user files are never touched).
    #[arg(long)]
    pub force: bool,
    /// Also write an example network file (`network.toml`, the seed's HCO pair) to build
    /// with `bmtk build`.
    #[arg(long = "network-example")]
    pub network_example: bool,
}

#[derive(Debug, Subcommand)]
pub enum ModCommand {
    /// Print the lowered kernel IR of a `.mod` file.
    Dump { file: PathBuf },
}

pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::New {
            kind: NewKind::Bionet(args),
        } => crate::new_cmd::run(&args).map(|_| ExitCode::SUCCESS),
        Command::Check { files, mechanisms } => {
            let failures = crate::check::run(&files, &mechanisms)?;
            Ok(if failures == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Mod {
            command: ModCommand::Dump { file },
        } => crate::check::dump(&file),
        Command::Build { network, config } => {
            crate::build_cmd::run(&network, config.as_ref()).map(|_| ExitCode::SUCCESS)
        }
        Command::Run {
            config,
            quiet,
            threads,
            backend,
            fast_math,
            cell_split,
        } => {
            let guard = crate::output_guard::OutputGuard::before_run(&config);
            match crate::run::run(&crate::run::RunOptions {
                config,
                quiet,
                threads,
                backend,
                fast_math,
                cell_split,
            }) {
                Ok(()) => Ok(ExitCode::SUCCESS),
                Err(e) => {
                    if let Some(guard) = guard {
                        guard.remove_new_files();
                    }
                    Err(e)
                }
            }
        }
        Command::Plot(args) => crate::plot_cmd::run(&args).map(|_| ExitCode::SUCCESS),
    }
}
