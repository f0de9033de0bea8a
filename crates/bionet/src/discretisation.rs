//! BMTK's `dL` re-segmentation (`Morphology.set_segment_dl` in
//! `bmtk/simulator/bionet/morphology.py`, called from `BioCell.build_morphology` whenever the
//! config's `run.dL` is set — and `SonataConfig` defaults it to 20 µm, so it always runs).
//!
//! Every section of the template's `all` SectionList gets
//! $nseg = 1 + 2\,\lfloor L / (2\,dL) \rfloor$, HOC templates included, overriding the nseg
//! the template chose. Sections outside `all` keep theirs.

use model::CellDescription;

use crate::Error;

/// NEURON's upper limit on nseg.
const MAX_NSEG: f64 = 32767.0;

/// $1 + 2\lfloor L/(2\,dL)\rfloor$, computed as Python does (`2*dl` first, `int()` truncation).
pub fn nseg_for_dl(length: f64, dl: f64) -> Result<usize, Error> {
    if dl.is_nan() || dl <= 0.0 || !length.is_finite() || length < 0.0 {
        return Err(Error::InvalidDl { length, dl });
    }
    let halves = (length / (2.0 * dl)).trunc();
    let nseg = 1.0 + 2.0 * halves;
    if !nseg.is_finite() || nseg > MAX_NSEG {
        return Err(Error::InvalidDl { length, dl });
    }
    Ok(nseg as usize)
}

/// Applies [`nseg_for_dl`] to sections `all` of `cell` (NEURON's `nseg` assignment, which
/// re-maps range values; unchanged counts leave the section untouched).
pub fn apply_dl(cell: &mut CellDescription, all: &[usize], dl: f64) -> Result<(), Error> {
    for &s in all {
        let name = cell.name.clone();
        let section = cell.sections.get_mut(s).ok_or(Error::NoSuchSection {
            cell: name,
            index: s,
        })?;
        let nseg = nseg_for_dl(section.length, dl)?;
        if nseg != section.nseg() {
            section.set_nseg(nseg).map_err(Error::Model)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Section;

    #[test]
    fn odd_counts_from_truncated_halves() {
        assert_eq!(nseg_for_dl(1000.0, 20.0).unwrap(), 51);
        assert_eq!(nseg_for_dl(1000.0, 1e6).unwrap(), 1);
        assert_eq!(nseg_for_dl(200.0, 20.0).unwrap(), 11);
        assert_eq!(nseg_for_dl(20.0, 20.0).unwrap(), 1);
        // 39.999/40 truncates to 0; 40/40 is exactly 1.
        assert_eq!(nseg_for_dl(39.999, 20.0).unwrap(), 1);
        assert_eq!(nseg_for_dl(40.0, 20.0).unwrap(), 3);
        assert!(nseg_for_dl(100.0, 0.0).is_err());
        assert!(nseg_for_dl(100.0, -1.0).is_err());
        assert!(nseg_for_dl(1e9, 1e-3).is_err());
    }

    #[test]
    fn overrides_template_nseg_only_in_all() {
        let mut cell = CellDescription::new("t");
        let mut soma = Section::new("soma[0]");
        soma.length = 1000.0;
        let a = cell.add_section(soma);
        let mut other = Section::new("dend[0]");
        other.length = 1000.0;
        let b = cell.add_section(other);
        apply_dl(&mut cell, &[a], 20.0).unwrap();
        assert_eq!(cell.sections[a].nseg(), 51);
        assert_eq!(cell.sections[b].nseg(), 1);
        assert!(apply_dl(&mut cell, &[7], 20.0).is_err());
    }
}
