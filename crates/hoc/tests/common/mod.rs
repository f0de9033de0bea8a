//! A mechanism registry for tests: hh, pas, the nine HCO mechanisms (RANGE variables and
//! PARAMETER defaults from the model's .mod files), IClamp, and their ions.
#![allow(dead_code)]

use model::{MechanismKind, MechanismRegistry, MechanismSignature, RangeVariable};

pub struct TestRegistry;

fn var(name: &str, default: f64) -> RangeVariable {
    RangeVariable {
        name: name.to_string(),
        default,
        writable: true,
    }
}

fn density(name: &str, vars: &[(&str, f64)], ions: &[&str]) -> MechanismSignature {
    MechanismSignature {
        name: name.to_string(),
        kind: MechanismKind::Density,
        range: vars
            .iter()
            .map(|(v, d)| var(&format!("{v}_{name}"), *d))
            .collect(),
        ions: ions.iter().map(|s| s.to_string()).collect(),
    }
}

const IONS: [&str; 5] = ["na", "k", "ca", "h", "leak"];

fn ion(name: &str) -> MechanismSignature {
    let (e, i, o) = match name {
        "na" => (50.0, 10.0, 140.0),
        "k" => (-77.0, 54.4, 2.5),
        "ca" => (12.5 * (2.0f64 / 5e-5).ln(), 5e-5, 2.0),
        _ => (0.0, 1.0, 1.0),
    };
    MechanismSignature {
        name: format!("{name}_ion"),
        kind: MechanismKind::Ion,
        range: vec![
            var(&format!("e{name}"), e),
            var(&format!("{name}i"), i),
            var(&format!("{name}o"), o),
            var(&format!("i{name}"), 0.0),
        ],
        ions: Vec::new(),
    }
}

impl MechanismRegistry for TestRegistry {
    fn signature(&self, name: &str) -> Option<MechanismSignature> {
        let channel = |n: &str, extra: &[&str], ions: &[&str]| {
            let mut vars = vec![("gbar", 0.0), ("g", 0.0)];
            vars.extend(extra.iter().map(|e| (*e, 0.0)));
            density(n, &vars, ions)
        };
        Some(match name {
            "hh" => density(
                "hh",
                &[
                    ("gnabar", 0.12),
                    ("gkbar", 0.036),
                    ("gl", 0.0003),
                    ("el", -54.3),
                    ("gna", 0.0),
                    ("gk", 0.0),
                    ("il", 0.0),
                ],
                &["na", "k"],
            ),
            "pas" => density("pas", &[("g", 0.001), ("e", -70.0), ("i", 0.0)], &[]),
            "leak" => density("leak", &[("gbar", 0.0)], &["leak"]),
            "cat" => channel("cat", &["uinf", "zinf", "utau", "ztau"], &["ca"]),
            "cas" => channel("cas", &["pinf", "qinf", "ptau", "qtau"], &["ca"]),
            "kdr" => channel("kdr", &["ninf", "ntau"], &["k"]),
            "ka" => channel("ka", &["ainf", "binf", "atau", "btau"], &["k"]),
            "kca" => channel("kca", &["cinf", "ctau"], &["k", "ca"]),
            "hyper" => channel("hyper", &["hminf", "hmtau"], &["h"]),
            "na" => channel("na", &["minf", "hinf", "mtau", "htau"], &["na"]),
            "capool" => density(
                "capool",
                &[("tauca", 200.0), ("fca", 1.0), ("cainf", 50e-6)],
                &["ca"],
            ),
            "IClamp" => MechanismSignature {
                name: "IClamp".into(),
                kind: MechanismKind::Point,
                range: vec![
                    var("del", 0.0),
                    var("dur", 0.0),
                    var("amp", 0.0),
                    var("i", 0.0),
                ],
                ions: Vec::new(),
            },
            _ => {
                let ion_name = name.strip_suffix("_ion")?;
                if !IONS.contains(&ion_name) {
                    return None;
                }
                ion(ion_name)
            }
        })
    }

    fn ion_of_variable(&self, name: &str) -> Option<String> {
        IONS.iter()
            .find(|i| {
                [
                    format!("e{i}"),
                    format!("{i}i"),
                    format!("{i}o"),
                    format!("i{i}"),
                ]
                .iter()
                .any(|v| v == name)
            })
            .map(|i| i.to_string())
    }
}

/// Runs `src` as a file and instantiates `template` with no arguments.
pub fn build(src: &str, template: &str) -> Result<model::CellDescription, hoc::Error> {
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    interp.run_source(src, "test.hoc")?;
    interp.instantiate(template, &[])
}

pub fn section<'a>(cell: &'a model::CellDescription, name: &str) -> &'a model::Section {
    &cell.sections[cell.find_section(name).unwrap_or_else(|| {
        panic!(
            "no section {name} in {:?}",
            cell.sections.iter().map(|s| &s.name).collect::<Vec<_>>()
        )
    })]
}

pub fn value(cell: &model::CellDescription, sec: &str, var: &str) -> Vec<f64> {
    section(cell, sec)
        .range(var)
        .unwrap_or_else(|| panic!("{sec} has no {var}"))
        .to_vec()
}
