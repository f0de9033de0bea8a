//! Bad network files and bad API calls: every problem is reported, with the line and column
//! of the offending key or value, and nothing is written.

use std::path::Path;

use builder::spec::NetworkFile;
use builder::{ConnectionRule, EdgeTypeSpec, Error, Network, NodeProperties, Query};

const GOOD_HEADER: &str =
    "[network]\nname = \"net\"\n\n[[nodes]]\nN = 3\n[nodes.properties]\npop_name = \"exc\"\n";

/// (line, column, message) of every diagnostic for `text`.
fn diagnostics(text: &str) -> Vec<(usize, usize, String)> {
    match NetworkFile::parse(Path::new("net.toml"), text) {
        Ok(_) => panic!("expected errors for:\n{text}"),
        Err(Error::Spec(d)) => d
            .into_iter()
            .map(|d| (d.line, d.column, d.message))
            .collect(),
        Err(e) => panic!("expected a Spec error, got {e}"),
    }
}

/// The (line, column) where `needle` starts in `text`.
fn position(text: &str, needle: &str) -> (usize, usize) {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in text"));
    let line = text[..offset].matches('\n').count() + 1;
    let column = offset - text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0) + 1;
    (line, column)
}

fn assert_one(text: &str, at: &str, contains: &str) {
    let d = diagnostics(text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!((d[0].0, d[0].1), position(text, at), "{d:?}");
    assert!(
        d[0].2.contains(contains),
        "{:?} should mention {contains:?}",
        d[0].2
    );
}

#[test]
fn toml_syntax_errors_have_positions() {
    let text = "[network]\nname = \"net\n";
    let d = diagnostics(text);
    assert!(!d.is_empty());
    assert!(d[0].2.starts_with("invalid TOML"), "{d:?}");
    assert_eq!(d[0].0, 2);
}

#[test]
fn unknown_keys_point_at_the_key() {
    let text = "[network]\nname = \"n\"\n[[nodes]]\nN = 2\ncolour = 1\n";
    assert_one(text, "colour", "unknown key `colour` in [[nodes]]");
    let text = format!(
        "{GOOD_HEADER}\n[[edges]]\nrule = {{ constant = 1 }}\nsorce = {{ pop_name = \"exc\" }}\n"
    );
    assert_one(&text, "sorce", "unknown key `sorce` in [[edges]]");
    let text = "[network]\nname = \"n\"\nseeed = 3\n[[nodes]]\n";
    assert_one(text, "seeed", "unknown key `seeed`");
}

#[test]
fn query_matching_no_node_points_at_the_query() {
    let text = format!("{GOOD_HEADER}\n[[edges]]\nsource = {{ pop_name = \"inh\" }}\nrule = 1\n");
    assert_one(
        &text,
        "{ pop_name = \"inh\" }",
        "source query `pop_name=='inh'` matches no node",
    );
}

#[test]
fn per_node_list_of_wrong_length_points_at_the_list() {
    let text = format!("{GOOD_HEADER}tau = [1.0, 2.0]\n");
    assert_one(&text, "[1.0, 2.0]", "has 2 values but N = 3");
    let text = "[network]\nname = \"n\"\n[[nodes]]\nN = 2\npositions = [[0, 0, 0]]\n";
    assert_one(text, "[[0, 0, 0]]", "1 rows but N = 2");
}

#[test]
fn unparseable_rules_point_at_the_rule() {
    let base = format!("{GOOD_HEADER}\n[[edges]]\n");
    assert_one(
        &format!("{base}rule = {{ probablity = 0.1 }}\n"),
        "probablity",
        "unknown key `probablity` in rule",
    );
    assert_one(
        &format!("{base}rule = \"all_to_all\"\n"),
        "\"all_to_all\"",
        "rule: expected a table",
    );
    assert_one(
        &format!("{base}rule = {{ probability = 1.5 }}\n"),
        "1.5",
        "between 0 and 1",
    );
    assert_one(
        &format!("{base}rule = {{ probability = 0.1, constant = 2 }}\n"),
        "{ probability",
        "exactly one of",
    );
    assert_one(
        &format!("{base}rule = {{ distance = {{ p0 = 0.5 }} }}\n"),
        "{ p0",
        "missing required key `sigma`",
    );
    assert_one(
        &format!("{base}rule = {{ constant = 1, symmetric = true }}\n"),
        "symmetric",
        "does not apply",
    );
    assert_one(
        &format!("{base}rule = {{ pairs = [[0, 1], [2]] }}\n"),
        "[2]",
        "expected [source_id, target_id]",
    );
}

#[test]
fn errors_found_while_building_are_located() {
    // The distance rule needs positions: known only when the rule runs.
    let text = format!("{GOOD_HEADER}\n[[edges]]\nrule = {{ distance = {{ sigma = 10.0 }} }}\n");
    let file = NetworkFile::parse(Path::new("net.toml"), &text).unwrap();
    let err = file.locate(file.network.build().unwrap_err());
    let d = err.diagnostics();
    assert_eq!(d.len(), 1, "{err}");
    assert_eq!((d[0].line, d[0].column), position(&text, "{ distance"));
    assert!(d[0].message.contains("no `positions`"), "{err}");
    // Explicit per-edge values must match the number of synapses (3 × 2 here).
    let text =
        format!("{GOOD_HEADER}\n[[edges]]\nrule = 1\n[edges.per_edge]\nw = {{ values = [1.0] }}\n");
    let file = NetworkFile::parse(Path::new("net.toml"), &text).unwrap();
    let err = file.locate(file.network.build().unwrap_err());
    assert_eq!(
        (err.diagnostics()[0].line, err.diagnostics()[0].column),
        position(&text, "{ values")
    );
    assert!(
        err.to_string().contains("1 values given for 6 synapses"),
        "{err}"
    );
}

#[test]
fn all_problems_are_reported_at_once() {
    let text = "[network]\nname = 5\n[[nodes]]\nN = -1\nfoo = 1\n[[edges]]\nrule = { one_to_one = false }\n";
    let d = diagnostics(text);
    assert!(d.len() >= 4, "{d:?}");
}

#[test]
fn a_failed_build_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("net.toml");
    std::fs::write(
        &file,
        format!("{GOOD_HEADER}\n[[edges]]\nsource = {{ pop_name = \"x\" }}\nrule = 1\n"),
    )
    .unwrap();
    let err = builder::build_from_file(&file, None).unwrap_err();
    assert!(
        err.to_string().starts_with(&format!("{}:", file.display())),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn api_rejects_wrong_lengths_and_reserved_names() {
    let mut net = Network::new("n");
    let err = net
        .add_nodes(3, NodeProperties::new().per_node("x", vec![1.0, 2.0]))
        .unwrap_err();
    assert!(err.to_string().contains("2 values for N = 3"), "{err}");
    let err = net
        .add_nodes(1, NodeProperties::new().constant("node_type_id", 5i64))
        .unwrap_err();
    assert!(err.to_string().contains("assigned by the builder"), "{err}");
    let err = net
        .add_nodes(2, NodeProperties::new().per_node("name", vec!["a", "b"]))
        .unwrap_err();
    assert!(err.to_string().contains("strings"), "{err}");
    net.add_nodes(2, NodeProperties::new().constant("pop_name", "a"))
        .unwrap();
    net.add_edges(EdgeTypeSpec::new(
        Query::all().eq("pop_name", "b"),
        Query::all(),
        ConnectionRule::Constant { nsyns: 1 },
    ))
    .unwrap();
    let err = net.build().unwrap_err();
    assert!(err.to_string().contains("matches no node"), "{err}");
}

#[test]
fn embedded_examples_parse() {
    for text in [
        builder::examples::HCO_PAIR,
        builder::examples::HCO_NET100,
        builder::examples::HCO_NET1000,
    ] {
        NetworkFile::parse(Path::new("example.toml"), text).unwrap();
    }
}
