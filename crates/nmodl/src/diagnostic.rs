//! Diagnostics (errors and warnings) with source locations, and the crate's error type.
//!
//! Diagnostics are created with a byte [`Span`]; [`Diagnostic::locate`] resolves the span to
//! `file:line:col` once the [`SourceFile`] is known, so a diagnostic prints on its own as
//! `file:line:col: error: message`, optionally followed by an indented `hint:` line.

use std::fmt;

use crate::ast::Span;
use crate::source::SourceFile;

/// How bad a diagnostic is. Errors stop compilation; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

/// A resolved source position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// One problem found in a source file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// A suggestion such as "did you mean `BREAKPOINT`?".
    pub hint: Option<String>,
    /// Filled by [`Diagnostic::locate`].
    pub location: Option<Location>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span,
            hint: None,
            location: None,
        }
    }

    /// A warning at `span`.
    pub fn warning(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(span, message)
        }
    }

    /// Adds a hint line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Resolves the span start to a file/line/column location.
    pub fn locate(mut self, file: &SourceFile) -> Self {
        let (line, column) = file.line_col(self.span.start);
        self.location = Some(Location {
            file: file.name().to_owned(),
            line,
            column,
        });
        self
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{}:{}:{}: ", loc.file, loc.line, loc.column)?,
            None => write!(f, "<unknown>:{}: ", self.span.start)?,
        }
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}: {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n    hint: {hint}")?;
        }
        Ok(())
    }
}

/// A list of diagnostics that prints one per line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DiagnosticList(pub Vec<Diagnostic>);

impl DiagnosticList {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }
}

impl fmt::Display for DiagnosticList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl From<Vec<Diagnostic>> for DiagnosticList {
    fn from(v: Vec<Diagnostic>) -> Self {
        DiagnosticList(v)
    }
}

/// Errors of the `nmodl` front end.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file has syntax or semantic errors; the list holds every diagnostic found.
    #[error("{0}")]
    Invalid(DiagnosticList),
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Levenshtein distance, for "did you mean" hints.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The candidate closest to `name`, if it is close enough to be a plausible typo.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // Allow roughly one edit per three characters; short names need an exact-ish match.
    let len = name.chars().count();
    let limit = if len <= 2 { 0 } else { (len / 3).clamp(1, 3) };
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| {
            (
                edit_distance(&name.to_ascii_lowercase(), &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, c)| (d, c.len()))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_col_and_hint() {
        let file = SourceFile::new("x.mod", "NEURON {\n  BREAKPONT\n}");
        let d = Diagnostic::error(Span { start: 11, end: 20 }, "unknown statement `BREAKPONT`")
            .with_hint("did you mean `BREAKPOINT`?")
            .locate(&file);
        assert_eq!(
            d.to_string(),
            "x.mod:2:3: error: unknown statement `BREAKPONT`\n    hint: did you mean `BREAKPOINT`?"
        );
    }

    #[test]
    fn edit_distance_and_closest() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(
            closest("BREAKPONT", ["BREAKPOINT", "PARAMETER"]),
            Some("BREAKPOINT")
        );
        assert_eq!(closest("gnabr", ["gnabar", "zzz"]), Some("gnabar"));
        assert_eq!(closest("q", ["x", "y"]), None);
        assert_eq!(closest("V", ["v", "t"]), Some("v"));
        assert_eq!(closest("abcdef", ["uvwxyz"]), None);
    }
}
