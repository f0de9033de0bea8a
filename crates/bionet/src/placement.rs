//! Where BMTK 1.2.0 puts a synapse on a biophysical target (`BioCell.set_syn_connection` and
//! `_set_connections` / `_set_connection_preselected` in `bmtk/simulator/bionet/biocell.py`,
//! `Morphology.find_sections` in `morphology.py`, `EdgeAdaptor.patch_adaptor` in
//! `bmtk/simulator/core/sonata_reader/edge_adaptor.py`).
//!
//! * An edge group with an `afferent_section_id` (or legacy `sec_id`) column is *preselected*:
//!   one synapse at (`all`[id], `afferent_section_pos` / `sec_x`), `nsyns` ignored.
//! * Otherwise, with an `nsyns` column, `nsyns` synapses are drawn at random: candidate
//!   segments are those of a type in `target_sections` whose distance interval
//!   [dist − len/2, dist + len/2] overlaps `distance_range`; each is weighted by its length
//!   times the overlapping fraction, and the target cell's stream draws
//!   `choice(candidates, nsyns, p=weights/Σweights)`; each synapse sits at the chosen
//!   segment's centre.
//! * With neither column BMTK takes the preselected path anyway and fails on biophysical
//!   targets; [`PlacementMode::from_columns`] reports that as an error.
//!
//! The stream is `np.random.RandomState(gid)` of the *target* cell ([`target_rng`]), created
//! once per cell before the first connection and shared by every edge onto that cell, in
//! BMTK's edge order (see [`crate::build_order`]).

use crate::numpy_random::{numpy_sum, RandomState};
use crate::segments::{SectionType, SegmentTable};
use crate::Error;

/// How an edge population places synapses, decided by which columns its edge group has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacementMode {
    /// Positions come from `afferent_section_id`/`afferent_section_pos` (or `sec_id`/`sec_x`).
    Explicit,
    /// `nsyns` synapses per edge, drawn from `target_sections` and `distance_range`.
    Random,
}

impl PlacementMode {
    /// BMTK's rule: an id column wins over `nsyns`; neither is an error for biophysical targets.
    pub fn from_columns(has_section_id: bool, has_nsyns: bool) -> Result<Self, Error> {
        match (has_section_id, has_nsyns) {
            (true, _) => Ok(PlacementMode::Explicit),
            (false, true) => Ok(PlacementMode::Random),
            (false, false) => Err(Error::NoPlacementColumns),
        }
    }
}

/// The stream BMTK draws a target cell's synapse positions from: `RandomState(gid)`.
pub fn target_rng(gid: u64) -> Result<RandomState, Error> {
    RandomState::new(gid)
}

/// A synapse location.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynapseSite {
    /// Section index in the [`model::CellDescription`].
    pub section: usize,
    /// Position of that section in `all` (`afferent_section_id`).
    pub sec_id: usize,
    /// Arc position passed to the point process constructor.
    pub x: f64,
}

/// Candidate segments for one (`target_sections`, `distance_range`) pair: ascending segment
/// indices and their selection probabilities.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidates {
    pub segments: Vec<usize>,
    pub probabilities: Vec<f64>,
}

impl SegmentTable {
    /// `Morphology.find_sections`: segments of any of `types` overlapping
    /// [`range.0`, `range.1`], sorted and unique, with
    /// $p_i = \ell_i f_i / \sum_j \ell_j f_j$, where $\ell$ is the segment length and
    /// $f = \max(0, \min(d_1, d_{max}) - \max(d_0, d_{min}))/\ell$ the overlapping fraction
    /// (the sum is numpy's pairwise `np.sum`).
    pub fn find_segments(&self, types: &[SectionType], range: (f64, f64)) -> Candidates {
        let (dmin, dmax) = range;
        let mut segments = Vec::new();
        let mut weights = Vec::new();
        for (i, seg) in self.segments.iter().enumerate() {
            let overlap = seg.dist1().min(dmax) - seg.dist0().max(dmin);
            let fraction = (if overlap > 0.0 { overlap } else { 0.0 }) / seg.length;
            if fraction > 0.0 && types.contains(&seg.section_type) {
                segments.push(i);
                weights.push(seg.length * fraction);
            }
        }
        let total = numpy_sum(&weights);
        let probabilities = weights.iter().map(|w| w / total).collect();
        Candidates {
            segments,
            probabilities,
        }
    }

    /// `_set_connections`: draws `nsyns` synapse sites for one edge from `rng`.
    ///
    /// No candidate segment gives no synapse and consumes no random number (BMTK logs a
    /// warning and skips the edge); callers should warn likewise.
    pub fn place_random(
        &self,
        rng: &mut RandomState,
        candidates: &Candidates,
        nsyns: usize,
    ) -> Result<Vec<SynapseSite>, Error> {
        if candidates.segments.is_empty() {
            return Ok(Vec::new());
        }
        let chosen = rng.choice_from(
            &candidates.segments,
            nsyns,
            true,
            Some(&candidates.probabilities),
        )?;
        Ok(chosen
            .into_iter()
            .map(|i| {
                let seg = &self.segments[i];
                SynapseSite {
                    section: seg.section,
                    sec_id: seg.sec_id,
                    x: seg.x,
                }
            })
            .collect())
    }
}

