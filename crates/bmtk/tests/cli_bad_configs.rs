//! Bad configs and corrupt network files: each gives one clear error naming the file and key,
//! exit code 1, no panic, and no output left behind.

mod support;

use std::path::{Path, PathBuf};

use serde_json::json;
use support::{bmtk_in, files_under, hco_single_copy, short_config};

/// Runs `bmtk run NAME` in `case` and checks the failure: one error containing `needles`,
/// and nothing left in the output folder the config names (`case/output` by default).
fn fails_cleanly(case: &Path, config: &Path, needles: &[&str]) {
    let out = bmtk_in(case, &["run", "--quiet", config.to_str().unwrap()]);
    out.assert_one_error(needles);
    let left = files_under(&case.join("output"));
    assert!(
        left.is_empty(),
        "{}: partial output left: {left:?}",
        config.display()
    );
    assert!(
        !case.join("output").exists(),
        "{}: output folder left",
        config.display()
    );
}

fn case() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let case = hco_single_copy(tmp.path());
    (tmp, case)
}

#[test]
fn the_short_config_itself_runs() {
    // The baseline every other test here breaks one thing of.
    let (_tmp, case) = case();
    let config = short_config(&case, "ok.json", |_| {});
    bmtk_in(&case, &["run", "--quiet", config.to_str().unwrap()]).assert_ok();
    assert!(case.join("output/cell_vars.h5").is_file());
}

#[test]
fn missing_files() {
    let (_tmp, case) = case();
    let config = short_config(&case, "no_circuit.json", |c| {
        c["network"] = json!("./nope_circuit.json")
    });
    fails_cleanly(&case, &config, &["nope_circuit.json"]);
    let missing = case.join("absent.json");
    fails_cleanly(&case, &missing, &["absent.json"]);

    let circuit = std::fs::read_to_string(case.join("circuit_config.json")).unwrap();
    std::fs::write(
        case.join("circuit_missing_nodes.json"),
        circuit.replace("hco_net_nodes.h5", "gone_nodes.h5"),
    )
    .unwrap();
    let config = short_config(&case, "no_nodes.json", |c| {
        c["network"] = json!("./circuit_missing_nodes.json")
    });
    fails_cleanly(&case, &config, &["gone_nodes.h5"]);

    std::fs::write(
        case.join("circuit_no_mechs.json"),
        circuit.replace("/mechanisms", "/no_such_mechanisms"),
    )
    .unwrap();
    let config = short_config(&case, "no_mechs.json", |c| {
        c["network"] = json!("./circuit_no_mechs.json")
    });
    fails_cleanly(&case, &config, &["no_such_mechanisms"]);
}

#[test]
fn undefined_variable_and_cyclic_manifest() {
    let (_tmp, case) = case();
    let config = short_config(&case, "undefined.json", |c| {
        c["output"]["output_dir"] = json!("${NOPE}/out")
    });
    fails_cleanly(
        &case,
        &config,
        &["undefined.json", "output.output_dir", "$NOPE"],
    );
    let config = short_config(&case, "cyclic.json", |c| {
        c["manifest"]["$A"] = json!("$B/x");
        c["manifest"]["$B"] = json!("$A/y");
        c["output"]["output_dir"] = json!("$A");
    });
    fails_cleanly(&case, &config, &["cyclic.json", "cyclic", "$A", "$B"]);
    std::fs::write(case.join("not_json.json"), "{\"run\": {\"dt\": 0.025,}\n").unwrap();
    fails_cleanly(&case, &case.join("not_json.json"), &["not_json.json", "1:"]);
}

#[test]
fn wrong_types() {
    let (_tmp, case) = case();
    let config = short_config(&case, "dt_string.json", |c| c["run"]["dt"] = json!("fast"));
    fails_cleanly(&case, &config, &["dt_string.json", "run.dt", "number"]);
    let config = short_config(&case, "celsius_list.json", |c| {
        c["conditions"]["celsius"] = json!([1])
    });
    fails_cleanly(&case, &config, &["celsius_list.json", "conditions.celsius"]);
    let config = short_config(&case, "reports_list.json", |c| c["reports"] = json!([1, 2]));
    fails_cleanly(&case, &config, &["reports_list.json", "reports"]);
    let config = short_config(&case, "no_run.json", |c| {
        c.as_object_mut().unwrap().remove("run");
    });
    fails_cleanly(&case, &config, &["no_run.json", "run"]);
}

#[test]
fn unknown_node_set() {
    let (_tmp, case) = case();
    let config = short_config(&case, "nodeset.json", |c| {
        c["reports"]["membrane_report"]["cells"] = json!("nope")
    });
    fails_cleanly(
        &case,
        &config,
        &["nodeset.json", "`nope`", "reports.membrane_report.cells"],
    );
    let config = short_config(&case, "nodeset_input.json", |c| {
        c["inputs"] = json!({"stim": {"input_type": "current_clamp", "module": "IClamp", "node_set": "ghosts",
                                       "amp": 1.0, "delay": 1.0, "duration": 1.0}});
    });
    fails_cleanly(
        &case,
        &config,
        &["nodeset_input.json", "`ghosts`", "inputs.stim"],
    );
}

#[test]
fn bad_time_settings() {
    let (_tmp, case) = case();
    for (name, dt) in [("dt_zero.json", 0.0), ("dt_negative.json", -0.1)] {
        let config = short_config(&case, name, |c| c["run"]["dt"] = json!(dt));
        fails_cleanly(&case, &config, &[name, "run.dt", "> 0"]);
    }
    let config = short_config(&case, "tstop_before.json", |c| {
        c["run"]["tstart"] = json!(10.0)
    });
    fails_cleanly(&case, &config, &["tstop_before.json", "tstop", "tstart"]);
}

