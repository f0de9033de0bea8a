//! The mechanism catalogue: NEURON's standard mechanisms (our own NMODL, embedded and compiled
//! on first use) plus user `.mod` files, which override built-ins of the same name as in NEURON.
//!
//! **Registration order** (decides `memb_order_`, see [`Catalogue::memb_order`]): built-ins in
//! NEURON's order (`src/nrnoc/cabvars.h`: capacitance, pas, extracellular, fastpas, IClamp,
//! AlphaSynapse, ExpSyn, Exp2Syn, SEClamp, VClamp, OClamp, APCount, hh, …, NetStim, …) — of
//! which we provide pas, IClamp, AlphaSynapse, ExpSyn, Exp2Syn, SEClamp, hh, NetStim — then
//! VecStim (in NEURON it comes from a user `vecevent.mod`), then user files sorted by file
//! name in byte order, as `nrnivmodl` lists them with `ls *.mod` (it unsets `LC_ALL`; under a
//! non-C `LANG` the shell's collation may differ for mixed-case names).
//! A user mechanism that replaces a built-in takes the user file's position.
//!
//! A user VecStim written with VERBATIM C (BMTK's `vecevent.mod`) is not compiled: the native
//! VecStim stays, at its built-in position, and a warning says so (see [`crate::vecstim_substitute`]).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use model::{MechanismKind, MechanismRegistry, MechanismSignature, RangeVariable};
use nmodl::ir::{self, FieldRole, IonVar};

use crate::ions::{builtin_valence, ion_defaults, split_ion_variable};
use crate::set::InterpretedSet;
use crate::vecstim::{vecstim_ir, VecStimSet};
use crate::vecstim_substitute::{is_verbatim_vecstim, VECSTIM};
use crate::{Error, IonStore, MechanismSet};

/// Built-in NMODL sources, in NEURON's registration order: (file name, text).
pub const BUILTIN_SOURCES: &[(&str, &str)] = &[
    ("passive.mod", include_str!("builtin/pas.mod")),
    ("stim.mod", include_str!("builtin/stim.mod")),
    ("syn.mod", include_str!("builtin/syn.mod")),
    ("expsyn.mod", include_str!("builtin/expsyn.mod")),
    ("exp2syn.mod", include_str!("builtin/exp2syn.mod")),
    ("svclmp.mod", include_str!("builtin/svclmp.mod")),
    ("hh.mod", include_str!("builtin/hh.mod")),
    ("netstim.mod", include_str!("builtin/netstim.mod")),
];

/// Names of the built-in mechanisms, in the order of [`BUILTIN_SOURCES`], then VecStim.
pub const BUILTIN_NAMES: &[&str] = &[
    "pas",
    "IClamp",
    "AlphaSynapse",
    "ExpSyn",
    "Exp2Syn",
    "SEClamp",
    "hh",
    "NetStim",
    "VecStim",
];

enum Source {
    Nmodl { file: String, text: String },
    NativeVecStim,
}

struct Entry {
    name: String,
    source: Source,
    user: bool,
    compiled: OnceLock<Result<Arc<ir::Mechanism>, Error>>,
}

impl Entry {
    fn mechanism(&self) -> Result<Arc<ir::Mechanism>, Error> {
        self.compiled
            .get_or_init(|| match &self.source {
                Source::Nmodl { file, text } => {
                    nmodl::compile(file, text)
                        .map(Arc::new)
                        .map_err(|diagnostics| Error::Compile {
                            file: file.clone(),
                            diagnostics,
                        })
                }
                Source::NativeVecStim => Ok(Arc::new(vecstim_ir())),
            })
            .clone()
    }
}

/// Turns an interpreter set into another backend's set (e.g. `jit::factory()`); installed with
/// [`Catalogue::set_factory`]. It receives the fully built [`InterpretedSet`] (storage, tables,
/// fallbacks) and returns the set the engine will use.
pub type SetFactory =
    Arc<dyn Fn(InterpretedSet) -> Result<Box<dyn MechanismSet>, Error> + Send + Sync>;

/// All mechanisms a simulation may use.
pub struct Catalogue {
    /// Registration order.
    entries: Vec<Entry>,
    /// Ions known to the registry (na, k, ca and every ion a user mechanism uses).
    ions: BTreeSet<String>,
    /// Backend for NMODL mechanisms; `None` = the interpreter.
    factory: Option<SetFactory>,
    /// Messages about user files accepted with a substitution, not yet taken by the caller.
    warnings: Vec<String>,
}

impl Default for Catalogue {
    fn default() -> Self {
        Self::new()
    }
}

