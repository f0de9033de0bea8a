//! Turning SONATA nodes into cell descriptions as BioNet does: `hoc:Template` model templates
//! run through the HOC interpreter, BMTK's dL re-segmentation, stimuli at soma(0.5).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _};
use model::{CellDescription, PointProcess};
use sonata::nodes::NodePopulation;

/// One simulated cell and where it came from.
pub struct CellEntry {
    pub population: String,
    pub node_id: u64,
    pub description: CellDescription,
    /// Index of the section where BMTK puts the soma: spikes are detected and clamps placed at
    /// its middle.
    pub soma: usize,
}

/// `.hoc` files directly in `templates_dir`, sorted by name.
pub fn template_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot read templates_dir", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "hoc"))
        .collect();
    files.sort();
    Ok(files)
}

/// Builds every biophysical node of `population`; virtual nodes are skipped (they are spike
/// sources). `dl` is the run's dL.
pub fn build_population(
    interp: &mut hoc::Interpreter,
    population: &NodePopulation,
    dl: f64,
    cells: &mut Vec<CellEntry>,
) -> anyhow::Result<()> {
    for index in 0..population.len() {
        let node_id = population.node_ids[index];
        let here = || {
            format!(
                "{}: population `{}`, node {node_id}",
                population.file.display(),
                population.name
            )
        };
        let model_type = population
            .property(index, "model_type")
            .map(|p| p.as_str().into_owned());
        if model_type.as_deref() == Some("virtual") {
            continue;
        }
        let template = population
            .property(index, "model_template")
            .map(|p| p.as_str().into_owned())
            .ok_or_else(|| {
                anyhow!(
                    "{}: no `model_template` column in the nodes file or the node-types CSV \
                     (model_type `{}`)",
                    here(),
                    model_type.as_deref().unwrap_or("unset")
                )
            })?;
        let Some(name) = template.strip_prefix("hoc:") else {
            bail!("{}: model_template `{template}` is not supported yet (only `hoc:<Template>` cells are)", here());
        };
        let mut description = interp
            .instantiate(name, &[])
            .map_err(|e| anyhow!("{e}"))
            .with_context(here)?;
        resegment(&mut description, dl).with_context(here)?;
        let soma = soma_section(&description)
            .ok_or_else(|| anyhow!("{}: template `{name}` created no sections", here()))?;
        cells.push(CellEntry {
            population: population.name.clone(),
            node_id,
            description,
            soma,
        });
    }
    Ok(())
}

/// BMTK's dL rule, applied to every section of every cell (HOC templates included):
/// `nseg = 1 + 2·int(L / (2·dL))`.
pub fn resegment(cell: &mut CellDescription, dl: f64) -> anyhow::Result<()> {
    if dl.is_nan() || dl <= 0.0 {
        bail!("run.dL must be positive, got {dl}");
    }
    for section in &mut cell.sections {
        let nseg = 1 + 2 * (section.length / (2.0 * dl)).trunc() as usize;
        section
            .set_nseg(nseg)
            .map_err(|e| anyhow!("{}: {e}", section.name))?;
    }
    Ok(())
}

/// The section BMTK calls the soma: `soma[0]` or `soma`, else the first root section.
pub fn soma_section(cell: &CellDescription) -> Option<usize> {
    cell.find_section("soma[0]")
        .or_else(|| cell.find_section("soma"))
        .or_else(|| cell.roots().next())
}

/// Adds an IClamp at `section(x)` of `cell`.
pub fn add_iclamp(
    cell: &mut CellEntry,
    section: usize,
    x: f64,
    amp: f64,
    delay: f64,
    duration: f64,
) {
    let values = [("amp", amp), ("del", delay), ("dur", duration)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    cell.description.point_processes.push(PointProcess {
        mechanism: "IClamp".to_string(),
        section,
        x,
        values,
    });
}