#[test]
fn output_dir_not_writable() {
    let (_tmp, case) = case();
    // A path under a regular file: not writable even for root.
    std::fs::write(case.join("afile"), b"").unwrap();
    let config = short_config(&case, "unwritable.json", |c| {
        c["output"]["output_dir"] = json!("$BASE_DIR/afile/out")
    });
    fails_cleanly(&case, &config, &["afile/out", "output_dir"]);
    assert_eq!(std::fs::read(case.join("afile")).unwrap(), b"");
}

#[test]
fn existing_output_without_overwrite_is_kept() {
    let (_tmp, case) = case();
    let config = short_config(&case, "keep.json", |c| {
        c["output"]["overwrite_output_dir"] = json!(false)
    });
    bmtk_in(&case, &["run", "--quiet", "keep.json"]).assert_ok();
    let before: Vec<_> = files_under(&case.join("output"))
        .into_iter()
        .map(|p| (std::fs::read(&p).unwrap(), p))
        .collect();
    let out = bmtk_in(&case, &["run", "--quiet", config.to_str().unwrap()]);
    out.assert_one_error(&["overwrite_output_dir"]);
    let after: Vec<_> = files_under(&case.join("output"))
        .into_iter()
        .map(|p| (std::fs::read(&p).unwrap(), p))
        .collect();
    assert_eq!(
        before, after,
        "a refused run must not touch the previous outputs"
    );
}

/// The nodes file with `edit` applied; returns the config that uses it.
fn with_nodes_file(case: &Path, name: &str, edit: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(case.join("network/hco_net_nodes.h5")).unwrap();
    edit(&mut bytes);
    std::fs::write(case.join("network").join(name), &bytes).unwrap();
    let circuit = std::fs::read_to_string(case.join("circuit_config.json")).unwrap();
    let circuit_name = format!("circuit_{name}.json");
    std::fs::write(
        case.join(&circuit_name),
        circuit.replace("hco_net_nodes.h5", name),
    )
    .unwrap();
    short_config(case, &format!("sim_{name}.json"), |c| {
        c["network"] = json!(format!("./{circuit_name}"))
    })
}

#[test]
fn corrupt_hdf5_nodes_file() {
    let (_tmp, case) = case();
    let len = std::fs::metadata(case.join("network/hco_net_nodes.h5"))
        .unwrap()
        .len() as usize;
    for keep in [0, 7, 100, 8000, len - 200] {
        let name = format!("truncated{keep}.h5");
        let config = with_nodes_file(&case, &name, |b| b.truncate(keep));
        fails_cleanly(&case, &config, &[&name]);
    }
    // Flips in the signature, the superblock version and the root group's structure.
    for offset in [0usize, 8, 800] {
        let name = format!("flipped{offset}.h5");
        let config = with_nodes_file(&case, &name, |b| b[offset] ^= 0xa5);
        fails_cleanly(&case, &config, &[&name]);
    }
}

#[test]
fn bit_flips_anywhere_never_panic() {
    // A flip in data or padding may go unnoticed (the run then succeeds); it must never crash
    // or leave partial output.
    let (_tmp, case) = case();
    let len = std::fs::metadata(case.join("network/hco_net_nodes.h5"))
        .unwrap()
        .len() as usize;
    for offset in (0..len).step_by(len / 24) {
        let name = format!("flip{offset}.h5");
        let config = with_nodes_file(&case, &name, |b| b[offset] ^= 0xff);
        let out = bmtk_in(&case, &["run", "--quiet", config.to_str().unwrap()]);
        assert!(
            !out.stderr.contains("panicked"),
            "flip at {offset}:\n{}",
            out.stderr
        );
        match out.code {
            Some(0) => assert!(case.join("output/cell_vars.h5").is_file()),
            Some(1) => {
                assert!(
                    out.stderr.starts_with("error:"),
                    "flip at {offset}:\n{}",
                    out.stderr
                );
                assert!(
                    files_under(&case.join("output")).is_empty(),
                    "flip at {offset}: output left"
                );
            }
            other => panic!("flip at {offset}: exit {other:?}\n{}", out.stderr),
        }
        let _ = std::fs::remove_dir_all(case.join("output"));
    }
}

#[test]
fn corrupt_node_types_csv() {
    let (_tmp, case) = case();
    let original = std::fs::read_to_string(case.join("network/hco_net_node_types.csv")).unwrap();
    let bad: [(&str, Vec<u8>, &[&str]); 4] = [
        (
            "short_row.csv",
            b"node_type_id model_type model_template\n100 biophysical\n".to_vec(),
            &["short_row.csv:2"],
        ),
        (
            "not_utf8.csv",
            b"\xff\xfe\x00\x01".to_vec(),
            &["not_utf8.csv:1"],
        ),
        (
            "open_quote.csv",
            b"node_type_id model_type \"model_template\n100 biophysical hoc:HCOcell\n".to_vec(),
            &["open_quote.csv:1", "quote"],
        ),
        (
            "truncated.csv",
            original.as_bytes()[..original.len() / 2].to_vec(),
            &["truncated.csv"],
        ),
    ];
    for (name, bytes, needles) in bad {
        std::fs::write(case.join("network").join(name), bytes).unwrap();
        let circuit = std::fs::read_to_string(case.join("circuit_config.json")).unwrap();
        let circuit_name = format!("circuit_{name}.json");
        std::fs::write(
            case.join(&circuit_name),
            circuit.replace("hco_net_node_types.csv", name),
        )
        .unwrap();
        let config = short_config(&case, &format!("sim_{name}.json"), |c| {
            c["network"] = json!(format!("./{circuit_name}"))
        });
        fails_cleanly(&case, &config, needles);
    }
}
