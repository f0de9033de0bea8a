//! The shared models' templates instantiate to the expected cells.

mod common;

use common::{section, value, TestRegistry};

const HCO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/hco/biophys_components/hoc_templates/HCOCell.hoc"
);
const MC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/reference-data/hoc/MultiCompCell.hoc"
);

#[test]
fn hco_cell_has_one_soma_with_nine_mechanisms() {
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    interp.load_file(HCO).unwrap();
    let obj = interp.new_object("HCOcell", &[]).unwrap();
    assert_eq!(
        interp.member_number(&obj, "NumSoma"),
        Some(0.0),
        "members start zeroed in a new object"
    );
    let cell = interp.cell(&obj);
    interp.release(obj);
    assert_eq!(cell.sections.len(), 1);
    let soma = section(&cell, "soma[0]");
    assert_eq!(soma.nseg(), 1);
    assert_eq!(soma.length, 1000.0);
    assert_eq!(value(&cell, "soma[0]", "diam"), vec![9.99593f32 as f64]);
    assert_eq!(value(&cell, "soma[0]", "diam")[0], 9.995929718017578);
    assert_eq!(
        soma.mechanisms,
        ["leak", "cat", "cas", "kdr", "ka", "kca", "capool", "hyper", "na"]
    );
    for (var, expected) in [
        ("eleak", -50.0),
        ("gbar_leak", 0.03e-3),
        ("cao", 3.0),
        ("cai", 50e-6),
        ("gbar_cat", 0.02),
        ("gbar_cas", 0.01),
        ("ek", -80.0),
        ("gbar_kdr", 0.1),
        ("gbar_ka", 0.3),
        ("gbar_kca", 0.01),
        ("eh", -20.0),
        ("gbar_hyper", 0.0002),
        ("ena", 50.0),
        ("gbar_na", 0.5),
        ("cm", 1.0),
        ("tauca_capool", 200.0),
    ] {
        assert_eq!(value(&cell, "soma[0]", var), vec![expected], "{var}");
    }
    // define_shape: ends plus one segment centre, float32 coordinates.
    assert_eq!(soma.pt3d.len(), 3);
    assert_eq!(soma.pt3d[2].x, 1000.0);
    assert_eq!(soma.pt3d[1].diam, 9.99593f32);
    let text = hoc::describe(&cell);
    assert!(text.contains("section soma[0]  nseg=1 L=1000"), "{text}");
}

#[test]
fn hco_cells_can_be_instantiated_repeatedly() {
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    interp.load_file(HCO).unwrap();
    for _ in 0..3 {
        let cell = interp.instantiate("HCOcell", &[]).unwrap();
        assert_eq!(cell.sections.len(), 1);
        assert_eq!(cell.sections[0].pt3d[0].z, 0.0);
    }
}

#[test]
fn multicomp_cell_tree_and_values() {
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    interp.load_file(MC).unwrap();
    let cell = interp.instantiate("MultiCompCell", &[]).unwrap();
    let names: Vec<&str> = cell.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["soma[0]", "dend[0]", "dend[1]", "dend[2]"]);
    let parent = |n: &str| {
        section(&cell, n)
            .parent
            .map(|a| (cell.sections[a.parent].name.clone(), a.parent_x, a.child_x))
    };
    assert_eq!(parent("soma[0]"), None);
    assert_eq!(parent("dend[0]"), Some(("soma[0]".into(), 1.0, 0.0)));
    assert_eq!(parent("dend[1]"), Some(("dend[0]".into(), 1.0, 0.0)));
    assert_eq!(parent("dend[2]"), Some(("dend[0]".into(), 1.0, 0.0)));
    let soma = section(&cell, "soma[0]");
    assert_eq!((soma.nseg(), soma.length, soma.ra), (1, 20.0, 100.0));
    assert_eq!(soma.mechanisms, ["hh"]);
    assert_eq!(soma.ions, ["na", "k"]);
    assert_eq!(value(&cell, "soma[0]", "gl_hh"), vec![0.0003]);
    assert_eq!(value(&cell, "soma[0]", "el_hh"), vec![-54.3]);
    assert_eq!(value(&cell, "soma[0]", "ena"), vec![50.0]);
    assert_eq!(value(&cell, "soma[0]", "diam"), vec![20.0]);
    for d in ["dend[0]", "dend[1]", "dend[2]"] {
        let s = section(&cell, d);
        assert_eq!((s.nseg(), s.length, s.ra), (11, 200.0, 100.0));
        assert_eq!(s.mechanisms, ["pas"]);
        assert_eq!(value(&cell, d, "g_pas"), vec![0.0001; 11]);
        assert_eq!(value(&cell, d, "e_pas"), vec![-65.0; 11]);
        assert_eq!(value(&cell, d, "diam"), vec![2.0; 11]);
        assert_eq!(s.pt3d.len(), 13);
    }
    // dend[0] continues the soma along x; its two children fan out by ±0.4 rad.
    let d0 = section(&cell, "dend[0]");
    assert_eq!((d0.pt3d[0].x, d0.pt3d[12].x), (20.0, 220.0));
    let (d1, d2) = (section(&cell, "dend[1]"), section(&cell, "dend[2]"));
    assert_eq!(d1.pt3d[0].x, 220.0);
    assert!((d1.pt3d[12].y + d2.pt3d[12].y).abs() < 1e-3 && d1.pt3d[12].y.abs() > 70.0);
}
