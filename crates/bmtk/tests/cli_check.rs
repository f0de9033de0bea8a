//! `bmtk check` and `bmtk mod dump` on the shared models and on broken inputs.

mod support;

use support::{bmtk, hco_mods, shared};

/// The `USEION` line of mechanism `name` in `bmtk check` output, as whitespace/comma-separated
/// words.
fn useion_words(stdout: &str, mechanism: &str, ion: &str) -> Vec<String> {
    let block = stdout
        .split("mechanism ")
        .find(|b| b.starts_with(&format!("{mechanism}:")))
        .unwrap_or_else(|| panic!("no mechanism {mechanism} in:\n{stdout}"));
    let line = block
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&format!("USEION {ion} ")))
        .unwrap_or_else(|| panic!("no USEION {ion} for {mechanism} in:\n{block}"));
    line.split([' ', ','])
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn the_nine_hco_mechanisms_check_and_list_their_ions() {
    let mods = hco_mods();
    assert_eq!(mods.len(), 9);
    let args: Vec<&str> = std::iter::once("check")
        .chain(mods.iter().map(|p| p.to_str().unwrap()))
        .collect();
    let out = bmtk(&args);
    out.assert_ok();
    for name in [
        "capool", "cas", "cat", "hyper", "ka", "kca", "kdr", "leak", "na",
    ] {
        assert!(
            out.stdout.contains(&format!("mechanism {name}:")),
            "{name} missing:\n{}",
            out.stdout
        );
    }
    assert_eq!(
        useion_words(&out.stdout, "capool", "ca"),
        ["USEION", "ca", "READ", "ica", "cai", "cao", "WRITE", "cai"]
    );
    let hyper = useion_words(&out.stdout, "hyper", "h");
    assert!(
        hyper.ends_with(&["VALENCE".to_string(), "1".to_string()]),
        "{hyper:?}"
    );
    assert_eq!(
        useion_words(&out.stdout, "kca", "ca"),
        ["USEION", "ca", "READ", "cai"]
    );
    assert!(
        out.stderr.trim().is_empty(),
        "unexpected diagnostics:\n{}",
        out.stderr
    );
}

/// (file contents, line:col the first error must point at, words it must contain)
const BROKEN: [(&str, &str, &str); 4] = [
    (
        "NEURON {\n  SUFFIX broken\n  RANGE g\n}\nBREAKPOINT {\n  g = 1 +\n}\n",
        "7:1",
        "expected",
    ),
    (
        "NEURON { SUFFIX u }\nBREAKPOINT {\n  v = undefined_thing * 2\n}\n",
        "3:7",
        "undefined_thing",
    ),
    ("NEURON { SUFFIX x\n", "1:8", "not closed"),
    (
        "PARAMETER { g = 1 (S/cm2 }\nNEURON { SUFFIX p RANGE g }\n",
        "1:",
        "error",
    ),
];

