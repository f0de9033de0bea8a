//! Lexical path helpers: configs name files relative to their own folder, and outputs may not
//! exist yet, so paths are made absolute and normalised without touching the filesystem.

use std::path::{Component, Path, PathBuf};

/// `path` if absolute, else `base/path`; `.` and `..` components are folded lexically.
pub fn absolute_from(base: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    normalize(&joined)
}

/// Folds `.` and `..` without resolving symlinks (the paths may not exist yet).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_dots() {
        assert_eq!(
            absolute_from(Path::new("/a/b"), Path::new("./../../m/./x")),
            PathBuf::from("/m/x")
        );
        assert_eq!(
            absolute_from(Path::new("/a"), Path::new("/z/./y")),
            PathBuf::from("/z/y")
        );
    }
}
