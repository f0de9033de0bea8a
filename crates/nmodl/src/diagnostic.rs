//! Diagnostics (errors and warnings) with source locations, and the crate's error type.
//!
//! Diagnostics are created with a byte [`Span`]; [`Diagnostic::locate`] resolves the span to
//! `file:line:col` and copies the source line once the [`SourceFile`] is known, so a
//! diagnostic prints on its own, rust-style:
//!
//! ```text
//! kdr.mod:2:3: error: unknown statement `BREAKPONT`
//!   |
//! 2 |   BREAKPONT
//!   |   ^^^^^^^^^
//!   = hint: did you mean `BREAKPOINT`?
//! ```
//!
//! The first line alone is the classic `file:line:col: error: message` form that editors and
//! scripts parse.

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
    /// The source line holding the start of the span, as displayed (tabs expanded, control
    /// characters replaced, very long lines cut to a window around the column).
    pub source_line: String,
    /// Display column (0-based, in `source_line`) where the caret starts.
    pub caret_column: usize,
    /// Number of `^` under the line: the span's length on that line, at least 1.
    pub caret_len: usize,
}

/// Lines longer than this (in characters) are shown as a window around the column.
const MAX_SHOWN_LINE: usize = 120;

impl Location {
    /// Resolves `span` in `file`.
    fn new(file: &SourceFile, span: Span) -> Self {
        let (line, column) = file.line_col(span.start);
        let line_start = file.line_start_at(span.start);
        let raw_line = file.line_text_at(span.start);
        // The span may start past the shown text (at a trailing `\r`, or at the end of the
        // file) and may end on a later line; keep both ends inside the line, on char
        // boundaries.
        let to_line = |offset: usize| {
            let mut i = offset.saturating_sub(line_start).min(raw_line.len());
            while !raw_line.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let start_in_line = to_line(span.start);
        let end_in_line = to_line(span.end).max(start_in_line);
        let before = &raw_line[..start_in_line];
        let inside = &raw_line[start_in_line..end_in_line];
        let mut shown = String::new();
        let mut width = 0usize;
        let mut caret_column = 0usize;
        let mut caret_len = 0usize;
        // Skip whole characters at the front so that the caret stays in view.
        let skip = column.saturating_sub(MAX_SHOWN_LINE / 2 + 1);
        for (i, (byte_index, c)) in raw_line.char_indices().enumerate() {
            if i < skip {
                continue;
            }
            if width >= MAX_SHOWN_LINE {
                shown.push('…');
                break;
            }
            if byte_index == before.len() {
                caret_column = width;
            }
            let piece: &str = match c {
                '\t' => "    ",
                c if c.is_control() => "\u{fffd}",
                _ => "",
            };
            let w = if piece.is_empty() {
                shown.push(c);
                1
            } else {
                shown.push_str(piece);
                piece.chars().count()
            };
            if byte_index >= before.len() && byte_index < before.len() + inside.len() {
                caret_len += w;
            }
            width += w;
        }
        if before.len() >= raw_line.len() {
            caret_column = width;
        }
        if skip > 0 {
            shown.insert(0, '…');
            caret_column += 1;
        }
        Location {
            file: file.name_at(span.start).to_owned(),
            line,
            column,
            source_line: shown,
            caret_column,
            caret_len: caret_len.max(1),
        }
    }
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

    /// Resolves the span to a file/line/column location and copies its source line.
    pub fn locate(mut self, file: &SourceFile) -> Self {
        self.location = Some(Location::new(file, self.span));
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
        let mut gutter = String::new();
        if let Some(loc) = self
            .location
            .as_ref()
            .filter(|l| !l.source_line.trim().is_empty())
        {
            let number = loc.line.to_string();
            gutter = " ".repeat(number.len());
            write!(f, "\n{gutter} |")?;
            write!(f, "\n{number} | {}", loc.source_line.trim_end())?;
            write!(
                f,
                "\n{gutter} | {}{}",
                " ".repeat(loc.caret_column),
                "^".repeat(loc.caret_len)
            )?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n{gutter} = hint: {hint}")?;
        }
        Ok(())
    }
}

impl Diagnostic {
    /// The first line only: `file:line:col: error: message`.
    pub fn headline(&self) -> String {
        let full = self.to_string();
        full.lines().next().unwrap_or("").to_owned()
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
            "x.mod:2:3: error: unknown statement `BREAKPONT`\n  |\n2 |   BREAKPONT\n  |   ^^^^^^^^^\n  = hint: did you mean `BREAKPOINT`?"
        );
        assert_eq!(
            d.headline(),
            "x.mod:2:3: error: unknown statement `BREAKPONT`"
        );
    }

    #[test]
    fn caret_follows_tabs_and_long_lines_are_cut() {
        let file = SourceFile::new("t.mod", "\tx = 1\n");
        let d = Diagnostic::error(Span { start: 1, end: 2 }, "m").locate(&file);
        assert_eq!(
            d.to_string(),
            "t.mod:1:2: error: m\n  |\n1 |     x = 1\n  |     ^"
        );
        let long = format!("{}bad{}", "a ".repeat(200), " b".repeat(200));
        let file = SourceFile::new("l.mod", long.as_str());
        let d = Diagnostic::error(
            Span {
                start: 400,
                end: 403,
            },
            "m",
        )
        .locate(&file);
        let loc = d.location.as_ref().unwrap();
        assert!(loc.source_line.chars().count() <= MAX_SHOWN_LINE + 2);
        let shown: String = loc
            .source_line
            .chars()
            .skip(loc.caret_column)
            .take(3)
            .collect();
        assert_eq!(shown, "bad");
        assert_eq!(loc.caret_len, 3);
    }

    #[test]
    fn spans_beyond_the_shown_line_do_not_panic() {
        // Found by the fuzzer: a span starting on a trailing `\r` (trimmed from the shown
        // line), spans past the end and spans inside a multi-byte character.
        let file = SourceFile::new("r.mod", "ab\r\r\ncµd");
        for (start, end) in [(3, 4), (2, 1), (99, 100), (7, 8), (6, 7), (0, 99)] {
            let d = Diagnostic::error(Span { start, end }, "m").locate(&file);
            assert!(d.to_string().starts_with("r.mod:"));
        }
    }

    #[test]
    fn a_span_at_the_end_of_the_line_gets_one_caret() {
        let file = SourceFile::new("e.mod", "NEURON {");
        let d = Diagnostic::error(Span { start: 8, end: 8 }, "expected `}`").locate(&file);
        assert!(
            d.to_string().ends_with("1 | NEURON {\n  |         ^"),
            "{d}"
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
