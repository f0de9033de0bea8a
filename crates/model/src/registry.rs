//! The narrow view of compiled mechanisms that cell builders need: names, kinds and the
//! range variables (with defaults) each mechanism adds to a section.

/// What kind of NMODL mechanism this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MechanismKind {
    /// `SUFFIX`: inserted into sections, one instance per segment.
    Density,
    /// `POINT_PROCESS`: placed at a location, currents in nA.
    Point,
    /// `ARTIFICIAL_CELL`: a point process without a membrane location.
    Artificial,
    /// An ion mechanism (`na_ion`, `ca_ion`, …), created implicitly by `USEION`.
    Ion,
}

/// One range (per-segment or per-instance) variable of a mechanism.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeVariable {
    /// The full name as HOC sees it: `gbar_na` for a density mechanism, `tau` for a point process.
    pub name: String,
    /// The value a new instance starts with.
    pub default: f64,
    /// True if HOC may assign it (PARAMETER or assigned RANGE), false for read-only state.
    pub writable: bool,
}

/// Interface of one mechanism as seen by cell builders.
#[derive(Debug, Clone, PartialEq)]
pub struct MechanismSignature {
    /// Mechanism name (`hh`, `na`, `IClamp`, `ca_ion`).
    pub name: String,
    pub kind: MechanismKind,
    /// Range variables in declaration order.
    pub range: Vec<RangeVariable>,
    /// Ions this mechanism uses (`na`, `ca`, `h` …); inserting it creates their ion mechanisms.
    pub ions: Vec<String>,
}

/// Looks up mechanisms by name. Implemented by the mechanism catalogue (crate `mech`).
pub trait MechanismRegistry {
    /// The signature of mechanism `name`, or of ion mechanism `<ion>_ion`.
    fn signature(&self, name: &str) -> Option<MechanismSignature>;
    /// The ion a range variable name belongs to (`ek` → `k`, `cai` → `ca`), if it is an ion
    /// variable of an ion the registry knows or could create.
    fn ion_of_variable(&self, name: &str) -> Option<String> {
        let _ = name;
        None
    }
}
