//! Reading config files: JSON with file:line:col errors, manifest substitution, and the
//! `network` / `simulation` inclusion of other config files.
//!
//! Inclusion follows BMTK: a string value under `network` or `simulation` names another
//! config (relative to the including file's folder) that is loaded with its own manifest and
//! merged in. Where both files define a top-level key, the including file wins, except that
//! `components` and `node_sets` objects are merged entry by entry (including file still wins
//! per entry). A file including itself, directly or not, is an [`Error::Cycle`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::manifest::Manifest;
use super::paths::{absolute_from, normalize};
use crate::error::{Error, Result};

/// A config document after substitution and inclusion.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub root: Map<String, Value>,
    /// Which file each top-level key came from (for errors and relative paths).
    pub origin: HashMap<String, PathBuf>,
    /// Every file read, the top one first.
    pub files: Vec<PathBuf>,
}

impl Document {
    pub fn origin_of(&self, key: &str) -> &Path {
        self.origin
            .get(key)
            .map(PathBuf::as_path)
            .unwrap_or_else(|| self.files[0].as_path())
    }
}

/// Reads and parses a JSON file; syntax errors carry file, line and column.
pub(crate) fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, "cannot read", e))?;
    serde_json::from_str(&text).map_err(|e| Error::Json {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// Absolute, lexically normalised form of a path given on the command line.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    match std::path::absolute(path) {
        Ok(p) => normalize(&p),
        Err(_) => normalize(path),
    }
}

pub(crate) fn load_document(path: &Path) -> Result<Document> {
    let mut stack = Vec::new();
    load_recursive(&absolute(path), &mut stack)
}

fn load_recursive(path: &Path, stack: &mut Vec<PathBuf>) -> Result<Document> {
    if let Some(pos) = stack.iter().position(|p| p == path) {
        let mut chain: Vec<String> = stack[pos..]
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        chain.push(path.display().to_string());
        return Err(Error::Cycle {
            path: stack.last().cloned().unwrap_or_else(|| path.to_path_buf()),
            chain: format!("config inclusion {}", chain.join(" -> ")),
        });
    }
    let value = read_json(path)?;
    let Value::Object(mut root) = value else {
        return Err(Error::config(path, "(top level)", "expected a JSON object"));
    };
    let manifest = Manifest::resolve(path, root.get("manifest"))?;
    for (key, value) in root.iter_mut() {
        if key != "manifest" {
            manifest.substitute_tree(path, key, value)?;
        }
    }
    let mut origin: HashMap<String, PathBuf> = root
        .keys()
        .map(|k| (k.clone(), path.to_path_buf()))
        .collect();
    let mut files = vec![path.to_path_buf()];
    let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();

    stack.push(path.to_path_buf());
    for child_key in ["network", "simulation"] {
        let child_path = match root.get(child_key) {
            Some(Value::String(s)) => absolute_from(&dir, Path::new(s)),
            Some(Value::Null) | None => continue,
            Some(_) => {
                stack.pop();
                return Err(Error::config(
                    path,
                    child_key,
                    "expected a path to a config file",
                ));
            }
        };
        let child = match load_recursive(&child_path, stack) {
            Ok(c) => c,
            Err(e) => {
                stack.pop();
                return Err(e);
            }
        };
        for (key, value) in child.root {
            let child_origin = child
                .origin
                .get(&key)
                .cloned()
                .unwrap_or(child_path.clone());
            match root.get_mut(&key) {
                None => {
                    origin.insert(key.clone(), child_origin);
                    root.insert(key, value);
                }
                Some(Value::Object(mine)) if key == "components" || key == "node_sets" => {
                    if let Value::Object(theirs) = value {
                        for (k, v) in theirs {
                            mine.entry(k).or_insert(v);
                        }
                    }
                }
                Some(_) => {}
            }
        }
        files.extend(child.files);
    }
    stack.pop();
    Ok(Document {
        root,
        origin,
        files,
    })
}
