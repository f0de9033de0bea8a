//! Space-separated tables as BMTK writes them with pandas (`sep=' '`): node types, edge types
//! and spike CSVs.
//!
//! One space separates cells, so two spaces mean an empty cell. A cell starting with `"`
//! runs to the matching `"` (a doubled `""` is a literal quote) and may contain spaces. CRLF
//! line ends, a UTF-8 BOM, blank lines and trailing empty cells are tolerated. `NONE` and empty
//! cells read as missing. A row with the wrong number of cells is an error naming the line.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A parsed table: header names and rows of optional cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub path: PathBuf,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
    /// 1-based line number of each row, for error messages.
    pub lines: Vec<usize>,
}

impl Table {
    /// Reads and parses a table file.
    pub fn read(path: &Path) -> Result<Table> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, "cannot read", e))?;
        let text = String::from_utf8(bytes).map_err(|e| Error::Csv {
            path: path.to_path_buf(),
            line: 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count(),
            message: "not valid UTF-8 text".into(),
        })?;
        Self::parse(path, &text)
    }

    /// Parses table text; `path` is used in errors only.
    pub fn parse(path: &Path, text: &str) -> Result<Table> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut header: Option<Vec<String>> = None;
        let mut rows = Vec::new();
        let mut lines = Vec::new();
        for (i, raw) in text.split('\n').enumerate() {
            let line_no = i + 1;
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.trim().is_empty() {
                continue;
            }
            let mut cells = split_line(line).map_err(|message| Error::Csv {
                path: path.to_path_buf(),
                line: line_no,
                message,
            })?;
            match &header {
                None => {
                    let names: Vec<String> = cells.into_iter().flatten().collect();
                    header = Some(names);
                }
                Some(h) => {
                    while cells.len() > h.len() && cells.last() == Some(&None) {
                        cells.pop();
                    }
                    if cells.len() != h.len() {
                        return Err(Error::Csv {
                            path: path.to_path_buf(),
                            line: line_no,
                            message: format!(
                                "{} cells, but the header has {} columns",
                                cells.len(),
                                h.len()
                            ),
                        });
                    }
                    rows.push(cells);
                    lines.push(line_no);
                }
            }
        }
        let header = header.ok_or_else(|| Error::Csv {
            path: path.to_path_buf(),
            line: 1,
            message: "empty file: expected a header line".into(),
        })?;
        Ok(Table {
            path: path.to_path_buf(),
            header,
            rows,
            lines,
        })
    }

    /// Index of a column by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

fn split_line(line: &str) -> std::result::Result<Vec<Option<String>>, String> {
    let mut cells = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let mut cell = String::new();
        let mut quoted = false;
        if chars.peek() == Some(&'"') {
            quoted = true;
            chars.next();
            loop {
                match chars.next() {
                    None => return Err("unterminated quoted cell".into()),
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        cell.push('"');
                    }
                    Some('"') => break,
                    Some(c) => cell.push(c),
                }
            }
            match chars.peek() {
                None | Some(' ') | Some('\t') => {}
                Some(c) => return Err(format!("unexpected `{c}` after a closing quote")),
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ' ' || c == '\t' {
                    break;
                }
                cell.push(c);
                chars.next();
            }
        }
        let missing = !quoted && (cell.is_empty() || cell == "NONE");
        cells.push(if missing { None } else { Some(cell) });
        match chars.next() {
            None => break,
            Some(_) => continue,
        }
    }
    Ok(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_crlf_and_missing_cells() {
        let text = "a b c d\r\n1 \"[0.0, 1e8]\" NONE x\r\n2  \"say \"\"hi\"\"\" y\r\n";
        let t = Table::parse(Path::new("t.csv"), text).unwrap();
        assert_eq!(t.header, ["a", "b", "c", "d"]);
        assert_eq!(
            t.rows[0],
            [
                Some("1".into()),
                Some("[0.0, 1e8]".into()),
                None,
                Some("x".into())
            ]
        );
        assert_eq!(
            t.rows[1],
            [
                Some("2".into()),
                None,
                Some("say \"hi\"".into()),
                Some("y".into())
            ]
        );
        assert_eq!(t.lines, [2, 3]);
    }

    #[test]
    fn wrong_cell_count_names_the_line() {
        let err = Table::parse(Path::new("t.csv"), "a b\n1 2\n3 4 5\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("t.csv:3:"), "{text}");
    }

    #[test]
    fn unterminated_quote_is_an_error() {
        assert!(Table::parse(Path::new("t.csv"), "a b\n1 \"x y\n").is_err());
    }
}
