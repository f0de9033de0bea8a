//! `bmtk`: build and run BMTK/BioNet models (SONATA networks, HOC templates, NMODL mechanisms)
//! without NEURON. This binary is a thin layer over the library crates; see docs/ARCHITECTURE.md.

mod build_cmd;
mod cells;
mod check;
mod cli;
mod log;
mod network;
mod new_cmd;
mod output_guard;
mod plot_cmd;
mod progress;
mod record;
mod run;

use std::process::ExitCode;

mod alloc;

#[global_allocator]
static ALLOCATOR: alloc::CacheAligned = alloc::CacheAligned;

fn main() -> ExitCode {
    let args = <cli::Cli as clap::Parser>::parse();
    match cli::dispatch(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