#[test]
fn broken_mod_files_exit_1_with_file_line_col() {
    let tmp = tempfile::tempdir().unwrap();
    for (i, (text, at, word)) in BROKEN.iter().enumerate() {
        let path = tmp.path().join(format!("broken{i}.mod"));
        std::fs::write(&path, text).unwrap();
        let out = bmtk(&["check", path.to_str().unwrap()]);
        assert_eq!(out.code, Some(1), "{}: {}", path.display(), out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        let located = format!("{}:{at}", path.display());
        assert!(
            out.stderr.contains(&located),
            "want `{located}`:\n{}",
            out.stderr
        );
        assert!(out.stderr.contains(word), "want `{word}`:\n{}", out.stderr);
        // `mod dump` reports the same diagnostics and fails the same way.
        let dump = bmtk(&["mod", "dump", path.to_str().unwrap()]);
        assert_eq!(dump.code, Some(1), "{}", dump.stderr);
        assert!(dump.stderr.contains(&located), "{}", dump.stderr);
    }
    // Not UTF-8 and not NMODL: still a located error, no panic.
    let garbage = tmp.path().join("garbage.mod");
    std::fs::write(&garbage, b"\xff\xfe\x00garbage {").unwrap();
    let out = bmtk(&["check", garbage.to_str().unwrap()]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.contains(&format!("{}:1:", garbage.display())),
        "{}",
        out.stderr
    );
    // One broken file among good ones: the good ones are still reported, the exit code is 1.
    let good = &hco_mods()[0];
    let out = bmtk(&["check", good.to_str().unwrap(), garbage.to_str().unwrap()]);
    assert_eq!(out.code, Some(1));
    assert!(out.stdout.contains("mechanism capool:"), "{}", out.stdout);
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    let out = bmtk(&["check", "/nonexistent/none.mod"]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.contains("/nonexistent/none.mod"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"));
}

#[test]
fn hoc_templates_print_sections_and_public_members() {
    let hco = shared().join("models/hco/hoc_templates/HCOCell.hoc");
    let mc = shared().join("models/mc/hoc_templates/MultiCompCell.hoc");
    let out = bmtk(&["check", hco.to_str().unwrap(), mc.to_str().unwrap()]);
    out.assert_ok();
    let (hco_part, mc_part) = out
        .stdout
        .split_at(out.stdout.find("template MultiCompCell").unwrap());
    assert!(hco_part.contains("template HCOcell"), "{hco_part}");
    // NEURON zeroes template variables in a new object: the body's `NumSoma = 1` ran only at
    // definition (it sized soma[]), so the object reads 0.
    assert!(
        hco_part.lines().any(|l| l.trim() == "public NumSoma = 0"),
        "{hco_part}"
    );
    assert!(hco_part.contains("section soma[0]"), "{hco_part}");
    assert!(hco_part.contains("1 section(s)"), "{hco_part}");
    assert!(
        hco_part.contains("mechanisms: leak cat cas kdr ka kca capool hyper na"),
        "{hco_part}"
    );
    for section in [
        "section soma[0]",
        "section dend[0]",
        "section dend[1]",
        "section dend[2]",
    ] {
        assert!(mc_part.contains(section), "{section} missing:\n{mc_part}");
    }
    assert!(mc_part.contains("4 section(s)"), "{mc_part}");
    assert!(mc_part.contains("dend[1](0) at dend[0](1)"), "{mc_part}");
}

#[test]
fn hoc_template_needing_missing_mechanisms_fails_with_location() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("Bad.hoc");
    std::fs::write(&path, "begintemplate Bad\npublic soma\ncreate soma\nproc init() {\n  soma insert nosuchmech\n}\nendtemplate Bad\n").unwrap();
    let out = bmtk(&["check", path.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{}\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("Bad.hoc:5:"), "{}", out.stderr);
    assert!(out.stderr.contains("nosuchmech"), "{}", out.stderr);
}

#[test]
fn mod_dump_prints_the_kernel_ir() {
    let leak = shared().join("models/hco/mechanisms/modfiles/leak.mod");
    let out = bmtk(&["mod", "dump", leak.to_str().unwrap()]);
    out.assert_ok();
    assert!(out.stdout.starts_with("mechanism leak"), "{}", out.stdout);
    for kernel in ["kernel init", "kernel current", "kernel jacobian"] {
        assert!(
            out.stdout.contains(kernel),
            "{kernel} missing:\n{}",
            out.stdout
        );
    }
    // The leak current is gbar·(v − eleak), written to its ion's current.
    assert!(
        out.stdout.contains("(f.gbar * (f.v - f.eleak))"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("ion.leak.Current"), "{}", out.stdout);
    let capool = shared().join("models/hco/mechanisms/modfiles/capool.mod");
    let out = bmtk(&["mod", "dump", capool.to_str().unwrap()]);
    out.assert_ok();
    assert!(out.stdout.contains("kernel state"), "{}", out.stdout);
}

#[test]
fn bmtk_vecevent_is_a_warning_other_verbatim_an_error() {
    let vecevent = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../mech/tests/data/bmtk_mechanisms/vecevent.mod");
    let out = bmtk(&["check", vecevent.to_str().unwrap()]);
    out.assert_ok();
    assert!(
        out.stderr.contains("warning") && out.stderr.contains("built-in VecStim"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("error"), "{}", out.stderr);
    assert!(out.stdout.contains("VecStim"), "{}", out.stdout);

    let tmp = tempfile::tempdir().unwrap();
    let other = tmp.path().join("mystim.mod");
    let text = std::fs::read_to_string(&vecevent)
        .unwrap()
        .replace("ARTIFICIAL_CELL VecStim", "ARTIFICIAL_CELL MyStim");
    std::fs::write(&other, text).unwrap();
    let out = bmtk(&["check", other.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains("unsupported C code in VERBATIM"),
        "{}",
        out.stderr
    );
}
