//! A report whose `cells` is a node set written inline (BMTK accepts a set name or the set
//! itself) records exactly the nodes the set selects.

mod support;

use support::{bmtk_run, reference_copy};

#[test]
fn report_with_inline_node_set_records_exactly_those_nodes() {
    let root = tempfile::tempdir().unwrap();
    let case = reference_copy(root.path(), "hco-net100", "hco");
    let text = std::fs::read_to_string(case.join("simulation_config.json")).unwrap();
    let mut config: serde_json::Value = serde_json::from_str(&text).unwrap();
    config["run"]["tstop"] = 2.0.into();
    config["reports"] = serde_json::json!({
        "v_soma": {
            "module": "membrane_report",
            "variable_name": "v",
            "sections": "soma",
            "file_name": "v_soma.h5",
            "cells": {"population": "hco_net", "node_id": [42, 3, 7]}
        },
        "v_none": {
            "module": "membrane_report",
            "variable_name": "v",
            "sections": "soma",
            "file_name": "v_none.h5",
            "cells": {"population": "elsewhere"}
        }
    });
    std::fs::write(case.join("inline.json"), config.to_string()).unwrap();
    let out = bmtk_run(&case, "inline.json");
    out.assert_ok();

    let pops = sonata::report::read_report(&case.join("output/v_soma.h5"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pops.len(), 1);
    assert_eq!(pops[0].population, "hco_net");
    let mut ids = pops[0].node_ids.clone();
    ids.sort();
    assert_eq!(ids, [3, 7, 42]);
    let trace = support::report_trace(&case.join("output/v_soma.h5"), 7);
    assert!(
        trace.len() >= 80,
        "2 ms at dt 0.025: {} samples",
        trace.len()
    );

    // A set that selects nothing records nothing (no population of that name).
    let empty = sonata::report::read_report(&case.join("output/v_none.h5"));
    if let Ok(pops) = empty {
        assert!(pops.iter().all(|p| p.node_ids.is_empty()), "{pops:?}");
    }
}
