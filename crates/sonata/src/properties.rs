//! Per-node and per-edge property values, whether they come from an HDF5 column of any
//! numeric or string type or from a types CSV.

use std::borrow::Cow;

use serde_json::Value;

/// One HDF5 column, widened to 64 bits.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    Int(Vec<i64>),
    UInt(Vec<u64>),
    Float(Vec<f64>),
    Str(Vec<String>),
}

impl Column {
    pub fn len(&self) -> usize {
        match self {
            Column::Int(v) => v.len(),
            Column::UInt(v) => v.len(),
            Column::Float(v) => v.len(),
            Column::Str(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `i`, if in range.
    pub fn get(&self, i: usize) -> Option<Property<'_>> {
        match self {
            Column::Int(v) => v.get(i).map(|x| Property::Int(*x)),
            Column::UInt(v) => v.get(i).map(|x| Property::UInt(*x)),
            Column::Float(v) => v.get(i).map(|x| Property::Float(*x)),
            Column::Str(v) => v.get(i).map(|x| Property::Str(x)),
        }
    }
}

/// One property value. CSV cells are `Str`; numeric use goes through [`Property::as_f64`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Property<'a> {
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(&'a str),
}

impl<'a> Property<'a> {
    /// The value as a number; a string is parsed (so CSV `0.04` gives 0.04).
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Property::Int(v) => Some(v as f64),
            Property::UInt(v) => Some(v as f64),
            Property::Float(v) => Some(v),
            Property::Str(s) => s.trim().parse().ok(),
        }
    }

    /// The value as text (numbers formatted the shortest way that round-trips).
    pub fn as_str(&self) -> Cow<'a, str> {
        match *self {
            Property::Int(v) => Cow::Owned(v.to_string()),
            Property::UInt(v) => Cow::Owned(v.to_string()),
            Property::Float(v) => Cow::Owned(v.to_string()),
            Property::Str(s) => Cow::Borrowed(s),
        }
    }

    /// Whether a node-set rule value equals this property: numbers compare as numbers,
    /// strings as text (a numeric property also matches its decimal text).
    pub fn matches_json(&self, value: &Value) -> bool {
        match value {
            Value::Number(n) => match (*self, n.as_u64(), n.as_i64()) {
                (Property::UInt(a), Some(b), _) => a == b,
                (Property::Int(a), _, Some(b)) => a == b,
                _ => match (self.as_f64(), n.as_f64()) {
                    (Some(a), Some(b)) => a == b,
                    _ => false,
                },
            },
            Value::String(s) => match *self {
                Property::Str(a) => a == s,
                _ => self.as_str() == s.as_str() || s.trim().parse::<f64>().ok() == self.as_f64(),
            },
            Value::Bool(b) => match *self {
                Property::Str(a) => a.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
                _ => self.as_f64() == Some(if *b { 1.0 } else { 0.0 }),
            },
            _ => false,
        }
    }
}
