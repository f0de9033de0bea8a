//! Section trees and values against NEURON 9.0.2 dumps of the same templates
//! (tests/reference-data/hoc-cells/*.json, written by tools/reference/gen_hoc.py).

mod common;

use common::TestRegistry;
use serde_json::Value as Json;

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

fn floats(j: &Json) -> Vec<f64> {
    j.as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_f64().expect("number"))
        .collect()
}

fn short(name: &str) -> &str {
    name.split_once("].").map(|(_, s)| s).unwrap_or(name)
}

/// Compares one dumped section list (`sections` or `after_define_shape`) with the interpreter's
/// state; `area`/`ri` are read back through HOC. Returns how many values were compared.
fn compare(
    interp: &mut hoc::Interpreter,
    cell: &model::CellDescription,
    dumped: &[Json],
    label: &str,
) -> usize {
    assert_eq!(cell.sections.len(), dumped.len(), "{label}: section count");
    let mut compared = 0;
    for js in dumped {
        let full = js["name"].as_str().unwrap();
        let name = short(full);
        let s = &cell.sections[cell
            .find_section(name)
            .unwrap_or_else(|| panic!("{label}: no section {name}"))];
        let ctx = format!("{label} {name}");
        assert_eq!(s.nseg() as u64, js["nseg"].as_u64().unwrap(), "{ctx} nseg");
        assert!(
            close(s.length, js["L"].as_f64().unwrap()),
            "{ctx} L {} vs {}",
            s.length,
            js["L"]
        );
        assert!(close(s.ra, js["Ra"].as_f64().unwrap()), "{ctx} Ra");
        assert_eq!(
            s.range("diam").unwrap(),
            floats(&js["diam"]).as_slice(),
            "{ctx} diam"
        );
        let cm = floats(&js["cm"]);
        assert!(
            s.range("cm")
                .unwrap()
                .iter()
                .zip(&cm)
                .all(|(a, b)| close(*a, *b)),
            "{ctx} cm"
        );
        match (&s.parent, js["parent"].as_str()) {
            (None, None) => {}
            (Some(a), Some(p)) => {
                assert_eq!(cell.sections[a.parent].name, short(p), "{ctx} parent");
                assert!(
                    close(a.parent_x, js["parent_x"].as_f64().unwrap()),
                    "{ctx} parent_x"
                );
                assert_eq!(
                    a.child_x,
                    js["orientation"].as_f64().unwrap(),
                    "{ctx} orientation"
                );
            }
            (a, b) => panic!("{ctx}: parent {a:?} vs {b:?}"),
        }
        for (mech, vars) in js["mechanisms"].as_object().unwrap() {
            assert!(
                s.mechanisms.iter().any(|m| m == mech),
                "{ctx}: {mech} not inserted"
            );
            for (var, values) in vars.as_object().unwrap() {
                if let Some(ours) = s.range(&format!("{var}_{mech}")) {
                    let theirs = floats(values);
                    assert!(
                        ours.iter().zip(&theirs).all(|(a, b)| close(*a, *b)),
                        "{ctx} {var}_{mech}: {ours:?} vs {theirs:?}"
                    );
                    compared += theirs.len();
                }
            }
        }
        for (ion, vars) in js["ions"].as_object().unwrap() {
            assert!(s.ions.iter().any(|i| i == ion), "{ctx}: ion {ion} missing");
            for (var, values) in vars.as_object().unwrap() {
                if let Some(ours) = s.range(var) {
                    let theirs = floats(values);
                    assert!(
                        ours.iter().zip(&theirs).all(|(a, b)| close(*a, *b)),
                        "{ctx} {var}: {ours:?} vs {theirs:?}"
                    );
                    compared += theirs.len();
                }
            }
        }
        let pts = js["pt3d"].as_array().unwrap();
        assert_eq!(s.pt3d.len(), pts.len(), "{ctx} n3d");
        for (i, (p, q)) in s.pt3d.iter().zip(pts).enumerate() {
            let q = floats(q);
            assert_eq!(
                [p.x as f64, p.y as f64, p.z as f64, p.diam as f64],
                q[..4],
                "{ctx} pt3d"
            );
            interp
                .run_source(&format!("{full} {{ ref_arc = arc3d({i}) }}\n"), "probe.hoc")
                .unwrap();
            assert_eq!(interp.global("ref_arc"), Some(q[4]), "{ctx} arc3d({i})");
        }
        // Segment areas and axial resistances, read through HOC's area() and ri().
        for (k, x) in floats(&js["seg_x"]).iter().enumerate() {
            let code = format!("{full} {{ ref_area = area({x}) ref_ri = ri({x}) }}\n");
            interp
                .run_source(&code, "probe.hoc")
                .unwrap_or_else(|e| panic!("{ctx}: {e}"));
            let (area, ri) = (
                interp.global("ref_area").unwrap(),
                interp.global("ref_ri").unwrap(),
            );
            let (ja, jr) = (
                js["area"][k].as_f64().unwrap(),
                js["ri"][k].as_f64().unwrap(),
            );
            assert!(
                (area - ja).abs() <= 1e-10 * ja,
                "{ctx} area[{k}] {area} vs {ja}"
            );
            assert!((ri - jr).abs() <= 1e-10 * jr, "{ctx} ri[{k}] {ri} vs {jr}");
            compared += 3;
        }
    }
    compared
}

