//! The network file as a tree of values that remember where they are in the file, so every
//! later check can point at the offending key or value.

use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::error::Diagnostic;

/// One value and its byte span.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub span: Range<usize>,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Array(Vec<Node>),
    Table(Vec<Entry>),
    /// Dates and times: valid TOML, never a valid network value.
    Datetime,
}

/// One `key = value` of a table.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub key: String,
    pub key_span: Range<usize>,
    pub value: Node,
}

impl Node {
    pub fn describe(&self) -> &'static str {
        match self.kind {
            Kind::Str(_) => "a string",
            Kind::Int(_) => "an integer",
            Kind::Float(_) => "a float",
            Kind::Bool(_) => "a boolean",
            Kind::Array(_) => "an array",
            Kind::Table(_) => "a table",
            Kind::Datetime => "a date/time",
        }
    }
}

/// Collects diagnostics against one source text.
pub(crate) struct Ctx<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    pub fn new(path: &'a Path, text: &'a str) -> Self {
        Ctx {
            path,
            text,
            diagnostics: Vec::new(),
        }
    }

    /// 1-based line and column (in characters) of byte `offset`.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    pub fn diagnostic(&self, span: &Range<usize>, message: impl Into<String>) -> Diagnostic {
        let (line, column) = self.line_column(span.start);
        Diagnostic {
            path: self.path.to_path_buf(),
            line,
            column,
            message: message.into(),
        }
    }

    pub fn error(&mut self, span: &Range<usize>, message: impl Into<String>) {
        let d = self.diagnostic(span, message);
        self.diagnostics.push(d);
    }
}

/// Parses TOML text, reporting every syntax error it can recover from.
pub(crate) fn parse(ctx: &mut Ctx) -> Option<Node> {
    let (table, errors) = DeTable::parse_recoverable(ctx.text);
    for e in &errors {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().trim().to_string();
        ctx.error(&span, format!("invalid TOML: {message}"));
    }
    if !errors.is_empty() {
        return None;
    }
    let span = table.span();
    Some(Node {
        span,
        kind: Kind::Table(convert_table(ctx, table.get_ref())),
    })
}

fn convert_table(ctx: &mut Ctx, table: &DeTable) -> Vec<Entry> {
    table
        .iter()
        .map(|(k, v)| Entry {
            key: k.get_ref().to_string(),
            key_span: k.span(),
            value: convert(ctx, v),
        })
        .collect()
}

fn convert(ctx: &mut Ctx, value: &Spanned<DeValue>) -> Node {
    let span = value.span();
    let kind = match value.get_ref() {
        DeValue::String(s) => Kind::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(v) => Kind::Int(v),
            Err(_) => {
                ctx.error(&span, "integer does not fit in 64 bits");
                Kind::Int(0)
            }
        },
        DeValue::Float(f) => {
            let text = f.as_str().replace('_', "");
            Kind::Float(text.parse().unwrap_or(f64::NAN))
        }
        DeValue::Boolean(b) => Kind::Bool(*b),
        DeValue::Datetime(_) => Kind::Datetime,
        DeValue::Array(a) => Kind::Array(a.iter().map(|v| convert(ctx, v)).collect()),
        DeValue::Table(t) => Kind::Table(convert_table(ctx, t)),
    };
    Node { span, kind }
}
