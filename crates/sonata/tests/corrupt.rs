//! Truncated and bit-flipped copies of the reference HDF5 files, and malformed CSVs, give an
//! error naming the file, never a panic.

use std::panic::catch_unwind;
use std::path::{Path, PathBuf};

fn reference_network(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference")
        .join(case)
        .join("network")
}

fn try_read(path: &Path, edges: bool) -> bool {
    let p = path.to_path_buf();
    let outcome = catch_unwind(move || {
        if edges {
            sonata::edges::read_edges(&p, None).map(|v| v.len())
        } else {
            sonata::nodes::read_nodes(&p, None).map(|v| v.len())
        }
    });
    let result = outcome.expect("reader panicked on a corrupt file");
    if let Err(e) = &result {
        let text = e.to_string();
        assert!(
            text.contains(&path.display().to_string()),
            "error does not name the file: {text}"
        );
    }
    result.is_ok()
}

#[test]
fn truncated_and_bit_flipped_h5_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    for (case, file, edges) in [
        ("hco-net100", "hco_net_hco_net_edges.h5", true),
        ("hco-pair", "hco_net_nodes.h5", false),
    ] {
        let bytes = std::fs::read(reference_network(case).join(file)).unwrap();
        let target = dir.path().join(file);
        let mut failures = 0;
        for cut in [0, 8, 100, 512, 2048, bytes.len() / 2, bytes.len() - 1] {
            std::fs::write(&target, &bytes[..cut]).unwrap();
            if !try_read(&target, edges) {
                failures += 1;
            }
        }
        assert!(failures >= 5, "{file}: truncations mostly read fine?");
        // Flip bits spread over the whole file with a fixed stride (deterministic).
        let mut step = 0usize;
        while step < bytes.len() {
            let mut copy = bytes.clone();
            copy[step] ^= 0x5a;
            std::fs::write(&target, &copy).unwrap();
            try_read(&target, edges);
            step += 97;
        }
    }
}

#[test]
fn missing_file_is_an_io_error() {
    let err = sonata::nodes::read_nodes(Path::new("/nonexistent/nodes.h5"), None).unwrap_err();
    assert!(matches!(err, sonata::Error::Io { .. }));
    assert!(err.to_string().contains("/nonexistent/nodes.h5"));
}

#[test]
fn csv_with_wrong_column_count_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let types = dir.path().join("node_types.csv");
    std::fs::write(
        &types,
        "node_type_id model_template\r\n100 hoc:A\r\n101 hoc:B extra\r\n",
    )
    .unwrap();
    let nodes = reference_network("hco-single").join("hco_net_nodes.h5");
    let err = sonata::nodes::read_nodes(&nodes, Some(&types)).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("node_types.csv:3:"), "{text}");
}

#[test]
fn node_type_missing_from_csv_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let types = dir.path().join("node_types.csv");
    std::fs::write(&types, "node_type_id model_template\n7 hoc:A\n").unwrap();
    let nodes = reference_network("hco-single").join("hco_net_nodes.h5");
    let err = sonata::nodes::read_nodes(&nodes, Some(&types)).unwrap_err();
    assert!(err.to_string().contains("type 100"), "{err}");
}
