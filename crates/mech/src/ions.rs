//! Ion species storage and NEURON's ion mechanism (`eion.cpp`): style promotion from the
//! `USEION` statements of the mechanisms placed on each node, per-ion defaults, `ion_init`,
//! `ion_cur` and `nrn_wrote_conc`.
//!
//! Style bits per node entry (`iontype`), as `nrn_promote` computes them:
//!
//! | bits | meaning |
//! |---|---|
//! | `03` | concentration style: 0 unused, 1 read (constant), 2 —, 3 written (state) |
//! | `030` | reversal style (same values) shifted by 3 |
//! | `04` | cinit: `ion_init` resets inside/outside to `xi0`/`xo0` |
//! | `040` | einit: `ion_init` (and `nrn_wrote_conc`) set e from Nernst |
//! | `0100` | eadvance: `ion_cur` recomputes e from Nernst every step |
//! | `0200`/`0400` | inside/outside concentration written by a mechanism |

use std::collections::{BTreeMap, BTreeSet};

use nmodl::ir::{self, IonVar};

use crate::fast_ln::FastLn;
use crate::ions_fast::nernst_eadvance_fast;
use crate::math::{ktf, nernst};
use crate::{Error, IonArrays, IonStore};

/// Style bit: initialise concentrations from `xi0`/`xo0` in `ion_init`.
pub const STYLE_CINIT: u32 = 0o4;
/// Style bit: initialise the reversal potential from Nernst.
pub const STYLE_EINIT: u32 = 0o40;
/// Style bit: recompute the reversal potential from Nernst every step.
pub const STYLE_EADVANCE: u32 = 0o100;
/// Style bit: the inside concentration is written by a mechanism.
pub const STYLE_INSIDE_WRITTEN: u32 = 0o200;
/// Style bit: the outside concentration is written by a mechanism.
pub const STYLE_OUTSIDE_WRITTEN: u32 = 0o400;

/// Default `(e, inside, outside)` of a freshly allocated ion (`membdef.h`, `ion_alloc`).
pub fn ion_defaults(name: &str) -> (f64, f64, f64) {
    match name {
        "na" => (50.0, 10.0, 140.0),
        "k" => (-77.0, 54.4, 2.5),
        "ca" => (12.5 * (2.0f64 / 5e-5).ln(), 5e-5, 2.0),
        _ => (0.0, 1.0, 1.0),
    }
}

/// Built-in valence of the ions NEURON registers itself.
pub fn builtin_valence(name: &str) -> Option<f64> {
    match name {
        "na" | "k" => Some(1.0),
        "ca" => Some(2.0),
        _ => None,
    }
}

/// `nrn_promote`: merges a (conc, rev) request into an existing style word.
pub fn promote(style: u32, conc: u32, rev: u32) -> u32 {
    let mut c = (style & 0o3).max(conc);
    let mut r = ((style & 0o30) >> 3).max(rev);
    if c > 0 && r < 2 {
        r = 2;
    }
    c = c.min(3);
    let mut it = style & !0o177;
    it += c + 0o10 * r;
    if c == 3 {
        it += STYLE_CINIT;
        if r == 2 {
            it += STYLE_EADVANCE;
        }
    }
    if c > 0 && r == 2 {
        it += STYLE_EINIT;
    }
    it
}

/// The (conc, rev, written bits) request one `USEION` statement makes (`nocpout.cpp` ion_promote).
pub fn usage_request(usage: &ir::IonUse) -> (u32, u32, u32) {
    let is_conc = |v: &IonVar| matches!(v, IonVar::Inside | IonVar::Outside);
    let mut conc = 0;
    let mut rev = 0;
    let mut written = 0;
    if usage.read.iter().any(is_conc) {
        conc = 1;
    }
    if usage.read.contains(&IonVar::Erev) {
        rev = 1;
    }
    if usage.write.iter().any(is_conc) {
        conc = 3;
    }
    if usage.write.contains(&IonVar::Inside) {
        written |= STYLE_INSIDE_WRITTEN;
    }
    if usage.write.contains(&IonVar::Outside) {
        written |= STYLE_OUTSIDE_WRITTEN;
    }
    if usage.write.contains(&IonVar::Erev) {
        rev = 3;
    }
    (conc, rev, written)
}

#[derive(Debug, Default)]
struct PendingIon {
    valence: Option<f64>,
    /// Style per node (promotion is per ion instance, i.e. per node).
    nodes: BTreeMap<u32, u32>,
}

