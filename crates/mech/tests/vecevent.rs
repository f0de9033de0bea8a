//! BMTK's `vecevent.mod` (a VecStim written with VERBATIM C) loads: the catalogue keeps its
//! native VecStim and says so, while other C-using files are still refused.

use std::path::Path;

use mech::{Catalogue, IonStore};

fn bmtk_mechanisms() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/bmtk_mechanisms"
    ))
}

#[test]
fn bmtk_vecevent_dir_loads_with_native_vecstim_and_one_warning() {
    let mut cat = Catalogue::new();
    let names = cat
        .add_user_dir(bmtk_mechanisms())
        .unwrap_or_else(|e| panic!("{:?}", e.iter().map(|e| e.to_string()).collect::<Vec<_>>()));
    assert_eq!(names, ["leak", "VecStim"]);
    let warnings = cat.take_warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("vecevent.mod:") && warnings[0].contains("built-in VecStim"),
        "{}",
        warnings[0]
    );
    assert!(cat.take_warnings().is_empty(), "warnings are taken once");
    // VecStim keeps its built-in place (before user files); the user mechanism follows.
    let order = cat.names();
    let vecstim = order.iter().position(|n| *n == "VecStim").unwrap();
    let leak = order.iter().position(|n| *n == "leak").unwrap();
    assert!(vecstim < leak, "{order:?}");
    assert_eq!(order.iter().filter(|n| **n == "VecStim").count(), 1);

    let ions = IonStore::builder().build().unwrap();
    let mut set = cat.instantiate("VecStim", vec![0, 0], &ions, 3).unwrap();
    assert_eq!(set.len(), 2);
    assert!(
        set.set_event_times(1, &[1.0, 2.5]),
        "only the native VecStim takes event times"
    );
    assert_eq!(
        cat.mechanism("VecStim").unwrap().kind,
        nmodl::ir::Kind::Artificial
    );
}

#[test]
fn vecevent_replaces_an_earlier_nmodl_vecstim() {
    let text = std::fs::read_to_string(bmtk_mechanisms().join("vecevent.mod")).unwrap();
    let plain = "NEURON { ARTIFICIAL_CELL VecStim }\nNET_RECEIVE (w) { net_event(t) }\n";
    let mut cat = Catalogue::new();
    cat.add_user("a_vecstim.mod", plain).unwrap();
    let ions = IonStore::builder().build().unwrap();
    let mut compiled = cat.instantiate("VecStim", vec![0], &ions, 0).unwrap();
    assert!(
        !compiled.set_event_times(0, &[1.0]),
        "plain NMODL VecStim is compiled"
    );
    assert_eq!(cat.add_user("vecevent.mod", &text).unwrap(), "VecStim");
    let mut native = cat.instantiate("VecStim", vec![0], &ions, 0).unwrap();
    assert!(native.set_event_times(0, &[1.0]));
}

#[test]
fn other_verbatim_files_are_still_refused() {
    let text = "NEURON { ARTIFICIAL_CELL MyStim }\nPROCEDURE f() {\nVERBATIM\n  int k = 0;\nENDVERBATIM\n}\n";
    let mut cat = Catalogue::new();
    let err = cat.add_user("mystim.mod", text).unwrap_err().to_string();
    assert!(err.contains("unsupported C code in VERBATIM"), "{err}");
    assert!(cat.take_warnings().is_empty());
}
