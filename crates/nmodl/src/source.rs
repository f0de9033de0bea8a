//! Source text of one `.mod` file and the mapping from byte offsets to line/column positions.
//!
//! Input arrives as bytes: `.mod` files in the wild are mostly ASCII but some carry Latin-1
//! comments (`µm`, `°C`) or are not text at all. Invalid UTF-8 is replaced by U+FFFD so the
//! rest of the pipeline can work on `&str`; the lexer reports the replacement characters that
//! fall outside comments.

/// One source file: its display name, its text and an index of line starts.
#[derive(Debug, Clone)]
pub struct SourceFile {
    name: String,
    text: String,
    /// Byte offset of the first character of each line; always starts with 0.
    line_starts: Vec<usize>,
    had_invalid_utf8: bool,
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
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        SourceFile {
            name,
            text,
            line_starts,
            had_invalid_utf8,
        }
    }

    /// The name used in diagnostics (usually the path as given by the user).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the original bytes contained invalid UTF-8.
    pub fn had_invalid_utf8(&self) -> bool {
        self.had_invalid_utf8
    }

    /// 1-based line and column of a byte offset; the column counts characters, not bytes.
    /// Offsets past the end map to the end of the text; offsets inside a multi-byte character
    /// map to that character.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line_index = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_start = self.line_starts[line_index];
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.text[line_start..end].chars().count() + 1;
        (line_index + 1, column)
    }

    /// The text of a 1-based line without its line terminator.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&next| next - 1);
        self.text[start..end].trim_end_matches('\r')
    }
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
    fn invalid_utf8_is_replaced_and_flagged() {
        let file = SourceFile::from_bytes("b.mod", b"ok\xff\xfe");
        assert!(file.had_invalid_utf8());
        assert!(file.text().starts_with("ok"));
        assert!(!SourceFile::from_bytes("c.mod", b"fine").had_invalid_utf8());
    }
}
