//! BMTK's per-segment table of a cell (`Morphology.seg_props`, built by `_LazySegmentProps.get`
//! in `bmtk/simulator/bionet/morphology.py`): for every segment of every section of the
//! template's `all` SectionList, in that list's order, the section type, the segment centre x,
//! the path distance from the soma and the segment length. Random synapse placement selects
//! segments from this table, and `afferent_section_id` indexes the same section order.
//!
//! BMTK shares one table between all cells whose `morphology` file and pre-`dL` segment count
//! are equal (`morphology_cache`, keyed by `Morphology.__hash__`); it is computed for the
//! first such cell that receives a randomly placed synapse. Cells of one template are
//! identical, so building a table per cell (or per template) gives the same result — but two
//! different templates that name the same morphology file (e.g. `blank.swc`) and have the
//! same template nseg would, in BMTK, wrongly share the first one's table.

use model::CellDescription;

use crate::topology::Topology;
use crate::Error;

/// BMTK's section categories, with their SWC type codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SectionType {
    Soma = 1,
    Axon = 2,
    /// Basal dendrite (`dend`).
    Dend = 3,
    /// Apical dendrite (`apic`).
    Apic = 4,
}

impl SectionType {
    /// The SWC code BMTK stores in `seg_props.type`.
    pub fn swc_code(self) -> u8 {
        self as u8
    }

    /// Type of a section from its name, as BMTK derives it: the text after the last `.` (which
    /// drops the `Template[0].` prefix), cut to its first four characters, looked up in
    /// `Morphology.sec_type_swc`. So `soma[0]` → soma, `dend[3]` and `dendrite` → dend,
    /// `apic[1]` → apic, `axon[0]` → axon; any other prefix (`myelin`, `basal[0]`, `ais`) has
    /// no type and makes BMTK fail (`KeyError`) as soon as it needs the cell's segment table.
    pub fn from_section_name(name: &str) -> Result<Self, Error> {
        let short = name.rsplit('.').next().unwrap_or(name);
        let prefix: String = short.chars().take(4).collect();
        match prefix.as_str() {
            "soma" => Ok(SectionType::Soma),
            "axon" => Ok(SectionType::Axon),
            "dend" => Ok(SectionType::Dend),
            "apic" => Ok(SectionType::Apic),
            _ => Err(Error::UnknownSectionType {
                section: name.to_string(),
                prefix,
            }),
        }
    }

    /// A `target_sections` label: `soma`/`somatic`, `axon`/`axonal`, `dend`/`basal`,
    /// `apic`/`apical` (the keys of BMTK's `Morphology.sec_type_swc`; nothing else).
    pub fn from_target_label(label: &str) -> Result<Self, Error> {
        match label {
            "soma" | "somatic" => Ok(SectionType::Soma),
            "axon" | "axonal" => Ok(SectionType::Axon),
            "dend" | "basal" => Ok(SectionType::Dend),
            "apic" | "apical" => Ok(SectionType::Apic),
            _ => Err(Error::UnknownTargetLabel(label.to_string())),
        }
    }
}

/// One row of the segment table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// Index of the section in the [`CellDescription`].
    pub section: usize,
    /// Position of the section in `all` (BMTK's `sec_id`, SONATA's `afferent_section_id`).
    pub sec_id: usize,
    pub section_type: SectionType,
    /// Segment centre, $x = (i + ½)/nseg$.
    pub x: f64,
    /// Path distance (µm) from soma(0) to the segment's node, as NEURON's `h.distance`.
    pub dist: f64,
    /// $L/nseg$ (µm).
    pub length: f64,
}

impl Segment {
    /// Start of the segment's distance interval: `dist − length/2` (BMTK's `dist0`).
    pub fn dist0(&self) -> f64 {
        self.dist - self.length / 2.0
    }

    /// End of the segment's distance interval: `dist + length/2` (BMTK's `dist1`).
    pub fn dist1(&self) -> f64 {
        self.dist + self.length / 2.0
    }
}

/// BMTK's segment table of one cell, plus the section order it was built from.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentTable {
    /// Section indices of the `all` SectionList, in its order (BMTK's `_secs_by_id`).
    pub sections: Vec<usize>,
    pub segments: Vec<Segment>,
}

impl SegmentTable {
    /// Builds the table for sections `all` (in SectionList order) of `cell`, with distances
    /// measured from `soma(0)` — BMTK calls `h.distance(sec=soma[0])`, whose origin is the
    /// section's 0 end, not its centre. Call it after [`crate::apply_dl`], as BMTK computes
    /// the table lazily, after re-segmentation.
    pub fn build(cell: &CellDescription, all: &[usize], soma: usize) -> Result<Self, Error> {
        let n_sections = cell.sections.len();
        if let Some(&bad) = all
            .iter()
            .chain(std::iter::once(&soma))
            .find(|&&i| i >= n_sections)
        {
            return Err(Error::NoSuchSection {
                cell: cell.name.clone(),
                index: bad,
            });
        }
        let topology = Topology::new(cell);
        let origin = topology.origin(soma, 0.0);
        let mut segments = Vec::with_capacity(all.iter().map(|&s| cell.sections[s].nseg()).sum());
        for (sec_id, &s) in all.iter().enumerate() {
            let section = &cell.sections[s];
            let section_type = SectionType::from_section_name(&section.name)?;
            let nseg = section.nseg();
            for i in 0..nseg {
                let x = (i as f64 + 0.5) / nseg as f64;
                let dist = topology.distance(origin, s, x);
                segments.push(Segment {
                    section: s,
                    sec_id,
                    section_type,
                    x,
                    dist,
                    length: section.length / nseg as f64,
                });
            }
        }
        Ok(SegmentTable {
            sections: all.to_vec(),
            segments,
        })
    }

    /// [`Self::build`] with `all` = every section in creation order and the soma found by
    /// [`find_soma`] — what the templates in the reference models (and most HOC templates,
    /// which append each section to `all` right after creating it) give.
    pub fn build_default(cell: &CellDescription) -> Result<Self, Error> {
        let all: Vec<usize> = (0..cell.sections.len()).collect();
        Self::build(cell, &all, find_soma(cell)?)
    }
}

/// The section BMTK treats as `soma[0]` (spike detector, IClamp, distance origin):
/// the section named `soma[0]`, or a scalar `soma`.
pub fn find_soma(cell: &CellDescription) -> Result<usize, Error> {
    cell.find_section("soma[0]")
        .or_else(|| cell.find_section("soma"))
        .ok_or_else(|| Error::NoSoma {
            cell: cell.name.clone(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_types_follow_bmtk_prefix_rule() {
        assert_eq!(
            SectionType::from_section_name("HCOcell[0].soma[0]").unwrap(),
            SectionType::Soma
        );
        assert_eq!(
            SectionType::from_section_name("dendrite[2]").unwrap(),
            SectionType::Dend
        );
        assert_eq!(
            SectionType::from_section_name("apic[10]").unwrap(),
            SectionType::Apic
        );
        assert!(SectionType::from_section_name("basal[0]").is_err());
        assert!(SectionType::from_section_name("ax[0]").is_err());
        assert_eq!(
            SectionType::from_target_label("basal").unwrap(),
            SectionType::Dend
        );
        assert_eq!(
            SectionType::from_target_label("somatic")
                .unwrap()
                .swc_code(),
            1
        );
        assert!(SectionType::from_target_label("dendrite").is_err());
    }
}
