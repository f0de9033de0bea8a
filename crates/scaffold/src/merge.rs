//! Adding newly found network files to an existing `circuit_config.json`.
//!
//! In the tutorial's order the model folder is created first and the network built afterwards,
//! so a second `bmtk new` must be able to list the new SONATA files without regenerating (and
//! so destroying) a circuit config the user may have edited. Only entries are appended; nothing
//! already in the file changes. A file that is not a JSON object with a `networks` object (the
//! user rewrote it their own way) is left alone.

use crate::discover::NetworkFiles;
use crate::Error;
use serde_json::Value;
use std::path::Path;

/// (`networks` key, the key naming each entry's main file).
const GROUPS: [(&str, &str); 3] = [
    ("nodes", "nodes_file"),
    ("edges", "edges_file"),
    ("gap_juncs", "gap_juncs_file"),
];

/// Appends to `path`'s `networks` the discovered entries whose main file it does not list yet
/// (compared by file name, so `$NETWORK_DIR/x.h5` and `./network/x.h5` are the same file).
/// Returns the file names added; the file is rewritten only when that list is not empty.
pub(crate) fn add_missing_networks(
    path: &Path,
    found: &NetworkFiles,
) -> Result<Vec<String>, Error> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(Vec::new());
    };
    let Ok(mut config) = serde_json::from_str::<Value>(&text) else {
        return Ok(Vec::new());
    };
    let Some(networks) = config.get_mut("networks").and_then(Value::as_object_mut) else {
        return Ok(Vec::new());
    };
    let mut added = Vec::new();
    for ((group, key), entries) in GROUPS
        .iter()
        .zip([&found.nodes, &found.edges, &found.gap_juncs])
    {
        for entry in entries {
            let Some(file) = entry.get(*key).and_then(Value::as_str) else {
                continue;
            };
            let list = networks
                .entry(group.to_string())
                .or_insert_with(|| Value::Array(Vec::new()));
            let Some(list) = list.as_array_mut() else {
                continue;
            };
            let listed = list.iter().any(|e| {
                e.get(*key)
                    .and_then(Value::as_str)
                    .is_some_and(|f| file_name(f) == file_name(file))
            });
            if !listed {
                list.push(entry.clone());
                added.push(file_name(file).to_string());
            }
        }
    }
    if !added.is_empty() {
        let mut text = serde_json::to_string_pretty(&config).unwrap_or_default();
        text.push('\n');
        crate::write::write_atomic(path, text.as_bytes())?;
    }
    Ok(added)
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}
