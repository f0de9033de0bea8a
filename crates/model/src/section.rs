//! One unbranched cable ([`Section`]): geometry, passive properties and per-segment range values.

use crate::range_table::RangeTable;
use crate::Error;

/// A 3-D point of a section's centre line. NEURON stores these as 32-bit floats, and the
/// rounding matters: areas computed from them differ from π·diam·L in the 8th digit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pt3d {
    pub x: f32,
    pub y: f32,
    pub z: f32,
    pub diam: f32,
}

/// Where a section hangs in the tree: its `child_x` end (0 or 1) is attached to the point
/// `parent_x` of section `parent`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Attachment {
    pub parent: usize,
    pub parent_x: f64,
    pub child_x: f64,
}

/// An unbranched cable split into `nseg` segments of equal length.
///
/// `range` holds every per-segment value under its NEURON name, always `nseg` long:
/// `diam` and `cm` exist from creation; mechanism and ion variables appear when inserted.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub name: String,
    pub parent: Option<Attachment>,
    /// Length L in µm.
    pub length: f64,
    /// Axial resistivity Ra in Ω·cm.
    pub ra: f64,
    nseg: usize,
    /// 3-D points; when there are at least two, geometry comes from them instead of L/diam.
    pub pt3d: Vec<Pt3d>,
    /// Density mechanisms in insertion order (ion mechanisms are listed in `ions`).
    pub mechanisms: Vec<String>,
    /// Ions present in this section (`na`, `ca`, `h` …), in order of first use.
    pub ions: Vec<String>,
    range: RangeTable,
}

impl Section {
    /// A new section with NEURON's defaults: L 100 µm, diam 500 µm, Ra 35.4 Ω·cm, cm 1 µF/cm², nseg 1.
    pub fn new(name: impl Into<String>) -> Self {
        let mut range = RangeTable::default();
        range.insert_if_absent("diam", || vec![500.0]);
        range.insert_if_absent("cm", || vec![1.0]);
        Section {
            name: name.into(),
            parent: None,
            length: 100.0,
            ra: 35.4,
            nseg: 1,
            pt3d: Vec::new(),
            mechanisms: Vec::new(),
            ions: Vec::new(),
            range,
        }
    }

    /// Number of segments.
    pub fn nseg(&self) -> usize {
        self.nseg
    }

    /// Centre of segment `i` in arc length units (0..1): (i + ½)/nseg.
    pub fn segment_centre(&self, i: usize) -> f64 {
        (i as f64 + 0.5) / self.nseg as f64
    }

    /// Index of the segment containing `x` (NEURON's rule: ⌊x·nseg⌋, with x = 1 in the last).
    pub fn segment_index(&self, x: f64) -> usize {
        segment_of(x, self.nseg)
    }

    /// Changes nseg, re-mapping every range value: new segment i takes the value of the old
    /// segment that contains its centre, as NEURON does when `nseg` is assigned.
    pub fn set_nseg(&mut self, nseg: usize) -> Result<(), Error> {
        if nseg == 0 {
            return Err(Error::InvalidValue {
                what: format!("nseg of {}", self.name),
                value: 0.0,
            });
        }
        if nseg == self.nseg {
            return Ok(());
        }
        let old = self.nseg;
        for values in self.range.values_mut() {
            let remapped = (0..nseg)
                .map(|i| values[segment_of((i as f64 + 0.5) / nseg as f64, old)])
                .collect();
            *values = remapped;
        }
        self.nseg = nseg;
        Ok(())
    }

    /// True if `name` is a range variable of this section.
    pub fn has_range(&self, name: &str) -> bool {
        self.range.contains_key(name)
    }

    /// Per-segment values of range variable `name`.
    pub fn range(&self, name: &str) -> Option<&[f64]> {
        self.range.get(name).map(|v| v.as_slice())
    }

    /// All range variables, sorted by name.
    pub fn range_values(&self) -> impl Iterator<Item = (&str, &[f64])> {
        self.range.iter().map(|(k, v)| (k, v.as_slice()))
    }

    /// Value of `name` in the segment containing `x`.
    pub fn range_at(&self, name: &str, x: f64) -> Option<f64> {
        let i = self.segment_index(x);
        self.range.get(name).map(|v| v[i])
    }