impl Catalogue {
    /// The built-in catalogue (compiled lazily, on first use of each mechanism).
    pub fn new() -> Self {
        let mut entries: Vec<Entry> = BUILTIN_SOURCES
            .iter()
            .zip(BUILTIN_NAMES)
            .map(|((file, text), name)| Entry {
                name: (*name).to_owned(),
                source: Source::Nmodl {
                    file: format!("<builtin>/{file}"),
                    text: (*text).to_owned(),
                },
                user: false,
                compiled: OnceLock::new(),
            })
            .collect();
        entries.push(native_vecstim_entry());
        let ions = ["na", "k", "ca"].iter().map(|s| s.to_string()).collect();
        Catalogue {
            entries,
            ions,
            factory: None,
            warnings: Vec::new(),
        }
    }

    /// Warnings from the user files added so far (each once): today, VERBATIM VecStims
    /// replaced by the native one. Callers should show them where they show other warnings.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// Selects the backend that [`Catalogue::instantiate`] uses for NMODL mechanisms: `None`
    /// for the interpreter (the default), or a factory such as `jit::factory()`.
    pub fn set_factory(&mut self, factory: Option<SetFactory>) {
        self.factory = factory;
    }

    /// Adds a user mechanism from NMODL text; `file_name` (e.g. `kdr.mod`) decides its
    /// registration position. Compiles immediately; returns the mechanism's name. A mechanism of
    /// the same name (built-in or earlier user file) is replaced.
    ///
    /// Exception: an `ARTIFICIAL_CELL VecStim` using VERBATIM (BMTK's `vecevent.mod`) restores
    /// the native VecStim instead and records a warning (see [`Catalogue::take_warnings`]).
    pub fn add_user(&mut self, file_name: &str, text: &str) -> Result<String, Error> {
        if is_verbatim_vecstim(text) {
            self.entries.retain(|e| e.name != VECSTIM);
            let after_builtins = self
                .entries
                .iter()
                .position(|e| e.user)
                .unwrap_or(self.entries.len());
            self.entries.insert(after_builtins, native_vecstim_entry());
            self.warnings.push(format!(
                "{file_name}: the C code (VERBATIM) of this VecStim is not run; bmtk-rs's built-in VecStim replaces it"
            ));
            return Ok(VECSTIM.to_owned());
        }
        let mech = nmodl::compile(file_name, text).map_err(|diagnostics| Error::Compile {
            file: file_name.to_owned(),
            diagnostics,
        })?;
        let name = mech.name.clone();
        for u in &mech.ions {
            self.ions.insert(u.name.clone());
        }
        self.entries.retain(|e| e.name != name);
        let compiled = OnceLock::new();
        let _ = compiled.set(Ok(Arc::new(mech)));
        let entry = Entry {
            name: name.clone(),
            source: Source::Nmodl {
                file: file_name.to_owned(),
                text: text.to_owned(),
            },
            user: true,
            compiled,
        };
        // Users come after built-ins, sorted by file name.
        let pos = self
            .entries
            .iter()
            .position(|e| {
                e.user
                    && matches!(&e.source, Source::Nmodl { file, .. } if file.as_str() > file_name)
            })
            .unwrap_or(self.entries.len());
        self.entries.insert(pos, entry);
        Ok(name)
    }

