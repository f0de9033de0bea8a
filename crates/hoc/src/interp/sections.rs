//! Sections: creation and deletion, the section stack, mechanisms, ions and range variables,
//! and extraction of a [`CellDescription`] from an object's sections.

use std::collections::HashMap;
use std::rc::Rc;

use model::{CellDescription, MechanismKind, PointProcess, Section};

use crate::interp::{Interpreter, RtError, RtResult};
use crate::lexer::Span;
use crate::value::{Array, ObjRef, SecId};

/// A section in the arena.
#[derive(Debug, Clone)]
pub struct SecSlot {
    pub section: Section,
    pub alive: bool,
    /// Address of the owning object (None for top-level sections).
    pub owner: Option<usize>,
    /// Name as `secname()` prints it (`HCOcell[0].soma[0]`).
    pub full_name: String,
    /// Name within the cell (`soma[0]`).
    pub short_name: String,
    /// When this section was last connected (NEURON orders siblings by it).
    pub connect_seq: u64,
}

/// NEURON's ion defaults: (reversal potential, inside, outside concentration).
pub fn ion_defaults(ion: &str) -> (f64, f64, f64) {
    match ion {
        "na" => (50.0, 10.0, 140.0),
        "k" => (-77.0, 54.4, 2.5),
        // 1e3·R·(273.15+6.3)/(2F)·ln(2/5e-5) would depend on celsius; NEURON's default is the
        // constant 12.5·ln(cao/cai).
        "ca" => (12.5 * (2.0f64 / 5e-5).ln(), 5e-5, 2.0),
        _ => (0.0, 1.0, 1.0),
    }
}

pub(crate) fn owner_key(obj: &ObjRef) -> usize {
    Rc::as_ptr(obj) as usize
}

/// Geometry names that every section has.
pub(crate) const GEOMETRY: [&str; 5] = ["nseg", "L", "Ra", "diam", "cm"];

