//! INCLUDE resolution on disk: relative to the including file, errors at the INCLUDE line.

use std::path::PathBuf;

use nmodl::{compile, parse_and_check};

/// A fresh directory for one test's files.
fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nmodl-include-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("inc")).unwrap();
    dir
}

fn write(path: &PathBuf, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn names_from_an_included_file_are_declared() {
    let dir = scratch_dir("declared");
    write(
        &dir.join("inc/rates.inc"),
        "PARAMETER { gbar = 0.002 (S/cm2) }\nINCLUDE \"more.inc\"\n",
    );
    write(&dir.join("inc/more.inc"), "ASSIGNED { g (S/cm2) }\n");
    let main = dir.join("chan.mod");
    let text = "NEURON { SUFFIX chan RANGE gbar, g }\nINCLUDE \"inc/rates.inc\"\nBREAKPOINT { g = gbar }\n";
    write(&main, text);
    let name = main.display().to_string();
    let checked = parse_and_check(&name, text).unwrap_or_else(|d| panic!("{d:?}"));
    assert!(checked.symbols.get("gbar").is_some());
    assert!(checked.symbols.get("g").is_some());
    let mechanism = compile(&name, text).unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(
        mechanism.fields[mechanism.field("gbar").unwrap() as usize].default,
        0.002
    );
}

#[test]
fn errors_point_into_the_included_file_or_at_the_include() {
    let dir = scratch_dir("errors");
    write(
        &dir.join("inc/bad.inc"),
        "\nASSIGNED { y }\nBREAKPOINT { y = nothere }\n",
    );
    let main = dir.join("m.mod");
    let text = "NEURON { SUFFIX m }\nINCLUDE \"inc/bad.inc\"\n";
    let name = main.display().to_string();
    let errors = parse_and_check(&name, text).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let expected = format!("{}:3:18: error: ", dir.join("inc/bad.inc").display());
    assert!(errors[0].headline().starts_with(&expected), "{}", errors[0]);
    // The rendered diagnostic shows the included file's line.
    assert!(errors[0]
        .to_string()
        .contains("3 | BREAKPOINT { y = nothere }"));

    let text = "NEURON { SUFFIX m }\n\n  INCLUDE \"inc/missing.inc\"\n";
    let errors = parse_and_check(&name, text).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let expected = format!("{name}:3:3: error: cannot include \"inc/missing.inc\": file not found");
    assert!(errors[0].headline().starts_with(&expected), "{}", errors[0]);
}

#[test]
fn include_cycles_are_reported_once() {
    let dir = scratch_dir("cycle");
    write(&dir.join("inc/a.inc"), "INCLUDE \"b.inc\"\n");
    write(&dir.join("inc/b.inc"), "INCLUDE \"a.inc\"\n");
    let main = dir.join("c.mod");
    let text = "NEURON { SUFFIX c }\nINCLUDE \"inc/a.inc\"\n";
    let errors = parse_and_check(&main.display().to_string(), text).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].message.starts_with("INCLUDE cycle:"),
        "{}",
        errors[0]
    );
    assert!(errors[0].headline().contains("b.inc:1:1:"), "{}", errors[0]);
}

#[test]
fn directories_are_not_included() {
    let dir = scratch_dir("dir");
    let main = dir.join("d.mod");
    let text = "NEURON { SUFFIX d }\nINCLUDE \"inc\"\n";
    let errors = parse_and_check(&main.display().to_string(), text).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].message.contains("not a regular file"),
        "{}",
        errors[0]
    );
}
