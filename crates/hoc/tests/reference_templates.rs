//! The published-style templates in tests/reference-data/hoc (ball-and-stick with a d_lambda
//! rule, sprint+execute channel distributions, distance-graded conductances). Expected values
//! are worked out by hand from NEURON's rules, noted next to each assertion.

mod common;

use common::{section, value, TestRegistry};

fn load(file: &str, template: &str) -> model::CellDescription {
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    let path = format!(
        "{}/../../tests/reference-data/hoc/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    interp.load_file(&path).unwrap_or_else(|e| panic!("{e}"));
    interp
        .instantiate(template, &[])
        .unwrap_or_else(|e| panic!("{e}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1e-300)
}

#[test]
fn ball_and_stick_d_lambda_rule_and_nseg_remap() {
    let cell = load("BallStick.hoc", "BallStick");
    assert_eq!(
        cell.sections
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["soma", "dend"]
    );
    let dend = section(&cell, "dend");
    // λ(100 Hz) = 1e5·√(1.2/(4π·100·123·1.1)) µm; nseg = 2·int((700/(0.1λ) + 0.9)/2) + 1.
    let lambda = 1e5 * (1.2 / (4.0 * std::f64::consts::PI * 100.0 * 123.0 * 1.1)).sqrt();
    let expected = 2 * (((700.0 / (0.1 * lambda) + 0.9) / 2.0) as usize) + 1;
    assert_eq!(dend.nseg(), expected);
    assert_eq!(expected, 27);
    assert_eq!(section(&cell, "soma").nseg(), 1);
    // g_pas(0:1) = 1e-4:3e-4 over 3 segments gives values at centres 1/6, 1/2, 5/6; going to
    // 27 segments copies each old value into the 9 new segments whose centres it contains.
    let g = value(&cell, "dend", "g_pas");
    for (i, v) in g.iter().enumerate() {
        let old_centre = [1.0 / 6.0, 0.5, 5.0 / 6.0][i / 9];
        assert!(close(*v, 1e-4 + 2e-4 * old_centre), "segment {i}: {v}");
    }
    assert_eq!((dend.ra, value(&cell, "dend", "cm")[0]), (123.0, 1.1));
    assert_eq!(value(&cell, "soma", "gnabar_hh"), vec![0.25]);
    assert_eq!(value(&cell, "soma", "el_hh"), vec![-60.0]);
    assert!(dend.mechanisms == ["pas"] && section(&cell, "soma").mechanisms == ["hh"]);
}

#[test]
fn channel_distributions_from_sprint_and_execute() {
    let cell = load("ChanDist.hoc", "ChanDist");
    let names: Vec<&str> = cell.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["soma", "axon", "dend[0]", "dend[1]", "dend[2]"]);
    // %g keeps 6 significant digits: 3.3333333333e-5·k prints as 3.33333e-05, 6.66667e-05 …
    assert_eq!(value(&cell, "soma", "g_pas"), vec![3.33333e-05]);
    assert_eq!(value(&cell, "axon", "g_pas"), vec![6.66667e-05; 9]);
    assert_eq!(value(&cell, "dend[1]", "g_pas"), vec![1e-4; 5]);
    assert_eq!(value(&cell, "axon", "e_pas"), vec![-66.0; 9]);
    assert_eq!(value(&cell, "soma", "gnabar_hh"), vec![0.12]);
    assert_eq!(value(&cell, "axon", "gnabar_hh"), vec![0.24; 9]);
    assert_eq!(value(&cell, "axon", "gkbar_hh"), vec![0.012; 9]);
    assert!(!section(&cell, "dend[0]")
        .mechanisms
        .contains(&"hh".to_string()));
    assert_eq!(value(&cell, "dend[2]", "cm"), vec![2.12346; 5]);
    assert_eq!(section(&cell, "axon").ra, 75.0);
    assert_eq!(section(&cell, "soma").ra, 150.0);
    assert_eq!(
        (
            section(&cell, "dend[2]").length,
            value(&cell, "dend[2]", "diam")[0]
        ),
        (250.0, 1.0)
    );
    let axon = section(&cell, "axon").parent.unwrap();
    assert_eq!(
        (cell.sections[axon.parent].name.as_str(), axon.parent_x),
        ("soma", 0.0)
    );
}

#[test]
fn distance_graded_conductances() {
    let cell = load("DistGrad.hoc", "DistGrad");
    // Origin: soma(0.5). Distances are between nodes: interior points snap to segment centres.
    let g = |sec: &str| value(&cell, sec, "g_pas");
    let centre = |i: usize, n: usize| (i as f64 + 0.5) / n as f64;
    for i in 0..7 {
        // dend[0] hangs on soma(0): 7.5 µm back to the soma's 0 end, then x·100.
        assert!(close(
            g("dend[0]")[i],
            5e-5 + 2e-7 * (7.5 + 100.0 * centre(i, 7))
        ));
        // dend[1] continues dend[0]: 7.5 + 100 + x·200.
        assert!(close(
            g("dend[1]")[i],
            5e-5 + 2e-7 * (107.5 + 200.0 * centre(i, 7))
        ));
        // dend[2] hangs on dend[0](0.5), the centre of its 4th segment: 7.5 + 50 + x·300.
        assert!(close(
            g("dend[2]")[i],
            5e-5 + 2e-7 * (57.5 + 300.0 * centre(i, 7))
        ));
    }
    for i in 0..3 {
        // prox_dend hangs on soma(0.5), the origin itself; the regex "dend" matches it too.
        assert!(close(g("prox_dend")[i], 5e-5 + 2e-7 * 50.0 * centre(i, 3)));
    }
    let gna = value(&cell, "apic[0]", "gnabar_hh");
    for (i, g) in gna.iter().enumerate() {
        // apic[0] hangs on soma(1): 7.5 + x·300.
        assert!(close(
            *g,
            0.12 * (-(7.5 + 300.0 * centre(i, 11)) / 200.0).exp()
        ));
    }
    // apic[1] is attached by its 1 end, so distance grows towards x = 0.
    let gna = value(&cell, "apic[1]", "gnabar_hh");
    for (i, g) in gna.iter().enumerate() {
        assert!(close(
            *g,
            0.12 * (-(307.5 + 200.0 * (1.0 - centre(i, 5))) / 200.0).exp()
        ));
    }
    let gk = value(&cell, "apic[1]", "gkbar_hh");
    for (i, g) in gk.iter().enumerate() {
        assert!(close(*g, 0.04 - 0.03 * centre(i, 5)));
    }
    assert_eq!(value(&cell, "soma", "g_pas"), vec![5e-5]);
    assert_eq!(value(&cell, "soma", "gnabar_hh"), vec![0.12]);
    let apic1 = section(&cell, "apic[1]").parent.unwrap();
    assert_eq!((apic1.parent_x, apic1.child_x), (1.0, 1.0));
}
