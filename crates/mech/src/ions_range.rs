//! `ion_cur` on ranges of entries, from several threads at once (intra-cell threading in the
//! engine): [`IonStore::entry_ranges`] gives each thread raw views of its entries of every ion,
//! so that zeroing the currents and the Nernst update stay on the core that then adds the
//! currents of those entries.

use std::ops::Range;

use crate::fast_ln::FastLn;
use crate::ions::{begin_entries, Entries};
use crate::IonStore;

/// One thread's entries of every ion (see [`IonStore::entry_ranges`]).
pub struct IonRanges {
    ions: Vec<RawEntries>,
    fast_ln: Option<FastLn>,
    /// See [`IonStore::set_ion_slopes`].
    slopes: bool,
}

/// Column pointers of one ion, offset to the first entry of the range.
struct RawEntries {
    valence: f64,
    len: usize,
    erev: *mut f64,
    inside: *const f64,
    outside: *const f64,
    styles: *const u32,
    current: *mut f64,
    dcurrent_dv: *mut f64,
}

// SAFETY: the pointers address entries that `IonRanges::current_begin`'s contract reserves
// for the thread holding the view.
unsafe impl Send for IonRanges {}

impl IonStore {
    /// Per ion, the range of its entries whose node lies in `nodes`; None when some ion's
    /// entries are not in node order (the range would not be contiguous).
    pub fn entries_of_nodes(&self, nodes: Range<u32>) -> Option<Vec<Range<usize>>> {
        self.ions
            .iter()
            .map(|ion| {
                let n = &ion.nodes;
                if n.windows(2).any(|w| w[0] > w[1]) {
                    return None;
                }
                Some(n.partition_point(|&x| x < nodes.start)..n.partition_point(|&x| x < nodes.end))
            })
            .collect()
    }

    /// Views of entries `ranges[i]` of ion `i` (clamped to the ion's length) for
    /// [`IonRanges::current_begin`], in this store's fast-math mode.
    pub fn entry_ranges(&mut self, ranges: &[Range<usize>]) -> IonRanges {
        let ions = self
            .ions
            .iter_mut()
            .zip(ranges)
            .map(|(ion, r)| {
                let end = r.end.min(ion.erev.len());
                let start = r.start.min(end);
                RawEntries {
                    valence: ion.valence,
                    len: end - start,
                    erev: ion.erev[start..].as_mut_ptr(),
                    inside: ion.inside[start..].as_ptr(),
                    outside: ion.outside[start..].as_ptr(),
                    styles: ion.styles[start..].as_ptr(),
                    current: ion.current[start..].as_mut_ptr(),
                    dcurrent_dv: ion.dcurrent_dv[start..].as_mut_ptr(),
                }
            })
            .collect();
        IonRanges {
            ions,
            fast_ln: self.fast_math.then(FastLn::detect),
            slopes: self.slopes,
        }
    }
}

impl IonRanges {
    /// [`IonStore::current_begin`] on the viewed entries.
    ///
    /// # Safety
    /// The store the views came from must be alive and its arrays not resized, and no one else
    /// may access the viewed entries during the call.
    pub unsafe fn current_begin(&mut self, celsius: f64) {
        for ion in &self.ions {
            let n = ion.len;
            // SAFETY: the views lie within the arrays (clamped at creation) and are this
            // thread's alone for the call (the caller's contract).
            let mut entries = unsafe {
                Entries {
                    erev: std::slice::from_raw_parts_mut(ion.erev, n),
                    inside: std::slice::from_raw_parts(ion.inside, n),
                    outside: std::slice::from_raw_parts(ion.outside, n),
                    styles: std::slice::from_raw_parts(ion.styles, n),
                    current: std::slice::from_raw_parts_mut(ion.current, n),
                    dcurrent_dv: std::slice::from_raw_parts_mut(ion.dcurrent_dv, n),
                }
            };
            begin_entries(
                &mut entries,
                ion.valence,
                celsius,
                self.fast_ln,
                self.slopes,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::ions::STYLE_EADVANCE;
    use crate::{IonArrays, IonStore};

    fn store(fast: bool) -> IonStore {
        let n = 11;
        let ion = |valence: f64| IonArrays {
            name: "x".into(),
            valence,
            nodes: vec![0, 1, 1, 2, 4, 5, 5, 6, 8, 9, 10],
            erev: vec![3.0; n],
            inside: (0..n).map(|k| 1e-4 * (k + 1) as f64).collect(),
            outside: vec![2.0; n],
            current: vec![1.0; n],
            dcurrent_dv: vec![1.0; n],
            style: STYLE_EADVANCE,
            styles: (0..n)
                .map(|k| if k == 3 { 0 } else { STYLE_EADVANCE })
                .collect(),
            inside0: 1.0,
            outside0: 1.0,
        };
        let mut s = IonStore {
            ions: vec![ion(2.0), ion(0.0)],
            fast_math: false,
            slopes: true,
        };
        s.set_fast_math(fast);
        s
    }

    #[test]
    fn ranges_by_node_reproduce_the_whole_store_update() {
        for fast in [false, true] {
            let mut whole = store(fast);
            whole.current_begin(6.3);
            let mut parts = store(fast);
            let lo = parts.entries_of_nodes(0..5).expect("sorted");
            let hi = parts.entries_of_nodes(5..11).expect("sorted");
            assert_eq!(lo, vec![0..5, 0..5]);
            assert_eq!(hi, vec![5..11, 5..11]);
            for r in [lo, hi] {
                let mut view = parts.entry_ranges(&r);
                // SAFETY: the store outlives the call and nothing else touches it.
                unsafe { view.current_begin(6.3) };
            }
            for (a, b) in whole.ions.iter().zip(&parts.ions) {
                assert_eq!(a.erev, b.erev);
                assert!(b.current.iter().chain(&b.dcurrent_dv).all(|&x| x == 0.0));
            }
            assert_eq!(parts.ions[0].erev[3], 3.0, "not eadvance: kept");
            assert_eq!(parts.ions[1].erev[0], 0.0, "uncharged: 0");
        }
    }

    #[test]
    fn unsorted_entries_have_no_node_ranges() {
        let mut s = store(false);
        s.ions[1].nodes.swap(0, 4);
        assert!(s.entries_of_nodes(0..5).is_none());
    }
}
