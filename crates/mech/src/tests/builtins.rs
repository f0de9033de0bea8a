//! Every built-in compiles, the registry answers, memb_order follows NEURON.

use model::MechanismRegistry;

use crate::Catalogue;

#[test]
fn every_builtin_compiles() {
    let cat = Catalogue::new();
    for name in crate::BUILTIN_NAMES {
        let m = cat.mechanism(name);
        assert!(
            m.is_ok(),
            "{name}: {}",
            m.err().map(|e| e.to_string()).unwrap_or_default()
        );
        assert_eq!(&m.unwrap().name, name);
    }
}

#[test]
fn registry_names_density_variables_with_suffix() {
    let cat = Catalogue::new();
    let hh = cat.signature("hh").expect("hh");
    let names: Vec<_> = hh.range.iter().map(|r| r.name.as_str()).collect();
    assert!(names.contains(&"gnabar_hh"), "{names:?}");
    let gnabar = hh.range.iter().find(|r| r.name == "gnabar_hh").unwrap();
    assert_eq!(gnabar.default, 0.12);
    let iclamp = cat.signature("IClamp").expect("IClamp");
    assert!(iclamp.range.iter().any(|r| r.name == "amp"));
    assert_eq!(cat.ion_of_variable("ek").as_deref(), Some("k"));
    assert_eq!(cat.ion_of_variable("cai").as_deref(), Some("ca"));
    assert_eq!(cat.ion_of_variable("gnabar_hh"), None);
    let ca = cat.signature("ca_ion").unwrap();
    assert_eq!(ca.range[1].name, "cai");
    assert_eq!(ca.range[1].default, 5e-5);
}

#[test]
fn user_mechanism_overrides_builtin_and_orders_by_file_name() {
    let mut cat = Catalogue::new();
    let pas = "NEURON { SUFFIX pas NONSPECIFIC_CURRENT i RANGE g, e }\n\
               PARAMETER { g = .002 (S/cm2) e = -65 (mV) }\nASSIGNED { v (mV) i (mA/cm2) }\n\
               BREAKPOINT { i = g*(v - e) }\n";
    let leak = pas.replace("SUFFIX pas", "SUFFIX aleak");
    assert_eq!(cat.add_user("zz_pas.mod", pas).unwrap(), "pas");
    assert_eq!(cat.add_user("leak.mod", &leak).unwrap(), "aleak");
    let g = cat.mechanism("pas").unwrap();
    assert_eq!(g.fields[g.field("g").unwrap() as usize].default, 0.002);
    let names = cat.names();
    let pos = |n: &str| names.iter().position(|x| *x == n).unwrap();
    // Users after built-ins, sorted by file name: leak.mod before zz_pas.mod.
    assert!(
        pos("hh") < pos("aleak") && pos("aleak") < pos("pas"),
        "{names:?}"
    );
    assert_eq!(
        cat.memb_order(&["pas", "hh", "aleak"]).unwrap(),
        vec!["hh", "aleak", "pas"]
    );
}

#[test]
fn bad_user_file_reports_diagnostics() {
    let mut cat = Catalogue::new();
    let err = cat
        .add_user("bad.mod", "NEURON { SUFFIX bad }\nBREAKPOINT { x = }\n")
        .unwrap_err();
    match err {
        crate::Error::Compile { diagnostics, .. } => assert!(!diagnostics.is_empty()),
        other => panic!("{other}"),
    }
}