/// Collects ion uses before the simulation is built. See [`IonStore::builder`].
#[derive(Debug, Default)]
pub struct IonStoreBuilder {
    ions: BTreeMap<String, PendingIon>,
    order: Vec<String>,
}

impl IonStoreBuilder {
    fn pending(&mut self, name: &str) -> &mut PendingIon {
        if !self.ions.contains_key(name) {
            self.order.push(name.to_owned());
        }
        self.ions.entry(name.to_owned()).or_default()
    }

    fn set_valence(&mut self, name: &str, valence: Option<f64>) -> Result<(), Error> {
        let builtin = builtin_valence(name);
        let ion = self.pending(name);
        for v in [builtin, valence].into_iter().flatten() {
            match ion.valence {
                Some(old) if old != v => {
                    return Err(Error::ConflictingValence {
                        ion: name.to_owned(),
                        first: old,
                        second: v,
                    })
                }
                _ => ion.valence = Some(v),
            }
        }
        Ok(())
    }

    /// Records that a mechanism with this `USEION` sits on `nodes`: creates the ion there and
    /// promotes its style as `nrn_promote` does.
    pub fn use_ion(&mut self, usage: &ir::IonUse, nodes: &[u32]) -> Result<&mut Self, Error> {
        self.set_valence(&usage.name, usage.valence)?;
        let (conc, rev, written) = usage_request(usage);
        let ion = self.pending(&usage.name);
        for &n in nodes {
            let style = ion.nodes.entry(n).or_insert(0);
            *style = promote(*style, conc, rev) | written;
        }
        Ok(self)
    }

    /// All `USEION`s of `mechanism`, placed on `nodes` (one entry per instance; repeats allowed).
    pub fn add_mechanism(
        &mut self,
        mechanism: &ir::Mechanism,
        nodes: &[u32],
    ) -> Result<&mut Self, Error> {
        for usage in &mechanism.ions {
            self.use_ion(usage, nodes)?;
        }
        Ok(self)
    }

    /// Creates ion `name` on `nodes` without promoting its style: what a cell description does
    /// when it assigns `ek`, `cai`, … (the ion mechanism exists with style 0 unless a user
    /// mechanism promotes it).
    pub fn declare(&mut self, name: &str, nodes: &[u32]) -> Result<&mut Self, Error> {
        self.set_valence(name, None)?;
        let ion = self.pending(name);
        for &n in nodes {
            ion.nodes.entry(n).or_insert(0);
        }
        Ok(self)
    }

    /// Sets a valence for an ion that no `USEION … VALENCE` declares (e.g. an ion only
    /// assigned from HOC).
    pub fn valence(&mut self, name: &str, valence: f64) -> Result<&mut Self, Error> {
        self.set_valence(name, Some(valence))?;
        Ok(self)
    }

    /// Allocates the arrays with NEURON's defaults. Ions are ordered by first use; entries of an
    /// ion are sorted by node.
    pub fn build(self) -> Result<IonStore, Error> {
        let mut ions = Vec::with_capacity(self.order.len());
        for name in &self.order {
            let pending = &self.ions[name];
            let valence = pending
                .valence
                .ok_or_else(|| Error::MissingValence(name.clone()))?;
            let (e, ci, co) = ion_defaults(name);
            let n = pending.nodes.len();
            let styles: Vec<u32> = pending.nodes.values().copied().collect();
            ions.push(IonArrays {
                name: name.clone(),
                valence,
                nodes: pending.nodes.keys().copied().collect(),
                erev: vec![e; n],
                inside: vec![ci; n],
                outside: vec![co; n],
                current: vec![0.0; n],
                dcurrent_dv: vec![0.0; n],
                style: styles.iter().fold(0, |a, &s| a | s),
                styles,
                inside0: ci,
                outside0: co,
            });
        }
        Ok(IonStore {
            ions,
            fast_math: false,
            slopes: true,
        })
    }
}

impl IonStore {
    /// Starts collecting ion uses. Typical engine code:
    ///
    /// ```ignore
    /// let mut b = IonStore::builder();
    /// b.add_mechanism(catalogue.mechanism("hh")?.as_ref(), &hh_nodes)?;
    /// b.declare("k", &nodes_where_the_cell_sets_ek)?;
    /// let mut ions = b.build()?;
    /// ions.set_value("k", node, IonVar::Erev, -80.0);
    /// ```
    pub fn builder() -> IonStoreBuilder {
        IonStoreBuilder::default()
    }