    /// Adds a user mechanism from a `.mod` file (see [`Catalogue::add_user`]).
    pub fn add_user_file(&mut self, path: &Path) -> Result<String, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let file_name = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.add_user(&file_name, &text)
    }

    /// Every `.mod` file of a directory, in file-name order. Returns the mechanism names, or
    /// all errors found.
    pub fn add_user_dir(&mut self, dir: &Path) -> Result<Vec<String>, Vec<Error>> {
        let read = std::fs::read_dir(dir).map_err(|e| {
            vec![Error::Io {
                path: dir.display().to_string(),
                message: e.to_string(),
            }]
        })?;
        let mut files: Vec<_> = read
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "mod"))
            .collect();
        files.sort();
        let mut names = Vec::new();
        let mut errors = Vec::new();
        for f in files {
            match self.add_user_file(&f) {
                Ok(n) => names.push(n),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(names)
        } else {
            Err(errors)
        }
    }

    /// Mechanism names in registration order.
    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.name.as_str()).collect()
    }

    fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// The compiled mechanism `name` (compiling a built-in on first use).
    pub fn mechanism(&self, name: &str) -> Result<Arc<ir::Mechanism>, Error> {
        self.entry(name)
            .ok_or_else(|| Error::UnknownMechanism(name.to_owned()))?
            .mechanism()
    }

    /// NEURON's `memb_order_` restricted to `names` (capacitance and ions, which come first,
    /// are the engine's and the IonStore's): mechanisms that WRITE a concentration in
    /// *reverse* registration order, then all others in registration order. Unknown names are
    /// an error.
    pub fn memb_order(&self, names: &[&str]) -> Result<Vec<String>, Error> {
        let mut writers = Vec::new();
        let mut others = Vec::new();
        for (pos, e) in self.entries.iter().enumerate() {
            if !names.contains(&e.name.as_str()) {
                continue;
            }
            if e.mechanism()?.writes_concentration {
                writers.push((pos, e.name.clone()));
            } else {
                others.push((pos, e.name.clone()));
            }
        }
        if let Some(missing) = names.iter().find(|n| self.entry(n).is_none()) {
            return Err(Error::UnknownMechanism((*missing).to_owned()));
        }
        writers.reverse();
        Ok(writers.into_iter().chain(others).map(|(_, n)| n).collect())
    }

    /// Creates the instance set of mechanism `name` on `nodes` (one instance per entry; for
    /// artificial cells pass any node, e.g. 0, per instance). `ions` must already contain every
    /// ion the mechanism uses at those nodes (see [`IonStore::builder`]). `set_id` is the index
    /// the engine uses for this set; it comes back in [`crate::EventSink`] calls.
    pub fn instantiate(
        &self,
        name: &str,
        nodes: Vec<u32>,
        ions: &IonStore,
        set_id: usize,
    ) -> Result<Box<dyn MechanismSet>, Error> {
        let entry = self
            .entry(name)
            .ok_or_else(|| Error::UnknownMechanism(name.to_owned()))?;
        match entry.source {
            Source::NativeVecStim => Ok(Box::new(VecStimSet::new(nodes, set_id))),
            Source::Nmodl { .. } => {
                let set = InterpretedSet::new(entry.mechanism()?, nodes, ions, set_id)?;
                match &self.factory {
                    Some(factory) => factory(set),
                    None => Ok(Box::new(set)),
                }
            }
        }
    }
}

fn native_vecstim_entry() -> Entry {
    Entry {
        name: VECSTIM.into(),
        source: Source::NativeVecStim,
        user: false,
        compiled: OnceLock::new(),
    }
}

fn ion_signature(ion: &str) -> MechanismSignature {
    let (e, ci, co) = ion_defaults(ion);
    let var = |name: String, default| RangeVariable {
        name,
        default,
        writable: true,
    };
    MechanismSignature {
        name: format!("{ion}_ion"),
        kind: MechanismKind::Ion,
        range: vec![
            var(format!("e{ion}"), e),
            var(format!("{ion}i"), ci),
            var(format!("{ion}o"), co),
            var(format!("i{ion}"), 0.0),
            var(format!("di{ion}_dv_"), 0.0),
        ],
        ions: vec![ion.to_owned()],
    }
}

impl MechanismRegistry for Catalogue {
    fn signature(&self, name: &str) -> Option<MechanismSignature> {
        if let Some(ion) = name.strip_suffix("_ion") {
            return (self.ions.contains(ion) || builtin_valence(ion).is_some())
                .then(|| ion_signature(ion));
        }
        let mech = self.mechanism(name).ok()?;
        let kind = match mech.kind {
            ir::Kind::Density => MechanismKind::Density,
            ir::Kind::Point => MechanismKind::Point,
            ir::Kind::Artificial => MechanismKind::Artificial,
        };
        let range = mech
            .fields
            .iter()
            .filter(|f| f.range)
            .map(|f| RangeVariable {
                name: if kind == MechanismKind::Density {
                    format!("{}_{}", f.name, mech.name)
                } else {
                    f.name.clone()
                },
                default: f.default,
                writable: f.role != FieldRole::State,
            })
            .collect();
        Some(MechanismSignature {
            name: mech.name.clone(),
            kind,
            range,
            ions: mech.ions.iter().map(|u| u.name.clone()).collect(),
        })
    }

    fn ion_of_variable(&self, name: &str) -> Option<String> {
        split_ion_variable(name, &self.ions).map(|(ion, _)| ion)
    }
}

/// The ion variable named by a HOC range variable (`ek` → (`k`, Erev)), among the ions
/// `catalogue` knows.
pub fn ion_variable(catalogue: &Catalogue, name: &str) -> Option<(String, IonVar)> {
    split_ion_variable(name, &catalogue.ions)
}
