//! Keeping `circuit_config.json` in step with the files a build wrote (the seed's step 12,
//! done for the user): the `networks.nodes` / `networks.edges` entry naming the same file is
//! updated, or a new entry appended; every other key, value and key order is left as it was.
//!
//! Paths are written through the manifest when they can be: `$NETWORK_DIR/<file>` when
//! `$NETWORK_DIR` is the output folder, `$BASE_DIR/<relative path>` when the folder is inside
//! `$BASE_DIR`, otherwise absolute. A new config gets a BMTK-style manifest
//! (`$BASE_DIR = "."`, `$NETWORK_DIR = "$BASE_DIR/<output folder>"`).

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};
use sonata::config::manifest::Manifest;
use sonata::config::{absolute_from, normalize};

use crate::error::{Error, Result};
use crate::save::{write_text, SavedFiles};

fn config_error(path: &Path, message: impl Into<String>) -> Error {
    Error::CircuitConfig {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

fn absolute(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    normalize(&absolute_from(&cwd, path))
}

/// Adds or updates the entries for `files` in the config at `config_path`; returns whether
/// the config was created.
pub fn update_circuit_config(config_path: &Path, files: &SavedFiles) -> Result<bool> {
    let config_path = absolute(config_path);
    let config_dir = config_path.parent().unwrap_or(Path::new("/")).to_path_buf();
    let out_dir = files
        .nodes_file
        .parent()
        .map(absolute)
        .unwrap_or_else(|| config_dir.clone());
    let created = !config_path.exists();
    let mut root = if created {
        let rel = relative_to(&out_dir, &config_dir)
            .map(|r| format!("$BASE_DIR/{}", r.display()))
            .unwrap_or_else(|| out_dir.display().to_string());
        json!({
            "manifest": { "$BASE_DIR": ".", "$NETWORK_DIR": rel.trim_end_matches('/') },
            "components": {},
            "networks": { "nodes": [], "edges": [] }
        })
    } else {
        let text = std::fs::read_to_string(&config_path)
            .map_err(|e| Error::io(&config_path, "cannot read", e))?;
        serde_json::from_str::<Value>(&text).map_err(|e| {
            config_error(
                &config_path,
                format!("{}:{}: invalid JSON: {e}", e.line(), e.column()),
            )
        })?
    };
    let Some(object) = root.as_object_mut() else {
        return Err(config_error(
            &config_path,
            "expected a JSON object at the top level",
        ));
    };
    let manifest = Manifest::resolve(&config_path, object.get("manifest"))?;
    let refer = |file: &Path| reference(&manifest, &config_dir, file);
    let resolve = |text: &str| -> Option<PathBuf> {
        let v = manifest.substitute(&config_path, "networks", text).ok()?;
        Some(normalize(&absolute_from(
            &config_dir,
            Path::new(v.as_str()?),
        )))
    };

    let networks = object
        .entry("networks")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(networks) = networks.as_object_mut() else {
        return Err(config_error(&config_path, "`networks` is not an object"));
    };
    let mut upsert =
        |kind: &str, main_key: &str, types_key: &str, main: &Path, types: &Path| -> Result<()> {
            let list = networks
                .entry(kind)
                .or_insert_with(|| Value::Array(Vec::new()));
            let Some(list) = list.as_array_mut() else {
                return Err(config_error(
                    &config_path,
                    format!("`networks.{kind}` is not a list"),
                ));
            };
            let main_abs = absolute(main);
            let existing = list.iter_mut().find(|entry| {
                entry
                    .get(main_key)
                    .and_then(Value::as_str)
                    .and_then(resolve)
                    .is_some_and(|p| p == main_abs)
            });
            match existing {
                Some(Value::Object(entry)) => {
                    entry.insert(types_key.to_string(), Value::String(refer(types)));
                }
                _ => {
                    let mut entry = Map::new();
                    entry.insert(main_key.to_string(), Value::String(refer(main)));
                    entry.insert(types_key.to_string(), Value::String(refer(types)));
                    list.push(Value::Object(entry));
                }
            }
            Ok(())
        };
    upsert(
        "nodes",
        "nodes_file",
        "node_types_file",
        &files.nodes_file,
        &files.node_types_file,
    )?;
    if let Some((h5, csv)) = &files.edges {
        upsert("edges", "edges_file", "edge_types_file", h5, csv)?;
    }
    let mut text = serde_json::to_string_pretty(&root)
        .map_err(|e| config_error(&config_path, e.to_string()))?;
    text.push('\n');
    write_text(&config_path, &text)?;
    Ok(created)
}

/// `path` relative to `base` if it lies inside it.
fn relative_to(path: &Path, base: &Path) -> Option<PathBuf> {
    path.strip_prefix(base).ok().map(Path::to_path_buf)
}

/// How the config should name `file`.
fn reference(manifest: &Manifest, config_dir: &Path, file: &Path) -> String {
    let file = absolute(file);
    let dir_of = |name: &str| -> Option<PathBuf> {
        let v = manifest.get(name)?.as_str()?.to_string();
        Some(normalize(&absolute_from(config_dir, Path::new(&v))))
    };
    if let (Some(net_dir), Some(parent)) = (dir_of("NETWORK_DIR"), file.parent()) {
        if net_dir == parent {
            if let Some(name) = file.file_name() {
                return format!("$NETWORK_DIR/{}", name.to_string_lossy());
            }
        }
    }
    if let Some(base) = dir_of("BASE_DIR") {
        if let Some(rel) = relative_to(&file, &base) {
            return format!("$BASE_DIR/{}", rel.display());
        }
    }
    file.display().to_string()
}