    /// Fast-math mode (default off): [`Self::current_begin`] then computes the Nernst
    /// potentials of eadvance entries with [`crate::fast_ln`] (four entries at a time, within
    /// 2 ulp of `ln`; e differs from NEURON's by ≲ 1e-15 relative) instead of libm's `log`.
    /// `init` and `wrote_concentration` stay exact.
    pub fn set_fast_math(&mut self, on: bool) -> &mut Self {
        self.fast_math = on;
        self
    }

    /// Whether fast-math mode is on.
    pub fn fast_math(&self) -> bool {
        self.fast_math
    }

    /// Whether anyone reads the ions' di/dv (default on): off, [`Self::current_begin`] leaves
    /// `dcurrent_dv` as it is instead of zeroing it, for runs whose kernels do not accumulate
    /// it and whose integration (backward Euler) does not read it.
    pub fn set_ion_slopes(&mut self, on: bool) -> &mut Self {
        self.slopes = on;
        self
    }

    /// Position of ion `name` in [`IonStore::ions`].
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.ions.iter().position(|i| i.name == name)
    }

    /// Entry of `node` in the arrays of ion `ion`.
    pub fn entry(&self, ion: usize, node: u32) -> Option<usize> {
        self.ions.get(ion)?.nodes.binary_search(&node).ok()
    }

    /// Value of one ion variable at a node.
    pub fn value(&self, ion: &str, node: u32, var: IonVar) -> Option<f64> {
        let i = self.index_of(ion)?;
        let e = self.entry(i, node)?;
        Some(self.ions[i].column(var)[e])
    }

    /// Sets one ion variable at a node (HOC `ek = -80`, `cai = 50e-6` …). Returns false if the
    /// ion does not exist there.
    pub fn set_value(&mut self, ion: &str, node: u32, var: IonVar, value: f64) -> bool {
        let Some(i) = self.index_of(ion) else {
            return false;
        };
        let Some(e) = self.entry(i, node) else {
            return false;
        };
        self.ions[i].column_mut(var)[e] = value;
        true
    }

    /// Sets the `<ion>i0_<ion>_ion` / `<ion>o0_<ion>_ion` globals used by cinit.
    pub fn set_initial_concentrations(&mut self, ion: &str, inside0: f64, outside0: f64) -> bool {
        match self.index_of(ion) {
            Some(i) => {
                self.ions[i].inside0 = inside0;
                self.ions[i].outside0 = outside0;
                true
            }
            None => false,
        }
    }

    /// `ion_init` for every ion, before any other mechanism's INITIAL: cinit entries get
    /// inside0/outside0 (overwriting assigned values), then einit entries get Nernst.
    pub fn init(&mut self, celsius: f64) {
        for ion in &mut self.ions {
            for k in 0..ion.nodes.len() {
                if ion.styles[k] & STYLE_CINIT != 0 {
                    ion.inside[k] = ion.inside0;
                    ion.outside[k] = ion.outside0;
                }
            }
            for k in 0..ion.nodes.len() {
                if ion.styles[k] & STYLE_EINIT != 0 {
                    ion.erev[k] = nernst(ion.inside[k], ion.outside[k], ion.valence, celsius);
                }
            }
        }
    }

    /// `ion_cur` for every ion, before the mechanisms' currents: zero current and di/dv, and
    /// recompute e where eadvance is set.
    pub fn current_begin(&mut self, celsius: f64) {
        let fast_ln = self.fast_math.then(FastLn::detect);
        for ion in &mut self.ions {
            let mut entries = Entries {
                erev: &mut ion.erev,
                inside: &ion.inside,
                outside: &ion.outside,
                styles: &ion.styles,
                current: &mut ion.current,
                dcurrent_dv: &mut ion.dcurrent_dv,
            };
            begin_entries(&mut entries, ion.valence, celsius, fast_ln, self.slopes);
        }
    }

    /// `nrn_wrote_conc`: after a mechanism wrote a concentration of entry `entry`, recompute e if
    /// the entry's einit bit is set.
    pub fn wrote_concentration(&mut self, ion: usize, entry: usize, celsius: f64) {
        let Some(a) = self.ions.get_mut(ion) else {
            return;
        };
        if entry < a.nodes.len() && a.styles[entry] & STYLE_EINIT != 0 {
            a.erev[entry] = nernst(a.inside[entry], a.outside[entry], a.valence, celsius);
        }
    }
}

impl IonArrays {
    /// The array holding `var`.
    pub fn column(&self, var: IonVar) -> &[f64] {
        match var {
            IonVar::Erev => &self.erev,
            IonVar::Inside => &self.inside,
            IonVar::Outside => &self.outside,
            IonVar::Current => &self.current,
            IonVar::DCurrentDv => &self.dcurrent_dv,
        }
    }

