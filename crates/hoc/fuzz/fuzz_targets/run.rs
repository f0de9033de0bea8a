//! Fuzz target: arbitrary bytes as HOC source, parsed and run by the interpreter with a small
//! step limit, then every template it defined instantiated without arguments and described.
//! None of it may panic, hang, overflow the stack or allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model::{MechanismKind, MechanismRegistry, MechanismSignature, RangeVariable};

/// A few mechanisms so that `insert`, range variables, ions and point processes are reachable.
struct FuzzRegistry;

fn var(name: String, default: f64) -> RangeVariable {
    RangeVariable {
        name,
        default,
        writable: true,
    }
}

impl MechanismRegistry for FuzzRegistry {
    fn signature(&self, name: &str) -> Option<MechanismSignature> {
        let (kind, range, ions): (_, Vec<RangeVariable>, &[&str]) = match name {
            "pas" => (
                MechanismKind::Density,
                vec![var("g_pas".into(), 0.001), var("e_pas".into(), -70.0)],
                &[],
            ),
            "hh" => (
                MechanismKind::Density,
                vec![var("gnabar_hh".into(), 0.12), var("gkbar_hh".into(), 0.036)],
                &["na", "k"],
            ),
            "IClamp" => (
                MechanismKind::Point,
                vec![var("del".into(), 0.0), var("dur".into(), 0.0), var("amp".into(), 0.0)],
                &[],
            ),
            "na_ion" | "k_ion" | "ca_ion" => {
                let ion = &name[..name.len() - 4];
                (
                    MechanismKind::Ion,
                    vec![
                        var(format!("e{ion}"), 0.0),
                        var(format!("{ion}i"), 1.0),
                        var(format!("{ion}o"), 1.0),
                        var(format!("i{ion}"), 0.0),
                    ],
                    &[],
                )
            }
            _ => return None,
        };
        Some(MechanismSignature {
            name: name.to_string(),
            kind,
            range,
            ions: ions.iter().map(|s| s.to_string()).collect(),
        })
    }

    fn ion_of_variable(&self, name: &str) -> Option<String> {
        ["na", "k", "ca"]
            .into_iter()
            .find(|ion| {
                name == format!("e{ion}")
                    || name == format!("{ion}i")
                    || name == format!("{ion}o")
                    || name == format!("i{ion}")
            })
            .map(str::to_string)
    }
}

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    let registry = FuzzRegistry;
    let mut interp = hoc::Interpreter::new(&registry);
    interp.set_step_limit(20_000);
    if let Err(e) = interp.run_source(&src, "fuzz.hoc") {
        let _ = e.to_string();
        return;
    }
    for template in interp.template_names().into_iter().take(4) {
        if let Ok(cell) = interp.instantiate(&template, &[]) {
            let _ = hoc::describe(&cell);
        }
    }
});
