//! The interface a mechanism shows to NEURON/HOC, extracted from a checked file: what
//! `bmtk check FILE.mod` prints.
//!
//! NEURON's visibility rules: names listed in RANGE are per-instance and STATEs are always
//! per-instance; names listed in GLOBAL, and PARAMETERs not listed in RANGE, are one value per
//! mechanism. In HOC, the range variables of a density mechanism are `name_suffix` (`gnabar_hh`)
//! while those of a point process are fields of the object (`syn.tau`); globals are always
//! `name_suffix`. Ion variables keep their plain names (`cai`) unless listed in RANGE.

use std::fmt;

use crate::ast::MechanismKind;
use crate::sema::{Checked, Symbol, SymbolKind, SymbolTable};

/// How one ion is used.
#[derive(Debug, Clone, PartialEq)]
pub struct IonUse {
    pub name: String,
    pub read: Vec<String>,
    pub write: Vec<String>,
    pub valence: Option<f64>,
}

/// One visible variable.
#[derive(Debug, Clone, PartialEq)]
pub struct VarInfo {
    pub name: String,
    /// Name seen from HOC.
    pub hoc_name: String,
    pub default: Option<f64>,
    pub unit: Option<String>,
    pub kind: SymbolKind,
    pub array_len: Option<usize>,
}

/// What a mechanism exposes.
#[derive(Debug, Clone, PartialEq)]
pub struct MechanismInterface {
    pub kind: MechanismKind,
    pub name: String,
    pub ions: Vec<IonUse>,
    pub range: Vec<VarInfo>,
    pub globals: Vec<VarInfo>,
    pub states: Vec<VarInfo>,
    pub pointers: Vec<String>,
    pub nonspecific_currents: Vec<String>,
    pub electrode_currents: Vec<String>,
    pub threadsafe: bool,
}

impl MechanismInterface {
    /// The interface of a checked file.
    pub fn from_checked(checked: &Checked) -> Option<Self> {
        Self::from_symbols(&checked.symbols)
    }

    /// The interface described by a symbol table; `None` without a mechanism name.
    pub fn from_symbols(table: &SymbolTable) -> Option<Self> {
        let (kind, name) = table.mechanism.as_ref()?;
        let suffix = name.name.as_str();
        let info = |s: &Symbol, hoc_name: String| VarInfo {
            name: s.name.clone(),
            hoc_name,
            default: s.value,
            unit: s.unit.clone(),
            kind: s.kind,
            array_len: s.array_len,
        };
        let suffixed = |s: &Symbol| format!("{}_{suffix}", s.name);
        let range_hoc = |s: &Symbol| match kind {
            MechanismKind::Suffix if s.range || s.ion.is_none() => suffixed(s),
            _ => s.name.clone(),
        };
        let visible = |s: &&Symbol| s.kind != SymbolKind::BuiltinVariable;
        let range = table
            .iter()
            .filter(visible)
            .filter(|s| s.range)
            .map(|s| info(s, range_hoc(s)))
            .collect();
        let globals = table
            .iter()
            .filter(visible)
            .filter(|s| s.global || (s.kind == SymbolKind::Parameter && !s.range))
            .map(|s| info(s, suffixed(s)))
            .collect();
        let states = table
            .iter()
            .filter(|s| s.kind == SymbolKind::State)
            .map(|s| info(s, range_hoc(s)))
            .collect();
        let names = |pick: fn(&Symbol) -> bool| {
            table
                .iter()
                .filter(|s| pick(s))
                .map(|s| s.name.clone())
                .collect()
        };
        Some(MechanismInterface {
            kind: *kind,
            name: name.name.clone(),
            ions: table
                .ions
                .iter()
                .map(|i| IonUse {
                    name: i.ion.clone(),
                    read: i.read.clone(),
                    write: i.write.clone(),
                    valence: i.valence,
                })
                .collect(),
            range,
            globals,
            states,
            pointers: names(|s| s.pointer),
            nonspecific_currents: names(|s| s.nonspecific_current),
            electrode_currents: names(|s| s.electrode_current),
            threadsafe: table.threadsafe,
        })
    }
}

impl fmt::Display for VarInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if let Some(n) = self.array_len {
            write!(f, "[{n}]")?;
        }
        if let Some(v) = self.default {
            write!(f, " = {v}")?;
        }
        if let Some(u) = &self.unit {
            write!(f, " ({u})")?;
        }
        if self.hoc_name != self.name {
            write!(f, "  [hoc: {}]", self.hoc_name)?;
        }
        Ok(())
    }
}

impl fmt::Display for MechanismInterface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            MechanismKind::Suffix => "SUFFIX (density mechanism)",
            MechanismKind::PointProcess => "POINT_PROCESS",
            MechanismKind::ArtificialCell => "ARTIFICIAL_CELL",
        };
        writeln!(f, "mechanism {}: {kind}", self.name)?;
        for ion in &self.ions {
            write!(f, "  USEION {}", ion.name)?;
            if !ion.read.is_empty() {
                write!(f, " READ {}", ion.read.join(", "))?;
            }
            if !ion.write.is_empty() {
                write!(f, " WRITE {}", ion.write.join(", "))?;
            }
            if let Some(v) = ion.valence {
                write!(f, " VALENCE {v}")?;
            }
            writeln!(f)?;
        }
        for (label, list) in [
            ("RANGE", &self.range),
            ("GLOBAL", &self.globals),
            ("STATE", &self.states),
        ] {
            for var in list {
                writeln!(f, "  {label:<6} {var}")?;
            }
        }
        for (label, list) in [
            ("NONSPECIFIC_CURRENT", &self.nonspecific_currents),
            ("ELECTRODE_CURRENT", &self.electrode_currents),
            ("POINTER", &self.pointers),
        ] {
            if !list.is_empty() {
                writeln!(f, "  {label} {}", list.join(", "))?;
            }
        }
        if self.threadsafe {
            writeln!(f, "  THREADSAFE")?;
        }
        Ok(())
    }
}
