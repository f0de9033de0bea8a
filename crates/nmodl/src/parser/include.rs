//! `INCLUDE "file"` resolution.
//!
//! nocmodl splices an included file's text in place of the INCLUDE line. We parse each file on
//! its own (an included file must hold whole top-level blocks, as in nocmodl, where INCLUDE is
//! only legal between blocks) and splice its items after the [`Item::Include`] that named it.
//! The included text is appended to the [`SourceFile`] as a segment of its own, so every
//! later diagnostic still points into the right file.
//!
//! Paths are looked up relative to the directory of the including file, then in the
//! directories listed in `MODL_INCLUDE` (as nocmodl does). A missing file, an include cycle,
//! or absurd nesting is an error at the INCLUDE line.

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::Parser;
use crate::ast::{Item, Program, Span};
use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

/// Deepest chain of nested INCLUDEs accepted.
pub const MAX_INCLUDE_DEPTH: usize = 16;

/// Most files one compilation may include (bounds diamond-shaped include graphs, which would
/// otherwise grow exponentially).
pub const MAX_INCLUDED_FILES: usize = 256;

/// Included files larger than this are refused.
pub const MAX_INCLUDE_BYTES: u64 = 256 << 20;

/// The text of a file named by an INCLUDE.
#[derive(Debug, Clone)]
pub struct IncludedFile {
    /// Name shown in diagnostics (the path that was found).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Finds the files named by INCLUDE statements.
pub trait IncludeResolver {
    /// Finds and reads `path`, named by an INCLUDE in the file called `from`. The error says
    /// why it could not be read (where it was looked for).
    fn resolve(&self, from: &str, path: &str) -> Result<IncludedFile, String>;

    /// A key identifying the file called `name`, used to detect include cycles.
    fn identity(&self, name: &str) -> String {
        name.to_owned()
    }
}

/// Reads included files from disk, relative to the including file, then from `MODL_INCLUDE`.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileSystemResolver;

impl IncludeResolver for FileSystemResolver {
    fn resolve(&self, from: &str, path: &str) -> Result<IncludedFile, String> {
        let wanted = Path::new(path);
        let mut candidates: Vec<PathBuf> = Vec::new();
        if wanted.is_absolute() {
            candidates.push(wanted.to_path_buf());
        } else {
            let dir = Path::new(from).parent().unwrap_or(Path::new(""));
            candidates.push(dir.join(wanted));
            if let Some(dirs) = std::env::var_os("MODL_INCLUDE") {
                candidates.extend(std::env::split_paths(&dirs).map(|d| d.join(wanted)));
            }
        }
        for candidate in &candidates {
            match read_regular_file(candidate) {
                Ok(Some(bytes)) => {
                    return Ok(IncludedFile {
                        name: candidate.display().to_string(),
                        bytes,
                    })
                }
                Ok(None) => continue,
                Err(reason) => return Err(format!("{}: {reason}", candidate.display())),
            }
        }
        let looked: Vec<String> = candidates.iter().map(|c| c.display().to_string()).collect();
        Err(format!("file not found (looked for {})", looked.join(", ")))
    }

    fn identity(&self, name: &str) -> String {
        std::fs::canonicalize(name).map_or_else(|_| name.to_owned(), |p| p.display().to_string())
    }
}

/// The bytes of a regular file; `None` when it does not exist. Devices, directories and huge
/// files are refused (reading `/dev/zero` would never end).
fn read_regular_file(path: &Path) -> Result<Option<Vec<u8>>, String> {
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    if !metadata.is_file() {
        return Err("not a regular file".into());
    }
    if metadata.len() > MAX_INCLUDE_BYTES {
        return Err(format!("larger than {} MB", MAX_INCLUDE_BYTES >> 20));
    }
    std::fs::read(path).map(Some).map_err(|e| e.to_string())
}

/// Parses `file` and, recursively, every file it INCLUDEs (appending them to `file`).
/// Diagnostics have their locations resolved.
pub fn parse_with_includes(
    file: &mut SourceFile,
    resolver: &dyn IncludeResolver,
) -> (Program, Vec<Diagnostic>) {
    let mut state = Splicer {
        resolver,
        stack: vec![resolver.identity(file.name())],
        included: 0,
        diagnostics: Vec::new(),
    };
    if file.had_invalid_utf8() {
        state
            .diagnostics
            .push(super::invalid_utf8_warning(Span::default()));
    }
    let main_name = file.name().to_owned();
    let range = 0..file.text().len();
    let items = state.parse_file(file, &main_name, range);
    let diagnostics = state
        .diagnostics
        .into_iter()
        .map(|d| d.locate(file))
        .collect();
    (Program { items }, diagnostics)
}

struct Splicer<'r> {
    resolver: &'r dyn IncludeResolver,
    /// Identities of the files being parsed, outermost first.
    stack: Vec<String>,
    included: usize,
    /// Unlocated: the file grows while we parse.
    diagnostics: Vec<Diagnostic>,
}