    /// Declares a range variable (if new) with `default` in every segment.
    pub fn declare_range(&mut self, name: &str, default: f64) {
        let n = self.nseg;
        self.range.insert_if_absent(name, || vec![default; n]);
    }

    /// Sets `name` in every segment.
    pub fn set_range(&mut self, name: &str, value: f64) -> Result<(), Error> {
        let values = self.range_mut(name)?;
        values.iter_mut().for_each(|v| *v = value);
        Ok(())
    }

    /// Sets `name` in the segment containing `x`.
    pub fn set_range_at(&mut self, name: &str, x: f64, value: f64) -> Result<(), Error> {
        let i = self.segment_index(x);
        self.range_mut(name)?[i] = value;
        Ok(())
    }

    /// HOC's `name(x1:x2) = y1:y2`: linear interpolation over segments whose centres lie in
    /// [x1, x2].
    pub fn set_range_linear(
        &mut self,
        name: &str,
        x1: f64,
        x2: f64,
        y1: f64,
        y2: f64,
    ) -> Result<(), Error> {
        let n = self.nseg;
        let values = self.range_mut(name)?;
        for (i, v) in values.iter_mut().enumerate() {
            let x = (i as f64 + 0.5) / n as f64;
            if x >= x1 && x <= x2 {
                *v = if x2 == x1 {
                    y1
                } else {
                    y1 + (y2 - y1) * (x - x1) / (x2 - x1)
                };
            }
        }
        Ok(())
    }

    fn range_mut(&mut self, name: &str) -> Result<&mut Vec<f64>, Error> {
        let section = self.name.clone();
        self.range
            .get_mut(name)
            .ok_or_else(|| Error::UnknownRangeVariable {
                section,
                name: name.to_string(),
            })
    }

    /// Records that mechanism `name` is inserted (idempotent), declaring its range variables.
    pub fn insert_mechanism(&mut self, name: &str, range: &[(String, f64)]) {
        if !self.mechanisms.iter().any(|m| m == name) {
            self.mechanisms.push(name.to_string());
        }
        for (var, default) in range {
            self.declare_range(var, *default);
        }
    }

    /// Removes a density mechanism and its range variables (`uninsert`).
    pub fn remove_mechanism(&mut self, name: &str, range: &[String]) {
        self.mechanisms.retain(|m| m != name);
        for var in range {
            self.range.remove(var);
        }
    }

    /// Records that ion `ion` is present (idempotent), declaring its variables with defaults.
    pub fn insert_ion(&mut self, ion: &str, vars: &[(String, f64)]) {
        if !self.ions.iter().any(|i| i == ion) {
            self.ions.push(ion.to_string());
        }
        for (var, default) in vars {
            self.declare_range(var, *default);
        }
    }
}

/// NEURON's segment lookup: x·nseg truncated, x = 1 mapped into the last segment.
fn segment_of(x: f64, nseg: usize) -> usize {
    let i = (x * nseg as f64) as usize;
    i.min(nseg - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nseg_change_remaps_by_segment_centre() {
        let mut s = Section::new("dend");
        s.set_nseg(3).unwrap();
        s.declare_range("g", 0.0);
        s.set_range_linear("g", 0.0, 1.0, 0.0, 3.0).unwrap();
        assert_eq!(s.range("g").unwrap(), &[0.5, 1.5, 2.5]);
        s.set_nseg(6).unwrap();
        assert_eq!(s.range("g").unwrap(), &[0.5, 0.5, 1.5, 1.5, 2.5, 2.5]);
        s.set_nseg(1).unwrap();
        assert_eq!(s.range("g").unwrap(), &[1.5]);
    }

    #[test]
    fn segment_lookup_matches_neuron() {
        let mut s = Section::new("a");
        s.set_nseg(5).unwrap();
        assert_eq!(s.segment_index(0.0), 0);
        assert_eq!(s.segment_index(0.5), 2);
        assert_eq!(s.segment_index(1.0), 4);
        assert_eq!(s.segment_index(0.19999), 0);
    }

    #[test]
    fn unknown_range_variable_is_an_error() {
        let mut s = Section::new("soma");
        assert!(s.set_range("gbar_na", 1.0).is_err());
        assert!(s.set_nseg(0).is_err());
    }
}
