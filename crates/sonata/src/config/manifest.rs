//! Manifest variables: `$VAR` and `${VAR}` references inside config strings.
//!
//! A config's `manifest` maps names (written `"$NAME"` or `"NAME"`) to values that may
//! themselves reference other entries. Entries are resolved recursively; a reference loop is
//! an [`Error::Cycle`], a reference to nothing an [`Error::UndefinedVariable`]. Built-ins, as
//! in BMTK: `BASE_DIR` (default: the config's folder), `configdir`, `configfname`,
//! `workingdir`. Resolved string entries are treated as paths: a relative one is made absolute
//! against the config's folder, so `"$BASE_DIR": "."` means "this config's folder" no matter
//! where the program runs (BMTK itself resolves it against the working directory).

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::paths::absolute_from;
use crate::error::{Error, Result};

/// The resolved variables of one config file.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    values: HashMap<String, Value>,
}

/// One `$NAME` / `${NAME}` occurrence inside a string.
struct VarRef {
    start: usize,
    end: usize,
    name: String,
}

/// Finds every variable reference in `text`; a `$` not followed by a name is left alone.
fn find_refs(text: &str) -> Vec<VarRef> {
    let bytes = text.as_bytes();
    let is_name = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut refs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let braced = bytes.get(i + 1) == Some(&b'{');
        let name_start = if braced { i + 2 } else { i + 1 };
        let mut j = name_start;
        while j < bytes.len() && is_name(bytes[j]) {
            j += 1;
        }
        if j == name_start || (braced && bytes.get(j) != Some(&b'}')) {
            i += 1;
            continue;
        }
        let end = if braced { j + 1 } else { j };
        refs.push(VarRef {
            start: i,
            end,
            name: text[name_start..j].to_string(),
        });
        i = end;
    }
    refs
}

impl Manifest {
    /// Resolves the `manifest` object of the config at `config_path` (already parsed).
    pub fn resolve(config_path: &Path, manifest: Option<&Value>) -> Result<Manifest> {
        let config_dir = config_path.parent().unwrap_or(Path::new("/"));
        let mut raw: HashMap<String, Value> = HashMap::new();
        if let Some(value) = manifest {
            let Some(object) = value.as_object() else {
                return Err(Error::config(config_path, "manifest", "expected an object"));
            };
            for (key, value) in object {
                let name = key.trim_start_matches('$');
                let name = name
                    .strip_prefix('{')
                    .and_then(|n| n.strip_suffix('}'))
                    .unwrap_or(name);
                raw.insert(name.to_string(), value.clone());
            }
        }
        let mut builtins: HashMap<String, Value> = HashMap::new();
        let dir_string = config_dir.to_string_lossy().into_owned();
        builtins.insert("configdir".into(), Value::String(dir_string.clone()));
        builtins.insert(
            "configfname".into(),
            Value::String(config_path.to_string_lossy().into_owned()),
        );
        if let Ok(cwd) = std::env::current_dir() {
            builtins.insert(
                "workingdir".into(),
                Value::String(cwd.to_string_lossy().into_owned()),
            );
        }
        if !raw.contains_key("BASE_DIR") {
            builtins.insert("BASE_DIR".into(), Value::String(dir_string));
        }

        let mut resolver = Resolver {
            path: config_path,
            config_dir,
            raw: &raw,
            done: builtins,
            stack: Vec::new(),
        };
        let mut names: Vec<&String> = raw.keys().collect();
        names.sort();
        for name in names {
            resolver.resolve(name)?;
        }
        Ok(Manifest {
            values: resolver.done,
        })
    }

    /// The value of a variable, if defined.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// Substitutes every reference in `text`; `key` names the config key for error messages.
    /// A string that is exactly one reference to a non-string value becomes that value.
    pub fn substitute(&self, path: &Path, key: &str, text: &str) -> Result<Value> {
        substitute_with(text, |name| match self.values.get(name) {
            Some(v) => Ok(v.clone()),
            None => Err(Error::UndefinedVariable {
                path: path.to_path_buf(),
                key: key.to_string(),
                name: name.to_string(),
            }),
        })
    }