impl Splicer<'_> {
    fn parse_file(&mut self, file: &mut SourceFile, name: &str, range: Range<usize>) -> Vec<Item> {
        let (program, diagnostics) = {
            let mut parser = Parser::new_at(&file.text()[..range.end], range.start);
            let program = parser.program();
            (program, parser.finish())
        };
        self.diagnostics.extend(diagnostics);
        let mut items = Vec::with_capacity(program.items.len());
        for item in program.items {
            let include = match &item {
                Item::Include { path, span } => Some((path.clone(), *span)),
                _ => None,
            };
            items.push(item);
            if let Some((path, span)) = include {
                items.extend(self.include(file, name, &path, span));
            }
        }
        items
    }

    fn include(&mut self, file: &mut SourceFile, from: &str, path: &str, span: Span) -> Vec<Item> {
        if self.stack.len() > MAX_INCLUDE_DEPTH {
            self.error(
                span,
                format!("INCLUDEs are nested more than {MAX_INCLUDE_DEPTH} deep"),
            );
            return Vec::new();
        }
        if self.included >= MAX_INCLUDED_FILES {
            self.error(
                span,
                format!("more than {MAX_INCLUDED_FILES} files are included"),
            );
            return Vec::new();
        }
        let found = match self.resolver.resolve(from, path) {
            Ok(found) => found,
            Err(reason) => {
                self.error(span, format!("cannot include \"{path}\": {reason}"));
                return Vec::new();
            }
        };
        let identity = self.resolver.identity(&found.name);
        if let Some(first) = self.stack.iter().position(|s| *s == identity) {
            let mut chain: Vec<&str> = self.stack[first..].iter().map(String::as_str).collect();
            chain.push(&identity);
            let message = format!("INCLUDE cycle: {}", chain.join(" → "));
            self.error(span, message);
            return Vec::new();
        }
        self.included += 1;
        let (range, invalid_utf8) = file.append(found.name.clone(), &found.bytes);
        if invalid_utf8 {
            let at = Span {
                start: range.start,
                end: range.start,
            };
            self.diagnostics.push(super::invalid_utf8_warning(at));
        }
        self.stack.push(identity);
        let items = self.parse_file(file, &found.name, range);
        self.stack.pop();
        items
    }

    fn error(&mut self, span: Span, message: String) {
        self.diagnostics.push(Diagnostic::error(span, message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Files held in memory, named by their path.
    struct Memory(HashMap<&'static str, &'static str>);

    impl IncludeResolver for Memory {
        fn resolve(&self, _from: &str, path: &str) -> Result<IncludedFile, String> {
            self.0
                .get(path)
                .map(|text| IncludedFile {
                    name: path.to_owned(),
                    bytes: text.as_bytes().to_vec(),
                })
                .ok_or_else(|| "file not found".to_owned())
        }
    }

    fn run(main: &str, files: &[(&'static str, &'static str)]) -> (Program, Vec<String>) {
        let resolver = Memory(files.iter().copied().collect());
        let mut file = SourceFile::new("main.mod", main);
        let (program, diagnostics) = parse_with_includes(&mut file, &resolver);
        (
            program,
            diagnostics.iter().map(Diagnostic::headline).collect(),
        )
    }

    #[test]
    fn included_items_follow_the_include() {
        let (program, diagnostics) = run(
            "NEURON { SUFFIX a }\nINCLUDE \"p.inc\"\nASSIGNED { y }\n",
            &[("p.inc", "PARAMETER { g = 1 }\n")],
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let kinds: Vec<&str> = program
            .items
            .iter()
            .map(|i| match i {
                Item::Neuron(..) => "neuron",
                Item::Include { .. } => "include",
                Item::Parameter(..) => "parameter",
                Item::Assigned(..) => "assigned",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["neuron", "include", "parameter", "assigned"]);
    }

    #[test]
    fn errors_in_included_files_name_that_file() {
        let (_, diagnostics) = run(
            "NEURON { SUFFIX a }\nINCLUDE \"bad.inc\"\n",
            &[("bad.inc", "\nPARAMETER { g = }\n")],
        );
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert!(diagnostics[0].starts_with("bad.inc:2:"), "{diagnostics:?}");
    }

    #[test]
    fn missing_files_and_cycles_are_errors_at_the_include() {
        let (_, diagnostics) = run("NEURON { SUFFIX a }\nINCLUDE \"nope.inc\"\n", &[]);
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].starts_with("main.mod:2:1: error: cannot include \"nope.inc\""));

        let (_, diagnostics) = run(
            "INCLUDE \"a.inc\"\n",
            &[
                ("a.inc", "INCLUDE \"b.inc\"\n"),
                ("b.inc", "\n\nINCLUDE \"a.inc\"\n"),
            ],
        );
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert!(
            diagnostics[0].starts_with("b.inc:3:1: error: INCLUDE cycle: a.inc → b.inc → a.inc"),
            "{diagnostics:?}"
        );
    }

    #[test]
    fn a_file_including_itself_is_a_cycle() {
        let (_, diagnostics) = run("INCLUDE \"main.mod\"\n", &[("main.mod", "")]);
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].contains("INCLUDE cycle: main.mod → main.mod"));
    }
}
