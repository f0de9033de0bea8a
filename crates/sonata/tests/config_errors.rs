//! Bad configs give one clear error naming the key and the file; unknown keys only warn.

use std::path::Path;

use sonata::config::SimulationConfig;
use sonata::Error;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const CIRCUIT: &str = r#"{"manifest": {"$NET": "${BASE_DIR}/net"},
  "components": {"templates_dir": "$NET/../hoc"},
  "networks": {"nodes": [{"nodes_file": "$NET/n.h5", "node_types_file": "$NET/t.csv"}], "edges": []},
  "node_sets": {"a": {"pop_name": ["x", "y"]}, "b": ["a", "all"]}}"#;

fn sim(run: &str, extra: &str) -> String {
    format!(
        r#"{{"manifest": {{"$OUT": "./out"}}, "run": {run}, "network": "circuit.json",
      "output": {{"output_dir": "$OUT", "spikes_file": "s.h5"}}{extra}}}"#
    )
}

#[test]
fn good_config_merges_circuit_and_warns_on_unknown_keys() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "circuit.json", CIRCUIT);
    let p = write(
        dir.path(),
        "sim.json",
        &sim(
            r#"{"tstop": 10, "dt": 0.1, "bogus": 1}"#,
            r#", "extra_top": true"#,
        ),
    );
    let (cfg, warnings) = SimulationConfig::from_file(&p).unwrap();
    let keys: Vec<&str> = warnings.iter().map(|w| w.key.as_str()).collect();
    assert_eq!(keys, ["extra_top", "run.bogus"]);
    assert_eq!(cfg.run.tstart, 0.0);
    assert_eq!(cfg.output.spikes_file.unwrap(), dir.path().join("out/s.h5"));
    assert_eq!(
        cfg.circuit.components.templates_dir.unwrap(),
        dir.path().join("hoc")
    );
    assert_eq!(
        cfg.circuit.networks.nodes[0].nodes_file,
        dir.path().join("net/n.h5")
    );
    assert!(cfg.circuit.node_sets.get("b").is_some());
}

fn error_for(run: &str, extra: &str) -> (Error, String) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "circuit.json", CIRCUIT);
    let p = write(dir.path(), "sim.json", &sim(run, extra));
    let err = SimulationConfig::from_file(&p).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("sim.json"), "{text}");
    (err, text)
}

