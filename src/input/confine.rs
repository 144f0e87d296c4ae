//! Keeping reads inside the scanned tree.
//!
//! dockpolicy runs on pull requests, whose author controls every file of the checkout,
//! symlinks included. A committed `policy/x.rego -> /proc/self/environ` or
//! `Dockerfile -> ~/.docker/config.json` must not make the tool read (and quote in an
//! error) a file outside the checkout. So every path that dockpolicy reads is resolved,
//! symlinks and `..` included, and must land beneath its tree's root:
//!
//! * a path named on the command line inside the working directory belongs to the working
//!   directory's tree (the checkout CI runs in);
//! * a path named outside it belongs to its own tree: the directory itself, or a file's
//!   directory. The user chose that place; what the files there link to must stay there.
//!
//! A path that leaves its tree is an error that names the path and the tree, never the
//! link's target or any byte of it.

use std::fs::File;
use std::io;
use std::path::{Component, Path, PathBuf};

/// A directory whose contents may be read, and nothing outside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    /// Canonical: absolute, no symlinks, no `.` or `..`.
    root: PathBuf,
}

/// Why a path may not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfineError {
    #[error(
        "{path}: resolves outside {root} (a symlink or `..` leaving the scanned tree); not read"
    )]
    Outside { path: String, root: String },
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
}

impl ConfineError {
    fn io(path: &Path, source: io::Error) -> ConfineError {
        ConfineError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

impl Tree {
    /// The tree rooted at `dir` (which must exist).
    pub fn at(dir: &Path) -> Result<Tree, ConfineError> {
        let root = std::fs::canonicalize(dir).map_err(|e| ConfineError::io(dir, e))?;
        Ok(Tree { root })
    }

    /// The tree a path named by the user belongs to: the working directory when the path
    /// lies inside it as written, else the path's own directory (see the module docs).
    pub fn for_named(path: &Path) -> Result<Tree, ConfineError> {
        let cwd = std::env::current_dir().map_err(|e| ConfineError::io(Path::new("."), e))?;
        let written = lexical_normal(&cwd.join(path));
        if written.starts_with(&cwd) {
            return Tree::at(&cwd);
        }
        // Outside the working directory: the named directory, or the named file's
        // directory, is the tree. Only the last component may be a symlink that leaves it.
        let own = if written.is_dir() && !is_symlink(&written) {
            written.clone()
        } else {
            written.parent().map_or(written.clone(), Path::to_path_buf)
        };
        Tree::at(&own)
    }

    /// The tree's canonical root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether `path` (already canonical) is the root or beneath it.
    pub fn contains(&self, canonical: &Path) -> bool {
        canonical.starts_with(&self.root)
    }

    /// `path` with every symlink resolved, if that stays inside the tree.
    pub fn resolve(&self, path: &Path) -> Result<PathBuf, ConfineError> {
        let real = std::fs::canonicalize(path).map_err(|e| ConfineError::io(path, e))?;
        if self.contains(&real) {
            Ok(real)
        } else {
            Err(ConfineError::Outside {
                path: path.display().to_string(),
                root: self.root.display().to_string(),
            })
        }
    }

    /// Opens `path` for reading, if it resolves inside the tree.
    pub fn open(&self, path: &Path) -> Result<File, ConfineError> {
        let real = self.resolve(path)?;
        File::open(&real).map_err(|e| ConfineError::io(path, e))
    }

    /// Reads `path` whole, if it resolves inside the tree.
    pub fn read(&self, path: &Path) -> Result<Vec<u8>, ConfineError> {
        let real = self.resolve(path)?;
        std::fs::read(&real).map_err(|e| ConfineError::io(path, e))
    }
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// `path` with `.` and `..` removed by spelling alone (no file system access).
fn lexical_normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_inside_the_tree_resolve_and_links_outside_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "TOKEN").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/real.rego"), "package a").unwrap();
        std::os::unix::fs::symlink("sub/real.rego", root.join("inside.rego")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), root.join("file")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("dir")).unwrap();
        let tree = Tree::at(root).unwrap();
        assert_eq!(tree.read(&root.join("inside.rego")).unwrap(), b"package a");
        for escape in [
            root.join("file"),
            root.join("dir/secret"),
            root.join("sub/../dir/secret"),
        ] {
            let err = tree.read(&escape).unwrap_err();
            assert!(matches!(err, ConfineError::Outside { .. }), "{escape:?}");
            assert!(!err.to_string().contains("TOKEN"), "{err}");
        }
    }

    #[test]
    fn lexical_normal_drops_dots() {
        assert_eq!(
            lexical_normal(Path::new("/a/./b/../c")),
            PathBuf::from("/a/c")
        );
    }
}