    /// Substitutes references in every string value of `value` (object keys are left alone).
    pub fn substitute_tree(&self, path: &Path, key: &str, value: &mut Value) -> Result<()> {
        match value {
            Value::String(text) if text.contains('$') => {
                *value = self.substitute(path, key, text)?;
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.substitute_tree(path, &format!("{key}[{i}]"), item)?;
                }
            }
            Value::Object(map) => {
                for (k, item) in map.iter_mut() {
                    let child = if key.is_empty() {
                        k.clone()
                    } else {
                        format!("{key}.{k}")
                    };
                    self.substitute_tree(path, &child, item)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

fn substitute_with(text: &str, mut lookup: impl FnMut(&str) -> Result<Value>) -> Result<Value> {
    let refs = find_refs(text);
    if refs.is_empty() {
        return Ok(Value::String(text.to_string()));
    }
    if refs.len() == 1 && refs[0].start == 0 && refs[0].end == text.len() {
        return lookup(&refs[0].name);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for r in &refs {
        out.push_str(&text[last..r.start]);
        match lookup(&r.name)? {
            Value::String(s) => out.push_str(&s),
            other => out.push_str(&other.to_string()),
        }
        last = r.end;
    }
    out.push_str(&text[last..]);
    Ok(Value::String(out))
}

struct Resolver<'a> {
    path: &'a Path,
    config_dir: &'a Path,
    raw: &'a HashMap<String, Value>,
    done: HashMap<String, Value>,
    stack: Vec<String>,
}

impl Resolver<'_> {
    fn resolve(&mut self, name: &str) -> Result<Value> {
        if let Some(v) = self.done.get(name) {
            return Ok(v.clone());
        }
        if let Some(pos) = self.stack.iter().position(|n| n == name) {
            let mut chain: Vec<String> =
                self.stack[pos..].iter().map(|n| format!("${n}")).collect();
            chain.push(format!("${name}"));
            return Err(Error::Cycle {
                path: self.path.to_path_buf(),
                chain: format!("manifest {}", chain.join(" -> ")),
            });
        }
        let Some(raw) = self.raw.get(name) else {
            let key = self
                .stack
                .last()
                .map(|n| format!("manifest.${n}"))
                .unwrap_or_else(|| "manifest".into());
            return Err(Error::UndefinedVariable {
                path: self.path.to_path_buf(),
                key,
                name: name.to_string(),
            });
        };
        let raw = raw.clone();
        self.stack.push(name.to_string());
        let value = match &raw {
            Value::String(text) => {
                let substituted = substitute_with(text, |inner| self.resolve(inner))?;
                match substituted {
                    Value::String(s) => Value::String(
                        absolute_from(self.config_dir, Path::new(&s))
                            .to_string_lossy()
                            .into_owned(),
                    ),
                    other => other,
                }
            }
            other => other.clone(),
        };
        self.stack.pop();
        self.done.insert(name.to_string(), value.clone());
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_plain_and_braced_references() {
        let refs = find_refs("$A/x/${B_2}/$ /${bad");
        let names: Vec<_> = refs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["A", "B_2"]);
    }

    #[test]
    fn resolves_recursively_relative_to_config_dir() {
        let m = json!({"$BASE_DIR": ".", "$NET": "$BASE_DIR/network", "OUT": "${NET}/../out"});
        let manifest = Manifest::resolve(Path::new("/a/b/config.json"), Some(&m)).unwrap();
        assert_eq!(manifest.get("NET"), Some(&json!("/a/b/network")));
        assert_eq!(manifest.get("OUT"), Some(&json!("/a/b/out")));
    }

    #[test]
    fn base_dir_defaults_to_config_folder() {
        let manifest = Manifest::resolve(Path::new("/a/b/c.json"), None).unwrap();
        let v = manifest
            .substitute(Path::new("/a/b/c.json"), "k", "$BASE_DIR/x")
            .unwrap();
        assert_eq!(v, json!("/a/b/x"));
    }

    #[test]
    fn cycle_is_an_error_naming_the_variables() {
        let m = json!({"$A": "$B/x", "$B": "${A}/y"});
        let err = Manifest::resolve(Path::new("/c.json"), Some(&m)).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::Cycle { .. }), "{text}");
        assert!(text.contains("$A") && text.contains("$B") && text.contains("/c.json"));
    }

    #[test]
    fn undefined_variable_names_key_and_file() {
        let manifest = Manifest::resolve(Path::new("/c.json"), None).unwrap();
        let err = manifest
            .substitute(Path::new("/c.json"), "output.output_dir", "$NOPE/out")
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("$NOPE") && text.contains("output.output_dir"),
            "{text}"
        );
    }

    #[test]
    fn whole_string_reference_keeps_value_type() {
        let m = json!({"$DT": 0.025});
        let manifest = Manifest::resolve(Path::new("/c.json"), Some(&m)).unwrap();
        let v = manifest
            .substitute(Path::new("/c.json"), "run.dt", "$DT")
            .unwrap();
        assert_eq!(v, json!(0.025));
    }
}
