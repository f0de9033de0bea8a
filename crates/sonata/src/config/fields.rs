//! Typed access to one JSON object of a config, with errors naming `section.key` and the file,
//! and warnings for keys nobody reads.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// A config key that was ignored or a value that is suspicious but usable.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub path: PathBuf,
    pub key: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: `{}`: {}",
            self.path.display(),
            self.key,
            self.message
        )
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// One JSON object being read, e.g. the `run` section.
pub(crate) struct Section<'a> {
    pub path: &'a Path,
    pub prefix: String,
    pub map: &'a Map<String, Value>,
}

impl<'a> Section<'a> {
    pub fn new(path: &'a Path, prefix: impl Into<String>, value: &'a Value) -> Result<Self> {
        let prefix = prefix.into();
        match value {
            Value::Object(map) => Ok(Section { path, prefix, map }),
            other => Err(Error::config(
                path,
                prefix,
                format!("expected an object, found {}", type_name(other)),
            )),
        }
    }

    pub fn key(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}.{}", self.prefix, key)
        }
    }

    pub fn error(&self, key: &str, message: impl Into<String>) -> Error {
        Error::config(self.path, self.key(key), message)
    }

    fn wrong(&self, key: &str, expected: &str, found: &Value) -> Error {
        self.error(
            key,
            format!("expected {expected}, found {}", type_name(found)),
        )
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        match self.map.get(key) {
            Some(Value::Null) | None => None,
            Some(v) => Some(v),
        }
    }

    pub fn f64(&self, key: &str) -> Result<Option<f64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(other) => Err(self.wrong(key, "a number", other)),
        }
    }

    pub fn required_f64(&self, key: &str) -> Result<f64> {
        self.f64(key)?
            .ok_or_else(|| self.error(key, "required key is missing"))
    }

    /// A number or a list of numbers (e.g. `amp` of a current clamp).
    pub fn f64_list(&self, key: &str) -> Result<Option<Vec<f64>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(Some(vec![n.as_f64().unwrap_or(f64::NAN)])),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_f64()
                        .ok_or_else(|| self.wrong(key, "a list of numbers", v))
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            Some(other) => Err(self.wrong(key, "a number or a list of numbers", other)),
        }
    }

    pub fn u64(&self, key: &str) -> Result<Option<u64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(v) => Ok(Some(v)),
                None => match n.as_f64() {
                    Some(f) if f >= 0.0 && f.fract() == 0.0 && f < 1.8e19 => Ok(Some(f as u64)),
                    _ => Err(self.error(key, "expected a non-negative integer")),
                },
            },
            Some(other) => Err(self.wrong(key, "a non-negative integer", other)),
        }
    }

    pub fn string(&self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.wrong(key, "a string", other)),
        }
    }

    pub fn required_string(&self, key: &str) -> Result<String> {
        self.string(key)?
            .ok_or_else(|| self.error(key, "required key is missing"))
    }

    /// A string or a list of strings, returned as a list.
    pub fn string_list(&self, key: &str) -> Result<Option<Vec<String>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(vec![s.clone()])),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| self.wrong(key, "a list of strings", v))
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            Some(other) => Err(self.wrong(key, "a string or a list of strings", other)),
        }
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong(key, "true or false", other)),
        }
    }

    /// Records a warning for every key not in `known`.
    pub fn warn_unknown(&self, known: &[&str], warnings: &mut Vec<Warning>) {
        for key in self.map.keys() {
            if !known.contains(&key.as_str()) {
                warnings.push(Warning {
                    path: self.path.to_path_buf(),
                    key: self.key(key),
                    message: "unknown key, ignored".into(),
                });
            }
        }
    }
}
