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
        let object = interp
            .new_object(name, &[])
            .map_err(|e| anyhow!("{e}"))
            .with_context(here)?;
        let mut description = interp.cell(&object);
        let all = interp.section_list(&object, "all");
        interp.release(object);
        resegment(&mut description, all.as_deref(), dl).with_context(here)?;
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

/// BMTK's dL rule `nseg = 1 + 2·int(L / (2·dL))`, applied as BioNet does to the sections of
/// the template's `all` SectionList (`for sec in hobj.all`), overriding the template's nseg;
/// sections outside `all` keep theirs. A template without an `all` list (BMTK itself would
/// fail on it) gets the rule on every section.
pub fn resegment(cell: &mut CellDescription, all: Option<&[usize]>, dl: f64) -> anyhow::Result<()> {
    if dl.is_nan() || dl <= 0.0 {
        bail!("run.dL must be positive, got {dl}");
    }
    let every: Vec<usize>;
    let sections = match all {
        Some(list) => list,
        None => {
            every = (0..cell.sections.len()).collect();
            &every
        }
    };
    bionet::apply_dl(cell, sections, dl).map_err(|e| anyhow!("{e}"))
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

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "
begintemplate Two
public soma, dend, all
create soma, dend
objref all
proc init() {
    all = new SectionList()
    soma { L = 1000  nseg = 1  all.append() }
    dend { L = 1000  nseg = 7 }
    connect dend(0), soma(1)
}
endtemplate Two
";

    /// Only sections in the template's `all` list are re-segmented, as BioNet's
    /// `for sec in hobj.all: sec.nseg = …`.
    #[test]
    fn dl_rule_applies_to_the_all_list_only() {
        let catalogue = mech::Catalogue::new();
        let mut interp = hoc::Interpreter::new(&catalogue);
        interp.run_source(TEMPLATE, "two.hoc").unwrap();
        let object = interp.new_object("Two", &[]).unwrap();
        let mut cell = interp.cell(&object);
        let all = interp.section_list(&object, "all");
        assert_eq!(all.as_deref(), Some(&[0usize][..]));
        assert_eq!(interp.section_list(&object, "soma"), None);
        interp.release(object);
        resegment(&mut cell, all.as_deref(), 20.0).unwrap();
        assert_eq!(cell.sections[0].nseg(), 51);
        assert_eq!(cell.sections[1].nseg(), 7);
        // Without an `all` list every section follows the rule.
        resegment(&mut cell, None, 20.0).unwrap();
        assert_eq!(cell.sections[1].nseg(), 51);
        assert!(resegment(&mut cell, None, 0.0).is_err());
    }
}
