//! Source text of one `.mod` file (plus the files it INCLUDEs) and the mapping from byte
//! offsets to `file:line:column` positions.
//!
//! Input arrives as bytes: `.mod` files in the wild are mostly ASCII but some carry Latin-1
//! comments (`µm`, `°C`) or are not text at all. Invalid UTF-8 is replaced by U+FFFD so the
//! rest of the pipeline can work on `&str`; the lexer reports the replacement characters that
//! fall outside comments.
//!
//! Included files are appended to the same text as further *segments*, each starting on a
//! line of its own. Spans are therefore unique across all files of one compilation and every
//! diagnostic resolves to the file it belongs to, whichever phase reports it.

/// One source file: its display name, its text and an index of line starts.
#[derive(Debug, Clone)]
pub struct SourceFile {
    name: String,
    text: String,
    /// Byte offset of the first character of each line; always starts with 0.
    line_starts: Vec<usize>,
    had_invalid_utf8: bool,
    /// The main file followed by every included file, in the order they were appended.
    segments: Vec<Segment>,
}

/// The part of [`SourceFile::text`] that came from one file.
#[derive(Debug, Clone)]
struct Segment {
    name: String,
    /// Byte range of the segment in the combined text.
    start: usize,
    end: usize,
    /// Index in `line_starts` of the segment's first line.
    first_line: usize,
}

impl SourceFile {
    /// A file from text that is already valid UTF-8.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self::build(name.into(), text.into(), false)
    }

    /// A file from raw bytes; invalid UTF-8 sequences become U+FFFD.
    pub fn from_bytes(name: impl Into<String>, bytes: &[u8]) -> Self {
        match String::from_utf8_lossy(bytes) {
            std::borrow::Cow::Borrowed(text) => Self::build(name.into(), text.to_owned(), false),
            std::borrow::Cow::Owned(text) => Self::build(name.into(), text, true),
        }
    }

    fn build(name: String, text: String, had_invalid_utf8: bool) -> Self {
        let mut line_starts = vec![0];
        push_line_starts(&mut line_starts, &text, 0);
        let segments = vec![Segment {
            name: name.clone(),
            start: 0,
            end: text.len(),
            first_line: 0,
        }];
        SourceFile {
            name,
            text,
            line_starts,
            had_invalid_utf8,
            segments,
        }
    }

    /// Appends the text of an included file as a new segment starting on its own line and
    /// returns its byte range in [`SourceFile::text`]. Invalid UTF-8 is replaced; the second
    /// value tells whether that happened.
    pub fn append(
        &mut self,
        name: impl Into<String>,
        bytes: &[u8],
    ) -> (std::ops::Range<usize>, bool) {
        // A separating line break, even after one that ends the previous file: the offset
        // just past the previous file's text (where its end-of-file diagnostics point) must
        // still belong to that file.
        self.text.push('\n');
        self.line_starts.push(self.text.len());
        if let Some(last) = self.segments.last_mut() {
            last.end = self.text.len();
        }
        let converted = String::from_utf8_lossy(bytes);
        let invalid = matches!(converted, std::borrow::Cow::Owned(_));
        let start = self.text.len();
        let first_line = self.line_starts.len() - 1;
        self.text.push_str(&converted);
        push_line_starts(&mut self.line_starts, &converted, start);
        self.segments.push(Segment {
            name: name.into(),
            start,
            end: self.text.len(),
            first_line,
        });
        (start..self.text.len(), invalid)
    }

    /// The name used in diagnostics for the main file (usually the path as given by the user).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name of the file that the byte `offset` belongs to (an included file's name for
    /// offsets inside its segment).
    pub fn name_at(&self, offset: usize) -> &str {
        &self.segment_at(offset).name
    }

    /// The whole text: the main file followed by any included files.
    pub fn text(&self) -> &str {
        &self.text
    }

    fn segment_at(&self, offset: usize) -> &Segment {
        let index = self.segments.partition_point(|s| s.start <= offset);
        &self.segments[index.saturating_sub(1)]
    }

    /// Whether the original bytes contained invalid UTF-8.
    pub fn had_invalid_utf8(&self) -> bool {
        self.had_invalid_utf8
    }

    /// Index in `line_starts` of the line holding `offset` (clamped to the text).
    fn line_index(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// 1-based line and column of a byte offset within the file it belongs to (see
    /// [`SourceFile::name_at`]); the column counts characters, not bytes. Offsets past the end
    /// map to the end of the text; offsets inside a multi-byte character map to that character.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line_index = self.line_index(offset);
        let line_start = self.line_starts[line_index];
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.text[line_start..end].chars().count() + 1;
        let first_line = self.segment_at(offset).first_line;
        (line_index - first_line + 1, column)
    }

    /// The text of a 1-based line of the main file, without its line terminator.
    pub fn line_text(&self, line: usize) -> &str {
        match self.line_starts.get(line.wrapping_sub(1)) {
            Some(&start) if start <= self.segments[0].end => self.line_text_at(start),
            _ => "",
        }
    }

    /// The whole line (of whichever file) holding byte `offset`, without its terminator, and
    /// the byte offset where that line starts.
    pub fn line_text_at(&self, offset: usize) -> &str {
        let index = self.line_index(offset);
        let start = self.line_starts[index];
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |&next| next - 1);
        self.text[start..end.max(start)].trim_end_matches(['\r', '\n'])
    }

    /// Byte offset of the start of the line holding `offset`.
    pub fn line_start_at(&self, offset: usize) -> usize {
        self.line_starts[self.line_index(offset)]
    }
}

/// Records the start of every line after a `\n` in `text`, which begins at byte `base`.
fn push_line_starts(line_starts: &mut Vec<usize>, text: &str, base: usize) {
    line_starts.extend(
        text.bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .map(|(i, _)| base + i + 1),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_chars() {
        let file = SourceFile::new("a.mod", "ab\nµx y\n");
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(1), (1, 2));
        assert_eq!(file.line_col(3), (2, 1));
        // `µ` is two bytes; `x` is the second character of line 2.
        assert_eq!(file.line_col(5), (2, 2));
        assert_eq!(file.line_col(7), (2, 4));
        assert_eq!(file.line_col(1000), (3, 1));
        assert_eq!(file.line_text(2), "µx y");
    }

    #[test]
    fn appended_segments_have_their_own_names_and_lines() {
        let mut file = SourceFile::new("main.mod", "a\nINCLUDE \"x.inc\"");
        let (range, invalid) = file.append("x.inc", b"p\nqq r\n");
        assert!(!invalid);
        // A line break separates the files, so the include starts on a line of its own.
        assert_eq!(&file.text()[range.clone()], "p\nqq r\n");
        assert_eq!(file.name_at(0), "main.mod");
        assert_eq!(file.name_at(range.start), "x.inc");
        let r = range.start + 5;
        assert_eq!(file.line_col(r), (2, 4));
        assert_eq!(file.line_text_at(r), "qq r");
        assert_eq!(file.line_col(2), (2, 1));
        assert_eq!(file.line_text(2), "INCLUDE \"x.inc\"");
    }

    #[test]
    fn invalid_utf8_is_replaced_and_flagged() {
        let file = SourceFile::from_bytes("b.mod", b"ok\xff\xfe");
        assert!(file.had_invalid_utf8());
        assert!(file.text().starts_with("ok"));
        assert!(!SourceFile::from_bytes("c.mod", b"fine").had_invalid_utf8());
    }
}
