//! Every file of `tests/corpus` parses and checks without errors, and the HCO interfaces are
//! what NEURON would report.

use std::path::PathBuf;

use nmodl::interface::MechanismInterface;
use nmodl::parse_and_check;

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn check_file(name: &str) -> nmodl::Checked {
    let path = corpus_dir().join(name);
    let bytes = std::fs::read(&path).unwrap();
    match parse_and_check(&path.display().to_string(), bytes) {
        Ok(c) => c,
        Err(diagnostics) => {
            let text: Vec<String> = diagnostics.iter().map(|d| d.to_string()).collect();
            panic!("{name} failed:\n{}", text.join("\n"));
        }
    }
}

#[test]
fn every_corpus_file_checks_cleanly() {
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".mod"))
        .collect();
    names.sort();
    assert!(names.len() >= 16, "corpus too small: {names:?}");
    for name in names {
        let checked = check_file(&name);
        let warnings: Vec<String> = checked.warnings.iter().map(|d| d.to_string()).collect();
        assert!(warnings.is_empty(), "{name} has warnings: {warnings:?}");
        assert!(
            MechanismInterface::from_checked(&checked).is_some(),
            "{name} has no interface"
        );
    }
}

#[test]
fn capool_reads_and_writes_calcium() {
    let iface = MechanismInterface::from_checked(&check_file("capool.mod")).unwrap();
    assert_eq!(iface.name, "capool");
    assert_eq!(iface.ions.len(), 1);
    let ca = &iface.ions[0];
    assert_eq!(ca.name, "ca");
    assert_eq!(ca.read, ["ica", "cai", "cao"]);
    assert_eq!(ca.write, ["cai"]);
    assert_eq!(ca.valence, None);
    let text = iface.to_string();
    assert!(
        text.contains("USEION ca READ ica, cai, cao WRITE cai"),
        "{text}"
    );
    assert_eq!(iface.states.len(), 1);
    assert_eq!(iface.states[0].name, "cai");
    let tauca = iface.range.iter().find(|v| v.name == "tauca").unwrap();
    assert_eq!(tauca.default, Some(200.0));
    assert_eq!(tauca.unit.as_deref(), Some("ms"));
    assert_eq!(tauca.hoc_name, "tauca_capool");
}

#[test]
fn hyper_uses_private_h_ion_with_valence_one() {
    let iface = MechanismInterface::from_checked(&check_file("hyper.mod")).unwrap();
    let h = &iface.ions[0];
    assert_eq!((h.name.as_str(), h.valence), ("h", Some(1.0)));
    assert_eq!(h.read, ["eh"]);
    assert_eq!(h.write, ["ih"]);
    assert!(iface
        .to_string()
        .contains("USEION h READ eh WRITE ih VALENCE 1"));
}

#[test]
fn all_nine_hco_mechanisms_have_their_ions() {
    let expected = [
        ("capool", "ca"),
        ("cas", "ca"),
        ("cat", "ca"),
        ("hyper", "h"),
        ("ka", "k"),
        ("kca", "k"),
        ("kdr", "k"),
        ("leak", "leak"),
        ("na", "na"),
    ];
    for (name, ion) in expected {
        let iface = MechanismInterface::from_checked(&check_file(&format!("{name}.mod"))).unwrap();
        assert_eq!(iface.name, name);
        assert!(
            iface.ions.iter().any(|i| i.name == ion),
            "{name} lacks ion {ion}"
        );
    }
}

#[test]
fn point_process_and_artificial_cell_kinds() {
    use nmodl::ast::MechanismKind;
    let syn = MechanismInterface::from_checked(&check_file("synapse_netreceive.mod")).unwrap();
    assert_eq!(syn.kind, MechanismKind::PointProcess);
    assert_eq!(syn.nonspecific_currents, ["i"]);
    // Point-process range variables are object fields in HOC: no suffix.
    assert!(syn.range.iter().all(|v| v.hoc_name == v.name));
    let cell = MechanismInterface::from_checked(&check_file("artificial_cell.mod")).unwrap();
    assert_eq!(cell.kind, MechanismKind::ArtificialCell);
    assert_eq!(cell.pointers, ["drive", "handle"]);
    assert_eq!(
        cell.globals
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>(),
        ["thresh"]
    );
}