    /// The array holding `var`, mutable.
    pub fn column_mut(&mut self, var: IonVar) -> &mut [f64] {
        match var {
            IonVar::Erev => &mut self.erev,
            IonVar::Inside => &mut self.inside,
            IonVar::Outside => &mut self.outside,
            IonVar::Current => &mut self.current,
            IonVar::DCurrentDv => &mut self.dcurrent_dv,
        }
    }
}

/// Splits an ion range-variable name into (ion, variable): `ek` → (`k`, Erev), `cai` →
/// (`ca`, Inside), `nao` → (`na`, Outside), `ica` → (`ca`, Current). Only the shapes are checked;
/// whether the ion exists is the caller's business.
pub fn split_ion_variable(name: &str, known: &BTreeSet<String>) -> Option<(String, IonVar)> {
    let try_ion = |ion: &str, var| known.contains(ion).then(|| (ion.to_owned(), var));
    if let Some(rest) = name.strip_prefix("di").and_then(|r| r.strip_suffix("_dv_")) {
        if let Some(r) = try_ion(rest, IonVar::DCurrentDv) {
            return Some(r);
        }
    }
    if let Some(r) = name
        .strip_prefix('e')
        .and_then(|ion| try_ion(ion, IonVar::Erev))
    {
        return Some(r);
    }
    if let Some(r) = name
        .strip_prefix('i')
        .and_then(|ion| try_ion(ion, IonVar::Current))
    {
        return Some(r);
    }
    if let Some(r) = name
        .strip_suffix('i')
        .and_then(|ion| try_ion(ion, IonVar::Inside))
    {
        return Some(r);
    }
    name.strip_suffix('o')
        .and_then(|ion| try_ion(ion, IonVar::Outside))
}

/// [`nernst`] for a charged ion (z ≠ 0) given its factor ktf/z: the same branches and the same
/// product (ktf/z)·ln(co/ci).
#[inline]
fn nernst_with_factor(ci: f64, co: f64, ktf_over_z: f64) -> f64 {
    if ci <= 0.0 {
        1e6
    } else if co <= 0.0 {
        -1e6
    } else {
        ktf_over_z * (co / ci).ln()
    }
}

/// Some entries of one ion, as `ion_cur` updates them.
pub(crate) struct Entries<'a> {
    pub erev: &'a mut [f64],
    pub inside: &'a [f64],
    pub outside: &'a [f64],
    pub styles: &'a [u32],
    pub current: &'a mut [f64],
    pub dcurrent_dv: &'a mut [f64],
}

/// `ion_cur` on `ion`'s entries: zero current and di/dv, e from Nernst where eadvance is set.
pub(crate) fn begin_entries(
    ion: &mut Entries,
    valence: f64,
    celsius: f64,
    fast_ln: Option<FastLn>,
    slopes: bool,
) {
    if slopes {
        ion.dcurrent_dv.fill(0.0);
    }
    ion.current.fill(0.0);
    if valence == 0.0 {
        // nrn_nernst gives 0 for an uncharged ion, whatever the concentrations.
        for (e, &style) in ion.erev.iter_mut().zip(ion.styles) {
            if style & STYLE_EADVANCE != 0 {
                *e = 0.0;
            }
        }
        return;
    }
    // The factor that `nernst` computes on every call, once per ion.
    let ktf_over_z = ktf(celsius) / valence;
    if let Some(ln) = fast_ln {
        nernst_eadvance_fast(ion, ktf_over_z, ln);
        return;
    }
    let entries = ion.erev.iter_mut().zip(ion.styles);
    for ((e, &style), (&ci, &co)) in entries.zip(ion.inside.iter().zip(ion.outside)) {
        if style & STYLE_EADVANCE != 0 {
            *e = nernst_with_factor(ci, co, ktf_over_z);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hoisted_factor_gives_nernst_bit_for_bit() {
        let concentrations = [0.0, -1.0, 1e-7, 5e-5, 2.4e-4, 1.0, 2.0, 140.0, f64::NAN];
        for z in [1.0, -1.0, 2.0, 3.0] {
            for celsius in [6.3, 22.0, 37.0] {
                let factor = ktf(celsius) / z;
                for ci in concentrations {
                    for co in concentrations {
                        let want = nernst(ci, co, z, celsius);
                        let got = nernst_with_factor(ci, co, factor);
                        assert_eq!(got.to_bits(), want.to_bits(), "{ci} {co} {z} {celsius}");
                    }
                }
            }
        }
    }
}
