//! Fixtures shared by the JIT's engine-level tests: the seed's HCO membrane and a NetStim
//! driving a synapse.
#![allow(dead_code)]

use std::collections::BTreeMap;

use engine::{ArtificialCellSpec, NetConSpec, SimulationBuilder, SpikeSource, Target};
use mech::Catalogue;
use model::Section;

/// The HCO mechanisms (`shared/models/hco`) with the JIT built with `options`, or the
/// interpreter when None.
pub fn hco_catalogue(options: Option<jit::Options>) -> Catalogue {
    let mods = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/models/hco/mechanisms/modfiles");
    let mut cat = Catalogue::new();
    cat.add_user_dir(&mods).expect("HCO mechanisms compile");
    cat.set_factory(options.map(jit::factory_with));
    cat
}

/// Inserts the HCO cell's nine mechanisms with its conductances and reversal potentials.
pub fn insert_hco(soma: &mut Section) {
    let gbar = [
        ("leak", 0.03e-3),
        ("cat", 0.02),
        ("cas", 0.01),
        ("kdr", 0.1),
        ("ka", 0.3),
        ("kca", 0.01),
        ("hyper", 0.0002),
        ("na", 0.5),
    ];
    for (m, g) in gbar {
        soma.insert_mechanism(m, &[(format!("gbar_{m}"), g)]);
    }
    soma.insert_mechanism("capool", &[]);
    soma.insert_ion("leak", &[("eleak".into(), -50.0)]);
    soma.insert_ion("k", &[("ek".into(), -80.0)]);
    soma.insert_ion("h", &[("eh".into(), -20.0)]);
}

/// A NetStim (10 spikes every 4 ms from 3 ms) driving point process `index` of cell 0 with
/// `weight` after 1 ms.
pub fn netstim_to(b: &mut SimulationBuilder<'_>, index: usize, weight: f64) {
    let stim = b.artificial_cell(ArtificialCellSpec {
        mechanism: "NetStim".into(),
        values: BTreeMap::from([
            ("start".to_string(), 3.0),
            ("interval".to_string(), 4.0),
            ("number".to_string(), 10.0),
        ]),
    });
    b.netcon(NetConSpec {
        source: SpikeSource::Artificial(stim),
        target: Some(Target::PointProcess { cell: 0, index }),
        delay: 1.0,
        weights: vec![weight],
    });
}
