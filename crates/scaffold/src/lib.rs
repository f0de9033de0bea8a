//! Creates a new BioNet model directory, the `bmtk new bionet DIR` command.
//!
//! This follows what `python -m bmtk.utils.sim_setup bionet DIR` of BMTK 1.2.0 creates, with the
//! changes the seed tutorial had to make by hand already done:
//!
//! ```text
//! DIR/
//!   config.json               {"network": circuit_config.json, "simulation": simulation_config.json}
//!   circuit_config.json       manifest, components (templates_dir included), networks
//!   simulation_config.json    run, conditions, inputs, output, reports, network, node_sets_file
//!   node_sets.json            biophysical_nodes, point_nodes
//!   network/                  SONATA files go here (any already there are listed in the circuit)
//!   components/
//!     mechanisms/modfiles/    .mod files
//!     hoc_templates/          .hoc cell templates            (templates_dir)
//!     morphologies/           .swc files (optional for HOC cells)
//!     synaptic_models/        AMPA_ExcToExc.json, AMPA_ExcToInh.json, GABA_InhToExc.json, GABA_InhToInh.json
//!     biophysical_neuron_templates/
//!     point_neuron_templates/
//! ```
//!
//! Defaults are BMTK's: tstart 0, tstop 1000 ms, dt 0.001 ms, dL 20 µm, spike_threshold −15 mV,
//! nsteps_block 5000, celsius 34 °C, v_init −80 mV. Unlike BMTK, the simulation config names its
//! circuit config (`"network"`), so `bmtk run simulation_config.json` works on its own, and
//! `$BASE_DIR` is `"."` (the config's own folder) instead of BMTK's `${configdir}`.
//!
//! # Never destroying user files
//! Directories are only ever created, and nothing is ever deleted. A file that already exists is
//! kept as it is ([`Outcome::kept`]) unless [`Overwrite::Force`] is given, in which case only the
//! files this crate generates are replaced ([`Outcome::replaced`]); files the user added are never
//! touched. The one exception to "kept as it is": SONATA files that appeared in `network/` since
//! are appended to a kept `circuit_config.json`'s `networks` ([`Outcome::networks_added`]), as
//! the tutorial builds the network after creating the folder. Every file is written to a temporary name in the same folder and renamed into place,
//! so an interrupted run never leaves a half-written config behind.
//!
//! # Example
//! ```no_run
//! use scaffold::{create_bionet, IClamp, NewOptions, Overwrite};
//! let mut opts = NewOptions::default();
//! opts.tstop = 500.0;
//! opts.v_init = -50.0;
//! opts.iclamp = Some(IClamp { amp: 1.0, delay: 50.0, duration: 10.0, node_set: "all".into() });
//! opts.reports = vec!["v".into(), "cai".into()];
//! opts.overwrite = Overwrite::Keep; // `--force` would be Overwrite::Force
//! let outcome = create_bionet(std::path::Path::new("/tmp/my_model"), &opts)?;
//! for path in &outcome.kept {
//!     eprintln!("kept existing {}", path.display());
//! }
//! # Ok::<(), scaffold::Error>(())
//! ```

mod configs;
mod discover;
mod error;
mod merge;
mod options;
mod write;

pub use error::Error;
pub use options::{IClamp, NewOptions, Overwrite};

use std::path::{Path, PathBuf};

/// What [`create_bionet`] did, each list in creation order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Directories that did not exist and were created.
    pub created_dirs: Vec<PathBuf>,
    /// Files that did not exist and were written.
    pub written: Vec<PathBuf>,
    /// Files that existed and were left untouched (no `--force`).
    pub kept: Vec<PathBuf>,
    /// Files that existed and were regenerated because of [`Overwrite::Force`].
    pub replaced: Vec<PathBuf>,
    /// A kept `circuit_config.json` and the network files newly listed in it (see below).
    pub networks_added: Option<(PathBuf, Vec<String>)>,
}

/// Creates (or completes) a BioNet model directory at `dir`; see the crate docs for the layout.
///
/// Options are validated before anything is touched on disk.
pub fn create_bionet(dir: &Path, opts: &NewOptions) -> Result<Outcome, Error> {
    opts.validate()?;
    let mut outcome = Outcome::default();
    let mut writer = write::TreeWriter::new(opts.overwrite, &mut outcome);

    writer.ensure_dir(dir)?;
    let components = dir.join(&opts.components_dir);
    let network = dir.join(&opts.network_dir);
    writer.ensure_dir(&network)?;
    for sub in &configs::COMPONENT_SUBDIRS {
        writer.ensure_dir(&components.join(sub.folder))?;
    }
    writer.ensure_dir(&components.join("mechanisms").join("modfiles"))?;

    let synapses = components.join("synaptic_models");
    for model in &configs::SYNAPTIC_MODELS {
        writer.file(
            &synapses.join(model.file_name),
            &configs::synaptic_model_json(model),
        )?;
    }

    let networks = discover::network_files(&network)?;
    let circuit = dir.join(configs::CIRCUIT_CONFIG);
    let circuit_existed = circuit.exists();
    writer.file(&circuit, &configs::circuit_config(opts, &networks))?;
    writer.file(
        &dir.join(configs::SIMULATION_CONFIG),
        &configs::simulation_config(opts),
    )?;
    writer.file(&dir.join(configs::NODE_SETS), &configs::node_sets())?;
    writer.file(&dir.join(configs::TOP_CONFIG), &configs::top_config())?;
    if circuit_existed && opts.overwrite == Overwrite::Keep {
        let added = merge::add_missing_networks(&circuit, &networks)?;
        if !added.is_empty() {
            outcome.networks_added = Some((circuit, added));
        }
    }
    Ok(outcome)
}