fn check(json: &str) {
    let text =
        std::fs::read_to_string(format!("{REPO}/tests/reference-data/hoc-cells/{json}")).unwrap();
    let dump: Json = serde_json::from_str(&text).unwrap();
    let file = dump["file"].as_str().unwrap();
    let path = if file.starts_with("shared/") {
        format!("{REPO}/../{file}")
    } else {
        format!("{REPO}/{file}")
    };
    let template = dump["template"].as_str().unwrap();
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    interp.load_file(&path).unwrap_or_else(|e| panic!("{e}"));
    let obj = interp
        .new_object(template, &[])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(obj.name(), dump["instance"].as_str().unwrap());
    for (k, v) in dump["public_scalars"].as_object().unwrap() {
        let (name, index) = match k.split_once('[') {
            Some((n, _)) => (
                n,
                k.trim_end_matches(']')
                    .rsplit('[')
                    .next()
                    .unwrap()
                    .parse::<usize>()
                    .unwrap(),
            ),
            None => (k.as_str(), 0),
        };
        let code = format!("ref_scalar = {}.{name}[{index}]\n", obj.name());
        let code = if k.contains('[') {
            code
        } else {
            format!("ref_scalar = {}.{name}\n", obj.name())
        };
        interp
            .run_source(&code, "probe.hoc")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(interp.global("ref_scalar"), v.as_f64(), "public scalar {k}");
    }
    let cell = interp.cell(&obj);
    let n = compare(
        &mut interp,
        &cell,
        dump["sections"].as_array().unwrap(),
        json,
    );
    assert!(n > 10, "{json}: only {n} values compared");
    interp.run_source("define_shape()\n", "probe.hoc").unwrap();
    let cell = interp.cell(&obj);
    compare(
        &mut interp,
        &cell,
        dump["after_define_shape"].as_array().unwrap(),
        &format!("{json} after define_shape"),
    );
}

#[test]
fn hco_cell_matches_neuron() {
    check("HCOcell.json");
}

#[test]
fn multicomp_cell_matches_neuron() {
    check("MultiCompCell.json");
}

#[test]
fn ball_and_stick_matches_neuron() {
    check("BallStick.json");
}

#[test]
fn channel_distributions_match_neuron() {
    check("ChanDist.json");
}

#[test]
fn distance_graded_cell_matches_neuron() {
    check("DistGrad.json");
}