/// `_set_connection_preselected`: the site given by `afferent_section_id`/`_pos`, where the id
/// indexes `all` (the template's SectionList order). BMTK passes x unchanged to the point
/// process (NEURON then attaches it to the node of the segment containing x). Python would
/// accept a negative id (counting from the end); bmtk-rs rejects it with the other bad ids.
pub fn place_explicit(
    all: &[usize],
    section_id: i64,
    section_pos: f64,
) -> Result<SynapseSite, Error> {
    let sec_id = usize::try_from(section_id)
        .ok()
        .filter(|&i| i < all.len())
        .ok_or(Error::SectionIdOutOfRange {
            id: section_id,
            sections: all.len(),
        })?;
    if !(0.0..=1.0).contains(&section_pos) {
        return Err(Error::SectionPosOutOfRange(section_pos));
    }
    Ok(SynapseSite {
        section: all[sec_id],
        sec_id,
        x: section_pos,
    })
}

/// Parses an edge-type `target_sections` value the way BMTK's `ast.literal_eval` reads it: a
/// Python list (or tuple) of quoted labels such as `['soma', "dend"]`. Labels are checked
/// against [`SectionType::from_target_label`]; duplicates are harmless.
pub fn parse_target_sections(text: &str) -> Result<Vec<SectionType>, Error> {
    let bad = || Error::BadTargetSections(text.to_string());
    let trimmed = text.trim();
    let inner = trimmed
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .or_else(|| trimmed.strip_prefix('(').and_then(|t| t.strip_suffix(')')))
        .ok_or_else(bad)?;
    let mut labels = Vec::new();
    for item in inner.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let unquoted = item
            .strip_prefix('\'')
            .and_then(|s| s.strip_suffix('\''))
            .or_else(|| item.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
            .ok_or_else(bad)?;
        labels.push(SectionType::from_target_label(unquoted)?);
    }
    Ok(labels)
}

/// Parses an edge-type `distance_range` value as BMTK does: a JSON list whose first two
/// numbers are [dmin, dmax], or a single number d meaning [0, d] (pandas hands numbers over
/// as numbers, which `json.loads` rejects, so BMTK falls back to `[0.0, float(d)]`).
pub fn parse_distance_range(text: &str) -> Result<(f64, f64), Error> {
    let bad = || Error::BadDistanceRange(text.to_string());
    let trimmed = text.trim();
    if let Ok(d) = trimmed.parse::<f64>() {
        return Ok((0.0, d));
    }
    let value: serde_json::Value = serde_json::from_str(trimmed).map_err(|_| bad())?;
    match value {
        serde_json::Value::Array(items) if items.len() >= 2 => {
            let lo = items[0].as_f64().ok_or_else(bad)?;
            let hi = items[1].as_f64().ok_or_else(bad)?;
            Ok((lo, hi))
        }
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_mode_follows_columns() {
        assert_eq!(
            PlacementMode::from_columns(true, true).unwrap(),
            PlacementMode::Explicit
        );
        assert_eq!(
            PlacementMode::from_columns(false, true).unwrap(),
            PlacementMode::Random
        );
        assert!(PlacementMode::from_columns(false, false).is_err());
    }

    #[test]
    fn explicit_positions_index_all() {
        let all = [3, 0, 2];
        let site = place_explicit(&all, 1, 0.25).unwrap();
        assert_eq!((site.section, site.sec_id, site.x), (0, 1, 0.25));
        assert!(place_explicit(&all, 3, 0.5).is_err());
        assert!(place_explicit(&all, -1, 0.5).is_err());
        assert!(place_explicit(&all, 0, 1.5).is_err());
    }

    #[test]
    fn target_sections_and_ranges_parse_like_bmtk() {
        assert_eq!(
            parse_target_sections("['soma']").unwrap(),
            vec![SectionType::Soma]
        );
        assert_eq!(
            parse_target_sections("[\"basal\", 'apical']").unwrap(),
            vec![SectionType::Dend, SectionType::Apic]
        );
        assert!(parse_target_sections("soma").is_err());
        assert!(parse_target_sections("['spine']").is_err());
        assert_eq!(parse_distance_range("99999999").unwrap(), (0.0, 99999999.0));
        assert_eq!(
            parse_distance_range("[0.0, 1000.0]").unwrap(),
            (0.0, 1000.0)
        );
        assert_eq!(parse_distance_range("[50, 150, 7]").unwrap(), (50.0, 150.0));
        assert!(parse_distance_range("[10]").is_err());
        assert!(parse_distance_range("far").is_err());
    }
}