impl Interpreter<'_> {
    /// Creates `name` (an array of `dims`) owned by `owner`, returning the section ids.
    pub(crate) fn create_section_array(
        &mut self,
        owner: Option<&ObjRef>,
        name: &str,
        dims: &[usize],
        span: &Span,
    ) -> RtResult<Array<SecId>> {
        let n: usize = dims.iter().product();
        if n > 100_000 {
            return Err(self.err(span, format!("create {name}: array too large ({n})")));
        }
        let prefix = owner
            .map(|o| format!("{}.", o.display_name()))
            .unwrap_or_default();
        let mut ids = Vec::with_capacity(n);
        for flat in 0..n {
            let short = if dims.is_empty() {
                name.to_string()
            } else {
                let mut rest = flat;
                let mut idx = vec![0; dims.len()];
                for k in (0..dims.len()).rev() {
                    idx[k] = rest % dims[k];
                    rest /= dims[k];
                }
                let subs: String = idx.iter().map(|i| format!("[{i}]")).collect();
                format!("{name}{subs}")
            };
            let slot = SecSlot {
                section: Section::new(short.clone()),
                alive: true,
                owner: owner.map(owner_key),
                full_name: format!("{prefix}{short}"),
                short_name: short,
                connect_seq: 0,
            };
            self.sections.push(slot);
            ids.push(self.sections.len() - 1);
        }
        Ok(Array {
            dims: dims.to_vec(),
            data: ids,
        })
    }

    /// Deletes a section: children lose their parent, as in NEURON.
    pub(crate) fn delete_section(&mut self, id: SecId) {
        if !self.sections[id].alive {
            return;
        }
        self.sections[id].alive = false;
        for s in self.sections.iter_mut() {
            if s.section.parent.is_some_and(|a| a.parent == id) {
                s.section.parent = None;
            }
        }
        if self.default_access == Some(id) {
            self.default_access = None;
        }
        if self.distance_origin.is_some_and(|(s, _)| s == id) {
            self.distance_origin = None;
        }
    }

    pub(crate) fn delete_sections_of(&mut self, obj: &ObjRef) {
        let key = owner_key(obj);
        let mut any = false;
        for s in self
            .sections
            .iter_mut()
            .filter(|s| s.alive && s.owner == Some(key))
        {
            s.alive = false;
            any = true;
        }
        if !any {
            return;
        }
        // One pass instead of per-section scans: children of deleted sections become roots.
        let dead: Vec<bool> = self.sections.iter().map(|s| !s.alive).collect();
        for s in self.sections.iter_mut() {
            if s.section.parent.is_some_and(|a| dead[a.parent]) {
                s.section.parent = None;
            }
        }
        if self.default_access.is_some_and(|id| dead[id]) {
            self.default_access = None;
        }
        if self.distance_origin.is_some_and(|(id, _)| dead[id]) {
            self.distance_origin = None;
        }
        // Free memory of dead sections at the end of the arena.
        while self.sections.last().is_some_and(|s| !s.alive) {
            self.sections.pop();
        }
    }

    pub(crate) fn check_alive(&self, id: SecId, span: &Span) -> RtResult<()> {
        if self.sections.get(id).is_some_and(|s| s.alive) {
            Ok(())
        } else {
            Err(self.err(span, "the section has been deleted".into()))
        }
    }

    /// The currently accessed section.
    pub(crate) fn current_section(&self, span: &Span) -> RtResult<SecId> {
        let id = self.sec_stack.last().copied().or(self.default_access);
        match id {
            Some(id) if self.sections[id].alive => Ok(id),
            _ => Err(self.err(
                span,
                "section access unspecified (no currently accessed section)".into(),
            )),
        }
    }

    /// Runs `f` with `id` pushed on the section stack.
    pub(crate) fn with_section<T>(
        &mut self,
        id: SecId,
        f: impl FnOnce(&mut Self) -> RtResult<T>,
    ) -> RtResult<T> {
        self.sec_stack.push(id);
        let r = f(self);
        self.sec_stack.pop();
        r
    }

    /// The ion that `name` is a variable of (`ek` → `k`), if any ion the registry knows.
    pub(crate) fn ion_of(&self, name: &str) -> Option<String> {
        if let Some(ion) = self.registry.ion_of_variable(name) {
            return Some(ion);
        }
        let candidates = [
            name.strip_prefix('e'),
            name.strip_suffix('i'),
            name.strip_suffix('o'),
            name.strip_prefix('i'),
        ];
        candidates
            .into_iter()
            .flatten()
            .filter(|c| !c.is_empty())
            .find(|ion| {
                matches!(*ion, "na" | "k" | "ca")
                    || self.registry.signature(&format!("{ion}_ion")).is_some()
            })
            .map(str::to_string)
    }

    /// Variables of ion `ion` with their defaults.
    pub(crate) fn ion_variables(&self, ion: &str) -> Vec<(String, f64)> {
        if let Some(sig) = self.registry.signature(&format!("{ion}_ion")) {
            if !sig.range.is_empty() {
                return sig
                    .range
                    .iter()
                    .map(|r| (r.name.clone(), r.default))
                    .collect();
            }
        }
        let (e, i, o) = ion_defaults(ion);
        vec![
            (format!("e{ion}"), e),
            (format!("{ion}i"), i),
            (format!("{ion}o"), o),
            (format!("i{ion}"), 0.0),
        ]
    }

    /// The mechanism providing range variable `name` (`gbar_na` → `na`).
    pub(crate) fn mechanism_of(&self, name: &str) -> Option<model::MechanismSignature> {
        for (pos, _) in name.match_indices('_') {
            let suffix = &name[pos + 1..];
            if suffix.is_empty() {
                continue;
            }
            if let Some(sig) = self.registry.signature(suffix) {
                if sig.kind == MechanismKind::Density && sig.range.iter().any(|r| r.name == name) {
                    return Some(sig);
                }
            }
        }
        None
    }

    /// True if `name` is a section/range variable or built-in global rather than a user variable.
    pub(crate) fn is_builtin_variable(&self, name: &str) -> bool {
        GEOMETRY.contains(&name)
            || self.is_builtin_global(name)
            || self.mechanism_of(name).is_some()
            || self.ion_of(name).is_some()
    }

    /// True if `name` is a range variable (present in the section or known to the registry).
    pub(crate) fn is_range_name(&self, name: &str) -> bool {
        name == "diam"
            || name == "cm"
            || self.mechanism_of(name).is_some()
            || self.ion_of(name).is_some()
    }

    /// Inserts density mechanism `name` (and the ions it uses) into section `id`.
    pub(crate) fn insert_mechanism(&mut self, id: SecId, name: &str, span: &Span) -> RtResult<()> {
        let sig = match self.registry.signature(name) {
            Some(sig) if sig.kind == MechanismKind::Density => sig,
            Some(_) => {
                return Err(self.err(
                    span,
                    format!("`{name}` is not a density mechanism and cannot be inserted"),
                ))
            }
            None => return Err(self.err(span, format!("unknown mechanism `{name}` in `insert`"))),
        };
        let range: Vec<(String, f64)> = sig
            .range
            .iter()
            .map(|r| (r.name.clone(), r.default))
            .collect();
        self.sections[id].section.insert_mechanism(name, &range);
        for ion in &sig.ions {
            self.ensure_ion(id, ion);
        }
        Ok(())
    }

    pub(crate) fn ensure_ion(&mut self, id: SecId, ion: &str) {
        if !self.sections[id].section.ions.iter().any(|i| i == ion) {
            let vars = self.ion_variables(ion);
            self.sections[id].section.insert_ion(ion, &vars);
        }
    }

    pub(crate) fn uninsert_mechanism(
        &mut self,
        id: SecId,
        name: &str,
        span: &Span,
    ) -> RtResult<()> {
        let Some(sig) = self.registry.signature(name) else {
            return Err(self.err(span, format!("unknown mechanism `{name}` in `uninsert`")));
        };
        let range: Vec<String> = sig.range.iter().map(|r| r.name.clone()).collect();
        self.sections[id].section.remove_mechanism(name, &range);
        Ok(())
    }

    /// Makes sure range variable `name` exists in section `id` (creating an ion if `name`
    /// is an ion variable), or explains why it cannot.
    pub(crate) fn prepare_range(&mut self, id: SecId, name: &str, span: &Span) -> RtResult<()> {
        if self.sections[id].section.has_range(name) {
            return Ok(());
        }
        if let Some(ion) = self.ion_of(name) {
            self.ensure_ion(id, &ion);
            if self.sections[id].section.has_range(name) {
                return Ok(());
            }
        }
        let sec = self.sections[id].full_name.clone();
        match self.mechanism_of(name) {
            Some(sig) => Err(self.err(
                span,
                format!("{} mechanism not inserted in section {sec}", sig.name),
            )),
            None => Err(self.err(
                span,
                format!("`{name}` is not a range variable of section {sec}"),
            )),
        }
    }

    pub(crate) fn model_err(&self, span: &Span, e: model::Error) -> RtError {
        self.err(span, e.to_string())
    }

    /// Builds the cell description of `obj`'s live sections (in creation order) and its
    /// point processes, after NEURON's diameter recalculation for sections with 3-D points.
    pub(crate) fn extract_cell(&mut self, obj: &ObjRef) -> CellDescription {
        let key = owner_key(obj);
        let ids: Vec<SecId> = (0..self.sections.len())
            .filter(|&i| self.sections[i].alive && self.sections[i].owner == Some(key))
            .collect();
        for &id in &ids {
            self.recalc_diam(id);
        }
        let index: HashMap<SecId, usize> = ids.iter().enumerate().map(|(k, &id)| (id, k)).collect();
        let mut cell = CellDescription::new(obj.display_name());
        // Exact size: descriptions live for the whole run, growth slack would be ~25 % of them.
        cell.sections.reserve_exact(ids.len());
        for &id in &ids {
            let mut s = self.sections[id].section.clone();
            s.name = self.sections[id].short_name.clone();
            s.parent = s.parent.and_then(|mut a| {
                a.parent = *index.get(&a.parent)?;
                Some(a)
            });
            cell.add_section(s);
        }
        for p in &self.points {
            if p.owner.upgrade().is_none() {
                continue;
            }
            if let Some(&section) = index.get(&p.section) {
                cell.point_processes.push(PointProcess {
                    mechanism: p.mechanism.clone(),
                    section,
                    x: p.x,
                    values: p.values.clone(),
                });
            }
        }
        cell
    }
}
