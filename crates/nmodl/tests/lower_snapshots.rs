//! Snapshot tests: every `tests/snapshots/<name>.mod` lowers, verifies, and dumps to
//! `<name>.ir` (regenerate with `UPDATE_SNAPSHOTS=1`).

use std::path::Path;

#[test]
fn snapshots_match() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let update = std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("snapshot dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "mod"))
    {
        let text = std::fs::read_to_string(&path).expect("read mod");
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let mech = match nmodl::compile(&name, &text) {
            Ok(m) => m,
            Err(d) => {
                failures.push(format!(
                    "{name}: {}",
                    d.iter()
                        .map(|d| d.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
                continue;
            }
        };
        nmodl::verify::verify(&mech).unwrap_or_else(|p| panic!("{name}: {p:?}"));
        let dump = nmodl::dump::dump(&mech);
        let expected_path = path.with_extension("ir");
        if update {
            std::fs::write(&expected_path, &dump).expect("write snapshot");
        } else {
            match std::fs::read_to_string(&expected_path) {
                Ok(exp) if exp == dump => {}
                Ok(_) => failures.push(format!(
                    "{name}: dump differs from {}",
                    expected_path.display()
                )),
                Err(_) => failures.push(format!("{name}: missing {}", expected_path.display())),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