#[test]
fn bad_values_name_key_and_file() {
    let (_, t) = error_for(r#"{"tstop": 10, "dt": "0.1"}"#, "");
    assert!(t.contains("run.dt") && t.contains("a number"), "{t}");
    let (_, t) = error_for(r#"{"tstop": 10, "dt": 0}"#, "");
    assert!(t.contains("run.dt") && t.contains("> 0"), "{t}");
    let (_, t) = error_for(r#"{"tstart": 5, "tstop": 1, "dt": 0.1}"#, "");
    assert!(t.contains("run.tstop"), "{t}");
    let (_, t) = error_for(r#"{"dt": 0.1}"#, "");
    assert!(t.contains("run.tstop") && t.contains("missing"), "{t}");
    let (e, t) = error_for(r#"{"tstop": 1, "dt": 0.1, "x": "$UNDEF/a"}"#, "");
    assert!(
        matches!(e, Error::UndefinedVariable { .. }) && t.contains("$UNDEF") && t.contains("run.x"),
        "{t}"
    );
}

#[test]
fn json_syntax_error_has_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "sim.json", "{\n  \"run\": {\"tstop\": 1,,}\n}");
    let err = SimulationConfig::from_file(&p).unwrap_err();
    assert!(matches!(err, Error::Json { line: 2, .. }), "{err}");
}

#[test]
fn cyclic_inclusion_and_manifest_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "a.json",
        r#"{"network": "b.json", "run": {"tstop": 1, "dt": 0.1}}"#,
    );
    write(dir.path(), "b.json", r#"{"simulation": "a.json"}"#);
    assert!(matches!(
        SimulationConfig::from_file(&p).unwrap_err(),
        Error::Cycle { .. }
    ));
    let p = write(
        dir.path(),
        "c.json",
        r#"{"manifest": {"$A": "$B", "$B": "$A"}, "run": {"tstop": 1, "dt": 0.1}}"#,
    );
    assert!(matches!(
        SimulationConfig::from_file(&p).unwrap_err(),
        Error::Cycle { .. }
    ));
}

#[test]
fn unknown_node_set_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "circuit.json", CIRCUIT);
    let extra = r#", "inputs": {"stim": {"input_type": "current_clamp", "module": "IClamp", "node_set": "nope", "amp": [1, 2], "delay": 5, "duration": [1, 1]}}"#;
    let p = write(
        dir.path(),
        "sim.json",
        &sim(r#"{"tstop": 10, "dt": 0.1}"#, extra),
    );
    let (cfg, _) = SimulationConfig::from_file(&p).unwrap();
    match &cfg.inputs[0].1 {
        sonata::config::Input::CurrentClamp(c) => assert_eq!(c.delay, [5.0, 5.0]),
        other => panic!("{other:?}"),
    }
    let err = cfg.check_node_set_names().unwrap_err();
    assert!(
        err.to_string().contains("nope") && err.to_string().contains("inputs.stim"),
        "{err}"
    );
}

#[test]
fn inline_node_sets_in_reports_and_inputs_become_named_sets() {
    use sonata::config::{NodeSet, Report, RuleValue};
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "circuit.json", CIRCUIT);
    let extra = r#", "inputs": {"stim": {"input_type": "current_clamp", "module": "IClamp",
        "node_set": {"pop_name": "x"}, "amp": 1, "delay": 5, "duration": 1}},
      "reports": {"v_soma": {"module": "membrane_report", "variable_name": "v",
        "cells": {"population": "ring", "node_id": [0, 1]}},
        "named": {"module": "membrane_report", "variable_name": "v", "cells": "a"}}"#;
    let p = write(
        dir.path(),
        "sim.json",
        &sim(r#"{"tstop": 10, "dt": 0.1}"#, extra),
    );
    let (cfg, _) = SimulationConfig::from_file(&p).unwrap();
    cfg.check_node_set_names().unwrap();
    let cells: Vec<&str> = cfg
        .reports
        .iter()
        .map(|(_, r)| match r {
            Report::Membrane(m) => m.cells.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(cells, ["reports.v_soma.cells", "a"]);
    let Some(NodeSet::Rules(rules)) = cfg.circuit.node_sets.get("reports.v_soma.cells") else {
        panic!("inline report set missing: {:?}", cfg.circuit.node_sets);
    };
    let described: Vec<(&str, &RuleValue)> = rules
        .iter()
        .map(|r| (r.property.as_str(), &r.value))
        .collect();
    assert_eq!(
        described,
        [
            ("population", &RuleValue::Equals("ring".into())),
            ("node_id", &RuleValue::AnyOf(vec![0.into(), 1.into()])),
        ]
    );
    assert_eq!(cfg.inputs[0].1.node_set(), Some("inputs.stim.node_set"));
    assert!(cfg.circuit.node_sets.get("inputs.stim.node_set").is_some());
}

#[test]
fn malformed_inline_node_sets_name_their_key() {
    let report = |cells: &str| {
        format!(
            r#", "reports": {{"v": {{"module": "membrane_report", "variable_name": "v", "cells": {cells}}}}}"#
        )
    };
    let (_, text) = error_for(r#"{"tstop": 10, "dt": 0.1}"#, &report("3"));
    assert!(
        text.contains("reports.v.cells") && text.contains("inline node set"),
        "{text}"
    );
    let (_, text) = error_for(
        r#"{"tstop": 10, "dt": 0.1}"#,
        &report(r#"{"node_id": {"$near": 2}}"#),
    );
    assert!(
        text.contains("reports.v.cells.node_id") && text.contains("$near"),
        "{text}"
    );
}
